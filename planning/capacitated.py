"""Capacitated maximal covering solved through its uncapacitated relaxation.

The capacitated coverage model (x_gj shares, capacity rows) has a degenerate LP that HiGHS
solves slowly at scale: on the 2,000 x 500 synthetic case its root LP did not finish in
60 s, its only bound was HiGHS's trivial one and the plan covered 6,574 of 1.26 M children.
Dropping the capacities gives the uncapacitated model (one cover row per demand group),
whose optimum is never below the capacitated optimum, and whose LP solves in about a second.
So, exactly:

1. an incumbent: greedy by children gained per KZT, then swaps (one site out, one in,
   evaluated for every pair at once with the gain / loss / extra bookkeeping of Resende and
   Werneck's fast interchange), within every budget and the new-centre limit;
2. the uncapacitated model, started from the incumbent: its dual bound U bounds the
   capacitated optimum from above (same objective, tie-break included);
3. each plan found (the incumbent and the relaxation's) is scored on the capacitated model
   itself with its centres fixed (a linear programme: the best assignment within the
   capacities, every rule checked); the best is L;
4. if (U - L) / |L| is within the gap, L's plan is optimal; otherwise those plans and an
   iterated local search's are improved by one-centre moves counted by maximum flow
   (`planning.capflow`), then by swaps scored on the model, each kept plan scored again;
   then the capacitated model is solved from L's plan in the time left and the reported gap
   uses the better of the two bounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pulp

from planning import capflow
from planning.instance import Instance
from planning.model import (
    Built,
    ModelOptions,
    build_model,
    families_needed,
    net_opex,
    running_cost,
)
from planning.optimize import GAP_TOL, SolveInfo, solve_built
from planning.scenario import Solver

if TYPE_CHECKING:
    from scipy import sparse

RELAXED_SHARE = 0.6   # of the time left for the relaxation: at scale its plan and bound are all
#                      there is (the plain model's root LP does not finish in 60 s)
RELAXED_GAP = 0.5     # of the gap asked, for the relaxation: scoring its plan with the
#                      capacities loses some children, and the rest of the gap is for that
FLOW_SHARE = 0.25    # of the time left, at most, for the max-flow swaps from one plan
KICK = 3             # centres closed per kick of the iterated local search (`perturbed`)
KICK_SHARE = 0.4     # of the time left after the relaxation, for `perturbed`
REPAIR_SHARE = 0.5   # of the time left then for capacity-guided swaps; the rest for the fallback
BUDGET_TOL = 1e-9    # relative slack when checking a plan against a budget
RELAXATION_PAIRS = 10_000  # larger capacitated coverage models go through the relaxation


def applies(inst: Instance, opt: ModelOptions) -> bool:
    """True for capacitated maximal covering with more than RELAXATION_PAIRS pairs within the
    standard. Smaller models solve directly in well under a second (the national default,
    2,854 pairs: 0.1 s idle), where the relaxation's extra solves would cost more; the other
    objectives and max_min_coverage's second stage keep the plain model."""
    return (opt.capacitated and opt.objective == "max_coverage"
            and opt.min_share_floor is None
            and int(inst.within_standard().sum()) > RELAXATION_PAIRS)


@dataclass
class _Costs:
    """Per-site unit costs and the limits a plan must meet."""

    capex: np.ndarray
    opex: np.ndarray
    whole: np.ndarray
    is_new: np.ndarray

    @classmethod
    def of(cls, inst: Instance, opt: ModelOptions) -> _Costs:
        opex = net_opex(inst, opt.released_kzt_per_child)
        return cls(inst.capex, opex, inst.capex + opt.horizon_years * opex,
                   inst.site_kind != "existing")


