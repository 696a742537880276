"""Travel costs: a sparse origin x site matrix of kilometres and minutes within a cut-off.

Providers:
- ``straight`` (default, offline): geodesic distance on the WGS84 ellipsoid x circuity / speed.
- ``road``: shortest paths on an OSMnx drive graph (see `geo.network`).

Only pairs within the cut-off are kept, so the planning model stays sparse.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.spatial import cKDTree

from geo.travel_base import Provider, TravelMatrix, TravelParams, describe, lonlat, point_ids

__all__ = ["Provider", "TravelMatrix", "TravelParams", "describe", "nearest_sites",
           "straight_matrix", "straight_nearest", "travel_matrix"]

EARTH_RADIUS_KM = 6371.0088
_GEOD = Geod(ellps="WGS84")


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (x, y, z) for lon/lat degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def straight_matrix(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
) -> TravelMatrix:
    """Geodesic distance x circuity / speed for every pair within ``params.max_minutes``.

    A k-d tree of unit vectors (chord length is monotone in the great-circle angle) finds
    candidate pairs on the sphere (with a 1% margin for the ellipsoid); exact WGS84 geodesic
    distances are then computed for those pairs only. (scipy's tree rather than sklearn's
    BallTree: importing sklearn cost the command line about 1.5 s of its start-up.)
    """
    ox, oy = lonlat(origins)
    sx, sy = lonlat(sites)
    max_km_line = params.max_minutes / 60.0 * params.speed_kmh / params.circuity
    rows_list: list[np.ndarray] = []
    cols_list: list[np.ndarray] = []
    if len(ox) and len(sx):
        tree = cKDTree(_unit_vectors(sx, sy))
        angle = min(np.pi, max_km_line * 1.01 / EARTH_RADIUS_KM)
        neighbours = tree.query_ball_point(_unit_vectors(ox, oy), r=2 * np.sin(angle / 2))
        neighbours = [np.sort(np.asarray(c, dtype=np.int64)) for c in neighbours]
        for i, cols in enumerate(neighbours):
            if cols.size:
                rows_list.append(np.full(cols.size, i, dtype=np.int64))
                cols_list.append(cols.astype(np.int64))
    rows = np.concatenate(rows_list) if rows_list else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols_list) if cols_list else np.zeros(0, dtype=np.int64)
    if rows.size:
        _, _, metres = _GEOD.inv(ox[rows], oy[rows], sx[cols], sy[cols])
        km = np.asarray(metres, dtype=float) / 1000.0 * params.circuity
    else:
        km = np.zeros(0)
    minutes = km / params.speed_kmh * 60.0
    keep = minutes <= params.max_minutes + 1e-9
    order = np.lexsort((cols[keep], rows[keep]))
    return TravelMatrix(
        origin_ids=point_ids(origins, origin_id),
        site_ids=point_ids(sites, site_id),
        rows=rows[keep][order],
        cols=cols[keep][order],
        km=km[keep][order],
        minutes=minutes[keep][order],
        params=params,
    )


def travel_matrix(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
) -> TravelMatrix:
    """Travel matrix with the provider named in ``params`` (``straight`` or ``road``)."""
    if params.provider == "straight":
        return straight_matrix(origins, sites, params, origin_id=origin_id, site_id=site_id)
    from geo.network import road_matrix  # imported lazily: osmnx is heavy

    return road_matrix(origins, sites, params, origin_id=origin_id, site_id=site_id)


def straight_nearest(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
) -> pd.DataFrame:
    """Nearest site for every origin, no cut-off: origin_id, site_id, km, minutes.

    Candidates are the 3 nearest on the sphere; the exact WGS84 geodesic picks among them.
    """
    o_ids, s_ids = point_ids(origins, origin_id), point_ids(sites, site_id)
    out = pd.DataFrame({"origin_id": o_ids, "site_id": pd.Series([None] * len(o_ids), dtype=object),
                        "km": np.inf, "minutes": np.inf})
    if not len(o_ids) or not len(s_ids):
        return out
    ox, oy = lonlat(origins)
    sx, sy = lonlat(sites)
    k = min(3, len(s_ids))
    _, cand = cKDTree(_unit_vectors(sx, sy)).query(_unit_vectors(ox, oy), k=k)
    cand = np.asarray(cand).reshape(len(o_ids), k)
    rows = np.repeat(np.arange(len(o_ids)), k)
    cols = cand.reshape(-1)
    _, _, metres = _GEOD.inv(ox[rows], oy[rows], sx[cols], sy[cols])
    metres = np.asarray(metres, dtype=float).reshape(-1, k)
    best = np.argmin(metres, axis=1)
    km = metres[np.arange(len(o_ids)), best] / 1000.0 * params.circuity
    out["site_id"] = s_ids[cand[np.arange(len(o_ids)), best]]
    out["km"] = km
    out["minutes"] = km / params.speed_kmh * 60.0
    return out


def nearest_sites(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
) -> pd.DataFrame:
    """Nearest site per origin with the provider named in ``params`` (no cut-off)."""
    if params.provider == "straight":
        return straight_nearest(origins, sites, params, origin_id=origin_id, site_id=site_id)
    from geo.network import road_nearest

    return road_nearest(origins, sites, params, origin_id=origin_id, site_id=site_id)
