"""The workspace: saved scenarios and accepted layers, on disk, shared by every session.

Layout under the workspace directory (`OTBASY_WORKSPACE`, default `./workspace`):
  otbasy.sqlite          one row per saved scenario / layer (name, note, created, author...)
  results/<uuid>.gpkg    a saved scenario's result layers (sites, settlements)
  layers/<uuid>.gpkg     an accepted uploaded layer
  active/<uuid>.gpkg     a user's active uploaded layer (row in `active_layers`), restored
                         after a reload until they go back to the bundled layer
GeoPackages are written with `geo.atomic.atomic_path` before the SQLite row that points at
them is committed in one transaction, so a crash never leaves a record without its file.
Names are unique: saving under a taken name raises `NameTaken` instead of overwriting.
Unsaved work never comes here; it lives in each browser session's state.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.atomic import atomic_path, create_private, remove_leftovers
from geo.paths import DEFAULT_DIR, ENV_VAR, workspace_dir

__all__ = ["DEFAULT_DIR", "ENV_VAR", "ActiveLayer", "NameTaken", "SavedScenario", "Workspace",
           "workspace_dir"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    version INTEGER,
    scenario_toml TEXT NOT NULL,
    summary_json TEXT NOT NULL,
    by_unit_json TEXT NOT NULL DEFAULT '[]',
    result_file TEXT
);
CREATE TABLE IF NOT EXISTS layers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    layer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    records INTEGER NOT NULL,
    file TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS active_layers (
    owner TEXT NOT NULL,
    layer TEXT NOT NULL,
    file_name TEXT NOT NULL,
    mode TEXT NOT NULL,
    created TEXT NOT NULL,
    records INTEGER NOT NULL,
    file TEXT NOT NULL,
    PRIMARY KEY (owner, layer)
);
"""


class NameTaken(ValueError):
    """A saved scenario or layer already has this name."""

    def __init__(self, name: str):
        super().__init__(f"the name {name!r} is already used in the workspace")
        self.name = name


@dataclass(frozen=True)
class SavedScenario:
    """A saved scenario record with its result layers (when stored)."""

    name: str
    note: str
    created: str
    author: str
    country: str
    version: int | None
    scenario_toml: str
    summary: dict
    by_unit: pd.DataFrame
    result_file: Path | None

    def result_layer(self, layer: str) -> gpd.GeoDataFrame | None:
        """One result layer ("sites" or "settlements") or None if not stored."""
        if self.result_file is None or not self.result_file.exists():
            return None
        if layer not in pyogrio.list_layers(self.result_file)[:, 0]:
            return None
        return gpd.read_file(self.result_file, layer=layer)


@dataclass(frozen=True)
class ActiveLayer:
    """An uploaded layer in use instead of (replace) or merged into (merge) the bundled one:
    the upload's records, the file it came from (as shown: cleaned name), when, how."""

    layer: str
    frame: gpd.GeoDataFrame
    file_name: str
    mode: str
    created: str

    @property
    def records(self) -> int:
        return len(self.frame)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValueError("a name is required")
    return name


