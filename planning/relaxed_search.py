"""Capacitated plans and bounds from the uncapacitated relaxation held in HiGHS.

The relaxation (`planning.model` with `capacity_relaxation`, passed to HiGHS once) is
small: one cover column per demand group and one per site. Two uses, both adding Gale's
capacity rows (`planning.gale`) whenever a point the solver returns cannot be served:

- `windows`: large-neighbourhood search. Free the centres near one open centre (the sites
  sharing settlements with them), in half of the windows also the sites near one closed
  site reaching uncovered children, keep every other site as the plan has it, solve that
  small integer programme, add the capacity row its answer breaks and solve again until
  its answer can be served; keep the plan when it is better. The neighbourhood grows when
  a round of windows brings nothing (variable neighbourhood search). Every kept plan meets
  every rule of the model (budgets, limits, equity) and all capacities.
- `prove`: the whole relaxation with an objective cut-off at (1 + gap) x the best plan's
  value: HiGHS then only has to show that no plan of the relaxation beats the cut-off,
  which prunes every node whose bound is below it. On the 2,000 x 500 case this took a
  third of the CPU time of closing the same gap from its own incumbent (docs/planning.md).

Searches in several threads each hold a `copy` of the relaxation and share one `Board`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from planning import highs_direct
from planning.gale import Gale
from planning.instance import Instance

Score = Callable[[np.ndarray], "float | None"]  # capacitated objective; None: breaks a rule

WINDOW_SECONDS = 2.5   # at most, per window's integer programme
PROOF_GAP = 1e-4       # HiGHS's own relative gap in the proof, at most (a tenth of the gap asked)
NOISE = 1e-13          # relative: answers this close above the cut-off are float noise (1e-6
#   hid better plans, and the cost tie-break, at gap 0: tests/test_attack_capacitated.py)
STALL = 2              # windows without a better plan, per open centre, before the search stops
SEEDS = 0.5          # share of windows that also free the sites near uncovered children, so a
#   centre can move across the map
CUT_ROUNDS = 8         # rounds of capacity rows per window's integer programme, at most
PROOF_OPTIONS: dict[str, str | int | float | bool] = {  # measured on 2,000 x 500 with a
    #   cut-off; no primal heuristics: a proof needs no plan, and HiGHS's root sub-MIPs (RENS,
    #   RINS) took 10 of its 48 CPU s and slowed the rest (29 CPU s without them)
    "presolve": "off", "mip_pscost_minreliable": 0,
    "mip_allow_cut_separation_at_nodes": False, "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rens": False, "mip_heuristic_run_rins": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False}


class Board:
    """The best capacitated plan so far and its objective, shared by searches running in
    parallel threads (each with its own copy of the relaxation)."""

    def __init__(self, counts: np.ndarray, value: float) -> None:
        self._lock = threading.Lock()
        self.counts, self.value, self.idle = counts, value, 0
        self.goal, self.done = np.inf, threading.Event()  # set once a plan is worth `goal`

    def best(self) -> tuple[np.ndarray, float]:
        with self._lock:
            return self.counts, self.value

    def offer(self, counts: np.ndarray, value: float) -> bool:
        """Keep the plan if it beats the best beyond float noise (`NOISE`: the cost
        tie-break between plans covering as many children can be worth 1e-9 of the
        objective); whether it did."""
        with self._lock:
            if value > self.value + NOISE * max(1.0, abs(self.value)):
                self.counts, self.value, self.idle = counts, value, 0
                if value >= self.goal:
                    self.done.set()
                return True
            return False

    def failed(self) -> int:
        """Count a window that brought no better plan; the count since the last one that
        did, over all threads."""
        with self._lock:
            self.idle += 1
            return self.idle


@dataclass
class Relaxed:
    """The relaxation in HiGHS, its groups (`gale`), the sites' own bounds and the capacity
    rows added so far."""

    highs: highspy.Highs
    gale: Gale
    lower: np.ndarray
    upper: np.ndarray
    cuts: int = 0

    @classmethod
    def of(cls, inst: Instance, highs: highspy.Highs, gale: Gale) -> Relaxed:
        """The relaxation as handed to HiGHS, every site's bounds its own again."""
        highs.setOptionValue("output_flag", False)
        out = cls(highs, gale, inst.min_count.astype(float),
                  np.maximum(inst.max_count, inst.min_count).astype(float))
        out._bounds(out.lower, out.upper)
        return out

    def copy(self) -> Relaxed:
        """The same relaxation (capacity rows included) in a second HiGHS instance, for a
        search in another thread."""
        return Relaxed(highs_direct.copy(self.highs), self.gale, self.lower.copy(),
                       self.upper.copy())

    def _bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        cols = self.gale.y_col
        self.highs.changeColsBounds(cols.size, cols, lower, upper)

    def _value(self) -> float:
        """The objective of the last solve in the model's own sense (maximised children;
        PuLP hands HiGHS the negated objective)."""
        return -float(self.highs.getInfo().objective_function_value)

    def _point(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.highs.getInfo().primal_solution_status != 2:  # no feasible point
            return None
        x = np.asarray(self.highs.getSolution().col_value)
        return np.round(x[self.gale.y_col]), x[self.gale.z_col]

    def served(self, limit: float, rounds: int = CUT_ROUNDS,
               stop: threading.Event | None = None) -> np.ndarray | None:
        """Solve with the current bounds, adding the capacity rows each answer breaks (at
        most `rounds` times, within `limit` seconds in all, interrupted when `stop` is
        set); the last answer's centres per site, None without one."""
        counts = None
        end = time.perf_counter() + limit
        for _ in range(rounds):
            self.highs.setOptionValue("time_limit", max(end - time.perf_counter(), 1e-3))
            self._run(stop)
            point = self._point()
            if point is None:
                break
            counts = point[0].astype(int)
            if not self._cut(*point):
                break
        return counts

    def _run(self, stop: threading.Event | None) -> None:
        """Run HiGHS, interrupted as soon as `stop` is set (by another thread)."""
        if stop is None:
            self.highs.run()
            return
        self.highs.cbMipInterrupt.subscribe(lambda e: e.interrupt() if stop.is_set() else None)
        try:
            self.highs.run()
        finally:
            self.highs.cbMipInterrupt.clear()

    def _cut(self, y: np.ndarray, z: np.ndarray) -> bool:
        """Add the capacity rows the point breaks; whether there were any."""
        rows = self.gale.cuts(y, z)
        for groups, sites in rows:
            self.gale.add(self.highs, groups, sites)
        self.cuts += len(rows)
        return bool(rows)

    def windows(self, board: Board, score: Score, deadline: float, seed: int = 0,
                least: int = 1) -> None:
        """Large-neighbourhood search from the board's best plan until the deadline or a
        plan worth the board's goal; each window's plan is offered to the board when `score` (the
        capacitated model with its centres fixed) rates it higher. A window holds `least`
        open centres at first. Searches in other threads may raise the board meanwhile:
        each window starts from its best."""
        cover = self.gale.reach
        overlap = (cover.T.astype(float) @ cover.astype(float)).tocsr()  # sites sharing groups
        rng = np.random.default_rng(seed)
        movable = self.lower < self.upper
        level, fails = least, 0
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        counts, value = board.best()
        try:
            while time.perf_counter() < deadline:
                shared = board.best()
                if shared[1] > value:  # another thread's plan: go on from it
                    (counts, value), level, fails = shared, least, 0
                if board.done.is_set():
                    break
                opened = np.flatnonzero((counts > 0) & movable)
                if opened.size == 0:
                    break
                near = np.zeros(counts.size, dtype=bool)
                near[rng.choice(opened)] = True
                while int((near & (counts > 0)).sum()) < level:
                    grown = near | (overlap @ near.astype(float) > 0)
                    if (grown == near).all():  # all of its part of the map
                        break
                    near = grown
                wanted = self._wanted(counts, rng) if rng.random() < SEEDS else None
                if wanted is not None:
                    near |= overlap @ wanted > 0
                centres = (near & (counts > 0)).astype(float)
                free = ((centres > 0) | (overlap @ centres > 0) | near) & movable
                self._bounds(np.where(free, self.lower, counts), np.where(free, self.upper, counts))
                plan = self.served(min(WINDOW_SECONDS, deadline - time.perf_counter()),
                                   stop=board.done)
                better = None if plan is None or (plan == counts).all() else score(plan)
                if plan is not None and better is not None and board.offer(plan, better):
                    counts, value = plan, better
                    if board.done.is_set():
                        break
                    level, fails = max(least, level - 1), 0
                    continue
                if near.all() or board.failed() > STALL * opened.size:  # no larger window,
                    break                                                # or all stalled
                fails += 1
                if fails >= max(1, opened.size // 2):
                    level, fails = level + 1, 0
                    if level > opened.size:  # every window holds all it can reach
                        break
        finally:
            self._bounds(self.lower, self.upper)

    def _wanted(self, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
        """One closed site drawn by the children it would reach that no open centre
        reaches (an indicator over sites), None when all are reached."""
        cover = self.gale.reach
        alone = self.gale.weight * ((cover @ (counts > 0)) == 0)
        need = np.asarray(cover.T @ alone).ravel() * (counts == 0) * (self.upper > 0)
        if need.sum() <= 0:
            return None
        out = np.zeros(counts.size)
        out[rng.choice(counts.size, p=need / need.sum())] = 1.0
        return out

    def lp_bound(self, limit: float = 60.0) -> float:
        """The relaxation's linear-programme optimum: an upper bound on the capacitated
        optimum. (Capacity rows cut at its answer lowered it by under 0.001 % on 2,000 x
        500 and, being dense, slowed every later integer programme several-fold.)"""
        h, cols = self.highs, self.gale.y_col
        h.changeColsIntegrality(cols.size, cols,
                                np.full(cols.size, highspy.HighsVarType.kContinuous))
        try:
            h.setOptionValue("time_limit", max(limit, 1e-3))
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return np.inf
            dual = -float(h.getInfo().mip_dual_bound)  # other integer columns (recruits) left
            return max(self._value(), dual) if np.isfinite(dual) else self._value()
        finally:
            h.changeColsIntegrality(cols.size, cols,
                                    np.full(cols.size, highspy.HighsVarType.kInteger))

    def prove(self, lower: float, score: Score, deadline: float, gap: float, board: Board,
              stop: threading.Event | None = None) -> float:
        """An upper bound on the capacitated optimum, proving that no plan beats the plan of
        capacitated objective `lower` by more than `gap` (relative) if time allows: the
        whole relaxation is searched above the cut-off (1 + gap) x lower. Answers above it
        that break capacity rows get those rows and the search runs again; each answer is
        scored (`score`) and the better ones offered to `board`, raising the cut-off. Runs
        until `deadline` at most, or until `stop` is set (by a proof in another thread); a
        bound is returned whenever it stops."""
        h = self.highs
        rel = min(PROOF_GAP, 0.1 * gap)  # HiGHS's own gap: the cut-off is lowered by as much
        for key, val in PROOF_OPTIONS.items():
            h.setOptionValue(key, val)
        h.setOptionValue("mip_rel_gap", rel)
        upper = np.inf
        answered: list[np.ndarray] = []
        while (left := deadline - time.perf_counter()) > 0 and not (stop and stop.is_set()):
            cutoff = (lower + gap * max(abs(lower), 1e-9)) / (1.0 + rel)
            finished, above, bound = self._search(cutoff, left, stop)
            if not above:  # nothing above the cut-off (up to HiGHS's own gap)
                return min(upper, cutoff * (1.0 + rel) if finished else max(cutoff, bound))
            upper = min(upper, bound)
            if any((y == seen).all() for y, _, _ in above for seen in answered):
                return upper  # an answer again: its rows were within tolerance, no progress
            answered += [y for y, _, _ in above]
            broken = [self._cut(y, z) for y, z, _ in above]
            for y, _, _ in above:
                value = score(y.astype(int))
                if value is not None and value > lower:
                    board.offer(y.astype(int), value)
                    lower = value
            if not finished or not broken[int(np.argmax([v for _, _, v in above]))]:
                return upper  # out of time, or its best answer is a capacitated plan
        return upper

    def _search(self, cutoff: float, limit: float,
                stop: threading.Event | None = None) -> tuple[bool, list, float]:
        """One HiGHS run above `cutoff`, interrupted when `stop` is set: (finished,
        [(y, z, objective)] of the solutions it found above the cut-off, its bound (valid
        above the cut-off))."""
        h = self.highs
        h.setOptionValue("objective_bound", -cutoff)  # the model is handed over negated
        h.setOptionValue("time_limit", max(limit, 1e-3))
        solutions: list[np.ndarray] = []
        h.cbMipImprovingSolution.subscribe(
            lambda e: solutions.append(np.array(e.data_out.mip_solution)))
        try:
            self._run(stop)
        finally:
            h.cbMipImprovingSolution.clear()
            h.setOptionValue("objective_bound", highspy.kHighsInf)
        lp = h.getLp()
        cost, offset = np.asarray(lp.col_cost_), float(lp.offset_)
        above = []
        for x in solutions:
            value = -float(cost @ x + offset)
            if value > cutoff + NOISE * max(1.0, abs(cutoff)):
                above.append((np.round(x[self.gale.y_col]), x[self.gale.z_col], value))
        finished = h.getModelStatus() in (highspy.HighsModelStatus.kOptimal,
                                          highspy.HighsModelStatus.kInfeasible)
        bound = -float(h.getInfo().mip_dual_bound)
        if finished and above:  # at most its best plan's objective plus its own gap
            best = max(v for _, _, v in above)
            bound = max(bound, best + float(h.getOptions().mip_rel_gap) * abs(best) + 1e-6)
        return finished, above, bound if np.isfinite(bound) else np.inf
