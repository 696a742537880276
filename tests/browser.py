"""The browser-test harness shared by every Chromium test: the app server (`otbasy app` on a
free localhost port, its own workspace and accounts) and Debian's Chromium driven by
Playwright (never `playwright install`), with every request that leaves the app blocked and
recorded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-dev-shm-usage"]
TIMEOUT_MS = 60_000
MENU = ".st-key-otbasy_nav"  # the sidebar's page menu (app_pages.common.page_menu)
NAV = f"{MENU} a"  # its links
# CI sets OTBASY_REQUIRE_BROWSER=1: there a missing browser fails the test instead of skipping it.
REQUIRE_BROWSER = os.environ.get("OTBASY_REQUIRE_BROWSER") == "1"
MARKS = [pytest.mark.e2e,
         pytest.mark.skipif(not CHROMIUM.exists() and not REQUIRE_BROWSER,
                            reason="needs Debian's Chromium at /usr/bin/chromium "
                                   "(apt-get install -y chromium; .ci/run does this)")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_account(env: dict[str, str], username: str, password: str, role: str,
                units: str | None = None) -> None:
    """Create an account with the command an administrator uses."""
    subprocess.run([sys.executable, "-m", "access", "add", username, "--role", role,
                    *(["--units", units] if units else []), "--password-stdin"],
                   input=password, text=True, env=env, cwd=ROOT, check=True, capture_output=True)


def app_env(tmp: Path) -> dict[str, str]:
    """The environment of a test server: its own workspace, credentials and audit log."""
    return dict(os.environ, OTBASY_WORKSPACE=str(tmp / "workspace"),
                OTBASY_CREDENTIALS=str(tmp / "credentials.yaml"),
                OTBASY_AUDIT=str(tmp / "audit.sqlite"),
                STREAMLIT_SERVER_FILE_WATCHER_TYPE="none")


@contextmanager
def app_server(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """`otbasy app` (the launcher users run) on a free port; yields its URL."""
    port = free_port()
    log_path = tmp / "streamlit.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "otbasy", "app", "--port", str(port),
                                 "--address", "127.0.0.1"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("the app did not start:\n" + log_path.read_text())
            time.sleep(0.5)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium under Playwright (a `playwright.sync_api.Browser`)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():  # only reached with OTBASY_REQUIRE_BROWSER=1 (CI)
        pytest.fail(f"OTBASY_REQUIRE_BROWSER=1 but there is no browser at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, server: str, locale: str = "en-US"):
    """A page in a fresh browser context (its own cookies, the browser language `locale`)
    where every request that does not go to `server` is aborted and recorded
    (`page.blocked`, `page.requested`)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    blocked: list[str] = []
    requested: list[str] = []

    def route(r):
        url = r.request.url
        requested.append(url)
        if url.startswith(server) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.blocked = blocked
    page.requested = requested
    return page


def settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS)


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the sidebar's form and wait until the app says so."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label("Username", exact=True).fill(username)
    sidebar.get_by_label("Password", exact=True).fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text("Signed in as").wait_for()
    settle(page)
