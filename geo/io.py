"""Read any layer file a ministry or NGO might hand us into a validated EPSG:4326 GeoDataFrame.

Formats: GeoPackage, GeoJSON, Shapefile (loose or zipped), CSV/TSV (UTF-8 with or without BOM,
UTF-16, Windows-1251; comma, semicolon, tab or pipe) and XLSX with coordinate columns. Every
failure becomes a `Problem` naming the file, row and field, gathered into one `LayerError`:
bad input never reaches the user as a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
import tempfile
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape as to_shape
from shapely.geometry.base import BaseGeometry

from geo import encodings
from geo.coords import PAIR_ALIASES, coordinate, pair
from geo.limits import limits
from geo.schema import COUNTRIES, CRS, LATITUDE_ALIASES, LAYERS, LONGITUDE_ALIASES
from geo.validate import GEOMETRY, LayerError, Problem, clean

log = logging.getLogger(__name__)

__all__ = ["ACCEPTED", "LayerError", "Problem", "country_outline", "read_layer"]

ACCEPTED = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".csv", ".tsv", ".txt", ".xlsx")
_TABLES = (".csv", ".tsv", ".txt", ".xlsx")
_ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DELIMITERS = (",", ";", "\t", "|")


def _fail(source: str, message: str, field: str | None = None) -> LayerError:
    return LayerError([Problem(source, None, field, message)])


def read_layer(
    path: str | Path,
    layer: str,
    *,
    country: str | None = None,
    crs: str | None = None,
    country_shape: BaseGeometry | None = None,
) -> gpd.GeoDataFrame:
    """Read, reproject and validate one layer file; raise `LayerError` listing every problem.

    `crs` is the coordinate system of a file that declares none (CSV/XLSX in metres, a
    shapefile without .prj). With `country`, points are checked against `country_shape` or,
    when not given, the bundled boundary of that country. Repairs made on the way (invalid
    geometry fixed, reprojection) are listed as text in `gdf.attrs["notes"]`.
    """
    source = str(path)
    if layer not in LAYERS:
        raise _fail(source, f"unknown layer '{layer}'; choose one of: {', '.join(LAYERS)}")
    if country is not None and country.upper() not in COUNTRIES:
        raise _fail(source, f"unknown country '{country}'; choose one of: {', '.join(COUNTRIES)}")
    try:
        frame, numbers, problems = _read_any(Path(path), source, layer, crs)
    except OSError as exc:  # permissions, a file vanishing, a full temporary disk
        raise _fail(source, f"cannot be read ({exc.strerror or exc})") from None
    _check_size(frame, source)
    notes: list[Problem] = []
    frame = _to_wgs84(frame, crs, source, notes)
    if country is not None and country_shape is None:
        country_shape = country_outline(country.upper())
        if country_shape is None:
            notes.append(Problem(source, None, None, f"no bundled boundary for {country.upper()}: "
                                                     "points not checked against it", "note"))
    gdf, found = clean(frame, layer, source, country=country, country_shape=country_shape,
                       rows=numbers)
    already = {p.row for p in problems if p.row is not None}
    problems += [p for p in found if not (p.field == GEOMETRY and p.row in already)]
    if len(frame) == 0:
        problems.append(Problem(source, None, None, "contains no records"))
    errors = sorted((p for p in problems if p.is_error), key=lambda p: (p.row is not None,
                                                                        p.row or 0))
    if errors:
        raise LayerError(errors)
    gdf.attrs["notes"] = [str(p) for p in notes + [p for p in problems if not p.is_error]]
    return gdf


def _read_any(path: Path, source: str, layer: str, crs: str | None):
    """Return (frame, data-row numbers or None, problems found while reading)."""
    if not path.exists():
        raise _fail(source, "file not found")
    if path.is_dir():
        raise _fail(source, "is a folder, not a file (zip a shapefile's files or name the .shp)")
    if path.stat().st_size == 0:
        raise _fail(source, "file is empty")
    ext = path.suffix.lower()
    if ext not in ACCEPTED:
        hint = " (old Excel: save it as .xlsx or CSV)" if ext == ".xls" else ""
        raise _fail(source, f"unknown file type '{ext or path.name}'{hint}; accepted: "
                            + ", ".join(ACCEPTED))
    if ext == ".zip":
        return _read_zip(path, source, layer, crs)
    if ext in _TABLES:
        if layer == "boundaries":
            raise _fail(source, "boundaries need polygons, which a CSV/XLSX table cannot carry: "
                                "use GeoPackage, GeoJSON or a Shapefile")
        header, rows, numbers, problems = (xlsx_rows if ext == ".xlsx" else csv_rows)(
            path, source)
        frame, coord_problems = _points(header, rows, numbers, source)
        return frame, numbers, problems + coord_problems
    if ext in (".geojson", ".json"):
        frame, problems = _read_geojson(path, source)
        return frame, None, problems
    if ext == ".gpkg":
        frame = _read_gpkg(path, source, layer)
        note = frame.attrs.pop("note", None)
        return frame, None, [Problem(source, None, None, note, "note")] if note else []
    return _read_shapefile(path, source), None, []


def _check_size(frame: pd.DataFrame, source: str) -> None:
    """Refuse more rows or geometry vertices than the server's limits allow."""
    lim = limits()
    if len(frame) > lim.max_rows:
        raise _fail(source, f"has {len(frame):,} records; uploads are limited to "
                            f"{lim.max_rows:,} (limits.max_rows)")
    if isinstance(frame, gpd.GeoDataFrame):
        vertices = int(shapely.get_num_coordinates(frame.geometry.values).sum())
        if vertices > lim.max_vertices:
            raise _fail(source, f"has {vertices:,} geometry vertices; uploads are limited to "
                                f"{lim.max_vertices:,} (limits.max_vertices): simplify it")


