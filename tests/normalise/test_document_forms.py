"""Table-driven tests of the forms a whole document comes in: raw HTML, plain text, metadata written in one line.

Every fixture is written for these tests. A document in HTML or in bare lines must give the
same incident as one in Markdown: its sections, timeline, action items, severity and services,
each on the file line it was written on.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from hindsite.commands.migrate import migrate_document
from hindsite.core.config import SiteConfig
from hindsite.core.markup import parse
from hindsite.core.model import Incident
from hindsite.normalise import normalise
from hindsite.normalise.blocks import Block, ListItem, TableRow, is_plain_text, parse_blocks
from hindsite.read.files import split_front_matter


def incident_of(text: str) -> Incident:
    document = split_front_matter(text, "doc.md", PurePosixPath("doc.md"))
    return normalise(document, SiteConfig(root=Path(".")), frozenset())


def sections_of(incident: Incident) -> list[tuple[str, str, int]]:
    return [(s.key, s.heading, s.line) for s in incident.sections]


def events_of(incident: Incident) -> list[tuple[str | None, str, int]]:
    return [(e.at.isoformat() if e.at else None, e.text, e.line) for e in incident.timeline]


def items_of(incident: Incident) -> list[tuple[str, str | None, str | None, int]]:
    return [(i.text, i.owner, i.status, i.line) for i in incident.action_items]


# --- 1. whole documents ---------------------------------------------------------------------

HTML_DOCUMENT = """\
<h1>Push notifications delayed</h1>
<p>Severity: Minor. Services: notifications.</p>
<h3>Summary</h3>
<p>On 14 March 2024 push notifications reached phones
up to two hours late.</p>
<h3>Timeline</h3>
<ul>
  <li>10:00 UTC Deploy of the notifier started</li>
  <li>10:12 UTC Alert fired for <code>queue_depth</code></li>
  <li>12:05 UTC Queue drained, service restored</li>
</ul>
<h3>Root cause</h3>
<p>A consumer pool sized for last year's traffic.</p>
<h3>Action items</h3>
<table>
  <tr><th>Action</th><th>Owner</th><th>Status</th></tr>
  <tr><td>Autoscale the consumer pool</td><td>@ana</td><td>Open</td></tr>
  <tr><td>Alert on queue age (<a href="https://tracker.example.com/OPS-7">OPS-7</a>)</td><td>@bo</td><td>Done</td></tr>
</table>
"""

#: The same incident with blank lines between its elements, a table of facts and a timeline as a table.
HTML_WITH_BLANK_LINES = """\
<h2>Checkout errors</h2>

<table>
  <tr><th>Severity</th><td>sev2</td></tr>
  <tr><th>Services</th><td>checkout, payments</td></tr>
</table>

<h3>Timeline (all times UTC)</h3>

<table>
  <thead><tr><th>Date</th><th>Time</th><th>Event</th></tr></thead>
  <tbody>
  <tr><td>2024-05-02</td><td>09:40</td><td>Error rate alert</td></tr>
  <tr><td>2024-05-02</td><td>10:25</td><td>Rollback finished, errors resolved</td></tr>
  </tbody>
</table>

<h3>Follow-up</h3>

<ul>
  <li><input type="checkbox" checked> Canary every payments deploy</li>
  <li><input type="checkbox"> Page on checkout 5xx, owner <b>@maya</b></li>
</ul>
"""

PLAIN_DOCUMENT = """\
CHECKOUT LATENCY INCIDENT

Incident Date: 2024-03-14
Severity: sev2 | Services: checkout, payments

        Overview
Card payments were slow for most of an afternoon.

TIMELINE OF EVENTS
Time (UTC)   Event
13:02        Deploy of payments v7
13:10        Latency alert fired
15:45        Rollback finished, latency resolved

Root Cause and Resolution
A connection pool limit that the new version lowered.

Follow-up Work

