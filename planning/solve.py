"""Run a scenario end to end: instance -> pre-checks -> model -> solve -> results.

Infeasibility is explained in planners' words before solving where it can be detected
(settlements no candidate can reach, must-open sites that are not candidates, fixed costs
above the budget, a unit that cannot meet the equity rule, a budget below the cheapest plan
meeting the rules - with what that plan costs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pulp

from geo.provenance import has_demo, layer_provenance
from geo.travel import travel_matrix
from planning import capacitated, mclp
from planning.deadline import Deadline
from planning.instance import Instance, build_instance
from planning.model import Built, ModelOptions, build_direct, build_model, families_needed, net_opex
from planning.optimize import (
    Plan,
    SolveInfo,
    make_solver,
    nearest_plan,
    read_plan,
    solve_built,
)
from planning.radius import Radius
from planning.reasons import Reason, text
from planning.results import PlanResult, make_result, plan_costs
from planning.scenario import Scenario, ScenarioError, Solver

Progress = Callable[[str, float], None]
REDUCE_SHARE = 0.4  # of the time limit, at most, for the p-median's heuristics and bound


class InfeasibleScenario(Exception):
    """No plan satisfies the scenario; `reasons` say why (codes the app translates),
    `explanations` in English, in planners' words."""

    def __init__(self, reasons: list[Reason], cheapest_cost: float | None = None) -> None:
        self.reasons = reasons
        self.explanations = [text(r) for r in reasons]
        self.cheapest_cost = cheapest_cost
        super().__init__("\n".join(self.explanations))

    def __reduce__(self):  # rebuilt whole in the app's solve worker
        return (type(self), (self.reasons, self.cheapest_cost))


def model_options(scenario: Scenario) -> ModelOptions:
    """The model settings a scenario implies."""
    s = scenario
    return ModelOptions(
        objective=s.objective, coverage_target=s.coverage_target,
        budget_total=s.budget.total_kzt, budget_capex=s.budget.capex_kzt,
        budget_opex=s.budget.opex_kzt_per_year, horizon_years=s.budget.horizon_years,
        max_new=s.candidates.max_new, capacitated=s.capacity.enabled,
        equity_min=s.equity.min_unit_coverage, family_care=s.family_care.enabled,
        family_size=s.family_care.professional_family_children,
        carer_kzt_per_year=s.family_care.carer_kzt_per_year,
        released_kzt_per_child=s.family_care.released_kzt_per_child_year,
    )


def _names(inst: Instance, idx: np.ndarray, k: int = 5) -> dict[str, object]:
    """The first `k` settlements' names, joined, and how many more there are."""
    if inst.demand is not None and "name" in inst.demand:
        names = inst.demand["name"].astype(str).to_numpy()[idx[:k]]
    else:
        names = inst.demand_ids[idx[:k]]
    return {"names": ", ".join(names), "more": max(0, int(idx.size) - k)}


def precheck(inst: Instance, scenario: Scenario, opt: ModelOptions) -> list[Reason]:
    """Rule problems (reach, coverage target, equity, must-open, new-centre limit) that make
    the scenario infeasible, found without solving; `money_precheck` does the budgets."""
    out: list[Reason] = []
    s = scenario
    ids = set(inst.site_ids)
    missing = [x for x in s.sites.must_open if x not in ids]
    if missing:
        out.append(Reason("must_open_missing", {"sites": ", ".join(missing)}))
    cutoff = inst.cutoff
    reach_any = np.zeros(inst.n, dtype=bool)
    reach_any[inst.rows] = True
    if opt.objective == "min_travel":
        lost = np.flatnonzero(~reach_any & (inst.weights > 0))
        if lost.size:
            out.append(Reason("unassignable", {
                "count": int(lost.size), "children": round(float(inst.weights[lost].sum())),
                "cutoff": float(cutoff), **_names(inst, lost)}))
    reach = inst.reachable()
    total = float(inst.weights.sum())
    if opt.objective == "min_cost" and total > 0:
        share = float(inst.weights[reach].sum()) / total
        if share + 1e-9 < opt.coverage_target:
            lost = np.flatnonzero(~reach & (inst.weights > 0))
            out.append(Reason("target_unreachable", {
                "share_pct": 100 * share, "standard": float(inst.standard),
                "target_pct": 100 * opt.coverage_target, **_names(inst, lost)}))
    if opt.equity_min > 0:
        for u in np.unique(inst.demand_unit[inst.weights > 0]):
            in_u = inst.demand_unit == u
            w_u = float(inst.weights[in_u].sum())
            share = float(inst.weights[in_u & reach].sum()) / w_u
            if u >= 0 and share + 1e-9 < opt.equity_min:
                out.append(Reason("unit_below_equity", {
                    "unit": str(inst.units[u]), "share_pct": 100 * share,
                    "standard": float(inst.standard), "equity_pct": 100 * opt.equity_min}))
    forced_new = int((inst.min_count * (inst.site_kind != "existing")).sum())
    if opt.max_new is not None and forced_new > opt.max_new:
        out.append(Reason("too_many_forced", {"forced": forced_new, "limit": opt.max_new}))
    return out


