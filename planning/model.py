"""The siting model in PuLP, built from the sparse travel matrix.

Decisions: y_j = centres at site j (integer; new sites up to `max_count`, conversions and
existing centres 0/1, must-open and kept centres fixed >= 1), r_u = professional foster
families recruited in unit u (integer), and demand coverage/assignment:

- coverage objectives (max_coverage, min_cost, max_min_coverage) work on demand *groups*:
  settlements of one unit reaching exactly the same sites within the standard are merged
  (weights summed). This is exact - their constraints and objective terms are identical -
  and it roughly halves the national model, which HiGHS then proves optimal ~6x faster.
  - uncapacitated: z_g in [0, 1] with z_g <= sum of y_j over the group's sites (MCLP /
    set covering; z_g fixed to 1 when every child must be covered). Dominated candidates
    (covering a subset of what a fixed-open or no-dearer site covers) are left out first,
    which merges more groups: 112 of the 405 national candidates, 213 of 500 on 350 x 500;
  - capacitated: x_gj in [0, 1] per group and site, sum_j x_gj <= 1 and
    sum_g children_g x_gj <= capacity_j y_j (splittable demand), tightened by x_gj <= y_j
    where the group has fewer children than the site's capacity (national solve 1.3 s ->
    0.1 s; for larger groups the capacity row implies the weaker form and adding it slows).
- min_travel (p-median / budgeted), every child assigned within the cut-off:
  - uncapacitated: the truncated radius formulation of `planning.radius` (its rows come from
    there as arrays); `Built.deepen` deepens the levels and the solve repeats. Far fewer
    rows and variables than one x_ij per pair. A pure p-median solved by HiGHS skips PuLP
    altogether: `planning.radius_highs` keeps its model in one HiGHS instance.
  - capacitated: x_ij for pairs within the cut-off, sum_j x_ij = 1, capacity rows,
    minimising child-minutes.

Every expression is built from (variable, coefficient) pairs with `LpAffineExpression`
(far faster than `lpSum` of products); a dict-backed expression keeps one coefficient per
variable, so terms are summed with `_add` before building.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pulp

from planning import radius as levels_of
from planning.deadline import Deadline
from planning.instance import Instance
from planning.radius import Radius
from planning.radius_highs import RadiusHighs

FIRST_LEVELS = 8  # fewest radius levels modelled per settlement before any deepening


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
    released_kzt_per_child: float = 0.0
    min_share_floor: float | None = None
    capacity_relaxation: bool = False  # uncapacitated model bounding a capacitated one


def net_opex(inst: Instance, released_kzt_per_child: float) -> np.ndarray:
    """Annual running cost of one centre at each site, net of what a conversion releases:
    each child leaving the institution for a family stops costing `released_kzt_per_child`
    a year (the institution's cost per child net of the family placement's)."""
    release = np.where(inst.site_kind == "convert", inst.site_children, 0.0)
    return inst.opex - release * float(released_kzt_per_child)


def running_cost(inst: Instance, counts: np.ndarray, recruit_kzt: float,
                 released_kzt_per_child: float) -> tuple[float, float]:
    """(net, charged) annual running cost of a plan with `counts` centres per site. Net:
    centres' and recruited families' (`recruit_kzt`) running costs less what its conversions
    release, the state's net cost, negative when conversions pay (what min_cost and the
    tie-break minimise). Charged: net but never below zero, what the budgets count: a
    released tenge offsets a running cost, it does not pay for buildings (`_running`)."""
    net = float((counts * net_opex(inst, released_kzt_per_child)).sum()) + recruit_kzt
    return net, max(0.0, net)


@dataclass
class Built:
    """A PuLP problem and handles to its variables and key expressions.

    cover[i]: settlement i's covered share as an expression (settlements merged into one
    demand group share it). x[(i, j)]: the assignment share of i to j (shared by a group).
    radius/inst/opt: set for the truncated radius formulation, see `deepen`.
    start: a feasible plan (centres per site) handed to the solver; lower: a valid lower
    bound on the optimum found outside the solver (the p-median's Lagrangian bound);
    deadline: when the whole solve (build included) must end, None for the solver's limit.
    direct: the pure p-median's model in HiGHS (`build_direct`), else None. trace:
    (perf_counter time, best plan's true cost, best bound) as they improve (p-median).
    """

    prob: pulp.LpProblem
    y: list[pulp.LpVariable]
    cover: dict[int, pulp.LpAffineExpression]
    x: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    recruits: dict[int, pulp.LpVariable] = field(default_factory=dict)
    t: pulp.LpVariable | None = None
    capacitated: bool = False
    capex: pulp.LpAffineExpression | None = None
    opex: pulp.LpAffineExpression | None = None
    radius: Radius | None = None
    inst: Instance | None = None
    opt: ModelOptions | None = None
    start: np.ndarray | None = None
    lower: float | None = None
    deadline: Deadline | None = None
    direct: RadiusHighs | None = None
    trace: list[tuple[float, float, float]] = field(default_factory=list)

    def counts(self) -> np.ndarray:
        """Centres per site in the current solution."""
        if self.direct is not None:
            return self.direct.counts.copy()
        return np.array([int(round(v.value() or 0)) for v in self.y], dtype=int)

    def use_plan(self, counts: np.ndarray) -> None:
        """Make `counts` (centres per site) the current solution."""
        if self.direct is not None:
            self.direct.counts = counts.astype(int).copy()
        for v, c in zip(self.y, counts):
            v.varValue = float(c)

    def dimensions(self) -> tuple[int, int]:
        """(variables, constraints) of the model as it now is."""
        if self.direct is not None:
            return self.direct.num_col, self.direct.num_row
        return len(self.prob.variables()), len(self.prob.constraints)

    def deepen(self) -> bool:
        """After a solve of the truncated radius model: True when its plan's cost was
        undercounted, with the levels deepened; `rebuild` then makes the deeper model."""
        if self.radius is None or self.inst is None:
            return False
        return self.radius.deepen(self.inst, self.counts())

    def rebuild(self) -> None:
        """Rebuild this model in place with the current radius levels; the last plan is
        the new model's start (it stays feasible: only levels are added)."""
        if self.inst is None or self.opt is None:
            raise ValueError("only a truncated radius model can be rebuilt")
        if self.direct is not None:  # the same HiGHS model, the new levels appended
            self.start = self.counts()
            self.direct.extend()
            return
        counts, lower, deadline, trace = self.counts(), self.lower, self.deadline, self.trace
        self.__dict__.update(build_model(self.inst, self.opt, self.radius).__dict__)
        self.start, self.lower, self.deadline, self.trace = counts, lower, deadline, trace

    def start_values(self) -> dict[pulp.LpVariable, float]:
        """Centres per site of the start plan, for the solver (empty without one)."""
        if self.start is None:
            return {}
        return {v: float(c) for v, c in zip(self.y, self.start)}


def _expr(pairs) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(pairs)


def _add(into: dict, pairs) -> dict:
    """Accumulate (variable, coefficient) pairs into a dict, summing repeated variables."""
    for v, c in pairs:
        into[v] = into.get(v, 0.0) + c
    return into


def build_model(inst: Instance, opt: ModelOptions, radius: Radius | None = None,
                start: np.ndarray | None = None) -> Built:
    """Build the PuLP model for `opt.objective` on `inst` (`radius`: the levels kept by a
    previous truncated p-median solve; `start`: a feasible plan's centres per site, handed
    to the solver and, for the p-median, modelled exactly by the first radius levels)."""
    sense = pulp.LpMinimize if opt.objective in ("min_travel", "min_cost") else pulp.LpMaximize
    prob = pulp.LpProblem(opt.objective, sense)
    y = [prob.add_variable(f"y{j}", int(inst.min_count[j]),
                           int(max(inst.max_count[j], inst.min_count[j])), pulp.LpInteger)
         for j in range(inst.m)]
    built = Built(prob=prob, y=y, cover={}, capacitated=opt.capacitated, start=start)
    travel = None
    if opt.objective == "min_travel" and opt.capacitated:
        travel = _assignment(inst, built)
    elif opt.objective == "min_travel":
        travel = _radius(inst, opt, built, radius or Radius.of(inst, _first_levels(inst, opt),
                                                               start))
    else:
        full = opt.objective == "min_cost" and opt.coverage_target >= 1
        if opt.capacitated:
            _capacitated_cover(inst, built, demand_groups(inst), full)
        else:
            # a capacitated model's relaxation keeps every site: each adds capacity
            drop = (np.zeros(inst.m, dtype=bool) if opt.capacity_relaxation
                    else dominated_sites(inst))
            for j in np.flatnonzero(drop):
                y[j].upBound = 0
            _uncapacitated_cover(inst, built, demand_groups(inst, drop), full, drop)

    recruit_cost = _family_care(inst, opt, built)
    built.capex = _expr([(y[j], float(inst.capex[j])) for j in range(inst.m)])
    built.opex = _running(inst, opt, built, recruit_cost)
    whole_life = built.capex + opt.horizon_years * built.opex
    opex = net_opex(inst, opt.released_kzt_per_child)
    net_cost = _expr([(y[j], float(inst.capex[j] + opt.horizon_years * opex[j]))
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
    if opt.objective == "min_cost":
        if opt.coverage_target < 1:
            target = opt.coverage_target * float(inst.weights.sum())
            prob += _covered(inst, built) >= target, "coverage_target"
        prob.setObjective(net_cost)
    elif opt.objective == "min_travel":
        prob.setObjective(travel)
    elif opt.objective == "max_min_coverage" and opt.min_share_floor is None:
        built.t = prob.add_variable("t", 0, 1)
        for u, covered in _unit_cover(inst, built).items():
            w_u = float(inst.weights[inst.demand_unit == u].sum())
            prob += covered - w_u * built.t >= 0, f"minshare_{u}"
        prob.setObjective(_expr([(built.t, 1.0)]))
    else:
        if opt.min_share_floor is not None:
            for u, covered in _unit_cover(inst, built).items():
                need = opt.min_share_floor * float(inst.weights[inst.demand_unit == u].sum())
                prob += covered >= need, f"minshare_{u}"
        prob.setObjective(_expr(_add(_add({}, _covered(inst, built).items()),
                                     _tie_break(inst, opt, built))))
    return built


def build_direct(inst: Instance, opt: ModelOptions, radius: Radius | None = None,
                 start: np.ndarray | None = None) -> Built:
    """A pure p-median (`planning.pmedian.applies`) for HiGHS, built straight into it
    (`planning.radius_highs`): the same radius model as `build_model`'s, without PuLP
    objects (`prob` stays empty, `y` too; `counts()` reads the plan)."""
    radius = radius or Radius.of(inst, _first_levels(inst, opt), start)
    return Built(prob=pulp.LpProblem(opt.objective, pulp.LpMinimize), y=[], cover={},
                 radius=radius, inst=inst, opt=opt, start=start,
                 direct=RadiusHighs(inst, radius, opt.max_new))


def _running(inst: Instance, opt: ModelOptions, built: Built,
             recruit_cost: list) -> pulp.LpAffineExpression:
    """The plan's annual running cost as the budgets count it (`running_cost`'s charged
    cost): with nothing to release the plain sum, otherwise a variable bounded below by zero
    and by the net sum."""
    release = inst.opex - net_opex(inst, opt.released_kzt_per_child)
    gross = [(built.y[j], float(inst.opex[j])) for j in range(inst.m)] + recruit_cost
    if not (release > 0).any():
        return _expr(gross)
    running = built.prob.add_variable("running", 0, None)
    # summed per variable: a conversion's centre has a running cost and a release
    net = _expr(_add(_add({}, gross), ((built.y[j], -float(release[j]))
                                       for j in np.flatnonzero(release > 0))))
    built.prob += _expr([(running, 1.0)]) - net >= 0, "running_net_of_released"
    return _expr([(running, 1.0)])


def _tie_break(inst: Instance, opt: ModelOptions, built: Built) -> list:
    """The cost tie-break's (variable, coefficient) terms (see `tie_break`)."""
    per_site, per_recruit = tie_break(inst, opt, list(built.recruits))
    if not per_site.any() and not per_recruit:
        return []
    return ([(built.y[j], float(per_site[j])) for j in range(inst.m)]
            + [(r, per_recruit) for r in built.recruits.values()])


def tie_break(inst: Instance, opt: ModelOptions, recruit_units: list[int]) -> tuple[np.ndarray,
                                                                                   float]:
    """Objective coefficients of a cost penalty worth < 0.5 children in total: per centre at
    each site and per family recruited in `recruit_units`, so among plans covering as many
    children the cheapest wins, without changing the coverage optimum (children are whole).
    Recruited foster families count too, else the solver may recruit any number of them.
    Costs are net of released running costs, so may be negative (a conversion that pays).
    All zero when nothing costs anything."""
    cost = inst.capex + opt.horizon_years * net_opex(inst, opt.released_kzt_per_child)
    total = float((np.abs(cost) * np.maximum(inst.max_count, inst.min_count)).sum())
    per_recruit = opt.horizon_years * opt.carer_kzt_per_year
    for u in recruit_units:
        moved = inst.site_children[(inst.site_kind == "convert") & (inst.site_unit == u)].sum()
        total += per_recruit * float(np.ceil(moved / max(opt.family_size, 1)))
    if total <= 0:
        return np.zeros(inst.m), 0.0
    return -0.5 * cost / total, -0.5 * per_recruit / total if recruit_units else 0.0


def _standard_sites(inst: Instance,
                    drop: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sites within the standard per settlement (leaving out `drop`), CSR form:
    cols[starts[i]:starts[i + 1]] (sorted)."""
    keep = inst.within_standard()
    if drop is not None:
        keep &= ~drop[inst.cols]
    rows, cols = inst.rows[keep], inst.cols[keep]
    order = np.lexsort((cols, rows))
    return cols[order], np.searchsorted(rows[order], np.arange(inst.n + 1))


def demand_groups(inst: Instance, drop: np.ndarray | None = None) -> list[np.ndarray]:
    """Settlements with at least one site within the standard, grouped by (unit, set of
    those sites, leaving out `drop`); each group as an array of settlement indices."""
    cols, starts = _standard_sites(inst, drop)
    groups: dict[tuple, list[int]] = {}
    for i in range(inst.n):
        a, b = starts[i], starts[i + 1]
        if b > a:
            groups.setdefault((int(inst.demand_unit[i]), cols[a:b].tobytes()), []).append(i)
    return [np.array(g) for g in groups.values()]


def dominated_sites(inst: Instance) -> np.ndarray:
    """Mask of new candidate sites an uncapacitated coverage plan never needs: a site whose
    settlements within the standard are all within the standard of a fixed-open site, or of
    another new site costing no more (capex and opex). Any plan using it covers as many
    children without it (or with the other site instead) at no higher cost, so dropping it
    keeps the optimum; ties keep the lowest index, so some dominating site always stays."""
    cover = inst.cover_matrix()
    size = np.asarray(cover.sum(axis=0)).ravel()
    both = (cover.T @ cover).tocoo()
    j, k = both.row, both.col
    subset = (both.data == size[j]) & (j != k)
    j, k = j[subset], k[subset]
    free_new = (inst.site_kind == "new") & (inst.min_count == 0)
    cheaper = ((inst.site_kind[k] == "new") & (inst.max_count[k] >= 1)
               & (inst.capex[k] <= inst.capex[j])
               & (inst.opex[k] <= inst.opex[j]))
    strict = ((size[k] > size[j]) | (inst.capex[k] < inst.capex[j])
              | (inst.opex[k] < inst.opex[j]) | (k < j))
    out = np.zeros(inst.m, dtype=bool)
    out[j[free_new[j] & ((inst.min_count[k] > 0) | (cheaper & strict))]] = True
    return out


def _uncapacitated_cover(inst: Instance, built: Built, groups: list[np.ndarray],
                         full: bool, drop: np.ndarray) -> None:
    """z_g <= sum_{j within standard, not dropped} y_j per demand group; z_g = 1 for full
    coverage."""
    cols, starts = _standard_sites(inst, drop)
    for g, members in enumerate(groups):
        i = int(members[0])
        js = cols[starts[i]:starts[i + 1]]
        need = full and inst.weights[members].sum() > 0  # no children: nothing to cover
        z = built.prob.add_variable(f"z{g}", 1 if need else 0, 1)
        built.prob += _expr([(z, 1.0)] + [(built.y[j], -1.0) for j in js]) <= 0, f"cov{g}"
        for i in members:
            built.cover[int(i)] = _expr([(z, 1.0)])


def _capacitated_cover(inst: Instance, built: Built, groups: list[np.ndarray],
                       full: bool) -> None:
    """x_gj per demand group and site within the standard, sum_j x_gj <= 1 (= 1 for full
    coverage), capacity rows on the groups' children."""
    cols, starts = _standard_sites(inst)
    by_site: dict[int, list] = {}
    for g, members in enumerate(groups):
        i0 = int(members[0])
        js = cols[starts[i0]:starts[i0 + 1]]
        w = float(inst.weights[members].sum())
        xs = [built.prob.add_variable(f"x{g}_{j}", 0, 1) for j in js]
        e = _expr([(v, 1.0) for v in xs])
        if full and w > 0:  # no children: nothing to cover
            built.prob += e == 1, f"assign{g}"
        else:
            built.prob += e <= 1, f"assign{g}"
        for j, v in zip(js, xs):
            by_site.setdefault(int(j), []).append((v, w))
            for i in members:
                built.x[(int(i), int(j))] = v
            if w < inst.capacity[j]:  # x_gj <= y_j; for larger groups the capacity row implies it
                built.prob += _expr([(v, 1.0), (built.y[j], -1.0)]) <= 0, f"link{g}_{j}"
        for i in members:
            built.cover[int(i)] = e
    _capacity_rows(inst, built, by_site)


def _assignment(inst: Instance, built: Built) -> pulp.LpAffineExpression:
    """Capacitated p-median: every settlement to open sites within the cut-off (shares
    x_ij summing to 1); returns the child-minutes objective."""
    starts = np.searchsorted(inst.rows, np.arange(inst.n + 1))
    by_site: dict[int, list] = {}
    cost = []
    standard = inst.within_standard()
    for i in range(inst.n):
        a, b = starts[i], starts[i + 1]
        if b == a:
            continue
        xs = [built.prob.add_variable(f"x{i}_{j}", 0, 1) for j in inst.cols[a:b]]
        w = float(inst.weights[i])
        if w > 0:  # a settlement without children needs no centre
            built.prob += _expr([(v, 1.0) for v in xs]) == 1, f"assign{i}"
        else:
            built.prob += _expr([(v, 1.0) for v in xs]) <= 1, f"assign{i}"
        built.cover[i] = _expr([(v, 1.0) for v, ok in zip(xs, standard[a:b]) if ok])
        for j, v, m in zip(inst.cols[a:b], xs, inst.minutes[a:b]):
            built.x[(i, int(j))] = v
            by_site.setdefault(int(j), []).append((v, w))
            cost.append((v, w * float(m)))
    _capacity_rows(inst, built, by_site)
    return _expr(cost)


def _capacity_rows(inst: Instance, built: Built, by_site: dict[int, list]) -> None:
    for j, terms in by_site.items():
        if np.isfinite(inst.capacity[j]):
            built.prob += _expr(terms + [(built.y[j], -float(inst.capacity[j]))]) <= 0, f"cap{j}"


def _radius(inst: Instance, opt: ModelOptions, built: Built,
            radius: Radius) -> pulp.LpAffineExpression:
    """Uncapacitated min_travel, truncated radius formulation (`planning.radius`); returns
    the child-minutes objective (a lower bound until `deepen` finds it exact)."""
    if opt.equity_min > 0:  # the equity rule needs each settlement's level of the standard
        for i in range(inst.n):
            a, b = radius.start[i], radius.start[i + 1]
            at_standard = int((inst.minutes[radius.order[a:b]] <= inst.standard + 1e-9).sum())
            if at_standard:
                k = int(radius.level[a + at_standard - 1])
                radius.kept[i] = max(radius.kept[i], min(k, radius.total(i)))
    built.radius, built.inst, built.opt = radius, inst, opt
    y = built.y
    for g, reach in enumerate(levels_of.assign_rows(inst, radius)):
        built.prob += _expr([(y[j], 1.0) for j in reach.tolist()]) >= 1, f"assign{g}"
    lv = levels_of.levels(inst, radius, np.zeros(inst.n, dtype=int), np.full(inst.n, -1), 0)
    us = [built.prob.add_variable(f"u{i}_{k}", 0, 1)
          for i, k in zip(lv.settlement.tolist(), lv.level.tolist())]
    for c, u in enumerate(us):
        terms = [(u, 1.0)] + ([(us[lv.prev[c]], -1.0)] if lv.prev[c] >= 0 else [])
        terms += [(y[j], 1.0) for j in lv.sites[lv.start[c]:lv.start[c + 1]].tolist()]
        built.prob += _expr(terms) >= float(lv.rhs[c]), f"lv{lv.settlement[c]}_{lv.level[c]}"
    u_of: dict[int, dict[int, pulp.LpVariable]] = {}
    for c, u in enumerate(us):
        u_of.setdefault(int(lv.settlement[c]), {})[int(lv.level[c])] = u
    for i in range(inst.n):
        a, b = radius.start[i], radius.start[i + 1]
        if b > a:
            built.cover[i] = _radius_cover(inst, inst.minutes[radius.order[a:b]],
                                           radius.level[a:b], u_of.get(i, {}), radius.total(i))
    cost = {u: float(c) for u, c in zip(us, lv.cost) if c > 0}
    return pulp.LpAffineExpression(cost, constant=levels_of.constant(inst, radius))


def _first_levels(inst: Instance, opt: ModelOptions) -> int:
    """Radius levels to model first: about the sites per open centre (m / p, p bounded by
    the new-centre limit and the whole-life budget), at least FIRST_LEVELS. A settlement's
    nearest open centre is typically that deep, so one or two deepenings suffice."""
    cost = inst.capex + opt.horizon_years * inst.opex
    p = float(inst.m)
    if opt.max_new is not None:
        p = min(p, opt.max_new + float((inst.site_kind == "existing").sum()))
    if opt.budget_total is not None and (cost > 0).any():
        p = min(p, opt.budget_total / float(cost[cost > 0].min()))
    return max(FIRST_LEVELS, int(np.ceil(inst.m / max(p, 1.0))))


def _radius_cover(inst: Instance, mins: np.ndarray, lev: np.ndarray,
                  u_of: dict[int, pulp.LpVariable], total: int) -> pulp.LpAffineExpression:
    """Covered share of a settlement: 1 - u at the last level within the standard."""
    within = int((mins <= inst.standard + 1e-9).sum())
    if within == 0:
        return pulp.LpAffineExpression()
    k = int(lev[within - 1])
    if k >= total:
        return pulp.LpAffineExpression(constant=1.0)
    if k not in u_of:
        return pulp.LpAffineExpression()  # not modelled: only needed by the equity rule
    return pulp.LpAffineExpression({u_of[k]: -1.0}, constant=1.0)


def _covered(inst: Instance, built: Built) -> pulp.LpAffineExpression:
    """Children covered: sum_i children_i x cover_i (merged groups' terms summed)."""
    terms: dict = {}
    constant = 0.0
    for i, e in built.cover.items():
        w = float(inst.weights[i])
        _add(terms, ((v, w * c) for v, c in e.items()))
        constant += w * e.constant
    return pulp.LpAffineExpression(terms, constant=constant)


def _unit_cover(inst: Instance, built: Built) -> dict[int, pulp.LpAffineExpression]:
    """Per unit with children: its children covered, as an expression."""
    units = [int(u) for u in np.unique(inst.demand_unit[inst.weights > 0]) if u >= 0]
    terms: dict[int, dict] = {u: {} for u in units}
    constant = dict.fromkeys(units, 0.0)
    for i, e in built.cover.items():
        u = int(inst.demand_unit[i])
        if u in terms:
            w = float(inst.weights[i])
            _add(terms[u], ((v, w * c) for v, c in e.items()))
            constant[u] += w * e.constant
    return {u: pulp.LpAffineExpression(terms[u], constant=constant[u]) for u in units}


def _equity(inst: Instance, opt: ModelOptions, built: Built) -> None:
    if opt.equity_min <= 0:
        return
    for u, covered in _unit_cover(inst, built).items():
        need = opt.equity_min * float(inst.weights[inst.demand_unit == u].sum())
        built.prob += covered >= need, f"equity_{u}"


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
        r = built.prob.add_variable(f"r{u}", 0, None, pulp.LpInteger)
        built.recruits[int(u)] = r
        built.prob += _expr([(built.y[j], float(inst.site_children[j])) for j in js]
                            + [(r, -float(opt.family_size))]) <= spare, f"family_{u}"
        terms.append((r, float(opt.carer_kzt_per_year)))
    return terms


def families_needed(inst: Instance, counts: np.ndarray, opt: ModelOptions) -> dict[int, int]:
    """Professional foster families each unit must recruit for the plan: children leaving its
    converted institutions beyond its spare family places, `family_size` per family. The
    model only bounds recruits from below (and min_travel does not price them), so the plan
    reports this least number, which meets every rule the model's number met, for less."""
    out: dict[int, int] = {}
    if not opt.family_care:
        return out
    conv = (inst.site_kind == "convert") & (inst.site_children > 0)
    for u in np.unique(inst.site_unit[conv]):
        moved = float((counts * inst.site_children)[conv & (inst.site_unit == u)].sum())
        spare = float(inst.family_spare[u]) if 0 <= u < inst.family_spare.size else 0.0
        out[int(u)] = int(np.ceil(max(0.0, moved - spare) / opt.family_size - 1e-9))
    return out
