"""Periodic reliability reports: periods, each figure on small hand-built archives, the pages and `hindsite report`."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeSite, RunCli
from factories import DERIVED_TIMES, END_BEFORE_START, MONTH_LONG, NO_TIMES, incident, normalised

from hindsite.collect.archive import collect
from hindsite.collect.reports import (
    NOTABLE_LIMIT,
    STOP_WORDS,
    SUMMARY_LIMIT,
    TERM_LIMIT,
    THEME_NAMES,
    THEME_SIGNIFICANCE,
    ArchiveTerms,
    Change,
    Period,
    PeriodError,
    _chance,
    archive_reports,
    one_line,
    parse_period,
    period_report,
    themes,
    to_markdown,
)
from hindsite.core.config import DEFAULT_SEVERITY, SiteConfig
from hindsite.core.markup import text_of
from hindsite.core.model import ActionItem, Incident, Section
from hindsite.render.site import period_document

LEVELS = tuple(DEFAULT_SEVERITY)  # sev1 … sev4
REPO = Path(__file__).resolve().parents[2]
Q1 = Period(2024, 1)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def item(status: str | None) -> ActionItem:
    return ActionItem(f"do something {status}", None, status, None, 1)


def cause(text: str, key: str = "root_cause", filled: bool = True) -> Section:
    return Section(key, key.replace("_", " ").title(), 1, text, f"<p>{html.escape(text)}</p>", filled)


def report_of(incidents: list[Incident], period: Period = Q1):
    return period_report(collect(incidents), period, LEVELS)


# --- periods ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-Q1", Period(2024, 1)),
        ("2024q1", Period(2024, 1)),
        ("2024-q2", Period(2024, 2)),
        ("2024Q3", Period(2024, 3)),
        ("2024 Q4", Period(2024, 4)),
        ("2024_q4", Period(2024, 4)),
        ("2024/Q2", Period(2024, 2)),
        ("Q1 2025", Period(2025, 1)),
        ("q3-2023", Period(2023, 3)),
        ("  2024-Q1 ", Period(2024, 1)),
        ("2024", Period(2024)),
        (" 1999 ", Period(1999)),
    ],
)
def test_periods_are_read_leniently(written: str, expected: Period) -> None:
    assert parse_period(written) == expected


@pytest.mark.parametrize("written", ["", "24", "2024-1", "2024-13", "Q1", "2024-Q", "2024-H1", "last quarter",
                                     "2024-Q1-2", "20244", "0999", "２０２４", "2０２４"])
def test_a_malformed_period_names_the_right_form(written: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(written)
    assert "2024-Q1" in str(raised.value) and "2024" in str(raised.value)


@pytest.mark.parametrize("written", ["2024-Q0", "2024-Q5", "Q9 2024"])
def test_a_quarter_outside_one_to_four_is_refused(written: str) -> None:
    with pytest.raises(PeriodError, match="Q1 to Q4"):
        parse_period(written)


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_quarter_bounds(quarter: int) -> None:
    period = Period(2024, quarter)
    first_month = 3 * quarter - 2
    assert period.first_day == dt.date(2024, first_month, 1)
    after = dt.date(2025, 1, 1) if quarter == 4 else dt.date(2024, first_month + 3, 1)
    assert period.last_day == after - dt.timedelta(days=1)
    assert period.contains(period.first_day) and period.contains(period.last_day)
    assert not period.contains(period.first_day - dt.timedelta(days=1))
    assert not period.contains(period.last_day + dt.timedelta(days=1))


def test_labels_neighbours_and_undated_days() -> None:
    assert (Q1.label, Q1.slug, Q1.kind) == ("2024-Q1", "2024-q1", "quarter")
    assert (Period(2024).label, Period(2024).slug, Period(2024).kind) == ("2024", "2024", "year")
    assert Q1.previous == Period(2023, 4) and Period(2023, 4).following == Q1
    assert Period(2024, 3).previous == Period(2024, 2) and Period(2024, 2).following == Period(2024, 3)
    assert Period(2024).previous == Period(2023) and Period(2024).following == Period(2025)
    assert Period(2024).quarters == tuple(Period(2024, q) for q in (1, 2, 3, 4))
    assert (Period(2024).first_day, Period(2024).last_day) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert not Q1.contains(None)


# --- counts and the previous period -------------------------------------------------------------------------------


def test_count_and_severity_mix_against_the_previous_quarter() -> None:
    report = report_of([
        incident("a", date=day("2024-01-05"), severity="sev2"),
        incident("b", date=day("2024-03-31"), severity="sev2"),
        incident("c", date=day("2024-02-10"), severity=None),
        incident("d", date=day("2023-12-31"), severity="sev1"),
        incident("e", date=day("2023-10-01"), severity="sev2"),
        incident("f", date=day("2023-09-30"), severity="sev1"),  # two quarters back: in neither
        incident("g", date=day("2024-04-01"), severity="sev3"),  # the next quarter
        incident("h", severity="sev1"),  # undated: in no period
    ])
    assert [i.id for i in report.incidents] == ["b", "c", "a"]  # newest first
    assert report.count == Change(3, 2)
    assert (report.count.change, report.count.change_text) == (1, "+1")
    rows = [(row.level, row.count.current, row.count.previous, row.count.change_text) for row in report.by_severity]
    assert rows == [("sev1", 0, 1, "−1"), ("sev2", 2, 1, "+1"), (None, 1, 0, "+1")]  # scale order; sev3/sev4 absent


def test_a_year_is_compared_with_the_year_before_and_split_by_quarter() -> None:
    report = report_of([
        incident("a", date=day("2024-01-05")), incident("b", date=day("2024-11-05")),
        incident("c", date=day("2024-12-31")), incident("d", date=day("2023-06-01")),
    ], Period(2024))
    assert report.count == Change(3, 1)
    assert report.by_quarter == ((Period(2024, 1), 1), (Period(2024, 2), 0), (Period(2024, 3), 0), (Period(2024, 4), 2))
    assert report_of([incident("a", date=day("2024-01-05"))]).by_quarter == ()


@pytest.mark.parametrize(("now", "before", "text"), [(3, 1, "+2"), (1, 3, "−2"), (2, 2, "±0"), (0, 0, "±0")])
def test_change_text(now: int, before: int, text: str) -> None:
    assert Change(now, before).change_text == text


def test_a_period_without_incidents_still_has_a_report() -> None:
    report = report_of([incident("a", date=day("2023-11-01"), severity="sev1", duration_minutes=5)])
    assert report.incidents == () and report.count == Change(0, 1)
    assert (report.impact.total_minutes, report.impact.median_minutes, report.impact.known) == (0, None, 0)
    assert report.themes == () and report.notable == () and report.action_items.total == 0
    markdown = to_markdown(report)
    assert "No incidents are dated in 2024-Q1" in markdown and "1 in 2023-Q4" in markdown


# --- impact time ----------------------------------------------------------------------------------------------------


def test_impact_time_counts_incidents_without_a_duration_apart() -> None:
    report = report_of([
        incident("a", date=day("2024-01-01"), duration_minutes=30),
        incident("b", date=day("2024-01-02"), duration_minutes=10),
        incident("c", date=day("2024-01-03"), duration_minutes=None),
        incident("d", date=day("2024-01-04"), duration_minutes=20),
        incident("e", date=day("2024-01-05"), duration_minutes=None),
    ])
    assert report.impact.total_minutes == 60
    assert report.impact.median_minutes == 20
    assert (report.impact.known, report.impact.unknown) == (3, 2)


def test_the_median_of_an_even_count_is_the_lower_middle_value() -> None:
    report = report_of([incident(str(n), date=day("2024-02-01"), duration_minutes=m) for n, m in enumerate([40, 10, 90, 25])])
    assert report.impact.median_minutes == 25  # nearest rank 2 of [10, 25, 40, 90], a real incident's duration
    assert report.impact.total_minutes == 165


def test_impact_follows_start_and_resolution_times() -> None:
    start = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone.utc)
    report = report_of([incident("a", date=day("2024-01-01"), started_at=start, resolved_at=start + dt.timedelta(minutes=95))])
    assert (report.impact.total_minutes, report.impact.median_minutes) == (95, 95)


def test_withheld_times_are_left_out_of_the_impact_time_and_counted_apart() -> None:
    report = report_of([normalised(MONTH_LONG, "2024-03-05-billing.md"), normalised(END_BEFORE_START, "2024-03-06-queue.md"),
                        normalised(DERIVED_TIMES, "2024-03-07-checkout.md"), normalised(NO_TIMES, "2024-03-08-search.md")])
    impact = report.impact
    assert (impact.total_minutes, impact.median_minutes, impact.known, impact.unknown) == (42, 42, 1, 3)
    assert (impact.left_out.not_given, impact.left_out.implausible) == (1, 2)
    assert ("Total 42 min, median 42 min, over 1 incident with a known duration; "
            "3 left out: 1 gives no times, 2 had implausible times.") in to_markdown(report)


def test_a_period_whose_only_times_were_withheld_says_so() -> None:
    markdown = to_markdown(report_of([normalised(MONTH_LONG, "2024-03-05-billing.md")]))
    assert "No incident has a known duration (1 left out: it had implausible times)." in markdown

# --- services, action items -----------------------------------------------------------------------------------------


def test_incidents_per_service() -> None:
    report = report_of([
        incident("a", date=day("2024-01-01"), services=("db", "api")),
        incident("b", date=day("2024-01-02"), services=("api",)),
        incident("c", date=day("2024-01-03")),
        incident("d", date=day("2023-01-03"), services=("cdn",)),
    ])
    assert report.by_service == (("api", 2), ("db", 1))
    assert report.without_service == 1


def test_action_items_of_the_period_by_status() -> None:
    report = report_of([
        incident("a", date=day("2024-01-01"), action_items=(item("open"), item("done"), item(None), item("dropped"))),
        incident("b", date=day("2024-02-01"), action_items=(item("open"), item("open"))),
        incident("c", date=day("2024-03-01")),
        incident("d", date=day("2023-12-01"), action_items=(item("done"),) * 4),  # previous quarter: not counted
        incident("e", action_items=(item("open"),)),  # undated
    ])
    counts = report.action_items
    assert (counts.open, counts.done, counts.dropped, counts.not_stated, counts.total) == (3, 1, 1, 1, 6)


# --- themes -----------------------------------------------------------------------------------------------------------


#: The rest of the archive the period's incidents are weighed against: causes that share no term with the tests'.
BACKGROUND = [incident(f"bg-{n}", sections=(cause(f"Host {n} filled its disk; nobody rotated the logs."),)) for n in range(30)]


def theme_names(incidents: list[Incident], background: list[Incident] = BACKGROUND) -> list[tuple[str, str, int]]:
    """The period `incidents`' themes, against an archive of them and `background`."""
    return [(t.kind, t.name, len(t.incidents)) for t in themes(incidents, ArchiveTerms.of([*incidents, *background]))]


