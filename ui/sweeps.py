"""Sweep views without Streamlit: the sweep file the launch form describes, a finished
sweep's files read back, the robust-site map, coverage-vs-budget bands and the regret table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import folium
import geopandas as gpd
import pandas as pd
import tomli_w

from planning.scenario import Budget
from ui import charts, maps, numbers
from ui.i18n import t

# share of runs choosing a site -> colour (never chosen in grey)
SHARE_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.0, "#bdbdbd"), (0.0, 0.25, "#fee5d9"), (0.25, 0.5, "#fcae91"),
    (0.5, 0.75, "#fb6a4a"), (0.75, 1.0, "#de2d26"), (1.0, 1.0, "#67000d"))


BUDGET_PATHS = {"capex": "budget.capex_kzt", "total": "budget.total_kzt",
                "opex": "budget.opex_kzt_per_year"}
"""Budgets the launch form can vary -> their scenario fields. Capital is the default: with the
released-cost credit (on by default) the plans' running cost counts as zero, so the whole-life
budget is slack and only the capital budget binds (as in the example sweep)."""
DEFAULT_BUDGETS = ("capex",)
DEFAULT_FACTORS = "0.67, 1, 1.33"
CAPEX_SHARE = 0.25
"""An unset capital budget is scaled from this share of the whole-life budget: with the
default multipliers the app's sweep tries 1/6, 1/4 and 1/3 of it, as the example sweep does."""


def budget_reference(budget: Budget, kind: str) -> float | None:
    """The amount the multipliers scale for budget `kind`: the base scenario's own budget of
    that kind, else a part of its whole-life budget (a quarter as capital, all of it spread
    over the horizon as the yearly running budget); None when neither is set."""
    own = {"capex": budget.capex_kzt, "total": budget.total_kzt,
           "opex": budget.opex_kzt_per_year}[kind]
    if own is not None or budget.total_kzt is None:
        return own
    if kind == "capex":
        return budget.total_kzt * CAPEX_SHARE
    return budget.total_kzt / max(budget.horizon_years, 1)


def budget_grid(budget: Budget, kinds: list[str],
                factors: list[float]) -> tuple[dict[str, list[float]], list[str]]:
    """Grid axes {scenario field: amounts} scaling each chosen budget by `factors`, and the
    chosen kinds that have nothing to scale (no such budget and no whole-life budget)."""
    axes: dict[str, list[float]] = {}
    missing: list[str] = []
    for kind in kinds:
        reference = budget_reference(budget, kind)
        if reference is None:
            missing.append(kind)
        elif factors:
            axes[BUDGET_PATHS[kind]] = [round(reference * f) for f in factors]
    return axes, missing


def budget_lines(budgets: dict[str, list[float]], lang: str) -> list[str]:
    """One line per varied budget: its name and the amounts tried in bn KZT, written the
    language's way ("Бюджет капвложений: 4,95; 7,40; 9,84 млрд тенге")."""
    kinds = {path: kind for kind, path in BUDGET_PATHS.items()}
    lines = []
    for path, amounts in budgets.items():
        label = t(f"opt_budget_{kinds[path]}", lang)
        lines.append(t("sweep_budgets_tried", lang, budget=label[:1].upper() + label[1:],
                       amounts="; ".join(numbers.number(a / 1e9, lang, 2) for a in amounts)))
    return lines


def sweep_toml(name: str, *, budgets: dict[str, list[float]], standards: list[float], runs: int,
               seed: int, children: float, entry_rate: float, capex: float, opex: float,
               regret_plan: str = "base") -> str:
    """A sweep file over the saved scenario in `base.toml` beside it; `budgets` maps budget
    fields (`BUDGET_PATHS`) to the amounts to try."""
    grid: dict[str, list[float]] = {path: [float(b) for b in values]
                                    for path, values in budgets.items() if values}
    if standards:
        grid["travel.standard_minutes"] = [float(s) for s in standards]
    data = {"sweep": {"name": name, "base": "base.toml", "seed": int(seed), "runs": int(runs),
                      "regret_plan": regret_plan},
            "grid": grid,
            "random": {"children": children, "entry_rate": entry_rate, "capex": capex,
                       "opex": opex}}
    return tomli_w.dumps(data)


@dataclass
class SweepFiles:
    """A finished sweep's output files, read back."""

    summary: dict
    runs: pd.DataFrame
    regret: pd.DataFrame
    robust: gpd.GeoDataFrame


def list_sweeps(root: Path) -> list[str]:
    """Sweep folders under `root` (newest first)."""
    if not root.exists():
        return []
    folders = [p for p in root.iterdir() if (p / "sweep.toml").exists()]
    return [p.name for p in sorted(folders, key=lambda p: p.stat().st_mtime, reverse=True)]


def read_sweep(folder: Path) -> SweepFiles | None:
    """The outputs of a finished sweep (None until summary.json is written)."""
    if not (folder / "summary.json").exists():
        return None
    regret_path = folder / "regret.csv"
    regret = pd.read_csv(regret_path) if regret_path.stat().st_size > 1 else pd.DataFrame()
    return SweepFiles(json.loads((folder / "summary.json").read_text(encoding="utf-8")),
                      pd.read_csv(folder / "runs.csv"), regret,
                      gpd.read_file(folder / "robust_sites.geojson"))


