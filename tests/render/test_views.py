"""views.py: what an incident page shows — sections, timeline, action items and rewritten links."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import quote, unquote

import pytest
from factories import DERIVED_TIMES, END_BEFORE_START, MONTH_LONG, incident, normalised

from hindsite.core.markup import render_markdown, sanitise
from hindsite.core.model import CLOSING, PREAMBLE, ActionItem, Incident, Origin, Section, TimelineEvent
from hindsite.render import urls
from hindsite.render.views import (
    FactView,
    FieldPrompt,
    OtherField,
    date_fact,
    event_views,
    every_view,
    field_prompt,
    incident_page,
    item_view,
    link_rewriter,
    other_field,
    section_views,
    time_facts,
)

UTC = dt.timezone.utc


def section(key: str, heading: str, markdown: str = "text", line: int = 1) -> Section:
    return Section(key, heading, line, markdown, render_markdown(markdown))


def at(hour: int, minute: int, day: int = 1) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def clock(hour: int, minute: int) -> dt.time:
    return dt.time(hour, minute, tzinfo=UTC)


def ids_in(html: str) -> list[str]:
    return re.findall(r'\bid="([^"]*)"', html)


# --- section_views ------------------------------------------------------------------------------


def test_sections_in_canonical_order_with_unique_anchors() -> None:
    sections = [
        section("other", "Appendix: Graphs"),
        section("root_cause", "Why it happened", line=20),
        section("summary", "Overview"),
        section("action_items", "Follow-ups"),
        section("root_cause", "Contributing factors", line=30),
    ]
    views = list(section_views(sections))
    assert [v.key for v in views] == ["summary", "root_cause", "root_cause", "action_items", "other"]
    assert [v.anchor for v in views] == ["s-summary", "s-root-cause", "s-root-cause-2", "s-action-items",
                                         "s-appendix-graphs"]
    assert [v.heading for v in views][1:3] == ["Why it happened", "Contributing factors"]  # authors' order kept
    assert [v.line for v in views][1:3] == [20, 30]


def test_section_labels_and_headings() -> None:
    views = list(section_views([section("root_cause", ""), section("other", "Glossary"), section("other", "")]))
    assert (views[0].label, views[0].heading) == ("Root cause", "Root cause")  # no heading written: the label
    assert (views[1].label, views[1].heading) == ("", "Glossary")
    assert views[2].anchor == "s-other"  # an `other` without a heading falls back


def test_other_sections_sharing_a_heading_get_numbered_anchors() -> None:
    views = list(section_views([section("other", "Notes"), section("other", "notes")]))
    assert [v.anchor for v in views] == ["s-notes", "s-notes-2"]


@pytest.mark.parametrize("sections", [
    [("root_cause", "Root cause"), ("root_cause", "Root cause, continued"), ("other", "Root cause 2")],
    [("other", "Update"), ("other", "Update"), ("other", "Update 2")],
    [("other", "Update 2"), ("other", "Update"), ("other", "Update")],
], ids=["key-then-heading", "headings", "heading-first"])
def test_anchors_stay_unique_when_a_heading_looks_like_a_numbered_anchor(sections: list[tuple[str, str]]) -> None:
    """A repeated anchor gets "-2"; a heading that slugs to that same "-2" must not take it as well."""
    views = list(section_views([section(key, heading) for key, heading in sections]))
    anchors = [v.anchor for v in views]
    assert len(set(anchors)) == len(anchors), anchors
    assert anchors[0] in ("s-root-cause", "s-update", "s-update-2")  # the first of each keeps its plain anchor


def test_section_views_apply_the_rewrite() -> None:
    views = list(section_views([section("summary", "Summary", "hello")], rewrite=lambda html: html.upper()))
    assert views[0].html == "<P>HELLO</P>\n"


def nested(parent: Section, *children: Section) -> Section:
    return replace(parent, children=children)


def test_sub_sections_stay_under_their_section_in_the_authors_order_with_unique_anchors() -> None:
    lessons = nested(section("lessons", "Lessons learned", line=10), section("fault", "What went poorly", line=14),
                     section("lessons", "What went well", line=18), section("action_items", "Action items", line=22))
    views = section_views([lessons, section("summary", "Summary", line=2), section("lessons", "More lessons", line=30)])
    assert [(v.heading, v.depth) for v in views] == [("Summary", 0), ("Lessons learned", 0), ("More lessons", 0)]
    assert [(v.heading, v.depth) for v in views[1].children] == [
        ("What went poorly", 1), ("What went well", 1), ("Action items", 1)]
    anchors = [v.anchor for v in every_view(views)]
    assert anchors == ["s-summary", "s-lessons", "s-fault", "s-lessons-2", "s-action-items", "s-lessons-3"]


def test_the_preamble_comes_first_the_closing_last_and_neither_has_a_heading() -> None:
    views = section_views([section("other", "Appendix"), section(CLOSING, "", "Thanks.", line=40),
                           section("summary", "Summary", line=5), section(PREAMBLE, "", "Created by Ana.", line=1)])
    assert [(v.key, v.heading) for v in views] == [(PREAMBLE, ""), ("summary", "Summary"), ("other", "Appendix"),
                                                   (CLOSING, "")]


def test_an_unrecognised_section_holding_recognised_ones_stands_where_the_first_of_them_would() -> None:
    details = nested(section("other", "Incident details", line=3), section("timeline", "Timeline", line=5))
    views = section_views([section("action_items", "Follow-ups", line=20), details, section("summary", "Summary", line=1)])
    assert [v.heading for v in views] == ["Summary", "Incident details", "Follow-ups"]


def test_each_timeline_and_action_item_section_shows_what_was_read_from_it() -> None:
    first, second = section("timeline", "Outage one", line=3), section("timeline", "Outage two", line=10)
    todo = section("action_items", "Action items", line=20)
    inc = incident(
        "x", sections=(nested(section("other", "Outages", line=1), first, second), todo),
        timeline=(TimelineEvent(at(9, 0), "alert", 4), TimelineEvent(None, "escalated", 5), TimelineEvent(at(12, 0), "paged", 11)),
        action_items=(ActionItem("Add an alert", None, None, None, 21),),
    )
    page = incident_page(inc, previous=None, next=None, related=(), source_url="", rewrite=lambda html: html)
    outages = page.shown_sections[0]
    assert [[e.html for e in v.events] for v in outages.children] == [["alert", "escalated"], ["paged"]]
    assert [i.html for i in page.shown_sections[1].items] == ["Add an alert"]
    assert [e.when == "" for e in outages.children[0].events] == [False, True]  # the untimed entry keeps its place


def test_items_read_under_another_heading_are_shown_beside_it_and_the_first_shown_is_the_pages_action_items() -> None:
    lessons = nested(section("lessons", "Lessons learned", line=3), section("other", "Follow-ups", line=8))
    todo = section("action_items", "Action items", line=20)
    inc = incident("x", sections=(lessons, todo), action_items=(
        ActionItem("Add capacity to the checklist", "Grace", "open", "OPS-31", 11),
        ActionItem("Add an alert", None, None, None, 21),
    ))
    page = incident_page(inc, previous=None, next=None, related=(), source_url="", rewrite=lambda html: html)
    shown = [(view.heading, [i.html for i in view.items], view.items_id) for view in every_view(page.shown_sections)]
    assert shown == [("Lessons learned", [], ""), ("Follow-ups", ["Add capacity to the checklist"], "action-items"),
                     ("Action items", ["Add an alert"], "")]


# --- event_views --------------------------------------------------------------------------------


def test_elapsed_time_from_the_start() -> None:
    inc = incident("x", started_at=at(8, 0), timeline=(
        TimelineEvent(at(7, 55), "warning signs", 10),
        TimelineEvent(at(8, 0), "errors **spike**", 11),
        TimelineEvent(at(8, 15), "paged", 12),
        TimelineEvent(at(9, 30), "resolved", 13),
        TimelineEvent(at(10, 5, day=2), "postmortem call", 14),
        TimelineEvent(None, "someone noticed", 15),
    ))
    views = list(event_views(inc))
    assert [v.elapsed for v in views] == ["T−0:05", "T+0:00", "T+0:15", "T+1:30", "T+26:05", ""]
    assert views[2].when == "2024-03-01 08:15 UTC"
    assert views[2].iso == "2024-03-01T08:15:00+00:00"
    assert views[1].html == "errors <strong>spike</strong>"
    assert (views[5].when, views[5].iso) == ("", "")
    assert [v.line for v in views] == [10, 11, 12, 13, 14, 15]


def test_elapsed_from_the_first_timed_event_when_no_start_is_known() -> None:
    inc = incident("x", timeline=(TimelineEvent(None, "untimed", 1), TimelineEvent(at(8, 10), "a", 2),
                                  TimelineEvent(at(8, 40), "b", 3)))
    assert [v.elapsed for v in event_views(inc)] == ["", "T+0:00", "T+0:30"]


def test_clock_only_events_count_from_the_first_clock_across_midnight() -> None:
    inc = incident("x", timeline=(
        TimelineEvent(None, "alerts", 1, clock(23, 50)),
        TimelineEvent(None, "paged", 2, clock(23, 58)),
        TimelineEvent(None, "failover", 3, clock(0, 20)),
        TimelineEvent(None, "all clear", 4, clock(1, 5)),
    ))
    views = list(event_views(inc))
    assert [v.elapsed for v in views] == ["T+0:00", "T+0:08", "T+0:30", "T+1:15"]
    assert views[2].when == "00:20 UTC"
    assert views[2].iso == "00:20+00:00"


def test_clock_only_events_keep_their_zone_in_the_label() -> None:
    zone = dt.timezone(dt.timedelta(hours=3))
    inc = incident("x", timeline=(TimelineEvent(None, "a", 1, dt.time(14, 5, tzinfo=zone)),
                                  TimelineEvent(None, "b", 2, dt.time(14, 50, tzinfo=zone))))
    views = list(event_views(inc))
    assert [v.when for v in views] == ["14:05 UTC+03:00", "14:50 UTC+03:00"]
    assert [v.elapsed for v in views] == ["T+0:00", "T+0:45"]



def test_the_same_instants_written_in_another_zone_keep_their_own_clock_times() -> None:
    """Equal datetimes for Python, different words on the page: a cache of event views must keep them apart."""
    plus_two = dt.timezone(dt.timedelta(hours=2))
    utc_incident = incident("x", timeline=(TimelineEvent(at(8, 0), "paged", 3),))
    zoned = incident("x", timeline=(TimelineEvent(at(8, 0).astimezone(plus_two), "paged", 3),))
    pages = [incident_page(i, previous=None, next=None, related=(), source_url="", rewrite=lambda h: h)
             for i in (utc_incident, zoned, utc_incident)]
    assert [page.shown_timeline[0].when for page in pages] == ["2024-03-01 08:00 UTC", "2024-03-01 10:00 UTC+02:00",
                                                         "2024-03-01 08:00 UTC"]


def test_an_event_with_a_date_and_no_time_shows_its_date_alone() -> None:
    inc = incident("x", started_at=at(8, 0), timeline=(
        TimelineEvent(None, "bug introduced", 3, day=dt.date(2024, 2, 12)),
        TimelineEvent(at(8, 0), "errors", 4),
    ))
    views = list(event_views(inc))
    assert [(v.when, v.iso, v.elapsed) for v in views] == [
        ("2024-02-12", "2024-02-12", ""), ("2024-03-01 08:00 UTC", "2024-03-01T08:00:00+00:00", "T+0:00")]

# --- time facts ---------------------------------------------------------------------------------


def test_times_worked_out_from_the_timeline_say_so_with_their_evidence() -> None:
    facts = {f.label: f for f in time_facts(normalised(DERIVED_TIMES, "2024-03-07-checkout.md"))}
    assert list(facts) == ["Started", "Detected", "Time to detect", "Resolved", "Time to resolve", "Duration"]
    assert facts["Started"] == FactView("Started", "2024-03-07 10:00 UTC-08:00", "2024-03-07T10:00:00-08:00", "derived",
                                        "Worked out from the timeline, line 17",
                                        ("zone PST (line 14)", "day 2024-03-07 (line 17)"))
    assert facts["Duration"].evidence == ("from the start on line 17 to the end on line 19",)
    assert (facts["Time to detect"].text, facts["Time to detect"].kind) == ("12 min", "derived")


def test_stated_times_are_shown_as_they_are() -> None:
    stated = incident("x", started_at=at(8, 0), resolved_at=at(9, 0), origins=(
        Origin("started_at", "front-matter", 3), Origin("resolved_at", "front-matter", 4),
        Origin("duration_minutes", "front-matter", 4)))
    facts = time_facts(stated)
    assert [(f.label, f.text, f.kind, f.note) for f in facts] == [
        ("Started", "2024-03-01 08:00 UTC", "stated", ""), ("Resolved", "2024-03-01 09:00 UTC", "stated", ""),
        ("Time to resolve", "1 h", "stated", ""), ("Duration", "1 h", "stated", "")]


def test_a_withheld_time_is_not_given_and_says_why() -> None:
    facts = {f.label: f for f in time_facts(normalised(MONTH_LONG, "2024-03-05-billing.md"))}
    assert "Time to resolve" not in facts  # its end is left out, and says so on its own line
    resolved = facts["Resolved"]
    assert (resolved.text, resolved.iso, resolved.kind) == ("", "", "withheld")
    assert resolved.reason == "it would make the incident last 43200 minutes (30.0 days)"
    assert resolved.note == "Worked out from the timeline, line 19"
    assert facts["Duration"].kind == "withheld" and facts["Duration"].reason.startswith("43200 minutes (30.0 days)")


def test_a_time_contradicting_a_stated_one_is_left_out_naming_it() -> None:
    facts = {f.label: f for f in time_facts(normalised(END_BEFORE_START, "2024-03-06-queue.md"))}
    assert [(f.label, f.kind) for f in facts.values()] == [("Started", "withheld"), ("Detected", "withheld"),
                                                           ("Resolved", "stated")]
    assert facts["Started"].reason == "contradicts the end (front-matter, line 6)"


def test_a_date_taken_from_the_timeline_is_marked_as_worked_out() -> None:
    dated = incident("x", date=dt.date(2024, 3, 1), origins=(Origin("date", "timeline", 12, "derived"),))
    assert date_fact(dated) == FactView("Date", "2024-03-01", "2024-03-01", "derived", "Worked out from the timeline, line 12")
    assert date_fact(incident("y")) == FactView("Date", "", "", "")

# --- item_view ----------------------------------------------------------------------------------


def test_item_view_separates_addresses_from_tickets() -> None:
    linked = item_view(ActionItem("Add an **alert**", "ana", "open", "https://jira.example/browse/OPS-1", 7))
    assert (linked.link, linked.ticket) == ("https://jira.example/browse/OPS-1", "")
    assert linked.html == "Add an <strong>alert</strong>"
    assert (linked.owner, linked.status, linked.line) == ("ana", "open", 7)

    plain_http = item_view(ActionItem("x", None, None, "http://tracker.example/2", 1))
    assert (plain_http.link, plain_http.ticket) == ("http://tracker.example/2", "")

    ticket = item_view(ActionItem("Fix it", None, None, "OPS-2", 8))
    assert (ticket.link, ticket.ticket) == ("", "OPS-2")
    assert (ticket.owner, ticket.status) == ("", "")

    neither = item_view(ActionItem("Fix it", None, "done", None, 9))
    assert (neither.link, neither.ticket) == ("", "")


# --- incident_page --------------------------------------------------------------------------------


def page_of(inc: Incident, rewrite=lambda html: html):
    return incident_page(inc, previous=None, next=None, related=(), source_url="", rewrite=rewrite)


def test_author_headings_get_prefixed_ids_unique_within_the_page() -> None:
    inc = incident("x", sections=(
        section("summary", "Summary", "### Details\n\nA\n\n### Details\n\nB"),
        section("root_cause", "Root Cause", "### Details\n\nC\n\n#### Why `it` *broke*\n\nD"),
    ))
    view = page_of(inc)
    ids = [i for s in view.shown_sections for i in ids_in(s.html)]
    assert ids == ["h-details", "h-details-2", "h-details-3", "h-why-it-broke"]
    assert all(i.startswith("h-") for i in ids)
    assert not {i for i in ids} & {s.anchor for s in view.shown_sections}


def test_in_page_links_follow_github_style_slugs_to_the_page_anchors() -> None:
    inc = incident("x", sections=(
        section("summary", "Summary", "See [why](#Root-Cause), [below](#details) and [gone](#nowhere)."),
        section("root_cause", "Root Cause", "### Details\n\nThe pool ran dry."),
    ), timeline=(TimelineEvent(None, "see [the cause](#root-cause)", 1),),
        action_items=(ActionItem("per [details](#Details)", None, None, None, 2),))
    view = page_of(inc)
    summary = view.shown_sections[0].html
    assert 'href="#s-root-cause"' in summary
    assert 'href="#h-details"' in summary
    assert 'href="#nowhere"' in summary  # left alone: the link check reports it
    assert 'href="#Root-Cause"' not in summary
    assert 'href="#s-root-cause"' in view.shown_timeline[0].html
    assert 'href="#h-details"' in view.shown_action_items[0].html


def test_in_page_link_words_in_the_text_are_left_as_written() -> None:
    inc = incident("x", sections=(
        section("summary", "Summary", 'Write `[why](#root-cause)` as href="#root-cause" and [why](#root-cause).'),
        section("root_cause", "Root cause", "The pool ran dry."),
    ))
    summary = page_of(inc).shown_sections[0].html
    assert 'as href="#root-cause" and' in summary
    assert '<a href="#s-root-cause"' in summary


def test_incident_page_rewrites_every_part_and_keeps_neighbours() -> None:
    older, newer = incident("older"), incident("newer")
    inc = incident("x", sections=(section("summary", "Summary", "[a](a.md)"),),
                   timeline=(TimelineEvent(None, "[b](b.md)", 1),),
                   action_items=(ActionItem("[c](c.md)", None, None, None, 2),))
    view = incident_page(inc, previous=older, next=newer, related=(older,), source_url="https://git/x.md",
                       rewrite=lambda html: html.replace(".md", ".html"))
    assert 'href="a.html"' in view.shown_sections[0].html
    assert 'href="b.html"' in view.shown_timeline[0].html
    assert 'href="c.html"' in view.shown_action_items[0].html
    assert (view.previous, view.next, view.related, view.source_url) == (older, newer, (older,), "https://git/x.md")


# --- link_rewriter ------------------------------------------------------------------------------


def test_links_to_other_documents_and_published_files() -> None:
    here = incident("cdn", content_path="2024/2024-06-09-cdn.md")
    db = incident("db-failover", content_path="2024-03-01-db.md")
    dns = incident("dns", content_path="2024/ops/dns.md")
    rewrite = link_rewriter(here, frozenset({"2024/graph.png", "2024/logs/run 1.txt"}),
                            {db.content_path: db, dns.content_path: dns, here.content_path: here})
    html = sanitise('<a href="../2024-03-01-db.md">db</a>'
                    '<a href="ops/dns.md#s-root-cause">dns</a>'
                    '<img src="graph.png" alt="g">'
                    '<a href="logs/run%201.txt">log</a>'
                    '<a href="./graph.png?raw=1">raw</a>')
    out = rewrite(html)
    assert '<a href="../incidents/db-failover.html" rel="noopener noreferrer">db</a>' in out
    assert '<a href="../incidents/dns.html#s-root-cause" rel="noopener noreferrer">dns</a>' in out
    assert '<img src="../files/2024/graph.png" alt="g">' in out
    assert 'href="../files/2024/logs/run%201.txt"' in out
    assert 'href="../files/2024/graph.png"' in out


def test_links_that_are_not_in_the_content_are_left_alone() -> None:
    here = incident("a", content_path="a.md")
    rewrite = link_rewriter(here, frozenset({"img.png"}), {"a.md": here})
    html = sanitise('<a href="https://example.com/b.md">ext</a><a href="mailto:x@y.z">m</a><a href="#s-summary">in</a>'
                    '<a href="missing.md">missing</a><a href="../outside.png">out</a><a href="/abs.png">abs</a>')
    assert rewrite(html) == html


def test_links_to_published_files_keep_their_fragment() -> None:
    """`report.pdf#page=3` must still open page 3, as links to other documents keep theirs."""
    here = incident("a", content_path="2024/a.md")
    rewrite = link_rewriter(here, frozenset({"2024/report.pdf"}), {})
    assert rewrite(sanitise('<a href="report.pdf#page=3">p3</a>')) == (
        '<a href="../files/2024/report.pdf#page=3" rel="noopener noreferrer">p3</a>')


def test_a_link_to_the_same_document_goes_to_its_own_page() -> None:
    here = incident("a", content_path="a.md")
    rewrite = link_rewriter(here, frozenset(), {"a.md": here})
    assert rewrite(sanitise('<a href="a.md#s-impact">x</a>')) == '<a href="../incidents/a.html#s-impact" rel="noopener noreferrer">x</a>'


# --- hostile attachment names ---------------------------------------------------------------------

class _Attributes(HTMLParser):
    """Every element's attributes, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.elements


