"""The model's optima equal PySAL spopt's on identical mid-size instances.

spopt (`spopt.locate`, a test-only dependency) formulates the classic problems on a dense
cost matrix: MCLP (exactly p sites, most weight within the radius), p-median (exactly p sites,
least weighted distance; optionally with site capacities) and LSCP (fewest sites covering
everyone). Otbasy's model gets the same matrix as its sparse pairs, p as the new-centre limit
and unit costs for the LSCP, and both solve with HiGHS at zero gap. Objectives must agree to
1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pulp
import pytest
from spopt.locate import LSCP, MCLP, PMedian

from planning import mclp
from planning.instance import Instance
from planning.scenario import Scenario
from planning.solve import solve_instance


def dense_instance(seed: int, n: int, m: int, *, standard: float,
                   capacity: np.ndarray | None = None) -> tuple[Instance, np.ndarray]:
    """Random demand and sites on a 100 x 100 square; every pair kept (dense matrix).
    Returns the instance and its n x m minutes matrix."""
    rng = np.random.default_rng(seed)
    dp, sp = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    cost = np.hypot(dp[:, None, 0] - sp[None, :, 0], dp[:, None, 1] - sp[None, :, 1])
    rows, cols = np.indices(cost.shape).reshape(2, -1)
    inst = Instance(
        demand_ids=np.array([f"d{i}" for i in range(n)]),
        weights=rng.integers(1, 500, n).astype(float), demand_unit=np.zeros(n, dtype=int),
        units=["U"], site_ids=np.array([f"s{j}" for j in range(m)]),
        site_kind=np.array(["new"] * m), capex=np.ones(m), opex=np.zeros(m),
        capacity=np.full(m, np.inf) if capacity is None else capacity.astype(float),
        max_count=np.ones(m, dtype=int), min_count=np.zeros(m, dtype=int),
        site_unit=np.zeros(m, dtype=int), site_children=np.zeros(m),
        rows=rows, cols=cols, minutes=cost[rows, cols], standard=standard,
        cutoff=float(cost.max()) + 1, family_spare=np.zeros(1),
    )
    return inst, cost


def ours(inst: Instance, objective: str, p: int | None, capacitated: bool = False):
    s = Scenario(objective=objective)
    s.candidates.max_new = p
    s.capacity.enabled = capacitated
    s.family_care.enabled = False
    s.solver.mip_gap = 0.0
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal"
    return plan


def highs() -> pulp.LpSolver:
    return pulp.HiGHS(msg=False, gapRel=0.0)


def rel_equal(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


@pytest.mark.parametrize("seed,n,m,p", [(1, 120, 30, 5), (2, 150, 40, 8), (3, 80, 25, 3),
                                        (6, 300, 150, 6), (7, 400, 300, 10), (8, 250, 500, 4)])
def test_mclp_equals_spopt(monkeypatch, seed: int, n: int, m: int, p: int) -> None:
    inst, cost = dense_instance(seed, n, m, standard=18.0)
    fast: list = []
    solve = mclp.solve
    monkeypatch.setattr(mclp, "solve", lambda *a: fast.append(1) or solve(*a))
    plan = ours(inst, "max_coverage", p)
    assert fast, "the product's MCLP fast path (planning.mclp) was not taken"
    covered = float((plan.share * inst.weights).sum())
    ref = MCLP.from_cost_matrix(cost, inst.weights, service_radius=18.0, p_facilities=p)
    ref.solve(highs())
    theirs = float(pulp.value(ref.problem.objective))
    assert rel_equal(covered, theirs), (covered, theirs)
    assert plan.counts.sum() <= p
    assert covered < inst.weights.sum()  # the radius binds: a real comparison


@pytest.mark.parametrize("seed,n,m,p", [(4, 100, 25, 4), (5, 60, 20, 6)])
def test_p_median_equals_spopt(seed: int, n: int, m: int, p: int) -> None:
    inst, cost = dense_instance(seed, n, m, standard=30.0)
    plan = ours(inst, "min_travel", p)
    travel = float((plan.minutes * inst.weights).sum())
    ref = PMedian.from_cost_matrix(cost, inst.weights, p_facilities=p)
    ref.solve(highs())
    theirs = float(pulp.value(ref.problem.objective))
    assert rel_equal(travel, theirs), (travel, theirs)
    assert plan.counts.sum() == p
    # every settlement goes to its nearest open site
    open_sites = np.flatnonzero(plan.counts)
    assert np.allclose(plan.minutes, cost[:, open_sites].min(axis=1))


def test_capacitated_p_median_equals_spopt() -> None:
    """spopt's p-median with facility capacities against the capacitated min_travel model
    (assignments may split a settlement between sites in both)."""
    rng = np.random.default_rng(6)
    cap = rng.integers(2500, 6000, 20).astype(float)
    inst, cost = dense_instance(6, 60, 20, standard=30.0, capacity=cap)
    p = 5
    from planning.model import build_model
    from planning.optimize import solve_built
    from planning.solve import model_options

    s = Scenario(objective="min_travel")
    s.candidates.max_new = p
    s.family_care.enabled = False
    s.solver.mip_gap = 0.0
    built = build_model(inst, model_options(s))
    assert solve_built(built, s.solver).status == "optimal"
    mine = float(pulp.value(built.prob.objective))
    # the objective is child-minutes of the assignment read back from x
    recomputed = sum(inst.weights[i] * cost[i, j] * v.value() for (i, j), v in built.x.items())
    assert rel_equal(mine, recomputed)
    ref = PMedian.from_cost_matrix(cost, inst.weights, p_facilities=p, facility_capacities=cap)
    ref.solve(highs())
    theirs = float(pulp.value(ref.problem.objective))
    assert rel_equal(mine, theirs), (mine, theirs)
    counts = np.array([round(v.value()) for v in built.y])
    served = np.zeros(inst.m)
    for (i, j), v in built.x.items():
        served[j] += inst.weights[i] * v.value()
    assert (served <= cap * counts + 1e-6).all()


@pytest.mark.parametrize("seed,n,m,radius", [(7, 150, 40, 25.0), (8, 100, 30, 35.0)])
def test_lscp_equals_spopt(seed: int, n: int, m: int, radius: float) -> None:
    """Set covering: min_cost with one unit of cost per site and full coverage = LSCP."""
    inst, cost = dense_instance(seed, n, m, standard=radius)
    assert inst.reachable().all()
    plan = ours(inst, "min_cost", None)
    assert (plan.share == 1).all(), "full coverage: every settlement within the standard"
    ref = LSCP.from_cost_matrix(cost, service_radius=radius)
    ref.solve(highs())
    theirs = float(pulp.value(ref.problem.objective))
    assert rel_equal(float(plan.counts.sum()), theirs), (plan.counts.sum(), theirs)
