"""Identify the units of an OCHA COD-AB boundary file (Kazakhstan layout) at either level.

A COD-AB file names each unit several ways: KATO (9 digits), ADM1_PCODE (`KZ10`), ISO_3166_2
(alpha `KZ-ABY` or numeric `KZ-10`), ADM2_PCODE (`KZ101000`) and ADM*_EN/KK/RU names. They are
resolved by one precedence, KATO > PCODE > ISO code > names, and every other identifier present
is cross-checked against the chosen one, so a KATO that disagrees with its PCODE is reported
on its row instead of silently winning. Older vintages (PCODEs and names only, no KATO, no ISO
column) resolve the same way. Returns canonical boundary columns; `geo.validate` does the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

# ISO 3166-2 alpha codes (the pre-2020 form still used by COD-AB / geokz) -> numeric form.
# KZ-YUZ is South Kazakhstan, renamed Turkistan in 2018: the files of 2018 and later use it
# for Turkistan (KZ-61); the 2014 South Kazakhstan (KZ-51) is never read from such a file.
ISO_ALPHA = {
    "KZ-ABY": "KZ-10", "KZ-AKM": "KZ-11", "KZ-AKT": "KZ-15", "KZ-ALM": "KZ-19",
    "KZ-ATY": "KZ-23", "KZ-ZAP": "KZ-27", "KZ-ZHA": "KZ-31", "KZ-ZHT": "KZ-33",
    "KZ-KAR": "KZ-35", "KZ-KUS": "KZ-39", "KZ-KZY": "KZ-43", "KZ-MAN": "KZ-47",
    "KZ-PAV": "KZ-55", "KZ-SEV": "KZ-59", "KZ-YUZ": "KZ-61", "KZ-ULT": "KZ-62",
    "KZ-VOS": "KZ-63", "KZ-AST": "KZ-71", "KZ-ALA": "KZ-75", "KZ-SHY": "KZ-79",
}
# Spellings of first-level names in COD-AB / geokz files that differ from the bundled names.
NAME_SPELLINGS = {
    "abay": "KZ-10", "абайская": "KZ-10", "karagandy": "KZ-35", "карагандинская": "KZ-35",
    "turkestan": "KZ-61", "туркестанская": "KZ-61", "jambyl": "KZ-31", "zhambyl": "KZ-31",
    "жамбылская": "KZ-31", "zhetysu": "KZ-33", "жетысуская": "KZ-33", "nur_sultan_(city)": "KZ-71",
    "нур_султан": "KZ-71", "almaty": "KZ-19", "алматинская": "KZ-19", "чимкент": "KZ-79",
    "улытауская": "KZ-62", "акмолинская": "KZ-11", "актюбинская": "KZ-15",
    "атырауская": "KZ-23", "западно_казахстанская": "KZ-27", "костанайская": "KZ-39",
    "кызылординская": "KZ-43", "мангистауская": "KZ-47", "павлодарская": "KZ-55",
    "северо_казахстанская": "KZ-59", "восточно_казахстанская": "KZ-63",
}
PRECEDENCE = ("KATO", "PCODE", "ISO_3166_2", "name")
_DISTRICT_MARKERS = ("adm2_pcode", "adm2_en", "adm2_ru", "adm2_kk")
_COD_AB_MARKERS = ("kato", "adm1_pcode", "adm2_pcode", "iso_3166_2", "adm1_en")
_KATO = re.compile(r"^\d{9}$")
_PCODE1 = re.compile(r"^([A-Za-z]{2})[-_ ]?0*(\d{1,3})$")
_PCODE2 = re.compile(r"^([A-Za-z]{2})[-_ ]?(\d{6})$")

Issue = tuple[int | None, str | None, str]  # (row 1-based or None, field, message)
NameLookup = Callable[[str, str, str, str | None], str | None]  # level, lang, name, parent


def key(text: object) -> str:
    """Comparison form of a header or name: lower case, ё as е, spaces/hyphens as '_'."""
    text = str(text).strip().lower().replace("ё", "е")
    return re.sub(r"[\s\-_]+", "_", text)


def is_codab(columns: list[str]) -> bool:
    """True when the headers are those of a COD-AB boundary file (not Otbasy's own)."""
    keys = {key(c) for c in columns}
    return "code" not in keys and any(m in keys for m in _COD_AB_MARKERS)


def level_of(columns: list[str]) -> str:
    """'district' for an ADM2 file, else 'oblast'."""
    keys = {key(c) for c in columns}
    return "district" if any(m in keys for m in _DISTRICT_MARKERS) else "oblast"


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def oblast_code(value: str) -> str | None:
    """'KZ10', 'KZ010', 'kz-10', 'KZ-ABY' -> 'KZ-10'; None when not a first-level code."""
    alpha = ISO_ALPHA.get(value.strip().upper())
    if alpha:
        return alpha
    m = _PCODE1.match(value.strip())
    return f"{m.group(1).upper()}-{int(m.group(2)):02d}" if m else None


def district_code(value: str) -> str | None:
    """'KZ101000', 'kz-101000' -> 'KZ101000'; None when not a district PCODE."""
    m = _PCODE2.match(value.strip())
    return f"{m.group(1).upper()}{m.group(2)}" if m else None


def _candidates(row: dict, cols: dict[str, str], level: str, parent: str | None,
                names: NameLookup | None) -> tuple[list[tuple[str, str | None, str]], list[str]]:
    """(tier, column, code) for every identifier present, in precedence order, and the
    messages for identifiers that are present but unreadable."""
    n = "2" if level == "district" else "1"
    found: list[tuple[str, str | None, str]] = []
    bad: list[str] = []

    def add(tier: str, column_key: str, convert) -> None:
        column = cols.get(column_key)
        value = _text(row.get(column)) if column else None
        if value is None:
            return
        code = convert(value)
        if code is None:
            bad.append(f"{column} '{value}' is not a {'district' if n == '2' else 'unit'} code")
        else:
            found.append((tier, column, code))

    add("KATO", "kato", lambda v: (f"KZ{v[:6]}" if n == "2" else f"KZ-{v[:2]}")
        if _KATO.match(v) else None)
    add("PCODE", f"adm{n}_pcode", district_code if n == "2" else oblast_code)
    if n == "1":
        add("ISO_3166_2", "iso_3166_2", oblast_code)
    if names is not None and not found:
        for lang in ("en", "ru", "kk"):
            column = cols.get(f"adm{n}_{lang}")
            value = _text(row.get(column)) if column else None
            code = names(level, lang, value, parent) if value else None
            if code:
                found.append(("name", column, code))
                break
    return found, bad


def _resolve_one(row: dict, cols: dict[str, str], level: str, parent: str | None,
                 names: NameLookup | None, number: int, field: str) -> tuple[str | None,
                                                                           list[Issue]]:
    found, bad = _candidates(row, cols, level, parent, names)
    issues: list[Issue] = [(number, field, m) for m in bad]
    if not found:
        if not bad:
            issues.append((number, field, "no KATO, PCODE, ISO code or known name identifies "
                                          f"the {'district' if level == 'district' else 'unit'}"))
        return None, issues
    _tier, column, code = found[0]
    for _other_tier, other_column, other in found[1:]:
        if other != code:
            issues.append((number, field, f"{column} '{_text(row.get(column))}' ({code}) "
                                          f"disagrees with {other_column} "
                                          f"'{_text(row.get(other_column))}' ({other})"))
    return code, issues


def resolve(raw: pd.DataFrame, names: NameLookup | None = None) -> tuple[pd.DataFrame,
                                                                        list[Issue]]:
    """Canonical boundary columns (code, kato, name_*, country, version, approximate, level,
    parent_code) of a COD-AB frame, and the row issues found while resolving them."""
    cols = {key(c): c for c in raw.columns}
    level = level_of(list(raw.columns))
    n = "2" if level == "district" else "1"
    out: dict[str, list] = {k: [] for k in ("code", "kato", "name_en", "name_kk", "name_ru",
                                            "country", "level", "parent_code")}
    issues: list[Issue] = []
    for i, row in enumerate(raw.to_dict("records"), start=1):
        parent = None
        if level == "district":
            parent_row = {k: v for k, v in row.items()}
            parent_cols = {k: v for k, v in cols.items() if not k.startswith("adm2")}
            parent, found = _resolve_one(parent_row, parent_cols, "oblast", None, names, i,
                                         "parent_code")
            issues += found
        code, found = _resolve_one(row, cols, level, parent, names, i, "code")
        issues += found
        if level == "district" and code and parent and code[2:4] != parent[3:]:
            issues.append((i, "code", f"district {code} does not lie in unit {parent} "
                                      f"(its digits say KZ-{code[2:4]})"))
        kato = _text(row.get(cols["kato"])) if "kato" in cols else None
        if kato is None and code:
            kato = f"{code[2:]}000" if level == "district" else f"{code[3:]}0000000"
        adm0 = _text(row.get(cols.get("adm0_pcode"))) if "adm0_pcode" in cols else None
        out["code"].append(code)
        out["kato"].append(kato)
        for lang in ("en", "kk", "ru"):
            column = cols.get(f"adm{n}_{lang}")
            out[f"name_{lang}"].append(_text(row.get(column)) if column else None)
        out["country"].append((adm0 or code or "")[:2].upper() or None)
        out["level"].append(level)
        out["parent_code"].append(parent)
    frame = pd.DataFrame(out, index=raw.index)
    for name in ("year", "validon", "date"):
        if name in cols:
            frame["version"] = [_year(v) for v in raw[cols[name]]]
            break
    frame["approximate"] = False
    return frame, issues


def _year(value: object) -> int | None:
    if _text(value) is None:
        return None
    if hasattr(value, "year"):
        return int(value.year)
    m = re.search(r"(19|20|21)\d\d", str(value))
    return int(m.group(0)) if m else None
