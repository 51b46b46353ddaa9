"""The incident model: what every postmortem becomes, whatever its source format.

Plain frozen dataclasses with no I/O and no knowledge of output paths; the
JSON projection lives in `render/export.py`, URLs in `render/urls.py`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Model = TypeVar("_Model", bound="DataclassInstance")


def _pickled_by_fields(cls: type[_Model]) -> type[_Model]:
    """Pickle a frozen slotted dataclass as its class and its field values in order, unpickled by its constructor.

    The build cache pickles tens of thousands of these; the state functions dataclasses gives a slotted class
    look every field up again (`dataclasses.fields`) for each object saved and each one loaded. Applied outside
    `@dataclass`, to the class that decorator made; the constructor only sets the fields.
    """
    values = operator.attrgetter(*(f.name for f in fields(cls)))

    def reduce(self: _Model) -> tuple[type[_Model], tuple[Any, ...]]:
        return cls, values(self)

    setattr(cls, "__reduce__", reduce)  # not `cls.__reduce__ = …`, which mypy refuses: it is a method
    return cls


#: The canonical section keys, in the order an incident's page shows them.
SECTION_KEYS: tuple[str, ...] = (
    "summary",
    "impact",
    "trigger",
    "fault",
    "detection",
    "response",
    "resolution",
    "timeline",
    "root_cause",
    "lessons",
    "action_items",
    "related",
    "other",
)

#: The heading an incident's page shows, and `hindsite migrate` writes, for each section key.
SECTION_LABELS: Mapping[str, str] = {
    "summary": "Summary",
    "impact": "Impact",
    "trigger": "Trigger",
    "fault": "Fault",
    "detection": "Detection",
    "response": "Response",
    "resolution": "Resolution",
    "timeline": "Timeline",
    "root_cause": "Root cause",
    "lessons": "Lessons learned",
    "action_items": "Action items",
    "related": "Related",
    "other": "Other",
}

#: The parts of a document that no heading opens: the text before its first heading, when it is not the summary
#: (a note, an image, "All times PDT", "Created by …"), shown first; and the remarks after its last section
#: ("In conclusion, …", thanks, an apology, a sign-off), shown last. Neither is in `SECTION_KEYS`: no heading names them.
PREAMBLE, CLOSING = "preamble", "closing"


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Section:
    """A part of the report under one heading, with the sub-sections the author wrote under it.

    `text` is the Markdown source of the section's own body as written, up to its first sub-section,
    less template notes (`!!…!!`) and links into apps the reader cannot open
    (`@[Ana](mention://…)` → `@Ana`); `html` is that body rendered and sanitised. `line` is the 1-based line of
    the heading in the source file (or of the body when there is no heading). `children` are the
    sub-sections, in the author's order, each with its own heading and key; `text_with_children` is
    everything under the heading as written, sub-sections and their headings included ("" when there
    are none: it is `text`). `prompts` say what a template asked the author to write here (a draft's guidance).
    """

    key: str
    heading: str
    line: int
    text: str
    html: str
    filled: bool = True  # False when the section holds only template placeholders
    body_line: int = 0  # the file line `text` starts on (0 when unknown)
    children: tuple[Section, ...] = ()
    text_with_children: str = ""
    prompts: tuple[str, ...] = ()  # the template notes left in its own text, in order, without their `!!` marks

    @property
    def whole_text(self) -> str:
        """Everything under the heading as written, sub-sections included."""
        return self.text_with_children or self.text

    def walk(self) -> Iterator[Section]:
        """This section, then its sub-sections at every depth, in the author's order."""
        yield self
        for child in self.children:
            yield from child.walk()


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One moment of the incident.

    `at` is the full instant when the document gives both a day and a clock time
    for it; `time` is the clock time (with its offset) whenever one is written,
    so an event in a document that states no date still keeps its time; `day` is
    the day alone, for an event written with a date and no time ("2021-08-17:
    bug introduced"), which is never made a midnight. All None: no time given.
    """

    at: dt.datetime | None
    text: str
    line: int
    time: dt.time | None = None
    day: dt.date | None = None


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class ActionItem:
    """A follow-up task, with what its line or row states; None where the source does not say.

    `status` is "open", "done", or "dropped" (closed without being done: "won't do",
    "cancelled"); `link` an address or a
    ticket ("OPS-12", "#123"); `due` the date it is due by, as written ("2024-05-01",
    "May 1"); `group` what it is listed under: a label above it ("Short term") or the
    item it is a sub-task of.
    """

    text: str
    owner: str | None
    status: str | None
    link: str | None
    line: int
    due: str | None = None
    group: str | None = None

    @property
    def closed(self) -> bool:
        """Done, or dropped: no longer work to do. An item whose status is not stated is not closed."""
        return self.status in CLOSED_STATUSES


#: The statuses of an action item that is no longer work to do.
CLOSED_STATUSES = frozenset({"done", "dropped"})


#: How a fact was obtained: written in the document, worked out from other facts, or left out.
STATED, DERIVED, WITHHELD = "stated", "derived", "withheld"


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a fact came from.

    `how` is the place: "front-matter", "table", "line", "bullet", "heading", "title",
    "file-name", "prose", "timeline". `kind` says whether the document states the value,
    hindsite derived it (from the timeline, or a start and a length), or withheld it
    because it failed a plausibility check (the value is then None in the incident).
    `evidence` names what else the reading used, each with its line: the zone statement
    and the date context that applied, the fact a withheld one contradicts.
    """

    field: str
    how: str
    line: int | None
    kind: str = STATED
    evidence: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """Why a withheld fact was left out ("" for any other): withholding adds it to the evidence, last."""
        return self.evidence[-1] if self.kind == WITHHELD and self.evidence else ""

    @property
    def basis(self) -> tuple[str, ...]:
        """What the reading used: the evidence, less a withheld fact's reason."""
        return self.evidence[:-1] if self.reason else self.evidence


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Incident:
    """One normalised postmortem.

    `id` is a URL-safe slug, unique within an archive once collected.
    Times are timezone-aware; `date` is the day the incident happened.
    """

    id: str
    source: str
    content_path: str  # posix path relative to the content folder, for links and assets
    title: str
    date: dt.date | None
    severity: str | None
    services: tuple[str, ...]  # the first `max_services_per_document` the document names: the indexed ones
    tags: tuple[str, ...]  # the same, for tags
    responders: tuple[str, ...]
    status: str | None
    started_at: dt.datetime | None
    detected_at: dt.datetime | None
    resolved_at: dt.datetime | None
    duration_minutes: int | None
    summary: str
    sections: tuple[Section, ...]  # the top-level parts in the author's order; sub-sections are in their `children`
    timeline: tuple[TimelineEvent, ...]
    action_items: tuple[ActionItem, ...]
    diagnostics: tuple[Diagnostic, ...]
    origins: tuple[Origin, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # front-matter fields the model has no place for
    title_as_written: str = ""  # the heading or front-matter title before cleaning, when it differs
    # Services and tags named beyond the site's limits: shown on the incident's page as text, in no index.
    unindexed_services: tuple[str, ...] = ()
    unindexed_tags: tuple[str, ...] = ()

    def every_section(self) -> tuple[Section, ...]:
        """Every section at every depth, each before its sub-sections, in the author's order."""
        return tuple(section for top in self.sections for section in top.walk())

    def title_heading_line(self) -> int | None:
        """The line of the heading the title was read from, when the title came from a heading; it is among
        the sections only when it was left in the body (the incident's own, under a generic "# Postmortem")."""
        return next((o.line for o in self.origins if o.field == "title" and o.how == "heading"), None)

    def sections_for(self, key: str) -> tuple[Section, ...]:
        """The sections of one key, wherever they sit: a sub-section counts by its own key."""
        return tuple(s for s in self.every_section() if s.key == key)

    @property
    def time_to_detect_minutes(self) -> int | None:
        return minutes_between(self.started_at, self.detected_at)

    @property
    def time_to_resolve_minutes(self) -> int | None:
        return minutes_between(self.started_at, self.resolved_at)


#: Where a part stands on an incident's page and in its canonical document: the preamble first, the closing last.
_PLACES: Mapping[str, int] = {key: n for n, key in enumerate((PREAMBLE, *SECTION_KEYS, CLOSING))}


def in_page_order(sections: Sequence[Section], title_line: int | None = None) -> list[Section]:
    """Top-level sections in the order an incident's page shows them; each keeps its sub-sections in the author's order.

    The preamble comes first and the closing last; between them, sections in
    canonical order (`SECTION_KEYS`), in the author's order within a key. A
    section hindsite does not recognise that holds recognised sub-sections
    ("Incident details" with a summary and a timeline under it) stands where the
    first of them would, so an author's wrapper does not send its parts to the end.
    The heading the title was read from (`title_line`), left in the body with the
    lines under it ("# Postmortem", then "# Thumbnails broken" and its Date line),
    stands where the author wrote it, after the preamble, with the unrecognised
    sections before it: the top of the document, not its end.
    """
    masthead = _masthead(sections, title_line)
    return sorted(sections, key=lambda s: (0 if s.key == PREAMBLE else 1 if s.line in masthead else 2, _place(s)))


def _masthead(sections: Sequence[Section], title_line: int | None) -> set[int]:
    """The lines of the unrecognised sections up to the one whose heading the title was read from."""
    lines = [section.line for section in sections]
    if title_line is None or title_line not in lines:
        return set()
    return {s.line for s in sections[: lines.index(title_line) + 1] if s.key == "other"}


def _place(section: Section) -> int:
    if section.key != "other":
        return _PLACES.get(section.key, _PLACES["other"])
    held = [_PLACES[s.key] for s in section.walk() if s.key in SECTION_LABELS and s.key != "other"]
    return min(held, default=_PLACES["other"])


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    """Whole minutes from start to end, or None when either is unknown or end is earlier."""
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 60)


#: Front-matter keys the model reads, and the spellings other tools use for them.
FIELD_NAMES: Mapping[str, str] = {
    **{name: name for name in (
        "title", "date", "severity", "services", "tags", "responders", "status",
        "started_at", "detected_at", "resolved_at", "summary",
    )},
    "service": "services",
    "affected_services": "services",
    "product": "services",
    "tag": "tags",
    "keywords": "tags",
    "categories": "tags",
    "responder": "responders",
    "owners": "responders",
    "start_time": "started_at",
    "start": "started_at",
    "started": "started_at",
    "detected": "detected_at",
    "detected_time": "detected_at",
    "end_time": "resolved_at",
    "end": "resolved_at",
    "resolved": "resolved_at",
    "resolvedwhen": "resolved_at",
    "resolved_when": "resolved_at",
    "description": "summary",
    "duration": "duration_minutes",
    "duration_minutes": "duration_minutes",
    "timezone": "timezone",
    "time_zone": "timezone",
    "tz": "timezone",
}
