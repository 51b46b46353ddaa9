"""What an incident's page shows, derived from the incident: the projections its template receives.

Sections come in canonical order with unique anchors; the timeline carries
elapsed times from the start; the time facts say which were worked out and which
were left out, and why; relative links in the author's text point at the
published files and at other incidents' pages.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from html import unescape
from typing import Any, TypeVar

from ..core.formats import format_clock, format_day, format_duration, format_elapsed, format_instant
from ..core.markup import render_inline, url_rewriter
from ..core.model import (
    CLOSING,
    DERIVED,
    FIELD_NAMES,
    PREAMBLE,
    SECTION_LABELS,
    STATED,
    WITHHELD,
    ActionItem,
    Incident,
    Origin,
    Section,
    TimelineEvent,
    in_page_order,
)
from ..core.paths import resolve_reference
from ..core.slugs import slugify
from . import urls


@dataclass(frozen=True, slots=True)
class EventView:
    """A timeline entry: `when` as written out (a date alone for an entry without a time), `elapsed` since the
    incident started ("T+0:15")."""

    when: str
    iso: str
    elapsed: str
    html: str
    line: int


@dataclass(frozen=True, slots=True)
class ItemView:
    """An action item: `due` as written and `group` (what it is listed under) are "" when the source does not say."""

    html: str
    owner: str
    status: str
    link: str  # an address to follow, or ""
    ticket: str  # a ticket reference without an address, or ""
    line: int
    due: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class SectionView:
    """A section as the incident's page shows it: `anchor` is unique within the page.

    `heading` is what its heading and table-of-contents entry say: empty only
    for the preamble and the closing, which have neither. `depth` is 0 for a
    top-level section, 1 for its sub-sections… `events` and `items` are the
    timeline events and action items read from this section's own text, shown
    beside it; `items_id` is "action-items" for the first section in page order
    that has items, where the follow-ups list links, and "" for the others.
    """

    key: str
    label: str
    heading: str
    anchor: str
    line: int
    html: str
    filled: bool
    depth: int = 0
    children: tuple[SectionView, ...] = ()
    events: tuple[EventView, ...] = ()
    items: tuple[ItemView, ...] = ()
    prompts: tuple[str, ...] = ()  # what a template asks the author to write here, shown where the text will go
    items_id: str = ""

    def walk(self) -> Iterator[SectionView]:
        """This section, then its sub-sections at every depth, in page order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class FactView:
    """A time fact as the facts panel shows it, with how the document gave it.

    `kind` is "stated", "derived" (`note` says how it was worked out, `evidence` what
    the reading used) or "withheld" (`text` is "" and `reason` says why it was left out);
    "" for a fact the document does not give.
    """

    label: str
    text: str  # "2024-03-05 10:00 UTC", "1 h 30 min"
    iso: str  # for a `<time datetime>`; "" for a length
    kind: str
    note: str = ""  # "Worked out from the timeline, line 17"
    evidence: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FieldPrompt:
    """A front-matter field a template left to fill in: what the facts panel calls it, and what to write."""

    label: str  # "Started"
    guidance: str  # "when the impact began"


@dataclass(frozen=True, slots=True)
class OtherField:
    """A front-matter field outside the model, as written: its value in runs of text, each with the address it
    links to (http, https or mailto only; "" for plain text)."""

    name: str
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentPage(Incident):
    """An incident as its page shows it: the template's `incident`.

    It is the incident, every field as the model has it (`date`, `sections`,
    `timeline`, `action_items`…), with what the page makes of them: the facts
    panel's `date_fact` and `times`, the sections, timeline entries and action
    items as shown (`shown_*`: anchored, links rewritten, each section with the
    entries and items read from it), related incidents, the neighbours and the
    source's address.
    """

    date_fact: FactView
    times: tuple[FactView, ...]  # start, detection, time to detect, end, time to resolve, duration: those known or withheld
    shown_sections: tuple[SectionView, ...]
    shown_timeline: tuple[EventView, ...]
    shown_action_items: tuple[ItemView, ...]
    related: tuple[Incident, ...] = ()
    source_url: str = ""
    previous: Incident | None = None  # older
    next: Incident | None = None  # newer
    prompts: tuple[FieldPrompt, ...] = ()  # front-matter fields a template left for the author to fill in
    other_fields: tuple[OtherField, ...] = ()  # front-matter fields hindsite does not read, as written

    @classmethod
    def of(cls, incident: Incident, **shown: Any) -> IncidentPage:
        """`incident` with what its page shows (the fields above)."""
        return cls(**{name: getattr(incident, name) for name in _INCIDENT_FIELDS}, **shown)