Add a load test to the deploy pipeline
Alert on pool saturation
"""

#: Bare lines with no blank line between sections, and a Title Case heading ending a paragraph.
PLAIN_RUN_ON = """\
Issue Summary
Duration: 90 minutes. Severity: critical.
Search was down for every user.
Timeline
2024-08-25 10:45   Alerts fired for search errors
2024-08-25 12:15   Index rebuilt, search restored
Root Cause and Resolution

A misconfigured index after a data migration.

Corrective and Preventative Measures

Re-index after every migration
Alert on index errors
"""

DOCUMENTS = [
    pytest.param(
        HTML_DOCUMENT,
        "Push notifications delayed",
        [("preamble", "", 2), ("summary", "Summary", 3), ("timeline", "Timeline", 6), ("root_cause", "Root cause", 12),
         ("action_items", "Action items", 14)],
        [("2024-03-14T10:00:00+00:00", "Deploy of the notifier started", 8),
         ("2024-03-14T10:12:00+00:00", "Alert fired for `queue_depth`", 9),
         ("2024-03-14T12:05:00+00:00", "Queue drained, service restored", 10)],
        [("Autoscale the consumer pool", "ana", "open", 17),
         ("Alert on queue age ([OPS-7](https://tracker.example.com/OPS-7))", "bo", "done", 18)],
        "sev3", ("notifications",),
        id="html-h3-p-ul-table",
    ),
    pytest.param(
        HTML_WITH_BLANK_LINES,
        "Checkout errors",
        [("preamble", "", 3), ("timeline", "Timeline (all times UTC)", 8), ("action_items", "Follow-up", 18)],
        [("2024-05-02T09:40:00+00:00", "Error rate alert", 13),
         ("2024-05-02T10:25:00+00:00", "Rollback finished, errors resolved", 14)],
        [("Canary every payments deploy", None, "done", 21),
         ("Page on checkout 5xx, owner **@maya**", "maya", "open", 22)],
        "sev2", ("checkout", "payments"),
        id="html-tables-and-checkboxes",
    ),
    pytest.param(
        PLAIN_DOCUMENT,
        "CHECKOUT LATENCY INCIDENT",
        [("preamble", "", 3), ("summary", "Overview", 6), ("timeline", "TIMELINE OF EVENTS", 9),
         ("root_cause", "Root Cause and Resolution", 15), ("action_items", "Follow-up Work", 18)],
        [("2024-03-14T13:02:00+00:00", "Deploy of payments v7", 11),
         ("2024-03-14T13:10:00+00:00", "Latency alert fired", 12),
         ("2024-03-14T15:45:00+00:00", "Rollback finished, latency resolved", 13)],
        [("Add a load test to the deploy pipeline", None, None, 20), ("Alert on pool saturation", None, None, 21)],
        "sev2", ("checkout", "payments"),
        id="plain-caps-indented-and-title-case-headings",
    ),
    pytest.param(
        PLAIN_RUN_ON,
        "A misconfigured index after a data migration",  # the summary's first line is a label
        [("summary", "Issue Summary", 1), ("timeline", "Timeline", 4), ("root_cause", "Root Cause and Resolution", 7),
         ("action_items", "Corrective and Preventative Measures", 11)],
        [("2024-08-25T10:45:00+00:00", "Alerts fired for search errors", 5),
         ("2024-08-25T12:15:00+00:00", "Index rebuilt, search restored", 6)],
        [("Re-index after every migration", None, None, 13), ("Alert on index errors", None, None, 14)],
        "sev1", (),
        id="plain-title-case-heading-ending-a-paragraph",
    ),
]


@pytest.mark.parametrize(("text", "title", "sections", "events", "items", "severity", "services"), DOCUMENTS)
def test_whole_documents(
    text: str, title: str, sections: list[tuple[str, str, int]], events: list[tuple[str | None, str, int]],
    items: list[tuple[str, str | None, str | None, int]], severity: str, services: tuple[str, ...],
) -> None:
    incident = incident_of(text)
    assert incident.title == title
    assert sections_of(incident) == sections
    assert events_of(incident) == events
    assert items_of(incident) == items
    assert (incident.severity, incident.services) == (severity, services)


def test_an_html_document_is_read_and_still_shown_as_its_html() -> None:
    """What the normaliser reads of HTML is new; the page still shows the author's elements, sanitised."""
    incident = incident_of(HTML_DOCUMENT)
    assert len(incident.timeline) == 3
    shown = {s.key: s.html for s in incident.sections}
    assert "<li>10:12 UTC Alert fired for <code>queue_depth</code></li>" in shown["timeline"]
    assert '<a href="https://tracker.example.com/OPS-7" rel="noopener noreferrer">OPS-7</a>' in shown["action_items"]
    assert "<p>A consumer pool sized for last year's traffic.</p>" in shown["root_cause"]


