"""Registries in every encoding they arrive in load with correct Cyrillic and Kazakh letters.

Institutions files are written here in KOI8-R, CP866, UTF-16 (both byte orders, with and without
BOM), Windows-1251 and Kazakh Windows-1048, and read back through `read_layer`; shapefiles
without a .cpg in UTF-8 and CP866, with and without the DBF code-page byte GDAL reads itself.
"""

from __future__ import annotations

import codecs
import subprocess
import warnings

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo import encodings
from geo.io import read_layer
from geo.validate import LayerError

HEADER = "ид;название;тип;мощность;дети;год;страна;широта;долгота\n"
RUSSIAN = ["Дом ребенка Шымкент", "Детский дом \"Солнышко\"", "Школа-интернат Ёлки ЪЭЮЯ ъэюя"]
KAZAKH = ["Қарағанды балалар үйі", "Өскемен сәбилер үйі", "Ұлытау ғимараты, Һ және Ң"]
TYPES = ["дом ребенка", "детский дом", "детский дом"]
POINTS = [(43.2389, 76.8897), (51.1605, 71.4704), (49.8, 73.1)]


def _csv(names: list[str]) -> str:
    rows = [f"{i};{n};{t};60;41;2022;KZ;{lat};{lon}"
            for i, (n, t, (lat, lon)) in enumerate(zip(names, TYPES, POINTS), start=1)]
    return HEADER + "\n".join(rows) + "\n"


@pytest.mark.parametrize("encoding,names,bom", [
    ("koi8_r", RUSSIAN, b""),
    ("cp866", RUSSIAN, b""),
    ("cp1251", RUSSIAN, b""),
    ("utf-8", KAZAKH, b""),
    ("utf-8", KAZAKH, codecs.BOM_UTF8),
    ("utf-16-le", KAZAKH, b""),
    ("utf-16-be", KAZAKH, b""),
    ("utf-16-le", KAZAKH, codecs.BOM_UTF16_LE),
    ("kz1048", KAZAKH, b""),
])
def test_institutions_file_in_any_encoding(tmp_path, encoding, names, bom):
    path = tmp_path / "реестр.csv"
    path.write_bytes(bom + _csv(names).encode(encoding))
    gdf = read_layer(path, "institutions")
    assert gdf["name"].tolist() == names
    assert gdf["type"].tolist() == ["baby_home", "childrens_home", "childrens_home"]


def test_kz1048_codec_matches_glibc_rk1048():
    """Our table against the system's independent one (iconv's RK1048), all 256 bytes."""
    iconv = subprocess.run(["iconv", "-l"], capture_output=True, text=True, check=False)
    if "RK1048" not in iconv.stdout:
        pytest.skip("this system's iconv has no RK1048")
    for byte in range(256):
        theirs = subprocess.run(["iconv", "-f", "RK1048", "-t", "UTF-8"], input=bytes([byte]),
                                capture_output=True, check=False)
        ours = bytes([byte]).decode("kz1048", errors="replace")
        expected = theirs.stdout.decode("utf-8") if theirs.returncode == 0 else "\ufffd"
        assert ours == expected, hex(byte)
    assert "".join(KAZAKH).encode("kz1048").decode("kz1048") == "".join(KAZAKH)


def test_binary_file_is_still_refused(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(LayerError, match="binary file"):
        read_layer(path, "institutions")


def _shapefile(tmp_path, encoding: str, language_driver: int | None):
    """An institutions shapefile written by GDAL in `encoding`, its .cpg deleted."""
    gdf = gpd.GeoDataFrame(
        {"id": ["1", "2", "3"], "name": RUSSIAN, "type": ["baby_home", "childrens_home",
                                                           "childrens_home"],
         "capacity": [60, 80, 50], "children": [41, 52, 30], "year": [2022] * 3,
         "country": ["KZ"] * 3},
        geometry=[Point(lon, lat) for lat, lon in POINTS], crs="EPSG:4326")
    path = tmp_path / f"institutions_{encoding}.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gdf.to_file(path, engine="pyogrio", encoding=encoding)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    if language_driver is not None:
        data = bytearray(dbf.read_bytes())
        data[29] = language_driver
        dbf.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("encoding,language_driver", [
    ("UTF-8", None), ("CP866", None), ("CP866", 0x65), ("CP1251", None), ("CP1251", 0xC9)])
def test_shapefile_without_cpg(tmp_path, encoding, language_driver):
    path = _shapefile(tmp_path, encoding, language_driver)
    if language_driver:  # GDAL's own code-page handling: nothing is forced
        assert encodings.dbf_encoding(path.with_suffix(".dbf")) is None
    gdf = read_layer(path, "institutions")
    assert gdf["name"].tolist() == RUSSIAN
