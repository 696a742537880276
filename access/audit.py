"""The append-only, hash-chained audit log: who did what, when, with which parameters.

Stored in SQLite (`OTBASY_AUDIT`, default `workspace/audit.sqlite`, created 0600). Every entry
is its own committed transaction with `synchronous=FULL`, so a crash loses at most the entry
being written; triggers refuse UPDATE and DELETE. Triggers can be dropped by anyone who can
write the file, so each entry also carries the SHA-256 of the previous entry and of itself,
and the newest entry's id and hash are kept beside the log (`audit.sqlite.head`):
`verify_audit` (`python -m access verify-audit`) finds an edited, deleted, inserted or
reordered entry, and a deleted newest entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo.atomic import atomic_write_text, create_private
from geo.csvsafe import rows_csv_bytes

DEFAULT_PATH = Path("workspace") / "audit.sqlite"
COLUMNS = ("id", "timestamp", "username", "role", "event", "details")
_SELECT = "SELECT id, timestamp, username, role, event, details FROM audit"  # COLUMNS
GENESIS = "0" * 64  # the "previous hash" of the first entry

# The events the app records; `record` refuses others so a typo cannot go unnoticed.
EVENTS: tuple[str, ...] = (
    "sign_in", "sign_in_failed", "sign_in_throttled", "sign_out", "session_expired",
    "access_denied", "upload_layer", "upload_refused", "run_scenario", "save_scenario",
    "save_layer", "export", "account_added", "account_removed", "role_changed", "password_changed",
    "session_refused", "session_key_rotated",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    event TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT
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
    path = create_private(path or audit_path())
    with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
        have = {row[1] for row in conn.execute("PRAGMA table_info(audit)")}
        for column in ("prev_hash", "hash"):  # logs written before the chain existed
            if column not in have:
                conn.execute(f"ALTER TABLE audit ADD COLUMN {column} TEXT")
        yield conn


def entry_hash(prev_hash: str, entry_id: int, timestamp: str, username: str, role: str,
               event: str, details: str) -> str:
    """SHA-256 over the previous entry's hash and every field of this entry."""
    fields = json.dumps([prev_hash, entry_id, timestamp, username, role, event, details],
                        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()


def head_path(path: Path | None = None) -> Path:
    """The file holding the newest entry's id and hash (beside the log)."""
    path = path or audit_path()
    return path.with_name(path.name + ".head")


def record(event: str, username: str, role: str, path: Path | None = None,
           now: datetime | None = None, /, **details: object) -> None:
    """Append one entry. `details` (scenario parameters, file names, ...) are stored as JSON.

    The first five parameters are positional-only, so any detail name is allowed.
    """
    if event not in EVENTS:
        raise ValueError(f"event: unknown audit event {event!r}")
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    payload = json.dumps(details, sort_keys=True, default=str, ensure_ascii=False)
    who = username or "(public)"
    with _connect(path) as conn:
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time: the chain stays a chain
        try:
            last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            entry_id = (last[0] + 1) if last else 1
            prev = (last[1] or GENESIS) if last else GENESIS
            digest = entry_hash(prev, entry_id, stamp, who, role, event, payload)
            conn.execute("INSERT INTO audit (id, timestamp, username, role, event, details, "
                         "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
                         (entry_id, stamp, who, role, event, payload, prev, digest))
            atomic_write_text(head_path(path), f"{entry_id} {digest}\n")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def verify_audit(path: Path | None = None) -> tuple[int, list[str]]:
    """(entries checked, problems): every entry's hash recomputed and linked to the previous
    one, and the newest compared with the head file. No problems means the log is intact."""
    path = path or audit_path()
    if not path.exists():
        return 0, [f"{path}: no audit log"]
    problems: list[str] = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
        rows = conn.execute("SELECT id, timestamp, username, role, event, details, prev_hash, "
                            "hash FROM audit ORDER BY id").fetchall()
    first = next((k for k, r in enumerate(rows) if r[7] is not None), len(rows))
    chained = rows[first:]  # entries before `first` predate the chain (older versions)
    prev, prev_id = GENESIS, None
    for entry_id, stamp, who, role, event, details, prev_hash, digest in chained:
        if prev_id is not None and entry_id != prev_id + 1:
            problems.append(f"entry {entry_id}: entries {prev_id + 1}..{entry_id - 1} missing")
        if prev_hash != prev:
            problems.append(f"entry {entry_id}: does not follow the entry before it "
                            "(an entry was deleted, inserted or reordered)")
        if digest is None or digest != entry_hash(prev_hash or "", entry_id, stamp, who, role,
                                                   event, details):
            problems.append(f"entry {entry_id}: its content was changed after it was written")
        prev, prev_id = digest, entry_id
    head = head_path(path)
    if chained or head.exists():
        newest = (chained[-1][0], chained[-1][7]) if chained else (0, GENESIS)
        try:
            head_id, head_hash = head.read_text(encoding="utf-8").split()
            recorded = (int(head_id), head_hash)
        except (OSError, ValueError):
            problems.append(f"{head.name}: missing or unreadable")
        else:
            if recorded != newest:
                problems.append(f"the newest entry is {newest[0]} but {head.name} says "
                                f"{recorded[0]}: entries were deleted or replaced")
    return len(rows), problems


def read_audit(path: Path | None = None, limit: int | None = None,
               event: str | None = None, username: str | None = None) -> pd.DataFrame:
    """Entries, newest first, optionally filtered by event or user and limited in number."""
    query, args = _SELECT, list[object]()
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
