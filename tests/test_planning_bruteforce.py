"""The model's optimum equals brute force over every subset of sites, for every objective.

Small random instances (6-8 candidate sites, 15-30 settlements, seeded) are built directly as
`planning.instance.Instance`. An independent evaluator prices and scores every count vector
(every subset of sites; 0..max_count centres where a site may host several): costs, family
places to recruit, budgets, the new-centre limit, coverage, travel and per-unit shares. For
capacitated plans the assignment of a fixed set of sites is a linear programme, solved here
with `scipy.optimize.linprog` (not PuLP). The plan `planning.solve.solve_instance` returns
must be feasible for the evaluator and score the brute-force optimum.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import linprog

from planning.instance import Instance
from planning.scenario import Scenario
from planning.solve import InfeasibleScenario, solve_instance

H = 5                      # horizon years
CARER_MONTH = 294_900.0    # professional foster carer pay per month (75 MCI, 2025)
FAMILY = 4                 # children per professional foster family
CHILD_MONTH = 39_320.0     # family allowance per child per month (10 MCI, 2025)
INSTITUTION_YEAR = 7.5e6   # a children's home's running cost per child per year (FACTS.md)
TOL = 1e-6


# -- random instances ----------------------------------------------------------------------

def random_instance(seed: int, m: int = 7, n: int = 22, *, capacitated: bool = False,
                    existing: int = 0, convert: int = 0, multi: int = 0, units: int = 2,
                    standard: float = 30.0, cutoff: float = 45.0) -> Instance:
    """Sites and settlements scattered on a 100 x 100 minute square; minutes = distance.
    Children and capacities are whole numbers (children are people)."""
    rng = np.random.default_rng(seed)
    dp = rng.uniform(0, 100, (n, 2))
    sp = rng.uniform(0, 100, (m, 2))
    dist = np.hypot(dp[:, None, 0] - sp[None, :, 0], dp[:, None, 1] - sp[None, :, 1])
    rows, cols = np.nonzero(dist <= cutoff)          # row-major: sorted by settlement
    kind = np.array(["existing"] * existing + ["convert"] * convert
                    + ["new"] * (m - existing - convert))
    capex = np.where(kind == "existing", 0.0,
                     rng.integers(3, 10, m) * 10e6 * np.where(kind == "convert", 0.5, 1.0))
    opex = rng.integers(1, 4, m) * 8e6
    weights = rng.integers(20, 2000, n).astype(float)
    cap = (rng.integers(15, 50, m) * 100.0) if capacitated else np.full(m, np.inf)
    max_count = np.where(kind == "new", 1, 1)
    max_count[np.flatnonzero(kind == "new")[:multi]] = 2
    min_count = (kind == "existing").astype(int)
    return Instance(
        demand_ids=np.array([f"d{i}" for i in range(n)]), weights=weights,
        demand_unit=rng.integers(0, units, n), units=[f"U{u}" for u in range(units)],
        site_ids=np.array([f"s{j}" for j in range(m)]), site_kind=kind,
        capex=capex.astype(float), opex=opex.astype(float), capacity=cap,
        max_count=max_count, min_count=min_count, site_unit=rng.integers(0, units, m),
        site_children=np.where(kind == "convert", rng.integers(5, 40, m), 0).astype(float),
        rows=rows, cols=cols, minutes=dist[rows, cols], standard=standard, cutoff=cutoff,
        family_spare=rng.integers(0, 20, units).astype(float),
    )


def scenario_for(objective: str, *, capacitated: bool, budget_total: float | None = None,
                 budget_capex: float | None = None, budget_opex: float | None = None,
                 max_new: int | None = None, equity: float = 0.0, target: float = 1.0,
                 family_care: bool = True, credit: bool = True) -> Scenario:
    """The scenario settings the model reads (the instance itself is built by hand)."""
    s = Scenario(objective=objective, coverage_target=target)
    s.budget.total_kzt, s.budget.capex_kzt = budget_total, budget_capex
    s.budget.opex_kzt_per_year, s.budget.horizon_years = budget_opex, H
    s.candidates.max_new = max_new
    s.capacity.enabled = capacitated
    s.equity.min_unit_coverage = equity
    s.family_care.enabled = family_care
    s.family_care.professional_family_children = FAMILY
    s.family_care.carer_kzt_per_month = CARER_MONTH
    s.family_care.child_kzt_per_month = CHILD_MONTH
    s.family_care.institution_kzt_per_child_year = INSTITUTION_YEAR
    s.family_care.credit_released = credit
    s.solver.mip_gap = 0.0
    s.solver.time_limit_seconds = 30
    return s


# -- the independent evaluator ---------------------------------------------------------------

@dataclass
class Score:
    """One plan (centres per site) as the evaluator sees it; None scores = not achievable."""

    counts: tuple[int, ...]
    capex: float
    opex: float
    cost: float                # what the budgets count: running costs net of releases >= 0
    net: float                 # the state's net cost (min_cost, ties): may be negative
    covered: float | None      # most children covered (within the standard) under the rules
    travel: float | None       # least child-minutes with every child assigned
    min_share: float | None    # best worst-unit covered share


def recruits_needed(inst: Instance, counts: np.ndarray) -> int:
    """Professional families to recruit: per unit, children leaving converted institutions
    beyond the unit's spare family places, FAMILY children per family."""
    total = 0
    conv = inst.site_kind == "convert"
    for u in range(len(inst.units)):
        moved = float((counts * inst.site_children)[conv & (inst.site_unit == u)].sum())
        total += math.ceil(max(0.0, moved - inst.family_spare[u]) / FAMILY - 1e-9)
    return total


