"""Manage accounts: `python -m access add|remove|list|set-role|set-password`.

Passwords come from an interactive prompt (typed twice) or, for scripts, from
`--password-stdin`; they are never taken as a command-line argument (shell history).
Every change is written atomically and recorded in the audit log.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from access import audit
from access.credentials import (
    CredentialsError,
    add_account,
    credentials_path,
    load_accounts,
    remove_account,
    set_password,
    set_role,
)


def _actor() -> str:
    """Who ran the command, for the audit log (the operating-system account)."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:  # no login name (e.g. a container with an anonymous uid)
        return "cli"



def _units(text: str | None) -> list[str] | None:
    return None if text is None else [u.strip().upper() for u in text.split(",") if u.strip()]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CredentialsError("password: the two entries differ")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m access", description=__doc__)
    parser.add_argument("--file", type=Path, help="credentials file (default: "
                        "$OTBASY_CREDENTIALS or workspace/credentials.yaml)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["planner", "ministry", "admin"])
    add.add_argument("--units", help="comma-separated unit codes for a planner: oblasts (KZ-10) "
                     "and/or districts (KZ101000)")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--oidc", action="store_true",
                     help="no password: the user signs in through the identity provider "
                          "(username = their e-mail)")
    rm = sub.add_parser("remove", help="delete an account")
    rm.add_argument("username")
    ls = sub.add_parser("list", help="list accounts (never shows hashes)")
    ls.add_argument("--json", action="store_true", help="print a JSON list of accounts")
    sr = sub.add_parser("set-role", help="change an account's role and units")
    sr.add_argument("username")
    sr.add_argument("role", choices=["planner", "ministry", "admin"])
    sr.add_argument("--units", help="comma-separated unit codes (planners)")
    sp = sub.add_parser("set-password", help="replace an account's password")
    sp.add_argument("username")
    sp.add_argument("--password-stdin", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (errors go to stderr without a traceback)."""
    args = _parser().parse_args(argv)
    path: Path = args.file or credentials_path()
    try:
        if args.command == "add":
            units = _units(args.units) or []
            password = None if args.oidc else _read_password(args.password_stdin)
            account = add_account(args.username, password, args.role, units, args.name, path)
            audit.record("account_added", _actor(), "admin", username=account.username,
                         new_role=account.role, units=account.units)
            print(f"added {account.username} ({account.role}) to {path}")
        elif args.command == "remove":
            remove_account(args.username, path)
            audit.record("account_removed", _actor(), "admin", username=args.username)
            print(f"removed {args.username}")
        elif args.command == "list":
            accounts = sorted(load_accounts(path).values(), key=lambda a: a.username)
            if args.json:
                print(json.dumps([{"username": a.username, "role": a.role, "units": a.units,
                                   "name": a.name} for a in accounts], ensure_ascii=False))
            for a in accounts if not args.json else []:
                print(f"{a.username}\t{a.role}\t{','.join(a.units) or '-'}\t{a.name}")
        elif args.command == "set-role":
            account = set_role(args.username, args.role, _units(args.units), path)
            audit.record("role_changed", _actor(), "admin", username=account.username,
                         new_role=account.role, units=account.units)
            print(f"{account.username} is now {account.role}")
        elif args.command == "set-password":
            set_password(args.username, _read_password(args.password_stdin), path)
            audit.record("password_changed", _actor(), "admin", username=args.username)
            print(f"password of {args.username} changed")
    except CredentialsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
