"""Coverage gaps (NGOs): settlements and children beyond the travel standard of every centre,
by unit, on a map and in a table. What each role sees comes from `access.views`: the public
gets every count of 1-4 as "<5" (with complements "x"), in the table, on the map and in the
download alike, and uncovered settlements per unit rather than as dots."""

from __future__ import annotations

import streamlit as st

from access import views
from access.guard import download_button, require_page
from app_pages import common
from geo.privacy import class_radius, numeric_or_nan
from ui import exports, maps, tables
from ui import viewmodels as vm
from ui.i18n import t

PAGE = "coverage_gaps"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_gaps", lang))
st.caption(t("gaps_intro", lang))

layers, units = common.visible_data(user, ctx)
exact = views.exact_points(user)
standard = st.number_input(t("travel_standard_min", lang), min_value=5, max_value=240, value=60,
                           step=5, key="gaps_standard")
common.demo_notice(lang, layers.centres)
if layers.centres.empty:
    st.warning(t("gaps_no_centres", lang), icon="ℹ️")

minutes = common.minutes_to_centres(layers.settlements, layers.centres, standard)
public = views.public_gaps(user, vm.gap_table(layers.settlements, units, minutes, standard),
                           views.unit_parents(units))
public = public.replace({"Total": t("total", lang)})  # the total row's label, translated
body = public.iloc[:-1]
total_children = public["uncovered_children"].iloc[-1]  # a count or a suppressed label
st.metric(t("col_uncovered_children", lang),
          total_children if isinstance(total_children, str)
          else tables.kpi_value("uncovered_children", total_children, lang),
          help=t("gaps_total", lang, children=public["uncovered_children"].iloc[-1],
                 settlements=public["uncovered_settlements"].iloc[-1], minutes=standard))


def build_map():
    """Units shaded by children beyond the standard; uncovered settlements as red dots (a
    settlement's estimated child population, never an individual) for staff, and as one
    marker per unit, sized by class, for the public."""
    m = maps.base_map(units.total_bounds, osm=ctx.osm, basemap_label=t("layer_basemap", lang))
    shaded = units.merge(body[["code", "uncovered_children"]], on="code", how="left")
    choro, legend = maps.choropleth_layer(
        shaded, "uncovered_children", t("col_uncovered_children", lang),
        no_data=t("no_data", lang), lang=lang, decimals=0)
    choro.add_to(m)
    if exact:
        uncovered = vm.uncovered_settlements(layers.settlements, minutes, standard)
        shown = uncovered.assign(minutes_text=[
            "∞" if v == float("inf") else f"{v:.0f}" for v in uncovered["minutes"]])
        if not shown.empty:
            maps.point_layer(shown, t("layer_uncovered", lang), colour=maps.UNCOVERED_COLOUR,
                             fixed_radius=5,
                             tooltip_fields=["name", "children", "minutes_text"],
                             tooltip_aliases=["", t("col_children", lang),
                                              t("col_minutes", lang)], lang=lang).add_to(m)
    else:
        per_unit = units[["code", "unit_name", "geometry"]].assign(
            geometry=units.geometry.representative_point()).merge(
            body[["code", "uncovered_settlements"]], on="code")
        per_unit = per_unit[numeric_or_nan(per_unit["uncovered_settlements"]).fillna(1) > 0]
        per_unit["settlements_text"] = per_unit["uncovered_settlements"].astype(str)
        per_unit["radius"] = class_radius(per_unit["uncovered_settlements"])
        maps.point_layer(per_unit, t("layer_uncovered", lang), colour=maps.UNCOVERED_COLOUR,
                         radius_field="radius", tooltip_fields=["unit_name", "settlements_text"],
                         tooltip_aliases=["", t("col_uncovered_settlements", lang)]).add_to(m)
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
st.dataframe(tables.on_screen(shown, lang), hide_index=True, width="stretch")
download_button(t("download_csv", lang),
                tables.csv_bytes(exports.with_demo(shown, common.data_summary(layers, ctx))),
                file_name=f"otbasy_gaps_{ctx.country.lower()}_{ctx.version}_{standard}min.csv",
                action="export_result" if exact else "export_aggregate")
