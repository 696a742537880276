"""Sessions and page links in Chromium, through `otbasy app` (harness: tests/browser.py).

A planner and a ministry user sign in, reload and stay signed in, open `/scenarios` by its URL
and see it, sign out, reload and are signed out. The cookie is HTTP-only and SameSite=Strict
and never readable by the page. The public opening `/admin` (and a planner opening `/admin`)
gets a sentence in their language, never "Page not found". A cookie edited to name another
user is refused, cleared and audited.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from access.texts import AUTH_TEXTS
from tests.browser import (
    ARTIFACTS,
    MARKS,
    MENU,
    add_account,
    app_env,
    app_server,
    chromium,
    offline_page,
    settle,
    sign_in,
)
from ui.i18n import t

pytestmark = MARKS
PASSWORD = "correct-horse-battery"  # pragma: allowlist secret - test-only accounts
USERS = {"e2e-planner": ("planner", "KZ-10"), "e2e-ministry": ("ministry", None)}
COOKIE = "otbasy_session"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app with a planner and a ministry account; yields (url, audit log path)."""
    tmp = tmp_path_factory.mktemp("sessions")
    env = app_env(tmp)
    for username, (role, units) in USERS.items():
        add_account(env, username, PASSWORD, role, units)
    with app_server(tmp, env) as url:
        yield url, Path(env["OTBASY_AUDIT"])


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as b:
        yield b


