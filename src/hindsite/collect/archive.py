"""Stage 3 — collect: incidents → an `Archive` with every index the site needs.

Indexes are built in one pass here so templates only look things up.
Ids are made unique here too, since only the whole archive can tell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..core import diagnostics as diag
from ..core.model import WITHHELD, Incident
from ..core.slugs import RESERVED_GROUP_SLUGS, group_slug, slugify


@dataclass(frozen=True, slots=True)
class Group:
    """Incidents that share a tag, a service, a severity or a year; newest first."""

    slug: str
    name: str
    incidents: tuple[Incident, ...]


@dataclass(frozen=True, slots=True)
class Archive:
    incidents: tuple[Incident, ...]  # newest first
    by_tag: Mapping[str, Group]
    by_service: Mapping[str, Group]
    by_severity: Mapping[str, Group]
    by_year: Mapping[str, Group]

    def get(self, incident_id: str) -> Incident | None:
        return next((i for i in self.incidents if i.id == incident_id), None)

    def around(self, n: int) -> tuple[Incident | None, Incident | None]:
        """The incidents just older and just newer than the `n`th (None at either end): a report's neighbours."""
        older = self.incidents[n + 1] if n + 1 < len(self.incidents) else None
        return older, self.incidents[n - 1] if n > 0 else None


def collect(incidents: Iterable[Incident]) -> Archive:
    """Give every incident a unique id, sort newest first and index them."""
    unique = _unique_ids(sorted(incidents, key=lambda i: i.source))
    unique = _report_name_clashes(unique, "tag", lambda i: i.tags)
    unique = _report_name_clashes(unique, "service", lambda i: i.services)
    ordered = tuple(sorted(unique, key=age_key, reverse=True))
    return Archive(
        incidents=ordered,
        by_tag=_group(ordered, lambda i: i.tags),
        by_service=_group(ordered, lambda i: i.services),
        by_severity=_group(ordered, lambda i: (i.severity,) if i.severity else ()),
        by_year=_group(ordered, lambda i: (str(i.date.year),) if i.date else ()),
    )


#: An incident's place in the archive, compared as a whole: the archive is in descending order of it.
Age = tuple[bool, dt.date, float, str]


def age_key(incident: Incident) -> Age:
    """Sort key, used reversed: dated before undated, then latest day and start first; ids are unique, so no two tie."""
    started = incident.started_at.timestamp() if incident.started_at else 0.0
    return (incident.date is not None, incident.date or dt.date.min, started, incident.id)


def _unique_ids(incidents: Sequence[Incident]) -> list[Incident]:
    """Suffix `-2`, `-3`… to repeated ids, in order of source path, and report every file that shares one.

    Sharing an id is an error: both documents are published, but one under a
    name its author did not choose, and which one depends on file names alone.
    """
    sharing: dict[str, list[str]] = {}
    for incident in incidents:
        sharing.setdefault(incident.id, []).append(incident.source)
    taken = set(sharing)
    result = []
    for incident in incidents:
        sources = sharing[incident.id]
        if sources[0] == incident.source:
            result.append(incident)
            continue
        n = 2
        while f"{incident.id}-{n}" in taken:
            n += 1
        new_id = f"{incident.id}-{n}"
        taken.add(new_id)
        problem = diag.error(
            "duplicate-id",
            f"{len(sources)} documents give the id {incident.id!r} ({', '.join(sources)}); this one is published as "
            f"{new_id!r} — rename the files so each has its own name (ids ignore case, accents and punctuation)",
            incident.source,
            None,
        )
        result.append(replace(incident, id=new_id, diagnostics=(*incident.diagnostics, problem)))
    return result