def unit_children(inst: Instance) -> dict[int, float]:
    return {u: float(inst.weights[inst.demand_unit == u].sum())
            for u in range(len(inst.units)) if inst.weights[inst.demand_unit == u].sum() > 0}


def _lp(inst: Instance, counts: np.ndarray, mode: str, floor: float, cutoff_pairs: bool):
    """Assignment LP for fixed centres. mode 'cover': max children covered; 'share': max the
    worst unit share t; 'travel': min child-minutes with every child assigned. `floor`: each
    unit's covered share (within the standard) must reach it. Returns the optimum or None."""
    within = inst.minutes <= inst.standard + 1e-9
    keep = (counts[inst.cols] > 0) & (within | cutoff_pairs)
    if not cutoff_pairs:
        keep &= within
    r, c, mins = inst.rows[keep], inst.cols[keep], inst.minutes[keep]
    cov = within[keep]
    k = r.size
    if k == 0:  # no open site in reach: nothing covered, nobody assigned
        if mode == "travel":
            return None if (inst.weights > 0).any() else 0.0
        return 0.0 if mode == "share" or floor <= 0 else None
    extra = 1 if mode == "share" else 0
    w = inst.weights
    obj = np.zeros(k + extra)
    if mode == "cover":
        obj[:k] = -w[r] * cov
    elif mode == "share":
        obj[k] = -1.0
    else:
        obj[:k] = w[r] * mins
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for i in range(inst.n):
        row = np.zeros(k + extra)
        row[:k] = r == i
        if mode == "travel":
            if inst.weights[i] > 0:
                if not row.any():
                    return None
                a_eq.append(row)
                b_eq.append(1.0)
        elif row.any():
            a_ub.append(row)
            b_ub.append(1.0)
    for j in np.flatnonzero(counts > 0):
        if np.isfinite(inst.capacity[j]) and (c == j).any():
            row = np.zeros(k + extra)
            row[:k] = (c == j) * w[r]
            a_ub.append(row)
            b_ub.append(inst.capacity[j] * counts[j])
    for u, wu in unit_children(inst).items():
        row = np.zeros(k + extra)
        row[:k] = -1.0 * (inst.demand_unit[r] == u) * w[r] * cov
        if mode == "share":
            row[k] = wu
            a_ub.append(row)
            b_ub.append(0.0)
        elif floor > 0:
            a_ub.append(row)
            b_ub.append(-(floor * wu - TOL))
    bounds = [(0, 1)] * k + [(0, 1)] * extra
    res = linprog(obj, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None,
                  A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=bounds,
                  method="highs")
    if res.status != 0:
        return None
    if mode == "share":
        return float(res.x[k])
    return -float(res.fun) if mode == "cover" else float(res.fun)


