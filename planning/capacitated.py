"""Capacitated maximal covering solved through its uncapacitated relaxation.

The capacitated coverage model (x_gj shares, capacity rows) has a degenerate LP that HiGHS
solves slowly at scale: on the 2,000 x 500 synthetic case its root LP did not finish in
60 s, its only bound was HiGHS's trivial one and the plan covered 6,574 of 1.26 M children.
Dropping the capacities gives the uncapacitated model (one cover row per demand group),
whose optimum is never below the capacitated optimum, and whose LP solves in about a second.
Capacities enter it as Gale's rows (`planning.gale`: the children of any set of groups
fit in the capacity of the sites within their standard), added where an answer breaks
one, so a point that breaks none is a capacitated plan. So, exactly:

1. a plan: greedy by children gained per KZT, then swaps (one site out, one in, evaluated
   for every pair at once with the gain / loss / extra bookkeeping of Resende and Werneck's
   fast interchange), within every budget and the new-centre limit; then more centres where
   maximum flow leaves reachable children unserved (`fill`) and one-centre moves counted by
   maximum flow (`planning.capflow`), capacities binding;
2. the relaxation in HiGHS (`planning.relaxed_search`); each plan is scored on it with its
   centres fixed and its broken capacity rows added, which is exactly the capacitated
   model's assignment (every rule checked); the best is L;
3. the relaxation's linear programme bounds the optimum by U: if (U - L) / |L| is within
   the gap, L's plan is optimal (on 2,000 x 500 at 1 %: in about 4 s);
4. otherwise a window search improves L (the centres near one open centre re-chosen by a
   small integer programme), then the whole relaxation is searched for a plan above
   (1 + gap) x L, an objective cut-off that prunes every node whose bound is below it;
   plans above it that cannot be served get their capacity rows and the search runs
   again. The bound reported is what that search proved in the time allowed. With two
   threads (`_Team`) the window search runs in both, and beside the proof at the gap asked
   the second thread proves looser gaps, so a bound is proven even when that proof is not.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pulp

from planning import capflow, highs_direct
from planning.gale import Gale
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
from planning.relaxed_search import Board, Relaxed
from planning.scenario import Solver

if TYPE_CHECKING:
    from scipy import sparse

FLOW_SHARE = 0.05    # of the time, at most, for the max-flow swaps from the greedy plan
START_SHARE = 0.2    # of the time left, at most, for a first plan when the greedy's breaks a rule
START_FLOOR = 0.5    # seconds the greedy plan may take at least (at a 2 s limit, 0.1 s left the
#   2,000 x 500 case with no centre at all)
START_ROUNDS = 50    # rounds of capacity rows, at most, for that first plan
QUICK_SHARE = 0.05   # of the time left, for a first proof from the first plan
WINDOW_SHARE = 0.3   # of the time left, for the window search (measured: docs/planning.md)
RESERVE = 0.03       # of the time at least, kept to score the best plan on the capacitated model
#   (and at least as long as the first such scoring took)
WORKERS = 2          # threads, at most, for the window search and the proofs (each its own
#   copy of the relaxation and of the scorer; HiGHS releases the interpreter while it solves)
BUDGET_TOL = 1e-9    # relative slack when checking a plan against a budget
TIE_TOL = 1e-5       # children: the most a gap may be off and still count as proven (GAP_TOL of
#   4.2 M children, 4e-3, hid a 0.7 bn KZT dearer plan of equal coverage labelled optimal at
#   gap 0 on the Uzbek data; the proofs' own bounds are exact to 1e-6)
RELAXATION_PAIRS = 20_000  # larger capacitated coverage models go through the relaxation: on
#   the national data at a 150-minute standard (all settlements, 13,992 pairs, the budgets of
#   tests/artifacts/smaller_budget.toml) the plain model ended 0.20 % from proven at 60 s and
#   the relaxation path 0.75 %


def applies(inst: Instance, opt: ModelOptions, cfg: Solver) -> bool:
    """True for capacitated maximal covering solved by HiGHS with more than RELAXATION_PAIRS
    pairs within the standard. Smaller models solve directly in well under a second (the
    national default, 2,854 pairs: 0.1 s idle), where the relaxation's extra solves would
    cost more; the other objectives, max_min_coverage's second stage and CBC (the path
    works on the model held in HiGHS) keep the plain model."""
    return (cfg.name == "highs" and opt.capacitated and opt.objective == "max_coverage"
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
    greedy again, then sites that cover nothing alone are closed. Capacities only cap what
    one greedy centre counts; swaps and closing count settlements reached (`fill` and the
    capacitated model's scoring see to the rest)."""
    deadline = time.perf_counter() + time_limit
    cover = inst.cover_matrix()
    counts = inst.min_count.astype(int).copy()
    counts = _greedy(inst, opt, cover, counts, deadline)
    counts = _swaps(inst, opt, cover, counts, deadline)
    counts = _greedy(inst, opt, cover, counts, deadline)
    return _close_idle(inst, opt, cover, counts)


