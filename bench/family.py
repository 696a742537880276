"""Run the benchmark family (instances: bench/family_cases.py): Otbasy against spopt +
HiGHS, side by side.

  python bench/family.py --quick          # two 350x500 cases, spopt's solve at 30 s, no file
  python bench/family.py                  # the 24 cases, resuming bench/family.json
  python bench/family.py --case NAME ...  # named cases;  --report: print the JSON's table
  python bench/family.py --redo-ours      # measure Otbasy again (done by itself when the
                                          # planning code changed: `code` fingerprint)

Each model of each case runs in its own subprocess, one side after the other on the
identical instance: Otbasy's p-median (`planning.solve.build` + `solve_built`: the
reductions and the radius model) and spopt's `PMedian.from_cost_matrix` (the classic
formulation, one assignment variable per pair), Otbasy's MCLP (`planning.mclp`'s fast path,
as the product solves it) and spopt's `MCLP.from_cost_matrix`. Each side imports its modules
before its clock starts. Times are wall seconds from the dense cost matrix to the solved
model (build + solve), both with HiGHS at a 1e-4 relative gap, and the CPU seconds of that
interval (all threads); each part records the load average it ran at. The ratio is taken on
CPU seconds when both sides have them (a shared machine's load stretches wall time but not CPU
time; on an idle machine the two agree), else on wall seconds. spopt's solve stops at SPOPT_LIMIT
(600 s) and its whole run at SPOPT_BOX CPU seconds;
its classic p-median is skipped when its estimated memory (SPOPT_BYTES_PER_PAIR) exceeds the
memory available or SPOPT_MEM_LIMIT; a ratio against an unproven spopt is a floor (`>=`).
Every part is written to the JSON as soon as measured, so a stopped run resumes; cases run
riskiest first (`family.risk`). The optima are compared whenever both are proven optimal.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.family_cases import FamilyCase, family, instance, plain_instance  # noqa: E402
from geo.atomic import atomic_write_text  # noqa: E402

GAP = 1e-4
OURS_LIMIT = 120.0
SPOPT_LIMIT = 600.0  # generous: where spopt can prove optimality, the ratio is then real
QUICK_SPOPT_LIMIT = 30.0  # --quick (development): spopt's ratios are then mostly floors
SPOPT_BOX = 1800.0   # whole spopt run (PuLP build + solve) per model, CPU seconds; a floor
SPOPT_BYTES_PER_PAIR = 6_000  # measured: ~1 GB per 175,000 PuLP assignment variables
SPOPT_MEM_LIMIT = 16 * 2**30  # address-space cap of a spopt child (24 GiB shared machine)
OPTIMA_RTOL = 1e-6
OUT = ROOT / "bench" / "family.json"


def _instance(cost: np.ndarray, w: np.ndarray, radius: float, within: float | None):
    if within is None:
        rows, cols = np.indices(cost.shape).reshape(2, -1)
    else:
        rows, cols = np.nonzero(cost <= within)
    return plain_instance(w, cost.shape[1], rows, cols, cost[rows, cols], standard=radius,
                          cutoff=float(cost.max()) + 1.0 if within is None else within)


def ours(model: str, cost: np.ndarray, w: np.ndarray, radius: float, p: int) -> dict:
    """Otbasy's build + solve of one model: the product's path for it (`planning.mclp`'s
    fast path when it applies, else `build` + `solve_built`). Modules are imported before
    the clock starts, as spopt's are in `spopt`."""
    import scipy.sparse  # noqa: F401  (the fast paths import it on first use)

    from planning import mclp, pmedian  # noqa: F401
    from planning.model import ModelOptions
    from planning.optimize import solve_built
    from planning.scenario import Solver
    from planning.solve import build

    solver = Solver(name="highs", time_limit_seconds=OURS_LIMIT, mip_gap=GAP)
    start, cpu = time.perf_counter(), time.process_time()
    if model == "pmedian":
        inst = _instance(cost, w, radius, None)
        opt = ModelOptions(objective="min_travel", max_new=p)
    else:
        inst = _instance(cost, w, radius, radius)
        opt = ModelOptions(objective="max_coverage", max_new=p)
        if mclp.applies(inst, opt, solver):
            _, info, fast = mclp.solve(inst, opt, solver)
            return {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
                    "status": info.status, "gap": info.gap,
                    "objective": fast.value if info.has_solution else None,
                    "variables": fast.columns}
    built = build(inst, opt, solver)
    info = solve_built(built, solver)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    value = None
    if info.has_solution:
        value = (built.radius.cost(built.inst, built.counts()) if model == "pmedian"
                 else float(built.prob.objective.value()))
    return {"wall_s": wall, "cpu_s": cpu, "status": info.status, "gap": info.gap,
            "objective": value,
            "variables": built.dimensions()[0]}


