"""View models: the per-unit, per-site and per-scenario frames the pages show.

Pure functions of GeoDataFrames. Point layers are assigned to the units of the boundary
version on screen by point-in-polygon (so the 2014, 2018 and 2022 maps all add up), and the
indicators are computed from the same frames the map and the table show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.units import unit_column
from ui.i18n import unit_name

INDICATORS: tuple[str, ...] = (
    "institution_rate", "foster_rate", "coverage_share", "children_per_centre",
)
INDICATOR_LABEL_KEYS: dict[str, str] = {
    "institution_rate": "ind_institution_rate",
    "foster_rate": "ind_foster_rate",
    "coverage_share": "ind_coverage_share",
    "children_per_centre": "ind_children_per_centre",
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


def assign_units(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                 code: str = "code") -> pd.Series:
    """The unit code of every point, indexed like `points`.

    Uses the layer's own `unit_code` or `district_code` (whichever is the level of `units`; set
    by `geo.units.attach_units` in `geo.layers.load_layers` for the chosen boundary version)
    when every point has one; otherwise point-in-polygon, with the nearest unit for points just
    outside (a coastal village outside a simplified border).
    """
    if points.empty:
        return pd.Series([], index=points.index, dtype=object)
    level = units["level"].iloc[0] if "level" in units.columns and len(units) else "oblast"
    column = unit_column(level)
    if column in points.columns and points[column].notna().all():
        return points[column].astype(object)
    pts = points[["geometry"]].to_crs(units.crs)
    joined = gpd.sjoin(pts, units[[code, "geometry"]], how="left", predicate="within")
    result = joined[~joined.index.duplicated()][code].reindex(points.index).astype(object)
    missing = result.isna()
    if missing.any():
        near = gpd.sjoin_nearest(pts[missing].to_crs(3857),
                                 units[[code, "geometry"]].to_crs(3857), how="left")
        near = near[~near.index.duplicated()][code]
        result.loc[missing] = near.reindex(result.index[missing]).to_numpy()
    return result


def _sum_by(frame: pd.DataFrame, unit: pd.Series, column: str | None) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=float)
    values = (pd.to_numeric(frame[column], errors="coerce").fillna(0) if column
              else pd.Series(1, index=frame.index))
    return values.groupby(unit).sum()


def unit_indicators(units: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame,
                    institutions: gpd.GeoDataFrame, centres: gpd.GeoDataFrame,
                    foster: gpd.GeoDataFrame, minutes_to_centre: pd.Series,
                    standard_minutes: float) -> gpd.GeoDataFrame:
    """Per-unit counts and the four Explore indicators.

    minutes_to_centre: travel minutes from each settlement (same index) to its nearest
        existing centre; NaN or inf where none is reachable.
    institution_rate / foster_rate: per 10,000 children; coverage_share: % of children
        within `standard_minutes`; children_per_centre: NaN where a unit has no centre.
    """
    s_unit = assign_units(settlements, units)
    children = pd.to_numeric(settlements["children"], errors="coerce").fillna(0)
    minutes = pd.to_numeric(minutes_to_centre.reindex(settlements.index), errors="coerce")
    covered = children.where(minutes <= standard_minutes, 0)
    table = pd.DataFrame({
        "children": children.groupby(s_unit).sum(),
        "settlements": pd.Series(1, index=settlements.index).groupby(s_unit).sum(),
        "children_covered": covered.groupby(s_unit).sum(),
        "institutions": _sum_by(institutions, assign_units(institutions, units), None),
        "children_in_institutions": _sum_by(institutions, assign_units(institutions, units),
                                            "children"),
        "foster_families": _sum_by(foster, assign_units(foster, units), "foster_families"),
        "centres": _sum_by(centres, assign_units(centres, units), None),
    }).reindex(units["code"]).fillna(0)
    table = table.astype("int64")
    kids = table["children"].where(table["children"] > 0)
    table["institution_rate"] = table["children_in_institutions"] / kids * 10_000
    table["foster_rate"] = table["foster_families"] / kids * 10_000
    table["coverage_share"] = table["children_covered"] / kids * 100
    table["children_per_centre"] = table["children"] / table["centres"].where(table["centres"] > 0)
    out = units[["code", "unit_name", "geometry"]].merge(
        table.reset_index().rename(columns={"index": "code"}), on="code", how="left")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)[[*UNIT_COLUMNS, "geometry"]]


def foster_by_unit(foster: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Foster families per unit as one point per unit (a representative point inside it):
    the public view never places a family, only a unit total."""
    counts = _sum_by(foster, assign_units(foster, units), "foster_families")
    points = units[["code", "unit_name"]].copy()
    points["foster_families"] = counts.reindex(units["code"]).fillna(0).astype("int64").to_numpy()
    geom = units.to_crs(units.crs).geometry.representative_point()
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


