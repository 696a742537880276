"""Scenarios (ministry staff): edit a scenario, run it with progress by stage, see the plan on
the map with KPI cards and a per-unit table, save it, download it, or rerun an uploaded TOML."""

from __future__ import annotations

import dataclasses
import logging
import time

import pandas as pd
import streamlit as st

from access import views
from access.guard import audit, download_button, require_page
from app_pages import common
from planning.scenario import Scenario, ScenarioError
from planning.solve import InfeasibleScenario, pareto, run_scenario
from planning.worker import WorkerError, deadline, run_in_worker
from ui import charts, exports, forms, maps, tables
from ui import viewmodels as vm
from ui.i18n import STRINGS, t
from ui.workspace import NameTaken

PAGE = "scenarios"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_scenarios", lang))

layers, units = common.visible_data(user, ctx)
common.demo_notice(lang, layers.institutions, layers.centres, layers.foster)

if "scenario" not in st.session_state:
    st.session_state["scenario"] = Scenario.default(ctx.country)
    st.session_state["scenario_is_default"] = True  # its name follows the language
if st.session_state.get("scenario_is_default"):  # an uploaded scenario keeps its own name
    st.session_state["scenario"] = dataclasses.replace(
        st.session_state["scenario"],
        name=forms.default_name(st.session_state["scenario"].name, lang))
    if "scn.name" in st.session_state:  # the form's name box, unless the user typed one
        st.session_state["scn.name"] = forms.default_name(st.session_state["scn.name"], lang)
scenario = st.session_state["scenario"]

uploaded = st.file_uploader(t("upload_toml", lang), type=["toml"], key="scenario_upload")
if uploaded is not None and st.session_state.get("scenario_upload_seen") != uploaded.file_id:
    st.session_state["scenario_upload_seen"] = uploaded.file_id
    try:
        scenario = Scenario.from_toml(uploaded.getvalue().decode("utf-8-sig"),
                                      source=uploaded.name)
    except UnicodeDecodeError:
        st.error(t("scenario_invalid", lang))
        st.dataframe(tables.scenario_problems_table(
            [("(file)", "not UTF-8 text")], lang), hide_index=True)
    except ScenarioError as exc:
        st.error(t("scenario_invalid", lang))
        st.dataframe(tables.scenario_problems_table(exc.problems, lang), hide_index=True)
    else:
        st.session_state["scenario"] = scenario
        st.session_state["scenario_is_default"] = False
        for spec in forms.form_fields(scenario):  # the form shows the uploaded values
            st.session_state.pop(f"scn.{spec.key}", None)
        st.session_state["run_requested"] = True
        st.success(t("loaded_toml", lang, name=common.plain(uploaded.name)))

site_options = common.site_options(layers, lang)

# --- pick must-open / excluded sites on the map --------------------------------------------
site_specs = [s for s in forms.form_fields(scenario) if s.kind == "sites"]


@st.fragment
def pick_fragment() -> None:
    st.caption(t("pick_on_map", lang))
    clicked = common.show_map(common.site_pick_map(layers, units, ctx, lang),
                              key=f"pick_map_{ctx.country}_{ctx.version}", clicks=True,
                              height=380)
    site = clicked.get("site", "").strip()
    if site in site_options:
        st.write(t("selected_site", lang, site=common.plain(site_options[site])))
        cols = st.columns(len(site_specs) or 1)
        for col, spec in zip(cols, site_specs):
            if col.button(common.field_label(spec, lang), key=f"pick_{spec.key}"):
                key = f"scn.{spec.key}"
                chosen = list(st.session_state.get(key, spec.value))
                if site not in chosen:
                    st.session_state[key] = [*chosen, site]
                st.rerun()


if site_specs:
    with st.expander(t("pick_on_map", lang), expanded=False):
        pick_fragment()

# --- the form ------------------------------------------------------------------------------
with st.form("scenario_form"):
    st.subheader(t("scenario_form", lang))
    region_codes = list(units["code"]) + (views.unit_codes(user, list(layers.districts["code"]))
                                          if layers.districts is not None else [])
    values = common.scenario_form(scenario, site_options, region_codes, lang)
    run = st.form_submit_button(t("run", lang), type="primary")

