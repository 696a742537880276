"""Bundled boundary layers: official polygons per version and level, the derived 2014 division,
browser copies, crosswalk and translate — checked against the official geokz files themselves."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import layers
from geo.schema import BOUNDARIES

EQUAL_AREA = "EPSG:6933"
SOURCE = layers.BOUNDARY_DIR / "source"
TOL_KM2 = 1.0
KZ_2022 = {"KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35",
           "KZ-39", "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71",
           "KZ-75", "KZ-79"}
KZ_2018 = KZ_2022 - {"KZ-10", "KZ-33", "KZ-62"}
KZ_2014 = (KZ_2018 - {"KZ-61", "KZ-79"}) | {"KZ-51"}
EXPECTED = {2014: KZ_2014, 2018: KZ_2018, 2022: KZ_2022}
DISTRICTS = {2014: 216, 2018: 216, 2022: 224}
OFFICIAL = {2022: "2024", 2018: "2018"}
OTHER_COUNTS = {"KG": 8, "TJ": 5, "TM": 5, "UZ": 14}
# settlement -> the unit it is the centre of, in the version where that unit exists
CENTRES = {"gn:1519422": ("KZ-10", 2022), "gn:1518542": ("KZ-33", 2022),
           "gn:1516589": ("KZ-62", 2022), "gn:1518980": ("KZ-79", 2018)}


def _km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(EQUAL_AREA).area.iloc[0]) / 1e6


@pytest.mark.parametrize("version", [2014, 2018, 2022])
@pytest.mark.parametrize("level", ["oblast", "district"])
def test_kz_version_topology(version: int, level: str) -> None:
    gdf = layers.load_boundaries("KZ", version, level)
    assert [f.name for f in BOUNDARIES.fields] == [c for c in gdf.columns if c != "geometry"]
    assert gdf["code"].is_unique and gdf.crs.to_epsg() == 4326
    assert gdf.is_valid.all() and set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapely.coverage_is_valid(gdf.geometry.to_numpy())  # no overlaps between units
    assert (gdf["version"] == version).all() and (gdf["level"] == level).all()
    assert (gdf["derived"] == (version == 2014)).all() and not gdf["approximate"].any()
    assert gdf["kato"].str.fullmatch(r"\d{9}").all()
    assert gdf[["name_en", "name_kk", "name_ru"]].notna().all().all()
    if level == "oblast":
        assert set(gdf["code"]) == EXPECTED[version] and gdf["parent_code"].isna().all()
        assert (gdf["kato"] == gdf["code"].str[3:] + "0000000").all()
    else:
        assert len(gdf) == DISTRICTS[version]
        assert set(gdf["parent_code"]) == EXPECTED[version]
        assert gdf["code"].str.fullmatch(r"KZ\d{6}").all()
        assert (gdf["kato"].str[:6] == gdf["code"].str[2:]).all()


@pytest.mark.parametrize("version", [2014, 2018, 2022])
def test_districts_nest_in_their_oblast(version: int) -> None:
    oblasts = layers.load_boundaries("KZ", version).set_index("code").geometry
    districts = layers.load_boundaries("KZ", version, "district")
    for row in districts.itertuples():
        inside = row.geometry.intersection(oblasts[row.parent_code]).area / row.geometry.area
        assert inside > 0.99, (row.code, row.parent_code, inside)
    whole = shapely.union_all(oblasts.to_numpy())
    assert _km2(shapely.union_all(districts.geometry.to_numpy()).symmetric_difference(whole)) \
        < 50.0  # the two official files agree on the outline to within 50 km2 of 2.7 million


@pytest.mark.parametrize("version", [2018, 2022])
@pytest.mark.parametrize("level", ["oblast", "district"])
def test_bundled_units_match_the_official_files(version: int, level: str) -> None:
    """IoU of every bundled unit against the official polygon with the same KATO >= 0.99."""
    adm = "adm1" if level == "oblast" else "adm2"
    official = gpd.read_file(SOURCE / f"kaz_admbnda_{adm}_{OFFICIAL[version]}.shp")
    official = official.set_index("KATO").geometry.make_valid()
    ours = layers.load_boundaries("KZ", version, level).set_index("kato").geometry
    assert set(ours.index) == set(official.index)
    for kato, geom in ours.items():
        ref = official[kato]
        iou = geom.intersection(ref).area / geom.union(ref).area
        assert iou >= 0.99, (kato, iou)


def test_2014_is_2018_with_shymkent_back_in_south_kazakhstan() -> None:
    k14 = layers.load_boundaries("KZ", 2014).set_index("code")
    k18 = layers.load_boundaries("KZ", 2018).set_index("code")
    south = k14.loc["KZ-51", "geometry"]
    parts = shapely.union_all([k18.loc["KZ-61", "geometry"], k18.loc["KZ-79", "geometry"]])
    assert _km2(south.symmetric_difference(parts)) < TOL_KM2
    for code in KZ_2014 - {"KZ-51"}:
        assert k14.loc[code, "geometry"].equals(k18.loc[code, "geometry"]), code
    d14 = layers.load_boundaries("KZ", 2014, "district").set_index("code")
    d18 = layers.load_boundaries("KZ", 2018, "district").set_index("code")
    moved = d18["parent_code"].isin(["KZ-61", "KZ-79"])
    assert (d14.loc[moved[moved].index, "parent_code"] == "KZ-51").all()
    assert (d14.loc[moved[~moved].index, "parent_code"] == d18.loc[~moved, "parent_code"]).all()


def test_centres_inside_their_units() -> None:
    settlements = layers.load_settlements("KZ").set_index("settlement_id")
    for sid, (code, version) in CENTRES.items():
        gdf = layers.load_boundaries("KZ", version).set_index("code")
        assert gdf.loc[code, "geometry"].contains(settlements.loc[sid, "geometry"]), sid


@pytest.mark.parametrize("cc,version,level", [("KZ", v, lv) for v in (2014, 2018, 2022)
                                              for lv in ("oblast", "district")]
                         + [(cc, 2014, "oblast") for cc in OTHER_COUNTS])
def test_browser_copies_are_small_edge_to_edge_and_close(cc: str, version: int,
                                                         level: str) -> None:
    path = layers.DISPLAY_DIR / f"{cc.lower()}_{version}_{level}.geojson"
    assert path.stat().st_size < 2_000_000
    shown = layers.load_display_boundaries(cc, version, level).set_index("code").geometry
    full = layers.load_boundaries(cc, version, level).set_index("code").geometry
    assert set(shown.index) == set(full.index)
    assert shapely.coverage_is_valid(shown.to_numpy(), gap_width=0.0)
    assert full.is_valid.all()
    for code, geom in shown.items():
        iou = geom.intersection(full[code]).area / geom.union(full[code]).area
        assert iou > 0.9, (code, iou)


@pytest.mark.parametrize("cc", sorted(OTHER_COUNTS))
def test_other_countries(cc: str) -> None:
    gdf = layers.load_boundaries(cc)
    assert layers.boundary_levels(cc) == ["oblast"]
    assert len(gdf) == OTHER_COUNTS[cc] and gdf["code"].is_unique
    assert gdf["code"].str.fullmatch(rf"{cc}-[A-Z]{{1,2}}").all()
    assert gdf.is_valid.all() and (gdf["country"] == cc).all() and (gdf["version"] == 2014).all()
    assert not gdf["approximate"].any() and gdf["name_en"].notna().all()


@pytest.mark.parametrize("level", ["oblast", "district"])
def test_crosswalk_shares_sum_to_one_and_match_areas(level: str) -> None:
    cw = layers.load_crosswalk("KZ", level)
    pairs = set(zip(cw["from_version"], cw["to_version"]))
    assert pairs == set(itertools.permutations((2014, 2018, 2022), 2))
    assert (cw["area_share"] > 0).all() and (cw["area_share"] <= 1 + 1e-9).all()
    for (a, b), rows in cw.groupby(["from_version", "to_version"]):
        frm = layers.load_boundaries("KZ", a, level).set_index("code")
        to = layers.load_boundaries("KZ", b, level).set_index("code")
        assert set(rows["from_code"]) == set(frm.index) and set(rows["to_code"]) <= set(to.index)
        sums = rows.groupby("from_code")["area_share"].sum()
        assert ((sums - 1).abs() < 1e-6).all()
        # area conservation: FROM areas reallocated by share rebuild each TO unit's area
        from_km2 = frm.geometry.to_crs(EQUAL_AREA).area / 1e6
        to_km2 = to.geometry.to_crs(EQUAL_AREA).area / 1e6
        rebuilt = (rows["from_code"].map(from_km2) * rows["area_share"]).groupby(
            rows["to_code"]).sum()
        assert ((rebuilt - to_km2.loc[rebuilt.index]).abs() < 20.0).all(), (a, b)


def test_translate_reallocates_and_round_trips() -> None:
    old = layers.load_boundaries("KZ", 2014)
    values = pd.Series(range(100, 100 + len(old)), index=old["code"], dtype=float)
    new = layers.translate(values, 2014, 2022)
    assert set(new.index) == KZ_2022
    assert new.sum() == pytest.approx(values.sum())
    back = layers.translate(new, 2022, 2014)
    assert back.sum() == pytest.approx(values.sum())
    south = layers.translate(pd.Series({"KZ-51": 1000.0}), 2014, 2022)
    assert set(south.index) == {"KZ-61", "KZ-79"} and south.sum() == pytest.approx(1000.0)
    k18 = layers.load_boundaries("KZ", 2018).set_index("code").geometry
    share = _km2(k18["KZ-79"]) / (_km2(k18["KZ-79"]) + _km2(k18["KZ-61"]))
    assert south["KZ-79"] == pytest.approx(1000.0 * share, rel=1e-3)


def test_translate_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="KZ-61"):
        layers.translate(pd.Series({"KZ-61": 1.0}), 2014, 2022)  # Turkistan is not a 2014 unit
    with pytest.raises(ValueError, match="missing"):
        layers.translate(pd.Series({"KZ-51": float("nan")}), 2014, 2022)
    with pytest.raises(ValueError):
        layers.translate(pd.Series({"KZ-51": 1.0}), 2014, 2030)
