"""Solved plans never break a rule, checked from the PlanResult tables alone.

For each plan the checks recompute, from the inputs (layers and scenario, or a random
instance's arrays) and the result's own tables (sites, assignments, settlements), never from
the model's objective or KPIs: capital, annual and whole-life costs against the budgets
(recruited foster families counted from the institutions and foster layers), centres per
site, children served per site against capacity x centres, must-open sites opened, excluded
sites not used, existing centres kept, the new-centre limit, travel minutes (geodesic, for the
real data), coverage (uncapacitated: exactly the children with an open centre within the
standard), the equity share per unit, and the summary's figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point
from test_planning_bruteforce import (
    CARER_MONTH,
    FAMILY,
    H,
    random_instance,
    scenario_for,
    whole_life,
)

from geo.layers import load_layers
from planning.instance import Instance
from planning.optimize import SolveInfo
from planning.results import PlanResult, make_result
from planning.scenario import Scenario
from planning.solve import run_scenario, solve_instance

GEOD = Geod(ellps="WGS84")


@dataclass
class Truth:
    """What the inputs say, independently of the model."""

    children: pd.Series            # settlement_id -> children
    unit: pd.Series                # settlement_id -> unit code
    sites: pd.DataFrame            # site_id -> kind, capex, opex, capacity, max_count, unit,
    #                                 children_in_care (every usable candidate, excluded dropped)
    must_open: set[str]
    excluded: set[str]
    kept: set[str]
    spare: dict[str, float]        # unit -> spare family places
    minutes: Callable[[str, str], float]
    standard: float


def check_rules(result: PlanResult, s: Scenario, truth: Truth, capacitated: bool) -> None:
    assert result.summary["status"] in ("optimal", "feasible")
    sites = result.sites.set_index("site_id")
    # -- which sites -------------------------------------------------------------------------
    assert sites.index.is_unique
    assert set(sites.index) <= set(truth.sites.index), "a site that is not a candidate"
    assert not set(sites.index) & truth.excluded, "an excluded site is used"
    assert truth.must_open <= set(sites.index), "a must-open site is not open"
    assert truth.kept <= set(sites.index), "an existing centre was not kept"
    kinds = truth.sites.loc[sites.index, "kind"]
    assert (sites["decision"] == kinds.map({"new": "open", "convert": "convert",
                                            "existing": "existing"})).all()
    assert (sites["centres"] >= 1).all()
    assert (sites["centres"] <= truth.sites.loc[sites.index, "max_count"]).all()
    if s.candidates.max_new is not None:
        assert sites.loc[kinds != "existing", "centres"].sum() <= s.candidates.max_new
    # -- money -------------------------------------------------------------------------------
    t = truth.sites.loc[sites.index]
    capex = float((sites["centres"] * t["capex"]).sum())
    recruits = 0
    if s.family_care.enabled:
        conv = t[t["kind"] == "convert"]
        for unit, moved in conv.groupby("unit")["children_in_care"].sum().items():
            extra = max(0.0, moved - truth.spare.get(unit, 0.0))
            recruits += math.ceil(extra / s.family_care.professional_family_children - 1e-9)
    opex = float((sites["centres"] * t["opex"]).sum()) \
        + recruits * s.family_care.carer_kzt_per_year
    h = s.budget.horizon_years
    summary = result.summary
    assert summary["cost_capex"] == pytest.approx(capex, rel=1e-9)
    assert summary["cost_opex"] == pytest.approx(opex, rel=1e-9)
    assert summary["family_care"]["families_recruited"] == recruits
    fc = s.family_care
    if fc.enabled and fc.credit_released:  # children moved stop costing their institution
        moved = float((sites["centres"] * t["children_in_care"])[t["kind"] == "convert"].sum())
        opex = max(0.0, opex - moved * (fc.institution_kzt_per_child_year
                                        - 12 * fc.child_kzt_per_month))  # offsets, not pays
    assert summary["cost_opex_net"] == pytest.approx(opex, rel=1e-9, abs=1e-3)
    b = s.budget
    if b.total_kzt is not None:
        assert capex + h * opex <= b.total_kzt * (1 + 1e-9)
    if b.capex_kzt is not None:
        assert capex <= b.capex_kzt * (1 + 1e-9)
    if b.opex_kzt_per_year is not None:
        assert opex <= b.opex_kzt_per_year * (1 + 1e-9)
    # -- capacity ----------------------------------------------------------------------------
    if capacitated:
        limit = t["capacity"] * sites["centres"]
        assert (sites["children_served"] <= limit + 0.05).all(), "a centre over capacity"
    # -- settlements, assignments and coverage ---------------------------------------------------
    st = result.settlements.set_index("settlement_id")
    assert set(st.index) == set(truth.children.index)
    children = truth.children.loc[st.index]
    covered = st["children_covered"].astype(float)
    assert (covered >= -1e-6).all() and (covered <= children + 1e-3).all()
    assert float(sites["children_served"].sum()) == pytest.approx(
        covered.sum(), abs=0.1 * len(sites) + 1e-6)
    open_ids = list(sites.index)
    best = pd.Series({sid: min(truth.minutes(sid, j) for j in open_ids) for sid in st.index})
    reach = best <= truth.standard + 1e-6
    assert (covered[~reach] <= 1e-6).all(), "children covered with no centre within the standard"
    if not capacitated:
        assert np.allclose(covered[reach], children[reach], atol=1e-3)
    a = result.assignments.set_index("settlement_id")
    has = a["centre_id"].notna()
    assert set(a.loc[has, "centre_id"]) <= set(open_ids), "assigned to a closed site"
    for sid, row in a[has].iterrows():
        assert row["minutes"] == pytest.approx(truth.minutes(sid, row["centre_id"]), abs=0.011)
        if not capacitated:
            assert row["minutes"] == pytest.approx(best[sid], abs=0.011), "not the nearest"
    assert summary["children_covered"] == pytest.approx(covered.sum(), abs=0.1)
    # travel KPIs: child-weighted over settlements with a centre
    mins = a.loc[has, "minutes"].astype(float)
    kids = truth.children.loc[mins.index]
    if kids.sum() > 0:
        assert summary["travel_minutes_mean"] == pytest.approx(
            float((mins * kids).sum() / kids.sum()), abs=0.01)
        assert summary["travel_minutes_max"] == pytest.approx(float(mins[kids > 0].max()),
                                                              abs=0.01)
        ordered = sorted(zip(mins, kids))
        running, p95 = 0.0, None
        for m, k in ordered:
            running += k
            if running >= 0.95 * kids.sum() - 1e-9:
                p95 = m
                break
        assert summary["travel_minutes_p95"] == pytest.approx(p95, abs=0.01)
    assert summary["children_total"] == pytest.approx(children.sum())
    # -- equity ------------------------------------------------------------------------------
    per_unit = pd.DataFrame({"unit": truth.unit.loc[st.index], "children": children,
                             "covered": covered}).groupby("unit").sum()
    per_unit = per_unit[per_unit["children"] > 0]
    share = per_unit["covered"] / per_unit["children"]
    assert (share >= s.equity.min_unit_coverage - 1e-6).all(), share.to_dict()
    for unit, row in per_unit.iterrows():
        assert summary["by_unit"][unit]["covered"] == pytest.approx(row["covered"], abs=0.1)


# -- the real bundled data (two oblasts) -----------------------------------------------------

REGION = ["KZ-59", "KZ-62"]


@pytest.fixture(scope="module")
def layers():
    return load_layers("KZ")


def real_truth(layers, s: Scenario) -> Truth:
    """The rules restated on the layers: region by oblast or district code, units at the
    scenario's equity level, dispersed-demand estimates never candidate sites."""
    chosen = set(s.region.units)
    level = "district_code" if s.equity.level == "district" else "unit_code"

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        inside = frame["unit_code"].isin(chosen) | frame["district_code"].isin(chosen)
        return frame[inside].assign(unit_code=frame[level])

    st = pick(layers.settlements)
    ch = pd.to_numeric(st["children"], errors="coerce").fillna(0).clip(lower=0)
    cpw = s.capacity.children_per_worker
    c = s.candidates
    new = st[(st["population"] >= c.min_population) & ~st["estimated"]]
    rows = [{"site_id": r.settlement_id, "kind": "new", "capex": c.capex_kzt,
             "opex": c.opex_kzt_per_year, "capacity": s.capacity.social_workers * cpw,
             "max_count": s.capacity.max_centres_per_site, "unit": r.unit_code,
             "children_in_care": 0.0, "geometry": r.geometry} for r in new.itertuples()]
    inst = pick(layers.institutions)
    inst = inst[inst["type"].isin(s.conversion.types)]
    rows += [{"site_id": r.institution_id, "kind": "convert", "capex": s.conversion.capex_kzt,
              "opex": s.conversion.opex_kzt_per_year,
              "capacity": s.conversion.social_workers * cpw, "max_count": 1,
              "unit": r.unit_code, "children_in_care": float(r.children),
              "geometry": r.geometry} for r in inst.itertuples()]
    cen = pick(layers.centres)
    rows += [{"site_id": r.centre_id, "kind": "existing", "capex": 0.0,
              "opex": s.existing.opex_kzt_per_year, "capacity": float(r.capacity),
              "max_count": 1, "unit": r.unit_code, "children_in_care": 0.0,
              "geometry": r.geometry} for r in cen.itertuples()]
    sites = pd.DataFrame(rows).set_index("site_id")
    excluded = set(s.sites.excluded)
    sites = sites[~sites.index.isin(excluded)]
    fos = pick(layers.foster)
    spare = (fos["foster_families"] * s.family_care.places_per_foster_family
             - fos["foster_children"]).clip(lower=0) \
        + np.floor(fos["guardianship_children"] * s.family_care.guardianship_growth)
    pts = dict(zip(st["settlement_id"], st.geometry))
    t = s.travel

    def minutes(sid: str, site: str) -> float:
        a, b = pts[sid], sites.at[site, "geometry"]
        _, _, metres = GEOD.inv(a.x, a.y, b.x, b.y)
        return metres / 1000 * t.circuity / t.speed_kmh * 60

    return Truth(children=pd.Series(ch.to_numpy(), index=st["settlement_id"]),
                 unit=pd.Series(st["unit_code"].to_numpy(), index=st["settlement_id"]),
                 sites=sites, must_open=set(s.sites.must_open), excluded=excluded,
                 kept=set(cen["centre_id"]) if s.existing.keep else set(),
                 spare=spare.groupby(fos["unit_code"]).sum().to_dict(), minutes=minutes,
                 standard=t.standard_minutes)


