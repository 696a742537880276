"""Children a capacitated plan covers, by maximum flow, and swaps guided by it.

With its centres fixed, capacitated maximal covering is a transportation problem: children
flow from settlements to open sites within the standard, at most capacity x centres into
each site. Its value is a maximum flow (source -> settlement: children; settlement -> site:
unbounded; site -> sink: capacity), which `scipy.sparse.csgraph.maximum_flow` finds in about
2 ms on 2,000 settlements x 40 open sites, where an LP re-solve of the same assignment takes
40-80 ms. The flow is a guide only: it ignores the equity rule and the cost tie-break, and
runs on integers (children and capacities scaled to ~2^30 in all); every plan the path keeps
is scored again on the capacitated model itself (`planning.capacitated`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from planning.instance import Instance

if TYPE_CHECKING:
    from scipy import sparse

SCALE_TOTAL = 2**30  # children in all, scaled to integers for the flow (int32 capacities)
CANDIDATES = 60      # closed sites whose exact gain is computed per round
PAIRS = 60           # (out, in) swaps evaluated exactly per round, best estimates first


class Flow:
    """Max-flow evaluator of plans on one instance: `value(counts)` children covered,
    `detail(counts)` also each settlement's uncovered children and the flow per pair."""

    def __init__(self, inst: Instance) -> None:
        keep = inst.within_standard()
        self.n, self.m = inst.n, inst.m
        self.rows, self.cols = inst.rows[keep], inst.cols[keep]
        total = float(inst.weights.sum())
        self.scale = SCALE_TOTAL / total if total > 0 else 1.0
        self.w = np.round(inst.weights * self.scale).astype(np.int64)
        big = int(self.w.sum())
        cap = np.where(np.isfinite(inst.capacity), inst.capacity * self.scale, big)
        self.cap = np.minimum(np.floor(cap), big).astype(np.int64)
        self.big = big
        self.cover = inst.cover_matrix()

    def _solve(self, counts: np.ndarray):
        opened = counts[self.cols] > 0
        r, c = self.rows[opened], self.cols[opened]
        room = np.minimum(self.cap * counts, self.big)
        return max_flow(self.w, r, c, self.w[r], room)[1]

    def value(self, counts: np.ndarray) -> float:
        """Children covered by the plan (`counts` centres per site), capacities respected."""
        return float(self._solve(counts).flow_value) / self.scale

    def detail(self, counts: np.ndarray) -> tuple[float, np.ndarray, sparse.csc_matrix]:
        """(children covered, uncovered children per settlement, settlements x sites flow
        in children)."""
        result = self._solve(counts)
        flow = result.flow.tocsr()[:self.n, self.n:self.n + self.m].maximum(0)
        served = np.asarray(flow.sum(axis=1)).ravel()
        return (float(result.flow_value) / self.scale,
                (self.w - served).clip(0) / self.scale, (flow / self.scale).tocsc())


def max_flow(demand: np.ndarray, rows: np.ndarray, cols: np.ndarray, middle: np.ndarray,
             supply: np.ndarray):
    """Maximum flow source -> demand node i (capacity demand[i]) -> site j along the arcs
    (rows, cols) (capacity `middle`) -> sink (capacity supply[j]), integers within int32.
    Nodes: demand 0..n-1, sites n..n+m-1, source n+m, sink n+m+1. Returns (graph, result
    of `scipy.sparse.csgraph.maximum_flow`)."""
    from scipy import sparse
    from scipy.sparse.csgraph import maximum_flow

    n, m = demand.size, supply.size
    source, sink = n + m, n + m + 1
    tail = np.concatenate([np.full(n, source), rows, n + np.arange(m)])
    head = np.concatenate([np.arange(n), n + cols, np.full(m, sink)])
    capacity = np.concatenate([demand, middle, supply]).astype(np.int32)
    graph = sparse.csr_matrix((capacity, (tail, head)), shape=(n + m + 2, n + m + 2))
    return graph, maximum_flow(graph, source, sink)


def swaps(inst: Instance, flow: Flow, counts: np.ndarray, fits: Callable[[np.ndarray], bool],
          deadline: float) -> np.ndarray:
    """Best-improvement moves of one centre (out of one site, into another, or into a site
    alone while the plan still `fits` its budgets and limits), the children covered counted
    by maximum flow. Per round: the exact loss of closing each open site, the exact gain of
    opening each of the CANDIDATES closed sites reaching most uncovered children, then the
    PAIRS swaps with the best estimate gain - loss + (children j served that k reaches, up
    to k's spare room) evaluated exactly. Stops at a local optimum or the deadline."""
    lo = inst.min_count
    hi = np.maximum(inst.max_count, inst.min_count)
    counts = counts.copy()
    value = flow.value(counts)
    step = 0.5  # children: flows are integers after scaling, so smaller changes are noise
    while time.perf_counter() < deadline:
        value, left, served = flow.detail(counts)
        out = np.flatnonzero(counts > lo)
        room = np.minimum(flow.cover.T @ left, flow.cap / flow.scale)
        into = np.flatnonzero((counts < hi) & (room > 0))
        if into.size == 0:
            break
        into = into[np.argsort(-room[into], kind="stable")][:CANDIDATES]
        gain = np.array([flow.value(_moved(counts, None, int(k))) for k in into]) - value
        best, best_value = None, value + step
        for b in np.argsort(-gain, kind="stable"):  # an extra centre where the money allows
            if gain[b] <= step:
                break
            trial = _moved(counts, None, int(into[b]))
            if fits(trial):
                best, best_value = trial, value + gain[b]
                break
        if out.size and time.perf_counter() < deadline:
            loss = value - np.array([flow.value(_moved(counts, int(j), None)) for j in out])
            overlap = (served[:, out].T @ flow.cover[:, into]).toarray()
            spare = np.maximum(flow.cap[into] / flow.scale - gain, 0.0)
            estimate = gain[None, :] - loss[:, None] + np.minimum(overlap, spare[None, :])
            for flat in np.argsort(-estimate, axis=None, kind="stable")[:PAIRS]:
                if time.perf_counter() >= deadline:
                    break
                a, b = divmod(int(flat), into.size)
                if out[a] == into[b]:
                    continue
                trial = _moved(counts, int(out[a]), int(into[b]))
                if not fits(trial):
                    continue
                v = flow.value(trial)
                if v > best_value:
                    best, best_value = trial, v
        if best is None:
            break
        counts = best
    return counts


def _moved(counts: np.ndarray, out: int | None, into: int | None) -> np.ndarray:
    """The plan with one centre less at `out` and one more at `into` (None: no change)."""
    trial = counts.copy()
    if out is not None:
        trial[out] -= 1
    if into is not None:
        trial[into] += 1
    return trial
