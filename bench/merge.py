"""Upload merge benchmark: seconds of `geo.merge.preview` and `geo.merge.apply` (merge by id)
on Kazakhstan's bundled layers merged with themselves (every id known: the most work), best
of 3. The app applies an active merged upload on every page run, so this must stay well under
a second.

  .venv/bin/python bench/merge.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import merge
from geo.layers import load_layers


def best(fn, repeat: int = 3) -> float:
    """Fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    layers = load_layers("KZ")
    print("| layer | records | preview s | apply s |\n|---|---:|---:|---:|")
    for name in ("institutions", "centres", "foster", "settlements"):
        frame = getattr(layers, name)
        p = best(lambda f=frame, n=name: merge.preview(f, f, n, "merge"))
        a = best(lambda f=frame, n=name: merge.apply(f, f, n, "merge"))
        print(f"| {name} | {len(frame)} | {p:.3f} | {a:.3f} |")


if __name__ == "__main__":
    main()
