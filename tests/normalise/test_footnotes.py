"""Footnote definitions: wherever they are written, their words reach a section, and they are not file links."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
from conftest import MakeSite, RunCli

from hindsite.core.config import SiteConfig
from hindsite.core.markup import parse, render_inline, text_of
from hindsite.core.model import Incident
from hindsite.normalise import normalise
from hindsite.normalise.blocks import parse_blocks
from hindsite.read.files import split_front_matter

NAME = "2024-05-06-queue.md"


def incident_of(text: str, known_files: frozenset[str] | None = None) -> Incident:
    document = split_front_matter(text, f"content/{NAME}", PurePosixPath(NAME))
    return normalise(document, SiteConfig(root=Path(".")), known_files)


def shown(incident: Incident) -> str:
    """The words of every section as a reader sees them."""
    return " ".join(text_of(section.html) for section in incident.sections)


NOTE = "[^1]: measured upstream"

PLACEMENTS = {
    "first": f"{NOTE}\n\nErrors rose[^1].",
    "first after front-matter": f"---\ntitle: Queue stalled\n---\n\n{NOTE}\n\nErrors rose[^1].",
    "first, two of them": f"{NOTE}\n[^2]: second note\n\nErrors rose[^1][^2].",
    "first, continued on the next line": "[^1]:\n    measured upstream\n\nErrors rose[^1].",
    "after the title": f"# Queue stalled\n\n{NOTE}\n\nErrors rose[^1].",
    "before the title": f"{NOTE}\n\n# Queue stalled\n\nErrors rose[^1].",
    "alone before the first heading": f"{NOTE}\n\n## Impact\n\nErrors rose[^1].",
    "alone after the title": f"# Queue stalled[^1]\n\n{NOTE}\n\n## Impact\n\nErrors rose.",
    "between two headings": f"## Impact\n\nErrors rose[^1].\n\n{NOTE}\n\n## Lessons\n\nAlerts helped.",
    "right under a heading": f"## Impact\n\n{NOTE}\n\n## Lessons\n\nAlerts helped[^1].",
    "at the very end": f"## Impact\n\nErrors rose[^1].\n\n## Lessons\n\nAlerts helped.\n\n{NOTE}",
    "the whole body": NOTE,
    "the whole body after front-matter": f"---\ntitle: Queue stalled\n---\n{NOTE}",
    "inside a quote": f"> Errors rose[^1].\n>\n> {NOTE}",
}


@pytest.mark.parametrize("text", PLACEMENTS.values(), ids=PLACEMENTS.keys())
def test_a_footnote_definition_reaches_a_section_wherever_it_is_written(text: str) -> None:
    incident = incident_of(text)
    assert "measured upstream" in " ".join(section.text for section in incident.sections)
    assert "measured upstream" in shown(incident)


def test_a_footnote_definition_first_stays_with_the_text_that_refers_to_it() -> None:
    (section,) = incident_of(PLACEMENTS["first"]).sections
    assert section.text == PLACEMENTS["first"]
    assert section.line == 1
    assert re.search(r"Errors rose<sup.*measured upstream", section.html, re.S)


def test_the_title_is_not_repeated_in_the_section_before_the_first_heading() -> None:
    incident = incident_of(PLACEMENTS["after the title"])
    assert incident.title == "Queue stalled"
    assert [(s.key, s.line, s.text) for s in incident.sections] == [("summary", 3, f"{NOTE}\n\nErrors rose[^1].")]


def test_a_referenced_definition_is_a_block_where_it_was_written() -> None:
    body = "Errors rose[^1].\n\n[^1]: measured\n    upstream\n\n## Impact\n\n> Quoted[^2].\n>\n> [^2]: inside"
    blocks = parse_blocks(body, 10)
    assert [(b.kind, b.start, b.end) for b in blocks] == [
        ("paragraph", 10, 11), ("other", 12, 14), ("heading", 15, 16), ("quote", 17, 20),
    ]
    assert blocks[1].source == "[^1]: measured\n    upstream"


# --- assets ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text", ["Errors rose[^1].\n\n[^1]: upstream", "Errors rose[^up].\n\n  [^up]: graphs/latency.png", "[^1]: upstream"]
)
def test_a_footnote_definition_is_not_a_missing_file(text: str) -> None:
    incident = incident_of(text, frozenset({NAME}))
    assert [d for d in incident.diagnostics if d.code == "missing-asset"] == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("See the [graph][x].\n\n[x]: ./missing.png", 3),
        ("Errors rose[^1].\n\n[^1]: see [the graph](./missing.png)", 3),
    ],
)
def test_a_missing_file_is_still_reported(text: str, line: int) -> None:
    incident = incident_of(text, frozenset({NAME}))
    assert [(d.code, d.line) for d in incident.diagnostics if d.code == "missing-asset"] == [("missing-asset", line)]


# --- anchors -----------------------------------------------------------------------

IN_PAGE_LINK = re.compile(r'href="#([^"]*)"')
ID = re.compile(r'\bid="([^"]*)"')


def test_a_footnote_reference_and_its_note_link_to_each_other() -> None:
    html = parse("Errors rose[^1], then fell[^1].\n\n[^1]: measured upstream").html(footnote_scope="7")
    assert IN_PAGE_LINK.findall(html) == ["fn-7-1", "fn-7-1", "fnref-7-1", "fnref-7-1:1"]
    assert ID.findall(html) == ["fnref-7-1", "fnref-7-1:1", "fn-7-1"]
    assert "measured upstream" in text_of(html)


def test_footnotes_of_two_sections_have_ids_of_their_own() -> None:
    incident = incident_of("## Impact\n\nErrors rose[^1].\n\n[^1]: measured upstream\n\n"
                           "## Lessons\n\nAlerts helped[^1].\n\n[^1]: paged twice")
    ids = [anchor for section in incident.sections for anchor in ID.findall(section.html)]
    assert len(ids) == 4
    assert len(set(ids)) == 4
    assert [i for i in ids if not i.startswith(("fn-", "fnref-"))] == []  # never a page's own `s-…`, `h-…`
    for section in incident.sections:
        assert set(IN_PAGE_LINK.findall(section.html)) == set(ID.findall(section.html))


@pytest.mark.parametrize(
    "raw",
    ['<a id="s-summary">keep</a>', '<li id="fn1">keep</li>', '<a id="fn-1-1">keep</a>',
     '<span id="fnref-1-1">keep</span>', '<li id="fnref-1-1:1">keep</li>', '<div id="main">keep</div>'],
)
def test_an_authors_raw_html_keeps_no_id_not_even_a_footnotes(raw: str) -> None:
    # The section's heading is on line 1, so its footnote's ids are fn-1-1 and fnref-1-1; the author's are
    # dropped even when they copy a footnote's, so no id on the page is ever there twice or the author's choice.
    (section,) = incident_of(f"## Summary\n\nErrors rose[^1]. {raw}\n\n{raw}\n\n[^1]: measured upstream").sections
    assert sorted(ID.findall(section.html)) == ["fn-1-1", "fnref-1-1"]
    assert text_of(section.html).count("keep") == 2


def test_a_footnote_referred_to_from_another_section_keeps_its_words() -> None:
    incident = incident_of("## Impact\n\nErrors rose[^1].\n\n## Lessons\n\nAlerts helped.\n\n[^1]: measured upstream")
    assert "measured upstream" in shown(incident)
    for section in incident.sections:
        assert set(IN_PAGE_LINK.findall(section.html)) <= set(ID.findall(section.html))


FOOTNOTED = """\
---
title: Disk full
date: 2024-01-02
---

