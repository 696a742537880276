"""Sweeps (planners, ministry, admin): start a sweep from a saved scenario in a background
process, follow its progress, and view the robust-site map, coverage-vs-budget bands across
the random draws and the regret table."""

from __future__ import annotations

import re
import time

import streamlit as st

from access import views as views_access
from access.guard import audit, download_button, require_page
from access.roles import can
from app_pages import common
from geo.layers import default_version
from planning.scenario import Scenario
from planning.sweep_launch import launch, progress
from planning.sweep_spec import Sweep, SweepError
from ui import numbers, tables
from ui import sweeps as views
from ui.i18n import t

PAGE = "sweeps"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_sweeps", lang))
st.caption(t("sweep_intro", lang))

ws = common.workspace()
root = ws.root / "sweeps"


def _numbers(text: str, field: str) -> list[float] | None:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        st.error(t("sweep_bad_numbers", lang, field=field))
        return None


def _visible(name: str) -> bool:
    """Planners see only sweeps of saved scenarios within their units."""
    try:
        scope = views_access.scenario_scope((root / name / "base.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        scope = None
    return views_access.scope_visible(user, None if scope is None else scope[1])


# --- launch ------------------------------------------------------------------------------
saved = list(common.saved_scenarios(user)["name"])
with st.expander(t("sweep_new", lang), expanded=not views.list_sweeps(root)):
    if not saved:
        st.info(t("sweep_need_saved", lang))
    elif can(user, "run_scenario"):
        with st.form("sweep_form"):
            base_name = st.selectbox(t("sweep_base", lang), saved, key="sweep_base")
            name = st.text_input(t("sweep_name", lang), key="sweep_name",
                                 value=t("sweep_default_name", lang))
            b1, b2 = st.columns([2, 1])
            kinds = b1.multiselect(t("sweep_budget_kinds", lang), list(views.BUDGET_PATHS),
                                   default=list(views.DEFAULT_BUDGETS), key="sweep_budget_kinds",
                                   placeholder=t("choose", lang),
                                   format_func=lambda k: t(f"opt_budget_{k}", lang),
                                   help=t("sweep_budget_help", lang))
            factors = b2.text_input(t("sweep_budget_factors", lang), views.DEFAULT_FACTORS,
                                    key="sweep_budgets")
            c2, c3 = st.columns(2)
            standards = c2.text_input(t("sweep_standards", lang), "45, 60",
                                      key="sweep_standards")
            runs = c3.number_input(t("sweep_runs", lang), 1, 200, 4, key="sweep_runs")
            r1, r2, r3, r4, r5 = st.columns(5)
            children = r1.number_input(t("sweep_children", lang), 0.0, 0.9, 0.1, 0.05)
            entry = r2.number_input(t("sweep_entry_rate", lang), 0.0, 0.9, 0.2, 0.05)
            capex = r3.number_input(t("sweep_capex", lang), 0.0, 0.9, 0.2, 0.05)
            opex = r4.number_input(t("sweep_opex", lang), 0.0, 0.9, 0.1, 0.05)
            seed = r5.number_input(t("sweep_seed", lang), 0, 2**31 - 1, 2026)
            plan = st.radio(t("sweep_regret_plan", lang), ["base", "frequent"], horizontal=True,
                            format_func=lambda v: t(f"opt_{v}", lang))
            start = st.form_submit_button(t("sweep_launch", lang), type="primary")
        if start:
            multipliers = _numbers(factors, t("sweep_budget_factors", lang))
            minutes = _numbers(standards, t("sweep_standards", lang))
            if multipliers is not None and any(f <= 0 for f in multipliers):
                st.error(t("sweep_bad_factors", lang, field=t("sweep_budget_factors", lang)))
                multipliers = None
            record = ws.load_scenario(base_name)
            base = Scenario.from_toml(record.scenario_toml)
            budgets, missing = views.budget_grid(base.budget, kinds, multipliers or [])
            for kind in missing:
                st.error(t("sweep_no_budget", lang, budget=t(f"opt_budget_{kind}", lang)))
            if multipliers is not None and minutes is not None and not missing:
                # a planner's whole-country scenario is swept over their units only
                base.region.units = views_access.scenario_units(user, base.region.units)
                text = views.sweep_toml(
                    name.strip() or base_name, budgets=budgets,
                    standards=minutes, runs=int(runs) if children or entry or capex or opex
                    else 1, seed=int(seed), children=children, entry_rate=entry,
                    capex=capex, opex=opex, regret_plan=plan)
                slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name.strip())[:40].strip("-") or "sweep"
                folder = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}"
                try:
                    launch(folder, text, base.to_toml())
                except FileExistsError:
                    st.error(t("name_taken", lang, name=common.plain(folder.name)))
                except SweepError as exc:
                    st.error(t("scenario_invalid", lang))
                    st.dataframe(tables.scenario_problems_table(exc.problems, lang),
                                 hide_index=True)
                else:
                    total_runs = len(Sweep.from_file(folder / "sweep.toml").runs())
                    audit("run_scenario", sweep=folder.name, base=base_name, runs=total_runs)
                    st.session_state["sweep_pick"] = folder.name
                    st.success(t("sweep_started", lang, name=common.plain(folder.name),
                                 runs=total_runs))
                    for line in views.budget_lines(budgets, lang):
                        st.caption(line)

