"""The one rule that places points in administrative units, at both levels (oblast, district).

Every layer (settlements, dispersed demand, facilities, uploads) gets its oblast and district
through `attach_units`, so the summary, the coverage table, the planner and the maps all count
a point in the same unit. A district's oblast is its `parent_code`, so the two levels always
nest; points outside every district fall back to the oblast polygons.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Polygon
from shapely.ops import unary_union

from geo.schema import LEVELS

DEFAULT_LEVEL = "oblast"
SNAP_KM = 5.0  # points this close outside every unit go to the nearest one
EQUAL_AREA = "EPSG:6933"
# Column holding a point's unit at each level (the oblast column keeps its historic name).
CODE_COLUMN = {"oblast": "unit_code", "district": "district_code"}


def check_level(level: str) -> str:
    """`level` if it is one of LEVELS, else ValueError naming the choices."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")
    return level


def _fill_holes(geom):
    """The polygon(s) of `geom` without their interior rings."""
    return unary_union([Polygon(p.exterior) for p in getattr(geom, "geoms", [geom])])


def assign_units(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                 snap_km: float = SNAP_KM) -> tuple[pd.Series, dict[str, int]]:
    """Unit code of each point: the containing polygon, else the nearest unit within `snap_km`
    (a border village just outside a generalised line), else the unit whose hole the point lies
    in. Returns the codes (None where nothing matches, e.g. another country) and how many
    points took each fallback.
    """
    if points.empty:
        return pd.Series([], index=points.index, dtype=object), {"snapped": 0, "in_hole": 0}
    points = points.to_crs(units.crs) if points.crs != units.crs else points

    def within(polys: gpd.GeoDataFrame, pts: gpd.GeoDataFrame) -> pd.Series:
        joined = gpd.sjoin(pts[["geometry"]], polys[["code", "geometry"]], how="left",
                           predicate="within")
        return joined.groupby(level=0)["code"].first().reindex(pts.index)

    codes = within(units, points).astype(object)
    counts = {"snapped": 0, "in_hole": 0}
    missing = codes.isna()
    if missing.any():
        far = points.loc[missing, ["geometry"]].to_crs(EQUAL_AREA)
        near = gpd.sjoin_nearest(far, units[["code", "geometry"]].to_crs(EQUAL_AREA),
                                 how="left", max_distance=snap_km * 1000.0)
        snapped = near.groupby(level=0)["code"].first().dropna()
        codes.loc[snapped.index] = snapped
        counts["snapped"] = len(snapped)
    missing = codes.isna()
    if missing.any():
        filled = units.assign(geometry=units.geometry.map(_fill_holes))
        in_hole = within(filled, points.loc[missing]).dropna()
        codes.loc[in_hole.index] = in_hole
        counts["in_hole"] = len(in_hole)
    return codes.where(codes.notna(), None), counts


def attach_units(points: gpd.GeoDataFrame, oblasts: gpd.GeoDataFrame,
                 districts: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """A copy of `points` with `unit_code` (oblast) and `district_code` (None without
    districts). The oblast of a point in a district is that district's `parent_code`."""
    out = points.copy()
    district = pd.Series(None, index=out.index, dtype=object)
    oblast = pd.Series(None, index=out.index, dtype=object)
    if districts is not None and not districts.empty:
        district = assign_units(out, districts)[0]
        parent = dict(zip(districts["code"], districts["parent_code"]))
        oblast = district.map(parent).astype(object)
    rest = oblast.isna()
    if rest.any():
        oblast.loc[rest] = assign_units(out.loc[rest], oblasts)[0]
    out["unit_code"] = oblast.where(oblast.notna(), None)
    out["district_code"] = district.where(district.notna(), None)
    return out


def unit_column(level: str) -> str:
    """The column of a point layer that holds its unit at `level`."""
    return CODE_COLUMN[check_level(level)]
