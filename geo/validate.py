"""Schema validation of a layer: header aliases, type coercion, allowed values, geometry checks.

Everything a planner might hand us goes through `clean`, which maps headers onto the canonical
names of `geo.schema`, coerces every value, and collects one `Problem` per violation (file, row,
field) instead of stopping at the first. `validate` is the same check for in-memory frames.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import codab
from geo.limits import truncate
from geo.schema import CRS, LAYERS, Field, LayerSchema

GEOMETRY = "geometry"

# Russian / Kazakh / loose English spellings of allowed values, keyed by canonical field name.
# Keys are compared after `header_key` (lower case, trimmed, inner whitespace/hyphens collapsed).
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "type": {
        "дом ребенка": "baby_home",
        "сәбилер үйі": "baby_home",
        "сәбилер үйi": "baby_home",
        "baby home": "baby_home",
        "детский дом": "childrens_home",
        "балалар үйі": "childrens_home",
        "children's home": "childrens_home",
        "childrens home": "childrens_home",
        "orphanage": "childrens_home",
        "детская деревня семейного типа": "family_type_home",
        "детский дом семейного типа": "family_type_home",
        "отбасы үлгісіндегі балалар ауылы": "family_type_home",
        "family type home": "family_type_home",
        "sos children's village": "family_type_home",
        "школа-интернат для детей с ограниченными возможностями": "boarding_school_disability",
        "специальная школа-интернат": "boarding_school_disability",
        "коррекционная школа-интернат": "boarding_school_disability",
        "мүмкіндігі шектеулі балаларға арналған мектеп-интернат": "boarding_school_disability",
        "boarding school for children with disabilities": "boarding_school_disability",
        "школа-интернат": "boarding_school_general",
        "мектеп-интернат": "boarding_school_general",
        "boarding school": "boarding_school_general",
    },
    "kind": {
        "центр социальной работы": "social_work_centre",
        "центр социальной работы в общине": "social_work_centre",
        "әлеуметтік жұмыс орталығы": "social_work_centre",
        "social work centre": "social_work_centre",
        "social work center": "social_work_centre",
        "центр поддержки семьи": "family_support_centre",
        "центр поддержки детей, находящихся в трудной жизненной ситуации":
            "family_support_centre",
        "отбасын қолдау орталығы": "family_support_centre",
        "family support centre": "family_support_centre",
        "family support center": "family_support_centre",
    },
    "operator": {
        "государственный": "state", "государство": "state", "мемлекеттік": "state",
        "нко": "ngo", "нпо": "ngo", "үеұ": "ngo", "частный": "private", "жеке": "private",
    },
    "country": {
        "kazakhstan": "KZ", "казахстан": "KZ", "қазақстан": "KZ",
        "kyrgyzstan": "KG", "кыргызстан": "KG", "киргизия": "KG", "қырғызстан": "KG",
        "tajikistan": "TJ", "таджикистан": "TJ", "тәжікстан": "TJ",
        "turkmenistan": "TM", "туркменистан": "TM", "түрікменстан": "TM",
        "uzbekistan": "UZ", "узбекистан": "UZ", "өзбекстан": "UZ",
    },
}

_TRUE = {"true", "t", "yes", "y", "1", "да", "иә", "ия", "+"}
_FALSE = {"false", "f", "no", "n", "0", "нет", "жоқ", "-"}
_PCODE = re.compile(r"^([A-Za-z]{2})[-_ ]?0*(\d{1,3})$")
_DBF_NAME = 10
_LARGEST_WHOLE = 2**53  # beyond this a float cannot hold every whole number; no count is this big
_BOUNDARY_TOLERANCE_DEG = 0.05  # ~5 km: border villages on a simplified boundary still pass


@dataclass(frozen=True)
class Problem:
    """One violation (or, with level "note", a repair we made) in a file, row and field."""

    file: str
    row: int | None
    field: str | None
    message: str
    level: str = "error"  # "error" | "note"

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = f"{self.file}: " + (", ".join(where) + ": " if where else "")
        return truncate(prefix + ("note: " if self.level == "note" else "") + self.message)


class LayerError(Exception):
    """A file that cannot become a valid layer; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def header_key(text: object) -> str:
    """Comparison form of a header or value: lower case, ё as е, spaces/hyphens as '_'."""
    text = str(text).strip().lower().replace("ё", "е")
    return re.sub(r"[\s\-_]+", "_", text)


