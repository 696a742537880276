"""End-to-end Sweeps page in Chromium (the harness of tests/test_e2e.py, offline): save the
default scenario, start a sweep from it (it runs in a background process), wait for it and
see the robust-site map, the coverage-vs-budget chart and the regret table."""

from __future__ import annotations

import time

from test_e2e import (  # noqa: F401 - fixtures and helpers of the shared harness
    ARTIFACTS,
    TIMEOUT_MS,
    _goto,
    _map_frame,
    _no_exceptions,
    _run_scenario,
    _save_scenario,
    _settle,
    _sign_in,
    browser_page,
    pytestmark,  # e2e marker; skipped without Debian's Chromium
    server,
)

from ui.i18n import t


def test_sweep_robust_site_map_in_the_browser(server, browser_page):  # noqa: F811
    page = browser_page
    page.goto(server)
    _settle(page)
    _sign_in(page)
    _goto(page, "Scenarios")
    _run_scenario(page)
    _settle(page)
    _save_scenario(page, "E2E sweep base")

    _goto(page, "Sweeps")
    _no_exceptions(page)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Start sweep")
    # the capital budget (the form's default) at 1 and 1.2 x a quarter of the whole-life one
    form.get_by_label(t("sweep_budget_factors", "en")).fill("1, 1.2")
    form.get_by_label("Travel standards, minutes (comma-separated)").fill("60")
    runs = form.get_by_label("Random draws per setting")
    runs.fill("1")
    runs.press("Tab")
    form.get_by_role("button", name="Start sweep").click()
    page.get_by_text("started in the background (2 runs)").wait_for()
    _settle(page)

    deadline = time.time() + 600
    while page.get_by_text("Robust sites: share of runs choosing each site").count() == 0:
        assert time.time() < deadline, "the sweep did not finish"
        _no_exceptions(page)
        page.get_by_role("button", name="Refresh").click()
        _settle(page)
        page.wait_for_timeout(2000)
    _settle(page)
    _no_exceptions(page)
    frame = _map_frame(page)
    legend = frame.locator(".otbasy-legend")
    assert legend.count() == 1 and "Share of runs" in legend.inner_text()
    # unit outlines + the chosen sites as circle markers (kept centres: 131 nationally)
    assert frame.locator("path.leaflet-interactive").count() > 131
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=TIMEOUT_MS)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    assert page.get_by_text("Demo data").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "sweeps.png"), full_page=True)
    assert page.blocked == [], f"requests left the machine: {page.blocked[:5]}"  # type: ignore
