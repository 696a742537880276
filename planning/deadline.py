"""One wall-clock end shared by every step of a solve (heuristics, reductions, build, MIP).

A scenario's time limit is a promise about the whole solve, so each step takes what is left
of one `Deadline` instead of a fixed share of the limit of its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    """The `perf_counter` second by which the work must end."""

    end: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.perf_counter() + max(0.0, float(seconds)))

    def left(self) -> float:
        """Seconds left (0 when past)."""
        return max(0.0, self.end - time.perf_counter())

    def expired(self) -> bool:
        return time.perf_counter() >= self.end

    def share(self, fraction: float) -> Deadline:
        """A sooner deadline: `fraction` of the time now left (for one step of several)."""
        return Deadline(time.perf_counter() + fraction * self.left())
