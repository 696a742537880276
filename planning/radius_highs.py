"""The pure p-median's truncated radius model held in one HiGHS instance across deepenings.

Built from `planning.radius`'s arrays straight into HiGHS (`planning.highs_direct`), with no
PuLP objects: on 10,000 x 2,000 (108,803 columns) that build took 8 s idle through PuLP.
A deepening only adds u columns and their rows (`planning.radius.levels`), so they are
appended to the same HiGHS model (`addCols` / `addRows`) instead of rebuilding it, and the
last plan, completed with its u values, is HiGHS's start for the next round.

Columns: y_j (sites, integer, their bounds), then the u columns in the order they were
added. Rows: the new-centre limit, one assignment row per distinct set of reachable sites,
then one row per u column.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from planning import highs_direct
from planning import radius as levels_of
from planning.instance import Instance
from planning.radius import Radius

INF = highspy.kHighsInf


class RadiusHighs:
    """A pure p-median (min_travel, uncapacitated, at most `max_new` new centres, no budget
    or equity rule) as a truncated radius model in HiGHS. `counts` is the last plan read
    (centres per site), `bound` HiGHS's last dual bound on the truncated model (a lower
    bound on the true optimum: the truncated cost never exceeds the true one)."""

    def __init__(self, inst: Instance, radius: Radius, max_new: int | None) -> None:
        self.inst, self.radius = inst, radius
        m = inst.m
        lv = levels_of.levels(inst, radius, np.zeros(inst.n, dtype=int), np.full(inst.n, -1), 0)
        reach = levels_of.assign_rows(inst, radius)
        limit = np.flatnonzero(inst.site_kind != "existing") if max_new is not None else None
        head = ([limit] if limit is not None else []) + reach
        head_lower = ([-INF] if limit is not None else []) + [1.0] * len(reach)
        head_upper = ([float(max_new)] if max_new is not None else []) + [INF] * len(reach)
        index, value, start = self._rows(head, lv, m)
        self.model = highs_direct.SparseModel(
            cost=np.r_[np.zeros(m), lv.cost], col_lower=np.r_[inst.min_count, np.zeros(lv.size)],
            col_upper=np.r_[np.maximum(inst.max_count, inst.min_count), np.ones(lv.size)],
            integer=np.r_[np.ones(m, dtype=bool), np.zeros(lv.size, dtype=bool)],
            start=start, index=index, value=value,
            row_lower=np.r_[head_lower, lv.rhs], row_upper=np.r_[head_upper, np.full(lv.size, INF)],
            offset=levels_of.constant(inst, radius))
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("random_seed", 0)  # fixed: same model, same search
        _ok(self.highs.passModel(highs_direct.to_highs(self.model)))
        self.settlement, self.level = lv.settlement, lv.level
        self.done = radius.modelled()
        self.last_col = self._last_cols()
        self.counts: np.ndarray = np.zeros(m, dtype=int)
        self.bound: float | None = None

    @staticmethod
    def _rows(head: list[np.ndarray], lv: levels_of.Levels,
              m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR of the rows `head` (sites with coefficient 1) followed by the level rows of
        `lv` (u columns numbered after the m site columns)."""
        index, value, start = [], [], [0]
        for sites in head:
            index.append(np.asarray(sites, dtype=np.int64))
            value.append(np.ones(len(sites)))
            start.append(start[-1] + len(sites))
        level_index, level_value, level_start = _level_rows(lv, m)
        index.append(level_index)
        value.append(level_value)
        return (np.concatenate(index), np.concatenate(value),
                np.r_[start, start[-1] + level_start[1:]])

    def _last_cols(self) -> np.ndarray:
        """Per settlement, the column index (among u columns) of its deepest u, -1 if none."""
        out = np.full(self.inst.n, -1)
        out[self.settlement] = np.arange(self.settlement.size)  # later columns are deeper
        return out

    @property
    def num_col(self) -> int:
        return self.inst.m + int(self.settlement.size)

    @property
    def num_row(self) -> int:
        return int(self.highs.getNumRow())

    def extend(self) -> int:
        """Append the levels `radius` now keeps beyond those modelled; the new u count."""
        m = self.inst.m
        lv = levels_of.levels(self.inst, self.radius, self.done, self.last_col,
                              int(self.settlement.size))
        if lv.size == 0:
            return 0
        _ok(self.highs.addCols(lv.size, lv.cost, np.zeros(lv.size), np.ones(lv.size), 0,
                               np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32),
                               np.zeros(0)))
        index, value, start = _level_rows(lv, m)
        _ok(self.highs.addRows(lv.size, lv.rhs, np.full(lv.size, INF), index.size,
                               start[:-1].astype(np.int32), index.astype(np.int32), value))
        self.settlement = np.r_[self.settlement, lv.settlement]
        self.level = np.r_[self.level, lv.level]
        self.done = self.radius.modelled()
        self.last_col = self._last_cols()
        return lv.size

    def solve(self, time_limit: float, mip_gap: float, threads: int | None,
              start: np.ndarray | None) -> highs_direct.Result:
        """Solve the model as it now is from the plan `start` (centres per site, completed
        with its u values), within `time_limit` seconds, to the relative `mip_gap`."""
        t0 = time.perf_counter()
        h = self.highs
        h.setOptionValue("time_limit", max(float(time_limit), 0.0))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        if threads is not None:
            highs_direct.ready_threads(threads)
            h.setOptionValue("threads", int(threads))
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = np.r_[start.astype(float), levels_of.plan_values(
                self.inst, self.radius, start, self.settlement, self.level)]
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        result = highs_direct.read_result(h, self.model, time.perf_counter() - t0, mip=True)
        if result.values is not None:
            self.counts = np.round(result.values[:self.inst.m]).astype(int)
        self.bound = result.bound
        return result


def _ok(status: highspy.HighsStatus) -> None:
    """HiGHS reports a rejected model change by its return status only: raise on it."""
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the radius model's columns or rows")


def _level_rows(lv: levels_of.Levels, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (column index, value, row start) of `lv`'s rows, u columns numbered from m:
    u_c (1), u_prev (-1, when there is one), then the level's sites (1 each)."""
    has_prev = lv.prev >= 0
    per_row = 1 + has_prev.astype(int) + np.diff(lv.start)
    start = np.r_[0, np.cumsum(per_row)]
    index = np.empty(int(start[-1]), dtype=np.int64)
    value = np.ones(int(start[-1]))
    c = np.arange(lv.size)
    index[start[:-1]] = m + lv.offset + c
    at_prev = start[:-1][has_prev] + 1
    index[at_prev] = m + lv.prev[has_prev]
    value[at_prev] = -1.0
    site_at = np.repeat(start[:-1] + 1 + has_prev, np.diff(lv.start)) + (
        np.arange(lv.sites.size) - np.repeat(lv.start[:-1], np.diff(lv.start)))
    index[site_at] = lv.sites
    return index, value, start