def money_precheck(inst: Instance, opt: ModelOptions) -> list[Reason]:
    """Budgets that the kept and must-open centres alone already exceed, even with every
    optional conversion whose released running costs outweigh its own (a negative net
    running cost) offsetting their running costs, down to zero, at no capital cost."""
    out: list[Reason] = []
    fixed = inst.min_count > 0
    h = opt.horizon_years
    opex = net_opex(inst, opt.released_kzt_per_child)
    optional = np.maximum(inst.max_count, inst.min_count) - inst.min_count

    def least(cost: np.ndarray) -> float:
        """Fixed sites' cost plus every optional site that lowers it."""
        return float((cost * inst.min_count).sum() + (np.minimum(cost, 0) * optional).sum())

    fixed_capex = float((inst.capex * inst.min_count).sum())
    fixed_opex = max(0.0, least(opex))  # released costs offset running costs down to zero
    whole = fixed_capex + h * fixed_opex
    credit: object = Reason("credit_note") if (opex < 0).any() else ""
    if opt.budget_total is not None and whole > opt.budget_total + 1e-6:
        out.append(Reason("kept_over_total", {
            "count": int(fixed.sum()), "cost_kzt": whole, "years": h, "credit": credit,
            "budget_kzt": opt.budget_total}))
    if opt.budget_capex is not None and fixed_capex > opt.budget_capex + 1e-6:
        out.append(Reason("forced_over_capex", {"cost_kzt": fixed_capex,
                                                "budget_kzt": opt.budget_capex}))
    if opt.budget_opex is not None and fixed_opex > opt.budget_opex + 1e-6:
        out.append(Reason("kept_over_opex", {"cost_kzt": fixed_opex, "credit": credit,
                                             "budget_kzt": opt.budget_opex}))
    return out


def cheapest_plan(inst: Instance, opt: ModelOptions, solver: Solver) -> float | None:
    """Whole-life cost of the cheapest plan meeting the rules without the money limits
    (equity rule, coverage target for min_cost, every child assigned for min_travel,
    must-open, capacity); None if none exists."""
    relaxed = replace(opt, budget_total=None, budget_capex=None, budget_opex=None,
                      max_new=None, min_share_floor=None)
    if opt.objective == "min_travel":
        built = build_model(inst, relaxed)
    else:
        built = build_model(inst, replace(relaxed, objective="min_cost", coverage_target=(
            opt.coverage_target if opt.objective == "min_cost" else 0.0)))
    if built.capex is None or built.opex is None:
        raise ValueError("the model has no cost expressions")
    # the cost the budget counts (released costs offset running costs down to zero), not
    # min_cost's net cost to the state
    built.prob.setObjective(built.capex + opt.horizon_years * built.opex)
    # solved directly, not by solve_built: only a cost is wanted, so nothing about the
    # travel objective (its status, or re-solves of a truncated travel model) applies
    built.prob.solve(make_solver(solver))
    if built.prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None
    return float(built.prob.objective.value())


def _cheapest_what(opt: ModelOptions) -> Reason:
    """What the cheapest plan achieves."""
    return Reason("what_assign" if opt.objective == "min_travel" else
                  "what_equity" if opt.equity_min > 0 else
                  "what_target" if opt.objective == "min_cost" else "what_rules")


def _explain_infeasible(inst: Instance, scenario: Scenario,
                        opt: ModelOptions) -> InfeasibleScenario:
    cost = cheapest_plan(inst, opt, scenario.solver)
    budget = opt.budget_total
    if cost is None:
        return InfeasibleScenario([Reason("no_plan_at_all")], None)
    what = _cheapest_what(opt)
    if budget is not None and cost > budget + 1e-6:
        return InfeasibleScenario([Reason("budget_below_cheapest", {
            "budget_kzt": budget, "what": what, "cost_kzt": cost,
            "years": opt.horizon_years})], cost)
    limits = [reason for reason, on in (
        (Reason("limit_total", {"budget_kzt": budget or 0}), budget is not None),
        (Reason("limit_capex", {"budget_kzt": opt.budget_capex or 0}),
         opt.budget_capex is not None),
        (Reason("limit_opex", {"budget_kzt": opt.budget_opex or 0}), opt.budget_opex is not None),
        (Reason("limit_new", {"limit": opt.max_new}), opt.max_new is not None),
        (Reason("limit_equity", {"equity_pct": 100 * opt.equity_min}), opt.equity_min > 0))
        if on]
    return InfeasibleScenario([Reason("limits_together", {
        "limits": limits, "what": what, "cost_kzt": cost})], cost)


