"""geo.validate on in-memory frames: aliases, coercion, allowed values, ids, geometry checks."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from geo.schema import INSTITUTION_TYPES, LAYERS
from geo.validate import (
    VALUE_ALIASES,
    Problem,
    clean,
    normalise_pcode,
    validate,
)

ALMATY = Point(76.95, 43.25)
ASTANA = Point(71.43, 51.13)


def institutions(**overrides) -> gpd.GeoDataFrame:
    """Two valid institutions; keyword overrides replace whole columns."""
    data = {
        "institution_id": ["i1", "i2"],
        "name": ["Baby home 1", "Children's home 2"],
        "type": ["baby_home", "childrens_home"],
        "capacity": [50, 80],
        "children": [30, 60],
        "year": [2021, 2021],
        "country": ["KZ", "KZ"],
    }
    data.update(overrides)
    geometry = data.pop("geometry", [ALMATY, ASTANA])
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_valid_frame_has_no_problems_and_keeps_values():
    gdf, problems = clean(institutions(), "institutions", "mem")
    assert problems == []
    assert list(gdf["capacity"]) == [50, 80]
    assert gdf.crs == "EPSG:4326"
    assert list(gdf.columns) == [f.name for f in LAYERS["institutions"].fields] + ["geometry"]
    assert not gdf["demo"].any()  # optional bool defaults to False


def test_problem_str_reads_file_row_field_message():
    p = Problem("institutions.csv", 7, "capacity", "'abc' is not a whole number")
    assert str(p) == "institutions.csv: row 7, field 'capacity': 'abc' is not a whole number"
    assert str(Problem("x.gpkg", None, None, "file is empty")) == "x.gpkg: file is empty"


def test_bad_whole_number_names_row_and_field():
    problems = validate(institutions(capacity=["50", "abc"]), "institutions", "institutions.csv")
    assert messages(problems) == [
        "institutions.csv: row 2, field 'capacity': 'abc' is not a whole number"]


def test_fraction_is_not_a_whole_number_but_spaces_and_decimal_comma_parse():
    gdf, problems = clean(institutions(capacity=["1 200", "12.5"],
                                       children=["3", "4,0"]), "institutions")
    assert messages(problems) == ["<data>: row 2, field 'capacity': '12.5' is not a whole number"]
    assert gdf["capacity"].iloc[0] == 1200
    assert list(gdf["children"]) == [3, 4]


def test_huge_whole_number_is_too_large_not_a_crash():
    problems = validate(institutions(children=["9.223372036854776e+18", "5"]), "institutions",
                        "f")
    assert [str(p) for p in problems] == [
        "f: row 1, field 'children': '9.223372036854776e+18' is too large"]


def test_minimum_and_maximum():
    problems = validate(institutions(children=[-1, 5], year=[2021, 2150]), "institutions", "f")
    assert messages(problems) == ["f: row 1, field 'children': -1 is below the minimum 0",
                                  "f: row 2, field 'year': 2150 is above the maximum 2100"]


def test_missing_required_column_lists_headers_found():
    frame = institutions().drop(columns=["capacity"])
    problems = validate(frame, "institutions", "reg.csv")
    assert len(problems) == 1
    assert problems[0].field == "capacity" and problems[0].row is None
    assert "missing required column 'capacity'" in str(problems[0])
    assert "headers found: institution_id, name, type, children, year, country" in str(problems[0])


def test_missing_value_in_required_column():
    problems = validate(institutions(name=["A", None]), "institutions", "f")
    assert messages(problems) == ["f: row 2, field 'name': missing value"]


def test_duplicate_ids_name_both_rows():
    problems = validate(institutions(institution_id=["i1", "i1"]), "institutions", "f")
    assert messages(problems) == ["f: row 2, field 'institution_id': duplicate id 'i1' "
                                  "(first used in row 1)"]


def test_cyrillic_headers_and_russian_type_names_are_mapped():
    frame = gpd.GeoDataFrame({
        "ИД": ["a", "b"], " Название ": ["Дом ребенка", "Интернат"],
        "Тип": ["Дом ребёнка", "школа-интернат для детей с ограниченными возможностями"],
        "Мощность": [40, 100], "Воспитанники": [20, 90], "Год": [2020, 2020],
        "Страна": ["Казахстан", "kz"],
    }, geometry=[ALMATY, ASTANA], crs="EPSG:4326")
    gdf, problems = clean(frame, "institutions")
    assert problems == []
    assert list(gdf["type"]) == ["baby_home", "boarding_school_disability"]
    assert list(gdf["country"]) == ["KZ", "KZ"]
    assert list(gdf["institution_id"]) == ["a", "b"]


@pytest.mark.parametrize("spelling, canonical", [
    ("детский дом", "childrens_home"),
    ("Детская деревня семейного типа", "family_type_home"),
    ("школа-интернат", "boarding_school_general"),
    ("Baby Home", "baby_home"),
])
def test_type_spellings(spelling, canonical):
    gdf, problems = clean(institutions(type=[spelling, "baby_home"]), "institutions")
    assert problems == [] and gdf["type"].iloc[0] == canonical


def test_value_aliases_only_map_to_allowed_values():
    for field_name, mapping in VALUE_ALIASES.items():
        allowed = {f.allowed for s in LAYERS.values() for f in s.fields if f.name == field_name}
        for target in mapping.values():
            assert any(target in a for a in allowed if a), (field_name, target)
    assert set(VALUE_ALIASES["type"].values()) == set(INSTITUTION_TYPES)


def test_unknown_type_lists_allowed_values():
    problems = validate(institutions(type=["baby_home", "prison"]), "institutions", "f")
    assert len(problems) == 1 and problems[0].row == 2 and problems[0].field == "type"
    assert "'prison' is not one of: baby_home, childrens_home" in problems[0].message


def test_centre_kind_in_russian():
    frame = gpd.GeoDataFrame({"centre_id": ["c1"], "name": ["ЦПС"],
                              "вид": ["Центр поддержки семьи"], "year": [2024],
                              "country": ["KZ"]}, geometry=[ALMATY], crs="EPSG:4326")
    gdf, problems = clean(frame, "centres")
    assert problems == [] and gdf["kind"].iloc[0] == "family_support_centre"


def test_two_columns_meaning_one_field_is_a_problem():
    frame = institutions()
    frame["ид"] = ["x", "y"]
    frame = frame.rename(columns={"institution_id": "id"})
    problems = validate(frame, "institutions", "f")
    assert len(problems) == 1 and problems[0].field == "institution_id"
    assert "'id'" in problems[0].message and "'ид'" in problems[0].message


def test_bool_spellings_and_bad_bool():
    gdf, problems = clean(institutions(demo=["да", "no"]), "institutions")
    assert problems == [] and list(gdf["demo"]) == [True, False]
    problems = validate(institutions(demo=["yes", "maybe"]), "institutions", "f")
    assert messages(problems)[0].startswith("f: row 2, field 'demo': 'maybe' is not true/false")


def test_missing_and_empty_geometry_reported_per_row():
    problems = validate(institutions(geometry=[None, Point()]), "institutions", "f")
    assert messages(problems) == ["f: row 1, field 'geometry': missing geometry",
                                  "f: row 2, field 'geometry': empty geometry"]


def test_wrong_geometry_type_for_layer_is_one_file_level_problem():
    problems = validate(institutions(geometry=[box(0, 0, 1, 1), box(1, 1, 2, 2)]),
                        "institutions", "f")
    assert len(problems) == 1 and problems[0].row is None
    assert "Polygon" in problems[0].message and "needs Point" in problems[0].message


def test_invalid_polygon_is_repaired_with_a_note():
    bowtie = Polygon([(70, 45), (72, 47), (72, 45), (70, 47)])
    frame = gpd.GeoDataFrame({"code": ["KZ-10"], "name_en": ["Bowtie"]},
                             geometry=[bowtie], crs="EPSG:4326")
    gdf, problems = clean(frame, "boundaries", "b.geojson")
    assert [p.level for p in problems] == ["note"]
    assert "repaired invalid geometry (Self-intersection" in str(problems[0])
    assert gdf.geometry.iloc[0].is_valid
    assert gdf.geometry.iloc[0].area == pytest.approx(bowtie.buffer(0).area * 2, rel=0.01)


def test_projected_coordinates_without_crs_is_one_clear_problem():
    frame = institutions(geometry=[Point(500000, 4800000), Point(510000, 4810000)])
    frame = frame.set_crs(None, allow_override=True)
    problems = validate(frame, "institutions", "f")
    assert len(problems) == 1
    assert "not longitude/latitude" in problems[0].message and "--crs" in problems[0].message


def test_reprojected_frame_validates():
    frame = institutions().to_crs("EPSG:32642")
    assert validate(frame, "institutions", "f") == []


def test_points_outside_country_reported_with_coordinates():
    kz = box(46, 40, 88, 56)
    problems = validate(institutions(geometry=[ALMATY, Point(69.2, 39.0)]), "institutions", "f",
                        country="KZ", country_shape=kz)
    assert messages(problems) == ["f: row 2, field 'geometry': point (lon 69.20000, lat 39.00000) "
                                  "is outside KZ"]


def test_swapped_latitude_longitude_hinted():
    kz = box(46, 40, 88, 56)
    problems = validate(institutions(geometry=[ALMATY, Point(51.13, 71.43)]), "institutions",
                        "f", country="KZ", country_shape=kz)
    assert "look swapped" in problems[0].message


def test_country_argument_fills_missing_country_column_and_flags_others():
    frame = institutions().drop(columns=["country"])
    gdf, problems = clean(frame, "institutions", country="KZ")
    assert problems == [] and list(gdf["country"]) == ["KZ", "KZ"]
    problems = validate(institutions(country=["KZ", "UZ"]), "institutions", "f", country="KZ")
    assert messages(problems) == ["f: row 2, field 'country': 'UZ' is not KZ"]


@pytest.mark.parametrize("raw, code", [("KZ10", "KZ-10"), ("KZ010", "KZ-10"), ("kz-75", "KZ-75"),
                                       ("KZ_71", "KZ-71"), ("KG-B", "KG-B"), ("UZ03", "UZ-03")])
def test_normalise_pcode(raw, code):
    assert normalise_pcode(raw) == code


def test_cod_ab_columns_become_boundaries():
    frame = gpd.GeoDataFrame({
        "ADM0_EN": ["Kazakhstan"], "ADM0_PCODE": ["KZ"], "ADM1_EN": ["Abai"],
        "ADM1_KK": ["Абай облысы"], "ADM1_RU": ["область Абай"], "ADM1_PCODE": ["KZ010"],
        "ADM1_REF": [None], "date": [pd.Timestamp("2022-06-08")], "validOn": ["2023-03-01"],
        "validTo": [None], "KATO": [100000000.0], "AREA_SQKM": [185000.0],
    }, geometry=[box(78, 47, 84, 51)], crs="EPSG:4326")
    gdf, problems = clean(frame, "boundaries", "cod.shp")
    assert problems == []
    row = gdf.iloc[0]
    assert (row["code"], row["kato"], row["name_en"], row["name_ru"], row["country"],
            row["version"], bool(row["approximate"])) == (
        "KZ-10", "100000000", "Abai", "область Абай", "KZ", 2023, False)


def test_unknown_layer():
    problems = validate(institutions(), "orphanages", "f")
    assert "unknown layer 'orphanages'" in str(problems[0])


def test_repair_of_unrepairable_point_like_polygon():
    sliver = Polygon([(70, 45), (71, 45), (72, 45)])  # zero area: nothing polygonal remains
    frame = gpd.GeoDataFrame({"code": ["KZ-11"], "name_en": ["Line"]},
                             geometry=[sliver], crs="EPSG:4326")
    problems = validate(frame, "boundaries", "f")
    assert len(problems) == 1 and problems[0].is_error
    assert "cannot be repaired" in problems[0].message
    assert not shapely.is_valid(sliver)


def test_unhashable_property_values_are_reported_not_crashing():
    problems = validate(institutions(capacity=[[1, 2], 80]), "institutions", "f.geojson")
    assert [str(p) for p in problems] == [
        "f.geojson: row 1, field 'capacity': '[1, 2]' is not a whole number"]


def test_bundled_layers_validate_and_sloppy_copies_do_not():
    from geo import layers

    for name in ("institutions", "centres", "foster", "settlements"):
        gdf = getattr(layers, f"load_{name}")()
        assert validate(gdf, name, name) == [], name
    kz = layers.load_boundaries("KZ", 2022)
    assert validate(kz, "boundaries", "kz_2022") == []
    broken = layers.load_institutions().head(3).copy()
    broken["capacity"] = broken["capacity"].astype(object)
    broken.loc[broken.index[1], "capacity"] = "много"
    assert [(p.row, p.field) for p in validate(broken, "institutions", "x")] == [(2, "capacity")]
