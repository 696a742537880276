"""Capacitated maximal covering through its relaxation (`planning.capacitated`) is exact.

Two independent checks, on instances where the path's steps act (capacities binding, so the
relaxation's bound is above the capacitated optimum, so capacity rows, the window search and
the proof are needed):

- brute force (`test_planning_bruteforce.check`: every subset of sites, the capacitated
  assignment of each by `scipy.optimize.linprog`) with the path forced on small instances,
  every rule in force: budgets, kept, converted, must-open and two-centre sites, the
  new-centre limit, the equity rule, family places; an infeasible budget explained;
- the same model without the speed-ups (the plain capacitated model, HiGHS at zero gap) on
  120-300 settlements x 40-80 sites, several seeds: equal optima, the relaxation's bound never
  below the optimum, and the plan's coverage equal to the linprog assignment of its centres.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from test_planning_bruteforce import (
    _lp,
    check,
    evaluate,
    every_rule_case,
    random_instance,
    scenario_for,
    whole_life,
)
from test_planning_bruteforce import (
    test_budget_below_cheapest_plan_says_what_it_costs as budget_case,  # not collected twice
)

from planning import capacitated, capflow, relaxed_search
from planning.model import build_model
from planning.optimize import solve_built
from planning.scenario import Scenario, Solver
from planning.solve import model_options

SEEDS = [1, 2, 3, 4]


@pytest.fixture
def forced(monkeypatch):
    """Every capacitated coverage model goes through the relaxation, however small."""
    monkeypatch.setattr(capacitated, "RELAXATION_PAIRS", -1)


@pytest.mark.parametrize("seed", SEEDS)
def test_brute_force_budgeted(forced, seed: int) -> None:
    inst = random_instance(seed, m=7, capacitated=True)
    s = scenario_for("max_coverage", capacitated=True, budget_total=0.35 * whole_life(inst))
    assert capacitated.applies(inst, model_options(s), s.solver)
    check(inst, s)


@pytest.mark.parametrize("seed", SEEDS)
def test_brute_force_every_rule(forced, seed: int) -> None:
    """Kept centres, conversions with family places, a must-open site, a two-centre site,
    total/capital/annual budgets, a new-centre limit and an equity rule, all binding where
    some plan meets them."""
    check(*every_rule_case(seed, True))


@pytest.mark.parametrize("seed", SEEDS)
def test_brute_force_full_equity(forced, seed: int) -> None:
    inst = random_instance(seed + 700, m=7, n=20, capacitated=True, standard=60.0,
                           cutoff=60.0)
    inst.capacity = inst.capacity * 3
    check(inst, scenario_for("max_coverage", capacitated=True, equity=1.0))


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("credit", [False, True])
def test_infeasible_budget_is_explained(forced, seed: int, credit: bool) -> None:
    """The relaxation is infeasible whenever the capacitated model is: the explanation
    quotes the brute-force cheapest plan (the brute-force test's own assertions)."""
    budget_case(seed, "max_coverage", True, credit)


def clustered(seed: int, n: int, m: int):
    """Settlements in a few towns with lognormal children, sites scattered; capacities so
    tight that big towns need two centres and some children stay uncovered."""
    inst = random_instance(seed, m=m, n=n, capacitated=True, existing=2, convert=3,
                           multi=4, units=3, standard=25.0, cutoff=25.0)
    rng = np.random.default_rng(seed)
    inst.weights = np.round(rng.lognormal(5.0, 1.2, n))
    inst.capacity = np.round(np.full(m, 2.5 * inst.weights.sum() / m))
    inst.min_count[-1] = 1
    return inst


CASES = [(1, 120, 40, 0.3, 0.0), (2, 200, 60, 0.25, 0.2), (3, 300, 80, 0.2, 0.0),
         (4, 160, 50, 0.35, 0.3)]


def case(seed: int, n: int, m: int, share: float, equity: float):
    """One of CASES: (instance, scenario, options) with a budget of `share` of every site's
    whole-life cost and a new-centre limit of a quarter of the sites."""
    inst = clustered(seed, n, m)
    s = scenario_for("max_coverage", capacitated=True, budget_total=share * whole_life(inst),
                     max_new=m // 4, equity=equity)
    return inst, s, model_options(s)


def plain_optimum(inst, opt, cfg: Solver) -> float:
    """The plain capacitated model's proven optimum (the reference of the fast path)."""
    plain = build_model(inst, opt)
    assert solve_built(plain, cfg).status == "optimal"
    return float(plain.prob.objective.value())


@pytest.mark.parametrize("seed,n,m,share,equity", CASES)
def test_equals_the_plain_model(seed: int, n: int, m: int, share: float,
                                equity: float) -> None:
    """Same optimum as the plain capacitated model; the relaxation's bound is an upper bound;
    the plan's coverage is the linprog assignment of its centres."""
    inst, s, opt = case(seed, n, m, share, equity)
    cfg = Solver(time_limit_seconds=120, mip_gap=0.0)
    best = plain_optimum(inst, opt, cfg)
    built, info, outcome = capacitated.solve(inst, opt, cfg)
    assert info.status == "optimal", info
    value = float(built.prob.objective.value())
    assert abs(value - best) <= 1e-6 * max(1.0, abs(best)), (value, best)
    assert outcome.upper >= best - 1e-6 * abs(best), "the relaxation's bound cut the optimum"
    counts = built.counts()
    covered = sum(float(inst.weights[i]) * e.value() for i, e in built.cover.items())
    assert abs(covered - _lp(inst, counts, "cover", equity, cutoff_pairs=False)) <= 1e-6 * covered
    assert evaluate(inst, counts, s, True, "max_coverage") is not None


@pytest.mark.parametrize("threads", [1, 3])
def test_any_thread_count_keeps_the_answer(monkeypatch, threads: int) -> None:
    """One thread (the window search and the proof alone) or more (window searches sharing
    one board, the proof at the gap asked beside looser ones, HiGHS's scheduler sized for
    the solver's thread count): the plan within the gap of the plain model's optimum, the
    bound above it, every rule kept. The quick proof is skipped so that the window search
    and the proofs run."""
    monkeypatch.setattr(capacitated, "QUICK_SHARE", 0.0)
    inst, s, opt = case(*CASES[0])
    best = plain_optimum(inst, opt, Solver(time_limit_seconds=120, mip_gap=0.0))
    built, info, outcome = capacitated.solve(inst, opt, Solver(time_limit_seconds=120,
                                                               mip_gap=0.0, threads=threads))
    assert "windows" in outcome.steps and "proof" in outcome.steps, outcome.steps
    value = float(built.prob.objective.value())
    assert info.status == "optimal", info
    assert abs(value - best) <= 1e-6 * max(1.0, abs(best)), (value, best)
    assert outcome.upper >= best - 1e-6 * abs(best), (outcome.upper, best)
    assert evaluate(inst, built.counts(), s, True, "max_coverage") is not None


def test_looser_proofs_bound_what_the_asked_one_cannot(monkeypatch) -> None:
    """When the proof at the gap asked cannot finish, the other threads' looser proofs
    still bound the optimum: below the linear programme's bound, never below the plain
    model's optimum."""
    inst, _, opt = case(*CASES[0])
    cfg = Solver(time_limit_seconds=120, mip_gap=0.0)
    best = plain_optimum(inst, opt, cfg)
    start = capacitated.incumbent(inst, opt)
    scorer = capacitated._Scorer.of(build_model(inst, opt), cfg)
    search = capacitated.relaxation(inst, opt, start, cfg)
    team = capacitated._Team.of(search, capacitated.relaxation(inst, opt, start, cfg), scorer, 2)
    board = relaxed_search.Board(start, scorer.score(start))
    upper, asked = search.lp_bound(), 1e-9
    real = relaxed_search.Relaxed.prove

    def unfinished(self, lower, score, deadline, gap, board, stop=None):
        return np.inf if gap == asked else real(self, lower, score, deadline, gap, board, stop)

    monkeypatch.setattr(relaxed_search.Relaxed, "prove", unfinished)
    bound = team.prove(board, time.perf_counter() + 60.0, asked, upper)
    assert best - 1e-6 * abs(best) <= bound < upper, (best, bound, upper)  # upper: the ladder
    #   did nothing


def test_the_speed_ups_act() -> None:
    """On these cases capacities bind: the relaxation's linear programme does not settle the
    plan, so the proof by cut-off runs on every case, and on some the relaxation's answers
    break capacity rows, which are added, and the window search runs (a test that cannot
    fail otherwise would compare nothing of them)."""
    proofs = rows = 0
    for seed, n, m, share, equity in CASES:
        inst, _, opt = case(seed, n, m, share, equity)
        _, _, outcome = capacitated.solve(inst, opt, Solver(time_limit_seconds=120, mip_gap=0.0))
        proofs += "quick proof" in outcome.steps
        rows += outcome.steps["cuts"] > 0 and "windows" in outcome.steps
    assert proofs == len(CASES) and rows >= 1, (proofs, rows)


@pytest.mark.parametrize("seed", [5, 6])
def test_incumbent_fits_every_rule(seed: int) -> None:
    """The greedy + swap plan meets the budgets (families priced in) and the new-centre limit,
    and its centres are within their bounds."""
    inst = clustered(seed, 150, 50)
    s = scenario_for("max_coverage", capacitated=True, budget_total=0.3 * whole_life(inst),
                     budget_capex=0.3 * inst.capex.sum(), max_new=10)
    opt = model_options(s)
    counts = capacitated.incumbent(inst, opt)
    assert evaluate(inst, counts, s, True, "max_coverage") is not None  # independent prices
    assert counts.sum() > inst.min_count.sum()
    assert (counts >= inst.min_count).all() and (counts <= np.maximum(inst.max_count, 1)).all()


@pytest.mark.parametrize("seed,n,m,share,equity", [CASES[0], CASES[3]])
def test_proof_out_of_time_keeps_an_honest_bound(monkeypatch, seed: int, n: int, m: int,
                                                 share: float, equity: float) -> None:
    """The proof given next to no time stops with HiGHS's bound, which stays above the true
    optimum; the plan is never better than the optimum, and "optimal" only when it is it."""
    real = relaxed_search.Relaxed._search

    def starved(self, cutoff, limit, stop=None):
        return real(self, cutoff, 1e-3, stop)

    inst, _, opt = case(seed, n, m, share, equity)
    cfg = Solver(time_limit_seconds=120, mip_gap=0.0)
    best = plain_optimum(inst, opt, cfg)
    monkeypatch.setattr(relaxed_search.Relaxed, "_search", starved)
    monkeypatch.setattr(relaxed_search, "WINDOW_SECONDS", 1e-3)
    built, info, outcome = capacitated.solve(inst, opt, cfg)
    assert "proof" in outcome.steps, "the proof was not reached"
    assert outcome.upper >= best - 1e-6 * abs(best), (outcome.upper, best)
    value = float(built.prob.objective.value())
    assert value <= best + 1e-6 * abs(best)
    if info.status == "optimal":
        assert abs(value - best) <= 1e-6 * max(1.0, abs(best)), (value, best)


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
def test_flow_value_is_the_lp_assignment(seed: int) -> None:
    """The max-flow evaluator covers as many children as scipy's linprog assignment of the
    same centres (capacities binding, two-centre sites included), on random plans."""
    inst = clustered(seed, 120, 40)
    flow = capflow.Flow(inst)
    rng = np.random.default_rng(seed)
    for _ in range(8):
        counts = rng.integers(0, 2, inst.m) * rng.integers(1, 3, inst.m)
        counts = np.minimum(np.maximum(counts, inst.min_count),
                            np.maximum(inst.max_count, inst.min_count))
        expected = _lp(inst, counts, "cover", 0.0, cutoff_pairs=False)
        value, left, served = flow.detail(counts)
        assert abs(flow.value(counts) - expected) <= 1e-4 * max(1.0, expected), (value, expected)
        assert abs(value - expected) <= 1e-4 * max(1.0, expected)
        assert abs(float(served.sum()) + float(left.sum()) - inst.weights.sum()) \
            <= 1e-4 * inst.weights.sum()


@pytest.mark.parametrize("seed", [1, 4, 8])
@pytest.mark.parametrize("credit", [False, True])
def test_flow_swaps_improve_within_the_rules(seed: int, credit: bool) -> None:
    """From the capacity-blind incumbent the max-flow swaps cover more children (capacities
    bind in these cases), by the independent linprog assignment, and every plan still meets
    the budgets (released-cost credit on and off) and the new-centre limit."""
    inst = clustered(seed, 200, 60)
    s = scenario_for("max_coverage", capacitated=True, budget_total=0.3 * whole_life(inst),
                     max_new=15, credit=credit)
    opt = model_options(s)
    start = capacitated.incumbent(inst, opt)
    moved = capflow.swaps(inst, capflow.Flow(inst), start,
                          lambda c: capacitated.fits(inst, opt, c), float("inf"))
    before = _lp(inst, start, "cover", 0.0, cutoff_pairs=False)
    after = _lp(inst, moved, "cover", 0.0, cutoff_pairs=False)
    assert after > before + 1.0, (before, after)
    assert evaluate(inst, moved, s, True, "max_coverage") is not None



def test_a_short_limit_leaves_the_greedy_its_floor(monkeypatch) -> None:
    """However short the limit, the greedy plan gets START_FLOOR seconds (a 5 % share of a
    2 s limit left the 2,000 x 500 benchmark case with no centre at all, 'feasible'), and
    the plan returned has its centres."""
    given: list[float] = []
    real = capacitated.incumbent

    def recorded(inst, opt, time_limit=10.0):
        given.append(time_limit)
        return real(inst, opt, time_limit)

    monkeypatch.setattr(capacitated, "incumbent", recorded)
    inst, _, opt = case(*CASES[0])
    built, info, _ = capacitated.solve(inst, opt, Solver(time_limit_seconds=1.0))
    assert given == [capacitated.START_FLOOR], given
    assert info.has_solution and built.counts().sum() > inst.min_count.sum()


def test_the_fill_serves_what_the_capacities_left() -> None:
    """The bundled national data, every settlement a candidate, a 240-minute standard: the
    existing centres reach most settlements but cannot serve all their children, so the
    greedy plan (settlements reached) served 5.10 M children of a 6.83 M optimum, and at a
    3 s limit the path returned it (33.9 % from proven). The fill adds centres where maximum
    flow leaves children unserved: its plan keeps every centre of the greedy plan and every
    rule (the brute-force evaluator's own prices), and serves within 1 % of the relaxation's
    linear-programme bound, the children served checked by an independent linprog."""
    from geo.layers import load_layers
    from planning.instance import build_instance

    s = Scenario()
    s.candidates.mode = "all_settlements"
    s.travel.standard_minutes = 240.0
    inst = build_instance(load_layers(s.country, s.boundary_version), s)
    opt = model_options(s)
    start = capacitated.incumbent(inst, opt)
    flow = capflow.Flow(inst)
    filled = capacitated.fill(inst, opt, flow, start, time.perf_counter() + 60.0)
    assert (filled >= start).all() and filled.sum() > start.sum()
    score = evaluate(inst, filled, s, True, "max_coverage")
    assert score is not None and score.covered is not None
    served = _lp(inst, filled, "cover", 0.0, False)
    assert abs(score.covered - served) <= 1e-6 * served
    bound = capacitated.relaxation(inst, opt, start, s.solver).lp_bound()
    assert served >= 0.99 * bound > 1.01 * _lp(inst, start, "cover", 0.0, False), (
        served, bound)
