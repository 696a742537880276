"""The permission matrix: which role may open which page and perform which action.

Roles are ordered: each role has every right of the roles before it. Planners are further
limited to the administrative units assigned to them; `can()` applies that limit, and
`access.views` (the one visibility step every page goes through) applies it to the data.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = ("public", "planner", "ministry", "admin")

PAGES: tuple[str, ...] = ("explore", "monitor", "scenarios", "compare", "coverage_gaps", "data",
                          "admin", "sweeps")

ACTIONS: tuple[str, ...] = (
    "export_aggregate",   # download a suppressed, aggregated table (the public downloads)
    "view_exact_points",  # see foster-care and child counts as points, unsuppressed
    "run_scenario",
    "save_scenario",
    "upload_layer",
    "export_result",      # download scenario results and unsuppressed layers
    "view_audit",
    "manage_accounts",
)

# The lowest role that may open each page / perform each action.
PAGE_MIN_ROLE: dict[str, str] = {
    "explore": "public",
    "monitor": "public",
    "coverage_gaps": "public",
    "scenarios": "planner",
    "compare": "planner",
    "data": "planner",
    "admin": "admin",
    "sweeps": "planner",
}
ACTION_MIN_ROLE: dict[str, str] = {
    "export_aggregate": "public",
    "view_exact_points": "planner",
    "run_scenario": "planner",
    "save_scenario": "planner",
    "upload_layer": "planner",
    "export_result": "planner",
    "view_audit": "admin",
    "manage_accounts": "admin",
}


@dataclass(frozen=True)
class User:
    """Who is using the app. `units` limits a planner; other roles see every unit."""

    username: str
    role: str
    units: tuple[str, ...] = ()
    name: str = ""

    @property
    def signed_in(self) -> bool:
        return self.role != "public"


PUBLIC = User(username="", role="public")


def rank(role: str) -> int:
    """Position of `role` in ROLES (ValueError for an unknown role)."""
    if role not in ROLES:
        raise ValueError(f"role: unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return ROLES.index(role)


def page_allowed(role: str, page: str) -> bool:
    """True when `role` may open `page` (unknown pages are refused)."""
    minimum = PAGE_MIN_ROLE.get(page)
    return minimum is not None and role in ROLES and rank(role) >= rank(minimum)


def unit_allowed(user: User, unit_code: str | None) -> bool:
    """True when `user` may see data of `unit_code` (None means 'no particular unit')."""
    if unit_code is None or user.role != "planner":
        return True
    return unit_code in user.units


def can(user: User, action: str, unit_code: str | None = None) -> bool:
    """True when `user` may perform `action`, on `unit_code` if one is given.

    Unknown actions and unknown roles are refused, so a typo fails closed.
    """
    minimum = ACTION_MIN_ROLE.get(action)
    if minimum is None or user.role not in ROLES:
        return False
    return rank(user.role) >= rank(minimum) and unit_allowed(user, unit_code)


def allowed_pages(role: str) -> list[str]:
    """The pages `role` may open, in menu order."""
    return [p for p in PAGES if page_allowed(role, p)]