def _check_archive(archive: zipfile.ZipFile, source: str) -> None:
    """Refuse a zip (or xlsx) whose central directory declares too many members or too many
    decompressed bytes, before anything is extracted (zip bombs)."""
    lim = limits()
    infos = archive.infolist()
    if len(infos) > lim.archive_max_members:
        raise _fail(source, f"archive holds {len(infos):,} files; the limit is "
                            f"{lim.archive_max_members:,} (limits.archive_max_members)")
    total = sum(i.file_size for i in infos)
    if total > lim.archive_max_bytes:
        raise _fail(source, f"archive unpacks to {total / 2**20:,.0f} MB; the limit is "
                            f"{lim.archive_max_bytes / 2**20:,.0f} MB "
                            "(limits.archive_max_bytes)")


def _nesting(text: str) -> int:
    """Deepest bracket nesting of a JSON text (strings ignored), without recursion."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text).encode("utf-8", errors="replace")
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.zeros(codes.size, dtype=np.int64)
    steps[(codes == ord("[")) | (codes == ord("{"))] = 1
    steps[(codes == ord("]")) | (codes == ord("}"))] = -1
    return int(np.cumsum(steps).max(initial=0))


# --- coordinate systems ------------------------------------------------------------------

def _parse_crs(text: str, source: str) -> ProjCRS:
    try:
        parsed = ProjCRS.from_user_input(text)
    except CRSError:
        raise _fail(source, f"unknown coordinate system '{str(text)[:80]}' "
                            "(use e.g. EPSG:32642)") from None
    _refuse_geocentric(parsed, source)
    return parsed


def _refuse_geocentric(crs: ProjCRS, source: str) -> None:
    """Only map coordinate systems: a geocentric (x, y, z from the Earth's centre) one is
    refused rather than silently turned into points."""
    if crs.is_geocentric or not (crs.is_geographic or crs.is_projected):
        raise _fail(source, f"coordinate system {_crs_name(crs)} is not a map projection or "
                            "longitude/latitude system (geocentric or engineering): export "
                            "the layer in e.g. EPSG:4326 or a UTM zone")


def _to_wgs84(frame, crs: str | None, source: str, notes: list[Problem]):
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    given = _parse_crs(crs, source) if crs else None
    if frame.crs is None:
        if given is None:
            return frame.set_crs(CRS)  # lon/lat assumed; out-of-range coordinates are reported
        frame = frame.set_crs(given)
    elif given is not None and not frame.crs.equals(given):
        notes.append(Problem(source, None, None, f"the file declares {_crs_name(frame.crs)}; "
                                                 f"--crs {crs} ignored", "note"))
    _refuse_geocentric(frame.crs, source)
    if frame.crs.equals(CRS, ignore_axis_order=True):
        return frame.set_crs(CRS, allow_override=True)
    notes.append(Problem(source, None, None,
                         f"reprojected from {_crs_name(frame.crs)} to {CRS}", "note"))
    try:
        return frame.to_crs(CRS)
    except Exception as exc:  # pyproj raises several types for impossible transforms
        raise _fail(source, f"cannot reproject from {_crs_name(frame.crs)}: {exc}") from None


def _crs_name(crs: ProjCRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


@lru_cache(maxsize=8)
def country_outline(country: str) -> BaseGeometry | None:
    """The dissolved bundled boundary of `country`, or None when it is not available."""
    try:
        from geo.layers import load_boundaries
        boundaries = load_boundaries(country)
    except (ImportError, OSError, KeyError, ValueError, LayerError) as exc:
        log.warning("no boundary for %s: points are not checked against it (%s)", country, exc)
        return None
    if boundaries.empty:
        return None
    return shapely.union_all(shapely.make_valid(boundaries.to_crs(CRS).geometry.values))


# --- tables (CSV / XLSX) -----------------------------------------------------------------

def _decode(data: bytes, source: str) -> str:
    if data.startswith(_ZIP_MAGIC):
        raise _fail(source, "is a zip/Excel file, not text: give an .xlsx its real extension")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise _fail(source, f"is not valid {encoding.upper()} text "
                                    f"(byte {exc.start + len(bom)})") from None
    guessed = encodings.guess(data)  # UTF-8, UTF-16 without BOM or a Cyrillic code page
    if guessed is None:
        raise _fail(source, "is a binary file, not text (CSV): is this the right file?")
    text = data.decode(guessed, errors="replace")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > 0.01 * len(text[:8192]) or "\ufffd" in text[:8192]:
        raise _fail(source, "is a binary file, not text (CSV): is this the right file?")
    return text


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into most columns, consistently across rows."""
    best, best_score = ",", 1
    for delim in _DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim) if any(c.strip() for c in r)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) >= 0.5 * len(counts)
        if consistent and counts[0] > best_score:
            best, best_score = delim, counts[0]
    return best


