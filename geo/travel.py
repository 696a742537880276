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

from geo.travel_base import Provider, TravelMatrix, TravelParams, describe, lonlat, point_ids

__all__ = ["Provider", "TravelMatrix", "TravelParams", "describe", "nearest_sites",
           "straight_matrix", "straight_nearest", "travel_matrix"]

EARTH_RADIUS_KM = 6371.0088
# up to this many origin x site pairs, candidates come from dense blocks of dot products:
# no k-d tree, so no scipy.spatial import (0.3 s of the command line's 2.5 s start-up)
DENSE_PAIRS = 20_000_000
_GEOD = Geod(ellps="WGS84")


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (x, y, z) for lon/lat degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _candidates(origins: np.ndarray, sites: np.ndarray,
                chord: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Row and column index blocks of the (origin, site) unit vectors within `chord` of each
    other (|u - v| <= chord, i.e. u . v >= 1 - chord^2 / 2), sorted by origin then site."""
    if len(origins) * len(sites) <= DENSE_PAIRS:
        least = 1.0 - chord * chord / 2.0 - 1e-12
        step = max(1, 2_000_000 // len(sites))
        rows_list, cols_list = [], []
        for a in range(0, len(origins), step):
            block = origins[a:a + step]  # three products, not a BLAS call (its start-up)
            dot = sum(block[:, k, None] * sites[None, :, k] for k in range(3))
            r, c = np.nonzero(dot >= least)
            rows_list.append(r.astype(np.int64) + a)
            cols_list.append(c.astype(np.int64))
        return rows_list, cols_list
    from scipy.spatial import cKDTree  # imported here: scipy.spatial is slow to import

    neighbours = cKDTree(sites).query_ball_point(origins, r=chord)
    rows_list, cols_list = [], []
    for i, found in enumerate(neighbours):
        cols = np.sort(np.asarray(found, dtype=np.int64))
        if cols.size:
            rows_list.append(np.full(cols.size, i, dtype=np.int64))
            cols_list.append(cols)
    return rows_list, cols_list


def straight_matrix(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
) -> TravelMatrix:
    """Geodesic distance x circuity / speed for every pair within ``params.max_minutes``.

    Chord lengths between unit vectors (monotone in the great-circle angle) find candidate
    pairs on the sphere (with a 1% margin for the ellipsoid): dense blocks of dot products up
    to DENSE_PAIRS pairs, scipy's k-d tree beyond (sklearn's BallTree cost the command line
    about 1.5 s of start-up, scipy.spatial 0.3 s); exact WGS84 geodesic distances are then
    computed for those pairs only.
    """
    ox, oy = lonlat(origins)
    sx, sy = lonlat(sites)
    max_km_line = params.max_minutes / 60.0 * params.speed_kmh / params.circuity
    rows_list: list[np.ndarray] = []
    cols_list: list[np.ndarray] = []
    if len(ox) and len(sx):
        angle = min(np.pi, max_km_line * 1.01 / EARTH_RADIUS_KM)
        rows_list, cols_list = _candidates(_unit_vectors(ox, oy), _unit_vectors(sx, sy),
                                           2 * np.sin(angle / 2))
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
    from scipy.spatial import cKDTree  # imported here: scipy.spatial is slow to import

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
