"""Command line: `python -m planning example [--sweep]`, `python -m planning solve SCENARIO
--out DIR` and `python -m planning sweep SWEEP --out DIR` (see planning/sweep_cli.py).

An entry point, like `app.py`: it may use the UI layer (the map and report writers in
`ui.exports`), which the engine modules never import.

Exit codes: 0 a plan was found (optimal or feasible), 3 infeasible (with the explanation),
2 bad scenario file or arguments (one line on stderr, never a traceback), 4 the solver
stopped without any plan (time limit; the files are still written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo.limits import truncate
from planning import sweep_cli
from planning.example import example_toml
from planning.scenario import Scenario, ScenarioError
from planning.sweep_example import example_sweep_toml


def _error(message: str) -> int:
    """Print one bounded line on stderr; the exit code of a bad input."""
    print(f"error: {truncate(message)}", file=sys.stderr)
    return 2


def _out_problem(out: Path) -> str | None:
    """Why `out` cannot be the output folder (checked before solving), or None."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                return f"--out {out}: {folder} is a file, not a folder"
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planning",
                                     description="Otbasy siting scenarios")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("example", help="print a commented default scenario (TOML)")
    ex.add_argument("--country", default="KZ")
    ex.add_argument("--sweep", action="store_true", help="print a commented example sweep")
    so = sub.add_parser("solve", help="solve a scenario and write the results")
    so.add_argument("scenario", help="scenario file (.toml or .json)")
    so.add_argument("--out", required=True, help="output folder")
    so.add_argument("--solver", choices=("highs", "cbc"), help="override the solver")
    so.add_argument("--time-limit", type=float, help="override the time limit (seconds)")
    so.add_argument("--json", action="store_true",
                    help="print the summary (summary.json) instead of the text report")
    so.add_argument("--map", action="store_true", help="also write map.html (slower)")
    sweep_cli.add_parser(sub)
    args = parser.parse_args(argv)

    if args.command == "sweep":
        return sweep_cli.run(args)
    if args.command == "example":
        try:
            sys.stdout.write(example_sweep_toml(args.country) if args.sweep
                             else example_toml(args.country))
        except ScenarioError as exc:
            return _error(exc.one_line())
        return 0

    try:
        scenario = Scenario.from_file(args.scenario)
        if args.solver:
            scenario.solver.name = args.solver
        if args.time_limit is not None:
            scenario.solver.time_limit_seconds = args.time_limit
        scenario.validate()
    except ScenarioError as exc:
        return _error(f"{exc.source or args.scenario}: {exc.one_line()}")
    problem = _out_problem(Path(args.out))
    if problem:
        return _error(problem)

    from planning.solve import InfeasibleScenario, run_scenario

    def progress(stage: str, fraction: float) -> None:
        if fraction == 0.0:
            print(f"... {stage}", file=sys.stderr, flush=True)

    try:
        result = run_scenario(scenario, progress=progress)
    except ScenarioError as exc:  # found once the data is loaded (e.g. unknown unit codes)
        return _error(f"{exc.source or args.scenario}: {exc.one_line()}")
    except InfeasibleScenario as exc:
        print("INFEASIBLE: no plan satisfies this scenario.", file=sys.stderr)
        for line in exc.explanations:
            print(f"  - {line}", file=sys.stderr)
        return 3
    except (OSError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        return _error(f"{args.scenario}: {exc}")
    except Exception as exc:  # last resort: one line naming the file, never a traceback
        return _error(f"{args.scenario}: could not be solved ({type(exc).__name__}: {exc})")
    try:
        if args.map:  # folium and the page render are most of the command line's start-up
            from ui.exports import documents

            result.write(args.out, documents)
        else:
            result.write(args.out)
    except OSError as exc:
        return _error(f"--out {args.out}: cannot write the results ({exc.strerror or exc})")
    if args.json:
        print(json.dumps(result.summary, indent=1, ensure_ascii=False))
    else:
        print(result.report())
    print(f"Results written to {args.out}", file=sys.stderr if args.json else sys.stdout)
    return 0 if result.summary["status"] in ("optimal", "feasible") else 4


if __name__ == "__main__":
    sys.exit(main())
