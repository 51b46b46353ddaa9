"""Structure a reviewer would keep: sub-sections stay under their section, the preamble stays first, closing
remarks are not action items, and the author's text is what a report page shows."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
from conftest import MakeSite, RunCli

from hindsite.commands.migrate import differences, migrate_document
from hindsite.core.config import SiteConfig
from hindsite.core.model import CLOSING, PREAMBLE, Incident, Section, in_page_order
from hindsite.normalise import normalise
from hindsite.read.files import split_front_matter
from hindsite.render.export import incident_record

CONFIG = SiteConfig(root=Path("."))
TITLE = "# Queue backlog\n\n"


def incident_of(text: str, name: str = "2024-05-06-queue.md") -> Incident:
    return normalise(split_front_matter(text, f"content/{name}", PurePosixPath(name)), CONFIG, frozenset())


def tree(sections: tuple[Section, ...]) -> list[tuple[str, str, list]]:  # type: ignore[type-arg]
    """(key, heading, children) for each section, at every depth."""
    return [(s.key, s.heading, tree(s.children)) for s in sections]


def keys(sections: tuple[Section, ...]) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    return [(s.key, keys(s.children)) for s in sections]


# --- 1. sections nest --------------------------------------------------------------------------

NESTED_UNDER_LESSONS = TITLE + """## Summary

Jobs waited for two hours after a deploy.

## Lessons learned

Three things stood out.

### What went well

The queue alert fired within a minute.

### What went poorly

The runbook pointed at a dashboard nobody keeps any more.

### Action items

- [ ] Rewrite the runbook @ana
- [ ] Retire the old dashboard

## Timeline

