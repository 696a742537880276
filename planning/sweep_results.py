"""A sweep's results from its run records: runs.csv, robust_sites.geojson, regret.csv and
summary.json.

Regret re-evaluates one chosen plan (the base scenario's, or the sites most runs chose) on
every run's own data, by an assignment computed here from the travel matrix and capacities
(a linear programme, not the siting model), and compares it with that run's optimum. Its
costs are counted as the model counts them: net of the running costs conversions release
(`family_care.credit_released`) and with the foster families the plan needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from geo.atomic import atomic_path, atomic_write_text
from planning.instance import Instance, build_instance, candidate_sites, select_demand, units_of
from planning.model import families_needed
from planning.optimize import Plan
from planning.results import plan_costs
from planning.scenario import Scenario
from planning.solve import model_options
from planning.sweep_run import BASE_ID, SUCCESS, run_data
from planning.sweep_spec import Sweep

OUTPUTS = ("runs.csv", "robust_sites.geojson", "regret.csv", "summary.json")


def plan_coverage(inst: Instance, counts: dict[str, int]) -> float:
    """Children the plan `counts` (site id -> centres) covers on `inst`: every child within
    the standard of an open centre when uncapacitated; else the largest assignment of
    children to open centres within the standard and their capacity (an LP). Sites that are
    not candidates of `inst` are ignored."""
    y = np.array([counts.get(str(s), 0) for s in inst.site_ids], dtype=float)
    near = inst.within_standard() & (y[inst.cols] > 0) & (inst.weights[inst.rows] > 0)
    rows, cols = inst.rows[near], inst.cols[near]
    w = inst.weights
    if rows.size == 0:
        return 0.0
    if np.all(np.isinf(inst.capacity[cols])):
        return float(w[np.unique(rows)].sum())
    # x_p = share of settlement rows[p] served by site cols[p]; max sum w x
    k = rows.size
    demand_rows = sp.csr_matrix((np.ones(k), (rows, np.arange(k))), shape=(inst.n, k))
    site_rows = sp.csr_matrix((w[rows], (cols, np.arange(k))), shape=(inst.m, k))
    cap = np.where(np.isinf(inst.capacity), w.sum() + 1, inst.capacity) * y
    res = linprog(-w[rows], A_ub=sp.vstack([demand_rows, site_rows]).tocsr(),
                  b_ub=np.concatenate([np.ones(inst.n), cap]), bounds=(0, 1), method="highs")
    if res.status != 0:
        raise RuntimeError(f"plan coverage LP failed: {res.message}")
    return float(-res.fun)


@dataclass
class PlanValue:
    """A fixed plan on one run's data: children covered, capital cost, annual running cost
    (net of released costs, with recruited foster families), whole-life cost and whether
    it keeps within each budget the scenario sets (total, capital, annual)."""

    covered: float
    capex: float
    opex: float
    whole_life: float
    within_budget: bool


def evaluate_plan(inst: Instance, scenario: Scenario, counts: dict[str, int]) -> PlanValue:
    """Value of the plan `counts` (site id -> centres; sites that are not candidates of
    `inst` are ignored) on `inst` under `scenario`'s costs and budgets, priced by the same
    rules as a solved plan (`plan_costs`, `families_needed`), so a run's own optimal plan
    evaluates to that run's coverage and costs."""
    y = np.array([counts.get(str(s), 0) for s in inst.site_ids], dtype=int)
    plan = Plan(y, np.empty(0), np.empty(0), np.empty(0),
                families_needed(inst, y, model_options(scenario)), np.empty(0))
    capex, opex, _ = plan_costs(inst, plan, scenario)
    whole = capex + scenario.budget.horizon_years * opex
    b, tol = scenario.budget, 1e-6
    within = all(limit is None or value <= limit + tol * max(1.0, abs(limit))
                 for value, limit in ((whole, b.total_kzt), (capex, b.capex_kzt),
                                      (opex, b.opex_kzt_per_year)))
    return PlanValue(plan_coverage(inst, counts), capex, opex, whole, within)


