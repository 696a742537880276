"""Kill-mid-save: a subprocess saves over and over while the test SIGKILLs it at random
moments; afterwards the saved file is always a complete old or new version, readable."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]

WRITER = """
import hashlib, os, sys
from geo.atomic import atomic_write_bytes
target, start = sys.argv[1], int(sys.argv[2])
i = start
while True:
    body = os.urandom(1024) * 4096          # 4 MiB, long enough to be killed mid-write
    head = f"version {i}\\n".encode()
    atomic_write_bytes(target, head + body + hashlib.sha256(head + body).digest())
    print(i, flush=True)
    i += 1
"""

SAVER = """
import sys
import geopandas as gpd
from shapely.geometry import Point
from ui.workspace import Workspace
ws = Workspace(sys.argv[1])
i = len(ws.scenario_names())
sites = gpd.GeoDataFrame({"site_id": [f"s{k}" for k in range(3000)], "open": [True] * 3000},
                         geometry=[Point(50 + k / 100, 45) for k in range(3000)], crs=4326)
while True:
    ws.save_scenario(f"plan {i}", "name = 'x'", {"covered": i}, sites=sites, author="t")
    print(i, flush=True)
    i += 1
"""


def _version(path: Path) -> int:
    data = path.read_bytes()
    payload, digest = data[:-32], data[-32:]
    assert hashlib.sha256(payload).digest() == digest, "the file is torn"
    return int(payload.split(b"\n", 1)[0].split()[1])


def _kill_after(args: list[str], delay: float) -> None:
    """Start a saver, wait for its first completed save, then SIGKILL it `delay` s later."""
    child = subprocess.Popen([sys.executable, "-c", *args], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None
    assert child.stdout.readline(), "the saver died before its first save"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    _, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err.decode()


def test_killed_atomic_write_leaves_old_or_new_file(tmp_path: Path) -> None:
    target = tmp_path / "export.bin"
    rng = random.Random(20261123)
    latest = -1
    for round_ in range(8):
        start = round_ * 1000
        _kill_after([WRITER, str(target), str(start)], rng.uniform(0.0, 0.3))
        if target.exists():
            version = _version(target)
            assert version >= latest, "an older version came back"
            latest = version
    assert latest >= 7000, "every round completed at least one save"
    left = [p for p in tmp_path.iterdir() if p.name != target.name]
    assert left, "8 kills mid-save leave temporary folders (else this test proves nothing)"
    from geo.atomic import remove_leftovers

    assert sorted(remove_leftovers(tmp_path)) == sorted(left)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert target.stat().st_mode & 0o777 == 0o600


def test_killed_workspace_save_keeps_every_saved_scenario(tmp_path: Path) -> None:
    from ui.workspace import Workspace

    rng = random.Random(7)
    for _ in range(4):
        _kill_after([SAVER, str(tmp_path)], rng.uniform(0.0, 0.5))
        ws = Workspace(tmp_path)
        for name in ws.scenario_names():
            saved = ws.load_scenario(name)
            assert saved.summary["covered"] == int(name.split()[1])
            assert saved.result_file is not None and saved.result_file.exists()
            assert len(gpd.read_file(saved.result_file, layer="sites")) == 3000
            assert saved.result_file.stat().st_mode & 0o777 == 0o600
        leftovers = [p for p in tmp_path.rglob("*.tmp-*")]
        assert leftovers == [], "opening the workspace removes killed saves' temporary files"
    assert len(Workspace(tmp_path).scenario_names()) >= 4  # one save per round at least


def test_atomic_files_are_private_from_the_start(tmp_path: Path) -> None:
    """The temporary folder is 0700 and the written file 0600 while the save is in progress."""
    from geo.atomic import atomic_path, atomic_write_text, create_private

    old = os.umask(0)  # the most permissive umask: modes must not depend on it
    try:
        with atomic_path(tmp_path / "a.gpkg") as tmp:
            assert tmp.parent.stat().st_mode & 0o777 == 0o700
            tmp.write_text("x")  # a writer that ignores modes (as GDAL does)
        atomic_write_text(tmp_path / "b.txt", "secret")
        db = create_private(tmp_path / "c.sqlite")
    finally:
        os.umask(old)
    for name in ("a.gpkg", "b.txt"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert db.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg", "b.txt", "c.sqlite"]
    old_log = tmp_path / "old.sqlite"  # written world-readable by an earlier version
    old_log.write_bytes(b"x")
    old_log.chmod(0o644)
    assert create_private(old_log).stat().st_mode & 0o777 == 0o600
    assert old_log.read_bytes() == b"x"
