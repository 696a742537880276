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
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    # The job goes over a pipe after the start, not as the Process's arguments: spawn writes
    # its arguments while still holding the child's end of that pipe, so a child that dies
    # before reading a large job (layers) would block the server forever in `start()`.
    conn, child_conn = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child_conn, progress is not None), daemon=True,
                       name="otbasy-solve")
    with _bare_main():
        proc.start()
    child_conn.close()  # ours closed: the child's death now ends our reads and writes
    deadline = time.monotonic() + timeout
    try:
        try:
            conn.send((fn, args, kwargs))
        except OSError:
            raise WorkerError(f"the run stopped unexpectedly (exit code "
                              f"{proc.exitcode})") from None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerError(f"the run took longer than {timeout:g} s and was stopped")
            if not conn.poll(min(left, 0.5)):
                continue
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                proc.join(timeout=5)
                raise WorkerError(f"the run stopped unexpectedly (exit code "
                                  f"{proc.exitcode})") from None
            if kind == "progress" and progress is not None:
                progress(*payload)
            elif kind == "result":
                return payload
            elif kind == "error":
                raise payload
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=10)
        conn.close()


@contextmanager
def _bare_main() -> Iterator[None]:
    """Hide the parent's `__main__` while spawning: spawn re-runs the main script in the child
    when it has a file, and under Streamlit's test runner that file is the page itself."""
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _child(conn, relay: bool) -> None:
    """The worker's body: read the job, run it, send progress, then the result or the
    exception."""
    fn, args, kwargs = conn.recv()
    if relay:
        kwargs = {**kwargs, "progress": lambda stage, frac: conn.send(("progress",
                                                                        (stage, frac)))}
    try:
        message: tuple[str, object] = ("result", fn(*args, **kwargs))
    except Exception as exc:  # sent back whole when it pickles, else as one line
        message = ("error", exc)
        try:
            pickle.dumps(exc)
        except Exception:
            message = ("error", WorkerError(truncate(f"{type(exc).__name__}: {exc}")))
    conn.send(message)
