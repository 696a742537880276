"""Compare: two or more saved scenarios — KPIs side by side with differences, their maps side
by side, and the coverage-vs-budget curve when a Pareto run exists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access import views
from access.guard import require_page
from app_pages import common
from geo.layers import default_version
from ui import charts, maps, numbers, tables
from ui import viewmodels as vm
from ui.i18n import t

PAGE = "compare"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_compare", lang))

ws = common.workspace()
saved = common.saved_scenarios(user)  # only those this user may see
if len(saved) < 2:
    st.info(t("need_two", lang))
    if not saved.empty:
        st.dataframe(tables.on_screen(tables.localise_columns(saved, lang), lang),
                     hide_index=True)
    st.stop()

options = list(saved["name"])
if "compare_names" in st.session_state:  # a choice made under another account is dropped
    st.session_state["compare_names"] = [n for n in st.session_state["compare_names"]
                                         if n in options]
names = st.multiselect(t("pick_scenarios", lang), options, default=options[-2:],
                       placeholder=t("choose", lang),
                       key="compare_names")
if len(names) < 2:
    st.info(t("pick_scenarios", lang))
    st.stop()

records = {name: ws.load_scenario(name) for name in names}
table = vm.compare_kpis({name: rec.summary for name, rec in records.items()})
shown = tables.localise_index(table, lang)
percent_rows = [label for label, key in zip(shown.index, table.index) if key == "coverage_pct"]
st.dataframe(shown.style.format(lambda v: numbers.number(v, lang))
             .format(lambda v: numbers.number(v, lang, 1),
                     subset=pd.IndexSlice[percent_rows, :]),
             width="stretch")

columns = st.columns(min(len(names), 3))
for column, name in zip(columns, names):
    rec = records[name]
    with column:
        st.subheader(common.plain(name))
        if rec.note:
            st.caption(common.plain(rec.note))
        sites, settlements = rec.result_layer("sites"), rec.result_layer("settlements")
        if sites is None or settlements is None:
            st.info(t("no_result", lang))
            continue
        # each plan on the units of its own country and boundary version, not the sidebar's
        units = views.visible_units(user, common.display_units(
            rec.country, rec.version or default_version(rec.country), lang))
        m = maps.result_map(units, sites, settlements, lang, osm=ctx.osm)
        common.show_map(m, key=f"compare_map_{name}", height=420)

curves = {name: pd.DataFrame(rec.summary["pareto"]) for name, rec in records.items()
          if rec.summary.get("pareto")}
if curves:
    st.subheader(t("pareto_title", lang))
    chart = pd.concat([c.assign(scenario=n) for n, c in curves.items()], ignore_index=True)
    st.altair_chart(charts.coverage_curve(chart, lang, series="scenario"), width="stretch")
