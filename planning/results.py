"""Results of a solved scenario: sites, assignments, settlements, gaps, KPIs by unit.

KPIs are recomputed from the plan (which sites are open, who is assigned where), not read
from the solver's objective, so they are an independent check on the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.atomic import atomic_path, atomic_write_text
from geo.coverage import weighted_quantile
from geo.csvsafe import frame_csv
from planning.explain import conversion_explanations, conversion_summary, site_explanations
from planning.instance import Instance
from planning.model import net_opex, running_cost
from planning.optimize import Plan, SolveInfo
from planning.scenario import Scenario

DECISION = {"new": "open", "convert": "convert", "existing": "existing"}
COVERAGE_CLASSES = ("full", "partial", "none")
SHARE_TOLERANCE = 1e-6


def coverage_class(share: pd.Series | np.ndarray) -> np.ndarray:
    """Per settlement: "full" when all its children are served, "partial" when only some
    are (a capacity-limited assignment, or children split between centres), else "none"."""
    s = np.nan_to_num(np.asarray(share, dtype=float), nan=0.0)
    return np.where(s >= 1 - SHARE_TOLERANCE, "full",
                    np.where(s > SHARE_TOLERANCE, "partial", "none"))


@dataclass
class PlanResult:
    """Everything a solved scenario produces; `write(out_dir)` saves every file atomically."""

    summary: dict
    sites: gpd.GeoDataFrame
    assignments: pd.DataFrame
    settlements: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    by_unit: pd.DataFrame
    scenario: Scenario
    boundaries: gpd.GeoDataFrame | None = None
    conversions: pd.DataFrame | None = None

    def write(self, out_dir: str | Path,
              documents: Callable[[PlanResult], dict[str, str]] | None = None) -> list[Path]:
        """Write summary.json, sites.geojson, assignments.csv, gaps.geojson, conversions.csv
        and scenario.toml (the exact parameters used) into `out_dir`, plus the named text
        documents `documents(self)` returns (the CLI passes the UI's map and report, so the
        engine never imports the UI)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "summary.json",
                          json.dumps(self.summary, indent=2, ensure_ascii=False) + "\n")
        _write_geojson(self.sites, out / "sites.geojson")
        _write_geojson(self.gaps, out / "gaps.geojson")
        atomic_write_text(out / "assignments.csv", frame_csv(self.assignments))
        conversions = self.conversions if self.conversions is not None else pd.DataFrame()
        atomic_write_text(out / "conversions.csv", frame_csv(conversions))
        atomic_write_text(out / "scenario.toml", self.scenario.to_toml())
        names = ["summary.json", "sites.geojson", "assignments.csv", "gaps.geojson",
                 "conversions.csv", "scenario.toml"]
        for name, text in (documents(self) if documents else {}).items():
            atomic_write_text(out / name, text)
            names.append(name)
        return [out / n for n in names]

    def report(self) -> str:
        """A short plain-text report for the command line."""
        s = self.summary
        lines = [
            f"Scenario: {s['scenario']} ({s['objective']}, {s['country']})",
            f"Status: {s['status']} (solver {s['solver']}, gap {_pct(s['gap'])}, "
            f"build {s['build_seconds']:.2f} s, solve {s['solve_seconds']:.2f} s)",
            f"Children covered within {s['travel_minutes_standard']:g} min: "
            f"{s['children_covered']:,.0f} of {s['children_total']:,.0f} "
            f"({s['coverage_pct']:.1f}%)",
            f"Centres: {len(s['opened'])} opened, {len(s['converted'])} converted, "
            f"{s['existing_kept']} existing kept",
            f"Cost: capex {s['cost_capex'] / 1e6:,.1f} m KZT, opex "
            f"{s['cost_opex'] / 1e6:,.1f} m KZT/year",
            f"Travel minutes (assigned children): mean {_num(s['travel_minutes_mean'])}, "
            f"p95 {_num(s['travel_minutes_p95'])}, max {_num(s['travel_minutes_max'])}",
        ]
        fc = s["family_care"]
        if fc["children_moved"]:
            lines.append(f"Family care: {fc['children_moved']:,.0f} children moved to families, "
                         f"{fc['families_recruited']} professional families recruited, "
                         f"annual savings {fc['annual_savings_kzt'] / 1e6:,.1f} m KZT")
        lines.append(s["released_credit"])
        lines.append(s["conversions_summary"])
        lines.append(f"Unmet demand: {s['children_uncovered']:,.0f} children in "
                     f"{s['gap_settlements']} settlements")
        return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.3g}%"


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio", RFC7946="YES")  # WGS 84, no crs


