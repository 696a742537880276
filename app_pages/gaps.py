"""Coverage gaps (NGOs): settlements and children beyond the travel standard of every centre,
by unit, on a map and in a table. Every count of 1-4 is shown as "<5" here and in downloads."""

from __future__ import annotations

import streamlit as st

from access.guard import download_button, require_page
from app_pages import common
from geo.privacy import suppress_small
from ui import maps, tables
from ui import viewmodels as vm
from ui.i18n import t

PAGE = "coverage_gaps"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_gaps", lang))
st.caption(t("gaps_intro", lang))

layers = common.active_layers(ctx)
units = common.display_units(ctx.country, ctx.version, lang, ctx.level)
standard = st.number_input(t("travel_standard_min", lang), min_value=5, max_value=240, value=60,
                           step=5, key="gaps_standard")
common.demo_notice(lang, layers.centres)

minutes = common.minutes_to_centres(layers.settlements, layers.centres, standard)
gaps = vm.gap_table(layers.settlements, units, minutes, standard)
public = suppress_small(gaps, ["uncovered_settlements", "uncovered_children", "children"],
                        total_row=True, total_label="Total")
uncovered = vm.uncovered_settlements(layers.settlements, minutes, standard)
total_children = public["uncovered_children"].iloc[-1]  # a count or a suppressed label
st.metric(t("col_uncovered_children", lang),
          total_children if isinstance(total_children, str)
          else tables.kpi_value("uncovered_children", total_children, lang),
          help=t("gaps_total", lang, children=public["uncovered_children"].iloc[-1],
                 settlements=public["uncovered_settlements"].iloc[-1], minutes=standard))


def build_map():
    """Units shaded by children beyond the standard; uncovered settlements as red dots
    (a settlement's estimated child population, never an individual)."""
    m = maps.base_map(units.total_bounds, osm=ctx.osm, basemap_label=t("layer_basemap", lang))
    shaded = units.merge(gaps[["code", "uncovered_children"]], on="code", how="left")
    labels = dict(zip(public["code"], public["uncovered_children"].astype(str)))
    shaded["uncovered_text"] = shaded["code"].map(labels)
    choro, legend = maps.choropleth_layer(
        shaded, "uncovered_children", t("col_uncovered_children", lang),
        no_data=t("no_data", lang), fmt=lambda v: f"{v:,.0f}")
    choro.add_to(m)
    if not uncovered.empty:
        shown = uncovered.assign(minutes_text=[
            "∞" if v == float("inf") else f"{v:.0f}" for v in uncovered["minutes"]])
        shown["children_text"] = suppress_small(shown[["name", "children"]], ["children"],
                                                total_row=False)["children"].astype(str).to_numpy()
        maps.point_layer(shown, t("layer_uncovered", lang), colour=maps.UNCOVERED_COLOUR,
                         fixed_radius=5, tooltip_fields=["name", "children_text", "minutes_text"],
                         tooltip_aliases=["", t("col_children", lang), t("col_minutes", lang)]
                         ).add_to(m)
    centres = layers.centres
    if not centres.empty:
        maps.point_layer(centres, t("layer_centres", lang), colour=maps.CENTRE_COLOUR,
                         fixed_radius=5, tooltip_fields=["name"], stroke="#000000").add_to(m)
    return maps.finish(m, [legend])


@st.fragment
def map_fragment() -> None:
    common.show_map(build_map(), key=f"gaps_map_{ctx.country}_{ctx.version}_{ctx.level}")


map_fragment()
shown = tables.plain_table(public, lang)
st.dataframe(shown, hide_index=True, width="stretch")
download_button(t("download_csv", lang), tables.csv_bytes(shown),
                file_name=f"otbasy_gaps_{ctx.country.lower()}_{ctx.version}_{standard}min.csv",
                action="export_aggregate")
