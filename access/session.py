"""Session expiry and the slowing of repeated failed sign-ins (persistent, per username and
per client address).

Both take the current time as an argument (seconds, `time.time()` in the app), so tests
drive them with a fake clock instead of sleeping.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from access.roles import User
from geo.atomic import create_private
from geo.paths import workspace_dir

IDLE_HOURS = 8.0
MAX_HOURS = 24.0


@dataclass
class Session:
    """A signed-in user, when the session started and was last used, and its id in the
    server-side store (`access.session_store`; empty for a session made in-process, as the
    page tests do, which lives only in its browser session)."""

    user: User
    started: float
    last_seen: float
    sid: str = ""


def idle_limit_seconds() -> float:
    """Idle expiry: `OTBASY_SESSION_IDLE_HOURS` (default 8 h)."""
    return float(os.environ.get("OTBASY_SESSION_IDLE_HOURS") or IDLE_HOURS) * 3600


def expired(session: Session, now: float, idle_seconds: float | None = None,
            max_seconds: float = MAX_HOURS * 3600) -> bool:
    """True when the session was idle too long or is older than the absolute limit."""
    idle = idle_limit_seconds() if idle_seconds is None else idle_seconds
    return now - session.last_seen > idle or now - session.started > max_seconds


class Throttle:
    """Exponential delay after repeated failed sign-ins, per username and per client address.

    The first `free` failures of a username (`free_address` of an address, over any names)
    cost nothing; each further one doubles the wait (from `base` seconds up to `cap`) before
    the next attempt is even checked. A success clears the username's record, not the
    address's; records are forgotten `forget` seconds after their last failure. The exponent
    is capped, so any number of failures gives a finite wait. With `path` the records live in
    SQLite (0600) and survive restarts; shared by every session and process.
    """

    def __init__(self, free: int = 3, base: float = 2.0, cap: float = 300.0,
                 path: Path | None = None, free_address: int = 10,
                 forget: float = 24 * 3600.0) -> None:
        self.free, self.base, self.cap = free, base, cap
        self.free_address, self.forget, self.path = free_address, forget, path
        self._memory: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    # storage -------------------------------------------------------------------------------
    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection | None]:
        if self.path is None:
            with self._lock:
                yield None
            return
        with closing(sqlite3.connect(create_private(self.path), timeout=10)) as conn, conn:
            conn.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT PRIMARY KEY, "
                         "count INTEGER NOT NULL, last REAL NOT NULL)")
            yield conn

    def _get(self, db: sqlite3.Connection | None, key: str) -> tuple[int, float]:
        if db is None:
            return self._memory.get(key, (0, 0.0))
        row = db.execute("SELECT count, last FROM failures WHERE key = ?", (key,)).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def _put(self, db: sqlite3.Connection | None, key: str, count: int, last: float) -> None:
        if db is None:
            self._memory[key] = (count, last)
        else:
            db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)", (key, count, last))

    def _drop(self, db: sqlite3.Connection | None, key: str) -> None:
        if db is None:
            self._memory.pop(key, None)
        else:
            db.execute("DELETE FROM failures WHERE key = ?", (key,))

    # rules ---------------------------------------------------------------------------------
    @staticmethod
    def _keys(username: str, address: str | None) -> list[tuple[str, bool]]:
        keys = [("user:" + username.casefold()[:200], False)]
        if address:
            keys.append(("addr:" + address[:100], True))
        return keys

    def _delay(self, count: int, free: int) -> float:
        over = count - free
        if over < 0:
            return 0.0
        return min(self.base * 2.0 ** min(over, 60), self.cap)  # bounded: no overflow

    def wait_seconds(self, username: str, now: float, address: str | None = None) -> float:
        """Seconds until `username` (from `address`) may try again (0 when allowed now)."""
        wait = 0.0
        with self._db() as db:
            for key, is_address in self._keys(username, address):
                count, last = self._get(db, key)
                if count and now - last > self.forget:
                    continue
                delay = self._delay(count, self.free_address if is_address else self.free)
                wait = max(wait, last + delay - now)
        return max(0.0, wait)

    def failed(self, username: str, now: float, address: str | None = None) -> None:
        """Record a failed attempt (for the username and the address)."""
        with self._db() as db:
            for key, _ in self._keys(username, address):
                count, last = self._get(db, key)
                if now - last > self.forget:
                    count = 0
                self._put(db, key, min(count + 1, MAX_COUNT), now)

    def succeeded(self, username: str) -> None:
        """Forget the failures of `username` (the address keeps its record)."""
        with self._db() as db:
            self._drop(db, self._keys(username, None)[0][0])


MAX_COUNT = 1_000_000  # failures remembered per key (the wait is already at the cap)


def throttle_path() -> Path:
    """Where failed sign-ins are remembered: `OTBASY_THROTTLE` or workspace/throttle.sqlite."""
    return Path(os.environ.get("OTBASY_THROTTLE") or workspace_dir() / "throttle.sqlite")


class _DefaultThrottle(Throttle):
    """The app's throttle: persistent, at the path in force when each check runs."""

    def __init__(self) -> None:
        super().__init__()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection | None]:
        self.path = throttle_path()
        with super()._db() as db:
            yield db


THROTTLE: Throttle = _DefaultThrottle()
