"""stats.py: nearest-rank percentiles, per-service and whole-archive numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from factories import DERIVED_TIMES, END_BEFORE_START, MONTH_LONG, NO_TIMES, incident, normalised

from hindsite.collect.archive import collect
from hindsite.collect.site import collect_site
from hindsite.collect.stats import FollowUp, LeftOut, Spread, archive_stats, percentile, service_stats, spread
from hindsite.core import diagnostics as diag
from hindsite.core.config import DEFAULT_SEVERITY, ServiceInfo, SiteConfig
from hindsite.core.model import ActionItem, Incident, Origin, Section, TimelineEvent

LEVELS = tuple(DEFAULT_SEVERITY)  # sev1 … sev4
UTC = dt.timezone.utc


def at(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=UTC) + dt.timedelta(minutes=minutes)


def item(text: str, status: str | None, owner: str | None = None) -> ActionItem:
    return ActionItem(text, owner, status, None, 1)


# --- percentile and spread ----------------------------------------------------------------------


def test_percentile_nearest_rank_median_and_p90() -> None:
    values = list(range(1, 11))
    assert percentile(values, 50) == 5
    assert percentile(values, 90) == 9
    assert percentile(values, 100) == 10


def test_percentile_is_always_a_real_value() -> None:
    values = [3, 10, 40, 41]
    assert percentile(values, 50) == 10  # rank ceil(2.0) = 2, never an average of 10 and 40
    assert percentile(values, 90) == 41  # rank ceil(3.6) = 4


@pytest.mark.parametrize("share", [0, 1, 50, 90, 100])
def test_percentile_of_a_single_value(share: float) -> None:
    assert percentile([42], share) == 42


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 50) is None
    assert percentile([], 90) is None


def test_spread_sorts_its_input() -> None:
    assert spread([30, 10, 20]) == Spread(count=3, median=20, p90=30)
    assert spread(iter([5])) == Spread(1, 5, 5)


def test_spread_of_nothing() -> None:
    assert spread([]) == Spread(count=0, median=None, p90=None)


# --- service_stats ------------------------------------------------------------------------------


def service_group_stats(incidents: list[Incident], name: str = "api", info: ServiceInfo | None = None):
    archive = collect(incidents)
    return service_stats(archive.by_service[name], LEVELS, info)


def test_by_severity_follows_the_scale_not_frequency_or_input_order() -> None:
    d = dt.date(2024, 1, 1)
    stats = service_group_stats([
        incident("a", services=("api",), severity="sev3", date=d),
        incident("b", services=("api",), severity="sev3", date=d),
        incident("c", services=("api",), severity="sev1", date=d),
        incident("d", services=("api",), severity=None, date=d),
        incident("e", services=("api",), severity="sev2", date=d),
    ])
    assert stats.by_severity == (("sev1", 1), ("sev2", 1), ("sev3", 2))  # sev4 (none) left out


def test_by_quarter_includes_empty_quarters_between_first_and_last() -> None:
    stats = service_group_stats([
        incident("a", services=("api",), date=dt.date(2023, 11, 5)),
        incident("b", services=("api",), date=dt.date(2023, 12, 30)),
        incident("c", services=("api",), date=dt.date(2024, 5, 1)),
        incident("undated", services=("api",)),
    ])
    assert stats.by_quarter == (("2023-Q4", 2), ("2024-Q1", 0), ("2024-Q2", 1))
    assert stats.first == dt.date(2023, 11, 5)
    assert stats.last == dt.date(2024, 5, 1)


def test_by_quarter_and_range_without_dates() -> None:
    stats = service_group_stats([incident("a", services=("api",))])
    assert stats.by_quarter == ()
    assert stats.first is None and stats.last is None


def test_time_to_resolve_and_detect_medians_and_p90() -> None:
    day = dt.date(2024, 2, 1)
    rows = [  # (detect after, resolve after) in minutes
        (5, 30),
        (15, 60),
        (25, 90),
        (None, 120),
    ]
    incidents = [
        incident(f"i{n}", services=("api",), date=day, started_at=at(day, 0),
                 detected_at=at(day, detect) if detect is not None else None, resolved_at=at(day, resolve))
        for n, (detect, resolve) in enumerate(rows)
    ]
    incidents.append(incident("no-times", services=("api",), date=day))
    stats = service_group_stats(incidents)
    assert stats.time_to_resolve == Spread(count=4, median=60, p90=120, left_out=LeftOut(not_given=1))
    assert stats.time_to_detect == Spread(count=3, median=15, p90=25, left_out=LeftOut(not_given=2))


def test_open_follow_ups_exclude_done_and_dropped_items() -> None:
    day = dt.date(2024, 2, 1)
    first = incident("a", services=("api",), date=day,
                     action_items=(item("add alert", "open"), item("write runbook", "done"), item("unknown state", None),
                                   item("retire v1, won't do", "dropped")))
    second = incident("b", services=("api",), date=day, action_items=(item("closed one", "done"),))
    stats = service_group_stats([first, second])
    texts = [f.item.text for f in stats.open_follow_ups]
    assert sorted(texts) == ["add alert", "unknown state"]
    assert all(f.incident.id == "a" for f in stats.open_follow_ups)


def test_top_tags_count_and_order() -> None:
    day = dt.date(2024, 2, 1)
    stats = service_group_stats([
        incident("a", services=("api",), date=day, tags=("db", "network")),
        incident("b", services=("api",), date=day, tags=("db",)),
        incident("c", services=("api",), date=day, tags=("db", "deploy")),
        incident("d", services=("api",), date=day, tags=("deploy",)),
        incident("other", services=("web",), date=day, tags=("network", "network2")),
    ])
    assert stats.top_tags[0] == ("db", 3)
    assert stats.top_tags[1] == ("deploy", 2)
    assert dict(stats.top_tags) == {"db": 3, "deploy": 2, "network": 1}  # the other service's tags stay out


def test_service_stats_keeps_registry_info_and_group() -> None:
    info = ServiceInfo(id="api", name="api", owner="Platform", description="The public API")
    stats = service_group_stats([incident("a", services=("api",))], info=info)
    assert stats.info is info
    assert [i.id for i in stats.group.incidents] == ["a"]


# --- archive_stats ------------------------------------------------------------------------------


def test_per_month_includes_empty_months_across_a_year_end() -> None:
    archive = collect([
        incident("a", date=dt.date(2023, 11, 20)),
        incident("b", date=dt.date(2024, 2, 3)),
        incident("c", date=dt.date(2024, 2, 28)),
        incident("undated"),
    ])
    stats = archive_stats(archive, LEVELS)
    assert stats.per_month == (("2023-11", 1), ("2023-12", 0), ("2024-01", 0), ("2024-02", 2))


def test_per_month_empty_archive() -> None:
    stats = archive_stats(collect([]), LEVELS)
    assert stats.per_month == ()
    assert stats.time_to_resolve == Spread(0, None, None)
    assert stats.quality.incidents == 0


def test_archive_breakdowns_and_durations() -> None:
    day = dt.date(2024, 3, 1)
    archive = collect([
        incident("a", date=day, severity="sev2", services=("web", "api"), tags=("db",),
                 started_at=at(day, 0), detected_at=at(day, 10), resolved_at=at(day, 40)),
        incident("b", date=day, severity="sev1", services=("api",), tags=("db", "dns"),
                 started_at=at(day, 0), resolved_at=at(day, 100)),
        incident("c", date=day, severity="sev2", services=("api",)),
    ])
    stats = archive_stats(archive, LEVELS)
    assert stats.by_severity == (("sev1", 1), ("sev2", 2))
    assert stats.by_service == (("api", 3), ("web", 1))  # largest first
    assert stats.by_tag == (("db", 2), ("dns", 1))
    assert sorted(stats.durations) == [40, 100]
    assert stats.detect_times == (10,)
    assert stats.time_to_resolve == Spread(2, 40, 100, LeftOut(not_given=1))
    assert stats.time_to_detect == Spread(1, 10, 10, LeftOut(not_given=2))


def test_quality_counts() -> None:
    day = dt.date(2024, 3, 1)
    placeholder = diag.warning("placeholder", "template text left in place", "content/b.md", 4)
    other_warning = diag.warning("no-date", "no date found", "content/c.md", 1)
    archive = collect([
        incident(
            "a", date=day, severity="sev1", started_at=at(day, 0), resolved_at=at(day, 30),
            timeline=(TimelineEvent(None, "clock only", 5, dt.time(8, 0, tzinfo=UTC)),),
            sections=(Section("root_cause", "Root cause", 3, "A bad deploy.", "<p>A bad deploy.</p>"),
                      Section("other", "Appendix", 9, "x", "<p>x</p>"),
                      Section("other", "Appendix", 12, "y", "<p>y</p>")),
            action_items=(item("one", "open", owner="ana"), item("two", "done")),
        ),
        incident(
            "b", date=day, started_at=at(day, 0), diagnostics=(placeholder,),
            timeline=(TimelineEvent(None, "no time at all", 5),),
            sections=(Section("root_cause", "Root cause", 3, "TBD", "", filled=False),
                      Section("other", "Appendix", 9, "x", "<p>x</p>"),
                      Section("other", "Glossary", 12, "y", "<p>y</p>")),
            action_items=(item("three", None, owner="bo"),),
        ),
        incident("c", diagnostics=(other_warning,),
                 sections=(Section("other", "", 1, "preamble", "<p>preamble</p>"),)),
    ])
    q = archive_stats(archive, LEVELS).quality
    assert q.incidents == 3
    assert q.with_date == 2
    assert q.with_severity == 1
    assert q.with_times == 1  # b has a start but no resolution
    assert q.with_timeline == 1  # an event with no time does not count
    assert q.with_root_cause == 1  # an unfilled root cause does not count
    assert q.with_action_items == 2
    assert q.action_items == 3
    assert q.action_items_with_owner == 2
    assert q.with_placeholders == 1
    # Each document counts once per heading; headings without text are not "unrecognised".
    assert q.unrecognised_headings == (("Appendix", 2), ("Glossary", 1))


def test_archive_follow_ups_list_every_item_with_its_incident() -> None:
    archive = collect([
        incident("a", date=dt.date(2024, 1, 2), action_items=(item("one", "open"), item("two", "done"))),
        incident("b", date=dt.date(2024, 1, 1), action_items=(item("three", None),)),
    ])
    follow = archive_stats(archive, LEVELS).follow_ups
    assert [(f.incident.id, f.item.text) for f in follow] == [("a", "one"), ("a", "two"), ("b", "three")]


def test_a_service_s_open_follow_ups_are_the_archive_s_own() -> None:
    """One follow-up per action item, whichever page shows it: pages sharing it are printed once (incremental)."""
    incidents = [
        incident("a", date=dt.date(2024, 1, 2), services=("api",), action_items=(item("one", "open"), item("two", "done"))),
        incident("b", date=dt.date(2024, 1, 1), services=("api", "db"), action_items=(item("three", None),)),
    ]
    collected = collect_site(incidents, SiteConfig(root=Path(".")))
    every = {id(f) for f in collected.stats.follow_ups}
    api, db = collected.services["api"].open_follow_ups, collected.services["db"].open_follow_ups
    assert [(f.incident.id, f.item.text) for f in api] == [("a", "one"), ("b", "three")]
    assert [(f.incident.id, f.item.text) for f in db] == [("b", "three")]
    assert all(id(f) in every for f in (*api, *db))
    assert service_stats(collected.archive.by_service["api"], LEVELS).open_follow_ups == api  # made afresh: equal


# --- incidents left out of the figures ----------------------------------------------------------


def read_four() -> list[Incident]:
    """A month-long timeline (end withheld), an end before the timeline (start withheld), times worked out, no times."""
    return [normalised(MONTH_LONG, "2024-03-05-billing.md"), normalised(END_BEFORE_START, "2024-03-06-queue.md"),
            normalised(DERIVED_TIMES, "2024-03-07-checkout.md"), normalised(NO_TIMES, "2024-03-08-search.md")]


def test_withheld_times_are_left_out_of_the_archive_figures_and_counted_apart() -> None:
    stats = archive_stats(collect(read_four()), LEVELS)
    assert stats.durations == (42,)
    assert stats.time_to_resolve == Spread(1, 42, 42, LeftOut(not_given=1, implausible=2))
    assert sorted(stats.detect_times) == [12, 14420]  # the month-long one was detected; only its end is left out
    assert stats.time_to_detect.left_out == LeftOut(not_given=1, implausible=1)
    assert stats.quality.with_withheld_times == 2


def test_withheld_times_are_left_out_of_a_services_figures_and_counted_apart() -> None:
    stats = service_group_stats(read_four(), "billing")
    assert stats.time_to_resolve == Spread(1, 42, 42, LeftOut(not_given=1, implausible=2))
    assert stats.time_to_detect.left_out == LeftOut(not_given=1, implausible=1)


def test_stated_times_that_contradict_each_other_count_as_implausible() -> None:
    day = dt.date(2024, 2, 1)
    backwards = incident("b", services=("api",), date=day, started_at=at(day, 60), resolved_at=at(day, 0),
                         origins=(Origin("started_at", "front-matter", 3), Origin("resolved_at", "front-matter", 4)))
    stats = service_group_stats([backwards])
    assert stats.time_to_resolve == Spread(0, None, None, LeftOut(implausible=1))


@pytest.mark.parametrize(("left_out", "note"), [
    (LeftOut(), ""),
    (LeftOut(not_given=1), "1 left out: it gives no times"),
    (LeftOut(not_given=2), "2 left out: they give no times"),
    (LeftOut(implausible=1), "1 left out: it had implausible times"),
    (LeftOut(implausible=3), "3 left out: they had implausible times"),
    (LeftOut(not_given=2, implausible=1), "3 left out: 2 give no times, 1 had implausible times"),
    (LeftOut(not_given=1, implausible=2), "3 left out: 1 gives no times, 2 had implausible times"),
])
def test_the_left_out_note(left_out: LeftOut, note: str) -> None:
    assert left_out.note == note


@pytest.mark.parametrize(("text", "link", "reference", "address"), [
    ("Add an alert (OPS-12)", "OPS-12", "", False),  # the text says it: not again
    ("Add an alert", "OPS-12", "OPS-12", False),  # from a Ticket column
    ("Add an alert", "https://tickets.example/12", "https://tickets.example/12", True),
    ("See https://tickets.example/12", "https://tickets.example/12", "", False),
    ("Add an alert", "javascript:alert(1)", "javascript:alert(1)", False),  # a name to show, never an address
    ("Add an alert", None, "", False),
])
def test_a_follow_up_names_its_ticket_once(text: str, link: str | None, reference: str, address: bool) -> None:
    follow_up = FollowUp(ActionItem(text, None, "open", link, 3), incident("i1"))
    assert (follow_up.reference, follow_up.address) == (reference, address)
