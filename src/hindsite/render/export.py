"""The JSON projection of the incident model (`incidents.json`, `hindsite export`).

The shape is a contract documented in docs/model.md; change `SCHEMA_VERSION`
whenever a field changes meaning or disappears.
"""

from __future__ import annotations

import datetime as dt
import json
import mmap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..core.model import Incident, Origin, Section, TimelineEvent
from ..core.version import __version__
from .urls import incident_url

#: 4: an action item closed without being done has the status "dropped" (docs/model.md lists every version).
SCHEMA_VERSION = 4


def incident_record(incident: Incident) -> dict[str, Any]:
    """One incident as a JSON-ready dict."""
    return {
        "id": incident.id,
        "source": incident.source,
        "url": incident_url(incident),
        "title": incident.title,
        "title_as_written": incident.title_as_written or None,
        "date": _iso(incident.date),
        "severity": incident.severity,
        "services": [*incident.services, *incident.unindexed_services],
        "tags": [*incident.tags, *incident.unindexed_tags],
        "responders": list(incident.responders),
        "status": incident.status,
        "started_at": _iso(incident.started_at),
        "detected_at": _iso(incident.detected_at),
        "resolved_at": _iso(incident.resolved_at),
        "duration_minutes": incident.duration_minutes,
        "summary": incident.summary,
        "sections": _section_records(incident.sections),
        "timeline": [_event_record(e) for e in incident.timeline],
        "action_items": [
            {"text": a.text, "owner": a.owner, "status": a.status, "link": a.link, "due": a.due, "group": a.group,
             "line": a.line}
            for a in incident.action_items
        ],
        "origins": {o.field: _origin_record(o) for o in incident.origins},
        "extra": dict(incident.extra),
        "diagnostics": [d.to_record() for d in incident.diagnostics],
    }


def _event_record(event: TimelineEvent) -> dict[str, Any]:
    time = event.time.isoformat(timespec="minutes") if event.time else None
    return {"at": _iso(event.at), "time": time, "day": _iso(event.day), "text": event.text, "line": event.line}


def _origin_record(origin: Origin) -> dict[str, Any]:
    """Where a fact was read, whether it was stated, derived or withheld, what the reading used, and why it was withheld."""
    return {"from": origin.how, "line": origin.line, "kind": origin.kind, "evidence": list(origin.basis),
            "reason": origin.reason or None}


def _section_records(sections: Sequence[Section]) -> list[dict[str, Any]]:
    """Every section at every depth, each before its sub-sections, in the author's order.

    A flat list keeps every key where a reader looks for it; `parent` and
    `children` (indices into the same list) give the nesting back.
    """
    records: list[dict[str, Any]] = []

    def add(section: Section, parent: int | None) -> int:
        index = len(records)
        records.append({"key": section.key, "heading": section.heading, "line": section.line,
                        "text": section.whole_text, "html": section.html, "filled": section.filled,
                        "parent": parent, "children": []})
        records[index]["children"] = [add(child, index) for child in section.children]
        return index

    for section in sections:
        add(section, None)
    return records


def export_document(incidents: Iterable[Incident]) -> dict[str, Any]:
    """The whole export: a versioned envelope around the records."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"hindsite {__version__}",
        "incidents": [incident_record(i) for i in incidents],
    }


def dumps(incidents: Iterable[Incident], *, indent: int | None = None) -> str:
    """The export as JSON text; compact unless `indent` is given (compact JSON is several times faster to write)."""
    separators = None if indent else (",", ":")
    return json.dumps(export_document(incidents), ensure_ascii=False, indent=indent, separators=separators) + "\n"


def compact_pieces(incidents: Iterable[Incident]) -> Iterator[str]:
    """`dumps(incidents)`, the same text, one incident's record at a time: a large archive's export is never one string."""
    head = json.dumps({key: value for key, value in export_document(()).items() if key != "incidents"},
                      ensure_ascii=False, separators=(",", ":"))
    yield head[:-1] + ',"incidents":['
    for n, incident in enumerate(incidents):
        yield ("," if n else "") + compact_record(incident)
    yield "]}\n"


def compact_record(incident: Incident) -> str:
    """One incident's record as `compact_pieces` writes it. Its quotes are JSON's own (a quote inside a string is
    escaped), so these exact characters occur in the export once, where the record is: it can be found and
    replaced there without reading the rest (`hindsite.incremental.patch`)."""
    return json.dumps(incident_record(incident), ensure_ascii=False, separators=(",", ":"))


def patched_pieces(old: Path, incidents: Sequence[Incident], earlier: Mapping[int, Incident]) -> Iterator[str | bytes]:
    """`compact_pieces(incidents)`, made from the export `old` of a build whose incidents were these but at the
    positions of `earlier`, where they were those versions: their records replaced, the rest copied as bytes. Made
    afresh when `old` does not hold those records."""
    spans = record_spans(old, [(compact_record(then), compact_record(incidents[n])) for n, then in sorted(earlier.items())])
    if spans is None:
        yield from compact_pieces(incidents)
        return
    with old.open("rb") as stream:
        at = 0
        for start, end, now in spans:
            yield from _blocks(stream, start - at)
            yield now
            stream.seek(end)
            at = end
        yield from _blocks(stream, None)


def record_spans(old: Path, changes: Sequence[tuple[str, str]]) -> list[tuple[int, int, bytes]] | None:
    """Where each earlier record of `changes` (pairs of `compact_record`s: earlier, now) is in the export file `old`,
    with the bytes that take its place, in the file's order; None when the file does not hold one of them."""
    encoded = [(then.encode("utf-8"), now.encode("utf-8")) for then, now in changes]
    try:
        with old.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
            spans = [(start, start + len(then), now) for then, now in encoded
                     if (start := data.find(then)) > 0 and data[start - 1 : start] in (b"[", b",")]
    except (OSError, ValueError):
        return None
    return sorted(spans) if len(spans) == len(encoded) else None


def _blocks(stream: BinaryIO, count: int | None) -> Iterator[bytes]:
    """The next `count` bytes of `stream` (all that is left: None), a few megabytes at a time."""
    while count is None or count > 0:
        block = stream.read(1 << 22 if count is None else min(count, 1 << 22))
        if not block:
            return
        yield block
        if count is not None:
            count -= len(block)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()