# --- view --------------------------------------------------------------------------------
names = [n for n in views.list_sweeps(root) if _visible(n)]
if not names:
    st.info(t("sweep_none", lang))
    st.stop()
if st.session_state.get("sweep_pick") not in names:
    st.session_state["sweep_pick"] = names[0]
picked = st.selectbox(t("sweep_pick", lang), names, key="sweep_pick")
folder = root / picked
state = progress(folder)
if state is None:
    st.info(t("sweep_none", lang))
    st.stop()
st.progress(min(state.done / state.total, 1.0),
            text=t("sweep_progress", lang, done=state.done, total=state.total,
                   failed=state.failed))
files = views.read_sweep(folder) if state.finished else None
if files is None:
    st.button(t("sweep_refresh", lang), key="sweep_refresh")
    st.stop()

s = files.summary
if s.get("demo_data"):
    st.warning(t("demo_notice", lang), icon="⚠️")
cov = s["coverage_pct"]
k1, k2, k3, k4 = st.columns(4)
k1.metric(t("sweep_runs_solved", lang),
          f"{numbers.number(s['succeeded'], lang)} / {numbers.number(s['runs'], lang)}")
k2.metric(t("col_coverage_pct", lang), numbers.number(cov["median"], lang, 1),
          help=" · ".join(f"{q} {numbers.number(cov[q], lang, 1)}"
                          for q in ("min", "p10", "p90", "max")))
if s.get("regret"):
    k3.metric(t("sweep_max_lost", lang),
              numbers.number(s["regret"]["max_children_lost"], lang))
k4.metric(t("col_share_chosen", lang) + " ≥ " + numbers.percent(50, lang, 0),
          numbers.number(s["robust_sites"]["chosen_in_half_or_more"], lang))

st.subheader(t("sweep_robust_map", lang))
base = Scenario.from_dict(s["base_scenario"])
units = common.display_units(base.country, base.boundary_version
                             or default_version(base.country), lang)


@st.fragment
def robust_fragment() -> None:
    common.show_map(views.robust_map(units, files.robust, lang, osm=ctx.osm),
                    key=f"robust_map_{picked}")


robust_fragment()
st.subheader(t("sweep_bands", lang))
st.altair_chart(views.budget_bands(files.runs, lang), width="stretch")
st.subheader(t("sweep_regret", lang))
if not files.regret.empty:
    st.dataframe(tables.on_screen(views.regret_view(files.regret, lang), lang),
                 hide_index=True, width="stretch")
if s["failed"]:
    st.subheader(t("sweep_failed_runs", lang))
    st.dataframe(files.runs[~files.runs["status"].isin(("optimal", "feasible"))][
        ["run", "status", "reason"]], hide_index=True, width="stretch")
cols = st.columns(4)
for col, file_name in zip(cols, ("runs.csv", "robust_sites.geojson", "regret.csv",
                                 "summary.json")):
    with col:
        download_button(t("download_sweep", lang, name=file_name),
                        (folder / file_name).read_bytes(), f"{picked}_{file_name}")
