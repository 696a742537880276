"""Coverage analytics: who can reach a centre within the travel-time standard.

Pure functions on (Geo)DataFrames, shared by the Coverage gaps page, the NGO view, the
planning KPIs and ``python -m geo coverage``. Minutes come from the provider in
`geo.travel.TravelParams` (``straight`` or ``road``); results carry the provider's name.
"""

from __future__ import annotations

from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.travel import TravelParams, nearest_sites

TOTAL = "TOTAL"


def nearest_centre(
    settlements: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    minutes: float | None = None,
    settlement_id: str = "settlement_id",
    centre_id: str = "centre_id",
) -> pd.DataFrame:
    """For each settlement its nearest centre by travel time and whether that is within the
    standard (``minutes``, default ``params.max_minutes``).

    Columns: settlement_id, centre_id (None if no centre is reachable), km, minutes (inf if
    unreachable), covered, provider. One row per settlement, in input order.
    ``attrs["warnings"]`` lists points far from the road graph (road provider).
    """
    _require(settlements, settlement_id, "settlements")
    _require(centres, centre_id, "centres")
    standard = params.max_minutes if minutes is None else float(minutes)
    near = nearest_sites(settlements, centres, params, origin_id=settlement_id,
                         site_id=centre_id)
    near = near.rename(columns={"origin_id": "settlement_id", "site_id": "centre_id"})
    near["covered"] = near["minutes"] <= standard + 1e-9
    near["provider"] = params.provider
    near.attrs["warnings"] = list(near.attrs.get("warnings", []))
    return near


