"""The admin's limits: defaults, the [limits] table of the workspace's limits.toml, and
errors naming the key; limits in force change what uploads and scenarios are accepted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.limits import Limits, limits, parse_limits, truncate

REPO = Path(__file__).resolve().parents[1]


def test_defaults_bound_threads_by_the_cores() -> None:
    assert Limits().solver_max_threads == max(1, os.cpu_count() or 1)
    assert parse_limits("") == Limits()


@pytest.mark.parametrize(("text", "words"), [
    ("[limits]\nmax_rowz = 5\n", "limits.max_rowz: unknown limit"),
    ("[limits]\nmax_rows = 0\n", "limits.max_rows: must be a positive whole number"),
    ("[limits]\nmax_rows = 2.5\n", "limits.max_rows: must be a positive whole number"),
    ("[limits]\nsolver_max_seconds = 'long'\n", "limits.solver_max_seconds: must be a positive"),
    ("[limits]\nsolver_max_seconds = nan\n", "limits.solver_max_seconds: must be a positive"),
    ("[limits\n", "not valid TOML"),
    ("limits = 3\n", "[limits] must be a table"),
])
def test_bad_limits_files_name_the_key(text: str, words: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_limits(text, "ws/limits.toml")
    assert str(err.value).startswith("ws/limits.toml: ") and words in str(err.value)


def test_admin_limits_apply_in_a_new_process(tmp_path: Path) -> None:
    (tmp_path / "limits.toml").write_text("[limits]\nmax_rows = 2\nsolver_max_threads = 1\n"
                                          "solver_max_seconds = 5\nmessage_max_chars = 60\n"
                                          "scenario_max_list = 3\nscenario_max_text = 8\n")
    probe = """
from ui.uploads import check_upload
from planning.scenario import Scenario, ScenarioError
from geo.limits import limits
rows = "institution_id,name,type,capacity,children,year,country,lat,lon\\n" + "".join(
    f"i{k},H,childrens_home,5,1,2024,KZ,43.2,76.9\\n" for k in range(3))
print(limits().max_rows, check_upload("x.csv", rows.encode(), "institutions")[1][0])
for text in ("[solver]\\nthreads = 2\\n", "[solver]\\ntime_limit_seconds = 6\\n",
             "[sites]\\nmust_open = ['a', 'b', 'c', 'd']\\n", "name = 'nine char'\\n"):
    try:
        Scenario.from_toml(text)
    except ScenarioError as exc:
        print(exc.one_line())
"""
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                         text=True, timeout=300,
                         env={**os.environ, "OTBASY_WORKSPACE": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("2 x.csv: has 3 records; uploads are limited to 2")
    assert lines[1].startswith("solver.threads: must be at most 1") and len(lines[1]) < 100
    assert lines[2].startswith("solver.time_limit_seconds: must be at most 5 s")
    assert lines[3].startswith("sites.must_open: has 4 entries; the limit is 3")
    assert lines[4].startswith("name: is 9 characters; text settings are limited to 8")


def test_truncate_keeps_one_bounded_line() -> None:
    text = "line one\n" + "x" * 10_000_000
    short = truncate(text, 100)
    assert "\n" not in short and short.startswith("line one x") and len(short) < 140
    assert short.endswith("(9,999,909 more characters)")
    assert truncate("fine") == "fine" and limits().message_max_chars == 500
