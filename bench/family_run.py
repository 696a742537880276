"""Run the benchmark family (bench/family.py): Otbasy against spopt + HiGHS, side by side.

Each case runs in its own subprocess, which solves, on the identical instance and one after
the other, Otbasy's p-median (`planning.solve.build` + `solve_built`: the reductions and
the radius model), spopt's `PMedian.from_cost_matrix` (the classic formulation, one
assignment variable per pair), Otbasy's MCLP and spopt's `MCLP.from_cost_matrix`. Times are
wall seconds from the dense cost matrix to the solved model (build + solve), both with
HiGHS at a 1e-4 relative gap. The optima are compared whenever both are proven optimal.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.family import FamilyCase, family, instance  # noqa: E402

GAP = 1e-4
OURS_LIMIT = 120.0
SPOPT_LIMIT = 120.0
SPOPT_MAX_PAIRS = 500_000  # classic p-median above this: > 1 M variables, GBs and many minutes
OPTIMA_RTOL = 1e-6


def _instance(cost: np.ndarray, w: np.ndarray, radius: float, within: float | None):
    from bench.solve import plain_instance

    if within is None:
        rows, cols = np.indices(cost.shape).reshape(2, -1)
    else:
        rows, cols = np.nonzero(cost <= within)
    return plain_instance(w, cost.shape[1], rows, cols, cost[rows, cols], standard=radius,
                          cutoff=float(cost.max()) + 1.0 if within is None else within)


def ours(model: str, cost: np.ndarray, w: np.ndarray, radius: float, p: int) -> dict:
    from planning.model import ModelOptions
    from planning.optimize import solve_built
    from planning.scenario import Solver
    from planning.solve import build

    solver = Solver(name="highs", time_limit_seconds=OURS_LIMIT, mip_gap=GAP)
    start = time.perf_counter()
    if model == "pmedian":
        inst = _instance(cost, w, radius, None)
        opt = ModelOptions(objective="min_travel", max_new=p)
    else:
        inst = _instance(cost, w, radius, radius)
        opt = ModelOptions(objective="max_coverage", max_new=p)
    built = build(inst, opt, solver)
    info = solve_built(built, solver)
    wall = time.perf_counter() - start
    value = None
    if info.has_solution:
        value = (built.radius.cost(built.inst, built.counts()) if model == "pmedian"
                 else float(built.prob.objective.value()))
    return {"wall_s": wall, "status": info.status, "gap": info.gap, "objective": value,
            "variables": len(built.prob.variables())}


def spopt(model: str, cost: np.ndarray, w: np.ndarray, radius: float, p: int) -> dict:
    import pulp
    from spopt.locate import MCLP, PMedian

    if model == "pmedian" and cost.size > SPOPT_MAX_PAIRS:
        return {"status": f"skipped: {cost.size / 1e6:.0f} M assignment variables"}
    start = time.perf_counter()
    if model == "pmedian":
        m = PMedian.from_cost_matrix(cost, w, p_facilities=p)
    else:
        m = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=p)
    try:
        m.solve(pulp.HiGHS(msg=False, gapRel=GAP, timeLimit=SPOPT_LIMIT), results=False)
    except RuntimeError:  # spopt raises when HiGHS stopped at the limit without a plan
        return {"wall_s": time.perf_counter() - start, "status": "time_limit"}
    wall = time.perf_counter() - start
    prob = m.problem
    status = {pulp.LpSolutionOptimal: "optimal",
              pulp.LpSolutionIntegerFeasible: "feasible"}.get(prob.sol_status, "time_limit")
    return {"wall_s": wall, "status": status, "objective": prob.objective.value(),
            "variables": len(prob.variables())}


def child(name: str) -> None:
    """One case in this process: both models, Otbasy then spopt, printed as JSON."""
    warnings.filterwarnings("ignore")
    case = FamilyCase.parse(name)
    cost, w, radius = instance(case)
    out = {"case": name}
    for model in ("pmedian", "mclp"):
        out[model] = {"ours": ours(model, cost, w, radius, case.p),
                      "spopt": spopt(model, cost, w, radius, case.p)}
    print(json.dumps(out))


def run_case(name: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True,
                          cwd=ROOT)
    if proc.returncode != 0:
        err = (proc.stderr.strip().splitlines() or ["?"])[-1][:80]
        return {"case": name, "error": err}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ratio(row: dict, model: str) -> float | None:
    """spopt wall / Otbasy wall, when both ran."""
    r = row.get(model, {})
    o, s = r.get("ours", {}), r.get("spopt", {})
    if "wall_s" in o and "wall_s" in s and o["wall_s"] > 0:
        return s["wall_s"] / o["wall_s"]
    return None


def optima(row: dict, model: str) -> str:
    r = row.get(model, {})
    o, s = r.get("ours", {}), r.get("spopt", {})
    a, b = o.get("objective"), s.get("objective")
    if a is None or b is None:
        return ""
    if o.get("status") != "optimal" or s.get("status") != "optimal":
        return "n/a: not both optimal"
    return "equal" if abs(a - b) <= OPTIMA_RTOL * max(1.0, abs(a), abs(b)) else "DIFFERENT"


def summary(rows: list[dict]) -> list[str]:
    """Geometric mean and minimum of the ratio per model, and the optima verdicts."""
    out = []
    for model in ("pmedian", "mclp"):
        rs = [x for x in (ratio(r, model) for r in rows) if x is not None]
        verdicts = [optima(r, model) for r in rows]
        floors = sum(1 for r in rows if ratio(r, model) is not None
                     and r[model]["spopt"].get("status") != "optimal")
        if rs:
            geo = math.exp(sum(math.log(x) for x in rs) / len(rs))
            out.append(f"{model}: {len(rs)} cases vs spopt, ratio geometric mean {geo:.1f}x, "
                       f"min {min(rs):.1f}x, max {max(rs):.1f}x; optima equal "
                       f"{verdicts.count('equal')}, DIFFERENT {verdicts.count('DIFFERENT')}, "
                       f"not both optimal {verdicts.count('n/a: not both optimal')}"
                       + (f"; in {floors} spopt stopped at its {SPOPT_LIMIT:g} s limit, so "
                          "those ratios are floors" if floors else ""))
    return out


def _ratio_text(x: float | None, spopt_run: dict) -> str:
    """The ratio; '>=' when spopt stopped at its time limit (its time is then a floor)."""
    if not x:
        return ""
    return (">=" if spopt_run.get("status") != "optimal" else "") + f"{x:.1f}x"


def table(rows: list[dict]) -> str:
    head = ("case", "model", "ours s", "status", "gap", "objective", "spopt s", "spopt status",
            "ratio", "optima")
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append((r["case"], "", "", "error: " + r["error"], "", "", "", "", "", ""))
            continue
        for model in ("pmedian", "mclp"):
            o, s = r[model]["ours"], r[model]["spopt"]
            x = ratio(r, model)
            lines.append((r["case"], model, f"{o['wall_s']:.2f}", o["status"],
                          "" if o.get("gap") is None else f"{o['gap']:.1e}",
                          "" if o.get("objective") is None else f"{o['objective']:,.1f}",
                          f"{s['wall_s']:.2f}" if "wall_s" in s else "",
                          s.get("status", ""), _ratio_text(x, s), optima(r, model)))
    widths = [max(len(str(x[k])) for x in lines) for k in range(len(head))]
    fmt = lambda x: "  ".join(str(v).ljust(w) for v, w in zip(x, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(lines[0]), fmt(["-" * w for w in widths])] + [fmt(x) for x in lines[1:]])


def run(quick: bool, names: list[str] | None = None) -> tuple[list[dict], str]:
    """Run the family (or the named cases) and return the rows and the printed text."""
    cases = names or [c.name for c in family(quick)]
    rows = []
    for name in cases:
        print(f"... family {name}", file=sys.stderr, flush=True)
        rows.append(run_case(name))
    text = table(rows) + "\n\n" + "\n".join(summary(rows))
    return rows, text


if __name__ == "__main__":
    child(sys.argv[1])
