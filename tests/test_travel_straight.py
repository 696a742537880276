"""The straight provider against geodesic distances worked out without pyproj.

Two cases have closed forms on the WGS84 ellipsoid: along the equator the geodesic is the
equator itself (a x delta-lon), and along a meridian it is the meridian arc, the integral of the
meridional radius of curvature a(1-e^2)/(1-e^2 sin^2 phi)^(3/2), integrated here with scipy.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from scipy.integrate import quad
from shapely.geometry import Point

from geo.travel import TravelParams, describe, nearest_sites, straight_matrix, travel_matrix

A = 6_378_137.0
F = 1 / 298.257223563
E2 = F * (2 - F)


def equator_km(dlon_deg: float) -> float:
    return A * math.radians(abs(dlon_deg)) / 1000.0


def meridian_km(lat1: float, lat2: float) -> float:
    def m(phi: float) -> float:
        return A * (1 - E2) / (1 - E2 * math.sin(phi) ** 2) ** 1.5

    return abs(quad(m, math.radians(lat1), math.radians(lat2))[0]) / 1000.0


def _gdf(ids: list[str], lonlat: list[tuple[float, float]], col: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({col: ids}, geometry=[Point(x, y) for x, y in lonlat],
                            crs="EPSG:4326")


def test_equator_pairs_match_closed_form():
    params = TravelParams(speed_kmh=50.0, circuity=1.25, max_minutes=120.0)
    origins = _gdf(["o"], [(10.0, 0.0)], "oid")
    sites = _gdf(["a", "b", "far"], [(10.1, 0.0), (9.5, 0.0), (11.5, 0.0)], "sid")
    m = straight_matrix(origins, sites, params, origin_id="oid", site_id="sid").to_frame()
    got = dict(zip(m.site_id, zip(m.km, m.minutes)))
    for sid, dlon in (("a", 0.1), ("b", 0.5)):
        km = equator_km(dlon) * 1.25
        assert got[sid][0] == pytest.approx(km, rel=1e-9)
        assert got[sid][1] == pytest.approx(km / 50.0 * 60.0, rel=1e-9)
    # 1.5 deg of equator x 1.25 = 208.7 km = 250 minutes at 50 km/h: beyond 120.
    assert "far" not in got


def test_meridian_pairs_in_kazakhstan_match_the_meridian_arc():
    params = TravelParams()  # documented defaults: 60 km/h, circuity 1.3, 60 minutes
    origins = _gdf(["astana"], [(71.43, 51.13)], "oid")
    lats = [51.33, 51.43, 50.83, 51.53, 51.63]
    sites = _gdf([f"s{i}" for i in range(5)], [(71.43, y) for y in lats], "sid")
    m = travel_matrix(origins, sites, params, origin_id="oid", site_id="sid")
    got = dict(zip(m.to_frame().site_id, m.minutes))
    for i, lat in enumerate(lats):
        minutes = meridian_km(51.13, lat) * 1.3 / 60.0 * 60.0
        if minutes <= 60.0:
            assert got[f"s{i}"] == pytest.approx(minutes, rel=1e-8)
        else:
            assert f"s{i}" not in got
    # 0.4 deg north is 44.5 km x 1.3 = 57.9 minutes: in; 0.5 deg is 72 minutes: out.
    assert sorted(got) == ["s0", "s1", "s2", "s3"]


def test_cutoff_boundary_and_within():
    # A site exactly at the cut-off distance is kept; `within` narrows further.
    params = TravelParams(speed_kmh=60.0, circuity=1.0, max_minutes=30.0)
    dlon = math.degrees(30.0 / (A / 1000.0))  # 30 km of equator = 30 minutes at 60 km/h
    origins = _gdf(["o"], [(0.0, 0.0)], "oid")
    sites = _gdf(["edge", "near"], [(dlon, 0.0), (dlon / 3, 0.0)], "sid")
    m = straight_matrix(origins, sites, params, origin_id="oid", site_id="sid")
    assert sorted(m.to_frame().site_id) == ["edge", "near"]
    assert list(m.within(15.0).to_frame().site_id) == ["near"]
    dense = m.to_sparse().toarray()
    assert dense[0] == pytest.approx([30.0, 10.0], rel=1e-9)


def test_nearest_without_cutoff_and_provider_is_stated():
    params = TravelParams(max_minutes=1.0)
    origins = _gdf(["o1", "o2"], [(0.0, 0.0), (3.0, 0.0)], "oid")
    sites = _gdf(["w", "e"], [(-1.0, 0.0), (2.0, 0.0)], "sid")
    near = nearest_sites(origins, sites, params, origin_id="oid", site_id="sid")
    assert list(near.site_id) == ["w", "e"]
    assert near.km.tolist() == pytest.approx([equator_km(1.0) * 1.3] * 2, rel=1e-9)
    assert "straight" in describe(params)
    assert straight_matrix(origins, sites, params).provider == "straight"


def test_projected_input_is_handled():
    origins = _gdf(["o"], [(0.0, 0.0)], "oid").to_crs("EPSG:3857")
    sites = _gdf(["a"], [(0.2, 0.0)], "sid")
    m = straight_matrix(origins, sites, TravelParams(), origin_id="oid", site_id="sid")
    assert m.km == pytest.approx(np.array([equator_km(0.2) * 1.3]), rel=1e-7)


@pytest.mark.parametrize("field,value", [("speed_kmh", 0), ("circuity", 0.9),
                                         ("max_minutes", -5), ("provider", "boat")])
def test_bad_parameters_are_refused_with_the_field_named(field, value):
    with pytest.raises(ValueError, match=field if field != "provider" else "provider"):
        TravelParams(**{field: value})
