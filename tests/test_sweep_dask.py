"""A real Dask cluster (scheduler + two worker processes on localhost) runs a 12-run sweep
through `python -m planning sweep --scheduler`; every run must equal the sequential run's, and
so must the local process pool's, and two sequential sweeps in processes with different
`PYTHONHASHSEED` (so different str hashes and set orders, as Dask's spawned workers have)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_sweep import ROOT, SMALL, small

from planning.sweep_compare import compare_records
from planning.sweep_exec import execute


def _records(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (out / "runs").glob("*.json")
            if not p.name.startswith(".")}


def test_dask_cluster_and_pool_match_sequential_run_by_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep = small()
    assert len(sweep.runs()) == 12
    sequential = execute(sweep, tmp_path / "seq", workers=1)
    (tmp_path / "s.toml").write_text(SMALL.format(plan="base"))

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        proc = subprocess.run(
            [sys.executable, "-m", "planning", "sweep", str(tmp_path / "s.toml"), "--out",
             str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address],
            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr
        worker_pids = {w.process.pid for w in cluster.workers.values()}
    on_dask = _records(tmp_path / "dask")
    # the runs were solved in the cluster's two worker processes (both took part)
    assert {r["process"].rsplit(":", 1)[1] for r in on_dask.values()} == set(map(str, worker_pids))
    pool = execute(sweep, tmp_path / "pool", workers=2)
    assert set(on_dask) == set(sequential) == set(pool) == {"base", *(r.id for r in sweep.runs())}
    for other in (on_dask, pool):
        verdict = compare_records(sequential, other)
        assert verdict.ok and not verdict.unproven, verdict  # every run proven, and equal
        assert sorted(verdict.identical) == sorted(sequential)
    runs = pd.read_csv(tmp_path / "dask" / "runs.csv")
    assert len(runs) == 12 and set(runs["status"]) == {"optimal"}
    for name in ("robust_sites.geojson", "regret.csv", "summary.json"):
        assert (tmp_path / "dask" / name).exists()


def test_runs_do_not_depend_on_the_hash_seed(tmp_path):
    """The same sweep in two fresh processes with different PYTHONHASHSEED gives the same
    records run by run (no dependence on str hashing or set order in model building)."""
    (tmp_path / "s.toml").write_text(SMALL.format(plan="base"))
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"h{seed}"
        proc = subprocess.run(
            [sys.executable, "-m", "planning", "sweep", str(tmp_path / "s.toml"), "--out",
             str(out), "--workers", "1"], cwd=ROOT, capture_output=True, text=True,
            timeout=600, check=False, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outs.append(_records(out))
    assert {r["process"] for r in outs[0].values()}.isdisjoint(
        {r["process"] for r in outs[1].values()})  # two different processes
    verdict = compare_records(*outs)
    assert verdict.ok and not verdict.unproven, verdict
    assert len(verdict.identical) == 13
    # a tampered record is caught as a difference, not passed as unproven
    outs[1]["r03"]["sites"] = {**outs[1]["r03"]["sites"], "nowhere": 1}
    assert [d["run"] for d in compare_records(*outs).differing] == ["r03"]
