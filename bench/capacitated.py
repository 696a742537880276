"""Capacitated maximal covering at scale: time to a 1 % and a 0.1 % proven gap.

  .venv/bin/python bench/capacitated.py [--case r2000x500 --case r10000x2000]
                                        [--time-limit 120] [--plain]

The instances are `bench/solve.py`'s capacitated cases (seeded synthetic settlements and
sites, lognormal children, 60-minute standard, capacity 1.5 x children / p, a budget of p
centres). Each (case, gap) runs in its own process through the product's path
(`planning.capacitated`: incumbent, uncapacitated relaxation with capacity cuts, plans
scored on the capacitated model, capacity-guided swaps, the plain model as fallback),
with HiGHS's relative gap set to 1 % and then 0.1 %; `--plain` adds the plain capacitated
model at 0.1 % (what `make bench` ran before). Prints wall seconds, status, the proven gap,
children covered, the bound and where the time went.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GAPS = (0.01, 0.001)


def instance(name: str):
    """The capacitated instance and options of bench/solve.py's case `name`, or for `kz240`
    the bundled national data with every settlement a candidate at a 240-minute standard
    (30,260 pairs within it; the default scenario's capacities and budgets)."""
    if name == "kz240":
        return national(240.0)
    from bench.family_cases import plain_instance
    from bench.solve import CASES, STANDARD, Synthetic, _default_like
    from planning.solve import model_options

    case = CASES[name]
    syn = Synthetic.of(case)
    rows, cols, mins = syn.sparse(STANDARD)
    inst = plain_instance(syn.weights, case.m, rows, cols, mins, standard=STANDARD,
                          cutoff=STANDARD)
    inst.capacity[:] = 1.5 * syn.weights.sum() / case.p
    inst.capex[:], inst.opex[:] = 60e6, 24e6
    opt = model_options(_default_like())
    opt.budget_total = case.p * (60e6 + 5 * 24e6)
    return inst, opt


def national(minutes: float):
    """The bundled national data, every settlement a candidate, at a `minutes` standard."""
    from geo.layers import load_layers
    from planning.instance import build_instance
    from planning.scenario import Scenario
    from planning.solve import model_options

    s = Scenario()
    s.candidates.mode = "all_settlements"
    s.travel.standard_minutes = minutes
    return build_instance(load_layers(s.country, s.boundary_version), s), model_options(s)


def child(name: str, gap: float, limit: float, plain: bool) -> dict:
    """One solve (the subprocess side): its figures as a dict."""
    from planning import capacitated
    from planning.model import build_model
    from planning.optimize import solve_built
    from planning.scenario import Solver

    inst, opt = instance(name)
    cfg = Solver(time_limit_seconds=limit, mip_gap=gap)
    start, cpu = time.perf_counter(), time.process_time()
    steps: dict = {}
    upper = None
    if plain:
        built = build_model(inst, opt)
        info = solve_built(built, cfg)
    else:
        built, info, outcome = capacitated.solve(inst, opt, cfg)
        steps, upper = outcome.steps, outcome.upper
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    covered = (sum(float(inst.weights[i]) * e.value() for i, e in built.cover.items())
               if info.has_solution else None)
    return {"case": name, "model": "plain" if plain else "relaxation", "gap_asked": gap,
            "wall_s": wall, "cpu_s": cpu, "load": os.getloadavg()[0], "status": info.status,
            "gap": info.gap, "covered": covered,
            "children": float(inst.weights.sum()), "upper": upper,
            "pairs": int(inst.within_standard().sum()),
            "steps": {k: round(v, 2) for k, v in steps.items()}}


def run(name: str, gap: float, limit: float, plain: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", name, str(gap), str(limit)]
    if plain:
        cmd.append("--plain")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"case": name, "gap_asked": gap, "status": "error: "
                + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(r: dict) -> str:
    if "wall_s" not in r:
        return f"{r['case']:<12} gap<={r['gap_asked']:<6g} {r['status']}"
    gap = "n/a" if r["gap"] is None else f"{100 * r['gap']:.3f}%"
    covered = "-" if r["covered"] is None else f"{r['covered']:,.0f}"
    upper = "" if r["upper"] is None else f" bound {r['upper']:,.0f}"
    return (f"{r['case']:<12} {r['model']:<10} gap<={100 * r['gap_asked']:g}%  "
            f"{r['wall_s']:7.1f} s (cpu {r.get('cpu_s', float('nan')):5.1f} s, load "
            f"{r.get('load', float('nan')):4.1f})  {r['status']:<9} gap {gap:<8} "
            f"covered {covered} of "
            f"{r['children']:,.0f}{upper}  {r['steps']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", action="append", choices=["r2000x500", "r10000x2000", "kz240"])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--plain", action="store_true", help="also the plain model at 0.1 %%")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        name, gap, limit = args.child
        print(json.dumps(child(name, float(gap), float(limit), args.plain)))
        return 0
    for name in args.case or ["r2000x500", "r10000x2000"]:
        for gap in GAPS:
            print(line(run(name, gap, args.time_limit, False)), flush=True)
        if args.plain:
            print(line(run(name, GAPS[-1], args.time_limit, True)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