def fits(inst: Instance, opt: ModelOptions, counts: np.ndarray) -> bool:
    """Whether a plan meets the budgets (families to recruit priced in) and the new-centre
    limit; the model checks the same rules again when the plan is scored."""
    if (counts < inst.min_count).any() or (counts > np.maximum(inst.max_count,
                                                              inst.min_count)).any():
        return False
    c = _Costs.of(inst, opt)
    recruits = sum(families_needed(inst, counts, opt).values()) * opt.carer_kzt_per_year
    capex = float(c.capex @ counts)
    _, opex = running_cost(inst, counts, recruits, opt.released_kzt_per_child)  # as charged
    whole = capex + opt.horizon_years * opex
    for spent, limit in ((whole, opt.budget_total), (capex, opt.budget_capex),
                         (opex, opt.budget_opex)):
        if limit is not None and spent > limit + BUDGET_TOL * max(1.0, abs(limit)):
            return False
    return opt.max_new is None or int(counts[c.is_new].sum()) <= opt.max_new


def incumbent(inst: Instance, opt: ModelOptions, time_limit: float = 10.0) -> np.ndarray:
    """A plan (centres per site) covering many children within the standard: greedy, swaps,
    greedy again, then sites that cover nothing alone are closed. Capacities are ignored
    here (the plan is scored on the capacitated model afterwards)."""
    deadline = time.perf_counter() + time_limit
    cover = inst.cover_matrix()
    counts = inst.min_count.astype(int).copy()
    counts = _greedy(inst, opt, cover, counts, deadline)
    counts = _swaps(inst, opt, cover, counts, deadline)
    counts = _greedy(inst, opt, cover, counts, deadline)
    return _close_idle(inst, opt, cover, counts)


def perturbed(inst: Instance, opt: ModelOptions, counts: np.ndarray, deadline: float,
              kick: int = KICK, seed: int = 0) -> np.ndarray:
    """Iterated local search from a plan, capacities ignored: close `kick` random optional
    centres, refill by the greedy, swap, keep the result when it covers more children;
    until the deadline. One-swap optima of this coverage lie ~1 % apart on 2,000 x 500, and
    kicks move between them (seeded: the same plan every run)."""
    rng = np.random.default_rng(seed)
    cover = inst.cover_matrix()
    best, value = counts, float(inst.weights @ (_hits(cover, counts) > 0))
    while time.perf_counter() < deadline:
        out = np.flatnonzero(best > inst.min_count)
        if out.size == 0:
            break
        trial = best.copy()
        trial[rng.choice(out, min(kick, out.size), replace=False)] -= 1
        trial = _greedy(inst, opt, cover, trial, deadline)
        trial = _swaps(inst, opt, cover, trial, deadline)
        trial = _greedy(inst, opt, cover, trial, deadline)
        v = float(inst.weights @ (_hits(cover, trial) > 0))
        if v > value and fits(inst, opt, trial):
            best, value = trial, v
    return _close_idle(inst, opt, cover, best)


def _hits(cover: sparse.csr_matrix, counts: np.ndarray) -> np.ndarray:
    """Open sites within the standard of each settlement."""
    return cover @ (counts > 0).astype(float)


def _greedy(inst: Instance, opt: ModelOptions, cover: sparse.csr_matrix, counts: np.ndarray,
            deadline: float) -> np.ndarray:
    """Open, one at a time, the site adding the most uncovered children per KZT of whole-life
    cost (per site when no budget binds the choice) while the plan still fits."""
    c = _Costs.of(inst, opt)
    budgeted = opt.budget_total is not None or opt.budget_capex is not None \
        or opt.budget_opex is not None
    price = np.maximum(c.whole, 1e-9 * max(1.0, float(np.abs(c.whole).max(initial=1.0))))
    banned = np.zeros(inst.m, dtype=bool)
    while time.perf_counter() < deadline:
        free = inst.weights * (_hits(cover, counts) == 0)
        gain = cover.T @ free
        gain = np.minimum(gain, inst.capacity)
        ok = (counts == 0) & (inst.max_count >= 1) & ~banned & (gain > 0)
        if not ok.any():
            break
        score = np.where(ok, gain / price if budgeted else gain, -np.inf)
        j = int(np.argmax(score))
        trial = counts.copy()
        trial[j] = 1
        if fits(inst, opt, trial):
            counts = trial
        else:
            banned[j] = True
    return counts


