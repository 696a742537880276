"""Provenance of the bundled layers and the demo flag, for every export and report.

The source of truth is the table in each `data/<folder>/README.md` (file | source | licence |
year | status | method; `tests/test_provenance.py` checks every file has a row). Exports quote
those rows so a file that leaves the app still says where its data came from.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from geo.layers import BOUNDARY_DIR, DATA_DIR, FACILITY_DIR, SETTLEMENTS_FILE

PROVENANCE_FIELDS: tuple[str, ...] = ("file", "source", "licence", "year", "status")


@lru_cache(maxsize=1)
def bundled_provenance() -> tuple[dict[str, str], ...]:
    """One record per bundled data file listed in a README table: file (path under data/),
    source, licence, year and status (real / derived / demo ...), markdown removed."""
    out = []
    for readme in sorted(DATA_DIR.glob("*/README.md")):
        for line in readme.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 6 or not cells[0].startswith("`"):
                continue
            clean = [c.replace("**", "").replace("`", "") for c in cells[1:5]]
            for name in re.findall(r"`([^`]+)`", cells[0]):  # a row may list several files
                if (readme.parent / name).is_file():  # not a table of types or targets
                    out.append(dict(zip(PROVENANCE_FIELDS,
                                        [f"{readme.parent.name}/{name}", *clean], strict=True)))
    return tuple(out)


def layer_provenance(country: str, version: int) -> list[dict[str, str]]:
    """Provenance rows of the files one country's layers are read from: its boundaries of
    `version` (every level), the settlements and demand files and the facilities (build
    records left out)."""
    prefix = f"{BOUNDARY_DIR.name}/{country.lower()}_{int(version)}_"
    folders = (f"{SETTLEMENTS_FILE.parent.name}/", f"{FACILITY_DIR.name}/")
    return [dict(row) for row in bundled_provenance()
            if (row["file"].startswith(prefix) or row["file"].startswith(folders))
            and row["status"] != "build record"]


def has_demo(*frames: pd.DataFrame | None) -> bool:
    """True when any frame holds a record flagged demo=True."""
    for frame in frames:
        if frame is not None and "demo" in frame.columns and \
                frame["demo"].fillna(False).astype(bool).any():
            return True
    return False


UPLOAD_STATUS = {"replace": "uploaded, replaces the bundled layer",
                 "merge": "uploaded, merged by id into the bundled layer"}


def bundled_file(layer: str) -> str:
    """The data/ path (as in the provenance rows) a point layer is read from."""
    if layer == "settlements":
        return f"{SETTLEMENTS_FILE.parent.name}/{SETTLEMENTS_FILE.name}"
    return f"{FACILITY_DIR.name}/{layer}.geojson"


def upload_rows(uploads: list[tuple[str, str, str, str, int, str]]) -> list[dict[str, str]]:
    """Provenance rows of active uploads, each (layer, file name, mode, created, records,
    country): the file as the user named it, who supplied it and how it is used."""
    return [dict(zip(PROVENANCE_FIELDS, (
        f"upload: {file_name} ({layer}, {records} records)",
        f"uploaded by a user for {country} on {created}", "as supplied by the user",
        created[:4], UPLOAD_STATUS.get(mode, mode)), strict=True))
        for layer, file_name, mode, created, records, country in uploads]


def with_uploads(rows: list[dict[str, str]], uploads: list[dict[str, str]],
                 replaced: list[str]) -> list[dict[str, str]]:
    """The bundled provenance `rows` without the files of `replaced` layers, followed by the
    rows of the uploads in use: what a plan made on uploaded data was actually made from."""
    gone = {bundled_file(layer) for layer in replaced}
    return [r for r in rows if r["file"] not in gone] + list(uploads)
