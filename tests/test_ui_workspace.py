"""Workspace persistence: atomic saves, unique names, survives a restart, concurrent writers."""

from __future__ import annotations

import multiprocessing as mp

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from ui.workspace import ENV_VAR, NameTaken, Workspace, workspace_dir


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"site_id": ["a", "b"], "decision": ["open", "existing"]},
                            geometry=[Point(70, 45), Point(71, 46)], crs=4326)


def test_save_and_reload_scenario_after_restart(tmp_path):
    ws = Workspace(tmp_path)
    by_unit = pd.DataFrame({"code": ["KZ-10"], "children_covered": [120]})
    ws.save_scenario("Base", "objective = 'coverage'\n", {"coverage_pct": 81.5, "opened": 3},
                     note="first", author="alice", country="KZ", version=2022, by_unit=by_unit,
                     sites=_sites())
    again = Workspace(tmp_path)  # a fresh process would open the same files
    rec = again.load_scenario("Base")
    assert rec.summary == {"coverage_pct": 81.5, "opened": 3}
    assert rec.note == "first" and rec.author == "alice" and rec.version == 2022
    assert rec.scenario_toml == "objective = 'coverage'\n"
    assert rec.by_unit.to_dict("records") == [{"code": "KZ-10", "children_covered": 120}]
    sites = rec.result_layer("sites")
    assert list(sites["decision"]) == ["open", "existing"]
    assert rec.result_layer("settlements") is None
    assert list(again.list_scenarios()["name"]) == ["Base"]


def test_names_are_unique_and_refused_not_overwritten(tmp_path):
    ws = Workspace(tmp_path)
    ws.save_scenario("Plan A", "x = 1\n", {"coverage_pct": 1})
    with pytest.raises(NameTaken):
        ws.save_scenario(" Plan A ", "x = 2\n", {"coverage_pct": 2}, sites=_sites())
    assert ws.load_scenario("Plan A").scenario_toml == "x = 1\n"
    assert len(list((tmp_path / "results").glob("*.gpkg"))) == 0  # refused save left no file
    with pytest.raises(ValueError):
        ws.save_scenario("  ", "x = 3\n", {})


def test_layers_round_trip(tmp_path):
    ws = Workspace(tmp_path)
    gdf = gpd.GeoDataFrame({"centre_id": ["c1"], "name": ["Центр"]}, geometry=[Point(76.9, 43.2)],
                           crs=4326)
    ws.save_layer("my centres", "centres", gdf, source="upload.csv")
    with pytest.raises(NameTaken):
        ws.save_layer("my centres", "centres", gdf)
    kind, back = ws.load_layer("my centres")
    assert kind == "centres" and back.loc[0, "name"] == "Центр"
    assert back.geometry.iloc[0].equals(gdf.geometry.iloc[0])
    assert ws.list_layers().loc[0, "records"] == 1
    with pytest.raises(KeyError):
        ws.load_layer("nope")


def test_workspace_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "ws"))
    assert workspace_dir() == tmp_path / "ws"
    assert Workspace().root == tmp_path / "ws" and (tmp_path / "ws" / "otbasy.sqlite").exists()


def _save_many(root: str, prefix: str, n: int) -> None:
    ws = Workspace(root)
    for i in range(n):
        ws.save_scenario(f"{prefix}-{i}", "x = 1\n", {"i": i})


def test_two_writers_never_lose_each_others_saves(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_save_many, args=(str(tmp_path), p, 15)) for p in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    names = Workspace(tmp_path).scenario_names()
    assert sorted(names) == sorted([f"{p}-{i}" for p in ("a", "b") for i in range(15)])


def _active(layer: str, n: int, mode: str = "merge"):
    from ui.workspace import ActiveLayer

    frame = gpd.GeoDataFrame(
        {"centre_id": [f"c{i}" for i in range(n)], "name": ["X"] * n,
         "kind": ["social_work_centre"] * n, "year": [2020] * n, "country": ["KZ"] * n},
        geometry=[Point(76.9 + i / 100, 43.2) for i in range(n)], crs=4326)
    return ActiveLayer(layer, frame, "centres <b>2026</b>.csv", mode, "2026-12-02T03:00:00+00:00")


def test_active_upload_survives_a_restart_and_goes_back_to_bundled(tmp_path):
    ws = Workspace(tmp_path)
    ws.set_active("dana", _active("centres", 3))
    ws.set_active("olzhas", _active("centres", 1, "replace"))
    again = Workspace(tmp_path).active_layers("dana")  # a reload: a new process, a new session
    assert list(again) == ["centres"]
    got = again["centres"]
    assert (got.records, got.mode, got.file_name) == (3, "merge", "centres <b>2026</b>.csv")
    assert list(got.frame["centre_id"]) == ["c0", "c1", "c2"]
    ws.set_active("dana", _active("centres", 2))  # a newer upload replaces the file
    assert Workspace(tmp_path).active_layers("dana")["centres"].records == 2
    assert len(list((tmp_path / "active").glob("*.gpkg"))) == 2  # dana's and olzhas's
    ws.clear_active("dana", "centres")
    assert Workspace(tmp_path).active_layers("dana") == {}
    assert Workspace(tmp_path).active_layers("olzhas")["centres"].mode == "replace"
    assert len(list((tmp_path / "active").glob("*.gpkg"))) == 1


def test_a_failed_active_save_leaves_the_previous_one(tmp_path, monkeypatch):
    ws = Workspace(tmp_path)
    ws.set_active("dana", _active("centres", 3))

    def broken(self, path, *args, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"half a GeoPackage")
        raise OSError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", broken)
    with pytest.raises(OSError, match="disk full"):
        ws.set_active("dana", _active("centres", 5))
    monkeypatch.undo()
    kept = Workspace(tmp_path).active_layers("dana")["centres"]
    assert kept.records == 3
    leftovers = [p for p in (tmp_path / "active").iterdir() if p.suffix != ".gpkg"]
    assert leftovers == [] and len(list((tmp_path / "active").glob("*.gpkg"))) == 1
