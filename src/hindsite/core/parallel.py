"""Spread independent work over the machine's cores, in processes forked from this one.

Forking hands every worker the parent's memory as it is (the configuration,
the compiled templates, the whole archive) without pickling any of it; only
the items and the results cross between processes, in order, so the result
is the same list a loop would give.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Below this many items, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
_MAX_WORKERS = 8
_MAX_CHUNK = 32  # items a worker is given at a time
_AHEAD = 3  # chunks per worker submitted ahead of the one the caller waits for
_WAVE = 2000  # items one set of worker processes is given before fresh ones take over

_work: Callable[[Any], Any] | None = None  # what the forked workers run: set just before they start


def worker_count() -> int:
    """How many processes `map_in_processes` would use: 1 when it would run in this one."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # without fork, the work would have to be pickled, and closures cannot be
    if threading.active_count() > 1:
        return 1  # forking a process that runs other threads (a server, a watcher) can deadlock the child
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS))


def map_in_processes(work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """`[work(item) for item in items]`, spread over worker processes when there are at least PARALLEL_FROM items.

    An exception raised by `work` is raised here, as a loop would raise it.
    """
    return list(each_in_processes(work, items))


def each_in_processes(work: Callable[[Item], Result], items: Sequence[Item]) -> Generator[Result, None, None]:
    """`work(item)` for each item, in order, as results arrive: a caller that uses each result
    and lets it go never holds them all at once. Spread like `map_in_processes`; closing the
    generator early stops the workers.
    """
    workers = worker_count()
    if len(items) < PARALLEL_FROM or workers < 2:
        yield from (work(item) for item in items)
        return
    global _work
    _work = work
    # Objects the collector never visits are never written to, so the workers keep sharing their pages with this process.
    gc.freeze()
    try:
        for wave in range(0, len(items), _WAVE):
            yield from _in_pool(items[wave : wave + _WAVE], workers)
    finally:
        _work = None
        gc.unfreeze()


def _in_pool(items: Sequence[Any], workers: int) -> Iterator[Any]:
    """Results of `_work` over `items`, from a fresh pool of `workers` processes, in order.

    A worker's memory grows with what it touches (copies of the shared pages, caches); new workers
    for each wave of items keep that bounded, whatever the number of items.
    """
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_die_with,
                               initargs=(os.getpid(),))
    size = max(1, min(_MAX_CHUNK, len(items) // (workers * 8)))
    # A few chunks per worker in flight: results finished ahead of a slow one wait here, and only these few.
    pending: deque[Future[list[Any]]] = deque()
    try:
        for start in range(0, len(items), size):
            pending.append(pool.submit(_run, items[start : start + size]))
            if len(pending) >= workers * _AHEAD:
                yield from _oldest(pending)
        while pending:
            yield from _oldest(pending)
    finally:
        if any(not chunk.done() for chunk in pending):  # an error or a stop: what the workers do is wanted no more
            _kill_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _oldest(pending: deque[Future[list[Any]]]) -> list[Any]:
    """The results of the oldest chunk, once they are there; it stays in `pending` until then."""
    results = pending[0].result()
    pending.popleft()
    return results


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now, rather than after the chunks they are working on."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # Python 3.14 has pool.kill_workers()
        process.kill()


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """In a worker, before any work: be killed when the build process dies, however it dies, even by SIGKILL.

    Linux's PR_SET_PDEATHSIG does it; elsewhere only a build that ends by itself ends its workers.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (AttributeError, OSError):
            pass
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)


def _run(chunk: Sequence[Any]) -> list[Any]:
    assert _work is not None, "each_in_processes starts its workers after setting the work"
    return [_work(item) for item in chunk]