def _swaps(inst: Instance, opt: ModelOptions, cover: sparse.csr_matrix, counts: np.ndarray,
           deadline: float) -> np.ndarray:
    """Best-improvement swaps of an optional open site for a closed one, all pairs scored at
    once: gain(k) + extra(j, k) - loss(j), where loss(j) = children only j covers and
    extra(j, k) = those of them k covers too."""
    c = _Costs.of(inst, opt)
    movable = (inst.min_count == 0) & (inst.max_count >= 1)
    tried: set[tuple[int, int]] = set()
    while time.perf_counter() < deadline:
        hits = _hits(cover, counts)
        out = np.flatnonzero((counts > 0) & movable)
        into = (counts == 0) & movable
        if out.size == 0 or not into.any():
            break
        gain = cover.T @ (inst.weights * (hits == 0))
        only = cover[:, out].multiply((inst.weights * (hits == 1))[:, None]).tocsc()
        loss = np.asarray(only.sum(axis=0)).ravel()
        extra = (only.T @ cover).toarray()
        delta = gain[None, :] + extra - loss[:, None]
        delta[:, ~into] = -np.inf
        same_price = (c.whole[None, :] <= c.whole[out][:, None]) & (
            c.capex[None, :] <= c.capex[out][:, None]) & (c.opex[None, :] <= c.opex[out][:, None])
        delta[~(same_price | _priced_ok(inst, opt, c, counts, out))] = -np.inf
        moved = False
        for flat in np.argsort(delta, axis=None)[::-1][:50]:
            a, k = divmod(int(flat), inst.m)
            if not delta[a, k] > 1e-9 * max(1.0, float(inst.weights.sum())):
                break
            j = int(out[a])
            if (j, k) in tried:
                continue
            trial = counts.copy()
            trial[j], trial[k] = 0, 1
            if fits(inst, opt, trial):
                counts, moved = trial, True
                break
            tried.add((j, k))
        if not moved:
            break
    return counts


def _priced_ok(inst: Instance, opt: ModelOptions, c: _Costs, counts: np.ndarray,
               out: np.ndarray) -> np.ndarray:
    """Swap pairs (out site, any site) within the budgets by unit costs (families to recruit
    are checked by `fits` on the chosen swap)."""
    ok = np.ones((out.size, inst.m), dtype=bool)
    for unit, limit in ((c.whole, opt.budget_total), (c.capex, opt.budget_capex),
                        (c.opex, opt.budget_opex)):
        if limit is not None:
            spent = float(unit @ counts)
            ok &= (spent - unit[out][:, None] + unit[None, :]) <= limit + BUDGET_TOL * abs(limit)
    if opt.max_new is not None:
        now = int(counts[c.is_new].sum())
        ok &= (now - c.is_new[out][:, None] + c.is_new[None, :]) <= opt.max_new
    return ok


def _close_idle(inst: Instance, opt: ModelOptions, cover: sparse.csr_matrix,
                counts: np.ndarray) -> np.ndarray:
    """Close optional sites no child depends on alone, dearest first (the tie-break prefers
    the cheaper plan), keeping the plan within its rules."""
    c = _Costs.of(inst, opt)
    by_site = cover.T.tocsr()
    hits = _hits(cover, counts)
    for j in np.argsort(-c.whole):
        if counts[j] == 0 or inst.min_count[j] > 0 or c.whole[j] <= 0:
            continue
        near = by_site.indices[by_site.indptr[j]:by_site.indptr[j + 1]]
        if not (inst.weights[near[hits[near] == 1]] > 0).any():
            trial = counts.copy()
            trial[j] = 0
            if fits(inst, opt, trial):
                counts = trial
                hits[near] -= 1
    return counts


