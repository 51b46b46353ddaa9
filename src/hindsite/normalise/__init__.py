"""Stage 2 — normalise: one `Document` in, one `Incident` out.

Each concern lives in its own module (blocks, sections, metadata, times,
timeline, actions, titles, placeholders); this module puts their answers
together in order of trust: front-matter, then what the body states in
tables, lines and bullets, then the title, the file name, and the prose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .. import diagnostics as diag
from ..config import SiteConfig, squash
from ..diagnostics import Diagnostic
from ..markup import DEEPEST, Parsed, inline_text, parse, render_markdown, text_of, unsafe_parts
from ..model import CLOSING, PREAMBLE, ActionItem, Incident, Origin, Section
from ..read import Document
from ..slugs import document_slug
from .actions import items_from_blocks
from .assets import missing_assets
from .blocks import Block, is_plain_text, parse_blocks
from .bookends import is_prose
from .characters import without_unpublishable
from .derive import check_facts, derive_times, main_window, prose_date, prose_duration, prose_moments, prose_window
from .guard import guard_secrets, without_secrets
from .metadata import (
    Metadata,
    apply_stated,
    file_name_date,
    read_front_matter,
    resolve_pending,
    stated_in_blocks,
    undecided_date,
)
from .placeholders import TEMPLATE_NOTE, is_unfilled, placeholder_lines
from .sections import RawSection, names_section, read_heading, split_sections
from .timeline import (
    Placed,
    declared_zone,
    events_from_blocks,
    order_problems,
    season_problems,
    undecided_problems,
    untimed_problem,
)
from .times import Context, Zone, Zones, numeric_order, parse_date, scan, scan_dates, stated_zone
from .titles import clean_title, is_generic, plain_title, title_date, title_from_file_name, title_from_text

__all__ = ["guard_secrets", "normalise", "without_secrets"]


@dataclass(frozen=True, slots=True)
class _Part:
    """A section with the blocks of its cleaned text, for the extractors."""

    section: Section
    blocks: tuple[Block, ...]  # of the cleaned text: what the reader sees
    raw_text: str  # before template notes and app links were removed
    raw_line: int  # file line of raw_text's first line
    known_raw_blocks: tuple[Block, ...] | None = None  # the raw text's blocks, when the whole parse gave them
    plain: bool = False  # the document is bare lines (`plaintext`)

    def raw_blocks(self) -> tuple[Block, ...]:
        """Blocks of the raw text, parsed only when it differs from the cleaned text."""
        if self.known_raw_blocks is not None:
            return self.known_raw_blocks
        return tuple(parse_blocks(self.raw_text, self.raw_line, plain=self.plain))


def normalise(document: Document, config: SiteConfig, known_files: frozenset[str] | None = None) -> Incident:
    """Read everything `document` says into the incident model, losing no word.

    `known_files` are the content-relative paths of every file in the archive,
    for reporting links to files that are not there; None skips that check.
    """
    zones = Zones.of(config.zones)
    if "\r" in document.body:  # `read` already converts line ends; Markdown would count a lone `\r` as one too
        document = replace(document, body=document.body.replace("\r\n", "\n").replace("\r", "\n"))
    document, character_problems = without_unpublishable(document)
    document, secret_problems = guard_secrets(document, config)  # first: nothing below sees a masked credential
    order = _numeric_order(document, config)
    site_zone = Zone(config.timezone, config.tzinfo)
    meta = read_front_matter(document, config, zones, Context(site_zone, day_first=order))
    problems: list[Diagnostic] = [*document.diagnostics, *character_problems, *secret_problems, *meta.diagnostics]
    body_lines = document.body.split("\n")
    whole = parse(document.body)
    plain = is_plain_text(whole.tokens)  # decided for the whole document: a section's text alone may look plain
    blocks = parse_blocks(document.body, document.body_line, whole, body_lines, plain=plain)
    problems += _unsafe_html(whole, document)
    problems += _too_deep(whole, document)
    blocks, written_title = _take_title(blocks, meta, config)
    raw_sections = split_sections(blocks, body_lines, document.body_line, config.section_aliases)
    preamble = _preamble_key(raw_sections, zones)
    parts = [_part(raw, document, body_lines, preamble, whole, plain) for raw in raw_sections]
    zone, zone_from = _document_zone(parts, blocks, meta, zones, site_zone)
    context = Context(zone, None, _year_hint(meta, written_title, document), order)

    stated = [
        s for p in parts if p.section.key != "action_items"
        for s in stated_in_blocks(p.raw_blocks())
    ]
    problems += apply_stated(meta, stated, zones, context, config, document.source)
    prose_window(meta, _passages(parts), context, zones)
    explicit = _timeline(parts, context, zone_from, zones)
    problems += _settle_date(meta, document, written_title, parts, explicit, order)
    day = meta.values.get("date")
    context = replace(context, day=day, year=day.year if day else context.year)
    problems += resolve_pending(meta, context, document.source)
    prose_window(meta, _passages(parts), context, zones)
    if _dated_by_the_start(meta):
        context = replace(context, day=meta.values["date"], year=meta.values["date"].year)
    if "duration_minutes" not in meta.values:
        meta.set("duration_minutes", prose_duration(_prose(parts)), "prose", None)

    placed = _timeline(parts, context, zone_from, zones, meta)
    timeline = [p.event for p in placed]
    problems += order_problems(timeline, document.source)
    problems += untimed_problem(placed, document.source)
    problems += season_problems(placed, document.source)
    problems += undecided_problems(placed, document.source)
    derive_times(meta, placed)
    prose_moments(meta, _passages(parts), context, zones)
    problems += check_facts(meta, config.max_incident_minutes, document.source)

    title = _settle_title(meta, document, parts, problems)
    written_title = plain_title(str(meta.values.get("title") or ""))
    sections = _nested(parts, raw_sections, body_lines, document.body_line)
    if document.unread_front_matter:
        sections.insert(0, _unread_front_matter_section(document))
    problems += _placeholder_problems(parts, document.source)
    problems += _missing_sections(parts, config, document.source)
    if known_files is not None:
        problems += missing_assets(document.body, document.body_line, str(document.rel), known_files, document.source)
    if "date" not in meta.values:
        problems += _undecided_dates(document, order)
    if "date" not in meta.values and _has_text(document):  # an empty document's own diagnostic says why
        problems.append(diag.warning(
            "no-date", "no date found; add 'date: YYYY-MM-DD' to the front-matter or start the file name with the date",
            document.source, 1))

    services, unindexed_services = _within_limit(_registered(meta.values.get("services", ()), config),
                                                 config.max_services_per_document)
    tags, unindexed_tags = _within_limit(meta.values.get("tags", ()), config.max_tags_per_document)
    problems += _beyond_limit("service", services, unindexed_services, meta, document.source)
    problems += _beyond_limit("tag", tags, unindexed_tags, meta, document.source)

    started, detected, resolved = (meta.values.get(k) for k in ("started_at", "detected_at", "resolved_at"))
    return Incident(
        id=document_slug(document.rel.name),
        source=document.source,
        content_path=str(document.rel),
        title=title,
        date=meta.values.get("date"),
        severity=meta.values.get("severity"),
        services=services,
        tags=tags,
        responders=meta.values.get("responders", ()),
        status=meta.values.get("status"),
        started_at=started,
        detected_at=detected,
        resolved_at=resolved,
        duration_minutes=meta.values.get("duration_minutes"),
        summary=meta.values.get("summary") or _summary_from(sections),
        sections=tuple(sections),
        timeline=tuple(timeline),
        action_items=tuple(_with_known_owners(_action_items(parts), meta.values.get("responders", ()))),
        diagnostics=tuple(without_secrets(problems, config)),
        origins=tuple(meta.origins.values()),
        extra=tuple(meta.extra),
        title_as_written=written_title if _comparable(written_title) != _comparable(title) else "",
        unindexed_services=unindexed_services,
        unindexed_tags=unindexed_tags,
    )


def _unsafe_html(parsed: Parsed, document: Document) -> list[Diagnostic]:
    """One `unsafe-html` warning per line whose raw HTML or links lose something that could run."""
    by_line: dict[int, list[str]] = {}
    for offset, what in unsafe_parts(parsed.tokens):
        named = by_line.setdefault(document.body_line + offset, [])
        if what not in named:
            named.append(what)
    return [
        diag.warning("unsafe-html", f"removed from the published page: {', '.join(named)} — content may not run or load "
                     "anything in a reader's browser; to show such code, put it in backticks or a fenced block",
                     document.source, line)
        for line, named in sorted(by_line.items())
    ]


def _too_deep(parsed: Parsed, document: Document) -> list[Diagnostic]:
    """One `too-deep` warning, at the first line of what nests deeper than the page can show."""
    if parsed.too_deep is None:
        return []
    line, count = parsed.too_deep
    return [diag.warning(
        "too-deep", f"lists and quotes nest deeper than {DEEPEST} levels here (a quote is one level, a list item two); "
        f"{count} line{'s' if count != 1 else ''} from here on are shown flat, every word kept — nest them less deeply",
        document.source, document.body_line + line)]


def _has_text(document: Document) -> bool:
    return bool(document.body.strip() or document.front_matter or document.unread_front_matter)


# --- title ------------------------------------------------------------------

def _take_title(blocks: list[Block], meta: Metadata, config: SiteConfig) -> tuple[list[Block], str]:
    """Use the document's opening heading (or bold line) as its title, unless it names a section.

    With a front-matter title the opening heading is consumed only when it says
    the same thing, so no words disappear. Returns the remaining blocks and the
    title as written.
    """
    if not blocks:
        return blocks, ""
    text = _title_text(blocks, config)
    if text is None:
        return blocks, ""
    written = meta.values.get("title")
    if written is not None and _comparable(str(written)) != _comparable(clean_title(text)) and _comparable(str(written)) != _comparable(text):
        return blocks, ""
    meta.set("title", text, "heading", blocks[0].start)
    return blocks[1:], text


def _title_text(blocks: list[Block], config: SiteConfig) -> str | None:
    """The words the document's opening heading (or bold line) shows a reader, when it is the title."""
    first = blocks[0]
    heading = read_heading(first, config.section_aliases)
    if heading is not None:
        if names_section(heading.text, config.section_aliases):
            return None  # "## Summary" first: the document has no title line
        levels = [h.level for b in blocks if (h := read_heading(b)) is not None and h.level <= 6]
        if heading.level <= 6 and heading.level > min(levels, default=heading.level):
            return None
        if heading.level > 6 and heading.key is not None:
            return None
        return _words_shown(first) if first.kind in ("heading", "html") else heading.text
    if first.kind == "heading":
        return _words_shown(first)  # a timestamp heading first is a dated title
    if first.kind == "paragraph" and "\n" not in first.inline.strip():
        line = first.inline.strip()
        emphasised = re.fullmatch(r"(\*\*|__)(.+?)\1", line)
        if emphasised and not line.endswith(":") and not line.endswith(":**"):
            return inline_text(emphasised.group(2)).strip()
    return None


