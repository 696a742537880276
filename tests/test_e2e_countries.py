"""No dead ends, in the browser: every page of the navigation, for every bundled country, as
the public sees it and as a signed-in ministry user sees it, in Chromium, offline. No page may
show an exception or an error box, and none may reach beyond localhost. (AppTest covers every
boundary version and level in tests/test_every_country.py; this drives the real frontend.)"""

from __future__ import annotations

import re

import pytest

from geo.layers import countries
from tests.browser import (
    MARKS,
    NAV,
    chromium,
    offline_page,
    settle,
    sign_in,
)
from tests.test_e2e import PASSWORD, USER, server
from ui.i18n import t

pytestmark = MARKS
__all__ = ["server"]  # the app with a ministry account, shared with tests/test_e2e.py


def _choose_country(page, cc: str) -> None:
    page.get_by_role("combobox", name=t("country", "en")).click()
    page.get_by_role("option", name=t(f"country_{cc}", "en"), exact=True).click()
    settle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("country", "en"))
    assert t(f"country_{cc}", "en") in box.inner_html()  # the choice took


def _problems(page) -> list[str]:
    """Exception and error boxes on the page, as text."""
    boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]


def _visit_every_page(page, cc: str) -> list[str]:
    """Open each page of the navigation with `cc` chosen; the problems found, by page."""
    found = []
    links = _links(page)
    assert links, "no navigation"
    for href in links:
        page.locator(f'{NAV}[href="{href}"]').click()
        settle(page)
        page.wait_for_url(re.compile(re.escape(href.rstrip("/").rsplit("/", 1)[-1]) + "/?$"))
        found += [f"{cc} {href}: {p}" for p in _problems(page)]
    return found


def _links(page) -> list[str]:
    page.locator(NAV).first.wait_for()  # the menu is drawn as the script runs
    return page.locator(NAV).evaluate_all("els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize("role", ["public", "ministry"])
def test_every_page_for_every_country(server, role: str) -> None:
    with chromium() as browser:
        page = offline_page(browser, server)
        page.goto(server)
        settle(page)
        if role == "ministry":
            sign_in(page, USER, PASSWORD)
        pages = _links(page)
        assert (len(pages) > 3) == (role == "ministry"), pages  # the roles see different menus
        problems = []
        for cc in countries():
            _choose_country(page, cc)
            problems += _visit_every_page(page, cc)
        assert not problems, "\n".join(problems)
        assert not page.blocked, page.blocked[:5]
        if role == "ministry":  # and the session outlives a reload on a deep link
            page.goto(f"{server}/scenarios")
            settle(page)
            page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for()
            assert not _problems(page)


def test_a_russian_browser_opens_in_russian_and_keeps_it_after_a_link(server) -> None:
    """Before anyone chooses, a reload or a shared link opens in the browser's language."""
    with chromium() as browser:
        page = offline_page(browser, server, locale="ru-RU")
        page.goto(f"{server}/coverage_gaps")
        settle(page)
        page.locator(NAV).first.wait_for()  # the menu is drawn as the script runs
        text = page.locator('[data-testid="stSidebar"]').inner_text()
        for key in ("page_explore", "page_gaps", "page_monitor"):
            assert t(key, "ru") in text and t(key, "en") not in text, (key, text[:200])
        assert not _problems(page)
