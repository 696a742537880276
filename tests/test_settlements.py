"""Bundled settlements: counts recorded at build time, unit assignment, child estimates."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from geo import layers
from geo.layers import SNAP_KM, assign_units
from geo.schema import COUNTRIES, SETTLEMENTS
from scripts.build_settlements import (
    COUNTRY_CHILD_SHARE,
    KZ_NATIONAL_CHILD_SHARE,
    KZ_UNIT_CHILD_SHARE,
    russian_name,
)

STATS = json.loads((layers.DATA_DIR / "settlements" / "build_stats.json").read_text())
EQUAL_AREA = "EPSG:6933"


@pytest.fixture(scope="module")
def settlements() -> gpd.GeoDataFrame:
    return layers.load_settlements()


def test_counts_match_geonames_at_build(settlements) -> None:
    assert settlements["country"].value_counts().to_dict() == STATS["counts"]
    assert set(STATS["counts"]) == set(COUNTRIES)
    assert settlements["settlement_id"].is_unique
    assert settlements["settlement_id"].str.fullmatch(r"gn:\d+").all()


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
    within = units.set_index("code").geometry
    inside = np.array([within[c].contains(p) for p, c in zip(pts.geometry, codes)])
    # outside points: snapped (<= SNAP_KM) or inside a hole of their unit (Baikonur)
    holes = np.array([any(p.within(Polygon(r.exterior)) for r in
                          getattr(within[c], "geoms", [within[c]]))
                      for p, c in zip(pts.geometry, codes)])
    assert (inside | (dist <= SNAP_KM) | holes).all()
    key = f"{cc}_{version}"
    outside = ~inside
    assert outside.sum() == STATS["snapped"][key] + STATS["in_hole"][key]


def test_non_kz_have_no_kz_versions(settlements) -> None:
    other = settlements[settlements["country"] != "KZ"]
    assert other["unit_2018"].isna().all() and other["unit_2022"].isna().all()


def test_children_follow_shares(settlements) -> None:
    expected = np.round(settlements["population"] * settlements["child_share"]).astype(int)
    assert (settlements["children"] == expected).all()
    kz = settlements[settlements["country"] == "KZ"]
    want = kz["unit_2022"].map(KZ_UNIT_CHILD_SHARE).fillna(KZ_NATIONAL_CHILD_SHARE)
    assert np.allclose(kz["child_share"], want)
    assert (kz.loc[kz["unit_2022"] == "KZ-61", "child_share"] == 0.433).all()
    for cc, share in COUNTRY_CHILD_SHARE.items():
        assert (settlements.loc[settlements["country"] == cc, "child_share"] == share).all()


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
