"""A planner assigned KZ-10, on every page (Streamlit AppTest): sees, runs, compares, loads and
downloads KZ-10 only; the ministry's scenarios of other units, their notes and the saved
foster registry's points elsewhere never reach the planner's session."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from access import views
from access.audit import read_audit
from access.guard import SESSION_KEY
from access.roles import User
from access.session import Session
from geo.layers import load_layers
from planning.scenario import Scenario
from ui.i18n import t
from ui.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
PLANNER = User("aigerim", "planner", ("KZ-10",))
MINISTRY = User("dana", "ministry")
SECRET = "internal draft, do not share"  # pragma: allowlist secret - a note marker


@pytest.fixture(autouse=True)
def _workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))
    ws = Workspace()
    for name, units, note in (("National plan", [], SECRET), ("KZ-75 plan", ["KZ-75"], SECRET),
                              ("KZ-10 plan A", ["KZ-10"], "a"), ("KZ-10 plan B", ["KZ-10"], "b")):
        scenario = Scenario.default("KZ")
        scenario.region.units = units
        ws.save_scenario(name, scenario.to_toml(), {"coverage_pct": 50.0}, note=note,
                         author="dana")
    foster = load_layers("KZ").foster
    ws.save_layer("foster registry", "foster", foster, author="dana")
    ws.save_layer("KZ-75 registry", "foster", foster[foster["unit_code"] == "KZ-75"],
                  author="dana")


def _run(page: str, user: User, state: dict | None = None, downloads: list | None = None,
         monkeypatch=None) -> AppTest:
    if downloads is not None:
        original = st.download_button

        def spy(label, data, *args, **kwargs):
            downloads.append((kwargs.get("file_name"), data() if callable(data) else data))
            return original(label, data, *args, **kwargs)

        monkeypatch.setattr(st, "download_button", spy)
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=180)
    at.session_state["lang"] = "en"
    now = time.time()
    at.session_state[SESSION_KEY] = Session(user, now, now)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "subheader", "info", "error", "success")
             for e in getattr(at, kind)]
    parts += [str(d.value.to_dict()) for d in at.dataframe]
    parts += [str(m.options) for m in at.multiselect]
    return "\n".join(map(str, parts))


def test_compare_lists_only_the_planners_scenarios():
    at = _run("compare.py", PLANNER)
    assert at.multiselect(key="compare_names").options == ["KZ-10 plan A", "KZ-10 plan B"]
    text = _all_text(at)
    assert SECRET not in text and "National plan" not in text and "KZ-75 plan" not in text
    ministry = _run("compare.py", MINISTRY)
    assert len(ministry.multiselect(key="compare_names").options) == 4


def test_a_choice_made_under_another_account_is_dropped():
    at = _run("compare.py", PLANNER, {"compare_names": ["National plan", "KZ-10 plan A"]})
    assert at.multiselect(key="compare_names").value == ["KZ-10 plan A"]
    assert SECRET not in _all_text(at)


def test_planner_run_covers_own_units_and_every_export_too(monkeypatch):
    downloads: list = []
    at = _run("scenarios.py", PLANNER, downloads=downloads, monkeypatch=monkeypatch)
    assert at.multiselect(key="scn.region.units").options == ["KZ-10"]
    downloads.clear()
    at.button(key="FormSubmitter:scenario_form-Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    plan = at.session_state["plan"]
    assert plan["units"] == ["KZ-10"] and views.scenario_scope(plan["toml"]) == ("KZ", ["KZ-10"])
    result = plan["result"]
    assert set(result.by_unit["unit_code"]) == {"KZ-10"}
    assert set(result.settlements["unit_code"]) == {"KZ-10"}
    kz10 = load_layers("KZ").settlements
    assert len(result.settlements) == int((kz10["unit_code"] == "KZ-10").sum())
    assert list(at.dataframe[0].value[t("col_code", "en")]) == ["KZ-10"]
    files = dict(downloads)
    stem = "otbasy_kz_2022_scenario"
    assert set(files) == {f"{stem}.{ext}" for ext in ("toml", "gpkg", "csv")} | {
        f"{stem}_map.html", f"{stem}_report.html", f"{stem}_geojson.zip"}
    with zipfile.ZipFile(io.BytesIO(files[f"{stem}_geojson.zip"])) as archive:
        features = json.loads(archive.read("settlements.geojson"))["features"]
    assert {f["properties"]["unit_code"] for f in features} == {"KZ-10"}
    for layer in ("units", "settlements", "sites"):
        table = gpd.read_file(io.BytesIO(files[f"{stem}.gpkg"]), layer=layer)
        assert set(table["unit_code"]) == {"KZ-10"}, layer
    assert "KZ-75" not in files[f"{stem}.csv"].decode("utf-8-sig")


def test_scenario_exports_are_built_only_when_asked(monkeypatch):
    """Tour (session 21): every rerun of a solved Scenarios page built the GeoPackage, the
    GeoJSON zip and both HTML documents, and pressing one download reran the whole page, so a
    second button pressed meanwhile gave a failed download. Each export is now a function
    Streamlit calls when its button is pressed, inside a fragment."""
    from ui import exports

    built: list[str] = []
    for name in ("result_gpkg", "result_geojson_zip", "plan_map_html", "plan_report_html",
                 "scenario_toml"):
        original = getattr(exports, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            built.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(exports, name, counted)
    at = _run("scenarios.py", PLANNER)
    at.button(key="FormSubmitter:scenario_form-Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # any later interaction reruns the page with the plan on it
    assert not at.exception and at.session_state["plan"] is not None
    assert len(at.get("download_button")) == 6
    assert built == []


def test_planner_cannot_run_another_units_scenario():
    foreign = Scenario.default("KZ")
    foreign.region.units = ["KZ-75"]
    at = _run("scenarios.py", PLANNER, {"scenario": foreign, "run_requested": True})
    errors = [e.value.replace("\\", "") for e in at.error]  # shown with Markdown escaped
    assert any("KZ-75" in e and "not assigned" in e for e in errors), errors
    assert "plan" not in at.session_state
    log = read_audit()
    assert "access_denied" in set(log["event"])


def test_a_plan_of_another_account_in_the_same_browser_is_not_shown():
    ministry = _run("scenarios.py", MINISTRY)
    ministry.button(key="FormSubmitter:scenario_form-Run").click().run()
    plan = ministry.session_state["plan"]
    at = _run("scenarios.py", PLANNER, {"plan": plan})
    assert not at.get("download_button") and not at.metric
    assert any(t("no_result", "en") in i.value for i in at.info)


def test_saved_layers_give_the_planner_own_units_only():
    at = _run("data.py", PLANNER)
    assert list(at.dataframe[1].value[t("col_name", "en")]) == ["foster registry"]
    at.selectbox(key="data_saved_pick").set_value("foster registry")
    at.button(key="data_use_saved").click().run()
    assert not at.exception
    loaded = at.session_state["session_layers"]["foster"].frame
    raw = load_layers("KZ").foster
    assert set(loaded["unit_code"]) == {"KZ-10"}
    assert len(loaded) == int((raw["unit_code"] == "KZ-10").sum())
    ministry = _run("data.py", MINISTRY)
    assert len(ministry.dataframe[1].value) == 2


@pytest.mark.parametrize("page", ["explore.py", "gaps.py"])
def test_planner_tables_hold_own_units_only(page):
    at = _run(page, PLANNER)
    codes = set(at.dataframe[0].value[t("col_code", "en")])
    assert codes - {"Total"} == {"KZ-10"}


def test_a_plan_run_by_another_account_never_shows_on_explore():
    """Tour (session 21): Explore drew "proposed centres of the last scenario run" from the
    browser session, whoever ran it: a planner signing in after a ministry user on the same
    browser saw the ministry's unsaved plan on the map (the Scenarios page already checked
    the owner). Explore now shows only the signed-in account's own run."""
    import json as _json

    ministry = _run("scenarios.py", MINISTRY)
    ministry.multiselect(key="scn.region.units").set_value(["KZ-10"])
    ministry.button(key="FormSubmitter:scenario_form-Run").click().run()
    assert ministry.session_state["plan"]["owner"] == MINISTRY.username
    left = {"plan": ministry.session_state["plan"]}
    proposed = t("layer_proposed", "en")

    def drawn(at: AppTest) -> bool:
        return any(proposed in _json.loads(c.proto.json_args)["html"]
                   for c in at.get("component_instance"))

    assert drawn(_run("explore.py", MINISTRY, state=left))  # the owner sees the run
    assert not drawn(_run("explore.py", PLANNER, state=left))
