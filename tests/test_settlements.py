"""Bundled settlements: counts recorded at build time, unit assignment, child estimates."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from geo import layers
from geo.schema import COUNTRIES, SETTLEMENTS
from geo.units import SNAP_KM, assign_units, attach_units
from scripts import demand_model
from scripts.build_settlements import COUNTRY_CHILD_SHARE, russian_name

STATS = json.loads((layers.DATA_DIR / "settlements" / "build_stats.json").read_text())
EQUAL_AREA = "EPSG:6933"


@pytest.fixture(scope="module")
def settlements() -> gpd.GeoDataFrame:
    return layers.load_settlements()


def test_counts_match_geonames_at_build(settlements) -> None:
    places = settlements[~settlements["estimated"]]
    assert places["country"].value_counts().to_dict() == STATS["counts"]
    assert set(STATS["counts"]) == set(COUNTRIES)
    assert settlements["settlement_id"].is_unique
    assert places["settlement_id"].str.fullmatch(r"gn:\d+").all()
    dispersed = settlements[settlements["estimated"]]
    assert len(dispersed) == STATS["dispersed_points"] and set(dispersed["country"]) == {"KZ"}
    assert dispersed["settlement_id"].str.fullmatch(r"est:KZ\d{6}:\d{2}").all()


def test_columns_and_types(settlements) -> None:
    for name in SETTLEMENTS.required:
        assert settlements[name].notna().all(), name
    for name in (f.name for f in SETTLEMENTS.fields):
        assert name in settlements.columns
    assert settlements.crs.to_epsg() == 4326 and (settlements.geom_type == "Point").all()
    assert (settlements["population"] >= 0).all()
    assert settlements["child_share"].between(0, 1).all()


def _distance_km(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame, codes) -> np.ndarray:
    geoms = units.set_index("code").geometry.to_crs(EQUAL_AREA)
    pts = points.geometry.to_crs(EQUAL_AREA)
    return np.array([geoms[c].distance(p) / 1000.0 for p, c in zip(pts, codes)])


@pytest.mark.parametrize("cc,version", [("KZ", 2014), ("KZ", 2018), ("KZ", 2022),
                                        ("KG", 2014), ("TJ", 2014), ("TM", 2014),
                                        ("UZ", 2014)])
def test_every_settlement_lies_in_its_unit(settlements, cc: str, version: int) -> None:
    pts = settlements[settlements["country"] == cc]
    codes = pts[f"unit_{version}"]
    assert codes.notna().all()
    units = layers.load_boundaries(cc, version)
    assert set(codes) <= set(units["code"])
    dist = _distance_km(pts, units, codes)
    assert (dist <= SNAP_KM).all()  # inside (0) or snapped from just outside
    districts = layers.load_boundaries(cc, version, "district") if cc == "KZ" else None
    again = attach_units(pts, units, districts)["unit_code"]
    assert again.tolist() == codes.tolist()  # the stored code is the one rule's answer


def test_non_kz_have_no_kz_versions(settlements) -> None:
    other = settlements[settlements["country"] != "KZ"]
    assert other["unit_2018"].isna().all() and other["unit_2022"].isna().all()


def test_children_follow_shares(settlements) -> None:
    other = settlements[settlements["country"] != "KZ"]
    assert (other["children"] == np.round(other["population"] * other["child_share"])).all()
    for cc, share in COUNTRY_CHILD_SHARE.items():
        assert (settlements.loc[settlements["country"] == cc, "child_share"] == share).all()
    kz = settlements[settlements["country"] == "KZ"]
    targets = demand_model.oblast_targets()
    assert np.allclose(kz["child_share"], kz["unit_2022"].map(targets["child_share"]))
    # a place holds at most its population at the oblast's child rate (capped where a city
    # of republican significance is spread over its districts)
    places = kz[~kz["estimated"]]
    assert (places["children"] <= places["population"] * places["child_share"] + 1).all()
    assert kz.groupby("unit_2022")["children"].sum().to_dict() == targets["children"].to_dict()


def test_dispersed_demand_lies_in_its_district_on_a_grid(settlements) -> None:
    est = settlements[settlements["estimated"]]
    districts = layers.load_boundaries("KZ", 2022, "district").set_index("code")
    code = est["settlement_id"].str[4:12]
    inside = [districts.loc[c, "geometry"].covers(p) for c, p in zip(code, est.geometry)]
    assert all(inside)
    assert (est["children"] > 0).all() and est["name"].str.startswith("Dispersed demand, ").all()
    assert est["children"].sum() == STATS["dispersed_children"]
    assert STATS["kz_children_total"] == demand_model.CHILDREN_2024
    # neighbours on a 50 km grid: the nearest other point of the same district is ~50 km away
    for c in code.value_counts().index[:5]:
        pts = est[code == c].geometry.to_crs(demand_model.LOCAL_CRS)
        nearest = [pts.drop(i).distance(p).min() for i, p in pts.items()]
        assert np.allclose(nearest, demand_model.GRID_KM * 1000.0, rtol=1e-4)  # 5-decimal file


def test_calibrate_keeps_totals_and_caps_on_a_small_case() -> None:
    """Hand-checkable case: one oblast of 1,000 children, two districts, one known."""
    targets = pd.DataFrame({"children": [1000], "child_share": [0.5]}, index=["KZ-99"])
    districts = pd.DataFrame({"code": ["KZ990001", "KZ990002"], "parent_code": "KZ-99"})
    places = pd.DataFrame({"population": [1200, 100], "unit_code": "KZ-99",
                           "district_code": ["KZ990001", "KZ990002"]})
    known = pd.Series({"KZ990001": 800})  # expected children there: 400
    kids, dispersed = demand_model.calibrate(places, districts, targets, known)
    assert kids.tolist() == [400, 50]  # 600 capped to the district's 400
    assert dispersed.to_dict() == {"KZ990001": 0, "KZ990002": 550}
    assert kids.sum() + dispersed.sum() == 1000


def test_known_places(settlements) -> None:
    s = settlements.set_index("settlement_id")
    assert s.loc["gn:1518980", ["name", "unit_2014", "unit_2018", "unit_2022"]].tolist() == [
        "Shymkent", "KZ-51", "KZ-79", "KZ-79"]
    assert s.loc["gn:1517721", "unit_2022"] == "KZ-10"  # Urzhar: Abai (GeoNames codes it 15)


def test_assign_units_snaps_and_fills_holes() -> None:
    units = gpd.GeoDataFrame({"code": ["A", "B"]},
                             geometry=[box(0, 0, 1, 1).difference(box(0.4, 0.4, 0.6, 0.6)),
                                       box(1, 0, 2, 1)], crs=4326)
    pts = gpd.GeoDataFrame(geometry=[Point(0.2, 0.5), Point(1.5, 0.5), Point(2.01, 0.5),
                                     Point(0.5, 0.5), Point(3, 0.5)], crs=4326)
    codes, counts = assign_units(pts, units, snap_km=5.0)
    assert codes.tolist()[:4] == ["A", "B", "B", "A"] and codes.isna().tolist()[4]
    assert counts == {"snapped": 1, "in_hole": 1}


def test_russian_name_prefers_russian() -> None:
    assert russian_name(["Semey", "Семей", "Семейқала"]) == "Семей"
    assert russian_name(["Өскемен", "Oskemen"]) == "Өскемен"
    assert russian_name(["Latin only"]) is None
