"""Builders of the Monitor page: public masking, ranking table, Altair map and trend chart,
alert texts and downloads. Pure functions on DataFrames, tested without Streamlit.

Public users see every indicator only where its numerator, suppressed across units with the
national total published (`geo.privacy.suppress_small`), is visible: a rate or share computed
from 1-4 children, or from a count withheld to protect one, is withheld too, so no count below
5 can be recovered from a rate and the published children.
"""

from __future__ import annotations

import copy
import html
import json
from functools import lru_cache

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import vl_convert

from gatekeeping.indicators import BY_KEY, COUNT_KEYS, INDICATORS
from geo.privacy import withheld
from ui import numbers
from ui.i18n import t

TOTAL = "TOTAL"
KEYS = tuple(i.key for i in INDICATORS)
SHARES = {k for k, i in BY_KEY.items() if i.denominator and i.scale == 1}
WITHHELD_NOTE = "x"


def label(key: str, lang: str) -> str:
    """The localised name of an indicator or count."""
    return t(f"gk_{key}", lang)


def numerators(table: pd.DataFrame) -> dict[str, str]:
    """Indicator/count key -> the column holding the children it counts."""
    out = {k: f"n_{k}" for k in KEYS}
    out.update({k: k for k in COUNT_KEYS})
    return out


def public_view(table: pd.DataFrame, parents: dict[str, str] | None = None) -> pd.DataFrame:
    """`table` (index unit_code, year; TOTAL included) with every value a public user may not
    see set to NaN: counts 1-4, their complements, and indicators built on them.

    Units are suppressed against the total they add up to: the national total for oblasts, or
    with `parents` (district -> oblast) each oblast's value, which the oblast view publishes.
    """
    nums = numerators(table)
    codes = table.index.get_level_values("unit_code").to_numpy(dtype=object)
    years = table.index.get_level_values("year").to_numpy()
    counts = np.column_stack([pd.to_numeric(table[c], errors="coerce").fillna(0).round()
                              .to_numpy(dtype=float) for c in nums.values()])
    small = (counts >= 1) & (counts < 5)
    hide = np.zeros(counts.shape, dtype=bool)
    totals = {y: i for i, (c, y) in enumerate(zip(codes, years)) if c == TOTAL}
    group = np.array([parents.get(c, TOTAL) if parents else TOTAL for c in codes], dtype=object)
    keys = pd.MultiIndex.from_arrays([years, group])[codes != TOTAL]
    rows = np.flatnonzero(codes != TOTAL)
    # each year's units against the total they add up to (rows kept in table order)
    for (year, g), members in pd.Series(rows).groupby(keys, sort=False).groups.items():
        idx = rows[np.asarray(members)]
        for j in np.flatnonzero(small[idx].any(axis=0)):
            n = counts[idx, j]
            gone = withheld(np.append(n, n.sum()))
            hide[idx[gone[:-1]], j] = True
            if g == TOTAL and gone[-1] and year in totals:
                hide[totals[year], j] = True
    out = table.copy()
    for k, key in enumerate(nums):
        out[key] = out[key].mask(hide[:, k])
    return out


def ranking(table: pd.DataFrame, names: dict[str, str], key: str, year: int, base_year: int,
            lang: str, demo: bool) -> pd.DataFrame:
    """Units ranked by `key` in `year` with the base-year value and the change; TOTAL last."""
    now = table[key].xs(year, level="year")
    base = table[key].xs(base_year, level="year") if base_year in \
        table.index.get_level_values("year") else pd.Series(np.nan, index=now.index)
    frame = pd.DataFrame({"code": now.index, "unit": [names.get(c, c) for c in now.index],
                          "value": now.to_numpy(), "base": base.reindex(now.index).to_numpy()})
    frame["change"] = frame["value"] - frame["base"]
    scale = 100.0 if key in SHARES else 1.0
    for col in ("value", "base", "change"):
        frame[col] = (frame[col] * scale).round(1)
    units = frame[frame["code"] != TOTAL].sort_values("value", ascending=False,
                                                     na_position="last")
    frame = pd.concat([units, frame[frame["code"] == TOTAL]], ignore_index=True)
    unit = " (%)" if key in SHARES else ""
    frame = frame.rename(columns={
        "code": t("col_code", lang), "unit": t("col_unit", lang),
        "value": f"{label(key, lang)}{unit}, {year}",
        "base": f"{label(key, lang)}{unit}, {base_year}",
        "change": t("gk_change_since", lang, year=base_year)})
    if demo:
        frame[t("col_demo", lang)] = t("gk_demo_rows", lang)
    return frame