def test_a_theme_names_its_newest_incidents_and_counts_the_rest() -> None:
    shared = [incident(f"inc-{n:02d}", title=f"Outage {n}", date=day(f"2024-01-{n + 1:02d}"), tags=("deploy",))
              for n in range(THEME_NAMES + 2)]
    report = report_of(shared)
    (theme,) = report.themes
    assert [i.title for i in theme.named] == [f"Outage {n}" for n in range(THEME_NAMES + 1, 1, -1)]
    assert theme.more == 2
    line = next(line for line in to_markdown(report).splitlines() if line.startswith("- #deploy"))
    assert line.endswith("; Outage 2; and 2 more")
    assert f"{THEME_NAMES + 2} incidents" in line


def test_a_tag_is_a_theme_when_two_incidents_share_it() -> None:
    found = theme_names([
        incident("a", tags=("deploy", "db")), incident("b", tags=("Deploy",)), incident("c", tags=("db", "deploy")),
        incident("d", tags=("network",)),
    ])
    assert found == [("tag", "deploy", 3), ("tag", "db", 2)]  # "network" is on one incident only


def test_a_tag_written_twice_on_one_incident_counts_once_and_is_named_as_the_newest_writes_it() -> None:
    found = theme_names([incident("a", tags=("Deploy", "deploy")), incident("b", tags=("deploy",)),
                         incident("c", tags=("DB",))])
    assert found == [("tag", "Deploy", 2)]


