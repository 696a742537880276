"""Streamlit AppTest tests of the page logic (clicks inside the map belong to test_e2e.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t
from ui.workspace import Workspace

ROLE = "ministry"
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))


def _app(page: str | None = None, lang: str = "en", signed_in: bool = True, role: str = ROLE,
         **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():  # sidebar choices such as country="KG"
        at.session_state[key] = value
    if signed_in:
        from access.guard import SESSION_KEY
        from access.roles import User
        from access.session import Session

        now = time.time()
        at.session_state[SESSION_KEY] = Session(User("tester", role), now, now)
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, index: int = 0):
    return at.dataframe[index].value


def test_explore_table_indicator_and_demo_notice():
    at = _app()
    assert at.title[0].value == t("page_explore", "en")
    assert any("Demo data" in w.value for w in at.warning)
    table = _frame(at)
    assert len(table) == 20
    assert t("ind_institution_rate", "en") in table.columns
    # filter by one unit: the table follows
    at.multiselect(key="explore_units").set_value(["KZ-75"]).run()
    table = _frame(at)
    assert list(table[t("col_code", "en")]) == ["KZ-75"]


def test_explore_in_russian_shows_russian_unit_names():
    at = _app(lang="ru")
    assert at.title[0].value == "Обзор"
    names = set(_frame(at)[t("col_unit", "ru")])
    assert "Алматы" in names and "Акмолинская область" in names


def test_explore_counts_below_five_are_suppressed():
    at = _app(signed_in=False)  # the public view (staff see exact counts)
    table = _frame(at)
    col = table[t("col_foster_families", "en")]
    for value in col:
        assert value in ("<5", 0, "0") or int(value) >= 5


def test_explore_other_boundary_version():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["version"] = 2014
    at.run()
    assert not at.exception
    assert len(_frame(at)) == 16


def test_coverage_gaps_are_suppressed_and_total_consistent():
    at = _app("gaps", signed_in=False)
    table = _frame(at)
    children = table[t("col_uncovered_children", "en")]
    for value in children:
        assert value in ("<5", "x", 0, "0") or int(value) >= 5
    assert t("col_uncovered_children", "en") in [m.label for m in at.metric]
    at.number_input(key="gaps_standard").set_value(240).run()
    assert not at.exception


def test_coverage_gaps_public_view_works_without_sign_in():
    at = _app("gaps", signed_in=False)
    assert at.title[0].value == t("page_gaps", "en")


def test_data_page_lists_layers_and_saved_layers(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    ws = Workspace()
    ws.save_layer("field centres", "centres", gpd.GeoDataFrame(
        {"centre_id": ["c1"], "name": ["X"], "kind": ["social_work_centre"], "year": [2020],
         "country": ["KZ"]}, geometry=[Point(76.9, 43.2)], crs=4326))
    at = _app("data")
    assert at.selectbox(key="data_layer").value == "boundaries"
    assert "field centres" in list(_frame(at, 1)[t("col_name", "en")])
    at.selectbox(key="data_saved_pick").set_value("field centres")
    at.button(key="data_use_saved").click().run()
    assert not at.exception
    assert "centres" in at.session_state["session_layers"]


def test_compare_needs_two_saved_scenarios():
    at = _app("compare")
    assert any(t("need_two", "en") in i.value for i in at.info)


def _run_default(at: AppTest) -> AppTest:
    at.button(key="FormSubmitter:scenario_form-Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_scenario_default_run_shows_kpis_and_saves_once():
    at = _run_default(_app("scenarios"))
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {t("kpi_coverage", "en"), t("kpi_opened", "en")}
    plan = at.session_state["plan"]["result"]
    sett = plan.settlements  # the card agrees with a recount from the settlement table
    share = 100 * sett["children_covered"].sum() / (
        sett["children_covered"] + sett["children_uncovered"]).sum()
    assert metrics[t("kpi_coverage", "en")] == f"{share:.1f}%"
    assert metrics[t("kpi_opened", "en")] == str((plan.sites["decision"] == "open").sum())
    by_unit = _frame(at)
    assert len(by_unit) == 20
    at.text_input(key="save_name").set_value("Base plan")
    at.button(key="FormSubmitter:save_scenario-" + t("save", "en")).click().run()
    assert any("Base plan" in s.value for s in at.success)
    rec = Workspace().load_scenario("Base plan")
    assert rec.summary["coverage_pct"] == pytest.approx(plan.summary["coverage_pct"])
    assert len(rec.result_layer("sites")) == len(plan.sites)
    at.button(key="FormSubmitter:save_scenario-" + t("save", "en")).click().run()
    assert any("Base plan" in e.value for e in at.error)  # the name is taken: refused


def test_scenario_form_edit_changes_the_run():
    at = _app("scenarios")
    at.number_input(key="scn.travel.standard_minutes").set_value(30.0)
    at = _run_default(at)
    assert at.session_state["scenario"].travel.standard_minutes == 30.0
    assert "standard_minutes = 30.0" in at.session_state["plan"]["toml"]


def test_scenario_invalid_form_lists_problems():
    at = _app("scenarios")
    at.number_input(key="scn.coverage_target").set_value(1.5)
    at = _run_default(at)
    assert at.error and "plan" not in at.session_state
    problems = _frame(at)
    # named by its form label, never by the engine's path
    assert set(problems[t("col_field", "en")]) == {t("fld_coverage_target", "en")}


def test_compare_two_saved_scenarios_shows_differences():
    ws = Workspace()
    ws.save_scenario("A", "x = 1\n", {"coverage_pct": 60.0, "cost_capex": 100.0,
                                      "opened": ["s1", "s2"]})
    ws.save_scenario("B", "x = 2\n", {"coverage_pct": 75.0, "cost_capex": 160.0,
                                      "opened": ["s1"],
                                      "pareto": [{"budget": 1e9, "coverage_pct": 50.0},
                                                 {"budget": 2e9, "coverage_pct": 70.0}]})
    at = _app("compare")
    table = _frame(at)
    assert list(table.columns) == ["A", "B", "B − A"]
    assert table.loc[t("kpi_coverage", "en"), "B − A"] == pytest.approx(15.0)
    assert table.loc[t("kpi_opened", "en"), "B − A"] == -1
    assert any(t("pareto_title", "en") in h.value for h in at.subheader)


def test_compare_draws_each_plan_on_its_own_country_and_numbers_in_the_page_language():
    """QA: with Kyrgyzstan chosen in the sidebar, Compare drew two saved Kazakh plans on the
    Kyrgyz oblasts (zoomed to Kyrgyzstan), and wrote "8,730,000,000" in the Russian table."""
    import json

    from planning.scenario import Scenario
    from planning.solve import run_scenario

    scenario = Scenario.default("KZ")
    scenario.region.units = ["KZ-10"]  # Abai: a small real plan
    result = run_scenario(scenario)
    ws = Workspace()
    for name, capex in (("A", 8.73e9), ("B", 9.1e9)):
        ws.save_scenario(name, "x = 1\n", {"coverage_pct": 76.25, "cost_capex": capex},
                         country="KZ", version=2022, sites=result.sites,
                         settlements=result.settlements)
    at = _app("compare", lang="ru", country="KG")
    maps_html = [json.loads(c.proto.json_args)["html"] for c in at.get("component_instance")]
    assert len(maps_html) == 2
    def names(html: str, *words: str) -> list[bool]:  # as text or JSON-escaped in GeoJSON
        return [w in html or json.dumps(w)[1:-1] in html for w in words]

    for html in maps_html:
        assert names(html, "Абай", "Чуйская", "Бишкек") == [True, False, False]
    shown = at.dataframe[0].proto.arrow_data.styler.display_values  # Arrow bytes of the text
    assert "8\u00a0730\u00a0000\u00a0000".encode() in shown and b"8,730,000,000" not in shown
    assert b"76,2" in shown or b"76,3" in shown


def test_admin_errors_show_typed_text_as_text():
    """QA: the Admin page put the credentials module's message, which quotes what the admin
    typed, into Markdown as is: units "![x](http://…)" became an image fetched from that host
    (every other page passes user text through `common.plain`)."""
    at = _app("admin", role="admin")
    at.text_input[1].input("aigerim")
    at.selectbox[1].set_value("planner")
    at.text_input[2].input("![x](http://evil.example/p.png)")
    at.text_input[3].input("correct-horse-battery-9")  # pragma: allowlist secret - test value
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert "EVIL" in shown  # the message is there, quoting the input...
    assert "![" not in shown and "](" not in shown  # ...as text: no image, no link


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_run_stopped_at_its_deadline_is_explained_in_the_page_language(monkeypatch, tmp_path,
                                                                         lang):
    """QA: a run killed at its deadline showed the worker's English sentence ("the run took
    longer than 0.02 s and was stopped") on the Russian and Kazakh pages."""
    from geo import limits

    (tmp_path / "limits.toml").write_text("[limits]\nworker_extra_seconds = 0.01\n",
                                          encoding="utf-8")
    monkeypatch.setenv("OTBASY_LIMITS", str(tmp_path / "limits.toml"))
    limits.limits.cache_clear()
    try:
        at = _app("scenarios", lang=lang)
        at.number_input(key="scn.solver.time_limit_seconds").set_value(0.01)
        at.button(key="FormSubmitter:scenario_form-" + t("run", lang)).click().run()
    finally:
        limits.limits.cache_clear()
    shown = " ".join(e.value for e in at.error)
    assert t("run_stopped", lang) in shown
    assert "took longer" not in shown and "stopped unexpectedly" not in shown
    assert "plan" not in at.session_state


@pytest.mark.parametrize("lang,names", [("en", ["Kazakhstan", "Kyrgyzstan"]),
                                        ("ru", ["Казахстан", "Кыргызстан"]),
                                        ("kk", ["Қазақстан", "Қырғызстан"])])
def test_country_box_shows_country_names(lang, names):
    """QA: the sidebar's country box listed raw ISO codes (KZ, KG, TJ, TM, UZ) in every
    language."""
    at = _app(lang=lang, signed_in=False)
    box = at.selectbox(key="country")
    assert box.value == "KZ" and set(names) <= set(box.options)
    assert not {"KZ", "KG", "TJ", "TM", "UZ"} & set(box.options)