def real_scenario(case: str) -> Scenario:
    s = Scenario.default()
    s.region.units = list(REGION)
    s.solver.time_limit_seconds = 30
    if case == "capacitated_rules":
        s.sites.must_open = ["gn:1522035", "demo-inst-060"]   # Taiynsha; a children's home
        s.sites.excluded = ["gn:1520692"]                     # Satpayev may not host one
        s.conversion.types = ["childrens_home", "baby_home", "boarding_school_general"]
        s.budget.capex_kzt = 300e6
        s.budget.opex_kzt_per_year = 520e6
        s.equity.min_unit_coverage = 0.6
        s.capacity.max_centres_per_site = 2
    elif case == "min_travel":
        s.objective = "min_travel"
        s.capacity.enabled = False
        s.travel.cutoff_minutes = 600
        s.candidates.max_new = 3
        s.existing.keep = False
        s.budget.total_kzt = None
    elif case == "max_min":
        s.objective = "max_min_coverage"
        s.budget.total_kzt = 2.6e9
        s.candidates.min_population = 3000
    elif case == "min_cost":
        s.objective = "min_cost"
        # every child counted: dispersed rural demand puts ~23% of the region's children
        # beyond 60 minutes of any candidate place, so 0.9 is out of reach
        s.coverage_target = 0.7
        s.equity.min_unit_coverage = 0.6
        s.capacity.enabled = False
        s.budget.total_kzt = None
    return s


