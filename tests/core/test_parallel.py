"""parallel.py: work spread over forked processes gives what a loop gives."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hindsite.core import parallel
from hindsite.core.diagnostics import error
from hindsite.render.site import RenderError


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


#: `python -c STUCK MARKS`: a build whose worker processes, once started, each leave a file named after their
#: process id in MARKS and then work for ten minutes: long enough for the build to be stopped under them.
STUCK = """
import importlib, os, sys, time
from hindsite.core import parallel
from hindsite.commands.cli import main
build = importlib.import_module("hindsite.build")  # the attribute hindsite.build is the function
marks = sys.argv[1]
parallel.worker_count = lambda: 2
def working(*args, **kwargs):
    open(os.path.join(marks, str(os.getpid())), "w").close()
    time.sleep(600)
build.read_incident = working
sys.argv = ["hindsite", "build", "--no-cache"]
main()
"""


def gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie nobody reaped has ended too)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def eventually(check: Callable[[], bool], seconds: float = 120) -> bool:
    """Whether `check` comes true within `seconds`: a wait for another process, not a measure of speed."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_worker_processes_end_with_their_build(tmp_path: Path, stop: signal.Signals) -> None:
    content = tmp_path / "site" / "content"
    content.mkdir(parents=True)
    for n in range(parallel.PARALLEL_FROM):
        (content / f"outage-{n}.md").write_text(f"# Outage {n}\n\nIt broke.\n", encoding="utf-8")
    marks = tmp_path / "workers"
    marks.mkdir()
    building = subprocess.Popen([sys.executable, "-c", STUCK, str(marks)], cwd=content.parent,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        assert eventually(lambda: any(marks.iterdir())), "no worker process started"
        workers = [int(mark.name) for mark in marks.iterdir()]
        building.send_signal(stop)
        building.wait(timeout=120)
        assert eventually(lambda: all(gone(pid) for pid in workers)), "a worker outlived its build"
    finally:
        building.kill()
        building.wait(timeout=120)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
