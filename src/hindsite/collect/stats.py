"""Numbers about the archive: per service, per month, distributions and medians.

Computed once after collection, in plain passes over the incidents; the
templates only show them. Percentiles use the nearest-rank method so every
figure is a real incident's value. A figure says how many incidents it left
out, and why: they give no times for it, or their times were withheld as
implausible.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..core.config import ServiceInfo
from ..core.model import WITHHELD, ActionItem, Incident
from .archive import Archive, Group, Quality, quality


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Incidents a figure leaves out: those that give no times for it, and those whose times were withheld as
    implausible (or, all stated, contradict each other)."""

    not_given: int = 0
    implausible: int = 0

    @property
    def total(self) -> int:
        return self.not_given + self.implausible

    @property
    def note(self) -> str:
        """"3 left out: 2 give no times, 1 had implausible times"; "" when none was."""
        if not self.total:
            return ""
        if not self.implausible:
            return f"{self.total} left out: {'it gives' if self.total == 1 else 'they give'} no times"
        if not self.not_given:
            return f"{self.total} left out: {'it' if self.total == 1 else 'they'} had implausible times"
        return (f"{self.total} left out: {self.not_given} give{'s' if self.not_given == 1 else ''} no times, "
                f"{self.implausible} had implausible times")


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile of some minutes, how many values they come from, and the incidents left out."""

    count: int
    median: int | None
    p90: int | None
    left_out: LeftOut = LeftOut()


@dataclass(frozen=True, slots=True)
class Measure:
    """A figure in minutes, per incident, and the time facts it is worked out from."""

    minutes: str  # the incident's attribute that holds it
    ends: tuple[str, str]  # the instants it is measured between
    facts: tuple[str, ...]  # every fact it may come from: one of them withheld makes the incident's times implausible


#: Time to resolve is the incident's duration, stated or measured from the start to the end.
TIME_TO_RESOLVE = Measure("duration_minutes", ("started_at", "resolved_at"), ("started_at", "resolved_at", "duration_minutes"))
TIME_TO_DETECT = Measure("time_to_detect_minutes", ("started_at", "detected_at"), ("started_at", "detected_at"))


def measured(incidents: Iterable[Incident], measure: Measure) -> tuple[list[int], LeftOut]:
    """The `measure` of each incident that has one, and the incidents left out, by why."""
    values: list[int] = []
    not_given = implausible = 0
    for incident in incidents:
        minutes: int | None = getattr(incident, measure.minutes)
        if minutes is not None:
            values.append(minutes)
        elif _implausible(incident, measure):
            implausible += 1
        else:
            not_given += 1
    return values, LeftOut(not_given, implausible)


def _implausible(incident: Incident, measure: Measure) -> bool:
    """Times withheld as implausible, or given at both ends and still no figure (an end before the start)."""
    if all(getattr(incident, name) is not None for name in measure.ends):
        return True
    return any(o.kind == WITHHELD and o.field in measure.facts for o in incident.origins)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An action item with the incident it belongs to."""

    item: ActionItem
    incident: Incident

    @property
    def action(self) -> str:
        """What is to be done, as plain text."""
        from ..core.markup import inline_text  # markdown-it loads here: a build with nothing to do shows no item
        return inline_text(self.item.text)

    @property
    def reference(self) -> str:
        """The item's ticket or address, when its text does not already say it ("" otherwise): said once."""
        return self.said()[1]

    def said(self) -> tuple[str, str]:
        """`action` and `reference`, the item's plain text made once for both."""
        action, link = self.action, self.item.link or ""
        return action, "" if link in action else link

    @property
    def address(self) -> bool:
        """Whether `reference` is an address to follow (http or https), not a ticket's name."""
        return self.reference.startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class ServiceStats:
    group: Group
    info: ServiceInfo | None  # from the site's [services] registry
    by_severity: tuple[tuple[str, int], ...]  # level → count, scale order
    by_quarter: tuple[tuple[str, int], ...]  # "2024-Q1" → count, oldest first, empty quarters included
    time_to_resolve: Spread
    time_to_detect: Spread
    open_follow_ups: tuple[FollowUp, ...]
    top_tags: tuple[tuple[str, int], ...]  # most shared tags first
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    per_month: tuple[tuple[str, int], ...]  # "2024-03" → count, oldest first, empty months included
    by_severity: tuple[tuple[str, int], ...]
    by_service: tuple[tuple[str, int], ...]
    by_tag: tuple[tuple[str, int], ...]
    durations: tuple[int, ...]  # minutes, for a histogram
    detect_times: tuple[int, ...]
    time_to_resolve: Spread
    time_to_detect: Spread
    quality: Quality
    follow_ups: tuple[FollowUp, ...]


