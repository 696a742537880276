"""Server limits on work and input size: one table of settings the admin can change.

Every bound that keeps a hostile or careless input from exhausting the server lives here
(solver threads and time, upload and archive sizes, rows, vertices, nesting depth, scenario
size, text lengths, the length of an error message). Defaults suit a small server; the admin
overrides any of them in the `[limits]` table of `limits.toml` in the workspace directory
(`OTBASY_LIMITS` names another file), e.g.

    [limits]
    solver_max_threads = 4
    solver_max_seconds = 1800

The file is read when `limits()` is first called in a process (a restart applies changes).
A malformed file or an unknown key stops start-up with a one-line error instead of silently
running without a limit.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path

ENV_VAR = "OTBASY_LIMITS"


@dataclass(frozen=True)
class Limits:
    """The limits in force (see the module docstring and docs/security.md, "Limits")."""

    solver_max_threads: int = max(1, os.cpu_count() or 1)
    solver_max_seconds: float = 600.0
    worker_extra_seconds: float = 300.0  # matrix, model building and results around the solve
    upload_max_bytes: int = 50 * 1024 * 1024
    archive_max_bytes: int = 200 * 1024 * 1024  # sum of decompressed zip/xlsx members
    archive_max_members: int = 1000
    max_rows: int = 200_000
    max_vertices: int = 5_000_000
    max_nesting: int = 32  # JSON / GeoJSON brackets
    scenario_max_bytes: int = 1024 * 1024
    scenario_max_text: int = 1000  # characters of one text setting
    scenario_max_list: int = 100_000  # entries of one list setting
    scenario_max_number: float = 1e15  # absolute value of any number in a scenario
    max_name_bytes: int = 255  # an uploaded file's name (UTF-8)
    message_max_chars: int = 500  # one error message shown or printed


def limits_path() -> Path:
    """The admin's limits file: `OTBASY_LIMITS` or `limits.toml` in the workspace."""
    from geo.paths import workspace_dir

    return Path(os.environ.get(ENV_VAR) or workspace_dir() / "limits.toml")


def parse_limits(text: str, source: str = "limits.toml") -> Limits:
    """Limits from the text of a limits file (ValueError naming the key when wrong)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML ({exc})") from None
    table = data.get("limits", {})
    if not isinstance(table, dict):
        raise ValueError(f"{source}: [limits] must be a table")
    defaults = Limits()
    known = {f.name: type(getattr(defaults, f.name)) for f in fields(Limits)}
    changes: dict[str, int | float] = {}
    for key, value in table.items():
        if key not in known:
            raise ValueError(f"{source}: limits.{key}: unknown limit; known: "
                             + ", ".join(sorted(known)))
        kind = known[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 \
                or (kind is int and not isinstance(value, int)) or value != value:
            raise ValueError(f"{source}: limits.{key}: must be a positive "
                             f"{'whole number' if kind is int else 'number'}, not {value!r}")
        changes[key] = kind(value)
    return replace(defaults, **changes)  # type: ignore[arg-type]  # each value checked above


@cache
def limits() -> Limits:
    """The limits in force in this process (defaults unless the admin's file says otherwise)."""
    path = limits_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Limits()
    return parse_limits(text, str(path))


def truncate(message: str, max_chars: int | None = None) -> str:
    """`message` cut to the message limit, on one line, saying how much was cut."""
    cap = max_chars or limits().message_max_chars
    one_line = " ".join(str(message).split())
    if len(one_line) <= cap:
        return one_line
    return f"{one_line[:cap]}... ({len(one_line) - cap:,} more characters)"
