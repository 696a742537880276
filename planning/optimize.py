"""Solve a built model with HiGHS or CBC and read back an honest status and the plan.

PuLP 3.3 reports `LpStatus` "Optimal" even when a time limit stopped the search with an
incumbent; `prob.sol_status` tells the truth (LpSolutionIntegerFeasible = stopped early).
When no integer solution exists the variables hold fractional LP values, so they are never
read as a plan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pulp

from planning import highs_direct
from planning.deadline import Deadline
from planning.instance import Instance
from planning.model import Built
from planning.scenario import Solver

log = logging.getLogger(__name__)

STATUSES = ("optimal", "feasible", "infeasible", "time_limit", "error")
MIN_SHARE = 0.05  # of the limit: for a solve the build left no time for and with no start;
# the least left to start another deepening round
GAP_TOL = 1e-9  # float noise in a recomputed gap (1.7e-16 seen at mip_gap 0) is not a gap
# of the limit, kept back from HiGHS: it stops a little after its time limit (0.5-1.4 s over
# at 60 s on the 10,000 x 2,000 p-median while the process got ~20 % of a loaded core)
MARGIN = 0.04


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


class BulkHiGHS(pulp.HiGHS):
    """`pulp.HiGHS` handing the whole model to HiGHS in one `passModel` call (row-wise
    arrays) instead of one call per column and row, which cost as much as the solve itself
    on the p-median models. The objective's constant goes in as HiGHS's offset, so HiGHS's
    gap and bounds are of the full objective. Status and solution handling are PuLP's.
    `start` (variable -> value) is handed to HiGHS as a start solution."""

    start: dict | None = None

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        inf = highspy.kHighsInf
        sense = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        variables = lp.variables()
        for k, v in enumerate(variables):
            v.index = k
        start, index, value, lower, upper = [0], [], [], [], []
        for k, c in enumerate(lp._constraints.values()):
            c.index = k
            for v, a in c.items():
                if a != 0:
                    index.append(v.index)
                    value.append(a)
            start.append(len(index))
            lb, ub = c.getLb(), c.getUb()
            lower.append(-inf if lb is None else lb)
            upper.append(inf if ub is None else ub)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = len(variables), len(lower)
        model.col_cost_ = np.array([sense * lp.objective.get(v, 0.0) for v in variables])
        model.col_lower_ = np.array([-inf if v.lowBound is None else v.lowBound
                                     for v in variables], dtype=float)
        model.col_upper_ = np.array([inf if v.upBound is None else v.upBound
                                     for v in variables], dtype=float)
        model.row_lower_, model.row_upper_ = np.array(lower), np.array(upper)
        model.offset_ = sense * lp.objective.constant
        matrix = model.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = model.num_col_, model.num_row_
        matrix.start_ = np.array(start, dtype=np.int32)
        matrix.index_ = np.array(index, dtype=np.int32)
        matrix.value_ = np.array(value, dtype=float)
        integer = highspy.HighsVarType.kInteger if self.mip else highspy.HighsVarType.kContinuous
        model.integrality_ = [integer if v.cat == pulp.LpInteger else
                              highspy.HighsVarType.kContinuous for v in variables]
        lp.solverModel.passModel(model)
        if self.start:  # a feasible plan's integer decisions; HiGHS completes the rest
            index = [v.index for v in self.start]
            lp.solverModel.setSolution(len(index), np.array(index, dtype=np.int32),
                                       np.array(list(self.start.values()), dtype=float))


def make_solver(cfg: Solver, start: dict | None = None) -> pulp.LpSolver:
    """A PuLP solver object for the scenario's solver settings."""
    if cfg.name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=cfg.time_limit_seconds,
                                 gapRel=cfg.mip_gap, threads=cfg.threads)
    highs_direct.ready_threads(cfg.threads)
    solver = BulkHiGHS(msg=False, timeLimit=cfg.time_limit_seconds, gapRel=cfg.mip_gap,
                       threads=cfg.threads, random_seed=0)  # fixed: same model, same search
    solver.start = start or {}
    return solver


