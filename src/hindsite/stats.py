"""Numbers about the archive: per service, per month, distributions and medians.

Computed once after collection, in plain passes over the incidents; the
templates only show them. Percentiles use the nearest-rank method so every
figure is a real incident's value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .archive import Archive, Group, Quality, quality
from .config import ServiceInfo
from .model import ActionItem, Incident


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile of some minutes, and how many values they come from."""

    count: int
    median: int | None
    p90: int | None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An action item with the incident it belongs to."""

    item: ActionItem
    incident: Incident


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


def spread(values: Iterable[int]) -> Spread:
    ordered = sorted(values)
    return Spread(len(ordered), percentile(ordered, 50), percentile(ordered, 90))


def percentile(ordered: Sequence[int], share: float) -> int | None:
    """Nearest-rank percentile of already sorted values; None for none."""
    if not ordered:
        return None
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def follow_ups(incidents: Iterable[Incident]) -> tuple[FollowUp, ...]:
    return tuple(FollowUp(item, incident) for incident in incidents for item in incident.action_items)


def service_stats(group: Group, levels: Sequence[str], info: ServiceInfo | None = None) -> ServiceStats:
    incidents = group.incidents
    severities = Counter(i.severity for i in incidents if i.severity)
    tags = Counter(tag for i in incidents for tag in i.tags)
    dates = [i.date for i in incidents if i.date]
    return ServiceStats(
        group=group,
        info=info,
        by_severity=tuple((level, severities[level]) for level in levels if severities[level]),
        by_quarter=_quarters(dates),
        time_to_resolve=spread(_resolve_minutes(incidents)),
        time_to_detect=spread(i.time_to_detect_minutes for i in incidents if i.time_to_detect_minutes is not None),
        open_follow_ups=tuple(f for f in follow_ups(incidents) if f.item.status != "done"),
        top_tags=tuple(tags.most_common(8)),
        first=min(dates, default=None),
        last=max(dates, default=None),
    )


def archive_stats(archive: Archive, levels: Sequence[str]) -> ArchiveStats:
    incidents = archive.incidents
    severities = Counter(i.severity for i in incidents if i.severity)
    durations = tuple(_resolve_minutes(incidents))
    detects = tuple(i.time_to_detect_minutes for i in incidents if i.time_to_detect_minutes is not None)
    return ArchiveStats(
        per_month=_months([i.date for i in incidents if i.date]),
        by_severity=tuple((level, severities[level]) for level in levels if severities[level]),
        by_service=_sizes(archive.by_service),
        by_tag=_sizes(archive.by_tag),
        durations=durations,
        detect_times=detects,
        time_to_resolve=spread(durations),
        time_to_detect=spread(detects),
        quality=quality(incidents),
        follow_ups=follow_ups(incidents),
    )


def _resolve_minutes(incidents: Iterable[Incident]) -> list[int]:
    return [i.duration_minutes for i in incidents if i.duration_minutes is not None]


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