def _alias_keys(aliases: dict[str, str]) -> dict[str, str]:
    return {header_key(k): v for k, v in aliases.items()}


_VALUE_KEYS = {name: _alias_keys(m) for name, m in VALUE_ALIASES.items()}


def header_map(columns: list[str], schema: LayerSchema, source: str) -> tuple[dict, list[Problem]]:
    """Map incoming headers to canonical field names (exact name first, then aliases)."""
    by_key: dict[str, list[str]] = {}
    for col in columns:
        by_key.setdefault(header_key(col), []).append(col)
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for f in schema.fields:
        names = [f.name, *f.aliases]
        found = [c for n in names for c in by_key.get(header_key(n), [])]
        found = list(dict.fromkeys(c for c in found if c not in mapping))
        if not found:
            continue
        exact = [c for c in found if header_key(c) == header_key(f.name)]
        if len(found) > 1 and len(exact) != 1:
            problems.append(Problem(source, None, f.name, "columns " + ", ".join(
                f"'{c}'" for c in found) + " all mean this field; keep one"))
        mapping[exact[0] if exact else found[0]] = f.name
    for f in schema.fields:  # shapefiles (DBF) cut names to 10 characters: institutio
        if f.name not in mapping.values() and len(f.name) > _DBF_NAME:
            cut = by_key.get(header_key(f.name[:_DBF_NAME]), [])
            if len(cut) == 1 and cut[0] not in mapping:
                mapping[cut[0]] = f.name
    return mapping, problems


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _number_text(value: object) -> str:
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return text


def to_float(value: object) -> float:
    """Parse a number, tolerating decimal commas and spaces as thousands separators."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return float(_number_text(value))


def _coerce(value: object, f: Field) -> tuple[object, str | None]:
    """Return (coerced value, error message or None) for one non-missing cell."""
    shown = f"'{str(value).strip()}'"
    if f.dtype == "int":
        try:
            number = to_float(value)
        except (ValueError, TypeError):
            return None, f"{shown} is not a whole number"
        if not math.isfinite(number) or number != int(number):
            return None, f"{shown} is not a whole number"
        if abs(number) > _LARGEST_WHOLE:
            return None, f"{shown} is too large"
        return int(number), None
    if f.dtype == "float":
        try:
            number = to_float(value)
        except (ValueError, TypeError):
            return None, f"{shown} is not a number"
        if not math.isfinite(number):
            return None, f"{shown} is not a finite number"
        return number, None
    if f.dtype == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value), None
        text = str(value).strip().lower()
        if text in {"1.0", "0.0"}:
            text = text[0]
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, f"{shown} is not true/false (use true/false, yes/no, 1/0, да/нет)"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)  # spreadsheet or DBF numeric codes: 100000000.0 -> "100000000"
    text = str(value).strip()
    if f.allowed is not None:
        return _allowed(text, f)
    return text, None


def _allowed(text: str, f: Field) -> tuple[object, str | None]:
    allowed = f.allowed or ()
    if text in allowed:
        return text, None
    canon = {header_key(a): a for a in allowed}
    key = header_key(text)
    value = canon.get(key) or _VALUE_KEYS.get(f.name, {}).get(key)
    if value is None:
        return None, f"'{text}' is not one of: " + ", ".join(allowed)
    return value, None


def _check_range(value: float, f: Field) -> str | None:
    if f.minimum is not None and value < f.minimum:
        return f"{value:g} is below the minimum {f.minimum:g}"
    if f.maximum is not None and value > f.maximum:
        return f"{value:g} is above the maximum {f.maximum:g}"
    return None


def _column(values: list, f: Field) -> pd.Series:
    """Build a column with a dtype that suits the field (nullable types only when needed)."""
    has_null = any(v is None for v in values)
    if f.dtype == "int":
        return pd.Series(values, dtype="Int64" if has_null else "int64")
    if f.dtype == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if f.dtype == "bool":
        return pd.Series(values, dtype="boolean" if has_null else "bool")
    return pd.Series(values, dtype=object)


def normalise_pcode(code: str) -> str:
    """'KZ10', 'KZ010', 'kz-10' -> 'KZ-10'; letter codes such as 'KG-B' pass unchanged."""
    m = _PCODE.match(code.strip())
    if not m:
        return code.strip()
    return f"{m.group(1).upper()}-{int(m.group(2)):02d}"


def _derive_boundaries(df: pd.DataFrame) -> pd.DataFrame:
    """Fill what a boundary file implies: code form, country and level from the code."""
    df = df.copy()
    if "code" in df:
        df["code"] = [v if is_missing(v) else normalise_pcode(str(v)) for v in df["code"]]
    if "country" not in df and "code" in df:
        df["country"] = [None if is_missing(v) else str(v)[:2].upper() for v in df["code"]]
    if "level" not in df and "code" in df:
        df["level"] = ["district" if not is_missing(v) and codab.district_code(str(v))
                       else "oblast" for v in df["code"]]
    return df


def _codab_frame(attrs: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical columns of a COD-AB file (identifiers resolved by precedence, cross-checked)."""
    from geo.layers import unit_by_name  # lazy: the bundled names are needed only for names

    frame, issues = codab.resolve(attrs, names=unit_by_name)
    return frame, [Problem(source, row, fld, message) for row, fld, message in issues]