def make_result(inst: Instance, scenario: Scenario, plan: Plan, info: SolveInfo, *,
                build_seconds: float, matrix_seconds: float = 0.0,
                boundaries: gpd.GeoDataFrame | None = None, extras: dict | None = None
                ) -> PlanResult:
    """Assemble the PlanResult (tables + summary) from an instance and a plan."""
    s = scenario
    if inst.demand is None or inst.sites is None:
        raise ValueError("the instance has no demand or site table")
    w = inst.weights
    covered_children = plan.share * w
    has = plan.centre >= 0
    centre_ids = np.where(has, inst.site_ids[np.maximum(plan.centre, 0)], None)
    demand = inst.demand.copy()
    demand["centre_id"] = centre_ids
    demand["minutes"] = np.round(plan.minutes, 2)
    demand["covered_share"] = np.round(plan.share, 6)
    demand["covered"] = plan.share >= 1 - SHARE_TOLERANCE
    demand["coverage"] = coverage_class(plan.share)
    demand["children_covered"] = np.round(covered_children, 3)
    demand["children_uncovered"] = np.round(w - covered_children, 3)
    settlements = gpd.GeoDataFrame(demand, geometry="geometry", crs=inst.demand.crs)
    estimated = ["estimated"] if "estimated" in settlements else []  # a place or an estimate
    gaps = settlements[settlements["children_uncovered"] > 0.5][
        ["settlement_id", "name", "unit_code", "children", "children_uncovered", "minutes",
         *estimated, "geometry"]].reset_index(drop=True)
    assignments = pd.DataFrame({"settlement_id": inst.demand_ids, "centre_id": centre_ids,
                                "minutes": np.round(plan.minutes, 2)})

    sites = inst.sites.copy()
    sites["centres"] = plan.counts
    sites["children_served"] = np.round(plan.served, 1)
    sites["decision"] = sites["kind"].map(DECISION)
    sites = sites[plan.counts > 0].drop(columns=["kind", "min_count", "max_count"])
    sites = sites.join(site_explanations(inst, plan, s))
    conversions = conversion_explanations(inst, plan, s)
    sites["capacity"] = sites["capacity"].where(np.isfinite(sites["capacity"]), None)
    sites = gpd.GeoDataFrame(sites.reset_index(drop=True), geometry="geometry",
                             crs=inst.sites.crs)

    by_unit = _by_unit(inst, plan, boundaries)
    h = s.budget.horizon_years
    capex, opex, recruit_opex = plan_costs(inst, plan, s)
    released = released_per_year(inst, plan, s)
    gross_opex, _ = running_cost(inst, plan.counts, recruit_opex, 0.0)
    net_opex_state = gross_opex - released
    recruited = int(sum(plan.recruits.values()))
    fc = s.family_care
    conv = (inst.site_kind == "convert") & (plan.counts > 0)
    moved = float(inst.site_children[conv].sum()) if fc.enabled else 0.0
    savings = moved * (fc.institution_kzt_per_child_year - fc.child_kzt_per_year)
    credit = (f"Credit for released running costs: on, {fc.released_kzt_per_child_year / 1e6:,.2f}"
              f" m KZT a year per child moved from a converted institution to a family "
              f"({released / 1e6:,.1f} m KZT a year in this plan), counted against running "
              "costs and budgets, down to zero running cost: released money offsets running "
              "costs, it does not pay for buildings." if fc.released_kzt_per_child_year > 0 else
              "Credit for released running costs: off (conversions are priced at their gross "
              "cost).")
    assigned = np.isfinite(plan.minutes) & has
    total = float(w.sum())
    covered = float(covered_children.sum())
    figures = plan_figures(inst, plan, s)
    objective_value = {
        "max_coverage": covered, "max_min_coverage": covered,
        "min_travel": float(np.nansum(np.where(assigned, plan.minutes, 0) * w)),
        "min_cost": capex + h * net_opex_state,
    }[s.objective] if info.has_solution else None
    summary = {
        "scenario": s.name, "country": s.country, "units": inst.units,
        "status": info.status, "objective": s.objective, "objective_value": objective_value,
        "gap": info.gap, "solver": info.solver,
        "matrix_seconds": round(matrix_seconds, 3), "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(info.seconds, 3),
        "settlements": inst.n, "candidate_sites": inst.m, "matrix_pairs": int(inst.rows.size),
        **figures, "children_uncovered": round(total - covered, 1),
        "gap_settlements": int(len(gaps)),
        "released_opex": released, "cost_opex_net": opex,
        "released_credit": credit,
        "conversions_summary": conversion_summary(conversions, s, info.status),
        "budget": {"total_kzt": s.budget.total_kzt, "capex_kzt": s.budget.capex_kzt,
                   "opex_kzt_per_year": s.budget.opex_kzt_per_year, "horizon_years": h},
        "travel_minutes_standard": inst.standard,
        "travel_minutes_mean": (float(np.average(plan.minutes[assigned], weights=w[assigned]))
                                if (w[assigned] > 0).any() else None),
        "travel_minutes_p95": _none_if_nan(weighted_quantile(plan.minutes[assigned],
                                                             w[assigned], 0.95)),
        "travel_minutes_max": (float(plan.minutes[assigned & (w > 0)].max())
                               if (assigned & (w > 0)).any() else None),
        "opened": sorted(inst.site_ids[(inst.site_kind == "new") & (plan.counts > 0)].tolist()),
        "converted": sorted(inst.site_ids[conv].tolist()),
        "existing_kept": int(((inst.site_kind == "existing") & (plan.counts > 0)).sum()),
        "family_care": {"children_moved": moved, "families_recruited": recruited,
                        "recruitment_opex_kzt": recruit_opex,
                        "annual_savings_kzt": savings,
                        "institution_kzt_per_child_year": fc.institution_kzt_per_child_year,
                        "family_kzt_per_child_year": fc.child_kzt_per_year},
        "by_unit": {r.unit_code: {"name": r.name, "children": r.children, "covered": r.covered,
                                  "coverage_pct": r.coverage_pct}
                    for r in by_unit.itertuples()},
        "demand": inst.demand_info or {"weighting": "children"},
        "parameters": s.to_dict(),
    }
    summary.update(extras or {})
    return PlanResult(summary, sites, assignments, settlements, gaps, by_unit, s, boundaries,
                      conversions)


