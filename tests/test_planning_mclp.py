"""The pure-MCLP fast path (`planning/mclp.py`) against independent optima.

On clustered instances of 100-500 candidate sites (kept centres, must-open sites, site
costs, several seeds) the product's plan (`solve_instance`, which takes the fast path) must
cover exactly as many children as the textbook covering model written in
tests/test_planning_fastpaths.py (z_i <= sum of y_j, no groups, no dominance) solved by
`scipy.optimize.milp`, and cost exactly as little as that model's cheapest plan among the
best-covering ones (the tie-break). Each test checks the step it is about acted: sites
fixed by reduced costs, the integer programme run, the LP bound met by the incumbent.
The fixing's claim is checked one site at a time: a site it closes, forced open, cannot
reach the incumbent's coverage. On real data (two oblasts) the fast path's plan equals the
PuLP model's.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from test_planning_bruteforce import close, evaluate, every_plan, random_instance, scenario_for
from test_planning_fastpaths import Classic, clustered_instance, scenario

from geo.layers import load_layers
from planning import highs_direct, mclp
from planning.deadline import Deadline
from planning.instance import Instance, build_instance
from planning.model import build_model, net_opex
from planning.optimize import read_plan, solve_built
from planning.scenario import Scenario
from planning.solve import model_options, solve_instance

H = 5  # horizon years of `scenario`


def whole_life(inst: Instance, counts: np.ndarray) -> float:
    return float(counts @ (inst.capex + H * inst.opex))


def reference(inst: Instance, s: Scenario) -> tuple[float, float]:
    """(most children coverable, least whole-life cost of a plan covering that many) by
    the classic model, lexicographically: the cost is minimised with coverage held."""
    classic = Classic(inst, s, travel=False)
    best = classic.coverage_optimum()
    idx, val = classic.cover_row(range(inst.n))
    row = sparse.csr_matrix((val, (np.zeros(idx.size, int), idx)), shape=(1, classic.nv))
    cost = np.r_[inst.capex + H * inst.opex, np.zeros(classic.k)]
    return best, classic.solve(cost, [(row, best - 1e-6, np.inf)])[0]


@pytest.fixture
def outcomes(monkeypatch) -> list:
    """Records what each fast-path solve found (and that the product called it)."""
    seen: list = []
    original = mclp.solve

    def spy(inst, opt, cfg):
        out = original(inst, opt, cfg)
        seen.append(out[2])
        return out

    monkeypatch.setattr(mclp, "solve", spy)
    return seen


CASES = [  # seed, settlements, sites, p, kept centres, must-open, standard (minutes)
    (1, 300, 150, 4, 0, 0, 12.0),
    (2, 400, 250, 8, 3, 1, 10.0),
    (3, 250, 120, 6, 0, 2, 14.0),
    (4, 500, 400, 12, 5, 0, 8.0),
    (5, 350, 500, 5, 2, 1, 9.0),
]


def family_like(seed: int, n: int, m: int, p: int) -> Instance:
    """Like the benchmark family's clustered, uniform-weight, planar cases (bench/family.py),
    where the LP bound is not reached by the incumbent and the integer programme has work:
    towns of varied spread, 10% scattered, children 1-500, the radius at which p discs
    would cover half the square."""
    rng = np.random.default_rng(seed)
    towns, spread = rng.uniform(10, 90, (8, 2)), rng.uniform(2, 8, 8)

    def pts(k: int) -> np.ndarray:
        t = rng.integers(0, 8, k)
        at = towns[t] + rng.normal(0, 1, (k, 2)) * spread[t, None]
        scatter = rng.uniform(0, 1, k) < 0.1
        at[scatter] = rng.uniform(0, 100, (int(scatter.sum()), 2))
        return np.clip(at, 0, 100)

    dp, sp = pts(n), pts(m)
    dist = np.hypot(dp[:, None, 0] - sp[None, :, 0], dp[:, None, 1] - sp[None, :, 1])
    radius = float(np.sqrt(0.5 * 100 ** 2 / (np.pi * p)))
    rows, cols = np.nonzero(dist <= radius)
    return Instance(
        demand_ids=np.array([f"d{i}" for i in range(n)]),
        weights=rng.integers(1, 501, n).astype(float), demand_unit=np.zeros(n, dtype=int),
        units=["U"], site_ids=np.array([f"s{j}" for j in range(m)]),
        site_kind=np.full(m, "new"), capex=np.zeros(m), opex=np.zeros(m),
        capacity=np.full(m, np.inf), max_count=np.ones(m, dtype=int),
        min_count=np.zeros(m, dtype=int), site_unit=np.zeros(m, dtype=int),
        site_children=np.zeros(m), rows=rows, cols=cols, minutes=dist[rows, cols],
        standard=radius, cutoff=radius, family_spare=np.zeros(1))


def greedy_only(cover: mclp.Cover, end: Deadline, first=None) -> np.ndarray:
    """A weaker incumbent (the greedy, no swaps): the fixing then compares with a plan below
    the optimum, and the integer programme must find what the swaps would have."""
    movable = (cover.lower == 0) & (cover.upper >= 1)
    start = cover.lower.copy() if first is None else np.maximum(cover.lower, first)
    return mclp._greedy(cover, cover.a.T.tocsr(), start, movable, 1e-9, end)


@pytest.mark.parametrize("start", ["swaps", "greedy"])
@pytest.mark.parametrize("seed,p", [(4, 12), (7, 8), (8, 8), (4, 10)])
def test_family_like_equals_classic(outcomes, monkeypatch, seed, p, start) -> None:
    """350 x 500 family-like instances where the integer programme runs after the fixing;
    with the product's incumbent and with a weaker one, the optimum is the classic one."""
    if start == "greedy":
        monkeypatch.setattr(mclp, "incumbent", greedy_only)
    inst = family_like(seed, 350, 500, p)
    s = scenario("max_coverage", max_new=p)
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal" and len(outcomes) == 1
    assert "mip" in outcomes[0].steps  # the integer programme had work left
    assert outcomes[0].fixed > 0 or start == "greedy"  # the weak start fixes nothing
    covered = float((plan.share * inst.weights).sum())
    best = Classic(inst, s, travel=False).coverage_optimum()
    assert covered == pytest.approx(best, rel=1e-9), (covered, best)
    assert int(plan.counts.sum()) <= p