def solve_instance(inst: Instance, scenario: Scenario,
                   progress: Progress | None = None) -> tuple[Plan, SolveInfo, float, dict]:
    """Pre-check, build and solve; returns plan, solve info, build seconds and extras."""
    say = progress or (lambda stage, frac: None)
    opt = model_options(scenario)
    money = money_precheck(inst, opt)
    problems = precheck(inst, scenario, opt) + money
    if problems:
        cost = None
        if money:
            cost = cheapest_plan(inst, opt, scenario.solver)
            if cost is not None:
                problems.append(Reason("cheapest_costs", {
                    "what": _cheapest_what(opt), "cost_kzt": cost,
                    "years": opt.horizon_years}))
        raise InfeasibleScenario(problems, cost)
    say("model", 0.0)
    t0 = time.perf_counter()
    if mclp.applies(inst, opt, scenario.solver):  # pure MCLP: straight into HiGHS
        say("solving", 0.0)
        counts, info, fast = mclp.solve(inst, opt, scenario.solver)
        say("solving", 1.0)
        if info.status == "infeasible":
            raise _explain_infeasible(inst, scenario, opt)
        return nearest_plan(inst, counts, {}), info, fast.steps["build"], {}
    if capacitated.applies(inst, opt, scenario.solver):  # through the uncapacitated relaxation
        say("solving", 0.0)
        built, info, outcome = capacitated.solve(inst, opt, scenario.solver)
        build_seconds = outcome.steps["build"]
    else:
        built = build(inst, opt, scenario.solver)
        build_seconds = time.perf_counter() - t0
        say("model", 1.0)
        say("solving", 0.0)
        info = solve_built(built, scenario.solver)  # what is left of the build's deadline
    extras: dict = {}
    if opt.objective == "max_min_coverage" and info.has_solution and built.t is not None:
        t_star = float(built.t.value() or 0.0)
        extras["min_unit_share"] = t_star
        say("solving", 0.5)
        t0 = time.perf_counter()
        built = build_model(inst, replace(opt, min_share_floor=max(0.0, t_star - 1e-6)))
        build_seconds += time.perf_counter() - t0
        second = solve_built(built, scenario.solver)
        if second.has_solution:
            both = info.status == "optimal" and second.status == "optimal"
            info = SolveInfo("optimal" if both else "feasible",
                             max(info.gap or 0.0, second.gap or 0.0),
                             info.seconds + second.seconds, info.solver)
        else:
            info = SolveInfo(second.status, None, info.seconds + second.seconds, info.solver)
    say("solving", 1.0)
    if info.status == "infeasible":
        raise _explain_infeasible(inst, scenario, opt)
    if not info.has_solution:
        return Plan(np.zeros(inst.m, int), np.full(inst.n, -1), np.full(inst.n, np.nan),
                    np.zeros(inst.n), {}, np.zeros(inst.m)), info, build_seconds, extras
    plan = read_plan(inst, built)
    plan.recruits = families_needed(inst, plan.counts, opt)
    return plan, info, build_seconds, extras


def build(inst: Instance, opt: ModelOptions, solver: Solver) -> Built:
    """The model for `opt` on `inst`, with the deadline of the whole solve (the solver's
    time limit, from now) that `solve_built` then keeps. A pure p-median is first reduced
    exactly (sites fixed by a Lagrangian bound against a local-search incumbent, see
    `planning.pmedian`) in at most REDUCE_SHARE of that time when its radii are long enough
    for that to pay, and the incumbent is the solver's start and sets the first radius
    levels."""
    deadline = Deadline.after(solver.time_limit_seconds)
    if opt.objective != "min_travel" or opt.max_new is None:
        built = build_model(inst, opt)
    else:
        from planning import pmedian  # imported here: its scipy.sparse slows every start-up

        direct = pmedian.applies(opt) and solver.name == "highs"
        make = build_direct if direct else build_model
        if not pmedian.applies(opt) or not pmedian.pays(inst, opt.max_new):
            built = make(inst, opt)
        else:
            reduced, red = pmedian.reduce(inst, opt.max_new, deadline.share(REDUCE_SHARE))
            radius = None
            if deadline.expired() and np.isfinite(red.upper):  # no time for the full model:
                reduced = pmedian.only(reduced, red.counts)    # the incumbent's sites, one level
                radius = Radius.of(reduced, 1)
            built = make(reduced, opt, radius,
                         start=red.counts if np.isfinite(red.upper) else None)
            built.lower = red.lower if np.isfinite(red.lower) else None
            built.trace = red.trace
    built.deadline = deadline
    return built