def csv_rows(path: Path, source: str):
    text = _decode(path.read_bytes(), source)
    cap = limits().max_rows
    if text.count("\n") > cap + 100:  # header and title lines; counted before parsing
        raise _fail(source, f"has more than {cap:,} lines; uploads are limited to {cap:,} "
                            "records (limits.max_rows)")
    lines = text.splitlines()[:50]
    try:
        delim = _delimiter(lines)
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise _fail(source, f"is not a readable CSV table ({str(exc)[:120]})") from None
    return _table(records, source)


def xlsx_rows(path: Path, source: str):
    with path.open("rb") as fh:
        head = fh.read(4)
    if head != _ZIP_MAGIC:
        kind = "text (CSV)" if b"\x00" not in path.read_bytes()[:4096] else "not an Excel workbook"
        raise _fail(source, f"has an .xlsx name but is {kind}: save it as a real Excel workbook "
                            "or rename it to .csv")
    try:
        with zipfile.ZipFile(path) as archive:  # an xlsx is a zip: refuse bombs unopened
            _check_archive(archive, source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _fail(source, "is not a readable Excel workbook (damaged zip)") from None
    import openpyxl  # heavy: only when a workbook is read

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise _fail(source, f"is not a readable Excel workbook ({type(exc).__name__})") from None
    cap = limits().max_rows
    try:
        sheet = book.worksheets[0]
        records: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            if len(records) > cap + 100:
                raise _fail(source, f"has more than {cap:,} rows; uploads are limited to "
                                    f"{cap:,} records (limits.max_rows)")
            records.append(list(row))
    except LayerError:
        raise
    except Exception as exc:  # damaged sheet XML found while streaming it
        raise _fail(source, f"is not a readable Excel workbook ({type(exc).__name__})") from None
    finally:
        book.close()
    return _table(records, source)


def _table(records: list[list], source: str):
    """Split records into header and data rows; number rows like a spreadsheet user sees them."""
    def filled(r: list) -> int:
        return sum(1 for c in r if c is not None and str(c).strip() != "")

    def blank(r: list) -> bool:
        return filled(r) == 0

    # the header is the first row with two or more cells: skips a title line above the table
    start = next((i for i, r in enumerate(records) if filled(r) >= 2),
                 next((i for i, r in enumerate(records) if not blank(r)), None))
    if start is None:
        raise _fail(source, "has no header row (the file holds no data)")
    raw_header = [("" if c is None else str(c)).strip() for c in records[start]]
    while raw_header and raw_header[-1] == "":
        raw_header.pop()
    header, problems, seen = [], [], set()
    for i, name in enumerate(raw_header):
        if name.lower() in seen and name:
            problems.append(Problem(source, None, name, "column appears twice in the header"))
            name = f"{name} (column {i + 1})"  # keep names unique for the steps that follow
        seen.add(name.lower())
        header.append(name or f"column {i + 1}")
    rows, numbers = [], []
    for number, record in enumerate(records[start + 1:], start=1):
        if blank(record):
            continue
        extra = [c for c in record[len(header):] if c is not None and str(c).strip() != ""]
        if extra:
            problems.append(Problem(source, number, None,
                                    f"has {len(header) + len(extra)} values but the header has "
                                    f"{len(header)} columns (stray delimiter or unquoted comma?)"))
        rows.append(list(record[:len(header)]) + [None] * (len(header) - len(record)))
        numbers.append(number)
    return header, rows, numbers, problems


def _find(header: list[str], aliases: tuple[str, ...]) -> str | None:
    keys = {a.strip().lower() for a in aliases}
    return next((h for h in header if h.strip().lower() in keys), None)


def _points(header: list[str], rows: list[list], numbers: list[int], source: str):
    """Build point geometry from latitude/longitude columns (or one 'lat, lon' column),
    one problem per bad cell."""
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    lat, lon = _find(header, LATITUDE_ALIASES), _find(header, LONGITUDE_ALIASES)
    both = _find(header, PAIR_ALIASES)
    if lat is not None and lon is not None:
        xs, x_problems = _coordinates(frame[lon], lon, numbers, source)
        ys, y_problems = _coordinates(frame[lat], lat, numbers, source)
        problems = sorted(x_problems + y_problems, key=lambda p: p.row)
    elif both is not None:
        ys, xs, problems = _pairs(frame[both], both, numbers, source)
    else:
        missing = [(name, aliases) for name, col, aliases in (
            ("latitude", lat, LATITUDE_ALIASES), ("longitude", lon, LONGITUDE_ALIASES))
            if col is None]
        wanted = "; ".join(f"{name}: one of {', '.join(aliases)}" for name, aliases in missing)
        raise _fail(source, f"no {' and '.join(n for n, _ in missing)} column ({wanted}; or one "
                            f"'lat, lon' column: {', '.join(PAIR_ALIASES)}); headers found: "
                            + ", ".join(header))
    geoms = np.where(np.isnan(xs) | np.isnan(ys), None, shapely.points(xs, ys))
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=None), problems


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


