"""The truncated radius formulation of min_travel as arrays (one implementation of its rows).

For settlement i with distinct travel times D_1 < ... < D_K to its sites, u_k >= u_{k-1} -
sum_{j at level k} y_j (u_0 = 1, u_k >= 0) is 1 exactly when no centre is open within D_k,
and the cost is w_i (D_1 + sum_k (D_{k+1} - D_k) u_k). Only the first L_i levels are
modelled: the truncated cost min(true, D_{L+1}) is a lower bound, exact when the nearest open
centre is within level L+1; `Radius.deepen` deepens the violators (Garcia, Labbe & Marin
2011). Deepening only adds levels, so a deeper model is the shallower one plus new columns
and rows: `levels` returns just those, for the PuLP model (`planning.model`) and for the
HiGHS model kept across rounds (`planning.radius_highs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.instance import Instance


@dataclass
class Radius:
    """Truncation state of the radius formulation: per settlement, its pairs sorted by
    minutes (`order`, CSR `start`), the level of each sorted pair, and levels kept."""

    order: np.ndarray
    start: np.ndarray
    level: np.ndarray
    kept: np.ndarray

    @classmethod
    def of(cls, inst: Instance, first: int, start: np.ndarray | None = None) -> Radius:
        """Levels sorted per settlement; `first` levels kept, or with a `start` plan (centres
        per site) at least each settlement's level of its nearest open start site: the
        start plan's cost is then modelled exactly."""
        order = np.lexsort((inst.minutes, inst.rows))
        rows, mins = inst.rows[order], inst.minutes[order]
        start_at = np.searchsorted(rows, np.arange(inst.n + 1))
        new_level = np.ones(order.size, dtype=int)
        new_level[1:] = (rows[1:] != rows[:-1]) | (mins[1:] > mins[:-1])
        cum = np.cumsum(new_level)
        row_first = np.repeat(start_at[:-1], np.diff(start_at))
        level = cum - cum[row_first] + 1  # 1 at each settlement's nearest sites
        kept = np.where(inst.weights > 0, first, 0)  # no children: only the assign row
        radius = cls(order, start_at, level, kept)
        if start is not None:
            opened = start[inst.cols[order]] > 0
            hit = np.flatnonzero(opened)
            rows_hit = rows[hit]
            firsts = hit[np.unique(rows_hit, return_index=True)[1]]
            at = np.full(inst.n, first)
            at[rows[firsts]] = np.maximum(level[firsts], first)
            radius.kept = np.where(inst.weights > 0, at, 0)
        return radius

    def total(self, i: int) -> int:
        return int(self.level[self.start[i + 1] - 1]) if self.start[i + 1] > self.start[i] else 0

    def totals(self) -> np.ndarray:
        """Levels per settlement (0 without pairs)."""
        ends = self.start[1:]
        has = ends > self.start[:-1]
        if not has.any():  # no pairs at all (e.g. nothing within the cut-off)
            return np.zeros(ends.size, dtype=int)
        return np.where(has, self.level[np.maximum(ends - 1, 0)], 0)

    def modelled(self) -> np.ndarray:
        """u levels modelled per settlement: those kept, but never level K (the assignment
        row stands for it)."""
        total = self.totals()
        return np.where(self.kept < total, self.kept, np.maximum(total - 1, 0))

    def cost(self, inst: Instance, counts: np.ndarray) -> float:
        """True child-minutes of a plan: each settlement to its nearest open site."""
        opened = counts[inst.cols[self.order]] > 0
        rows = inst.rows[self.order][opened]
        first = np.unique(rows, return_index=True)[1]
        mins = inst.minutes[self.order][opened][first]
        return float((inst.weights[rows[first]] * mins).sum())

    def nearest_level(self, inst: Instance, counts: np.ndarray) -> np.ndarray:
        """Per settlement, the level of its nearest open site (K + 1 when none is open)."""
        opened = counts[inst.cols[self.order]] > 0
        hit = np.flatnonzero(opened)
        out = self.totals() + 1
        rows = inst.rows[self.order][hit]
        first = np.unique(rows, return_index=True)[1]
        out[rows[first]] = self.level[hit[first]]
        return out

    def deepen(self, inst: Instance, counts: np.ndarray) -> bool:
        """Deepen every settlement whose nearest open centre lies beyond level kept+1 (its
        truncated cost undercounts); True when some did, so the model must be deepened."""
        sorted_open = counts[inst.cols[self.order]] > 0
        changed = False
        for i in np.flatnonzero(inst.weights > 0).tolist():
            a, b = self.start[i], self.start[i + 1]
            k = int(self.kept[i])
            if b == a or k >= self.total(i):
                continue
            hits = np.flatnonzero(sorted_open[a:b])
            nearest = int(self.level[a + hits[0]]) if hits.size else self.total(i)
            if nearest > k + 1:
                self.kept[i] = min(self.total(i), max(nearest, 2 * k))
                changed = True
        return changed


