"""Folium map builders for every page: tile-free base map, choropleth, point and result layers.

Everything here is a pure function of GeoDataFrames and returns Folium objects; nothing
imports Streamlit. Maps are tile-free unless `osm=True` (the only layer that reaches the
internet), geometries are simplified and coordinates rounded so a page's payload stays small,
and point layers are single GeoJSON layers drawn as circle markers.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.privacy import small_label
from planning.results import coverage_class
from ui import numbers, tables
from ui.i18n import t
from ui.offline import use_local_assets
from ui.tables import COLUMN_LABELS, kpi_value, site_reason

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
BACKGROUND = "#f4f1ea"
PALETTE = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d")  # 5-class sequential
NO_DATA_COLOUR = "#d9d9d9"
INSTITUTION_COLOURS = {
    "baby_home": "#e41a1c",
    "childrens_home": "#984ea3",
    "family_type_home": "#ff7f00",
    "boarding_school_disability": "#a65628",
    "boarding_school_general": "#f781bf",
}
DECISION_COLOURS = {"open": "#1a9850", "convert": "#fdae61", "existing": "#2166ac"}
CENTRE_COLOUR = "#2166ac"
PROPOSED_COLOUR = "#1a9850"
UNCOVERED_COLOUR = "#d73027"
PARTIAL_COLOUR = "#8073ac"  # purple fill, red ring: some of its children are not served
SETTLEMENT_COLOUR = "#636363"
DISPLAY_TOLERANCE_DEG = 0.02  # about 2 km: invisible at oblast zoom, cuts vertices ~10x
COORD_DECIMALS = 4  # about 10 m
# The layer control (top right) and the legends (bottom right) are up to ~260 px wide: the map
# is fitted to the part of the frame left of them, so no unit or marker starts hidden behind.
CONTROL_COLUMN_PX = 270


def simplify_for_display(units: gpd.GeoDataFrame,
                         tolerance: float = DISPLAY_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """Simplify unit polygons for display keeping shared borders identical (no gaps/slivers)."""
    out = units.copy()
    try:
        out["geometry"] = units.geometry.simplify_coverage(tolerance)
    except Exception:  # an invalid coverage (overlaps) falls back to per-polygon simplification
        out["geometry"] = units.geometry.simplify(tolerance, preserve_topology=True)
    return out


def simplify_shapes(polys: gpd.GeoDataFrame, tolerance: float = DISPLAY_TOLERANCE_DEG / 2
                    ) -> gpd.GeoDataFrame:
    """Simplify independent (possibly overlapping) polygons, such as catchments, for display."""
    out = polys.copy()
    out["geometry"] = polys.geometry.simplify(tolerance, preserve_topology=True)
    return out


def _json_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, int):
        return value
    return html.escape(str(value))


def to_geojson(gdf: gpd.GeoDataFrame, columns: Sequence[str] = (),
               decimals: int = COORD_DECIMALS) -> dict:
    """A compact GeoJSON FeatureCollection: only `columns`, coordinates rounded.

    Every text property is HTML-escaped here, the one place every map layer passes through:
    Folium's tooltips and popups write property values into the page as HTML, and names,
    notes and ids may come from uploads.
    """
    gdf = gdf.to_crs(4326) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
    shown = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    props = {c: [_json_value(v) for v in shown[c]] for c in columns}
    rounded = shapely.transform(shown.geometry.values, lambda xy: np.round(xy, decimals))
    frame = gpd.GeoDataFrame(props, geometry=rounded, index=shown.index)
    return frame.to_geo_dict(drop_id=True)


def class_breaks(values: pd.Series, k: int = len(PALETTE)) -> list[float]:
    """Quantile class breaks (k+1 edges, strictly increasing) over the finite values."""
    finite = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    if finite.empty:
        return []
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0] + 1.0])
    return [float(e) for e in edges]


def colour_for(value: object, breaks: Sequence[float]) -> str:
    """The palette colour of `value` under `breaks` (grey for missing)."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return NO_DATA_COLOUR
    if not breaks or math.isnan(v) or math.isinf(v):
        return NO_DATA_COLOUR
    n_classes = len(breaks) - 1
    index = int(np.searchsorted(breaks[1:-1], v, side="right"))
    palette = PALETTE if n_classes == len(PALETTE) else PALETTE[-n_classes:]
    return palette[min(index, n_classes - 1)]


