"""The visibility step: what one user may see, run and download. Every page goes through it.

A page takes the user from `require_page`, and before it draws or exports anything passes
its layers, unit tables, saved scenarios and saved layers through these functions:

- planners see only the rows of their assigned units (`access.roles.unit_allowed`), in every
  layer (bundled, uploaded, saved), in the unit list, in saved scenarios (a scenario is theirs
  when every unit it plans for is assigned to them; a whole-country scenario is not) and in
  what they may run;
- without `view_exact_points` (the public), layers whose points are not public
  (`geo.privacy.public_points_allowed`) arrive as one record per unit, and the unit tables
  arrive with small counts suppressed, rates and complements suppressed with their counts
  (`public_units`, `public_gaps`);
- ministry and admin see everything.

Pages never decide these rules themselves. Pure functions of (Geo)DataFrames: tested without
Streamlit.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from access.roles import User, can, unit_allowed
from geo.layers import Layers
from geo.privacy import aggregate_points, public_points_allowed, suppress_derived, suppress_small
from geo.units import unit_column

POINT_LAYERS = ("settlements", "institutions", "centres", "foster")
GAP_COUNTS = ("uncovered_settlements", "uncovered_children", "children")
UNIT_COUNTS = ("children_in_institutions", "foster_families")
# derived column -> the suppressed count it is computed from (rates, shares, complements)
DERIVED = {"institution_rate": "children_in_institutions", "foster_rate": "foster_families",
           "children_covered": "uncovered_children", "coverage_share": "uncovered_children",
           "children_per_centre": "children"}


class NotPermitted(PermissionError):
    """The user asked for something outside their rights; the message says what."""


def exact_points(user: User) -> bool:
    """True when `user` may see sensitive records at their own location, unsuppressed."""
    return can(user, "view_exact_points")


def unit_codes(user: User, codes: Sequence[str]) -> list[str]:
    """The unit codes of `codes` that `user` may see, in order."""
    return [c for c in codes if unit_allowed(user, c)]


def visible_frame(user: User, frame: pd.DataFrame, column: str = "unit_code") -> pd.DataFrame:
    """The rows of `frame` in units `user` may see (planners: rows without a unit are
    dropped, failing closed). A row is also visible through its district (`district_code`)
    or, for a district itself, its oblast (`parent_code`): planners may hold either level."""
    if user.role != "planner":
        return frame
    if column not in frame.columns:
        return frame.iloc[0:0]
    keep = pd.Series(False, index=frame.index)
    for name in dict.fromkeys((column, "district_code", "parent_code")):
        if name in frame.columns:
            keep |= frame[name].map(lambda c: isinstance(c, str) and unit_allowed(user, c))
    return frame[keep.astype(bool)]


def visible_units(user: User, units: pd.DataFrame) -> pd.DataFrame:
    """The units (boundaries, with `code`) `user` may see."""
    return visible_frame(user, units, column="code")


def visible(user: User, layers: Layers, level: str = "oblast") -> Layers:
    """The layers as `user` may see them: planners' units only; for users without exact
    points, every layer that is not public as points becomes one record per unit of `level`
    (the level on screen, so a district map gets district totals)."""
    boundaries = visible_units(user, layers.boundaries)
    changed: dict[str, pd.DataFrame] = {"boundaries": boundaries}
    units = visible_units(user, layers.units(level))
    column = unit_column(level)
    for name in POINT_LAYERS:
        frame = visible_frame(user, getattr(layers, name))
        if not exact_points(user) and not public_points_allowed(name):
            frame = aggregate_points(frame, units, unit_column=column)
            if level == "district":  # each district total keeps its oblast
                frame["unit_code"] = frame[column].map(dict(zip(units["code"],
                                                                units["parent_code"])))
        changed[name] = frame
    return dataclasses.replace(layers, **changed)


def scenario_units(user: User, requested: Sequence[str]) -> list[str]:
    """The units a scenario run by `user` plans for: a planner's whole-country request becomes
    their units; any unit not assigned to them is refused (NotPermitted naming it)."""
    if not can(user, "run_scenario"):
        raise NotPermitted("run_scenario: not available to this account")
    if user.role != "planner":
        return list(requested)
    if not requested:
        return list(user.units)
    refused = [u for u in requested if not unit_allowed(user, u)]
    if refused:
        raise NotPermitted(f"region.units: {', '.join(refused)} not assigned to this account "
                           f"(assigned: {', '.join(user.units)})")
    return list(requested)


def scenario_scope(scenario_toml: str) -> tuple[str, list[str]] | None:
    """(country, units) a saved scenario plans for (empty units: the whole country), or None
    when the text is not a scenario."""
    try:
        data = tomllib.loads(scenario_toml)
        units = data.get("region", {}).get("units", [])
        country = str(data.get("country", ""))
    except (tomllib.TOMLDecodeError, AttributeError, TypeError):
        return None
    if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
        return None
    return country, units


def scope_visible(user: User, units: Sequence[str] | None) -> bool:
    """True when a run or saved scenario over `units` (None: unknown, []: whole country) may
    be shown to `user`."""
    if user.role != "planner":
        return can(user, "run_scenario")
    if not units:
        return False
    return all(unit_allowed(user, u) for u in units)


def visible_scenarios(user: User, saved: pd.DataFrame, scenario_tomls: Sequence[str]
                      ) -> pd.DataFrame:
    """The saved scenarios (rows of `Workspace.list_scenarios`, with their TOML texts in the
    same order) that `user` may list, open and compare."""
    keep = []
    for text in scenario_tomls:
        scope = scenario_scope(text)
        keep.append(scope_visible(user, None if scope is None else scope[1])
                    if user.role == "planner" else can(user, "run_scenario"))
    return saved[pd.Series(keep, index=saved.index, dtype=bool)] if len(saved) else saved


def own_plan(user: User, plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """The browser session's last run (`{"owner", "units", "result", ...}`) when `user` ran
    it and may see its units, else None: a run of another account earlier in the same
    browser (signed out since) is never shown, on Scenarios or on Explore's map."""
    if plan is None or plan.get("owner") != user.username:
        return None
    units = plan.get("units")
    return plan if scope_visible(user, units if isinstance(units, list) else None) else None


