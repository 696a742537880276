"""The pure p-median's radius model built straight into HiGHS and deepened in place
(`planning.radius_highs`), against the classic formulation and the PuLP radius model.

The instances start from one or two radius levels so that the deepening rounds act: each
round appends the new levels' columns and rows to the same HiGHS model, and the result
must equal the classic optimum (one x_ij per pair, `scipy.optimize.milp`) and a model built
afresh at the final levels.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_planning_fastpaths import Classic, close, clustered_instance, scenario

from planning import model as model_mod
from planning.model import ModelOptions, build_direct, build_model
from planning.optimize import solve_built
from planning.radius import Radius, levels
from planning.radius_highs import RadiusHighs
from planning.scenario import Solver

SOLVER = Solver(name="highs", time_limit_seconds=120, mip_gap=0.0)


@pytest.mark.parametrize("seed,n,m,p,existing,first", [
    (71, 150, 90, 4, 0, 1), (72, 120, 100, 7, 2, 2), (73, 180, 80, 12, 0, 1)])
def test_deepened_in_place_equals_classic(seed, n, m, p, existing, first,
                                          monkeypatch) -> None:
    inst = clustered_instance(seed, n, m, existing=existing, cutoff=70.0)
    opt = ModelOptions(objective="min_travel", max_new=p)
    built = build_direct(inst, opt, Radius.of(inst, first))
    highs, cols = built.direct.highs, built.direct.num_col
    rounds: list[int] = []
    extend = RadiusHighs.extend

    def spy(self):
        rounds.append(extend(self))
        return rounds[-1]

    monkeypatch.setattr(RadiusHighs, "extend", spy)
    info = solve_built(built, SOLVER)
    assert info.status == "optimal" and info.gap is not None and info.gap <= 1e-9
    assert rounds and all(k > 0 for k in rounds), "never deepened: nothing exercised"
    assert built.direct.highs is highs and built.direct.num_col == cols + sum(rounds)
    counts = built.counts()
    true = built.radius.cost(inst, counts)
    ref = Classic(inst, scenario("min_travel", max_new=p), travel=True).travel_optimum()
    assert close(true, ref), (true, ref)
    assert counts[inst.site_kind != "existing"].sum() <= p and (counts >= inst.min_count).all()
    # the PuLP radius model from the same first levels reaches the same optimum
    pulp_built = build_model(inst, opt, Radius.of(inst, first))
    assert solve_built(pulp_built, SOLVER).status == "optimal"
    assert close(pulp_built.radius.cost(inst, pulp_built.counts()), ref)


def test_extended_model_equals_a_fresh_one() -> None:
    """Levels appended round by round give the model a fresh build at the final levels
    gives: same columns, rows and costs up to order, and the same LP and MIP optimum."""
    inst = clustered_instance(74, 100, 60, cutoff=70.0)
    radius = Radius.of(inst, 1)
    grown = RadiusHighs(inst, radius, 5)
    rng = np.random.default_rng(0)
    for _ in range(3):
        deeper = np.minimum(radius.totals(), radius.kept + rng.integers(0, 4, inst.n))
        radius.kept = np.where(inst.weights > 0, deeper, 0)
        grown.extend()
    fresh = RadiusHighs(inst, Radius(radius.order, radius.start, radius.level,
                                     radius.kept.copy()), 5)
    assert grown.num_col == fresh.num_col and grown.num_row == fresh.num_row
    key = lambda d: sorted(zip(d.settlement.tolist(), d.level.tolist()))  # noqa: E731
    assert key(grown) == key(fresh)
    a = grown.solve(60, 0.0, None, None)
    b = fresh.solve(60, 0.0, None, None)
    assert a.status == b.status == "optimal"
    assert close(a.objective, b.objective, 1e-9)


def test_levels_match_the_definition() -> None:
    """Every u column's row and cost from `levels`, checked one by one against the sorted
    pairs of its settlement: the sites exactly at that distance, and the step to the next."""
    inst = clustered_instance(75, 60, 40, cutoff=50.0)
    radius = Radius.of(inst, 3)
    lv = levels(inst, radius, np.zeros(inst.n, dtype=int), np.full(inst.n, -1), 0)
    assert lv.size > 0
    for c in range(lv.size):
        i, k = int(lv.settlement[c]), int(lv.level[c])
        js = inst.cols[inst.rows == i]
        mins = inst.minutes[inst.rows == i]
        distinct = np.unique(mins)
        assert k < distinct.size  # the last level is the assignment row's
        at = set(js[mins == distinct[k - 1]].tolist())
        assert set(lv.sites[lv.start[c]:lv.start[c + 1]].tolist()) == at
        assert close(lv.cost[c], inst.weights[i] * (distinct[k] - distinct[k - 1]))
        if k == 1:
            assert lv.prev[c] == -1 and lv.rhs[c] == 1
        else:
            assert (lv.settlement[lv.prev[c]], lv.level[lv.prev[c]]) == (i, k - 1)
            assert lv.rhs[c] == 0


def test_the_product_takes_the_direct_path() -> None:
    """`planning.solve.build` hands a pure p-median with HiGHS to the direct model, and a
    budgeted one (or CBC) to PuLP."""
    from planning.solve import build

    inst = clustered_instance(76, 120, 150)
    pure = ModelOptions(objective="min_travel", max_new=4)
    assert build(inst, pure, SOLVER).direct is not None
    assert build(inst, pure, Solver(name="cbc", time_limit_seconds=60)).direct is None
    budgeted = ModelOptions(objective="min_travel", budget_total=5e8)
    assert build(inst, budgeted, SOLVER).direct is None
    assert model_mod.Built.dimensions(build(inst, pure, SOLVER))[0] > inst.m


def test_trace_brackets_the_optimum() -> None:
    """The log the benchmark reads its time to 1 % from: every (plan cost, bound) entry
    brackets the classic optimum, times never go back, and the last entry is the gap
    reported."""
    from planning.solve import build

    inst = clustered_instance(61, 150, 300)
    opt = ModelOptions(objective="min_travel", max_new=3)
    built = build(inst, opt, SOLVER)
    info = solve_built(built, SOLVER)
    ref = Classic(inst, scenario("min_travel", max_new=3), travel=True).travel_optimum()
    assert len(built.trace) >= 2
    times = [t for t, _, _ in built.trace]
    assert times == sorted(times)
    for _, upper, lower in built.trace:
        assert upper >= ref * (1 - 1e-9) and lower <= ref * (1 + 1e-9)
    _, upper, lower = built.trace[-1]
    assert info.gap is not None and close(info.gap, max(0.0, upper - lower) / upper, 1e-6)