ODD_NAMES = ['z" onerror="alert(1)', "it's", "a<b", "a>b", "a b", "a#b", "a?b", "100%", "a%25b", "a%2520b", "naïve 東京",
             "a&amp;b", "x'><img src=x onerror=alert(1)>"]


@pytest.mark.parametrize("name", ODD_NAMES)
@pytest.mark.parametrize("written", ["markdown", "html"])
def test_an_attachment_of_any_name_is_linked_by_one_url_attribute_that_leads_to_it(name: str, written: str) -> None:
    """The link an author writes (the name percent-encoded once) leads to the file, and nothing leaves the attribute."""
    here = incident("a", content_path="2024/a.md")
    file = f"{name}.png"
    rewrite = link_rewriter(here, frozenset({f"2024/{file}"}), {})
    url = quote(file)
    source = f"![shot]({url})" if written == "markdown" else f'<img src="{html.escape(url)}" alt="shot">'
    (element,) = [e for e in elements_of(rewrite(render_markdown(source))) if e[0] == "img"]
    assert set(element[1]) == {"src", "alt"}
    src = element[1]["src"] or ""
    assert src.startswith("../files/2024/")
    assert re.fullmatch(r"(?:[\w.~/-]|%[0-9A-F]{2})+", src, re.A), src  # a URL of safe characters and escapes
    assert unquote(src.removeprefix("../files/2024/")) == file  # what a web server opens: the name, decoded once


