"""How a solve's outcome is labelled (planning.optimize.solve_built), for the outcomes a real
solver only gives by chance (a time limit reached at the moment the gap closes)."""

from __future__ import annotations

from types import SimpleNamespace

import pulp
import pytest
from test_planning_bruteforce import random_instance

from planning.model import ModelOptions, build_model
from planning.optimize import solve_built
from planning.scenario import Solver


@pytest.mark.parametrize("status,sol,gap,label", [
    (pulp.LpStatusOptimal, pulp.LpSolutionOptimal, 0.0, "optimal"),
    (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible, 0.05, "feasible"),
    (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible, 0.0, "optimal"),     # gap closed
    (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible, 5e-5, "optimal"),    # within 1e-4
    (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound, None, "time_limit"),
    (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible, None, "infeasible"),
])
def test_status_labels(status: int, sol: int, gap: float | None, label: str) -> None:
    built = build_model(random_instance(1, m=4, n=8), ModelOptions())

    def fake_solve(solver):
        built.prob.status, built.prob.sol_status = status, sol
        info = SimpleNamespace(mip_gap=float("inf") if gap is None else gap)
        built.prob.solverModel = SimpleNamespace(getInfo=lambda: info)

    built.prob.solve = fake_solve
    info = solve_built(built, Solver(mip_gap=1e-4))
    assert info.status == label
    assert info.has_solution == (label in ("optimal", "feasible"))
    if label == "feasible":
        assert info.gap == gap