def fill(inst: Instance, opt: ModelOptions, flow: capflow.Flow, counts: np.ndarray,
         deadline: float) -> np.ndarray:
    """The plan with more centres where the capacities leave children within the standard
    unserved (each settlement's unserved children by maximum flow, then `_greedy`), within
    every rule. On the national data at a 240-minute standard the greedy plan's 157 centres
    served 5.10 M children: the existing centres reach most settlements but cannot serve them
    all, which a plan that only counts settlements reached does not see."""
    return _greedy(inst, opt, flow.cover, counts, deadline, left=flow.detail(counts)[1])


def _hits(cover: sparse.csr_matrix, counts: np.ndarray) -> np.ndarray:
    """Open sites within the standard of each settlement."""
    return cover @ (counts > 0).astype(float)


def _greedy(inst: Instance, opt: ModelOptions, cover: sparse.csr_matrix, counts: np.ndarray,
            deadline: float, left: np.ndarray | None = None) -> np.ndarray:
    """Open, one centre at a time, the site whose standard reaches the most children not yet
    served, at most one centre's capacity (per KZT of whole-life cost when a budget binds),
    while the plan still fits. `left`: each settlement's children not yet served (default:
    those no open site reaches); a new centre takes its capacity from the settlements within
    its standard in proportion, so a city beyond one centre's capacity draws more."""
    c = _Costs.of(inst, opt)
    budgeted = opt.budget_total is not None or opt.budget_capex is not None \
        or opt.budget_opex is not None
    price = np.maximum(c.whole, 1e-9 * max(1.0, float(np.abs(c.whole).max(initial=1.0))))
    most = np.maximum(inst.max_count, inst.min_count)
    left = (inst.weights * (_hits(cover, counts) == 0) if left is None else left).astype(float)
    by_site = cover.T.tocsr()
    banned = np.zeros(inst.m, dtype=bool)
    while time.perf_counter() < deadline:
        reach = by_site @ left
        gain = np.minimum(reach, inst.capacity)
        ok = (counts < most) & ~banned & (gain > 1e-9 * max(1.0, float(inst.weights.sum())))
        if not ok.any():
            break
        score = np.where(ok, gain / price if budgeted else gain, -np.inf)
        j = int(np.argmax(score))
        trial = counts.copy()
        trial[j] += 1
        if fits(inst, opt, trial):
            counts = trial
            near = by_site.indices[by_site.indptr[j]:by_site.indptr[j + 1]]
            left[near] *= max(0.0, 1.0 - gain[j] / reach[j])
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
    """Scores plans on the capacitated model quickly: the model is handed to HiGHS once,
    then only the centres' bounds change between solves (a linear programme re-solved from
    the last basis when no integer recruits remain to choose)."""

    def __init__(self, highs: highspy.Highs, y: np.ndarray) -> None:
        self.highs, self.y = highs, y

    @classmethod
    def of(cls, built: Built, cfg: Solver) -> _Scorer:
        """The scorer of a capacitated model (handed to HiGHS here)."""
        _score(built, np.array([int(v.lowBound or 0) for v in built.y]), cfg)
        highs = built.prob.solverModel
        highs.setOptionValue("output_flag", False)
        y = np.array([v.index for v in built.y], dtype=np.int32)
        highs.changeColsIntegrality(y.size, y, np.full(y.size, highspy.HighsVarType.kContinuous))
        return cls(highs, y)

    def copy(self) -> _Scorer:
        """The same scorer in a second HiGHS instance, for another thread."""
        return _Scorer(highs_direct.copy(self.highs), self.y)

    def score(self, counts: np.ndarray) -> float | None:
        """The plan's capacitated objective, None when it breaks a rule."""
        c = counts.astype(float)
        self.highs.changeColsBounds(self.y.size, self.y, c, c)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return -float(self.highs.getInfo().objective_function_value)  # passed negated