def has_demo(*frames: pd.DataFrame) -> bool:
    """True when any frame holds a record flagged demo=True."""
    for frame in frames:
        if frame is not None and "demo" in frame.columns and \
                frame["demo"].fillna(False).astype(bool).any():
            return True
    return False


KPI_KEYS: tuple[str, ...] = (
    "coverage_pct", "children_covered", "cost_capex", "cost_opex", "opened", "converted",
)
# Progress of a run: each stage's share of the bar (the engine reports 0..1 per stage).
STAGE_SPANS: dict[str, tuple[float, float]] = {
    "matrix": (0.0, 0.3), "model": (0.3, 0.5), "solving": (0.5, 0.9), "results": (0.9, 1.0),
}


def kpis(summary: Mapping[str, object]) -> dict[str, float]:
    """The headline numbers of a plan summary as floats (missing ones NaN); `opened` and
    `converted` may be lists of site ids, counted."""
    out = {}
    for key in KPI_KEYS:
        value = summary.get(key)
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
    table = pd.DataFrame({name: kpis(summaries[name]) for name in names})
    base = names[0]
    for name in names[1:]:
        table[f"{name} − {base}"] = table[name] - table[base]
    return table


def gap_table(settlements: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
              minutes_to_centre: pd.Series, standard_minutes: float) -> pd.DataFrame:
    """Settlements and children beyond the travel standard of every centre, by unit
    (raw counts; the page suppresses small ones)."""
    minutes = pd.to_numeric(minutes_to_centre.reindex(settlements.index), errors="coerce")
    s_unit = assign_units(settlements, units)
    children = pd.to_numeric(settlements["children"], errors="coerce").fillna(0)
    beyond = ~(minutes <= standard_minutes) & (children > 0)  # no people: not a gap
    table = pd.DataFrame({
        "uncovered_settlements": beyond.astype(int).groupby(s_unit).sum(),
        "uncovered_children": children.where(beyond, 0).groupby(s_unit).sum(),
        "children": children.groupby(s_unit).sum(),
    }).reindex(units["code"]).fillna(0).astype("int64")
    names = units.set_index("code")["unit_name"]
    table.insert(0, "unit_name", names.reindex(table.index).to_numpy())
    return table.reset_index().rename(columns={"index": "code"})


def uncovered_settlements(settlements: gpd.GeoDataFrame, minutes_to_centre: pd.Series,
                          standard_minutes: float) -> gpd.GeoDataFrame:
    """The demand points with children beyond the travel standard, with their minutes (inf if
    unreachable); a GeoNames place without a population figure is not a gap."""
    minutes = pd.to_numeric(minutes_to_centre.reindex(settlements.index), errors="coerce")
    children = pd.to_numeric(settlements["children"], errors="coerce").fillna(0)
    beyond = ~(minutes <= standard_minutes) & (children > 0)  # no people: not a gap
    out = settlements[beyond].copy()
    out["minutes"] = minutes[beyond].fillna(np.inf)
    return out
