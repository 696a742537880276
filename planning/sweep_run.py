"""Solving a sweep's runs: one run as a pure function of (sweep, run id), and the run
store that makes an interrupted sweep resumable.

`solve_run` is what every executor calls (in-process, a local process pool or a Dask
worker): it rebuilds the run's scenario and data from the sweep and the run id alone and
never raises for a bad run, so a failure is a recorded result and the sweep goes on.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np

from geo.atomic import atomic_write_text, remove_leftovers
from geo.travel import TravelMatrix, TravelParams, travel_matrix
from planning.scenario import ScenarioError
from planning.sweep_spec import Run, Sweep

SUCCESS = ("optimal", "feasible")
DETERMINISTIC = ("optimal", "infeasible", "invalid")
"""Outcomes that do not depend on machine speed or load (a proof, or a check before any
solve); a run stopped by the time limit (`feasible`, `time_limit`) keeps whatever incumbent it
had at that moment, so only these must agree run by run between executors."""
BASE_ID = "base"


@functools.lru_cache(maxsize=4)
def _layers(country: str, version: int | None):
    """The bundled layers, read once per process (workers solve many runs)."""
    from geo.layers import load_layers

    return load_layers(country, version)


_MATRICES: dict[tuple, TravelMatrix] = {}
_MATRICES_KEPT = 8


def cached_matrix(origins, sites, params: TravelParams, *, origin_id: str,
                  site_id: str) -> TravelMatrix:
    """`travel_matrix`, computed once per process for the same origins, sites (ids and
    coordinates) and travel settings: a sweep's draws change children and costs, not places,
    so a worker computes each grid point's matrix once instead of once per run."""
    key = (params, _places(origins, origin_id), _places(sites, site_id))
    if key not in _MATRICES:
        if len(_MATRICES) >= _MATRICES_KEPT:
            _MATRICES.pop(next(iter(_MATRICES)))
        tm = travel_matrix(origins, sites, params, origin_id=origin_id, site_id=site_id)
        for a in (tm.rows, tm.cols, tm.km, tm.minutes):
            a.flags.writeable = False  # shared by the runs: nothing may change it in place
        _MATRICES[key] = tm
    return _MATRICES[key]


def clear_caches() -> None:
    """Forget this process's layers and travel matrices (a benchmark's cold start)."""
    _layers.cache_clear()
    _MATRICES.clear()


def _places(frame, id_col: str) -> str:
    """A digest of a layer's ids and point coordinates, in row order."""
    h = hashlib.sha256(frame[id_col].astype(str).str.cat(sep="\x1f").encode())
    h.update(np.ascontiguousarray(frame.geometry.get_coordinates().to_numpy()).tobytes())
    return h.hexdigest()


def run_data(sweep: Sweep, run: Run | None):
    """(scenario, layers) of a run (None: the unperturbed base): grid settings, drawn costs,
    children per settlement or unit and children in institutions (entry rates)."""
    if run is None:
        scenario = sweep.base_scenario()
        return scenario, _layers(scenario.country, scenario.boundary_version)
    scenario = sweep.run_scenario(run)
    layers = _layers(scenario.country, scenario.boundary_version)
    f = sweep.factors(run.draw)
    settlements = layers.settlements.copy()
    children = np.nan_to_num(settlements["children"].to_numpy(dtype=float))
    units = sorted(map(str, layers.boundaries["code"]))
    factor = sweep.children_factors(run.draw, settlements["unit_code"].astype(str).to_numpy(),
                                    units)
    settlements["children"] = np.round(children * factor)
    institutions = layers.institutions.copy()
    in_care = np.nan_to_num(np.asarray(institutions["children"], dtype=float))
    institutions["children"] = np.round(in_care * f["entry_rate"])
    return scenario, dataclasses.replace(layers, settlements=settlements,
                                         institutions=institutions)


def find_run(sweep: Sweep, run_id: str) -> Run | None:
    """The run with id `run_id` (None for the base run)."""
    if run_id == BASE_ID:
        return None
    run = sweep.run(int(run_id[1:])) if run_id[:1] == "r" and run_id[1:].isdigit() else None
    if run is None or run.id != run_id:
        raise KeyError(f"no run {run_id!r} in this sweep")
    return run