def capacity_cuts(inst: Instance, built: Built) -> int:
    """Add to an uncapacitated coverage model rows every capacitated plan meets, so that its
    bound is closer to the capacitated optimum: children of the demand groups whose sites
    within the standard all lie within group g's sites are served by those sites only, so
    sum_{g' within g} children_g' z_g' <= sum_{j near g} capacity_j y_j (kept where those
    children exceed one site's capacity), and all covered children fit in all open centres.
    Returns the rows added."""
    from scipy import sparse  # imported here: the command line's start-up does without it

    keep = inst.within_standard()
    groups: dict = {}
    for i, e in built.cover.items():
        if len(e) == 1:
            z = next(iter(e))
            w, rep = groups.get(z, (0.0, i))
            groups[z] = (w + float(inst.weights[i]), rep)
    if not groups:
        return 0
    zs = list(groups)
    weight = np.array([groups[z][0] for z in zs])
    rep = np.array([groups[z][1] for z in zs])
    pos = np.full(inst.n, -1)
    pos[rep] = np.arange(rep.size)
    mask = keep & (pos[inst.rows] >= 0)
    reach = sparse.csr_matrix((np.ones(int(mask.sum())), (pos[inst.rows[mask]], inst.cols[mask])),
                              shape=(rep.size, inst.m))
    size = np.asarray(reach.sum(axis=1)).ravel()
    both = (reach @ reach.T).tocsr()
    rows = 0
    cap = inst.capacity
    for g in range(rep.size):
        a, b = both.indptr[g], both.indptr[g + 1]
        inner = both.indices[a:b][both.data[a:b] == size[both.indices[a:b]]]
        sites = reach.indices[reach.indptr[g]:reach.indptr[g + 1]]
        room = cap[sites]
        if not np.isfinite(room).all() or weight[inner].sum() <= room.min():
            continue
        terms = [(zs[k], float(weight[k])) for k in inner]
        terms += [(built.y[j], -float(cap[j])) for j in sites]
        built.prob += pulp.LpAffineExpression(terms) <= 0, f"capcut{g}"
        rows += 1
    if np.isfinite(cap).all():
        terms = [(z, float(w)) for z, w in zip(zs, weight)]
        terms += [(built.y[j], -float(cap[j])) for j in range(inst.m)]
        built.prob += pulp.LpAffineExpression(terms) <= 0, "capcut_all"
        rows += 1
    return rows


def _objective_bound(built: Built, cfg: Solver, info: SolveInfo) -> float:
    """An upper bound on a maximisation model's optimum from its solve: HiGHS's dual bound
    (the model is passed to HiGHS negated), or a proven optimum plus the allowed gap."""
    model = getattr(built.prob, "solverModel", None)
    if cfg.name == "highs" and model is not None:
        bound = -float(model.getInfo().mip_dual_bound)
        if np.isfinite(bound):
            return bound
    if info.status == "optimal":
        value = float(built.prob.objective.value())
        return value + cfg.mip_gap * abs(value)
    return np.inf


def _score(built: Built, counts: np.ndarray, cfg: Solver) -> float | None:
    """The capacitated objective of a plan: the model solved with its centres fixed (the
    best assignment within the capacities); None when the plan breaks a rule."""
    saved = [(v.lowBound, v.upBound) for v in built.y]
    for v, c in zip(built.y, counts):
        v.lowBound = v.upBound = int(c)
    try:
        info = solve_built(built, replace(cfg, mip_gap=0.0))
    finally:
        for v, (lo, up) in zip(built.y, saved):
            v.lowBound, v.upBound = lo, up
    return float(built.prob.objective.value()) if info.status == "optimal" else None


