"""Bundled boundary layers: topology per version, codes, derived units, crosswalk, translate."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPoint, Point, box

from geo import layers
from geo.schema import BOUNDARIES
from scripts.build_boundaries import label_parts, voronoi_split

EQUAL_AREA = "EPSG:6933"
TOL_KM2 = 1.0
KZ_2014 = {"KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-35", "KZ-39", "KZ-43",
           "KZ-47", "KZ-51", "KZ-55", "KZ-59", "KZ-63", "KZ-71", "KZ-75"}
KZ_2018 = (KZ_2014 - {"KZ-51"}) | {"KZ-61", "KZ-79"}
KZ_2022 = KZ_2018 | {"KZ-10", "KZ-33", "KZ-62"}
EXPECTED = {2014: KZ_2014, 2018: KZ_2018, 2022: KZ_2022}
APPROXIMATE = {2014: set(), 2018: {"KZ-61", "KZ-79"},
               2022: {"KZ-61", "KZ-79", "KZ-10", "KZ-63", "KZ-33", "KZ-19", "KZ-62", "KZ-35"}}
OTHER_COUNTS = {"KG": 8, "TJ": 5, "TM": 5, "UZ": 14}
# settlement -> the unit it is the centre of, in the version where that unit exists
CENTRES = {"gn:1519422": ("KZ-10", 2022), "gn:1518542": ("KZ-33", 2022),
           "gn:1516589": ("KZ-62", 2022), "gn:1518980": ("KZ-79", 2018)}


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    return gdf.geometry.to_crs(EQUAL_AREA)


@pytest.fixture(scope="module")
def outline_km2() -> shapely.Geometry:
    return shapely.union_all(_metric(layers.load_boundaries("KZ", 2014)).to_numpy())


def _max_overlap_km2(gdf: gpd.GeoDataFrame) -> float:
    geoms = _metric(gdf).to_numpy()
    worst = 0.0
    for i, j in itertools.combinations(range(len(geoms)), 2):
        if geoms[i].intersects(geoms[j]):
            worst = max(worst, geoms[i].intersection(geoms[j]).area / 1e6)
    return worst


@pytest.mark.parametrize("version", [2014, 2018, 2022])
def test_kz_version_topology(version: int, outline_km2) -> None:
    gdf = layers.load_boundaries("KZ", version)
    assert set(gdf["code"]) == EXPECTED[version] and gdf["code"].is_unique
    assert len(gdf) == {2014: 16, 2018: 17, 2022: 20}[version]
    assert gdf.crs.to_epsg() == 4326
    assert [f.name for f in BOUNDARIES.fields] == [c for c in gdf.columns if c != "geometry"]
    assert gdf.is_valid.all() and _metric(gdf).is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert _max_overlap_km2(gdf) < TOL_KM2
    union = shapely.union_all(_metric(gdf).to_numpy())
    assert union.symmetric_difference(outline_km2).area / 1e6 < TOL_KM2
    assert (gdf["version"] == version).all() and (gdf["country"] == "KZ").all()
    assert set(gdf.loc[gdf["approximate"], "code"]) == APPROXIMATE[version]
    assert (gdf["kato"] == gdf["code"].str[3:] + "0000000").all()
    assert gdf[["name_en", "name_kk", "name_ru"]].notna().all().all()


def test_new_centres_inside_their_units() -> None:
    settlements = layers.load_settlements("KZ").set_index("settlement_id")
    for sid, (code, version) in CENTRES.items():
        gdf = layers.load_boundaries("KZ", version).set_index("code")
        assert gdf.loc[code, "geometry"].contains(settlements.loc[sid, "geometry"]), sid


def test_unchanged_units_are_identical_across_versions() -> None:
    base = layers.load_boundaries("KZ", 2014).set_index("code").geometry
    for version in (2018, 2022):
        gdf = layers.load_boundaries("KZ", version).set_index("code").geometry
        for code in KZ_2014 - {"KZ-51", "KZ-63", "KZ-19", "KZ-35"}:
            assert gdf[code].equals(base[code]), (version, code)


def test_derived_units_partition_their_parents() -> None:
    old = layers.load_boundaries("KZ", 2014).set_index("code")
    k18 = layers.load_boundaries("KZ", 2018).set_index("code")
    k22 = layers.load_boundaries("KZ", 2022).set_index("code")
    shymkent_km2 = gpd.GeoSeries([k18.loc["KZ-79", "geometry"]], crs=4326).to_crs(
        EQUAL_AREA).area.iloc[0] / 1e6
    assert abs(shymkent_km2 - 1170.0) < 12.0
    pieces = {"KZ-51": [k18.loc["KZ-61", "geometry"], k18.loc["KZ-79", "geometry"]],
              "KZ-63": [k22.loc["KZ-10", "geometry"], k22.loc["KZ-63", "geometry"]],
              "KZ-19": [k22.loc["KZ-33", "geometry"], k22.loc["KZ-19", "geometry"]],
              "KZ-35": [k22.loc["KZ-62", "geometry"], k22.loc["KZ-35", "geometry"]]}
    for parent, parts in pieces.items():
        whole = gpd.GeoSeries([old.loc[parent, "geometry"]], crs=4326).to_crs(EQUAL_AREA)[0]
        got = gpd.GeoSeries([shapely.union_all(parts)], crs=4326).to_crs(EQUAL_AREA)[0]
        assert whole.symmetric_difference(got).area / 1e6 < TOL_KM2, parent
        assert all(part.geom_type == "Polygon" for part in parts), parent  # contiguous


@pytest.mark.parametrize("cc", sorted(OTHER_COUNTS))
def test_other_countries(cc: str) -> None:
    gdf = layers.load_boundaries(cc)
    assert len(gdf) == OTHER_COUNTS[cc] and gdf["code"].is_unique
    assert gdf["code"].str.fullmatch(rf"{cc}-[A-Z]{{1,2}}").all()
    assert gdf.is_valid.all() and (gdf["country"] == cc).all() and (gdf["version"] == 2014).all()
    assert not gdf["approximate"].any() and gdf["name_en"].notna().all()
    assert _max_overlap_km2(gdf) < TOL_KM2


def test_crosswalk_shares_sum_to_one_and_match_areas() -> None:
    cw = layers.load_crosswalk("KZ")
    pairs = set(zip(cw["from_version"], cw["to_version"]))
    assert pairs == set(itertools.permutations((2014, 2018, 2022), 2))
    assert (cw["area_share"] > 0).all() and (cw["area_share"] <= 1 + 1e-9).all()
    for (a, b), rows in cw.groupby(["from_version", "to_version"]):
        frm = layers.load_boundaries("KZ", a).set_index("code")
        to = layers.load_boundaries("KZ", b).set_index("code")
        assert set(rows["from_code"]) == set(frm.index) and set(rows["to_code"]) <= set(to.index)
        sums = rows.groupby("from_code")["area_share"].sum()
        assert ((sums - 1).abs() < 1e-6).all()
        # area conservation: FROM areas reallocated by share rebuild each TO unit's area
        from_km2 = _metric(frm.reset_index()).area.set_axis(frm.index) / 1e6
        to_km2 = _metric(to.reset_index()).area.set_axis(to.index) / 1e6
        rebuilt = (rows["from_code"].map(from_km2) * rows["area_share"]).groupby(
            rows["to_code"]).sum()
        assert ((rebuilt - to_km2.loc[rebuilt.index]).abs() < TOL_KM2).all(), (a, b)


def test_translate_reallocates_and_round_trips() -> None:
    old = layers.load_boundaries("KZ", 2014)
    values = pd.Series(range(100, 100 + len(old)), index=old["code"], dtype=float)
    new = layers.translate(values, 2014, 2022)
    assert set(new.index) == KZ_2022
    assert new.sum() == pytest.approx(values.sum())
    back = layers.translate(new, 2022, 2014)
    assert back.sum() == pytest.approx(values.sum())
    pd.testing.assert_series_equal(back.sort_index(), values.sort_index(), check_names=False)
    south = layers.translate(pd.Series({"KZ-51": 1000.0}), 2014, 2022)
    assert set(south.index) == {"KZ-61", "KZ-79"} and south.sum() == pytest.approx(1000.0)
    assert south["KZ-61"] > south["KZ-79"] > 0


def test_translate_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="KZ-61"):
        layers.translate(pd.Series({"KZ-61": 1.0}), 2014, 2022)  # Turkistan is not a 2014 unit
    with pytest.raises(ValueError, match="missing"):
        layers.translate(pd.Series({"KZ-51": float("nan")}), 2014, 2022)
    with pytest.raises(ValueError):
        layers.translate(pd.Series({"KZ-51": 1.0}), 2014, 2030)


def test_voronoi_split_partitions_and_respects_labels() -> None:
    parent = box(0, 40, 10, 50)
    pts = [Point(1, 41), Point(2, 48), Point(3, 45), Point(8, 42), Point(9, 49), Point(7, 45),
           Point(8.5, 45.5)]
    seeds = gpd.GeoDataFrame(geometry=pts, crs=4326)
    # the last seed is an isolated "mis-coded" one: its cell must be absorbed by the east piece
    is_new = pd.Series([True, True, True, False, False, False, True])
    new, rest = voronoi_split(parent, seeds, is_new)
    assert new.geom_type == rest.geom_type == "Polygon"
    assert new.intersection(rest).area < 1e-9
    assert new.union(rest).symmetric_difference(parent).area < 1e-9
    assert all(new.contains(p) for p in pts[:3]) and all(rest.contains(p) for p in pts[3:])
    assert MultiPoint(pts[:3]).within(new)


def test_label_parts_uses_codes_names_and_neighbours() -> None:
    seeds = gpd.GeoDataFrame(
        {"admin1code": ["NEW", "15", "15", "00"],
         "name": ["Semey", "Oskemen", "Urzhar", "Village"]},
        geometry=[Point(80, 50), Point(82, 50), Point(81.6, 47.1), Point(80.1, 50.1)], crs=4326)
    label = label_parts(seeds, "NEW", ("Urzhar",))
    assert label.tolist() == [True, False, True, True]


def test_translate_by_population_matches_settlement_sums() -> None:
    s = layers.load_settlements("KZ")
    south = s[s["unit_2014"] == "KZ-51"]
    want = south.groupby("unit_2022")["population"].sum() / south["population"].sum() * 1000
    got = layers.translate(pd.Series({"KZ-51": 1000.0}), 2014, 2022, weights="population")
    pd.testing.assert_series_equal(got.sort_index(), want.astype(float).sort_index(),
                                   check_names=False, check_index_type=False)
    old = layers.load_boundaries("KZ", 2014)
    values = pd.Series(1.0, index=old["code"])
    for a, b in itertools.permutations((2014, 2018, 2022), 2):
        frm = layers.load_boundaries("KZ", a)["code"]
        moved = layers.translate(pd.Series(1.0, index=frm), a, b, weights="population")
        assert moved.sum() == pytest.approx(len(frm))
    with pytest.raises(ValueError, match="weights"):
        layers.translate(values, 2014, 2022, weights="households")
