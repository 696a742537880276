"""Every page as every role (Streamlit AppTest): a role reaches exactly its pages, downloads
and actions; sign-in, expiry and the admin page work and are audited."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access import credentials as cred
from access.audit import read_audit
from access.guard import SESSION_KEY
from access.roles import PAGES, ROLES, User, page_allowed
from access.session import Session

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = {"explore": "explore.py", "monitor": "monitor.py", "scenarios": "scenarios.py",
           "compare": "compare.py", "coverage_gaps": "gaps.py", "data": "data.py",
           "admin": "admin.py", "sweeps": "sweeps.py"}
USERS = {"public": None, "planner": User("aigerim", "planner", ("KZ-10",)),
         "ministry": User("dana", "ministry"), "admin": User("root", "admin")}
PASSWORD = "correct-horse-42"  # pragma: allowlist secret - test-only account


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))


def _run(script: str, role: str, last_seen_ago: float = 0.0) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=180)
    at.session_state["lang"] = "en"
    user = USERS[role]
    if user is not None:
        now = time.time()
        at.session_state[SESSION_KEY] = Session(user, now - last_seen_ago, now - last_seen_ago)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _denied(at: AppTest) -> bool:
    return any("is not available" in e.value for e in at.error)


PUBLIC_PAGES = ("explore", "monitor", "coverage_gaps")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", [p for p in PAGES if p not in PUBLIC_PAGES])
def test_restricted_pages_per_role(page: str, role: str) -> None:
    at = _run(f"app_pages/{SCRIPTS[page]}", role)
    assert _denied(at) == (not page_allowed(role, page))
    if _denied(at):
        assert not at.title and not at.get("download_button") and not at.button
        assert read_audit()["event"].iloc[0] == "access_denied"


@pytest.mark.parametrize("page", ["explore", "coverage_gaps"])
def test_public_pages_open_without_sign_in_with_only_aggregate_downloads(page: str) -> None:
    at = _run(f"app_pages/{SCRIPTS[page]}", "public")
    assert not _denied(at) and at.title
    downloads = at.get("download_button")
    assert downloads, "the public page offers its aggregated table"
    assert len(downloads) == 1


@pytest.mark.parametrize("role", ROLES)
def test_navigation_lists_only_the_pages_of_the_role(role: str) -> None:
    at = _run("app.py", role)
    # the sidebar shows who is signed in, or the sign-in form to the public
    if role == "public":
        assert at.text_input(key="otbasy-username") is not None
    else:
        assert any(USERS[role].username in c.value for c in at.sidebar.caption)
    listed = {p for p in PAGES if page_allowed(role, p)}
    assert not _denied(at)
    for page in set(PAGES) - listed:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(ROOT / "app_pages" / SCRIPTS[page]))


def test_sign_in_form_signs_in_and_failures_are_audited() -> None:
    cred.add_account("dana", PASSWORD, "ministry", rounds=4)
    at = _run("app.py", "public")
    at.text_input(key="otbasy-username").input("dana")
    at.text_input(key="otbasy-password").input("wrong-password-9")
    at.sidebar.button[0].click().run()
    assert any("Wrong username or password" in e.value for e in at.error)
    at.text_input(key="otbasy-username").input("dana")
    at.text_input(key="otbasy-password").input(PASSWORD)
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.session_state[SESSION_KEY].user.role == "ministry"
    assert list(read_audit()["event"])[:2] == ["sign_in", "sign_in_failed"]


def test_expired_session_falls_back_to_public() -> None:
    at = _run("app_pages/data.py", "ministry", last_seen_ago=9 * 3600)
    assert _denied(at)
    assert set(read_audit()["event"]) == {"session_expired", "access_denied"}


def test_admin_page_shows_log_exports_csv_and_adds_accounts() -> None:
    at = _run("app_pages/admin.py", "admin")
    assert at.title[0].value == "Admin"
    assert [d.proto.label for d in at.get("download_button")] == \
        ["Download the whole audit log (CSV)"]
    form = at.get("form")
    assert form
    at.text_input[1].input("aigerim")
    at.selectbox[1].set_value("planner")
    at.text_input[2].input("KZ-10")
    at.text_input[3].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and any("Added aigerim" in s.value for s in at.success)
    assert cred.load_accounts()["aigerim"].units == ["KZ-10"]
    assert read_audit()["event"].iloc[0] == "account_added"


def _sign_in_form(at: AppTest, username: str) -> None:
    at.text_input(key="otbasy-username").input(username)
    at.text_input(key="otbasy-password").input(PASSWORD)
    at.sidebar.button[0].click().run()
    assert not at.exception


def test_store_ends_the_session_on_the_next_run_after_a_change_elsewhere() -> None:
    """A sign-in opens a server-side session and hands the browser a one-time ticket (never
    the token); a role change, or a sign-out in another tab, ends it on the next run."""
    from access import session_store

    cred.add_account("dana", PASSWORD, "ministry", rounds=4)
    at = _run("app.py", "public")
    _sign_in_form(at, "dana")
    sid = at.session_state[SESSION_KEY].sid
    assert sid and session_store.check(sid, "dana", time.time()).user == User("dana", "ministry")
    scripts = [h.proto.body for h in at.get("html")]
    assert any('"/api/session"' in s and '"POST"' in s and "ticket" in s for s in scripts)
    assert not any("v1." in s for s in scripts)  # the signed token never reaches the page

    cred.set_role("dana", "admin")
    at.run()
    assert SESSION_KEY not in at.session_state
    assert any("account was changed" in i.value for i in at.sidebar.info)
    assert any('"DELETE"' in h.proto.body for h in at.get("html"))  # the cookie is cleared
    assert session_store.check(sid, "dana", time.time()).reason == "account_changed"
    log = read_audit()
    assert log["event"].iloc[0] == "session_refused" and "account_changed" in log["details"].iloc[0]

    _sign_in_form(at, "dana")
    assert at.session_state[SESSION_KEY].user.role == "admin"
    session_store.close(at.session_state[SESSION_KEY].sid, time.time())  # another tab
    at.run()
    assert SESSION_KEY not in at.session_state
    assert at.text_input(key="otbasy-username") is not None
