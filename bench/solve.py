"""Planning-model benchmark: Otbasy's model against spopt on identical problems.

  .venv/bin/python bench/solve.py [--quick] [--case NAME ...] [--family-case NAME ...]
                                  [--model M ...] [--time-limit S] [--solver highs|cbc]
                                  [--report]

The 10,000 x 2,000 p-median target (within 1% in 60 s, everything included):
  .venv/bin/python bench/solve.py --case r10000x2000 --model pmedian --time-limit 60

`make bench` first runs the family (bench/family.py, instances in bench/family_cases.py:
sizes 350 x 500, 1,000 x 1,000 and 2,000 x 500, p in {5, 10, 20, 50}, uniform / clustered
points, uniform / lognormal weights, planar / geodesic costs), printing every case and the
geometric mean and minimum of the spopt / Otbasy ratio, then the named cases below.
`--quick` runs two family cases only; `--family-case` named family cases only.

Cases: `kz` (the national default scenario: all KZ settlements x candidate settlements,
convertible institutions and kept centres; capacitated, budgeted, family care) and synthetic
instances `r350x500`, `r2000x500` (seeded random settlements and sites in a region, children
per settlement lognormal like real settlements) and `r10000x2000` (all of a Kazakhstan-sized
box). Each case runs these models, every one in its own subprocess (so peak memory is that
run's maximum resident set):

- `ours:capacitated` - the product's default: capacitated, budgeted maximal coverage;
- `ours:mclp` and `spopt:mclp` - the identical uncapacitated MCLP (p sites, 60-minute
  standard) with Otbasy's model and with spopt.locate.MCLP.from_cost_matrix;
- `ours:pmedian` and `spopt:pmedian` - the identical p-median on the full matrix (every
  settlement x every site) with Otbasy's truncated radius formulation and with
  spopt.locate.PMedian (the classic formulation, one assignment variable per pair, which is
  also what Otbasy's radius formulation replaced); on 10,000 x 2,000 Otbasy uses a 240-minute
  sparse cut-off. spopt's p-median is skipped above 500,000 pairs (it needs ~1 GB and ~30 s
  per 175,000), with the reason printed.

All solves use HiGHS via PuLP (`--solver cbc` for Otbasy's CBC timings); Otbasy stops at
OURS_TIME_LIMIT and reports its gap, spopt at 600 s. Prints a table with build and solve
seconds, peak memory, status, gap and objective, spopt's time beside Otbasy's with the ratio
and whether the optima agree (1e-6 relative, when both are proven optimal); writes
bench/results.json and bench/results.md (`--report` prints them again).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import family  # noqa: E402
from bench.family_cases import plain_instance  # noqa: E402
from geo.atomic import atomic_write_text  # noqa: E402

EARTH_KM = 6371.0088
KZ_BOX = (50.0, 41.0, 87.0, 55.0)       # lon/lat box of Kazakhstan
REGION_BOX = (74.0, 42.5, 80.0, 46.5)   # about Almaty region's extent
SPEED_KMH, CIRCUITY, STANDARD = 60.0, 1.3, 60.0
SPOPT_MAX_PAIRS = 500_000  # spopt p-median: ~1 GB and ~30 s per 175,000 pairs on 2 cores
OURS_TIME_LIMIT = 120.0  # seconds per Otbasy solve; a hard case stops with its gap


@dataclass(frozen=True)
class Case:
    """A synthetic instance: n settlements, m sites in `box`, p sites for MCLP/p-median,
    `cutoff` minutes for Otbasy's sparse p-median (None: the full matrix)."""

    n: int
    m: int
    box: tuple[float, float, float, float]
    p: int
    cutoff: float | None = None
    seed: int = 7


CASES = {
    "r350x500": Case(350, 500, REGION_BOX, 20),
    "r2000x500": Case(2000, 500, REGION_BOX, 40),
    "r10000x2000": Case(10_000, 2000, KZ_BOX, 200, cutoff=240.0),
}
MODELS = ("capacitated", "mclp", "pmedian")
KZ_P = 77  # the new centres the national plan still needs (208 by 2027, 131 open)