# --- 2. metadata written in one line ---------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "values"),
    [
        pytest.param("Severity: Minor. Services: notifications.", {"severity": "sev3", "services": ("notifications",)},
                     id="sentences"),
        pytest.param("Date: 2024-03-14 | Duration: 2h | Severity: sev2",
                     {"date": "2024-03-14", "duration_minutes": 120, "severity": "sev2"}, id="bars"),
        pytest.param("**Severity:** sev1 · **Status:** resolved", {"severity": "sev1", "status": "resolved"},
                     id="bold-labels-and-middle-dot"),
        pytest.param("Start: 2024-03-14 10:00 UTC, End: 2024-03-14 11:30 UTC",
                     {"started_at": "2024-03-14T10:00:00+00:00", "resolved_at": "2024-03-14T11:30:00+00:00",
                      "duration_minutes": 90}, id="comma"),
        pytest.param("- Severity: sev2; Affected services: search, checkout",
                     {"severity": "sev2", "services": ("search", "checkout")}, id="bullet-semicolon"),
        pytest.param("Services: search, checkout and billing. Severity: sev2",
                     {"services": ("search", "checkout", "billing"), "severity": "sev2"}, id="a-list-is-one-value"),
        pytest.param("Duration: 2 hours, from 10:00 to 12:00 UTC on 14 March 2024 | Severity: sev3",
                     {"started_at": "2024-03-14T10:00:00+00:00", "resolved_at": "2024-03-14T12:00:00+00:00",
                      "severity": "sev3"}, id="a-comma-before-words-that-are-no-pair"),
    ],
)
def test_several_pairs_in_one_line(line: str, values: dict[str, object]) -> None:
    incident = incident_of(f"# Outage\n\n{line}\n\n## Summary\n\nThe service was down.\n")
    read = {name: getattr(incident, name) for name in values}
    read = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in read.items()}
    assert read == values


# --- 3. raw HTML as located blocks -----------------------------------------------------------

