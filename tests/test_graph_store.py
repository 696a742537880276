"""Road graphs come from the workspace's graph store by name; a scenario can never make the
server open a file of its choosing, and errors do not reveal whether a file exists."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import graph_store, network
from geo.layers import load_layers
from planning.scenario import Scenario, ScenarioError
from planning.solve import run_scenario

REPO = Path(__file__).resolve().parents[1]
OSM = Path(__file__).parent / "data" / "roads.osm"


def geo_cli(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "graphs", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OTBASY_WORKSPACE": str(workspace)})


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    workspace = tmp_path_factory.mktemp("ws")
    run = geo_cli(workspace, "add", str(OSM), "--name", "almaty-test")
    assert run.returncode == 0, run.stdout + run.stderr
    return workspace


def road(graph: str) -> dict:
    return {"region": {"units": ["KZ-75"]}, "travel": {"provider": "road", "graph": graph}}


def test_admin_adds_and_lists_graphs(store: Path) -> None:
    saved = store / "graphs" / "almaty-test.graphml"
    assert saved.stat().st_mode & 0o777 == 0o600
    assert geo_cli(store, "list").stdout.split() == ["almaty-test"]
    assert network.load_graph(saved).number_of_edges() > 0
    for args, word in ((["add", "/etc/passwd", "--name", "x"], "graphml"),
                       (["add", str(OSM), "--name", "../escape"], "--name"),
                       (["add", str(store / "missing.osm"), "--name", "m"], "not found")):
        run = geo_cli(store, *args)
        assert run.returncode == 2 and "Traceback" not in run.stderr + run.stdout
        assert len(run.stdout.strip().splitlines()) == 1 and word in run.stdout, run.stdout
    assert geo_cli(store, "list").stdout.split() == ["almaty-test"]


def test_scenario_solves_with_a_graph_of_the_store(store: Path, monkeypatch) -> None:
    monkeypatch.setenv("OTBASY_WORKSPACE", str(store))
    result = run_scenario(Scenario.from_dict(road("almaty-test")), load_layers("KZ"))
    assert result.summary["status"] in ("optimal", "feasible")


@pytest.mark.parametrize("value", ["/etc/passwd", "../graphs/almaty-test", "./roads",
                                   "a/b", "almaty-test.graphml", ".hidden", "x" * 65, ""])
def test_paths_are_refused_before_any_file_is_touched(value: str) -> None:
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(road(value))
    assert {p for p, _ in err.value.problems} == {"travel.graph"}


def test_errors_do_not_reveal_whether_a_file_exists(store: Path, tmp_path: Path,
                                                    monkeypatch) -> None:
    """A planted OSM file and a missing one get the same answer, and nothing is parsed."""
    monkeypatch.setenv("OTBASY_WORKSPACE", str(store))
    planted = tmp_path / "planted.osm"
    shutil.copy(OSM, planted)

    def no_reading(*args, **kwargs):
        raise AssertionError("a scenario made the server read a graph file")

    monkeypatch.setattr(network, "load_graph", no_reading)
    layers = load_layers("KZ")
    answers = []
    for target in (planted, tmp_path / "missing.osm"):
        with pytest.raises(ScenarioError) as err:
            run_scenario(Scenario.from_dict(road(str(target))), layers)
        answers.append(err.value.problems)
    assert answers[0] == answers[1]
    names = []
    for name in ("planted", "missing"):  # valid names, absent from the store
        with pytest.raises(ScenarioError) as err:
            run_scenario(Scenario.from_dict(road(name)), layers)
        message = err.value.problems[0][1]
        assert str(tmp_path) not in message and "almaty-test" in message
        names.append(message.replace(name, "NAME"))
    assert names[0] == names[1]
    with pytest.raises(graph_store.GraphNotFound):
        graph_store.resolve("planted")