def spopt(model: str, cost: np.ndarray, w: np.ndarray, radius: float, p: int,
          limit: float = SPOPT_LIMIT) -> dict:
    import pulp
    from spopt.locate import MCLP, PMedian

    start, cpu = time.perf_counter(), time.process_time()
    if model == "pmedian":
        m = PMedian.from_cost_matrix(cost, w, p_facilities=p)
    else:
        m = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=p)
    build_s = time.perf_counter() - start
    try:
        m.solve(pulp.HiGHS(msg=False, gapRel=GAP, timeLimit=limit), results=False)
    except RuntimeError:  # spopt raises when HiGHS stopped at the limit without a plan
        return {"wall_s": time.perf_counter() - start, "build_s": build_s,
                "cpu_s": time.process_time() - cpu, "status": "time_limit"}
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    prob = m.problem
    status = {pulp.LpSolutionOptimal: "optimal",
              pulp.LpSolutionIntegerFeasible: "feasible"}.get(prob.sol_status, "time_limit")
    return {"wall_s": wall, "cpu_s": cpu, "build_s": build_s, "status": status,
            "objective": prob.objective.value(), "variables": len(prob.variables())}


def _memory_available() -> int:
    """Bytes the kernel says a new process can use now (MemAvailable)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def spopt_skip(model: str, n: int, m: int) -> str | None:
    """Why spopt's classic p-median cannot run here now (memory), else None."""
    need = n * m * SPOPT_BYTES_PER_PAIR if model == "pmedian" else 0
    if need > min(SPOPT_MEM_LIMIT, _memory_available()):
        return (f"skipped: {n * m / 1e6:.1f} M assignment variables need ~{need / 2**30:.0f} "
                f"GiB, {_memory_available() / 2**30:.0f} GiB available")
    return None


def child(name: str, who: str, model: str, limit: str = str(SPOPT_LIMIT)) -> None:
    """One model of one case in this process, by Otbasy or spopt, printed as JSON."""
    warnings.filterwarnings("ignore")
    if who == "spopt":
        resource.setrlimit(resource.RLIMIT_AS, (SPOPT_MEM_LIMIT, SPOPT_MEM_LIMIT))
        box = int(SPOPT_BOX)  # CPU seconds: the kernel stops it (SIGXCPU) however loaded
        resource.setrlimit(resource.RLIMIT_CPU, (box, box + 5))
    case = FamilyCase.parse(name)
    cost, w, radius = instance(case)
    out = (ours(model, cost, w, radius, case.p) if who == "ours"
           else spopt(model, cost, w, radius, case.p, float(limit)))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out["load"] = os.getloadavg()[0]
    out["code"] = code_version() if who == "ours" else spopt_version()
    if who == "spopt":
        out["limit_s"] = float(limit)
    print(json.dumps(out))


def run_part(name: str, who: str, model: str, limit: float = SPOPT_LIMIT) -> dict:
    """One model of one case by one side, in its own subprocess (time-boxed for spopt)."""
    if who == "spopt":
        case = FamilyCase.parse(name)
        reason = spopt_skip(model, case.n, case.m)
        if reason:
            return {"status": reason}
    start = time.perf_counter()
    cpu0 = _children_cpu()
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", name, who, model,
                               str(limit)],
                              capture_output=True, text=True, cwd=ROOT,
                              timeout=4 * SPOPT_BOX if who == "spopt" else None)
    except subprocess.TimeoutExpired:
        proc = None
    if proc is None or proc.returncode == -signal.SIGXCPU:
        # the box: CPU seconds of the whole child (its imports and instance included)
        return {"wall_s": time.perf_counter() - start, "cpu_s": _children_cpu() - cpu0,
                "status": "time_box", "load": os.getloadavg()[0]}
    if proc.returncode != 0:
        err = (proc.stderr.strip().splitlines() or ["?"])[-1][:100]
        return {"status": "error: " + err}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def code_version() -> str:
    """A fingerprint of the code our side runs (planning/ and the family's instances): a
    measurement of ours made with other code is stale and is measured again."""
    h = hashlib.sha256()
    for f in sorted([*(ROOT / "planning").glob("*.py"), ROOT / "bench" / "family_cases.py"]):
        h.update(f.name.encode() + f.read_bytes())
    return base64.b32encode(h.digest()).decode()[:12]  # not hex: no secret scanner's false alarm