def test_a_percent_sign_in_a_name_is_not_decoded_twice() -> None:
    """`a%2520b.png` names the file `a%20b.png`; it must not load `a b.png`, which exists too."""
    here = incident("a", content_path="a.md")
    rewrite = link_rewriter(here, frozenset({"a%20b.png", "a b.png"}), {})
    out = rewrite(render_markdown("![one](a%2520b.png) ![two](a%20b.png)"))
    assert [unquote(attrs["src"] or "") for tag, attrs in elements_of(out) if tag == "img"] == [
        "../files/a%20b.png", "../files/a b.png"]


def test_a_fragment_after_an_odd_name_stays_a_fragment() -> None:
    here = incident("a", content_path="a.md")
    rewrite = link_rewriter(here, frozenset({"log #2.txt"}), {})
    out = rewrite(render_markdown('[line 9](log%20%232.txt#L9 "the log")'))
    assert 'href="../files/log%20%232.txt#L9"' in out


@pytest.mark.parametrize(("path", "url"), [
    ("a.png", "files/a.png"),
    ("2024/run 1.txt", "files/2024/run%201.txt"),
    ('z" onerror="x.png', "files/z%22%20onerror%3D%22x.png"),
    ("a#b?c%d.png", "files/a%23b%3Fc%25d.png"),
    ("東.png", "files/%E6%9D%B1.png"),
    ("bad\udcff.png", "files/bad%FF.png"),  # a name that is not UTF-8: its own byte
])
def test_file_href_encodes_each_part_of_the_path_once(path: str, url: str) -> None:
    assert urls.file_href(path) == url
    assert urls.file_url(path) == f"files/{path}"  # where it is written: the name itself


