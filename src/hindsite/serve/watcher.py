"""Watching the site's files with watchdog, and turning bursts of events into one batch.

Editors save in several steps (write a temporary file, rename it over the
original, touch a backup) and `git checkout` touches hundreds of files at
once; the watcher waits until events stop for a moment and then hands over
every path at once, so a burst costs one rebuild.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

QUIET = 0.05  # seconds without events before a batch is handed over: an editor's save steps come within milliseconds
LONGEST_WAIT = 2.0  # a never-ending stream of events still gets a rebuild this often


class Watcher(FileSystemEventHandler):
    """Calls `on_batch(paths)` on a background thread after each burst of changes."""

    def __init__(
        self, folders: Iterable[tuple[Path, bool]], on_batch: Callable[[set[Path]], None], *, poll: bool = False
    ) -> None:
        """`folders` are (folder, recursive) pairs; missing folders are skipped."""
        self._folders = [(f, r) for f, r in dict.fromkeys((f.resolve(), r) for f, r in folders) if f.exists()]
        self._on_batch = on_batch
        self._pending: set[Path] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._first_event_at: float | None = None
        self.polling = poll
        self._observer = self._start(poll)

    def _start(self, poll: bool) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=0.5) if poll else Observer()
        try:
            for folder, recursive in self._folders:
                observer.schedule(self, str(folder), recursive=recursive)
            observer.start()
        except OSError as exc:
            if poll:
                raise
            # inotify watches ran out (ENOSPC) or the file system cannot be watched: poll instead.
            print(f"hindsite serve: cannot watch for changes ({exc.strerror or exc}); polling instead", file=sys.stderr)
            observer.stop()
            self.polling = True
            return self._start(poll=True)
        return observer

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = {Path(str(event.src_path))}
        if getattr(event, "dest_path", ""):
            paths.add(Path(str(event.dest_path)))
        self.add(paths)

    def add(self, paths: set[Path]) -> None:
        """Queue changed paths; they are handed over once the burst they belong to is over."""
        with self._lock:
            self._pending |= paths
            now = time.monotonic()
            if self._first_event_at is None:
                self._first_event_at = now
            if self._timer is not None:
                self._timer.cancel()
            delay = QUIET if now - self._first_event_at < LONGEST_WAIT else 0.0
            self._timer = threading.Timer(delay, self._deliver)
            self._timer.daemon = True
            self._timer.start()

    def _deliver(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, set()
            self._first_event_at = None
            self._timer = None
        if batch:
            self._on_batch(batch)
