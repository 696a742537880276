"""geo.io.read_layer: every format and encoding round-trips; every kind of bad input becomes
one clear problem naming the file (and the row and field where there is one)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from geo.io import read_layer
from geo.validate import LayerError

pytestmark = [  # writing test shapefiles: GDAL cuts long names and stores dates as text
    pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Field .* created as String field:RuntimeWarning"),
]

ROOT = Path(__file__).resolve().parents[1]
KZ_2022 = ROOT / "data" / "boundaries" / "source" / "kaz_admbnda_adm1_2024.shp"  # official

HEADER = ["institution_id", "name", "type", "capacity", "children", "year", "country", "lat",
          "lon"]
ROWS = [
    ["kz-001", "Дом ребенка Алматы", "baby_home", "60", "41", "2022", "KZ", "43.2389", "76.8897"],
    ["kz-002", "Детский дом Астана", "childrens_home", "80", "52", "2022", "KZ", "51.1605",
     "71.4704"],
    ["kz-003", "Школа-интернат Караганда", "boarding_school_general", "200", "150", "2021", "KZ",
     "49.8047", "73.1094"],
]
RU_HEADER = ["Ид", "Наименование", "Тип", "Вместимость", "Воспитанники", "Год", "Страна",
             "Широта", "Долгота"]
RU_TYPES = ["дом ребенка", "детский дом", "школа-интернат"]


def write_csv(path: Path, header=HEADER, rows=ROWS, delimiter=",", encoding="utf-8",
              decimal_comma=False) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        if decimal_comma:
            row = row[:-2] + [row[-2].replace(".", ","), row[-1].replace(".", ",")]
        writer.writerow(row)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def institutions_gdf(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    df = pd.DataFrame([r[:-2] for r in ROWS], columns=HEADER[:-2])
    geometry = [Point(float(r[-1]), float(r[-2])) for r in ROWS]
    return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326").to_crs(crs)


def assert_institutions(gdf: gpd.GeoDataFrame) -> None:
    """The three records of ROWS, canonical and in lon/lat."""
    assert list(gdf["institution_id"]) == ["kz-001", "kz-002", "kz-003"]
    assert list(gdf["type"]) == ["baby_home", "childrens_home", "boarding_school_general"]
    assert list(gdf["capacity"]) == [60, 80, 200]
    assert gdf["name"].iloc[0] == "Дом ребенка Алматы"
    assert gdf.crs == "EPSG:4326"
    assert gdf.geometry.iloc[0].x == pytest.approx(76.8897, abs=1e-6)
    assert gdf.geometry.iloc[0].y == pytest.approx(43.2389, abs=1e-6)


# --- good files ----------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter, encoding, decimal_comma, ext", [
    (",", "utf-8", False, ".csv"),
    (";", "utf-8-sig", True, ".csv"),
    ("\t", "utf-8", False, ".tsv"),
    ("|", "utf-8", False, ".txt"),
    ("\t", "utf-16", True, ".txt"),  # Excel's "Unicode text"
])
def test_csv_variants_round_trip(tmp_path, delimiter, encoding, decimal_comma, ext):
    path = write_csv(tmp_path / f"inst{ext}", delimiter=delimiter, encoding=encoding,
                     decimal_comma=decimal_comma)
    assert_institutions(read_layer(path, "institutions"))


def test_windows_1251_cyrillic_headers_and_values(tmp_path):
    rows = [[r[0], r[1], t, *r[3:]] for r, t in zip(ROWS, RU_TYPES)]
    path = write_csv(tmp_path / "реестр.csv", header=RU_HEADER, rows=rows, delimiter=";",
                     encoding="cp1251", decimal_comma=True)
    assert path.read_bytes().decode("cp1251")  # really Windows-1251, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert_institutions(read_layer(path, "institutions"))


def test_xlsx_round_trip_with_numbers_and_cyrillic_headers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(RU_HEADER)
    for r, t in zip(ROWS, RU_TYPES):
        sheet.append([r[0], r[1], t, int(r[3]), int(r[4]), int(r[5]), r[6], float(r[7]),
                      float(r[8])])
    path = tmp_path / "реестр.xlsx"
    book.save(path)
    assert_institutions(read_layer(path, "institutions"))


@pytest.mark.parametrize("driver, ext", [("GeoJSON", ".geojson"), ("GPKG", ".gpkg"),
                                         ("ESRI Shapefile", ".shp")])
def test_vector_formats_round_trip(tmp_path, driver, ext):
    path = tmp_path / f"institutions{ext}"
    institutions_gdf().to_file(path, driver=driver)
    assert_institutions(read_layer(path, "institutions"))


def test_zipped_projected_shapefile_is_reprojected(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    institutions_gdf("EPSG:32642").to_file(folder / "inst.shp")
    archive = tmp_path / "inst.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"export/{f.name}")
    gdf = read_layer(archive, "institutions")
    assert_institutions(gdf)
    assert any("reprojected from EPSG:32642" in n for n in gdf.attrs["notes"])


@pytest.mark.parametrize("crs", ["EPSG:32642",   # UTM 42N
                                 "EPSG:28413",   # Pulkovo 1942 / Gauss-Kruger zone 13
                                 "EPSG:4284"])   # Pulkovo 1942 geographic (datum shift only)
def test_csv_in_another_crs_with_crs_argument(tmp_path, crs):
    projected = institutions_gdf(crs)
    rows = [r[:-2] + [repr(p.y), repr(p.x)] for r, p in zip(ROWS, projected.geometry)]
    path = write_csv(tmp_path / "utm.csv", rows=rows)
    gdf = read_layer(path, "institutions", crs=crs)
    assert_institutions(gdf)
    assert gdf.attrs["notes"] == [f"{path}: note: reprojected from {crs} to EPSG:4326"]


def test_geojson_with_legacy_crs_member(tmp_path):
    data = json.loads(institutions_gdf("EPSG:3857").to_json())
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path = tmp_path / "inst.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_institutions(read_layer(path, "institutions"))


def test_shapefile_with_brackets_and_upper_case_extensions(tmp_path):
    institutions_gdf().to_file(tmp_path / "inst[2023].shp")
    for f in tmp_path.iterdir():
        f.rename(f.with_suffix(f.suffix.upper()))
    assert_institutions(read_layer(tmp_path / "inst[2023].SHP", "institutions"))


def test_shapefile_in_windows_1251_without_cpg(tmp_path):
    path = tmp_path / "inst.shp"
    institutions_gdf().to_file(path, encoding="cp1251")
    (tmp_path / "inst.cpg").unlink()
    assert "Дом".encode("cp1251") in (tmp_path / "inst.dbf").read_bytes()
    assert_institutions(read_layer(path, "institutions"))


def test_repaired_geometry_is_a_note_not_an_error(tmp_path):
    bowtie = shapely.Polygon([(70, 45), (72, 47), (72, 45), (70, 47)])
    gdf = gpd.GeoDataFrame({"code": ["KZ-35"], "name_en": ["Karaganda"]}, geometry=[bowtie],
                           crs="EPSG:4326")
    path = tmp_path / "b.geojson"
    gdf.to_file(path)
    out = read_layer(path, "boundaries")
    assert out.geometry.iloc[0].is_valid
    assert out.attrs["notes"] == [f"{path}: row 1, field 'geometry': note: repaired invalid "
                                  "geometry (Self-intersection[71 46])"]


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path):
    text = "\n".join([",".join(HEADER), ",".join(ROWS[0]), "", ",".join(ROWS[1]),
                      ",".join(ROWS[2]).replace(",200,", ",lots,")]) + "\n"
    path = tmp_path / "gaps.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerError) as err:
        read_layer(path, "institutions")
    assert [str(p) for p in err.value.problems] == [
        f"{path}: row 4, field 'capacity': 'lots' is not a whole number"]


# --- countries -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kz_outline():
    return shapely.union_all(read_layer(KZ_2022, "boundaries").geometry.values)


def test_points_outside_country_named_with_coordinates(tmp_path, kz_outline):
    rows = ROWS + [["kz-004", "Tashkent by mistake", "baby_home", "10", "5", "2022", "KZ",
                    "41.2995", "69.2401"]]
    path = write_csv(tmp_path / "inst.csv", rows=rows)
    with pytest.raises(LayerError) as err:
        read_layer(path, "institutions", country="KZ", country_shape=kz_outline)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: row 4, field 'geometry': point (lon 69.24010, lat 41.29950) is outside KZ"]
    assert len(read_layer(write_csv(tmp_path / "ok.csv"), "institutions", country="KZ",
                          country_shape=kz_outline)) == 3


def test_country_without_shape_uses_bundled_boundary(tmp_path):
    rows = ROWS + [["kz-004", "Moscow", "baby_home", "10", "5", "2022", "KZ", "55.75", "37.62"]]
    path = write_csv(tmp_path / "inst.csv", rows=rows)
    with pytest.raises(LayerError) as err:
        read_layer(path, "institutions", country="KZ")
    assert [(p.row, p.field) for p in err.value.problems] == [(4, "geometry")]


# --- OCHA COD-AB admin-1 boundaries ----------------------------------------------------------

def cod_ab(pcode_digits: int) -> gpd.GeoDataFrame:
    """kz_2022 re-dressed with the columns of an OCHA COD-AB admin-1 shapefile."""
    ours = read_layer(KZ_2022, "boundaries")
    codes = [c.split("-")[1].zfill(pcode_digits) for c in ours["code"]]
    return gpd.GeoDataFrame({
        "ADM0_EN": "Kazakhstan", "ADM0_PCODE": "KZ",
        "ADM1_EN": ours["name_en"], "ADM1_KK": ours["name_kk"], "ADM1_RU": ours["name_ru"],
        "ADM1_PCODE": [f"KZ{c}" for c in codes], "ADM1_REF": None,
        "date": pd.to_datetime("2023-01-19"), "validOn": pd.to_datetime("2023-03-01"),
        "validTo": pd.NaT, "KATO": ours["kato"], "AREA_SQKM": 1.0, "Shape_Leng": 1.0,
        "Shape_Area": 1.0,
    }, geometry=ours.geometry.values, crs="EPSG:4326"), ours


@pytest.mark.parametrize("digits, crs", [(2, "EPSG:4326"), (3, "EPSG:32642")])
def test_cod_ab_shapefile_loads_unchanged(tmp_path, digits, crs):
    source, ours = cod_ab(digits)
    path = tmp_path / "kaz_admbnda_adm1_2023.shp"
    source.to_crs(crs).to_file(path)
    assert (tmp_path / "kaz_admbnda_adm1_2023.prj").exists()
    gdf = read_layer(path, "boundaries")
    assert list(gdf["code"]) == list(ours["code"])
    assert list(gdf["kato"]) == list(ours["kato"])
    assert list(gdf["name_kk"]) == list(ours["name_kk"])
    assert set(gdf["country"]) == {"KZ"} and set(gdf["version"]) == {2023}
    assert not gdf["approximate"].any()
    area = gdf.to_crs("EPSG:6933").area.to_numpy()
    expected = ours.to_crs("EPSG:6933").area.to_numpy()
    assert area == pytest.approx(expected, rel=1e-3)


# --- bad input: one clear line each ---------------------------------------------------------

def _bytes(name: str, data: bytes):
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name
    return make


def _csv_rows(rows, header=HEADER, name="inst.csv"):
    return lambda tmp: write_csv(tmp / name, header=header, rows=rows)


def _with(index: int, col: int, value: str):
    rows = [list(r) for r in ROWS]
    rows[index][col] = value
    return rows


def _missing_dir(tmp: Path) -> Path:
    return tmp / "nowhere.csv"


def _folder(tmp: Path) -> Path:
    (tmp / "shapes").mkdir()
    return tmp / "shapes"


def _polygons_geojson(tmp: Path) -> Path:
    gpd.GeoDataFrame({"institution_id": ["a"]}, geometry=[box(70, 45, 71, 46)],
                     crs="EPSG:4326").to_file(tmp / "regions.geojson")
    return tmp / "regions.geojson"


def _zip_of(members: dict[str, bytes], name="bundle.zip"):
    def make(tmp: Path) -> Path:
        with zipfile.ZipFile(tmp / name, "w") as z:
            for member, data in members.items():
                z.writestr(member, data)
        return tmp / name
    return make


def _shapefile_without(ext: str):
    def make(tmp: Path) -> Path:
        institutions_gdf().to_file(tmp / "inst.shp")
        (tmp / f"inst{ext}").unlink()
        return tmp / "inst.shp"
    return make


def _two_shapefiles(tmp: Path) -> Path:
    for stem in ("a", "b"):
        institutions_gdf().to_file(tmp / f"{stem}.shp")
    with zipfile.ZipFile(tmp / "two.zip", "w") as z:
        for f in tmp.iterdir():
            if f.suffix != ".zip":
                z.write(f, f.name)
    return tmp / "two.zip"


def _gpkg_two_layers(tmp: Path) -> Path:
    for layer in ("schools", "homes"):
        institutions_gdf().to_file(tmp / "many.gpkg", layer=layer, driver="GPKG")
    return tmp / "many.gpkg"


def _xlsx_bad_type(tmp: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for r in _with(1, 2, "hospital"):
        book.active.append(r)
    book.save(tmp / "inst.xlsx")
    return tmp / "inst.xlsx"


def _excel_named_csv(tmp: Path) -> Path:
    openpyxl.Workbook().save(tmp / "inst.csv")
    return tmp / "inst.csv"


def _bad_feature_geojson(tmp: Path) -> Path:
    data = json.loads(institutions_gdf().to_json())
    data["features"][1]["geometry"] = {"type": "Point", "coordinates": ["a"]}
    (tmp / "inst.geojson").write_text(json.dumps(data))
    return tmp / "inst.geojson"


def _null_geometry_geojson(tmp: Path) -> Path:
    data = json.loads(institutions_gdf().to_json())
    data["features"][2]["geometry"] = None
    (tmp / "inst.geojson").write_text(json.dumps(data))
    return tmp / "inst.geojson"


def _projected_csv(tmp: Path) -> Path:
    p = institutions_gdf("EPSG:32642").geometry
    rows = [r[:-2] + [str(g.y), str(g.x)] for r, g in zip(ROWS, p)]
    return write_csv(tmp / "utm.csv", rows=rows)


_GARBAGE = bytes(range(256)) * 8

# (case id, make(tmp) -> path, layer, kwargs, expected row, expected field, message fragment)
BAD = [
    ("missing-file", _missing_dir, "institutions", {}, None, None, "file not found"),
    ("directory", _folder, "institutions", {}, None, None, "is a folder"),
    ("empty-file", _bytes("inst.csv", b""), "institutions", {}, None, None, "file is empty"),
    ("binary-garbage", _bytes("inst.csv", _GARBAGE), "institutions", {}, None, None,
     "binary file"),
    ("truncated-json", _bytes("inst.geojson", b'{"type": "FeatureCollection", "features": [{'),
     "institutions", {}, None, None, "not valid JSON (line 1"),
    ("deeply-nested-json", _bytes("inst.geojson", b"[" * 100000 + b"]" * 100000),
     "institutions", {}, None, None, "nested too deeply"),
    ("json-not-geojson", _bytes("inst.json", b'{"rows": [1, 2, 3]}'), "institutions", {}, None,
     None, "not a GeoJSON FeatureCollection"),
    ("wrong-geometry-type", _polygons_geojson, "institutions", {}, None, "geometry",
     "needs Point: is this the right file"),
    ("zip-without-shapefile", _zip_of({"readme.txt": b"hi", "notes.doc": b"x"}), "institutions",
     {}, None, None, "zip holds no shapefile (.shp); found: readme.txt, notes.doc"),
    ("zip-two-shapefiles", _two_shapefiles, "institutions", {}, None, None,
     "several shapefiles"),
    ("not-a-zip", _bytes("inst.zip", b"this is not a zip"), "institutions", {}, None, None,
     "not a valid zip archive"),
    ("shapefile-missing-dbf", _shapefile_without(".dbf"), "institutions", {}, None, None,
     "missing its .dbf file"),
    ("shapefile-missing-shx", _shapefile_without(".shx"), "institutions", {}, None, None,
     "missing its .shx file"),
    ("unknown-extension", _bytes("inst.docx", b"PK\x03\x04"), "institutions", {}, None, None,
     "unknown file type '.docx'"),
    ("old-excel", _bytes("inst.xls", b"\xd0\xcf\x11\xe0"), "institutions", {}, None, None,
     "old Excel"),
    ("xlsx-really-csv", lambda t: write_csv(t / "inst.xlsx"), "institutions", {}, None, None,
     "has an .xlsx name but is text (CSV)"),
    ("excel-named-csv", _excel_named_csv, "institutions", {}, None, None,
     "is a zip/Excel file, not text"),
    ("gpkg-not-sqlite", _bytes("inst.gpkg", b"hello world, not sqlite"), "institutions", {},
     None, None, "not a GeoPackage"),
    ("gpkg-ambiguous-layers", _gpkg_two_layers, "institutions", {}, None, None,
     "holds 2 layers (schools, homes) and none is called 'institutions'"),
    ("missing-required-column", _csv_rows([r[:3] + r[4:] for r in ROWS],
                                          header=HEADER[:3] + HEADER[4:]),
     "institutions", {}, None, "capacity",
     "missing required column 'capacity' (headers found: institution_id, name, type, "
     "children, year, country, lat, lon)"),
    ("no-coordinate-columns", _csv_rows([r[:-2] for r in ROWS], header=HEADER[:-2]),
     "institutions", {}, None, None, "no latitude and longitude column"),
    ("bad-coordinate", _csv_rows(_with(2, 7, "43°99'N")), "institutions", {}, 3, "lat",
     "'43°99'N' is not a coordinate"),
    ("missing-coordinate", _csv_rows(_with(0, 8, "")), "institutions", {}, 1, "lon",
     "missing coordinate"),
    ("bad-whole-number", _csv_rows(_with(1, 3, "abc")), "institutions", {}, 2, "capacity",
     "'abc' is not a whole number"),
    ("below-minimum", _csv_rows(_with(0, 3, "0")), "institutions", {}, 1, "capacity",
     "0 is below the minimum 1"),
    ("not-allowed-value", _xlsx_bad_type, "institutions", {}, 2, "type",
     "'hospital' is not one of"),
    ("duplicate-id", _csv_rows(_with(2, 0, "kz-001")), "institutions", {}, 3, "institution_id",
     "duplicate id 'kz-001' (first used in row 1)"),
    ("too-many-values", _bytes("inst.csv", (",".join(HEADER) + "\n" + ",".join(ROWS[0]) + "\n"
                                            + ",".join(ROWS[1]) + ",extra\n").encode()),
     "institutions", {}, 2, None, "has 10 values but the header has 9"),
    ("header-only", _csv_rows([]), "institutions", {}, None, None, "contains no records"),
    ("projected-without-crs", _projected_csv, "institutions", {}, None, "geometry",
     "not longitude/latitude"),
    ("unknown-crs", _projected_csv, "institutions", {"crs": "EPSG:99999999"}, None, None,
     "unknown coordinate system 'EPSG:99999999'"),
    ("malformed-feature-geometry", _bad_feature_geojson, "institutions", {}, 2, "geometry",
     "unreadable geometry"),
    ("null-feature-geometry", _null_geometry_geojson, "institutions", {}, 3, "geometry",
     "missing geometry"),
    ("boundaries-from-csv", _csv_rows(ROWS), "boundaries", {}, None, None,
     "boundaries need polygons"),
    ("wrong-layer-points-as-boundaries", lambda t: institutions_gdf().to_file(
        t / "inst.gpkg") or t / "inst.gpkg", "boundaries", {}, None, "geometry",
     "has Point geometries but the boundaries layer needs Polygon or MultiPolygon"),
    ("unknown-layer", _csv_rows(ROWS), "orphanages", {}, None, None, "unknown layer"),
]


@pytest.mark.parametrize("case, make, layer, kwargs, row, field, fragment", BAD,
                         ids=[b[0] for b in BAD])
def test_bad_input_is_one_clear_problem(tmp_path, case, make, layer, kwargs, row, field,
                                        fragment):
    path = make(tmp_path)
    with pytest.raises(LayerError) as err:
        read_layer(path, layer, **kwargs)
    problems = err.value.problems
    matching = [p for p in problems if fragment in p.message]
    assert matching, [str(p) for p in problems]
    p = matching[0]
    assert (p.file, p.row, p.field) == (str(path), row, field)
    assert str(p).startswith(f"{path}: ")
    assert "\n" not in str(p) and "Traceback" not in str(p)
    assert len(problems) == 1, [str(p) for p in problems]


def test_many_problems_are_all_listed_in_row_order(tmp_path):
    rows = _with(0, 3, "x")
    rows[2][4] = "-5"
    rows[1][2] = "zoo"
    path = write_csv(tmp_path / "inst.csv", rows=rows)
    with pytest.raises(LayerError) as err:
        read_layer(path, "institutions")
    assert [(p.row, p.field) for p in err.value.problems] == [
        (1, "capacity"), (2, "type"), (3, "children")]


def test_zip_holding_one_csv(tmp_path):
    inner = write_csv(tmp_path / "inst.csv", delimiter=";")
    archive = tmp_path / "registry.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(inner, "2024/inst.csv")
        z.writestr("__MACOSX/2024/._inst.csv", b"\x00junk")
    assert_institutions(read_layer(archive, "institutions"))


def test_crs_argument_never_overrides_declared_crs(tmp_path):
    path = tmp_path / "inst.gpkg"
    institutions_gdf("EPSG:32642").to_file(path)
    gdf = read_layer(path, "institutions", crs="EPSG:3857")
    assert_institutions(gdf)
    assert f"{path}: note: the file declares EPSG:32642; --crs EPSG:3857 ignored" in \
        gdf.attrs["notes"]


def test_foster_headers_with_yo_and_spaces(tmp_path):
    path = tmp_path / "foster.csv"
    path.write_text("ИД;Страна;Приёмные семьи;Опека;Год;Широта;Долгота\n"
                    "gn:1526384;Казахстан;12;30;2023;43,25;76,95\n", encoding="utf-8")
    gdf = read_layer(path, "foster")
    assert (gdf["settlement_id"].iloc[0], gdf["country"].iloc[0], gdf["foster_families"].iloc[0],
            gdf["guardianship_children"].iloc[0]) == ("gn:1526384", "KZ", 12, 30)


def test_docs_list_every_header_alias():
    from geo.schema import LATITUDE_ALIASES, LAYERS, LONGITUDE_ALIASES
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    aliases = {a for s in LAYERS.values() for f in s.fields for a in f.aliases}
    missing = sorted(a for a in aliases | set(LATITUDE_ALIASES) | set(LONGITUDE_ALIASES)
                     if a not in text)
    assert missing == []


def test_cod_ab_bundle_zip_reads_the_admin1_shapefile(tmp_path):
    adm1, ours = cod_ab(3)
    folder = tmp_path / "bundle"
    folder.mkdir()
    adm1.to_file(folder / "kaz_admbnda_adm1_2023.shp")
    adm0 = gpd.GeoDataFrame({"ADM0_EN": ["Kazakhstan"], "ADM0_PCODE": ["KZ"]},
                            geometry=[shapely.union_all(adm1.geometry.values)], crs="EPSG:4326")
    adm0.to_file(folder / "kaz_admbnda_adm0_2023.shp")
    archive = tmp_path / "kaz_adm_2023_shp.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    gdf = read_layer(archive, "boundaries")
    assert list(gdf["code"]) == list(ours["code"])
    assert f"{archive}: note: read kaz_admbnda_adm1_2023.shp of 2 shapefiles" in gdf.attrs["notes"]
    with pytest.raises(LayerError, match="several shapefiles"):
        read_layer(archive, "institutions")


def test_cod_ab_geopackage_with_several_levels(tmp_path):
    adm1, ours = cod_ab(2)
    path = tmp_path / "kaz_adm.gpkg"
    adm1.to_file(path, layer="kaz_admbnda_adm1_2023")
    adm1.dissolve().to_file(path, layer="kaz_admbnda_adm0_2023")
    gdf = read_layer(path, "boundaries")
    assert list(gdf["code"]) == list(ours["code"]) and len(gdf) == 20


def test_xlsx_title_row_above_header_is_skipped(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Реестр организаций для детей-сирот, 2024 г."])
    sheet.append([])
    sheet.append(HEADER)
    for r in ROWS:
        sheet.append(r)
    path = tmp_path / "реестр.xlsx"
    book.save(path)
    assert_institutions(read_layer(path, "institutions"))


def test_duplicate_after_blank_line_names_file_rows(tmp_path):
    text = "\n".join([",".join(HEADER), ",".join(ROWS[0]), "", "", ",".join(ROWS[1]),
                      ",".join(ROWS[1])]) + "\n"
    path = tmp_path / "dup.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerError) as err:
        read_layer(path, "institutions")
    assert [str(p) for p in err.value.problems] == [
        f"{path}: row 5, field 'institution_id': duplicate id 'kz-002' (first used in row 4)"]


def test_unreadable_and_damaged_zip_member(tmp_path):
    archive = tmp_path / "inst.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("inst.csv", ",".join(HEADER) + "\n" + ",".join(ROWS[0]) * 50)
    data = bytearray(archive.read_bytes())
    middle = data.index(b"inst.csv") + 40  # inside the compressed member
    data[middle:middle + 20] = b"\xff" * 20
    archive.write_bytes(bytes(data))
    with pytest.raises(LayerError) as err:
        read_layer(archive, "institutions")
    assert [(p.file, p.row) for p in err.value.problems] == [(str(archive), None)]
    assert "cannot extract inst.csv from the zip" in err.value.problems[0].message


def test_semicolon_file_with_a_stray_semicolon_in_one_row(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][1] = "Школа; интернат"
    text = "\n".join(";".join(r) for r in [HEADER, *rows]) + "\n"
    path = tmp_path / "inst.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerError) as err:
        read_layer(path, "institutions")
    first = err.value.problems[0]
    assert (first.row, first.field) == (3, None)
    assert "has 10 values but the header has 9" in err.value.problems[0].message
