"""Catchments: for each centre, the area from which it is reachable within the standard.

- ``straight``: a geodesic circle of radius standard x speed / circuity (the distance at which
  the straight provider's minutes equal the standard), drawn with `pyproj.Geod.fwd`.
- ``road``: every point whose nearest road node reaches the centre in time, counting both snap
  legs: the union, over reachable nodes, of the node's Voronoi cell (the points that snap to it)
  cut by a disk whose radius is the snap distance the remaining time allows.

Either way a settlement lies inside its centre's polygon exactly when the provider's matrix has
the pair within the standard (up to the polygon's vertex spacing: under 2 m for a 46 km circle).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer

from geo.travel_base import TravelParams, lonlat, point_ids

_GEOD = Geod(ellps="WGS84")
CIRCLE_VERTICES = 360


def geodesic_circle(lon: float, lat: float, radius_m: float,
                    vertices: int = CIRCLE_VERTICES) -> shapely.Polygon:
    """Polygon of the points `radius_m` metres (on the WGS84 ellipsoid) from (lon, lat)."""
    az = np.linspace(0.0, 360.0, vertices, endpoint=False)
    x, y, _ = _GEOD.fwd(np.full(vertices, lon), np.full(vertices, lat), az,
                        np.full(vertices, radius_m))
    return shapely.Polygon(np.column_stack([x, y]))


def catchments(
    sites: gpd.GeoDataFrame,
    params: TravelParams = TravelParams(),
    *,
    site_id: str | None = None,
    minutes: float | None = None,
    graph=None,
) -> gpd.GeoDataFrame:
    """One polygon per site: site_id, minutes, provider, area_km2, geometry (EPSG:4326).

    ``minutes`` defaults to ``params.max_minutes``; ``graph`` (a `geo.network.RoadGraph`)
    overrides ``params.graph_path`` for the road provider.
    """
    standard = params.max_minutes if minutes is None else float(minutes)
    ids = point_ids(sites, site_id)
    lon, lat = lonlat(sites)
    if params.provider == "straight":
        radius_m = standard / 60.0 * params.speed_kmh / params.circuity * 1000.0
        geoms = [geodesic_circle(x, y, radius_m) for x, y in zip(lon, lat)]
    else:
        geoms = _road_catchments(lon, lat, params, standard, graph)
    out = gpd.GeoDataFrame(
        {"site_id": ids, "minutes": standard, "provider": params.provider},
        geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326",
    )
    areas = [abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6 if not g.is_empty else 0.0
             for g in out.geometry]
    out.insert(3, "area_km2", np.round(areas, 1))
    return out


def _voronoi_cells(rg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Voronoi cells (in the graph's projection) of the snap targets, cached on the graph.

    Returns the cells, each node's position among them (-1 for duplicate locations) and each
    cell's radius (farthest vertex from its node), which tells when a disk holds the whole cell.
    """
    if "cells" not in rg._cache:
        reps, _ = rg.snap_targets()
        pts = shapely.points(rg.xy[reps])
        if reps.size == 1:
            cells = np.array([shapely.box(*(rg.xy[reps[0]] - 1e7), *(rg.xy[reps[0]] + 1e7))])
        else:
            env = shapely.buffer(shapely.envelope(shapely.multipoints(pts)), 1e6)
            cells = shapely.get_parts(
                shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env, ordered=True)
            )
        coords, which = shapely.get_coordinates(cells, return_index=True)
        gap = np.hypot(*(coords - rg.xy[reps][which]).T)
        radius = np.zeros(cells.size)
        np.maximum.at(radius, which, gap)
        position = np.full(rg.n, -1, dtype=np.int64)
        position[reps] = np.arange(reps.size)
        rg._cache["cells"] = (cells, position, radius)
    return rg._cache["cells"]


def _road_catchments(lon: np.ndarray, lat: np.ndarray, params: TravelParams, standard: float,
                     graph) -> list:
    from geo.network import graph_for, reachable

    rg = graph_for(params, graph)
    cells, position, cell_radius = _voronoi_cells(rg)
    snap_mps = params.snap_speed_kmh / 3.6
    to_wgs = Transformer.from_crs(rg.crs, "EPSG:4326", always_xy=True)
    geoms = []
    for x, y in zip(lon, lat):
        nodes, left = reachable(rg, (x, y), params, standard)
        keep = position[nodes] >= 0
        cell, reach = position[nodes[keep]], left[keep] * snap_mps
        if cell.size == 0:
            geoms.append(shapely.Polygon())
            continue
        # Cells the disk covers whole form a coverage (shared edges): merged quickly and exactly.
        whole = reach >= cell_radius[cell]
        parts = [shapely.coverage_union_all(cells[cell[whole]])] if whole.any() else []
        if (~whole).any():
            disks = shapely.buffer(shapely.points(rg.xy[nodes[keep][~whole]]), reach[~whole],
                                   quad_segs=32)
            parts.append(shapely.intersection(cells[cell[~whole]], disks))
        area = shapely.union_all(np.concatenate([np.atleast_1d(p) for p in parts]))
        area = shapely.segmentize(area, 500.0)
        geoms.append(shapely.transform(area, lambda c: np.column_stack(
            to_wgs.transform(c[:, 0], c[:, 1]))))
    return geoms


def settlements_within(catchment: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                       point_id: str | None = None) -> pd.DataFrame:
    """Pairs (site_id, point_id) of points inside each catchment polygon."""
    ids = point_ids(points, point_id)
    x, y = lonlat(points)
    rows = []
    for sid, geom in zip(catchment["site_id"], catchment.geometry):
        if not geom.is_empty:
            rows += [(sid, pid) for pid in ids[shapely.contains_xy(geom, x, y)]]
    return pd.DataFrame(rows, columns=["site_id", "point_id"])