def blocks_of(text: str, first_line: int = 1) -> list[tuple[str, int, int, str]]:
    return [(b.kind, b.start, b.end, b.inline) for b in parse_blocks(text, first_line)]


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        pytest.param(
            "<h3>Impact</h3>\n<p>Checkout failed\nfor EU users.</p>\n<hr>\n",
            [("heading", 1, 2, "Impact"), ("paragraph", 2, 4, "Checkout failed\nfor EU users."), ("hr", 4, 5, "")],
            id="each-element-on-its-lines",
        ),
        pytest.param(
            '<div class="report">\n  <h2>\n    Root cause\n  </h2>\n  <p>A stale key.</p>\n</div>\n',
            [("html", 1, 3, ""), ("heading", 3, 4, "Root cause"), ("html", 4, 5, ""), ("paragraph", 5, 6, "A stale key."),
             ("html", 6, 7, "")],
            id="words-placed-where-written-and-no-line-lost",
        ),
        pytest.param(
            "<p>Queue depth &lt; 10 made <OrderService> return 5xx; &lt;b&gt; is not bold</p>\n",
            [("paragraph", 1, 2, "Queue depth < 10 made <OrderService> return 5xx; &lt;b> is not bold")],
            id="text-that-looks-like-markup-stays-text",
        ),
        pytest.param(
            "<p>Deploy <code>v42</code>, <em>then</em> <strong> rollback </strong>; see "
            '<a href="https://example.com/run 7">run 7</a> <img src="g.png" alt="graph"></p>\n',
            [("paragraph", 1, 2, "Deploy `v42`, *then* **rollback** ; see [run 7](<https://example.com/run 7>) "
              "![graph](g.png)")],  # the spaces inside `<strong>` are shown: outside the marks, as Markdown needs
            id="inline-elements-as-markdown",
        ),
        pytest.param(
            "<p>10:00 Deploy<br>\n10:05 Alert</p>\n",
            [("paragraph", 1, 3, "10:00 Deploy\n10:05 Alert")],
            id="a-break-at-a-line-end-keeps-the-lines",
        ),
        pytest.param(
            "<div>\n<script>var t = '<p>10:00</p>';</script><style>p { color: red }</style>\n<!-- <p>draft</p> -->\n"
            "<p>Seen</p>\n</div>\n",
            [("html", 1, 4, ""), ("paragraph", 4, 5, "Seen"), ("html", 5, 6, "")],
            id="only-what-a-reader-sees-as-words",
        ),
        pytest.param(
            '<p align="center">\n  <img src="banner.png">\n</p>\n<p>Words</p>\n',
            [("html", 1, 4, ""), ("paragraph", 4, 5, "Words")],
            id="an-element-without-words-stays-html",
        ),
        pytest.param(
            "<pre>\nTime    Event\n10:00   Deploy\n</pre>\n",
            [("html", 1, 2, ""), ("code", 2, 4, "Time    Event\n10:00   Deploy"), ("html", 4, 5, "")],
            id="pre-keeps-its-columns",
        ),
    ],
)
def test_html_blocks(text: str, blocks: list[tuple[str, int, int, str]]) -> None:
    assert blocks_of(text) == blocks


def test_html_lists_have_items_with_their_lines_and_checkboxes() -> None:
    text = ("<ol>\n  <li><input type=\"checkbox\" checked> Pin the client\n  <li>Add an alert\n"
            "    <ul><li>at 80%</li><li>at 95%</li></ul>\n  </li>\n  <li>[ ] Write a runbook</li>\n</ol>\n")
    [block] = parse_blocks(text, 10)
    assert (block.kind, block.start, block.end, block.from_html) == ("list", 10, 17, True)
    assert block.items == (
        ListItem(11, "Pin the client", True),
        ListItem(12, "Add an alert\n- at 80%\n- at 95%", None, (ListItem(13, "at 80%", None), ListItem(13, "at 95%", None))),
        ListItem(15, "Write a runbook", False),
    )


def test_html_lists_nested_deeper_give_each_item_its_sub_items_and_checkbox() -> None:
    text = ("<ul>\n<li><input type=\"checkbox\"> Fix the alert\n  <ul>\n"
            "    <li><input type=\"checkbox\" checked> Raise the threshold</li>\n"
            "    <li>Page the <b>owner</b>\n      <ol><li>Name a deputy</li></ol>\n    </li>\n  </ul>\n</li>\n"
            "<li>Second</li>\n</ul>\n")
    [block] = parse_blocks(text, 1)
    [first, second] = block.items
    assert (first.line, first.checked, second) == (2, False, ListItem(10, "Second", None))
    assert first.text == "Fix the alert\n\n- Raise the threshold\n- Page the **owner**\n- Name a deputy"
    assert first.children == (
        ListItem(4, "Raise the threshold", True),
        ListItem(5, "Page the **owner**\n- Name a deputy", None, (ListItem(6, "Name a deputy", None),)),
    )


def test_html_tables_have_rows_and_a_header_row_even_when_written_without_one() -> None:
    headed = parse_blocks("<table>\n<tr><th>Time</th><th>Event</th></tr>\n<tr><td>10:00</td><td>Deploy<br>v42</td></tr>\n"
                          "</table>\n")
    unheaded = parse_blocks("<table>\n<tr><th>Severity</th><td>sev2</td></tr>\n<tr><td>Date</td><td>2024-03-14</td></tr>\n"
                            "</table>\n")
    assert headed[0].rows == (TableRow(2, ("Time", "Event")), TableRow(3, ("10:00", "Deploy<br>v42")))
    assert unheaded[0].rows == (TableRow(1, ()), TableRow(2, ("Severity", "sev2")), TableRow(3, ("Date", "2024-03-14")))


