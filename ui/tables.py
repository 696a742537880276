"""Table builders: localised column headers, number formatting, CSV bytes, problem tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from numbers import Real
from pathlib import Path
from typing import TypeGuard

import pandas as pd
from pandas.io.formats.style import Styler

from geo.csvsafe import frame_csv_bytes
from geo.privacy import small_label
from planning.reasons import Reason, render
from ui import numbers
from ui.forms import field_label
from ui.i18n import STRINGS, t

# Canonical column -> i18n key of its header.
COLUMN_LABELS: dict[str, str] = {
    "code": "col_code", "unit_name": "col_unit", "name": "col_name", "type": "col_type",
    "kind": "col_kind", "capacity": "col_capacity", "staff": "col_staff",
    "operator": "col_operator", "year": "col_year", "demo": "col_demo",
    "children": "col_children", "population": "col_population",
    "settlements": "col_settlements", "institutions": "col_institutions",
    "children_in_institutions": "col_children_in_institutions",
    "foster_families": "col_foster_families", "centres": "col_centres",
    "children_covered": "col_children_covered", "minutes": "col_minutes",
    "decision": "col_decision", "uncovered_settlements": "col_uncovered_settlements",
    "uncovered_children": "col_uncovered_children", "row": "col_row", "field": "col_field",
    "message": "col_message", "file": "col_file", "note": "col_note", "created": "col_created",
    "institution_rate": "ind_institution_rate", "foster_rate": "ind_foster_rate",
    "coverage_share": "ind_coverage_share", "children_per_centre": "ind_children_per_centre",
    "coverage_pct": "kpi_coverage", "cost_capex": "kpi_capex", "cost_opex": "kpi_opex",
    "opened": "kpi_opened", "converted": "kpi_converted", "status": "kpi_status",
    "budget": "budget", "covered": "col_children_covered", "author": "col_author",
    "country": "country", "version": "boundary_version",
    "settlements_assigned": "col_settlements_assigned", "children_served": "col_children_served",
    "median_minutes": "col_median_minutes", "worst_minutes": "col_worst_minutes",
    "coverage_gained": "col_coverage_gained", "capex_kzt": "col_capex_kzt",
    "opex_kzt_per_year": "col_opex_kzt_per_year",
    "released_kzt_per_year": "col_released_kzt_per_year", "why": "col_why",
    "children_in_care": "col_children_in_care", "coverage_gain": "col_coverage_gain",
    "net_cost_kzt": "col_net_cost_kzt", "converted_flag": "col_converted",
    "unit_code": "col_unit", "source": "col_source", "licence": "col_licence",
    "data_status": "col_data_status", "cost": "kpi_whole_life",
    "cost_whole_life": "kpi_whole_life", "released_opex": "kpi_released",
    "budget_total": "kpi_budget", "scenario": "col_scenario",
    "username": "col_username", "role": "col_role", "units": "col_units",
    "timestamp": "col_timestamp", "event": "col_event", "details": "col_details",
    "id": "col_id", "change": "col_change", "fields": "col_fields",
}
# Columns whose values are codes with a label of their own (i18n key prefix).
CODE_COLUMNS: dict[str, str] = {"type": "type", "kind": "kind", "operator": "operator",
                                "status": "status", "event": "event"}


def localise_columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` with known column names replaced by their label in `lang`."""
    return frame.rename(columns={c: t(COLUMN_LABELS[c], lang) for c in frame.columns
                                 if c in COLUMN_LABELS})


