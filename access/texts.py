"""The English texts `access.guard` shows (sign-in box, notices), by key.

`access` sits below the UI layer, so it cannot import `ui.i18n`; the app passes a
translator (`Text`) and `ui.i18n` holds the Russian and Kazakh versions of these keys, taking
the English from here (one copy of each text).
"""

from __future__ import annotations

from collections.abc import Callable

Text = Callable[..., str]

AUTH_TEXTS: dict[str, str] = {
    "auth_throttled": "Too many failed attempts. Try again in {seconds} seconds.",
    "auth_wrong": "Wrong username or password.",
    "auth_signed_in": "Signed in as {username} ({role}).",
    "auth_expired": "Your session expired; please sign in again.",
    "auth_changed": "Your account was changed; please sign in again.",
    "auth_refused": "Your saved sign-in is no longer valid; please sign in again.",
    "auth_page_public": "This page is not available to the public: sign in with a staff "
                        "account in the sidebar to open it.",
    "auth_page_role": "This page is not available for your role ({role}).",
    "auth_action": "You do not have access to this action.",
    "auth_action_unit": "You do not have access to this action for {unit}.",
    "auth_caption": "Signed in as **{username}** ({role}{units})",
    "auth_sign_out": "Sign out",
    "auth_sign_in": "Sign in",
    "auth_public": "Public view: aggregated data only. Staff, sign in:",
    "auth_username": "Username",
    "auth_password": "Password",  # pragma: allowlist secret - a field label
    "role_public": "public",
    "role_planner": "planner",
    "role_ministry": "ministry",
    "role_admin": "admin",
}


def english(key: str, **fmt: object) -> str:
    """The English text `key`, formatted with `fmt` (the default translator)."""
    text = AUTH_TEXTS[key]
    return text.format(**fmt) if fmt else text
