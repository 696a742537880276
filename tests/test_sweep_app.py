"""The Sweeps page (AppTest): a sweep started from a saved scenario runs in a separate
background process, and the finished sweep shows its figures, chart and regret table. The
robust-site map in a browser is tests/test_e2e_sweeps.py."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning.scenario import Scenario
from ui import sweeps as views
from ui.i18n import t
from ui.workspace import Workspace

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def two_oblasts() -> Scenario:
    s = Scenario.default("KZ")
    s.region.units = ["KZ-11", "KZ-59"]
    s.budget.total_kzt = 1.5e9
    return s


@pytest.fixture()
def workspace(monkeypatch, tmp_path) -> Workspace:
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))
    ws = Workspace(tmp_path / "workspace")
    ws.save_scenario("Two oblasts", two_oblasts().to_toml(), {}, country="KZ")
    return ws


def _app(role: str = "ministry", user=None) -> AppTest:
    from access.guard import SESSION_KEY
    from access.roles import User
    from access.session import Session

    at = AppTest.from_file(APP, default_timeout=120)
    now = time.time()
    at.session_state[SESSION_KEY] = Session(user or User("tester", role), now, now)
    at.run()
    at.switch_page("app_pages/sweeps.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sweep_launched_from_saved_scenario_runs_in_background_and_shows(workspace):
    at = _app()
    at.multiselect(key="sweep_budget_kinds").set_value(["total"])
    at.text_input(key="sweep_budgets").set_value("0.8, 1")
    at.text_input(key="sweep_standards").set_value("60")
    at.number_input(key="sweep_runs").set_value(2)
    at.button[0].click()  # the form's submit button is the first button
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("started in the background (4 runs)" in s.value for s in at.success)
    (name,) = views.list_sweeps(workspace.root / "sweeps")
    folder = workspace.root / "sweeps" / name
    pid = int((folder / "pid").read_text())
    assert pid != os.getpid()  # not inside the server process
    deadline = time.time() + 600
    while not (folder / "summary.json").exists():
        assert time.time() < deadline, (folder / "sweep.log").read_text()
        time.sleep(1)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["runs"] == 4 and summary["succeeded"] == 4
    assert summary["base_scenario"]["budget"]["total_kzt"] == 1.5e9
    assert sorted(json.loads(json.dumps(summary["grid"]))["budget.total_kzt"]) == [1.2e9, 1.5e9]

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t("sweep_progress", "en", done=5, total=5, failed=0) in str(p.proto)
               for p in at.get("progress"))
    assert at.metric[0].value == "4 / 4"
    assert any(h.value == t("sweep_robust_map", "en") for h in at.subheader)
    (chart,) = at.get("vega_lite_chart")  # the coverage-vs-budget bands
    assert len(json.loads(chart.proto.spec)["layer"]) == 3
    regret = at.dataframe[0].value
    assert len(regret) == 4 and t("col_children_lost", "en") in regret.columns
    # the figures are the files': regret is the base plan evaluated on each run
    files = views.read_sweep(folder)
    assert list(regret[t("col_children_lost", "en")]) == list(files.regret["children_lost"])
    assert any("Demo data" in w.value for w in at.warning)


def test_robust_map_colours_by_share_and_escapes_names():
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.layers import load_layers

    units = load_layers("KZ", None).boundaries.assign(unit_name="u")
    robust = gpd.GeoDataFrame({
        "site_id": ["a", "b", "c", "d"], "kind": "new", "unit_code": "KZ-11",
        "name": ['<img src=x onerror="alert(1)">', "B", "C", "D"],
        "runs_chosen": [12, 6, 1, 0], "share_chosen": [1.0, 0.5, 1 / 12, 0.0]},
        geometry=[Point(71 + i, 51) for i in range(4)], crs=4326)
    html = views.robust_map(units, robust, "en").get_root().render()
    # the tooltip (rendered as HTML) gets the name HTML-escaped, inside JSON
    assert "<img src=x" not in html and "\\u0026lt;img src=x onerror=\\u0026quot;" in html
    assert [views.share_colour(s) for s in robust["share_chosen"]] == [
        "#67000d", "#fcae91", "#fee5d9", "#bdbdbd"]
    assert "Share of runs" in html and "Never chosen" in html


def test_budget_bands_summarise_the_draws_per_budget_and_setting():
    import pandas as pd

    runs = pd.DataFrame({
        "status": ["optimal"] * 6 + ["infeasible"],
        "grid.budget.total_kzt": [1e9, 1e9, 1e9, 2e9, 2e9, 2e9, 2e9],
        "grid.travel.standard_minutes": [60] * 7,
        "budget_total": [1e9, 1e9, 1e9, 2e9, 2e9, 2e9, 2e9],
        "coverage_pct": [80.0, 82.0, 90.0, 91.0, 95.0, 93.0, None]})
    spec = views.budget_bands(runs, "en").to_dict()
    (data,) = spec["datasets"].values()
    assert views.budget_bands(runs, "ru").to_dict()["config"]["locale"]["number"][
        "decimal"] == ","  # axes and tooltips written the Russian way
    rows = {r["budget_bn"]: r for r in data}
    assert rows[1.0]["low"] == 80 and rows[1.0]["high"] == 90 and rows[1.0]["median"] == 82
    assert rows[2.0]["low"] == 91 and rows[2.0]["high"] == 95  # the failed run is left out
    assert {r["setting"] for r in data} == {"travel.standard_minutes=60"}


def test_budget_bands_follow_the_capital_budget_when_the_sweep_varies_it():
    """The example sweep varies the capital budget (the released-cost credit leaves the
    whole-life budget slack): the chart runs along it, not along the constant total."""
    import pandas as pd

    runs = pd.DataFrame({
        "status": ["optimal"] * 4, "grid.budget.capex_kzt": [5e9, 5e9, 1e10, 1e10],
        "grid.travel.standard_minutes": [45, 60, 45, 60], "budget_total": [2.958e10] * 4,
        "coverage_pct": [69.0, 73.8, 71.6, 76.3]})
    spec = views.budget_bands(runs, "en").to_dict()
    (data,) = spec["datasets"].values()
    assert sorted({r["budget_bn"] for r in data}) == [5.0, 10.0]
    assert {r["setting"] for r in data} == {"travel.standard_minutes=45",
                                            "travel.standard_minutes=60"}
    assert "Capital budget, bn KZT" in json.dumps(spec)


def test_launch_form_writes_a_valid_sweep():
    text = views.sweep_toml("x", budgets={"budget.total_kzt": [1.2e9, 1.5e9]}, standards=[60],
                            runs=3, seed=4,
                            children=0.1, entry_rate=0.0, capex=0.0, opex=0.0,
                            regret_plan="frequent")
    import tomllib

    data = tomllib.loads(text)
    assert data["sweep"]["base"] == "base.toml" and data["sweep"]["runs"] == 3
    assert data["grid"] == {"budget.total_kzt": [1.2e9, 1.5e9],
                            "travel.standard_minutes": [60.0]}


def test_planners_sweep_and_see_only_scenarios_of_their_units(workspace):
    import signal

    from access.roles import User

    workspace.save_scenario("National", Scenario.default("KZ").to_toml(), {}, country="KZ")
    at = _app(user=User("aigerim", "planner", ("KZ-11", "KZ-59")))
    assert at.selectbox(key="sweep_base").options == ["Two oblasts"]  # not the national one
    at.text_input(key="sweep_standards").set_value("60")
    at.text_input(key="sweep_budgets").set_value("1")
    at.number_input(key="sweep_runs").set_value(1)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (name,) = views.list_sweeps(workspace.root / "sweeps")
    folder = workspace.root / "sweeps" / name
    os.killpg(int((folder / "pid").read_text()), signal.SIGKILL)  # its result is not needed
    assert Scenario.from_file(folder / "base.toml").region.units == ["KZ-11", "KZ-59"]
    other = _app(user=User("bolat", "planner", ("KZ-10",)))
    assert any(t("sweep_none", "en") in i.value for i in other.info)
    assert _app("ministry").selectbox(key="sweep_pick").options == [name]


def _launched(at: AppTest, folder_root: Path) -> dict:
    """The sweep file the form wrote; its background process is stopped (not needed)."""
    import signal
    import tomllib

    (name,) = views.list_sweeps(folder_root)
    folder = folder_root / name
    os.killpg(int((folder / "pid").read_text()), signal.SIGKILL)
    return tomllib.loads((folder / "sweep.toml").read_text("utf-8"))


def test_launch_form_varies_the_capital_budget_by_default(workspace):
    """The released-cost credit makes the whole-life budget slack, so the form's default axis
    is the capital budget (the base leaves it unset: a quarter of its whole-life budget
    scaled, 1/6, 1/4 and 1/3 of it as in the example sweep); the whole-life budget stays."""
    at = _app()
    assert at.multiselect(key="sweep_budget_kinds").value == ["capex"]
    at.text_input(key="sweep_standards").set_value("60")
    at.number_input(key="sweep_runs").set_value(1)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    grid = _launched(at, workspace.root / "sweeps")["grid"]
    assert grid == {"budget.capex_kzt": [round(1.5e9 / 4 * f) for f in (0.67, 1, 1.33)],
                    "travel.standard_minutes": [60.0]}
    assert [c.value for c in at.caption if "bn KZT" in c.value] == [
        "Capital budget: 0.25; 0.38; 0.50 bn KZT"]


def test_launch_form_varies_the_chosen_budgets_and_refuses_what_it_cannot_scale(workspace):
    s = two_oblasts()
    s.budget.total_kzt = None
    s.budget.capex_kzt = 2e9
    workspace.save_scenario("Capital only", s.to_toml(), {}, country="KZ")
    at = _app()
    at.selectbox(key="sweep_base").set_value("Capital only")
    at.multiselect(key="sweep_budget_kinds").set_value(["opex", "capex"])
    at.text_input(key="sweep_budgets").set_value("1, 2")
    at.button[0].click()
    at.run()  # no whole-life budget: nothing to scale a running budget from
    assert [e.value for e in at.error] == [t("sweep_no_budget", "en",
                                             budget=t("opt_budget_opex", "en"))]
    assert views.list_sweeps(workspace.root / "sweeps") == []
    at.text_input(key="sweep_budgets").set_value("0, 1")
    at.multiselect(key="sweep_budget_kinds").set_value(["capex"])
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == [t("sweep_bad_factors", "en",
                                             field=t("sweep_budget_factors", "en"))]
    assert views.list_sweeps(workspace.root / "sweeps") == []
    at.text_input(key="sweep_budgets").set_value("1, 2")
    at.number_input(key="sweep_runs").set_value(1)
    at.button[0].click()
    at.run()
    assert not at.error
    grid = _launched(at, workspace.root / "sweeps")["grid"]
    assert grid["budget.capex_kzt"] == [2e9, 4e9]  # the base's own capital budget
    assert "budget.total_kzt" not in grid


def test_budget_reference_of_every_kind():
    from planning.scenario import Budget

    b = Budget(total_kzt=30e9, horizon_years=5)
    assert views.budget_reference(b, "total") == 30e9
    assert views.budget_reference(b, "capex") == 7.5e9
    assert views.budget_reference(b, "opex") == 6e9
    own = Budget(total_kzt=30e9, capex_kzt=1e9, opex_kzt_per_year=2e9)
    assert [views.budget_reference(own, k) for k in views.BUDGET_PATHS] == [1e9, 30e9, 2e9]
    assert views.budget_grid(Budget(total_kzt=None), ["total", "capex"], [1.0]) == (
        {}, ["total", "capex"])
    assert views.budget_lines({"budget.capex_kzt": [4.95e9, 7.4e9]}, "ru") == [
        "Бюджет капвложений: 4,95; 7,40 млрд тенге"]