@dataclass
class Levels:
    """New u columns of the radius model and their rows, in one order: column c is
    u_{settlement[c], level[c]} with objective coefficient `cost[c]`; its row reads
    u_c - u_{prev[c]} + sum of y_j over `sites[start[c]:start[c + 1]]` >= `rhs[c]`
    (prev -1: no u_{k-1}, level 1 and rhs 1). Indices of u columns are global: the columns
    already modelled come first, so column c here is u column `offset + c`."""

    settlement: np.ndarray
    level: np.ndarray
    cost: np.ndarray
    prev: np.ndarray
    start: np.ndarray
    sites: np.ndarray
    rhs: np.ndarray
    offset: int = 0

    @property
    def size(self) -> int:
        return int(self.settlement.size)


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenation of arange(lo[k], hi[k]) for every k."""
    length = hi - lo
    if length.sum() == 0:
        return np.zeros(0, dtype=int)
    offsets = np.repeat(lo - np.r_[0, np.cumsum(length)[:-1]], length)
    return np.arange(int(length.sum())) + offsets


def levels(inst: Instance, radius: Radius, done: np.ndarray, last_col: np.ndarray,
           offset: int) -> Levels:
    """The u columns for levels done[i] + 1 .. `radius.modelled()[i]` of every settlement,
    numbered from `offset` (the count of u columns already modelled); `last_col[i]` is
    the index of settlement i's u_{done[i]} (-1 when done[i] is 0)."""
    new = np.maximum(radius.modelled() - done, 0)
    settlement = np.repeat(np.arange(inst.n), new)
    within = _ranges(np.zeros(inst.n, dtype=int), new)
    level = done[settlement] + 1 + within
    # each settlement's first sorted pair at each of its levels, settlement by settlement
    size = radius.level.size
    starts = np.zeros(size, dtype=bool)
    starts[radius.start[:-1][np.diff(radius.start) > 0]] = True
    starts[1:] |= np.diff(radius.level) != 0
    firsts = np.flatnonzero(starts)
    base = np.r_[0, np.cumsum(radius.totals())[:-1]]
    at = firsts[base[settlement] + level - 1]       # first pair of level k
    nxt = firsts[base[settlement] + level]          # first pair of level k + 1 (k < K)
    mins = inst.minutes[radius.order]
    cost = inst.weights[settlement] * (mins[nxt] - mins[at])
    prev = offset + np.arange(settlement.size) - 1
    first_new = within == 0
    prev[first_new] = last_col[settlement[first_new]]
    sites = inst.cols[radius.order[_ranges(at, nxt)]]
    start = np.r_[0, np.cumsum(nxt - at)]
    rhs = (level == 1).astype(float)
    return Levels(settlement, level, np.where(cost > 0, cost, 0.0), prev, start, sites, rhs,
                  offset)


def assign_rows(inst: Instance, radius: Radius) -> list[np.ndarray]:
    """Each settlement with children must have an open site among the sites it reaches:
    one row (the sites, sorted) per distinct set."""
    out: dict[bytes, np.ndarray] = {}
    cols = inst.cols[radius.order]
    for i in np.flatnonzero((inst.weights > 0) & (np.diff(radius.start) > 0)).tolist():
        reach = np.unique(cols[radius.start[i]:radius.start[i + 1]])
        out.setdefault(reach.tobytes(), reach)
    return list(out.values())


def constant(inst: Instance, radius: Radius) -> float:
    """The objective's constant: every settlement's children x minutes to its nearest site."""
    has = np.diff(radius.start) > 0
    first = radius.order[radius.start[:-1][has]]
    return float((inst.weights[has] * inst.minutes[first]).sum())


def plan_values(inst: Instance, radius: Radius, counts: np.ndarray, settlement: np.ndarray,
                level: np.ndarray) -> np.ndarray:
    """The values of u columns (settlement, level) in a plan: 1 while no centre is open
    within that level."""
    return (radius.nearest_level(inst, counts)[settlement] > level).astype(float)
