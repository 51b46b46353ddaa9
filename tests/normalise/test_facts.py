"""Time facts as a reviewer reads them, table by table: which date is the incident's, the zone and the day
each time is read in, what is derived, and what is withheld or reported because it cannot be true.
Every fixture is written for these tests, in the styles real postmortems use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

import pytest

from hindsite.core.config import SiteConfig
from hindsite.core.model import DERIVED, STATED, WITHHELD, Incident
from hindsite.normalise import normalise
from hindsite.read.files import split_front_matter

CONFIG = SiteConfig(root=Path("."))


def incident_of(text: str, name: str = "doc.md", config: SiteConfig = CONFIG) -> Incident:
    return normalise(split_front_matter(text, f"content/{name}", PurePosixPath(name)), config)


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def codes(incident: Incident) -> set[str]:
    return {d.code for d in incident.diagnostics}


def kind(incident: Incident, field: str) -> str | None:
    return next((o.kind for o in incident.origins if o.field == field), None)


# --- which date is the incident's ----------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "name", "date"),
    [
        pytest.param("# Disclosure - 2022-11-07\n\n## Timeline\n\n- **October 12th, 2022 at 21:17 (UTC)** loss reported\n"
                     "- **21:34** war room\n", "doc.md", "2022-10-12", id="a-disclosure-date-in-the-title-is-not-the-incident's"),
        pytest.param("---\ndate: 2019-10-24\n---\n# Builds failing\n\n## Timeline\n\n- 2019-10-21 01:38 alerts fire\n"
                     "- 2019-10-21 03:00 fixed\n", "doc.md", "2019-10-21", id="a-blog-post's-front-matter-date"),
        pytest.param("---\ndate: 2017-10-10\n---\n# Hung nodes\n\nOn Oct 10, 2017, pods did not start.\n\n## Timeline\n\n"
                     "### 2017-05-09 10:45a\n\nReport came in.\n", "doc.md", "2017-10-10",
                     id="a-slip-in-the-timeline-when-the-prose-agrees-with-the-front-matter"),
        pytest.param("# Storage outage\n\nWe were offline yesterday (2018-09-20) afternoon.\n\n## Timeline\n\n"
                     "| Time | State |\n|---|---|\n| 12:00 | unresponsive |\n| 14:00 | back |\n",
                     "2018-09-21-outage.md", "2018-09-20", id="the-prose-before-the-file-name"),
        pytest.param("# Node failure\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| 2023-02-13 07:30 | rollover set up |\n"
                     "| 2023-02-14 09:33 | users report logs missing |\n| 2023-02-14 10:46 | nodes killed |\n"
                     "| 2023-02-14 11:59 | resolved |\n", "doc.md", "2023-02-14", id="a-lone-event-the-day-before-is-background"),
        pytest.param("# Listener failure\n\nThe listener failed at `2022-04-20 19:48` and nobody noticed.\n\n## Timeline\n\n"
                     "- 2022-04-20 19:48 listener fails\n- 2022-04-28 10:34 messages found ageing\n"
                     "- 2022-04-28 10:39 restarted\n", "20220420-listener.md", "2022-04-20",
                     id="a-silent-failure-the-document-dates-stays-the-start"),
        pytest.param("# Queue\n\n**Date of postmortem:** 2024-03-20\n\nOn March 14, 2024 the queue stalled.\n", "doc.md",
                     "2024-03-14", id="a-write-up-label-is-not-the-incident-date"),
        pytest.param("# Queue\n\n**Date:** January 14-19, 2026\n\nIt went on for days.\n", "doc.md", "2026-01-14",
                     id="a-range-of-days-starts-the-incident"),
        pytest.param("# Checkout errors\n\n**Resolved** - This incident has been resolved.\nMar 3, 2023 - 01:10 UTC\n\n"
                     "**Monitoring** - A fix is out.\nMar 3, 2023 - 00:30 UTC\n\n**Investigating** - We are looking into "
                     "errors.\nMar 2, 2023 - 23:40 UTC\n", "doc.md", "2023-03-02",
                     id="a-status-page-history-is-dated-by-its-oldest-update"),
        pytest.param("# Checkout errors\n\n**Resolved** - Fixed for good on Mar 9, 2023.\nMar 3, 2023 - 01:10 UTC\n\n"
                     "We first saw errors on Mar 1, 2023.\n", "doc.md", "2023-03-09", id="one-status-line-is-no-history"),
        pytest.param("# Queue\n\nDate: March 30 - April 2, 2023\n", "doc.md", "2023-03-30",
                     id="a-range-across-months-with-one-year-starts-on-its-first-day"),
        pytest.param("# Queue\n\nDate: 30 March – 2 April 2023\n", "doc.md", "2023-03-30", id="a-day-first-range"),
        pytest.param("# Queue\n\nDate: Mar 3 – Mar 5 2023\n", "doc.md", "2023-03-03", id="a-range-in-one-month"),
        pytest.param("# Queue\n\nThe outage ran from Mar 3 to Mar 5, 2023.\n", "doc.md", "2023-03-03",
                     id="a-range-in-the-prose"),
        pytest.param("# Queue\n\nDate: December 30 - January 2, 2024\n", "doc.md", "2023-12-30",
                     id="a-range-across-the-new-year"),
        pytest.param("# Queue\n\nErrors on March 3 and again on April 2, 2023.\n", "doc.md", "2023-04-02",
                     id="two-days-that-are-no-range"),
        pytest.param("# Queue\n\nStarted 05/04/2024 at 10:00.\n", "doc.md", None, id="an-unsettled-numeric-date-is-no-date"),
        pytest.param("# Queue\n\nStarted 05/04/2024 at 10:00, first seen 13/04/2024.\n", "doc.md", "2024-04-05",
                     id="the-document's-other-date-settles-the-order"),
    ],
)
def test_which_date_is_the_incidents(text: str, name: str, date: str | None) -> None:
    incident = incident_of(text, name)
    assert iso(incident.date) == date
    if date is None:
        assert "ambiguous-date" in codes(incident)


WRITE_UP_BODY = ("Last Thursday a third of the package downloads failed.\n\n## Timeline (UTC)\n\n"
                 "- 08:14 the rotation job deletes the old key\n- 11:32 errors back to baseline; resolved\n")


@pytest.mark.parametrize(
    ("line", "date"),
    [
        pytest.param("_Written by Priya Natarajan on 2023-03-20_", None, id="an-italic-byline-with-underscores"),
        pytest.param("By Priya Natarajan, March 20, 2023", None, id="by-a-name-then-the-date"),
        pytest.param("March 20, 2023 · Priya Natarajan · 6 min read", None, id="a-blog-byline-with-a-reading-time"),
        pytest.param("Priya Natarajan — March 20, 2023", None, id="a-name-and-a-date"),
        pytest.param("*Jane Doe — May 2, 2023*", None, id="an-italic-name-and-a-date"),
        pytest.param("_Last updated 2024-01-08_", None, id="last-updated-in-underscores"),
        pytest.param("_Written 2024-01-08_", None, id="written-in-underscores"),
        pytest.param("_Published 2024-01-08_", None, id="published-in-underscores"),
        pytest.param("This document was last updated on 2024-01-08.", None, id="a-sentence-about-the-document"),
        pytest.param("Prepared by Dana Okafor on 2024-01-08", None, id="prepared-by"),
        pytest.param("Postmortem meeting held 2024-01-08.", None, id="the-review-meeting"),
        pytest.param("Report filed 2024-01-08", None, id="the-report-filed"),
        pytest.param("_Written by Priya Natarajan on 2024-01-08_\n\nThe registry failed on 2023-12-30.", "2023-12-30",
                     id="the-prose-states-the-incident's-own-date"),
        pytest.param("On March 20, 2023 the registry failed.", "2023-03-20", id="a-sentence-dating-the-incident"),
        pytest.param("By March 21, 2023 all was well again.", "2023-03-21", id="by-a-date-is-not-a-byline"),
        pytest.param("Registry downloads failing — March 20, 2023", "2023-03-20", id="words-and-a-date-are-not-a-byline"),
    ],
)
def test_a_line_dating_the_write_up_does_not_date_the_incident(line: str, date: str | None) -> None:
    incident = incident_of(f"# Registry downloads failing\n\n{line}\n\n{WRITE_UP_BODY}")
    assert iso(incident.date) == date
    assert iso(incident.started_at) == (f"{date}T08:14:00+00:00" if date else None)
    if date is None:
        assert "no-date" in codes(incident)


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        pytest.param("The review meeting is scheduled for 2023-09-05.", "2023-08-31", id="a-meeting-to-come"),
        pytest.param("Fix shipped in release 2023-09-05.", "2023-08-31", id="a-release-named-by-its-date"),
        pytest.param("We will revisit this on September 5, 2023.", "2023-08-31", id="the-future"),
        pytest.param("This is a repeat of the incident of 2022-11-02.", "2023-08-31", id="an-earlier-incident"),
        pytest.param("On 2023-08-30 the cart leaked, and we will fix it.", "2023-08-30", id="the-future-after-the-date"),
        pytest.param("The cart leaked on 2023-08-30. We will revisit this on 2023-09-05.", "2023-08-30",
                     id="the-incident's-sentence-first"),
        pytest.param("We will revisit this on 2023-09-05. The cart leaked on 2023-08-30.", "2023-08-30",
                     id="the-incident's-sentence-after-the-plan"),
    ],
)
def test_a_date_in_the_prose_that_is_not_the_incidents_day_is_passed_over(sentence: str, date: str) -> None:
    incident = incident_of(f"# Cart service memory leak\n\n{sentence}\n", "2023-08-31-cart.md")
    assert iso(incident.date) == date


@pytest.mark.parametrize(
    ("label", "first"),
    [
        pytest.param("May 20:", "2020-05-20T10:00:00+00:00", id="a-day-without-its-year-then-a-colon"),
        pytest.param("May 20, 2020:", "2020-05-20T10:00:00+00:00", id="with-its-year"),
        pytest.param("May 20:30 the pager went off", "2020-05-19T10:00:00+00:00", id="a-clock-time-is-no-day"),
    ],
)
def test_a_day_label_sets_the_day_of_the_events_under_it(label: str, first: str) -> None:
    incident = incident_of(f"# Site down\n\nThe site was down from May 19 until May 20, 2020.\n\n## Timeline\n\n{label}\n\n"
                           "- 10:00 - failure detected\n- 12:36 - fixed\n")
    assert iso(incident.date) == "2020-05-19"
    detected = next(event for event in incident.timeline if "failure detected" in event.text)
    assert iso(detected.at) == first


def test_a_write_up_date_set_aside_is_reported() -> None:
    incident = incident_of("# Disclosure - 2022-11-07\n\n## Timeline\n\n- 2022-10-12 21:17 UTC loss reported\n"
                           "- 2022-10-12 22:51 UTC fixed\n")
    problems = [d for d in incident.diagnostics if d.code == "write-up-date"]
    assert problems and "07 November 2022" in problems[0].message


# --- zones --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "first"),
    [
        pytest.param("---\ndate: 2024-07-10\n---\nAll times are PDT.\n\n## Timeline\n\n- 10:00 paged\n- 10:20 fixed\n",
                     "2024-07-10T10:00:00-07:00", id="a-note-before-the-first-heading"),
        pytest.param("---\ndate: 2024-07-10\n---\n# Queue\n\n## Timeline (all times GST)\n\n- 10:00 paged\n- 10:20 fixed\n",
                     "2024-07-10T10:00:00+04:00", id="the-timeline's-heading"),
        pytest.param("---\ndate: 2024-07-10\n---\n# Queue\n\n## Timeline\n\n| Time (CET) | Event |\n|---|---|\n"
                     "| 10:00 | paged |\n| 10:20 | fixed |\n", "2024-07-10T10:00:00+01:00", id="a-column-header"),
        pytest.param("---\ndate: 2024-07-10\ntimezone: Europe/Berlin\n---\n# Queue\n\n## Timeline\n\n- 10:00 paged\n",
                     "2024-07-10T10:00:00+02:00", id="a-front-matter-field-with-summer-time"),
        pytest.param("---\ndate: 2024-08-10\n---\n# Queue\n\nTimes are Eastern Time unless noted.\n\n## Timeline\n\n"
                     "- 10:00 paged\n- 11:00 UTC fixed\n", "2024-08-10T10:00:00-04:00", id="a-generic-zone-follows-the-date"),
        pytest.param("---\ndate: 2024-03-03\n---\n# Queue\n\n## Timeline\n\n- 10:00 PST paged\n- 10:20 still down\n",
                     "2024-03-03T10:00:00-08:00", id="a-zone-written-once-carries-on"),
        pytest.param("---\ndate: 2024-03-03\n---\n# Queue\n\n## Timeline\n\n- 09:00 UTC / 01:00 PST paged\n- 09:30 fixed\n",
                     "2024-03-03T09:00:00+00:00", id="a-time-in-two-zones-is-read-once"),
    ],
)
def test_zone_context(text: str, first: str) -> None:
    incident = incident_of(text)
    assert iso(incident.timeline[0].at) == first


def test_a_time_in_two_zones_keeps_both_in_its_text() -> None:
    incident = incident_of("---\ndate: 2024-03-03\n---\n# Queue\n\n## Timeline\n\n- 09:00 UTC / 01:00 PST paged\n")
    assert "01:00 PST" in incident.timeline[0].text and len(incident.timeline) == 1


def test_a_standard_time_name_on_a_summer_date_is_read_as_written_and_reported() -> None:
    incident = incident_of("---\ndate: 2024-07-10\n---\n# Queue\n\n## Timeline\n\n- 10:00 PST paged\n- 11:00 PST fixed\n")
    assert iso(incident.timeline[0].at) == "2024-07-10T10:00:00-08:00"
    (problem,) = [d for d in incident.diagnostics if d.code == "zone-season"]
    assert problem.line == 8 and "PDT" in problem.message


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param("All times PST.\n\n## Timeline\n\n- 10:00 paged\n- 11:00 fixed\n", [10], id="a-statement"),
        pytest.param("## Timeline\n\n| Time (PST) | Event |\n|---|---|\n| 10:00 | paged |\n| 11:00 | fixed |\n", [10],
                     id="a-column-header"),
        pytest.param("All times PT.\n\n## Timeline\n\n- 10:00 paged\n", [], id="a-zone-whose-offset-follows-the-date"),
        pytest.param("All times PDT.\n\n## Timeline\n\n- 10:00 paged\n", [], id="in-season"),
    ],
)
def test_a_stated_zone_out_of_season_is_reported_once(text: str, lines: list[int]) -> None:
    incident = incident_of("---\ndate: 2024-07-10\n---\n# Queue\n\n" + text)
    assert [d.line for d in incident.diagnostics if d.code == "zone-season"] == lines


# --- date context ---------------------------------------------------------------------------

def test_date_headings_and_day_labels_set_the_day_and_are_not_events() -> None:
    text = ("# Queue\n\n## Timeline\n\n### 2020-02-20\n\n- 23:50 alert\n- 00:10 paged\n\n**Day 2 — 22 February 2020**\n\n"
            "- 09:00 fixed\n")
    incident = incident_of(text)
    assert [(iso(e.at), e.text) for e in incident.timeline] == [
        ("2020-02-20T23:50:00+00:00", "alert"), ("2020-02-21T00:10:00+00:00", "paged"),
        ("2020-02-22T09:00:00+00:00", "fixed")]
    assert not any(e.at and e.at.time() == dt.time(0) for e in incident.timeline)


@pytest.mark.parametrize(
    ("date", "timeline", "events"),
    [
        pytest.param("2023-05-15", "### Day 1\n- 10:00 drill begins\n### Day 2\n- 12:30 back, resolved\n",
                     ["2023-05-15T10:00:00+00:00", "2023-05-16T12:30:00+00:00"], id="numbered-days-count-from-the-date"),
        pytest.param("2023-05-15", "**Day 1:**\n\n- 23:50 drill begins\n- 00:10 paged\n\n**Day 2:**\n\n- 08:00 resolved\n",
                     ["2023-05-15T23:50:00+00:00", "2023-05-16T00:10:00+00:00", "2023-05-16T08:00:00+00:00"],
                     id="numbered-days-in-bold-and-past-midnight"),
        pytest.param("2023-05-13", "**Saturday**\n- 22:15 drill begins\n**Monday**\n- 23:10 resolved\n",
                     ["2023-05-13T22:15:00+00:00", "2023-05-15T23:10:00+00:00"],
                     id="weekdays-from-the-date-that-is-the-first-of-them"),
        pytest.param("2023-05-14", "**Saturday**\n- 22:15 drill begins\n**Monday**\n- 23:10 resolved\n", [None, None],
                     id="weekdays-the-date-does-not-fit-date-nothing"),
        pytest.param(None, "### Day 1\n- 10:00 drill begins\n### Day 2\n- 12:30 back, resolved\n", [None, None],
                     id="numbered-days-without-a-date"),
        pytest.param("2023-05-15", "- 10:00 the Day 2 plan starts\n- 12:30 resolved on Monday\n",
                     ["2023-05-15T10:00:00+00:00", "2023-05-15T12:30:00+00:00"], id="a-day-named-in-an-entry-is-no-label"),
    ],
)
def test_a_day_label_without_a_date_never_dates_its_entries_on_the_first_day(
    date: str | None, timeline: str, events: list[str | None]
) -> None:
    stated = f"Date: {date}\n" if date else ""
    incident = incident_of(f"# Failover drill\n{stated}## Timeline (UTC)\n{timeline}")
    assert [iso(e.at) for e in incident.timeline] == events
    assert all(e.time is not None for e in incident.timeline)
    assert iso(incident.resolved_at) == events[-1]


@pytest.mark.parametrize(
    ("name", "date", "days"),
    [
        pytest.param("2024-01-03-newyear.md", "", ["2023-12-31", "2024-01-01"], id="a-january-date-puts-december-before"),
        pytest.param("doc.md", "Date: 2023-12-31\n\n", ["2023-12-31", "2024-01-01"],
                     id="a-december-date-puts-january-after"),
        pytest.param("doc.md", "Date: 2024-03-02\n\n", ["2024-03-02", "2024-02-28"], id="a-month-back-is-no-new-year"),
    ],
)
def test_days_without_a_year_that_run_into_a_new_year(name: str, date: str, days: list[str]) -> None:
    first, second = ("Dec 31", "Jan 1") if "12-31" in days[0] else ("Mar 2", "Feb 28")
    incident = incident_of(f"# Cron\n\n{date}## Timeline\n\n- {first} 23:50 cron starts\n- {second} 00:20 alert fires\n",
                           name)
    assert [e.at.date().isoformat() for e in incident.timeline if e.at] == days


def test_a_table_row_with_only_a_date_sets_the_day() -> None:
    text = "# Queue\n\n## Timeline\n\n| When | What |\n|---|---|\n| 2021-03-04 | |\n| 10:00 | paged |\n| 11:00 | fixed |\n"
    assert [iso(e.at) for e in incident_of(text).timeline] == ["2021-03-04T10:00:00+00:00", "2021-03-04T11:00:00+00:00"]


def test_an_event_with_a_date_and_no_time_keeps_its_day_and_sets_no_fact() -> None:
    text = ("# Split\n\n## Timeline\n\n- 2021-08-17: report received\n- 2021-08-24: fix released\n"
            "- 2021-08-27: At 12:50:07 UTC, exploited\n")
    incident = incident_of(text)
    assert [(e.at, iso(e.day)) for e in incident.timeline[:2]] == [(None, "2021-08-17"), (None, "2021-08-24")]
    assert iso(incident.timeline[2].at) == "2021-08-27T12:50:07+00:00"
    assert iso(incident.started_at) == "2021-08-27T12:50:07+00:00" and incident.duration_minutes is None


def test_unless_otherwise_noted_an_events_own_date_is_an_exception() -> None:
    text = ("# Docs down\n\n## Timeline\n\nUnless otherwise noted all events happened on 2019-10-21, and all times are in "
            "UTC.\n\n- 2019-10-20 00:55 builds start failing\n- 01:38 alerts\n- 19:27 fixed\n")
    incident = incident_of(text)
    assert [iso(e.at) for e in incident.timeline] == [
        "2019-10-20T00:55:00+00:00", "2019-10-21T01:38:00+00:00", "2019-10-21T19:27:00+00:00"]


NEWEST_FIRST = "- 23:30 Resolved: caught up.\n- 21:05 Monitoring: lag falling.\n- 14:40 Identified: vacuum.\n- 14:12 paged\n"
OLDEST_FIRST = [("2023-08-14T14:12:00+00:00", 10), ("2023-08-14T14:40:00+00:00", 9),
                ("2023-08-14T21:05:00+00:00", 8), ("2023-08-14T23:30:00+00:00", 7)]


@pytest.mark.parametrize(
    ("timeline", "events"),
    [
        pytest.param("## Timeline (most recent first)\n\n" + NEWEST_FIRST, OLDEST_FIRST, id="stated-in-the-heading"),
        pytest.param("## Timeline\n\nNewest entries first.\n\n" + NEWEST_FIRST,
                     [(at, line + 2) for at, line in OLDEST_FIRST], id="stated-in-a-note"),
        pytest.param("## Timeline\n\n| Time (reverse chronological) | Event |\n|---|---|\n| 23:30 | resolved |\n"
                     "| 14:12 | paged |\n", [("2023-08-14T14:12:00+00:00", 10), ("2023-08-14T23:30:00+00:00", 9)],
                     id="stated-in-a-table-header"),
        pytest.param("## Timeline (newest first)\n\n### 2023-08-15\n\n- 01:10 resolved\n- 00:20 still down\n\n"
                     "### 2023-08-14\n\n- 23:40 paged\n",
                     [("2023-08-14T23:40:00+00:00", 14), ("2023-08-15T00:20:00+00:00", 10),
                      ("2023-08-15T01:10:00+00:00", 9)], id="day-labels-lead-their-entries"),
        pytest.param("## Timeline\n\nThe most recent deploy came first.\n\n- 23:50 deploy\n- 00:10 resolved\n",
                     [("2023-08-14T23:50:00+00:00", 9), ("2023-08-15T00:10:00+00:00", 10)],
                     id="a-note-about-something-else-is-no-order"),
    ],
)
def test_a_timeline_stated_newest_first_is_read_from_its_last_entry_up(
    timeline: str, events: list[tuple[str, int]]
) -> None:
    incident = incident_of(f"# Lag\n\nDate: 2023-08-14. All times UTC.\n\n{timeline}")
    assert [(iso(e.at), e.line) for e in incident.timeline] == events
    assert iso(incident.started_at) == events[0][0] and iso(incident.resolved_at) == events[-1][0]
    assert "timeline-order" not in codes(incident)


@pytest.mark.parametrize(
    ("entries", "events", "warned"),
    [
        pytest.param(NEWEST_FIRST, OLDEST_FIRST, 10, id="every-time-earlier-than-the-one-above"),
        pytest.param("- 23:30 resolved\n- 14:12 paged\n", [("2023-08-14T23:30:00+00:00", 7),
                     ("2023-08-15T14:12:00+00:00", 8)], None, id="two-entries-say-too-little"),
        pytest.param("- 23:40 deploy\n- 23:55 alert\n- 00:10 paged\n- 00:50 resolved\n",
                     [("2023-08-14T23:40:00+00:00", 7), ("2023-08-14T23:55:00+00:00", 8),
                      ("2023-08-15T00:10:00+00:00", 9), ("2023-08-15T00:50:00+00:00", 10)], None,
                     id="past-midnight-runs-forwards"),
    ],
)
def test_a_timeline_whose_times_all_run_backwards_is_read_newest_first_and_reported(
    entries: str, events: list[tuple[str, int]], warned: int | None
) -> None:
    incident = incident_of(f"# Lag\n\nDate: 2023-08-14. All times UTC.\n\n## Timeline\n\n{entries}")
    assert [(iso(e.at), e.line) for e in incident.timeline] == events
    backwards = [d.line for d in incident.diagnostics if d.code == "timeline-order" and "newest first" in d.message]
    assert backwards == ([warned] if warned else [])


def test_a_timeline_with_events_and_no_time_is_reported() -> None:
    incident = incident_of("# Queue\n\n## Timeline\n\n- someone noticed\n- we fixed it\n")
    (problem,) = [d for d in incident.diagnostics if d.code == "untimed-timeline"]
    assert problem.line == 5 and [e.text for e in incident.timeline] == ["someone noticed", "we fixed it"]


# --- derived facts and plausibility -------------------------------------------------------

def test_derived_facts_say_they_are_derived_with_their_evidence() -> None:
    incident = incident_of("---\ndate: 2024-07-10\n---\nAll times are PDT.\n\n## Timeline\n\n- 10:00 alert fired\n"
                           "- 10:30 resolved\n")
    assert kind(incident, "started_at") == DERIVED and kind(incident, "resolved_at") == DERIVED
    origin = next(o for o in incident.origins if o.field == "started_at")
    assert any("PDT" in note and "line 4" in note for note in origin.evidence)
    assert incident.duration_minutes == 30 and kind(incident, "duration_minutes") == DERIVED


@pytest.mark.parametrize(
    ("entries", "detected"),
    [
        pytest.param("- 14:40 latency rises\n- 14:52 Investigating: slow responses.\n- 15:10 Identified: a noisy tenant.\n"
                     "- 15:40 Resolved.\n", "14:52", id="identified-on-a-status-page-is-the-cause-found"),
        pytest.param("- 09:00 UTC monthly report job starts\n- 09:30 errors begin\n- 09:40 on-call paged\n"
                     "- 10:10 resolved\n", "09:40", id="a-report-job-is-no-report"),
        pytest.param("- 23:58 monthly report job starts\n- 00:03 job crashes\n- 01:15 report regenerated, resolved\n",
                     None, id="a-report-made-again-is-no-report"),
        pytest.param("- 09:00 deployed new alerting rules\n- 09:30 the detector model retrained\n"
                     "- 09:35 warning banner CSS shipped\n- 09:40 users reported errors\n- 10:10 resolved\n", "09:40",
                     id="words-that-only-begin-as-detection"),
        pytest.param("- 09:00 deploy\n- 09:20 engineers respond to alarms\n- 10:10 resolved\n", "09:20", id="alarms"),
        pytest.param("- 09:00 deploy\n- 09:20 Problem is identified: launches fail\n- 10:10 resolved\n", "09:20",
                     id="a-problem-identified-is-detection"),
        pytest.param("- 09:00 deploy\n- 09:20 Root cause identified\n- 10:10 resolved\n", None,
                     id="a-cause-identified-is-not"),
        pytest.param("- 09:00 deploy\n- 09:20 alert fires\n- 09:30 alerts acknowledged\n- 10:10 resolved\n", "09:20",
                     id="an-alert-still-is"),
    ],
)
def test_the_detection_is_the_first_entry_that_says_the_problem_was_noticed(entries: str, detected: str | None) -> None:
    incident = incident_of(f"# Queue\n\nDate: 2023-06-01. All times UTC.\n\n## Timeline\n\n{entries}")
    assert (incident.detected_at.strftime("%H:%M") if incident.detected_at else None) == detected


@pytest.mark.parametrize(
    ("text", "withheld", "code"),
    [
        pytest.param("---\ndate: 2024-03-01\n---\n# Slow leak\n\n## Timeline\n\n- 2024-03-01 10:00 alert\n"
                     "- 2024-03-10 10:00 paged\n- 2024-03-20 10:00 resolved\n- 2024-03-30 10:00 resolved again\n",
                     {"duration_minutes", "resolved_at"}, "implausible-duration", id="a-derived-month-long-incident"),
        pytest.param("---\ndate: 2024-03-01\n---\n# Instant\n\n## Timeline\n\n- 10:00 alert and resolved\n",
                     {"duration_minutes", "resolved_at"}, "implausible-duration", id="a-derived-zero-minute-incident"),
        pytest.param("---\nstarted_at: 2024-03-01T12:00Z\n---\n# Order\n\n## Timeline\n\n- 2024-03-01 10:00 alert\n"
                     "- 2024-03-01 11:00 resolved\n", {"resolved_at"}, "implausible-time",
                     id="a-derived-end-before-a-stated-start"),
        pytest.param("---\ndate: 2017-10-10\n---\n# Far\n\nOn Oct 10, 2017, pods failed.\n\n## Timeline\n\n"
                     "- 2017-05-09 10:45 report\n- 2017-05-09 11:00 fixed\n",
                     {"started_at", "detected_at", "resolved_at", "duration_minutes"}, "implausible-time",
                     id="derived-times-far-from-the-stated-date"),
    ],
)
def test_a_derived_fact_that_cannot_be_true_is_withheld(text: str, withheld: set[str], code: str) -> None:
    incident = incident_of(text)
    assert {o.field for o in incident.origins if o.kind == WITHHELD} == withheld
    assert all(getattr(incident, field) is None for field in withheld)
    assert code in codes(incident)


@pytest.mark.parametrize(
    ("front_matter", "code", "kept"),
    [
        pytest.param("started_at: 2024-03-14T10:00Z\nresolved_at: 2024-03-14T09:00Z", "conflicting-times",
                     ("started_at", "resolved_at"), id="a-stated-end-before-the-stated-start"),
        pytest.param("started_at: 2024-03-14T10:00Z\nduration: 90 days", "implausible-duration", ("duration_minutes",),
                     id="an-absurd-stated-duration"),
        pytest.param("duration: -30 minutes", "implausible-duration", (), id="a-negative-duration"),
        pytest.param("started_at: 2024-03-14T10:00+99:00", "bad-time", (), id="an-offset-no-place-has"),
        pytest.param("date: 1969-07-20", "bad-time", (), id="a-year-before-1970"),
        pytest.param("started_at: 2224-03-14T10:00Z", "bad-time", (), id="a-year-after-2100"),
    ],
)
def test_stated_times_that_cannot_be_true_are_reported(front_matter: str, code: str, kept: tuple[str, ...]) -> None:
    incident = incident_of(f"---\n{front_matter}\n---\n# Queue\n\nBody.\n")
    problem = next(d for d in incident.diagnostics if d.code == code)
    assert problem.line is not None and "internal-error" not in codes(incident)
    assert all(getattr(incident, field) is not None and kind(incident, field) == STATED for field in kept)


def test_the_year_and_the_offset_are_named() -> None:
    incident = incident_of("---\nstarted_at: 2024-03-14T10:00+99:00\ndate: 1969-07-20\n---\nBody.\n")
    messages = " ".join(d.message for d in incident.diagnostics if d.code == "bad-time")
    assert "+99:00" in messages and "1969" in messages


def test_a_stated_length_counts_from_the_start_when_it_lands_on_an_event() -> None:
    text = ("# Ingress\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n|---|---|\n| 2021-08-26 08:22 | redirects "
            "begin |\n| 2021-08-26 08:44 | tests fine, reported over chat |\n| 2021-08-26 09:26 | developer flags 307s |\n"
            "| 2021-08-26 09:49 | operational |\n\n## Stats\n\n- Time to detection: 64 minutes\n- Time to recovery: 87 minutes\n")
    incident = incident_of(text)
    assert iso(incident.detected_at) == "2021-08-26T09:26:00+00:00"
    assert iso(incident.resolved_at) == "2021-08-26T09:49:00+00:00"


def test_a_prose_range_and_length_are_stated_facts() -> None:
    incident = incident_of("# Flags down - September 29, 2025\n\nThe service had an outage lasting 1 hour and 48 minutes, "
                           "from 16:58 to 18:46 UTC.\n")
    assert (iso(incident.started_at), iso(incident.resolved_at), incident.duration_minutes) == (
        "2025-09-29T16:58:00+00:00", "2025-09-29T18:46:00+00:00", 108)
    assert kind(incident, "started_at") == STATED


def test_a_status_page_date_time_with_an_end_is_the_start() -> None:
    incident = incident_of("---\ntitle: CI agents down\ndate: 2023-03-28T14:00:00-00:00\nresolved: true\n"
                           "resolvedWhen: 2023-03-29T15:55:00-00:00\n---\nWe purged the queue.\n")
    assert (iso(incident.started_at), iso(incident.resolved_at), incident.duration_minutes, incident.status) == (
        "2023-03-28T14:00:00+00:00", "2023-03-29T15:55:00+00:00", 1555, "resolved")


def test_relative_times_count_from_the_stated_start() -> None:
    text = ("---\nstarted_at: 2024-03-14T10:00Z\n---\n# Queue\n\n## Timeline\n\n- T+0: deploy\n- T+15m: alerts fire\n"
            "- T+1h 5m — resolved\n- +01:30 all clear\n")
    incident = incident_of(text)
    assert [iso(e.at) for e in incident.timeline] == [
        "2024-03-14T10:00:00+00:00", "2024-03-14T10:15:00+00:00", "2024-03-14T11:05:00+00:00", "2024-03-14T11:30:00+00:00"]
    origin = next(o for o in incident.origins if o.field == "detected_at")
    assert origin.kind == DERIVED and any("15 min after the start (line 2)" in note for note in origin.evidence)


def test_relative_times_without_a_stated_start_keep_their_words_and_no_time() -> None:
    incident = incident_of("# Queue\n\n## Timeline\n\n- T+15m: alerts fire\n- T+1h: resolved\n")
    assert [(e.at, e.text) for e in incident.timeline] == [(None, "alerts fire"), (None, "resolved")]


def test_stamps_split_by_a_line_break_are_one_moment() -> None:
    text = "# Queue\n\n## Timeline\n\n| When | What |\n|---|---|\n| 2024-03-14<br>10:00 UTC | paged |\n| March 14,<br>2024 11:00 | fixed |\n"
    assert [iso(e.at) for e in incident_of(text).timeline] == ["2024-03-14T10:00:00+00:00", "2024-03-14T11:00:00+00:00"]


def test_a_timeline_entry_whose_numeric_date_nothing_settles_is_reported_and_keeps_its_time() -> None:
    text = "---\ndate: 2024-05-04\n---\n# Queue\n\n## Timeline\n\n- 05/04/2024 10:00 paged\n- 05/04/2024 11:00 fixed\n"
    incident = incident_of(text)
    assert [(e.at, e.time.isoformat() if e.time else None) for e in incident.timeline] == [
        (None, "10:00:00+00:00"), (None, "11:00:00+00:00")]
    (problem,) = [d for d in incident.diagnostics if d.code == "ambiguous-date"]
    assert problem.line == 8 and "05/04/2024" in problem.message and "1 more" in problem.message


PROSE_DATED = "# Checkout outage\n\nDate: 2023-05-05\n\n## Summary\n\n"


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        pytest.param("The outage started at 10:00 UTC and was resolved at 11:10 UTC.",
                     ("2023-05-05T10:00:00+00:00", None, "2023-05-05T11:10:00+00:00"), id="started-and-resolved"),
        pytest.param("Errors began at 10:00 UTC and service was restored at 11:10 UTC.",
                     ("2023-05-05T10:00:00+00:00", None, "2023-05-05T11:10:00+00:00"), id="began-and-restored"),
        pytest.param("Checkout failed for most users starting at 10:00 UTC; it recovered at 11:10 UTC.",
                     ("2023-05-05T10:00:00+00:00", None, "2023-05-05T11:10:00+00:00"), id="starting-then-recovered"),
        pytest.param("Errors began at 22:00 UTC. Service was restored at 02:10 UTC the following day.",
                     (None, None, "2023-05-06T02:10:00+00:00"), id="restored-the-following-day"),
        pytest.param("The team worked on. A fix was ready by 17:00 but was not deployed until the next day, and service recovered at "
                     "09:30 UTC.", (None, None, None), id="recovered-on-a-later-day-it-does-not-date"),
        pytest.param("Previous incidents (e.g. 2022-11-02) were resolved by 10:00 UTC.", (None, None, None),
                     id="other-incidents"),
        pytest.param("Around 9:30 UTC the record came back and by 9:40 UTC traffic had returned to normal.",
                     (None, None, "2023-05-05T09:40:00+00:00"), id="each-moment-its-own-clause"),
        pytest.param("Alerts fired at 09:10 UTC and the incident was resolved at 09:50 UTC.",
                     (None, "2023-05-05T09:10:00+00:00", "2023-05-05T09:50:00+00:00"), id="detected-and-resolved"),
    ],
)
def test_moments_the_prose_states(prose: str, expected: tuple[str | None, str | None, str | None]) -> None:
    incident = incident_of(PROSE_DATED + prose + "\n")
    assert (iso(incident.started_at), iso(incident.detected_at), iso(incident.resolved_at)) == expected


@pytest.mark.parametrize(
    ("fields", "expected", "conflict"),
    [
        pytest.param("Start: 11:50 PM PDT\nEnd: 12:40 AM PDT", ("2023-05-02T23:50:00-07:00", "2023-05-03T00:40:00-07:00"),
                     False, id="an-end-past-midnight-is-the-next-day"),
        pytest.param("End: 00:40 UTC\nStart: 23:50 UTC", ("2023-05-02T23:50:00+00:00", "2023-05-03T00:40:00+00:00"),
                     False, id="written-end-first"),
        pytest.param("Start: 23:00 UTC (May 3)\nEnd: 02:00 UTC (May 4)",
                     ("2023-05-03T23:00:00+00:00", "2023-05-04T02:00:00+00:00"), False, id="dates-in-brackets"),
        pytest.param("Start: 10:00 UTC\nEnd: 09:00 UTC", ("2023-05-02T10:00:00+00:00", "2023-05-02T09:00:00+00:00"),
                     True, id="an-end-hours-before-the-start-stays-and-is-reported"),
        pytest.param("Start: 23:50 UTC\nEnd: 2023-05-02 00:40 UTC",
                     ("2023-05-02T23:50:00+00:00", "2023-05-02T00:40:00+00:00"), True, id="an-end-with-its-own-date-stays"),
    ],
)
def test_a_stated_start_and_end_without_their_day(fields: str, expected: tuple[str, str], conflict: bool) -> None:
    incident = incident_of(f"# Gateway errors\n\nDate: 2023-05-02\n{fields}\n")
    assert (iso(incident.started_at), iso(incident.resolved_at)) == expected
    assert ("conflicting-times" in codes(incident)) is conflict
