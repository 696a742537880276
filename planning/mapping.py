"""Standalone Folium map of a plan: centres by decision, coverage gaps, settlements served."""

from __future__ import annotations

import folium

COLOURS = {"open": "#1b9e77", "convert": "#d95f02", "existing": "#7570b3"}
LABELS = {"open": "new centre", "convert": "converted institution", "existing": "existing centre"}


def _count(v: float) -> str:
    """Children counts below 5 are shown as '<5' (public views never show small counts)."""
    return "<5" if 0 < v < 5 else f"{v:,.0f}"


def result_map(result) -> folium.Map:
    """Sites (coloured by decision), settlements (green covered / grey partly / red gaps)."""
    pts = result.settlements
    centre = [float(pts.geometry.y.mean()), float(pts.geometry.x.mean())] if len(pts) else [48, 67]
    m = folium.Map(location=centre, zoom_start=5, tiles="OpenStreetMap", control_scale=True)
    served = folium.FeatureGroup(name="Settlements (children covered)")
    for r in pts.itertuples():
        colour = "#2ca25f" if r.covered else ("#fdae61" if r.covered_share > 0 else "#d7191c")
        minutes = "none within cut-off" if r.minutes != r.minutes else f"{r.minutes:.0f} min"
        folium.CircleMarker(
            [r.geometry.y, r.geometry.x], radius=3, color=colour, fill=True, weight=1,
            tooltip=f"{r.name}: {_count(r.children)} children, "
                    f"{_count(r.children_covered)} covered; nearest centre {minutes}",
        ).add_to(served)
    served.add_to(m)
    for decision, colour in COLOURS.items():
        group = folium.FeatureGroup(name=LABELS[decision].capitalize() + "s")
        for r in result.sites[result.sites["decision"] == decision].itertuples():
            folium.CircleMarker(
                [r.geometry.y, r.geometry.x], radius=7, color=colour, fill=True,
                fill_opacity=0.9,
                tooltip=f"{r.name} ({LABELS[decision]}): serves "
                        f"{_count(r.children_served)} children",
            ).add_to(group)
        group.add_to(m)
    s = result.summary
    title = (f"<b>{s['scenario']}</b>: {s['coverage_pct']:.1f}% of children within "
             f"{s['travel_minutes_standard']:g} min ({s['status']})")
    m.get_root().html.add_child(folium.Element(
        f'<div style="position:fixed;top:8px;left:50px;z-index:9999;background:white;'
        f'padding:4px 8px;border-radius:4px">{title}</div>'))
    folium.LayerControl(collapsed=False).add_to(m)
    return m