def _coordinates(values: pd.Series, column: str, numbers: list[int], source: str):
    """Parse one coordinate column to floats (NaN where bad), one problem per bad cell."""
    out = np.full(len(values), np.nan)
    problems = []
    for i, value in enumerate(values):
        if _blank(value):
            problems.append(Problem(source, numbers[i], column, "missing coordinate"))
            continue
        try:
            out[i] = coordinate(value)
        except (ValueError, TypeError):
            problems.append(Problem(source, numbers[i], column,
                                    f"'{str(value).strip()}' is not a coordinate"))
    return out, problems


def _pairs(values: pd.Series, column: str, numbers: list[int], source: str):
    """Parse a 'lat, lon' column into latitude and longitude arrays (NaN where bad)."""
    lats, lons = np.full(len(values), np.nan), np.full(len(values), np.nan)
    problems = []
    for i, value in enumerate(values):
        if _blank(value):
            problems.append(Problem(source, numbers[i], column, "missing coordinates"))
            continue
        try:
            lats[i], lons[i] = pair(value)
        except (ValueError, TypeError):
            problems.append(Problem(source, numbers[i], column,
                                    f"'{str(value).strip()}' is not a 'latitude, longitude' "
                                    "pair"))
    return lats, lons, problems


# --- vector formats ----------------------------------------------------------------------

