"""End-to-end: `streamlit run app.py` driven by Debian's Chromium through Playwright, offline.

Every request that does not go to the app's localhost port is aborted and recorded; the test
fails if any was attempted, so the maps must render from the vendored Leaflet. Screenshots go
to tests/artifacts/ (git-ignored); the README's come from here (copied to docs/img/).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import (
    ARTIFACTS,
    CHROMIUM,
    MARKS,
    MENU,
    TIMEOUT_MS,
    add_account,
    app_env,
    app_server,
    chromium,
    offline_page,
)
from tests.browser import settle as _settle
from ui.i18n import t

USER, PASSWORD = "e2e-ministry", "correct-horse-battery"  # pragma: allowlist secret
pytestmark = MARKS
__all__ = ["ARTIFACTS", "CHROMIUM", "TIMEOUT_MS", "_settle"]  # used by the other e2e modules


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running app on a free localhost port with its own workspace and one ministry account."""
    tmp = tmp_path_factory.mktemp("e2e")
    env = app_env(tmp)
    add_account(env, USER, PASSWORD, "ministry")
    with app_server(tmp, env) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        yield offline_page(browser, server)


MAP_HOST = 'iframe[title="app_pages.common.otbasy_map"]'


def _map_frame(page, index: int = 0):
    """The map inside the visible map host number `index` (the sandboxed inner frame), once
    Leaflet has drawn in it (maps inside collapsed expanders are skipped)."""
    frames = page.locator(MAP_HOST).filter(visible=True)
    frames.nth(index).wait_for()
    frame = frames.nth(index).content_frame.locator("iframe#map").content_frame
    frame.locator(".leaflet-container").wait_for()
    frame.locator("path.leaflet-interactive").first.wait_for()
    return frame


