"""View models: the per-unit, per-site and per-scenario frames the pages show.

Pure functions of GeoDataFrames that only shape and label: the numbers (unit assignment,
coverage, gaps, indicators) come from `geo.indicators` and `geo.coverage`, the analytics core
the CLI and planning use too; this module adds unit names in the display language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from geo import indicators as core
from geo.indicators import INDICATORS, point_units, uncovered_settlements
from geo.provenance import has_demo
from planning.reasons import Reason
from ui.i18n import unit_name

# re-exported for the pages
__all__ = ["INDICATORS", "has_demo", "point_units", "uncovered_settlements"]
INDICATOR_LABEL_KEYS: dict[str, str] = {
    "institution_rate": "ind_institution_rate",
    "foster_rate": "ind_foster_rate",
    "coverage_share": "ind_coverage_share",
    "children_per_centre": "ind_children_per_centre",
}
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {  # the unit columns built on each facility layer
    "institutions": ("institutions", "children_in_institutions", "institution_rate"),
    "centres": ("centres", "children_covered", "coverage_share", "children_per_centre"),
    "foster": ("foster_families", "foster_rate"),
}
UNIT_COLUMNS: tuple[str, ...] = (
    "code", "unit_name", "children", "settlements", "institutions", "children_in_institutions",
    "foster_families", "centres", "children_covered", *INDICATORS,
)


def localise_units(boundaries: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    """Boundaries with a `unit_name` column in `lang`."""
    out = boundaries.copy()
    out["unit_name"] = [unit_name(row, lang) for row in boundaries.to_dict("records")]
    return out


def _named(table: pd.DataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """`table` (one row per unit, with `code`) with the display name after the code."""
    names = units.set_index("code")["unit_name"]
    out = table.copy()
    out.insert(1, "unit_name", names.reindex(out["code"]).to_numpy())
    return out


def unit_indicators(units: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame,
                    institutions: gpd.GeoDataFrame, centres: gpd.GeoDataFrame,
                    foster: gpd.GeoDataFrame, minutes_to_centre: pd.Series,
                    standard_minutes: float) -> gpd.GeoDataFrame:
    """`geo.indicators.unit_indicators` with unit names and geometry, for map and table."""
    table = _named(core.unit_indicators(units, settlements, institutions, centres, foster,
                                        minutes_to_centre, standard_minutes), units)
    return gpd.GeoDataFrame(table, geometry=units.geometry.to_numpy(),
                            crs=units.crs)[[*UNIT_COLUMNS, "geometry"]]


def no_data_where_missing(table: pd.DataFrame, **layers: pd.DataFrame) -> pd.DataFrame:
    """`table` (unit rows, `UNIT_COLUMNS`) with "no data" (NaN) in every column built on a
    layer that has no records at all (`layers` by name: institutions, centres, foster), e.g.
    a country with no facility data bundled: its 0 would read as a measured absence."""
    out = table.copy()
    for name, layer in layers.items():
        if layer.empty:
            out[list(LAYER_COLUMNS[name])] = float("nan")
    return out


def foster_by_unit(foster: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Foster families per unit as one point per unit (a representative point inside it):
    the public view never places a family, only a unit total."""
    points = units[["code", "unit_name"]].copy()
    points["foster_families"] = core.unit_sums(foster, units, "foster_families").to_numpy()
    geom = units.geometry.representative_point()
    return gpd.GeoDataFrame(points, geometry=geom.to_numpy(), crs=units.crs)


def filter_units(frame: pd.DataFrame, codes: Sequence[str], column: str = "code") -> pd.DataFrame:
    """Rows of `frame` in the chosen units (all rows when none are chosen)."""
    return frame if not codes else frame[frame[column].isin(list(codes))]


def focus_bounds(units: gpd.GeoDataFrame, codes: Sequence[str]) -> tuple[float, ...]:
    """Bounds (minx, miny, maxx, maxy) of the chosen units, or of all units if none."""
    chosen = filter_units(units, codes)
    if chosen.empty:
        chosen = units
    return tuple(float(v) for v in chosen.to_crs(4326).total_bounds)