class _Scorer:
    """Scores plans on the capacitated model quickly: the model is handed to HiGHS once
    (through `_score`), then only the centres' bounds change between solves."""

    def __init__(self, inst: Instance, built: Built, counts: np.ndarray, cfg: Solver) -> None:
        self.inst, self.built = inst, built
        self.value = _score(built, counts, cfg)
        self.highs = built.prob.solverModel
        self.y = np.array([v.index for v in built.y], dtype=np.int32)
        # fixed centres need no integrality: without recruits to choose the model is then a
        # linear programme, re-solved from the last basis
        self.highs.changeColsIntegrality(
            self.y.size, self.y, np.full(self.y.size, highspy.HighsVarType.kContinuous))
        pairs = list(built.x.items())
        self.x_i = np.array([i for (i, _), _ in pairs], dtype=int)
        self.x_j = np.array([j for (_, j), _ in pairs], dtype=int)
        self.x_col = np.array([v.index for _, v in pairs], dtype=int)

    def score(self, counts: np.ndarray) -> float | None:
        """The plan's capacitated objective, None when it breaks a rule."""
        c = counts.astype(float)
        self.highs.changeColsBounds(self.y.size, self.y, c, c)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return -float(self.highs.getInfo().objective_function_value)  # passed negated

    def loads(self) -> tuple[np.ndarray, np.ndarray]:
        """Children served per site and children left uncovered per settlement, from the
        last solve."""
        val = np.asarray(self.highs.getSolution().col_value)[self.x_col]
        w = self.inst.weights
        served = np.bincount(self.x_j, weights=val * w[self.x_i], minlength=self.inst.m)
        share = np.bincount(self.x_i, weights=val, minlength=self.inst.n)
        return served, w * np.clip(1.0 - share, 0.0, 1.0)


def repair(inst: Instance, opt: ModelOptions, built: Built, counts: np.ndarray,
           value: float, cfg: Solver, deadline: float, tries: int = 10) -> tuple[np.ndarray, float]:
    """Swaps guided by the capacitated solution: close an optional site serving few
    children, open one reaching many children left uncovered (capacities now count), each
    swap scored on the capacitated model and kept when it covers more. The model's values
    are the returned plan's."""
    cover = inst.cover_matrix()
    movable = (inst.min_count == 0) & (inst.max_count >= 1)
    scorer = _Scorer(inst, built, counts, cfg)
    tried: set[tuple[int, int]] = set()
    while time.perf_counter() < deadline:
        served, left_out = scorer.loads()
        gain = np.minimum(cover.T @ left_out, inst.capacity)
        into = np.flatnonzero((counts == 0) & movable & (gain > 0))
        out = np.flatnonzero((counts > 0) & movable)
        if into.size == 0 or out.size == 0:
            break
        into = into[np.argsort(-gain[into])][:tries]
        out = out[np.argsort(served[out])][:tries]
        pairs = sorted(((gain[k] - served[j], int(j), int(k)) for j in out for k in into
                        if (int(j), int(k)) not in tried), reverse=True)
        better = False
        for _, j, k in pairs:
            if time.perf_counter() >= deadline:
                break
            tried.add((j, k))
            trial = counts.copy()
            trial[j], trial[k] = 0, 1
            if not fits(inst, opt, trial):
                continue
            s = scorer.score(trial)
            if s is not None and s > value + 1e-9 * max(1.0, abs(value)):
                counts, value, better = trial, s, True
                break
        if not better:
            break
        if scorer.score(counts) is None:  # the loads of the kept plan, for the next round
            break
    _score(built, counts, cfg)
    return counts, value


def flow_swaps(inst: Instance, opt: ModelOptions, built: Built, cfg: Solver,
               plans: list[np.ndarray], best: tuple[float, np.ndarray],
               left: Callable[[], float]) -> tuple[np.ndarray, float]:
    """Each plan improved by `capflow.swaps` (children counted by maximum flow, FLOW_SHARE
    of the time left for each), scored on the capacitated model; returns the best plan and
    its score, `best` (score, plan) if none beats it."""
    flow = capflow.Flow(inst)
    value, counts = best
    for plan in plans:
        if left() <= 0:
            break
        moved = capflow.swaps(inst, flow, plan, lambda c: fits(inst, opt, c),
                              time.perf_counter() + FLOW_SHARE * left())
        if (s := _score(built, moved, cfg)) is not None \
                and s > value + 1e-9 * max(1.0, abs(value)):
            value, counts = s, moved
    return counts, value


@dataclass
class Outcome:
    """What the capacitated path did: the bound of the relaxation, the best plan's value,
    and the seconds of each step (for the benchmark)."""

    upper: float
    lower: float
    steps: dict


