"""`hindsite serve` end to end: a `Preview` of a small site, edited the way editors and git edit files.

After every change the folder the server shows must be exactly what a fresh
`hindsite build` of the same files writes. Most tests call `Preview.handle`
directly with the paths they touched (deterministic: no watcher thread
rebuilds behind their back); the burst test runs the real watcher.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeSite, RunCli

from hindsite.collect.archive import Archive
from hindsite.core.config import load_config
from hindsite.core.model import Incident
from hindsite.read.files import Document, SourceFile
from hindsite.serve import Preview, ServeOptions
from hindsite.serve.server import EVENTS_PATH, Shown
from hindsite.serve.session import Session
from hindsite.write.output import MARKER

ALPHA = """---
title: Alpha database outage
date: 2024-01-01
severity: P2
services: [database]
tags: [failover]
---

## Summary

The alpha primary stopped accepting writes.

![error graph](graph.png)

## Resolution

We restarted the xylophone cluster and writes resumed.
"""

BETA = """---
title: Beta cache stampede
date: 2024-02-02
services: [cache]
---

## Summary

The beta cache expired everything at once.
"""

GAMMA = """---
title: Gamma DNS lookups failed
date: 2024-03-03
services: [dns]
---

## Summary

Gamma resolvers timed out for an hour.
"""

OVERRIDE = """{% extends "theme/incident.html" %}
{% block head %}<meta name="hindsite-test" content="override-marker-one">{% endblock %}
"""

PNG = b"\x89PNG\r\n\x1a\nnot really a png"

FILES: dict[str, str | bytes] = {
    "content/2024-01-01-alpha.md": ALPHA,
    "content/2024-02-02-beta.md": BETA,
    "content/2024-03-03-gamma.md": GAMMA,
    "content/graph.png": PNG,
    "overrides/incident.html": OVERRIDE,
}
CONFIG = 'title = "Preview archive"\n'

ALPHA_PAGE = "incidents/2024-01-01-alpha.html"
BETA_PAGE = "incidents/2024-02-02-beta.html"
GAMMA_PAGE = "incidents/2024-03-03-gamma.html"
TIMEOUT = 10


# --- helpers -----------------------------------------------------------------------------------


def atomic_write(path: Path, text: str, *, temporary: str | None = None) -> None:
    """Save the way most editors do: write a temporary file beside the target, rename it over the target."""
    scratch = path.with_name(temporary or f".{path.name}.saving")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path → bytes of every file under `folder`."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def differences(served: dict[str, bytes], fresh: dict[str, bytes]) -> dict[str, list[str]]:
    return {
        "only in the served site": sorted(set(served) - set(fresh)),
        "only in a fresh build": sorted(set(fresh) - set(served)),
        "different bytes": sorted(p for p in set(served) & set(fresh) if served[p] != fresh[p]),
    }


NO_DIFFERENCES = {"only in the served site": [], "only in a fresh build": [], "different bytes": []}


class Harness:
    """A site, a Preview of it, and a way to build the same files afresh for comparison."""

    def __init__(self, site: Path, tmp_path: Path, run_cli: RunCli) -> None:
        self.site = site
        self.content = site / "content"
        self._tmp = tmp_path
        self._run_cli = run_cli
        self._fresh_builds = 0
        self.messages: list[str] = []
        self.preview: Preview | None = None

    def open(self) -> Preview:
        config_path = self.site / "site.toml"
        self.preview = Preview(config_path, load_config(config_path), ServeOptions(port=0), say=self.messages.append)
        return self.preview

    def handle(self, *paths: Path) -> None:
        assert self.preview is not None
        before = self.preview.state.generation
        self.preview.handle(set(paths))
        assert not self.preview.state.building
        assert self.preview.state.generation > before  # an edited page may be shown before the rest is rebuilt

    def fresh_build(self) -> dict[str, bytes]:
        self._fresh_builds += 1
        output = self._tmp / f"fresh-{self._fresh_builds}"
        self._run_cli("build", "--quiet", "--output", str(output), cwd=self.site)
        assert (output / "index.html").is_file(), "the fresh build wrote nothing"
        return snapshot(output)

    def served(self) -> dict[str, bytes]:
        assert self.preview is not None
        return snapshot(self.preview.output)

    def assert_matches_fresh_build(self) -> None:
        served, fresh = self.served(), self.fresh_build()
        assert MARKER in served
        assert differences(served, fresh) == NO_DIFFERENCES

    def page(self, rel: str) -> str:
        assert self.preview is not None
        return (self.preview.output / rel).read_text(encoding="utf-8")

    def get(self, path: str) -> tuple[int, str]:
        assert self.preview is not None
        conn = HTTPConnection("127.0.0.1", int(self.preview.server.server_address[1]), timeout=TIMEOUT)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            try:
                return response.status, response.read().decode("utf-8")
            finally:
                response.close()
        finally:
            conn.close()


@pytest.fixture
def site(tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = make_site(tmp_path, FILES, CONFIG)
    monkeypatch.chdir(site)  # as `hindsite serve` and `hindsite build` are run: from the site's folder
    return site


@pytest.fixture
def harness(site: Path, tmp_path: Path, run_cli: RunCli) -> Iterator[Harness]:
    """A Preview whose rebuilds the test drives through `handle`; only its HTTP server runs in the background."""
    harness = Harness(site, tmp_path, run_cli)
    preview = harness.open()
    preview.watcher.stop()  # the test says what changed; the real watcher is the burst test's subject
    server = threading.Thread(target=preview.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    server.start()
    try:
        assert preview.state.problems == []
        yield harness
    finally:
        preview.server.shutdown()  # this test's own serve_forever; stop() only stops what start() started
        server.join(TIMEOUT)
        preview.stop()
        assert not server.is_alive()


@pytest.fixture
def running(site: Path, tmp_path: Path, run_cli: RunCli) -> Iterator[Harness]:
    """A Preview started as `hindsite serve` starts it: server, builder thread and the real watcher."""
    harness = Harness(site, tmp_path, run_cli)
    preview = harness.open()
    preview.start()
    try:
        yield harness
    finally:
        preview.stop()


# --- the first build --------------------------------------------------------------------------


def test_the_site_is_built_on_construction(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    assert (preview.output / "index.html").is_file()
    assert (preview.output / ALPHA_PAGE).is_file()
    assert (preview.output / "files" / "graph.png").read_bytes() == PNG
    assert preview.builds == 1
    assert preview.url.startswith("http://127.0.0.1:") and not preview.url.endswith(":0/")
    harness.assert_matches_fresh_build()


def test_the_preview_serves_the_built_site(harness: Harness) -> None:
    status, body = harness.get("/" + ALPHA_PAGE)
    assert status == 200
    assert "alpha primary stopped accepting writes" in body
    assert "EventSource" in body
    assert "EventSource" not in harness.page(ALPHA_PAGE)


def test_stop_returns_even_if_the_preview_was_never_started(site: Path, tmp_path: Path, run_cli: RunCli) -> None:
    """Constructing a Preview and stopping it (an error between the two, a test) must not hang."""
    preview = Harness(site, tmp_path, run_cli).open()
    output = preview.output
    stopper = threading.Thread(target=preview.stop, name="test-stopper", daemon=True)
    stopper.start()
    stopper.join(3)
    try:
        assert not stopper.is_alive(), "Preview.stop() hangs when start() was never called"
        assert not output.exists()
    finally:
        if stopper.is_alive():  # unblock the waiting shutdown() so nothing outlives this test
            threading.Thread(target=preview.server.serve_forever, daemon=True).start()
            stopper.join(TIMEOUT)


# --- a. changes, each followed by b. the comparison with a fresh build ---------------------------


EDITS = {
    # (old text, new text) in alpha's file
    "summary": ("The alpha primary stopped accepting writes.", "The alpha primary refused every write for an hour."),
    "section-below-the-summary": ("restarted the xylophone cluster", "restarted the kazoo cluster"),
    "title": ("title: Alpha database outage", "title: Alpha database meltdown"),
}


@pytest.mark.parametrize(("old", "new"), list(EDITS.values()), ids=list(EDITS))
def test_atomic_save_updates_the_report_page(harness: Harness, old: str, new: str) -> None:
    alpha = harness.content / "2024-01-01-alpha.md"
    atomic_write(alpha, ALPHA.replace(old, new))
    harness.handle(alpha)
    page = harness.page(ALPHA_PAGE)
    shown = new.removeprefix("title: ")
    assert shown in page
    assert old.removeprefix("title: ") not in page
    assert harness.preview is not None and harness.preview.state.problems == []
    status, body = harness.get("/" + ALPHA_PAGE)
    assert status == 200 and shown in body
    harness.assert_matches_fresh_build()


def test_a_change_only_its_own_page_shows_rewrites_only_that_page(harness: Harness) -> None:
    """Incremental: text that appears on no other page re-renders the report alone (plus data files)."""
    assert harness.preview is not None
    before = {p: p.stat().st_mtime_ns for p in harness.preview.output.rglob("*.html")}
    alpha = harness.content / "2024-01-01-alpha.md"
    time.sleep(0.01)  # file times must be able to differ
    atomic_write(alpha, ALPHA + "\n## Lessons learned\n\nA sentence shown only on this report.\n")
    harness.handle(alpha)
    rewritten = sorted(p.relative_to(harness.preview.output).as_posix()
                       for p, mtime in before.items() if p.stat().st_mtime_ns != mtime)
    assert rewritten == [ALPHA_PAGE]
    assert "A sentence shown only on this report." in harness.page(ALPHA_PAGE)
    harness.assert_matches_fresh_build()


def when_rebuild_starts(preview: Preview, monkeypatch: pytest.MonkeyPatch, look: Callable[[], object]) -> list[object]:
    """What `look()` sees each time the session's rebuild starts: after any page shown ahead of it."""
    seen: list[object] = []
    real_rebuild = preview.session.rebuild

    def watched_rebuild(**options: bool):  # type: ignore[no-untyped-def]
        seen.append(look())
        return real_rebuild(**options)

    monkeypatch.setattr(preview.session, "rebuild", watched_rebuild)
    return seen