_INCIDENT_FIELDS = tuple(f.name for f in fields(Incident))

#: What the incident page's template called the parts of its page until 0.1 (`report.NAME`), and their names on
#: `incident` now. `report` is kept on the incident page for one release (`ReportNames`); then it goes.
REPORT_NAMES: Mapping[str, str] = {
    "incident": "incident", "date": "incident.date_fact", "times": "incident.times",
    "sections": "incident.shown_sections", "timeline": "incident.shown_timeline",
    "action_items": "incident.shown_action_items", "related": "incident.related", "source_url": "incident.source_url",
    "previous": "incident.previous", "next": "incident.next",
}


@dataclass(frozen=True, slots=True)
class ReportNames:
    """The incident page's `report` for themes written for 0.1: its page under the names `REPORT_NAMES` lists."""

    page: IncidentPage

    def __getattr__(self, name: str) -> object:
        new = REPORT_NAMES.get(name)
        if new is None:
            raise AttributeError(name)
        return self.page if new == "incident" else getattr(self.page, new.removeprefix("incident."))


def incident_page(
    incident: Incident,
    *,
    previous: Incident | None,
    next: Incident | None,
    related: tuple[Incident, ...],
    source_url: str,
    rewrite: Callable[[str], str],
) -> IncidentPage:
    used = _Anchors()
    with_ids = tuple(_each_html(view, lambda html: _heading_ids(html, used)) for view in section_views(incident.sections, rewrite, incident.title_heading_line()))
    in_page = _in_page_anchors(with_ids)
    timeline = tuple(_with_html(e, in_page(rewrite(e.html))) for e in _events_of(incident))
    action_items = tuple(_with_html(i, in_page(rewrite(i.html))) for i in _items_of(incident.action_items))
    shown = tuple(_each_html(view, in_page) for view in with_ids)
    return IncidentPage.of(
        incident,
        date_fact=date_fact(incident),
        times=time_facts(incident),
        shown_sections=_with_structure(shown, timeline, action_items),
        shown_timeline=timeline,
        shown_action_items=action_items,
        related=related,
        source_url=source_url,
        previous=previous,
        next=next,
        prompts=tuple(prompt for name, value in incident.extra if (prompt := field_prompt(name, value))),
        other_fields=tuple(other_field(name, value) for name, value in incident.extra if not field_prompt(name, value)),
    )


#: What the facts panel calls each front-matter field of the model.
FIELD_LABELS: Mapping[str, str] = {
    "title": "Title", "date": "Date", "severity": "Severity", "services": "Services", "tags": "Tags",
    "responders": "Responders", "status": "Status", "started_at": "Started", "detected_at": "Detected",
    "resolved_at": "Resolved", "summary": "Summary", "duration_minutes": "Duration", "timezone": "Time zone",
}
_TEMPLATE_PROMPT = re.compile(r"\s*!!(.*?)!!\s*", re.S)
#: Addresses a reader may follow from a field's value: the web and e-mail, never a script or a local file.
_SAFE_ADDRESS = re.compile(r"(?:https?://|mailto:)[^\s<>\"']+", re.I)


def field_prompt(name: str, value: str) -> FieldPrompt | None:
    """A model field whose front-matter value is still a template's `!!prompt!!`, with its label; else None."""
    field = FIELD_NAMES.get(re.sub(r"[\s-]+", "_", name.strip().casefold()))
    prompt = _TEMPLATE_PROMPT.fullmatch(value)
    if field is None or prompt is None:
        return None
    return FieldPrompt(FIELD_LABELS.get(field, name), " ".join(prompt.group(1).split()))


def other_field(name: str, value: str) -> OtherField:
    """A field as written, its web and e-mail addresses made links (a final full stop or bracket stays text)."""
    parts: list[tuple[str, str]] = []
    at = 0
    for found in _SAFE_ADDRESS.finditer(value):
        address = found.group(0).rstrip(".,;:!?)]}")
        if found.start() > at:
            parts.append((value[at : found.start()], ""))
        parts.append((address, address))
        at = found.start() + len(address)
    if at < len(value):
        parts.append((value[at:], ""))
    return OtherField(name, tuple(parts))


def date_fact(incident: Incident) -> FactView:
    origin = _origins(incident).get("date")
    return _fact("Date", format_day(incident.date), incident.date.isoformat() if incident.date else "", origin)


