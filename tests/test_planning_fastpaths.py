"""The speed-ups against the classic formulation on instances where they act.

Brute force (test_planning_bruteforce.py) stops at 8 sites, where the p-median's radius
levels are never deepened, no site is fixed by the Lagrangian bound and few candidates are
dominated. Here instances have 120-300 candidate sites, clustered like real settlements,
with kept centres, must-open sites, budgets and an equity rule, and the product's plan
(`planning.solve.solve_instance`) is compared, objective by objective, with the optimum of
the textbook model written here from the definitions and solved by `scipy.optimize.milp`:
one assignment share x_ij per pair with x_ij <= y_j (p-median), z_i <= sum of y_j within
the standard (covering), no demand groups, no dominance, no truncation, no reductions.
Each test also checks that the speed-up it is about did act on the instance (levels
deepened, sites fixed, candidates dropped), so the comparison exercises it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

from planning import model as model_mod
from planning import pmedian
from planning.instance import Instance
from planning.model import dominated_sites
from planning.scenario import Scenario
from planning.solve import model_options, solve_instance

H = 5


def clustered_instance(seed: int, n: int, m: int, *, existing: int = 0, must: int = 0,
                       units: int = 3, standard: float = 12.0,
                       cutoff: float = 1e9) -> Instance:
    """Settlements and sites around a few towns on a 100 x 100 minute square; minutes are
    distances; children lognormal (a few towns, many villages); costs vary by site."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform(10, 90, (6, 2))

    def pts(k: int) -> np.ndarray:
        at = towns[rng.integers(0, 6, k)] + rng.normal(0, 8, (k, 2))
        scatter = rng.uniform(0, 1, k) < 0.15
        at[scatter] = rng.uniform(0, 100, (int(scatter.sum()), 2))
        return np.clip(at, 0, 100)

    dp, sp = pts(n), pts(m)
    dist = np.hypot(dp[:, None, 0] - sp[None, :, 0], dp[:, None, 1] - sp[None, :, 1])
    rows, cols = np.nonzero(dist <= cutoff)
    kind = np.array(["existing"] * existing + ["new"] * (m - existing))
    min_count = (kind == "existing").astype(int)
    min_count[existing:existing + must] = 1
    weights = np.maximum(1.0, np.round(rng.lognormal(4.5, 1.2, n)))
    weights[rng.uniform(0, 1, n) < 0.05] = 0.0  # settlements without children exist
    return Instance(
        demand_ids=np.array([f"d{i}" for i in range(n)]), weights=weights,
        demand_unit=rng.integers(0, units, n), units=[f"U{u}" for u in range(units)],
        site_ids=np.array([f"s{j}" for j in range(m)]), site_kind=kind,
        capex=np.where(kind == "existing", 0.0, rng.integers(3, 10, m) * 10e6),
        opex=rng.integers(1, 4, m) * 8e6, capacity=np.full(m, np.inf),
        max_count=np.ones(m, dtype=int), min_count=min_count,
        site_unit=rng.integers(0, units, m), site_children=np.zeros(m),
        rows=rows, cols=cols, minutes=dist[rows, cols], standard=standard,
        cutoff=float(dist[rows, cols].max()), family_spare=np.zeros(units))


def scenario(objective: str, *, max_new: int | None = None, budget: float | None = None,
             equity: float = 0.0, target: float = 1.0) -> Scenario:
    s = Scenario(objective=objective, coverage_target=target)
    s.candidates.max_new = max_new
    s.budget.total_kzt, s.budget.horizon_years = budget, H
    s.capacity.enabled = False
    s.family_care.enabled = False
    s.equity.min_unit_coverage = equity
    s.solver.mip_gap = 0.0
    s.solver.time_limit_seconds = 120
    return s


# -- the classic formulation, written from the definitions -------------------------------