def relaxation(inst: Instance, opt: ModelOptions, start: np.ndarray, cfg: Solver) -> Relaxed:
    """The uncapacitated relaxation with `capacity_cuts`, handed to HiGHS (by scoring the
    plan `start` on it), ready for the window search and the proof."""
    relaxed = build_model(inst, replace(opt, capacitated=False, capacity_relaxation=True),
                          start=start)
    capacity_cuts(inst, relaxed)
    _score(relaxed, start, cfg)
    return Relaxed.of(inst, relaxed.prob.solverModel, Gale.of(inst, relaxed))


def _workers(cfg: Solver) -> int:
    """Threads for the search: WORKERS, or fewer when the solver is given fewer threads
    or the machine has fewer cores."""
    return max(1, min(WORKERS, cfg.threads or WORKERS, os.cpu_count() or 1))


@dataclass
class _Team:
    """The relaxation and the scorer once per thread: the window search runs in all of
    them from one board; the proof at the gap asked runs in the first while the others
    prove looser gaps (a bound for the user if the first does not finish in time)."""

    searches: list[Relaxed]
    proofs: list[Relaxed]
    scorers: list[_Scorer]

    @classmethod
    def of(cls, search: Relaxed, proof: Relaxed, scorer: _Scorer, workers: int) -> _Team:
        return cls([search] + [search.copy() for _ in range(workers - 1)],
                   [proof] + [proof.copy() for _ in range(workers - 1)],
                   [scorer] + [scorer.copy() for _ in range(workers - 1)])

    def _run(self, jobs: list) -> list:
        if len(jobs) == 1:
            return [jobs[0]()]
        with ThreadPoolExecutor(len(jobs)) as pool:
            return [f.result() for f in [pool.submit(job) for job in jobs]]

    def windows(self, board: Board, deadline: float) -> None:
        """Window search in every thread, each from the board's best plan with its own
        seed and its own smallest window (k + 1 open centres: a portfolio)."""
        self._run([lambda k=k: self.searches[k].windows(board, self.scorers[k].score,
                                                        deadline, seed=k,
                                                        least=k + 1)
                   for k in range(len(self.searches))])

    def prove(self, board: Board, deadline: float, gap: float, upper: float) -> float:
        """The best bound proven by `deadline`: the first thread proves `gap` from the best
        plan; the others prove gaps halfway (geometrically) between `gap` and the last
        proven one, from the LP bound's gap down, and all stop once `gap` is proven."""
        stop = threading.Event()
        lower = board.value

        def asked() -> float:
            bound = self.proofs[0].prove(lower, self.scorers[0].score, deadline, gap, board,
                                         stop)
            if _within(bound, lower, gap):
                stop.set()
            return bound

        def looser(k: int) -> float:
            best, level = upper, _gap(upper, lower) or 1.0
            while not stop.is_set() and time.perf_counter() < deadline:
                level = float(np.sqrt(level * gap))
                if level <= 1.05 * gap:
                    break
                bound = self.proofs[k].prove(lower, self.scorers[k].score, deadline, level,
                                             board, stop)
                best = min(best, bound)
                if not _within(bound, lower, level):
                    break
            return best

        return min(self._run([asked] + [lambda k=k: looser(k)
                                        for k in range(1, len(self.proofs))]))


@dataclass
class Outcome:
    """What the capacitated path did: the proven upper bound, the best plan's value, and
    the seconds of each step (for the benchmark)."""

    upper: float
    lower: float
    steps: dict