def localise_index(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` with known index labels (KPI names) replaced by their label in `lang`."""
    return frame.rename(index={i: t(COLUMN_LABELS[i], lang) for i in frame.index
                               if i in COLUMN_LABELS})


def plain_table(frame: pd.DataFrame, lang: str, decimals: int = 1) -> pd.DataFrame:
    """A display/download table: no geometry, floats rounded, headers localised."""
    out = pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore"))
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(decimals)
    return localise_columns(out, lang)


# Columns whose numbers name things (years, row numbers, ids, run numbers): plain digits,
# "2018" and never "2 018", left to the table's own rendering.
PLAIN_NUMBER_COLUMNS = ("year", "row", "id", "run", "draw", "seed", "version", "code",
                        "unit_code", "boundary_version")


def _is_number(value: object) -> TypeGuard[Real]:
    return isinstance(value, Real) and not isinstance(value, bool)


def number_formats(frame: pd.DataFrame, lang: str,
                   decimals: int = 1) -> dict[object, Callable[[object], str]]:
    """Column -> the function writing its cells for the screen in `lang` (`numbers.number`:
    "12 345,6" in ru/kk, "12,345.6" in en), for every column holding numbers except those
    naming things (`PLAIN_NUMBER_COLUMNS` and `*_id`, by canonical name or header in `lang`)
    and yes/no columns. A column of whole numbers gets no decimals, any other `decimals`; texts in a
    number column ("<5", "x") stay as they are and a missing value is "–"."""
    plain = {*PLAIN_NUMBER_COLUMNS, *(t(COLUMN_LABELS[c], lang) for c in PLAIN_NUMBER_COLUMNS
                                     if c in COLUMN_LABELS)}
    formats: dict[object, Callable[[object], str]] = {}
    for column in frame.columns:
        values = frame[column]
        if column in plain or str(column).endswith("_id") or pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            found = values.dropna()
        elif values.dtype == object:
            found = pd.Series([v for v in values if _is_number(v) and not pd.isna(v)],
                              dtype=float)
        else:
            continue
        if found.empty and not pd.api.types.is_numeric_dtype(values):
            continue
        whole = bool((found.astype(float) % 1 == 0).all())
        formats[column] = _cell_writer(lang, 0 if whole else decimals)
    return formats


MISSING = "–"  # what a missing number reads on screen


def _cell_writer(lang: str, decimals: int) -> Callable[[object], str]:
    def write(value: object) -> str:
        if _is_number(value):
            return numbers.number(float(value), lang, decimals)
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return MISSING
        return str(value)
    return write


def sort_key(label: str) -> float:
    """The number a text cell of a number column holds underneath on screen, so the column
    sorts by value: a suppressed count "<5" sorts between 0 and 5 (as 2.5, the same for every
    such cell, so it tells nothing the label does not), any other text ("x", a missing
    value's "–") before every count (as -1)."""
    return 2.5 if label == small_label() else -1.0


def on_screen(frame: pd.DataFrame, lang: str, decimals: int = 1) -> pd.DataFrame | Styler:
    """`frame` for `st.dataframe`: every number written the way `lang` writes numbers
    (`number_formats`) while the cells stay numbers underneath, so a column still sorts by
    value; downloads take `frame` itself (plain machine-readable numbers). A number column
    holding texts too (a suppressed "<5", a withheld "x") would reach the browser as text
    and sort "12" < "3" < "<5": there those cells hold their `sort_key` underneath and show
    their text (an empty cell would not do: Streamlit's grid draws every empty cell as
    "None", whatever the Styler says); so does a missing value, shown as "–"."""
    formats = number_formats(frame, lang, decimals)
    if not formats:
        return frame
    data = frame.copy()
    texts: dict[object, pd.Series] = {}
    for column in formats:
        values = frame[column]
        number = values.map(_is_number).astype(bool) & values.notna()
        text = values.where(~number & values.map(lambda v: isinstance(v, str)))
        text = text.where(text.notna() | number, MISSING)  # a missing value reads "–"
        if text.notna().any():
            data[column] = pd.to_numeric(values.where(number), errors="coerce").astype(
                float).where(text.isna(), text.map(lambda v: sort_key(str(v))))
            texts[column] = text
    styler = data.style.format(formats)
    for column, text in texts.items():
        for label in text.dropna().unique():
            rows = (text == label).to_numpy()
            styler = styler.format(lambda _, shown=str(label): shown,
                                   subset=(rows, [column]))
    return styler


def as_text(frame: pd.DataFrame, lang: str, decimals: int = 1) -> pd.DataFrame:
    """`frame` with its number columns as text written the way `lang` writes numbers (for a
    static table such as the HTML report), by the same rule as `on_screen`."""
    out = frame.copy()
    for column, write in number_formats(frame, lang, decimals).items():
        out[column] = frame[column].map(write)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Cyrillic in spreadsheets), formula cells defused."""
    return frame_csv_bytes(frame)


def problems_table(problems: Iterable[object], lang: str) -> pd.DataFrame:
    """Validation problems (objects with file, row, field, message) as a localised table;
    row numbers are 1-based as reported, blank when a problem concerns the whole file."""
    rows = [{"row": getattr(p, "row", None), "field": getattr(p, "field", None) or "",
             "message": getattr(p, "message", str(p)),
             "file": Path(str(getattr(p, "file", "") or "")).name}
            for p in problems]
    frame = pd.DataFrame(rows, columns=["row", "field", "message", "file"])
    frame["row"] = frame["row"].astype("Int64")
    return localise_columns(frame, lang)


def kpi_value(key: str, value: float, lang: str = "en") -> str:
    """A KPI formatted for a card in `lang` (Babel): percent with one decimal, money (keys
    starting `cost`) in millions or billions so it fits a card, counts grouped."""
    if pd.isna(value):
        return "–"
    if key == "coverage_pct":
        return numbers.percent(value, lang)
    if key.startswith("cost") and abs(value) >= 1e6:
        return numbers.compact(value, lang)
    return numbers.number(value, lang)


def decision_labels(decisions: pd.Series, lang: str) -> pd.Series:
    """open/convert/existing -> localised labels."""
    keys: Mapping[str, str] = {"open": "decision_open", "convert": "decision_convert",
                               "existing": "decision_existing"}
    return decisions.map(lambda d: t(keys[d], lang) if d in keys else d)


def scenario_problems_table(problems: Iterable[tuple[str, str]], lang: str) -> pd.DataFrame:
    """A scenario's (field path, message) problems as a localised table, each field named by
    its form label."""
    rows = [(field if field.startswith("(") else field_label(field, lang), message)
            for field, message in problems]
    frame = pd.DataFrame(rows, columns=["field", "message"])
    return localise_columns(frame, lang)


def code_label(column: str, value: object, lang: str) -> str:
    """A code shown to users (institution type, centre kind, operator, solver status) in
    `lang`; unknown codes as they are."""
    prefix = CODE_COLUMNS.get(column, column)
    key = f"{prefix}_{value}"
    return t(key, lang) if key in STRINGS else ("" if value is None else str(value))


def localise_codes(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` with the values of every code column (`CODE_COLUMNS`) as labels in `lang`."""
    out = frame.copy()
    for column in CODE_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(lambda v, c=column: code_label(c, v, lang))
    return out


def site_reason(row: Mapping[str, object], lang: str) -> str:
    """Why a plan's site is in it, in `lang`, from the engine's reason code and figures."""
    reason = row.get("reason")
    gained = kpi_value("children", float(row.get("coverage_gained") or 0), lang)
    if reason in ("kept", "must_open"):
        return t(f"why_{reason}", lang)
    if reason in ("pays", "coverage_and_pays"):
        text = t("why_pays", lang, released=kpi_value(
            "cost", float(row.get("released_kzt_per_year") or 0), lang))
        return text + (" " + t("why_coverage", lang, n=gained)
                       if reason == "coverage_and_pays" else "")
    return t("why_coverage", lang, n=gained)


def conversion_reason(row: Mapping[str, object], lang: str) -> str:
    """Why an institution was or was not converted, in `lang`."""
    reason = row.get("reason")
    gain = kpi_value("children", float(row.get("coverage_gain") or 0), lang)
    if row.get("converted"):
        if reason == "pays":
            return t("why_pays", lang, released=kpi_value(
                "cost", -float(row.get("net_cost_kzt") or 0), lang))
        return t("why_coverage", lang, n=gain)
    if reason in ("no_gain", "limits", "excluded"):
        return t(f"why_{reason}", lang)
    return t("why_cost", lang, n=gain)


def year_text(value: object) -> str:
    """A year as plain digits (never "2,018"); empty when unknown."""
    number = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(number) else f"{number:.0f}"


def reason_text(reason: Reason, lang: str) -> str:
    """Why a scenario has no plan, in `lang`: money as on the KPI cards, with the currency."""
    return render(reason, lambda code: t(f"reason_{code}", lang),
                  lambda kzt: f"{kpi_value('cost', kzt, lang)} {t('currency_kzt', lang)}",
                  lambda v: numbers.percent(v, lang), lambda v: numbers.number(v, lang))