def _uncapacitated(inst: Instance, counts: np.ndarray, floor: float):
    """Nearest-open-site scores: covered children, child-minutes, worst unit share."""
    open_pair = counts[inst.cols] > 0
    best = np.full(inst.n, np.inf)
    np.minimum.at(best, inst.rows[open_pair], inst.minutes[open_pair])
    hit = best <= inst.standard + 1e-9
    w = inst.weights
    units = unit_children(inst)
    got = {u: float(w[hit & (inst.demand_unit == u)].sum()) for u in units}
    min_share = min((got[u] / wu for u, wu in units.items()), default=1.0)
    if any(got[u] < floor * wu - TOL for u, wu in units.items()):
        return None, None, min_share
    covered = float(w[hit].sum())
    travel = float((w * best)[w > 0].sum()) if np.isfinite(best[w > 0]).all() else None
    return covered, travel, min_share


def evaluate(inst: Instance, counts: np.ndarray, s: Scenario, capacitated: bool,
             objective: str) -> Score | None:
    """Score one count vector, or None when it breaks a money rule or the new-centre limit."""
    b = s.budget
    fc = s.family_care
    recruits = recruits_needed(inst, counts) if fc.enabled else 0
    capex = float(counts @ inst.capex)
    opex = float(counts @ inst.opex) + recruits * 12 * CARER_MONTH
    if fc.enabled and fc.credit_released:   # each child moved stops costing the institution
        moved = float((counts * inst.site_children)[inst.site_kind == "convert"].sum())
        opex -= moved * (INSTITUTION_YEAR - 12 * CHILD_MONTH)
    net = capex + H * opex
    opex = max(0.0, opex)    # released money offsets running costs; it pays no building
    cost = capex + H * opex
    if b.total_kzt is not None and cost > b.total_kzt * (1 + 1e-12):
        return None
    if b.capex_kzt is not None and capex > b.capex_kzt * (1 + 1e-12):
        return None
    if b.opex_kzt_per_year is not None and opex > b.opex_kzt_per_year * (1 + 1e-12):
        return None
    if s.candidates.max_new is not None and \
            counts[inst.site_kind != "existing"].sum() > s.candidates.max_new:
        return None
    floor = s.equity.min_unit_coverage
    if not capacitated:
        covered, travel, min_share = _uncapacitated(inst, counts, floor)
        if objective == "min_travel" and covered is None:
            travel = None
    elif objective == "min_travel":
        covered, min_share = None, None
        travel = _lp(inst, counts, "travel", floor, cutoff_pairs=True)
    elif objective == "max_min_coverage" and floor <= 0:   # its first stage: the share only
        travel, covered = None, None
        min_share = _lp(inst, counts, "share", 0.0, cutoff_pairs=False)
    else:
        travel, min_share = None, None
        covered = _lp(inst, counts, "cover", floor, cutoff_pairs=False)
    return Score(tuple(int(v) for v in counts), capex, opex, cost, net, covered, travel,
                 min_share)


def every_plan(inst: Instance, s: Scenario, capacitated: bool, objective: str) -> list[Score]:
    ranges = [range(int(lo), int(max(hi, lo)) + 1)
              for lo, hi in zip(inst.min_count, inst.max_count)]
    out = []
    for counts in itertools.product(*ranges):
        sc = evaluate(inst, np.array(counts), s, capacitated, objective)
        if sc is not None:
            out.append(sc)
    return out


def close(a: float, b: float, rel: float = TOL) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# -- the comparison ------------------------------------------------------------------------