def solve_run(sweep: Sweep, run_id: str) -> dict[str, Any]:
    """Solve one run and return its record (settings, status, reason, gap, coverage, costs,
    sites). Infeasible, timed-out and failing runs are records with a reason, not errors."""
    from planning.results import plan_figures
    from planning.solve import InfeasibleScenario, solve_plan

    t0 = time.perf_counter()
    run = find_run(sweep, run_id)
    record: dict[str, Any] = {"run": run_id, "sweep": sweep.digest(),
                              "point": None if run is None else run.point,
                              "draw": None if run is None else run.draw,
                              "grid": {} if run is None else run.grid,
                              "factors": ({} if run is None else sweep.factors(run.draw)),
                              "status": "error", "reason": "", "gap": None,
                              "children_total": None, "children_covered": None,
                              "coverage_pct": None, "cost_capex": None, "cost_opex": None,
                              "cost_whole_life": None, "budget_total": None, "sites": {},
                              "time_limited": False}
    try:
        scenario, layers = run_data(sweep, run)
        record["budget_total"] = scenario.budget.total_kzt
        inst, plan, info = solve_plan(scenario, layers, matrix=cached_matrix)
    except InfeasibleScenario as exc:
        record.update(status="infeasible", reason=" ".join(exc.explanations))
    except ScenarioError as exc:
        record.update(status="invalid",
                      reason="; ".join(f"{p}: {m}" for p, m in exc.problems))
    except Exception as exc:
        record.update(status="error", reason=f"{type(exc).__name__}: {exc}")
    else:
        s = {"status": info.status, "gap": info.gap}
        if info.has_solution:
            s.update(plan_figures(inst, plan, scenario))
        record.update(s)
        record["sites"] = {str(i): int(c) for i, c in zip(inst.site_ids, plan.counts) if c > 0}
        limit = scenario.solver.time_limit_seconds
        record["time_limited"] = s["status"] in ("feasible", "time_limit")
        if s["status"] == "time_limit":
            record["reason"] = f"solver time limit of {limit:g} s reached before any plan"
        elif s["status"] == "feasible":
            gap = "unknown" if s["gap"] is None else f"{100 * s['gap']:.3g} %"
            record["reason"] = (f"solver time limit of {limit:g} s reached: plan not proven "
                                f"optimal (gap {gap}); it may differ on another machine or "
                                "executor")
        elif s["status"] not in SUCCESS:
            record["reason"] = "the solver stopped without a plan"
    record["seconds"] = round(time.perf_counter() - t0, 3)
    record["process"] = f"{socket.gethostname()}:{os.getpid()}"  # where it ran
    return record


class RunStore:
    """Run records as one JSON file each under `out/runs/`, written atomically, so a killed
    sweep leaves only whole records and a restart solves just the missing runs."""

    def __init__(self, out: str | Path, sweep: Sweep) -> None:
        self.out = Path(out)
        self.folder = self.out / "runs"
        self.digest = sweep.digest()

    def claim(self, sweep: Sweep) -> None:
        """Create the folder for this sweep, or check that it holds this same sweep."""
        marker = self.out / "sweep.json"
        if marker.exists():
            try:
                held = json.loads(marker.read_text(encoding="utf-8")).get("digest")
            except (OSError, ValueError, AttributeError):
                held = None
            if held != self.digest:
                raise ScenarioError([("--out", (f"{self.out} holds another sweep's results (or "
                                                "an unreadable sweep.json); choose an empty "
                                                "folder"))])
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.folder)  # temporary folders of a killed write
        if not marker.exists():
            atomic_write_text(marker, json.dumps({"digest": self.digest, **sweep.to_dict()},
                                                 indent=2, default=str) + "\n")

    def done(self) -> dict[str, dict[str, Any]]:
        """Records already written for this sweep, by run id."""
        out = {}
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # cannot happen with atomic writes; the run is simply redone
            if isinstance(record, dict) and record.get("sweep") == self.digest \
                    and record.get("run") == path.stem:
                out[path.stem] = record
        return out

    def write(self, record: dict[str, Any]) -> None:
        atomic_write_text(self.folder / f"{record['run']}.json",
                          json.dumps(record, indent=1, default=str) + "\n")