def _no_exceptions(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def _goto(page, name: str) -> None:
    page.locator(MENU).get_by_text(name, exact=True).click()
    _settle(page)


def _sign_in(page) -> None:
    """Sign in, unless the session cookie of an earlier test in this browser already did."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    signed = sidebar.get_by_text("Signed in as")
    signed.or_(sidebar.get_by_label("Username", exact=True)).first.wait_for()
    if signed.count():
        _settle(page)
        return
    sidebar.get_by_label("Username", exact=True).fill(USER)
    sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text("Signed in as").wait_for()
    _settle(page)


def _run_scenario(page) -> None:
    """Press Run and wait for the result. A click that lands while a map component is still
    reporting its first value is dropped by Streamlit's rerun, so it is repeated once."""
    started = page.get_by_text("Running scenario").or_(page.get_by_text("Scenario solved"))
    for attempt in range(2):
        page.get_by_role("button", name="Run", exact=True).click()
        try:
            started.first.wait_for(timeout=15_000)
            break
        except Exception:
            if attempt:
                raise
    page.get_by_text("Scenario solved").first.wait_for(timeout=120_000)
    page.locator('[data-testid="stMetric"]').first.wait_for()


def _save_scenario(page, name: str) -> None:
    save_form = page.locator('[data-testid="stForm"]').filter(has_text="Save to workspace")
    save_form.get_by_label("Name", exact=True).fill(name)
    save_form.get_by_role("button", name="Save to workspace").click()
    page.get_by_text(f"Saved as “{name}”").wait_for()
    _settle(page)


def test_every_page_works_offline(server, browser_page):
    page = browser_page
    page.goto(server)
    _settle(page)
    _sign_in(page)

    # Explore: choropleth + markers, layer control, legend, demo notice, table
    frame = _map_frame(page)
    assert frame.locator(".leaflet-control-layers").count() == 1
    assert frame.locator(".otbasy-legend").count() == 2  # the indicator; institution types
    assert frame.locator("path.leaflet-interactive").count() > 20
    assert page.get_by_text("Demo data").count() >= 1
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    _no_exceptions(page)
    page.screenshot(path=str(ARTIFACTS / "explore.png"))
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Boundaries: geokz (A. Rodionov), CC BY 4.0, after the Bureau "
                               "of National Statistics of the Republic of Kazakhstan").count() == 1

    # Explore at district level: the 224 official districts replace the 20 units on the map
    oblast_paths = frame.locator("path.leaflet-interactive").count()
    sidebar.get_by_text("Districts", exact=True).click()
    _settle(page)
    frame = _map_frame(page)  # a FrameLocator: poll its count (it has no wait_for_function)
    for _ in range(120):
        if frame.locator("path.leaflet-interactive").count() >= oblast_paths + 224 - 20:
            break
        page.wait_for_timeout(500)
    assert frame.locator("path.leaflet-interactive").count() >= oblast_paths + 224 - 20
    # a district (Abai oblast), not an oblast name
    assert "Zharasemey" in frame.locator("html").inner_html()
    _no_exceptions(page)
    page.screenshot(path=str(ARTIFACTS / "explore_districts.png"))
    sidebar.get_by_text("Oblasts", exact=True).click()
    _settle(page)

    # Scenarios: run the default scenario; KPIs and result markers appear
    _goto(page, "Scenarios")
    _run_scenario(page)
    _settle(page)
    _no_exceptions(page)
    assert page.locator('[data-testid="stMetric"]').count() >= 4
    frame = _map_frame(page)
    assert frame.locator("path.leaflet-interactive").count() > 10
    page.locator('[data-testid="stMetric"]').first.evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "scenarios.png"))
    _save_scenario(page, "E2E default")

    # Upload a scenario TOML with a smaller budget: it reruns at once; save it too
    from planning.scenario import Scenario

    smaller = Scenario.default("KZ")
    smaller.budget.total_kzt = 23e9
    smaller.budget.capex_kzt = 4e9  # binds: paying conversions make the total budget slack
    upload = ARTIFACTS / "smaller_budget.toml"
    upload.write_text(smaller.to_toml(), encoding="utf-8")
    default_kpis = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.get_by_text("Loaded scenario from smaller_budget.toml").wait_for()
    page.get_by_text("Scenario solved").first.wait_for(timeout=120_000)
    _settle(page)
    _no_exceptions(page)
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() != default_kpis
    _save_scenario(page, "E2E smaller budget")

    # Compare: the two saved scenarios side by side, KPI table and one map each
    _goto(page, "Compare")
    _no_exceptions(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    _map_frame(page, 1)
    assert page.get_by_role("heading", name="E2E default").count() == 1
    assert page.get_by_role("heading", name="E2E smaller budget").count() == 1
    page.screenshot(path=str(ARTIFACTS / "compare.png"))

    # Coverage gaps: map + suppressed table
    _goto(page, "Coverage gaps")
    _map_frame(page)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    _no_exceptions(page)
    page.screenshot(path=str(ARTIFACTS / "coverage_gaps.png"), full_page=True)

    # Data: a bad upload is shown as a problems table and replaces nothing
    _goto(page, "Data")
    bad = ARTIFACTS / "bad_centres.csv"
    bad.write_text("centre_id,name,kind,year,country,lat,lon\n"
                   "c1,Centre,castle,2020,KZ,43.2,76.9\n", encoding="utf-8")
    page.get_by_role("combobox", name="Layer").click()
    page.get_by_role("option", name="Centres", exact=True).click()
    _settle(page)
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text(re.compile(r"\d+ problems? found")).wait_for()
    _no_exceptions(page)
    page.screenshot(path=str(ARTIFACTS / "data.png"), full_page=True)

    # Language: Russian labels and unit names
    page.get_by_role("combobox", name="Language / Язык / Тіл").click()
    page.get_by_role("option", name="Русский").click()
    _settle(page)
    _goto(page, "Обзор")
    _map_frame(page)
    assert page.get_by_text("Показатель").count() >= 1

    assert page.blocked == [], f"requests left the machine: {page.blocked[:5]}"  # type: ignore


def test_switching_language_redraws_every_choice(server, browser_page):
    """QA: after choosing Русский, the sidebar still showed "Kazakhstan", the Explore
    indicator its English name, and the Units radio had no choice marked (Streamlit keeps a
    keyed widget's old labels); every choice is redrawn in the new language."""
    page = browser_page
    page.goto(server)  # a fresh session, in English
    _settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    _map_frame(page)
    for lang, name in (("ru", "Русский"), ("kk", "Қазақша")):
        page.get_by_role("combobox", name="Language / Язык / Тіл").click()
        page.get_by_role("option", name=name).click()
        _settle(page)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / f"language_{lang}.png"))
        boxes = sidebar.inner_html()
        assert t("country_KZ", lang) in boxes and "Kazakhstan" not in boxes
        indicator = page.locator('[data-testid="stSelectbox"]').filter(
            has_text=t("indicator", lang)).inner_html()
        assert t("ind_institution_rate", lang) in indicator
        assert t("ind_institution_rate", "en") not in indicator
        checked = sidebar.locator('[data-testid="stRadio"] input').evaluate_all(
            "els => els.map(e => e.checked)")
        assert checked == [True, False], checked  # Oblasts still chosen
    _no_exceptions(page)


