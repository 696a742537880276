"""Explore (regional planners): layers of one country and boundary version, a unit
choropleth of a chosen indicator, and the same numbers as a table with CSV download."""

from __future__ import annotations

import streamlit as st

from access import views
from access.guard import download_button, require_page
from app_pages import common
from geo.catchments import catchments
from geo.privacy import class_radius
from geo.travel import TravelParams
from ui import exports, maps, tables
from ui import viewmodels as vm
from ui.i18n import t

PAGE = "explore"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_explore", lang))

layers, units = common.visible_data(user, ctx)
exact = views.exact_points(user)

c1, c2, c3 = st.columns([2, 2, 1])
indicator = c1.selectbox(t("indicator", lang), vm.INDICATORS, key="explore_indicator",
                         format_func=lambda k: t(vm.INDICATOR_LABEL_KEYS[k], lang))
names = dict(zip(units["code"], units["unit_name"]))
chosen = c2.multiselect(t("unit_filter", lang), list(units["code"]), key="explore_units",
                        placeholder=t("choose", lang),
                        format_func=lambda c: names.get(c, c))
standard = c3.number_input(t("travel_standard_min", lang), min_value=5, max_value=240,
                           value=60, step=5, key="explore_standard")

common.demo_notice(lang, layers.institutions, layers.centres, layers.foster)
common.missing_layers_notice(lang, layers)

minutes = common.minutes_to_centres(layers.settlements, layers.centres, standard)
indicators = vm.unit_indicators(units, layers.settlements, layers.institutions, layers.centres,
                                layers.foster, minutes, standard)
# what this user may see of the indicators: the map, the table and the download all show it
shown_units = views.public_units(user, indicators, vm.gap_table(layers.settlements, units,
                                                                minutes, standard),
                                 views.unit_parents(units))
shown_units = vm.no_data_where_missing(shown_units, institutions=layers.institutions,
                                       centres=layers.centres, foster=layers.foster)


def build_map():
    """The Explore map: choropleth + point layers + catchments, zoomed to the chosen units."""
    m = maps.base_map(vm.focus_bounds(units, chosen), osm=ctx.osm,
                      basemap_label=t("layer_basemap", lang))
    title = t(vm.INDICATOR_LABEL_KEYS[indicator], lang)
    shaded = units[["code", "unit_name", "geometry"]].merge(
        shown_units[["code", indicator]], on="code", how="left")
    choro, legend = maps.choropleth_layer(shaded, indicator, title, no_data=t("no_data", lang),
                                          lang=lang)
    choro.add_to(m)
    settlements = layers.settlements.assign(
        name=layers.settlements.get("name_ru", layers.settlements["name"])
        if lang != "en" else layers.settlements["name"])
    maps.point_layer(settlements, t("layer_settlements", lang), colour=maps.SETTLEMENT_COLOUR,
                     size_field="children", tooltip_fields=["name", "children"],
                     tooltip_aliases=["", t("col_children", lang)], show=False,
                     lang=lang).add_to(m)
    inst = layers.institutions.assign(
        type_label=[tables.code_label("type", v, lang) for v in layers.institutions["type"]],
        year=layers.institutions["year"].map(tables.year_text)
        if "year" in layers.institutions else "")
    # children per institution only with exact points: summed per unit they would undo the
    # table's suppression of children in institutions
    fields = ["name", "type_label", "capacity", *(["children"] if exact else []), "year",
              "institution_id"]
    aliases = [t("col_name", lang), t("col_type", lang), t("col_capacity", lang),
               *([t("col_children", lang)] if exact else []), t("col_year", lang), "ID"]
    maps.point_layer(inst, t("layer_institutions", lang), colour=maps.INSTITUTION_COLOURS,
                     colour_field="type", size_field="children" if exact else None,
                     tooltip_fields=["name"], popup_fields=fields,
                     popup_aliases=aliases, lang=lang).add_to(m)
    centres = layers.centres
    shown_centres = centres.assign(
        kind=[tables.code_label("kind", v, lang) for v in centres["kind"]],
        year=centres["year"].map(tables.year_text))
    maps.point_layer(shown_centres, t("layer_centres", lang), colour=maps.CENTRE_COLOUR,
                     fixed_radius=7, tooltip_fields=["name"],
                     popup_fields=["name", "kind", "staff", "year", "centre_id"],
                     popup_aliases=[t("col_name", lang), t("col_kind", lang),
                                    t("col_staff", lang), t("col_year", lang), "ID"],
                     stroke="#000000", lang=lang).add_to(m)
    plan = views.own_plan(user, st.session_state.get("plan"))  # this account's last run
    proposed = views.visible_result(user, plan["result"].sites) if plan and exact else None
    if proposed is not None and exact and not proposed.empty:
        maps.point_layer(proposed[proposed["decision"] != "existing"],
                         t("layer_proposed", lang), colour=maps.PROPOSED_COLOUR, fixed_radius=7,
                         tooltip_fields=["name"], stroke="#000000").add_to(m)
    foster = vm.foster_by_unit(layers.foster, units).drop(columns="foster_families").merge(
        shown_units[["code", "foster_families"]], on="code").dropna(
            subset=["foster_families"])  # the table's labels; none where no data
    foster["families_text"] = foster["foster_families"].astype(str)
    foster["radius"] = class_radius(foster["foster_families"])
    maps.point_layer(foster, t("layer_foster", lang), colour="#7b3294", radius_field="radius",
                     tooltip_fields=["unit_name", "families_text"],
                     tooltip_aliases=["", t("col_foster_families", lang)],
                     show=False).add_to(m)
    if not centres.empty:
        rings = catchments(centres, TravelParams(max_minutes=standard), site_id="centre_id",
                           minutes=standard)
        maps.polygon_layer(maps.simplify_shapes(rings), t("layer_catchments", lang),
                           maps.CENTRE_COLOUR, show=False).add_to(m)
    kinds = maps.Legend(t("layer_institutions", lang), [
        (colour, tables.code_label("type", code, lang), True)
        for code, colour in maps.INSTITUTION_COLOURS.items()
        if code in set(layers.institutions.get("type", []))])
    return maps.finish(m, [legend, kinds] if not layers.institutions.empty else [legend])


@st.fragment
def map_fragment() -> None:
    common.show_map(build_map(), key=f"explore_map_{ctx.country}_{ctx.version}_{ctx.level}")
    st.caption(t("explore_help", lang))


map_fragment()

shown = tables.plain_table(vm.filter_units(shown_units, chosen), lang)
st.dataframe(tables.on_screen(shown, lang), hide_index=True, width="stretch")
download_button(t("download_csv", lang),
                tables.csv_bytes(exports.with_demo(shown, common.data_summary(layers, ctx))),
                f"otbasy_{ctx.country.lower()}_{ctx.version}_{ctx.level}_{indicator}.csv",
                action="export_result" if exact else "export_aggregate")
