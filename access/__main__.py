"""Manage accounts: `python -m access add|remove|list|set-role|set-password|verify-audit|
rotate-session-key`.

Passwords come from an interactive prompt (typed twice) or, for scripts, from
`--password-stdin`; they are never taken as a command-line argument (shell history).
Every change is written atomically under the credentials file's lock and recorded in the
audit log. Exit codes: 0 done, 2 a bad argument or file (one line on stderr, never a
traceback), 1 `verify-audit` found the audit log tampered with.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sqlite3
import sys
from pathlib import Path

from access import audit, tokens
from access.audit import audit_path, verify_audit
from access.credentials import (
    CredentialsError,
    add_account,
    credentials_path,
    load_accounts,
    remove_account,
    set_password,
    set_role,
)
from geo.limits import truncate


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
        return sys.stdin.readline(4096).rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CredentialsError("password: the two entries differ")
    return first


def configure(parser: argparse.ArgumentParser) -> None:
    """The commands and their arguments, on `otbasy accounts`'s parser or `python -m
    access`'s own (so each help names the command the user typed)."""
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
    va = sub.add_parser("verify-audit", help="check the audit log's hash chain (exit 1 if "
                                             "an entry was edited, deleted or reordered)")
    va.add_argument("--audit", type=Path, help="audit log (default: $OTBASY_AUDIT or "
                                               "workspace/audit.sqlite)")
    rk = sub.add_parser("rotate-session-key", help="replace the key that signs session cookies "
                                                   "(signs every browser out)")
    rk.add_argument("--key", type=Path, help="key file (default: $OTBASY_SESSION_KEY or "
                                             "workspace/session.key)")


def main(argv: list[str] | None = None) -> int:
    """`python -m access ...`: parse, then `run`."""
    parser = argparse.ArgumentParser(prog="python -m access", description=__doc__)
    configure(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run one command; returns the exit status (errors go to stderr without a traceback)."""
    path: Path = args.file or credentials_path()
    try:
        if args.command == "verify-audit":
            return _verify(args.audit or audit_path())
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
        elif args.command == "rotate-session-key":
            tokens.rotate_key(args.key)
            audit.record("session_key_rotated", _actor(), "admin")
            print(f"new session key in {args.key or tokens.key_path()}: every browser is "
                  "signed out")
        elif args.command == "set-password":
            set_password(args.username, _read_password(args.password_stdin), path)
            audit.record("password_changed", _actor(), "admin", username=args.username)
            print(f"password of {args.username} changed")
    except CredentialsError as exc:
        print(f"error: {truncate(str(exc))}", file=sys.stderr)
        return 2
    except (OSError, ValueError, RecursionError, sqlite3.Error) as exc:  # unreadable files
        print(f"error: {truncate(f'{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return 2
    return 0


def _verify(path: Path) -> int:
    """Print the verdict on the audit log; 0 intact, 1 tampered, 2 no log."""
    if not path.exists():
        print(f"error: {path}: no audit log", file=sys.stderr)
        return 2
    count, problems = verify_audit(path)
    if problems:
        print(f"{path}: TAMPERED: {len(problems)} problem(s) in {count} entries", file=sys.stderr)
        for problem in problems[:50]:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{path}: intact ({count} entries, hash chain and head match)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