def _require(frame: pd.DataFrame, column: str, layer: str) -> None:
    if column not in frame.columns:
        raise ValueError(f"{layer}: missing column {column!r}")


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value v with at least a share q of the weight at values <= v (NaN if no weight).

    Used for the travel time of the median (q=0.5) or 90th-percentile child; the one weighted
    quantile of the code base (app, CLI and planning KPIs).
    """
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    return float(np.quantile(values[keep], q, weights=weights[keep], method="inverted_cdf"))


def unit_coverage(children: pd.Series, minutes: pd.Series, unit: pd.Series,
                  standard: float) -> pd.DataFrame:
    """Coverage of settlements per unit, indexed by unit code (rows without a unit left out).

    All three series share the settlements' index; minutes are to the nearest centre (NaN or
    inf when none is reachable). Columns: settlements, children, children_covered,
    children_uncovered, uncovered_settlements, coverage_pct (NaN without children),
    median_minutes, p90_minutes (child-weighted).
    """
    kids = pd.to_numeric(children, errors="coerce").fillna(0).astype(float)
    mins = pd.to_numeric(minutes.reindex(kids.index), errors="coerce").fillna(np.inf)
    frame = pd.DataFrame({"children": kids, "minutes": mins,
                          "covered": mins <= standard + 1e-9,
                          "unit": unit.reindex(kids.index).astype(object)})
    rows = {}
    for code, grp in frame[frame["unit"].notna()].groupby("unit", sort=True):
        rows[code] = _summary(grp["minutes"].to_numpy(), grp["children"].to_numpy(),
                              grp["covered"].to_numpy())
    columns = ["settlements", "children", "children_covered", "children_uncovered",
               "uncovered_settlements", "coverage_pct", "median_minutes", "p90_minutes"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def _summary(minutes: np.ndarray, children: np.ndarray, covered: np.ndarray) -> dict:
    total = round(float(children.sum()))
    inside = round(float(children[covered].sum()))
    return {
        "settlements": int(minutes.size),
        "children": total,
        "children_covered": inside,
        "children_uncovered": total - inside,
        "uncovered_settlements": int((~covered & (children > 0)).sum()),  # no people: no gap
        "coverage_pct": round(100.0 * inside / total, 1) if total else None,
        "median_minutes": weighted_quantile(minutes, children, 0.5),
        "p90_minutes": weighted_quantile(minutes, children, 0.9),
    }


def coverage_by_unit(
    settlements: pd.DataFrame,
    nearest: pd.DataFrame,
    *,
    minutes: float = 60.0,
    unit: str = "unit_code",
    names: dict[str, str] | None = None,
    total: bool = True,
) -> pd.DataFrame:
    """Children within and beyond the standard per unit, and their travel-time distribution.

    ``settlements`` needs settlement_id, children and ``unit``; ``nearest`` is the output of
    `nearest_centre`. Median / p90 minutes are child-weighted (the travel time of the median
    child; inf when that child cannot reach any centre). Settlements without a unit are counted
    only in the TOTAL row (``total=True`` appends it).
    Columns: code, name, settlements, children, children_covered, children_uncovered,
    coverage_pct, median_minutes, p90_minutes.
    """
    for col in ("settlement_id", "children", unit):
        _require(settlements, col, "settlements")
    near = nearest.drop_duplicates("settlement_id").set_index("settlement_id")["minutes"]
    minutes_of = pd.Series(settlements["settlement_id"].astype(str).map(near).to_numpy(),
                           index=settlements.index)
    children = settlements["children"]
    table = unit_coverage(children, minutes_of, settlements[unit], minutes)
    table.insert(0, "name", [(names or {}).get(code, str(code)) for code in table.index])
    if total:
        everyone = pd.Series(TOTAL, index=settlements.index, dtype=object)
        row = unit_coverage(children, minutes_of, everyone, minutes)
        row.insert(0, "name", "Total")
        table = pd.concat([table, row]) if len(settlements) else table
    out = table.rename_axis("code").reset_index()
    out["code"] = out["code"].astype(str)
    columns = ["code", "name", "settlements", "children", "children_covered",
               "children_uncovered", "coverage_pct", "median_minutes", "p90_minutes"]
    return out[columns]


def travel_time_histogram(nearest: pd.DataFrame, settlements: pd.DataFrame,
                          bins: tuple[float, ...] = (0, 15, 30, 45, 60, 90, 120)) -> pd.DataFrame:
    """Children per travel-time band to the nearest centre (last band open-ended, incl. none)."""
    joined = settlements[["settlement_id", "children"]].astype({"settlement_id": str}).merge(
        nearest[["settlement_id", "minutes"]], on="settlement_id", how="left")
    edges = [*bins, np.inf]
    labels = [f"{int(a)}-{int(b)}" for a, b in pairwise(bins)] + [f">{int(bins[-1])}"]
    band = pd.cut(joined["minutes"].fillna(np.inf), edges, labels=labels, right=True,
                  include_lowest=True)
    out = joined.groupby(band, observed=False)["children"].sum().astype(int)
    return out.rename_axis("minutes").reset_index()


def gaps(
    settlements: gpd.GeoDataFrame,
    nearest: pd.DataFrame,
    *,
    minutes: float = 60.0,
) -> gpd.GeoDataFrame:
    """Settlements beyond the standard with their nearest centre and minutes, most children
    first: the places a new centre or an outreach route would serve."""
    near = nearest.set_index("settlement_id")
    key = settlements["settlement_id"].astype(str)
    merged = settlements.copy()
    merged["nearest_centre"] = key.map(near["centre_id"]).to_numpy()
    merged["nearest_km"] = key.map(near["km"]).to_numpy()
    merged["nearest_minutes"] = key.map(near["minutes"]).to_numpy()
    merged["nearest_minutes"] = merged["nearest_minutes"].fillna(np.inf)
    out = merged[merged["nearest_minutes"] > minutes + 1e-9]
    sort_by = ["children", "nearest_minutes"] if "children" in out.columns else ["nearest_minutes"]
    out = out.sort_values(sort_by, ascending=False, kind="stable")
    return gpd.GeoDataFrame(out, geometry=settlements.geometry.name, crs=settlements.crs)