def solve(inst: Instance, opt: ModelOptions, cfg: Solver) -> tuple[Built, SolveInfo, Outcome]:
    """Build and solve capacitated maximal covering (see the module docstring); the returned
    model holds the plan's values, as `solve_built` would leave them."""
    t0 = time.perf_counter()
    left = lambda: cfg.time_limit_seconds - (time.perf_counter() - t0)  # noqa: E731
    steps: dict = {}
    built = build_model(inst, opt)
    steps["build"] = time.perf_counter() - t0
    start = incumbent(inst, opt, time_limit=min(3.0, 0.05 * cfg.time_limit_seconds))
    steps["incumbent"] = time.perf_counter() - t0 - sum(steps.values())
    relaxed = build_model(inst, replace(opt, capacitated=False, capacity_relaxation=True),
                          start=start)
    capacity_cuts(inst, relaxed)
    rinfo = solve_built(relaxed, replace(cfg, mip_gap=RELAXED_GAP * cfg.mip_gap,
                                         time_limit_seconds=max(0.1, RELAXED_SHARE * left())))
    if rinfo.status == "infeasible":  # every capacitated plan is a plan of the relaxation
        return built, replace(rinfo, seconds=time.perf_counter() - t0), Outcome(
            -np.inf, -np.inf, steps)
    upper = _objective_bound(relaxed, cfg, rinfo)
    steps["relaxation"] = time.perf_counter() - t0 - sum(steps.values())
    plans = [start] + ([relaxed.counts()] if rinfo.has_solution else [])
    scored = [(s, p) for p in plans if (s := _score(built, p, cfg)) is not None]
    steps["score"] = time.perf_counter() - t0 - sum(steps.values())
    if not scored:  # nothing fits: let the solver decide (and explain infeasibility)
        info = solve_built(built, replace(cfg, time_limit_seconds=max(0.1, left())))
        return built, replace(info, seconds=time.perf_counter() - t0), Outcome(
            upper, -np.inf, steps)
    lower, best = max(scored, key=lambda sp: sp[0])
    gap = _gap(upper, lower)
    if gap is None or gap > cfg.mip_gap + GAP_TOL:
        plans.append(perturbed(inst, opt, start, time.perf_counter() + KICK_SHARE * left()))
        best, lower = flow_swaps(inst, opt, built, cfg, plans[::-1], (lower, best), left)
        steps["flow"] = time.perf_counter() - t0 - sum(steps.values())
        gap = _gap(upper, lower)
    if gap is not None and gap <= cfg.mip_gap + GAP_TOL:
        _score(built, best, cfg)  # leaves the best plan's values in the model
    else:
        best, lower = repair(inst, opt, built, best, lower, cfg,
                             time.perf_counter() + REPAIR_SHARE * max(0.0, left()))
        steps["repair"] = time.perf_counter() - t0 - sum(steps.values())
        gap = _gap(upper, lower)
    if gap is not None and gap <= cfg.mip_gap + GAP_TOL:  # the model holds best's values
        info = SolveInfo("optimal", gap, time.perf_counter() - t0, cfg.name)
        return built, info, Outcome(upper, lower, steps)
    built.start = best
    info = solve_built(built, replace(cfg, time_limit_seconds=max(0.1, left())))
    steps["capacitated"] = time.perf_counter() - t0 - sum(steps.values())
    upper = min(upper, _objective_bound(built, cfg, info))  # before a re-score replaces it
    value = float(built.prob.objective.value()) if info.has_solution else -np.inf
    if value < lower:  # the solver did not reach the scored plan in its time
        _score(built, best, cfg)
        value = lower
    gap = _gap(upper, value)
    status = "optimal" if gap is not None and gap <= cfg.mip_gap + GAP_TOL else "feasible"
    info = SolveInfo(status, gap, time.perf_counter() - t0, cfg.name)
    return built, info, Outcome(upper, value, steps)


def _gap(upper: float, lower: float) -> float | None:
    """Relative gap of a maximisation: (upper - lower) / |lower|, None without a bound."""
    if not np.isfinite(upper) or not np.isfinite(lower):
        return None
    return max(0.0, upper - lower) / max(abs(lower), 1e-9)
