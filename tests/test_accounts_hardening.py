"""Accounts and audit under attack: concurrent account changes, long and non-Latin passwords,
throttling that survives restarts and many names, a tamper-evident audit log, private files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bcrypt
import pytest
import yaml

from access import credentials as cred
from access.audit import read_audit, record, verify_audit
from access.guard import attempt_sign_in
from access.session import Throttle

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-42"  # pragma: allowlist secret - test-only account
CYRILLIC = "ПарольДляВходаВСистемуОтбасы2026жылыАлматы"  # pragma: allowlist secret - 42 chars


def access_cli(env: dict[str, str], *args: str, password: str | None = None
               ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "access", *args], cwd=REPO, env=env,
                          input=None if password is None else password + "\n",
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"OTBASY_CREDENTIALS": str(tmp_path / "credentials.yaml"),
              "OTBASY_AUDIT": str(tmp_path / "audit.sqlite"),
              "OTBASY_THROTTLE": str(tmp_path / "throttle.sqlite"),
              "OTBASY_WORKSPACE": str(tmp_path)}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(cred.hash_password, "__defaults__", (1,))
    return {**os.environ, **values}


def test_twenty_concurrent_adds_keep_twenty_accounts(env: dict[str, str]) -> None:
    def add(k: int) -> subprocess.CompletedProcess:
        return access_cli(env, "add", f"user{k:02d}", "--role", "ministry", "--password-stdin",
                          password=PASSWORD)

    with ThreadPoolExecutor(max_workers=20) as pool:
        runs = list(pool.map(add, range(20)))
    assert [r.returncode for r in runs] == [0] * 20, [r.stderr for r in runs]
    assert sorted(cred.load_accounts()) == [f"user{k:02d}" for k in range(20)]
    assert list(read_audit()["event"]) == ["account_added"] * 20
    assert verify_audit() == (20, [])


def test_a_removed_account_stays_removed_under_concurrent_adds(env: dict[str, str]) -> None:
    cred.add_account("leaver", PASSWORD, "ministry")

    def job(k: int) -> subprocess.CompletedProcess:
        if k == 4:
            return access_cli(env, "remove", "leaver")
        return access_cli(env, "add", f"joiner{k}", "--role", "ministry", "--password-stdin",
                          password=PASSWORD)

    with ThreadPoolExecutor(max_workers=10) as pool:
        runs = list(pool.map(job, range(10)))
    assert [r.returncode for r in runs] == [0] * 10, [r.stderr for r in runs]
    accounts = cred.load_accounts()
    assert "leaver" not in accounts and len(accounts) == 9


def test_passwords_of_any_length_and_script(env: dict[str, str]) -> None:
    long_password = "пароль-" * 150  # 1,050 UTF-8 bytes, far over bcrypt's 72
    run = access_cli(env, "add", "aigerim", "--role", "ministry", "--password-stdin",
                     password=CYRILLIC)
    assert run.returncode == 0, run.stderr
    cred.set_password("aigerim", long_password[:1000])
    assert cred.authenticate("aigerim", long_password[:1000]).username == "aigerim"
    assert cred.authenticate("aigerim", long_password[:999]) is None
    assert cred.authenticate("nobody", CYRILLIC) is None  # raised under bcrypt 5
    assert cred.authenticate("nobody", long_password * 10) is None
    with pytest.raises(cred.CredentialsError, match="^password: must be at most"):
        cred.set_password("aigerim", "x1" * 600)


def test_existing_bcrypt_hashes_still_verify(env: dict[str, str]) -> None:
    path = Path(env["OTBASY_CREDENTIALS"])
    old = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    path.write_text(yaml.safe_dump({"users": {"veteran": {
        "name": "", "role": "admin", "units": [], "password_hash": old}}}))
    assert cred.authenticate("veteran", PASSWORD).role == "admin"
    assert cred.authenticate("veteran", PASSWORD + "!") is None
    assert cred.authenticate("veteran", CYRILLIC * 3) is None  # > 72 bytes: never a match


@pytest.mark.parametrize("name", ["admin\n", "admin\r\n", " admin", "ad min", "админ",
                                  "a" * 65, "", "admin\x00"])
def test_usernames_are_matched_whole(env: dict[str, str], name: str) -> None:
    with pytest.raises(cred.CredentialsError, match="^username:"):
        cred.add_account(name, PASSWORD, "admin")
    assert cred.load_accounts() == {}


def test_throttle_per_address_persistent_and_bounded(env: dict[str, str]) -> None:
    path = Path(env["OTBASY_THROTTLE"])
    cred.add_account("dana", PASSWORD, "ministry")
    throttle = Throttle(path=path)
    now, slowed = 1_000_000.0, 0
    for k in range(60):  # 60 guesses spread over 20 names from one address
        user, message = attempt_sign_in(f"name{k % 20}", "guess-guess-1", now + k, throttle,
                                        address="203.0.113.9")
        slowed += "Try again" in message
        assert user is None
    assert slowed >= 45, slowed
    restarted = Throttle(path=path)  # a new process reads the same records
    assert restarted.wait_seconds("dana", now + 60, "203.0.113.9") > 0
    assert restarted.wait_seconds("dana", now + 60, "198.51.100.1") == 0  # other clients
    for _ in range(1027):
        restarted.failed("dana", now, "198.51.100.1")
    assert restarted.wait_seconds("dana", now, "198.51.100.1") == restarted.cap
    assert restarted.wait_seconds("dana", now + restarted.forget + 1) == 0  # forgotten later
    assert path.stat().st_mode & 0o777 == 0o600


def test_files_are_created_private(env: dict[str, str], tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        cred.add_account("dana", PASSWORD, "ministry")
        record("sign_in", "dana", "ministry")
        Throttle(path=Path(env["OTBASY_THROTTLE"])).failed("x", 0.0)
    finally:
        os.umask(old)
    names = ["credentials.yaml", "credentials.yaml.lock", "audit.sqlite", "audit.sqlite.head",
             "throttle.sqlite"]
    for name in names:
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name


def _log(env: dict[str, str], n: int = 6) -> Path:
    for k in range(n):
        record("export", f"user{k}", "ministry", file=f"plan{k}.csv")
    return Path(env["OTBASY_AUDIT"])


def _tamper(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("DROP TRIGGER audit_no_delete")
        for statement in statements:
            conn.execute(statement)


@pytest.mark.parametrize(("attack", "statements", "words"), [
    ("edited", ["UPDATE audit SET username = 'someone' WHERE id = 3"], "content was changed"),
    ("edited details", ["UPDATE audit SET details = '{}' WHERE id = 1"], "content was changed"),
    ("deleted", ["DELETE FROM audit WHERE id = 2"], "missing"),
    ("reordered", ["UPDATE audit SET id = 100 WHERE id = 2",
                   "UPDATE audit SET id = 2 WHERE id = 4",
                   "UPDATE audit SET id = 4 WHERE id = 100"], "does not follow"),
    ("newest deleted", ["DELETE FROM audit WHERE id = 6"], "head"),
    ("unchained", ["UPDATE audit SET hash = NULL, prev_hash = NULL"], "head"),
])
def test_verify_audit_detects_tampering(env: dict[str, str], attack: str,
                                        statements: list[str], words: str) -> None:
    path = _log(env)
    intact = access_cli(env, "verify-audit")
    assert intact.returncode == 0 and "intact (6 entries" in intact.stdout, intact.stderr
    _tamper(path, *statements)
    run = access_cli(env, "verify-audit")
    assert run.returncode == 1 and "TAMPERED" in run.stderr, (attack, run.stdout, run.stderr)
    assert words in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_entries_after_tampering_do_not_hide_it(env: dict[str, str]) -> None:
    path = _log(env, 3)
    _tamper(path, "UPDATE audit SET event = 'sign_in' WHERE id = 2")
    record("sign_out", "dana", "ministry")  # the app goes on writing (and recreates triggers)
    count, problems = verify_audit(path)
    assert count == 4 and problems == ["entry 2: its content was changed after it was written"]
