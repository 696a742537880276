"""`python -m planning sweep SWEEP.toml --out DIR [--workers N] [--scheduler tcp://HOST:PORT]`:
validate, solve the runs not yet in DIR with a progress bar (done, failed, time left), then
write runs.csv, robust_sites.geojson, regret.csv and summary.json.

Exit codes: 0 every run has a plan, 1 some runs failed (recorded with their reason),
2 bad sweep file or arguments, 5 the executor could not start (e.g. no scheduler there).
"""

from __future__ import annotations

import argparse
import sys
import time

from planning.scenario import ScenarioError


def add_parser(sub) -> None:
    """Register the `sweep` subcommand on an argparse subparsers object."""
    sw = sub.add_parser("sweep", help="solve a sweep of scenarios and write robust results")
    sw.add_argument("sweep", help="sweep file (.toml); see `python -m planning example --sweep`")
    sw.add_argument("--out", required=True, help="output folder (rerun to resume)")
    sw.add_argument("--workers", type=int, help="local worker processes (default: one per "
                                                "core; 1 = in this process)")
    sw.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (or set "
                                        "OTBASY_DASK_SCHEDULER)")


def run(args: argparse.Namespace) -> int:
    """Run the `sweep` subcommand."""
    from tqdm import tqdm

    from planning.sweep_exec import execute
    from planning.sweep_results import write_outputs
    from planning.sweep_spec import Sweep

    if args.workers is not None and args.workers < 1:
        print("error: --workers must be >= 1", file=sys.stderr)
        return 2
    try:
        sweep = Sweep.from_file(args.sweep)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    bar = tqdm(total=len(sweep.runs()) + 1, unit="run", file=sys.stderr, dynamic_ncols=True,
               desc=sweep.settings.name[:40])

    def progress(state: dict) -> None:
        bar.n = state["done"]
        if not state["new"]:
            bar.initial = state["done"]  # resumed runs do not count towards the rate
        bar.set_postfix(failed=state["failed"], refresh=False)
        bar.refresh()

    started = time.monotonic()
    try:
        records = execute(sweep, args.out, workers=args.workers, scheduler=args.scheduler,
                          progress=progress)
    except ScenarioError as exc:
        bar.close()
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the Dask scheduler cannot be reached
        bar.close()
        print(f"error: cannot run the sweep: {exc}", file=sys.stderr)
        return 5
    bar.close()
    head = write_outputs(sweep, records, args.out, time.monotonic() - started)
    cov, failed = head["coverage_pct"], len(head["failed"])
    print(f"{head['succeeded']} of {head['runs']} runs solved, {failed} failed; coverage "
          f"{cov['min']}-{cov['max']}% (median {cov['median']}%)")
    if head["regret"]:
        r = head["regret"]
        print(f"Regret of the {head['regret_plan']['kind']} plan: mean "
              f"{r['mean_children_lost']:,.0f}, max {r['max_children_lost']:,.0f} children")
    if head["notice"]:
        print(head["notice"])
    print(f"Results written to {args.out}")
    return 0 if not head["failed"] else 1
