"""Sweeps started from the app: write the sweep (and its base scenario) into a folder and run
`python -m planning sweep` there as a separate background process, so a long sweep never runs
inside the web server; its progress is read back from the files it writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from geo.atomic import atomic_write_text
from planning.sweep_spec import Sweep

ROOT = Path(__file__).resolve().parents[1]
LOG = "sweep.log"


def launch(folder: str | Path, sweep_toml: str, base_toml: str,
           workers: int | None = None) -> int:
    """Write `base.toml` and `sweep.toml` (which should say `base = "base.toml"`) into
    `folder`, validate them, and start the sweep in a new session; returns its process id.
    Raises SweepError (nothing started, the folder removed) when the sweep is invalid."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=False)
    atomic_write_text(folder / "base.toml", base_toml)
    atomic_write_text(folder / "sweep.toml", sweep_toml)
    try:
        Sweep.from_file(folder / "sweep.toml")  # refuse before starting anything
    except ValueError:
        shutil.rmtree(folder)
        raise
    cmd = [sys.executable, "-m", "planning", "sweep", str(folder / "sweep.toml"), "--out",
           str(folder)]
    if workers:
        cmd += ["--workers", str(workers)]
    with open(folder / LOG, "ab") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "TQDM_MININTERVAL": "2"})
    atomic_write_text(folder / "pid", str(proc.pid))
    return proc.pid


@dataclass(frozen=True)
class SweepProgress:
    """How far a sweep folder is: runs stored (base included), failed, total, finished."""

    done: int
    failed: int
    total: int
    finished: bool


def progress(folder: str | Path) -> SweepProgress | None:
    """Progress of the sweep in `folder` (None when it holds no readable sweep)."""
    folder = Path(folder)
    try:
        sweep = Sweep.from_file(folder / "sweep.toml")
    except (ValueError, OSError):
        return None
    done = failed = 0
    for path in (folder / "runs").glob("*.json"):
        if path.name.startswith("."):
            continue
        try:
            status = json.loads(path.read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError):
            continue
        done += 1
        failed += status not in ("optimal", "feasible")
    return SweepProgress(done, failed, len(sweep.runs()) + 1,
                         (folder / "summary.json").exists())