- 2024-05-06 09:00 UTC — queue depth alert
- 2024-05-06 11:00 UTC — backlog drained
"""

NESTING = [
    pytest.param(
        NESTED_UNDER_LESSONS,
        [("summary", "Summary", []),
         ("lessons", "Lessons learned", [("lessons", "What went well", []), ("fault", "What went poorly", []),
                                         ("action_items", "Action items", [])]),
         ("timeline", "Timeline", [])],
        id="deeper-headings-stay-under-their-section",
    ),
    pytest.param(
        TITLE + "## Lessons learned\n\nThree things stood out.\n\n## What went poorly\n\nThe runbook was stale.\n",
        [("lessons", "Lessons learned", []), ("fault", "What went poorly", [])],
        id="the-same-level-is-a-sibling",
    ),
    pytest.param(
        TITLE + "## Summary\n\nJobs waited.\n\n# Timeline\n\n- 09:00 alert\n\n## Root cause\n\nA lock.\n",
        [("summary", "Summary", []), ("timeline", "Timeline", []), ("root_cause", "Root cause", [])],
        id="a-heading-shallower-than-the-first-section-is-a-sibling-not-a-parent",
    ),
    pytest.param(
        TITLE + "## Lessons learned\n\n**What went well:**\n\nFast alerts.\n\n**What went wrong:**\n\nA slow rollback.\n",
        [("lessons", "Lessons learned", [("lessons", "What went well", []), ("fault", "What went wrong", [])])],
        id="bold-parts-of-the-lessons-stay-under-them",
    ),
    pytest.param(
        TITLE + "## Timeline\n\n- 09:00 alert\n\n**Root cause:**\n\nA lock on the jobs table.\n",
        [("timeline", "Timeline", []), ("root_cause", "Root cause", [])],
        id="a-bold-heading-naming-another-section-is-a-sibling",
    ),
    pytest.param(
        TITLE + "## Root Cause and Resolution\n\nA lock on the jobs table.\n\n- **Resolution:** We killed the lock.\n",
        [("root_cause", "Root Cause and Resolution", [("resolution", "Resolution", [])])],
        id="a-label-is-a-part-of-the-section-it-is-written-in",
    ),
    pytest.param(
        TITLE + "## Incident details\n\n### Timeline\n\n- 09:00 alert\n\n### Root cause\n\nA lock.\n",
        [("other", "Incident details", [("timeline", "Timeline", []), ("root_cause", "Root cause", [])])],
        id="an-unrecognised-section-holds-its-parts",
    ),
]


@pytest.mark.parametrize(("text", "expected"), NESTING)
def test_sub_sections_stay_under_the_section_the_author_wrote_them_in(text: str, expected: list) -> None:  # type: ignore[type-arg]
    assert tree(incident_of(text).sections) == expected


def test_a_parents_text_holds_its_sub_sections_and_its_own_text_stops_before_them() -> None:
    (lessons,) = incident_of(NESTED_UNDER_LESSONS).sections_for("lessons")[:1]
    assert lessons.text == "Three things stood out."
    assert "### What went poorly\n\nThe runbook pointed at a dashboard nobody keeps any more." in lessons.whole_text


def test_a_nested_timeline_and_action_items_are_read_wherever_they_sit() -> None:
    incident = incident_of(TITLE + "## Incident details\n\n### Timeline\n\n- 2024-05-06 09:00 UTC — queue alert\n\n"
                           "## Lessons learned\n\nMany.\n\n### Action items\n\n- [ ] Rewrite the runbook @ana\n")
    assert [e.text for e in incident.timeline] == ["queue alert"]
    assert [(i.text, i.owner, i.status) for i in incident.action_items] == [("Rewrite the runbook @ana", "ana", "open")]
    assert [s.heading for s in incident.sections_for("action_items")] == ["Action items"]


def test_the_export_lists_every_section_with_its_parent_and_children() -> None:
    record = incident_record(incident_of(NESTED_UNDER_LESSONS))
    sections = record["sections"]
    assert [(s["key"], s["parent"], s["children"]) for s in sections] == [
        ("summary", None, []), ("lessons", None, [2, 3, 4]), ("lessons", 1, []), ("fault", 1, []),
        ("action_items", 1, []), ("timeline", None, []),
    ]
    assert "nobody keeps any more" in sections[1]["text"]  # everything under the heading
    assert "nobody keeps" not in sections[1]["html"]  # its own text: the sub-sections show their own
    assert json.loads(json.dumps(record)) == record


# --- 2. the preamble stays first ---------------------------------------------------------------

AFTER_PREAMBLE = "## Timeline\n\n- 2024-07-02 09:00 — queue depth alert\n\n## Root cause\n\nA lock on the jobs table.\n"

PREAMBLES = [
    pytest.param("> **Note:** this review is blameless.", PREAMBLE, id="a-note"),
    pytest.param("![The queue dashboard during the outage](queue.png)", PREAMBLE, id="an-image"),
    pytest.param("Created by: Ana Lima\nLast modified: 2024-07-03", PREAMBLE, id="created-by"),
    pytest.param("By the platform team", PREAMBLE, id="a-byline"),
    pytest.param("All times PDT.", PREAMBLE, id="a-zone-note"),
    pytest.param("| Severity | High |\n|---|---|\n| Owner | Ana |", PREAMBLE, id="a-table-of-facts"),
    pytest.param("Jobs waited for two hours after a deploy locked the queue table.", "summary", id="prose"),
    pytest.param("Notes up front.", "summary", id="a-short-sentence"),
    pytest.param('<p align="center"><img src="queue.png" width="80%"></p>', PREAMBLE, id="an-html-hero-image"),
    pytest.param("By 10:00 the queue had drained.", "summary", id="a-sentence-starting-with-by"),
    pytest.param("Updated the worker pool at 09:00 and the queue locked.", "summary", id="a-sentence-starting-with-updated"),
]


@pytest.mark.parametrize(("preamble", "key"), PREAMBLES)
def test_text_before_the_first_heading_is_the_summary_only_when_it_is_prose(preamble: str, key: str) -> None:
    incident = incident_of(f"{TITLE}{preamble}\n\n{AFTER_PREAMBLE}")
    assert [s.key for s in incident.sections] == [key, "timeline", "root_cause"]
    assert bool(incident.summary) == (key == "summary")


BLANK_DASHBOARDS = "Dashboards were blank for two hours after a disk filled."


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        pytest.param(f"By Marco Bellini\n\n{BLANK_DASHBOARDS}", BLANK_DASHBOARDS, id="a-byline-first"),
        pytest.param(f"*Written by Marco Bellini*\n\n{BLANK_DASHBOARDS}", BLANK_DASHBOARDS, id="an-italic-byline"),
        pytest.param(f"Date: 2024-03-05 · Severity: SEV-2 · Service: reporting\n\n{BLANK_DASHBOARDS}", BLANK_DASHBOARDS,
                     id="a-line-of-fields"),
        pytest.param(f"Date: 2024-03-05\nSeverity: SEV-2\n\n{BLANK_DASHBOARDS}", BLANK_DASHBOARDS, id="fields-on-lines"),
        pytest.param(f"**Date:** 2024-03-05 — **Severity:** SEV-2\n\n{BLANK_DASHBOARDS}", BLANK_DASHBOARDS,
                     id="bold-fields"),
        pytest.param(f"{BLANK_DASHBOARDS}\n\nBy Marco Bellini", BLANK_DASHBOARDS, id="prose-first"),
        pytest.param("## Background\n\nThe reporting cluster has three nodes.\n\n## Summary\n\nDashboards were blank.",
                     "Dashboards were blank.", id="a-summary-after-the-background"),
        pytest.param("## Overview\n\nThe reporting cluster has three nodes.\n\n## Root cause\n\nDisk full.",
                     "The reporting cluster has three nodes.", id="an-overview-alone-is-the-summary"),
        pytest.param("## Summary\n\nBy Marco Bellini", "By Marco Bellini", id="notes-alone-give-their-first"),
        pytest.param("## Summary (Overview)\n\nThe reporting cluster has three nodes.\n\n## Summary (Issue Summary)\n\n"
                     "Dashboards were blank.", "Dashboards were blank.", id="migrate's-labels-name-the-author's-headings"),
        pytest.param(f"## Summary\n\nQueue backlog\n\n{BLANK_DASHBOARDS}", BLANK_DASHBOARDS,
                     id="the-title's-own-words-are-not-the-summary"),
    ],
)
def test_the_summary_is_the_first_paragraph_of_prose_of_the_summary(text: str, summary: str) -> None:
    assert incident_of(f"{TITLE}{text}\n\n## Root cause\n\nDisk full.\n").summary == summary


def test_a_preamble_that_is_not_the_summary_stays_first_when_the_document_has_one() -> None:
    incident = incident_of(f"{TITLE}Created by: Ana Lima\n\n## Summary\n\nJobs waited.\n\n{AFTER_PREAMBLE}")
    assert [s.key for s in incident.sections] == [PREAMBLE, "summary", "timeline", "root_cause"]


def test_the_preamble_is_still_read_for_the_zone_and_the_facts() -> None:
    incident = incident_of(f"{TITLE}All times PDT.\n\nSeverity: High\n\n{AFTER_PREAMBLE}")
    assert incident.sections[0].key == PREAMBLE
    assert incident.timeline[0].at == dt.datetime(2024, 7, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    assert incident.severity == "sev2"


METADATA_BLOCKS = [
    pytest.param("Date: 2024-07-02\nImpact: 20% of jobs failed\nServices: queue\nSeverity: SEV-2",
                 [PREAMBLE, "summary"], "sev2", ("queue",), id="an-impact-line-among-fields"),
    pytest.param("Impact: High\nUrgency: Low\nDate: 2024-07-02", [PREAMBLE, "summary"], None, (),
                 id="impact-first-then-a-label-hindsite-does-not-know"),
    pytest.param("Jobs waited for two hours.\n**Impact:** 20% of jobs failed\n**Root cause:** a lock on the table",
                 [PREAMBLE, "impact", "root_cause", "summary"], None, (), id="labels-in-prose-still-open-sections"),
]


@pytest.mark.parametrize(("preamble", "keys", "severity", "services"), METADATA_BLOCKS)
def test_a_section_label_among_key_value_lines_is_one_of_them(
    preamble: str, keys: list[str], severity: str | None, services: tuple[str, ...]
) -> None:
    incident = incident_of(f"{TITLE}{preamble}\n\n## Summary\n\nA deploy locked the queue table.\n")
    assert [s.key for s in incident.every_section()] == keys
    assert (incident.severity, incident.services) == (severity, services)
    assert all("Severity:" not in s.text and "Date:" not in s.text for s in incident.sections_for("impact"))


# --- 3. closing remarks are not action items ---------------------------------------------------

ACTIONS = "## Action items\n\nAdd an alert on queue depth\nRetire the old dashboard\n"

CLOSINGS = [
    pytest.param(ACTIONS + "In conclusion, one deploy caused the backlog and we know how to stop it.\n", 2,
                 "In conclusion, one deploy caused the backlog and we know how to stop it.", id="in-conclusion"),
    pytest.param(ACTIONS + "\nThank you to everyone who stayed late.\n", 2, "Thank you to everyone who stayed late.",
                 id="thanks"),
    pytest.param(ACTIONS + "\nWe apologize to every customer whose jobs were delayed.\n", 2,
                 "We apologize to every customer whose jobs were delayed.", id="an-apology"),
    pytest.param(ACTIONS + "\nSincerely,\nThe platform team\n", 2, "Sincerely,\nThe platform team", id="a-sign-off"),
    pytest.param(ACTIONS + "By taking these steps we expect the queue to stay healthy.\n", 2,
                 "By taking these steps we expect the queue to stay healthy.", id="a-look-back-at-the-list"),
    pytest.param("## Action items\n\n- Add an alert on queue depth\n\nThanks again, and sorry for the wait.\n", 1,
                 "Thanks again, and sorry for the wait.", id="after-a-list"),
    # Where the rule stops: closing words that open a section are its text; a thank-you with items after it is no end.
    pytest.param("## Closing thoughts\n\nThank you all.\n", 0, None, id="closing-words-opening-a-section-stay-in-it"),
    pytest.param("## Action items\n\nThanks to the on-call team, we know what to fix:\n\n- Add an alert\n", 1, None,
                 id="thanks-followed-by-items-is-no-closing"),
]


@pytest.mark.parametrize(("body", "items", "closing"), CLOSINGS)
def test_closing_remarks_after_the_last_section_are_a_closing_part(body: str, items: int, closing: str | None) -> None:
    incident = incident_of(TITLE + "## Summary\n\nJobs waited.\n\n" + body)
    last = incident.sections[-1]
    assert (last.key == CLOSING) == (closing is not None) and len(incident.sections) == 2 + (closing is not None)
    if closing is not None:
        assert last.text == closing
        assert all(closing.split()[0] not in item.text for item in incident.action_items)
    assert len(incident.action_items) == items


# --- 4. the report page --------------------------------------------------------------------------

class _Page(HTMLParser):
    """The parts of a report page these tests look at: headings with their level, the table of contents,
    the timeline's entries, the text shown and the text inside closed `<details>` blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.toc: list[tuple[int, str]] = []
        self.events: list[str] = []
        self.text: list[str] = []
        self.collapsed: list[str] = []
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append((tag, {k: v or "" for k, v in attrs}))
        if re.fullmatch(r"h[2-6]", tag) and self._inside("article"):
            self._heading = []
        if tag == "a" and self._inside("nav", "toc"):
            self.toc.append((sum(t == "ol" for t, _ in self._stack), ""))
        if tag == "li" and self._inside("ol", "timeline"):
            self.events.append("")

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[2-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), " ".join("".join(self._heading).split())))
            self._heading = None
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self.toc and self._stack and self._stack[-1][0] == "a" and self._inside("nav", "toc"):
            self.toc[-1] = (self.toc[-1][0], (self.toc[-1][1] + data).strip())
        if self.events and self._inside("ol", "timeline"):
            self.events[-1] = " ".join((self.events[-1] + " " + data).split())
        if self._inside("details", "") and not self._inside("details", "diagnostics") and not self._inside(
                "details", "provenance"):  # how a fact was worked out is a note on it, not the author's text
            self.collapsed.append(data)
        if self._inside("article"):
            self.text.append(data)

    def _inside(self, tag: str, css: str = "") -> bool:
        return any(t == tag and css in a.get("class", "").split() + [""] for t, a in self._stack)

    def shown(self) -> str:
        return " ".join(" ".join(self.text).split())


