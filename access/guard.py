"""What the Streamlit pages call: who is signed in, may they do this, and record that they did.

Every page starts with `require_page("name")`; every widget action and download checks
`can(current_user(), action, unit_code)`; every sign-in, upload, scenario run, save and
export calls `audit(event, **details)`. `attempt_sign_in` holds the sign-in logic without
Streamlit so it is tested directly; `auth_sidebar` is its widget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from access import audit as audit_log
from access.credentials import authenticate, load_accounts
from access.roles import PUBLIC, User, allowed_pages, can, page_allowed
from access.session import THROTTLE, Session, Throttle, expired
from access.texts import Text, english

log = logging.getLogger(__name__)

__all__ = [
    "allowed_pages",
    "attempt_sign_in",
    "audit",
    "auth_sidebar",
    "can",
    "current_user",
    "download_button",
    "require_action",
    "require_page",
    "sign_out",
]

SESSION_KEY = "otbasy_session"
PAGE_TITLES = {"explore": "Explore", "monitor": "Monitor", "scenarios": "Scenarios",
               "compare": "Compare", "coverage_gaps": "Coverage gaps", "data": "Data",
               "admin": "Admin", "sweeps": "Sweeps"}
clock: Callable[[], float] = time.time  # replaced by tests to drive expiry without waiting


def attempt_sign_in(username: str, password: str, now: float, throttle: Throttle = THROTTLE,
                    credentials: Path | None = None, audit_file: Path | None = None,
                    text: Text = english, address: str | None = None
                    ) -> tuple[User | None, str]:
    """Check a sign-in, slowing repeated failures of the username and of the client
    `address`; returns (user or None, message for the user).

    Every outcome is audited; the message never says whether the username exists.
    """
    username = username.strip()[:200]
    wait = throttle.wait_seconds(username, now, address)
    if wait > 0:
        audit_log.record("sign_in_throttled", username, "public", audit_file, wait_s=round(wait),
                         address=address)
        return None, text("auth_throttled", seconds=int(wait) + 1)
    user = authenticate(username, password, credentials) if username and password else None
    if user is None:
        throttle.failed(username, now, address)
        audit_log.record("sign_in_failed", username, "public", audit_file, address=address)
        return None, text("auth_wrong")
    throttle.succeeded(username)
    audit_log.record("sign_in", user.username, user.role, audit_file, method="password")
    return user, text("auth_signed_in", username=user.username, role=text(f"role_{user.role}"))


def current_user() -> User:
    """The signed-in user, or the public user when nobody is (or the session expired)."""
    oidc = _oidc_user()
    if oidc is not None:
        return oidc
    session: Session | None = st.session_state.get(SESSION_KEY)
    if session is None:
        return PUBLIC
    now = clock()
    if expired(session, now):
        audit_log.record("session_expired", session.user.username, session.user.role)
        del st.session_state[SESSION_KEY]
        st.session_state["otbasy_notice"] = "auth_expired"  # a text key, shown translated
        return PUBLIC
    session.last_seen = now
    return session.user


def require_page(page: str) -> User:
    """Stop the page (with a message) unless the current user's role may open it."""
    user = current_user()
    if not page_allowed(user.role, page):
        audit_log.record("access_denied", user.username, user.role, page=page)
        st.error(f"The {PAGE_TITLES.get(page, page)} page is not available to "
                 f"{'the public' if user.role == 'public' else user.role + ' accounts'}. "
                 "Sign in with an account that has access.")
        st.stop()
    return user


def require_action(action: str, unit_code: str | None = None) -> User:
    """Stop the script unless the current user may perform `action` (on `unit_code`)."""
    user = current_user()
    if not can(user, action, unit_code):
        audit_log.record("access_denied", user.username, user.role, action=action,
                         unit_code=unit_code)
        st.error("You do not have access to this action" +
                 (f" for {unit_code}." if unit_code else "."))
        st.stop()
    return user


def audit(event: str, **details: object) -> None:
    """Append an audit entry for the current user (see access.audit.EVENTS)."""
    user = current_user()
    audit_log.record(event, user.username, user.role, **details)


def download_button(label: str, data: bytes | str, file_name: str, action: str = "export_result",
                    unit_code: str | None = None, **details: object) -> bool:
    """A download button shown only when allowed; each click is audited as `export`."""
    user = current_user()
    if not can(user, action, unit_code):
        return False
    return st.download_button(label, data, file_name=file_name, on_click=audit,
                              args=("export",), kwargs={"file": file_name, "action": action,
                                                        "unit_code": unit_code, **details},
                              key=f"download-{file_name}")


def sign_out() -> None:
    """End the current session (audited)."""
    session: Session | None = st.session_state.pop(SESSION_KEY, None)
    if session is not None:
        audit_log.record("sign_out", session.user.username, session.user.role)


def auth_sidebar(text: Text = english) -> User:
    """The sidebar sign-in form, or who is signed in with a sign-out button; `text`
    translates the `access.texts` keys into the user's language."""
    user = current_user()
    with st.sidebar:
        notice = st.session_state.pop("otbasy_notice", None)
        if notice:
            st.info(text(notice))
        if user.signed_in:
            units = f" · {', '.join(user.units)}" if user.units else ""
            st.caption(text("auth_caption", username=user.username,
                            role=text(f"role_{user.role}"), units=units))
            if _oidc_configured():
                st.button(text("auth_sign_out"), key="otbasy-sign-out", on_click=st.logout)
            else:
                st.button(text("auth_sign_out"), key="otbasy-sign-out", on_click=sign_out)
            return user
        if _oidc_configured():
            st.button(text("auth_sign_in"), key="otbasy-oidc-sign-in", on_click=st.login)
            return user
        with st.form("otbasy-sign-in", clear_on_submit=True):
            st.caption(text("auth_public"))
            username = st.text_input(text("auth_username"), key="otbasy-username")
            password = st.text_input(text("auth_password"), type="password",
                                     key="otbasy-password")
            submitted = st.form_submit_button(text("auth_sign_in"))
        if submitted:
            now = clock()
            signed, message = attempt_sign_in(username, password, now, text=text,
                                              address=_client_address())
            if signed is None:
                st.error(message)
            else:
                st.session_state[SESSION_KEY] = Session(signed, now, now)
                st.rerun()
    return user


def _client_address() -> str | None:
    """The browser's IP address as Streamlit sees it (None when unknown, e.g. in tests)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section (Streamlit's OIDC login)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # a malformed secrets file: fall back to password sign-in
        log.warning("unreadable .streamlit/secrets.toml: single sign-on is off", exc_info=True)
        return False


def _oidc_user() -> User | None:
    """The user signed in through the identity provider, with the role of their account.

    The account is looked up by e-mail in the credentials file; an identity without an
    account gets the public role.
    """
    if not _oidc_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    account = load_accounts().get(email)
    user = account.user() if account is not None else PUBLIC
    if st.session_state.get("otbasy_oidc_audited") != email:
        audit_log.record("sign_in", email, user.role, method="oidc")
        st.session_state["otbasy_oidc_audited"] = email
    return user
