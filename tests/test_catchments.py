"""Catchment polygons hold exactly the settlements the travel matrix puts within the standard.

Points whose travel time is within a few metres' worth of the standard are set aside (the
polygons are drawn with vertices, see geo.catchments); the tests check that almost none are.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point

from geo import network
from geo.catchments import catchments, geodesic_circle, settlements_within
from geo.travel import TravelParams, travel_matrix

OSM = Path(__file__).parent / "data" / "roads.osm"
GEOD = Geod(ellps="WGS84")
TOLERANCE_M = 5.0


def _pts(lon: np.ndarray, lat: np.ndarray, prefix: str, col: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({col: [f"{prefix}{i}" for i in range(len(lon))]},
                            geometry=[Point(x, y) for x, y in zip(lon, lat)], crs="EPSG:4326")


def _check_exact(cat, settlements, centres, params, speed_kmh):
    """Pairs inside polygons == pairs within the standard, away from the boundary band."""
    standard = params.max_minutes
    loose = TravelParams(**{**params.to_dict(), "max_minutes": standard * 3})
    full = travel_matrix(settlements, centres, loose, origin_id="sid", site_id="cid").to_frame()
    margin_m = (standard - full.minutes).abs() / 60.0 * speed_kmh * 1000.0
    near_edge = margin_m < TOLERANCE_M
    doubtful = set(zip(full.origin_id[near_edge], full.site_id[near_edge]))
    within = {(o, s) for o, s, m in zip(full.origin_id, full.site_id, full.minutes)
              if m <= standard}
    pairs = settlements_within(cat, settlements, "sid")
    inside = set(zip(pairs.point_id, pairs.site_id))
    assert within - doubtful == inside - doubtful
    assert len(doubtful) <= 2
    return within


def test_straight_catchments_are_exact():
    rng = np.random.default_rng(7)
    centres = _pts(np.array([68.0, 68.5, 76.9]), np.array([43.3, 43.5, 43.25]), "c", "cid")
    lon = rng.uniform(67.2, 77.6, 600)
    lat = rng.uniform(42.8, 44.0, 600)
    settlements = _pts(lon, lat, "s", "sid")
    params = TravelParams(speed_kmh=60.0, circuity=1.3, max_minutes=45.0)
    cat = catchments(centres, params, site_id="cid")
    assert list(cat.site_id) == ["c0", "c1", "c2"] and (cat.provider == "straight").all()
    within = _check_exact(cat, settlements, centres, params, 60.0 / 1.3)
    assert 20 < len(within) < 600  # the test exercises both sides of the boundary
    radius_km = 45 / 60 * 60 / 1.3
    assert cat.area_km2.iloc[0] == pytest.approx(np.pi * radius_km**2, rel=2e-3)


def test_circle_edge_is_within_two_metres_of_the_radius():
    circle = geodesic_circle(71.4, 51.1, 46_000.0)
    az = np.linspace(0, 360, 720, endpoint=False)
    inner = GEOD.fwd(np.full(720, 71.4), np.full(720, 51.1), az, np.full(720, 45_998.0))
    outer = GEOD.fwd(np.full(720, 71.4), np.full(720, 51.1), az, np.full(720, 46_002.0))
    assert shapely.contains_xy(circle, inner[0], inner[1]).all()
    assert not shapely.contains_xy(circle, outer[0], outer[1]).any()


@pytest.fixture(scope="module")
def road():
    return network.road_graph(network.graph_from_osm_xml(OSM), source=str(OSM))


def test_road_catchments_are_exact(road):
    rng = np.random.default_rng(11)
    centres = _pts(np.array([77.001, 77.0910, 77.045]), np.array([43.00, 43.18, 43.10]),
                   "c", "cid")
    lon = rng.uniform(76.95, 77.14, 500)
    lat = rng.uniform(42.97, 43.23, 500)
    settlements = _pts(lon, lat, "s", "sid")
    params = TravelParams(provider="road", max_minutes=14.0, snap_speed_kmh=20.0,
                          graph_path=str(OSM))
    cat = catchments(centres, params, site_id="cid", graph=road)
    assert (cat.provider == "road").all() and not cat.geometry.is_empty.any()
    within = _check_exact(cat, settlements, centres, params, 20.0)
    assert 30 < len(within) < 1000


def test_unreachable_centre_has_an_empty_catchment(road):
    far = _pts(np.array([78.5]), np.array([44.5]), "c", "cid")  # >100 km from every road
    params = TravelParams(provider="road", max_minutes=60.0, graph_path=str(OSM))
    cat = catchments(far, params, site_id="cid", graph=road)
    assert cat.geometry.iloc[0].is_empty and cat.area_km2.iloc[0] == 0.0