# -- instances ---------------------------------------------------------------------------

def _points(rng: np.random.Generator, k: int, box) -> tuple[np.ndarray, np.ndarray]:
    lon = rng.uniform(box[0], box[2], k)
    lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(box[1])),
                                           np.sin(np.radians(box[3])), k)))
    return lon, lat


def minutes_matrix(dlon, dlat, slon, slat, rows: slice | None = None) -> np.ndarray:
    """Straight-line travel minutes (haversine x circuity / speed), dense."""
    rows = rows or slice(None)
    la1, lo1 = np.radians(dlat[rows])[:, None], np.radians(dlon[rows])[:, None]
    la2, lo2 = np.radians(slat)[None, :], np.radians(slon)[None, :]
    h = (np.sin((la2 - la1) / 2) ** 2
         + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2)
    km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return km * CIRCUITY / SPEED_KMH * 60.0


@dataclass
class Synthetic:
    """Coordinates and children of a synthetic case."""

    dlon: np.ndarray
    dlat: np.ndarray
    slon: np.ndarray
    slat: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, case: Case) -> Synthetic:
        rng = np.random.default_rng(case.seed)
        dlon, dlat = _points(rng, case.n, case.box)
        slon, slat = _points(rng, case.m, case.box)
        children = np.round(rng.lognormal(5.5, 1.4, case.n))  # median ~245, a few cities
        return cls(dlon, dlat, slon, slat, children)

    def dense(self) -> np.ndarray:
        return minutes_matrix(self.dlon, self.dlat, self.slon, self.slat)

    def sparse(self, cutoff: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """rows, cols, minutes of pairs within `cutoff` (all pairs when None), chunked."""
        out = []
        for a in range(0, self.weights.size, 1000):
            mins = minutes_matrix(self.dlon, self.dlat, self.slon, self.slat,
                                  slice(a, a + 1000))
            r, c = np.nonzero(mins <= cutoff) if cutoff is not None else np.indices(
                mins.shape).reshape(2, -1)
            out.append((r + a, c, mins[r, c]))
        return tuple(np.concatenate(x) for x in zip(*out))


# -- one run (in a subprocess) -----------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _kz_matrices():
    """The national default instance and the dense national minutes matrix."""
    from geo.layers import load_layers
    from geo.travel import TravelParams, straight_matrix
    from planning.instance import build_instance
    from planning.scenario import Scenario

    scenario = Scenario.default("KZ")
    layers = load_layers("KZ")
    inst = build_instance(layers, scenario)
    full = straight_matrix(inst.demand, inst.sites,
                           TravelParams(speed_kmh=SPEED_KMH, circuity=CIRCUITY,
                                        max_minutes=1e6),
                           origin_id="settlement_id", site_id="site_id")
    dense = np.full((inst.n, inst.m), np.inf)
    dense[full.rows, full.cols] = full.minutes
    return scenario, layers, inst, dense


def _problem(case_name: str, model: str):
    """(weights, dense minutes or None, sparse Instance or None, p, extra) for a run."""
    if case_name == "kz":
        scenario, layers, inst, dense = _kz_matrices()
        return inst.weights, dense, inst, KZ_P, {"scenario": scenario, "layers": layers}
    case = CASES[case_name]
    syn = Synthetic.of(case)
    if model.startswith("spopt"):
        return syn.weights, syn.dense(), None, case.p, {}
    cutoff = STANDARD if model in ("mclp", "capacitated") else case.cutoff
    rows, cols, mins = syn.sparse(cutoff)
    inst = plain_instance(syn.weights, case.m, rows, cols, mins, standard=STANDARD,
                          cutoff=cutoff or float(mins.max()))
    return syn.weights, None, inst, case.p, {}


def run_ours(case_name: str, model: str, solver_name: str,
             time_limit: float = OURS_TIME_LIMIT) -> dict:
    from planning import capacitated, mclp, pmedian  # noqa: F401  pmedian: before the clock
    from planning.model import ModelOptions
    from planning.optimize import solve_built
    from planning.scenario import Solver
    from planning.solve import build, model_options, run_scenario

    weights, dense, inst, p, extra = _problem(case_name, model)
    solver = Solver(name=solver_name, time_limit_seconds=time_limit, mip_gap=1e-4)
    if case_name == "kz" and model == "capacitated":
        scenario = extra["scenario"]
        scenario.solver = solver
        start = time.perf_counter()
        result = run_scenario(scenario, extra["layers"])
        s = result.summary
        return {"build_s": s["build_seconds"], "solve_s": s["solve_seconds"],
                "wall_s": time.perf_counter() - start, "status": s["status"], "gap": s["gap"],
                "objective": s["children_covered"], "size": f"{inst.n}x{inst.m}",
                "note": "run_scenario end to end (matrix, model, solve, results)"}
    if case_name == "kz":
        rows, cols = np.nonzero(np.isfinite(dense) & (dense <= (STANDARD if model == "mclp"
                                                                 else np.inf)))
        inst = plain_instance(weights, dense.shape[1], rows, cols, dense[rows, cols],
                              standard=STANDARD, cutoff=float(dense[rows, cols].max()))
    if model == "capacitated":
        inst.capacity[:] = 1.5 * weights.sum() / p
        inst.capex[:], inst.opex[:] = 60e6, 24e6
        opt = model_options(_default_like())
        opt.budget_total = p * (60e6 + 5 * 24e6)
    elif model == "mclp":
        opt = ModelOptions(objective="max_coverage", max_new=p)
    else:
        opt = ModelOptions(objective="min_travel", max_new=p)
    start = time.perf_counter()
    if model == "mclp" and mclp.applies(inst, opt, solver):  # as solve_instance does
        _, info, fast = mclp.solve(inst, opt, solver)
        total = time.perf_counter() - start
        return {"build_s": fast.steps["build"], "solve_s": total - fast.steps["build"],
                "wall_s": total, "cpu_s": time.process_time(), "load": os.getloadavg()[0],
                "status": info.status, "gap": info.gap,
                "objective": fast.value if info.has_solution else None,
                "size": f"{inst.n}x{inst.m}", "pairs": int(inst.rows.size),
                "variables": fast.columns, "constraints": fast.rows}
    if model == "capacitated" and capacitated.applies(inst, opt, solver):  # as solve_instance does
        built, info, outcome = capacitated.solve(inst, opt, solver)
        build_s = outcome.steps["build"]
    else:
        built = build(inst, opt, solver)
        build_s = time.perf_counter() - start
        info = solve_built(built, solver)
    total = time.perf_counter() - start
    objective = None
    if model == "pmedian" and info.has_solution and built.radius is not None:
        objective = built.radius.cost(built.inst, built.counts())  # true, not truncated
    elif model == "capacitated" and info.has_solution:
        objective = sum(float(inst.weights[i]) * e.value() for i, e in built.cover.items())
    elif info.has_solution:
        objective = built.prob.objective.value()
    variables, constraints = built.dimensions()
    return {"build_s": build_s, "solve_s": total - build_s, "wall_s": total,
            "cpu_s": time.process_time(), "load": os.getloadavg()[0],
            "status": info.status, "gap": info.gap, "objective": objective,
            "to_1pct_s": time_to_gap(built.trace, 0.01, start),
            "size": f"{inst.n}x{inst.m}", "pairs": int(inst.rows.size),
            "variables": variables, "constraints": constraints}


def time_to_gap(trace: list[tuple[float, float, float]], gap: float,
                start: float) -> float | None:
    """Seconds from `start` until the best plan was first within `gap` of the best bound
    (a p-median's trace of (time, plan cost, bound)); None if never."""
    for t, upper, lower in trace:
        if np.isfinite(lower) and upper - lower <= gap * upper:
            return t - start
    return None


def _default_like():
    from planning.scenario import Scenario

    s = Scenario.default("KZ")
    s.family_care.enabled = False
    return s


def run_spopt(case_name: str, model: str) -> dict:
    import pulp

    warnings.filterwarnings("ignore")
    from spopt.locate import MCLP, PMedian

    weights, dense, _inst, p, _ = _problem(case_name, "spopt")
    dense = np.where(np.isfinite(dense), dense, 1e6)
    start = time.perf_counter()
    if model == "mclp":
        m = MCLP.from_cost_matrix(dense, weights, service_radius=STANDARD, p_facilities=p)
    else:
        m = PMedian.from_cost_matrix(dense, weights, p_facilities=p)
    build_s = time.perf_counter() - start
    m.solve(pulp.HiGHS(msg=False, gapRel=1e-4, timeLimit=600), results=False)
    total = time.perf_counter() - start
    prob = m.problem
    status = {pulp.LpSolutionOptimal: "optimal",
              pulp.LpSolutionIntegerFeasible: "feasible"}.get(prob.sol_status, "time_limit")
    gap = prob.solverModel.getInfo().mip_gap
    return {"build_s": build_s, "solve_s": total - build_s, "wall_s": total,
            "status": status, "gap": gap if np.isfinite(gap) else None,
            "objective": prob.objective.value(), "size": f"{dense.shape[0]}x{dense.shape[1]}",
            "variables": len(prob.variables()), "constraints": len(prob.constraints)}


def child(case_name: str, who: str, model: str, solver_name: str,
          time_limit: float = OURS_TIME_LIMIT) -> None:
    """Run one model on one case and print its figures as JSON (the subprocess side)."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    out = (run_ours(case_name, model, solver_name, time_limit) if who == "ours"
           else run_spopt(case_name, model))
    out["peak_mb"] = _peak_mb()
    print(json.dumps(out))


# -- the driver --------------------------------------------------------------------------

def _skip_reason(case_name: str, who: str, model: str) -> str | None:
    if who != "spopt" or case_name == "kz":
        return None
    case = CASES[case_name]
    pairs = case.n * case.m
    if model == "pmedian" and pairs > SPOPT_MAX_PAIRS:
        return f"skipped: {pairs / 1e6:.0f} M assignment variables"
    return None


def run(case_name: str, who: str, model: str, solver_name: str,
        time_limit: float = OURS_TIME_LIMIT) -> dict:
    reason = _skip_reason(case_name, who, model)
    if reason:
        return {"status": reason}
    cmd = [sys.executable, __file__, "--child", case_name, who, model, "--solver", solver_name,
           "--time-limit", str(time_limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode != 0:
        return {"status": "error: " + proc.stderr.strip().splitlines()[-1][:80]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(v, spec: str = ".2f") -> str:
    return "" if v is None else format(v, spec)


def table(rows: list[dict]) -> str:
    head = ("case", "model", "size", "build s", "solve s", "peak MB", "status", "gap",
            "to 1% s", "objective", "spopt s", "spopt MB", "ratio", "optima")
    lines = [head]
    for r in rows:
        o, s = r["ours"], r.get("spopt") or {}
        ratio = (s["wall_s"] / o["wall_s"]) if "wall_s" in s and "wall_s" in o else None
        spopt_s = _fmt(s.get("wall_s")) if "wall_s" in s else s.get("status", "")
        lines.append((r["case"], r["model"], o.get("size", ""), _fmt(o.get("build_s"), ".3f"),
                      _fmt(o.get("solve_s"), ".3f"), _fmt(o.get("peak_mb"), ".0f"),
                      o.get("status", ""), _fmt(o.get("gap"), ".1e"),
                      _fmt(o.get("to_1pct_s"), ".1f"), _fmt(o.get("objective"), ",.1f"),
                      spopt_s, _fmt(s.get("peak_mb"), ".0f"),
                      f"{ratio:.1f}x" if ratio else "", family.same_optima(o, s)))
    widths = [max(len(str(x[k])) for x in lines) for k in range(len(head))]
    fmt = lambda x: "  ".join(str(v).ljust(w) for v, w in zip(x, widths))  # noqa: E731
    return "\n".join([fmt(lines[0]), fmt(["-" * w for w in widths])] + [fmt(x) for x in lines[1:]])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the quick family (2 cases)")
    ap.add_argument("--case", action="append", choices=["kz", *CASES], help="repeatable")
    ap.add_argument("--family-case", action="append", help="one family case by name")
    ap.add_argument("--model", action="append", choices=list(MODELS),
                    help="only these models of the named cases (repeatable)")
    ap.add_argument("--time-limit", type=float, default=OURS_TIME_LIMIT,
                    help="Otbasy's limit for the whole solve (reductions, build and solve)")
    ap.add_argument("--solver", choices=["highs", "cbc"], default="highs")
    ap.add_argument("--report", action="store_true", help="print bench/results.json again")
    ap.add_argument("--child", nargs=3, metavar=("CASE", "WHO", "MODEL"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child, args.solver, args.time_limit)
        return 0
    if args.report:
        print(table(json.loads((ROOT / "bench" / "results.json").read_text())))
        print(family.table(json.loads((ROOT / "bench" / "family.json").read_text())))
        return 0
    fam_rows: list[dict] = []
    fam_text = ""
    if not args.case:
        fam_rows, fam_text = family.run(args.quick, args.family_case,
                                     path=None if args.quick else family.OUT)
        print(f"Family: Otbasy vs spopt 0.7 + HiGHS, wall seconds (build + solve) on "
              f"{os.cpu_count()} CPU cores, ratio = spopt / Otbasy\n{fam_text}\n", flush=True)
    if args.quick or args.family_case:
        return 1 if family.differs(fam_rows) else 0
    names = args.case or ["kz", *CASES]
    rows = []
    for name in names:
        for model in args.model or MODELS:
            print(f"... {name} {model}", file=sys.stderr, flush=True)
            row = {"case": name, "model": model,
                   "ours": run(name, "ours", model, args.solver, args.time_limit)}
            if model != "capacitated":
                row["spopt"] = run(name, "spopt", model, args.solver)
            rows.append(row)
    text = table(rows)
    head = (f"Otbasy model vs spopt 0.7, PuLP {_pulp_version()}, HiGHS for spopt, "
            f"{args.solver} for Otbasy; seconds are wall time, ratio = spopt / Otbasy "
            f"(build + solve), {os.cpu_count()} CPU cores")
    print(head)
    print(text)
    if not args.case and not args.quick and not args.model:
        atomic_write_text(ROOT / "bench" / "results.json", json.dumps(rows, indent=2) + "\n")
        block = (f"{MARK_START}\n{head}\n\n```\n{text}\n```\n\nFamily (bench/family.py), "
                 f"ratio = spopt / Otbasy CPU seconds (build + solve):\n\n```\n{fam_text}\n```\n"
                 f"{MARK_END}")
        md = ROOT / "bench" / "results.md"
        atomic_write_text(md, with_block(md.read_text(encoding="utf-8") if md.exists() else "",
                                         block))
    return 1 if "DIFFERENT" in text or family.differs(fam_rows) else 0


MARK_START, MARK_END = "<!-- make-bench:start -->", "<!-- make-bench:end -->"


def with_block(old: str, block: str) -> str:
    """bench/results.md with `make bench`'s block replaced (or put first): the measured
    sections written by hand around it are kept."""
    if MARK_START in old and MARK_END in old:
        return old[:old.index(MARK_START)] + block + old[old.index(MARK_END) + len(MARK_END):]
    return block + "\n\n" + old


def _pulp_version() -> str:
    import pulp

    return pulp.__version__


if __name__ == "__main__":
    sys.exit(main())
