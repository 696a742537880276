"""The built wheel, installed into a fresh venv outside the checkout, gives a working `otbasy`.

The venv reuses the test venv's already installed dependencies through a .pth file (no network)
but imports Otbasy itself only from the wheel: the test checks where `geo` and the data come
from, then runs `otbasy summary --json`, `otbasy example`, `otbasy solve` and `otbasy app`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from geo.layers import load_layers
from geo.summary import summarise, to_records

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                              ".*_cache", "workspace", "tests", "bench", "out")


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv in a temporary folder with only the wheel of this checkout installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)  # build outside the checkout: it stays clean
    built = _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"),
                  str(src)], cwd=tmp)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next((tmp / "dist").glob("otbasy-*.whl"))
    env = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", str(env)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    site = next(env.glob("lib/python*/site-packages"))
    (site / "reuse_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet",
                      "--no-deps", "--no-index", str(wheel)], cwd=tmp)
    assert installed.returncode == 0, installed.stderr
    return env


def test_wheel_has_its_own_code_and_data(venv, tmp_path):
    probe = _run([str(venv / "bin" / "python"), "-c",
                  "import geo, otbasy.paths as p; print(geo.__file__); print(p.DATA_DIR); "
                  "print(p.STATIC_DIR); print(p.APP_SCRIPT); print(p.STREAMLIT_CONFIG)"],
                 cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    for line in probe.stdout.split():
        assert Path(line).is_relative_to(venv), line
        assert Path(line).exists(), line
    assert (Path(probe.stdout.split()[1]) / "boundaries" / "README.md").is_file()
    version = _run([str(venv / "bin" / "otbasy"), "--version"], cwd=tmp_path)
    assert version.stdout.strip() == "otbasy 0.1.0"


def test_wheel_ships_every_package_and_data_file(venv):
    """A new package or data folder that pyproject.toml forgets fails here, not in production."""
    site = next(venv.glob("lib/python*/site-packages"))
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "scripts", "bench"}
    missing = [name for name in packages if not (site / name / "__init__.py").is_file()]
    assert not missing, f"packages not in the wheel (add them to pyproject.toml): {missing}"
    for folder in ("data", "static"):
        ours = {p.relative_to(ROOT / folder) for p in (ROOT / folder).rglob("*") if p.is_file()}
        shipped = {p.relative_to(site / "otbasy" / folder)
                   for p in (site / "otbasy" / folder).rglob("*") if p.is_file()}
        assert ours <= shipped, sorted(map(str, ours - shipped))[:10]


def test_installed_summary_json_matches_the_checkout(venv, tmp_path):
    result = _run([str(venv / "bin" / "otbasy"), "summary", "--json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    expected = json.loads(json.dumps(to_records(summarise(load_layers("KZ", None))),
                                     ensure_ascii=False))
    assert rows == expected
    assert len([r for r in rows if r["code"].startswith("KZ-")]) == 20


def test_installed_example_and_solve(venv, tmp_path):
    otbasy = str(venv / "bin" / "otbasy")
    example = _run([otbasy, "example"], cwd=tmp_path)
    assert example.returncode == 0, example.stderr
    (tmp_path / "s.toml").write_text(example.stdout, encoding="utf-8")
    solved = _run([otbasy, "solve", "s.toml", "--out", "out", "--map"], cwd=tmp_path)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    for name in ("sites.geojson", "assignments.csv", "map.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0, name
    # the python -m form works from the wheel too
    geo = _run([str(venv / "bin" / "python"), "-m", "geo", "summary", "--country", "KG"],
               cwd=tmp_path)
    assert geo.returncode == 0 and "KG" in geo.stdout, geo.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_installed_app_serves_the_vendored_leaflet(venv, tmp_path):
    """`otbasy app` from the wheel serves static/ (offline Leaflet) from the package, and the
    session route."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OTBASY_WORKSPACE"] = str(tmp_path / "workspace")
    proc = subprocess.Popen([str(venv / "bin" / "otbasy"), "app", "--port", str(port),
                             "--address", "127.0.0.1"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/app/static/vendor/leaflet/leaflet.js"
    try:
        deadline, body = time.monotonic() + 90, b""
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # localhost only
                    body = response.read()
            except OSError:
                time.sleep(0.5)
        assert body == (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").read_bytes()
        # the session route of otbasy/server.py is served too: an unknown ticket is refused
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/session", method="POST",
                                         data=b'{"ticket": "unknown"}')
        try:
            status = urllib.request.urlopen(request, timeout=10).status  # localhost only
        except urllib.error.HTTPError as refused:
            status = refused.code
        assert status == 403
    finally:
        proc.terminate()
        proc.wait(timeout=30)
