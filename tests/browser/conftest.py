"""Real-browser fixtures: the repository's example site, built once, served over HTTP, driven by Chromium.

Chromium is Debian's (`/usr/bin/chromium`, installed by scripts/test when
missing), driven through the `playwright` package; Playwright's own browser
downloads are never used. When either is missing the tests fail with a message
saying what to install: they never skip.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner

from hindsite.commands.cli import cli

try:
    from playwright.sync_api import Browser, Page, sync_playwright
    from playwright.sync_api import Error as PlaywrightError
except ImportError as exc:  # reported by the `browser` fixture as a failure, never a skip
    sync_playwright = None
    _PLAYWRIGHT_IMPORT_ERROR: ImportError | None = exc
else:
    _PLAYWRIGHT_IMPORT_ERROR = None

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000  # how long Playwright waits for a condition before failing; nothing asserts durations


# --- the site -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own example archive (site.toml + content/), built with the CLI into a temporary folder."""
    out = tmp_path_factory.mktemp("browser") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = CliRunner().invoke(cli, ["build", "--output", str(out)], prog_name="hindsite", catch_exceptions=False)
    assert result.exit_code == 0, f"`hindsite build` of the example site failed:\n{result.output}"
    assert (out / "index.html").is_file(), f"the build wrote no index.html into {out}"
    return out


@pytest.fixture(scope="session")
def incidents(built_site: Path) -> list[dict[str, Any]]:
    """The built site's own `incidents.json`: what the pages are checked against."""
    data = json.loads((built_site / "incidents.json").read_text(encoding="utf-8"))
    assert data["incidents"], "the example site has no incidents"
    return data["incidents"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`http://127.0.0.1:PORT/`: a built site, served by the standard library from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-site", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


@contextmanager
def built_and_served(site: Path, title: str) -> Iterator[str]:
    """Build the archive in `site` (its `content/` already written) as `hindsite build` does, under `title`, and
    serve the result: the site of a module's own documents."""
    (site / "site.toml").write_text(f'title = "{title}"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = CliRunner().invoke(cli, ["build", "-q"], prog_name="hindsite", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with serving(site / "_site") as url:
        yield url


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The example site, served over HTTP."""
    with serving(built_site) as url:
        yield url


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Debian Chromium for the whole session."""
    if sync_playwright is None:
        pytest.fail(
            f"the `playwright` Python package is not installed ({_PLAYWRIGHT_IMPORT_ERROR}); "
            "run scripts/setup, or `.venv/bin/pip install -e '.[test]'`",
            pytrace=False,
        )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing or not executable; the browser tests use Debian's Chromium: "
            "run scripts/test (it installs it) or `apt-get install chromium`",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        except PlaywrightError as exc:
            pytest.fail(f"could not start {CHROMIUM} through Playwright: {exc}", pytrace=False)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class WatchedPage:
    """A page with everything that went wrong on it recorded: console errors, uncaught errors, failed loads."""

    page: Page
    origin: str
    problems: list[str] = field(default_factory=list)
    reported: int = 0  # problems already asserted on

    def listen(self, page: Page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        page.on("response", self.on_response)
        page.on("requestfailed", self.on_request_failed)

    def _is_favicon(self, url: str) -> bool:
        # Chromium asks every origin for /favicon.ico by itself; no page of the site links to it.
        return url == self.origin + "favicon.ico"

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        if self._is_favicon(where):
            return
        self.problems.append(f"console error on {self.page.url}: {message.text} (at {where or 'unknown'})")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"uncaught error on {self.page.url}: {error}")

    def on_response(self, response: Any) -> None:
        if response.url.startswith(self.origin) and response.status >= 400 and not self._is_favicon(response.url):
            how = "opening the page" if response.request.is_navigation_request() else f"loaded by {self.page.url}"
            self.problems.append(f"HTTP {response.status} for {response.url} ({how})")

    def on_request_failed(self, request: Any) -> None:
        if request.url.startswith(self.origin):
            self.problems.append(f"request failed: {request.url} ({request.failure}) on {self.page.url}")

    def take(self) -> list[str]:
        """The problems recorded so far, for a test that reports them with its own; they count as checked."""
        self.reported = len(self.problems)
        return list(self.problems)

    def assert_clean(self, where: str = "") -> None:
        """No console error, uncaught page error or failed same-origin load since the page was opened."""
        self.reported = len(self.problems)
        assert not self.problems, f"problems in the browser{' ' + where if where else ''}:\n" + "\n".join(self.problems)


W = TypeVar("W", bound="WatchedPage")


@contextmanager
def watching(browser: Browser, make_watch: Callable[[Page], W]) -> Iterator[W]:
    """A fresh browser context and page, watched by `make_watch(page)` (its `listen` hooks the events).

    Problems the test never checked (it failed first, or they came later) fail it at teardown.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = make_watch(page)
    watch.listen(page)
    try:
        yield watch
    finally:
        late = watch.problems[watch.reported :]
        context.close()
    assert not late, (
        "problems in the browser that the test did not check (it failed before its check, or they came after it):\n"
        + "\n".join(late)
    )


@pytest.fixture
def watched(browser: Browser, site_url: str) -> Iterator[WatchedPage]:
    """A fresh browser context and page, watched for errors. Tests call `watched.assert_clean()` at the end."""
    with watching(browser, lambda page: WatchedPage(page, site_url)) as watch:
        yield watch


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots of this run are, so they can be looked at."""
    written = [folder for folder in (SCREENSHOTS, SCREENSHOTS.parent / "screens") if folder.is_dir() and any(folder.iterdir())]
    if written:
        terminalreporter.write_line("screenshots: " + ", ".join(str(folder) for folder in written))
