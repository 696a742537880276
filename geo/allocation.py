"""Whole-number allocation: split an integer total in proportion to weights, exactly.

Used wherever a count is shared out (demo data generators, re-basing figures between boundary
versions), so the parts always add up to the total and no child is created or lost by rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def largest_remainder(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split integer `total` in proportion to `weights`; the parts sum to `total` exactly.

    Ties in the remainders go to the earlier item, so the result is deterministic.
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"cannot split {total} over weights summing to {w.sum()}")
    quotas = w / w.sum() * total
    parts = np.floor(quotas).astype(int)
    short = total - int(parts.sum())
    order = np.argsort(-(quotas - parts), kind="stable")
    parts[order[:short]] += 1
    return parts
