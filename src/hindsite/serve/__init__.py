"""`hindsite serve`: build, serve on 127.0.0.1, watch, rebuild what changed, reload the browser.

Three small parts: `changes` (which rebuild a batch of paths needs), `watcher`
(watchdog, debounced) and `server` (HTTP and server-sent events). This module
wires them to `session`, whose rebuilds are the build `hindsite build` runs.

Nothing a rebuild raises stops the preview: a bug, or a file that trips one,
becomes a problem in the browser's overlay and in the terminal, the last good
site stays on screen (the page of a document just saved, written ahead of the
rebuild, shows it as saved: the overlay says which), and the next save rebuilds again.

May import `core`, `build`, `incremental` and what a rebuild shows of `read`,
`render` and `write`; only `commands` imports it.
"""

from __future__ import annotations

import queue
import sys
import tempfile
import threading
import time
import traceback
import warnings
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..build import BuildResult
from ..core import diagnostics as diag
from ..core.config import ConfigError, SiteConfig, load_config
from ..core.diagnostics import Diagnostic, Level
from ..render import urls
from ..render.theme import RenderError, theme_dir
from ..write.output import OutputRefused
from .changes import ChangeKind, Changes, Watched, classify
from .server import DevServer, Shown, SiteState, is_loopback
from .session import Session
from .watcher import Watcher

__all__ = ["ServeOptions", "Preview", "serve"]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    poll: bool = False


