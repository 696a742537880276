"""Altair charts of the pages, in the page language: labels from `ui.i18n`, numbers on axes
and in tooltips written the way the language writes them (`ui.numbers.d3_locale`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui import numbers
from ui.i18n import t


def in_language(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """`chart` with Vega's number locale of `lang` ("1,5" and "12 345" in ru/kk)."""
    return chart.configure(locale={"number": numbers.d3_locale(lang)})


def coverage_curve(curve: pd.DataFrame, lang: str, series: str | None = None) -> alt.Chart:
    """Coverage (%) against the whole-life budget (bn KZT) of a coverage-vs-budget run
    (columns `budget`, `coverage_pct`), one line per value of `series` when given."""
    frame = curve.assign(budget_bn=pd.to_numeric(curve["budget"], errors="coerce") / 1e9)
    budget = alt.X("budget_bn:Q", title=t("col_budget_bn", lang))
    coverage = alt.Y("coverage_pct:Q", title=t("col_coverage_pct", lang),
                     scale=alt.Scale(zero=False))
    tips = [alt.Tooltip("budget_bn:Q", title=t("col_budget_bn", lang), format=",.2f"),
            alt.Tooltip("coverage_pct:Q", title=t("col_coverage_pct", lang), format=",.1f")]
    encoding = {"x": budget, "y": coverage, "tooltip": tips}
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=None)
        tips.insert(0, alt.Tooltip(f"{series}:N", title=t("col_scenario", lang)))
    return in_language(alt.Chart(frame).mark_line(point=True).encode(**encoding), lang)
