"""Hostile names and fields in a real browser: no page runs anything they hold, and attachments of any name load.

The archive is written here. Every payload, if it ever ran, would set `window.__pwned`; each page of the built
site is opened (and the index filtered and the search run, which draw rows from the data files) and the mark
is looked for. Images whose names hold quotes, brackets, `#`, `?`, `%` and other scripts must show: a
rendered width proves the browser fetched the right file.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from hindsite.commands.cli import cli

from .conftest import Browser, WatchedPage, serving, watching

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with a clear message instead
    expect = None

MARK = "window.__pwned"


def payload(where: str) -> str:
    return f"{MARK}='{where}'"


#: Attachment names, each published as it is and linked as an author would: the name percent-encoded once.
#: `a%20b` is a file whose name holds `%20`; read twice, its link would fetch `a b.png`, which does not exist.
ODD_NAMES = ('q"uote', "it's", "a<b>c", "a b", "a#b", "a?b", "100%", "a%25b", "a%20b", "naïve 東京",
             f'z" onerror="{payload("name")};[]')  # `[].png`: the file's extension keeps the script valid

HOSTILE = f"<img src=x onerror={payload('field')}>"

#: Front-matter and body text that would run if any of it reached a page as markup. Nothing here may load
#: a file the site does not have (the page watcher reports a 404 as a failure): handlers that need no load.
FIELDS_DOCUMENT = f"""---
title: "Fields {HOSTILE} \\"><svg onload={payload('title')}>"
date: 2024-02-02
summary: "<script>{payload('summary')}</script> summary"
services: ["svc <svg onload={payload('service')}>"]
tags: ["tag <svg onload={payload('tag')}>"]
responders: ["ana <details open ontoggle={payload('responder')}>"]
runbook: "javascript:{payload('runbook')}"
owner_team: "'><details open ontoggle={payload('extra')}>"
---

## Summary

Body words <details open ontoggle={payload('body')}><summary>x</summary></details> and
[a link](javascript:{payload('link')}) and <a href="javascript:{payload('href')}">another</a>.

## Timeline

- 2024-02-02 10:00 UTC paged <details open ontoggle={payload('timeline')}>x</details>

## Action items

- [ ] Fix <details open ontoggle={payload('action')}>it</details> @ana javascript:{payload('ticket')}
"""


def png(width: int = 3, height: int = 2) -> bytes:
    """A small real PNG: a browser that fetched it shows it `width` pixels wide."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def attachments_document() -> str:
    markdown = "\n\n".join(f"![{n}]({quote(name + '.png')}) shot {n}." for n, name in enumerate(ODD_NAMES))
    raw = "\n\n".join(f'<img src="{quote(name + ".png")}" alt="raw {n}"> raw {n}.' for n, name in enumerate(ODD_NAMES))
    return f"---\ntitle: Attachments\ndate: 2024-02-01\n---\n\n## Summary\n\n{markdown}\n\n{raw}\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    site = tmp_path_factory.mktemp("hostile-names")
    content = site / "content"
    content.mkdir()
    for name in ODD_NAMES:
        (content / f"{name}.png").write_bytes(png())
    (content / "2024-02-01-attachments.md").write_text(attachments_document(), encoding="utf-8")
    (content / "2024-02-02-fields.md").write_text(FIELDS_DOCUMENT, encoding="utf-8")
    (site / "site.toml").write_text(f'title = "Site {HOSTILE}"\ndescription = "{HOSTILE}"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = CliRunner().invoke(cli, ["build", "-q"], prog_name="hindsite", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with serving(site / "_site") as url:
        yield url, site / "_site"


@pytest.fixture
def watched_hostile(browser: Browser, hostile_site: tuple[str, Path]) -> Iterator[WatchedPage]:
    with watching(browser, lambda page: WatchedPage(page, hostile_site[0])) as watch:
        yield watch


def assert_nothing_ran(watched: WatchedPage, where: str) -> None:
    watched.page.wait_for_load_state("load")
    assert watched.page.evaluate(MARK) is None, f"a payload ran on {where}: {watched.page.evaluate(MARK)!r}"


def test_no_page_runs_a_payload_from_a_name_or_a_field(watched_hostile: WatchedPage, hostile_site: tuple[str, Path]) -> None:
    url, out = hostile_site
    pages = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.html"))
    assert "incidents/2024-02-02-fields.html" in pages and len(pages) > 10
    for page in pages:
        watched_hostile.page.goto(url + quote(page))
        watched_hostile.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = !d.open; })")
        assert_nothing_ran(watched_hostile, page)
    watched_hostile.assert_clean("while opening every page")


def test_rows_drawn_from_the_data_files_run_nothing(watched_hostile: WatchedPage, hostile_site: tuple[str, Path]) -> None:
    url = hostile_site[0]
    watched_hostile.page.goto(url + "index.html?tag=" + quote(f"tag <svg onload={payload('tag')}>"))
    expect(watched_hostile.page.locator("#incident-table tbody tr:not([hidden])")).to_have_count(1)
    assert_nothing_ran(watched_hostile, "the filtered index")
    watched_hostile.page.goto(url + "follow-ups.html?owner=ana")
    assert_nothing_ran(watched_hostile, "the filtered follow-ups")
    watched_hostile.page.goto(url + "search.html")
    watched_hostile.page.fill("#search-q", "fields")
    watched_hostile.page.press("#search-q", "Enter")
    expect(watched_hostile.page.locator("#search-results li")).to_have_count(1)
    assert_nothing_ran(watched_hostile, "the search results")
    watched_hostile.assert_clean("while filtering and searching")


def test_images_of_every_odd_name_load(watched_hostile: WatchedPage, hostile_site: tuple[str, Path]) -> None:
    watched_hostile.page.goto(hostile_site[0] + "incidents/2024-02-01-attachments.html")
    watched_hostile.page.wait_for_load_state("load")
    images = watched_hostile.page.eval_on_selector_all(
        ".prose img", "images => images.map(i => [i.alt, i.getAttribute('src'), i.complete && i.naturalWidth])")
    assert len(images) == 2 * len(ODD_NAMES)
    assert [(alt, src) for alt, src, width in images if width != 3] == []
    assert_nothing_ran(watched_hostile, "the attachments' page")
    watched_hostile.assert_clean("while loading the attachments")
