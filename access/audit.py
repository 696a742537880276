"""The append-only audit log: who did what, when, with which parameters.

Stored in SQLite (`OTBASY_AUDIT`, default `workspace/audit.sqlite`). Every entry is its own
committed transaction with `synchronous=FULL`, so a crash loses at most the entry being
written; triggers refuse UPDATE and DELETE, so the log can only grow.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo.csvsafe import rows_csv_bytes

DEFAULT_PATH = Path("workspace") / "audit.sqlite"
COLUMNS = ("id", "timestamp", "username", "role", "event", "details")

# The events the app records; `record` refuses others so a typo cannot go unnoticed.
EVENTS: tuple[str, ...] = (
    "sign_in", "sign_in_failed", "sign_in_throttled", "sign_out", "session_expired",
    "access_denied", "upload_layer", "upload_refused", "run_scenario", "save_scenario",
    "save_layer", "export", "account_added", "account_removed", "role_changed", "password_changed",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    event TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def audit_path() -> Path:
    """Where the audit log is: `OTBASY_AUDIT` or `workspace/audit.sqlite`."""
    return Path(os.environ.get("OTBASY_AUDIT") or DEFAULT_PATH)


@contextmanager
def _connect(path: Path | None) -> Iterator[sqlite3.Connection]:
    path = path or audit_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=10)) as conn:
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
        yield conn


def record(event: str, username: str, role: str, path: Path | None = None,
           now: datetime | None = None, /, **details: object) -> None:
    """Append one entry. `details` (scenario parameters, file names, ...) are stored as JSON.

    The first five parameters are positional-only, so any detail name is allowed.
    """
    if event not in EVENTS:
        raise ValueError(f"event: unknown audit event {event!r}")
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    payload = json.dumps(details, sort_keys=True, default=str, ensure_ascii=False)
    with _connect(path) as conn, conn:
        conn.execute(
            "INSERT INTO audit (timestamp, username, role, event, details) VALUES (?,?,?,?,?)",
            (stamp, username or "(public)", role, event, payload),
        )


def read_audit(path: Path | None = None, limit: int | None = None,
               event: str | None = None, username: str | None = None) -> pd.DataFrame:
    """Entries, newest first, optionally filtered by event or user and limited in number."""
    query, args = "SELECT * FROM audit", list[object]()
    where = [(c, v) for c, v in (("event", event), ("username", username)) if v]
    if where:
        query += " WHERE " + " AND ".join(f"{c} = ?" for c, _ in where)
        args += [v for _, v in where]
    query += " ORDER BY id DESC"
    if limit is not None:
        query += " LIMIT ?"
        args.append(int(limit))
    with _connect(path) as conn:
        rows = conn.execute(query, args).fetchall()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def audit_csv(path: Path | None = None) -> bytes:
    """The whole log as UTF-8 CSV with BOM (oldest first, formula cells defused)."""
    frame = read_audit(path).iloc[::-1]
    return rows_csv_bytes(COLUMNS, frame.itertuples(index=False))
