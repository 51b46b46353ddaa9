"""A person-readable account of how one document was read (`hindsite inspect`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from ..core.formats import format_day, format_duration, format_instant
from ..core.model import CLOSING, PREAMBLE, WITHHELD, Incident, Origin, Section

_FIELDS = ("title", "date", "severity", "services", "tags", "responders", "status",
           "started_at", "detected_at", "resolved_at", "duration_minutes", "summary")
#: Fields that say when: each shows whether it was stated, derived or withheld, and what its reading used.
_TIMES = frozenset({"date", "started_at", "detected_at", "resolved_at", "duration_minutes"})
_EVIDENCE = " " * 20 + "· "  # under the value column


def describe(incident: Incident) -> Iterator[str]:
    origins = {o.field: o for o in incident.origins}
    yield f"{incident.source}  →  incidents/{incident.id}.html"
    yield ""
    yield "Fields (value — where it was read; for times, whether stated, derived or withheld, and from what):"
    for field in _FIELDS:
        if field in _TIMES:
            yield from _time_field(field, _shown(incident, field), origins.get(field))
            continue
        value = _shown(incident, field)
        origin = origins.get(field)
        where = _where(origin)
        if field == "title" and incident.title_as_written:
            where = f"{where}; written as {incident.title_as_written!r}".lstrip("; ")
        if field == "summary" and value and not origin:
            where = "first paragraph of the summary section"
        yield f"  {field:17} {value or '—'}" + (f"   ({where})" if value and where else "")
    for name, value in incident.extra:
        yield f"  {name:17} {value}   (front-matter, not a model field)"
    yield ""
    yield "Sections (line, canonical key, heading as written; sub-sections indented under their section):"
    yield from _section_lines(incident.sections, 0)
    yield ""
    yield f"Timeline ({len(incident.timeline)} events):"
    for event in incident.timeline:
        yield f"  {event.line:>5}  {_when(event.at, event.time, event.day):24} {_short(event.text)}"
    yield ""
    yield f"Action items ({len(incident.action_items)}):"
    for item in incident.action_items:
        fields = (("owner", item.owner), ("status", item.status), ("link", item.link), ("due", item.due), ("group", item.group))
        details = ", ".join(f"{k}: {v}" for k, v in fields if v)
        yield f"  {item.line:>5}  {_short(item.text)}" + (f"   ({details})" if details else "")
    yield ""
    yield f"Diagnostics ({len(incident.diagnostics)}):"
    for problem in incident.diagnostics:
        yield f"  {problem.format()}"


def _time_field(field: str, value: str, origin: Origin | None) -> Iterator[str]:
    """A time fact, its place and kind, then one line for each thing its reading used and, when withheld, why."""
    withheld = origin is not None and origin.kind == WITHHELD
    if not value and not withheld:
        yield f"  {field:17} —"
        return
    how = f"   ({_where(origin)}; {origin.kind})" if origin else ""
    yield f"  {field:17} {'left out' if withheld else value}{how}"
    if origin is not None:
        yield from (_EVIDENCE + used for used in origin.basis)
        if origin.reason:
            yield f"{_EVIDENCE}left out: {origin.reason}"


def _where(origin: Origin | None) -> str:
    if origin is None:
        return ""
    return f"{origin.how}, line {origin.line}" if origin.line else origin.how


def _when(at: dt.datetime | None, time: dt.time | None, day: dt.date | None) -> str:
    """An event's moment: the instant, else the clock time, else the day alone."""
    if at is not None:
        return format_instant(at)
    if time is not None:
        return time.isoformat("minutes")
    return format_day(day) if day is not None else "no time"


_UNHEADED = {PREAMBLE: "(text before the first heading)", CLOSING: "(closing remarks after the last section)"}


def _section_lines(sections: Sequence[Section], depth: int) -> Iterator[str]:
    for section in sections:
        note = "" if section.filled else "   [not filled in]"
        heading = section.heading or _UNHEADED.get(section.key, "(text before the first heading)")
        yield f"  {section.line:>5}  {'  ' * depth}{section.key:13} {heading}{note}"
        yield from _section_lines(section.children, depth + 1)


def _shown(incident: Incident, field: str) -> str:
    value = getattr(incident, field)
    if isinstance(value, tuple):
        return ", ".join(value)
    if field == "duration_minutes":
        return format_duration(value)
    if field.endswith("_at"):
        return format_instant(value)
    return "" if value is None else str(value)


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
