"""The app's solve worker: same result as solving in-process, exceptions come back whole,
and a run past its deadline is killed (the process is gone, not left running)."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from geo.layers import load_layers
from planning.scenario import Scenario, ScenarioError
from planning.solve import InfeasibleScenario, run_scenario
from planning.worker import WorkerError, run_in_worker


@pytest.fixture(scope="module")
def layers():
    return load_layers("KZ")


def small(**solver) -> Scenario:
    s = Scenario.default("KZ")
    s.region.units = ["KZ-59", "KZ-62"]
    for key, value in solver.items():
        setattr(s.solver, key, value)
    return s


def test_worker_result_equals_in_process_solve(layers) -> None:
    seen: list[tuple[str, float]] = []
    remote = run_in_worker(run_scenario, small(), layers, timeout=300,
                           progress=lambda stage, frac: seen.append((stage, frac)))
    local = run_scenario(small(), layers)
    assert remote.summary["status"] == local.summary["status"] == "optimal"
    assert remote.summary["children_covered"] == pytest.approx(local.summary["children_covered"])
    assert sorted(remote.summary["opened"]) == sorted(local.summary["opened"])
    assert [s for s, f in seen if f == 0.0] == ["matrix", "model", "solving", "results"]


def test_worker_raises_the_scenario_exceptions(layers) -> None:
    bad = small()
    bad.region.units = ["KZ-99"]
    with pytest.raises(ScenarioError) as caught:
        run_in_worker(run_scenario, bad, layers, timeout=300)
    assert caught.value.problems[0][0] == "region.units" and "KZ-99" in str(caught.value)
    broke = small()
    broke.budget.total_kzt = 1.0
    with pytest.raises(InfeasibleScenario) as why:
        run_in_worker(run_scenario, broke, layers, timeout=300)
    assert why.value.explanations and "budget" in " ".join(why.value.explanations)


def test_worker_is_killed_at_the_deadline() -> None:
    with pytest.raises(WorkerError, match="longer than 3 s"):
        run_in_worker(time.sleep, 600, timeout=3)
    assert multiprocessing.active_children() == []  # killed and reaped, not left running


def test_worker_that_dies_is_reported() -> None:
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        run_in_worker(os._exit, 3, timeout=60)