def _report_name_clashes(
    incidents: Sequence[Incident], kind: str, names_of: Callable[[Incident], Iterable[str]]
) -> list[Incident]:
    """An error on each document whose tag (or service) would share a page with a differently written one.

    `DB` and `db` are one tag; `a b` and `a-b` are two that would land on one
    page, and `index` would replace the list of all tags. The pages are still
    written (the names are merged, or moved aside), but the author should choose.
    """
    spellings: dict[str, dict[str, list[str]]] = {}  # slug → spelling → sources
    for incident in incidents:
        for name in names_of(incident):
            by_spelling = spellings.setdefault(slugify(name), {})
            by_spelling.setdefault(" ".join(name.casefold().split()), []).append(incident.source)
    problems: dict[str, list[diag.Diagnostic]] = {}
    for slug, by_spelling in sorted(spellings.items()):
        if len(by_spelling) > 1:
            named = "; ".join(f"{spelling!r} in {', '.join(sorted(set(sources)))}" for spelling, sources in sorted(by_spelling.items()))
            message = f"{kind}s written differently share the page {slug!r}: {named} — write the {kind} the same way everywhere"
        elif slug in RESERVED_GROUP_SLUGS:
            message = (f"the {kind} {slug!r} would take the place of the list of all {kind}s, so its page is "
                       f"{group_slug(slug)!r} — rename the {kind}")
        else:
            continue
        for source in sorted({s for sources in by_spelling.values() for s in sources}):
            problems.setdefault(source, []).append(diag.error(f"{kind}-collision", message, source))
    return [
        replace(i, diagnostics=(*i.diagnostics, *problems[i.source])) if i.source in problems else i
        for i in incidents
    ]


def _group(incidents: Sequence[Incident], names_of: Callable[[Incident], Iterable[str]]) -> dict[str, Group]:
    members: dict[str, list[Incident]] = {}
    display: dict[str, str] = {}
    for incident in incidents:
        for name in names_of(incident):
            slug = group_slug(name)
            display.setdefault(slug, name)
            bucket = members.setdefault(slug, [])
            if not bucket or bucket[-1] is not incident:
                bucket.append(incident)
    return {slug: Group(slug, display[slug], tuple(found)) for slug, found in sorted(members.items())}


@dataclass(frozen=True, slots=True)
class Quality:
    """How completely an archive's documents were read: counts of incidents with each thing."""

    incidents: int
    with_date: int
    with_severity: int
    with_times: int  # a start and a resolution time
    with_withheld_times: int  # a time worked out but left out as implausible
    with_timeline: int  # at least one timed event
    with_root_cause: int
    with_action_items: int
    action_items: int
    action_items_with_owner: int
    with_placeholders: int
    unrecognised_headings: tuple[tuple[str, int], ...]  # heading → documents, most frequent first


def quality(incidents: Sequence[Incident]) -> Quality:
    """Data-quality counts, in one pass."""
    headings: dict[str, int] = {}
    for incident in incidents:
        for heading in {s.heading.strip() for s in incident.every_section() if s.key == "other" and s.heading.strip()}:
            headings[heading] = headings.get(heading, 0) + 1
    items = [a for i in incidents for a in i.action_items]
    return Quality(
        incidents=len(incidents),
        with_date=sum(i.date is not None for i in incidents),
        with_severity=sum(i.severity is not None for i in incidents),
        with_times=sum(i.started_at is not None and i.resolved_at is not None for i in incidents),
        with_withheld_times=sum(any(o.kind == WITHHELD for o in i.origins) for i in incidents),
        with_timeline=sum(any(e.at or e.time for e in i.timeline) for i in incidents),
        with_root_cause=sum(any(s.key == "root_cause" and s.filled for s in i.every_section()) for i in incidents),
        with_action_items=sum(bool(i.action_items) for i in incidents),
        action_items=len(items),
        action_items_with_owner=sum(a.owner is not None for a in items),
        with_placeholders=sum(any(d.code == "placeholder" for d in i.diagnostics) for i in incidents),
        unrecognised_headings=tuple(sorted(headings.items(), key=lambda kv: (-kv[1], kv[0].casefold()))),
    )