def test_a_root_cause_term_shared_by_two_incidents_is_a_theme() -> None:
    found = theme_names([
        incident("a", sections=(cause("The certificate expired because renewal was manual."),)),
        incident("b", sections=(cause("Nobody owned the certificates."),)),
        incident("c", sections=(cause("A replica lagged."),)),
    ])
    assert ("term", "certificate", 2) in found  # "certificates" folds to "certificate"
    assert all(name not in {"because", "the", "nobody", "expired"} for _, name, _ in found)  # common words never are


def test_trigger_and_fault_sections_count_and_other_sections_do_not() -> None:
    found = theme_names([
        incident("a", sections=(cause("Failover stalled.", key="trigger"), cause("Failover impact.", key="impact"))),
        incident("b", sections=(cause("A slow failover.", key="fault"),)),
        incident("c", sections=(cause("Failover everywhere.", key="impact"),)),
        incident("d", sections=(cause("Failover placeholder.", filled=False),)),
    ])
    assert found == [("term", "failover", 2)]


def test_a_phrase_is_shown_and_its_words_left_out_when_they_add_nothing() -> None:
    found = theme_names([
        incident("a", sections=(cause("The connection pool was exhausted."),)),
        incident("b", sections=(cause("Its connection pool filled up."),)),
        incident("c", sections=(cause("A connection reset."),)),
    ])
    # "connection" is used by a third incident, so it says more than the phrase; "pool" is only in the phrase's incidents
    assert found == [("term", "connection", 3), ("term", "connection pool", 2)]


