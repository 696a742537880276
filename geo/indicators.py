"""Per-unit indicators and coverage gaps of the bundled (or uploaded) layers.

Pure functions of GeoDataFrames, shared by the app's Explore and Coverage gaps pages and
anything else that needs them. Points are assigned to units with the one rule in
`geo.units.assign_units` (point-in-polygon, then the nearest unit within 5 km in an
equal-area CRS); a layer's own code at that level (set by `geo.units.attach_units` in
`geo.layers.load_layers` for the chosen boundary version) is used when every point has one.
Coverage comes from `geo.coverage.unit_coverage`, the same computation the CLI reports.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coverage import unit_coverage
from geo.units import assign_units, unit_column

INDICATORS: tuple[str, ...] = (
    "institution_rate", "foster_rate", "coverage_share", "children_per_centre",
)
UNIT_COUNTS: tuple[str, ...] = (
    "children", "settlements", "institutions", "children_in_institutions",
    "foster_families", "centres", "children_covered",
)


def point_units(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.Series:
    """The unit code of every point (None outside every unit), indexed like `points`: the
    point's own code at the level of `units` (oblast `unit_code` or `district_code`) when
    every point has one, else `geo.units.assign_units`."""
    if points.empty:
        return pd.Series([], index=points.index, dtype=object)
    level = units["level"].iloc[0] if "level" in units.columns and len(units) else "oblast"
    column = unit_column(level)
    if column in points.columns and points[column].notna().all():
        return points[column].astype(object)
    codes, _ = assign_units(points[["geometry"]].to_crs(units.crs), units)
    return codes.astype(object)


def unit_sums(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
              column: str | None = None) -> pd.Series:
    """Sum of `column` (or the number of points) per unit code, every unit listed (0 if none)."""
    if points.empty:
        return pd.Series(0, index=units["code"], dtype="int64")
    values = (pd.to_numeric(points[column], errors="coerce").fillna(0) if column
              else pd.Series(1, index=points.index))
    sums = values.groupby(point_units(points, units)).sum()
    return sums.reindex(units["code"]).fillna(0).round().astype("int64")


def places(settlements: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The real places among the demand points (a dispersed-demand estimate, `estimated=True`,
    counts children, not settlements)."""
    if "estimated" not in settlements.columns:
        return settlements
    return settlements[~settlements["estimated"].fillna(False).astype(bool)]


def unit_indicators(units: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame,
                    institutions: gpd.GeoDataFrame, centres: gpd.GeoDataFrame,
                    foster: gpd.GeoDataFrame, minutes_to_centre: pd.Series,
                    standard_minutes: float) -> pd.DataFrame:
    """Per-unit counts (`UNIT_COUNTS`) and `INDICATORS`, one row per unit in `units` order.

    minutes_to_centre: travel minutes from each settlement (same index) to its nearest
        existing centre; NaN or inf where none is reachable.
    institution_rate / foster_rate: per 10,000 children; coverage_share: % of children
        within `standard_minutes`; children_per_centre: NaN where a unit has no centre.
    """
    codes = units["code"]
    cover = unit_coverage(settlements["children"], minutes_to_centre,
                          point_units(settlements, units), standard_minutes)
    table = pd.DataFrame({
        "children": cover["children"].reindex(codes).fillna(0).astype("int64").to_numpy(),
        "settlements": unit_sums(places(settlements), units).to_numpy(),
        "institutions": unit_sums(institutions, units).to_numpy(),
        "children_in_institutions": unit_sums(institutions, units, "children").to_numpy(),
        "foster_families": unit_sums(foster, units, "foster_families").to_numpy(),
        "centres": unit_sums(centres, units).to_numpy(),
        "children_covered": cover["children_covered"].reindex(codes).fillna(0)
        .astype("int64").to_numpy(),
    }, index=pd.Index(codes.to_numpy(), name="code"))
    kids = table["children"].where(table["children"] > 0)
    table["institution_rate"] = table["children_in_institutions"] / kids * 10_000
    table["foster_rate"] = table["foster_families"] / kids * 10_000
    table["coverage_share"] = table["children_covered"] / kids * 100
    table["children_per_centre"] = table["children"] / table["centres"].where(table["centres"] > 0)
    return table.reset_index()


def gap_table(settlements: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
              minutes_to_centre: pd.Series, standard_minutes: float) -> pd.DataFrame:
    """Settlements and children beyond the travel standard of every centre, by unit in
    `units` order (raw counts; public views suppress small ones): code,
    uncovered_settlements, uncovered_children, children."""
    cover = unit_coverage(settlements["children"], minutes_to_centre,
                          point_units(settlements, units), standard_minutes)
    table = cover.reindex(units["code"]).fillna(0)
    return pd.DataFrame({
        "code": units["code"].to_numpy(),
        "uncovered_settlements": table["uncovered_settlements"].astype("int64").to_numpy(),
        "uncovered_children": table["children_uncovered"].astype("int64").to_numpy(),
        "children": table["children"].astype("int64").to_numpy(),
    })


def uncovered_settlements(settlements: gpd.GeoDataFrame, minutes_to_centre: pd.Series,
                          standard_minutes: float) -> gpd.GeoDataFrame:
    """The demand points with children beyond the travel standard, with their minutes (inf
    if unreachable); a place without children is not a gap."""
    minutes = pd.to_numeric(minutes_to_centre.reindex(settlements.index), errors="coerce")
    children = pd.to_numeric(settlements["children"], errors="coerce").fillna(0)
    beyond = ~(minutes <= standard_minutes + 1e-9) & (children > 0)
    out = settlements[beyond].copy()
    out["minutes"] = minutes[beyond].fillna(np.inf)
    return out
