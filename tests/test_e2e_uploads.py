"""End-to-end in Chromium (harness of tests/test_e2e.py): the sidebar's boundary-version box
shows the version the pages use after page switches; an upload merged by id with its preview,
named on every page and undone in one click; partly covered settlements on the result map."""

from __future__ import annotations

from geo.layers import load_layers
from tests.browser import MARKS
from tests.test_e2e import (
    ARTIFACTS,
    _goto,
    _map_frame,
    _no_exceptions,
    _run_scenario,
    _settle,
    _sign_in,
    browser_page,
    server,
)
from tests.upload_tables import four_institutions
from ui import maps

__all__ = ["browser_page", "server"]  # fixtures used by the tests below

pytestmark = MARKS  # CI's OTBASY_REQUIRE_BROWSER=1 turns a missing browser into a failure


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _version_box(page) -> str:
    box = _sidebar(page).locator('[data-testid="stSelectbox"]').filter(
        has_text="Boundary version")
    shown = box.evaluate(  # the chosen option is drawn as text or as the input's value
        "e => [e.innerText, ...[...e.querySelectorAll('input')].map(i => i.value)].join(' ')")
    return " ".join(shown.replace("Boundary version", "").split())


def test_version_box_upload_merge_banner_and_partial_settlements(server, browser_page):
    page = browser_page
    page.goto(server)
    _settle(page)
    _sign_in(page)

    # the version box and the pages agree after every page switch
    assert _version_box(page) == "2022"
    for name in ("Monitor", "Coverage gaps", "Data", "Scenarios", "Explore"):
        _goto(page, name)
        assert _version_box(page) == "2022", name
    box = _sidebar(page).get_by_role("combobox", name="Boundary version")
    box.click()
    page.get_by_role("option", name="2018", exact=True).click()
    _settle(page)
    for name in ("Monitor", "Coverage gaps", "Explore"):
        _goto(page, name)
        assert _version_box(page) == "2018", name
    box.click()
    page.get_by_role("option", name="2022", exact=True).click()
    _settle(page)

    # Data: merge a 4-row institutions file by id; the preview says what changes
    _goto(page, "Data")
    path = ARTIFACTS / "four_institutions.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    four_institutions(load_layers("KZ")).to_csv(path, index=False)
    page.get_by_role("combobox", name="Layer", exact=True).click()
    page.get_by_role("option", name="Institutions", exact=True).click()
    _settle(page)
    page.get_by_text("Merge into the bundled layer by id").click()
    _settle(page)
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("281 → 283 records: 2 added, 1 updated, 1 unchanged, 0 removed."
                     ).wait_for(timeout=90_000)
    _settle(page)
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_text("283 records are now the active institutions layer").wait_for()
    _no_exceptions(page)
    page.screenshot(path=str(ARTIFACTS / "data_merge.png"), full_page=True)

    # every page names the upload in the sidebar; a reload keeps it
    for name in ("Explore", "Monitor", "Coverage gaps"):
        _goto(page, name)
        assert _sidebar(page).get_by_text("four_institutions.csv", exact=False).count() == 1
    page.reload()  # a new session of the same account: the upload is still in use
    _settle(page)
    sign_in = _sidebar(page).get_by_role("button", name="Sign in")
    sign_in.or_(_sidebar(page).get_by_text("Signed in as")).first.wait_for()
    if sign_in.count():  # until sign-in survives reloads (the "sessions" work)
        _sign_in(page)
    _sidebar(page).get_by_text("Uploaded layer in use").wait_for()
    _sidebar(page).get_by_text("four_institutions.csv", exact=False).wait_for()
    _sidebar(page).get_by_role("button", name="Back to bundled layer").click()
    _sidebar(page).get_by_text("Uploaded layer in use").wait_for(state="detached")
    _settle(page)
    _goto(page, "Explore")
    assert _sidebar(page).get_by_text("Uploaded layer in use").count() == 0

    # Scenarios: the default plan's partly covered settlements, own style and legend entry
    _goto(page, "Scenarios")
    _run_scenario(page)
    _settle(page)
    _no_exceptions(page)
    frame = _map_frame(page)
    assert "Partly covered settlements" in frame.locator(".leaflet-control-layers").inner_text()
    assert "Partly covered settlements" in frame.locator(".otbasy-legend").inner_text()
    partial = frame.locator(f'path[fill="{maps.PARTIAL_COLOUR}"]')
    assert partial.count() > 0
    assert partial.first.get_attribute("stroke") == maps.UNCOVERED_COLOUR
    partial.first.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Share of children covered" in popup.inner_text()
    assert "%" in popup.inner_text()
    page.screenshot(path=str(ARTIFACTS / "scenarios_partial.png"))
    _no_exceptions(page)
    assert page.blocked == [], page.blocked[:5]  # type: ignore[attr-defined]