def test_a_word_written_twice_in_a_row_is_not_a_phrase() -> None:
    found = theme_names([incident(k, sections=(cause("The disk disk filled. Quorum lost."),)) for k in "ab"], background=[])
    assert [name for _, name, _ in found if " " in name] == []


def test_a_term_that_is_a_shared_tag_is_not_repeated() -> None:
    found = theme_names([
        incident("a", tags=("dns",), sections=(cause("DNS lookups timed out."),)),
        incident("b", tags=("dns",), sections=(cause("The DNS resolver was rate limited."),)),
    ])
    assert ("tag", "dns", 2) in found
    assert ("term", "dns", 2) not in found


def test_terms_are_ranked_by_how_far_they_set_the_period_apart_and_capped() -> None:
    words = [f"widget{chr(ord('a') + n)}" for n in range(TERM_LIMIT + 3)]
    text = ", ".join(words)  # commas: no phrases
    period = [incident("a", sections=(cause(text + ", zebra"),)), incident("b", sections=(cause(text + ", zebra"),)),
              incident("c", sections=(cause("zebra"),))]
    zebras = [incident(f"z{n}", sections=(cause("zebra"),)) for n in range(10)]
    found = theme_names(period, background=[*BACKGROUND, *zebras])
    terms = [(name, count) for kind, name, count in found if kind == "term"]
    assert len(terms) == TERM_LIMIT
    assert [name for name, _ in terms] == sorted(words)[:TERM_LIMIT]  # all only in the period: then alphabetical
    assert ("zebra", 3) not in terms  # used by more of the period, but by much of the archive too: less telling
    fewer = theme_names([replace(i, sections=(cause(", ".join(i.sections[0].text.split(", ")[-3:])),)) for i in period],
                        background=[*BACKGROUND, *zebras])
    assert fewer == [("term", "widgetj", 2), ("term", "widgetk", 2), ("term", "zebra", 3)]


def test_a_term_the_archive_uses_as_often_as_the_period_is_no_theme() -> None:
    period = [incident(k, sections=(cause("A replica lagged."),)) for k in "ab"]
    period += [incident(k, sections=(cause("Cron ran late."),)) for k in "cd"]
    elsewhere = [incident(f"x{n}", sections=(cause("The replica lagged." if n % 2 else "Cron ran late."),))
                 for n in range(20)]
    assert theme_names(period, background=elsewhere) == []
    rare = [incident(f"y{n}", sections=(cause("Cron ran late."),)) for n in range(20)]
    assert ("term", "replica", 2) in theme_names(period, background=rare)


def test_a_period_that_is_the_whole_archive_has_no_term_that_sets_it_apart() -> None:
    period = [incident(k, sections=(cause("A replica lagged behind the primary."),)) for k in "abc"]
    assert theme_names(period, background=[]) == []
    assert [(t.kind, t.name) for t in themes(period)] == []


@pytest.mark.parametrize("word", ["present", "change", "check", "default", "limit", "changes", "limits"])
def test_words_any_account_uses_are_never_themes_however_rare(word: str) -> None:
    period = [incident(k, sections=(cause(f"The {word} was wrong, and the replica too."),)) for k in "ab"]
    found = theme_names(period)
    assert ("term", "replica", 2) in found
    assert all(word not in name.split(" ") for _, name, _ in found)


