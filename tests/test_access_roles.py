"""The permission matrix: each role's pages and actions, planners limited to their units."""

from __future__ import annotations

import pytest

from access.roles import ACTIONS, PAGES, PUBLIC, ROLES, User, allowed_pages, can, page_allowed

PLANNER = User("aigerim", "planner", ("KZ-10", "KZ-63"))
MINISTRY = User("dana", "ministry")
ADMIN = User("root", "admin")

EXPECTED_PAGES = {
    "public": {"explore", "monitor", "coverage_gaps"},
    "planner": {"explore", "monitor", "coverage_gaps", "scenarios", "compare", "data", "sweeps"},
    "ministry": {"explore", "monitor", "coverage_gaps", "scenarios", "compare", "data", "sweeps"},
    "admin": set(PAGES),
}
EXPECTED_ACTIONS = {
    "public": {"export_aggregate"},
    "planner": {"export_aggregate", "view_exact_points", "run_scenario", "save_scenario",
                "upload_layer", "export_result"},
    "admin": set(ACTIONS),
}
EXPECTED_ACTIONS["ministry"] = EXPECTED_ACTIONS["planner"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(role: str) -> None:
    assert set(allowed_pages(role)) == EXPECTED_PAGES[role]
    assert {p for p in PAGES if page_allowed(role, p)} == EXPECTED_PAGES[role]


@pytest.mark.parametrize("role", ROLES)
def test_actions_per_role(role: str) -> None:
    user = User("u", role, ("KZ-10",) if role == "planner" else ())
    assert {a for a in ACTIONS if can(user, a)} == EXPECTED_ACTIONS[role]


def test_public_cannot_do_anything_beyond_aggregates() -> None:
    assert not PUBLIC.signed_in
    for action in ACTIONS:
        assert can(PUBLIC, action) == (action == "export_aggregate")
    assert not can(PUBLIC, "view_exact_points", "KZ-10")


def test_planner_limited_to_assigned_units() -> None:
    assert can(PLANNER, "run_scenario", "KZ-10") and can(PLANNER, "export_result", "KZ-63")
    assert not can(PLANNER, "run_scenario", "KZ-75")
    assert not can(PLANNER, "view_exact_points", "KZ-11")
    assert can(MINISTRY, "view_exact_points", "KZ-75") and can(ADMIN, "run_scenario", "KZ-11")


def test_unknown_names_fail_closed() -> None:
    assert not can(ADMIN, "delete_everything")
    assert not can(User("x", "superuser"), "run_scenario")
    assert not page_allowed("admin", "secret_page")
    assert not page_allowed("superuser", "explore")