Problems = list[dict[str, object]]  # what the overlay lists: diagnostics as plain data


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a rebuild leaves for the browser: the problems, what the site on screen is, and whether to reload."""

    problems: Problems
    shown: Shown
    reload: bool = True


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
        self._has_site = False  # whether a build has written a site to show
        self._ahead = False  # whether pages were shown ahead of a rebuild that has not written the rest since
        self._written: tuple[str, ...] = ()  # what the last rebuild wrote
        self._started = False
        self._batches: queue.Queue[set[Path] | None] = queue.Queue()
        first = self._guarded(lambda: self._rebuilt(templates_changed=True), doing="building the site")
        self.state.end_build(first.problems, first.shown)
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
            try:
                self.handle(batch)
            except Exception as exc:  # noqa: BLE001 — `handle` reports a rebuild's failures; this keeps the thread alive
                self.say(f"hindsite serve: internal error while handling a change — please report this:\n{_traceback(exc)}")

    def handle(self, paths: set[Path]) -> None:
        """Rebuild for one batch of changed paths (the builder thread's job; tests call it too)."""
        changes = classify((p.resolve() for p in paths), self._watched())
        if changes.kind is ChangeKind.NONE:
            return
        self.state.begin_build()
        outcome = _Outcome([], self._stale())  # what the browser is told should even the reporting fail
        try:
            outcome = self._guarded(lambda: self._rebuild(changes))
        finally:
            if outcome.reload:
                self.state.end_build(outcome.problems, outcome.shown)
        what = {ChangeKind.CONTENT: "content", ChangeKind.TEMPLATE: "templates", ChangeKind.CONFIG: "site.toml"}[changes.kind]
        if outcome.shown is Shown.CURRENT:
            errors = len(outcome.problems)
            self.say(f"rebuilt after a change to {what}" + (f"; {errors} error(s)" if errors else ""))
        else:
            self.say(f"could not rebuild after a change to {what}; " + _STALE_NOTES[outcome.shown])

    def _rebuild(self, changes: Changes) -> _Outcome:
        early: frozenset[str] | None = None
        early_failure: Exception | None = None
        if changes.kind is ChangeKind.CONTENT and changes.documents:
            early, early_failure = self._show_edited_pages(changes.documents)
        if changes.kind is ChangeKind.CONFIG:
            problems = self._reload_config()
            if problems:
                return _Outcome(problems, self._stale())
        outcome = self._rebuilt(templates_changed=changes.kind >= ChangeKind.TEMPLATE)
        if early_failure is not None:  # reported only now: when the rebuild fails too, its own failure says it all
            problem = _failure(early_failure, "showing the edited page ahead of the rest")
            self._report(problem, early_failure)
            outcome = _Outcome(_overlay([problem]) + outcome.problems, outcome.shown)
        if early is not None and outcome.reload:  # a second reload only when other pages or the problems changed
            written = (p for p in self._written if p.endswith(".html"))
            same = (outcome.problems, outcome.shown) == (self.state.problems, self.state.shown)
            outcome = _Outcome(outcome.problems, outcome.shown, reload=not same or not early.issuperset(written))
        return outcome

    def _rebuilt(self, *, templates_changed: bool) -> _Outcome:
        """Run the session's rebuild; what the browser then shows."""
        result = self._timed(lambda: self.session.rebuild(templates_changed=templates_changed))
        self._written = result.written_paths
        if result.stopped:
            return _Outcome(_overlay(result.diagnostics), self._stale())
        self._has_site = True
        self._ahead = False  # every page is written again: none is ahead of the others
        return _Outcome(_overlay(result.diagnostics), Shown.CURRENT)

    def _guarded(self, rebuild: Callable[[], _Outcome], doing: str = "rebuilding the site") -> _Outcome:
        """`rebuild()`, or, when anything escapes it, that failure as the overlay's problem over the last good site."""
        try:
            return rebuild()
        except Exception as exc:  # noqa: BLE001 — a bug, or a file that trips one, must not stop the preview
            self.session = Session(self.config)  # its memory of the files may be half updated: start afresh
            problem = _failure(exc, doing)
            self._report(problem, exc)
            return _Outcome(_overlay([problem]), self._stale())

    def _stale(self) -> Shown:
        """What the site on screen is when a rebuild did not write: the last good one, if there ever was one, with
        the pages of documents shown ahead of a rebuild since then as they were saved."""
        if not self._has_site:
            return Shown.NOTHING
        return Shown.EDITED_AHEAD if self._ahead else Shown.LAST_GOOD

    def _report(self, problem: Diagnostic, exc: BaseException) -> None:
        """Tell the terminal about a failure: the diagnostic, and the traceback a bug report needs."""
        self.say(problem.format())
        if not isinstance(exc, OSError):
            self.say(_traceback(exc))

    def _show_edited_pages(self, documents: frozenset[Path]) -> tuple[frozenset[str] | None, Exception | None]:
        """Write the edited documents' own pages and reload the browser before the rest of the rebuild.

        Returns the pages written, or None when the session could not render them ahead (the rebuild
        then shows them); and, when that was a bug, the exception to report.
        """
        started = time.perf_counter()
        try:
            incidents = self.session.render_edited(documents)
        except (OutputRefused, RenderError):
            return None, None  # the user's to fix: the rebuild stops at it too, and reports it
        except Exception as exc:  # noqa: BLE001 — the rebuild that follows may succeed; the bug is reported all the same
            self.session = Session(self.config)  # its memory of the files may be half updated: start afresh
            return None, exc
        if incidents is None:
            return None, None
        self._ahead = True
        edited = {i.source for i in incidents}
        errors = [p for p in self.state.problems if p["path"] not in edited]
        shown = self.state.shown if self.state.shown is Shown.CURRENT else self._stale()
        self.state.end_build(errors + _overlay([d for i in incidents for d in i.diagnostics]), shown)
        self.say(f"showed the edited page in {(time.perf_counter() - started) * 1000:.0f} ms; rebuilding the rest")
        return frozenset(urls.incident_url(i) for i in incidents), None

    def _reload_config(self) -> Problems:
        try:
            fresh = load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.diagnostics:
                self.say(problem.format())
            return _overlay(exc.diagnostics)
        self.config = replace(fresh, output_dir=self.output)
        self.session = self.session.reconfigured(self.config)
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


#: What the terminal says the site on screen is when a rebuild could not write.
_STALE_NOTES = {
    Shown.LAST_GOOD: "the last good site is still shown",
    Shown.EDITED_AHEAD: "the pages of the files saved show them as saved, every other page its last good version",
    Shown.NOTHING: "no site to show yet",
}


def _overlay(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> Problems:
    """The problems the browser overlay shows: errors, as plain data (the page escapes them)."""
    return [{"path": d.path, **d.to_record()} for d in diagnostics if d.level is Level.ERROR]


def _failure(exc: Exception, doing: str) -> Diagnostic:
    """An exception that stopped a rebuild, as a diagnostic: what failed and what to do.

    One document's failure never gets here: reading it costs that document (`read_incident`).
    """
    if isinstance(exc, OSError):  # a file moved during the rebuild, a full disk: not a bug
        reason = f"{exc.strerror} ({exc.filename})" if exc.strerror and exc.filename else str(exc)
        return diag.error("internal-error", f"hindsite stopped {doing}: {reason}; if files were being moved or "
                          "deleted, the next save rebuilds; if it goes on, check free space and permissions")
    detail = str(exc) if len(str(exc)) <= 300 else str(exc)[:300] + "…"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return diag.error(
        "internal-error",
        f"hindsite failed while {doing} ({type(exc).__name__}: {detail}{where}); this is a bug in hindsite, "
        "not a mistake of yours — please report this, with the traceback printed in the terminal",
    )


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


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
