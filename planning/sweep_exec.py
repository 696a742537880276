"""Executing a sweep: the runs not yet stored go to one of three executors, and each record is
written as soon as it arrives, so a killed sweep resumes where it stopped.

- `workers == 1`: in this process, one run after another (the reference for the others);
- default: a local process pool with one worker per core;
- `scheduler` (or `OTBASY_DASK_SCHEDULER`): a Dask distributed cluster through
  `dask.distributed.Client`; workers must be able to import this project and read its `data/`.

Every run is solved by `planning.sweep_run.solve_run` with one solver thread, so a run's
result does not depend on the executor.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from planning.sweep_run import BASE_ID, SUCCESS, RunStore, solve_run
from planning.sweep_spec import Sweep

SCHEDULER_ENV = "OTBASY_DASK_SCHEDULER"
RETRY = "worker_error"
"""Status of a run whose worker failed (crashed, lost, or could not load the task): recorded,
and solved again when the sweep is restarted, unlike a run's own outcome."""
Progress = Callable[[dict[str, Any]], None]


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _sequential(sweep: Sweep, ids: list[str]) -> Iterator[dict[str, Any]]:
    for run_id in ids:
        yield solve_run(sweep, run_id)


def _ignore_interrupt() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(sweep: Sweep, ids: list[str], workers: int) -> Iterator[dict[str, Any]]:
    # fork: workers start at once with the parent's imports (no solver has run in it yet)
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_ignore_interrupt)
    try:
        futures = {pool.submit(solve_run, sweep, run_id): run_id for run_id in ids}
        for future in as_completed(futures):
            yield _result_or_failure(future, futures[future], sweep)
    finally:  # on Ctrl-C: queued runs are dropped, the runs being solved end unrecorded
        pool.shutdown(wait=False, cancel_futures=True)


def _dask(sweep: Sweep, ids: list[str], scheduler: str) -> Iterator[dict[str, Any]]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(scheduler, timeout="10s") as client:
        remote = client.scatter(sweep, broadcast=True)
        futures = client.map(solve_run, [remote] * len(ids), ids,
                             key=[f"otbasy-{sweep.digest()}-{i}" for i in ids], pure=False)
        by_key = {f.key: run_id for f, run_id in zip(futures, ids)}
        for future in dask_completed(futures):
            yield _result_or_failure(future, by_key[future.key], sweep)
            future.release()


def _result_or_failure(future, run_id: str, sweep: Sweep) -> dict[str, Any]:
    """The run's record, or a record of the worker's failure (a crashed or lost worker)."""
    try:
        return future.result()
    except Exception as exc:
        return {"run": run_id, "sweep": sweep.digest(), "status": RETRY,
                "reason": f"worker failed: {type(exc).__name__}: {exc}", "sites": {}}


def execute(sweep: Sweep, out: str | Path, *, workers: int | None = None,
            scheduler: str | None = None, progress: Progress | None = None,
            only: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Solve every run not yet in `out` (and the base scenario; with `only`, just those of
    these run ids, as the benchmark's interleaved blocks do) and return all records by id.
    `progress` is called after each stored record with {done, failed, total, elapsed}."""
    store = RunStore(out, sweep)
    store.claim(sweep)
    records = store.done()
    wanted = None if only is None else set(only)
    ids = [i for i in [BASE_ID, *(r.id for r in sweep.runs())]
           if records.get(i, {}).get("status", RETRY) == RETRY
           and (wanted is None or i in wanted)]
    total = len(sweep.runs()) + 1
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    workers = workers or default_workers()
    if scheduler:
        stream: Iterable[dict[str, Any]] = _dask(sweep, ids, scheduler)
    elif workers == 1 or len(ids) <= 1:
        stream = _sequential(sweep, ids)
    else:
        stream = _pool(sweep, ids, min(workers, len(ids)))
    started = time.monotonic()
    say = progress or (lambda state: None)
    kept = {k: r for k, r in records.items() if k not in set(ids)}
    state = {"done": len(kept), "failed": _failed(kept.values()), "total": total,
             "new": 0, "elapsed": 0.0}
    say(state)
    for record in stream:
        store.write(record)
        records[record["run"]] = record
        state.update(done=state["done"] + 1, new=state["new"] + 1,
                     failed=state["failed"] + (record.get("status") not in SUCCESS),
                     elapsed=time.monotonic() - started)
        say(state)
    return records


def _failed(records: Iterable[dict[str, Any]]) -> int:
    return sum(r.get("status") not in SUCCESS for r in records)
