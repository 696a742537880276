"""Read a ministry's annual care statistics (CSV/XLSX) into the long `care` table.

Accepted layouts: long (one row per unit, year, measure, value), wide by year (one column per
year: "2019", "2020 г.", "2021 жыл") and wide by measure (one column per measure, a year column).
Headers may be Russian or Kazakh; units may be ISO codes (KZ-61), KATO codes (610000000) or names
in kk/ru/en; measures may be their canonical names or Russian/Kazakh labels. Every problem is a
`Problem` naming the file, row and field; nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from geo.io import csv_rows, xlsx_rows
from geo.schema import CARE, CARE_MEASURES
from geo.validate import LayerError, Problem, checked_value, header_key, header_map, is_missing

__all__ = ["COLUMNS", "read_care", "resolve_unit", "version_for_year"]

COLUMNS = [f.name for f in CARE.fields]
MAX_BYTES = 50 * 1024 * 1024  # a national table of 224 districts x 50 measures x 30 years is ~5 MB
MAX_PROBLEMS = 200
_YEAR_HEADER = re.compile(r"^\s*((?:19|20)\d\d)\s*(?:г\.?|год|гг\.?|жыл|ж\.?|year)?\s*$",
                          re.IGNORECASE)
_GENERIC = re.compile(r"\b(область|обл\.?|облысы|region|oblast|province|city|г\.|город|"
                      r"қаласы|каласы|қ\.)\b|[()]", re.IGNORECASE)

_IGNORED = {header_key(c) for c in ("№", "no", "n", "#", "note", "notes", "comment", "примечание",
                                "ескерту", "unit_name_en", "name_en", "name_ru", "name_kk")}

# Russian / Kazakh labels of measures, compared after `header_key`.
MEASURE_ALIASES: dict[str, str] = {
    "дети 0-17": "children_0_17", "детское население": "children_0_17",
    "дети в возрасте 0-17 лет": "children_0_17", "балалар 0-17": "children_0_17",
    "0-17 жастағы балалар": "children_0_17",
    "дома ребенка": "res_baby_home", "дети в домах ребенка": "res_baby_home",
    "сәбилер үйіндегі балалар": "res_baby_home",
    "детские дома": "res_childrens_home", "дети в детских домах": "res_childrens_home",
    "балалар үйлеріндегі балалар": "res_childrens_home",
    "детские деревни семейного типа": "res_family_type_home",
    "опека": "stock_guardianship", "под опекой": "stock_guardianship",
    "опека и попечительство": "stock_guardianship", "қорғаншылық": "stock_guardianship",
    "приемные семьи (дети)": "stock_foster", "дети в приемных семьях": "stock_foster",
    "патронат": "stock_patronage", "патронатное воспитание": "stock_patronage",
    "приемные семьи": "foster_families", "қабылдаушы отбасылар": "foster_families",
    "профессиональные приемные семьи": "prof_foster_families",
    "поступило в учреждения": "entries_residential",
    "поступило в интернатные учреждения": "entries_residential",
    "поступило детей до 3 лет": "entries_residential_under3",
    "выявлено детей, оставшихся без попечения родителей": "entries_formal",
    "устройство в семьи": "entries_formal",
    "усыновление": "adoptions_all", "бала асырап алу": "adoptions_all",
    "центры поддержки семьи": "gk_centres", "отбасын қолдау орталықтары": "gk_centres",
}
_MEASURE_KEYS = {**{header_key(m): m for m in CARE_MEASURES},
                 **{header_key(k): v for k, v in MEASURE_ALIASES.items()}}

# component <= total checks within one unit and year: (part, whole or sum of wholes)
_NOT_MORE_THAN = (
    ("entries_residential_under3", ("entries_residential",)),
    ("entries_assessed", ("entries_formal",)),
    ("gk_assessments", ("gk_referrals",)),
    ("res_orgs_disability", ("res_baby_home", "res_childrens_home", "res_family_type_home")),
    ("res_boarding_with_parents", ("res_boarding_disability", "res_boarding_general")),
    ("stock_guardianship", ("children_0_17",)),
    ("entries_formal", ("children_0_17",)),
)


def _fail(source: str, message: str, field: str | None = None) -> LayerError:
    return LayerError([Problem(source, None, field, message)])


@lru_cache(maxsize=4)
def _units(country: str) -> tuple[dict[int, frozenset[str]], dict[str, str], dict[str, str]]:
    """(codes per boundary version, lookup key -> code, code -> English name) of `country`.

    Full names and codes are matched first; names without "oblast"/"city" words only where
    they are unambiguous ("Almaty" could be the city or the region: refused).
    """
    from geo.layers import boundary_versions, load_boundaries

    by_version: dict[int, frozenset[str]] = {}
    exact: dict[str, str] = {}
    loose: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for v in boundary_versions(country):
        b = load_boundaries(country, v)
        by_version[v] = frozenset(b["code"].astype(str))
        for row in b.itertuples():
            names.setdefault(row.code, row.name_en)
            kato = str(row.kato or "")
            full = [n for n in (row.name_en, row.name_kk, row.name_ru) if isinstance(n, str) and n]
            for k in [row.code, kato, kato[:2], *full]:
                if k.strip():
                    exact.setdefault(header_key(k), row.code)
            for n in full:
                loose.setdefault(header_key(_GENERIC.sub(" ", n)), set()).add(row.code)
    lookup = {k: next(iter(c)) for k, c in loose.items() if len(c) == 1}
    lookup.update(exact)
    return by_version, lookup, names


def resolve_unit(text: str, country: str = "KZ") -> str | None:
    """The unit code meant by an ISO code, KATO code or kk/ru/en name (None if unknown)."""
    from geo.validate import normalise_pcode

    _, lookup, _ = _units(country)
    raw = str(text).strip()
    if re.fullmatch(r"\d{9}", raw):
        raw = raw[:2]  # KATO: the first two digits are the numeric ISO 3166-2 code
    code = normalise_pcode(raw) if re.match(r"^[A-Za-z]{2}[-_ ]?\d", raw) else raw
    for candidate in (code, _GENERIC.sub(" ", raw)):
        found = lookup.get(header_key(candidate))
        if found:
            return found
    return None


def version_for_year(year: int, country: str = "KZ") -> int:
    """The boundary version valid in `year`: the newest version not after it (else the oldest)."""
    versions = sorted(_units(country)[0])
    valid = [v for v in versions if v <= year]
    return valid[-1] if valid else versions[0]


def _records(header: list[str], rows: list[list], numbers: list[int], source: str
             ) -> tuple[list[dict], list[Problem]]:
    """Long records (field -> raw value, plus '_row' and '_field') from any of the layouts."""
    mapping, problems = header_map(header, CARE, source)
    fields = {canon: col for col, canon in mapping.items()}
    years = {col: int(m.group(1)) for col in header if col not in mapping
             and (m := _YEAR_HEADER.match(col))}
    measures = {col: _MEASURE_KEYS[header_key(col)] for col in header
                if col not in mapping and col not in years and header_key(col) in _MEASURE_KEYS}
    known = set(mapping) | set(years) | set(measures)
    problems += [Problem(source, None, col, "column not recognised (neither a care field, a year "
                                            "nor a measure); remove or rename it")
                 for col in header if col not in known and header_key(col) not in _IGNORED]
    out: list[dict] = []
    base = [f for f in fields if f not in ("year", "value", "measure")]
    if years and "value" not in fields:
        for number, row in zip(numbers, rows):
            cells = dict(zip(header, row))
            for col, year in years.items():
                if is_missing(cells[col]):
                    continue  # no figure for this year (e.g. the unit did not exist yet)
                rec = {f: cells[fields[f]] for f in base + ["measure"] if f in fields}
                rec.update(year=year, value=cells[col], _row=number, _field=col)
                out.append(rec)
        if "measure" not in fields:
            problems.append(Problem(source, None, "measure", "wide layout (one column per year) "
                                    "needs a 'measure' column (показатель / көрсеткіш)"))
        return out, problems
    if measures and "value" not in fields:
        for number, row in zip(numbers, rows):
            cells = dict(zip(header, row))
            for col, measure in measures.items():
                if is_missing(cells[col]):
                    continue
                rec = {f: cells[fields[f]] for f in base + ["year"] if f in fields}
                rec.update(measure=measure, value=cells[col], _row=number, _field=col)
                out.append(rec)
        return out, problems
    for number, row in zip(numbers, rows):
        cells = dict(zip(header, row))
        rec = {f: cells[col] for f, col in fields.items()}
        rec.update(_row=number, _field=None)
        out.append(rec)
    return out, problems


def _measure(value: object) -> str | None:
    return _MEASURE_KEYS.get(header_key(value))


def read_care(path: str | Path, country: str = "KZ") -> pd.DataFrame:
    """Read and validate a care-statistics file; raise `LayerError` listing every problem."""
    source = str(path)
    p = Path(path)
    if not p.is_file():
        raise _fail(source, "file not found" if not p.exists() else "is a folder, not a file")
    size = p.stat().st_size
    if size == 0:
        raise _fail(source, "file is empty")
    if size > MAX_BYTES:
        raise _fail(source, f"is {size / 1e6:.0f} MB; care statistics larger than "
                            f"{MAX_BYTES // 2**20} MB are refused (split the file by year)")
    ext = p.suffix.lower()
    if ext not in (".csv", ".tsv", ".txt", ".xlsx"):
        hint = " (old Excel: save it as .xlsx or CSV)" if ext == ".xls" else ""
        raise _fail(source, f"unknown file type '{ext or p.name}'{hint}; care statistics are "
                            "tables: .csv, .tsv, .txt or .xlsx")
    try:
        header, rows, numbers, problems = (xlsx_rows if ext == ".xlsx" else csv_rows)(p, source)
    except OSError as exc:
        raise _fail(source, f"cannot be read ({exc.strerror or exc})") from None
    records, found = _records(header, rows, numbers, source)
    problems += found
    headers = ", ".join(header)
    got = set().union(*(r.keys() for r in records)) if records else set()
    for f in CARE.fields:
        if f.required and f.name not in got:
            problems.append(Problem(source, None, f.name, f"missing required column '{f.name}' "
                                                          f"(headers found: {headers})"))
    if not records:
        problems.append(Problem(source, None, None, "contains no records"))
    if any(p.row is None and p.is_error for p in problems):
        raise LayerError(problems)
    table = _clean(records, source, country.upper(), problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        if len(errors) > MAX_PROBLEMS:
            more = len(errors) - MAX_PROBLEMS
            errors = errors[:MAX_PROBLEMS] + [Problem(source, None, None,
                                                      f"... and {more} more problems")]
        raise LayerError(errors)
    return table


def _clean(records: list[dict], source: str, country: str, problems: list[Problem]
           ) -> pd.DataFrame:
    by_version, _, names = _units(country)
    fields = {f.name: f for f in CARE.fields}
    out: list[dict] = []
    seen: dict[tuple, int] = {}
    for rec in records:
        row, where = rec["_row"], rec["_field"]
        clean: dict[str, Any] = {}
        bad = False
        for name, f in fields.items():
            raw = rec.get(name)
            at = where if name == "value" and where else name
            if is_missing(raw):
                if f.required:
                    problems.append(Problem(source, row, at, "missing value"))
                    bad = True
                clean[name] = None
                continue
            if name == "unit_code":
                code = resolve_unit(str(raw), country)
                if code is None:
                    problems.append(Problem(source, row, at, f"'{str(raw).strip()}' is not a "
                                            f"{country} unit code, KATO code or unit name"))
                    bad = True
                clean[name] = code
                continue
            if name == "measure":
                measure = _measure(raw)
                if measure is None:
                    problems.append(Problem(source, row, at, f"'{str(raw).strip()}' is not a care "
                                            "measure (see docs/gatekeeping.md for the list)"))
                    bad = True
                clean[name] = measure
                continue
            value, error = checked_value(raw, f)
            if error:
                problems.append(Problem(source, row, at, error))
                bad = True
            clean[name] = value
        if bad:
            continue
        if clean["country"] not in (None, country):
            problems.append(Problem(source, row, "country", f"'{clean['country']}' is not "
                                                            f"{country}"))
            continue
        year = int(clean["year"])
        version = clean["version"] or version_for_year(year, country)
        if version not in by_version:
            available = ", ".join(map(str, sorted(by_version)))
            problems.append(Problem(source, row, "version", f"{version} is not a {country} "
                                    f"boundary version; available: {available}"))
            continue
        code = clean["unit_code"]
        if code not in by_version[version]:
            problems.append(Problem(source, row, "unit_code",
                                    f"{code} ({names.get(code, code)}) is not a unit of the "
                                    f"{version} boundaries (valid in {year}); "
                                    "give 'version' if the figure uses other boundaries"))
            continue
        key = (code, version, year, clean["measure"])
        if key in seen:
            problems.append(Problem(source, row, where or "measure",
                                    f"{clean['measure']} for {code} in {year} is given twice "
                                    f"(first in row {seen[key]})"))
            continue
        seen[key] = row
        clean.update(country=country, version=version, year=year, _row=row, _field=where)
        clean["demo"] = bool(clean["demo"]) if clean["demo"] is not None else False
        clean["basis"] = clean["basis"] or "reported"
        out.append(clean)
    frame = pd.DataFrame(out, columns=COLUMNS + ["_row", "_field"])
    problems += _consistency(frame, source)
    return frame.drop(columns=["_row", "_field"]).astype({"value": "int64", "year": "int64",
                                                          "version": "int64"})


def _consistency(frame: pd.DataFrame, source: str) -> list[Problem]:
    """A part larger than its whole in the same unit and year (e.g. under-3 entries > entries)."""
    if frame.empty:
        return []
    problems = []
    rows = frame.rename(columns={"_row": "row_no", "_field": "field_name"})
    cells = {(r.unit_code, r.version, r.year, r.measure): r for r in rows.itertuples()}
    for part, wholes in _NOT_MORE_THAN:
        for (unit, version, year, measure), r in cells.items():
            if measure != part:
                continue
            got = [cells.get((unit, version, year, w)) for w in wholes]
            if any(g is None for g in got):
                continue
            total = sum(int(g.value) for g in got if g is not None)
            if int(r.value) > total:
                problems.append(Problem(source, r.row_no, r.field_name or "value",
                                        f"{part} = {int(r.value)} exceeds {' + '.join(wholes)} = "
                                        f"{total} for {unit} in {year}"))
    return problems
