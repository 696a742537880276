"""Run a solve in a separate process that is killed when it overruns.

The app must not solve inside the server process: a hostile or simply huge scenario would
hold the server's memory and threads, and a stuck solver could not be stopped. `run_in_worker`
starts a fresh process (multiprocessing "spawn": no copy of the server's state or threads),
relays its progress reports to the caller, returns its result or re-raises its exception,
and kills it at the deadline.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue as queue_module
import time
from collections.abc import Callable
from typing import Any

from geo.limits import limits, truncate

Progress = Callable[[str, float], None]


class WorkerError(RuntimeError):
    """The worker stopped without a result: killed at the deadline, or it died."""


def deadline(time_limit_seconds: float, solves: int = 1) -> float:
    """Seconds a worker gets: its solves' time limits plus the admin's allowance for the
    travel matrix, model building and results (limits.worker_extra_seconds)."""
    return solves * time_limit_seconds + limits().worker_extra_seconds


def run_in_worker(fn: Callable[..., Any], *args: Any, timeout: float,
                  progress: Progress | None = None, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in a spawned process (with `progress=` relayed when given).

    Raises WorkerError when it takes longer than `timeout` seconds (the process is killed)
    or dies; any exception `fn` raises is raised here.
    """
    ctx = multiprocessing.get_context("spawn")
    channel = ctx.Queue()
    proc = ctx.Process(target=_child, args=(channel, fn, args, kwargs, progress is not None),
                       daemon=True, name="otbasy-solve")
    proc.start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerError(f"the run took longer than {timeout:g} s and was stopped")
            try:
                kind, payload = channel.get(timeout=min(left, 0.5))
            except queue_module.Empty:
                if not proc.is_alive() and channel.empty():
                    raise WorkerError(f"the run stopped unexpectedly (exit code "
                                      f"{proc.exitcode})") from None
                continue
            if kind == "progress" and progress is not None:
                progress(*payload)
            elif kind == "result":
                return pickle.loads(payload)
            elif kind == "error":
                raise pickle.loads(payload)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=10)
        channel.close()
        channel.cancel_join_thread()


def _child(channel, fn: Callable[..., Any], args: tuple, kwargs: dict,
           relay: bool) -> None:
    """The worker's body: run `fn`, send progress, then the result or the exception."""
    if relay:
        kwargs = {**kwargs, "progress": lambda stage, frac: channel.put(("progress",
                                                                           (stage, frac)))}
    try:
        message = ("result", pickle.dumps(fn(*args, **kwargs)))
    except Exception as exc:  # sent back whole when it pickles, else as one line
        try:
            message = ("error", pickle.dumps(exc))
        except Exception:
            message = ("error", pickle.dumps(WorkerError(truncate(
                f"{type(exc).__name__}: {exc}"))))
    channel.put(message)
