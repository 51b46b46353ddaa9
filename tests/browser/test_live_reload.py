"""`hindsite serve` in a real browser: a saved edit reloads the open page by itself, a broken file shows the
problems overlay, and fixing it takes the overlay away again.

Everything runs for real: the preview's HTTP server on 127.0.0.1 (port 0), its watchdog watcher on a copy
of the repository's example site, and Debian's Chromium through Playwright. Files are saved the way editors
save them: the new text goes to a temporary file in the same folder, which is then renamed over the
original. The test never calls `page.reload()`: the page must reload itself through server-sent events.
Every wait is a generous timeout; nothing asserts how long anything took.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hindsite.core.config import load_config
from hindsite.serve import Preview, ServeOptions
from hindsite.serve.server import EVENTS_PATH

from .conftest import REPO, WatchedPage, watching

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # the `browser` fixture fails every test with a clear message instead
    Browser = Page = object  # type: ignore[assignment,misc]
    expect = None

OVERLAY = "#hindsite-problems"
LIVE_TIMEOUT_MS = 15_000  # from a save on disk to the browser showing it: watcher, rebuild, event, reload


# --- helpers --------------------------------------------------------------------------------------


def atomic_save(path: Path, text: str) -> None:
    """Save like an editor does: write a temporary file next to `path`, then rename it over `path`."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class Report:
    """One report of the copied example site: its Markdown file and the page the preview serves for it."""

    path: Path
    url_path: str
    original: str

    def front_matter_bounds(self, text: str) -> tuple[int, int]:
        """Indexes (in `text.split("\\n")`) of the opening and closing `---` lines."""
        lines = text.split("\n")
        assert lines[0].rstrip() == "---", f"{self.path.name} does not start with YAML front-matter"
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
        return 0, end


def pick_report(content: Path) -> Report:
    """The first report (by file name) with YAML front-matter and at least one `## ` section."""
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n") and re.search(r"^## \S", text, re.M) and re.search(r"^tags:", text, re.M):
            return Report(path, f"incidents/{path.stem}.html", text)
    raise AssertionError(f"no report in {content} has YAML front-matter, a tags: line and a `## ` section")


def with_sentence(text: str, sentence: str) -> str:
    """`text` with `sentence` as a new first paragraph of its first `## ` section."""
    match = re.search(r"^## \S[^\n]*\n", text, re.M)
    assert match, "the report has no `## ` section"
    return text[: match.end()] + f"\n{sentence}\n" + text[match.end() :]


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A copy of the repository's example site (site.toml + content/); the repository's own files are never touched."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy2(REPO / "site.toml", site / "site.toml")
    shutil.copytree(REPO / "content", site / "content")
    return site / "site.toml"


@dataclass
class RunningPreview:
    preview: Preview
    said: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.preview.url

    def log(self) -> str:
        return "\n".join(self.said[-40:]) or "(nothing)"


@pytest.fixture
def preview(example_site: Path) -> Iterator[RunningPreview]:
    """`hindsite serve` on the copy: the real HTTP server on 127.0.0.1 and the real watchdog watcher."""
    said: list[str] = []
    running = Preview(example_site, load_config(example_site), ServeOptions(port=0), say=said.append)
    try:
        running.start()
        assert running.url.startswith("http://127.0.0.1:"), running.url
        yield RunningPreview(running, said)
    finally:
        running.stop()