def spread(values: Iterable[int], left_out: LeftOut = LeftOut()) -> Spread:
    ordered = sorted(values)
    return Spread(len(ordered), percentile(ordered, 50), percentile(ordered, 90), left_out)


def spread_of(incidents: Iterable[Incident], measure: Measure) -> Spread:
    """The spread of `measure` over `incidents`, with those it leaves out counted."""
    return spread(*measured(incidents, measure))


def percentile(ordered: Sequence[int], share: float) -> int | None:
    """Nearest-rank percentile of already sorted values; None for none."""
    if not ordered:
        return None
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def follow_ups(incidents: Iterable[Incident]) -> tuple[FollowUp, ...]:
    return tuple(FollowUp(item, incident) for incident in incidents for item in incident.action_items)


def by_incident(made: Iterable[FollowUp]) -> dict[str, list[FollowUp]]:
    """Follow-ups by the id of their incident, in their order."""
    found: dict[str, list[FollowUp]] = {}
    for follow_up in made:
        found.setdefault(follow_up.incident.id, []).append(follow_up)
    return found


def service_stats(
    group: Group, levels: Sequence[str], info: ServiceInfo | None = None,
    made: Mapping[str, Sequence[FollowUp]] | None = None,
) -> ServiceStats:
    """What a service's first page shows of its incidents; `made` holds the archive's follow-ups by incident id
    (`by_incident`), which the service's are then, rather than new ones for the same items."""
    incidents = group.incidents
    items = [f for i in incidents for f in made.get(i.id, ())] if made is not None else follow_ups(incidents)
    severities = Counter(i.severity for i in incidents if i.severity)
    tags = Counter(tag for i in incidents for tag in i.tags)
    dates = [i.date for i in incidents if i.date]
    return ServiceStats(
        group=group,
        info=info,
        by_severity=tuple((level, severities[level]) for level in levels if severities[level]),
        by_quarter=_quarters(dates),
        time_to_resolve=spread_of(incidents, TIME_TO_RESOLVE),
        time_to_detect=spread_of(incidents, TIME_TO_DETECT),
        open_follow_ups=tuple(f for f in items if not f.item.closed),
        top_tags=tuple(tags.most_common(8)),
        first=min(dates, default=None),
        last=max(dates, default=None),
    )


def archive_stats(archive: Archive, levels: Sequence[str]) -> ArchiveStats:
    incidents = archive.incidents
    severities = Counter(i.severity for i in incidents if i.severity)
    durations, resolve_left_out = measured(incidents, TIME_TO_RESOLVE)
    detects, detect_left_out = measured(incidents, TIME_TO_DETECT)
    return ArchiveStats(
        per_month=_months([i.date for i in incidents if i.date]),
        by_severity=tuple((level, severities[level]) for level in levels if severities[level]),
        by_service=_sizes(archive.by_service),
        by_tag=_sizes(archive.by_tag),
        durations=tuple(durations),
        detect_times=tuple(detects),
        time_to_resolve=spread(durations, resolve_left_out),
        time_to_detect=spread(detects, detect_left_out),
        quality=quality(incidents),
        follow_ups=follow_ups(incidents),
    )


def _sizes(groups: Mapping[str, Group]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(((g.name, len(g.incidents)) for g in groups.values()), key=lambda kv: (-kv[1], kv[0].casefold())))


def _months(dates: Sequence[dt.date]) -> tuple[tuple[str, int], ...]:
    return _periods(dates, 12)


def _quarters(dates: Sequence[dt.date]) -> tuple[tuple[str, int], ...]:
    return _periods(dates, 4)


def _periods(dates: Sequence[dt.date], per_year: int) -> tuple[tuple[str, int], ...]:
    """Counts per month (12) or quarter (4), oldest first, with the empty periods between included."""
    def number(day: dt.date) -> int:
        return day.year * per_year + (day.month - 1) * per_year // 12

    def label(period: int) -> str:
        year, part = divmod(period, per_year)
        return f"{year:04d}-{part + 1:02d}" if per_year == 12 else f"{year}-Q{part + 1}"

    counts = Counter(number(day) for day in dates)
    if not counts:
        return ()
    return tuple((label(period), counts[period]) for period in range(min(counts), max(counts) + 1))
