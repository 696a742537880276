"""What the Streamlit pages call: who is signed in, may they do this, and record that they did.

Every page starts with `require_page("name")`; every widget action and download checks
`can(current_user(), action, unit_code)`; every sign-in, upload, scenario run, save and
export calls `audit(event, **details)`. `attempt_sign_in` holds the sign-in logic without
Streamlit so it is tested directly; `auth_sidebar` is its widget.

A password sign-in opens a server-side session (`access.session_store`) and hands the browser
its signed token as an HTTP-only cookie through `/api/session` (`access.web`); each run of the
app (`auth_sidebar`, first thing in `app.py`) checks the session against the store and, in a new
browser session (a reload, a page link), resumes it from the cookie. Refused cookies are audited
(`session_refused`) and cleared.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from access import audit as audit_log
from access import session_store, tokens
from access.credentials import authenticate, load_accounts
from access.roles import PUBLIC, User, allowed_pages, can, page_allowed
from access.session import THROTTLE, Session, Throttle, expired
from access.texts import Text, english
from access.web import COOKIE, PATH

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
COOKIE_ACTION_KEY = "otbasy_cookie_action"  # ("set", ticket) or ("clear", "") for the next run
FINISHED_COOKIE_KEY = "otbasy_finished_cookie"  # digest of a cookie not to resume again
TEXT_KEY = "otbasy_text"  # the user's translator, for messages shown outside the sidebar
clock: Callable[[], float] = time.time  # replaced by tests to drive expiry without waiting
# Notice shown when a session ends for `reason` (an access.texts key); none after a sign-out.
END_NOTICES = {"expired": "auth_expired", "account_changed": "auth_changed",
               "signed_out": "", "": ""}


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
        _end(session, now, "expired")
        return PUBLIC
    session.last_seen = now
    return session.user


def check_session(now: float) -> None:
    """Once per run: drop the session if the store closed it (signed out elsewhere, account
    changed, expired); in a browser session without one, resume it from the cookie."""
    session: Session | None = st.session_state.get(SESSION_KEY)
    if session is not None and session.sid:
        checked = session_store.check(session.sid, session.user.username, now)
        if checked.user is None:
            _end(session, now, checked.reason)
        else:
            session.user = checked.user
    elif session is None:
        resumed = _resume(now)
        if resumed is not None:
            st.session_state[SESSION_KEY] = resumed


def _cookie() -> tuple[str, str] | None:
    """The session cookie the browser sent when this browser session began, and its digest."""
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:  # (AppTest has no browser: no cookies)
        return None
    return token, hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _resume(now: float) -> Session | None:
    """The session named by the cookie if its token verifies and the store still has it open;
    a refused cookie is audited once, then cleared in the browser."""
    cookie = _cookie()
    if cookie is None or st.session_state.get(FINISHED_COOKIE_KEY) == cookie[1]:
        return None
    username = ""
    try:
        claims = tokens.verify(cookie[0], tokens.load_key(), now)
        username = claims.username
        checked = session_store.check(claims.sid, claims.username, now)
        if checked.user is None:
            raise tokens.TokenError(checked.reason)
    except tokens.TokenError as refused:
        audit_log.record("session_refused", username, "public", reason=refused.reason,
                         address=_client_address())
        _finish_cookie(END_NOTICES.get(refused.reason, "auth_refused"))
        return None
    return Session(checked.user, claims.issued, now, claims.sid)


def _finish_cookie(notice: str) -> None:
    """Never resume this browser session's cookie again, clear it in the browser, and tell
    the user why (`notice`, a text key; empty for none)."""
    cookie = _cookie()
    if cookie is not None:
        st.session_state[FINISHED_COOKIE_KEY] = cookie[1]
    st.session_state[COOKIE_ACTION_KEY] = ("clear", "")
    if notice:
        st.session_state["otbasy_notice"] = notice  # a text key, shown translated


def _end(session: Session, now: float, reason: str) -> None:
    """Drop `session` from this browser session (expired or closed elsewhere): audited, closed
    in the store, its cookie cleared."""
    st.session_state.pop(SESSION_KEY, None)
    user = session.user
    if reason == "expired":
        audit_log.record("session_expired", user.username, user.role)
    else:
        audit_log.record("session_refused", user.username, user.role, reason=reason)
    if session.sid:
        session_store.close(session.sid, now, reason or "closed")
        _finish_cookie(END_NOTICES.get(reason, "auth_refused"))
    elif reason == "expired":
        st.session_state["otbasy_notice"] = "auth_expired"


def _text() -> Text:
    """The translator `auth_sidebar` was given in this browser session (English before)."""
    text = st.session_state.get(TEXT_KEY)
    return text if callable(text) else english


def require_page(page: str) -> User:
    """Stop the page (with a message) unless the current user's role may open it."""
    user = current_user()
    if not page_allowed(user.role, page):
        audit_log.record("access_denied", user.username, user.role, page=page)
        text = _text()
        st.error(text("auth_page_public") if user.role == "public" else
                 text("auth_page_role", role=text(f"role_{user.role}")))
        st.stop()
    return user


