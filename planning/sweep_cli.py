"""`python -m planning sweep SWEEP.toml --out DIR [--workers N] [--scheduler tcp://HOST:PORT]`:
validate, solve the runs not yet in DIR with a progress bar (done, failed, time left), then
write runs.csv, robust_sites.geojson, regret.csv and summary.json.

Exit codes: 0 every run has a plan, 1 some runs failed (recorded with their reason),
2 bad sweep file or arguments, 5 the executor could not start (e.g. no scheduler there),
130 interrupted (Ctrl-C; the runs stored so far are kept and a rerun resumes).
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
    except KeyboardInterrupt:
        bar.close()
        print(f"Interrupted: {bar.n} of {bar.total} runs are stored in {args.out}; run the "
              "same command again to solve the rest.", file=sys.stderr)
        return 130
    bar.close()
    print(f"Writing results (regret of the {sweep.settings.regret_plan} plan on every run's "
          "data)...", file=sys.stderr, flush=True)
    head = write_outputs(sweep, records, args.out, time.monotonic() - started)
    cov, failed = head["coverage_pct"], len(head["failed"])
    print(f"{head['succeeded']} of {head['runs']} runs solved, {failed} failed; coverage "
          f"{cov['min']}-{cov['max']}% (median {cov['median']}%)")
    if head["regret"]:
        r = head["regret"]
        fits = r["max_children_lost_within_budget"]
        print(f"Regret of the {head['regret_plan']['kind']} plan: mean "
              f"{r['mean_children_lost']:,.0f}, max {r['max_children_lost']:,.0f} children; "
              f"it fits the budgets of {r['runs_plan_within_budget']} of {head['succeeded']} "
              "runs" + (f", where it loses at most {fits:,.0f}" if fits is not None else "")
              + ". A negative loss: the plan spends more than that run may.")
    if head["notice"]:
        print(head["notice"])
    print(f"Results written to {args.out}")
    return 0 if not head["failed"] else 1