class Classic:
    """Columns y (sites) then x (pairs, p-median) or z (settlements, covering), rows as
    (coefficients, lower, upper); solved by scipy's milp."""

    def __init__(self, inst: Instance, s: Scenario, travel: bool) -> None:
        self.inst, self.s, self.travel = inst, s, travel
        self.k = inst.rows.size if travel else inst.n
        self.nv = inst.m + self.k
        self.rows: list[tuple[sparse.csr_matrix, float, float]] = []
        self.lo = np.r_[inst.min_count, np.zeros(self.k)].astype(float)
        self.hi = np.r_[np.maximum(inst.max_count, inst.min_count), np.ones(self.k)]
        if travel:
            self._assignment()
        else:
            self._covering()
        self._limits()

    def add(self, idx, val, lo: float, hi: float) -> None:
        self.rows.append((sparse.csr_matrix((val, (np.zeros(len(idx), int), idx)),
                                            shape=(1, self.nv)), lo, hi))

    def _assignment(self) -> None:
        inst, m = self.inst, self.inst.m
        k = np.arange(self.k)
        link = sparse.csr_matrix((np.r_[np.ones(self.k), -np.ones(self.k)],
                                  (np.r_[k, k], np.r_[m + k, inst.cols])),
                                 shape=(self.k, self.nv))
        self.rows.append((link, -np.inf, 0.0))  # x_ij <= y_j
        for i in range(inst.n):
            at = np.flatnonzero(inst.rows == i)
            if inst.weights[i] > 0:
                self.add(m + at, np.ones(at.size), 1.0, 1.0)
            else:
                self.hi[m + at] = 0.0  # no children: nothing to assign
        self.covered = {i: m + np.flatnonzero((inst.rows == i) & inst.within_standard())
                        for i in range(inst.n)}

    def _covering(self) -> None:
        inst, m = self.inst, self.inst.m
        within = inst.within_standard()
        for i in range(inst.n):
            js = inst.cols[within & (inst.rows == i)]
            self.add(np.r_[m + i, js], np.r_[1.0, -np.ones(js.size)], -np.inf, 0.0)
        self.covered = {i: np.array([m + i]) for i in range(inst.n)}

    def cover_row(self, idx_of) -> tuple[np.ndarray, np.ndarray]:
        idx = [self.covered[i] for i in idx_of]
        val = [np.full(c.size, self.inst.weights[i]) for i, c in zip(idx_of, idx)]
        return (np.concatenate(idx) if idx else np.zeros(0, int),
                np.concatenate(val) if val else np.zeros(0))

    def _limits(self) -> None:
        inst, s = self.inst, self.s
        if s.candidates.max_new is not None:
            new = np.flatnonzero(inst.site_kind != "existing")
            self.add(new, np.ones(new.size), -np.inf, s.candidates.max_new)
        if s.budget.total_kzt is not None:
            self.add(np.arange(inst.m), inst.capex + H * inst.opex, -np.inf, s.budget.total_kzt)
        if s.equity.min_unit_coverage > 0:
            for u in range(len(inst.units)):
                members = np.flatnonzero(inst.demand_unit == u)
                w_u = float(inst.weights[members].sum())
                if w_u > 0:
                    idx, val = self.cover_row(members)
                    self.add(idx, val, s.equity.min_unit_coverage * w_u, np.inf)

    def solve(self, cost: np.ndarray, extra=()) -> tuple[float, np.ndarray]:
        rows = self.rows + list(extra)
        a = sparse.vstack([r[0] for r in rows]).tocsr()
        lo = np.concatenate([np.full(r[0].shape[0], r[1]) for r in rows])
        hi = np.concatenate([np.full(r[0].shape[0], r[2]) for r in rows])
        integrality = np.r_[np.ones(self.inst.m), np.zeros(self.k)]
        res = milp(cost, constraints=LinearConstraint(a, lo, hi), integrality=integrality,
                   bounds=(self.lo, self.hi), options={"mip_rel_gap": 0.0})
        assert res.status == 0, f"the reference model has no optimum: {res.message}"
        return float(res.fun), res.x

    def travel_optimum(self) -> float:
        inst = self.inst
        cost = np.r_[np.zeros(inst.m), inst.weights[inst.rows] * inst.minutes]
        return self.solve(cost)[0]

    def coverage_optimum(self) -> float:
        cost = np.r_[np.zeros(self.inst.m), -self.inst.weights]
        return -self.solve(cost)[0]

    def cost_optimum(self, target: float) -> float:
        inst = self.inst
        idx, val = self.cover_row(range(inst.n))
        row = sparse.csr_matrix((val, (np.zeros(idx.size, int), idx)), shape=(1, self.nv))
        cost = np.r_[inst.capex + H * inst.opex, np.zeros(self.k)]
        return self.solve(cost, [(row, target * float(inst.weights.sum()), np.inf)])[0]


def travel_of(inst: Instance, plan) -> float:
    need = inst.weights > 0
    return float((inst.weights[need] * plan.minutes[need]).sum())


def close(a: float, b: float, rel: float = 1e-7) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


