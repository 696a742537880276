"""Hostile and careless inputs to the solver's fast paths (the pure MCLP straight into HiGHS,
the p-median's radius model straight into HiGHS, the reductions), each found by an attack
that made them fail or answer wrongly; the plans are checked against brute force
(`test_planning_bruteforce.every_plan`, which prices and scores every subset of sites)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from test_planning_bruteforce import check, random_instance, scenario_for, whole_life
from test_planning_fastpaths import Classic, close, clustered_instance, scenario, travel_of

from planning import pmedian
from planning.instance import Instance
from planning.solve import pareto, solve_instance


def childless(pairs: bool) -> Instance:
    """Five settlements without children (unknown counts are 0), four candidate sites;
    with `pairs` False no site is within the cut-off of any settlement."""
    inst = random_instance(3, m=4, n=5)
    inst = replace(inst, weights=np.zeros(inst.n))
    if not pairs:
        inst = replace(inst, rows=inst.rows[:0], cols=inst.cols[:0], minutes=inst.minutes[:0])
    return inst


@pytest.mark.parametrize("pairs", [True, False])
@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("objective,rules", [
    ("min_travel", {"max_new": 1}), ("min_travel", {"budget_total": 1e12}),
    ("min_travel", {}), ("max_coverage", {"max_new": 1}), ("min_cost", {}),
    ("max_min_coverage", {})])
@pytest.mark.parametrize("capacitated", [False, True])
def test_no_children_is_a_plan_opening_nothing(pairs: bool, solver: str, objective: str,
                                               rules: dict, capacitated: bool) -> None:
    """A region whose children are all unknown (0): nothing to cover or assign, so the
    optimum opens no centre at all. Before, the p-median's radius model raised IndexError
    when no pair was within the cut-off (HiGHS and CBC), and CBC raised TypeError on its
    empty objective when pairs existed."""
    inst = childless(pairs)
    s = scenario_for(objective, capacitated=capacitated, family_care=False, **rules)
    s.solver.name = solver
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal"
    assert plan.counts.sum() == 0
    assert float((plan.share * inst.weights).sum()) == 0.0


@pytest.mark.parametrize("seed,n,m,p,existing", [
    (41, 182, 191, 8, 3), (43, 151, 137, 3, 1), (83, 199, 76, 5, 2)])
def test_p_median_with_existing_centres_not_forced_open(seed: int, n: int, m: int, p: int,
                                                        existing: int) -> None:
    """Existing centres that may stay closed (an `Instance` built through the Python API with
    min_count 0 on kind "existing") are outside the new-centre limit, as in the model.
    Before, the p-median's reductions counted them against p: their bound was no bound, the
    fixing closed sites of every optimal plan, and a plan 4-13 % dearer than the optimum was
    reported `optimal` with gap 0."""
    inst = clustered_instance(seed, n, m, existing=existing)
    inst.min_count[:existing] = 0
    s = scenario("min_travel", max_new=p)
    assert pmedian.pays(inst, p)  # the reductions act
    plan, info, _, _ = solve_instance(inst, s)
    ref = Classic(inst, s, travel=True).travel_optimum()
    assert info.status == "optimal"
    assert close(travel_of(inst, plan), ref), (travel_of(inst, plan), ref)
    assert plan.counts[inst.site_kind != "existing"].sum() <= p


@pytest.mark.parametrize("budget", [120e6, 143_692_617.5])
def test_budget_counts_a_conversions_own_running_cost(budget: float) -> None:
    """A must-open conversion of an institution with 8 children, whose release (8 x 7.03 m
    KZT a year) outweighs its own running cost (24 m): the budget counts the plan's running
    costs net of the release, the conversion's own 24 m included. Before, the model's net
    running cost was built from a list naming the conversion's centre twice (its running
    cost, then its release) and PuLP kept only the release: the plan's running costs were
    24 m KZT a year short, and a plan costing 174.3 m KZT against a budget of 143.7 m was
    reported optimal (found by the brute-force attack on the capacitated path)."""
    inst = random_instance(115, m=5, n=18, capacitated=True, convert=1)
    inst.min_count[0] = 1
    inst.site_children[0] = 8.0
    check(inst, scenario_for("max_coverage", capacitated=True, budget_total=budget,
                             max_new=3, family_care=True))


@pytest.mark.parametrize("seed,n,m", [(17, 198, 172), (5, 150, 120), (9, 120, 200)])
def test_one_median_bound_meets_the_optimum(seed: int, n: int, m: int) -> None:
    """p = 1: the incumbent has one site, so no settlement has a second-nearest open site.
    The Lagrangian multipliers were capped at that cost, i.e. frozen at their start, and the
    bound stayed where it began (29.6 % below the optimum on 198 x 172): no site was fixed
    and HiGHS got the whole radius model (12 CPU s on 198 x 172 for a problem that 172
    evaluations solve). Capped at each settlement's dearest pair instead, the bound meets
    the optimum (the plan's cost, checked by enumerating every single site) and all sites
    but near-ties are closed."""
    inst = clustered_instance(seed, n, m)
    _, red = pmedian.reduce(inst, 1)
    best = min(pmedian.plan_cost(inst, np.arange(m) == j) for j in range(m))
    assert close(red.upper, best)
    assert red.lower <= best * (1 + 1e-9)
    assert red.lower >= best * (1 - 1e-6), (red.lower, best)
    assert red.closed.sum() >= m - 5  # all but near-ties (before: none)
    plan, info, _, _ = solve_instance(inst, scenario("min_travel", max_new=1))
    assert info.status == "optimal" and close(travel_of(inst, plan), best)


@pytest.mark.parametrize("budget", [float("nan"), float("inf"), -float("inf")])
def test_pareto_refuses_a_budget_that_is_not_a_number(budget: float) -> None:
    """A coverage-vs-budget curve asked for at NaN or an infinite budget: one clear error
    naming the budget, raised before the data is loaded. Before, PuLP's
    "Cannot set constraint RHS to NaN/inf values" surfaced from the model."""
    s = scenario("max_coverage")
    with pytest.raises(ValueError, match=r"^budgets\[1\]: must be a finite number"):
        pareto(s, [1e9, budget], layers=object())


def test_no_candidate_site_is_an_optimal_empty_plan() -> None:
    """No candidate site at all (every one excluded, none kept): the pure MCLP's model has
    no column, and the empty plan covering nobody is optimal. Before, HiGHS's "model
    empty" status was read as a solver error and the plan was reported `feasible` with an
    unknown gap."""
    inst = random_instance(3, m=1, n=5)
    none = np.zeros(0, dtype=int)
    inst = replace(inst, site_ids=inst.site_ids[:0], site_kind=inst.site_kind[:0],
                   capex=inst.capex[:0], opex=inst.opex[:0], capacity=inst.capacity[:0],
                   max_count=none, min_count=none, site_unit=none,
                   site_children=inst.site_children[:0], rows=none, cols=none,
                   minutes=np.zeros(0))
    for rules in ({}, {"max_new": 2}):
        s = scenario_for("max_coverage", capacitated=False, family_care=False, **rules)
        plan, info, _, _ = solve_instance(inst, s)
        assert info.status == "optimal" and info.gap == 0.0
        assert plan.counts.size == 0 and float((plan.share * inst.weights).sum()) == 0.0


@pytest.mark.parametrize("objective,budget", [
    ("max_coverage", None), ("min_travel", None), ("max_coverage", 5e9)])
def test_solves_with_other_thread_counts_in_one_process(objective: str,
                                                        budget: float | None) -> None:
    """HiGHS sizes one global thread scheduler at the first run of a process; a later run
    asking for another thread count failed inside HiGHS. Before, in one Python session, the
    pure MCLP with 2 threads after 1 returned its heuristic plan (36,500 children for
    36,847) as `feasible` with no gap, the p-median `feasible`, and the PuLP model
    (budgeted) no plan at all (`time_limit`). Each thread count must reach the optimum."""
    inst = clustered_instance(4, 300, 200)
    values = []
    for threads in (1, 2, None, 1):
        s = scenario(objective, max_new=5, budget=budget)
        s.solver.threads = threads
        plan, info, _, _ = solve_instance(inst, s)
        assert info.status == "optimal", (threads, info)
        values.append(travel_of(inst, plan) if objective == "min_travel"
                      else float((plan.share * inst.weights).sum()))
    assert all(close(v, values[0]) for v in values), values


def test_no_plan_in_the_time_is_not_blamed_on_the_limits(tmp_path, capsys) -> None:
    """The national default with a time limit too short for any plan (1e-300 s): exit 4,
    and the report says no plan was found instead of explaining the missing conversions by
    "the scenario's limits hold them back although they would pay" (what it said before,
    the conversions being absent only because there was no plan at all)."""
    from planning.__main__ import main

    (tmp_path / "s.json").write_text("{}")
    code = main(["solve", str(tmp_path / "s.json"), "--out", str(tmp_path / "out"),
                 "--time-limit", "1e-300"])
    out = capsys.readouterr().out
    assert code == 4
    assert "Status: time_limit" in out
    assert "No plan was found (solver status time_limit)" in out
    assert "limits hold them back" not in out


@pytest.mark.parametrize("capacity", [np.nan, -1.0])
def test_hand_built_instance_refuses_a_capacity_that_is_not_one(capacity: float) -> None:
    """A hand-built `Instance` (the Python API, tests, benchmarks) with a NaN capacity was
    taken as unlimited (no capacity row, Gale's rows and the max flow counting it as every
    child): a plan with far more coverage than any capacitated one. Now a one-line error
    naming the site and the field, before any model is built."""
    inst = random_instance(3, m=5, n=12, capacitated=True)
    capacities = inst.capacity.copy()
    capacities[2] = capacity
    with pytest.raises(ValueError) as err:
        replace(inst, capacity=capacities)
    message = str(err.value)
    assert "\n" not in message and "s2" in message and "capacity" in message, message
    assert replace(inst, capacity=np.where(np.arange(5) == 2, np.inf, inst.capacity)).m == 5


def test_a_capacity_no_plan_can_fill_is_unlimited() -> None:
    """A capacity of 1e16 children (a scenario's 6 workers x 2e15 children per worker, or a
    hand-built instance) made HiGHS refuse the model (coefficients above 1e15): the plain
    and the relaxation path both answered "time_limit" with no plan after 6 ms. A centre
    that could serve more children than there are cannot bind: the plan is the one with
    that capacity unlimited."""
    inst = random_instance(5, m=7, n=22, capacitated=True)
    s = scenario_for("max_coverage", capacitated=True, budget_total=0.35 * whole_life(inst))
    capacities = inst.capacity.copy()
    capacities[::3] = 1e16
    huge = replace(inst, capacity=capacities)
    unlimited = replace(inst, capacity=np.where(capacities >= 1e16, np.inf, capacities))
    plan, info, _, _ = solve_instance(huge, s)
    assert info.status == "optimal", info
    check(unlimited, s)  # brute force: the same instance, unlimited where huge
    best, _, _, _ = solve_instance(unlimited, s)
    assert np.isclose((plan.share * inst.weights).sum(), (best.share * inst.weights).sum())


@pytest.mark.parametrize("per_worker", [1000, 10**7, 10**15])
def test_staff_capacity_does_not_overflow(per_worker: int) -> None:
    """Existing centres without a capacity get staff x children per worker. The staff column
    is int32: 10**15 children per worker (a valid scenario) raised OverflowError from
    pandas, and 300 staff x 10**7 wrapped silently to a negative capacity
    (-1,294,967,296). A capacity above all the region's children is unlimited (it cannot
    bind). Bundled KZ centres with their capacity blanked, one with 300 staff."""
    from planning.instance import build_instance
    from planning.scenario import Scenario
    from planning.solve import _load

    s = Scenario()
    s.region.units = ["KZ-61"]
    s.capacity.children_per_worker = per_worker
    s.validate()
    layers = _load(s, None)
    centres = layers.centres.copy()
    centres["capacity"] = pd.array([pd.NA] * len(centres), dtype="Int32")
    inside = np.flatnonzero(centres["unit_code"].to_numpy() == "KZ-61")
    centres.loc[centres.index[inside[0]], "staff"] = 300
    inst = build_instance(replace(layers, centres=centres), s)
    existing = inst.site_kind == "existing"
    staff = pd.to_numeric(centres["staff"].iloc[inside], errors="coerce").to_numpy(float)
    expected = np.where(np.isnan(staff), float(s.capacity.children), staff * per_worker)
    expected[expected > inst.weights.sum()] = np.inf  # more than all children: unlimited
    assert existing.sum() == inside.size
    assert list(inst.capacity[existing]) == list(expected)