def check(inst: Instance, s: Scenario) -> None:
    """Solve with the product's path and compare with brute force over every plan."""
    cap, objective = s.capacity.enabled, s.objective
    plans = every_plan(inst, s, cap, objective)
    total = float(inst.weights.sum())
    if objective == "max_min_coverage":
        # lexicographic: best worst-unit share, then most children, then cheapest
        shares = [p for p in plans if p.min_share is not None]
        t_star = max((p.min_share for p in shares), default=None)
        floor_s = scenario_like(s, equity=max(1e-12, (t_star or 0.0) - 1e-6))
        if t_star is not None:
            plans = [q for p in shares
                     if (q := evaluate(inst, np.array(p.counts), floor_s, cap, objective))
                     and q.covered is not None]
    key = {"max_coverage": "covered", "max_min_coverage": "covered", "min_travel": "travel",
           "min_cost": "net"}[objective]
    if objective == "min_cost":
        plans = [p for p in plans
                 if p.covered is not None and p.covered >= s.coverage_target * total - TOL]
    plans = [p for p in plans if getattr(p, key) is not None]
    # every case is built to be feasible, so each comparison compares a plan
    assert plans, "brute force finds no feasible plan: the case compares nothing"
    try:
        plan, info, _, extras = solve_instance(inst, s)
    except InfeasibleScenario as exc:
        raise AssertionError(f"model says infeasible ({exc}) but brute force found "
                             f"{plans[0]}") from None
    assert info.status == "optimal", info
    mine = evaluate(inst, plan.counts, floor_s if objective == "max_min_coverage" else s,
                    cap, objective)
    assert mine is not None, f"the model's plan {plan.counts} breaks a budget or limit rule"
    assert all(plan.counts >= inst.min_count), "a must-open or kept site is closed"
    assert all(plan.counts <= np.maximum(inst.max_count, inst.min_count))
    sign = -1 if key in ("covered",) else 1
    best = min(plans, key=lambda p: sign * getattr(p, key))
    value = getattr(mine, key)
    assert value is not None, f"the model's plan {plan.counts} breaks a rule (equity/assign)"
    assert close(value, getattr(best, key)), \
        f"{objective}: model {value} at {plan.counts}, brute force {getattr(best, key)} " \
        f"at {best.counts}"
    if objective == "max_min_coverage":
        assert close(extras["min_unit_share"], t_star)
    if key == "covered":
        # the plan's own reading (shares from the solution) says the same coverage
        assert close(float((plan.share * inst.weights).sum()), value)
        # ties on coverage go to the cheapest plan
        cheapest = min(p.net for p in plans if close(p.covered, best.covered))
        assert close(mine.net, cheapest, 1e-9), (mine.net, cheapest)
    got = float((plan.share * inst.weights).sum())
    if not cap:      # nearest open site: the plan's coverage is the evaluator's
        assert close(got, _uncapacitated(inst, plan.counts, 0.0)[0])
    elif objective == "min_cost":
        assert s.coverage_target * total - TOL <= got <= mine.covered + TOL
    if s.family_care.enabled:
        assert sum(plan.recruits.values()) == recruits_needed(inst, plan.counts), \
            "recruited professional families differ from the number needed"


def scenario_like(s: Scenario, **changes) -> Scenario:
    t = Scenario.from_dict(s.to_dict())
    if "equity" in changes:
        t.equity.min_unit_coverage = changes["equity"]
    return t


def whole_life(inst: Instance) -> float:
    return float((inst.capex + H * inst.opex).sum())


# -- the cases -------------------------------------------------------------------------------

