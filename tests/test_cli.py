"""The `otbasy` dispatcher: version, command list, lazy optional commands, exit codes, and the
`python -m` forms running the same commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from otbasy import __version__, cli
from otbasy.app_cli import streamlit_flags

ROOT = Path(__file__).resolve().parent.parent


def test_version_and_help(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"otbasy {__version__}\n"
    assert cli.main(["--help"]) == 0
    listing = capsys.readouterr().out
    for name in ("app", "summary", "check", "coverage", "network", "example", "solve",
                 "planning", "accounts"):
        assert f"\n  {name} " in listing
    assert cli.main([]) == 2
    assert cli.main(["nope"]) == 2
    assert "unknown subcommand 'nope'" in capsys.readouterr().err


def test_optional_command_offered_only_when_installed(tmp_path, monkeypatch, capsys):
    commands = {"extra": cli.Command("otbasy_extra_cmd", "An extra command.",
                                     requires="otbasy_extra_cmd")}
    assert cli.main(["--help"], commands) == 0
    assert "extra" not in capsys.readouterr().out
    assert cli.main(["extra"], commands) == 2
    (tmp_path / "otbasy_extra_cmd.py").write_text(
        '"""An extra command."""\nimport sys\n\ndef main(argv):\n'
        '    print("extra", *argv)\n    return 7\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cli.main(["extra", "a", "--b"], commands) == 7  # main(argv) modules get the rest
    assert capsys.readouterr().out == "extra a --b\n"


def test_prefix_commands_reach_planning(capsys):
    assert cli.main(["example", "--country", "KG"]) == 0
    assert 'country = "KG"' in capsys.readouterr().out


def test_summary_json_same_through_every_entry_point():
    def run(*argv: str) -> list[dict]:
        done = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    via_otbasy = run("-m", "otbasy", "summary", "--json", "--boundary-year", "2018")
    assert via_otbasy == run("-m", "geo", "summary", "--json", "--boundary-year", "2018")
    assert len(via_otbasy) == 18  # 17 units of 2018 + TOTAL


def test_coverage_takes_boundary_year_not_version(capsys):
    from geo.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["coverage", "--version", "2018"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --version 2018" in capsys.readouterr().err


def test_app_flags_come_from_the_streamlit_config():
    flags = streamlit_flags()
    assert "--server.enableStaticServing=true" in flags
    assert "--browser.gatherUsageStats=false" in flags


@pytest.mark.parametrize("argv,prog", [(["accounts", "add", "--help"], "otbasy accounts add"),
                                       (["summary", "--help"], "otbasy summary")])
def test_help_names_the_command_the_user_typed(argv, prog, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: {prog} ")
