"""The siting model in PuLP, built from the sparse travel matrix.

Decisions: y_j = centres at site j (integer; new sites up to `max_count`, conversions and
existing centres 0/1, must-open and kept centres fixed >= 1), r_u = professional foster
families recruited in unit u (integer), and demand coverage/assignment:

- uncapacitated coverage (max_coverage, min_cost, max_min_coverage): z_i in [0, 1] with
  z_i <= sum of y_j over sites within the standard (the MCLP / set-covering form);
- capacitated coverage: x_ij in [0, 1] for pairs within the standard, sum_j x_ij <= 1 and
  sum_i children_i x_ij <= capacity_j y_j;
- min_travel (p-median / budgeted): x_ij for pairs within the cut-off, sum_j x_ij = 1,
  x_ij <= y_j (uncapacitated) or capacity rows, minimising child-minutes.

Only pairs inside the cut-off get variables. Every expression is built from (variable,
coefficient) pairs with `LpAffineExpression`, which is far faster than `lpSum` of products.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pulp

from planning.instance import Instance


@dataclass
class ModelOptions:
    """What to optimise and the rules; money in KZT, shares in [0, 1]."""

    objective: str = "max_coverage"
    coverage_target: float = 1.0
    budget_total: float | None = None
    budget_capex: float | None = None
    budget_opex: float | None = None
    horizon_years: int = 5
    max_new: int | None = None
    capacitated: bool = False
    equity_min: float = 0.0
    family_care: bool = False
    family_size: int = 4
    carer_kzt_per_year: float = 0.0
    min_share_floor: float | None = None


@dataclass
class Built:
    """A PuLP problem and handles to its variables and key expressions."""

    prob: pulp.LpProblem
    y: list[pulp.LpVariable]
    cover: dict[int, pulp.LpAffineExpression]
    x: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    recruits: dict[int, pulp.LpVariable] = field(default_factory=dict)
    t: pulp.LpVariable | None = None
    capacitated: bool = False
    capex: pulp.LpAffineExpression | None = None
    opex: pulp.LpAffineExpression | None = None


def _expr(pairs) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(pairs)


def build_model(inst: Instance, opt: ModelOptions) -> Built:
    """Build the PuLP model for `opt.objective` on `inst`."""
    sense = pulp.LpMinimize if opt.objective in ("min_travel", "min_cost") else pulp.LpMaximize
    prob = pulp.LpProblem(opt.objective, sense)
    y = [pulp.LpVariable(f"y{j}", lowBound=int(inst.min_count[j]),
                         upBound=int(max(inst.max_count[j], inst.min_count[j])),
                         cat=pulp.LpInteger) for j in range(inst.m)]
    built = Built(prob=prob, y=y, cover={}, capacitated=opt.capacitated)

    if opt.objective == "min_travel":
        _assignment(inst, opt, built)
    elif opt.capacitated:
        _capacitated_cover(inst, built)
    else:
        _uncapacitated_cover(inst, built)

    recruit_cost = _family_care(inst, opt, built)
    built.capex = _expr([(y[j], float(inst.capex[j])) for j in range(inst.m)])
    built.opex = _expr([(y[j], float(inst.opex[j])) for j in range(inst.m)] + recruit_cost)
    whole_life = _expr([(y[j], float(inst.capex[j] + opt.horizon_years * inst.opex[j]))
                        for j in range(inst.m)]
                       + [(v, opt.horizon_years * c) for v, c in recruit_cost])
    if opt.budget_total is not None:
        prob += whole_life <= opt.budget_total, "budget_total"
    if opt.budget_capex is not None:
        prob += built.capex <= opt.budget_capex, "budget_capex"
    if opt.budget_opex is not None:
        prob += built.opex <= opt.budget_opex, "budget_opex"
    if opt.max_new is not None:
        new = [(y[j], 1.0) for j in range(inst.m) if inst.site_kind[j] != "existing"]
        prob += _expr(new) <= opt.max_new, "max_new"

    _equity(inst, opt, built)
    covered = _expr([(v, float(inst.weights[i]) * c)
                     for i, e in built.cover.items() for v, c in e.items()])
    if opt.objective == "min_cost":
        target = opt.coverage_target * float(inst.weights.sum())
        # Always enforced (target 1 = set covering). No "- 1e-6" slack here or in the equity
        # rows: HiGHS 1.15 presolve wrongly reports near-forcing rows (slack ~1e-7..1e-6) as
        # infeasible; exact right-hand sides are left to the solver's feasibility tolerance.
        prob += covered >= target, "coverage_target"
        prob.setObjective(whole_life)
    elif opt.objective == "min_travel":
        prob.setObjective(_expr([(v, float(inst.weights[i] * m))
                                 for (i, _j), (v, m) in _with_minutes(inst, built).items()]))
    elif opt.objective == "max_min_coverage" and opt.min_share_floor is None:
        built.t = pulp.LpVariable("t", 0, 1)
        for u, rows in _unit_cover(inst, built).items():
            prob += _expr(rows + [(built.t, -float(inst.weights[inst.demand_unit == u].sum()))]) \
                >= 0, f"minshare_{u}"
        prob.setObjective(_expr([(built.t, 1.0)]))
    else:
        if opt.min_share_floor is not None:
            for u, rows in _unit_cover(inst, built).items():
                need = opt.min_share_floor * float(inst.weights[inst.demand_unit == u].sum())
                prob += _expr(rows) >= need, f"minshare_{u}"
        prob.setObjective(covered + _tie_break(inst, opt, built))
    return built


def _tie_break(inst: Instance, opt: ModelOptions, built: Built) -> pulp.LpAffineExpression:
    """A cost penalty worth < 0.5 children in total, so among plans covering as many
    children the cheapest wins, without changing the coverage optimum (children are whole).
    Recruited foster families count too, else the solver may recruit any number of them."""
    cost = inst.capex + opt.horizon_years * inst.opex
    terms = [(built.y[j], float(cost[j])) for j in range(inst.m)]
    total = float((cost * np.maximum(inst.max_count, inst.min_count)).sum())
    per_recruit = opt.horizon_years * opt.carer_kzt_per_year
    for u, r in built.recruits.items():
        moved = inst.site_children[(inst.site_kind == "convert") & (inst.site_unit == u)].sum()
        terms.append((r, per_recruit))
        total += per_recruit * float(np.ceil(moved / max(opt.family_size, 1)))
    if total <= 0:
        return pulp.LpAffineExpression()
    return _expr([(v, -0.5 * c / total) for v, c in terms])


def _uncapacitated_cover(inst: Instance, built: Built) -> None:
    """z_i <= sum_{j within standard} y_j; z_i fixed to 1 for full-coverage set covering."""
    keep = inst.within_standard()
    rows, cols = inst.rows[keep], inst.cols[keep]
    starts = np.searchsorted(rows, np.arange(inst.n + 1))
    for i in range(inst.n):
        js = cols[starts[i]:starts[i + 1]]
        if js.size == 0:
            continue
        z = pulp.LpVariable(f"z{i}", 0, 1)
        built.prob += _expr([(z, 1.0)] + [(built.y[j], -1.0) for j in js]) <= 0, f"cov{i}"
        built.cover[i] = _expr([(z, 1.0)])


def _capacitated_cover(inst: Instance, built: Built) -> None:
    keep = inst.within_standard()
    _assign_vars(inst, built, inst.rows[keep], inst.cols[keep], equality=False)
    _capacity_rows(inst, built)


def _assignment(inst: Instance, opt: ModelOptions, built: Built) -> None:
    """p-median assignment: every demand point to one open site within the cut-off."""
    _assign_vars(inst, built, inst.rows, inst.cols, equality=True)
    if opt.capacitated:
        _capacity_rows(inst, built)
    else:
        for (i, j), v in built.x.items():
            built.prob += _expr([(v, 1.0), (built.y[j], -1.0)]) <= 0, f"link{i}_{j}"
    standard = inst.within_standard()
    built.cover = {}
    for k in np.flatnonzero(standard):
        i, j = int(inst.rows[k]), int(inst.cols[k])
        built.cover.setdefault(i, pulp.LpAffineExpression())
        built.cover[i].addterm(built.x[(i, j)], 1.0)


def _assign_vars(inst: Instance, built: Built, rows: np.ndarray, cols: np.ndarray,
                 equality: bool) -> None:
    starts = np.searchsorted(rows, np.arange(inst.n + 1))
    for i in range(inst.n):
        js = cols[starts[i]:starts[i + 1]]
        if js.size == 0:
            continue
        xs = [pulp.LpVariable(f"x{i}_{j}", 0, 1) for j in js]
        for j, v in zip(js, xs):
            built.x[(i, int(j))] = v
        e = _expr([(v, 1.0) for v in xs])
        if equality and inst.weights[i] > 0:  # a settlement without children needs no centre
            built.prob += e == 1, f"assign{i}"
        else:
            built.prob += e <= 1, f"assign{i}"
        built.cover[i] = e


def _capacity_rows(inst: Instance, built: Built) -> None:
    by_site: dict[int, list] = {}
    for (i, j), v in built.x.items():
        by_site.setdefault(j, []).append((v, float(inst.weights[i])))
    for j, terms in by_site.items():
        if np.isfinite(inst.capacity[j]):
            built.prob += _expr(terms + [(built.y[j], -float(inst.capacity[j]))]) <= 0, f"cap{j}"


def _with_minutes(inst: Instance, built: Built) -> dict:
    minutes = {(int(i), int(j)): float(m) for i, j, m in zip(inst.rows, inst.cols, inst.minutes)}
    return {k: (v, minutes[k]) for k, v in built.x.items()}


def _unit_cover(inst: Instance, built: Built) -> dict[int, list]:
    """Per unit with children: the (variable, children) terms of its covered children."""
    out: dict[int, list] = {u: [] for u in np.unique(inst.demand_unit[inst.weights > 0])
                            if u >= 0}
    for i, e in built.cover.items():
        u = int(inst.demand_unit[i])
        if u in out:
            out[u].extend((v, float(inst.weights[i]) * c) for v, c in e.items())
    return {int(u): rows for u, rows in out.items()}


def _equity(inst: Instance, opt: ModelOptions, built: Built) -> None:
    if opt.equity_min <= 0:
        return
    for u, rows in _unit_cover(inst, built).items():
        need = opt.equity_min * float(inst.weights[inst.demand_unit == u].sum())
        built.prob += _expr(rows) >= need, f"equity_{u}"


def _family_care(inst: Instance, opt: ModelOptions, built: Built) -> list:
    """Children leaving converted institutions need family places in their unit: spare
    places + family_size x recruited professional families. Returns the recruits' annual
    cost terms."""
    if not opt.family_care:
        return []
    terms: list = []
    conv = np.flatnonzero((inst.site_kind == "convert") & (inst.site_children > 0))
    for u in np.unique(inst.site_unit[conv]):
        js = conv[inst.site_unit[conv] == u]
        spare = float(inst.family_spare[u]) if 0 <= u < inst.family_spare.size else 0.0
        r = pulp.LpVariable(f"r{u}", 0, None, cat=pulp.LpInteger)
        built.recruits[int(u)] = r
        built.prob += _expr([(built.y[j], float(inst.site_children[j])) for j in js]
                            + [(r, -float(opt.family_size))]) <= spare, f"family_{u}"
        terms.append((r, float(opt.carer_kzt_per_year)))
    return terms