# --- drafts and fields outside the model ---------------------------------------------------------


def test_a_section_keeps_its_prompts_and_shows_them_instead_of_empty_items() -> None:
    draft = normalised("---\ntitle: Draft\n---\n\n## Lessons learned\n\n- !!What went well!!\n- !!What went\n  wrong!!\n\n"
                       "## Timeline\n\nAll times UTC.\n\n- !!HH:MM — first sign!!\n")
    lessons, timeline = (next(s for s in draft.sections if s.key == key) for key in ("lessons", "timeline"))
    assert lessons.prompts == ("What went well", "What went wrong") and not lessons.filled
    assert timeline.prompts == ("HH:MM — first sign",) and timeline.filled
    views = {view.key: view for view in section_views(draft.sections)}
    assert views["lessons"].html == "" and views["lessons"].prompts == lessons.prompts
    assert "<li>" not in views["timeline"].html and "All times UTC." in views["timeline"].html


@pytest.mark.parametrize(("name", "value", "label", "guidance"), [
    ("started_at", "!!when the impact began!!", "Started", "when the impact began"),
    ("Resolved", " !!when it\n ended!! ", "Resolved", "when it ended"),
    ("severity", "!!choose a level!!", "Severity", "choose a level"),
])
def test_a_model_field_left_as_a_prompt_gets_its_label(name: str, value: str, label: str, guidance: str) -> None:
    assert field_prompt(name, value) == FieldPrompt(label, guidance)


