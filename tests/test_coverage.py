"""Coverage analytics checked against brute-force computations, and the CLI on bundled data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo.coverage import (
    TOTAL,
    coverage_by_unit,
    gaps,
    nearest_centre,
    travel_time_histogram,
    weighted_quantile,
)
from geo.travel import TravelParams, travel_matrix

GEOD = Geod(ellps="WGS84")
OSM = Path(__file__).parent / "data" / "roads.osm"


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(3)
    n = 300
    lon, lat = rng.uniform(66.0, 80.0, n), rng.uniform(42.0, 50.0, n)
    units = np.where(lon < 71.0, "KZ-A", np.where(lon < 75.0, "KZ-B", "KZ-C")).astype(object)
    units[:7] = None  # settlements outside every unit
    settlements = gpd.GeoDataFrame({
        "settlement_id": [f"gn:{i}" for i in range(n)],
        "children": rng.integers(0, 3000, n),
        "unit_code": units,
    }, geometry=[Point(x, y) for x, y in zip(lon, lat)], crs="EPSG:4326")
    centres = gpd.GeoDataFrame({"centre_id": [f"c{i}" for i in range(12)]},
                               geometry=[Point(x, y) for x, y in zip(rng.uniform(66, 80, 12),
                                                                      rng.uniform(42, 50, 12))],
                               crs="EPSG:4326")
    return settlements, centres


def test_nearest_centre_equals_brute_force(synthetic):
    settlements, centres = synthetic
    params = TravelParams(speed_kmh=55.0, circuity=1.4)
    near = nearest_centre(settlements, centres, params, minutes=90.0)
    assert list(near.settlement_id) == list(settlements.settlement_id)
    assert (near.provider == "straight").all()
    for i, p in enumerate(settlements.geometry):
        d = [abs(GEOD.inv(p.x, p.y, c.x, c.y)[2]) for c in centres.geometry]
        best = int(np.argmin(d))
        minutes = d[best] / 1000 * 1.4 / 55.0 * 60.0
        assert near.centre_id[i] == f"c{best}"
        assert near.minutes[i] == pytest.approx(minutes, rel=1e-9)
        assert near.covered[i] == (minutes <= 90.0)


def test_weighted_quantile_by_expansion():
    values = np.array([30.0, 5.0, 50.0, 10.0])
    weights = np.array([1, 3, 2, 2])
    expanded = np.sort(np.repeat(values, weights))  # 5 5 5 10 10 30 50 50
    for q in (0.1, 0.5, 0.75, 0.9, 1.0):
        assert weighted_quantile(values, weights, q) == expanded[math.ceil(q * 8) - 1]
    assert math.isnan(weighted_quantile(values, np.zeros(4), 0.5))


def test_coverage_by_unit_matches_an_independent_count(synthetic):
    settlements, centres = synthetic
    near = nearest_centre(settlements, centres, TravelParams())
    table = coverage_by_unit(settlements, near, minutes=60.0, names={"KZ-A": "West"})
    assert list(table.code) == ["KZ-A", "KZ-B", "KZ-C", TOTAL]
    assert table.name.iloc[0] == "West" and table.name.iloc[1] == "KZ-B"
    # Independent: the sparse matrix within 60 minutes says which settlements are covered.
    m = travel_matrix(settlements, centres, TravelParams(), origin_id="settlement_id",
                      site_id="centre_id")
    covered_ids = set(m.to_frame().origin_id)
    minutes = dict(zip(near.settlement_id, near.minutes))
    for row in table.itertuples():
        part = settlements if row.code == TOTAL else settlements[settlements.unit_code == row.code]
        kids = part.children.to_numpy()
        inside = part.settlement_id.isin(covered_ids).to_numpy()
        assert row.settlements == len(part)
        assert row.children == kids.sum()
        assert row.children_covered == kids[inside].sum()
        assert row.children_uncovered == kids[~inside].sum()
        assert row.coverage_pct == round(100 * kids[inside].sum() / kids.sum(), 1)
        mins = np.sort(np.repeat([minutes[s] for s in part.settlement_id], kids))
        assert row.median_minutes == mins[math.ceil(0.5 * mins.size) - 1]
        assert row.p90_minutes == mins[math.ceil(0.9 * mins.size) - 1]
    assert table.children.iloc[:3].sum() < table.children.iloc[3]  # unit-less rows only in TOTAL


def test_gaps_are_the_uncovered_settlements_most_children_first(synthetic):
    settlements, centres = synthetic
    near = nearest_centre(settlements, centres, TravelParams(), minutes=45.0)
    out = gaps(settlements, near, minutes=45.0)
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == settlements.crs
    assert set(out.settlement_id) == set(near.settlement_id[~near.covered])
    assert (out.nearest_minutes > 45.0).all()
    assert out.children.is_monotonic_decreasing
    assert len(out) > 0


def test_histogram_bands_sum_to_all_children(synthetic):
    settlements, centres = synthetic
    near = nearest_centre(settlements, centres, TravelParams())
    hist = travel_time_histogram(near, settlements)
    assert hist.children.sum() == settlements.children.sum()
    within_60 = hist.children.iloc[:4].sum()  # bands 0-15 .. 45-60
    assert within_60 == settlements.children[near.covered.to_numpy()].sum()


def test_road_provider_nearest_agrees_with_the_road_matrix():
    settlements = gpd.GeoDataFrame(
        {"settlement_id": ["a", "b", "c"], "children": [10, 20, 30], "unit_code": "X"},
        geometry=[Point(77.001, 43.2), Point(77.061, 43.1), Point(77.2, 43.3)], crs="EPSG:4326")
    centres = gpd.GeoDataFrame({"centre_id": ["n", "s"]},
                               geometry=[Point(77.091, 43.18), Point(77.001, 43.0)],
                               crs="EPSG:4326")
    params = TravelParams(provider="road", max_minutes=20.0, graph_path=str(OSM))
    near = nearest_centre(settlements, centres, params)
    full = travel_matrix(settlements, centres, TravelParams(**{**params.to_dict(),
                                                               "max_minutes": 1e4}),
                         origin_id="settlement_id", site_id="centre_id").to_frame()
    best = full.loc[full.groupby("origin_id").minutes.idxmin()].set_index("origin_id")
    for r in near.itertuples():
        assert r.centre_id == best.site_id[r.settlement_id]
        assert r.minutes == pytest.approx(best.minutes[r.settlement_id], rel=1e-9)
        assert r.covered == (r.minutes <= 20.0)
    assert (near.provider == "road").all()


def test_missing_columns_are_named():
    frame = gpd.GeoDataFrame({"id": ["x"]}, geometry=[Point(0, 0)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="settlement_id"):
        nearest_centre(frame, frame.rename(columns={"id": "centre_id"}))


def _cli(capsys, *argv: str) -> tuple[int, str]:
    from geo.__main__ import main

    code = main(["coverage", *argv])
    return code, capsys.readouterr().out


def test_cli_json_on_bundled_data(capsys):
    from geo.layers import load_layers

    code, out = _cli(capsys, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["provider"] == "straight" and report["minutes"] == 60.0
    units = report["units"]
    layers = load_layers("KZ")
    assert [u["code"] for u in units] == sorted(layers.boundaries.code) + [TOTAL]
    total = units[-1]
    m = travel_matrix(layers.settlements, layers.centres, TravelParams(),
                      origin_id="settlement_id", site_id="centre_id")
    inside = layers.settlements.settlement_id.isin(set(m.to_frame().origin_id))
    assert total["children"] == int(layers.settlements.children.sum())
    assert total["children_covered"] == int(layers.settlements.children[inside].sum())
    assert total["coverage_pct"] == round(100 * total["children_covered"] / total["children"], 1)
    for u in units:
        assert {"code", "children", "children_covered", "coverage_pct",
                "median_minutes"} <= set(u)


def test_cli_with_a_centres_file_and_the_road_provider(capsys, tmp_path):
    centres = tmp_path / "centres.geojson"
    gpd.GeoDataFrame({"centre_id": ["t1"], "name": ["Test"], "kind": ["social_work_centre"],
                      "year": [2024], "country": ["KZ"]},
                     geometry=[Point(76.95, 43.25)], crs="EPSG:4326").to_file(centres)
    code, out = _cli(capsys, "--centres", str(centres), "--minutes", "30", "--json",
                     "--provider", "road", "--graph", str(OSM))
    assert code == 0
    report = json.loads(out)
    assert report["provider"] == "road" and "road network" in report["travel"]
    assert report["centre_count"] == 1
    # The test graph covers a corner of Almaty Region: settlements elsewhere are reported.
    assert any("origins lie more than 10 km" in w for w in report["warnings"])
    total = report["units"][-1]
    assert 0 <= total["children_covered"] < total["children"]
    code, out = _cli(capsys, "--centres", str(tmp_path / "missing.geojson"))
    assert code == 2 and "missing.geojson" in out
