"""CSV for spreadsheets: UTF-8 with a byte-order mark and formula-looking cells defused.

Excel reads a BOM-less UTF-8 CSV as the local code page (garbled Cyrillic), and runs a cell
that starts with `=`, `+`, `-`, `@` (or a tab / carriage return) as a formula: user-supplied
names could then exfiltrate data (CSV injection). Every CSV Otbasy writes goes through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def defuse(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with `'`; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def frame_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV text (BOM first); text cells defused, numbers left as numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_object_dtype(safe[column]) or \
                pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(defuse)
    safe.columns = [defuse(str(c)) for c in safe.columns]
    return BOM + safe.to_csv(index=False)


def frame_csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame_csv` encoded as UTF-8 (the BOM included)."""
    return frame_csv(frame).encode("utf-8")


def rows_csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Rows of values as a defused UTF-8 CSV with BOM (every cell treated as text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([defuse("" if v is None else str(v)) for v in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