class LivePage(WatchedPage):
    """A watched page that also counts its documents and its live-reload event streams.

    Ending a page's event stream is part of every reload: Chromium reports the stream it cancels when the
    page goes away as a failed request (net::ERR_ABORTED), whether the page navigates or the script closes
    the EventSource first. Those cancellations are counted, not reported; any other failure of the stream,
    a console error about it or a stream opened more than once per page (reconnects) is a problem.
    """

    def __init__(self, page: Page, origin: str) -> None:
        super().__init__(page, origin)
        self.events_url = origin.rstrip("/") + EVENTS_PATH
        self.documents: list[str] = []  # every document the main frame loaded, the first one included
        self.streams_opened = 0
        self.streams_ended = 0

    def listen(self, page: Page) -> None:
        super().listen(page)
        page.on("request", self.on_request)
        page.on("framenavigated", self.on_frame_navigated)

    def on_frame_navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.documents.append(frame.url)

    def on_request(self, request: Any) -> None:
        if request.url == self.events_url:
            self.streams_opened += 1

    def on_request_failed(self, request: Any) -> None:
        if request.url == self.events_url and request.failure == "net::ERR_ABORTED":
            self.streams_ended += 1
            return
        super().on_request_failed(request)

    def settle(self, timeout_ms: int = LIVE_TIMEOUT_MS) -> None:
        """Wait until the current page has opened its event stream and the previous pages' streams have ended."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self._settled() and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)  # lets Playwright deliver the events it holds

    def _settled(self) -> bool:
        return self.streams_opened >= len(self.documents) and self.streams_ended >= len(self.documents) - 1

    def assert_one_stream_per_page(self) -> None:
        self.settle()
        loads = len(self.documents)
        assert self.streams_opened == loads, (
            f"{loads} page load(s) opened {self.streams_opened} event stream(s) at {EVENTS_PATH}; "
            "expected exactly one each (more means the EventSource reconnected)"
        )
        assert self.streams_ended == loads - 1, (
            f"{self.streams_ended} event stream(s) ended for {loads - 1} reload(s); expected one per reload"
        )


@pytest.fixture
def live(browser: Browser, preview: RunningPreview) -> Iterator[LivePage]:
    """A fresh context and page on the preview, watched for console errors, page errors and failed loads.
    It is closed before the preview stops, so the server going away is never mistaken for a page problem."""
    with watching(browser, lambda page: LivePage(page, preview.url)) as watch:
        yield watch


# --- the test -------------------------------------------------------------------------------------


def test_saving_reloads_the_page_and_shows_and_clears_the_problems_overlay(
    live: LivePage, preview: RunningPreview, example_site: Path
) -> None:
    page = live.page
    report = pick_report(example_site.parent / "content")

    response = page.goto(preview.url + report.url_path)
    assert response is not None and response.status == 200, (
        f"{report.url_path} did not open: {response.status if response else 'no response'}\n{preview.log()}"
    )
    heading = page.locator("h1").first
    expect(heading).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    title = heading.inner_text().strip()
    assert title, f"{report.url_path} has an empty <h1>"
    overlay = page.locator(OVERLAY)
    expect(overlay, "the example site built with errors").to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    opened = len(live.documents)

    # 1. an edit, saved atomically, shows up without anyone reloading the page
    sentence = f"Live reload check {uuid.uuid4().hex}: the watcher saw this save."
    edited = with_sentence(report.original, sentence)
    atomic_save(report.path, edited)
    expect(page.get_by_text(sentence), f"the saved sentence never appeared\n{preview.log()}").to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    assert len(live.documents) > opened, "the sentence appeared without the page loading again"
    expect(overlay).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    # 2. invalid YAML front-matter (an unclosed bracket) brings up the overlay, naming file, line and code
    lines = edited.split("\n")
    _, end = report.front_matter_bounds(edited)
    keys = [line for line in lines[1:end] if not line.startswith("tags:")]
    broken_line = "tags: [a, <b>x</b>"
    # The unclosed bracket is the block's last line. (In the middle of the block hindsite reports the line
    # where YAML noticed the problem, the next key's, not the line with the bracket: see the report.)
    broken = "\n".join(["---", *keys, broken_line, *lines[end:]])
    line_number = broken.split("\n").index(broken_line) + 1
    atomic_save(report.path, broken)
    expect(overlay, f"no problems overlay after saving invalid front-matter\n{preview.log()}").to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    where = f"{report.path.name}:{line_number}: error: bad-front-matter:"
    expect(overlay).to_contain_text(where, timeout=LIVE_TIMEOUT_MS)
    expect(overlay).to_have_attribute("role", "alert", timeout=LIVE_TIMEOUT_MS)
    expect(overlay.locator("b")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    # expect() retries, where a one-off read could land in the reload that follows the whole rebuild
    expect(overlay).to_contain_text("invalid YAML front-matter", timeout=LIVE_TIMEOUT_MS)
    # the body is still published while the front-matter is broken, and the raw block is shown as text
    expect(page.get_by_text(sentence)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("b", has_text=re.compile(r"^x$")), "the page rendered `<b>x</b>` as markup").to_have_count(
        0, timeout=LIVE_TIMEOUT_MS
    )

    # 3. the overlay shows what the author wrote as text, never as markup: a duplicate key named `<b>x</b>`
    # is a bad-front-matter error whose message repeats the key
    markup = "<b>x</b>"
    duplicated = "\n".join(["---", *keys, f"{markup}: one", f"{markup}: two", *lines[end:]])
    duplicate_line = duplicated.split("\n").index(f"{markup}: two") + 1
    atomic_save(report.path, duplicated)
    expect(overlay).to_contain_text(
        f"{report.path.name}:{duplicate_line}: error: bad-front-matter:", timeout=LIVE_TIMEOUT_MS
    )
    expect(overlay).to_contain_text(markup, timeout=LIVE_TIMEOUT_MS)
    expect(overlay.locator("b")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("b", has_text=re.compile(r"^x$")), "the page rendered `<b>x</b>` as markup").to_have_count(
        0, timeout=LIVE_TIMEOUT_MS
    )
    expect(overlay).to_contain_text(f"'{markup}'", timeout=LIVE_TIMEOUT_MS)
    expect(overlay.locator("*"), "the overlay holds markup").to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    # 4. fixing the file takes the overlay away and shows the report as it was, with the edit
    atomic_save(report.path, edited)
    expect(overlay, f"the overlay stayed after the file was fixed\n{preview.log()}").to_have_count(
        0, timeout=LIVE_TIMEOUT_MS
    )
    expect(page.locator("h1").first).to_have_text(title, timeout=LIVE_TIMEOUT_MS)
    expect(page.get_by_text(sentence)).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # nothing went wrong in the browser: no console errors, page errors, failed loads, EventSource noise
    live.assert_one_stream_per_page()
    live.assert_clean("while live-reloading the preview")


def test_a_rebuild_that_trips_a_bug_shows_the_overlay_until_saved_again(
    live: LivePage, preview: RunningPreview, example_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document that makes hindsite itself fail where no document's own guard is: the edited page is shown ahead,
    the overlay says the rebuild failed and asks for a report, and the next save rebuilds."""
    collect_module = importlib.import_module("hindsite.collect.site")
    real_collect = collect_module.collect
    marker = f"trips-a-bug-{uuid.uuid4().hex}"

    def collect_or_fail(incidents: Any) -> Any:  # where no document's own guard is
        if any(marker in section.text for incident in incidents for section in incident.sections):
            raise RecursionError("maximum recursion depth exceeded")
        return real_collect(incidents)

    monkeypatch.setattr(collect_module, "collect", collect_or_fail)
    page = live.page
    report = pick_report(example_site.parent / "content")
    response = page.goto(preview.url + report.url_path)
    assert response is not None and response.status == 200, preview.log()
    overlay = page.locator(OVERLAY)
    expect(overlay).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    atomic_save(report.path, with_sentence(report.original, f"This sentence {marker} trips the reader."))
    expect(overlay, f"no overlay after a rebuild failed\n{preview.log()}").to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(overlay).to_contain_text("could not rebuild the site", timeout=LIVE_TIMEOUT_MS)
    expect(overlay).to_contain_text("error: internal-error:", timeout=LIVE_TIMEOUT_MS)
    expect(overlay).to_contain_text("RecursionError", timeout=LIVE_TIMEOUT_MS)
    expect(overlay).to_contain_text("please report this", timeout=LIVE_TIMEOUT_MS)
    expect(page.get_by_text(marker)).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # the edited page, shown ahead of the rebuild

    sentence = f"Saved again {uuid.uuid4().hex}: the preview kept watching."
    atomic_save(report.path, with_sentence(report.original, sentence))
    expect(page.get_by_text(sentence), f"the next save was not rebuilt\n{preview.log()}").to_be_visible(
        timeout=LIVE_TIMEOUT_MS)
    expect(overlay).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    live.assert_one_stream_per_page()
    live.assert_clean("while a rebuild failed and recovered")