def _events(audit: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(audit) as db:
        return db.execute("SELECT username, event, details FROM audit ORDER BY id").fetchall()


def _sign_in(page, username: str) -> None:
    sign_in(page, username, PASSWORD)


def _session_cookie(page, wait: bool = True) -> dict | None:
    """The session cookie as the browser stores it (waits for the sign-in's handoff)."""
    for _ in range(40 if wait else 1):
        found = [c for c in page.context.cookies() if c["name"] == COOKIE]
        if found:
            return found[0]
        page.wait_for_timeout(250)
    return None


def _signed_in_as(page, username: str) -> bool:
    caption = page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as")
    return caption.count() == 1 and username in caption.inner_text()


def _no_page_not_found(page) -> None:
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("username", list(USERS))
def test_sign_in_survives_reload_and_page_links(app, browser, username: str) -> None:
    url, audit = app
    page = offline_page(browser, url)
    page.goto(url)
    settle(page)
    _sign_in(page, username)
    cookie = _session_cookie(page)
    assert cookie is not None, "the sign-in did not hand the browser its cookie"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http on localhost
    assert COOKIE not in page.evaluate("document.cookie")  # no script can read it
    assert cookie["value"] not in page.url and username not in page.url

    page.reload()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for()
    assert _signed_in_as(page, username)

    page.goto(f"{url}/scenarios")  # a page link, opened directly
    settle(page)
    page.get_by_role("heading", name="Scenarios").first.wait_for()
    page.get_by_role("button", name="Run", exact=True).wait_for()
    assert _signed_in_as(page, username)
    _no_page_not_found(page)
    page.screenshot(path=str(ARTIFACTS / f"session_{username}_scenarios.png"))

    if USERS[username][0] == "planner":  # a link above the role: the sentence, not a 404
        page.goto(f"{url}/admin")
        settle(page)
        page.get_by_text(AUTH_TEXTS["auth_page_role"].format(role="planner")).wait_for()
        _no_page_not_found(page)

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_label("Username", exact=True).wait_for()
    for _ in range(40):  # the sign-out clears the cookie through /api/session
        if _session_cookie(page, wait=False) is None:
            break
        page.wait_for_timeout(250)
    assert _session_cookie(page, wait=False) is None
    page.reload()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_label("Username", exact=True).wait_for()
    assert not _signed_in_as(page, username)

    # the old token, replayed after sign-out, is refused: the session is closed server-side
    page.context.add_cookies([{"name": COOKIE, "value": cookie["value"], "url": url,
                               "httpOnly": True, "sameSite": "Strict"}])
    page.goto(f"{url}/scenarios")
    settle(page)
    page.get_by_text(AUTH_TEXTS["auth_page_public"]).wait_for()
    assert not _signed_in_as(page, username)
    events = [(u, e) for u, e, _ in _events(audit) if u == username]
    assert ("sign_in" in [e for _, e in events] and "sign_out" in [e for _, e in events])
    refused = [json.loads(d)["reason"] for u, e, d in _events(audit)
               if e == "session_refused" and u == username]
    assert refused and refused[-1] == "signed_out"
    page.context.close()


def test_public_link_to_admin_gets_a_sentence_in_their_language(app, browser) -> None:
    url, audit = app
    page = offline_page(browser, url)
    page.goto(f"{url}/admin")
    settle(page)
    page.get_by_text(AUTH_TEXTS["auth_page_public"]).wait_for()
    _no_page_not_found(page)
    page.locator(MENU).get_by_text("Explore").wait_for()  # the menu is drawn, without Admin
    assert page.locator(MENU).get_by_text("Admin").count() == 0
    page.get_by_role("combobox", name="Language / Язык / Тіл").click()
    page.get_by_role("option", name="Қазақша").click()
    settle(page)
    page.get_by_text(t("auth_page_public", "kk")).wait_for()
    where = urlsplit(page.url)
    assert where.path.endswith("/admin") and parse_qs(where.query)["lang"] == ["kk"], page.url
    _no_page_not_found(page)
    page.screenshot(path=str(ARTIFACTS / "session_public_admin_kk.png"))
    denied = [json.loads(d).get("page") for _, e, d in _events(audit) if e == "access_denied"]
    assert "admin" in denied
    assert page.blocked == []  # type: ignore[attr-defined]
    page.context.close()


def test_every_public_page_opens_at_its_documented_url(app, browser) -> None:
    """Tour (session 21): `/explore`, the URL docs/app.md gives Explore, opened Explore under
    a "Page not found" box (Streamlit serves its default page only at `/`); every public page
    opens at its own URL, and `/` opens Explore too."""
    url, _ = app
    page = offline_page(browser, url)
    for path, title in (("/explore", "page_explore"), ("/", "page_explore"),
                        ("/monitor", "page_monitor"), ("/coverage_gaps", "page_gaps")):
        page.goto(f"{url}{path}")
        settle(page)
        page.get_by_role("heading", name=t(title, "en"), exact=True).wait_for()
        page.locator(MENU).get_by_text("Explore").wait_for()  # the script has run
        _no_page_not_found(page)
    assert page.blocked == []  # type: ignore[attr-defined]
    page.context.close()


def _edited(token: str, **change: object) -> str:
    """The token with its claims edited and its signature kept."""
    version, body, mac = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(change)
    return ".".join([version, base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(
        b"=").decode(), mac])


def test_tampered_cookie_is_refused(app, browser) -> None:
    url, audit = app
    page = offline_page(browser, url)
    page.goto(url)
    settle(page)
    _sign_in(page, "e2e-planner")
    cookie = _session_cookie(page)
    assert cookie is not None
    before = len(_events(audit))
    # the planner's token edited to name the ministry user (a role with every unit)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": COOKIE, "value": _edited(cookie["value"],
                                                                 u="e2e-ministry"),
                               "url": url, "httpOnly": True, "sameSite": "Strict"}])
    page.goto(f"{url}/scenarios")
    settle(page)
    page.get_by_text(AUTH_TEXTS["auth_page_public"]).wait_for()
    page.locator('[data-testid="stSidebar"]').get_by_text(AUTH_TEXTS["auth_refused"]).wait_for()
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").count() == 0
    refused = [(u, json.loads(d)["reason"]) for u, e, d in _events(audit)[before:]
               if e == "session_refused"]
    assert refused == [("(public)", "bad_signature")]
    for _ in range(40):  # the refused cookie is cleared
        if _session_cookie(page, wait=False) is None:
            break
        page.wait_for_timeout(250)
    assert _session_cookie(page, wait=False) is None
    page.context.close()
