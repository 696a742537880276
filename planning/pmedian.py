"""Exact reductions for the uncapacitated p-median, before the integer programme is built.

For a pure p-median (`min_travel`, uncapacitated, no budget, no equity rule: only the
new-centre limit p, kept and must-open centres) three steps shrink the model without
changing its optimum:

1. an incumbent: greedy, then swap-based local search (the fast interchange of Whitaker,
   evaluated with the gain/loss/extra bookkeeping of Resende & Werneck 2007), vectorised over
   the sparse pairs. Its child-minutes are an upper bound UB;
2. a Lagrangian bound (assignment rows relaxed, subgradient ascent, Beasley 1993): for
   multipliers lambda, L = sum_i lambda_i + the best choice of sites by their reduced costs
   rho_j = sum_i min(0, c_ij - lambda_i) (c_ij = children x minutes);
3. fixing by reduced cost: a site whose forced opening (or closing) would raise L above UB
   is closed (opened) in every plan at least as good as the incumbent, so in every optimal
   plan. Pairs to closed sites, and pairs beyond a settlement's nearest fixed-open site,
   can then never be an assignment and are dropped.

The reduced instance goes through the ordinary model (one implementation of the rules); the
incumbent gives each settlement's first radius levels and the solver's start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from planning.deadline import Deadline
from planning.instance import Instance

REL_EPS = 1e-9  # fixing margin relative to UB: float sums must not close a site wrongly
MOMENTUM = 0.7  # deflected subgradient (Camerini, Fratta & Maffioli): d = g + 0.7 d_prev
SHALLOW = 8     # sites per centre up to which the plain radius model is cheap (see `pays`)
STALL = 30      # iterations without a better bound before the step factor halves


@dataclass
class Reduction:
    """What the reductions found: the incumbent's centres per site and its cost (UB), the
    Lagrangian bound, sites fixed open / closed, the seconds spent, and `trace`: (perf_counter
    time, best plan's cost, best bound) whenever either improved (time to a gap)."""

    counts: np.ndarray
    upper: float
    lower: float
    fixed_open: np.ndarray
    closed: np.ndarray
    seconds: float
    trace: list[tuple[float, float, float]] = field(default_factory=list)


def applies(opt) -> bool:
    """True for a pure p-median: the reductions are exact only then (budgets and the equity
    rule can make the nearest-site assignment or a site choice infeasible)."""
    return (opt.objective == "min_travel" and not opt.capacitated and opt.equity_min <= 0
            and opt.budget_total is None and opt.budget_capex is None
            and opt.budget_opex is None and opt.min_share_floor is None)


def pays(inst: Instance, p: int) -> bool:
    """True when the reductions are worth their fixed cost: more than SHALLOW candidate
    sites per centre, i.e. long radii, which the radius model pays for level by level.
    Measured (CPU seconds, the idle machine's wall time): the national plan, 405 sites for
    77 new centres (~5 per centre), solves unreduced in 1.2 s against 2.2 s with the
    reductions; the family's 350 x 500 cases with p = 50 (10 per centre) take 4.7-15 s
    unreduced and 1.0-3.6 s reduced (wall, load ~12)."""
    sites = int((inst.max_count > 0).sum())
    centres = p + int(((inst.min_count > 0) & (inst.site_kind == "existing")).sum())
    return sites > SHALLOW * max(centres, 1)


class _Pairs:
    """Pairs of settlements with children and their reachable sites, sorted by settlement
    then cost c = children x minutes; `start` is the CSR index per settlement."""

    def __init__(self, inst: Instance) -> None:
        keep = inst.weights[inst.rows] > 0
        rows, cols = inst.rows[keep], inst.cols[keep]
        cost = inst.weights[rows] * inst.minutes[keep]
        order = np.lexsort((cost, rows))
        self.rows, self.cols, self.cost = rows[order], cols[order], cost[order]
        self.n, self.m = inst.n, inst.m
        self.start = np.searchsorted(self.rows, np.arange(inst.n + 1))
        self.active = np.flatnonzero(np.diff(self.start) > 0)

    def nearest_two(self, is_open: np.ndarray):
        """Per settlement: cost to the nearest open site, that site, cost to the second
        (inf when missing)."""
        sel = np.flatnonzero(is_open[self.cols])
        r = self.rows[sel]
        first = np.ones(sel.size, dtype=bool)
        first[1:] = r[1:] != r[:-1]
        c1 = np.full(self.n, np.inf)
        phi = np.full(self.n, -1)
        c1[r[first]] = self.cost[sel[first]]
        phi[r[first]] = self.cols[sel[first]]
        second = np.flatnonzero(~first)
        second = second[np.r_[True, r[second][1:] != r[second][:-1]]] if second.size else second
        c2 = np.full(self.n, np.inf)
        c2[r[second]] = self.cost[sel[second]]
        return c1, phi, c2


def _deadline(limit: Deadline | float) -> Deadline:
    return limit if isinstance(limit, Deadline) else Deadline.after(limit)


def incumbent(inst: Instance, p: int, limit: Deadline | float,
              first: np.ndarray | None = None, pairs: _Pairs | None = None) -> np.ndarray:
    """A good p-median plan (bool mask of open sites): fixed-open sites, then the greedy
    choice of up to p more free sites (or the sites of `first`), then best-improvement swaps
    until none helps or the deadline (`limit`: a Deadline or seconds) passes."""
    end = _deadline(limit)
    pairs = pairs or _Pairs(inst)
    fixed = inst.min_count > 0
    free = (~fixed) & (inst.max_count > 0)
    is_open = fixed.copy() if first is None else (first & free) | fixed
    big = 2.0 * float(pairs.cost.max(initial=1.0)) + 1.0  # cost of an unassigned settlement
    c1 = pairs.nearest_two(is_open)[0]
    cur = np.where(np.isfinite(c1), c1, big)
    by_site = np.argsort(pairs.cols, kind="stable")
    site_start = np.searchsorted(pairs.cols[by_site], np.arange(inst.m + 1))
    for _ in range(p - int((is_open & ~fixed).sum())):
        gain = np.bincount(pairs.cols, np.maximum(0.0, cur[pairs.rows] - pairs.cost),
                           minlength=inst.m)
        gain[~free | is_open] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0 or (end.expired() and is_open.any()):
            break
        is_open[j] = True
        at = by_site[site_start[j]:site_start[j + 1]]
        np.minimum.at(cur, pairs.rows[at], pairs.cost[at])
    while not end.expired():
        c1, phi, c2 = pairs.nearest_two(is_open)
        c1 = np.where(np.isfinite(c1), c1, big)
        c2 = np.where(np.isfinite(c2), c2, big)
        a = pairs.active
        gain = np.bincount(pairs.cols, np.maximum(0.0, c1[pairs.rows] - pairs.cost),
                           minlength=inst.m)
        loss = np.bincount(phi[a][phi[a] >= 0], (c2 - c1)[a][phi[a] >= 0], minlength=inst.m)
        near = (pairs.cost < c2[pairs.rows]) & (phi[pairs.rows] >= 0)
        extra = sparse.coo_matrix(
            (c2[pairs.rows[near]] - np.maximum(pairs.cost[near], c1[pairs.rows[near]]),
             (pairs.cols[near], phi[pairs.rows[near]])), shape=(inst.m, inst.m)).tocsr()
        ins = free & ~is_open
        out = is_open & ~fixed
        if not ins.any() or not out.any():
            break
        # pairs (j in, r out) with no shared settlements: gain_j - loss_r
        jb = np.flatnonzero(ins)[np.argmax(gain[ins])]
        rb = np.flatnonzero(out)[np.argmin(loss[out])]
        best, move = gain[jb] - loss[rb], (jb, rb)
        coo = extra.tocoo()
        ok = ins[coo.row] & out[coo.col]
        if ok.any():
            val = gain[coo.row[ok]] - loss[coo.col[ok]] + coo.data[ok]
            k = int(np.argmax(val))
            if val[k] > best:
                best, move = val[k], (coo.row[ok][k], coo.col[ok][k])
        if best <= 1e-9 * max(1.0, float(c1[a].sum())):
            break
        is_open[move[0]], is_open[move[1]] = True, False
    return is_open


def plan_cost(inst: Instance, is_open: np.ndarray, pairs: _Pairs | None = None) -> float:
    """Child-minutes of a plan, each settlement with children at its nearest open site
    (inf when one has none within the cut-off)."""
    c1 = (pairs or _Pairs(inst)).nearest_two(is_open)[0]
    need = inst.weights > 0
    return float(c1[need].sum()) if np.isfinite(c1[need]).all() else np.inf


def _choose(rho: np.ndarray, fixed: np.ndarray, free: np.ndarray, p: int):
    """The Lagrangian subproblem: fixed sites, plus up to p free sites of least negative
    reduced cost. Returns (open mask, value, threshold = the worst chosen free rho when p
    were chosen else 0, best unchosen free rho clipped at 0)."""
    cand = np.flatnonzero(free & (rho < 0))
    if cand.size > p:
        cand = cand[np.argpartition(rho[cand], p - 1)[:p]] if p > 0 else cand[:0]
    chosen = fixed.copy()
    chosen[cand] = True
    thr = float(rho[cand].max()) if cand.size == p and p > 0 else 0.0
    rest = free & ~chosen
    nxt = min(0.0, float(rho[rest].min())) if rest.any() else 0.0
    return chosen, float(rho[fixed].sum() + rho[cand].sum()), thr, nxt


def lagrangian(inst: Instance, p: int, upper: float, is_open: np.ndarray,
               limit: Deadline | float, iterations: int = 600, pairs: _Pairs | None = None,
               target: float = 1e-7, trace: list | None = None):
    """Deflected, projected subgradient ascent on the assignment rows (on the family it
    reaches the LP bound to ~1e-7 where the plain method stalled 0.3% short). Multipliers start
    at the incumbent's
    costs and are capped at each settlement's cost to its second-nearest incumbent site,
    or its dearest pair without one (any cap keeps L a valid bound; it lets far pairs be
    skipped). The subproblem's sites
    are tried as a plan whenever the bound improves (Beasley's Lagrangian heuristic). Returns
    (best bound, reduced
    costs rho and multipliers at it, best plan seen and its cost). Stops at a relative gap of
    `target`, at the deadline `limit`, or when the step has shrunk to nothing; each
    improvement is appended to `trace` as (time, plan cost, bound)."""
    end = _deadline(limit)
    pairs = pairs or _Pairs(inst)
    fixed = inst.min_count > 0
    free = (~fixed) & (inst.max_count > 0)
    c1, _, c2 = pairs.nearest_two(is_open)
    a = pairs.active
    # without a second incumbent site (p = 1, or one site in reach) a cap at c1 would
    # freeze the multipliers at their start: the settlement's dearest pair caps them then
    far = np.zeros(inst.n)
    np.maximum.at(far, pairs.rows, pairs.cost)
    cap = np.where(np.isfinite(c2), c2, far)
    cap[a] = np.maximum(cap[a], np.where(np.isfinite(c1[a]), c1[a], 0.0))
    keep = pairs.cost < cap[pairs.rows]
    rows, cols, cost = pairs.rows[keep], pairs.cols[keep], pairs.cost[keep]
    lam = np.zeros(inst.n)
    lam[a] = np.where(np.isfinite(c1[a]), c1[a], cap[a])
    best, best_rho, best_lam = -np.inf, None, lam
    plan = is_open
    f, stall = 2.0, 0
    d = np.zeros(inst.n)
    priced: dict[bytes, float] = {}
    for _ in range(iterations):
        red = np.minimum(cost - lam[rows], 0.0)
        rho = np.bincount(cols, red, minlength=inst.m)
        chosen, value, _, _ = _choose(rho, fixed, free, p)
        bound = float(lam[a].sum()) + value
        if bound > best + 1e-12 * abs(upper):
            best, best_rho, best_lam, stall = bound, rho, lam.copy(), 0
            key = np.packbits(chosen).tobytes()  # the same sites recur: priced once
            if key not in priced:
                priced[key] = plan_cost(inst, chosen, pairs)
            tried = priced[key]
            if tried < upper:
                upper, plan = tried, chosen
            if trace is not None:
                trace.append((time.perf_counter(), upper, best))
        else:
            stall += 1
            if stall >= STALL:
                f, stall = f / 2, 0
        if upper - best <= target * upper or f < 1e-4 or end.expired():
            break
        g = np.zeros(inst.n)
        g[a] = 1.0
        g -= np.bincount(rows[(red < 0) & chosen[cols]], minlength=inst.n)
        g[(lam >= cap) & (g > 0)] = 0.0
        g[(lam <= 0) & (g < 0)] = 0.0
        d = g + MOMENTUM * d
        norm = float(d[a] @ d[a])
        if norm == 0:
            break
        lam[a] = np.clip(lam[a] + f * (upper - bound) / norm * d[a], 0.0, cap[a])
    return best, best_rho, best_lam, plan, upper


def reduce(inst: Instance, p: int, limit: Deadline | float = 10.0,
           target: float = 1e-7) -> tuple[Instance, Reduction]:
    """For the new-centre limit `p`: the reduced instance (same sites and settlements; bounds
    of fixed sites changed, pairs that cannot be an assignment dropped) and what was found,
    all by the deadline `limit` (a Deadline or seconds): a third of it for the first
    incumbent, the Lagrangian ascent until two thirds (or a relative gap of `target`), the
    rest to polish. Exact: every plan of `inst` costing no more than the incumbent is a plan
    of the reduced instance with the same cost.

    Pair test: for any multipliers lambda and plan S with nearest sites phi,
    cost(S) >= L(lambda) + sum_i max(0, c_i,phi(i) - lambda_i), so in a plan no dearer than
    UB settlement i is never assigned beyond c_ij = lambda_i + UB - L."""
    end = _deadline(limit)
    t0 = time.perf_counter()
    # an existing centre is outside the new-centre limit and opening it adds no travel, so
    # some optimal plan opens every one that may open: fixed open here (the heuristics and
    # the bound below count every optional site against p)
    outside = (inst.site_kind == "existing") & (np.maximum(inst.max_count, inst.min_count) > 0)
    inst = replace(inst, min_count=np.where(outside, np.maximum(inst.min_count, 1),
                                            inst.min_count))
    # the new-centre limit counts must-open new sites; kept (existing) centres are outside it
    p = max(0, p - int(((inst.min_count > 0) & (inst.site_kind != "existing")).sum()))
    pairs = _Pairs(inst)
    is_open = incumbent(inst, p, end.share(1 / 3), pairs=pairs)
    upper = plan_cost(inst, is_open, pairs)
    trace = [(time.perf_counter(), upper, -np.inf)]
    fixed = inst.min_count > 0
    free = (~fixed) & (inst.max_count > 0)
    closed = ~fixed & ~free
    lower = -np.inf
    fix_open = fixed.copy()
    keep = np.ones(inst.rows.size, dtype=bool)
    if np.isfinite(upper) and upper > 0:
        lower, rho, lam, plan, tried = lagrangian(inst, p, upper, is_open, end.share(1 / 2),
                                                  pairs=pairs, target=target, trace=trace)
        # local search again from the Lagrangian heuristic's best plan and from the
        # subproblem's sites at the best bound (often the optimum's neighbourhood)
        seeds = [plan] if tried < upper else []
        if rho is not None:
            seeds.append(_choose(rho, fixed, free, p)[0])
        for k, first in enumerate(seeds):
            polished = incumbent(inst, p, end.share(1 / (len(seeds) - k)), first=first,
                                 pairs=pairs)
            cost = plan_cost(inst, polished, pairs)
            if cost < upper:
                is_open, upper = polished, cost
                trace.append((time.perf_counter(), upper, lower))
        if rho is not None:
            chosen, _, thr, nxt = _choose(rho, fixed, free, p)
            slack = upper - lower + REL_EPS * upper + 1e-9
            closed |= free & ~chosen & (rho - thr > slack)
            fix_open |= free & chosen & (nxt - rho > slack)
            c = inst.weights[inst.rows] * inst.minutes
            keep = (inst.weights[inst.rows] == 0) | (c <= lam[inst.rows] + slack)
    counts = is_open.astype(int)
    red = replace(inst, min_count=np.where(fix_open, np.maximum(inst.min_count, 1),
                                           inst.min_count),
                  max_count=np.where(closed, 0, inst.max_count))
    keep &= ~closed[inst.cols]
    # beyond a settlement's nearest fixed-open site no pair can be its assignment
    far = np.full(inst.n, np.inf)
    np.minimum.at(far, inst.rows[fix_open[inst.cols]], inst.minutes[fix_open[inst.cols]])
    keep &= inst.minutes <= far[inst.rows]
    red.rows, red.cols, red.minutes = inst.rows[keep], inst.cols[keep], inst.minutes[keep]
    info = Reduction(counts, upper, lower, fix_open, closed, time.perf_counter() - t0, trace)
    return red, info


def only(inst: Instance, counts: np.ndarray) -> Instance:
    """`inst` restricted to the sites of a plan (those fixed open, every other closed, pairs
    to closed sites dropped): a model of just that plan, for when no time is left to build
    the whole reduced one."""
    keep = counts[inst.cols] > 0
    out = replace(inst, min_count=np.where(counts > 0, np.maximum(inst.min_count, 1), 0),
                  max_count=np.where(counts > 0, np.maximum(inst.max_count, 1), 0))
    out.rows, out.cols, out.minutes = inst.rows[keep], inst.cols[keep], inst.minutes[keep]
    return out
