"""A real Dask cluster (scheduler + two worker processes on localhost) runs a 12-run sweep
through `python -m planning sweep --scheduler`; every run must equal the sequential run's, and
so must the local process pool's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_sweep import ROOT, SMALL, small

from planning.sweep_exec import execute

COMPARED = ("status", "gap", "children_total", "children_covered", "coverage_pct",
            "cost_capex", "cost_opex", "cost_whole_life", "budget_total", "sites", "factors",
            "grid", "draw")


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
    for run_id, ref in sequential.items():
        for key in COMPARED:
            assert on_dask[run_id][key] == ref[key], (run_id, key)
            assert pool[run_id][key] == ref[key], (run_id, key)
    runs = pd.read_csv(tmp_path / "dask" / "runs.csv")
    assert len(runs) == 12 and set(runs["status"]) == {"optimal"}
    for name in ("robust_sites.geojson", "regret.csv", "summary.json"):
        assert (tmp_path / "dask" / name).exists()