## Summary

Errors rose[^1], then fell[^1].

[^1]: measured upstream

## Impact

Checkout failed[^1].

[^1]: for ten minutes
"""


def strict_page(document: str, tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> tuple[str, list[str]]:
    """The report page of `document` built with --strict, which must pass with no broken link, and its ids, each once."""
    site = make_site(tmp_path, {"content/2024-01-02-disk.md": document})
    result = run_cli("build", "--strict", cwd=site)
    assert "broken-link" not in result.stderr
    assert result.exit_code == 0, result.stderr
    page = (site / "_site" / "incidents" / "2024-01-02-disk.html").read_text(encoding="utf-8")
    ids = ID.findall(page)
    assert len(ids) == len(set(ids)), ids
    return page, ids


def test_a_site_with_footnotes_builds_strict_with_every_anchor_on_its_page(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    page, ids = strict_page(FOOTNOTED, tmp_path, make_site, run_cli)
    notes = [link for link in IN_PAGE_LINK.findall(page) if link.startswith("fn")]
    assert len(notes) == 6  # three references, three ways back
    assert set(notes) <= set(ids)


# --- one-line texts -----------------------------------------------------------------

def test_an_inline_footnote_in_a_one_line_text_keeps_its_words_and_links_nowhere() -> None:
    # A timeline entry or an action item is rendered on its own, with no scope to make its ids unique on the page.
    html = render_inline("Disk filled^[as the graphs show].")
    assert IN_PAGE_LINK.findall(html) == []
    assert text_of(html).startswith("Disk filled[1]. as the graphs show")


INLINE_NOTES = FOOTNOTED.replace("## Impact", """\
## Timeline

- 09:12 Disk filled^[as the graphs show].
- 09:20 Old logs removed[^1].

## Action items

- [ ] Alert on disk use^[at 80%] (owner: @ana)

## Impact""")


def test_a_site_with_footnotes_in_entries_and_items_builds_strict(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    page, ids = strict_page(INLINE_NOTES, tmp_path, make_site, run_cli)
    assert set(IN_PAGE_LINK.findall(page)) <= set(ids)
    assert "as the graphs show" in text_of(page)
    assert "at 80%" in text_of(page)