def clean(
    frame: pd.DataFrame,
    layer: str,
    source: str = "<data>",
    *,
    country: str | None = None,
    country_shape: BaseGeometry | None = None,
    rows: list[int] | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Return the canonical frame and every problem (errors and repair notes) found.

    `frame` may carry any aliased headers; its geometry (if any) must already be in EPSG:4326.
    Problems name rows by `rows` (the file's row numbers) or else 1, 2, ... in frame order.
    """
    schema = LAYERS[layer]
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    if geometry is not None:
        geoms, geo_problems = check_geometries(geometry, schema, source)
        if any(p.row is None for p in geo_problems):  # wrong layer or missing CRS: say only that
            return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)), geo_problems
    attrs = pd.DataFrame(frame.drop(columns=[frame.geometry.name])
                         if geometry is not None else frame).reset_index(drop=True)
    attrs.columns = [str(c) for c in attrs.columns]
    resolved: list[Problem] = []
    if layer == "boundaries" and codab.is_codab(list(attrs.columns)):
        attrs, resolved = _codab_frame(attrs, source)
    mapping, problems = header_map(list(attrs.columns), schema, source)
    problems = resolved + problems
    df = attrs[list(mapping)].rename(columns=mapping)
    if layer == "boundaries":
        df = _derive_boundaries(df)
    if country and "country" not in df:
        df["country"] = country.upper()
    headers = ", ".join(str(c) for c in attrs.columns) or "(none)"
    for f in schema.fields:
        if f.required and f.name not in df:
            problems.append(Problem(source, None, f.name, f"missing required column "
                                                          f"'{f.name}' (headers found: {headers})"))
    out = pd.DataFrame(index=range(len(df)))
    for f in schema.fields:
        if f.name not in df:
            if not f.required:
                out[f.name] = _column([False] * len(df), f) if f.dtype == "bool" \
                    else _column([None] * len(df), f)
            continue
        values, column_problems = _coerce_column(df[f.name].tolist(), f, source)
        said = {(p.row, p.field) for p in resolved}  # a resolver message says it better
        problems += [p for p in column_problems if (p.row, p.field) not in said]
        out[f.name] = _column(values, f)
    problems += _duplicates(out, schema, source, rows)
    if country and "country" in out:
        cc = country.upper()
        problems += [Problem(source, i + 1, "country", f"'{v}' is not {cc}")
                     for i, v in enumerate(out["country"]) if v is not None and v != cc]
    if geometry is None:
        geoms = [None] * len(out)
        problems.append(Problem(source, None, GEOMETRY, "no geometry (coordinates) found"))
    else:
        problems += geo_problems
    if country_shape is not None and schema.geometry_types == ("Point",):
        problems += outside_country(geoms, country_shape, country or "the country", source)
    if rows is not None:
        problems = [_renumber(p, rows) for p in problems]
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=CRS)), problems


def _renumber(p: Problem, rows: list[int]) -> Problem:
    """Replace a positional row number by the file's row number."""
    if p.row is None:
        return p
    return Problem(p.file, rows[p.row - 1], p.field, p.message, p.level)


def _coerce_column(raw: list, f: Field, source: str) -> tuple[list, list[Problem]]:
    values: list = []
    problems: list[Problem] = []
    seen: dict[tuple, tuple[object, str | None]] = {}
    for i, value in enumerate(raw):
        if is_missing(value):
            values.append(None)
            if not f.nullable:
                problems.append(Problem(source, i + 1, f.name, "missing value"))
            continue
        try:
            key = (type(value), value)
            coerced, error = seen[key]  # registries repeat values (types, years): check once
        except KeyError:
            coerced, error = seen[key] = checked_value(value, f)
        except TypeError:  # unhashable (a list in GeoJSON properties)
            coerced, error = checked_value(value, f)
        if error:
            problems.append(Problem(source, i + 1, f.name, error))
            coerced = None
        values.append(coerced)
    return values, problems


def checked_value(value: object, f: Field) -> tuple[object, str | None]:
    coerced, error = _coerce(value, f)
    if error is None and f.dtype in ("int", "float"):
        error = _check_range(cast(float, coerced), f)  # _coerce gave a number
    return coerced, error


def _duplicates(out: pd.DataFrame, schema: LayerSchema, source: str,
                rows: list[int] | None) -> list[Problem]:
    """One problem per repeated id, naming the file row where it first appeared."""
    if schema.id_field is None or schema.id_field not in out:
        return []
    first: dict[object, int] = {}
    problems = []
    for i, v in enumerate(out[schema.id_field]):
        if v is None:
            continue
        if v in first:
            seen_at = rows[first[v]] if rows is not None else first[v] + 1
            problems.append(Problem(source, i + 1, schema.id_field,
                                    f"duplicate id '{v}' (first used in row {seen_at})"))
        else:
            first[v] = i
    return problems


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """Keep the polygon parts of a repaired geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def check_geometries(
    geometry: gpd.GeoSeries, schema: LayerSchema, source: str
) -> tuple[list, list[Problem]]:
    """Check presence, type, validity and lon/lat range of every geometry; repair the invalid."""
    wanted = " or ".join(schema.geometry_types)
    geoms = list(geometry.reset_index(drop=True))
    present = [g for g in geoms if g is not None and not g.is_empty]
    kinds = {g.geom_type for g in present}
    allowed = set(schema.geometry_types) | ({"MultiPoint"} if "Point" in schema.geometry_types
                                           else set())
    if present and not kinds & allowed:
        return geoms, [Problem(source, None, GEOMETRY,
                               f"has {', '.join(sorted(kinds))} geometries but the "
                               f"{schema.name} layer needs {wanted}: is this the right file "
                               f"or layer?")]
    projected = _all_projected(present)
    if projected is not None:
        return [None] * len(geoms), [Problem(source, None, GEOMETRY, projected)]
    problems: list[Problem] = []
    out: list = []
    for i, g in enumerate(geoms):
        row = i + 1
        if g is None:
            problems.append(Problem(source, row, GEOMETRY, "missing geometry"))
        elif g.is_empty:
            problems.append(Problem(source, row, GEOMETRY, "empty geometry"))
        elif g.geom_type == "MultiPoint" and "Point" in schema.geometry_types and len(g.geoms) == 1:
            g = g.geoms[0]
        if g is None or g.is_empty:
            out.append(None)
            continue
        if g.geom_type not in schema.geometry_types:
            problems.append(Problem(source, row, GEOMETRY, f"{g.geom_type} where {wanted} "
                                                           "is needed"))
            out.append(None)
            continue
        g, problem = _check_one(g, row, schema, source)
        if problem is not None:
            problems.append(problem)
        out.append(g)
    return out, problems


def _out_of_range(bounds: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = bounds
    return minx < -180 or maxx > 180 or miny < -90 or maxy > 90


def _all_projected(present: list[BaseGeometry]) -> str | None:
    """One file-level message when every coordinate is outside lon/lat range (a missing CRS)."""
    if not present or not all(_out_of_range(g.bounds) for g in present):
        return None
    if not _range_message(present[0].bounds).startswith("coordinates"):
        return None  # a latitude or longitude typo: reported per row
    minx, miny = present[0].bounds[:2]
    return (f"coordinates are not longitude/latitude (first: x {minx:g}, y {miny:g}) and the "
            "file declares no coordinate system: add its .prj or give --crs EPSG:xxxx")


def _range_message(bounds: tuple[float, float, float, float]) -> str:
    """What is wrong with one feature's out-of-range coordinates: a latitude or a longitude
    beyond its range is a typo; both beyond theirs look like projected data."""
    minx, miny, maxx, maxy = bounds
    bad_lat = next((v for v in (miny, maxy) if abs(v) > 90), None)
    bad_lon = next((v for v in (minx, maxx) if abs(v) > 180), None)
    if bad_lat is not None and bad_lon is None:
        return (f"latitude {bad_lat:g} is outside -90..90: a typo in the latitude (or latitude "
                "and longitude swapped)?")
    if bad_lon is not None and bad_lat is None:
        return f"longitude {bad_lon:g} is outside -180..180: a typo in the longitude?"
    return (f"coordinates (x {minx:g}, y {miny:g}) are outside longitude/latitude range: "
            "projected data needs its CRS (.prj, or --crs EPSG:xxxx)")


def _check_one(g: BaseGeometry, row: int, schema: LayerSchema, source: str):
    if not all(math.isfinite(v) for v in g.bounds):
        return None, Problem(source, row, GEOMETRY, "coordinates are not finite numbers")
    if _out_of_range(g.bounds):
        return None, Problem(source, row, GEOMETRY, _range_message(g.bounds))
    if g.is_valid:
        return g, None
    reason = shapely.is_valid_reason(g)
    repaired = shapely.make_valid(g)
    if "Polygon" in schema.geometry_types[0]:
        repaired = _polygonal(repaired)
    if repaired is None or repaired.is_empty or not repaired.is_valid:
        return None, Problem(source, row, GEOMETRY, f"invalid geometry that cannot be repaired "
                                                    f"({reason})")
    return repaired, Problem(source, row, GEOMETRY, f"repaired invalid geometry ({reason})",
                             level="note")


def outside_country(
    geoms: list, shape: BaseGeometry, country: str, source: str
) -> list[Problem]:
    """One problem per point farther than ~5 km outside `shape`, with its coordinates."""
    zone = shape.buffer(_BOUNDARY_TOLERANCE_DEG)
    shapely.prepare(zone)
    problems = []
    for i, g in enumerate(geoms):
        if g is None or g.geom_type != "Point" or zone.contains(g):
            continue
        hint = ""
        if zone.contains(shapely.Point(g.y, g.x)):
            hint = " (latitude and longitude look swapped)"
        problems.append(Problem(source, i + 1, GEOMETRY,
                                f"point (lon {g.x:.5f}, lat {g.y:.5f}) is outside {country}{hint}"))
    return problems


def validate(
    gdf: pd.DataFrame,
    layer: str,
    source: str = "<data>",
    *,
    country: str | None = None,
    country_shape: BaseGeometry | None = None,
) -> list[Problem]:
    """Every problem (errors, then repair notes with level "note") in an in-memory layer.

    A GeoDataFrame in another CRS is reprojected to EPSG:4326 before the range checks.
    """
    if layer not in LAYERS:
        return [Problem(source, None, None, f"unknown layer '{layer}'; choose one of: "
                                            + ", ".join(LAYERS))]
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.crs is not None and gdf.crs != CRS:
        gdf = gdf.to_crs(CRS)
    _, problems = clean(gdf, layer, source, country=country, country_shape=country_shape)
    return sorted(problems, key=lambda p: not p.is_error)
