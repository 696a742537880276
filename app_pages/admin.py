"""Admin: the audit log (filter, read, download as CSV) and the accounts (add, change role,
remove). Only the admin role reaches this page; every change is itself audited."""

from __future__ import annotations

import streamlit as st

from access import audit as audit_log
from access.credentials import (
    CredentialsError,
    add_account,
    load_accounts,
    remove_account,
    set_role,
)
from access.guard import audit, download_button, require_action, require_page
from app_pages.common import plain

PAGE = "admin"
user = require_page(PAGE)
st.title("Admin")

st.subheader("Audit log")
c1, c2, c3 = st.columns(3)
event = c1.selectbox("Event", ["(all)", *audit_log.EVENTS], key="admin_event")
who = c2.text_input("User", key="admin_user").strip()
limit = c3.number_input("Newest entries", min_value=10, max_value=100_000, value=500, step=100,
                        key="admin_limit")
log = audit_log.read_audit(limit=int(limit), event=None if event == "(all)" else event,
                           username=who or None)
st.dataframe(log, hide_index=True, width="stretch")
require_action("view_audit")
download_button("Download the whole audit log (CSV)", audit_log.audit_csv(), "otbasy_audit.csv",
                action="view_audit")

st.subheader("Accounts")
require_action("manage_accounts")
try:
    accounts = load_accounts()
except CredentialsError as exc:
    st.error(str(exc))
    st.stop()
st.dataframe([{"username": a.username, "name": a.name, "role": a.role,
               "units": ", ".join(a.units)} for a in accounts.values()],
             hide_index=True, width="stretch")


def _units(text: str) -> list[str]:
    return [u.strip().upper() for u in text.split(",") if u.strip()]


with st.form("admin_add", clear_on_submit=True):
    st.markdown("**Add an account**")
    a1, a2, a3 = st.columns(3)
    new_name = a1.text_input("Username")
    new_role = a2.selectbox("Role", ["planner", "ministry", "admin"])
    new_units = a3.text_input("Units (planners)", placeholder="KZ-10, KZ-63")
    new_password = st.text_input("Initial password", type="password")
    if st.form_submit_button("Add account"):
        try:
            add_account(new_name.strip(), new_password, new_role, _units(new_units))
        except CredentialsError as exc:
            st.error(str(exc))
        else:
            audit("account_added", username=new_name.strip(), new_role=new_role,
                  units=_units(new_units))
            st.success(f"Added {plain(new_name.strip())} ({new_role}).")

others = sorted(name for name in accounts if name != user.username)
if others:
    with st.form("admin_change"):
        st.markdown("**Change or remove an account** (not your own)")
        b1, b2, b3 = st.columns(3)
        target = b1.selectbox("Account", others)
        role = b2.selectbox("New role", ["planner", "ministry", "admin"])
        units = b3.text_input("Units (planners)")
        change, remove = st.columns(2)
        if change.form_submit_button("Change role"):
            try:
                set_role(target, role, _units(units) or None)
            except CredentialsError as exc:
                st.error(str(exc))
            else:
                audit("role_changed", username=target, new_role=role, units=_units(units))
                st.success(f"{plain(target)} is now {role}.")
        if remove.form_submit_button("Remove account"):
            remove_account(target)
            audit("account_removed", username=target)
            st.success(f"Removed {plain(target)}.")