def test_a_heading_in_html_that_is_a_time_is_a_timeline_entry() -> None:
    incident = incident_of("# Outage on 2024-03-14\n\n## Timeline\n\n<h4>10:34 UTC</h4>\n<p>Alerts for disk pressure.</p>\n")
    assert sections_of(incident) == [("timeline", "Timeline", 3)]
    assert events_of(incident) == [("2024-03-14T10:34:00+00:00", "Alerts for disk pressure.", 5)]


# --- 4. plain text ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "plain"),
    [
        pytest.param("Summary\n\nThe site was down.\n\n- 10:00 deploy\n", True, id="lines-and-bullets"),
        pytest.param("Incident report\n===============\n\n    indented\n", True, id="underlined-title"),
        pytest.param("## Summary\n\nThe site was down.\n", False, id="atx-heading"),
        pytest.param("Summary\n\nThe site was **down**.\n", False, id="emphasis"),
        pytest.param("Summary\n\nSee [the runbook](r.md).\n", False, id="link"),
        pytest.param("<p>Summary</p>\n", False, id="html"),
        pytest.param("| a | b |\n|---|---|\n| 1 | 2 |\n", False, id="table"),
        pytest.param("", False, id="empty"),
    ],
)
def test_what_is_a_plain_text_document(text: str, plain: bool) -> None:
    assert is_plain_text(parse(text).tokens) is plain


def headings_of(text: str) -> list[tuple[int, str]]:
    return [(b.start, b.inline) for b in parse_blocks(text) if b.kind == "heading"]


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        pytest.param("Intro words.\nROOT CAUSE\nA stale key.\n", [(2, "ROOT CAUSE")], id="capitals-anywhere"),
        pytest.param("Intro words.\n\t\tWhat We Changed\nThe pool grew.\n", [(2, "What We Changed")], id="indented"),
        pytest.param("Lessons From The Night\n\nWe need a runbook.\n", [(1, "Lessons From The Night")],
                     id="title-case-alone"),
        pytest.param("Root Cause and Resolution\nA stale key; we flushed it.\n", [(1, "Root Cause and Resolution")],
                     id="title-case-opening-a-paragraph"),
        pytest.param("The site came back.\nWhat Went Well\n\nAlerts fired early.\n", [(2, "What Went Well")],
                     id="title-case-ending-a-paragraph"),
        pytest.param("TIMELINE\nAll times in PST\n\n10:00 Deploy\n", [(1, "TIMELINE")],
                     id="a-note-in-sentence-case-is-not-one"),
        pytest.param("ACTION ITEMS\nTasks:\nPin the client\n\nTODO:\n\nAdd an alert\n", [(1, "ACTION ITEMS")],
                     id="a-label-with-a-colon-is-not-one"),
        pytest.param("FOLLOW-UP WORK\n\nPin The Client\n\nAdd An Alert\n\nWrite a runbook for the pool\n",
                     [(1, "FOLLOW-UP WORK")], id="one-line-items-set-apart-are-not-headings"),
        pytest.param("SIGNED\nAzeez Bayo\nSite Reliability Engineer\n", [(1, "SIGNED")], id="two-title-case-lines"),
        pytest.param("Summary\n\nOur team was paged.\nSee you soon.\n", [(1, "Summary")], id="a-sentence-is-not-one"),
        pytest.param("IMPACT\nMar 14 10:00 Deploy\n\nMore text.\n", [(1, "IMPACT")], id="a-time-is-not-one"),
        pytest.param("Timeline\n\nTime (UTC)   Event\n10:00        Deploy of cache v3\n", [(1, "Timeline")],
                     id="a-header-of-columns-is-not-one"),
        pytest.param("## Summary\n\nROOT CAUSE\n\n<h3>Impact</h3>\n", [(1, "Summary"), (5, "Impact")],
                     id="not-in-a-markdown-document"),
    ],
)
def test_plain_text_headings(text: str, headings: list[tuple[int, str]]) -> None:
    assert headings_of(text) == headings