class Legend(MacroElement):
    """A static HTML legend in a map corner (no branca colormap: that pulls d3 from a CDN)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .otbasy-legend {background: rgba(255,255,255,.92); padding: 6px 8px; font: 12px/1.3
            sans-serif; border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,.3); max-width: 260px;}
          .otbasy-legend i {display:inline-block; width:12px; height:12px; margin-right:5px;
            vertical-align:middle; border:1px solid #777;}
          .otbasy-legend i.dot {border-radius: 50%;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
          (function() {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function() {
              var div = L.DomUtil.create("div", "otbasy-legend");
              div.innerHTML = {{ this.html_json }};
              return div;
            };
            legend.addTo({{ this._parent.get_name() }});
          })();
        {% endmacro %}
    """)

    def __init__(self, title: str, entries: Sequence[tuple[str, str, bool]]):
        """entries: (colour, label, is_point) rows."""
        super().__init__()
        self._name = "Legend"
        rows = [f"<b>{html.escape(title)}</b>"] if title else []
        for colour, label, point in entries:
            cls = ' class="dot"' if point else ""
            rows.append(f'<div><i{cls} style="background:{colour}"></i>{html.escape(label)}</div>')
        self.html = "".join(rows)
        self.html_json = json.dumps(self.html)


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (folium's `control_scale` adds miles too)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
          L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def base_map(bounds: Sequence[float], osm: bool = False, basemap_label: str = "OpenStreetMap",
             height: str = "100%") -> folium.Map:
    """A tile-free map fitted to (minx, miny, maxx, maxy); OSM tiles only when asked."""
    use_local_assets()
    minx, miny, maxx, maxy = bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=5, tiles=None,
                   height=height, zoom_snap=0.25)  # tighter fit
    m.add_child(MetricScale())
    m.get_root().header.add_child(folium.Element(
        f"<style>.leaflet-container {{ background: {BACKGROUND}; }}"
        ".leaflet-control-layers { font: 12px/1.4 sans-serif; }</style>"))
    if osm:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name=basemap_label,
                         max_zoom=19).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding_bottom_right=(CONTROL_COLUMN_PX, 0))
    return m


