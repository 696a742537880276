"""The audit log: append-only, every event type recorded with who/when/what, CSV export."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from access.audit import EVENTS, audit_csv, read_audit, record


def test_every_event_type_is_recorded_with_details(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    when = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    for event in EVENTS:
        record(event, "dana", "ministry", path, when, minutes=60, layer="centres")
    log = read_audit(path)
    assert sorted(log["event"]) == sorted(EVENTS)
    assert set(log["username"]) == {"dana"} and set(log["role"]) == {"ministry"}
    assert set(log["timestamp"]) == {"2026-11-23T09:30:00+00:00"}
    assert set(log["details"]) == {'{"layer": "centres", "minutes": 60}'}
    assert list(read_audit(path, limit=2)["event"]) == list(EVENTS[::-1][:2])
    assert list(read_audit(path, event="export")["event"]) == ["export"]


def test_detail_names_cannot_clash_with_the_entry_fields(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    record("account_added", "cli:root", "admin", path, username="aigerim", path="x")
    row = read_audit(path).iloc[0]
    assert row["username"] == "cli:root" and '"username": "aigerim"' in row["details"]


def test_unknown_event_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="event: unknown"):
        record("sign_inn", "dana", "ministry", tmp_path / "a.sqlite")


def test_log_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    record("sign_in", "dana", "ministry", path)
    with sqlite3.connect(path) as conn:
        for statement in ("UPDATE audit SET username = 'x'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(statement)
    assert list(read_audit(path)["username"]) == ["dana"]


def test_csv_export_oldest_first_and_formula_safe(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    record("sign_in_failed", "=HYPERLINK(\"http://evil\")", "public", path)
    record("run_scenario", "dana", "ministry", path, scenario="Abai 60 min", budget=12)
    data = audit_csv(path)
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads the Cyrillic correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["id", "timestamp", "username", "role", "event", "details"]
    assert [r[4] for r in rows[1:]] == ["sign_in_failed", "run_scenario"]
    assert rows[1][2].startswith("'=")
    assert rows[2][5] == '{"budget": 12, "scenario": "Abai 60 min"}'


def test_empty_log_reads_as_empty(tmp_path: Path) -> None:
    assert read_audit(tmp_path / "none.sqlite").empty
    assert audit_csv(tmp_path / "none.sqlite").decode("utf-8-sig").strip() == \
        "id,timestamp,username,role,event,details"