# --- hostile text -----------------------------------------------------------------------------
# Script in every form a browser would run it: an event handler, a script element, an SVG
# handler, and a Markdown image that would make a request to a marker URL.
PAYLOAD = ("<img src=x onerror=console.log('PWNED',window.__pwned=1)>"
           "<script>console.log('PWNED',window.__pwned=2)</script>"
           "<svg onload=console.log('PWNED',window.__pwned=3)>![m](/otbasy-pwned.png)")


def _csv(rows: list[list[object]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


HOSTILE_LAYERS = {  # every free-text field of every point layer carries the payload
    "settlements": [["settlement_id", "name", "population", "children", "country", "lat", "lon"],
                    *[[f"{PAYLOAD} s{i}", f"{PAYLOAD} n{i}", 20000, 5000, "KZ", 43.2 + i / 10,
                       76.8 + i / 10] for i in range(3)]],
    "institutions": [["institution_id", "name", "settlement_id", "type", "capacity", "children",
                      "year", "country", "lat", "lon"],
                     [f"{PAYLOAD} i1", f"{PAYLOAD} n", f"{PAYLOAD} s0", "baby_home", 50, 20,
                      2010, "KZ", 43.3, 76.9]],
    "centres": [["centre_id", "name", "settlement_id", "kind", "staff", "year", "country", "lat",
                 "lon"],
                [f"{PAYLOAD} c1", f"{PAYLOAD} n1", f"{PAYLOAD} s1", "family_support_centre", 5,
                 2020, "KZ", 43.25, 76.95]],
    "foster": [["settlement_id", "foster_families", "year", "country", "lat", "lon"],
               [f"{PAYLOAD} s2", 7, 2023, "KZ", 43.2, 76.8]],
}


def _open_everything(page, index: int = 0) -> None:
    """Switch every overlay on in map number `index`, then open every feature's tooltip and
    popup (what hovering and clicking each marker does), and hover a few markers for real."""
    _map_frame(page, index)
    outer = page.locator(MAP_HOST).filter(visible=True).nth(index).element_handle()
    frame = outer.content_frame().locator("iframe#map").element_handle().content_frame()
    for box in frame.locator("input.leaflet-control-layers-selector").all():
        if not box.is_checked():
            box.check()
    frame.evaluate("""() => {
        const maps = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]);
        for (const map of maps) {
            map.eachLayer(layer => {
                if (!layer.feature) { return; }
                if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
                if (layer.getPopup && layer.getPopup()) { layer.openPopup(); }
            });
        }
    }""")
    markers = frame.locator("path.leaflet-interactive")
    for i in range(min(markers.count(), 5)):
        markers.nth(markers.count() - 1 - i).hover(force=True)
    frame.page.wait_for_timeout(300)


def _assert_nothing_ran(page, console: list[str], dialogs: list[str]) -> None:
    for frame in page.frames:
        if frame.is_detached():
            continue
        pwned = frame.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
        assert pwned is None, f"payload ran in {frame.url[:60]}: {pwned}"
    assert not [m for m in console if "PWNED" in m], console
    assert not dialogs
    assert not [u for u in page.requested if "otbasy-pwned" in u]  # type: ignore[attr-defined]


def test_hostile_text_never_runs(server, browser_page):
    page = browser_page
    console: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server)  # a fresh Streamlit session, in English (signed in by the cookie)
    _settle(page)
    _sign_in(page)

    # Data: upload every layer with the payload in every text field; save one layer with a
    # hostile name and note; upload a refused file whose name is hostile
    _goto(page, "Data")
    for layer, rows in HOSTILE_LAYERS.items():
        path = ARTIFACTS / f"hostile_{layer}.csv"
        path.write_text(_csv(rows), encoding="utf-8")
        option = page.get_by_role("option", name=t(f"layer_{layer}", "en"), exact=True)
        for attempt in range(3):  # the first click after Apply's rerun may only focus the box
            page.get_by_role("combobox", name="Layer", exact=True).click()
            try:
                option.wait_for(timeout=5_000)
                break
            except Exception:
                if attempt == 2:
                    raise
                page.keyboard.press("Escape")
        option.click()
        _settle(page)
        apply = page.get_by_role("button", name="Apply", exact=True)
        for attempt in range(2):  # an upload landing during the layer switch's rerun is lost
            page.locator('input[type="file"]').set_input_files(str(path))
            try:
                apply.wait_for(timeout=90_000)  # checked: the preview and its Apply button
                break
            except Exception:
                if attempt:
                    raise
                _settle(page)
        _settle(page)
        apply.click()
        page.get_by_text(f"are now the active {layer} layer").wait_for(timeout=90_000)
        _settle(page)
    save_form = page.locator('[data-testid="stForm"]').filter(has_text="Save layer to workspace")
    save_form.get_by_label("Name", exact=True).fill(PAYLOAD + " layer")
    save_form.get_by_label("Note", exact=True).fill(PAYLOAD)
    save_form.get_by_role("button", name="Save layer to workspace").click()
    page.get_by_text("Layer saved as").wait_for()
    _settle(page)
    bad = ARTIFACTS / "<img src=x onerror=console.log('PWNED',window.__pwned=4)>.csv"
    bad.write_text("centre_id,name\nc1,x\n", encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text(re.compile(r"\d+ problems? found")).wait_for()
    _settle(page)
    _no_exceptions(page)
    _assert_nothing_ran(page, console, dialogs)

    # Explore: the uploaded layers on the map, every tooltip and popup open
    _goto(page, "Explore")
    _open_everything(page)
    _no_exceptions(page)
    _assert_nothing_ran(page, console, dialogs)

    # Scenarios: a run over the hostile layers; its map; saved twice under hostile names
    _goto(page, "Scenarios")
    _run_scenario(page)
    _settle(page)
    _open_everything(page)
    for i in range(2):
        save_form = page.locator('[data-testid="stForm"]').filter(has_text="Save to workspace")
        save_form.get_by_label("Name", exact=True).fill(f"{PAYLOAD} plan {i}")
        save_form.get_by_label("Note", exact=True).fill(f"{PAYLOAD} note {i}")
        save_form.get_by_role("button", name="Save to workspace").click()
        page.get_by_text(f"plan {i}”").wait_for()
        _settle(page)
    _no_exceptions(page)
    _assert_nothing_ran(page, console, dialogs)

    # Compare: the two hostile scenarios side by side, names as headings, notes as captions
    _goto(page, "Compare")
    page.get_by_text("note 1").first.wait_for()
    assert page.get_by_text(PAYLOAD + " plan 1").count() >= 1  # shown as text, not markup
    for i in range(2):
        _open_everything(page, i)
    _no_exceptions(page)
    _assert_nothing_ran(page, console, dialogs)

    # Data again: the saved layer's hostile name and note in the saved-layers table
    _goto(page, "Data")
    page.locator('[data-testid="stDataFrame"]').last.wait_for()
    _no_exceptions(page)
    _assert_nothing_ran(page, console, dialogs)
    assert page.blocked == [], page.blocked[:5]  # type: ignore[attr-defined]