def share_colour(share: float) -> str:
    """The colour of a site chosen in `share` of the runs."""
    if share <= 0:
        return SHARE_CLASSES[0][2]
    if share >= 1:
        return SHARE_CLASSES[-1][2]
    for low, high, colour in SHARE_CLASSES[1:-1]:
        if low < share <= high:
            return colour
    return SHARE_CLASSES[-2][2]


def robust_map(units: gpd.GeoDataFrame, robust: gpd.GeoDataFrame, lang: str, *,
               osm: bool = False) -> folium.Map:
    """Candidate sites coloured by the share of runs that chose them (never chosen: grey,
    hidden by default), over the unit outlines, with a legend."""
    m = maps.base_map(units.total_bounds, osm=osm, basemap_label=t("layer_basemap", lang))
    maps.unit_outline_layer(units, t("layer_units", lang)).add_to(m)
    shown = robust.assign(  # text is HTML-escaped by maps.to_geojson
        share_text=[numbers.percent(100 * s, lang, 0) for s in robust["share_chosen"]],
        colour=[share_colour(s) for s in robust["share_chosen"]])
    palette = {c: c for _, _, c in SHARE_CLASSES}
    never = shown["runs_chosen"] == 0
    for part, label, show in ((shown[never], "sweep_never_chosen", False),
                              (shown[~never], "sweep_chosen_sites", True)):
        if len(part):
            maps.point_layer(part.sort_values("share_chosen"), t(label, lang), colour=palette,
                             colour_field="colour", fixed_radius=7,
                             tooltip_fields=["name", "share_text"],
                             tooltip_aliases=["", t("col_share_chosen", lang)],
                             stroke="#000000", show=show).add_to(m)
    labels = [t("sweep_never_chosen", lang), "< 25%", "25–50%", "50–75%", "75–<100%",
              t("sweep_every_run", lang)]
    legend = maps.Legend(t("col_share_chosen", lang),
                         [(c, label, True) for (_, _, c), label in zip(SHARE_CLASSES, labels)])
    return maps.finish(m, [legend])


BUDGET_AXES = {"grid.budget.total_kzt": "col_budget_bn",
               "grid.budget.capex_kzt": "col_capex_budget_bn",
               "grid.budget.opex_kzt_per_year": "col_opex_budget_bn"}
"""Grid columns a budget chart can run along, and their axis titles (the first present)."""


def budget_bands(runs: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Coverage against the budget the sweep varies (whole-life, capital or annual; the
    whole-life budget when none is a grid axis) across the random draws: the min-max band,
    the 10-90 % band and the median, one colour per other grid setting."""
    ok = runs[runs["status"].isin(("optimal", "feasible"))].copy()
    axis = next((c for c in BUDGET_AXES if c in ok.columns), None)
    others = [c for c in ok.columns if c.startswith("grid.") and c != axis]
    ok["setting"] = [", ".join(f"{c[5:]}={v}" for c, v in zip(others, row)) or "–"
                     for row in ok[others].itertuples(index=False)]
    ok["budget_bn"] = pd.to_numeric(ok[axis or "budget_total"], errors="coerce") / 1e9
    stats = ok.groupby(["setting", "budget_bn"])["coverage_pct"].agg(
        low="min", p10=lambda s: s.quantile(0.1), median="median",
        p90=lambda s: s.quantile(0.9), high="max").reset_index()
    x = alt.X("budget_bn:Q", title=t(BUDGET_AXES.get(axis or "", "col_budget_bn"), lang))
    colour = alt.Color("setting:N", title=t("col_setting", lang))
    outer = alt.Chart(stats).mark_area(opacity=0.15).encode(
        x=x, y=alt.Y("low:Q", title=t("col_coverage_pct", lang), scale=alt.Scale(zero=False)),
        y2="high:Q", color=colour)
    inner = alt.Chart(stats).mark_area(opacity=0.3).encode(x=x, y="p10:Q", y2="p90:Q",
                                                            color=colour)
    line = alt.Chart(stats).mark_line(point=True).encode(
        x=x, y="median:Q", color=colour,
        tooltip=["setting", "budget_bn", "low", "median", "high"])
    return charts.in_language(outer + inner + line, lang)


def regret_view(regret: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The regret table for display: per run, its optimum, the plan's coverage and loss."""
    cols = [c for c in regret.columns if c.startswith("grid.")] + [
        "run", "draw", "optimum_covered", "plan_covered", "children_lost", "coverage_lost_pct",
        "plan_within_budget"]
    out = regret[[c for c in cols if c in regret.columns]].copy()
    return out.rename(columns={c: t(f"col_{c}", lang) for c in REGRET_COLUMNS})


REGRET_COLUMNS = ("optimum_covered", "plan_covered", "children_lost", "coverage_lost_pct",
                  "plan_within_budget")
