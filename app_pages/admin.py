"""Admin: the audit log (filter, read, download as CSV) and the accounts (add, change role,
remove). Only the admin role reaches this page; every change is itself audited."""

from __future__ import annotations

import pandas as pd
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
from app_pages import common
from app_pages.common import plain
from ui import tables
from ui.i18n import t

PAGE = "admin"
user = require_page(PAGE)
lang = common.context().lang
st.title(t("page_admin", lang))
ROLES = ["planner", "ministry", "admin"]


def role_label(role: str) -> str:
    return t(f"role_{role}", lang)


st.subheader(t("adm_audit", lang))
c1, c2, c3 = st.columns(3)
event = c1.selectbox(t("adm_event", lang), ["(all)", *audit_log.EVENTS], key="admin_event",
                     format_func=lambda e: t("adm_all", lang) if e == "(all)"
                     else tables.code_label("event", e, lang))
who = c2.text_input(t("adm_user", lang), key="admin_user").strip()
limit = c3.number_input(t("adm_newest", lang), min_value=10, max_value=100_000, value=500, step=100,
                        key="admin_limit")
log = audit_log.read_audit(limit=int(limit), event=None if event == "(all)" else event,
                           username=who or None)
st.dataframe(tables.on_screen(tables.localise_columns(tables.localise_codes(log, lang), lang),
                             lang), hide_index=True, width="stretch")
require_action("view_audit")
download_button(t("adm_download", lang), audit_log.audit_csv(), "otbasy_audit.csv",
                action="view_audit")

st.subheader(t("adm_accounts", lang))
require_action("manage_accounts")
try:
    accounts = load_accounts()
except CredentialsError as exc:
    st.error(plain(str(exc)))
    st.stop()
st.dataframe(tables.localise_columns(pd.DataFrame(
    [{"username": a.username, "name": a.name, "role": role_label(a.role),
      "units": ", ".join(a.units)} for a in accounts.values()],
    columns=["username", "name", "role", "units"]), lang), hide_index=True, width="stretch")


def _units(text: str) -> list[str]:
    return [u.strip().upper() for u in text.split(",") if u.strip()]


with st.form("admin_add", clear_on_submit=True):
    st.markdown(f"**{t('adm_add_title', lang)}**")
    a1, a2, a3 = st.columns(3)
    new_name = a1.text_input(t("auth_username", lang))
    new_role = a2.selectbox(t("adm_role", lang), ROLES, format_func=role_label)
    new_units = a3.text_input(t("adm_units", lang), placeholder="KZ-10, KZ-63")
    new_password = st.text_input(t("adm_password", lang), type="password")
    if st.form_submit_button(t("adm_add", lang)):
        try:
            add_account(new_name.strip(), new_password, new_role, _units(new_units))
        except CredentialsError as exc:
            st.error(plain(str(exc)))
        else:
            audit("account_added", username=new_name.strip(), new_role=new_role,
                  units=_units(new_units))
            st.success(t("adm_added", lang, name=plain(new_name.strip()),
                         role=role_label(new_role)))

others = sorted(name for name in accounts if name != user.username)
if others:
    with st.form("admin_change"):
        st.markdown(t("adm_change_title", lang))
        b1, b2, b3 = st.columns(3)
        target = b1.selectbox(t("adm_account", lang), others)
        role = b2.selectbox(t("adm_new_role", lang), ROLES, format_func=role_label)
        units = b3.text_input(t("adm_units", lang))
        change, remove = st.columns(2)
        if change.form_submit_button(t("adm_change", lang)):
            try:
                set_role(target, role, _units(units) or None)
            except CredentialsError as exc:
                st.error(plain(str(exc)))
            else:
                audit("role_changed", username=target, new_role=role, units=_units(units))
                st.success(t("adm_changed", lang, name=plain(target), role=role_label(role)))
        if remove.form_submit_button(t("adm_remove", lang)):
            remove_account(target)
            audit("account_removed", username=target)
            st.success(t("adm_removed", lang, name=plain(target)))
