"""The credentials file: accounts with salted password hashes, roles and units.

The file lives outside the repository (`OTBASY_CREDENTIALS`, default
`workspace/credentials.yaml`; a `.json` suffix selects JSON) and is rewritten atomically,
0600, under an exclusive lock (`<file>.lock`), so concurrent changes never lose one another.
Plain passwords are never stored or logged. New hashes are argon2id (any length, any script);
bcrypt hashes written by earlier versions still verify.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import bcrypt
import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access.roles import ROLES, User
from geo.atomic import atomic_write_text, create_private
from geo.units import code_level

DEFAULT_PATH = Path("workspace") / "credentials.yaml"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_CHARS = 1024  # bounds the hashing work an attacker can ask for
HASH_ROUNDS = 2  # argon2id time cost, with 19 MiB of memory (OWASP's minimum profile)
OIDC_HASH = "!oidc"  # not a password hash, so no password ever matches it
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


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


def _hasher(rounds: int) -> PasswordHasher:
    return PasswordHasher(time_cost=rounds, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str, rounds: int = HASH_ROUNDS) -> str:
    """An argon2id hash of `password` with a fresh random salt (`rounds` = time cost)."""
    return _hasher(rounds).hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches `password_hash`, argon2id or an earlier bcrypt hash
    (False for a malformed hash, and for a password bcrypt could never have hashed)."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    if password_hash.startswith("$argon2"):
        try:
            return _hasher(HASH_ROUNDS).verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    raw = password.encode("utf-8")
    if len(raw) > 72:  # bcrypt hashes only 72 bytes; bcrypt 5 refuses longer ones
        return False
    try:
        return bcrypt.checkpw(raw, password_hash.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


def check_password_policy(password: str) -> None:
    """Refuse passwords that are too short or all one character class."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialsError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise CredentialsError(f"password: must be at most {MAX_PASSWORD_CHARS} characters")
    if password.isdigit() or password.isalpha():
        raise CredentialsError("password: mix letters with digits or symbols")


def validate_account(username: str, role: str, units: list[str]) -> None:
    """Check the username, role and unit codes of an account."""
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise CredentialsError(
            f"username: {str(username)[:70]!r} must be 1-64 letters, digits or . _ @ -")
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
    except (yaml.YAMLError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise CredentialsError(f"{path}: not valid {path.suffix or 'YAML'}: {exc}") from None
    except RecursionError:
        raise CredentialsError(f"{path}: not valid {path.suffix or 'YAML'}: nested too "
                               "deeply") from None
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
    atomic_write_text(path, text)  # created 0600


@contextmanager
def locked(path: Path | None = None) -> Iterator[Path]:
    """Hold the credentials file's exclusive lock (`<file>.lock`, 0600) for a
    read-modify-write, so concurrent `python -m access` runs and app admins never lose one
    another's changes; yields the credentials path."""
    path = path or credentials_path()
    lock = create_private(path.with_name(path.name + ".lock"))
    with open(lock, "r+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def add_account(username: str, password: str | None, role: str, units: list[str] | None = None,
                name: str = "", path: Path | None = None, rounds: int = HASH_ROUNDS) -> Account:
    """Create an account (CredentialsError if it exists or a field is invalid).

    `password=None` makes an identity-provider account: its hash never matches a password.
    """
    units = units or []
    validate_account(username, role, units)
    if password is not None:
        check_password_policy(password)
    password_hash = OIDC_HASH if password is None else hash_password(password, rounds)
    account = Account(username, role, password_hash, units, name)
    with locked(path) as where:
        accounts = load_accounts(where)
        if username in accounts:
            raise CredentialsError(f"username: {username!r} already exists")
        accounts[username] = account
        save_accounts(accounts, where)
    return account


def remove_account(username: str, path: Path | None = None) -> None:
    """Delete an account (CredentialsError if there is none)."""
    with locked(path) as where:
        accounts = load_accounts(where)
        if accounts.pop(username, None) is None:
            raise CredentialsError(f"username: no account {str(username)[:70]!r}")
        save_accounts(accounts, where)


def set_role(username: str, role: str, units: list[str] | None = None,
             path: Path | None = None) -> Account:
    """Change an account's role (and units: kept when None)."""
    with locked(path) as where:
        accounts = load_accounts(where)
        account = accounts.get(username)
        if account is None:
            raise CredentialsError(f"username: no account {str(username)[:70]!r}")
        new_units = account.units if units is None else units
        validate_account(username, role, new_units)
        account.role, account.units = role, (new_units if role == "planner" else [])
        save_accounts(accounts, where)
    return account


def set_password(username: str, password: str, path: Path | None = None,
                 rounds: int = HASH_ROUNDS) -> None:
    """Replace an account's password hash."""
    check_password_policy(password)
    password_hash = hash_password(password, rounds)
    with locked(path) as where:
        accounts = load_accounts(where)
        if username not in accounts:
            raise CredentialsError(f"username: no account {str(username)[:70]!r}")
        accounts[username].password_hash = password_hash
        save_accounts(accounts, where)


def authenticate(username: str, password: str, path: Path | None = None) -> User | None:
    """The signed-in user when `username`/`password` match an account, else None.

    An unknown username costs the same hashing time as a known one."""
    account = load_accounts(path).get(username)
    if account is None:
        verify_password(password, _dummy_hash())
        return None
    if account.role not in ROLES or not verify_password(password, account.password_hash):
        return None
    return account.user()


@cache
def _dummy_hash() -> str:
    """A hash checked when the username is unknown, so timing does not reveal which exist."""
    return hash_password(os.urandom(16).hex())