def exact_chance(used: int, drawn: int, using: int, total: int) -> float:
    """The hypergeometric upper tail, summed in whole numbers."""
    ways = sum(math.comb(using, k) * math.comb(total - using, drawn - k) for k in range(used, min(using, drawn) + 1))
    return ways / math.comb(total, drawn)


@pytest.mark.parametrize(("used", "drawn", "using", "total"), [
    (2, 2, 2, 12), (2, 3, 7, 12), (2, 10, 2, 100), (5, 12, 30, 250), (12, 12, 12, 250), (3, 45, 40, 250),
    (40, 45, 200, 250), (2, 1000, 5, 10_000),
])
def test_the_chance_of_a_count_is_the_hypergeometric_tail(used: int, drawn: int, using: int, total: int) -> None:
    expected = exact_chance(used, drawn, using, total) if used * total > drawn * using else 1.0
    assert _chance(used, drawn, using, total) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def chance_from_lgamma(used: int, drawn: int, using: int, total: int) -> float:
    """The tail as reports.py first summed it, every log-binomial from math.lgamma: the floats themes are ranked by."""
    def log_choose(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    total, using = max(total, drawn), max(using, used)
    if used * total <= drawn * using:
        return 1.0
    tail, k = 0.0, used
    while k <= min(using, drawn):
        term = math.exp(log_choose(using, k) + log_choose(total - using, drawn - k) - log_choose(total, drawn))
        tail += term
        if term < tail * 1e-12:
            break
        k += 1
    return min(tail, 1.0)


#: (drawn, total) pairs as a build meets them: a quarter or a year out of archives from a dozen to 10,000 incidents.
DRAWS = [(3, 12), (12, 250), (45, 250), (350, 10_000), (1400, 10_000)]


@pytest.mark.parametrize(("drawn", "total"), DRAWS)
def test_the_chance_is_the_very_float_lgamma_gives(drawn: int, total: int) -> None:
    # Themes are ranked by the chance itself, so a last-digit difference could reorder them.
    for using in sorted({1, 2, 3, 5, 17, total // 40, total // 7, total // 2, total - 1}):
        for used in range(2, min(using, drawn) + 1, max(1, min(using, drawn) // 25)):
            assert _chance(used, drawn, using, total) == chance_from_lgamma(used, drawn, using, total), (used, using)


@pytest.mark.parametrize(("drawn", "total"), DRAWS)
def test_a_chance_asked_only_up_to_a_bound_is_exact_within_it_and_above_it_otherwise(drawn: int, total: int) -> None:
    beyond = THEME_SIGNIFICANCE
    for using in sorted({2, 5, 17, total // 40, total // 7}):
        for used in range(2, min(using, drawn) + 1):
            exact = chance_from_lgamma(used, drawn, using, total)
            bounded = _chance(used, drawn, using, total, beyond=beyond)
            if exact <= beyond:
                assert bounded == exact, (used, using)
            else:
                assert beyond < bounded <= exact, (used, using)


def test_the_chance_of_a_term_common_in_the_archive_stops_summing_past_the_bound() -> None:
    exact = _chance(36, 350, 1000, 10_000)  # 35 expected: far from significant
    stopped = _chance(36, 350, 1000, 10_000, beyond=THEME_SIGNIFICANCE)
    assert THEME_SIGNIFICANCE < stopped < exact


def test_the_example_archive_themes_are_terms_of_two_root_causes_and_no_stop_word() -> None:
    from hindsite.build import load
    from hindsite.core.config import load_config

    config = load_config(REPO / "site.toml")
    archive = load(config).archive
    checked = 0
    for year in archive_reports(archive, LEVELS):
        for report in (year.year, *year.quarters):
            for theme in (t for t in report.themes if t.kind == "term"):
                words = theme.name.casefold().split(" ")
                assert not any(w in STOP_WORDS or w.rstrip("s") in STOP_WORDS for w in words), theme.name
                causes = [" ".join(text_of(s.html).casefold() for s in i.every_section()
                                   if s.key in ("root_cause", "trigger", "fault")) for i in report.incidents]
                using = [c for c in causes if all(re.search(rf"\b{re.escape(w)}", c) for w in words)]
                assert len(using) >= 2, f"{report.period.label}: {theme.name!r} is in {len(using)} root causes"
                checked += 1
    assert checked >= 1, "the example archive has no root-cause theme to check"


# --- notable incidents and one-line summaries ------------------------------------------------------------------------


def test_notable_incidents_most_severe_then_longest() -> None:
    report = report_of([
        incident("minor-long", date=day("2024-01-01"), severity="sev3", duration_minutes=600),
        incident("major-short", date=day("2024-01-02"), severity="sev2", duration_minutes=5),
        incident("major-long", date=day("2024-01-03"), severity="sev2", duration_minutes=50),
        incident("major-unknown", date=day("2024-01-04"), severity="sev2"),
        incident("critical", date=day("2024-01-05"), severity="sev1", duration_minutes=1),
        incident("unrated", date=day("2024-01-06"), duration_minutes=900),
        incident("low", date=day("2024-01-07"), severity="sev4", duration_minutes=2),
    ])
    ranked = ["critical", "major-long", "major-short", "major-unknown", "minor-long", "low", "unrated"]
    assert [n.incident.id for n in report.notable] == ranked[:NOTABLE_LIMIT]


def test_notable_ties_go_to_the_earlier_incident() -> None:
    report = report_of([incident(n, date=day(f"2024-01-0{n}"), severity="sev2", duration_minutes=10) for n in "3192"])
    assert [n.incident.id for n in report.notable] == ["1", "2", "3", "9"]


@pytest.mark.parametrize(
    ("summary", "line"),
    [
        ("Checkout failed. Orders were lost.", "Checkout failed."),
        ("Disk filled up! Writes failed.", "Disk filled up!"),
        ("Version 1.2.3 broke logins. More text.", "Version 1.2.3 broke logins."),
        ('He said "stop." Then it stopped.', 'He said "stop."'),
        ("One sentence without a stop", "One sentence without a stop"),
        ("The **primary** failed over to `db-2`. Then more.", "The primary failed over to db-2."),
        ("", ""),
    ],
)
def test_one_line_is_the_first_sentence_as_plain_text(summary: str, line: str) -> None:
    assert one_line(summary) == line


def test_one_line_is_cut_at_a_word_with_an_ellipsis() -> None:
    long = "word " * 100 + "end."
    line = one_line(long)
    assert len(line) <= SUMMARY_LIMIT and line.endswith("word…")
    assert one_line("x" * 20 + " tail", limit=12) == "x" * 11 + "…"


def test_notable_incidents_carry_their_one_line_summary() -> None:
    report = report_of([incident("a", date=day("2024-01-01"), summary="The cache emptied. Then search slowed down.")])
    assert report.notable[0].summary == "The cache emptied."


# --- the whole archive ------------------------------------------------------------------------------------------------


def test_archive_reports_cover_every_year_with_its_quarters() -> None:
    archive = collect([
        incident("a", date=day("2022-05-01")), incident("b", date=day("2024-02-01")),
        incident("c", date=day("2024-11-01")), incident("d"),
    ])
    years = archive_reports(archive, LEVELS)
    assert [y.year.period for y in years] == [Period(2024), Period(2022)]  # 2023 has none
    assert [q.period for q in years[0].quarters] == list(Period(2024).quarters)
    assert [q.count.current for q in years[0].quarters] == [1, 0, 0, 1]
    assert years[0].year.count == Change(2, 0)
    assert years[0].quarters[0].count == Change(1, 0) and years[0].quarters[3].count == Change(1, 0)
    for y in years:  # the same figures as one report asked for on its own
        for report in (y.year, *y.quarters):
            assert report == period_report(archive, report.period, LEVELS)


def test_markdown_escapes_what_it_quotes() -> None:
    text = to_markdown(report_of([
        incident("a", title="Pipes | and *stars* in [links]", date=day("2024-01-01"), services=("a_b",), severity="sev1"),
    ]))
    assert text.startswith("# Reliability report 2024-Q1\n")
    assert r"Pipes \| and \*stars\* in \[links\]" in text
    assert r"a\_b" in text
    assert "| SEV1 | 1 | 0 | +1 |" in text


def test_standalone_html_links_to_the_published_site_only_with_a_base_url(tmp_path: Path) -> None:
    report = report_of([incident("a", title="Checkout down", date=day("2024-01-01"))])
    bare = period_document(report, SiteConfig(root=tmp_path))
    assert "Checkout down" in bare and "<a " not in bare and "<script" not in bare.lower()
    linked = period_document(report, SiteConfig(root=tmp_path, base_url="https://ops.example/pm"))
    assert 'href="https://ops.example/pm/incidents/a.html"' in linked


# --- the example archive, end to end ----------------------------------------------------------------------------------


def quarter_of(date: str) -> str:
    year, month = int(date[:4]), int(date[5:7])
    return f"{year}-Q{(month - 1) // 3 + 1}"


def previous_quarter(label: str) -> str:
    year, quarter = int(label[:4]), int(label[-1])
    return f"{year}-Q{quarter - 1}" if quarter > 1 else f"{year - 1}-Q4"


def nearest_rank_median(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) / 2)) - 1]


def minutes_text(minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = ([f"{days} d"] if days else []) + ([f"{hours} h"] if hours else [])
    return " ".join(parts + ([f"{mins} min"] if mins or not parts else []))


def page_text(path: Path) -> str:
    """The words of a page's main part, as a reader sees them."""
    main = path.read_text(encoding="utf-8").split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The repository's archive built into a temporary folder, and its incidents as `hindsite export --json` gives them."""
    from click.testing import CliRunner

    from hindsite.commands.cli import cli

    output = tmp_path_factory.mktemp("example") / "site"
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        built = runner.invoke(cli, ["build", "--strict", "--no-cache", "--output", str(output)], catch_exceptions=False)
        exported = runner.invoke(cli, ["export", "content", "--json", "-q"], catch_exceptions=False)
    assert built.exit_code == 0, built.stderr
    assert exported.exit_code == 0, exported.stderr
    return output, json.loads(exported.stdout)["incidents"]


def test_quarter_pages_match_figures_from_the_export(example: tuple[Path, list[dict[str, Any]]]) -> None:
    site, records = example
    by_quarter: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record["date"]:
            by_quarter.setdefault(quarter_of(record["date"]), []).append(record)
    assert len(by_quarter) >= 4
    for label, members in by_quarter.items():
        page = site / "reports" / f"{label.lower()}.html"
        assert page.is_file(), label
        text = page_text(page)
        before = len(by_quarter.get(previous_quarter(label), []))
        count = len(members)
        assert f"{count} incident{'s' if count != 1 else ''} in {label}, against {before} in the previous quarter " \
               f"({previous_quarter(label)})" in text, label
        durations = [r["duration_minutes"] for r in members if r["duration_minutes"] is not None]
        if durations:
            assert f"{minutes_text(sum(durations))} in total; median {minutes_text(nearest_rank_median(durations))}, " \
                   f"over {len(durations)} incident" in text, label
        unknown = count - len(durations)
        if unknown:
            assert f"{unknown} incident{'s' if unknown != 1 else ''} ha" in text
        statuses = Counter(a["status"] for r in members for a in r["action_items"])
        not_stated = sum(n for status, n in statuses.items() if status not in ("open", "done", "dropped"))
        dropped = f"Dropped (won't do) {statuses['dropped']} " if statuses["dropped"] else ""
        assert f"Open {statuses['open']} Done {statuses['done']} {dropped}No status stated {not_stated} " \
               f"All {sum(statuses.values())}" in text, label
        services = Counter(name for r in members for name in r["services"])
        for name, n in services.items():
            assert f" {name} {n} " in text, (label, name)
        for record in members:
            assert record["title"] in text


def test_the_busiest_quarter_compares_severities(example: tuple[Path, list[dict[str, Any]]]) -> None:
    site, records = example
    dated = [r for r in records if r["date"]]
    label = max(sorted({quarter_of(r["date"]) for r in dated}), key=lambda q: sum(quarter_of(r["date"]) == q for r in dated))
    now = Counter(r["severity"] for r in dated if quarter_of(r["date"]) == label)
    then = Counter(r["severity"] for r in dated if quarter_of(r["date"]) == previous_quarter(label))
    text = page_text(site / "reports" / f"{label.lower()}.html")
    for level in set(now) | set(then):
        change = now[level] - then[level]
        sign = f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "±0"
        assert f"{level.upper() if level else 'not stated'} {now[level]} {then[level]} {sign}" in text


def test_only_periods_with_incidents_have_pages_and_the_index_lists_them(example: tuple[Path, list[dict[str, Any]]]) -> None:
    site, records = example
    dates = [r["date"] for r in records if r["date"]]
    expected = {quarter_of(d).lower() for d in dates} | {d[:4] for d in dates}
    pages = {p.stem for p in (site / "reports").glob("*.html")} - {"index"}
    assert pages == expected
    index = (site / "reports" / "index.html").read_text(encoding="utf-8")
    for name in expected:
        assert f'href="../reports/{name}.html"' in index
    assert 'href="reports/index.html"' in (site / "index.html").read_text(encoding="utf-8")  # in the navigation
    year = max(d[:4] for d in dates)
    assert f"{sum(d.startswith(year) for d in dates)} incident" in page_text(site / "reports" / f"{year}.html")


def test_report_pages_print_without_chrome(example: tuple[Path, list[dict[str, Any]]]) -> None:
    site, _ = example
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    rules = " ".join(re.findall(r"@media print\s*{(.*?)\n}", css, re.S))
    for chrome in (".site-header", ".report-nav", ".site-footer", ".site-search"):
        assert chrome in rules
    assert 'class="period-report"' in next((site / "reports").glob("*-q*.html")).read_text(encoding="utf-8")


# --- hindsite report ----------------------------------------------------------------------------------------------------


def test_report_markdown_from_the_example_archive(run_cli: RunCli, example: tuple[Path, list[dict[str, Any]]]) -> None:
    _, records = example
    label = quarter_of(next(r["date"] for r in records if r["date"]))
    members = [r for r in records if r["date"] and quarter_of(r["date"]) == label]
    written = label.lower().replace("-", "")  # e.g. "2025q2": lenient form
    result = run_cli("report", "--period", written, "--format", "md", cwd=REPO)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"# Reliability report {label}\n")
    assert f"{len(members)} incident{'s' if len(members) != 1 else ''} in {label};" in out
    for heading in ("## Incidents", "## Impact time", "## Incidents per service", "## Recurring themes",
                    "## Action items", "## Notable incidents"):
        assert f"\n{heading}\n" in out
    assert "<table" not in out and "<p>" not in out and "<a " not in out  # Markdown, not HTML


def test_report_html_is_a_standalone_document(run_cli: RunCli, example: tuple[Path, list[dict[str, Any]]]) -> None:
    _, records = example
    year = max(r["date"][:4] for r in records if r["date"])
    result = run_cli("report", "--period", year, "--format", "html", cwd=REPO)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.lower().startswith("<!doctype html>") and out.rstrip().endswith("</html>")
    assert "<style>" in out and "@media print" in out
    assert "<script" not in out and "stylesheet" not in out and "site-search" not in out and "<nav" not in out
    assert f"<h1>{year}</h1>" in out
    for record in records:
        if record["date"] and record["date"].startswith(year):
            assert html.escape(record["title"]) in out


def test_a_period_without_incidents_says_so(run_cli: RunCli, tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/2024-02-01-db.md": "---\ntitle: Database down\ndate: 2024-02-01\n---\n\nIt broke.\n"})
    result = run_cli("report", "--period", "2024-Q2", "--content", str(site / "content"), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "No incidents are dated in 2024-Q2" in result.stdout
    assert "1 in 2024-Q1" in result.stdout


def test_report_reads_the_given_config(run_cli: RunCli, tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"posts/2024-02-01-db.md": "---\ntitle: Database down\ndate: 2024-02-01\nseverity: sev2\n---\n\nIt broke.\n"},
                     config='title = "Ops"\ncontent_dir = "posts"\nbase_url = "https://ops.example"\n')
    result = run_cli("report", "-c", str(site / "site.toml"), "--period", "2024", "--format", "html", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert 'href="https://ops.example/incidents/2024-02-01-db.html"' in result.stdout
    assert "Ops" in result.stdout


@pytest.mark.parametrize("period", ["2024-Q5", "next quarter", "24Q1"])
def test_a_malformed_period_is_a_usage_error(run_cli: RunCli, period: str) -> None:
    result = run_cli("report", "--period", period, cwd=REPO)
    assert result.exit_code == 2
    assert "2024-Q1" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_missing_content_folder_is_reported(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("report", "--period", "2024", "--content", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.exit_code == 1
    assert "does not exist" in result.stderr and result.stdout == ""