@pytest.fixture
def deepenings(monkeypatch) -> list[bool]:
    """Records every radius deepening decision (True: levels were added)."""
    seen: list[bool] = []
    original = model_mod.Radius.deepen

    def spy(self, inst, counts):
        out = original(self, inst, counts)
        seen.append(out)
        return out

    monkeypatch.setattr(model_mod.Radius, "deepen", spy)
    return seen


# -- p-median: reductions (incumbent, Lagrangian fixing, pair elimination) ----------------

@pytest.mark.parametrize("seed,n,m,p,existing,must", [
    (1, 200, 120, 4, 0, 0), (2, 200, 150, 12, 3, 1), (3, 150, 120, 25, 0, 2)])
def test_p_median_reductions_keep_the_optimum(seed, n, m, p, existing, must) -> None:
    """Pure p-median (kept and must-open centres included): the reductions fix sites and
    drop pairs, and the plan still equals the classic optimum, every settlement at its
    nearest open site."""
    inst = clustered_instance(seed, n, m, existing=existing, must=must, cutoff=60.0)
    s = scenario("min_travel", max_new=p + must)
    reduced, red = pmedian.reduce(inst, p + must)
    assert red.closed.sum() > 0 and reduced.rows.size < inst.rows.size, "nothing reduced"
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal"
    ref = Classic(inst, s, travel=True).travel_optimum()
    assert close(travel_of(inst, plan), ref), (travel_of(inst, plan), ref)
    assert plan.counts[inst.site_kind != "existing"].sum() <= p + must
    assert (plan.counts >= inst.min_count).all()
    # the Lagrangian bound is a bound and the incumbent a plan: LB <= optimum <= UB
    assert red.lower <= ref * (1 + 1e-9) and ref <= red.upper * (1 + 1e-9)


# -- budgeted min_travel with equity: the truncated radius model and its deepening ---------

BUDGETED = (11, 12, 13)


@pytest.mark.parametrize("seed", BUDGETED)
def test_budgeted_min_travel_deepens_to_the_optimum(seed, deepenings) -> None:
    """Budgets switch the reductions off, so the truncated radius model starts with few
    levels and is deepened; the optimum must equal the classic one on every seed."""
    inst = clustered_instance(seed, 180, 130, existing=2, cutoff=60.0)
    budget = float((inst.capex + H * inst.opex)[inst.site_kind == "existing"].sum()
                   + 4 * np.median(inst.capex + H * inst.opex))
    s = scenario("min_travel", budget=budget, equity=0.1 if seed % 2 else 0.0)
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal"
    ref = Classic(inst, s, travel=True).travel_optimum()
    assert close(travel_of(inst, plan), ref), (travel_of(inst, plan), ref)
    assert any(deepenings), "the radius levels were never deepened on this instance"


def test_deepening_acts_on_every_budgeted_seed(deepenings) -> None:
    """The instances above are chosen so that deepening matters: a model that kept its
    first levels would report a plan whose true cost exceeds its truncated cost."""
    from planning.model import build_model
    from planning.optimize import solve_built

    undercounted = 0
    for seed in BUDGETED:
        inst = clustered_instance(seed, 180, 130, existing=2, cutoff=60.0)
        budget = float((inst.capex + H * inst.opex)[inst.site_kind == "existing"].sum()
                       + 4 * np.median(inst.capex + H * inst.opex))
        s = scenario("min_travel", budget=budget)
        built = build_model(inst, model_options(s))
        built.prob.solve(__import__("pulp").HiGHS(msg=False, gapRel=0.0))
        truncated = float(built.prob.objective.value())
        true = built.radius.cost(inst, built.counts())
        undercounted += true > truncated * (1 + 1e-9)
        assert solve_built(built, s.solver).status == "optimal"
    assert undercounted >= 2


# -- covering objectives: demand groups and dominated candidates ---------------------------

@pytest.mark.parametrize("seed", [21, 22])
def test_max_coverage_with_dominance_equals_classic(seed) -> None:
    inst = clustered_instance(seed, 300, 200, existing=3, must=1)
    assert dominated_sites(inst).sum() > 0, "no candidate dominated: nothing exercised"
    budget = float((inst.capex + H * inst.opex)[inst.min_count > 0].sum()
                   + 6 * np.median(inst.capex + H * inst.opex))
    for s in (scenario("max_coverage", budget=budget),
              scenario("max_coverage", budget=budget, equity=0.3, max_new=8)):
        plan, info, _, _ = solve_instance(inst, s)
        assert info.status == "optimal"
        got = float((plan.share * inst.weights).sum())
        ref = Classic(inst, s, travel=False).coverage_optimum()
        assert close(got, ref), (got, ref)


