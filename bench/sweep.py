"""Sweep benchmark: one national sweep solved sequentially, by the local process pool and by a
Dask LocalCluster with the same number of workers.

  .venv/bin/python bench/sweep.py [--runs 200] [--workers N] [--report]

(~4 min on an idle 2-core machine with the defaults.)

The sweep: the default national scenario, budgets x travel standards on a grid, and random
draws of children per settlement, entry rates and unit costs (200 runs: 2 budgets x 4
standards x 25 draws). Each executor solves the same runs into its own folder, starting
cold (layers and travel matrices are loaded once per worker process, in the timing); runs
proven optimal (or infeasible) must be identical run by run, runs stopped by the time limit
are listed apart. Prints runs per second, the speed-up over sequential and the Dask path's
overhead per run (its wall time minus the pool's, per run; cluster start-up is reported
separately), and writes the table into bench/results.md between the sweep markers.
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
from planning import sweep_run  # noqa: E402 (after sys.path)
from planning.sweep_compare import compare_records  # noqa: E402 (after sys.path)
from planning.sweep_exec import default_workers, execute  # noqa: E402 (after sys.path)
from planning.sweep_spec import Sweep  # noqa: E402 (after sys.path)

RESULTS_MD = ROOT / "bench" / "results.md"
RESULTS_JSON = ROOT / "bench" / "sweep_results.json"
START, END = "<!-- sweep:start -->", "<!-- sweep:end -->"
STANDARDS = [45, 60, 75, 90]
BASE = "base"

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



def bench_sweep(runs: int) -> Sweep:
    """The benchmark sweep with about `runs` runs (2 budgets x 4 standards x draws)."""
    draws = max(1, round(runs / (2 * len(STANDARDS))))
    return Sweep.from_toml(SWEEP.format(draws=draws, standards=STANDARDS))


STAGES = {  # (file, function) -> stage of a run, by cumulative time under cProfile
    ("sweep_run.py", "run_data"): "draw the run's data (copy + perturb layers)",
    ("instance.py", "build_instance"): "instance: demand, candidate sites, matrix (cached)",
    ("instance.py", "candidate_sites"): "  of which candidate sites and their costs",
    ("sweep_run.py", "cached_matrix"): "  of which travel matrix (once per grid point)",
    ("model.py", "build_model"): "PuLP model building",
    ("optimize.py", "buildSolverModel"): "handing the model to HiGHS",
    ("highs_api.py", "callSolver"): "HiGHS solve",
    ("optimize.py", "read_plan"): "reading the plan",
}


def profile(sweep: Sweep, runs: int = 24) -> dict:
    """Where a national run's time goes: ms per run by stage over `runs` warm runs."""
    import cProfile
    import pstats

    ids = [r.id for r in sweep.runs()][:runs]
    sweep_run.solve_run(sweep, BASE)  # warm: layers loaded, imports done
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for run_id in ids:
        sweep_run.solve_run(sweep, run_id)
    prof.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    found = {STAGES[(Path(path).name, name)]: row[3] for (path, _, name), row in stats.items()
             if (Path(path).name, name) in STAGES}
    return {"total": round(1000 * wall / len(ids), 1),
            **{s: round(1000 * found[s] / len(ids), 1) for s in STAGES.values() if s in found}}