def _words_shown(block: Block) -> str:
    """What a heading shows: its Markdown rendered, raw HTML included, as words (`<OrderService>` stays a word)."""
    return text_of(render_markdown(block.source)) if block.kind == "html" else inline_text(block.inline)


def _comparable(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _settle_title(meta: Metadata, document: Document, parts: Sequence[_Part], problems: list[Diagnostic]) -> str:
    written = str(meta.values.get("title") or "")
    title = clean_title(written) if written else ""
    if title and not is_generic(title):
        return title
    origin = meta.origins.get("title")
    better = clean_title(inline_text(meta.values.get("name") or "") or _first_clause(parts))
    if not better or is_generic(better):
        # Nothing better in the text: a generic title as written still beats the file name.
        better = title or clean_title(title_from_file_name(document.rel.name))
        if written and better == title:
            problems.append(diag.info(
                "generic-title", f"the title {written.strip()!r} says nothing about the incident; "
                "give the document a title that names what broke", document.source, origin.line if origin else None))
            return better
    if written:
        problems.append(diag.info(
            "generic-title",
            f"the title {written.strip()!r} says nothing about the incident; it is shown as {better!r} — "
            "give the document a title that names what broke",
            document.source, origin.line if origin else None))
    return better


def _first_clause(parts: Sequence[_Part]) -> str:
    """The first sentence of prose in the summary, impact or root cause, skipping `Label: value` lines."""
    for key in ("summary", "impact", "root_cause", PREAMBLE, "other"):
        for part in parts:
            if part.section.key != key:
                continue
            for block in part.blocks:
                if block.kind not in ("paragraph", "list"):
                    continue
                texts = [i.text for i in block.items] if block.kind == "list" else block.inline.split("\n\n")
                for text in texts:
                    line = text.strip().split("\n")[0]
                    if re.match(r"^[^:]{1,40}:\s*$|^[^:]{1,30}:\s", line) or len(line.split()) < 4:
                        continue
                    return title_from_text(text)
    return ""


# --- dates and times ---------------------------------------------------------

def _numeric_order(document: Document, config: SiteConfig) -> bool | None:
    """How this document orders numeric dates: its own unambiguous ones decide, else the site's day_first."""
    written = numeric_order(document.body + "\n" + "\n".join(str(v) for v in document.front_matter.values()))
    return written if written is not None else config.day_first


def _document_zone(
    parts: Sequence[_Part], blocks: Sequence[Block], meta: Metadata, zones: Zones, site_zone: Zone
) -> tuple[Zone, str]:
    """The zone of times written without one, and where it comes from.

    In order: a `timezone` field; a statement for the whole document ("All times are PDT", a
    heading "All times in UTC", a note before the first heading), outside the timeline, whose
    own statements rule its own times; the one zone every zoned time of the document is
    written in; the site's.
    """
    stated = meta.values.get("timezone")
    if stated is not None:
        return stated, f"front-matter, line {meta.origins['timezone'].line}"
    for part in parts:
        if part.section.key == "timeline":
            continue
        heading_zone = declared_zone(part.section.heading, zones) if part.section.heading else None
        if heading_zone is not None:
            return heading_zone, f"line {part.section.line}"
        for block in part.blocks:
            if block.kind in ("paragraph", "heading") and len(block.inline) < 200:
                zone = declared_zone(block.inline, zones)
                if zone is not None:
                    return zone, f"line {block.start}"
    written = _written_zones(blocks, zones)
    if len(written) == 1:
        (name, (zone, line)), = written.items()
        return zone, f"the only zone the document writes, line {line}"
    return site_zone, "site"


def _written_zones(blocks: Sequence[Block], zones: Zones) -> dict[str, tuple[Zone, int]]:
    """Each zone written after a clock time in the document's prose, lists and tables, with its first line."""
    found: dict[str, tuple[Zone, int]] = {}
    for block in blocks:
        if block.kind not in ("paragraph", "list", "table", "heading"):
            continue
        for offset, line in enumerate(block.source.split("\n")):
            for stamp in scan(line, zones):
                if stamp.zone is not None:
                    key = str(stamp.zone.instant(dt.date(2024, 1, 15), dt.time(12)).utcoffset())
                    found.setdefault(key, (stamp.zone, block.start + offset))
    return found


def _year_hint(meta: Metadata, written_title: str, document: Document) -> int | None:
    """The year for dates written without one, before the incident's day is settled."""
    if meta.days:
        return meta.days[0][0].year
    title = written_title or str(meta.values.get("title") or "")
    dated = [d.year for d in scan_dates(title) if d.year] or [d.year for d in scan_dates(document.rel.name) if d.year]
    if dated:
        return dated[0]
    named = file_name_date(document.rel.name)
    return named.year if named else None


def _timeline(
    parts: Sequence[_Part], context: Context, zone_from: str, zones: Zones, meta: Metadata | None = None
) -> list[Placed]:
    """Every timeline section's events; a later section goes on from the day the one before ended on.

    With `meta`, a stated start is what relative times ("T+15m") count from.
    """
    origin = meta.origins.get("started_at") if meta else None
    start = (meta.values["started_at"], f"line {origin.line}" if origin.line else origin.how) if (
        meta and origin and origin.kind == "stated" and "started_at" in meta.values) else None
    placed: list[Placed] = []
    for part in parts:
        if part.section.key != "timeline":
            continue
        heading_zone = stated_zone(part.section.heading, zones) if part.section.heading else None  # "Timeline (PST)"
        local = replace(context, zone=heading_zone) if heading_zone else context
        last = next((p.event.at.date() if p.event.at else p.event.day for p in reversed(placed)
                     if p.event.at or p.event.day), None)
        if last is not None:
            local = replace(local, day=last)
        placed += events_from_blocks(part.blocks, local, zone_from=f"line {part.section.line}" if heading_zone else zone_from,
                                     zones=zones, heading=part.section.heading, start=start)
    return [p for p in placed if p.event.text.strip() or p.event.at is not None or p.event.day is not None]


def _settle_date(
    meta: Metadata, document: Document, written_title: str, parts: Sequence[_Part], explicit: Sequence[Placed],
    order: bool | None,
) -> list[Diagnostic]:
    """Which day the incident happened on: the day it started, never the day it was written up.

    A stated start decides. Otherwise the days the document gives are witnesses, most trusted
    first: a date field or label, the title's, the first date of the prose, the file name's. The
    first witness that falls within the days the timeline writes out is the incident's day. A
    date outside them is when the postmortem was written or published, and the timeline's own
    first day is taken instead — unless the prose agrees with it, which makes the timeline's date
    the slip. Without a timeline that writes days, the first witness is taken.
    """
    problems: list[Diagnostic] = []
    started = meta.values.get("started_at")
    if started is not None and meta.origins["started_at"].kind == "stated":
        origin = meta.origins["started_at"]
        meta.set("date", started.date(), origin.how, origin.line)
        return problems
    witnesses = _witnesses(meta, written_title, document, parts, order)
    span, first_day = _timeline_days(explicit, {day for day, _ in witnesses})
    if span is None:
        if witnesses:
            day, origin = witnesses[0]
            meta.set("date", day, origin.how, origin.line)
        return problems
    # The day before still agrees: a date written in local time beside a timeline in UTC, an evening start whose
    # first times are written without a date. A day after is not: postmortems are often written the next day.
    inside = next(((day, origin) for day, origin in witnesses if span[0] - _ONE_DAY <= day <= span[1]), None)
    prose_day = next((day for day, origin in witnesses if origin.how == "prose"), None)
    confirmed = next(((day, origin) for day, origin in witnesses if origin.how != "prose" and day == prose_day), None)
    chosen = inside or confirmed
    if chosen is not None:
        meta.set("date", chosen[0], chosen[1].how, chosen[1].line)
    elif first_day is not None:
        meta.set("date", first_day[0], "timeline", first_day[1], kind="derived")
    for day, origin in witnesses:
        if day != meta.values.get("date") and origin.how != "prose":
            problems.append(_write_up_date(day, origin, span, chosen is None, document.source))
    return problems


def _undecided_dates(document: Document, order: bool | None) -> list[Diagnostic]:
    """`ambiguous-date` at the first numeric date nothing settled, when the document is left without a date for it."""
    if order is not None:
        return []
    for offset, line in enumerate(document.body.split("\n")):
        found = next((d for d in scan_dates(line) if d.other is not None and d.year is not None), None)
        if found is not None:
            return [undecided_date(line[found.start : found.end], found, document.source, document.body_line + offset)]
    return []


def _dated_by_the_start(meta: Metadata) -> bool:
    """A start stated without its day until the date was settled ("Start: 22:30 UTC on March 2"), now read,
    decides the date as a stated start always does; whether the date changed."""
    started, origin = meta.values.get("started_at"), meta.origins.get("started_at")
    if started is None or origin is None or origin.kind != "stated" or meta.values.get("date") == started.date():
        return False
    meta.values.pop("date", None)
    meta.set("date", started.date(), origin.how, origin.line)
    return True


def _write_up_date(
    day: dt.date, origin: Origin, span: tuple[dt.date, dt.date], timeline_won: bool, source: str
) -> Diagnostic:
    said = f"the {_PLACE.get(origin.how, origin.how)} gives {day:%d %B %Y}"
    if timeline_won:
        days = f"{span[0]:%d %B %Y} to {span[1]:%d %B %Y}" if span[0] > dt.date.min + _ONE_DAY else f"until {span[1]:%d %B %Y}"
        return diag.info("write-up-date", f"{said}, which is not a day of the timeline ({days}); the incident is dated "
                         "by its timeline — the other date is probably when the postmortem was written", source, origin.line)
    return diag.info("write-up-date", f"{said}, which is not the incident's date; it is probably when the postmortem "
                     "was written", source, origin.line)


_ONE_DAY = dt.timedelta(days=1)
_PLACE = {"front-matter": "front-matter", "title": "title", "file-name": "file name", "table": "table",
          "line": "text", "bullet": "text", "heading": "title", "prose": "prose"}


def _witnesses(
    meta: Metadata, written_title: str, document: Document, parts: Sequence[_Part], order: bool | None
) -> list[tuple[dt.date, Origin]]:
    """The days the document gives for the incident, most trusted first."""
    days = list(meta.days)
    title_text = written_title or str(meta.values.get("title") or "")
    title_says = title_date(title_text) if title_text else None
    if title_says:
        title_origin = meta.origins.get("title")
        day = parse_date(title_says, day_first=order)
        if day is not None:
            days.append((day, Origin("date", "title", title_origin.line if title_origin else None)))
    in_prose = prose_date(_prose(parts), day_first=order)
    if in_prose is not None:
        days.append((in_prose, Origin("date", "prose", None)))
    named = file_name_date(document.rel.name, order)
    if named is not None:
        days.append((named, Origin("date", "file-name", None)))
    return days


def _timeline_days(
    explicit: Sequence[Placed], anchored: set[dt.date]
) -> tuple[tuple[dt.date, dt.date] | None, tuple[dt.date, int] | None]:
    """The days a timeline writes out (first and last), and the first day of the incident itself, with its line.

    Times written before the first date, which no day was given for, may be on any earlier day: then the
    first of the days is not known, and any day before the last agrees with the timeline.
    """
    days = [p.event.at.date() if p.event.at else p.event.day for p in explicit if p.event.at or p.event.day]
    if not days:
        return None, None
    first = next(p.event for p in explicit if p.event.time or p.event.at or p.event.day)
    if first.at is None and first.day is None:
        return (dt.date.min + _ONE_DAY, max(days)), None  # an undated first time: the first day is not known
    window = main_window(explicit, anchored)
    if window:
        first = window[0].event
        return (min(days), max(days)), (first.at.date(), first.line)  # type: ignore[union-attr]
    first_dated = next(p.event for p in explicit if p.event.day)
    return (min(days), max(days)), (first_dated.day, first_dated.line)  # type: ignore[return-value]


# --- sections ----------------------------------------------------------------

def _preamble_key(raws: Sequence[RawSection], zones: Zones) -> str:
    """What the text before the first heading is: the summary, when the document has none and it holds prose;
    otherwise the preamble (a note, a byline, an image, a table of facts), which stays first all the same."""
    if any(raw.key == "summary" for raw in raws):
        return PREAMBLE
    opening = next((raw for raw in raws if not raw.key), None)
    return "summary" if opening is not None and is_prose(opening.blocks, zones) else PREAMBLE


def _nested(parts: Sequence[_Part], raws: Sequence[RawSection], body_lines: Sequence[str], body_line: int) -> list[Section]:
    """The top-level sections, each holding its sub-sections (`RawSection.parent`), in the author's order."""
    children: dict[int, list[int]] = {}
    for index, raw in enumerate(raws):
        if raw.parent is not None:
            children.setdefault(raw.parent, []).append(index)

    def last_descendant(index: int) -> int:
        return last_descendant(children[index][-1]) if index in children else index

    def built(index: int) -> Section:
        section = parts[index].section
        if index not in children:
            return section
        whole = _written_text(raws[index], raws[last_descendant(index)].body_end, body_lines, body_line)
        return replace(section, children=tuple(built(child) for child in children[index]), text_with_children=whole)

    return [built(index) for index, raw in enumerate(raws) if raw.parent is None]


def _written_text(raw: RawSection, end: int, body_lines: Sequence[str], body_line: int) -> str:
    """Everything under a heading up to file line `end`, cleaned as a section's text is."""
    lines = list(body_lines[raw.body_start - body_line : end - body_line])
    labelled = False
    if raw.label_cut and lines:
        lines[0] = lines[0][raw.label_cut :].strip()
        labelled = bool(lines[0])
    text = _dedent_after_label(lines, labelled)
    return _without_app_links(remove_template_notes_keeping_lines(text)).strip()


def _part(
    raw: RawSection, document: Document, body_lines: Sequence[str], preamble: str, whole: Parsed, plain: bool
) -> _Part:
    """A section's text, cleaned for the reader, with its blocks and HTML.

    Both come from the document's one parse whenever the section's text is
    the document's own lines; only text the cleaning changed is parsed again.
    `preamble` is the key of text before the first heading (`_preamble_key`).
    """
    body_line = document.body_line
    lines = list(body_lines[raw.body_start - body_line : raw.body_end - body_line])
    raw_text = "\n".join(lines)  # with the label, which may itself be metadata ("Time to repair: 0h 16m")
    label_leaves_text = False
    if raw.label_cut and lines:
        lines[0] = lines[0][raw.label_cut :].strip()
        label_leaves_text = bool(lines[0])  # "**Impact:** text" rather than "**Impact:**" alone
    first_line = raw.body_start
    while lines and not lines[0].strip():
        lines.pop(0)
        first_line += 1
    while lines and not lines[-1].strip():
        lines.pop()
    text = _dedent_after_label(lines, label_leaves_text)
    clean = _without_app_links(remove_template_notes_keeping_lines(text))
    key = raw.key or preamble
    leading_blank_lines = len(clean) - len(clean.lstrip("\n"))
    start = first_line + leading_blank_lines - body_line
    shown = clean.strip("\n")
    as_written = shown == "\n".join(body_lines[start : start + shown.count("\n") + 1])
    # Up to the section's end, blank lines included: a list's block runs on over the blank line after it.
    parsed = whole.between(start, raw.body_end - body_line) if as_written and shown else None
    if parsed is not None:
        blocks = tuple(parse_blocks(document.body, body_line, parsed, body_lines, plain=plain))
    else:
        parsed = parse(clean, whole.references)
        blocks = tuple(parse_blocks(clean, first_line, parsed, plain=plain))
    html = parsed.html(footnote_scope=str(raw.line))  # sections' lines differ, so their footnotes' ids do
    section = Section(key, raw.heading, raw.line, shown, html, not is_unfilled(text), first_line + leading_blank_lines)
    raw_parsed = whole.between(raw.body_start - body_line, raw.body_end - body_line)
    raw_blocks = tuple(parse_blocks(document.body, body_line, raw_parsed, body_lines, plain=plain)) if raw_parsed is not None else None
    return _Part(section, blocks, raw_text, raw.body_start, raw_blocks, plain)


def remove_template_notes_keeping_lines(text: str) -> str:
    """Drop `!!…!!` template notes but keep line count, so line numbers stay true."""
    return TEMPLATE_NOTE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


_APP_LINK = re.compile(r"(@?)\[([^\[\]]*)\]\((?!https?:|mailto:|tel:|ftp:|[./#]|[\w-]+(?:[./][^)]*)?\))[\w+.-]+:[^)]*\)")


def _without_app_links(text: str) -> str:
    """`@[Ana](mention://…)` → `@Ana`: links into an app the reader cannot open keep only their words."""
    return _APP_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}", text)