def time_facts(incident: Incident) -> tuple[FactView, ...]:
    """The start, detection, end and duration the document gives or hindsite worked out, and those it left out."""
    origins = _origins(incident)
    started, detected, resolved = incident.started_at, incident.detected_at, incident.resolved_at
    facts = [
        _given("Started", format_instant(started), started.isoformat() if started else "", origins.get("started_at")),
        _given("Detected", format_instant(detected), detected.isoformat() if detected else "", origins.get("detected_at")),
        _measured("Time to detect", incident.time_to_detect_minutes, origins, ("started_at", "detected_at")),
        _given("Resolved", format_instant(resolved), resolved.isoformat() if resolved else "", origins.get("resolved_at")),
        _measured("Time to resolve", incident.time_to_resolve_minutes, origins, ("started_at", "resolved_at")),
        _given("Duration", format_duration(incident.duration_minutes), "", origins.get("duration_minutes")),
    ]
    return tuple(fact for fact in facts if fact is not None)


def _origins(incident: Incident) -> dict[str, Origin]:
    return {origin.field: origin for origin in incident.origins}


def _given(label: str, text: str, iso: str, origin: Origin | None) -> FactView | None:
    """A fact with its value (`text`), or one left out; None when the document does not give it."""
    if not text and (origin is None or origin.kind != WITHHELD):
        return None
    return _fact(label, text, iso, origin)


def _measured(label: str, minutes: int | None, origins: Mapping[str, Origin], ends: tuple[str, str]) -> FactView | None:
    """A time from the start: worked out whenever either end was. None when either end is unknown or left out
    (that end's own line says why)."""
    if minutes is None:
        return None
    if all(name in origins and origins[name].kind == STATED for name in ends):
        return FactView(label, format_duration(minutes), "", STATED)
    return FactView(label, format_duration(minutes), "", DERIVED, "Worked out from the times above")


def _fact(label: str, text: str, iso: str, origin: Origin | None) -> FactView:
    if origin is None or origin.kind not in (DERIVED, WITHHELD):
        return FactView(label, text, iso, origin.kind if origin else "")
    source = " from the timeline" if origin.how == "timeline" else ""
    where = f", line {origin.line}" if origin.line else ""
    note = f"Worked out{source}{where}"
    if origin.kind == WITHHELD:
        return FactView(label, "", "", WITHHELD, note, origin.basis, origin.reason)
    return FactView(label, text, iso, DERIVED, note, origin.basis)


def section_views(
    sections: Sequence[Section], rewrite: Callable[[str], str] = lambda html: html, title_line: int | None = None
) -> tuple[SectionView, ...]:
    """Sections in page order (`model.in_page_order`, with the line of the heading the title was read from), each
    with a unique anchor and its sub-sections in the author's order."""
    used = _Anchors()
    return tuple(_section_view(section, 0, rewrite, used) for section in in_page_order(sections, title_line))


def _section_view(section: Section, depth: int, rewrite: Callable[[str], str], used: _Anchors) -> SectionView:
    key = section.key
    if key in (PREAMBLE, CLOSING):
        base, label, heading = f"s-{key}", "", ""
    elif key == "other":
        base, label, heading = f"s-{slugify(section.heading, fallback='other')}", "", section.heading or SECTION_LABELS["other"]
    else:
        base, label = f"s-{key.replace('_', '-')}", SECTION_LABELS[key]
        heading = section.heading or label
    anchor = used.claim(base)
    children = tuple(_section_view(child, depth + 1, rewrite, used) for child in section.children)
    html = rewrite(section.html)
    if section.prompts:  # the list items the prompts stood in are empty: the prompts show instead
        html = "" if not section.filled else _EMPTY_LIST.sub("", _EMPTY_ITEM.sub("", html))
    return SectionView(key, label, heading, anchor, section.line, html, section.filled, depth, children,
                       prompts=section.prompts)


_EMPTY_ITEM = re.compile(r"<li>\s*</li>\s*")
_EMPTY_LIST = re.compile(r"<(ul|ol)>\s*</\1>\s*")


def every_view(views: Iterable[SectionView]) -> Iterator[SectionView]:
    """Every section view at every depth, in page order."""
    for view in views:
        yield from view.walk()


def _each_html(view: SectionView, change: Callable[[str], str]) -> SectionView:
    """`view` with `change` applied to its HTML and to its sub-sections', in page order."""
    html = change(view.html)
    children = tuple(_each_html(child, change) for child in view.children)
    if html == view.html and _unchanged(children, view.children):
        return view
    return replace(view, html=html, children=children)


def _unchanged(new: tuple[SectionView, ...], old: tuple[SectionView, ...]) -> bool:
    return all(a is b for a, b in zip(new, old, strict=True))