@pytest.mark.parametrize("seed,n,m,p,existing,must,standard", CASES)
def test_fast_path_equals_classic(outcomes, seed, n, m, p, existing, must, standard) -> None:
    inst = clustered_instance(seed, n, m, existing=existing, must=must, standard=standard)
    s = scenario("max_coverage", max_new=p)
    assert mclp.applies(inst, model_options(s), s.solver)
    plan, info, _, _ = solve_instance(inst, s)
    assert len(outcomes) == 1, "the product did not take the fast path"
    assert info.status == "optimal" and info.gap is not None and info.gap <= 1e-9
    covered = float((plan.share * inst.weights).sum())
    best, cheapest = reference(inst, s)
    assert covered == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert whole_life(inst, plan.counts) == pytest.approx(cheapest, rel=1e-8)  # milp: 1e-9
    assert covered < inst.weights.sum()  # the limit binds: a real comparison
    assert (plan.counts >= inst.min_count).all()
    assert int(plan.counts[inst.site_kind != "existing"].sum()) <= p
    assert outcomes[0].value == pytest.approx(covered, abs=0.5)  # the tie-break < half a child


def test_the_steps_act_across_the_cases(outcomes) -> None:
    """Over the cases, reduced costs fix sites and the integer programme has work left on
    some (else the tests above would not exercise the fixing and the MIP)."""
    for seed, n, m, p, existing, must, standard in CASES:
        inst = clustered_instance(seed, n, m, existing=existing, must=must, standard=standard)
        solve_instance(inst, scenario("max_coverage", max_new=p))
    assert sum(o.fixed > 0 for o in outcomes) >= 3
    assert any("mip" in o.steps for o in outcomes)
    assert any(o.fixed > 0 and "mip" in o.steps for o in outcomes)


@pytest.mark.parametrize("seed", [2, 5])
def test_every_site_fixed_closed_cannot_reach_the_incumbent(seed) -> None:
    """The fixing's claim, site by site: forced open, a closed site's best plan covers fewer
    children than the incumbent the fixing compared it with (classic model, milp)."""
    n, m, p, existing, must, standard = next(c[1:] for c in CASES if c[0] == seed)
    inst = clustered_instance(seed, n, m, existing=existing, must=must, standard=standard)
    s = scenario("max_coverage", max_new=p)
    opt = model_options(s)
    cover = mclp.Cover.of(inst, opt)
    plan = mclp.incumbent(cover, Deadline.after(30))
    best = cover.value(plan)
    lp = highs_direct.solve(cover.model(cover.lower, cover.upper, integer=False),
                            time_limit=30, mip_gap=0.0, options=mclp.LP_OPTIONS)
    _, upper = mclp.fix(cover, lp, best)
    closed = cover.sites[(upper == 0) & (cover.upper > 0)]
    assert closed.size > 0, "nothing fixed: nothing checked"
    classic = Classic(inst, s, travel=False)
    weights = np.r_[np.zeros(inst.m), -inst.weights]
    rng = np.random.default_rng(seed)
    for j in rng.choice(closed, size=min(8, closed.size), replace=False):
        classic.lo[j] = 1.0
        forced = -classic.solve(weights)[0]
        classic.lo[j] = float(inst.min_count[j])
        assert forced < best - 1e-6, (j, forced, best)