@pytest.mark.parametrize("case", ["capacitated_rules", "min_travel", "max_min", "min_cost"])
def test_real_data_plans_keep_every_rule(layers, case: str) -> None:
    s = real_scenario(case)
    result = run_scenario(s, layers)
    check_rules(result, s, real_truth(layers, s), capacitated=s.capacity.enabled)
    if case == "capacitated_rules":  # the rules bind: the plan is not trivially empty
        assert result.summary["opened"] and result.summary["converted"]


def test_region_of_districts_with_district_equity(layers) -> None:
    """A scenario names districts as its region and holds the equity rule per district."""
    districts = layers.districts
    names = {"Taiynsha": "KZ-59", "Kyzylzhar": "KZ-59", "Satpaev": "KZ-62",
             "Zhezkazgan": "KZ-62"}
    region = sorted(districts.loc[districts["name_en"].isin(names)
                                  & districts["parent_code"].isin(names.values()), "code"])
    assert len(region) == 4
    s = Scenario.default()
    s.region.units = region
    s.equity.level = "district"
    s.equity.min_unit_coverage = 0.3
    s.solver.time_limit_seconds = 30
    result = run_scenario(s, layers)
    assert sorted(result.summary["by_unit"]) == region  # one row per district
    check_rules(result, s, real_truth(layers, s), capacitated=s.capacity.enabled)
    chosen = layers.settlements[layers.settlements["district_code"].isin(region)]
    assert result.summary["children_total"] == pytest.approx(chosen["children"].sum())


