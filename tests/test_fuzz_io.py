"""Property-based fuzzing of geo.io.read_layer: 1,000+ generated malformed files per format.

Whatever the bytes, the loader either returns a layer or raises `LayerError` whose problems
name the file and the row/field at fault; no other exception (a traceback) ever escapes.
"""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.io import ACCEPTED, LayerError, read_layer
from geo.schema import LATITUDE_ALIASES, LAYERS, LONGITUDE_ALIASES

POINT_LAYERS = ["settlements", "institutions", "centres", "foster"]
FUZZ = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

names = sorted({n for s in LAYERS.values() for f in s.fields for n in (f.name, *f.aliases)})
column_names = st.sampled_from(names + list(LATITUDE_ALIASES[:2]) + list(LONGITUDE_ALIASES[:2])) \
    | st.text(string.ascii_letters + "_ ,;\"'\t", max_size=8)
cells = st.one_of(
    st.none().map(lambda _: ""),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["KZ", "kz", "XX", "baby_home", "state", "true", "нет", "1,5", "2021",
                     "gn:1", "KZ-10", "N/A", "-", "1e309", "0x10", "  ", "TRUE"]),
    st.text(max_size=12),
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _check(path: Path, layer: str, require_location: bool) -> None:
    """Read `path`; only LayerError may escape, and it must say where the problem is."""
    try:
        result = read_layer(path, layer)
    except LayerError as exc:
        assert exc.problems, "a rejection without reasons"
        for problem in exc.problems:
            assert problem.file == str(path) and str(problem).startswith(str(path))
            assert problem.message.strip()
            if require_location and problem.row is None and problem.field is None:
                # file-level problems must still name what is missing or wrong
                assert any(w in problem.message for w in (
                    "column", "header", "records", "empty", "binary", "text", "latitude",
                    "longitude")), problem
        return
    assert isinstance(result, gpd.GeoDataFrame) and len(result) > 0
    assert str(result.crs) == "EPSG:4326" or result.crs.to_epsg() == 4326


@FUZZ
@given(
    layer=st.sampled_from(POINT_LAYERS),
    header=st.lists(column_names, min_size=1, max_size=8),
    with_coordinates=st.booleans(),
    rows=st.lists(st.lists(cells, max_size=10), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]),
)
def test_csv_files(folder: Path, layer: str, header: list[str], with_coordinates: bool,
                   rows: list[list[str]], delimiter: str, encoding: str) -> None:
    if with_coordinates:
        header = [*header, "lat", "lon"]
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path = folder / "upload.csv"
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    _check(path, layer, require_location=True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)
coordinates = st.lists(st.floats(-400, 400, allow_nan=False) | st.just(1e300), min_size=0,
                       max_size=3)
geometries = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": coordinates}),
    st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "LineString", "Blob"]),
                           "coordinates": st.lists(st.lists(coordinates, max_size=5),
                                                   max_size=2)}),
    json_values,
)
properties = st.dictionaries(column_names, cells | json_values, max_size=8)
features = st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometries,
                                  "properties": properties | json_values})


@FUZZ
@given(
    layer=st.sampled_from(list(LAYERS)),
    document=st.one_of(
        json_values,
        st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                               "features": st.lists(features | json_values, max_size=5)}),
        st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                               "crs": json_values, "features": st.lists(features, max_size=3)}),
    ),
)
def test_geojson_files(folder: Path, layer: str, document: object) -> None:
    path = folder / "upload.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    _check(path, layer, require_location=False)


@FUZZ
@given(
    layer=st.sampled_from(list(LAYERS)),
    suffix=st.sampled_from(list(ACCEPTED) + [".xls", ".kml", ""]),
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"SQLite format 3\x00", b"\xef\xbb\xbf",
                            b'{"type": "FeatureCollection", "features": [']),
    body=st.binary(max_size=400),
)
def test_arbitrary_bytes(folder: Path, layer: str, suffix: str, prefix: bytes,
                         body: bytes) -> None:
    path = folder / f"upload{suffix}"
    path.write_bytes(prefix + body)
    _check(path, layer, require_location=False)


UPLOADS = settings(max_examples=300, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hostile_names = st.one_of(
    st.text(max_size=300),
    st.builds(lambda stem, ext: stem + ext, st.text(max_size=300),
              st.sampled_from(list(ACCEPTED) + [".xls", "", ".."])),
    st.sampled_from(["..", ".", "/", "a\x00b.csv", "../../etc/passwd.csv", "C:\\x.csv",
                     "n" * 262 + ".csv", "\u202e.csv", "bad\nname.csv"]),
)


@UPLOADS
@given(name=hostile_names, layer=st.sampled_from(sorted(LAYERS)),
       body=st.one_of(st.binary(max_size=2000), st.sampled_from([
           b"[" * 5000, b"lat,lon\n" + b"9" * 5000 + b",1\n", b'"' * 3000,
           b"PK\x03\x04" + bytes(100), b"SQLite format 3\x00" + bytes(200),
           b'{"type":"FeatureCollection","features":[' * 200])))
def test_check_upload_never_raises(name: str, layer: str, body: bytes) -> None:
    """Any name and any bytes: check_upload returns problems (never raises), each on one line,
    naming a cleaned file name and never the server's temporary path."""
    from ui.uploads import check_upload

    gdf, problems = check_upload(name, body, layer)
    if gdf is None:
        assert problems
    for problem in problems:
        text = str(problem)
        assert "\n" not in text and "\x00" not in text and "/tmp" not in text
        assert len(text) < 800 and 0 < len(problem.file) <= 100