def _dedent_after_label(lines: list[str], labelled: bool) -> str:
    """Drop common indentation; after a label the first line is already flush, so measure the rest."""
    rest = lines[1:] if labelled and lines else lines
    widths = [len(line) - len(line.lstrip(" ")) for line in rest if line.strip()]
    cut = min(widths, default=0)
    dedented = [line[cut:] for line in rest]
    return "\n".join(([lines[0]] if labelled and lines else []) + dedented)


def _unread_front_matter_section(document: Document) -> Section:
    text = f"```yaml\n{document.unread_front_matter}\n```"
    return Section("other", "Front-matter (not read)", document.front_matter_line or 1, text, render_markdown(text))


def _placeholder_problems(parts: Sequence[_Part], source: str) -> list[Diagnostic]:
    problems = []
    for part in parts:
        for line, found in placeholder_lines(part.raw_text, part.raw_line):
            what = f"{found!r} (an empty table row)" if found.startswith("|") else repr(found)
            problems.append(diag.warning("placeholder", f"template placeholder {what} was never filled in; "
                                         "write the content or delete the line", source, line))
    return problems


def _missing_sections(parts: Sequence[_Part], config: SiteConfig, source: str) -> list[Diagnostic]:
    present = {p.section.key for p in parts if p.section.filled}
    return [
        diag.warning("missing-section", f"no {key.replace('_', ' ')} section; the site requires one "
                     "(sections.required in site.toml)", source, None)
        for key in config.required_sections if key not in present
    ]


