"""Sweep benchmark: one national sweep solved sequentially, by the local process pool and by a
Dask LocalCluster with the same number of workers.

  .venv/bin/python bench/sweep.py [--runs 200] [--workers N] [--report]

The sweep: the default national scenario, budgets x travel standards on a grid, and random
draws of children per settlement, entry rates and unit costs (200 runs: 2 budgets x 4
standards x 25 draws). Each executor solves the same runs into its own folder; the results
must be identical run by run. Prints runs per second, the speed-up over sequential and the
Dask path's overhead per run (its wall time minus the pool's, per run; cluster start-up is
reported separately), and writes the table into bench/results.md between the sweep markers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.atomic import atomic_write_text  # noqa: E402 (after sys.path)
from planning.sweep_exec import default_workers, execute  # noqa: E402 (after sys.path)
from planning.sweep_spec import Sweep  # noqa: E402 (after sys.path)

RESULTS_MD = ROOT / "bench" / "results.md"
RESULTS_JSON = ROOT / "bench" / "sweep_results.json"
START, END = "<!-- sweep:start -->", "<!-- sweep:end -->"
STANDARDS = [45, 60, 75, 90]

SWEEP = """
[sweep]
name = "bench: national sweep"
seed = 2026
runs = {draws}
time_limit_seconds = 120
[grid]
"budget.total_kzt" = [29580000000, 35500000000]
"travel.standard_minutes" = {standards}
[random]
children = 0.10
entry_rate = 0.20
capex = 0.20
opex = 0.10
"""

COMPARED = ("status", "children_covered", "cost_whole_life", "sites")


def bench_sweep(runs: int) -> Sweep:
    """The benchmark sweep with about `runs` runs (2 budgets x 4 standards x draws)."""
    draws = max(1, round(runs / (2 * len(STANDARDS))))
    return Sweep.from_toml(SWEEP.format(draws=draws, standards=STANDARDS))


def measure(sweep: Sweep, workers: int) -> dict:
    """Solve the sweep three ways; wall seconds, runs/s and the records of each."""
    out: dict = {}
    n = len(sweep.runs()) + 1  # + the base run
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("sequential", "pool", "dask"):
            folder = Path(tmp) / mode
            print(f"... {mode}", file=sys.stderr, flush=True)
            if mode == "dask":
                from dask.distributed import LocalCluster

                t0 = time.perf_counter()
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
                startup = time.perf_counter() - t0
                t0 = time.perf_counter()
                records = execute(sweep, folder, scheduler=cluster.scheduler_address)
                wall = time.perf_counter() - t0
                cluster.close()
                out["dask_startup_s"] = round(startup, 2)
            else:
                t0 = time.perf_counter()
                records = execute(sweep, folder, workers=1 if mode == "sequential" else workers)
                wall = time.perf_counter() - t0
            solve = sum(float(r.get("seconds") or 0) for r in records.values())
            out[mode] = {"wall_s": round(wall, 2), "runs_per_s": round(n / wall, 3),
                         "mean_run_s": round(solve / n, 3),
                         "failed": sum(r["status"] not in ("optimal", "feasible")
                                       for r in records.values()), "records": records}
    ref = out["sequential"]["records"]
    for mode in ("pool", "dask"):
        rec = out[mode]["records"]
        differing = [k for k in ref if any(rec[k][f] != ref[k][f] for f in COMPARED)]
        out[mode]["identical"] = not differing
        out[mode]["differing"] = [  # which runs, and how (e.g. a time limit under load)
            {"run": k, "status": [ref[k]["status"], rec[k]["status"]],
             "gap": [ref[k].get("gap"), rec[k].get("gap")],
             "seconds": [ref[k].get("seconds"), rec[k].get("seconds")]} for k in differing[:10]]
    return out


def report(res: dict) -> str:
    seq = res["sequential"]
    lines = [(f"Sweep benchmark ({res['date']}): {res['runs']} national runs + the base run, "
              f"{res['workers']} workers, {res['cores']} cores, load average at start "
              f"{res['load']}; identical results: pool {res['pool']['identical']}, "
              f"Dask {res['dask']['identical']}"),
             "",
             "| executor | wall s | runs/s | speed-up | mean run s (in worker) | failed |",
             "|---|---|---|---|---|---|"]
    for mode in ("sequential", "pool", "dask"):
        r = res[mode]
        lines.append(f"| {mode} | {r['wall_s']} | {r['runs_per_s']} | "
                     f"{r['runs_per_s'] / seq['runs_per_s']:.2f}x | {r['mean_run_s']} | "
                     f"{r['failed']} |")
    for mode in ("pool", "dask"):
        for d in res[mode].get("differing", []):
            lines.append(f"\n{mode} differs from sequential on {d['run']}: status {d['status']}, "
                         f"gap {d['gap']}, seconds {d['seconds']}")
    n = res["runs"] + 1
    overhead = (res["dask"]["wall_s"] - res["pool"]["wall_s"]) / n
    lines += ["", (f"Dask overhead per run vs the local pool: {1000 * overhead:.0f} ms "
                   f"(LocalCluster start-up {res['dask_startup_s']} s, not counted).")]
    return "\n".join(lines)


def write_md(text: str) -> None:
    """Put `text` between the sweep markers of bench/results.md (appended the first time)."""
    old = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    block = f"{START}\n## Sweeps (bench/sweep.py)\n\n{text}\n{END}\n"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        new = old.rstrip("\n") + "\n\n" + block
    atomic_write_text(RESULTS_MD, new)


def main() -> None:
    import os

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--report", action="store_true", help="reprint the last results")
    args = ap.parse_args()
    if args.report:
        print(report(json.loads(RESULTS_JSON.read_text())))
        return
    sweep = bench_sweep(args.runs)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    res = measure(sweep, args.workers)
    res.update(runs=len(sweep.runs()), workers=args.workers, cores=os.cpu_count(), load=load,
               date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    for mode in ("sequential", "pool", "dask"):
        res[mode].pop("records")
    atomic_write_text(RESULTS_JSON, json.dumps(res, indent=2) + "\n")
    text = report(res)
    print(text)
    write_md(text)


if __name__ == "__main__":
    main()