if run or st.session_state.pop("run_requested", False):
    try:
        edited = forms.apply_values(scenario, values) if run else scenario
        edited = forms.apply_values(edited, {("country",): ctx.country,
                                             ("boundary_version",): ctx.version})
        edited = forms.apply_values(edited, {("region", "units"): views.scenario_units(
            user, edited.region.units)})  # a planner plans for their own units only
        edited = Scenario.from_toml(edited.to_toml())  # the engine's own validation
    except ScenarioError as exc:
        st.error(t("scenario_invalid", lang))
        st.dataframe(tables.scenario_problems_table(exc.problems, lang), hide_index=True)
    except views.NotPermitted as exc:
        audit("access_denied", action="run_scenario", reason=str(exc))
        st.error(common.plain(str(exc)))
    else:
        st.session_state["scenario"] = edited
        st.session_state.pop("plan", None)  # a stale result never sits under a new run
        started = time.monotonic()
        failure = None
        with st.status(t("run_status", lang), expanded=True) as status:
            bar = st.progress(0.0)
            line = st.empty()

            def progress(stage: str, fraction: float) -> None:
                label = t(f"stage_{stage}", lang) if f"stage_{stage}" in STRINGS else stage
                elapsed = t("elapsed", lang, seconds=time.monotonic() - started)
                line.write(f"**{label}** · {elapsed}")
                bar.progress(vm.overall_progress(stage, fraction))

            try:
                result = run_in_worker(run_scenario, edited, layers, progress=progress,
                                       timeout=deadline(edited.solver.time_limit_seconds))
            except (ScenarioError, InfeasibleScenario, WorkerError) as exc:
                failure = exc  # explained below, outside the status box, never collapsed
                bar.empty()
                line.empty()
                status.update(label=t("run_failed", lang), state="error", expanded=True)
            else:
                elapsed = t("elapsed", lang, seconds=time.monotonic() - started)
                status.update(label=f"{t('run_done', lang)} · {elapsed}", state="complete",
                              expanded=False)
                result.summary["provenance"] = common.with_upload_provenance(
                    result.summary.get("provenance") or [], ctx)
                st.session_state["plan"] = {"result": result, "toml": edited.to_toml(),
                                            "owner": user.username,
                                            "units": list(edited.region.units)}
                audit("run_scenario", country=ctx.country, version=ctx.version,
                      scenario=st.session_state["plan"]["toml"])
        if isinstance(failure, ScenarioError):  # e.g. unit codes of another boundary version
            st.error(t("scenario_invalid", lang))
            st.dataframe(tables.scenario_problems_table(failure.problems, lang),
                         hide_index=True)
        elif isinstance(failure, InfeasibleScenario):
            st.error(t("infeasible", lang))
            for reason in failure.reasons:
                st.write("- " + common.plain(tables.reason_text(reason, lang)))
            if failure.cheapest_cost is not None and not vm.states_cheapest(failure.reasons):
                st.info(t("cheapest_cost", lang, cost=tables.kpi_value(
                    "cost", failure.cheapest_cost, lang)))
        elif isinstance(failure, WorkerError):  # overran its deadline (killed) or died
            logging.getLogger("otbasy.app").warning("scenario run stopped: %s", failure)
            st.error(t("run_stopped", lang))
        if failure is not None:
            st.stop()  # no "run a scenario" hint under the explanation

# --- results -------------------------------------------------------------------------------
plan = views.own_plan(user, st.session_state.get("plan"))  # never another account's run
if plan is None:
    st.info(t("no_result", lang))
    st.stop()
result = plan["result"]
summary = vm.kpis(result.summary)
cards = st.columns(6)
for card, key, label in zip(cards, vm.KPI_KEYS, ("kpi_coverage", "kpi_children_covered",
                                             "kpi_capex", "kpi_opex", "kpi_opened",
                                             "kpi_converted")):
    card.metric(t(label, lang), tables.kpi_value(key, summary[key], lang))
st.caption(f"{t('kpi_status', lang)}: "
           f"{tables.code_label('status', result.summary.get('status', ''), lang)}")
st.write(exports.credit_sentence(result.summary, lang))
st.write(exports.conversions_sentence(result, lang))

result_map = maps.result_map(units, result.sites, result.settlements, lang, osm=ctx.osm,
                             site_id=common.SITE_ID)