def _with_structure(
    views: tuple[SectionView, ...], events: tuple[EventView, ...], items: tuple[ItemView, ...]
) -> tuple[SectionView, ...]:
    """Each timeline section with the events read from it, each section with the action items read from it.

    Events were read from the timeline sections' text, in order: each belongs to the last
    timeline section that starts at or before its line. Items come from the action-item
    sections and from tables of items under any heading: each belongs to the last section
    that starts at or before its line, whatever its key, beside the text it was read from.
    """
    by_line = sorted(every_view(views), key=lambda view: view.line)
    timelines = _owners([v for v in by_line if v.key == "timeline"], [e.line for e in events])
    holders = _owners(by_line, [i.line for i in items])

    def placed(view: SectionView) -> SectionView:
        children = tuple(placed(child) for child in view.children)
        mine = holders.get(view.anchor, [])
        mine_events = timelines.get(view.anchor, []) if view.key == "timeline" else []
        if not mine and not mine_events and _unchanged(children, view.children):
            return view
        return replace(view, children=children, events=tuple(events[n] for n in mine_events) or view.events,
                       items=tuple(items[n] for n in mine) or view.items)

    return _with_items_id(tuple(placed(view) for view in views))


def _with_items_id(views: tuple[SectionView, ...]) -> tuple[SectionView, ...]:
    """`views` with the first section in page order that shows items marked as the page's action items."""
    first = next((view for view in every_view(views) if view.items), None)
    if first is None:
        return views

    def marked(view: SectionView) -> SectionView:
        if view is first:
            return replace(view, items_id="action-items")
        children = tuple(marked(child) for child in view.children)
        return view if _unchanged(children, view.children) else replace(view, children=children)

    return tuple(marked(view) for view in views)


def _owners(sections: Sequence[SectionView], lines: Sequence[int]) -> dict[str, list[int]]:
    """For each section (by anchor), the indices of the lines that fall in it; those before the first go to the first."""
    owned: dict[str, list[int]] = {}
    if not sections:
        return owned
    starts = [section.line for section in sections]
    for n, line in enumerate(lines):
        at = max(bisect.bisect_right(starts, line) - 1, 0)
        owned.setdefault(sections[at].anchor, []).append(n)
    return owned


_View = TypeVar("_View", EventView, ItemView)


def _with_html(view: _View, html: str) -> _View:
    """`view` showing `html`: the same object when it already does, as most do (no heading, no link to rewrite)."""
    return view if html == view.html else replace(view, html=html)


def _events_of(incident: Incident) -> tuple[EventView, ...]:
    """Event views depend on the start and the timeline alone; a running server reuses them across rebuilds.

    Keyed by the whole incident, the cache would hash every section of it at each look-up. Equal instants
    in other zones are equal datetimes, yet read differently on the page: their offsets are part of the key.
    """
    offsets = tuple(when.utcoffset() if (when := e.at or e.time) else None for e in incident.timeline)
    return _timeline_views(incident.id, incident.started_at, incident.timeline, offsets)


@functools.lru_cache(maxsize=50_000)
def _timeline_views(
    id: str, started_at: dt.datetime | None, timeline: tuple[TimelineEvent, ...], offsets: tuple[dt.timedelta | None, ...]
) -> tuple[EventView, ...]:
    return tuple(_event_views(started_at, timeline))


@functools.lru_cache(maxsize=50_000)
def _items_of(items: tuple[ActionItem, ...]) -> tuple[ItemView, ...]:
    return tuple(item_view(item) for item in items)


def event_views(incident: Incident) -> Iterable[EventView]:
    return _event_views(incident.started_at, incident.timeline)


def _event_views(started_at: dt.datetime | None, timeline: Sequence[TimelineEvent]) -> Iterable[EventView]:
    start = started_at or next((e.at for e in timeline if e.at), None)
    first_clock = next((e.time for e in timeline if e.time), None)
    days = 0  # midnights passed, for times without a date
    previous: int | None = None
    for event in timeline:
        if event.at is not None:
            when, iso = format_instant(event.at), event.at.isoformat()
            elapsed = _minutes(event.at - start) if start else None
        elif event.time is not None and first_clock is not None:
            when, iso = format_clock(event.time), event.time.isoformat("minutes")
            elapsed = _clock_minutes(first_clock, event.time) + days * 24 * 60
            if previous is not None and previous - elapsed > 12 * 60:
                days += 1
                elapsed += 24 * 60
            previous = elapsed
        elif event.day is not None:  # a date and no time: the day alone, never a midnight
            when, iso, elapsed = format_day(event.day), event.day.isoformat(), None
        else:
            when, iso, elapsed = "", "", None
        yield EventView(when, iso, format_elapsed(elapsed) if elapsed is not None else "", render_inline(event.text), event.line)


