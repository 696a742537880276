"""A language chosen by hand, in Chromium: it stays through a page switch, a reload and a link
opened in another browser (the URL carries `?lang=`) or a menu link opened in a new tab (its
href carries it), while a browser given no choice opens in its own language
(tests/test_e2e_countries.py). AppTest covers the rule in test_app_pages."""

from __future__ import annotations

import re

from tests.browser import MARKS, MENU, NAV, chromium, offline_page, settle
from tests.test_e2e import server
from ui.i18n import t

pytestmark = MARKS
__all__ = ["server"]  # the app with a ministry account, shared with tests/test_e2e.py


def _menu(page) -> str:
    page.locator(NAV).first.wait_for()  # the menu is drawn as the script runs
    return page.locator(MENU).inner_text()


def test_a_chosen_language_survives_page_switch_reload_and_shared_link(server) -> None:
    with chromium() as browser:
        page = offline_page(browser, server, locale="en-US")
        page.goto(server)
        settle(page)
        assert t("page_monitor", "en") in _menu(page) and "lang=" not in page.url
        page.get_by_role("combobox", name="Language / Язык / Тіл").click()
        page.get_by_role("option", name="Қазақша", exact=True).click()
        settle(page)
        page.wait_for_url(re.compile(r"[?&]lang=kk"))
        hrefs = page.locator(NAV).evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert len(hrefs) == 3 and all("lang=kk" in h for h in hrefs), hrefs
        gaps = page.locator(NAV).filter(has_text=t("page_gaps", "kk"))
        with page.context.expect_page() as opened:  # middle-click: the page in a new tab
            gaps.click(button="middle")
        tab = opened.value
        settle(tab)
        assert t("page_gaps", "kk") in tab.locator("h1").first.inner_text()
        assert "/coverage_gaps" in tab.url and "lang=kk" in tab.url
        tab.close()
        page.locator(NAV).filter(has_text=t("page_monitor", "kk")).click()
        settle(page)
        page.wait_for_url(re.compile(r"/monitor\?(.*&)?lang=kk"))
        assert t("page_monitor", "kk") in page.locator("h1").first.inner_text()
        page.reload()
        settle(page)
        assert t("page_monitor", "kk") in page.locator("h1").first.inner_text()
        assert t("page_explore", "kk") in _menu(page)
        shared = offline_page(browser, server, locale="ru-RU")  # another person, another browser
        shared.goto(page.url)
        settle(shared)
        assert t("page_monitor", "kk") in shared.locator("h1").first.inner_text()
        assert not page.blocked and not shared.blocked