# -- random instances -------------------------------------------------------------------------

def with_tables(inst: Instance, seed: int) -> Instance:
    """Give a random instance the demand/site tables a PlanResult needs (points on a grid;
    travel minutes stay the instance's)."""
    rng = np.random.default_rng(seed)
    units = np.array(inst.units)
    inst.demand = gpd.GeoDataFrame({
        "settlement_id": inst.demand_ids, "name": inst.demand_ids,
        "unit_code": units[inst.demand_unit], "children": inst.weights,
    }, geometry=[Point(x, y) for x, y in rng.uniform(60, 70, (inst.n, 2))], crs=4326)
    inst.sites = gpd.GeoDataFrame({
        "site_id": inst.site_ids, "name": inst.site_ids, "kind": inst.site_kind,
        "capex": inst.capex, "opex": inst.opex, "capacity": inst.capacity,
        "max_count": inst.max_count, "min_count": inst.min_count,
        "unit_code": units[inst.site_unit], "children_in_care": inst.site_children,
    }, geometry=[Point(x, y) for x, y in rng.uniform(60, 70, (inst.m, 2))], crs=4326)
    return inst


def random_truth(inst: Instance, s: Scenario) -> Truth:
    units = np.array(inst.units)
    sites = pd.DataFrame({"kind": inst.site_kind, "capex": inst.capex, "opex": inst.opex,
                          "capacity": inst.capacity, "max_count": inst.max_count,
                          "unit": units[inst.site_unit],
                          "children_in_care": inst.site_children}, index=inst.site_ids)
    full = np.full((inst.n, inst.m), np.inf)
    full[inst.rows, inst.cols] = inst.minutes
    d = {v: k for k, v in enumerate(inst.demand_ids)}
    j = {v: k for k, v in enumerate(inst.site_ids)}
    return Truth(children=pd.Series(inst.weights, index=inst.demand_ids),
                 unit=pd.Series(units[inst.demand_unit], index=inst.demand_ids), sites=sites,
                 must_open=set(inst.site_ids[(inst.min_count > 0)
                                             & (inst.site_kind != "existing")]),
                 excluded=set(), kept=set(inst.site_ids[inst.site_kind == "existing"]),
                 spare=dict(zip(inst.units, inst.family_spare)),
                 minutes=lambda sid, site: float(full[d[sid], j[site]]),
                 standard=inst.standard)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", ["max_coverage", "min_travel", "max_min_coverage",
                                       "min_cost"])