def unit_outline_layer(units: gpd.GeoDataFrame, name: str, tooltip_field: str = "unit_name",
                       show: bool = True) -> folium.GeoJson:
    """Unit borders on the plain background with the unit name as tooltip."""
    data = to_geojson(units, [tooltip_field])
    return folium.GeoJson(
        data, name=name, show=show,
        style_function=lambda _f: {"color": "#555555", "weight": 1, "fillColor": "#ffffff",
                                   "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip([tooltip_field], labels=False),
    )


def choropleth_layer(units: gpd.GeoDataFrame, value_field: str, title: str,
                     label_field: str = "unit_name", no_data: str = "no data",
                     lang: str = "en", decimals: int = 1,
                     show: bool = True) -> tuple[folium.GeoJson, Legend]:
    """Units coloured by `value_field` in quantile classes, with tooltip and legend; numbers
    written the way `lang` writes them ("1 234,5" in ru/kk) with `decimals` places.

    A suppressed cell (a label such as "<5" instead of a number) is drawn in the no-data
    colour with its label, and takes no part in the class breaks. The features carry only
    the unit label, the text shown and the fill colour: never the value itself.
    """
    values = pd.to_numeric(units[value_field].map(lambda v: np.nan if isinstance(v, str) else v),
                           errors="coerce")

    def fmt(value: float) -> str:
        return numbers.number(value, lang, decimals)

    breaks = class_breaks(values)
    display = units[[label_field, "geometry"]].copy()
    display["value_text"] = [raw if isinstance(raw, str) else
                             fmt(float(v)) if pd.notna(v) and np.isfinite(v) else no_data
                             for raw, v in zip(units[value_field], values, strict=True)]
    display["_fill"] = [colour_for(v, breaks) for v in values]
    data = to_geojson(display, [label_field, "value_text", "_fill"])
    layer = folium.GeoJson(
        data, name=title, show=show,
        style_function=lambda f: {
            "fillColor": f["properties"]["_fill"],
            "color": "#555555", "weight": 1, "fillOpacity": 0.75},
        highlight_function=lambda _f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip([label_field, "value_text"], aliases=["", title],
                                      labels=True),
    )
    entries = []
    for i in range(len(breaks) - 1):
        colour = colour_for((breaks[i] + breaks[i + 1]) / 2 if i < len(breaks) - 2
                            else breaks[i + 1], breaks)
        entries.append((colour, f"{fmt(breaks[i])} – {fmt(breaks[i + 1])}", False))
    if values.isna().any():
        entries.append((NO_DATA_COLOUR, no_data, False))
    return layer, Legend(title, entries)


def radius_scale(values: pd.Series, min_px: float = 3.0, max_px: float = 14.0) -> pd.Series:
    """Marker radii proportional to sqrt(value) (area ~ value), clipped to [min_px, max_px]."""
    v = pd.to_numeric(values, errors="coerce").fillna(0).clip(lower=0).astype(float)
    top = float(np.sqrt(v.max())) if len(v) and v.max() > 0 else 1.0
    return (min_px + (max_px - min_px) * np.sqrt(v) / top).round(1)


def point_layer(points: gpd.GeoDataFrame, name: str, *, colour: str | dict[str, str],
                colour_field: str | None = None, size_field: str | None = None,
                radius_field: str | None = None, fixed_radius: float = 6.0,
                tooltip_fields: Sequence[str] = ("name",),
                tooltip_aliases: Sequence[str] | None = None,
                popup_fields: Sequence[str] = (), popup_aliases: Sequence[str] | None = None,
                show: bool = True, stroke: str = "#ffffff", lang: str = "en"
                ) -> folium.GeoJson | folium.FeatureGroup:
    """One GeoJSON layer of circle markers: colour by category, radius by size (or a
    precomputed `radius_field`, e.g. size classes of suppressed counts), tooltip, popup
    (numbers written the way `lang` writes them, `tables.as_text`).
    No points (a country without that layer): an empty, named layer, so the map still draws."""
    if points.empty:
        return folium.FeatureGroup(name=name, show=show)
    frame = points.copy()
    frame["_r"] = (frame[radius_field] if radius_field else
                   radius_scale(frame[size_field]) if size_field else fixed_radius)
    shown = list(dict.fromkeys([*tooltip_fields, *popup_fields]))
    frame[shown] = tables.as_text(pd.DataFrame(frame[shown]), lang, decimals=0)
    columns = list(dict.fromkeys([*shown, "_r"] + ([colour_field] if colour_field else [])))
    data = to_geojson(frame, columns)

    def style(feature: dict) -> dict:
        props = feature["properties"]
        fill = colour.get(props.get(colour_field), "#999999") if isinstance(colour, dict) \
            else colour
        return {"radius": props["_r"], "fill": True, "fillColor": fill, "color": stroke,
                "weight": 1, "fillOpacity": 0.85}

    empty = not data["features"]  # Folium refuses a tooltip over no features
    return folium.GeoJson(
        data, name=name, show=show, style_function=style,
        marker=folium.CircleMarker(radius=fixed_radius),
        tooltip=None if empty else folium.GeoJsonTooltip(
            list(tooltip_fields), aliases=tooltip_aliases, labels=tooltip_aliases is not None),
        popup=folium.GeoJsonPopup(list(popup_fields), aliases=popup_aliases)
        if popup_fields and not empty else None,
    )


def polygon_layer(polys: gpd.GeoDataFrame, name: str, colour: str, *,
                  tooltip_fields: Sequence[str] = (), show: bool = True,
                  fill_opacity: float = 0.15) -> folium.GeoJson:
    """Outlined translucent polygons (catchments)."""
    data = to_geojson(polys, list(tooltip_fields))
    return folium.GeoJson(
        data, name=name, show=show,
        style_function=lambda _f: {"color": colour, "weight": 1, "fillColor": colour,
                                   "fillOpacity": fill_opacity},
        tooltip=folium.GeoJsonTooltip(list(tooltip_fields), labels=False)
        if tooltip_fields else None,
    )


def line_layer(lines: gpd.GeoDataFrame, name: str, colour: str, show: bool = True
               ) -> folium.GeoJson:
    """Thin lines (settlement -> centre assignments)."""
    return folium.GeoJson(to_geojson(lines, []), name=name, show=show,
                          style_function=lambda _f: {"color": colour, "weight": 1,
                                                     "opacity": 0.5})


def assignment_lines(settlements: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                     site_id: str = "site_id") -> gpd.GeoDataFrame:
    """Straight segments from each covered settlement to the centre it is assigned to."""
    from shapely import linestrings

    assigned = settlements[settlements["centre_id"].notna()]
    ends = sites.set_index(site_id).geometry
    assigned = assigned[assigned["centre_id"].isin(ends.index)]
    if assigned.empty:
        return gpd.GeoDataFrame(geometry=[], crs=settlements.crs)
    start = np.column_stack([assigned.geometry.x, assigned.geometry.y])
    end_geom = ends.loc[assigned["centre_id"]]
    end = np.column_stack([end_geom.x.to_numpy(), end_geom.y.to_numpy()])
    coords = np.stack([start, end], axis=1)
    return gpd.GeoDataFrame(geometry=linestrings(coords), crs=settlements.crs)


class ClickRelay(MacroElement):
    """Tell the page which feature was clicked: the map runs in a sandboxed frame with no
    access to the app, so a click is posted to the parent frame as a message carrying the
    feature's (escaped) properties; `app_pages.common.show_map` returns them."""

    _template = Template("""
        {% macro script(this, kwargs) %}
          (function() {
            var map = {{ this._parent.get_name() }};
            function relay(layer) {
              if (!layer.feature || layer._otbasyRelay) { return; }
              layer._otbasyRelay = true;
              layer.on("click", function() {
                window.parent.postMessage(
                  {otbasyClick: {properties: layer.feature.properties || {}}}, "*");
              });
            }
            map.eachLayer(relay);
            map.on("layeradd", function(e) { relay(e.layer); });
          })();
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ClickRelay"


def finish(m: folium.Map, legends: Sequence[Legend] = ()) -> folium.Map:
    """Add legends, the click relay and the layer control (always last, so it lists every
    layer)."""
    for legend in legends:
        m.add_child(legend)
    m.add_child(ClickRelay())
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def payload_bytes(m: folium.Map) -> int:
    """Size in bytes of the map's rendered HTML (what the browser receives)."""
    return len(m.get_root().render().encode("utf-8"))


SITE_POPUP_FIELDS: tuple[str, ...] = (
    "children_served", "settlements_assigned", "median_minutes", "worst_minutes",
    "capex_kzt", "opex_kzt_per_year", "released_kzt_per_year")


SHARE_STEP = 10  # percent: a partly covered settlement's share is shown to the nearest 10%


def partial_texts(settlements: pd.DataFrame, share: pd.Series) -> dict[str, list[str]]:
    """What a partly covered settlement's popup says: the share of its children covered (to
    the nearest 10%, kept within 10-90% so it never reads as all or none) and the children
    served and not served, each count from 1 to 4 shown as "<5"."""
    pct = (np.round(share.to_numpy(dtype=float) * 100 / SHARE_STEP) * SHARE_STEP).clip(
        SHARE_STEP, 100 - SHARE_STEP)
    children = pd.to_numeric(settlements["children"], errors="coerce").fillna(0).to_numpy()
    served = np.round(children * share.to_numpy(dtype=float))

    def count(v: float) -> str:
        return small_label() if 1 <= v < 5 else f"{int(v):,}"

    return {"share_text": [f"{p:.0f}%" for p in pct],
            "served_text": [count(v) for v in served],
            "unserved_text": [count(c - v) for c, v in zip(children, served, strict=True)]}


def result_map(units: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
               settlements: gpd.GeoDataFrame, lang: str, *, osm: bool = False,
               site_id: str = "site_id", height: str = "100%") -> folium.Map:
    """A plan on the map: kept / opened / converted centres (popup: children served,
    settlements, travel times, costs and why), settlement assignments, covered settlements
    in grey and uncovered ones highlighted in red, with a legend (the settlement classes
    drawn only).

    sites: `decision` in open/convert/existing plus `name`; settlements: `centre_id`
    (None when uncovered), `covered_share` (or, in older saved plans, `covered`), `minutes`,
    `children`, `name`.
    """
    m = base_map(units.total_bounds, osm=osm, basemap_label=t("layer_basemap", lang),
                 height=height)
    unit_outline_layer(units, t("layer_units", lang)).add_to(m)
    share = (pd.to_numeric(settlements["covered_share"], errors="coerce")
             if "covered_share" in settlements
             else settlements["covered"].fillna(False).astype(float))  # an older saved plan
    klass = pd.Series(coverage_class(share), index=settlements.index)
    lines = assignment_lines(settlements[klass != "none"], sites, site_id=site_id)
    if not lines.empty:
        line_layer(lines, t("layer_assignments", lang), "#4d4d4d").add_to(m)
    shown = settlements.assign(minutes_text=[
        "∞" if not np.isfinite(v) else f"{v:.0f}"
        for v in pd.to_numeric(settlements["minutes"], errors="coerce").fillna(np.inf)])
    tips = ["name", "children", "minutes_text"]
    aliases = ["", t("col_children", lang), t("col_minutes", lang)]
    drawn = []  # (colour, layer name, is a point) of the settlement classes on the map
    for cls, layer_key, colour, stroke in (
            ("full", "layer_settlements", SETTLEMENT_COLOUR, "#ffffff"),
            ("partial", "layer_partial", PARTIAL_COLOUR, UNCOVERED_COLOUR),
            ("none", "layer_uncovered", UNCOVERED_COLOUR, "#000000")):
        part = shown[klass == cls]
        if part.empty:
            continue
        drawn.append((colour, t(layer_key, lang), True))
        fields, names = tips, aliases
        if cls == "partial":
            part = part.assign(**partial_texts(part, share[klass == cls]))
            fields = [*tips, "share_text", "served_text", "unserved_text"]
            names = [*aliases, t("col_share_covered", lang), t("col_children_served", lang),
                     t("col_children_unserved", lang)]
        point_layer(part, t(layer_key, lang), colour=colour, size_field="children",
                    tooltip_fields=fields, tooltip_aliases=names, popup_fields=fields,
                    popup_aliases=names, stroke=stroke, lang=lang).add_to(m)
    labels = {d: t(f"decision_{d}", lang) for d in DECISION_COLOURS}
    marked = sites.assign(decision_label=sites["decision"].map(labels).fillna(sites["decision"]))
    extra = [c for c in SITE_POPUP_FIELDS if c in marked.columns]
    if "reason" in marked.columns:
        marked["why"] = [site_reason(row, lang) for row in marked.to_dict("records")]
        extra.append("why")
    for col in extra:
        if col != "why":
            key = "cost" if col.endswith(("_kzt", "_per_year")) else col
            marked[col] = [kpi_value(key, float(v), lang) if v is not None and pd.notna(v)
                           else "–" for v in marked[col]]
    point_layer(marked, t("layer_centres", lang), colour=DECISION_COLOURS,
                colour_field="decision", fixed_radius=8,
                tooltip_fields=["name", "decision_label"], tooltip_aliases=["", ""],
                popup_fields=["name", "decision_label", *extra, site_id],
                popup_aliases=[t("col_name", lang), t("col_decision", lang),
                               *[t(COLUMN_LABELS[c], lang) for c in extra], "ID"],
                stroke="#000000").add_to(m)
    legend = Legend(t("col_decision", lang), [
        *[(DECISION_COLOURS[d], labels[d], True) for d in DECISION_COLOURS], *drawn])
    return finish(m, [legend])
