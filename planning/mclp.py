"""Pure maximal covering (MCLP) solved straight by HiGHS: incumbent, LP bound, fixing.

For a pure MCLP (`max_coverage`, uncapacitated, no budget, no equity rule, no family-care
rows: only the new-centre limit p, kept and must-open centres) building the PuLP model
cost as much CPU as solving it, and HiGHS spent most of its solve at the root (cuts,
probing, heuristics) on models whose LP bound is already within a fraction of a percent of
the optimum. So, exactly:

1. the model of `planning.model` (the same demand groups, dominated candidates left out,
   the same cost tie-break) as numpy arrays (`Cover`), passed to HiGHS by
   `planning.highs_direct` in one call;
2. an incumbent V: greedy, then best-improvement swaps scored for every (out, in) pair at
   once (gain / loss / extra, as in Resende & Werneck's fast interchange);
3. the LP relaxation's optimum U: when (U - V) / V is within the gap, V is optimal;
4. reduced-cost fixing: with the LP's reduced costs d_j, a closed site whose opening would
   bring the LP bound below V (U + d_j < V) is closed in every plan better than V, and an
   open one whose closing would (U - d_j < V) is open in all of them;
5. the integer programme on what is left, started from V, in the time left; its bound is
   valid for the whole model only above V, so the reported bound is min(U, max(V, its own)).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planning import highs_direct
from planning.deadline import Deadline
from planning.instance import Instance
from planning.model import ModelOptions, demand_groups, dominated_sites, tie_break
from planning.optimize import GAP_TOL, SolveInfo
from planning.scenario import Solver

if TYPE_CHECKING:
    from scipy import sparse

INCUMBENT_SHARE = 0.2  # of the time limit, at most, for the greedy and the swaps
FIX_MARGIN = 1e-7      # relative to V: float noise in U + d_j must not close a site wrongly
LP_OPTIONS = {"presolve": "off", "simplex_strategy": 4}  # primal simplex, see docs
MIP_OPTIONS = {  # measured fastest on the integer programmes left after fixing (see docs):
    "presolve": "off",  # with a good start, HiGHS's sub-MIP heuristics cost most of the solve
    "mip_heuristic_run_feasibility_jump": False, "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False, "mip_heuristic_run_root_reduced_cost": False}


def applies(inst: Instance, opt: ModelOptions, cfg: Solver) -> bool:
    """True for a pure MCLP solved by HiGHS: the model is then only cover rows and the
    new-centre limit (budgets, the equity rule and family-care rows need the full model)."""
    family_rows = opt.family_care and bool(
        ((inst.site_kind == "convert") & (inst.site_children > 0)).any())
    return (cfg.name == "highs" and opt.objective == "max_coverage" and not opt.capacitated
            and not opt.capacity_relaxation and opt.equity_min <= 0
            and opt.min_share_floor is None and opt.budget_total is None
            and opt.budget_capex is None and opt.budget_opex is None and not family_rows)


@dataclass
class Cover:
    """The covering model as arrays. Columns: `sites` (instance indices of the sites that
    may host a centre and are not dominated), then one z per demand group with children.
    `a`: groups x columns, 1 where the site is within the standard of the group."""

    sites: np.ndarray
    a: sparse.csr_matrix
    weight: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    tie: np.ndarray
    new: np.ndarray
    max_new: int | None

    @classmethod
    def of(cls, inst: Instance, opt: ModelOptions) -> Cover:
        from scipy import sparse  # imported here: the command line's start-up does without it

        drop = dominated_sites(inst)
        upper = np.maximum(inst.max_count, inst.min_count)
        sites = np.flatnonzero(~drop & (upper > 0))
        column = np.full(inst.m, -1)
        column[sites] = np.arange(sites.size)
        groups = [g for g in demand_groups(inst, drop) if inst.weights[g].sum() > 0]
        rep = np.full(inst.n, -1)  # group of each group's first settlement
        rep[[int(g[0]) for g in groups]] = np.arange(len(groups))
        keep = inst.within_standard() & (rep[inst.rows] >= 0) & (column[inst.cols] >= 0)
        a = sparse.csr_matrix((np.ones(int(keep.sum())),
                               (rep[inst.rows[keep]], column[inst.cols[keep]])),
                              shape=(len(groups), sites.size))
        weight = np.array([float(inst.weights[g].sum()) for g in groups])
        return cls(sites, a, weight, inst.min_count[sites].astype(int),
                   upper[sites].astype(int), tie_break(inst, opt, [])[0][sites],
                   inst.site_kind[sites] != "existing", opt.max_new)

    def value(self, counts: np.ndarray) -> float:
        """The model's objective of a plan (centres per column): children covered plus the
        tie-break."""
        covered = (self.a @ (counts > 0).astype(float)) > 0
        return float(self.weight @ covered + self.tie @ counts)

    def fits(self, counts: np.ndarray) -> bool:
        return bool(self.max_new is None or counts[self.new].sum() <= self.max_new) and \
            bool(((counts >= self.lower) & (counts <= self.upper)).all())

    def model(self, lower: np.ndarray, upper: np.ndarray,
              integer: bool) -> highs_direct.SparseModel:
        """max weight @ z + tie @ y s.t. z_g <= sum of y_j within the standard, the
        new-centre limit; y within [lower, upper] (integer or not), z in [0, 1]."""
        from scipy import sparse

        k, g = self.sites.size, self.weight.size
        cover = sparse.hstack([-self.a, sparse.identity(g, format="csr")], format="csr")
        rows = [cover]
        row_upper = [np.zeros(g)]
        if self.max_new is not None:
            rows.append(sparse.csr_matrix(np.r_[self.new, np.zeros(g)].astype(float)))
            row_upper.append(np.array([float(self.max_new)]))
        a = sparse.vstack(rows, format="csr")
        bound = np.concatenate(row_upper)
        return highs_direct.SparseModel(
            cost=np.r_[self.tie, self.weight], col_lower=np.r_[lower, np.zeros(g)],
            col_upper=np.r_[upper, np.ones(g)],
            integer=np.r_[np.full(k, integer), np.zeros(g, dtype=bool)],
            start=a.indptr, index=a.indices, value=a.data,
            row_lower=np.full(bound.size, -np.inf), row_upper=bound, maximize=True)

    def columns(self, counts: np.ndarray) -> np.ndarray:
        """A plan as the model's full column vector (z_g = 1 where covered)."""
        return np.r_[counts, ((self.a @ (counts > 0).astype(float)) > 0).astype(float)]


