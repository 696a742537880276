"""A sparse (mixed-integer) linear model handed straight to HiGHS, without PuLP objects.

PuLP builds one Python object per variable and per constraint term; on the family's MCLP
cases that build cost as much as HiGHS's solve. A fast path that already has its model as
numpy arrays passes them here: columns (cost, bounds, integrality), rows in CSR form with
their bounds, one `passModel` call, an optional start, then the status, the objective, the
dual bound, the gap and the column values are read back as plain numbers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

INF = highspy.kHighsInf
_scheduler: list[int | None] = [None]  # threads the global scheduler was last sized for
_scheduler_lock = threading.Lock()


def ready_threads(threads: int | None) -> None:
    """Make a HiGHS run asking for `threads` possible in this process. HiGHS runs on one
    global thread scheduler, sized by the first run of the process: a later run asking for
    another count failed (HiGHS 1.15: "global scheduler has already been initialized", no
    solution), so a solve with 2 threads after one with 1 returned no plan ("time_limit")
    or the heuristic's. The scheduler is reset (microseconds) when the count changes;
    `threads` None uses whatever scheduler exists."""
    if threads is None:
        return
    with _scheduler_lock:  # threads of one process (a Dask worker) asking the same count
        if _scheduler[0] != int(threads):  # reset once, not while the other one runs
            highspy.Highs.resetGlobalScheduler(True)
            _scheduler[0] = int(threads)


@dataclass
class SparseModel:
    """min or max `cost @ x + offset` s.t. `row_lower <= A x <= row_upper`,
    `col_lower <= x <= col_upper`, x_j integer where `integer[j]`. A is CSR: row r's
    columns are `index[start[r]:start[r + 1]]` with coefficients `value[...]`."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximize: bool = False
    offset: float = 0.0

    @property
    def num_col(self) -> int:
        return int(self.cost.size)

    @property
    def num_row(self) -> int:
        return int(self.row_lower.size)


@dataclass
class Result:
    """How HiGHS ended. `status`: "optimal" (within the gap), "feasible" (stopped with a
    plan), "infeasible", "time_limit" (stopped without a plan) or "error". `objective` and
    `bound` are in the model's own sense (with the offset); `gap` is HiGHS's relative gap
    (0 when proven exactly); `values` the columns' values (None without a plan);
    `reduced` (an LP solved to optimality only) the columns' reduced costs in the model's
    sense: raising column j by one from its LP value changes the LP optimum by at most
    `reduced[j]` (a maximum can only fall by raising a column at its lower bound)."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    values: np.ndarray | None
    seconds: float
    reduced: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        return self.values is not None


def copy(highs: highspy.Highs) -> highspy.Highs:
    """The same model (rows added since included) in a second, quiet HiGHS instance on the
    same thread count (one global scheduler), for a solve in another Python thread."""
    out = highspy.Highs()
    out.setOptionValue("output_flag", False)
    out.setOptionValue("threads", highs.getOptions().threads)
    out.passModel(highs.getModel())
    return out


def to_highs(model: SparseModel) -> highspy.HighsLp:
    """The HiGHS model of `model` (HiGHS minimises; a maximisation is negated here)."""
    sign = -1.0 if model.maximize else 1.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = model.num_col, model.num_row
    lp.col_cost_ = sign * np.asarray(model.cost, dtype=float)
    lp.col_lower_ = np.asarray(model.col_lower, dtype=float)
    lp.col_upper_ = np.asarray(model.col_upper, dtype=float)
    lp.row_lower_ = np.asarray(model.row_lower, dtype=float)
    lp.row_upper_ = np.asarray(model.row_upper, dtype=float)
    lp.offset_ = sign * float(model.offset)
    matrix = lp.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_, matrix.num_row_ = model.num_col, model.num_row
    matrix.start_ = np.asarray(model.start, dtype=np.int32)
    matrix.index_ = np.asarray(model.index, dtype=np.int32)
    matrix.value_ = np.asarray(model.value, dtype=float)
    if np.any(model.integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else
                           highspy.HighsVarType.kContinuous for k in model.integer]
    return lp


def solve(model: SparseModel, *, time_limit: float, mip_gap: float,
          threads: int | None = None, start: np.ndarray | None = None,
          options: dict | None = None) -> Result:
    """Solve `model` with HiGHS within `time_limit` seconds to the relative `mip_gap`.
    `start`: a full feasible column vector handed to HiGHS as its first incumbent;
    `options`: further HiGHS options by name. Seeded (random_seed 0): same model, same
    search."""
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", max(float(time_limit), 0.0))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads is not None:
        ready_threads(threads)
        h.setOptionValue("threads", int(threads))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(to_highs(model))
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    return read_result(h, model, time.perf_counter() - t0, mip=bool(np.any(model.integer)))


def read_result(h: highspy.Highs, model: SparseModel, seconds: float, mip: bool) -> Result:
    """How the run of `h` on `model` ended (also for a model kept and changed in `h`)."""
    status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    sign = -1.0 if model.maximize else 1.0
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status == ms.kModelEmpty:  # no columns: the empty solution, if its rows allow it
        extra = {"nodes": 0, "model_status": h.modelStatusToString(status)}
        if not ((model.row_lower <= 0).all() and (model.row_upper >= 0).all()):
            return Result("infeasible", None, None, None, None, seconds, None, extra)
        offset = float(model.offset)
        return Result("optimal", offset, offset, 0.0, np.zeros(0), seconds,
                      None if mip else np.zeros(0), extra)
    stopped = status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt)
    if status == ms.kInfeasible:
        label = "infeasible"
    elif status == ms.kOptimal and has:
        label = "optimal"
    elif stopped:
        label = "feasible" if has else "time_limit"
    else:  # unbounded, or HiGHS failed
        label = "error"
    values = np.array(h.getSolution().col_value, dtype=float) if has and label != "error" \
        else None
    objective = sign * float(info.objective_function_value) if values is not None else None
    bound = gap = None
    if mip and label not in ("infeasible", "error"):
        b = float(info.mip_dual_bound)
        bound = sign * b if np.isfinite(b) else None
        g = float(info.mip_gap)
        gap = g if np.isfinite(g) and values is not None else None
    elif label == "optimal":
        bound, gap = objective, 0.0
    if label == "optimal" and gap is None:
        gap = 0.0
    reduced = None
    if not mip and label == "optimal":
        reduced = sign * np.array(h.getSolution().col_dual, dtype=float)
    return Result(label, objective, bound, gap, values, seconds, reduced,
                  {"nodes": int(info.mip_node_count) if mip else 0,
                   "model_status": h.modelStatusToString(status)})