def _read_geojson(path: Path, source: str):
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(source, "is not UTF-8 text, so not GeoJSON: is this the right file?") from None
    depth, cap = _nesting(text), limits().max_nesting
    if depth > cap:
        raise _fail(source, f"is not usable JSON (nested too deeply: {depth:,} levels; the "
                            f"limit is {cap}, limits.max_nesting)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(source, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}): truncated or damaged?") from None
    except RecursionError:
        raise _fail(source, "is not usable JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. a number of 5,000 digits
        raise _fail(source, f"is not usable JSON ({str(exc)[:120]})") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise _fail(source, f"is JSON but not a GeoJSON FeatureCollection (found "
                            f"{kind!r}): export the layer as GeoJSON features")
    rows, geoms, problems = [], [], []
    for number, feature in enumerate(data["features"], start=1):
        props, geom, problem = _feature(feature, number, source)
        rows.append(props)
        geoms.append(geom)
        if problem:
            problems.append(problem)
    crs = _geojson_crs(data, source)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs), problems


def _feature(feature, number: int, source: str):
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return {}, None, Problem(source, number, None, "is not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return {}, None, Problem(source, number, None, "'properties' is not an object")
    if feature.get("geometry") is None:
        return props, None, None  # reported as missing geometry by validation
    try:
        return props, to_shape(feature["geometry"]), None
    except Exception as exc:  # shapely raises several types for malformed coordinates
        return props, None, Problem(source, number, GEOMETRY,
                                    f"unreadable geometry ({type(exc).__name__}: {exc})")


def _geojson_crs(data: dict, source: str) -> ProjCRS | None:
    """Honour the pre-RFC 7946 `crs` member (QGIS still writes it for projected data)."""
    member = data.get("crs")
    props = member.get("properties") if isinstance(member, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if name is not None and not isinstance(name, str):
        raise _fail(source, f"the 'crs' name is not text ({name!r})", "crs")
    return _parse_crs(name, source) if name else None


def _read_vector(path: Path, source: str, **kwargs) -> gpd.GeoDataFrame:
    try:
        count = pyogrio.read_info(path, layer=kwargs.get("layer"))["features"]
    except Exception:  # unreadable: reported by the read below
        count = 0
    if count > limits().max_rows:
        raise _fail(source, f"has {count:,} records; uploads are limited to "
                            f"{limits().max_rows:,} (limits.max_rows)")
    try:
        return gpd.read_file(path, engine="pyogrio", **kwargs)
    except Exception as exc:  # GDAL errors come in several classes; one line for the user
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        first = first.replace(str(path), path.name)  # a temporary copy's path says nothing
        raise _fail(source, f"could not be read: {first}") from None


def _read_gpkg(path: Path, source: str, layer: str) -> gpd.GeoDataFrame:
    with path.open("rb") as fh:
        if fh.read(16) != _SQLITE_MAGIC:
            raise _fail(source, "is not a GeoPackage (not an SQLite database)")
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception:  # damaged database
        raise _fail(source, "is not a readable GeoPackage") from None
    if not names:
        raise _fail(source, "GeoPackage holds no layers")
    chosen = choose(names, layer)
    if chosen is None:
        raise _fail(source, f"GeoPackage holds {len(names)} layers ({', '.join(names)}) and none "
                            f"is called '{layer}': rename the one to import")
    frame = _read_vector(path, source, layer=chosen)
    if len(names) > 1:
        frame.attrs["note"] = f"read layer '{chosen}' of {len(names)}"
    return frame


def choose(names: list[str], layer: str) -> str | None:
    """The one name to read: the only one, the one called like the layer, or for boundaries
    the one admin-1 layer of a COD-AB bundle (kaz_admbnda_adm1_2023 beside adm0 and adm2)."""
    if len(names) == 1:
        return names[0]
    stems = {n: PurePosixPath(n).stem.lower() for n in names}
    exact = [n for n in names if stems[n] == layer]
    if len(exact) == 1:
        return exact[0]
    admin1 = [n for n in names if layer == "boundaries" and "adm1" in stems[n]]
    return admin1[0] if len(admin1) == 1 else None


def _sibling(path: Path, ext: str) -> Path | None:
    """The file beside `path` with the same stem and extension `ext` in any letter case."""
    return next((p for p in path.parent.iterdir()
                 if p.stem == path.stem and p.suffix.lower() == ext), None)


def _read_shapefile(path: Path, source: str) -> gpd.GeoDataFrame:
    missing = [ext for ext in (".shx", ".dbf") if _sibling(path, ext) is None]
    if missing:
        files = "file" if len(missing) == 1 else "files"
        raise _fail(source, f"shapefile is missing its {' and '.join(missing)} {files}: send all "
                            "files sharing its name (.shp .shx .dbf .prj .cpg), ideally zipped")
    kwargs = {}
    dbf = _sibling(path, ".dbf")
    if _sibling(path, ".cpg") is None and dbf is not None:
        encoding = encodings.dbf_encoding(dbf)  # None: GDAL's own code-page handling
        if encoding:
            kwargs["encoding"] = encoding
    frame = _read_vector(path, source, **kwargs)
    prj = _sibling(path, ".prj")
    if prj is not None and frame.crs is None:  # GDAL ignores a .prj it cannot parse
        raise _fail(source, f"{prj.name} is not a coordinate system GDAL can read: export the "
                            "shapefile again, or remove the .prj and give --crs")
    return frame


def _read_zip(path: Path, source: str, layer: str, crs: str | None):
    if not zipfile.is_zipfile(path):
        raise _fail(source, "is not a valid zip archive")
    with zipfile.ZipFile(path) as archive:
        _check_archive(archive, source)
        members = [m for m in archive.namelist()
                   if not m.endswith("/") and "__MACOSX" not in m
                   and not PurePosixPath(m).name.startswith(".")]
        shps = [m for m in members if m.lower().endswith(".shp")]
        others = [m for m in members if PurePosixPath(m).suffix.lower() in ACCEPTED
                  and PurePosixPath(m).suffix.lower() not in (".zip", ".shp", ".txt")]
        wanted = choose(shps, layer) if shps else (others[0] if len(others) == 1 else None)
        if shps and wanted is None:
            raise _fail(source, "zip holds several shapefiles (" + ", ".join(shps)
                                + "): zip one layer at a time")
        if wanted is None:
            found = ", ".join(members) or "nothing"
            raise _fail(source, f"zip holds no shapefile (.shp); found: {found}")
        stem = str(PurePosixPath(wanted).with_suffix("")).lower()
        with tempfile.TemporaryDirectory() as tmp:
            for m in members:
                if str(PurePosixPath(m).with_suffix("")).lower() == stem:
                    _extract(archive, m, Path(tmp) / PurePosixPath(m).name, source)
            frame, numbers, problems = _read_any(Path(tmp) / PurePosixPath(wanted).name,
                                                 source, layer, crs)
            if isinstance(frame, gpd.GeoDataFrame):
                frame = frame.copy()  # detach from files about to be deleted
    if len(shps) > 1:
        problems.append(Problem(source, None, None, f"read {wanted} of {len(shps)} shapefiles",
                                "note"))
    return frame, numbers, problems


def _extract(archive: zipfile.ZipFile, member: str, target: Path, source: str) -> None:
    """Copy one member to `target` in chunks, stopping at its declared size (which the
    central directory check bounded), so a member lying about its size cannot fill the disk."""
    declared = archive.getinfo(member).file_size
    written = 0
    try:
        with archive.open(member) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > declared:
                    raise _fail(source, f"{member} in the zip is larger than it declares")
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError,
            ValueError) as exc:
        # damaged member, password protection, unsupported compression
        raise _fail(source, f"cannot extract {member} from the zip ({str(exc)[:120]})") from None