def solve(inst: Instance, opt: ModelOptions, cfg: Solver) -> tuple[Built, SolveInfo, Outcome]:
    """Build and solve capacitated maximal covering (see the module docstring); the returned
    model holds the plan's values, as `solve_built` would leave them."""
    t0 = time.perf_counter()
    left = lambda: cfg.time_limit_seconds - (time.perf_counter() - t0)  # noqa: E731
    steps: dict = {}

    def step(name: str) -> None:
        steps[name] = time.perf_counter() - t0 - sum(steps.values())

    built = build_model(inst, opt)
    start = incumbent(inst, opt, time_limit=min(  # a plan first, however short the limit
        3.0, max(START_FLOOR, 0.05 * cfg.time_limit_seconds)))
    search = relaxation(inst, opt, start, cfg)  # for the windows: their rows stay sparse
    proof = relaxation(inst, opt, start, cfg)   # for the proofs, whose rows are denser
    scored_in = time.perf_counter()
    scorer = _Scorer.of(built, cfg)
    reserve = max(RESERVE * cfg.time_limit_seconds, time.perf_counter() - scored_in)
    step("build")
    flow = capflow.Flow(inst)
    start = fill(inst, opt, flow, start, time.perf_counter() + max(START_FLOOR,
                                                                   FLOW_SHARE * left()))
    moved = capflow.swaps(inst, flow, start, lambda c: fits(inst, opt, c),
                          time.perf_counter() + FLOW_SHARE * left())
    scored = [(s, p) for p in (start, moved) if (s := scorer.score(p)) is not None]
    step("incumbent")
    if not scored:  # no plan of the greedy fits: the relaxation's own, served
        plan = search.served(max(0.1, START_SHARE * left()), rounds=START_ROUNDS)
        scored = [(s, plan) for s in [scorer.score(plan)] if s is not None] \
            if plan is not None else []
        step("first plan")
    if not scored:  # nothing fits: let the solver decide (and explain infeasibility)
        info = solve_built(built, replace(cfg, time_limit_seconds=max(0.1, left())))
        return built, replace(info, seconds=time.perf_counter() - t0), Outcome(
            np.inf, -np.inf, steps)
    lower, best = max(scored, key=lambda sp: sp[0])
    board = Board(best, lower)
    upper = search.lp_bound(max(0.1, left()))
    step("lp bound")
    if not _within(upper, lower, cfg.mip_gap):  # a short proof first: small cases end there
        upper = min(upper, proof.prove(lower, scorer.score,
                                       time.perf_counter() + QUICK_SHARE * left(), cfg.mip_gap,
                                       board))
        step("quick proof")
    team = _Team([search], [proof], [scorer])
    if not _within(upper, board.value, cfg.mip_gap):
        team = _Team.of(search, proof, scorer, _workers(cfg))
        board.goal = upper / (1.0 + cfg.mip_gap)
        team.windows(board, time.perf_counter() + WINDOW_SHARE * left())
        step("windows")
        end = time.perf_counter() + left() - reserve
        upper = min(upper, team.prove(board, end, cfg.mip_gap, upper))
        step("proof")
    best, lower = board.best()
    if not _within(upper, lower, cfg.mip_gap) and left() > reserve:
        # the proof stopped early on an answer the relaxation allows and the capacitated
        # model does not (a rule beyond the capacity rows): the plain model decides
        built.start = best
        info = solve_built(built, replace(cfg, time_limit_seconds=max(
            0.1, left() - reserve)))
        upper = min(upper, _objective_bound(built, cfg, info))  # before a re-score replaces it
        if info.has_solution and float(built.prob.objective.value()) > lower:
            best, lower = built.counts(), float(built.prob.objective.value())
        step("capacitated")
    value = _score(built, best, cfg)  # leaves the best plan's values in the model
    lower = lower if value is None else value
    gap = _gap(upper, lower)
    status = "optimal" if _within(upper, lower, cfg.mip_gap) else "feasible"
    steps["cuts"] = sum(r.cuts for r in team.searches + team.proofs)
    return built, SolveInfo(status, gap, time.perf_counter() - t0, cfg.name), Outcome(
        upper, lower, steps)


def _within(upper: float, lower: float, gap: float) -> bool:
    """Whether `lower` is proven within `gap` of `upper`, up to float noise: GAP_TOL of the
    objective, but never more than TIE_TOL children, so that at gap 0 the cost tie-break
    between plans covering as many children (worth < 0.5 children in all) is decided."""
    value = _gap(upper, lower)
    if value is None:
        return False
    noise = min(GAP_TOL, TIE_TOL / max(abs(lower), 1e-9))
    return value <= gap + noise


def _gap(upper: float, lower: float) -> float | None:
    """Relative gap of a maximisation: (upper - lower) / |lower|, None without a bound."""
    if not np.isfinite(upper) or not np.isfinite(lower):
        return None
    return max(0.0, upper - lower) / max(abs(lower), 1e-9)
