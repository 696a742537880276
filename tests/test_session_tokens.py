"""Session tokens, the server-side session store and the `/api/session` route, on a fake clock.

Tokens: sign/verify, expiry, every kind of tampering (another user's name, a later expiry,
another key, a cut or padded token), the key file (0600, created once even by racing
processes, rotation refuses old tokens). Store: idle and absolute expiry, sign-out, account
removal, role/unit/password change, one-time tickets. Route: the cookie's attributes, refusals.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from starlette.applications import Starlette

from access import credentials as cred
from access import session_store, tokens, web
from access.roles import User
from access.session import IDLE_HOURS, MAX_HOURS

PASSWORD = "correct-horse-42"  # pragma: allowlist secret - test-only account
T0 = 1_800_000_000.0  # the fake clock's start (2027)
HOUR = 3600.0


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))
    monkeypatch.delenv("OTBASY_SESSION_IDLE_HOURS", raising=False)
    for name in ("OTBASY_SESSION_KEY", "OTBASY_SESSIONS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def accounts() -> dict[str, User]:
    cred.add_account("aigerim", PASSWORD, "planner", ["KZ-10"], rounds=1)
    cred.add_account("dana", PASSWORD, "ministry", rounds=1)
    return {a.username: a.user() for a in cred.load_accounts().values()}


# --- tokens ------------------------------------------------------------------------------------
def _claims(username: str = "dana", sid: str = "s1", issued: float = T0) -> tokens.Claims:
    return tokens.Claims(username, sid, issued, issued + MAX_HOURS * HOUR)


def _reason(token: str, key: bytes, now: float = T0 + 1) -> str:
    with pytest.raises(tokens.TokenError) as refused:
        tokens.verify(token, key, now)
    return refused.value.reason


def _edit(token: str, **change: object) -> str:
    """The token with its claims edited and the old MAC kept (what an attacker can do)."""
    version, body, mac = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(change)
    edited = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{version}.{edited}.{mac}"


def test_token_round_trip_and_expiry() -> None:
    key = tokens.load_key()
    token = tokens.sign(_claims(), key)
    assert tokens.verify(token, key, T0 + 1) == _claims()
    assert tokens.verify(token, key, T0 + MAX_HOURS * HOUR - 1).username == "dana"
    assert _reason(token, key, T0 + MAX_HOURS * HOUR) == "expired"
    assert _reason(token, key, T0 - HOUR) == "expired"  # issued in the future
    assert "dana" not in token.split(".")[2]


def test_tampered_tokens_are_refused() -> None:
    key = tokens.load_key()
    token = tokens.sign(_claims(), key)
    assert _reason(_edit(token, u="root"), key) == "bad_signature"  # another user
    assert _reason(_edit(token, exp=T0 + 9999 * HOUR), key) == "bad_signature"  # longer life
    assert _reason(_edit(token, sid="s2"), key) == "bad_signature"  # another session
    version, body, mac = token.split(".")
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    assert _reason(f"{version}.{body}.{flipped}", key) == "bad_signature"
    assert _reason(tokens.sign(_claims(), os.urandom(32)), key) == "bad_signature"  # other key
    for bad in ("", "x", token + ".x", token[:-1] + "é", "v2." + token[3:], token + "A" * 2000,
                f"{version}.{body}.", ".."):
        assert _reason(bad, key) in ("malformed", "bad_signature"), bad
    # a body that is not JSON claims, yet signed with the right key, is still refused
    junk = "v1." + base64.urlsafe_b64encode(b"[1, 2]").rstrip(b"=").decode()
    mac = base64.urlsafe_b64encode(hmac.new(key, junk.encode(), hashlib.sha256).digest())
    assert _reason(f"{junk}.{mac.rstrip(b'=').decode()}", key) == "malformed"


def test_key_file_is_private_created_once_and_rotates(tmp_path: Path) -> None:
    path = tokens.key_path()
    key = tokens.load_key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32 and tokens.load_key() == key
    token = tokens.sign(_claims(), key)
    tokens.rotate_key()
    new = tokens.load_key()
    assert new != key and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _reason(token, new) == "bad_signature"
    path.write_text("not a key\n")
    with pytest.raises(ValueError, match="session key"):
        tokens.load_key()


def _load_key_hex(path: str) -> str:
    return tokens.load_key(Path(path)).hex()


def test_racing_processes_create_one_key(tmp_path: Path) -> None:
    path = str(tmp_path / "race" / "session.key")
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        keys = pool.map(_load_key_hex, [path] * 12)
    assert len(set(keys)) == 1
    assert not [p for p in Path(path).parent.iterdir() if p.name != "session.key"]


# --- store -------------------------------------------------------------------------------------
def test_open_session_checks_and_idle_and_absolute_expiry(accounts: dict[str, User]) -> None:
    sid = session_store.open_session(accounts["dana"], T0)
    assert session_store.check(sid, "dana", T0 + 60).user == accounts["dana"]
    # used every 7 hours: never idle for 8, but closed 24 hours after sign-in
    now = T0
    while now + 7 * HOUR < T0 + MAX_HOURS * HOUR:
        now += 7 * HOUR
        assert session_store.check(sid, "dana", now).user is not None, now - T0
    assert session_store.check(sid, "dana", T0 + MAX_HOURS * HOUR + 1).reason == "expired"
    assert session_store.check(sid, "dana", T0 + 60).reason == "expired"  # stays closed

    idle = session_store.open_session(accounts["dana"], T0)
    used = T0 + IDLE_HOURS * HOUR - 1  # just in time: this use counts
    assert session_store.check(idle, "dana", used).user is not None
    assert session_store.check(idle, "dana", used + IDLE_HOURS * HOUR + 1).reason == "expired"


def test_sign_out_and_account_changes_close_sessions(accounts: dict[str, User]) -> None:
    users = accounts
    out = session_store.open_session(users["dana"], T0)
    session_store.close(out, T0 + 5)
    assert session_store.check(out, "dana", T0 + 6).reason == "signed_out"

    role = session_store.open_session(users["dana"], T0)
    cred.set_role("dana", "admin")
    assert session_store.check(role, "dana", T0 + 1).reason == "account_changed"
    again = session_store.open_session(cred.load_accounts()["dana"].user(), T0 + 2)
    assert session_store.check(again, "dana", T0 + 3).user == User("dana", "admin")

    units = session_store.open_session(users["aigerim"], T0)
    cred.set_role("aigerim", "planner", ["KZ-10", "KZ-11"])
    assert session_store.check(units, "aigerim", T0 + 1).reason == "account_changed"

    password = session_store.open_session(cred.load_accounts()["aigerim"].user(), T0)
    cred.set_password("aigerim", PASSWORD + "!", rounds=1)
    assert session_store.check(password, "aigerim", T0 + 1).reason == "account_changed"

    removed = session_store.open_session(cred.load_accounts()["dana"].user(), T0)
    cred.remove_account("dana")
    assert session_store.check(removed, "dana", T0 + 1).reason == "account_changed"


def test_a_session_is_only_its_own_users(accounts: dict[str, User]) -> None:
    sid = session_store.open_session(accounts["aigerim"], T0)
    assert session_store.check(sid, "dana", T0 + 1) == session_store.Check(None, "unknown")
    assert session_store.check("no-such-session", "dana", T0 + 1).reason == "unknown"
    assert session_store.check(sid, "aigerim", T0 + 1).user == accounts["aigerim"]
    with pytest.raises(ValueError, match="no account"):
        session_store.open_session(User("ghost", "admin"), T0)


def test_tickets_work_once_and_briefly(accounts: dict[str, User]) -> None:
    key = tokens.load_key()
    sid = session_store.open_session(accounts["dana"], T0)
    ticket = session_store.issue_ticket(sid, T0)
    token, max_age = session_store.redeem_ticket(ticket, T0 + 5, key) or ("", 0)
    assert max_age == MAX_HOURS * HOUR - 5
    assert tokens.verify(token, key, T0 + 6) == tokens.Claims("dana", sid, T0,
                                                              T0 + MAX_HOURS * HOUR)
    assert session_store.redeem_ticket(ticket, T0 + 6, key) is None  # used
    late = session_store.issue_ticket(sid, T0)
    assert session_store.redeem_ticket(late, T0 + session_store.TICKET_SECONDS + 1, key) is None
    closed = session_store.issue_ticket(sid, T0)
    session_store.close(sid, T0 + 1)
    assert session_store.redeem_ticket(closed, T0 + 2, key) is None
    assert session_store.redeem_ticket("x" * 1000, T0, key) is None
    assert stat.S_IMODE(session_store.store_path().stat().st_mode) == 0o600


# --- the /api/session route --------------------------------------------------------------------
def _call(method: str, body: bytes = b"", headers: dict[str, str] | None = None
          ) -> tuple[int, list[tuple[str, str]]]:
    """One request to the route through ASGI (no HTTP client needed)."""
    app = Starlette(routes=web.routes())
    sent: list[dict] = []
    headers = {"host": "app.example", **(headers or {})}
    scope = {"type": "http", "http_version": "1.1", "method": method, "path": web.PATH,
             "raw_path": web.PATH.encode(), "query_string": b"", "scheme": "http",
             "root_path": "", "server": ("app.example", 80), "client": ("10.0.0.1", 5000),
             "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]]


def _cookie(headers: list[tuple[str, str]]) -> str:
    return next(v for k, v in headers if k == "set-cookie")


def test_route_sets_an_http_only_strict_cookie_once(accounts: dict[str, User]) -> None:
    import time

    now = time.time()
    sid = session_store.open_session(accounts["dana"], now)
    ticket = session_store.issue_ticket(sid, now)
    body = json.dumps({"ticket": ticket}).encode()
    same = {"origin": "http://app.example", "content-type": "application/json"}
    assert _call("POST", body, {**same, "origin": "http://evil.example"})[0] == 403
    status, headers = _call("POST", body, same)
    assert status == 204 and ("cache-control", "no-store") in headers
    cookie = _cookie(headers)
    value = cookie.split(";")[0].split("=", 1)[1]
    assert cookie.startswith(f"{web.COOKIE}=")
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict"} <= attributes
    assert "secure" not in attributes  # plain http (a test server)
    assert tokens.verify(value, tokens.load_key(), time.time()).sid == sid
    assert _call("POST", body, same)[0] == 403  # the ticket is used up
    for junk in (b"", b"{", b'{"ticket": 5}', b"[]", b'{"ticket": "' + b"x" * 2000 + b'"}'):
        assert _call("POST", junk, same)[0] == 403, junk

    ticket = session_store.issue_ticket(sid, time.time())
    status, headers = _call("POST", json.dumps({"ticket": ticket}).encode(),
                            {**same, "x-forwarded-proto": "https"})
    assert status == 204 and "secure" in _cookie(headers).lower()

    status, headers = _call("DELETE", headers={"origin": "http://app.example",
                                               "cookie": f"{web.COOKIE}={value}"})
    assert status == 204 and 'max-age=0' in _cookie(headers).lower()
    assert session_store.check(sid, "dana", time.time()).reason == "signed_out"
