"""Capacity cuts for the uncapacitated relaxation, from Gale's supply-demand theorem.

Centres with capacity cap_j x (centres at j) can serve covered shares z_g of demand groups
g (children W_g, sites within the standard N(g)) if and only if, for every set S of groups,

    sum_{g in S} W_g z_g  <=  sum_{j in N(S)} cap_j y_j                     (Gale, 1957)

(the max-flow min-cut theorem on source -> group -> site -> sink). Every capacitated plan
meets all these rows, so adding any of them to the uncapacitated relaxation keeps it a
relaxation. Given a point (y, z), one maximum flow finds the most violated row: the groups
on the source side of a minimum cut. A point that violates none can be served as it is, so
its objective is a capacitated plan's (the relaxation holds every other rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planning import capflow
from planning.instance import Instance
from planning.model import Built

if TYPE_CHECKING:
    import highspy
    from scipy import sparse

SCALE_TOTAL = 2**28  # children (and capacity) in all, scaled to int32 for the max flow
TOLERANCE = 1e-6     # relative to the children covered: a smaller violation is solver noise


@dataclass
class Gale:
    """The relaxation's demand groups, as HiGHS columns: group g's cover column `z_col[g]`,
    its children `weight[g]` and sites within the standard (`reach`, groups x sites); site
    j's column `y_col[j]` and capacity per centre `cap[j]`; each settlement's group
    (`group`, -1 for none)."""

    z_col: np.ndarray
    weight: np.ndarray
    reach: sparse.csr_matrix
    y_col: np.ndarray
    cap: np.ndarray
    group: np.ndarray

    @classmethod
    def of(cls, inst: Instance, built: Built) -> Gale:
        """The groups of an uncapacitated relaxation already handed to HiGHS (its variables
        carry their column index). An unlimited capacity becomes all the children, which
        no row can exceed."""
        from scipy import sparse

        groups: dict[int, tuple[float, int]] = {}
        column = np.full(inst.n, -1)
        for i, e in built.cover.items():
            if len(e) == 1:
                z = next(iter(e))
                w, first = groups.get(z.index, (0.0, i))
                groups[z.index] = (w + float(inst.weights[i]), first)
                column[i] = z.index
        z_col = np.array(list(groups), dtype=np.int32)
        position = {int(c): g for g, c in enumerate(z_col)}
        group = np.array([position.get(int(c), -1) for c in column], dtype=int)
        weight = np.array([groups[c][0] for c in z_col])
        rep = np.array([groups[c][1] for c in z_col], dtype=int)
        reach = inst.cover_matrix().tocsr()[rep] if rep.size else sparse.csr_matrix(
            (0, inst.m))
        y_col = np.array([v.index for v in built.y], dtype=np.int32)
        cap = np.where(np.isfinite(inst.capacity), inst.capacity, float(inst.weights.sum()))
        return cls(z_col, weight, reach.astype(bool).tocsr(), y_col, cap.astype(float), group)

    def cuts(self, y: np.ndarray, z: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The violated rows at centres `y` (per site) and shares `z` (per group), as
        (groups S, sites N(S)): the source side of a minimum cut, one row per connected
        part of it (each part's row is stronger than their sum); [] when the covered
        children can all be served."""
        from scipy import sparse
        from scipy.sparse.csgraph import breadth_first_order, connected_components

        g_n, m = self.weight.size, self.cap.size
        demand = self.weight * np.clip(z, 0.0, 1.0)
        supply = self.cap * np.maximum(y, 0.0)
        total = float(demand.sum())
        if total <= 0:
            return []
        scale = SCALE_TOTAL / max(total, float(supply.sum()), 1.0)
        gi = np.repeat(np.arange(g_n), np.diff(self.reach.indptr))
        graph, result = capflow.max_flow(
            np.ceil(demand * scale), gi, self.reach.indices,
            np.full(gi.size, 2 * SCALE_TOTAL + 1), np.floor(supply * scale))
        residual = (graph - result.flow).tocsr()
        residual.data = (residual.data > 0).astype(np.int8)
        residual.eliminate_zeros()
        side = breadth_first_order(residual, g_n + m, directed=True,  # from the source
                                   return_predecessors=False)
        inside = np.sort(side[side < g_n])
        if inside.size == 0:
            return []
        part = self.reach[inside]
        both = sparse.bmat([[None, part], [part.T, None]]).tocsr()  # groups + all sites
        _, label = connected_components(both, directed=False)
        out = []
        for k in np.unique(label[:inside.size]):
            groups = inside[label[:inside.size] == k]
            sites = np.unique(self.reach[groups].indices)
            excess = float(demand[groups].sum() - supply[sites].sum())
            if excess > TOLERANCE * max(1.0, total):
                out.append((groups, sites))
        return out

    def add(self, highs: highspy.Highs, groups: np.ndarray, sites: np.ndarray) -> None:
        """Append the row sum_{g in groups} W_g z_g - sum_{j in sites} cap_j y_j <= 0."""
        import highspy

        index = np.concatenate([self.z_col[groups], self.y_col[sites]]).astype(np.int32)
        value = np.concatenate([self.weight[groups], -self.cap[sites]])
        highs.addRow(-highspy.kHighsInf, 0.0, index.size, index, value)