def solve_built(built: Built, cfg: Solver) -> SolveInfo:
    """Solve and classify the outcome. A truncated radius model (p-median) is re-solved
    with deeper levels until its plan's true cost is within the relative gap of the
    truncated model's bound, all within the one time limit; its gap is reported from the
    true cost and the best bound (HiGHS's on the truncated model, or `built.lower`). When
    the time runs out, the start plan is kept if it is better than the solver's. The time
    is what is left of `built.deadline` (set by `planning.solve.build`, so heuristics, build
    and solve share one limit), else the solver's limit from now."""
    start = time.perf_counter()
    end = built.deadline or Deadline.after(cfg.time_limit_seconds)
    end = Deadline(end.end - MARGIN * cfg.time_limit_seconds)
    if end.expired() and built.start is not None:  # the build used it all: keep the start
        info = SolveInfo("time_limit", None, 0.0, cfg.name)
    else:  # without a start plan the solver gets a minimum share so that a plan can exist
        info = _solve_once(built, replace(cfg, time_limit_seconds=max(
            end.left(), 0.0 if built.start is not None else MIN_SHARE * cfg.time_limit_seconds)))
    while built.radius is not None and info.status == "optimal":
        info = replace(info, gap=_radius_gap(built, cfg))
        if (info.gap is not None and info.gap <= cfg.mip_gap + GAP_TOL) or not built.deepen():
            break
        if end.left() <= MIN_SHARE * cfg.time_limit_seconds:  # no round started that the
            info = replace(info, status="feasible")  # deadline cannot hold: a valid plan,
            break                                    # its gap says how far from proven
        built.rebuild()  # the HiGHS model (`direct`) only gains the new levels' columns
        info = _solve_once(built, replace(cfg, time_limit_seconds=end.left()))
    if built.radius is not None and info.status == "optimal" and (
            info.gap is None or info.gap > cfg.mip_gap + GAP_TOL):
        info = replace(info, status="feasible")  # undercounted and not deepened: unproven
    if built.radius is not None and built.inst is not None and built.start is not None \
            and info.status != "optimal":
        cost = built.radius.cost(built.inst, built.counts()) if info.has_solution else np.inf
        if built.radius.cost(built.inst, built.start) < cost:
            built.use_plan(built.start)
            info = replace(info, status="feasible")
    if built.radius is not None and info.status == "feasible":
        info = replace(info, gap=_radius_gap(built, cfg))
        if info.gap is not None and info.gap <= cfg.mip_gap + GAP_TOL:
            info = replace(info, status="optimal")
    return replace(info, seconds=time.perf_counter() - start)


def _radius_gap(built: Built, cfg: Solver) -> float | None:
    """(true cost - lower bound) / true cost for a truncated radius model's plan. The
    bound is the better of HiGHS's dual bound on the truncated model and `built.lower`
    (e.g. a Lagrangian bound); CBC gives none, so a proven-optimal CBC objective minus the
    allowed gap stands in."""
    if built.radius is None or built.inst is None:
        raise ValueError("not a truncated radius model")
    true = built.radius.cost(built.inst, built.counts())
    model = getattr(built.prob, "solverModel", None)
    bound = -np.inf
    if built.direct is not None:
        bound = -np.inf if built.direct.bound is None else built.direct.bound
    elif cfg.name == "highs" and model is not None:
        bound = float(model.getInfo().mip_dual_bound)
    elif built.prob.sol_status == pulp.LpSolutionOptimal:
        value = float(built.prob.objective.value() or 0.0)  # None: nothing to travel
        bound = value - cfg.mip_gap * abs(value)
    if built.lower is not None:
        bound = max(bound if np.isfinite(bound) else -np.inf, built.lower)
    if not np.isfinite(bound):
        return None
    built.trace.append((time.perf_counter(), true, bound))
    return max(0.0, true - bound) / true if true > 0 else 0.0


def _solve_once(built: Built, cfg: Solver) -> SolveInfo:
    if built.direct is not None:  # the HiGHS model kept across deepening rounds
        res = built.direct.solve(cfg.time_limit_seconds, cfg.mip_gap, cfg.threads, built.start)
        return SolveInfo(res.status, res.gap, res.seconds, cfg.name)
    start = time.perf_counter()
    built.prob.solve(make_solver(cfg, built.start_values()))
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
    except (AttributeError, RuntimeError) as exc:
        log.debug("HiGHS reported no MIP gap: %s", exc)
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
    counts = built.counts()
    recruits = {u: int(round(r.value() or 0)) for u, r in built.recruits.items()}
    plan = nearest_plan(inst, counts, recruits)
    if not built.x or not built.capacitated:
        return plan
    centre = np.full(inst.n, -1)
    best = np.zeros(inst.n)
    share = np.zeros(inst.n)
    minutes = plan.minutes.copy()
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


def nearest_plan(inst: Instance, counts: np.ndarray, recruits: dict[int, int]) -> Plan:
    """The uncapacitated plan of `counts` centres per site: every demand point to its
    nearest open site, covered when within the standard."""
    open_pair = counts[inst.cols] > 0
    nearest_site = np.full(inst.n, -1)
    nearest_min = np.full(inst.n, np.nan)
    order = np.lexsort((inst.minutes, inst.rows))
    for k in order[open_pair[order]][::-1]:
        nearest_site[inst.rows[k]] = inst.cols[k]
        nearest_min[inst.rows[k]] = inst.minutes[k]
    share = (nearest_min <= inst.standard + 1e-9).astype(float)
    served: np.ndarray = np.bincount(np.maximum(nearest_site, 0),
                                     weights=share * inst.weights, minlength=inst.m)
    return Plan(counts, nearest_site, nearest_min, share, recruits, served)

