"""The server-side record of signed-in sessions, checked on every run of the app.

A signed token (`access.tokens`) only names a session; this store says whether it is still
open. A session closes on sign-out, after the idle or absolute limit of `access.session`, and
as soon as its account changes: each session keeps a fingerprint of the account's role, units
and password hash, so removing an account, changing its role or units, or setting a new
password signs out every browser of that account on its next run.

The browser gets its token through a one-time ticket: the sign-in run issues a random ticket
(kept here only as its SHA-256, valid for `TICKET_SECONDS`), the page posts it to the app's
`/api/session` route (`access.web`), and the route answers with the token as an HTTP-only
cookie, so the token itself is never in the page, a script or a URL.

SQLite in `workspace/sessions.sqlite` (`OTBASY_SESSIONS`), created 0600; every operation is
one short transaction, shared by all sessions and processes. Times are seconds (`time.time()`
in the app), passed in so tests drive expiry with a fake clock.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from access import tokens
from access.credentials import Account, load_accounts
from access.roles import User
from access.session import MAX_HOURS, Session, expired
from geo.atomic import create_private
from geo.paths import workspace_dir

TICKET_SECONDS = 120.0
TOUCH_SECONDS = 60.0  # last use is written at most once a minute (idle limit: hours)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY, username TEXT NOT NULL, fingerprint TEXT NOT NULL,
    started REAL NOT NULL, last_seen REAL NOT NULL, closed REAL, reason TEXT);
CREATE TABLE IF NOT EXISTS tickets (
    digest TEXT PRIMARY KEY, sid TEXT NOT NULL, expires REAL NOT NULL);
"""


@dataclass(frozen=True)
class Check:
    """The outcome of checking a session: the user (None when refused) and why not."""

    user: User | None
    reason: str = ""


def store_path() -> Path:
    """Where sessions are kept: `OTBASY_SESSIONS` or workspace/sessions.sqlite."""
    return Path(os.environ.get("OTBASY_SESSIONS") or workspace_dir() / "sessions.sqlite")


@contextmanager
def _db(path: Path | None) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(create_private(path or store_path()), timeout=10)) as conn, \
            conn:
        conn.executescript(_SCHEMA)
        yield conn


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(account: Account) -> str:
    """What must not change for a session to stay open: role, units and password hash."""
    return _digest("\x1f".join([account.role, ",".join(sorted(account.units)),
                                account.password_hash]))


def open_session(user: User, now: float, path: Path | None = None,
                 credentials: Path | None = None) -> str:
    """Record a new session of `user` (just signed in) and return its id."""
    account = load_accounts(credentials).get(user.username)
    if account is None:
        raise ValueError(f"username: no account {user.username!r}")
    sid = secrets.token_urlsafe(24)
    with _db(path) as db:
        db.execute("DELETE FROM sessions WHERE started < ?", (now - 2 * MAX_HOURS * 3600,))
        db.execute("DELETE FROM tickets WHERE expires < ?", (now,))
        db.execute("INSERT INTO sessions (sid, username, fingerprint, started, last_seen) "
                   "VALUES (?, ?, ?, ?, ?)", (sid, user.username, fingerprint(account), now, now))
    return sid


def issue_ticket(sid: str, now: float, path: Path | None = None) -> str:
    """A one-time ticket the browser exchanges for the session's cookie (`redeem_ticket`)."""
    ticket = secrets.token_urlsafe(32)
    with _db(path) as db:
        db.execute("INSERT INTO tickets VALUES (?, ?, ?)",
                   (_digest(ticket), sid, now + TICKET_SECONDS))
    return ticket


def redeem_ticket(ticket: str, now: float, key: bytes, path: Path | None = None
                  ) -> tuple[str, int] | None:
    """The signed token of the ticket's session and its lifetime in seconds, or None for an
    unknown, used or expired ticket or a closed session. A ticket works once."""
    if not isinstance(ticket, str) or not 0 < len(ticket) <= 100:
        return None
    with _db(path) as db:
        row = db.execute("DELETE FROM tickets WHERE digest = ? RETURNING sid, expires",
                         (_digest(ticket),)).fetchone()
        if row is None or row[1] < now:
            return None
        session = db.execute("SELECT username, started FROM sessions WHERE sid = ? AND "
                             "closed IS NULL", (row[0],)).fetchone()
    if session is None:
        return None
    username, started = session
    ends = started + MAX_HOURS * 3600
    if ends <= now:
        return None
    token = tokens.sign(tokens.Claims(username, row[0], started, ends), key)
    return token, int(ends - now)


def check(sid: str, username: str, now: float, path: Path | None = None,
          credentials: Path | None = None) -> Check:
    """The current user of session `sid` if it is open, belongs to `username`, is within the
    idle and absolute limits and its account is unchanged; otherwise close it and say why
    (`unknown`, `signed_out`, `expired`, `account_changed`, or the reason it closed before)."""
    with _db(path) as db:
        row = db.execute("SELECT username, fingerprint, started, last_seen, reason FROM "
                         "sessions WHERE sid = ?", (sid,)).fetchone()
        if row is None or row[0] != username:
            return Check(None, "unknown")
        _, print_, started, last_seen, reason = row
        if reason:
            return Check(None, reason)
        account = load_accounts(credentials).get(username)
        problem = ""
        if account is None or fingerprint(account) != print_:
            problem = "account_changed"
        elif expired(Session(account.user(), started, last_seen), now):
            problem = "expired"
        if problem or account is None:
            db.execute("UPDATE sessions SET closed = ?, reason = ? WHERE sid = ?",
                       (now, problem, sid))
            return Check(None, problem)
        if now - last_seen >= TOUCH_SECONDS:
            db.execute("UPDATE sessions SET last_seen = ? WHERE sid = ?", (now, sid))
    return Check(account.user())


def close(sid: str, now: float, reason: str = "signed_out", path: Path | None = None) -> None:
    """Close session `sid` (sign-out); its token is refused from now on."""
    with _db(path) as db:
        db.execute("UPDATE sessions SET closed = ?, reason = ? WHERE sid = ? AND closed IS NULL",
                   (now, reason, sid))
        db.execute("DELETE FROM tickets WHERE sid = ?", (sid,))
