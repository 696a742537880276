"""The app's one HTTP route, `/api/session`: it sets and clears the session cookie.

A Streamlit script cannot set a cookie (it talks to the browser over a websocket), so the
launcher serves the app as an `st.App` (`otbasy/server.py`, Streamlit's supported ASGI entry)
with this route beside Streamlit's own:

- `POST /api/session` with `{"ticket": ...}` (a one-time ticket the sign-in run put in the
  page, `access.session_store.issue_ticket`) answers 204 with the signed token as cookie
  `otbasy_session`: HttpOnly (no script reads it), SameSite=Strict, Path=/, Secure when the
  request came over https, Max-Age up to the session's absolute expiry.
- `DELETE /api/session` closes the session of the cookie it carries and clears the cookie.

Both refuse a request whose Origin is another site (403) and answer `Cache-Control: no-store`.
"""

from __future__ import annotations

import json
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from access import session_store, tokens

COOKIE = "otbasy_session"
PATH = "/api/session"
MAX_BODY = 1024


def _same_origin(request: Request) -> bool:
    """True unless the browser says the request comes from another origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site") in (None, "same-origin")
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def _secure(request: Request) -> bool:
    """Mark the cookie Secure when the browser reached the app over https (directly or
    through a proxy that says so)."""
    return (request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").lower() == "https")


def _answer(status: int) -> Response:
    return Response(status_code=status, headers={"Cache-Control": "no-store"})


def _redeem(ticket: str) -> tuple[str, int] | None:
    return session_store.redeem_ticket(ticket, time.time(), tokens.load_key())


def _close(token: str) -> None:
    try:
        claims = tokens.verify(token, tokens.load_key(), time.time())
    except tokens.TokenError:
        return  # nothing of ours to close; the cookie is cleared anyway
    session_store.close(claims.sid, time.time())


async def session_cookie(request: Request) -> Response:
    """Exchange a ticket for the session cookie (POST) or end the session (DELETE)."""
    if not _same_origin(request):
        return _answer(403)
    if request.method == "DELETE":
        token = request.cookies.get(COOKIE)
        if token:
            await run_in_threadpool(_close, token)
        response = _answer(204)
        response.delete_cookie(COOKIE, path="/", secure=_secure(request), httponly=True,
                               samesite="strict")
        return response
    body = await request.body()
    try:
        ticket = json.loads(body[:MAX_BODY])["ticket"] if len(body) <= MAX_BODY else None
    except (ValueError, KeyError, TypeError):
        ticket = None
    issued = await run_in_threadpool(_redeem, ticket) if isinstance(ticket, str) else None
    if issued is None:
        return _answer(403)
    token, max_age = issued
    response = _answer(204)
    response.set_cookie(COOKIE, token, max_age=max_age, path="/", secure=_secure(request),
                        httponly=True, samesite="strict")
    return response


def routes() -> list[Route]:
    """The routes `otbasy/server.py` adds to Streamlit's."""
    return [Route(PATH, session_cookie, methods=["POST", "DELETE"])]