@pytest.mark.parametrize(("name", "value"), [("runbook", "!!link the runbook!!"), ("started_at", "around lunch !!x!!")])
def test_other_values_are_no_prompts(name: str, value: str) -> None:
    assert field_prompt(name, value) is None


@pytest.mark.parametrize(("value", "parts"), [
    ("team-a", (("team-a", ""),)),
    ("see https://wiki.example/rb?x=1. Then call.", (("see ", ""), ("https://wiki.example/rb?x=1", "https://wiki.example/rb?x=1"),
                                                     (". Then call.", ""))),
    ("mailto:ops@example.com", (("mailto:ops@example.com", "mailto:ops@example.com"),)),
    ("(HTTP://a.example/x)", (("(", ""), ("HTTP://a.example/x", "HTTP://a.example/x"), (")", ""))),
    ("javascript:alert(1) file:///etc/passwd data:text/html,x", (("javascript:alert(1) file:///etc/passwd data:text/html,x", ""),)),
    ("x javascript:https://evil.example", (("x javascript:", ""), ("https://evil.example", "https://evil.example"))),
])
def test_a_field_outside_the_model_links_only_web_and_mail_addresses(value: str, parts: tuple[tuple[str, str], ...]) -> None:
    assert other_field("runbook", value) == OtherField("runbook", parts)


def test_the_report_splits_unread_fields_into_prompts_and_other_fields() -> None:
    written = incident("i1", extra=(("started_at", "!!when it began!!"), ("runbook", "https://wiki.example/rb")))
    page = incident_page(written, previous=None, next=None, related=(), source_url="", rewrite=lambda h: h)
    assert page.prompts == (FieldPrompt("Started", "when it began"),)
    assert page.other_fields == (OtherField("runbook", (("https://wiki.example/rb", "https://wiki.example/rb"),)),)