def test_random_plans_keep_every_rule(seed: int, objective: str) -> None:
    capacitated = seed % 2 == 1
    inst = with_tables(random_instance(seed + 900, m=12, n=40, capacitated=capacitated,
                                       existing=2, convert=3, multi=2, cutoff=100.0,
                                       standard=35.0), seed)
    inst.min_count[-1] = 1
    if capacitated:
        inst.capacity = inst.capacity * 2
    wl = whole_life(inst)
    s = scenario_for(objective, capacitated=capacitated,
                     budget_total={"min_cost": None, "min_travel": 0.8 * wl}.get(objective,
                                                                                 0.45 * wl),
                     budget_capex=0.5 * inst.capex.sum(),
                     budget_opex=0.6 * inst.opex.sum() + 5 * 12 * CARER_MONTH,
                     max_new=7, equity=0.3, target=0.7)
    assert s.budget.horizon_years == H and s.family_care.professional_family_children == FAMILY
    plan, info, build, extras = solve_instance(inst, s)
    result = make_result(inst, s, plan, info, build_seconds=build, extras=extras)
    check_rules(result, s, random_truth(inst, s), capacitated)
    assert isinstance(info, SolveInfo)


def test_pareto_curve_on_real_data(layers) -> None:
    """Coverage against budget: never above the budget, never falling as the budget grows,
    and each point is the coverage a plain max_coverage solve at that budget reaches."""
    from planning.solve import pareto

    s = real_scenario("max_min")
    s.objective = "max_coverage"
    s.family_care.credit_released = False  # gross prices: 0.3 bn is below the kept centres
    budgets = [0.3e9, 0.9e9, 1.6e9, 2.4e9, 4e9]
    curve = pareto(s, budgets, layers)
    assert list(curve["budget"]) == budgets
    # 0.3 bn is below what the kept centres alone cost over the horizon
    assert curve["status"][0] == "infeasible" and np.isnan(curve["coverage_pct"][0])
    curve = curve.iloc[1:].reset_index(drop=True)
    assert (curve["status"] == "optimal").all(), curve
    assert (curve["cost"] <= curve["budget"] * (1 + 1e-9)).all()
    assert curve["children_covered"].is_monotonic_increasing
    assert curve["children_covered"].iloc[-1] > curve["children_covered"].iloc[0]
    s.budget.total_kzt = budgets[2]
    alone = run_scenario(s, layers)
    assert alone.summary["children_covered"] == pytest.approx(curve["children_covered"][1],
                                                              abs=0.1)


def test_result_map_without_boundaries_shows_every_site() -> None:
    """A result built without boundaries still maps: the settlements' extent is outlined,
    the headline is the title and every chosen site is a marker."""
    inst = with_tables(random_instance(7, m=10, n=30, existing=2, convert=2), 7)
    s = scenario_for("max_coverage", capacitated=False, budget_total=0.5 * whole_life(inst))
    plan, info, build, extras = solve_instance(inst, s)
    result = make_result(inst, s, plan, info, build_seconds=build, extras=extras)
    from ui.exports import plan_map_html

    html = plan_map_html(result, "en")
    assert f"{result.summary['coverage_pct']:.1f}%" in html and s.name in html
    assert html.count("L.map(") == 1
    assert len(result.sites) > 0
    for name in result.sites["name"]:
        assert name in html
