"""Session expiry and the slowing of repeated failed sign-ins.

Both take the current time as an argument (seconds, `time.time()` in the app), so tests
drive them with a fake clock instead of sleeping.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from access.roles import User

IDLE_HOURS = 8.0
MAX_HOURS = 24.0


@dataclass
class Session:
    """A signed-in user and when the session started and was last used."""

    user: User
    started: float
    last_seen: float


def idle_limit_seconds() -> float:
    """Idle expiry: `OTBASY_SESSION_IDLE_HOURS` (default 8 h)."""
    return float(os.environ.get("OTBASY_SESSION_IDLE_HOURS") or IDLE_HOURS) * 3600


def expired(session: Session, now: float, idle_seconds: float | None = None,
            max_seconds: float = MAX_HOURS * 3600) -> bool:
    """True when the session was idle too long or is older than the absolute limit."""
    idle = idle_limit_seconds() if idle_seconds is None else idle_seconds
    return now - session.last_seen > idle or now - session.started > max_seconds


class Throttle:
    """Exponential delay per username after repeated failed sign-ins.

    The first `free` failures cost nothing; each further one doubles the wait (from `base`
    seconds up to `cap`) before the next attempt for that username is even checked.
    A success clears the record. Shared by every session of the process (thread-safe).
    """

    def __init__(self, free: int = 3, base: float = 2.0, cap: float = 300.0) -> None:
        self.free, self.base, self.cap = free, base, cap
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, username: str, now: float) -> float:
        """Seconds until `username` may try again (0 when allowed now)."""
        with self._lock:
            count, last = self._failures.get(username.casefold(), (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(self.base * 2 ** (count - self.free), self.cap)
        return max(0.0, last + delay - now)

    def failed(self, username: str, now: float) -> None:
        """Record a failed attempt."""
        key = username.casefold()
        with self._lock:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, now)

    def succeeded(self, username: str) -> None:
        """Forget the failures of `username`."""
        with self._lock:
            self._failures.pop(username.casefold(), None)


THROTTLE = Throttle()
