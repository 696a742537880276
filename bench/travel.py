"""Travel-matrix benchmark: seconds and peak memory of each provider at national scale.

  .venv/bin/python bench/travel.py

1. straight, Kazakhstan's bundled settlements x a candidate set (settlements, institutions and
   centres of KZ), 60-minute cut-off;
2. straight, synthetic 10,000 settlements x 2,000 candidates spread over Kazakhstan;
3. road, a synthetic 100,000-node grid graph (about 1 km spacing, 30-90 km/h edges, both
   directions): graph preparation, the 10,000 x 2,000 matrix, nearest centre, 20 catchments.
Peak memory is Python's traced allocations (numpy and scipy arrays included) per step, plus the
process's maximum resident set at the end.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.catchments import catchments
from geo.network import road_graph_from_arrays, road_matrix, road_nearest
from geo.travel import TravelParams, straight_matrix

R = 6_371_009.0
KZ_BOX = (50.0, 41.0, 87.0, 55.0)  # lon/lat box of Kazakhstan


def measure(label: str, fn):
    """Run fn, print seconds and traced peak memory, return its result."""
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<58} {seconds:8.2f} s {peak / 2**20:9.1f} MiB peak")
    return result


def points(lon: np.ndarray, lat: np.ndarray, prefix: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"{prefix}{i}" for i in range(lon.size)]},
                            geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def random_points(rng: np.random.Generator, n: int, prefix: str) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = KZ_BOX
    return points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n), prefix)


def national_sets() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from geo.layers import load_centres, load_institutions, load_settlements

    settlements = load_settlements("KZ")
    parts = [settlements.geometry, load_institutions("KZ").geometry, load_centres("KZ").geometry]
    cand = gpd.GeoSeries(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    candidates = gpd.GeoDataFrame({"id": [f"k{i}" for i in range(len(cand))]}, geometry=cand)
    return settlements, candidates


def grid_graph(rng: np.random.Generator, side: int = 317, step_deg: float = 0.01):
    """side x side grid near 48N 67E, edges both ways with a random speed per road segment."""
    j, i = np.meshgrid(np.arange(side), np.arange(side))
    lat = (46.0 + i * step_deg).ravel()
    lon = (66.0 + j * step_deg * 1.5).ravel()
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    p1, p2 = np.radians(lat[u]), np.radians(lat[v])
    dl = np.radians(lon[v] - lon[u])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    metres = 2 * R * np.arcsin(np.sqrt(a))
    seconds = metres / (rng.uniform(30.0, 90.0, u.size) / 3.6)
    both_u, both_v = np.concatenate([u, v]), np.concatenate([v, u])
    return road_graph_from_arrays(np.arange(lat.size), lon, lat, both_u, both_v,
                                  np.tile(seconds, 2), np.tile(metres, 2), "synthetic grid")


def main() -> None:
    rng = np.random.default_rng(2026)
    params = TravelParams(max_minutes=60.0)
    print(f"{'step':<58} {'time':>10} {'memory':>14}")

    settlements, candidates = national_sets()
    m = measure(f"straight: KZ {len(settlements)} settlements x {len(candidates)} candidates",
                lambda: straight_matrix(settlements, candidates, params))
    print(f"{'':<4}pairs within 60 min: {m.nnz:,}")

    origins, sites = random_points(rng, 10_000, "o"), random_points(rng, 2_000, "s")
    m = measure("straight: synthetic 10,000 x 2,000",
                lambda: straight_matrix(origins, sites, params))
    print(f"{'':<4}pairs within 60 min: {m.nnz:,}")

    rg = measure("road: build 100,000-node grid graph (arrays, CSR)", lambda: grid_graph(rng))
    print(f"{'':<4}nodes {rg.n:,}, directed edges {rg.time.nnz:,}")
    lon0, lat0, lon1, lat1 = rg.lon.min(), rg.lat.min(), rg.lon.max(), rg.lat.max()
    o = points(rng.uniform(lon0, lon1, 10_000), rng.uniform(lat0, lat1, 10_000), "o")
    s = points(rng.uniform(lon0, lon1, 2_000), rng.uniform(lat0, lat1, 2_000), "s")
    road = TravelParams(provider="road", max_minutes=60.0)
    m = measure("road: 10,000 x 2,000 matrix on the 100,000-node graph",
                lambda: road_matrix(o, s, road, origin_id="id", site_id="id", graph=rg))
    print(f"{'':<4}pairs within 60 min: {m.nnz:,}")
    measure("road: nearest of 2,000 sites for 10,000 origins",
            lambda: road_nearest(o, s, road, origin_id="id", site_id="id", graph=rg))
    measure("road: 20 catchment polygons (Voronoi cells, first call)",
            lambda: catchments(s.iloc[:20], road, site_id="id", graph=rg))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