def incumbent(cover: Cover, end: Deadline, first: np.ndarray | None = None) -> np.ndarray:
    """A plan (centres per column): the fixed sites (and those of `first`, if given),
    greedy openings while the new-centre limit allows and coverage grows, then
    best-improvement swaps, until none helps or `end`."""
    counts = cover.lower.copy() if first is None else np.maximum(cover.lower, first)
    movable = (cover.lower == 0) & (cover.upper >= 1)
    at = cover.a.T.tocsr()
    eps = 1e-9 * max(1.0, float(cover.weight.sum()))
    counts = _greedy(cover, at, counts, movable, eps, end)
    while not end.expired():
        hits = cover.a @ (counts > 0).astype(float)
        out = np.flatnonzero((counts > 0) & movable)
        into = (counts == 0) & movable
        if out.size == 0 or not into.any():
            break
        gain = at @ (cover.weight * (hits == 0)) + cover.tie
        only = cover.weight * (hits == 1)  # children only one open site covers
        mine = at[out].multiply(only[None, :]).tocsr()  # per open site, those it alone covers
        loss = np.asarray(mine.sum(axis=1)).ravel() + cover.tie[out]
        extra = (mine @ cover.a).toarray()  # of those, the ones site k covers too
        delta = gain[None, :] + extra - loss[:, None]
        delta[:, ~into] = -np.inf
        if not _room(cover, counts):  # a new centre only in place of a new one
            delta[np.ix_(~cover.new[out], cover.new)] = -np.inf
        a, k = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[a, k] > eps:
            break
        counts[out[a]], counts[k] = 0, 1
        counts = _greedy(cover, at, counts, movable, eps, end)  # a swap may free room
    return counts


def _room(cover: Cover, counts: np.ndarray) -> bool:
    """Whether one more new centre fits the limit."""
    return cover.max_new is None or int(counts[cover.new].sum()) < cover.max_new


def _greedy(cover: Cover, at: sparse.csr_matrix, counts: np.ndarray, movable: np.ndarray,
            eps: float, end: Deadline) -> np.ndarray:
    """Open the closed site adding the most (children + tie-break) while it adds some."""
    while not end.expired():
        hits = cover.a @ (counts > 0).astype(float)
        gain = at @ (cover.weight * (hits == 0)) + cover.tie
        ok = (counts == 0) & movable & (~cover.new | _room(cover, counts))
        if not ok.any():
            break
        k = int(np.argmax(np.where(ok, gain, -np.inf)))
        if not gain[k] > eps:
            break
        counts[k] = 1
    return counts


def rounded(cover: Cover, y: np.ndarray) -> np.ndarray:
    """A plan from an LP solution: the sites with the largest LP centres first, while the
    new-centre limit allows (a start for the swaps, which often ends above the greedy's)."""
    counts = cover.lower.copy()
    for j in np.argsort(-y, kind="stable"):
        if y[j] <= 1e-6:
            break
        if counts[j] == 0 and cover.upper[j] >= 1 and (not cover.new[j] or _room(cover, counts)):
            counts[j] = 1
    return counts