def _load(scenario: Scenario, layers):
    """The bundled layers (unless given); region units must exist in their boundaries."""
    if layers is None:
        from geo.layers import load_layers

        try:
            layers = load_layers(scenario.country, scenario.boundary_version)
        except ValueError as exc:
            raise ScenarioError([("boundary_version", str(exc))]) from None
    codes = sorted(map(str, layers.boundaries["code"]))
    districts = getattr(layers, "districts", None)
    known = set(codes) | (set(map(str, districts["code"])) if districts is not None else set())
    if scenario.equity.level == "district" and districts is None:
        raise ScenarioError([("equity.level", f"no district boundaries for {scenario.country}")])
    unknown = sorted(set(scenario.region.units) - known)
    if unknown:
        where = f"{scenario.country} {getattr(layers, 'version', '')}".strip()
        raise ScenarioError([("region.units", f"unknown unit code(s) {', '.join(unknown)} in "
                                              f"the {where} boundaries; known: "
                                              f"{', '.join(codes)}")])
    return layers


def run_scenario(scenario: Scenario, layers=None, *,
                 progress: Progress | None = None) -> PlanResult:
    """Solve `scenario` on `layers` (loaded from the bundled data when None)."""
    say = progress or (lambda stage, frac: None)
    scenario.validate()
    say("matrix", 0.0)
    layers = _load(scenario, layers)
    t0 = time.perf_counter()
    inst = build_instance(layers, scenario)
    matrix_seconds = time.perf_counter() - t0
    say("matrix", 1.0)
    plan, info, build_seconds, extras = solve_instance(inst, scenario, progress)
    say("results", 0.0)
    extras = {**extras,
              "demo": has_demo(layers.institutions, layers.centres, layers.foster),
              "provenance": layer_provenance(scenario.country,
                                             int(layers.boundaries["version"].iloc[0]))}
    result = make_result(inst, scenario, plan, info, build_seconds=build_seconds,
                         matrix_seconds=matrix_seconds, boundaries=layers.boundaries,
                         extras=extras)
    say("results", 1.0)
    return result


def solve_plan(scenario: Scenario, layers, *, matrix=travel_matrix
               ) -> tuple[Instance, Plan, SolveInfo]:
    """Validate and solve `scenario` on `layers`, returning the instance, plan and solve
    info without the result tables and explanations (a sweep needs only a run's figures,
    see `planning.results.plan_figures`); `matrix` computes the travel matrix."""
    scenario.validate()
    layers = _load(scenario, layers)
    inst = build_instance(layers, scenario, matrix=matrix)
    plan, info, _, _ = solve_instance(inst, scenario)
    return inst, plan, info


def pareto(scenario: Scenario, budgets: list[float], layers=None,
           progress: Progress | None = None) -> pd.DataFrame:
    """Coverage against budget: solve the coverage objective (max_coverage, or
    max_min_coverage if chosen) once per whole-life budget on one instance."""
    say = progress or (lambda stage, frac: None)
    for k, budget in enumerate(budgets):  # before any work; the model refuses NaN and inf
        if not np.isfinite(float(budget)):
            raise ValueError(f"budgets[{k}]: must be a finite number of KZT, not {budget!r}")
    say("matrix", 0.0)
    layers = _load(scenario, layers)
    inst = build_instance(layers, scenario)
    say("matrix", 1.0)
    objective = scenario.objective if scenario.objective == "max_min_coverage" else "max_coverage"
    rows = []
    total = float(inst.weights.sum())
    for k, budget in enumerate(budgets):
        say("solving", k / max(len(budgets), 1))
        s = Scenario.from_dict(scenario.to_dict())
        s.objective = objective
        s.budget.total_kzt = float(budget)
        try:
            plan, info, _, _ = solve_instance(inst, s)
        except InfeasibleScenario:
            rows.append({"budget": float(budget), "coverage_pct": np.nan,
                         "children_covered": np.nan, "cost": np.nan, "status": "infeasible"})
            continue
        covered = float((plan.share * inst.weights).sum()) if info.has_solution else np.nan
        capex, opex, _ = plan_costs(inst, plan, s)
        cost = capex + s.budget.horizon_years * opex
        rows.append({"budget": float(budget),
                     "coverage_pct": 100 * covered / total if total else np.nan,
                     "children_covered": covered,
                     "cost": cost if info.has_solution else np.nan, "status": info.status})
    say("results", 1.0)
    return pd.DataFrame(rows, columns=["budget", "coverage_pct", "children_covered", "cost",
                                       "status"])