@st.fragment
def result_fragment() -> None:
    common.show_map(result_map, key="result_map")


result_fragment()
st.subheader(t("per_unit", lang))
by_unit = tables.plain_table(vm.plan_by_unit(result.by_unit, units), lang)
st.dataframe(tables.on_screen(by_unit, lang), hide_index=True, width="stretch")
with st.expander(t("sites_title", lang)):
    st.dataframe(tables.on_screen(tables.plain_table(exports.site_table(result, lang), lang),
                                  lang), hide_index=True)
with st.expander(t("conversions_title", lang)):
    st.dataframe(tables.on_screen(tables.plain_table(exports.conversion_table(result, lang),
                                                     lang), lang), hide_index=True)

with st.expander(t("pareto_title", lang), expanded=bool(plan.get("pareto"))):
    if st.button(t("pareto_run", lang), key="pareto_run"):
        scn = st.session_state["scenario"]
        budgets = vm.pareto_budgets(scn.budget.total_kzt,
                                    float(result.summary.get("cost_whole_life") or 0))
        with st.spinner(t("pareto_title", lang)):
            try:
                curve = run_in_worker(pareto, scn, budgets, layers, timeout=deadline(
                    scn.solver.time_limit_seconds, len(budgets)))
            except WorkerError as exc:
                logging.getLogger("otbasy.app").warning("coverage-vs-budget run stopped: %s",
                                                        exc)
                st.error(t("run_stopped", lang))
                st.stop()
        plan["pareto"] = curve.to_dict("records")
    if plan.get("pareto"):
        curve = tables.plain_table(tables.localise_codes(pd.DataFrame(plan["pareto"]), lang),
                                   lang)
        st.altair_chart(charts.coverage_curve(pd.DataFrame(plan["pareto"]), lang),
                        width="stretch")
        st.dataframe(tables.on_screen(curve, lang), hide_index=True)

with st.form("save_scenario"):
    name = st.text_input(t("save_name", lang), key="save_name")
    note = st.text_area(t("save_note", lang), key="save_note", height=68)
    if st.form_submit_button(t("save", lang)):
        try:
            common.workspace().save_scenario(
                name, plan["toml"], {**result.summary, "pareto": plan.get("pareto")},
                note=note, author=common.author(),
                country=ctx.country, version=ctx.version, by_unit=result.by_unit,
                sites=result.sites, settlements=result.settlements)
        except NameTaken:
            st.error(t("name_taken", lang, name=common.plain(name.strip())))
        except ValueError:
            st.error(t("name_required", lang))
        else:
            audit("save_scenario", name=name.strip())
            st.success(t("saved", lang, name=common.plain(name.strip())))

stem = f"otbasy_{ctx.country.lower()}_{ctx.version}_scenario"
demo = vm.has_demo(layers.institutions, layers.centres, layers.foster)


@st.fragment
def downloads() -> None:
    """The six exports, each built only when its button is pressed (a GeoPackage, two HTML
    documents and a zip on every rerun made the page slow), in a fragment: a press (audited)
    reruns only this row, so the other buttons stay live and the map is not redrawn (a
    press used to rerun the whole page, and a button pressed meanwhile gave a failed
    download)."""
    d1, d2, d3, d4, d5, d6 = st.columns(6)
    with d1:
        download_button(t("download_toml", lang),
                        lambda: exports.scenario_toml(plan["toml"], result.summary),
                        f"{stem}.toml")
    with d2:
        download_button(t("download_gpkg", lang),
                        lambda: exports.result_gpkg(result, demo=demo), f"{stem}.gpkg")
    with d3:
        download_button(t("download_geojson", lang),
                        lambda: exports.result_geojson_zip(result, demo=demo),
                        f"{stem}_geojson.zip")
    with d4:
        download_button(t("download_result_csv", lang),
                        lambda: tables.csv_bytes(exports.with_demo(by_unit, result.summary)),
                        f"{stem}.csv")
    with d5:
        download_button(t("download_html", lang), lambda: exports.plan_map_html(result, lang),
                        f"{stem}_map.html")
    with d6:
        download_button(t("download_report", lang),
                        lambda: exports.plan_report_html(result, lang, by_unit=by_unit),
                        f"{stem}_report.html")


downloads()
