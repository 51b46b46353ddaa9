"""Spread independent work over the machine's cores, in processes forked from this one.

Forking hands every worker the parent's memory as it is (the configuration,
the compiled templates, the whole archive) without pickling any of it; only
the items and the results cross between processes, in order, so the result
is the same list a loop would give.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Below this many items, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
_MAX_WORKERS = 8

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
    workers = worker_count()
    if len(items) < PARALLEL_FROM or workers < 2:
        return [work(item) for item in items]
    global _work
    _work = work
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_run, items, chunksize=max(1, len(items) // (workers * 8))))
    finally:
        _work = None


def _run(item: Any) -> Any:
    assert _work is not None, "map_in_processes starts its workers after setting the work"
    return _work(item)