KPI_KEYS: tuple[str, ...] = (
    "coverage_pct", "children_covered", "cost_capex", "cost_opex", "opened", "converted",
)
# Compare shows these too: the budget the plan was given and what the plan costs in all.
COMPARE_KEYS: tuple[str, ...] = (*KPI_KEYS, "released_opex", "cost_whole_life", "budget_total")
# Progress of a run: each stage's share of the bar (the engine reports 0..1 per stage).
STAGE_SPANS: dict[str, tuple[float, float]] = {
    "matrix": (0.0, 0.3), "model": (0.3, 0.5), "solving": (0.5, 0.9), "results": (0.9, 1.0),
}


def kpis(summary: Mapping[str, object], keys: Sequence[str] = KPI_KEYS) -> dict[str, float]:
    """The headline numbers of a plan summary as floats (missing ones NaN); `opened` and
    `converted` may be lists of site ids, counted; `budget_total` is the whole-life budget."""
    out = {}
    for key in keys:
        budget = summary.get("budget")
        value = (budget.get("total_kzt") if isinstance(budget, Mapping) else None) \
            if key == "budget_total" else summary.get(key)
        if isinstance(value, (list, tuple)):
            value = len(value)
        try:
            out[key] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out[key] = float("nan")
    return out


PARETO_FACTORS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


def pareto_budgets(budget: float | None, fallback: float) -> list[float]:
    """Whole-life budgets for a coverage-vs-budget curve: fractions and multiples of the
    scenario's budget (or of `fallback`, the cost of its plan, when it sets none)."""
    base = budget if budget and budget > 0 else fallback
    return [round(base * f, -6) for f in PARETO_FACTORS]


def overall_progress(stage: str, fraction: float) -> float:
    """Position of the whole run's progress bar for `fraction` (0..1) of `stage`."""
    start, end = STAGE_SPANS.get(stage, (0.0, 1.0))
    return start + (end - start) * min(max(float(fraction), 0.0), 1.0)


def plan_by_unit(by_unit: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The engine's per-unit table with unit names in the display language:
    code, unit_name, children, children_covered, coverage_pct, centres."""
    names = dict(zip(units["code"], units["unit_name"]))
    out = pd.DataFrame({
        "code": by_unit["unit_code"],
        "unit_name": by_unit["unit_code"].map(names).fillna(by_unit.get("name")),
        "children": by_unit["children"].round(0).astype("int64"),
        "children_covered": by_unit["covered"].round(0).astype("int64"),
        "coverage_pct": by_unit["coverage_pct"],
        "centres": by_unit["centres"],
    })
    return out.reset_index(drop=True)


def compare_kpis(summaries: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """KPIs of several scenarios side by side (rows: KPI, columns: scenario) plus, for each
    scenario after the first, its difference from the first."""
    names = list(summaries)
    table = pd.DataFrame({name: kpis(summaries[name], COMPARE_KEYS) for name in names})
    base = names[0]
    for name in names[1:]:
        table[f"{name} − {base}"] = table[name] - table[base]
    return table


def gap_table(settlements: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
              minutes_to_centre: pd.Series, standard_minutes: float) -> pd.DataFrame:
    """`geo.indicators.gap_table` with unit names (raw counts; the page suppresses small
    ones)."""
    return _named(core.gap_table(settlements, units, minutes_to_centre, standard_minutes),
                  units)


CHEAPEST_REASONS = frozenset({"cheapest_costs", "budget_below_cheapest", "limits_together"})


def states_cheapest(reasons: Sequence[Reason]) -> bool:
    """True when one of an infeasible run's reasons already gives the cheapest plan's cost,
    so the page does not say it a second time."""
    return any(reason.code in CHEAPEST_REASONS for reason in reasons)
