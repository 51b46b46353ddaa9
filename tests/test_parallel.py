"""parallel.py: work spread over forked processes gives what a loop gives."""

from __future__ import annotations

import os

import pytest

from hindsite import parallel
from hindsite.diagnostics import error
from hindsite.render import RenderError


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_results_come_back_in_order_from_other_processes(two_workers: None) -> None:
    table = {n: f"item {n}" for n in range(50)}  # reaches the workers by fork, never pickled
    parent = os.getpid()
    results = parallel.map_in_processes(lambda n: (table[n], os.getpid()), range(50))
    assert [text for text, _ in results] == [table[n] for n in range(50)]
    assert parent not in {pid for _, pid in results}


def test_an_error_in_a_worker_is_raised_with_its_diagnostic(two_workers: None) -> None:
    def render(n: int) -> int:
        if n == 7:
            raise RenderError(error("template", "boom", "incident.html", 3))
        return n

    with pytest.raises(RenderError) as raised:
        parallel.map_in_processes(render, range(20))
    assert (raised.value.diagnostic.path, raised.value.diagnostic.line) == ("incident.html", 3)


def test_few_items_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert parallel.map_in_processes(lambda n: os.getpid(), range(parallel.PARALLEL_FROM - 1)) == \
        [os.getpid()] * (parallel.PARALLEL_FROM - 1)


def test_a_process_running_other_threads_is_never_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server's or watcher's thread may hold a lock when the fork happens, and the child would wait on it forever."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    assert parallel.worker_count() == 2
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 3)
    assert parallel.worker_count() == 1


def test_results_stream_and_a_consumer_that_stops_early_leaves_no_workers(two_workers: None) -> None:
    results = parallel.each_in_processes(lambda n: n * n, range(40))
    assert [next(results) for _ in range(3)] == [0, 1, 4]
    assert parallel.multiprocessing.active_children()
    results.close()
    assert parallel.multiprocessing.active_children() == []
