"""Gale's capacity rows (`planning.gale`) and the search on the relaxation
(`planning.relaxed_search`) against independent computations.

- Every row `Gale.cuts` returns holds for the best capacitated assignment of any plan,
  computed by `scipy.optimize.linprog` on the settlements x sites shares (so adding it
  keeps the relaxation a relaxation), and is broken by the point it was cut from.
- A point the same linprog can serve gets no row.
- The window search returns plans that meet every rule (the brute-force test's own
  evaluator), scored as the plain capacitated model (PuLP, every rule, the centres fixed)
  scores them, better than where it began.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from test_planning_bruteforce import evaluate
from test_planning_capacitated import case

from planning import capacitated, relaxed_search
from planning.gale import Gale
from planning.model import build_model
from planning.scenario import Solver

CFG = Solver(time_limit_seconds=60, mip_gap=0.0)


def best_shares(inst, counts: np.ndarray) -> np.ndarray:
    """Each settlement's covered share in a most-children capacitated assignment of the
    plan (linprog over x_ij, pairs within the standard to open sites)."""
    keep = (inst.minutes <= inst.standard + 1e-9) & (counts[inst.cols] > 0)
    r, c = inst.rows[keep], inst.cols[keep]
    k = r.size
    if k == 0:
        return np.zeros(inst.n)
    w = inst.weights
    per_settlement = coo_matrix((np.ones(k), (r, np.arange(k))), shape=(inst.n, k))
    per_site = coo_matrix((w[r], (c, np.arange(k))), shape=(inst.m, k))
    cap = np.where(np.isfinite(inst.capacity), inst.capacity, w.sum()) * counts
    res = linprog(-w[r], A_ub=np.vstack([per_settlement.toarray(), per_site.toarray()]),
                  b_ub=np.concatenate([np.ones(inst.n), cap]), bounds=(0, 1), method="highs")
    assert res.status == 0, res.message
    return np.asarray(per_settlement @ res.x).ravel()


def group_shares(gale: Gale, inst, shares: np.ndarray) -> np.ndarray:
    """Settlement shares as the relaxation's group shares (children-weighted means)."""
    inside = gale.group >= 0
    out = np.bincount(gale.group[inside], weights=inst.weights[inside] * shares[inside],
                      minlength=gale.z_col.size)
    return np.divide(out, gale.weight, out=np.zeros_like(out), where=gale.weight > 0)


def relaxation(seed: int, n: int, m: int):
    """A clustered case's instance, its greedy plan and the relaxation in HiGHS."""
    inst, _, opt = case(seed, n, m, 0.3, 0.0)
    start = capacitated.incumbent(inst, opt)
    return inst, start, capacitated.relaxation(inst, opt, start, CFG)


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_rows_hold_for_every_served_assignment(seed: int) -> None:
    inst, start, search = relaxation(seed, 150, 50)
    gale = search.gale
    rng = np.random.default_rng(seed)
    plans = [start] + [(rng.random(inst.m) < 0.15) * rng.integers(1, 3, inst.m)
                       for _ in range(10)]
    served = []
    for counts in plans:
        counts = np.minimum(np.maximum(counts, inst.min_count),
                            np.maximum(inst.max_count, inst.min_count))
        shares = best_shares(inst, counts)
        served.append((counts, shares))
    rows = 0
    for counts, _ in served:  # cut where every group with an open site is fully covered
        reached = np.asarray(gale.reach @ (counts > 0)).ravel() > 0
        z = reached.astype(float)
        for groups, sites in gale.cuts(counts.astype(float), z):
            rows += 1
            assert gale.weight[groups] @ z[groups] > gale.cap[sites] @ counts[sites] + 1e-6
            for other, shares in served:  # ... and holds for every served assignment
                zs = group_shares(gale, inst, shares)
                lhs = gale.weight[groups] @ zs[groups]
                assert lhs <= gale.cap[sites] @ other[sites] + 1e-6 * max(1.0, lhs)
    assert rows >= 3, "capacities never bound: the test compares nothing"


@pytest.mark.parametrize("seed", [1, 4])
def test_served_points_get_no_row(seed: int) -> None:
    inst, start, search = relaxation(seed, 150, 50)
    gale = search.gale
    z = group_shares(gale, inst, best_shares(inst, start))
    assert gale.cuts(start.astype(float), z) == []
    reached = np.asarray(gale.reach @ (start > 0)).ravel() > 0
    more = np.where(reached, np.minimum(1.0, z + 0.5), z)
    if not np.allclose(more, z):  # serving more than the best assignment: a row is broken
        assert gale.cuts(start.astype(float), more)


@pytest.mark.parametrize("seed,n,m,share,equity", [(2, 200, 60, 0.25, 0.2),
                                                   (3, 300, 80, 0.2, 0.0)])
def test_windows_keep_every_rule(seed: int, n: int, m: int, share: float,
                                 equity: float) -> None:
    inst, s, opt = case(seed, n, m, share, equity)
    start = capacitated.incumbent(inst, opt)
    search = capacitated.relaxation(inst, opt, start, CFG)
    plain = build_model(inst, opt)
    scorer = capacitated._Scorer.of(build_model(inst, opt), CFG)
    value = capacitated._score(plain, start, CFG)
    assert value is not None and abs(scorer.score(start) - value) <= 1e-6 * max(1.0, value)
    board = relaxed_search.Board(start, value)
    search.windows(board, scorer.score, time.perf_counter() + 5.0)
    counts, better = board.best()
    assert better > value + 1.0, "the windows improved nothing: the test compares little"
    assert evaluate(inst, counts, s, True, "max_coverage") is not None
    assert abs(capacitated._score(plain, counts, CFG) - better) <= 1e-6 * max(1.0, better)