def test_no_time_reports_a_valid_plan_without_a_claim() -> None:
    """With no time, the fixed sites' plan or better comes back as `feasible`, never as
    `optimal` without a bound."""
    inst = clustered_instance(4, 500, 400, existing=5, standard=8.0)
    s = scenario("max_coverage", max_new=12)
    s.solver.time_limit_seconds = 0.0
    counts, info, _ = mclp.solve(inst, model_options(s), s.solver)
    assert info.status == "feasible" and info.gap is None
    assert (counts >= inst.min_count).all()
    assert int(counts[inst.site_kind != "existing"].sum()) <= 12


def test_too_many_must_open_is_infeasible() -> None:
    inst = clustered_instance(3, 100, 60, must=4)
    s = scenario("max_coverage", max_new=3)
    counts, info, _ = mclp.solve(inst, model_options(s), s.solver)
    assert info.status == "infeasible" and not counts.any()


@pytest.mark.parametrize("max_new", [None, 5, 30])
def test_real_oblasts_equal_the_pulp_model(max_new) -> None:
    """North Kazakhstan + Ulytau, uncapacitated, no budget: the fast path's plan covers as
    many children at the same cost as the PuLP model's (`build_model` + `solve_built`)."""
    layers = load_layers("KZ")
    s = Scenario.default("KZ")
    s.region.units = ["KZ-59", "KZ-62"]
    s.capacity.enabled = False
    s.budget.total_kzt = None
    s.candidates.max_new = max_new
    s.family_care.enabled = False
    s.solver.mip_gap = 0.0
    inst = build_instance(layers, s)
    opt = model_options(s)
    assert mclp.applies(inst, opt, s.solver)
    plan, info, _, _ = solve_instance(inst, s)
    built = build_model(inst, opt)
    ref = solve_built(built, s.solver)
    assert info.status == ref.status == "optimal"
    theirs = read_plan(inst, built)
    assert float((plan.share * inst.weights).sum()) == pytest.approx(
        float((theirs.share * inst.weights).sum()), abs=1e-6)
    cost = inst.capex + s.budget.horizon_years * net_opex(inst, opt.released_kzt_per_child)
    assert float(cost @ plan.counts) == pytest.approx(float(cost @ theirs.counts), rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_pure_mclp_against_brute_force(outcomes, seed) -> None:
    """Every plan of 8 sites scored by the brute-force evaluator: a kept centre, two
    conversions (whose released running costs can make them pay: a negative cost the
    tie-break opens), a site that may host two centres, a must-open site and a new-centre
    limit. The fast path's plan covers the most children and, among such plans, costs the
    least (net whole-life cost, the tie-break's)."""
    inst = random_instance(seed + 1400, m=8, n=25, existing=1, convert=2, multi=1,
                           standard=22.0)
    inst.min_count[-1] = 1  # must-open
    s = scenario_for("max_coverage", capacitated=False, max_new=3, family_care=False)
    plans = every_plan(inst, s, False, "max_coverage")
    best = max(p.covered for p in plans if p.covered is not None)
    cheapest = min(p.net for p in plans if p.covered is not None and close(p.covered, best))
    plan, info, _, _ = solve_instance(inst, s)
    assert len(outcomes) == 1 and info.status == "optimal"
    mine = evaluate(inst, plan.counts, s, False, "max_coverage")
    assert mine is not None and mine.covered is not None, plan.counts
    assert close(mine.covered, best), (mine, best)
    assert close(mine.net, cheapest), (mine, cheapest)
    assert best < inst.weights.sum()  # the limit and the standard bind


def test_does_not_apply_beyond_pure_mclp() -> None:
    inst = clustered_instance(1, 80, 40)
    for change in ("budget", "equity", "capacity", "cbc", "objective"):
        s = scenario("max_coverage", max_new=4)
        if change == "budget":
            s.budget.total_kzt = 1e9
        elif change == "equity":
            s.equity.min_unit_coverage = 0.2
        elif change == "capacity":
            s.capacity.enabled = True
        elif change == "cbc":
            s.solver.name = "cbc"
        else:
            s.objective = "min_cost"
        assert not mclp.applies(inst, model_options(s), s.solver), change
