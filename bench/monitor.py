"""The Monitor page's data, as the page computes it once per process: the gatekeeping series on
a boundary version, its indicator table and the public view (small-count protection).

  .venv/bin/python bench/monitor.py [--runs 3] [--level district] [--version 2022]

Each run is a fresh process (nothing cached between runs) that times every step in CPU
seconds (`time.process_time`, so load on the machine does not inflate it) and wall seconds;
the medians over `--runs` are printed with the load average. The public view of the 224
districts of 2022 took 2.3 CPU s (5.3 s wall under load) before it was vectorised.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("series", "indicators", "public_view", "total")


def measure(country: str, version: int, level: str) -> dict[str, tuple[float, float]]:
    """(CPU s, wall s) of each step of `app_pages.monitor.monitor_data`, in this process."""
    from gatekeeping.indicators import indicator_table
    from gatekeeping.series import on_version
    from geo import layers as geo_layers
    from ui import monitor as mon

    out: dict[str, tuple[float, float]] = {}
    start = cpu = time.process_time(), time.perf_counter()
    long = on_version(country, level, version)
    out["series"] = _since(cpu)
    cpu = time.process_time(), time.perf_counter()
    table = indicator_table(long)
    out["indicators"] = _since(cpu)
    cpu = time.process_time(), time.perf_counter()
    parents = None
    if level == "district":
        units = geo_layers.load_boundaries(country, version, level)
        parents = dict(zip(units["code"], units["parent_code"]))
    mon.public_view(table, parents)
    out["public_view"] = _since(cpu)
    out["total"] = _since(start)
    return out


def _since(mark: tuple[float, float]) -> tuple[float, float]:
    return time.process_time() - mark[0], time.perf_counter() - mark[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--country", default="KZ")
    ap.add_argument("--version", type=int, default=2022)
    ap.add_argument("--level", default="district", choices=("district", "oblast"))
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.country, args.version, args.level)))
        return 0
    runs = []
    for k in range(args.runs):
        done = subprocess.run([sys.executable, __file__, "--child", "--country", args.country,
                               "--version", str(args.version), "--level", args.level],
                              cwd=ROOT, check=True, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"run {k + 1}: " + ", ".join(f"{s} {runs[-1][s][0]:.3f} CPU s" for s in STEPS),
              flush=True)
    print(f"median of {args.runs} ({args.country} {args.version} {args.level}): " + ", ".join(
        f"{s} {statistics.median(r[s][0] for r in runs):.3f} CPU s "
        f"({statistics.median(r[s][1] for r in runs):.3f} s wall)" for s in STEPS)
        + f"; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