def spopt_version() -> str:
    from importlib.metadata import version

    return f"spopt {version('spopt')}, pulp {version('pulp')}, highspy {version('highspy')}"


def _children_cpu() -> float:
    """CPU seconds of every finished child so far (user + system)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load_rows(path: Path = OUT) -> dict[str, dict]:
    """The results so far, by case name."""
    if not path.exists():
        return {}
    return {r["case"]: r for r in json.loads(path.read_text())}


def run_case(name: str, rows: dict[str, dict], redo_ours: bool = False,
             path: Path | None = OUT, limit: float = SPOPT_LIMIT,
             sides: tuple[str, ...] = ("ours", "spopt")) -> dict:
    """Fill in whatever of case `name` is missing from `rows` (each part saved to `path` as
    soon as it is measured, so an interrupted run resumes where it stopped)."""
    row = rows.setdefault(name, {"case": name})
    for model in ("pmedian", "mclp"):
        for who in sides:
            have = row.get(model, {}).get(who)
            if have and not str(have.get("status", "")).startswith("error") and not (
                    who == "ours" and (redo_ours or have.get("code") != code_version())):
                continue
            print(f"... family {name} {model} {who}", file=sys.stderr, flush=True)
            row.setdefault(model, {})[who] = run_part(name, who, model, limit)
            if path is not None:
                atomic_write_text(path, json.dumps(list(rows.values()), indent=1) + "\n")
    return row


def ratio(row: dict, model: str, key: str | None = None) -> float | None:
    """spopt seconds / Otbasy seconds when both ran: CPU seconds when both sides have them
    (`key` None), else wall; `key` "wall_s" or "cpu_s" asks for one."""
    r = row.get(model, {})
    o, s = r.get("ours", {}), r.get("spopt", {})
    if key is None:
        key = "cpu_s" if "cpu_s" in o and "cpu_s" in s else "wall_s"
    if key in o and key in s and o[key] > 0:
        return s[key] / o[key]
    return None


def same_optima(ours: dict, spopt: dict) -> str:
    """Whether two measured solves agree: equal (to OPTIMA_RTOL) or DIFFERENT when both are
    proven optimal, else why they cannot be compared."""
    a, b = ours.get("objective"), spopt.get("objective")
    if a is None or b is None:
        return ""
    if ours.get("status") != "optimal" or spopt.get("status") != "optimal":
        return "n/a: not both optimal"
    return "equal" if abs(a - b) <= OPTIMA_RTOL * max(1.0, abs(a), abs(b)) else "DIFFERENT"


def optima(row: dict, model: str) -> str:
    r = row.get(model, {})
    return same_optima(r.get("ours", {}), r.get("spopt", {}))


def differs(rows: list[dict]) -> bool:
    """True when some case's proven optima disagree (the benchmark then fails)."""
    return any(optima(r, model) == "DIFFERENT" for r in rows for model in ("pmedian", "mclp"))


def summary(rows: list[dict]) -> list[str]:
    """Geometric mean and minimum of the ratio per model, and the optima verdicts."""
    out = []
    for model in ("pmedian", "mclp"):
        rs = [x for x in (ratio(r, model) for r in rows) if x is not None]
        walls = [x for x in (ratio(r, model, "wall_s") for r in rows) if x is not None]
        verdicts = [optima(r, model) for r in rows]
        floors = sum(1 for r in rows if ratio(r, model) is not None
                     and r[model]["spopt"].get("status") != "optimal")
        skipped = sum(1 for r in rows if str(r.get(model, {}).get("spopt", {}).get(
            "status", "")).startswith("skipped"))
        if rs:
            geo = math.exp(sum(math.log(x) for x in rs) / len(rs))
            gwall = math.exp(sum(math.log(x) for x in walls) / len(walls))
            out.append(f"{model}: {len(rs)} cases vs spopt, ratio geometric mean {geo:.1f}x, "
                       f"min {min(rs):.1f}x, max {max(rs):.1f}x (wall: geometric mean "
                       f"{gwall:.1f}x, min {min(walls):.1f}x); optima equal "
                       f"{verdicts.count('equal')}, DIFFERENT {verdicts.count('DIFFERENT')}, "
                       f"not both optimal {verdicts.count('n/a: not both optimal')}"
                       + (f"; in {floors} spopt was not proven optimal (its solve limit or "
                          "whole-run time box), so those ratios are floors"
                          if floors else "")
                       + (f"; spopt skipped on {skipped} (no ratio)" if skipped else ""))
    return out