def test_an_edited_page_is_shown_before_the_rest_is_rebuilt(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser reloads once the edited report is written, while lists and data files are still being rebuilt."""
    preview = harness.preview
    assert preview is not None
    seen_during_rebuild = when_rebuild_starts(
        preview, monkeypatch, lambda: (preview.state.generation, preview.state.building, harness.page(ALPHA_PAGE)))
    before = preview.state.generation
    alpha = harness.content / "2024-01-01-alpha.md"
    atomic_write(alpha, ALPHA.replace("writes resumed", "writes resumed within the minute"))
    harness.handle(alpha)
    ((generation, building, page),) = seen_during_rebuild
    assert (generation, building) == (before + 1, False)  # already reloaded, and pages are being served
    assert "within the minute" in page
    assert preview.state.generation == before + 1  # nothing else the browser shows changed: no second reload
    harness.assert_matches_fresh_build()


def test_a_title_edit_reloads_again_once_the_lists_show_it(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    before = preview.state.generation
    alpha = harness.content / "2024-01-01-alpha.md"
    atomic_write(alpha, ALPHA.replace("Alpha database outage", "Alpha primary outage"))
    harness.handle(alpha)
    assert preview.state.generation == before + 2  # the report first, then the index and tag pages
    assert "Alpha primary outage" in harness.page("index.html")
    harness.assert_matches_fresh_build()


def test_a_new_document_is_not_shown_ahead_of_the_rebuild(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    delta = harness.content / "2024-04-04-delta.md"
    delta.write_text(GAMMA.replace("Gamma", "Delta"), encoding="utf-8")
    assert preview.session.render_edited([delta]) is None
    assert not (preview.output / "incidents/2024-04-04-delta.html").exists()


def test_an_edit_with_errors_shows_them_with_the_early_page(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = harness.preview
    assert preview is not None
    overlay_during_rebuild = when_rebuild_starts(preview, monkeypatch, lambda: [p["path"] for p in preview.state.problems])
    alpha = harness.content / "2024-01-01-alpha.md"
    atomic_write(alpha, ALPHA.replace("date: 2024-01-01\n", "date: 2024-01-01\ndate: 2024-01-02\n"))
    harness.handle(alpha)
    assert overlay_during_rebuild == [["content/2024-01-01-alpha.md"]]
    assert [p["path"] for p in preview.state.problems] == ["content/2024-01-01-alpha.md"]
    harness.assert_matches_fresh_build()


def test_atomic_save_that_keeps_size_and_mtime_still_updates_the_page(harness: Harness) -> None:
    """`rsync --times`, `cp -p`, unpacking an archive or a file system with coarse timestamps: same size, same mtime."""
    alpha = harness.content / "2024-01-01-alpha.md"
    before = alpha.stat()
    changed = ALPHA.replace("xylophone", "saxophone")
    assert len(changed.encode()) == before.st_size
    atomic_write(alpha, changed)
    os.utime(alpha, ns=(before.st_atime_ns, before.st_mtime_ns))
    harness.handle(alpha)
    assert "saxophone" in harness.page(ALPHA_PAGE)
    harness.assert_matches_fresh_build()


def test_adding_an_unrecognised_heading_updates_every_page_that_shows_it(harness: Harness) -> None:
    alpha = harness.content / "2024-01-01-alpha.md"
    atomic_write(alpha, ALPHA + "\n## Musings\n\nWe wondered about the weather.\n")
    harness.handle(alpha)
    assert "We wondered about the weather." in harness.page(ALPHA_PAGE)
    harness.assert_matches_fresh_build()


def test_a_new_document_gets_a_page_and_is_listed(harness: Harness) -> None:
    delta = harness.content / "2024-04-04-delta.md"
    atomic_write(delta, "---\ntitle: Delta queue backlog\ndate: 2024-04-04\n---\n\n## Summary\n\nDelta jobs piled up.\n")
    harness.handle(delta)
    assert "Delta jobs piled up." in harness.page("incidents/2024-04-04-delta.html")
    assert "Delta queue backlog" in harness.page("index.html")
    assert "incidents/2024-04-04-delta.html" in harness.page("index.html")
    harness.assert_matches_fresh_build()


def test_deleting_a_document_removes_its_page(harness: Harness) -> None:
    gamma = harness.content / "2024-03-03-gamma.md"
    gamma.unlink()
    harness.handle(gamma)
    assert harness.preview is not None
    assert not (harness.preview.output / GAMMA_PAGE).exists()
    assert "Gamma DNS lookups failed" not in harness.page("index.html")
    assert harness.get("/" + GAMMA_PAGE)[0] == 404
    harness.assert_matches_fresh_build()


def test_deleting_an_image_unpublishes_it(harness: Harness) -> None:
    graph = harness.content / "graph.png"
    graph.unlink()
    harness.handle(graph)
    assert harness.preview is not None
    assert not (harness.preview.output / "files" / "graph.png").exists()
    harness.assert_matches_fresh_build()


def test_renaming_a_document_moves_its_page(harness: Harness) -> None:
    old = harness.content / "2024-02-02-beta.md"
    new = harness.content / "2024-02-02-beta-cache-stampede.md"
    os.rename(old, new)
    harness.handle(old, new)
    assert harness.preview is not None
    assert not (harness.preview.output / BETA_PAGE).exists()
    assert "beta cache expired everything" in harness.page("incidents/2024-02-02-beta-cache-stampede.html")
    assert "incidents/2024-02-02-beta-cache-stampede.html" in harness.page("index.html")
    harness.assert_matches_fresh_build()


def test_a_new_subfolder_with_a_document_is_built(harness: Harness) -> None:
    folder = harness.content / "2025" / "q1"
    folder.mkdir(parents=True)
    epsilon = folder / "2025-01-05-epsilon.md"
    epsilon.write_text("---\ntitle: Epsilon TLS expiry\ndate: 2025-01-05\n---\n\n## Summary\n\nThe certificate expired.\n",
                       encoding="utf-8")
    harness.handle(harness.content / "2025", folder, epsilon)
    assert "The certificate expired." in harness.page("incidents/2025-01-05-epsilon.html")
    assert "Epsilon TLS expiry" in harness.page("index.html")
    harness.assert_matches_fresh_build()


def test_editing_a_site_template_changes_the_pages(harness: Harness) -> None:
    template = harness.site / "overrides" / "incident.html"
    atomic_write(template, OVERRIDE.replace("override-marker-one", "override-marker-two"))
    harness.handle(template)
    for page in (ALPHA_PAGE, BETA_PAGE, GAMMA_PAGE):
        text = harness.page(page)
        assert "override-marker-two" in text and "override-marker-one" not in text
    assert "override-marker-two" not in harness.page("index.html")
    harness.assert_matches_fresh_build()


def test_a_broken_site_toml_keeps_the_last_good_site_until_fixed(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    config = harness.site / "site.toml"
    good = harness.served()
    atomic_write(config, 'title = "Preview archive"\ntitel = "Typo archive"\n')
    harness.handle(config)
    problems = preview.state.problems
    assert problems, "a broken site.toml must show in the overlay"
    assert all(p["code"] == "config" and p["level"] == "error" for p in problems)
    assert any("titel" in str(p["message"]) and p["line"] == 2 and str(p["path"]).endswith("site.toml")
               for p in problems), problems
    assert preview.state.shown is Shown.LAST_GOOD  # the overlay says the last good site is shown: it is
    assert harness.served() == good
    status, body = harness.get("/index.html")
    assert status == 200 and "Preview archive" in body

    atomic_write(config, 'title = "Renamed archive"\n')
    harness.handle(config)
    assert preview.state.problems == []
    assert "Renamed archive" in harness.page("index.html")
    harness.assert_matches_fresh_build()


def test_bad_front_matter_is_reported_and_the_rest_still_served_until_fixed(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    beta = harness.content / "2024-02-02-beta.md"
    atomic_write(beta, BETA.replace("title: Beta cache stampede\n", "title: Beta cache stampede\ntitle: Again\n"))
    harness.handle(beta)
    found = [p for p in preview.state.problems if p["code"] == "bad-front-matter"]
    assert len(found) == 1, preview.state.problems
    assert found[0]["path"] == "content/2024-02-02-beta.md"
    assert found[0]["line"] == 3
    assert found[0]["level"] == "error"
    # the overlay must not claim the last good page is shown: the page is rebuilt from the file as far as it was read
    assert preview.state.shown is Shown.CURRENT and "last good" not in preview.state.shown.headline
    for page, text in ((ALPHA_PAGE, "alpha primary"), (GAMMA_PAGE, "Gamma resolvers"), (BETA_PAGE, "beta cache")):
        status, body = harness.get("/" + page)
        assert status == 200 and text in body
    harness.assert_matches_fresh_build()

    atomic_write(beta, BETA)
    harness.handle(beta)
    assert preview.state.problems == []
    harness.assert_matches_fresh_build()


def test_the_overlay_of_unreadable_front_matter_says_what_the_page_shows(harness: Harness) -> None:
    """Invalid YAML: the page is rebuilt from the body (with the edit), so the overlay may not promise the last good one."""
    preview = harness.preview
    assert preview is not None
    beta = harness.content / "2024-02-02-beta.md"
    broken = BETA.replace("services: [cache]", "services: [cache").replace("at once.", "at once, again.")
    atomic_write(beta, broken)
    harness.handle(beta)
    assert [p["code"] for p in preview.state.problems] == ["bad-front-matter"]
    status, body = harness.get("/" + BETA_PAGE)
    assert status == 200 and "expired everything at once, again." in body  # the new version, not the last good one
    assert preview.state.shown is Shown.CURRENT
    assert "last good" not in Shown.CURRENT.headline
    harness.assert_matches_fresh_build()


def test_a_template_error_keeps_the_last_good_site_as_the_overlay_says(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    good = harness.served()
    template = harness.site / "overrides" / "incident.html"
    atomic_write(template, OVERRIDE.replace("{% endblock %}", "{% endblok %}"))
    harness.handle(template)
    assert [p["code"] for p in preview.state.problems] == ["template"]
    assert preview.state.shown is Shown.LAST_GOOD
    assert harness.served() == good

    atomic_write(template, OVERRIDE)
    harness.handle(template)
    assert (preview.state.problems, preview.state.shown) == ([], Shown.CURRENT)
    harness.assert_matches_fresh_build()


def test_junk_only_batches_do_not_rebuild(harness: Harness) -> None:
    preview = harness.preview
    assert preview is not None
    junk = [harness.content / name for name in ("4913", ".2024-01-01-alpha.md.swp", "2024-01-01-alpha.md~")]
    for path in junk:
        path.write_text("junk\n", encoding="utf-8")
    builds, generation = preview.builds, preview.state.generation
    preview.handle(set(junk))
    assert (preview.builds, preview.state.generation) == (builds, generation)
    harness.assert_matches_fresh_build()


# --- c. a burst of changes with the real watcher ------------------------------------------------

JUNK_FILES = ["x.md.swp", ".x.md.swp", "4913", "x.md~", ".#x.md", "#x.md#", "x.md.tmp", "x___jb_tmp___"]


def burst_doc(number: int, words: str) -> str:
    return (f"---\ntitle: Burst incident {number}\ndate: 2024-05-{number % 28 + 1:02d}\n---\n\n"
            f"## Summary\n\nBurst number {number} {words}.\n")


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_burst_of_changes_costs_few_rebuilds_and_ends_matching_the_files(running: Harness) -> None:
    preview = running.preview
    assert preview is not None
    content = running.content
    builds_before = preview.builds
    temporaries = ["4913", "{}___jb_tmp___", ".goutputstream-{}", "{}.tmp"]  # how editors name their scratch files

    names = [f"2024-05-{n % 28 + 1:02d}-burst-{n:02d}.md" for n in range(50)]
    for n, name in enumerate(names):  # 50 new documents
        (content / name).write_text(burst_doc(n, "was created"), encoding="utf-8")
    for n, name in enumerate(names):  # 50 atomic rewrites
        atomic_write(content / name, burst_doc(n, "was rewritten by an editor"),
                     temporary=temporaries[n % len(temporaries)].format(name))
    for name in names[::2][:25]:  # 25 deletions
        (content / name).unlink()
    for junk in JUNK_FILES:  # editor leftovers that stay
        (content / junk).write_text("junk\n", encoding="utf-8")

    fresh = running.fresh_build()

    def settled() -> bool:
        if preview.state.building:
            return False
        try:
            return running.served() == fresh
        except FileNotFoundError:  # a file was replaced while we read the folder
            return False

    assert wait_until(settled, 20), differences(running.served(), fresh)
    builds = preview.builds
    time.sleep(0.6)  # nothing is left to rebuild for
    assert preview.builds == builds
    assert 1 <= builds - builds_before <= 4, f"{builds - builds_before} rebuilds for one burst"
    published = {Path(rel).name for rel in running.served()}
    assert published.isdisjoint(JUNK_FILES)
    assert not any(name.endswith(("___jb_tmp___", ".tmp", ".swp")) or name.startswith(".goutputstream")
                   for name in published)
    assert running.served() == fresh
    assert "Burst number 1 was rewritten by an editor" in running.page("incidents/2024-05-02-burst-01.html")
    assert not (preview.output / "incidents" / "2024-05-01-burst-00.html").exists()


def test_an_edited_page_is_shown_ahead_when_the_content_folder_was_given_relative(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hindsite serve --content content`: the watcher reports absolute paths, the site knows relative ones."""
    monkeypatch.chdir(site)
    session = Session(load_config(None, content_dir=Path("content"), output_dir=site / "_preview"))
    session.rebuild()
    alpha = (site / "content" / "2024-01-01-alpha.md").resolve()
    atomic_write(alpha, ALPHA.replace("writes resumed", "writes resumed slowly"))
    (incident,) = session.render_edited([alpha]) or ()
    assert incident.source == "content/2024-01-01-alpha.md"
    assert "writes resumed slowly" in (site / "_preview" / ALPHA_PAGE).read_text(encoding="utf-8")


# --- d. a bug in hindsite, or a file that trips one, never stops the preview ----------------------------

BUILD = importlib.import_module("hindsite.build")  # the module: `hindsite.build` is also the package's function
COLLECT = importlib.import_module("hindsite.collect.site")
SESSION = importlib.import_module("hindsite.serve.session")
TRIP = "TRIPS-A-BUG"  # a document holding this makes the injected code fail, as a bug would


def trip_on_marked_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a rebuild of an archive with a document that holds TRIP raise where no document's own guard is: in
    collecting the archive, after every document was read."""
    real_collect = COLLECT.collect

    def collect_or_fail(incidents: Sequence[Incident]) -> Archive:
        if any(TRIP in section.text for incident in incidents for section in incident.sections):
            raise RecursionError("maximum recursion depth exceeded")
        return real_collect(incidents)

    monkeypatch.setattr(COLLECT, "collect", collect_or_fail)


def trip_reading_marked_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading any document that holds TRIP raise, the way a RecursionError on deeply nested front-matter did."""
    real_read = BUILD.read_document

    def read_or_fail(file: SourceFile, max_bytes: int) -> Document:
        if TRIP in file.path.read_text(encoding="utf-8"):
            raise RecursionError("maximum recursion depth exceeded")
        return real_read(file, max_bytes)

    monkeypatch.setattr(BUILD, "read_document", read_or_fail)


class EventReader:
    """The preview's server-sent events, as the page's reload script receives them."""

    def __init__(self, preview: Preview) -> None:
        self._conn = HTTPConnection("127.0.0.1", int(preview.server.server_address[1]), timeout=TIMEOUT)
        self._conn.request("GET", EVENTS_PATH)
        self._response: HTTPResponse = self._conn.getresponse()
        assert self._response.status == 200

    def next_build(self) -> dict[str, Any]:
        fields: dict[str, str] = {}
        while True:
            line = self._response.readline().decode("utf-8")
            assert line, "the event stream ended"
            if line == "\n":
                if fields.get("event") == "build":
                    return json.loads(fields["data"])
                fields = {}
            elif not line.startswith(":") and ": " in line:
                name, value = line.rstrip("\n").split(": ", 1)
                fields[name] = value

    def until(self, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while not condition(build := self.next_build()):
            pass
        return build

    def close(self) -> None:
        self._conn.close()


def test_a_file_that_trips_a_bug_shows_in_the_overlay_and_the_next_save_rebuilds(
    running: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server, watcher and builder thread: the failure reaches the browser's event stream, the rest of the
    last good site stays served, and saving the file again rebuilds and clears the overlay."""
    preview = running.preview
    assert preview is not None
    trip_on_marked_documents(monkeypatch)
    good = running.served()
    events = EventReader(preview)
    try:
        assert events.next_build()["problems"] == []
        beta = running.content / "2024-02-02-beta.md"
        atomic_write(beta, BETA.replace("everything at once.", f"everything at once. {TRIP}"))
        failed = events.until(lambda build: build["problems"] != [])
        [problem] = failed["problems"]
        assert (problem["path"], problem["code"], problem["level"]) == ("", "internal-error", "error")
        assert "RecursionError" in problem["message"] and "please report this" in problem["message"]
        # the overlay says what is on screen: the saved file's own page as saved, every other page as last built
        assert failed["summary"] == Shown.EDITED_AHEAD.headline
        served = running.served()
        assert TRIP in served.pop(BETA_PAGE).decode()  # shown ahead of the rebuild, which does not collect the archive
        assert served == {rel: data for rel, data in good.items() if rel != BETA_PAGE}
        assert any("RecursionError" in line and "Traceback" in line for line in running.messages)  # for the bug report

        atomic_write(beta, BETA.replace("everything at once.", "everything at once, twice."))
        fixed = events.until(lambda build: build["problems"] == [])
        assert fixed["summary"] == Shown.CURRENT.headline
        assert "everything at once, twice." in running.get("/" + BETA_PAGE)[1]
    finally:
        events.close()
    assert wait_until(lambda: not preview.state.building and running.served() == running.fresh_build(), TIMEOUT)


def test_a_bug_in_the_first_build_leaves_a_page_that_says_so(
    site: Path, tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    trip_on_marked_documents(monkeypatch)
    beta = site / "content" / "2024-02-02-beta.md"
    beta.write_text(BETA + TRIP, encoding="utf-8")
    harness = Harness(site, tmp_path, run_cli)
    preview = harness.open()  # does not raise
    preview.watcher.stop()
    server = threading.Thread(target=preview.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    server.start()
    try:
        assert preview.state.shown is Shown.NOTHING
        assert [(p["path"], p["code"]) for p in preview.state.problems] == [("", "internal-error")]
        assert "while building the site" in str(preview.state.problems[0]["message"])
        status, body = harness.get("/")
        assert status == 503 and "EventSource" in body  # the overlay's script, and a reload once a build succeeds

        atomic_write(beta, BETA)
        harness.handle(beta)
        assert (preview.state.problems, preview.state.shown) == ([], Shown.CURRENT)
        harness.assert_matches_fresh_build()
    finally:
        preview.server.shutdown()
        server.join(TIMEOUT)
        preview.stop()


def test_a_document_that_trips_a_bug_while_read_costs_only_that_document(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading is guarded per document: the overlay names the file, and every other page is current."""
    preview = harness.preview
    assert preview is not None
    trip_reading_marked_documents(monkeypatch)
    beta = harness.content / "2024-02-02-beta.md"
    alpha = harness.content / "2024-01-01-alpha.md"
    atomic_write(alpha, ALPHA.replace("writes resumed", "writes came back"))
    atomic_write(beta, BETA + TRIP)
    harness.handle(alpha, beta)
    [problem] = preview.state.problems
    assert (problem["path"], problem["code"]) == ("content/2024-02-02-beta.md", "internal-error")
    assert "RecursionError" in str(problem["message"]) and "please report this" in str(problem["message"])
    assert "writes came back" in harness.page(ALPHA_PAGE)
    atomic_write(beta, BETA)
    harness.handle(beta)
    assert preview.state.problems == []
    harness.assert_matches_fresh_build()


def test_a_bug_outside_any_document_is_reported_without_a_file(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = harness.preview
    assert preview is not None
    good = harness.served()

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    alpha = harness.content / "2024-01-01-alpha.md"
    with monkeypatch.context() as patch:
        patch.setattr(COLLECT, "archive_stats", broken)
        atomic_write(alpha, ALPHA.replace("writes resumed", "writes came back"))
        harness.handle(alpha)
    [problem] = preview.state.problems
    assert (problem["path"], problem["code"]) == ("", "internal-error")
    assert "while rebuilding the site (KeyError" in str(problem["message"]) and "please report this" in str(problem["message"])
    assert preview.state.shown is Shown.EDITED_AHEAD  # the edited page as saved, the rest as last built: as it says
    served = harness.served()
    assert "writes came back" in served.pop(ALPHA_PAGE).decode()  # shown ahead of the rebuild
    assert served == {rel: data for rel, data in good.items() if rel != ALPHA_PAGE}
    harness.handle(alpha)
    assert (preview.state.problems, preview.state.shown) == ([], Shown.CURRENT)
    assert "writes came back" in harness.page(ALPHA_PAGE)
    assert harness.served() != good
    harness.assert_matches_fresh_build()


def test_a_bug_in_showing_the_edited_page_ahead_is_reported_and_the_rebuild_still_runs(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page shown ahead is a shortcut: when it fails, the whole rebuild still brings the site up to date,
    and the bug is reported over a site that is current."""
    preview = harness.preview
    assert preview is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug in the early page")

    alpha = harness.content / "2024-01-01-alpha.md"
    with monkeypatch.context() as patch:
        patch.setattr(SESSION, "render_incident_page", broken)
        atomic_write(alpha, ALPHA.replace("writes resumed", "writes came back"))
        harness.handle(alpha)
    assert "writes came back" in harness.page(ALPHA_PAGE)  # the whole rebuild made up for it
    [problem] = preview.state.problems
    assert problem["code"] == "internal-error" and "showing the edited page ahead" in str(problem["message"])
    assert preview.state.shown is Shown.CURRENT
    harness.assert_matches_fresh_build()

    atomic_write(alpha, ALPHA)
    harness.handle(alpha)
    assert preview.state.problems == []
    harness.assert_matches_fresh_build()


def test_a_file_that_trips_a_bug_is_told_once_in_the_terminal(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page shown ahead and the rebuild read the same file: one failure, one diagnostic, one traceback."""
    trip_on_marked_documents(monkeypatch)
    beta = harness.content / "2024-02-02-beta.md"
    atomic_write(beta, BETA + TRIP)
    harness.handle(beta)
    assert harness.preview is not None and len(harness.preview.state.problems) == 1
    told = [m for m in harness.messages if "internal-error" in m or m.startswith("Traceback")]
    assert len(told) == 2 and told[0].startswith("<site>: error: internal-error: "), told
    assert told[1].startswith("Traceback") and "RecursionError" in told[1]
