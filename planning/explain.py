"""Why a plan looks as it does: per chosen site and per convertible institution.

Computed from the plan's decisions and the instance only (never from the solver's duals), so
the figures can be checked by hand: the children a site alone brings within the standard
(what removing it would lose), its travel times, its costs net of what a conversion releases,
and for every institution that could have become a centre, why it did or did not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.coverage import weighted_quantile
from planning.instance import Instance
from planning.model import net_opex
from planning.optimize import Plan
from planning.scenario import Scenario

SITE_COLUMNS = ("settlements_assigned", "children_assigned", "median_minutes",
                "worst_minutes", "coverage_gained", "capex_kzt", "opex_kzt_per_year",
                "released_kzt_per_year", "reason", "why")
CONVERSION_COLUMNS = ("site_id", "name", "unit_code", "converted", "children_in_care",
                      "coverage_gain", "net_cost_kzt", "reason", "why")


def _reach(inst: Instance, counts: np.ndarray) -> np.ndarray:
    """Per settlement: open centres within the standard."""
    within = inst.within_standard() & (counts[inst.cols] > 0)
    return np.bincount(inst.rows[within], minlength=inst.n)


def _fmt(v: float) -> str:
    return f"{v / 1e9:,.2f} bn KZT" if abs(v) >= 1e9 else f"{v / 1e6:,.1f} m KZT"


def site_explanations(inst: Instance, plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """One row per candidate site with a centre in the plan (index: site position j).

    coverage_gained: children within the standard of this site and of no other open site,
    i.e. the children the plan would lose without it; median / worst minutes over the
    settlements assigned to it (child-weighted median; worst over settlements with children).
    reason: kept | must_open | coverage | pays | coverage_and_pays; why: one English sentence.
    """
    h = scenario.budget.horizon_years
    released = inst.opex - net_opex(inst, scenario.family_care.released_kzt_per_child_year)
    reach = _reach(inst, plan.counts)
    within = inst.within_standard()
    rows = {}
    for j in np.flatnonzero(plan.counts > 0):
        mine = plan.centre == j
        kids = inst.weights[mine]
        mins = plan.minutes[mine]
        pairs = within & (inst.cols == j)
        only = inst.rows[pairs][reach[inst.rows[pairs]] == 1]
        gained = float(inst.weights[only].sum())
        capex = float(inst.capex[j] * plan.counts[j])
        opex = float(inst.opex[j] * plan.counts[j])
        free = float(released[j] * plan.counts[j])
        net = capex + h * (opex - free)
        kind = str(inst.site_kind[j])
        if kind == "existing":
            reason = "kept"
            why = "Existing centre, kept open by the scenario."
        elif inst.min_count[j] > 0:
            reason = "must_open"
            why = "Must open (scenario setting)."
        elif free > 0 and net < 0:
            reason = "coverage_and_pays" if gained > 0 else "pays"
            why = (f"Converting releases {_fmt(free)} a year of institution running costs, "
                   f"more than it costs ({_fmt(-net)} saved over {h} years)"
                   + (f", and it alone brings {gained:,.0f} children within the standard."
                      if gained > 0 else "."))
        else:
            reason = "coverage"
            why = (f"It alone brings {gained:,.0f} children within the standard for "
                   f"{_fmt(net)} over {h} years.")
        rows[j] = {
            "settlements_assigned": int(mine.sum()),
            "children_assigned": float(kids.sum()),
            "median_minutes": _opt(weighted_quantile(mins, kids, 0.5)),
            "worst_minutes": _opt(float(np.nanmax(mins[kids > 0])) if (kids > 0).any()
                                  else float("nan")),
            "coverage_gained": gained, "capex_kzt": capex, "opex_kzt_per_year": opex,
            "released_kzt_per_year": free, "reason": reason, "why": why,
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(SITE_COLUMNS))


def _opt(v: float) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), 1)


def conversion_explanations(inst: Instance, plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """Every institution that could have become a centre, converted or not, and why.

    coverage_gain: for a converted one, the children only it brings within the standard; for
    one not converted, the uncovered children within its standard that converting it would
    add. net_cost_kzt: its whole-life cost over the horizon net of the running costs it
    releases (negative: it pays for itself; recruited foster families not included).
    """
    h = scenario.budget.horizon_years
    net = inst.capex + h * net_opex(inst, scenario.family_care.released_kzt_per_child_year)
    reach = _reach(inst, plan.counts)
    within = inst.within_standard()
    uncovered = inst.weights * (1 - plan.share)
    names = (inst.sites["name"].astype(str).to_numpy() if inst.sites is not None
             and "name" in inst.sites else inst.site_ids)
    b = scenario.budget
    rows = []
    for j in np.flatnonzero(inst.site_kind == "convert"):
        pairs = within & (inst.cols == j)
        done = plan.counts[j] > 0
        if done:
            gain = float(inst.weights[inst.rows[pairs][reach[inst.rows[pairs]] == 1]].sum())
        else:
            gain = float(uncovered[inst.rows[pairs]].sum())
        cost = float(net[j])
        if done:
            reason = "pays" if cost < 0 else "coverage"
            why = (f"Converted: it pays for itself ({_fmt(-cost)} released over {h} years net "
                   "of its costs)" if cost < 0 else
                   f"Converted: it brings {gain:,.0f} children within the standard for "
                   f"{_fmt(cost)} over {h} years")
            why += f"; {inst.site_children[j]:,.0f} children move to family care."
        elif inst.max_count[j] < 1:
            reason, why = "excluded", "Not converted: excluded by the scenario."
        elif gain < 0.5 and cost >= 0:
            reason = "no_gain"
            why = (f"Not converted: the children within its reach are already covered and "
                   f"its costs exceed what it releases ({_fmt(cost)} over {h} years).")
        elif cost < 0:
            reason = "limits"
            limits = [x for x, on in (("the capital budget", b.capex_kzt is not None),
                                      ("the new-centre limit",
                                       scenario.candidates.max_new is not None),
                                      ("the total budget (capital spent up front)",
                                       b.total_kzt is not None)) if on]
            why = ("Not converted although it would pay for itself: held back by "
                   + (", ".join(limits) if limits else "the family places it needs") + ".")
        else:
            reason = "cost"
            why = (f"Not converted: it would add {gain:,.0f} children for {_fmt(cost)} over "
                   f"{h} years; the budget went to sites covering more children per tenge.")
        rows.append({"site_id": str(inst.site_ids[j]), "name": str(names[j]),
                     "unit_code": (inst.units[inst.site_unit[j]]
                                   if 0 <= inst.site_unit[j] < len(inst.units) else None),
                     "converted": bool(done), "children_in_care": float(inst.site_children[j]),
                     "coverage_gain": gain, "net_cost_kzt": cost, "reason": reason, "why": why})
    return pd.DataFrame(rows, columns=list(CONVERSION_COLUMNS))


def conversion_summary(conversions: pd.DataFrame, scenario: Scenario,
                       status: str = "optimal") -> str:
    """One sentence on the plan's conversions, or why there are none (`status`: the solve's;
    without a plan none is converted because there is no plan, whatever the limits)."""
    if status not in ("optimal", "feasible"):
        return (f"No plan was found (solver status {status}), so no institution is converted"
                + ("; a longer solver.time_limit_seconds may find one."
                   if status == "time_limit" else "."))
    if conversions.empty:
        types = ", ".join(scenario.conversion.types) or "none"
        return (f"No institution could be converted: none of the convertible types ({types}) "
                "lies in the chosen region.")
    done = conversions[conversions["converted"]]
    if len(done):
        return (f"{len(done)} of {len(conversions)} convertible institutions converted "
                f"({done['children_in_care'].sum():,.0f} children move to family care).")
    top = conversions["reason"].value_counts().idxmax()
    text = {"no_gain": "their reach is already covered and their costs exceed what they "
                       "release",
            "cost": "other sites cover more children per tenge",
            "limits": "the scenario's limits hold them back although they would pay",
            "excluded": "the scenario excludes them"}.get(top, top)
    credit = ("" if scenario.family_care.released_kzt_per_child_year > 0 else
              " (the credit for released running costs is off)")
    return f"No institution converted: mostly because {text}{credit}."
