"""Otbasy access control: roles, accounts, sessions, the audit log and the page guards."""