def test_indented_lines_in_plain_text_are_text_not_code() -> None:
    text = "Timeline\n\n    10:00   Deploy\n    10:05   Alert\n"
    assert [(b.kind, b.start, b.end, b.inline) for b in parse_blocks(text)] == [
        ("heading", 1, 2, "Timeline"), ("paragraph", 3, 5, "10:00   Deploy\n10:05   Alert")]


def test_a_section_is_read_as_the_whole_document_is() -> None:
    """A Markdown section that looks plain on its own is not split at Title Case lines."""
    incident = incident_of("# Outage on 2024-03-14\n\n## Summary\n\nThe Payments Team\n\nPaged the on-call at once.\n\n"
                           "## Timeline\n\n<ul><li>10:00 UTC Paged</li></ul>\n")
    assert sections_of(incident) == [("summary", "Summary", 3), ("timeline", "Timeline", 9)]
    assert events_of(incident) == [("2024-03-14T10:00:00+00:00", "Paged", 11)]


# --- 5. a timeline laid out in columns ------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "events"),
    [
        pytest.param(
            "    Time     What\n    10:00    Deploy of cache v3\n    10:05    Hit rate alert fired\n"
            "             for the EU region\n",
            [("2024-03-14T10:00:00+00:00", "Deploy of cache v3", 6),
             ("2024-03-14T10:05:00+00:00", "Hit rate alert fired for the EU region", 7)],
            id="indented-code-block-with-a-header",
        ),
        pytest.param(
            "Time (PDT)   Event\n10:00        Deploy of cache v3\n10:05        Hit rate alert fired\n",
            [("2024-03-14T10:00:00-07:00", "Deploy of cache v3", 6),
             ("2024-03-14T10:05:00-07:00", "Hit rate alert fired", 7)],
            id="aligned-lines-under-a-header-naming-the-zone",
        ),
        pytest.param("```\n10:00:01 ERROR cache miss storm\n```\n\n    10:20   Cache warmed\n",
                     [("2024-03-14T10:20:00+00:00", "Cache warmed", 9)], id="a-fenced-block-quotes-code"),
    ],
)
def test_timeline_in_columns(body: str, events: list[tuple[str | None, str, int]]) -> None:
    incident = incident_of(f"# Cache outage on 2024-03-14\n\n## Timeline\n\n{body}")
    assert events_of(incident) == events


def test_migrate_reads_an_html_timeline_and_writes_markdown_headings_for_a_markdown_document() -> None:
    """The migrated document is Markdown: a section of it that has no Markdown of its own is not read as plain text."""
    text = ("# Outage on 2024-03-14\n\n## Summary\n\nThe Payments Team\n\nPaged the on-call at once.\n\n## Timeline\n\n"
            "<ul>\n<li>10:00 UTC Paged</li>\n<li>10:30 UTC Service restored</li>\n</ul>\n")
    document = split_front_matter(text, "content/outage.md", PurePosixPath("outage.md"))
    after, problem = migrate_document(document, SiteConfig(root=Path(".")), force=True)  # the times are worked out
    assert problem is None
    assert re.findall(r"^#+ .+$", after, re.M) == ["## Summary", "## Timeline"]
    assert "started_at: 2024-03-14T10:00:00+00:00\n" in after and "resolved_at: 2024-03-14T10:30:00+00:00\n" in after


def test_blocks_from_html_are_marked() -> None:
    assert parse_blocks("<p>Words</p>\n\nWords\n") == [
        Block("paragraph", 1, 2, "<p>Words</p>", inline="Words", from_html=True),
        Block("paragraph", 3, 4, "Words", inline="Words"),
    ]