def plan_figures(inst: Instance, plan: Plan, scenario: Scenario) -> dict[str, float]:
    """A plan's headline figures: children total and covered, coverage %, capital cost,
    annual running cost before the released-cost credit, whole-life cost as the budgets
    count it, and the state's net cost (released money counted in full)."""
    total = float(inst.weights.sum())
    covered = float((plan.share * inst.weights).sum())
    capex, opex, recruit_opex = plan_costs(inst, plan, scenario)
    gross, _ = running_cost(inst, plan.counts, recruit_opex, 0.0)
    h = scenario.budget.horizon_years
    return {"children_total": total, "children_covered": round(covered, 1),
            "coverage_pct": round(100 * covered / total, 3) if total else 0.0,
            "cost_capex": capex, "cost_opex": gross, "cost_whole_life": capex + h * opex,
            "cost_net_to_state": capex + h * (gross - released_per_year(inst, plan, scenario))}


def _none_if_nan(v: float) -> float | None:
    return None if np.isnan(v) else v


def plan_costs(inst: Instance, plan: Plan, scenario: Scenario) -> tuple[float, float, float]:
    """(capex, annual running cost net of released running costs and never below zero, of
    which recruited foster families' annual cost) of a plan; its whole-life cost is
    capex + horizon_years x running cost, as the budget counts it."""
    recruit_opex = sum(plan.recruits.values()) * scenario.family_care.carer_kzt_per_year
    capex = float((plan.counts * inst.capex).sum())
    _, charged = running_cost(inst, plan.counts, recruit_opex,
                              scenario.family_care.released_kzt_per_child_year)
    return capex, charged, recruit_opex


def released_per_year(inst: Instance, plan: Plan, scenario: Scenario) -> float:
    """Institution running costs the plan's conversions release each year (0 when the
    scenario's credit is off)."""
    gross_minus_net = inst.opex - net_opex(inst, scenario.family_care.released_kzt_per_child_year)
    return float((plan.counts * gross_minus_net).sum())


def _by_unit(inst: Instance, plan: Plan, boundaries: gpd.GeoDataFrame | None) -> pd.DataFrame:
    names = {}
    if boundaries is not None and "name_en" in boundaries:
        names = dict(zip(boundaries["code"].astype(str), boundaries["name_en"].astype(str)))
    rows = []
    for u, code in enumerate(inst.units):
        in_u = inst.demand_unit == u
        children = float(inst.weights[in_u].sum())
        covered = float((plan.share * inst.weights)[in_u].sum())
        rows.append({"unit_code": code, "name": names.get(code, code), "children": children,
                     "covered": round(covered, 1),
                     "coverage_pct": round(100 * covered / children, 3) if children else None,
                     "centres": int(plan.counts[inst.site_unit == u].sum())})
    return pd.DataFrame(rows, columns=["unit_code", "name", "children", "covered",
                                       "coverage_pct", "centres"])
