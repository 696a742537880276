"""The credentials file: accounts with bcrypt-salted password hashes, roles and units.

The file lives outside the repository (`OTBASY_CREDENTIALS`, default
`workspace/credentials.yaml`; a `.json` suffix selects JSON) and is rewritten atomically.
Plain passwords are never stored or logged; only bcrypt hashes (salt embedded) are kept.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import bcrypt
import yaml

from access.roles import ROLES, User
from geo.atomic import atomic_write_text
from geo.units import code_level

DEFAULT_PATH = Path("workspace") / "credentials.yaml"
MIN_PASSWORD_LENGTH = 10
BCRYPT_ROUNDS = 12
OIDC_HASH = "!oidc"  # not a bcrypt hash, so no password ever matches it
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class CredentialsError(ValueError):
    """A problem with the credentials file or an account change; the message names the field."""


@dataclass
class Account:
    """One stored account."""

    username: str
    role: str
    password_hash: str
    units: list[str] = field(default_factory=list)
    name: str = ""

    def user(self) -> User:
        return User(self.username, self.role, tuple(self.units), self.name)


def credentials_path() -> Path:
    """Where the credentials file is: `OTBASY_CREDENTIALS` or `workspace/credentials.yaml`."""
    return Path(os.environ.get("OTBASY_CREDENTIALS") or DEFAULT_PATH)


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    """A bcrypt hash of `password` with a fresh random salt."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches `password_hash` (False for a malformed hash)."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def check_password_policy(password: str) -> None:
    """Refuse passwords that are too short or all one character class."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialsError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.isdigit() or password.isalpha():
        raise CredentialsError("password: mix letters with digits or symbols")


def validate_account(username: str, role: str, units: list[str]) -> None:
    """Check the username, role and unit codes of an account."""
    if not _USERNAME.match(username):
        raise CredentialsError(
            f"username: {username!r} must be 1-64 letters, digits or . _ @ -")
    if role not in ROLES or role == "public":
        raise CredentialsError(f"role: {role!r} must be one of planner, ministry, admin")
    bad = [u for u in units if code_level(u) is None]
    if bad:
        raise CredentialsError(f"units: {', '.join(bad)} are not unit codes such as KZ-10 "
                               "(oblast) or KZ101000 (district)")
    if role == "planner" and not units:
        raise CredentialsError("units: a planner needs at least one unit code, e.g. KZ-10")


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """Read the credentials file; an absent file means no accounts yet."""
    path = path or credentials_path()
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise CredentialsError(f"{path}: not valid {path.suffix or 'YAML'}: {exc}") from None
    users = (data or {}).get("users") if isinstance(data, dict | None) else None
    if not isinstance(users, dict):
        raise CredentialsError(f"{path}: field 'users' must be a mapping of accounts")
    accounts: dict[str, Account] = {}
    for username, entry in users.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password_hash"), str):
            raise CredentialsError(f"{path}: users.{username}.password_hash is missing")
        role = entry.get("role")
        units = entry.get("units") or []
        if not isinstance(role, str) or not isinstance(units, list):
            raise CredentialsError(f"{path}: users.{username}.role/units are malformed")
        accounts[str(username)] = Account(str(username), role, entry["password_hash"],
                                          [str(u) for u in units], str(entry.get("name", "")))
    return accounts


def save_accounts(accounts: dict[str, Account], path: Path | None = None) -> None:
    """Write every account atomically, readable by the owner only."""
    path = path or credentials_path()
    data = {"users": {a.username: {"name": a.name, "role": a.role, "units": list(a.units),
                                   "password_hash": a.password_hash}
                      for a in sorted(accounts.values(), key=lambda a: a.username)}}
    text = (json.dumps(data, indent=2, ensure_ascii=False) if path.suffix == ".json"
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    atomic_write_text(path, text)
    os.chmod(path, 0o600)


def add_account(username: str, password: str | None, role: str, units: list[str] | None = None,
                name: str = "", path: Path | None = None, rounds: int = BCRYPT_ROUNDS) -> Account:
    """Create an account (CredentialsError if it exists or a field is invalid).

    `password=None` makes an identity-provider account: its hash never matches a password.
    """
    units = units or []
    validate_account(username, role, units)
    if password is not None:
        check_password_policy(password)
    accounts = load_accounts(path)
    if username in accounts:
        raise CredentialsError(f"username: {username!r} already exists")
    password_hash = OIDC_HASH if password is None else hash_password(password, rounds)
    account = Account(username, role, password_hash, units, name)
    accounts[username] = account
    save_accounts(accounts, path)
    return account


def remove_account(username: str, path: Path | None = None) -> None:
    """Delete an account (CredentialsError if there is none)."""
    accounts = load_accounts(path)
    if accounts.pop(username, None) is None:
        raise CredentialsError(f"username: no account {username!r}")
    save_accounts(accounts, path)


def set_role(username: str, role: str, units: list[str] | None = None,
             path: Path | None = None) -> Account:
    """Change an account's role (and units: kept when None)."""
    accounts = load_accounts(path)
    account = accounts.get(username)
    if account is None:
        raise CredentialsError(f"username: no account {username!r}")
    new_units = account.units if units is None else units
    validate_account(username, role, new_units)
    account.role, account.units = role, (new_units if role == "planner" else [])
    save_accounts(accounts, path)
    return account


def set_password(username: str, password: str, path: Path | None = None,
                 rounds: int = BCRYPT_ROUNDS) -> None:
    """Replace an account's password hash."""
    accounts = load_accounts(path)
    if username not in accounts:
        raise CredentialsError(f"username: no account {username!r}")
    check_password_policy(password)
    accounts[username].password_hash = hash_password(password, rounds)
    save_accounts(accounts, path)


def authenticate(username: str, password: str, path: Path | None = None) -> User | None:
    """The signed-in user when `username`/`password` match an account, else None."""
    account = load_accounts(path).get(username)
    if account is None:
        bcrypt.checkpw(password.encode("utf-8"), _dummy_hash())  # same cost as a real check
        return None
    if account.role not in ROLES or not verify_password(password, account.password_hash):
        return None
    return account.user()


@cache
def _dummy_hash() -> bytes:
    """A hash checked when the username is unknown, so timing does not reveal which exist."""
    return bcrypt.hashpw(os.urandom(16).hex().encode("ascii"), bcrypt.gensalt(BCRYPT_ROUNDS))