@pytest.mark.parametrize("seed", [31, 32])
def test_min_cost_equals_classic(seed) -> None:
    inst = clustered_instance(seed, 250, 150, standard=20.0)
    reach = float(inst.weights[inst.reachable()].sum()) / float(inst.weights.sum())
    target = round(0.9 * reach, 3)
    s = scenario("min_cost", target=target)
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal"
    cost = float(plan.counts @ (inst.capex + H * inst.opex))
    ref = Classic(inst, s, travel=False).cost_optimum(target)
    assert close(cost, ref), (cost, ref)
    assert float((plan.share * inst.weights).sum()) >= target * inst.weights.sum() - 1e-6


@pytest.mark.parametrize("seed", [41, 42])
def test_max_min_coverage_equals_classic(seed) -> None:
    """Worst unit's share first (classic model: max t), then children covered."""
    inst = clustered_instance(seed, 250, 150, existing=2)
    budget = float((inst.capex + H * inst.opex)[inst.min_count > 0].sum()
                   + 5 * np.median(inst.capex + H * inst.opex))
    s = scenario("max_min_coverage", budget=budget)
    plan, info, _, extras = solve_instance(inst, s)
    assert info.status == "optimal"
    classic = Classic(inst, s, travel=False)
    # max t: one more column t, each unit's cover - t W_u >= 0
    nv = classic.nv + 1
    rows = []
    for u in range(len(inst.units)):
        members = np.flatnonzero(inst.demand_unit == u)
        w_u = float(inst.weights[members].sum())
        if w_u > 0:
            idx, val = classic.cover_row(members)
            rows.append((sparse.csr_matrix((np.r_[val, -w_u], (np.zeros(idx.size + 1, int),
                                                              np.r_[idx, nv - 1])),
                                           shape=(1, nv)), 0.0, np.inf))
    a = sparse.vstack([sparse.hstack([r[0], sparse.csr_matrix((1, 1))]) for r in classic.rows]
                      + [r[0] for r in rows]).tocsr()
    lo = np.r_[[r[1] for r in classic.rows], [r[1] for r in rows]]
    hi = np.r_[[r[2] for r in classic.rows], [r[2] for r in rows]]
    res = milp(np.r_[np.zeros(classic.nv), -1.0], constraints=LinearConstraint(a, lo, hi),
               integrality=np.r_[np.ones(inst.m), np.zeros(classic.k + 1)],
               bounds=(np.r_[classic.lo, 0.0], np.r_[classic.hi, 1.0]),
               options={"mip_rel_gap": 0.0})
    assert res.status == 0
    assert close(extras["min_unit_share"], -res.fun, 1e-6), (extras["min_unit_share"], -res.fun)
    got = float((plan.share * inst.weights).sum())
    floor = scenario("max_coverage", budget=budget, equity=max(0.0, -res.fun - 1e-6))
    assert close(got, Classic(inst, floor, travel=False).coverage_optimum()), got


@pytest.mark.parametrize("seed,p", [(51, 3), (52, 5), (53, 8)])
def test_reduction_parts_against_enumeration(seed, p) -> None:
    """On 16 sites every p-subset is enumerated: the incumbent is a plan no single swap
    improves, the Lagrangian bound is below the optimum, and the reduced instance (sites
    fixed, pairs dropped) still holds an optimal plan at the same cost."""
    from itertools import combinations

    inst = clustered_instance(seed, 80, 16, cutoff=60.0)
    cost = np.full((inst.n, inst.m), np.inf)
    cost[inst.rows, inst.cols] = inst.minutes

    def value(sites, c=cost) -> float:
        best = c[:, list(sites)].min(axis=1)
        need = inst.weights > 0
        return float((inst.weights * best)[need].sum()) if np.isfinite(best[need]).all() \
            else np.inf

    optimum = min(value(s) for s in combinations(range(inst.m), p))
    assert np.isfinite(optimum)
    inc = np.flatnonzero(pmedian.incumbent(inst, p, 10.0))
    assert inc.size == p and value(inc) >= optimum - 1e-9
    for r in inc:
        for j in set(range(inst.m)) - set(inc):
            assert value(set(inc) - {r} | {j}) >= value(inc) * (1 - 1e-12) - 1e-9
    reduced, red = pmedian.reduce(inst, p)
    assert red.lower <= optimum * (1 + 1e-9) and red.upper >= optimum * (1 - 1e-12)
    kept = np.full((inst.n, inst.m), np.inf)
    kept[reduced.rows, reduced.cols] = reduced.minutes
    free = [j for j in range(inst.m) if reduced.max_count[j] > 0]
    forced = set(np.flatnonzero(reduced.min_count > 0))
    best = min(value(s, kept) for s in combinations(free, p) if forced <= set(s))
    assert abs(best - optimum) <= 1e-9 * optimum


