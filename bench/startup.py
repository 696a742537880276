"""Start-up of the command line: `python -m planning solve` on the default scenario, whole
process, median of several runs.

  .venv/bin/python bench/startup.py [--runs 5]

Writes the default scenario (`python -m planning example`) to a temporary folder, runs one
warm-up and then `--runs` timed solves, each a fresh process, and prints every run's wall and
CPU seconds (user + system, from the operating system's accounting of the finished child)
with their medians and the load average. The target is a median wall time of 2 s or less on
an idle machine; on a loaded one the CPU seconds stand in for it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "s.toml"
        scenario.write_text(subprocess.run(
            [sys.executable, "-m", "planning", "example"], cwd=ROOT, check=True,
            capture_output=True, text=True).stdout, encoding="utf-8")
        cmd = [sys.executable, "-m", "planning", "solve", str(scenario), "--out",
               str(Path(tmp) / "out")]
        walls, cpus = [], []
        for k in range(args.runs + 1):
            cpu0, t0 = _cpu(), time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
            if k:  # the first run warms the file cache and is not counted
                walls.append(wall)
                cpus.append(cpu)
                print(f"run {k}: wall {wall:.3f} s, cpu {cpu:.3f} s", flush=True)
    print(f"median of {args.runs}: wall {statistics.median(walls):.3f} s, "
          f"cpu {statistics.median(cpus):.3f} s; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
