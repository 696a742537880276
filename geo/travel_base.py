"""Travel costs' shared vocabulary: parameters, the sparse matrix and point helpers.

Both providers (`geo.travel` straight-line, `geo.network` road) build on this module, so neither
imports the other's internals and the import graph has no cycle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

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


def lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (WGS84) of each feature's representative point."""
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    pts = gdf.geometry.representative_point()
    return pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float)


def point_ids(gdf: gpd.GeoDataFrame, column: str | None) -> np.ndarray:
    """Ids of the features as strings: `column`, or the index when no column is named."""
    values = gdf[column] if column else gdf.index.to_series()
    return values.astype(str).to_numpy()