# -- the radius deepening rule, level by level ----------------------------------------------

def line_instance(levels: int) -> Instance:
    """One settlement (10 children) and `levels` sites at 1, 2, ... minutes: site j is the
    settlement's radius level j + 1."""
    m = levels
    return Instance(
        demand_ids=np.array(["d0"]), weights=np.array([10.0]), demand_unit=np.zeros(1, int),
        units=["U"], site_ids=np.array([f"s{j}" for j in range(m)]),
        site_kind=np.full(m, "new"), capex=np.zeros(m), opex=np.zeros(m),
        capacity=np.full(m, np.inf), max_count=np.ones(m, dtype=int),
        min_count=np.zeros(m, dtype=int), site_unit=np.zeros(m, dtype=int),
        site_children=np.zeros(m), rows=np.zeros(m, dtype=int), cols=np.arange(m),
        minutes=np.arange(1.0, m + 1), standard=3.0, cutoff=float(m), family_spare=np.zeros(1))


@pytest.mark.parametrize("kept", [2, 3, 5])
def test_deepen_exactly_when_the_truncated_cost_undercounts(kept) -> None:
    """With L levels kept the modelled cost is min(true, D_{L+1}): exact when the nearest
    open site is at level L + 1 or nearer, an undercount from level L + 2 on. Deepening must
    act exactly then, and deep enough to make the plan's cost exact (a one-level change to
    the rule fails here)."""
    from planning.model import Radius

    inst = line_instance(10)
    for nearest in range(1, 11):  # only the site at radius level `nearest` open
        radius = Radius.of(inst, kept)
        counts = np.zeros(inst.m, dtype=int)
        counts[nearest - 1] = 1
        truncated = 10.0 * min(float(nearest), float(kept + 1))
        true = radius.cost(inst, counts)
        assert true == 10.0 * nearest
        deepened = radius.deepen(inst, counts)
        assert deepened == (true > truncated), (kept, nearest)
        if deepened:
            assert radius.kept[0] + 1 >= nearest  # now modelled exactly
        else:
            assert radius.kept[0] == kept


@pytest.mark.parametrize("seed,p,existing", [(61, 3, 0), (62, 6, 2), (63, 10, 0)])
def test_p_median_long_radii_equals_classic(seed, p, existing) -> None:
    """300 candidate sites for a few centres (30-100 per centre: long radii, the case the
    reductions and the incumbent's radius levels are for), every pair kept: the product's
    plan equals the classic optimum, the incumbent and the Lagrangian bound bracket it, and
    the status is honest."""
    inst = clustered_instance(seed, 150, 300, existing=existing)
    assert pmedian.pays(inst, p)
    s = scenario("min_travel", max_new=p)
    plan, info, _, _ = solve_instance(inst, s)
    assert info.status == "optimal" and info.gap is not None and info.gap <= 1e-9
    ref = Classic(inst, s, travel=True).travel_optimum()
    assert close(travel_of(inst, plan), ref), (travel_of(inst, plan), ref)
    _, red = pmedian.reduce(inst, p)
    assert red.closed.sum() > 0
    assert red.lower <= ref * (1 + 1e-9) and ref <= red.upper * (1 + 1e-9)


def test_no_time_left_reports_the_incumbent_with_its_honest_gap() -> None:
    """A time limit of 0: every heuristic step stops at once (the greedy after one site), no
    model is solved, and the incumbent is reported as `feasible` with the gap between its
    true cost and the Lagrangian bound - never `optimal`, never a smaller gap."""
    from planning.model import ModelOptions
    from planning.optimize import solve_built
    from planning.scenario import Solver
    from planning.solve import build

    inst = clustered_instance(64, 150, 300)
    solver = Solver(name="highs", time_limit_seconds=0.0, mip_gap=0.0)
    built = build(inst, ModelOptions(objective="min_travel", max_new=6), solver)
    info = solve_built(built, solver)
    assert info.status == "feasible"
    true = built.radius.cost(built.inst, built.counts())
    ref = Classic(inst, scenario("min_travel", max_new=6), travel=True).travel_optimum()
    assert true >= ref * (1 - 1e-9) and built.lower <= ref * (1 + 1e-9)
    assert close(info.gap, (true - built.lower) / true) and info.gap > 0
    assert 0 < built.counts().sum() <= 6
