"""`hindsite serve`: build, serve on 127.0.0.1, watch, rebuild what changed, reload the browser.

Three small parts: `changes` (which rebuild a batch of paths needs), `watcher`
(watchdog, debounced) and `server` (HTTP and server-sent events). This module
wires them to the same build `hindsite build` runs.
"""

from __future__ import annotations

import queue
import sys
import tempfile
import threading
import time
import warnings
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .. import urls
from ..build import BuildResult, Session
from ..config import ConfigError, SiteConfig, load_config
from ..diagnostics import Diagnostic, Level
from ..render import theme_dir
from .changes import ChangeKind, Watched, classify
from .server import DevServer, SiteState, is_loopback
from .watcher import Watcher

__all__ = ["ServeOptions", "Preview", "serve"]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    poll: bool = False


class Preview:
    """A running preview: the server, the watcher and the one thread that rebuilds.

    Batches that arrive during a rebuild are merged and handled after it, so
    a burst of saves costs one or two rebuilds and the site ends up matching
    the files on disk.
    """

    def __init__(
        self,
        config_path: Path | None,
        config: SiteConfig,
        options: ServeOptions,
        *,
        say: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
    ) -> None:
        self.config_path = config_path.resolve() if config_path else None
        self._folder = tempfile.TemporaryDirectory(prefix="hindsite-serve-")
        self.output = Path(self._folder.name) / "site"
        self.config = replace(config, output_dir=self.output)
        self.options = options
        self.say = say
        self.session = Session(self.config)
        self.state = SiteState(self.output)
        self.builds = 0
        self._started = False
        self._batches: queue.Queue[set[Path] | None] = queue.Queue()
        first = self._timed(self.session.rebuild)
        self.state.end_build(_overlay(first.diagnostics))
        self.server = DevServer(options.host, options.port, self.state)
        self._threads = [
            threading.Thread(target=self.server.serve_forever, name="hindsite-http", daemon=True),
            threading.Thread(target=self._rebuild_forever, name="hindsite-build", daemon=True),
        ]
        self.watcher = Watcher(self._watched_folders(), self._batches.put, poll=options.poll)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        for thread in self._threads:
            thread.start()
        self._started = True

    def stop(self) -> None:
        self.watcher.stop()
        self._batches.put(None)
        if self._started:
            self.server.shutdown()  # waits for serve_forever, so only once it runs
            self._threads[1].join()  # a rebuild under way finishes before its output folder is removed
        self.server.server_close()
        self._folder.cleanup()

    def _watched_folders(self) -> list[tuple[Path, bool]]:
        folders = [(self.config.content_dir, True), (theme_dir(self.config), True), (self.config.templates_dir, True)]
        if self.config_path is not None:
            folders.append((self.config_path.parent, False))
        return folders

    def _watched(self) -> Watched:
        templates = (theme_dir(self.config).resolve(), self.config.templates_dir.resolve())
        return Watched(self.config.content_dir.resolve(), templates, self.config_path, self.output.resolve())

    def _rebuild_forever(self) -> None:
        while True:
            batch = self._batches.get()
            if batch is None:
                return
            while not self._batches.empty():  # merge everything that arrived meanwhile
                more = self._batches.get()
                if more is None:
                    return
                batch |= more
            self.handle(batch)

    def handle(self, paths: set[Path]) -> None:
        """Rebuild for one batch of changed paths (the builder thread's job; tests call it too)."""
        changes = classify((p.resolve() for p in paths), self._watched())
        if changes.kind is ChangeKind.NONE:
            return
        self.state.begin_build()
        problems: list[dict[str, object]] = []
        shown_early: frozenset[str] | None = None
        reload = True
        try:
            if changes.kind is ChangeKind.CONTENT and changes.documents:
                shown_early = self._show_edited_pages(changes.documents)
            if changes.kind is ChangeKind.CONFIG:
                problems = self._reload_config()
            if not problems:
                result = self._timed(lambda: self.session.rebuild(templates_changed=changes.kind >= ChangeKind.TEMPLATE))
                problems = _overlay(result.diagnostics)
                if shown_early is not None:  # a second reload only when other pages or the problems changed
                    reload = problems != self.state.problems or not shown_early.issuperset(
                        p for p in result.written_paths if p.endswith(".html"))
        finally:
            if reload:
                self.state.end_build(problems)
        what = {ChangeKind.CONTENT: "content", ChangeKind.TEMPLATE: "templates", ChangeKind.CONFIG: "site.toml"}
        self.say(f"rebuilt after a change to {what[changes.kind]}" + (f"; {len(problems)} error(s)" if problems else ""))

    def _show_edited_pages(self, documents: frozenset[Path]) -> frozenset[str] | None:
        """Write the edited documents' own pages and reload the browser before the rest of the rebuild.

        Returns the pages written, or None when the session could not render them ahead.
        """
        started = time.perf_counter()
        incidents = self.session.render_edited(documents)
        if incidents is None:
            return None
        edited = {i.source for i in incidents}
        errors = [p for p in self.state.problems if p["path"] not in edited]
        self.state.end_build(errors + _overlay([d for i in incidents for d in i.diagnostics]))
        self.say(f"showed the edited page in {(time.perf_counter() - started) * 1000:.0f} ms; rebuilding the rest")
        return frozenset(urls.incident_url(i) for i in incidents)

    def _reload_config(self) -> list[dict[str, object]]:
        try:
            fresh = load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.diagnostics:
                self.say(problem.format())
            return _overlay(exc.diagnostics)
        self.config = replace(fresh, output_dir=self.output)
        self.session = Session(self.config)
        return []

    def _timed(self, build: Callable[[], BuildResult]) -> BuildResult:
        started = time.perf_counter()
        result = build()
        self.builds += 1
        for problem in result.diagnostics:
            if problem.level is Level.ERROR:
                self.say(problem.format())
        self.say(f"built in {(time.perf_counter() - started) * 1000:.0f} ms")
        return result


def _overlay(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> list[dict[str, object]]:
    """The problems the browser overlay shows: errors, as plain data (the page escapes them)."""
    return [{"path": d.path, **d.to_record()} for d in diagnostics if d.level is Level.ERROR]


def serve(config_path: Path | None, config: SiteConfig, options: ServeOptions) -> None:
    """Run until interrupted."""
    # watchdog warns when a new nested folder re-registers a watch it already has; it is harmless.
    warnings.filterwarnings("ignore", message="Callback with id", module="watchdog")
    if not is_loopback(options.host):
        print(f"hindsite serve: warning: listening on {options.host} makes your drafts visible to other machines; "
              "the default 127.0.0.1 keeps them on this one", file=sys.stderr)
    preview = Preview(config_path, config, options)
    preview.start()
    print(f"Serving {config.title!r} at {preview.url} — edit a file and the page reloads. Ctrl+C to stop.",
          file=sys.stderr)
    if preview.watcher.polling:
        print("Watching by polling (--poll, or file-system events are unavailable).", file=sys.stderr)
    if options.open_browser:
        webbrowser.open(preview.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping.", file=sys.stderr)
    finally:
        preview.stop()
