"""Monitor (every role): gatekeeping indicators by unit and year on a choropleth, a year slider
and play-through, the unit's trend against the national line with the year its first family
support centre opened, a ranking with change since a base year, alerts and downloads.
Public users see only values not built on fewer than 5 children."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from access import views
from access.guard import download_button, require_page
from app_pages import common
from gatekeeping.indicators import INDICATORS, alerts, before_after, indicator_table
from gatekeeping.indicators import opening_years as first_centres
from gatekeeping.series import (
    SeriesUnavailable,
    on_version,
    rebased_years,
    series_provenance,
    to_wide,
)
from geo import layers as geo_layers
from ui import exports, tables
from ui import monitor as mon
from ui.i18n import t

PAGE = "monitor"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_monitor", lang))


@st.cache_data(show_spinner=False, max_entries=8)
def monitor_data(country: str, version: int, level: str) -> tuple[
        pd.DataFrame, pd.DataFrame, pd.Series, list[int], bool]:
    """(indicator table, its public view, first-centre year per unit, re-based years, demo)."""
    long = on_version(country, level, version)
    table = indicator_table(long)
    parents = None
    if level == "district":  # districts are suppressed against their oblast's value
        units = geo_layers.load_boundaries(country, version, level)
        parents = dict(zip(units["code"], units["parent_code"]))
    return (table, mon.public_view(table, parents), first_centres(to_wide(long)),
            rebased_years(long.assign(version=long["stored_version"]), version),
            bool(long["demo"].any()))


try:
    with st.spinner(t("gk_loading", lang)):
        table, public_table, opened, rebased, demo = monitor_data(ctx.country, ctx.version,
                                                                  ctx.level)
except SeriesUnavailable as exc:
    st.info(str(exc))
    st.stop()

public = not views.exact_points(user)
shown = public_table if public else table
notice = t("gk_demo_notice", lang) if demo else None
# what the downloads were made from, in the form the Explore and plan CSVs carry it
sources = {"demo": demo, "provenance": series_provenance(ctx.country, ctx.level, ctx.version,
                                                         bool(rebased))}
if notice:
    st.warning(notice, icon="⚠️")
if public:
    st.caption(t("gk_public_note", lang))
units = common.display_units(ctx.country, ctx.version, lang, ctx.level)
# the visibility step (access.views): a planner sees the units assigned to them
units = views.visible_frame(user, units, "parent_code" if ctx.level == "district" else "code")
allowed = set(units["code"]) | {mon.TOTAL}
shown = shown[shown.index.get_level_values("unit_code").isin(allowed)]
names = dict(zip(units["code"], units["unit_name"]))
names[mon.TOTAL] = t("gk_national", lang)
years = sorted(table.index.get_level_values("year").unique().tolist())
if rebased:
    st.caption(t("gk_rebased", lang, years=f"{rebased[0]}-{rebased[-1]}", version=ctx.version))

c1, c2, c3 = st.columns([3, 1, 2])
key = c1.selectbox(t("indicator", lang), [i.key for i in INDICATORS], key="monitor_indicator",
                   format_func=lambda k: mon.label(k, lang))
base_year = c2.selectbox(t("gk_base_year", lang), years, index=years.index(2015)
                         if 2015 in years else 0, key="monitor_base")
codes = sorted(units["code"])
if not codes:
    st.info(t("gk_no_units", lang))
    st.stop()
unit = c3.selectbox(t("gk_trend_unit", lang), codes, key="monitor_unit",
                    format_func=lambda c: names.get(c, c))
title = mon.label(key, lang)


def draw(year: int, map_slot, trend_slot) -> None:
    """The map and the trend chart of `year` into their placeholders."""
    frame = mon.map_frame(units, shown, key, year, opened)
    map_slot.vega_lite_chart(mon.map_chart(frame, f"{title}, {year}", notice, lang=lang))
    trend = mon.trend_frame(shown, key, unit, names, t("gk_national", lang))
    first = int(opened[unit]) if unit in opened.index else None
    trend_slot.vega_lite_chart(mon.trend_chart(trend, title, first,
                                            t("gk_opened", lang, year=first), year, notice,
                                            lang=lang))


@st.fragment
def year_view() -> None:
    """Slider, play button, map, trend, before/after, ranking, alerts and downloads."""
    s1, s2 = st.columns([3, 1], vertical_alignment="bottom")  # room for "Проиграть по годам"
    year = s1.slider(t("gk_year", lang), years[0], years[-1], value=years[-1] - 2,
                     key="monitor_year")
    play = s2.button(t("gk_play", lang), key="monitor_play", icon=":material/play_arrow:",
                     width="stretch")
    left, right = st.columns(2)
    map_slot, trend_slot = left.empty(), right.empty()
    if play:
        for y in years:
            draw(y, map_slot, trend_slot)
            time.sleep(0.4)
    draw(year, map_slot, trend_slot)
    left.caption(t("gk_map_help", lang))
    if unit in opened.index:
        first = int(opened[unit])
        pair = before_after(shown, unit, first)
        if pair is not None:
            right.info(t("gk_before_after", lang, unit=names.get(unit, unit), year=first,
                         before=pair[0], after=pair[1]))
    else:
        right.info(t("gk_no_centre", lang, unit=names.get(unit, unit)))

    st.subheader(t("gk_ranking", lang))
    ranked = mon.ranking(shown, names, key, year, base_year, lang, demo)
    st.dataframe(tables.on_screen(ranked, lang), hide_index=True, width="stretch")
    flags = shown["flags"].xs(year, level="year")
    small = [f"{names.get(c, c)} ({f})" for c, f in flags.items() if f and key in f]
    if small:
        st.caption(t("gk_small", lang, items="; ".join(small)))

    st.subheader(t("gk_alerts", lang))
    found = alerts(table[table.index.get_level_values("unit_code").isin(allowed)], year)
    if public:
        found = mon.public_alerts(found, public_table, year)
    texts = mon.alert_texts(found[:8], names, lang)
    st.markdown("\n".join(f"- {text}" for text in texts) if texts else t("gk_no_alerts", lang))

    stem = f"otbasy_monitor_{ctx.country.lower()}_{ctx.version}_{key}_{year}"
    d1, d2, d3 = st.columns(3)
    with d1:
        download_button(t("download_csv", lang),
                        tables.csv_bytes(exports.with_demo(ranked, sources)),
                        f"{stem}.csv", action="export_aggregate", indicator=key, year=year)
    frame = mon.map_frame(units, shown, key, year, opened)
    map_chart = mon.map_chart(frame, f"{title}, {year}", notice, lang=lang)
    trend = mon.trend_frame(shown, key, unit, names, t("gk_national", lang))
    first = int(opened[unit]) if unit in opened.index else None
    trend_chart = mon.trend_chart(trend, title, first, t("gk_opened", lang, year=first), year,
                                  notice, lang=lang)
    with d2:
        download_button(t("gk_download_map", lang),
                        lambda: mon.chart_html(map_chart, f"{title}, {year}"),
                        f"{stem}_map.html", action="export_aggregate", indicator=key, year=year)
    with d3:
        download_button(t("gk_download_chart", lang), lambda: mon.chart_png(trend_chart),
                        f"{stem}_{unit}_trend.png", action="export_aggregate", indicator=key,
                        year=year)


year_view()
