"""Solve a built model with HiGHS or CBC and read back an honest status and the plan.

PuLP 3.3 reports `LpStatus` "Optimal" even when a time limit stopped the search with an
incumbent; `prob.sol_status` tells the truth (LpSolutionIntegerFeasible = stopped early).
When no integer solution exists the variables hold fractional LP values, so they are never
read as a plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pulp

from planning.instance import Instance
from planning.model import Built
from planning.scenario import Solver

STATUSES = ("optimal", "feasible", "infeasible", "time_limit", "error")


@dataclass
class SolveInfo:
    """How a solve ended: status is one of STATUSES; gap is the relative MIP gap if known."""

    status: str
    gap: float | None
    seconds: float
    solver: str

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


def make_solver(cfg: Solver) -> pulp.LpSolver:
    """A PuLP solver object for the scenario's solver settings."""
    if cfg.name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=cfg.time_limit_seconds,
                                 gapRel=cfg.mip_gap, threads=cfg.threads)
    return pulp.HiGHS(msg=False, timeLimit=cfg.time_limit_seconds, gapRel=cfg.mip_gap,
                      threads=cfg.threads)


def solve_built(built: Built, cfg: Solver) -> SolveInfo:
    """Solve and classify the outcome."""
    start = time.perf_counter()
    built.prob.solve(make_solver(cfg))
    seconds = time.perf_counter() - start
    status, sol = built.prob.status, built.prob.sol_status
    gap = _highs_gap(built.prob) if cfg.name == "highs" else None
    if status == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        label = "infeasible"
    elif sol == pulp.LpSolutionOptimal and status == pulp.LpStatusOptimal:
        label = "optimal"
        gap = 0.0 if gap is None else gap
    elif sol == pulp.LpSolutionIntegerFeasible:  # stopped early, unless the gap had closed
        label = "optimal" if gap is not None and gap <= cfg.mip_gap else "feasible"
    elif status == pulp.LpStatusUnbounded:
        label = "error"
    else:
        label = "time_limit"
    return SolveInfo(label, gap, seconds, cfg.name)


def _highs_gap(prob: pulp.LpProblem) -> float | None:
    model = getattr(prob, "solverModel", None)
    if model is None:
        return None
    try:
        gap = float(model.getInfo().mip_gap)
    except (AttributeError, RuntimeError):
        return None
    return gap if np.isfinite(gap) else None


@dataclass
class Plan:
    """A solution as arrays: centres per site, each demand point's centre (-1 none), minutes
    to it (NaN if none open within the cut-off) and covered share of its children."""

    counts: np.ndarray
    centre: np.ndarray
    minutes: np.ndarray
    share: np.ndarray
    recruits: dict[int, int]
    served: np.ndarray


def read_plan(inst: Instance, built: Built) -> Plan:
    """Read the integer decisions and derive assignments.

    Uncapacitated plans assign every demand point to its nearest open site (covered when
    within the standard). Capacitated plans read the assignment shares x_ij: the centre is
    the one serving the largest share, the covered share the sum within the standard.
    """
    counts = np.array([int(round(v.value() or 0)) for v in built.y], dtype=int)
    recruits = {u: int(round(r.value() or 0)) for u, r in built.recruits.items()}
    open_pair = counts[inst.cols] > 0
    nearest_site = np.full(inst.n, -1)
    nearest_min = np.full(inst.n, np.nan)
    order = np.lexsort((inst.minutes, inst.rows))
    for k in order[open_pair[order]][::-1]:
        nearest_site[inst.rows[k]] = inst.cols[k]
        nearest_min[inst.rows[k]] = inst.minutes[k]
    if not built.x or not built.capacitated:
        share = (nearest_min <= inst.standard + 1e-9).astype(float)
        served = np.bincount(np.maximum(nearest_site, 0), weights=share * inst.weights,
                             minlength=inst.m)
        return Plan(counts, nearest_site, nearest_min, share, recruits, served)
    centre = np.full(inst.n, -1)
    best = np.zeros(inst.n)
    share = np.zeros(inst.n)
    minutes = nearest_min.copy()
    served = np.zeros(inst.m)
    pair_minutes = {(int(i), int(j)): float(m)
                    for i, j, m in zip(inst.rows, inst.cols, inst.minutes)}
    for (i, j), v in built.x.items():
        val = min(max(v.value() or 0.0, 0.0), 1.0)
        if val <= 1e-7 or counts[j] == 0:
            continue
        if pair_minutes[(i, j)] <= inst.standard + 1e-9:
            share[i] += val
            served[j] += val * inst.weights[i]
        if val > best[i] + 1e-9:
            best[i], centre[i], minutes[i] = val, j, pair_minutes[(i, j)]
    return Plan(counts, centre, minutes, np.minimum(share, 1.0), recruits, served)