def map_frame(units: gpd.GeoDataFrame, table: pd.DataFrame, key: str, year: int,
              opened: pd.Series) -> gpd.GeoDataFrame:
    """Display units with the value of `key` in `year` and whether a centre opened that year."""
    values = table[key].xs(year, level="year")
    out = units[["code", "unit_name", "geometry"]].copy()
    scale = 100.0 if key in SHARES else 1.0
    out["value"] = out["code"].map(values * scale).astype(float).round(2)
    out["opened_now"] = out["code"].map(opened).eq(year)
    return out


@lru_cache(maxsize=64)
def _map_skeleton(title: str, width: int, height: int, unit_label: str) -> dict:
    """The map spec without data (built once per indicator title; Altair is slow to build)."""
    grey = alt.Chart(alt.Data(name="units")).mark_geoshape(
        stroke="#555555", strokeWidth=0.6, fill="#d9d9d9").encode(
        tooltip=[alt.Tooltip("properties.unit_name:N", title=unit_label)]).project("mercator")
    base = alt.Chart(alt.Data(name="units")).mark_geoshape(stroke="#555555",
                                                           strokeWidth=0.6).encode(
        color=alt.Color("properties.value:Q", title=None, scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("properties.unit_name:N", title=unit_label),
                 alt.Tooltip("properties.value:Q", title=title, format=",.1f")],
    ).project("mercator").properties(width=width, height=height)
    diamonds = alt.Chart(alt.Data(name="opened")).mark_point(
        shape="diamond", size=160, filled=True, color="#d95f02", stroke="#000000",
        opacity=1).encode(longitude="lon:Q", latitude="lat:Q",
                          tooltip=alt.Tooltip("unit:N", title=unit_label))
    # units without a value (hidden or not computed) stay grey under the coloured layer
    return alt.layer(grey, base, diamonds).to_dict(validate=False)


def _titled(spec: dict, title: str, notice: str | None, lang: str) -> dict:
    """The chart's title and demo notice, and its numbers written the way `lang` does."""
    spec["title"] = {"text": title, "subtitle": [notice] if notice else [],
                     "subtitleColor": "#b35806"}
    spec.setdefault("config", {})["locale"] = {"number": numbers.d3_locale(lang)}
    return spec


def map_chart(frame: gpd.GeoDataFrame, title: str, notice: str | None,
              width: int = 620, height: int = 360, lang: str = "en") -> dict:
    """Vega-Lite spec of a choropleth of `value` (geoshape) with diamonds where a unit opened
    its first centre this year. Shapes and values travel as named datasets in a cached
    skeleton, so a redraw costs no Altair validation of 100 kB of coordinates."""
    shapes = frame.drop(columns=["opened_now"])
    # d3-geo (Vega) reads counter-clockwise outer rings as "the world minus the unit"
    shapes = shapes.set_geometry(shapely.orient_polygons(shapes.geometry.values,
                                                         exterior_cw=True))
    features = json.loads(shapes.to_json(drop_id=True))["features"]
    opened = frame[frame["opened_now"]]
    pts = opened.representative_point()
    marks = [{"lon": round(float(p.x), 4), "lat": round(float(p.y), 4), "unit": str(u)}
             for p, u in zip(pts, opened["unit_name"])]
    # tooltips name their fields in `lang` (an empty title showed "properties.unit_name")
    spec = copy.deepcopy(_map_skeleton(title.rsplit(",", 1)[0], width, height,
                                       t("col_unit", lang)))
    spec["datasets"] = {"units": features, "opened": marks}
    return _titled(spec, title, notice, lang)


def trend_frame(table: pd.DataFrame, key: str, unit: str, names: dict[str, str],
                national_label: str) -> pd.DataFrame:
    """Long frame (year, series, value) of `unit` and the national line."""
    scale = 100.0 if key in SHARES else 1.0
    rows = []
    for code, name in ((unit, names.get(unit, unit)), (TOTAL, national_label)):
        s = table[key].xs(code, level="unit_code") * scale
        rows.append(pd.DataFrame({"year": s.index.astype(int), "series": name,
                                  "value": s.to_numpy()}))
    return pd.concat(rows, ignore_index=True)


