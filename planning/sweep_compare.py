"""Comparing two executions of the same sweep run by run (e.g. sequential against a process
pool or a Dask cluster).

Runs whose outcome is settled by a proof or a pre-check (`DETERMINISTIC` in both) must be
identical field by field; a run stopped by the time limit in either execution keeps the
incumbent it had at that moment, which depends on machine speed and load, so it is reported
apart rather than counted as a difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planning.sweep_run import DETERMINISTIC

COMPARED = ("status", "gap", "children_total", "children_covered", "coverage_pct",
            "cost_capex", "cost_opex", "cost_whole_life", "budget_total", "sites", "factors",
            "grid", "draw")
"""The result fields of a run record that must not depend on the executor."""


@dataclass
class Comparison:
    """Run ids by verdict: `identical` (deterministic in both and equal), `differing`
    (deterministic in both and not equal: a real reproducibility failure), `unproven` (stopped
    by the time limit or failed in at least one: not comparable), `missing` (in one only)."""

    identical: list[str] = field(default_factory=list)
    differing: list[dict[str, Any]] = field(default_factory=list)
    unproven: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no deterministic run differs and none is missing."""
        return not self.differing and not self.missing


def _brief(run_id: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {"run": run_id, "status": [a.get("status"), b.get("status")],
            "gap": [a.get("gap"), b.get("gap")], "seconds": [a.get("seconds"), b.get("seconds")],
            "fields": [k for k in COMPARED if a.get(k) != b.get(k)]}


def compare_records(ref: dict[str, dict[str, Any]], other: dict[str, dict[str, Any]]
                    ) -> Comparison:
    """Compare two executions' records (run id -> record) run by run."""
    out = Comparison()
    for run_id in sorted(set(ref) | set(other)):
        a, b = ref.get(run_id), other.get(run_id)
        if a is None or b is None:
            out.missing.append(run_id)
        elif a.get("status") in DETERMINISTIC and b.get("status") in DETERMINISTIC:
            if all(a.get(k) == b.get(k) for k in COMPARED):
                out.identical.append(run_id)
            else:
                out.differing.append(_brief(run_id, a, b))
        else:
            out.unproven.append(_brief(run_id, a, b))
    return out