SEEDS = [1, 2, 3, 4]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("capacitated", [False, True])
def test_max_coverage_budgeted(seed: int, capacitated: bool) -> None:
    inst = random_instance(seed, m=8 if not capacitated else 7, capacitated=capacitated)
    check(inst, scenario_for("max_coverage", capacitated=capacitated,
                             budget_total=0.35 * whole_life(inst)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("capacitated", [False, True])
def test_max_coverage_with_every_rule(seed: int, capacitated: bool) -> None:
    """Existing centres kept, conversions with family places, a must-open site, a site that
    may host two centres, capex/opex/total budgets, a new-centre limit and an equity rule."""
    check(*every_rule_case(seed, capacitated))


def every_rule_case(seed: int, capacitated: bool):
    """(instance, scenario) with every rule in force: a kept centre, two conversions, a
    must-open site, a two-centre site when capacitated, the tightest budgets (x1 or x1.5) and
    strongest equity rule (30, 20 or 10 %) some plan meets, so the case is feasible."""
    inst = random_instance(seed + 100, m=7, n=25, capacitated=capacitated, existing=1,
                           convert=2, multi=1 if capacitated else 0)
    inst.min_count[-1] = 1                                   # must-open
    wl = whole_life(inst)
    for k, equity in itertools.product((1.0, 1.5), (0.3, 0.2, 0.1)):
        s = scenario_for("max_coverage", capacitated=capacitated, budget_total=0.5 * k * wl,
                         budget_capex=0.4 * k * inst.capex.sum(),
                         budget_opex=k * (0.6 * inst.opex.sum() + 3 * 12 * CARER_MONTH),
                         max_new=4, equity=equity)
        if any(p.covered is not None for p in every_plan(inst, s, capacitated,
                                                         "max_coverage")):
            break
    return inst, s


@pytest.mark.parametrize("seed", SEEDS)
def test_p_median(seed: int) -> None:
    """Uncapacitated p-median: exactly the best p sites (max_new = p), every child assigned."""
    inst = random_instance(seed + 200, m=8, n=25, cutoff=80.0)
    check(inst, scenario_for("min_travel", capacitated=False, max_new=3))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("capacitated", [False, True])
def test_min_travel_budgeted(seed: int, capacitated: bool) -> None:
    inst = random_instance(seed + 300, m=7, n=20, capacitated=capacitated, existing=1,
                           convert=1, cutoff=80.0)
    if capacitated:  # every child must be assigned: enough capacity within the budget
        inst.capacity = inst.capacity * 3
    check(inst, scenario_for("min_travel", capacitated=capacitated,
                             budget_total=0.6 * whole_life(inst), equity=0.2))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("capacitated", [False, True])
@pytest.mark.parametrize("target", [1.0, 0.8])
def test_min_cost(seed: int, capacitated: bool, target: float) -> None:
    """Set covering (target 1) and partial covering; full coverage needs every child
    reachable, so the standard is wide enough here."""
    inst = random_instance(seed + 400, m=7, n=20, capacitated=capacitated, convert=1,
                           standard=50.0, cutoff=150.0)
    nearest = np.full(inst.n, np.inf)
    np.minimum.at(nearest, inst.rows, inst.minutes)
    inst.standard = max(inst.standard, float(nearest.max()))  # every child reachable
    if capacitated:
        inst.capacity = inst.capacity * 3
    check(inst, scenario_for("min_cost", capacitated=capacitated, target=target,
                             equity=0.5 if target < 1 else 0.0))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("capacitated", [False, True])
def test_max_min_coverage(seed: int, capacitated: bool) -> None:
    inst = random_instance(seed + 500, m=7, n=24, capacitated=capacitated, units=3,
                           existing=1)
    check(inst, scenario_for("max_min_coverage", capacitated=capacitated,
                             budget_total=0.45 * whole_life(inst)))


def test_zero_child_settlement_does_not_force_a_centre() -> None:
    """A settlement with no children (real data has such) needs no centre under min_travel:
    the only site near it is not worth opening."""
    inst = random_instance(7, m=6, n=15, cutoff=200.0)
    budget = 0.5 * whole_life(inst)
    far = inst.n  # add a childless settlement reachable only by one extra, expensive site
    inst.demand_ids = np.append(inst.demand_ids, "empty")
    inst.weights = np.append(inst.weights, 0.0)
    inst.demand_unit = np.append(inst.demand_unit, 0)
    j = inst.m
    for name, value in (("site_ids", "remote"), ("site_kind", "new"), ("capex", 9e9),
                        ("opex", 1e9), ("capacity", np.inf), ("max_count", 1),
                        ("min_count", 0), ("site_unit", 0), ("site_children", 0.0)):
        setattr(inst, name, np.append(getattr(inst, name), value))
    inst.rows = np.append(inst.rows, far)
    inst.cols = np.append(inst.cols, j)
    inst.minutes = np.append(inst.minutes, 10.0)
    s = scenario_for("min_travel", capacitated=False, budget_total=budget)
    check(inst, s)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("objective", ["max_coverage", "min_travel"])
def test_conversions_recruit_only_the_families_needed(seed: int, objective: str) -> None:
    """With money to spare, the plan recruits no more professional foster families than the
    children leaving converted institutions need (recruits cost money every year)."""
    inst = random_instance(seed + 600, m=6, n=18, convert=3, cutoff=90.0)
    inst.site_children = inst.site_children * 4
    check(inst, scenario_for(objective, capacitated=False, budget_total=2 * whole_life(inst)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("capacitated", [False, True])
def test_full_equity_and_full_worst_unit(seed: int, capacitated: bool) -> None:
    """Rules at 100%: every unit fully covered (equity 1.0), and max_min_coverage reaching a
    worst-unit share of 1 (right-hand sides equal to the most that can be covered)."""
    inst = random_instance(seed + 700, m=7, n=20, capacitated=capacitated, standard=60.0,
                           cutoff=60.0)
    if capacitated:
        inst.capacity = inst.capacity * 3
    check(inst, scenario_for("max_coverage", capacitated=capacitated, equity=1.0))
    check(inst, scenario_for("max_min_coverage", capacitated=capacitated))


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("objective,capacitated", [("max_coverage", False),
                                                   ("max_coverage", True),
                                                   ("min_travel", False)])
@pytest.mark.parametrize("credit", [False, True])
def test_budget_below_cheapest_plan_says_what_it_costs(seed: int, objective: str,
                                                       capacitated: bool, credit: bool) -> None:
    """Too little money for the equity rule (or, for min_travel, for a centre within reach of
    every child): infeasible, and the explanation quotes the cheapest plan's whole-life cost,
    which equals the brute-force cheapest plan meeting the rule. With the credit on, a
    conversion that releases more than it costs still needs its refit paid: 1 m KZT is
    too little either way."""
    inst = random_instance(seed + 800, m=7, n=20, capacitated=capacitated, convert=1,
                           cutoff=70.0)
    if credit:
        inst.site_children = np.where(inst.site_kind == "convert", 80.0, 0.0)  # it pays
    s = scenario_for(objective, capacitated=capacitated, equity=0.4, budget_total=1e6,
                     credit=credit)
    loose = scenario_for(objective, capacitated=capacitated, equity=0.4, credit=credit)
    plans = [p for p in every_plan(inst, loose, capacitated, objective)
             if (p.travel if objective == "min_travel" else p.covered) is not None]
    with pytest.raises(InfeasibleScenario) as err:
        solve_instance(inst, s)
    exc = err.value
    if not plans:
        assert exc.cheapest_cost is None
        assert "even with unlimited money" in str(exc)
        return
    cheapest = min(p.cost for p in plans)
    assert exc.cheapest_cost == pytest.approx(cheapest, rel=1e-9)
    assert f"{cheapest / 1e6:,.1f} m KZT" in str(exc) or f"{cheapest / 1e9:,.2f} bn KZT" in str(exc)
    assert "1.0 m KZT" in str(exc)  # the budget it was given


@pytest.mark.parametrize("objective", ["max_coverage", "min_travel", "min_cost",
                                       "max_min_coverage"])
@pytest.mark.parametrize("capacitated", [False, True])
def test_cbc_reaches_the_same_optima(objective: str, capacitated: bool) -> None:
    """The bundled CBC solver (the alternative to HiGHS) against the same brute force."""
    inst = random_instance(1000 + capacitated, m=6, n=18, capacitated=capacitated,
                           existing=1, convert=1, standard=45.0, cutoff=80.0)
    if capacitated:  # enough capacity for min_cost's 80 % target
        inst.capacity = inst.capacity * (4 if objective == "min_cost" else 2)
    reach = float(inst.weights[inst.reachable()].sum() / inst.weights.sum())
    s = scenario_for(objective, capacitated=capacitated, target=round(min(0.8, 0.9 * reach), 3),
                     budget_total=None if objective == "min_cost" else 0.6 * whole_life(inst))
    s.solver.name = "cbc"
    check(inst, s)


def test_budget_below_the_kept_centres_says_what_they_and_the_cheapest_plan_cost() -> None:
    """Caught before solving: kept and must-open centres alone cost more than the budget;
    the message gives their cost and the brute-force cheapest plan's."""
    inst = random_instance(1100, m=7, n=20, existing=2, convert=1)
    inst.min_count[-1] = 1
    fixed = float(((inst.capex + H * inst.opex) * inst.min_count).sum())
    s = scenario_for("max_coverage", capacitated=False, budget_total=0.9 * fixed, equity=0.3,
                     credit=False)
    loose = scenario_for("max_coverage", capacitated=False, equity=0.3, credit=False)
    cheapest = min(p.cost for p in every_plan(inst, loose, False, "max_coverage")
                   if p.covered is not None)
    with pytest.raises(InfeasibleScenario) as err:
        solve_instance(inst, s)
    text = str(err.value)
    assert f"alone cost {fixed / 1e6:,.1f} m KZT" in text, text
    assert err.value.cheapest_cost == pytest.approx(cheapest, rel=1e-9)
    assert f"meeting the equity rule costs {cheapest / 1e6:,.1f} m KZT" in text, text


# -- the credit for running costs a conversion releases ----------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("objective", ["max_coverage", "min_cost", "min_travel"])
@pytest.mark.parametrize("credit", [True, False])
def test_released_running_costs_against_brute_force(seed: int, objective: str,
                                                    credit: bool) -> None:
    """Institutions with many children: converting one releases more than it costs. With
    the credit on the optimum (priced by the evaluator's own sum) converts where it pays; the
    tie-break then takes the cheapest plan, which for max_coverage converts every paying
    institution; with it off the same instance is priced gross."""
    inst = random_instance(seed + 1200, m=7, n=20, convert=3, existing=1, cutoff=80.0,
                           standard=40.0)
    inst.site_children = np.zeros(inst.m)
    conv = np.flatnonzero(inst.site_kind == "convert")
    inst.site_children[conv] = [60.0, 2.0, 25.0]           # pays, does not pay, pays
    wl = whole_life(inst)
    s = scenario_for(objective, capacitated=False, credit=credit,
                     budget_total=None if objective == "min_cost" else 0.4 * wl,
                     target=0.7)
    check(inst, s)
    plan, _, _, _ = solve_instance(inst, s)
    net = inst.opex - inst.site_children * (INSTITUTION_YEAR - 12 * CHILD_MONTH)
    pays = conv[inst.capex[conv] + H * net[conv] + H * 12 * CARER_MONTH
                * np.ceil(inst.site_children[conv] / FAMILY) < 0]
    if credit and objective == "max_coverage":
        assert pays.size and (plan.counts[pays] > 0).all(), (plan.counts, pays)
    if not credit:
        assert s.family_care.released_kzt_per_child_year == 0


def test_credit_is_stated_and_priced_in_the_result() -> None:
    """The summary states the credit and its amount; capex + horizon x net opex is the
    whole-life cost; each converted site says what it releases."""
    from planning.results import make_result

    inst = random_instance(1300, m=6, n=18, convert=2, cutoff=90.0)
    conv = np.flatnonzero(inst.site_kind == "convert")
    inst.site_children[conv] = [80.0, 40.0]
    s = scenario_for("max_coverage", capacitated=False, budget_total=2 * whole_life(inst))
    plan, info, build, extras = solve_instance(inst, s)
    tables = _tables_for(inst)
    inst.demand, inst.sites = tables
    result = make_result(inst, s, plan, info, build_seconds=build, extras=extras)
    summary = result.summary
    per_child = INSTITUTION_YEAR - 12 * CHILD_MONTH
    moved = float(inst.site_children[conv][plan.counts[conv] > 0].sum())
    assert moved > 0
    assert summary["released_opex"] == pytest.approx(moved * per_child)
    assert f"{per_child / 1e6:,.2f} m KZT a year per child" in summary["released_credit"]
    assert max(0.0, summary["cost_opex"] - summary["released_opex"]) == pytest.approx(
        summary["cost_opex_net"])
    assert summary["cost_whole_life"] == pytest.approx(
        summary["cost_capex"] + H * summary["cost_opex_net"])
    converted = result.sites[result.sites["decision"] == "convert"]
    assert (converted["released_kzt_per_year"] > 0).all()
    assert set(result.conversions["site_id"]) == set(inst.site_ids[conv])
    assert "converted" in summary["conversions_summary"]


def _tables_for(inst: Instance):
    """The demand and site tables make_result reads, for a hand-built instance."""
    import geopandas as gpd
    from shapely.geometry import Point

    demand = gpd.GeoDataFrame({
        "settlement_id": inst.demand_ids, "name": inst.demand_ids,
        "unit_code": [inst.units[u] for u in inst.demand_unit], "children": inst.weights,
    }, geometry=[Point(i, 0) for i in range(inst.n)], crs=4326)
    sites = gpd.GeoDataFrame({
        "site_id": inst.site_ids, "name": inst.site_ids, "kind": inst.site_kind,
        "capex": inst.capex, "opex": inst.opex, "capacity": inst.capacity,
        "max_count": inst.max_count, "min_count": inst.min_count,
        "unit_code": [inst.units[u] for u in inst.site_unit],
        "children_in_care": inst.site_children,
    }, geometry=[Point(j, 1) for j in range(inst.m)], crs=4326)
    return demand, sites