@lru_cache(maxsize=64)
def _trend_skeleton(title: str, width: int, height: int,
                    labels: tuple[str, str]) -> dict:
    """The trend spec without data: lines, the year rule and the first-centre rule/label."""
    # nothing may stick out of the plot: Streamlit sizes charts with autosize "fit", which
    # shrinks the plot by whatever does (a label 120 px above it once left a 50 px plot), so
    # the indicator is named by the chart title only and the label sits inside the top edge,
    # left of its rule (first centres open late in the series, near the right edge)
    line = alt.Chart(alt.Data(name="trend")).mark_line(point=True).encode(
        x=alt.X("year:O", title=None), y=alt.Y("value:Q", title=None),
        # the unit first, whatever its name: sorted by name, a unit after "Kazakhstan"
        # (Semey) took the national line's colour and dash and the national line the unit's
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"),
                        sort=alt.EncodingSortField("order")),
        strokeDash=alt.StrokeDash("series:N", legend=None, sort=alt.EncodingSortField("order")),
        tooltip=[alt.Tooltip("series:N", title=labels[0]),
                 alt.Tooltip("year:O", title=labels[1]),
                 alt.Tooltip("value:Q", title=title, format=",.2f")])
    now = alt.Chart(alt.Data(name="year")).mark_rule(color="#888888").encode(x="year:O")
    first = alt.Chart(alt.Data(name="opened")).mark_rule(color="#d95f02",
                                                         strokeWidth=2).encode(x="year:O")
    label = alt.Chart(alt.Data(name="opened")).mark_text(
        align="right", baseline="top", dx=-4, dy=4, color="#d95f02").encode(
            x="year:O", y=alt.value(0), text="text:N")
    return alt.layer(line, now, first, label).properties(width=width,
                                                         height=height).to_dict(validate=False)


def trend_chart(frame: pd.DataFrame, title: str, opened_year: int | None, opened_label: str,
                year: int, notice: str | None, width: int = 620, height: int = 300,
                lang: str = "en") -> dict:
    """Vega-Lite spec: the unit's line against the national line, a rule at the year shown
    and one at the year the unit's first gatekeeping centre opened."""
    spec = copy.deepcopy(_trend_skeleton(title, width, height,
                                         (t("col_unit", lang), t("col_year", lang))))
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["series"]))}  # unit first
    records = [{"year": int(y), "series": str(n), "order": order[n],
                "value": None if pd.isna(v) else float(v)}
               for y, n, v in zip(frame["year"], frame["series"], frame["value"])]
    opened = [] if opened_year is None else [{"year": int(opened_year), "text": opened_label}]
    spec["datasets"] = {"trend": records, "year": [{"year": int(year)}], "opened": opened}
    return _titled(spec, title, notice, lang)


def alert_texts(found: list[dict], names: dict[str, str], lang: str) -> list[str]:
    """Alerts in planners' words, e.g. "Turkistan: entries into residential care rose two
    years in a row (12 -> 19)."."""
    return [t(f"gk_alert_{a['key']}", lang, unit=names.get(a["unit"], a["unit"]),
              **{k: v for k, v in a.items() if k not in ("key", "unit", "rank")})
            for a in found]


def public_alerts(found: list[dict], public: pd.DataFrame, year: int) -> list[dict]:
    """Only alerts whose figures a public user may see (no count below 5 in the text)."""
    keep = []
    for a in found:
        u = a["unit"]
        need = {"rose_twice": "entries_residential", "under3": "under3_entries_residential",
                "coverage_low": "gatekeeping_coverage",
                "family_share_fell": "family_based_share"}[a["key"]]
        years = [year - 2, year - 1, year] if a["key"] == "rose_twice" else [year]
        if all((u, y) in public.index and pd.notna(public.at[(u, y), need]) for y in years):
            keep.append(a)
    return keep


def chart_html(spec: dict, title: str = "Otbasy") -> bytes:
    """A standalone HTML page of a Vega-Lite spec with Vega inlined (opens offline), its
    browser title `title` (escaped) instead of vl-convert's "Chart"."""
    page = vl_convert.vegalite_to_html(spec, bundle=True)
    page = page.replace("<title>Chart</title>", f"<title>{html.escape(title)}</title>", 1)
    return page.encode("utf-8")


def chart_png(spec: dict) -> bytes:
    """A Vega-Lite spec as PNG (rendered offline by vl-convert)."""
    return vl_convert.vegalite_to_png(spec, scale=1.5)