def _fmt(v, spec: str = ".2f") -> str:
    return "" if v is None else format(v, spec)


def _ratio_text(x: float | None, spopt_run: dict) -> str:
    """The ratio; '>=' when spopt stopped at its time limit (its time is then a floor)."""
    if not x:
        return ""
    return (">=" if spopt_run.get("status") != "optimal" else "") + f"{x:.1f}x"


def table(rows: list[dict]) -> str:
    head = ("case", "model", "ours s", "ours cpu", "status", "gap", "objective", "spopt s",
            "spopt cpu", "spopt status", "ratio", "wall ratio", "optima")
    lines = [head]
    for r in rows:
        for model in ("pmedian", "mclp"):
            o, s = r.get(model, {}).get("ours", {}), r.get(model, {}).get("spopt", {})
            x = ratio(r, model)
            lines.append((r["case"], model, _fmt(o.get("wall_s")), _fmt(o.get("cpu_s")),
                          o.get("status", "not run"),
                          _fmt(o.get("gap"), ".1e"), _fmt(o.get("objective"), ",.1f"),
                          _fmt(s.get("wall_s")), _fmt(s.get("cpu_s")),
                          s.get("status", "not run"), _ratio_text(x, s),
                          _ratio_text(ratio(r, model, "wall_s"), s), optima(r, model)))
    widths = [max(len(str(x[k])) for x in lines) for k in range(len(head))]
    fmt = lambda x: "  ".join(str(v).ljust(w) for v, w in zip(x, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(lines[0]), fmt(["-" * w for w in widths])] + [fmt(x) for x in lines[1:]])


def run(quick: bool, names: list[str] | None = None, redo_ours: bool = False,
        path: Path | None = OUT, sides: tuple[str, ...] = ("ours", "spopt"),
        limit: float | None = None) -> tuple[list[dict], str]:
    """Run the family (or the named cases), resuming from `path`; rows and printed text
    (only the cases asked for). `limit`: spopt's solve limit (default by `quick`)."""
    cases = names or [c.name for c in family(quick)]
    rows = load_rows(path) if path is not None else {}
    if limit is None:
        limit = QUICK_SPOPT_LIMIT if quick else SPOPT_LIMIT
    for name in cases:
        run_case(name, rows, redo_ours, path, limit, sides)
    asked = [rows[n] for n in cases]
    text = table(asked) + "\n\n" + "\n".join(summary(asked))
    return asked, text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Otbasy vs spopt + HiGHS on the family")
    ap.add_argument("--quick", action="store_true", help="two 350x500 cases (< 3 min idle)")
    ap.add_argument("--case", action="append", help="a family case by name (repeatable)")
    ap.add_argument("--redo-ours", action="store_true",
                    help="measure Otbasy again where the JSON has it (after a code change)")
    ap.add_argument("--out", type=Path, default=OUT, help="results JSON (resumed from)")
    ap.add_argument("--fresh", action="store_true", help="ignore the JSON, do not write it")
    ap.add_argument("--report", action="store_true", help="print the JSON's table, run none")
    ap.add_argument("--side", choices=("ours", "spopt"), action="append",
                    help="measure only this side (repeatable; default both)")
    ap.add_argument("--spopt-limit", type=float, help="spopt's solve limit, seconds")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.report:
        rows = list(load_rows(args.out).values())
        print(table(rows) + "\n\n" + "\n".join(summary(rows)))
        return 0
    path = None if args.fresh or args.quick else args.out
    rows, text = run(args.quick, args.case, args.redo_ours, path,
                     tuple(args.side or ("ours", "spopt")), args.spopt_limit)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPU cores; ratio = spopt / "
          f"Otbasy CPU seconds (build + solve; wall ratio beside it)\n{text}")
    return 1 if differs(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