def item_view(item: ActionItem) -> ItemView:
    link = item.link or ""
    is_address = link.startswith(("http://", "https://"))
    return ItemView(render_inline(item.text), item.owner or "", item.status or "", link if is_address else "",
                    "" if is_address else link, item.line, item.due or "", item.group or "")


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _clock_minutes(first: dt.time, then: dt.time) -> int:
    """Minutes from one clock time to another on the same day (negative when earlier)."""
    day = dt.date(2000, 1, 1)
    return _minutes(dt.datetime.combine(day, then) - dt.datetime.combine(day, first))


#: A link's `href="#…"`, inside its tag: the sanitiser writes `<` and `>` in attribute values as entities, and the
#: same words in the text (`href="#x"` written in prose) are not a link.
_FRAGMENT_LINK = re.compile(r'(<a\s[^<>]*?)href="#([^"]+)"')
_HEADING_TAG = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _heading_ids(html: str, used: _Anchors) -> str:
    """Give headings inside the author's text ids, prefixed so they never clash with the page's own."""
    if "<h" not in html:
        return html

    def add_id(match: re.Match[str]) -> str:
        anchor = used.claim("h-" + slugify(_TAGS.sub("", match.group(2)), fallback="heading"))
        return f'<h{match.group(1)} id="{anchor}">{match.group(2)}</h{match.group(1)}>'

    return _HEADING_TAG.sub(add_id, html)


class _Anchors:
    """The anchors given out on one page."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.suffix: dict[str, int] = {}  # base → the suffix to try next

    def claim(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`… whichever is free first; the result is taken.

        The search for a base starts after the suffix it last got (every one before is taken), so a
        page of k sections under one heading costs k look-ups, not k².
        """
        n = self.suffix.get(base, 1)
        anchor = base if n == 1 else f"{base}-{n}"
        while anchor in self.taken:
            n += 1
            anchor = f"{base}-{n}"
        self.suffix[base] = n + 1
        self.taken.add(anchor)
        return anchor


def _in_page_anchors(sections: Sequence[SectionView]) -> Callable[[str], str]:
    """`[see](#root-cause)` as authors write it (GitHub-style heading slugs) → the anchor on this page."""
    anchors: dict[str, str] | None = None  # gathered at the first such link: few pages have one

    def replace(match: re.Match[str]) -> str:
        nonlocal anchors
        if anchors is None:
            anchors = _anchors_by_slug(sections)
        wanted = slugify(match.group(2), fallback="")
        return f'{match.group(1)}href="#{anchors[wanted]}"' if wanted in anchors else match.group(0)

    return lambda html: _FRAGMENT_LINK.sub(replace, html) if 'href="#' in html else html


def _anchors_by_slug(sections: Sequence[SectionView]) -> dict[str, str]:
    anchors: dict[str, str] = {}
    for section in every_view(sections):
        anchors.setdefault(slugify(section.heading, fallback=""), section.anchor)
        for anchor in re.findall(r'<h[1-6] id="(h-[^"]+)"', section.html):
            anchors.setdefault(anchor[2:], anchor)
    anchors.pop("", None)
    return anchors


_LINK_ATTR = re.compile(r'\b(?:href|src)="([^"]*)"')


def link_rewriter(incident: Incident, published: frozenset[str], known_docs: Mapping[str, Incident]) -> Callable[[str], str]:
    """Relative links in an incident's sanitised HTML → the published file or the linked incident's page.

    The new URLs go through the sanitiser (`markup.url_rewriter`), which escapes them as it writes them;
    a published file's name is percent-encoded once, segment by segment (`urls.file_href`).
    """
    root = urls.root_of(urls.incident_url(incident))

    def new_url(url: str) -> str | None:
        target = resolve_reference(incident.content_path, url)
        if target is None:
            return None
        fragment = "#" + url.split("#", 1)[1] if "#" in url else ""
        if target in known_docs:
            return root + urls.incident_url(known_docs[target]) + fragment
        if target in published:
            return root + urls.file_href(target) + fragment
        return None

    rewrite_urls: Callable[[str], str] | None = None  # made at the first text that links into the archive

    def rewrite(fragment: str) -> str:
        nonlocal rewrite_urls
        # Most texts link to nothing in the archive: they are not parsed again.
        if not any(new_url(unescape(url)) is not None for url in _LINK_ATTR.findall(fragment)):
            return fragment
        rewrite_urls = rewrite_urls or url_rewriter(new_url)
        return rewrite_urls(fragment)

    return rewrite
