"""End-to-end: the Monitor page in Chromium, offline (harness of tests/test_e2e.py).

Pick an indicator and a year, move the slider and see the map and the trend chart redraw,
download the table; a public user's download holds no count below 5, a ministry user's does.
"""

from __future__ import annotations

import io

import pandas as pd

from tests.browser import MARKS
from tests.test_e2e import (
    ARTIFACTS,
    _goto,
    _no_exceptions,
    _settle,
    _sign_in,
    browser_page,
    server,
)

__all__ = ["browser_page", "server"]  # fixtures used by the tests below

pytestmark = MARKS  # CI's OTBASY_REQUIRE_BROWSER=1 turns a missing browser into a failure

CHARTS = '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'


def _charts(page):
    charts = page.locator(CHARTS)
    charts.nth(1).wait_for()
    for i in range(2):
        charts.nth(i).locator("canvas, svg").first.wait_for()
    page.wait_for_timeout(800)  # let Vega finish drawing
    return charts


def _pick(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.type(option[:25])  # long lists are virtualised: filter to bring the option in view
    page.get_by_role("option", name=option, exact=True).click()
    _settle(page)


def _download_table(page) -> pd.DataFrame:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    with open(info.value.path(), "rb") as fh:
        data = fh.read()
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _year_thumb(page):
    return page.locator('[data-testid="stSlider"]').get_by_role("slider", name="Year")


def _year(page) -> int:
    return int(_year_thumb(page).evaluate(
        "e => e.value || e.getAttribute('aria-valuenow')"))


def _move_year(page, presses: int, start: str | None = None) -> None:
    """Press ArrowLeft `presses` times on the year slider (after `start`, e.g. "End")."""
    thumb = _year_thumb(page)
    thumb.focus()
    for key in ([start] if start else []) + ["ArrowLeft"] * presses:
        thumb.press(key)
    page.wait_for_timeout(300)
    _settle(page)


def test_monitor_page(server, browser_page):
    page = browser_page
    page.goto(server)
    _settle(page)
    _goto(page, "Monitor")
    _no_exceptions(page)
    page.get_by_text("DEMO DATA").first.wait_for()

    # the sidebar's version box can show 2014 while the app uses 2022 (sidebar widget state
    # across pages); choosing it explicitly keeps the test about the Monitor
    _pick(page, "Boundary version", "2022")
    # pick an indicator: the map and trend redraw
    _pick(page, "Indicator", "Entries into residential care per 100,000 children")
    charts = _charts(page)
    map_before = charts.nth(0).screenshot()
    trend_before = charts.nth(1).screenshot()
    year_before = _year(page)

    # move the year slider: the map and the trend chart change, the table follows
    _move_year(page, 5)
    _no_exceptions(page)
    year_after = _year(page)
    assert year_after == year_before - 5
    charts = _charts(page)
    assert charts.nth(0).screenshot() != map_before
    assert charts.nth(1).screenshot() != trend_before
    page.screenshot(path=str(ARTIFACTS / "monitor.png"), full_page=True)

    table = _download_table(page)
    assert any(str(year_after) in c for c in table.columns)
    assert len(table) == 21 and table["demo"].all()
    assert table["demo_note"].str.contains("DEMO DATA").all()
    assert table["data_sources"].str.contains("care/kz_oblast_care.csv: ").all()

    # public: under-3 entries, a small count in most units, never shows 1-4
    _pick(page, "Indicator", "Children under 3 entering residential care")
    public = _download_table(page)
    values = pd.to_numeric(public.iloc[:, 2], errors="coerce")
    assert values.isna().any()
    assert ((values.dropna() == 0) | (values.dropna() >= 5)).all()

    # a ministry user sees the small counts
    _sign_in(page)
    _goto(page, "Monitor")
    _pick(page, "Boundary version", "2022")
    _pick(page, "Indicator", "Children under 3 entering residential care")
    _move_year(page, 1, start="End")  # 2024: several units had 1-4 under-3 entries
    assert _year(page) == 2024
    full = _download_table(page)
    counts = pd.to_numeric(full.iloc[:, 2], errors="coerce")
    assert counts.notna().all() and ((counts >= 1) & (counts < 5)).any()
    _no_exceptions(page)

    assert page.blocked == [], f"requests left the machine: {page.blocked[:5]}"  # type: ignore