def measure(sweep: Sweep, workers: int, blocks: int) -> dict:
    """Solve the sweep three ways; wall seconds, runs/s and the records of each. The runs are
    split into `blocks` and each block is solved by the three executors one after another
    (rotating which goes first), so a change in the machine's load during the benchmark
    falls on all three alike. Each process reads the layers and computes a grid point's
    travel matrix once: the first block pays that (cold start), later blocks run warm."""
    from dask.distributed import LocalCluster

    modes = ("sequential", "pool", "dask")
    ids = [BASE, *(r.id for r in sweep.runs())]
    parts = [ids[k::blocks] for k in range(blocks)]  # every grid point in every block
    wall = dict.fromkeys(modes, 0.0)
    sweep_run.clear_caches()
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    out: dict = {"dask_startup_s": round(time.perf_counter() - t0, 2), "blocks": blocks}
    with tempfile.TemporaryDirectory() as tmp:
        for k, part in enumerate(parts):
            print(f"... block {k + 1}/{blocks} ({len(part)} runs)", file=sys.stderr, flush=True)
            for mode in modes[k % 3:] + modes[:k % 3]:
                t0 = time.perf_counter()
                execute(sweep, Path(tmp) / mode, only=part,
                        workers=1 if mode == "sequential" else workers,
                        scheduler=cluster.scheduler_address if mode == "dask" else None)
                wall[mode] += time.perf_counter() - t0
        cluster.close()
        for mode in modes:
            records = execute(sweep, Path(tmp) / mode, only=[])  # read back, solve nothing
            solve = sum(float(r.get("seconds") or 0) for r in records.values())
            n = len(records)
            out[mode] = {"wall_s": round(wall[mode], 2), "runs_per_s": round(n / wall[mode], 3),
                         "mean_run_s": round(solve / n, 3),
                         "failed": sum(r["status"] not in ("optimal", "feasible")
                                       for r in records.values()), "records": records}
    ref = out["sequential"]["records"]
    for mode in ("pool", "dask"):
        verdict = compare_records(ref, out[mode]["records"])
        out[mode]["identical"] = verdict.ok
        out[mode]["proven_identical"] = len(verdict.identical)
        out[mode]["differing"] = verdict.differing + [{"run": k, "status": ["missing"]}
                                                      for k in verdict.missing]
        out[mode]["unproven"] = verdict.unproven  # time-limited in a leg: not comparable
    return out


def report(res: dict) -> str:
    seq = res["sequential"]
    lines = [(f"Sweep benchmark ({res['date']}): {res['runs']} national runs + the base run, "
              f"{res['workers']} workers, {res['cores']} cores, {res['blocks']} interleaved "
              f"blocks, load average at start {res['load']} and at the end "
              f"{res['load_end']}. Runs proven in both legs and identical: pool "
              f"{res['pool']['proven_identical']}, Dask {res['dask']['proven_identical']}; "
              f"proven runs differing: pool {len(res['pool']['differing'])}, Dask "
              f"{len(res['dask']['differing'])}; time-limited in a leg (not compared): pool "
              f"{len(res['pool']['unproven'])}, Dask {len(res['dask']['unproven'])}"),
             "",
             "| executor | wall s | runs/s | speed-up | mean run s (in worker) | failed |",
             "|---|---|---|---|---|---|"]
    for mode in ("sequential", "pool", "dask"):
        r = res[mode]
        lines.append(f"| {mode} | {r['wall_s']} | {r['runs_per_s']} | "
                     f"{r['runs_per_s'] / seq['runs_per_s']:.2f}x | {r['mean_run_s']} | "
                     f"{r['failed']} |")
    for mode in ("pool", "dask"):
        for kind in ("differing", "unproven"):
            for d in res[mode][kind][:10]:
                lines.append(f"\n{mode} {kind} vs sequential on {d['run']}: status "
                             f"{d['status']}, gap {d.get('gap')}, seconds {d.get('seconds')}, "
                             f"fields {d.get('fields')}")
    if "profile" in res:
        prof = res["profile"]
        lines += ["", f"Where a warm national run's time goes (cProfile, {prof['total']} ms per "
                      "run in total, profiler overhead included):", "",
                  "| stage | ms per run |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in prof.items() if k != "total"]
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
    ap.add_argument("--blocks", type=int, default=8,
                    help="interleaved blocks (1: each executor solves all runs in turn)")
    ap.add_argument("--report", action="store_true", help="reprint the last results")
    args = ap.parse_args()
    if args.report:
        print(report(json.loads(RESULTS_JSON.read_text())))
        return
    sweep = bench_sweep(args.runs)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    res = measure(sweep, args.workers, args.blocks)
    res["profile"] = profile(sweep)
    res["load_end"] = ", ".join(f"{v:.1f}" for v in os.getloadavg())
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
