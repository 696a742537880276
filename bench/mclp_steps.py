"""What each step of the MCLP fast path (`planning/mclp.py`) buys on the benchmark family.

  python bench/mclp_steps.py            # the 24 family cases, ~2 min idle
  python bench/mclp_steps.py --quick    # the two --quick cases

Per case, CPU seconds in this one process (instance, build and solve; modules imported
first) of: the PuLP model (`planning.solve.build` + `solve_built`, the path before the fast
path), then the fast path with its steps switched on one after the other. Prints each case
(a `!` marks a solve that did not end optimal) and per variant the geometric mean, sum and
maximum. All variants must reach the same optimum; the script fails if they do not.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scipy.sparse  # noqa: E402, F401  (imported before any clock, as the paths use it)

from bench.family import OPTIMA_RTOL, _instance  # noqa: E402
from bench.family_cases import family, instance  # noqa: E402
from planning import mclp  # noqa: E402
from planning.model import ModelOptions  # noqa: E402
from planning.optimize import solve_built  # noqa: E402
from planning.scenario import Solver  # noqa: E402
from planning.solve import build  # noqa: E402

FIX, ROUNDED = mclp.fix, mclp.rounded
LP, MIP = mclp.LP_OPTIONS, mclp.MIP_OPTIONS
VARIANTS: dict[str, dict | None] = {
    "PuLP model (before)": None,
    "arrays to HiGHS, its defaults": dict(fix=False, rounding=False, lp={}, mip={}),
    "+ incumbent, LP, fixing": dict(fix=True, rounding=False, lp={}, mip={}),
    "+ primal LP, presolve off": dict(fix=True, rounding=False, mip={"presolve": "off"}),
    "+ LP rounding, no sub-MIP heuristics": dict(fix=True, rounding=True),
}


def _configure(fix: bool = True, rounding: bool = True, lp: dict | None = None,
               mip: dict | None = None) -> None:
    """Switch the fast path's steps (module attributes, restored by the defaults)."""
    mclp.fix = FIX if fix else (lambda cover, lp, best: (cover.lower.copy(),
                                                          cover.upper.copy()))
    mclp.rounded = ROUNDED if rounding else (lambda cover, y: cover.lower.copy())
    mclp.LP_OPTIONS = LP if lp is None else lp
    mclp.MIP_OPTIONS = MIP if mip is None else mip


def run(quick: bool) -> int:
    warnings.filterwarnings("ignore")
    solver = Solver(name="highs", time_limit_seconds=120, mip_gap=1e-4)
    cpu: dict[str, list[float]] = {k: [] for k in VARIANTS}
    wrong = 0
    print(f"{'case':46s} " + " | ".join(VARIANTS))
    for case in family(quick):
        cost, w, radius = instance(case)
        line, values = f"{case.name:46s}", []
        for name, variant in VARIANTS.items():
            t0 = time.process_time()
            inst = _instance(cost, w, radius, radius)
            opt = ModelOptions(objective="max_coverage", max_new=case.p)
            if variant is None:
                built = build(inst, opt, solver)
                info = solve_built(built, solver)
                values.append(float(built.prob.objective.value()))
            else:
                _configure(**variant)
                _, info, out = mclp.solve(inst, opt, solver)
                values.append(out.value)
            cpu[name].append(time.process_time() - t0)
            line += f" {cpu[name][-1]:7.3f}{'' if info.status == 'optimal' else '!'}"
        _configure()
        if max(values) - min(values) > OPTIMA_RTOL * max(1.0, abs(max(values))):
            wrong += 1
            line += f"  DIFFERENT optima {values}"
        print(line, flush=True)
    for name, xs in cpu.items():
        geo = math.exp(sum(math.log(x) for x in xs) / len(xs))
        print(f"{name:40s} geometric mean {geo:.3f} s, sum {sum(xs):.2f} s, max {max(xs):.3f} s")
    return 1 if wrong else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the two --quick family cases")
    sys.exit(run(ap.parse_args().quick))