def visible_result(user: User, frame: pd.DataFrame) -> pd.DataFrame:
    """A result table or layer (`unit_code` per row) limited to what `user` may see."""
    return visible_frame(user, frame)


def unit_parents(units: pd.DataFrame) -> dict[str, str] | None:
    """Unit code -> the code of the unit above it (a district's oblast), or None when the
    units have no level above (oblasts): the public sees both levels, so a district table is
    suppressed against the oblast values too."""
    if "parent_code" not in units.columns or units["parent_code"].isna().all():
        return None
    return dict(zip(units["code"], units["parent_code"], strict=True))


def _parents_of(table: pd.DataFrame, parents: Mapping[str, str] | None) -> list | None:
    return None if parents is None else list(table["code"].map(parents))


def public_gaps(user: User, gaps: pd.DataFrame,
                parents: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The coverage-gap table as `user` may see it: for the public, small counts "<5" and
    complements "x" with a total row (and, with `parents` from `unit_parents`, against each
    parent's published value); for staff, the counts and the total row."""
    if exact_points(user):
        total = gaps[list(GAP_COUNTS)].sum()
        row: dict[str, object] = {c: (int(total[c]) if c in GAP_COUNTS else None)
                                  for c in gaps.columns}
        row[next(c for c in gaps.columns if c not in GAP_COUNTS)] = "Total"
        return pd.concat([gaps.astype(object), pd.DataFrame([row]).astype(object)],
                         ignore_index=True)
    return suppress_small(gaps, list(GAP_COUNTS), total_row=True, total_label="Total",
                          parents=_parents_of(gaps, parents))


def public_units(user: User, indicators: pd.DataFrame, gaps: pd.DataFrame,
                 parents: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The per-unit indicator table as `user` may see it. For the public: counts 1-4 "<5";
    each rate, share or complement (children covered = children - uncovered children) takes
    the label of the count it is derived from, the uncovered-children labels being those of
    `public_gaps` for the same standard, so the two pages together reveal nothing either
    hides; other values rounded to one decimal. `parents` as for `public_gaps`."""
    table = pd.DataFrame(indicators.drop(columns="geometry", errors="ignore"))
    if exact_points(user):
        return table
    shown = suppress_small(table, list(UNIT_COUNTS), total_row=False,
                           parents=_parents_of(table, parents))
    gap_labels = public_gaps(user, gaps, parents).iloc[:-1].set_index("code")
    for column in ("children", "uncovered_children"):
        shown[column] = shown["code"].map(gap_labels[column]).astype(object).to_numpy()
    shown = suppress_derived(shown, {c: s for c, s in DERIVED.items() if c != "children_covered"})
    shown = suppress_derived(shown, {"children_covered": "uncovered_children"}, decimals=0)
    return shown.drop(columns="uncovered_children")