def fix(cover: Cover, lp: highs_direct.Result, best: float) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds after reduced-cost fixing against a plan worth `best` (see the module
    docstring, step 4): (lower, upper) per site column."""
    lower, upper = cover.lower.copy(), cover.upper.copy()
    if lp.values is None or lp.reduced is None or lp.objective is None:
        return lower, upper
    k = cover.sites.size
    y, d = lp.values[:k], lp.reduced[:k]
    worse = best - FIX_MARGIN * max(1.0, abs(best))
    at_lower = (y <= lower + 1e-9) & (lower < upper)
    close = at_lower & (lp.objective + d < worse)
    upper[close] = lower[close]
    at_upper = (y >= upper - 1e-9) & (lower < upper)
    keep = at_upper & (lp.objective - d < worse)
    lower[keep] = upper[keep]
    return lower, upper


@dataclass
class Outcome:
    """What the path found: the bound U (the LP's, lowered by the integer programme's), the
    best plan's value, the sites fixed by reduced costs, the sites left free for the integer
    programme, the model's columns and rows, and the wall seconds of each step."""

    upper: float
    value: float
    fixed: int
    free: int
    columns: int
    rows: int
    steps: dict


def solve(inst: Instance, opt: ModelOptions,
          cfg: Solver) -> tuple[np.ndarray, SolveInfo, Outcome]:
    """Centres per site of the best plan found, how the solve ended, and the figures."""
    t0 = time.perf_counter()
    end = Deadline.after(cfg.time_limit_seconds)
    steps: dict = {}

    def step(name: str) -> None:
        steps[name] = time.perf_counter() - t0 - sum(steps.values())

    cover = Cover.of(inst, opt)
    step("build")
    if not cover.fits(cover.lower):  # more must-open new sites than the limit
        info = SolveInfo("infeasible", None, 0.0, cfg.name)
        return np.zeros(inst.m, dtype=int), info, Outcome(-np.inf, -np.inf, 0, 0, 0, 0, steps)
    plan = incumbent(cover, end.share(INCUMBENT_SHARE))
    best = cover.value(plan)
    step("incumbent")
    lp = highs_direct.solve(cover.model(cover.lower, cover.upper, integer=False),
                            time_limit=end.left(), mip_gap=cfg.mip_gap, threads=cfg.threads,
                            options=LP_OPTIONS)
    upper = lp.objective if lp.status == "optimal" and lp.objective is not None else np.inf
    step("lp")
    if lp.values is not None and _gap(upper, best) > cfg.mip_gap + GAP_TOL:
        second = incumbent(cover, end.share(INCUMBENT_SHARE),
                           rounded(cover, lp.values[:cover.sites.size]))
        if cover.value(second) > best:
            plan, best = second, cover.value(second)
        step("rounding")
    lower_b, upper_b = fix(cover, lp, best)
    fixed = int((lower_b == upper_b).sum() - (cover.lower == cover.upper).sum())
    free = int((lower_b < upper_b).sum())
    if _gap(upper, best) > cfg.mip_gap + GAP_TOL and not end.expired():
        mip = highs_direct.solve(cover.model(lower_b, upper_b, integer=True),
                                 time_limit=end.left(), mip_gap=cfg.mip_gap,
                                 threads=cfg.threads, start=cover.columns(plan),
                                 options=MIP_OPTIONS)
        step("mip")
        if mip.values is not None:  # kept when it scores better on the model's own terms
            found = np.round(mip.values[:cover.sites.size]).astype(int)
            if cover.fits(found) and cover.value(found) > best:
                plan, best = found, cover.value(found)
        if mip.status == "infeasible":  # the fixing left no plan better than V
            upper = min(upper, best)
        elif mip.bound is not None:  # a bound on the plans better than V
            upper = min(upper, max(best, mip.bound))
    gap = _gap(upper, best)
    status = "optimal" if gap <= cfg.mip_gap + GAP_TOL else "feasible"
    counts = np.zeros(inst.m, dtype=int)
    counts[cover.sites] = plan
    solving = time.perf_counter() - t0 - steps["build"]  # as `solve_built`'s, without the build
    info = SolveInfo(status, gap if np.isfinite(gap) else None, solving, cfg.name)
    columns = cover.sites.size + cover.weight.size
    rows = cover.weight.size + (cover.max_new is not None)
    return counts, info, Outcome(upper, best, fixed, free, columns, rows, steps)


def _gap(upper: float, lower: float) -> float:
    """Relative gap of a maximisation, (upper - lower) / |lower| (inf without a bound)."""
    if not np.isfinite(upper):
        return np.inf
    return max(0.0, upper - lower) / max(abs(lower), 1e-9)
