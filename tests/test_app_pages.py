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


def test_data_page_says_when_no_layer_is_saved():
    """The "Saved layers" heading stood alone on an empty workspace (tour, stop 21)."""
    at = _app("data")
    assert not at.exception
    assert t("no_saved_layers", "en") in [c.value for c in at.caption]


def test_data_page_lists_layers_and_saved_layers(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    ws = Workspace()
    ws.save_layer("field centres", "centres", gpd.GeoDataFrame(
        {"centre_id": ["c1"], "name": ["X"], "kind": ["social_work_centre"], "year": [2020],
         "country": ["KZ"]}, geometry=[Point(76.9, 43.2)], crs=4326))
    at = _app("data")
    assert at.selectbox(key="data_layer").value == "boundaries"
    # the layers in use, named as everywhere else, with the records each has (bundled too)
    from geo.layers import load_layers

    bundled = load_layers("KZ")
    in_use = _frame(at, 0).set_index(t("layer", "en"))[t("col_records", "en")]
    assert in_use.to_dict() == {t(f"layer_{n}", "en"): len(getattr(bundled, n))
                                for n in ("boundaries", "settlements", "institutions",
                                          "centres", "foster")}
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


def _sidebar_agrees(at: AppTest) -> None:
    """The version box's value, the index the browser draws it at, the kept choice and the
    units the page uses all name the same boundary version."""
    from geo.layers import load_boundaries

    box = at.selectbox(key="sidebar_version")
    kept = at.session_state["version"]
    assert box.value == kept
    assert box.proto.default == box.index  # a redrawn box shows the kept choice
    assert box.options[box.index] == str(kept)
    assert len(_frame(at)) == len(load_boundaries("KZ", kept))


def test_boundary_version_box_and_data_agree_across_pages():
    at = _app()
    assert at.selectbox(key="sidebar_version").value == 2022  # the newest is the default
    _sidebar_agrees(at)
    for version in (2018, 2014, 2022):
        at.selectbox(key="sidebar_version").set_value(version).run()
        _sidebar_agrees(at)
        for page in ("gaps", "data", "monitor", "explore"):
            at.switch_page(f"app_pages/{page}.py")
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            box = at.selectbox(key="sidebar_version")
            assert box.value == version and box.proto.default == box.index
        _sidebar_agrees(at)  # back on Explore: its table has that version's units
    # no widget state at all (Streamlit dropped it between pages): the kept choice draws
    # the box, at its own index
    fresh = AppTest.from_file(APP, default_timeout=120)
    fresh.session_state["version"] = 2018
    fresh.run()
    fresh.switch_page("app_pages/gaps.py")
    fresh.run()
    fresh.switch_page("app_pages/explore.py")
    fresh.run()
    _sidebar_agrees(fresh)
    assert fresh.selectbox(key="sidebar_version").value == 2018


def test_default_scenario_name_follows_the_language():
    at = _app("scenarios", lang="ru")
    assert at.text_input(key="scn.name").value == "Центры поддержки семьи"
    at.selectbox(key="sidebar_lang").set_value("kk").run()
    assert at.text_input(key="scn.name").value == "Отбасын қолдау орталықтары"
    at.button(key="FormSubmitter:scenario_form-" + t("run", "kk")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["plan"]["result"].summary["scenario"] == \
        "Отбасын қолдау орталықтары"
    at.text_input(key="save_name").set_value("Base plan kk")
    at.button(key="FormSubmitter:save_scenario-" + t("save", "kk")).click().run()
    saved = Workspace().load_scenario("Base plan kk")
    assert 'name = "Отбасын қолдау орталықтары"' in saved.scenario_toml
    # a name the user typed is kept in every language
    at.text_input(key="scn.name").set_value("Almaty pilot")
    at.button(key="FormSubmitter:scenario_form-" + t("run", "kk")).click().run()
    at.selectbox(key="sidebar_lang").set_value("en").run()
    assert at.session_state["scenario"].name == "Almaty pilot"
    assert at.text_input(key="scn.name").value == "Almaty pilot"


def test_uploaded_scenario_keeps_its_english_name_in_russian():
    from planning.scenario import Scenario

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "ru"
    at.session_state["scenario"] = Scenario.default()  # as after loading an English TOML
    at.session_state["scenario_is_default"] = False
    from access.guard import SESSION_KEY
    from access.roles import User
    from access.session import Session

    at.session_state[SESSION_KEY] = Session(User("tester", ROLE), time.time(), time.time())
    at.run()
    at.switch_page("app_pages/scenarios.py")
    at.run()
    assert not at.exception
    assert at.text_input(key="scn.name").value == "Family support centres"


HOSTILE_FILE = "<img src=x onerror=alert(1)>[x](http://evil)*registry*.csv"


def _upload_in_use(mode: str) -> tuple:
    """tester's active institutions upload, as the Data page's Apply stores it: two bundled
    records (one with 3 more children) and two new ones, in Almaty city and Astana."""
    from geo.layers import load_layers
    from ui.workspace import ActiveLayer

    base = load_layers("KZ").institutions
    frame = base.iloc[[10, 200]].copy()
    frame.loc[frame.index[0], "children"] += 3
    new = base.iloc[[0, 1]].copy()
    new["institution_id"] = ["upload-1", "upload-2"]
    new["geometry"] = gpd_points([(76.95, 43.25), (71.4, 51.1)])
    frame = pd_concat([frame, new]).drop(columns=["unit_code", "district_code"])
    Workspace().set_active("tester", ActiveLayer("institutions", frame, HOSTILE_FILE, mode,
                                                 "2026-12-02T03:00:00+00:00"))
    return base, frame


def gpd_points(xy):
    from shapely.geometry import Point

    return [Point(x, y) for x, y in xy]


def pd_concat(frames):
    import geopandas as gpd
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def _banner(at: AppTest) -> str:
    return " ".join(w.value for w in at.sidebar.warning)


def test_active_upload_is_named_on_every_page_and_survives_a_reload():
    base, _ = _upload_in_use("merge")
    at = _app()
    for page in ("explore", "monitor", "scenarios", "compare", "sweeps", "gaps", "data"):
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        banner = _banner(at)
        assert t("layer_institutions", "en") in banner and "4 records" in banner, page
        assert t("mode_merge", "en") in banner and "2026-12-02 03:00:00 UTC" in banner
        # the file name is inert text: every Markdown/HTML character escaped
        assert HOSTILE_FILE not in banner
        assert r"\<img src\=x onerror\=alert\(1\)\>\[x\]\(http\:\/\/evil\)" in banner
    # Explore counts the merged layer: the bundled institutions plus the new one in Almaty
    at.switch_page("app_pages/explore.py")
    at.run()
    table = _frame(at).set_index(t("col_code", "en"))
    column = t("col_institutions", "en")
    assert table.at["KZ-75", column] == (base["unit_code"] == "KZ-75").sum() + 1
    assert table[column].drop("Total", errors="ignore").sum() == len(base) + 2
    # a reload is a new session of the same account: the upload is still in use
    again = _app()
    assert "4 records" in _banner(again)
    again.button(key="banner_reset_institutions").click().run()  # one click back
    assert _banner(again) == "" and Workspace().active_layers("tester") == {}
    table = _frame(again).set_index(t("col_code", "en"))
    assert table.at["KZ-75", column] == (base["unit_code"] == "KZ-75").sum()


def test_a_plan_on_a_replacing_upload_says_so_in_every_export():
    _upload_in_use("replace")
    at = _run_default(_app("scenarios"))
    summary = at.session_state["plan"]["result"].summary
    files = [row["file"] for row in summary["provenance"]]
    assert "facilities/institutions.geojson" not in files  # replaced
    assert "facilities/centres.geojson" in files
    upload = [row for row in summary["provenance"] if row["file"].startswith("upload:")]
    assert len(upload) == 1 and HOSTILE_FILE in upload[0]["file"]
    assert upload[0]["status"] == "uploaded, replaces the bundled layer"
    from ui import exports

    csv = exports.with_demo(at.session_state["plan"]["result"].by_unit, summary)
    assert csv["data_sources"].str.contains("upload: ", regex=False).all()
    assert summary["demo"] is True  # centres and foster are still the demo layers


def test_an_active_boundaries_upload_is_named_too():
    from geo.layers import load_boundaries
    from ui.workspace import ActiveLayer

    units = load_boundaries("KZ").iloc[:3]
    Workspace().set_active("tester", ActiveLayer("boundaries", units, "oblasts.gpkg", "replace",
                                                 "2026-12-02T03:00:00+00:00"))
    at = _app(lang="kk")
    assert not at.exception
    banner = _banner(at)
    assert t("layer_boundaries", "kk") in banner and "oblasts\\.gpkg" in banner
    assert t("mode_replace", "kk") in banner


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
    box = at.selectbox(key="sidebar_country")
    assert box.value == "KZ" and set(names) <= set(box.options)
    assert not {"KZ", "KG", "TJ", "TM", "UZ"} & set(box.options)


@pytest.mark.parametrize("page", ["explore", "gaps"])
def test_table_csv_carries_provenance_demo_notice_and_uploads(page, monkeypatch):
    """The Explore and Coverage gaps CSVs say what they were made from, as a plan's CSV does:
    the bundled files (source, licence, year, status), the upload in use instead of the
    layer it replaces, and the demo flag with its notice."""
    import io

    import pandas as pd
    import streamlit as st

    from geo.provenance import layer_provenance

    _upload_in_use("replace")
    downloads: list[tuple[str, bytes]] = []
    original = st.download_button

    def spy(label, data, *args, **kwargs):
        downloads.append((kwargs.get("file_name"), data() if callable(data) else data))
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    _app(page)
    data = next(d for n, d in downloads if str(n).endswith(".csv"))
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert csv["demo"].all() and csv["demo_note"].str.startswith("DEMO DATA").all()
    sources = csv["data_sources"].iloc[0]
    assert (csv["data_sources"] == sources).all()
    boundary = next(r for r in layer_provenance("KZ", 2022)
                    if r["file"] == "boundaries/kz_2022_oblast.gpkg")
    assert (f"{boundary['file']}: {boundary['source']} ({boundary['licence']}, "
            f"{boundary['year']}, {boundary['status']})") in sources
    assert "facilities/centres.geojson" in sources
    assert "facilities/institutions.geojson" not in sources  # replaced by the upload
    assert "upload: " in sources and "uploaded, replaces the bundled layer" in sources


def _opened(query: dict[str, str], locale: str | None = "en-US") -> AppTest:
    """The app as a browser opens a link (a fresh session): its query and its language."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.context["locale"] = locale
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_chosen_language_is_kept_across_reloads_page_switches_and_links():
    at = _opened({}, "en-US")
    assert at.title[0].value == t("page_explore", "en") and "lang" not in at.query_params
    at.selectbox(key="sidebar_lang").set_value("ru").run()
    assert at.title[0].value == t("page_explore", "ru")
    assert at.query_params["lang"] == "ru"  # the URL carries the choice
    at.switch_page("app_pages/gaps.py")
    at.run()
    assert at.title[0].value == t("page_gaps", "ru") and at.query_params["lang"] == "ru"
    # a reload (or the link shared) is a new session: it opens in the chosen language
    again = _opened(dict(at.query_params), "en-US")
    assert again.title[0].value == t("page_explore", "ru")
    assert again.selectbox(key="sidebar_lang").value == "ru"
    # choosing the browser's own language again leaves the URL without one
    again.selectbox(key="sidebar_lang").set_value("en").run()
    assert again.title[0].value == t("page_explore", "en") and "lang" not in again.query_params


@pytest.mark.parametrize("value", ["xx", "<script>alert(1)</script>", "RU", ""])
def test_an_unknown_language_in_a_link_falls_back_to_the_browsers(value):
    at = _opened({"lang": value}, "kk-KZ")
    assert at.title[0].value == t("page_explore", "kk")
    assert "lang" not in at.query_params  # dropped from the URL, never shown
    if value:
        assert value not in "".join(str(e.value) for e in (*at.markdown, *at.caption))


def test_a_link_without_a_language_opens_in_the_browsers():
    at = _opened({}, "ru-RU")
    assert at.title[0].value == t("page_explore", "ru") and "lang" not in at.query_params
    kk = _opened({"lang": "kk"}, "ru-RU")
    assert kk.title[0].value == t("page_explore", "kk") and kk.query_params["lang"] == "kk"


def _display(at: AppTest, index: int = 0) -> bytes:
    """The text a table shows (its Styler display values, Arrow bytes); b"" when unstyled."""
    return at.dataframe[index].proto.arrow_data.styler.display_values


@pytest.mark.parametrize("lang,group,point", [("ru", "\u00a0", ","), ("kk", "\u00a0", ","),
                                              ("en", ",", ".")])
def test_tables_show_numbers_the_page_languages_way(lang, group, point):
    """QA: Explore's table showed "198954" and "33159.0" in Russian; the Data page's record
    counts likewise. Each number is written the page language's way, codes stay as they are,
    and the table itself (what sorts and downloads) keeps numbers."""
    at = _app(lang=lang)
    table = _frame(at)
    children = table[t("col_children", lang)]
    assert children.dtype.kind in "if" and children.max() >= 1000
    shown = _display(at)
    for value in children:
        text = f"{int(value):,}".replace(",", group)
        assert text.encode() in shown
    rate = table[t("ind_children_per_centre", lang)].dropna()
    fraction = next(v for v in rate if v >= 1000 and round(v % 1, 1) not in (0, 1))
    whole, tenth = f"{fraction:,.1f}".split(".")
    assert f"{whole.replace(',', group)}{point}{tenth}".encode() in shown
    assert b"KZ-75" in at.dataframe[0].proto.arrow_data.data
    data = _app("data", lang=lang)
    settlements = int(data.dataframe[0].value.iloc[1, 2])  # the settlements layer's records
    assert settlements >= 1000
    assert f"{settlements:,}".replace(",", group).encode() in _display(data)


def test_page_menu_links_carry_the_chosen_language():
    """A page opened from the menu in a new tab (middle-click) lost the language chosen by
    hand: the links carry `?lang=` when the URL does, and nothing in the browser's own."""
    at = _opened({}, "en-US")
    links = at.get("page_link")
    assert [link.proto.page for link in links] == ["", "monitor", "coverage_gaps"]
    assert all(link.proto.query_string == "" for link in links)
    at.selectbox(key="sidebar_lang").set_value("kk").run()
    links = at.get("page_link")
    assert [link.proto.label for link in links] == [
        t("page_explore", "kk"), t("page_monitor", "kk"), t("page_gaps", "kk")]
    assert all(link.proto.query_string == "lang=kk" for link in links)
    hostile = _opened({"lang": "kk&x=<script>"}, "ru-RU")  # never passed on
    assert all(link.proto.query_string == "" for link in hostile.get("page_link"))
    staff = _app(lang="ru")  # a signed-in user's menu lists the pages of the role
    assert len(staff.get("page_link")) == 7