def require_action(action: str, unit_code: str | None = None) -> User:
    """Stop the script unless the current user may perform `action` (on `unit_code`)."""
    user = current_user()
    if not can(user, action, unit_code):
        audit_log.record("access_denied", user.username, user.role, action=action,
                         unit_code=unit_code)
        st.error(_text()("auth_action_unit", unit=unit_code) if unit_code
                 else _text()("auth_action"))
        st.stop()
    return user


def audit(event: str, **details: object) -> None:
    """Append an audit entry for the current user (see access.audit.EVENTS)."""
    user = current_user()
    audit_log.record(event, user.username, user.role, **details)


def download_button(label: str, data: bytes | str | Callable[[], bytes | str], file_name: str,
                    action: str = "export_result", unit_code: str | None = None,
                    **details: object) -> bool:
    """A download button shown only when allowed; each click is audited as `export`. `data`
    may be a function: Streamlit then calls it only when the button is pressed."""
    user = current_user()
    if not can(user, action, unit_code):
        return False
    return st.download_button(label, data, file_name=file_name, on_click=audit,
                              args=("export",), kwargs={"file": file_name, "action": action,
                                                        "unit_code": unit_code, **details},
                              key=f"download-{file_name}")


def sign_out() -> None:
    """End the current session (audited): closed in the store, so its cookie is refused
    everywhere, and cleared in this browser."""
    session: Session | None = st.session_state.pop(SESSION_KEY, None)
    if session is not None:
        audit_log.record("sign_out", session.user.username, session.user.role)
        if session.sid:
            session_store.close(session.sid, clock())
            _finish_cookie("")


def _cookie_script() -> None:
    """Run the pending cookie action in the browser: post the sign-in's one-time ticket to
    `/api/session` (which answers with the HTTP-only cookie) or ask it to clear the cookie.
    Only our own ticket (URL-safe base64) goes into the script."""
    action, ticket = st.session_state.pop(COOKIE_ACTION_KEY, ("", ""))
    if action == "set":
        call = (f'{{method: "POST", credentials: "same-origin", headers: {{"Content-Type": '
                f'"application/json"}}, body: {json.dumps(json.dumps({"ticket": ticket}))}}}')
    elif action == "clear":
        call = '{method: "DELETE", credentials: "same-origin"}'
    else:
        return
    st.html(f"<script>fetch({json.dumps(PATH)}, {call});</script>",
            unsafe_allow_javascript=True)


def auth_sidebar(text: Text = english) -> User:
    """The sidebar sign-in form, or who is signed in with a sign-out button; `text`
    translates the `access.texts` keys into the user's language."""
    st.session_state[TEXT_KEY] = text
    if not _oidc_configured():
        check_session(clock())
    user = current_user()
    with st.sidebar:
        _cookie_script()
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
                sid = session_store.open_session(signed, now)
                st.session_state[SESSION_KEY] = Session(signed, now, now, sid)
                st.session_state[COOKIE_ACTION_KEY] = ("set", session_store.issue_ticket(sid, now))
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