def chosen_plan(sweep: Sweep, records: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The plan the regret table evaluates: the base run's sites (`regret_plan = "base"`) or,
    per site, the median of its centres over the successful runs rounded half down (so a
    site is in the plan when more than half the runs open it; exactly half is not enough)."""
    if sweep.settings.regret_plan == "base":
        return dict(records.get(BASE_ID, {}).get("sites", {}))
    ok = [r for k, r in records.items() if k != BASE_ID and r.get("status") in SUCCESS]
    ids = sorted({s for r in ok for s in r["sites"]})
    plan = {}
    for s in ids:
        centres = int(np.ceil(float(np.median([r["sites"].get(s, 0) for r in ok])) - 0.5))
        if centres > 0:
            plan[s] = centres
    return plan


def regret_table(sweep: Sweep, records: dict[str, dict[str, Any]], plan: dict[str, int]
                 ) -> pd.DataFrame:
    """One row per successful run: its optimum, the plan's coverage on the run's data, the
    children (and points of coverage) lost, the plan's costs at the run's unit costs and
    whether it keeps within the run's budgets."""
    rows = []
    for run in sweep.runs():
        rec = records.get(run.id)
        if rec is None or rec.get("status") not in SUCCESS:
            continue
        scenario, layers = run_data(sweep, run)
        inst = build_instance(layers, scenario)
        value = evaluate_plan(inst, scenario, plan)
        covered = value.covered
        total = float(inst.weights.sum())
        sites = set(map(str, inst.site_ids))
        own = float(rec["children_covered"])
        rows.append({
            "run": run.id, **{f"grid.{k}": v for k, v in run.grid.items()}, "draw": run.draw,
            "status": rec["status"], "children_total": total, "optimum_covered": own,
            "plan_covered": round(covered, 1), "children_lost": round(own - covered, 1),
            "coverage_lost_pct": round(100 * (own - covered) / total, 3) if total else 0.0,
            "plan_cost_capex": value.capex, "plan_cost_opex_net": value.opex,
            "plan_cost_whole_life": value.whole_life, "budget_total": scenario.budget.total_kzt,
            "budget_capex": scenario.budget.capex_kzt,
            "budget_opex": scenario.budget.opex_kzt_per_year,
            "plan_within_budget": value.within_budget,
            "plan_sites_missing": sum(1 for s in plan if s not in sites),
        })
    return pd.DataFrame(rows)


def runs_table(sweep: Sweep, records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per run in run order: settings, draw factors, status, reason, gap, coverage,
    costs and the chosen sites (`id:centres` joined by spaces)."""
    rows = []
    for run in sweep.runs():
        rec = records.get(run.id, {"status": "missing", "reason": "not run"})
        f = rec.get("factors") or sweep.factors(run.draw)
        rows.append({
            "run": run.id, **{f"grid.{k}": v for k, v in run.grid.items()}, "draw": run.draw,
            **{f"factor.{k}": round(v, 6) for k, v in f.items()},
            "status": rec.get("status"), "time_limited": bool(rec.get("time_limited")),
            "reason": rec.get("reason", ""), "gap": rec.get("gap"),
            "coverage_pct": rec.get("coverage_pct"),
            "children_covered": rec.get("children_covered"),
            "children_total": rec.get("children_total"),
            "cost_capex": rec.get("cost_capex"), "cost_opex": rec.get("cost_opex"),
            "cost_whole_life": rec.get("cost_whole_life"),
            "budget_total": rec.get("budget_total"), "centres": sum(rec.get("sites", {}).values()),
            "sites": " ".join(f"{k}:{v}" for k, v in sorted(rec.get("sites", {}).items())),
            "seconds": rec.get("seconds"),
        })
    return pd.DataFrame(rows)


def robust_sites(sweep: Sweep, records: dict[str, dict[str, Any]], plan: dict[str, int]
                 ) -> gpd.GeoDataFrame:
    """Every candidate site of the base scenario (and any other site a run chose) with the
    number and share of successful runs that opened, converted or kept it."""
    scenario, layers = run_data(sweep, None)
    units = units_of(layers, scenario)
    sites = candidate_sites(layers, scenario, select_demand(layers.settlements, units), units)
    ok = [r for k, r in records.items() if k != BASE_ID and r.get("status") in SUCCESS]
    chosen = pd.Series([s for r in ok for s in r["sites"]], dtype=str).value_counts()
    extra = sorted(set(chosen.index) - set(sites["site_id"]))
    if extra:
        sites = pd.concat([sites, _sites_by_id(layers, extra)], ignore_index=True)
    demo = _demo_ids(layers)
    out = gpd.GeoDataFrame({
        "site_id": sites["site_id"].astype(str), "name": sites["name"].astype(str),
        "kind": sites["kind"], "unit_code": sites["unit_code"],
        "runs_chosen": sites["site_id"].map(chosen).fillna(0).astype(int),
    }, geometry=sites.geometry.values, crs=sites.crs)
    out["share_chosen"] = (out["runs_chosen"] / len(ok)).round(4) if ok else 0.0
    out["in_regret_plan"] = out["site_id"].isin(set(plan))
    out["demo"] = out["site_id"].isin(demo)
    return out.sort_values(["share_chosen", "site_id"], ascending=[False, True]
                           ).reset_index(drop=True)


def _sites_by_id(layers, ids: list[str]) -> gpd.GeoDataFrame:
    parts = []
    for frame, col, kind in ((layers.settlements, "settlement_id", "new"),
                             (layers.institutions, "institution_id", "convert"),
                             (layers.centres, "centre_id", "existing")):
        hit = frame[frame[col].astype(str).isin(ids)]
        parts.append(gpd.GeoDataFrame({"site_id": hit[col].astype(str), "name": hit["name"],
                                       "kind": kind, "unit_code": hit["unit_code"]},
                                      geometry=hit.geometry.values, crs=frame.crs))
    return pd.concat(parts, ignore_index=True)


def _demo_ids(layers) -> set[str]:
    out: set[str] = set()
    for frame, col in ((layers.institutions, "institution_id"), (layers.centres, "centre_id"),
                       (layers.settlements, "settlement_id")):
        if "demo" in frame.columns:
            out |= set(frame.loc[frame["demo"].fillna(False).astype(bool), col].astype(str))
    return out


def _uses_demo(sweep: Sweep) -> bool:
    _, layers = run_data(sweep, None)
    return any("demo" in f.columns and f["demo"].fillna(False).astype(bool).any()
               for f in (layers.institutions, layers.centres, layers.foster, layers.settlements))


def summary(sweep: Sweep, records: dict[str, dict[str, Any]], runs: pd.DataFrame,
            regret: pd.DataFrame, robust: gpd.GeoDataFrame, plan: dict[str, int],
            seconds: float | None = None) -> dict[str, Any]:
    """Headline figures of the sweep (summary.json)."""
    ok = runs[runs["status"].isin(SUCCESS)]
    cov = ok["coverage_pct"].astype(float)
    base = records.get(BASE_ID, {})
    demo = _uses_demo(sweep)

    def q(p: float) -> float | None:
        return round(float(cov.quantile(p)), 3) if len(cov) else None

    return {
        "name": sweep.settings.name, "sweep": sweep.digest(), "seed": sweep.settings.seed,
        "runs": len(runs), "succeeded": len(ok),
        "failed": [{"run": r.run, "status": r.status, "reason": r.reason}
                   for r in runs[~runs["status"].isin(SUCCESS)].itertuples()],
        "status_counts": runs["status"].value_counts().to_dict(),
        "time_limited": int(runs["time_limited"].sum()),
        "grid": sweep.grid, "runs_per_point": sweep.settings.runs,
        "random": sweep.to_dict()["random"],
        "coverage_pct": {"min": q(0), "p10": q(0.1), "median": q(0.5), "p90": q(0.9),
                         "max": q(1)},
        "base": {k: base.get(k) for k in ("status", "reason", "coverage_pct", "cost_whole_life")},
        "regret_plan": {"kind": sweep.settings.regret_plan, "sites": len(plan),
                        "centres": int(sum(plan.values()))},
        "regret": ({"mean_children_lost": round(float(regret["children_lost"].mean()), 1),
                    "max_children_lost": round(float(regret["children_lost"].max()), 1),
                    "max_coverage_lost_pct": round(float(regret["coverage_lost_pct"].max()), 3),
                    "runs_plan_within_budget": int(regret["plan_within_budget"].sum()),
                    "max_children_lost_within_budget": (
                        round(float(regret.loc[regret["plan_within_budget"],
                                               "children_lost"].max()), 1)
                        if regret["plan_within_budget"].any() else None)}
                   if len(regret) else None),
        "robust_sites": {"chosen_in_every_run": int((robust["share_chosen"] >= 1).sum()),
                         "chosen_in_half_or_more": int((robust["share_chosen"] >= 0.5).sum()),
                         "never_chosen": int((robust["runs_chosen"] == 0).sum())},
        "run_seconds_total": round(float(pd.to_numeric(runs["seconds"]).sum()), 2),
        "wall_seconds": None if seconds is None else round(seconds, 2),
        "demo_data": demo,
        "notice": ("Includes demo records (institutions, centres, foster data): figures are "
                   "illustrative, not official." if demo else ""),
        "base_scenario": sweep.base,
    }


def write_outputs(sweep: Sweep, records: dict[str, dict[str, Any]], out: str | Path,
                  seconds: float | None = None) -> dict[str, Any]:
    """Write runs.csv, robust_sites.geojson, regret.csv and summary.json (each atomically);
    returns the summary."""
    out = Path(out)
    plan = chosen_plan(sweep, records)
    runs = runs_table(sweep, records)
    regret = regret_table(sweep, records, plan)
    robust = robust_sites(sweep, records, plan)
    head = summary(sweep, records, runs, regret, robust, plan, seconds)
    demo = head["demo_data"]
    atomic_write_text(out / "runs.csv", runs.assign(demo_data=demo).to_csv(index=False))
    atomic_write_text(out / "regret.csv", regret.assign(demo_data=demo).to_csv(index=False))
    with atomic_path(out / "robust_sites.geojson") as tmp:
        robust.to_file(tmp, driver="GeoJSON")
    atomic_write_text(out / "summary.json",
                      json.dumps(head, indent=2, ensure_ascii=False, default=str) + "\n")
    return head
