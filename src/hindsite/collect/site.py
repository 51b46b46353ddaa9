"""Stage 3 — collect: incidents → `Collected`, the archive with everything its pages show of it.

The archive's indexes (archive.py), each incident's related incidents
(related.py), the figures of the stats page and of each service (stats.py) and
the reliability reports (reports.py) are all worked out here, once, before any
page is rendered: render only looks them up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..core.config import SiteConfig
from ..core.model import Incident
from .archive import Archive, collect
from .related import related_incidents
from .reports import YearReports, archive_reports, undated
from .stats import ArchiveStats, ServiceStats, archive_stats, by_incident, service_stats


@dataclass(frozen=True, slots=True)
class Collected:
    """The archive and what its pages show of it, beyond each incident itself."""

    archive: Archive
    related: Mapping[str, tuple[Incident, ...]]  # incident id → its related incidents, most related first
    stats: ArchiveStats  # the stats and follow-ups pages
    services: Mapping[str, ServiceStats]  # service slug → its figures, in the order of `archive.by_service`
    reports: tuple[YearReports, ...]  # every year with incidents, latest first, with its quarters
    undated: int  # incidents with no date, which are in no report


Related = Callable[[Archive], Mapping[str, tuple[Incident, ...]]]


def collect_site(incidents: Iterable[Incident], config: SiteConfig, related: Related = related_incidents) -> Collected:
    """Index `incidents` into an archive (unique ids, newest first) and work out everything its pages show;
    `related` chooses each incident's related incidents (a cached build brings its last choice up to date)."""
    archive = collect(incidents)
    levels = config.severity.levels
    stats = archive_stats(archive, levels)
    made = by_incident(stats.follow_ups)  # a service's follow-ups are the archive's, not made again
    return Collected(
        archive=archive,
        related=related(archive),
        stats=stats,
        services={slug: service_stats(group, levels, config.services.info(group.name), made)
                  for slug, group in archive.by_service.items()},
        reports=archive_reports(archive, levels),
        undated=undated(archive),
    )