class Workspace:
    """Saved scenarios and layers in one directory (see module docstring)."""

    def __init__(self, root: str | os.PathLike[str] | None = None):
        self.root = Path(root) if root is not None else workspace_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        for folder in (self.root, self.root / "results", self.root / "layers",
                       self.root / "active"):
            remove_leftovers(folder)
        self.db_path = create_private(self.root / "otbasy.sqlite")
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:  # one transaction: commit on success, roll back on error
                yield db
        finally:
            db.close()

    # scenarios -----------------------------------------------------------------------------
    def save_scenario(self, name: str, scenario_toml: str, summary: Mapping[str, object], *,
                      note: str = "", author: str = "", country: str = "",
                      version: int | None = None, by_unit: pd.DataFrame | None = None,
                      sites: gpd.GeoDataFrame | None = None,
                      settlements: gpd.GeoDataFrame | None = None) -> str:
        """Save a scenario and its result; returns the record id. Raises NameTaken."""
        name = _clean_name(name)
        if name in self.scenario_names():
            raise NameTaken(name)
        record_id = uuid.uuid4().hex
        result_file = None
        if sites is not None or settlements is not None:
            result_file = self.root / "results" / f"{record_id}.gpkg"
            with atomic_path(result_file) as tmp:
                for layer, frame in (("sites", sites), ("settlements", settlements)):
                    if frame is not None and not frame.empty:
                        frame.to_file(tmp, layer=layer, driver="GPKG")
        by_unit_json = (pd.DataFrame(by_unit).drop(columns=["geometry"], errors="ignore")
                        .to_json(orient="records") if by_unit is not None else "[]")
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO scenarios (id, name, note, created, author, country, version,"
                    " scenario_toml, summary_json, by_unit_json, result_file)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (record_id, name, note or "", _now(), author or "", country or "", version,
                     scenario_toml, json.dumps(dict(summary), default=str), by_unit_json,
                     result_file.name if result_file else None))
        except sqlite3.IntegrityError as exc:
            if result_file is not None:
                result_file.unlink(missing_ok=True)
            raise NameTaken(name) from exc
        return record_id

    def scenario_names(self) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT name FROM scenarios ORDER BY created, name")]

    def list_scenarios(self) -> pd.DataFrame:
        """name, note, created, author, country, version of every saved scenario."""
        with self._connect() as db:
            return pd.read_sql_query(
                "SELECT name, note, created, author, country, version FROM scenarios"
                " ORDER BY created, name", db)

    def load_scenario(self, name: str) -> SavedScenario:
        """A saved scenario by name (KeyError if none)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT name, note, created, author, country, version, scenario_toml,"
                " summary_json, by_unit_json, result_file FROM scenarios WHERE name = ?",
                (name,)).fetchone()
        if row is None:
            raise KeyError(name)
        from io import StringIO
        by_unit = pd.read_json(StringIO(row[8]), orient="records") if row[8] != "[]" \
            else pd.DataFrame()
        return SavedScenario(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                             json.loads(row[7]), by_unit,
                             self.root / "results" / row[9] if row[9] else None)

    # layers --------------------------------------------------------------------------------
    def save_layer(self, name: str, layer: str, gdf: gpd.GeoDataFrame, *, note: str = "",
                   author: str = "", source: str = "") -> str:
        """Save an accepted layer as a GeoPackage; returns the record id. Raises NameTaken."""
        name = _clean_name(name)
        if name in self.layer_names():
            raise NameTaken(name)
        record_id = uuid.uuid4().hex
        path = self.root / "layers" / f"{record_id}.gpkg"
        with atomic_path(path) as tmp:
            gdf.to_file(tmp, layer=layer, driver="GPKG")
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO layers (id, name, layer, note, created, author, source,"
                    " records, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (record_id, name, layer, note or "", _now(), author or "", source or "",
                     len(gdf), path.name))
        except sqlite3.IntegrityError as exc:
            path.unlink(missing_ok=True)
            raise NameTaken(name) from exc
        return record_id

    def layer_names(self, layer: str | None = None) -> list[str]:
        with self._connect() as db:
            if layer:
                rows = db.execute("SELECT name FROM layers WHERE layer = ?"
                                  " ORDER BY created, name", (layer,))
            else:
                rows = db.execute("SELECT name FROM layers ORDER BY created, name")
            return [r[0] for r in rows]

    def list_layers(self) -> pd.DataFrame:
        """name, layer, records, note, created, author, source of every saved layer."""
        with self._connect() as db:
            return pd.read_sql_query(
                "SELECT name, layer, records, note, created, author, source FROM layers"
                " ORDER BY created, name", db)

    def load_layer(self, name: str) -> tuple[str, gpd.GeoDataFrame]:
        """(layer kind, GeoDataFrame) of a saved layer (KeyError if none)."""
        with self._connect() as db:
            row = db.execute("SELECT layer, file FROM layers WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise KeyError(name)
        return row[0], gpd.read_file(self.root / "layers" / row[1], layer=row[0])

    # active uploaded layers ------------------------------------------------------------------
    def set_active(self, owner: str, active: ActiveLayer) -> None:
        """Make `active` the owner's layer of its kind: the GeoPackage is written atomically
        before the row pointing at it replaces the previous one in one transaction; the
        previous file is removed after the commit."""
        path = self.root / "active" / f"{uuid.uuid4().hex}.gpkg"
        with atomic_path(path) as tmp:
            active.frame.to_file(tmp, layer=active.layer, driver="GPKG")
        try:
            with self._connect() as db:
                old = db.execute("SELECT file FROM active_layers WHERE owner = ? AND layer = ?",
                                 (owner, active.layer)).fetchone()
                db.execute("INSERT OR REPLACE INTO active_layers (owner, layer, file_name,"
                           " mode, created, records, file) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (owner, active.layer, active.file_name, active.mode,
                            active.created, active.records, path.name))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if old is not None and old[0] != path.name:
            (self.root / "active" / old[0]).unlink(missing_ok=True)

    def active_layers(self, owner: str) -> dict[str, ActiveLayer]:
        """The owner's active uploaded layers by kind (a row whose file is gone is skipped)."""
        with self._connect() as db:
            rows = db.execute("SELECT layer, file_name, mode, created, file FROM active_layers"
                              " WHERE owner = ? ORDER BY layer", (owner,)).fetchall()
        out = {}
        for layer, file_name, mode, created, file in rows:
            path = self.root / "active" / file
            if path.exists():
                out[layer] = ActiveLayer(layer, gpd.read_file(path, layer=layer), file_name,
                                         mode, created)
        return out

    def clear_active(self, owner: str, layer: str) -> None:
        """Back to the bundled layer: the row goes first, then its file."""
        with self._connect() as db:
            old = db.execute("SELECT file FROM active_layers WHERE owner = ? AND layer = ?",
                             (owner, layer)).fetchone()
            db.execute("DELETE FROM active_layers WHERE owner = ? AND layer = ?",
                       (owner, layer))
        if old is not None:
            (self.root / "active" / old[0]).unlink(missing_ok=True)
