"""Accounts: salted hashes in a file never holding a password, the CLI, sign-in throttling
and session expiry (driven by a fake clock, never by sleeping)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from access import credentials as cred
from access.__main__ import main as cli
from access.audit import read_audit
from access.guard import attempt_sign_in
from access.roles import User
from access.session import Session, Throttle, expired

PASSWORD = "correct-horse-42"  # pragma: allowlist secret - test-only account


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    creds, audit = tmp_path / "credentials.yaml", tmp_path / "audit.sqlite"
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(creds))
    monkeypatch.setenv("OTBASY_AUDIT", str(audit))
    monkeypatch.setattr(cred.hash_password, "__defaults__", (1,))
    return creds, audit


def test_hashes_are_salted_and_verify(files: tuple[Path, Path]) -> None:
    first, second = cred.hash_password(PASSWORD), cred.hash_password(PASSWORD)
    assert first != second and first.startswith("$argon2id$")
    assert cred.verify_password(PASSWORD, first) and cred.verify_password(PASSWORD, second)
    assert not cred.verify_password(PASSWORD + "x", first)
    assert not cred.verify_password(PASSWORD, "not-a-hash")


def test_file_holds_no_password_and_is_private(files: tuple[Path, Path]) -> None:
    creds, _ = files
    cred.add_account("aigerim", PASSWORD, "planner", ["KZ-10"], "Aigerim", rounds=4)
    text = creds.read_text()
    assert PASSWORD not in text
    assert yaml.safe_load(text)["users"]["aigerim"]["role"] == "planner"
    assert creds.stat().st_mode & 0o077 == 0
    assert cred.authenticate("aigerim", PASSWORD) == User("aigerim", "planner", ("KZ-10",),
                                                          "Aigerim")
    assert cred.authenticate("aigerim", "wrong-password-1") is None
    assert cred.authenticate("nobody", PASSWORD) is None


def test_json_file_works_too(tmp_path: Path) -> None:
    path = tmp_path / "creds.json"
    cred.add_account("dana", PASSWORD, "ministry", path=path, rounds=4)
    assert path.read_text().lstrip().startswith("{")
    assert cred.authenticate("dana", PASSWORD, path).role == "ministry"


@pytest.mark.parametrize(("username", "password", "role", "units", "field"), [
    ("bad user", PASSWORD, "admin", [], "username"),
    ("ok", "short1", "admin", [], "password"),
    ("ok", "onlylettersherex", "admin", [], "password"),
    ("ok", PASSWORD, "public", [], "role"),
    ("ok", PASSWORD, "planner", [], "units"),
    ("ok", PASSWORD, "planner", ["Almaty"], "units"),
    ("ok", PASSWORD, "planner", ["KZ10100"], "units"),  # a district PCODE has 6 digits
])
def test_invalid_accounts_name_the_field(files: tuple[Path, Path], username: str, password: str,
                                         role: str, units: list[str], field: str) -> None:
    with pytest.raises(cred.CredentialsError, match=f"^{field}:"):
        cred.add_account(username, password, role, units, rounds=4)


def test_malformed_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("users: [1, 2")
    with pytest.raises(cred.CredentialsError, match="not valid"):
        cred.load_accounts(path)
    path.write_text("users:\n  bob: {role: admin}\n")
    with pytest.raises(cred.CredentialsError, match="users.bob.password_hash"):
        cred.load_accounts(path)


def test_cli_add_list_set_role_remove(files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _creds, audit = files
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(["add", "aigerim", "--role", "planner", "--units", "kz-10,KZ-63,kz611000",
                "--password-stdin"]) == 0
    assert cred.authenticate("aigerim", PASSWORD).units == ("KZ-10", "KZ-63", "KZ611000")
    assert cli(["add", "ops@example.org", "--role", "ministry", "--oidc"]) == 0
    assert cred.authenticate("ops@example.org", "!oidc") is None
    assert cli(["list"]) == 0
    listing = capsys.readouterr().out
    assert "aigerim\tplanner\tKZ-10,KZ-63,KZ611000" in listing and "$argon2" not in listing
    assert cli(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"username": "aigerim", "role": "planner", "units": ["KZ-10", "KZ-63", "KZ611000"],
         "name": ""},
        {"username": "ops@example.org", "role": "ministry", "units": [], "name": ""}]
    assert cli(["set-role", "aigerim", "ministry"]) == 0
    assert cred.load_accounts()["aigerim"].role == "ministry"
    assert cred.load_accounts()["aigerim"].units == []
    assert cli(["remove", "aigerim"]) == 0
    assert "aigerim" not in cred.load_accounts()
    assert cli(["remove", "aigerim"]) == 2
    assert "error: username: no account 'aigerim'" in capsys.readouterr().err
    events = list(read_audit(audit)["event"])[::-1]
    assert events == ["account_added", "account_added", "role_changed", "account_removed"]


def test_cli_as_a_program_reads_password_from_stdin(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    env = {"OTBASY_AUDIT": str(tmp_path / "a.sqlite"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-m", "access", "--file", str(path), "add", "root",
                          "--role", "admin", "--password-stdin"], input=PASSWORD + "\n",
                         capture_output=True, text=True, env=env, cwd=Path(__file__).parents[1],
                         timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert cred.authenticate("root", PASSWORD, path).role == "admin"
    bad = subprocess.run([sys.executable, "-m", "access", "--file", str(path), "add", "x",
                          "--role", "admin", "--password-stdin"], input="short\n",
                         capture_output=True, text=True, env=env, cwd=Path(__file__).parents[1],
                         timeout=60, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "password:" in bad.stderr


def test_throttle_doubles_the_wait_and_resets_on_success() -> None:
    throttle = Throttle(free=3, base=2.0, cap=60.0)
    now = 1000.0
    waits = []
    for _ in range(8):
        throttle.failed("Aigerim", now)
        waits.append(throttle.wait_seconds("aigerim", now))
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60]
    assert throttle.wait_seconds("aigerim", now + 59) == pytest.approx(1)
    assert throttle.wait_seconds("aigerim", now + 60) == 0
    assert throttle.wait_seconds("someone-else", now) == 0
    throttle.succeeded("AIGERIM")
    assert throttle.wait_seconds("aigerim", now) == 0


def test_sign_in_is_slowed_and_audited(files: tuple[Path, Path]) -> None:
    _creds, audit = files
    cred.add_account("dana", PASSWORD, "ministry", rounds=4)
    throttle = Throttle(free=2, base=10.0)
    now = 0.0
    for _ in range(2):
        user, message = attempt_sign_in("dana", "guess-guess-1", now, throttle)
        assert user is None and message == "Wrong username or password."
    user, message = attempt_sign_in("dana", PASSWORD, now + 1, throttle)
    assert user is None and "Try again in 10 seconds" in message  # even the right password waits
    user, message = attempt_sign_in("dana", PASSWORD, now + 11, throttle)
    assert user == User("dana", "ministry") and "ministry" in message
    log = read_audit(audit)
    assert list(log["event"])[::-1] == ["sign_in_failed", "sign_in_failed", "sign_in_throttled",
                                        "sign_in"]
    assert PASSWORD not in log.to_csv() and "guess-guess-1" not in log.to_csv()


def test_sessions_expire_when_idle_or_too_old(monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(User("dana", "ministry"), started=0.0, last_seen=0.0)
    assert not expired(session, now=8 * 3600 - 1)
    assert expired(session, now=8 * 3600 + 1)
    monkeypatch.setenv("OTBASY_SESSION_IDLE_HOURS", "0.5")
    assert expired(session, now=1801)
    busy = Session(User("dana", "ministry"), started=0.0, last_seen=24 * 3600)
    assert expired(busy, now=24 * 3600 + 1, idle_seconds=3600)