def page_of(text: str, tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> _Page:
    site = make_site(tmp_path, {"content/2024-05-06-queue.md": text})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.output
    page = _Page()
    page.feed((site / "_site" / "incidents" / "2024-05-06-queue.html").read_text(encoding="utf-8"))
    return page


def test_the_page_shows_sub_sections_under_their_section_in_the_authors_order(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    page = page_of(NESTED_UNDER_LESSONS, tmp_path, make_site, run_cli)
    headings = [(level, text) for level, text in page.headings if text != "Facts"]
    assert headings == [
        (2, "Summary"), (2, "Timeline"), (2, "Lessons learned"),
        (3, "What went well Lessons learned"), (3, "What went poorly Fault"), (3, "Action items"),  # heading, then key
    ]
    assert page.toc == [(1, "Summary"), (1, "Timeline"), (1, "Lessons learned"), (2, "What went well"),
                        (2, "What went poorly"), (2, "Action items")]


def test_the_preamble_is_first_on_the_page_with_no_table_of_contents_entry(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    page = page_of(f"{TITLE}Created by: Ana Lima\n\n## Summary\n\nJobs waited.\n\n{AFTER_PREAMBLE}", tmp_path, make_site,
                   run_cli)
    assert all(text for _, text in page.toc) and [text for _, text in page.toc] == ["Summary", "Timeline", "Root cause"]
    shown = page.shown()
    assert shown.index("Created by: Ana Lima") < shown.index("Jobs waited.") < shown.index("A lock on the jobs table.")


THE_OWN_HEADING = ("# Postmortem\n\n# Thumbnails served as broken links\n\nDate: 2024-05-06\nSeverity: SEV-3\n\n"
                   "## Summary\n\nThumbnails failed for an hour.\n\n## Action items\n\n- Check the thumbnail cache.\n")


def test_the_heading_the_title_is_read_from_stays_at_the_top_of_the_page(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    page = page_of(THE_OWN_HEADING, tmp_path, make_site, run_cli)
    shown = page.shown()
    assert shown.index("Severity: SEV-3") < shown.index("Thumbnails failed for an hour.")
    assert shown.index("Thumbnails failed for an hour.") < shown.index("Check the thumbnail cache.")


@pytest.mark.parametrize(
    ("title_line", "order"),
    [
        pytest.param(3, ["preamble", "other-3", "summary", "action_items", "other-9"], id="the-title's-heading-stays-first"),
        pytest.param(None, ["preamble", "summary", "action_items", "other-3", "other-9"], id="without-it-in-canonical-order"),
    ],
)
def test_page_order_keeps_the_titles_heading_where_it_was_written(title_line: int | None, order: list[str]) -> None:
    sections = [Section(PREAMBLE, "", 1, "", ""), Section("other", "Thumbnails broken", 3, "", ""),
                Section("action_items", "Action items", 5, "", ""), Section("summary", "Summary", 7, "", ""),
                Section("other", "Appendix", 9, "", "")]
    shown = [s.key if s.key != "other" else f"other-{s.line}" for s in in_page_order(sections, title_line)]
    assert shown == order


def test_the_authors_text_is_shown_and_what_is_read_from_it_is_shown_beside_it(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    text = TITLE + ("## Timeline\n\n09:00 UTC - queue depth alert fired\n\nEscalation: the storage team joined the call.\n\n"
                    "- 2024-05-06 10:30 UTC — backlog drained\n- Aftermath: dashboards reviewed\n- 2024-05-06 11:00 UTC — all clear\n\n"
                    "## Action items\n\n- Add an alert on queue depth\n\nThese land next sprint.\n\n"
                    "Thank you to everyone who stayed late.\n")
    page = page_of(text, tmp_path, make_site, run_cli)
    shown = page.shown()
    for words in ("Escalation: the storage team joined the call.", "Aftermath: dashboards reviewed",
                  "These land next sprint.", "Thank you to everyone who stayed late."):
        assert words in shown
        assert words not in " ".join(page.collapsed)
    assert page.collapsed == []  # nothing a reader needs is inside a closed block
    # The timeline read from the text: untimed entries are there, in the order written.
    assert [event.split(" ", 1)[0] == "no" for event in page.events] == [False, False, True, False]
    assert "Aftermath: dashboards reviewed" in page.events[2]
    assert shown.rindex("Thank you to everyone") > shown.rindex("Add an alert on queue depth")  # the closing is last


# --- 5. migrate keeps the structure ---------------------------------------------------------------

ROUND_TRIPS = {
    "nested": NESTED_UNDER_LESSONS,
    "preamble-and-closing": (f"{TITLE}Created by: Ana Lima\n\nAll times UTC.\n\n## Summary\n\nJobs waited.\n\n"
                             f"{AFTER_PREAMBLE}\n{ACTIONS}\nSincerely,\nThe platform team\n"),
    "wrapper": TITLE + "## Incident details\n\n### Timeline\n\n- 2024-05-06 09:00 UTC — alert\n\n### Impact\n\nSlow jobs.\n\n"
               "## Summary\n\nJobs waited.\n",
}


def migrated(text: str) -> str:
    document = split_front_matter(text, "content/q.md", PurePosixPath("q.md"))
    after, problem = migrate_document(document, CONFIG)
    assert problem is None, problem.format()
    return after


@pytest.mark.parametrize("text", ROUND_TRIPS.values(), ids=list(ROUND_TRIPS))
def test_migrate_keeps_the_nesting_the_preamble_and_the_closing(text: str) -> None:
    after = migrated(text)
    assert differences(incident_of(text), incident_of(after)) == []
    # The same sections under the same parents, each parent's in the author's order; the top level is in canonical order.
    assert sorted(keys(incident_of(after).sections)) == sorted(keys(incident_of(text).sections))
    assert migrated(after) == after


def test_migrate_writes_sub_sections_one_level_deeper_and_the_preamble_and_closing_without_headings() -> None:
    after = migrated(ROUND_TRIPS["preamble-and-closing"])
    body = after.split("---\n", 2)[2]
    assert body.startswith("\nCreated by: Ana Lima\n\nAll times UTC.\n\n## Summary")
    assert body.endswith("- Retire the old dashboard\n\nSincerely,\nThe platform team\n")
    nested = migrated(NESTED_UNDER_LESSONS)
    assert "## Lessons learned\n\nThree things stood out.\n\n### Lessons learned (What went well)\n" in nested
    assert "### Fault (What went poorly)\n" in nested and "### Action items\n\n- [ ] Rewrite the runbook @ana" in nested


def test_differences_notice_a_sub_section_lifted_out() -> None:
    before = incident_of(NESTED_UNDER_LESSONS)
    lessons = before.sections[1]
    lifted = (before.sections[0], lessons.__class__(**{**_fields(lessons), "children": lessons.children[:2]}),
              lessons.children[2], *before.sections[2:])
    changed = Incident(**{**_fields(before), "sections": lifted})
    assert differences(before, changed) == ["the lessons › action items section would be nested differently"]


def _fields(value: object) -> dict[str, object]:
    return {name: getattr(value, name) for name in value.__dataclass_fields__}  # type: ignore[attr-defined]


def test_inspect_indents_sub_sections_and_names_the_preamble_and_the_closing(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    text = f"{TITLE}Created by: Ana Lima\n\n" + NESTED_UNDER_LESSONS[len(TITLE):] + "\nThank you all for the help.\n"
    site = make_site(tmp_path, {"content/2024-05-06-queue.md": text})
    lines = run_cli("inspect", "content/2024-05-06-queue.md", cwd=site).stdout.splitlines()
    shown = [" ".join(line.split()[1:]) for line in lines[lines.index(next(x for x in lines if x.startswith("Sections"))) + 1:]]
    assert shown[:8] == [
        "preamble (text before the first heading)", "summary Summary", "lessons Lessons learned",
        "lessons What went well", "fault What went poorly", "action_items Action items", "timeline Timeline",
        "closing (closing remarks after the last section)",
    ]
    well, top = (next(line for line in lines if line.endswith(heading)) for heading in ("What went well", "Lessons learned"))
    assert well.index("lessons") == top.index("lessons") + 2  # one step in, under its section