def _with_known_owners(items: Sequence[ActionItem], responders: Sequence[str]) -> list[ActionItem]:
    """`@aisha.bello` and "Aisha Bello" are one person: owners take a responder's written name when they match."""
    names = {squash(name): name for name in responders}
    return [replace(item, owner=names.get(squash(item.owner), item.owner)) if item.owner else item for item in items]


def _registered(services: Sequence[str], config: SiteConfig) -> tuple[str, ...]:
    """Service names as the site's registry spells them, variants merged, order kept."""
    return tuple(dict.fromkeys(config.services.canonical(name) for name in services))


def _within_limit(names: Sequence[str], limit: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first `limit` names, which the site indexes, and the rest."""
    return tuple(names[:limit]), tuple(names[limit:])


def _beyond_limit(kind: str, indexed: Sequence[str], rest: Sequence[str], meta: Metadata, source: str) -> list[Diagnostic]:
    """A warning when a document names more tags (or services) than the site indexes, at the line that names them."""
    if not rest:
        return []
    origin = meta.origins.get(f"{kind}s")
    total = len(indexed) + len(rest)
    return [diag.warning(
        f"too-many-{kind}s",
        f"the document names {total:,} {kind}s; the first {len(indexed):,} are indexed (max_{kind}s_per_document in "
        f"site.toml) and the other {len(rest):,} are shown on its page as text, without pages of their own — keep the "
        f"{kind}s that tell incidents apart, or raise the limit", source, origin.line if origin else None)]


def _action_items(parts: Iterable[_Part]) -> list[ActionItem]:
    return [item for p in parts if p.section.key == "action_items" for item in items_from_blocks(p.blocks)]


#: The parts whose prose may state the incident's date, times and length.
_PROSE = ("summary", "impact", "other", PREAMBLE, CLOSING)


def _passages(parts: Sequence[_Part]) -> list[tuple[str, int]]:
    """The prose sections' texts, each with the file line it starts on."""
    return [(p.section.text, p.section.body_line or p.section.line) for p in parts if p.section.key in _PROSE]


def _prose(parts: Sequence[_Part]) -> str:
    return "\n\n".join(p.section.text for p in parts if p.section.key in _PROSE)


def _summary_from(sections: Sequence[Section]) -> str:
    """The first paragraph of the first summary section, wherever it sits, as plain text."""
    for section in (every for top in sections for every in top.walk()):
        if section.key == "summary" and section.html:
            match = re.search(r"<p>(.*?)</p>", section.html, re.S)
            if match:
                return text_of(match.group(1))
    return ""
