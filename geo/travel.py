"""Travel costs: a sparse origin x site matrix of kilometres and minutes within a cut-off.

Providers:
- ``straight`` (default, offline): geodesic distance on the WGS84 ellipsoid x circuity / speed.
- ``road``: shortest paths on an OSMnx drive graph (see `geo.network`).

Only pairs within the cut-off are kept, so the planning model stays sparse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
_GEOD = Geod(ellps="WGS84")

Provider = Literal["straight", "road"]


@dataclass(frozen=True)
class TravelParams:
    """How travel time is estimated. Defaults suit a rural outreach service.

    speed_kmh: average speed along the road (60 km/h: mixed national and district roads).
    circuity: road distance / straight-line distance (1.3 is the usual figure for rural
        networks; use a higher value for mountains).
    max_minutes: cut-off; pairs beyond it are dropped from the matrix.
    snap_speed_kmh: speed used for the leg from a point to its nearest road node (road only).
    graph_path: GraphML or .osm XML file for the ``road`` provider.
    """

    provider: Provider = "straight"
    speed_kmh: float = 60.0
    circuity: float = 1.3
    max_minutes: float = 60.0
    snap_speed_kmh: float = 20.0
    graph_path: str | None = None

    def __post_init__(self) -> None:
        if self.provider not in ("straight", "road"):
            raise ValueError(f"travel provider must be 'straight' or 'road', not {self.provider!r}")
        if not self.speed_kmh > 0:
            raise ValueError(f"travel speed_kmh must be > 0, got {self.speed_kmh}")
        if not self.circuity >= 1:
            raise ValueError(f"travel circuity must be >= 1, got {self.circuity}")
        if not self.max_minutes > 0:
            raise ValueError(f"travel max_minutes must be > 0, got {self.max_minutes}")
        if not self.snap_speed_kmh > 0:
            raise ValueError(f"travel snap_speed_kmh must be > 0, got {self.snap_speed_kmh}")

    def to_dict(self) -> dict:
        return asdict(self)


def describe(params: TravelParams) -> str:
    """Human-readable statement of how travel times were computed."""
    if params.provider == "road":
        return (f"road network ({params.graph_path}), snap legs at {params.snap_speed_kmh:g} km/h, "
                f"standard {params.max_minutes:g} min")
    return (f"straight line x {params.circuity:g} circuity at {params.speed_kmh:g} km/h, "
            f"standard {params.max_minutes:g} min")


@dataclass
class TravelMatrix:
    """Sparse matrix in coordinate form: pair k joins origins[rows[k]] and sites[cols[k]]."""

    origin_ids: np.ndarray
    site_ids: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    params: TravelParams
    warnings: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        return self.params.provider

    def describe(self) -> str:
        """One line naming the provider and its parameters, for results and exports."""
        return describe(self.params)

    @property
    def nnz(self) -> int:
        return int(self.rows.size)

    def to_frame(self) -> pd.DataFrame:
        """Long table: origin_id, site_id, km, minutes."""
        return pd.DataFrame(
            {
                "origin_id": self.origin_ids[self.rows],
                "site_id": self.site_ids[self.cols],
                "km": self.km,
                "minutes": self.minutes,
            }
        )

    def to_sparse(self):
        """scipy CSR matrix of minutes (origins x sites); absent pairs are beyond the cut-off.

        A pair at exactly 0 minutes is stored as a tiny positive value so it is not dropped.
        """
        from scipy.sparse import csr_matrix

        data = np.maximum(self.minutes, 1e-9)
        return csr_matrix(
            (data, (self.rows, self.cols)), shape=(self.origin_ids.size, self.site_ids.size)
        )

    def within(self, minutes: float) -> TravelMatrix:
        """The sub-matrix of pairs at most `minutes` apart."""
        keep = self.minutes <= minutes + 1e-9
        return TravelMatrix(
            self.origin_ids, self.site_ids, self.rows[keep], self.cols[keep],
            self.km[keep], self.minutes[keep], self.params, self.warnings,
        )


def _lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    pts = gdf.geometry.representative_point()
    return pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float)


def _ids(gdf: gpd.GeoDataFrame, column: str | None) -> np.ndarray:
    values = gdf[column] if column else gdf.index.to_series()
    return values.astype(str).to_numpy()


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
    ox, oy = _lonlat(origins)
    sx, sy = _lonlat(sites)
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
        origin_ids=_ids(origins, origin_id),
        site_ids=_ids(sites, site_id),
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
    o_ids, s_ids = _ids(origins, origin_id), _ids(sites, site_id)
    out = pd.DataFrame({"origin_id": o_ids, "site_id": pd.Series([None] * len(o_ids), dtype=object),
                        "km": np.inf, "minutes": np.inf})
    if not len(o_ids) or not len(s_ids):
        return out
    ox, oy = _lonlat(origins)
    sx, sy = _lonlat(sites)
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
