"""Stage 2 — normalise: one `Document` in, one `Incident` out.

Each concern lives in its own module (blocks, sections, metadata, times,
timeline, actions, titles, placeholders); this module puts their answers
together in order of trust: front-matter, then what the body states in
tables, lines and bullets, then the title, the file name, and the prose.

`__all__` is the normaliser's face: besides `normalise` and the credential
guard, the readings a document is written back with (`hindsite migrate`) — the
located blocks, how a heading is read, where each section of an incident is
written, how a timeline entry and a date are read, the front-matter keys.
Other stages import these from here, never from the modules behind them.

May import `core` and `read`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain

from ..core import diagnostics as diag
from ..core.config import SiteConfig, squash
from ..core.diagnostics import Diagnostic
from ..core.markup import DEEPEST, Parsed, inline_text, parse, render_markdown, text_of, unsafe_parts
from ..core.model import CLOSING, FIELD_NAMES, PREAMBLE, SECTION_LABELS, ActionItem, Incident, Origin, Section
from ..core.slugs import document_slug
from ..read.files import Document
from .actions import is_action_table, items_from_blocks, items_from_tables, status_placeholders
from .assets import missing_assets
from .blocks import Block, ListItem, is_plain_text, parse_blocks
from .bookends import is_note_paragraph, is_prose
from .characters import without_unpublishable
from .derive import check_facts, derive_times, main_window, prose_date, prose_duration, prose_moments, prose_window
from .guard import guard_secrets, without_secrets
from .metadata import (
    Metadata,
    apply_stated,
    body_label,
    file_name_date,
    read_front_matter,
    resolve_pending,
    stated_in_blocks,
    stated_under_heading,
    undecided_date,
)
from .placeholders import TEMPLATE_NOTE, is_unfilled, placeholder_lines
from .sections import (
    PSEUDO_LEVEL,
    Heading,
    RawSection,
    dedent_after_label,
    heading_words,
    is_timestamp_heading,
    label_heading,
    line_heading,
    names_section,
    own_lines,
    read_heading,
    section_key,
    split_sections,
    without_blank_ends,
    without_title_lines,
)
from .timeline import (
    Placed,
    backwards_problems,
    declared_zone,
    event_texts,
    events_from_blocks,
    order_problems,
    season_problems,
    split_leading_time,
    undecided_problems,
    untimed_problem,
)
from .times import (
    DATE_AND_ZONE_WORDS,
    Context,
    Zone,
    Zones,
    leading_stamp,
    numeric_order,
    parse_date,
    scan,
    scan_dates,
    stated_zone,
)
from .titles import clean_title, is_generic, plain_title, title_date, title_from_file_name, title_from_text
from .written import WrittenBody, WrittenSection, written_sections

__all__ = [
    # reading a document
    "normalise", "guard_secrets", "without_secrets",
    # its blocks, each with the file lines it was written on
    "Block", "ListItem", "parse_blocks",
    # headings and sections
    "Heading", "read_heading", "label_heading", "section_key", "heading_words", "is_timestamp_heading",
    "WrittenBody", "WrittenSection", "written_sections",
    # times, the timeline and the front-matter
    "DATE_AND_ZONE_WORDS", "scan_dates", "split_leading_time", "event_texts", "FIELD_NAMES",
]


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
    every_block = blocks
    blocks, offered = _take_title(blocks, meta, config, plain=plain)
    body_lines = without_title_lines(body_lines, every_block, blocks, document.body_line)
    written_title = offered.written
    raw_sections = split_sections(blocks, body_lines, document.body_line, config.section_aliases)
    preamble = _preamble_key(raw_sections, zones)
    parts = [_part(raw, document, body_lines, preamble, whole, plain) for raw in raw_sections]
    zone, zone_from = _document_zone(parts, blocks, meta, zones, site_zone)
    context = Context(zone, None, _year_hint(meta, written_title, document), order)

    stated = [  # an action item's owner and status are its own, not the incident's
        s for p in parts if p.section.key != "action_items"
        for s in (*stated_under_heading(p.section.heading, p.raw_blocks(), config.severity),
                  *stated_in_blocks(b for b in p.raw_blocks() if not is_action_table(b)))
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
    problems += backwards_problems(placed, document.source)
    problems += untimed_problem(placed, document.source)
    problems += season_problems(placed, document.source)
    problems += undecided_problems(placed, document.source)
    derive_times(meta, placed)
    prose_moments(meta, _passages(parts), context, zones)
    problems += check_facts(meta, config.max_incident_minutes, document.source)

    title = _settle_title(meta, document, parts, offered, problems)
    written_title = plain_title(str(meta.values.get("title") or ""))
    sections = _beside_the_name(_nested(parts, raw_sections, body_lines, document.body_line), meta.origins.get("title"))
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
        summary=meta.values.get("summary") or _summary_from(sections, zones, _title_said(meta, title, offered)),
        sections=tuple(sections),
        timeline=tuple(timeline),
        action_items=tuple(_with_known_owners(_action_items(parts, raw_sections), meta.values.get("responders", ()))),
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

@dataclass(frozen=True, slots=True)
class _BodyTitle:
    """What the body offers to name the incident, found before it is split into sections."""

    heading: str = ""  # the incident's own heading or bold line: the opening one, or one under an opening that names nothing
    heading_line: int | None = None
    first_line: str = ""  # a line standing on its own at the top of a document written without headings
    first_line_number: int | None = None
    under_front_matter: bool = False  # a front-matter title was given

    @property
    def written(self) -> str:
        """The body's title as written, for the date it may state; "" beside a front-matter title, which says it."""
        return "" if self.under_front_matter else self.heading or self.first_line


def _take_title(
    blocks: list[Block], meta: Metadata, config: SiteConfig, *, plain: bool = False
) -> tuple[list[Block], _BodyTitle]:
    """Find the incident's own heading, and take the document's opening heading (or bold line) out of the body.

    Notes written above the opening heading (`Status: FINAL`, `[TOC]`, "Confidential.") do not
    hide it: they stay in the body, before it, as the preamble.
    """
    above = _notes_above_the_title(blocks, config)
    rest, offered = _take_opening_title(blocks[above:], meta, config, plain=plain)
    return [*blocks[:above], *rest], offered


#: At most this many notes stand above a document's opening heading; more is the start of the document itself.
_MOST_NOTES_ABOVE_THE_TITLE = 3


def _notes_above_the_title(blocks: list[Block], config: SiteConfig) -> int:
    """How many blocks stand above the document's opening heading as notes — a status, a "Last updated" line, a
    confidentiality or draft note, a table-of-contents marker — when that heading is the document's title; else 0."""
    zones = Zones.of(config.zones)
    for index, block in enumerate(blocks[: _MOST_NOTES_ABOVE_THE_TITLE + 1]):
        if _is_written_heading(block, config.section_aliases):
            return index if index and _title_text(blocks[index:], config.section_aliases) is not None else 0
        if not _is_note_above_the_title(block, zones):
            return 0
    return 0


def _is_written_heading(block: Block, aliases: Mapping[str, str]) -> bool:
    """A Markdown or HTML heading, not a bold line or a label that reads as one."""
    heading = read_heading(block, aliases) if block.kind == "html" else None
    return block.kind == "heading" or heading is not None and heading.level <= 6


def _is_note_above_the_title(block: Block, zones: Zones) -> bool:
    """A note, or one short line ("Confidential — internal use only.", `[[_TOC_]]`): not the document's prose."""
    if not is_prose([block], zones):
        return True
    one_line = "\n" not in block.source.strip()
    return block.kind in ("paragraph", "quote", "html") and one_line and len(block.source.split()) <= 8


def _take_opening_title(
    blocks: list[Block], meta: Metadata, config: SiteConfig, *, plain: bool = False
) -> tuple[list[Block], _BodyTitle]:
    """Find the incident's own heading, and take the document's opening heading (or bold line) out of `blocks`.

    The opening heading is taken out when it is a title, generic or not (it is then the title as
    written), unless a front-matter title says something else, so that no words disappear. When it
    names nothing ("Postmortem", "Acme postmortems") the incident's own heading may come below it;
    that one stays in the body. Returns the remaining blocks and what the body offers as a title.
    """
    aliases = config.section_aliases
    stated = meta.values.get("title") is not None
    opening = _title_text(blocks, aliases) if blocks else None
    opening_line = blocks[0].start if blocks else None
    own = None
    if opening is None or is_generic(clean_title(opening)):
        own = _own_heading(blocks[0 if opening is None else 1 :], aliases)
    if opening is not None and (not stated or _says_the_same(str(meta.values["title"]), opening)):
        meta.set("title", opening, "heading", blocks[0].start)
        blocks = blocks[1:]
    if own is not None:
        meta.set("title", own[0], "heading", own[1])
        return blocks, _BodyTitle(own[0], own[1], under_front_matter=stated)
    if opening is not None:
        return blocks, _BodyTitle(opening, opening_line, under_front_matter=stated)
    lone = _lone_first_line(blocks, aliases, plain=plain)
    if lone is None:
        return blocks, _BodyTitle(under_front_matter=stated)
    meta.set("title", lone[0], "line", lone[1])
    return blocks, _BodyTitle(first_line=lone[0], first_line_number=lone[1], under_front_matter=stated)


def _says_the_same(stated: str, heading: str) -> bool:
    return _comparable(stated) in (_comparable(clean_title(heading)), _comparable(heading))


def _title_text(blocks: list[Block], aliases: Mapping[str, str]) -> str | None:
    """The words the document's opening heading (or bold line) shows a reader, when it is the title:
    not a section's name, a field's label (`**Duration:**`) or a heading below the document's top level."""
    first = blocks[0]
    heading = read_heading(first, aliases)
    if heading is not None:
        levels = [h.level for b in blocks if (h := read_heading(b)) is not None and h.level <= 6]
        if names_section(heading.text, aliases) and not _names_the_document(heading, blocks[1:], aliases):
            return None  # "## Summary" first: the document has no title line
        if heading.level <= 6 and heading.level > min(levels, default=heading.level):
            return None
        if heading.level > 6 and heading.key is not None:
            return None
        if first.kind in ("heading", "html"):
            text = _words_shown(first)
            return None if _is_field_label(text, heading=True) else text
        text = inline_text(first.inline).strip()  # a pseudo-heading shows its colon: `**Instruction:**` is a label
        return None if _is_field_label(text, heading=heading.level <= 6) else heading.text
    if first.kind == "heading":
        return _words_shown(first)  # a timestamp heading first is a dated title
    if first.kind == "paragraph" and "\n" not in first.inline.strip():
        emphasised = _BOLD_LINE.fullmatch(first.inline.strip())
        text = inline_text(emphasised.group(2)).strip() if emphasised else ""
        if text and not _is_field_label(text):
            return text
    return None


_BOLD_LINE = re.compile(r"(\*\*|__)(.+?)\1")
#: Words that name a kind of document, not a part of one: "Root Cause Analysis", "RCA", "Incident Report".
_DOCUMENT_KIND = re.compile(r"\b(?:analysis|rca|report|review|post-?mortem|retrospective)\b", re.I)


def _names_the_document(heading: Heading, below: Sequence[Block], aliases: Mapping[str, str]) -> bool:
    """Whether an opening heading whose words name a section ("# Root Cause Analysis", "# Incident Summary") is
    the document's title: it says nothing of the incident, stands above every other heading, and either names
    a kind of document or the document writes the section it names below it (a "## Summary" under "# Incident
    Summary" is the summary; the heading above it cannot be)."""
    if heading.level > 6 or not is_generic(clean_title(heading.text)):
        return False
    deeper = [h for b in below if (h := read_heading(b, aliases)) is not None and h.level <= 6]
    if not deeper or any(h.level <= heading.level for h in deeper):
        return False
    return _DOCUMENT_KIND.search(heading.text) is not None or any(h.key == heading.key for h in deeper)


def _own_heading(blocks: Sequence[Block], aliases: Mapping[str, str]) -> tuple[str, int] | None:
    """The incident's own heading (or bold line) and its line, below what opens the document.

    Passed over on the way: headings that name nothing or the archive ("Postmortems"), a date
    ("## 22/Mar/2022"), field labels and what they hold (`**Instruction:**` and its list,
    "## Owner: @ana"), images and rules. A section's heading or text ends the search.
    """
    in_fields = False
    for index, block in enumerate(blocks):
        words = _heading_words(block, aliases)
        if words is None:
            if in_fields or _shows_no_words(block):
                continue
            return None
        if names_section(words, aliases):
            return None
        if _is_field_label(words, in_fields, heading=block.kind == "heading"):
            in_fields = True
            continue
        in_fields = False
        if not _says_only_when(words) and not is_generic(clean_title(words)):
            return (words, block.start) if _heads_what_follows(blocks[index:], aliases) else None
    return None


def _heads_what_follows(blocks: Sequence[Block], aliases: Mapping[str, str]) -> bool:
    """Whether the heading `blocks[0]` names the document rather than one part of it: it stands alone (another
    heading follows at once), or the first section after its text is not at its level ("## Who's on point"
    then "## Summary" is a part beside the others)."""
    heading = read_heading(blocks[0], aliases)
    level = blocks[0].level if blocks[0].kind == "heading" else heading.level if heading else PSEUDO_LEVEL
    if len(blocks) > 1 and (blocks[1].kind == "heading" or read_heading(blocks[1], aliases) is not None):
        return True
    sections = (h.level for b in blocks[1:] if (h := read_heading(b, aliases)) is not None and h.key is not None)
    return next(sections, None) != level


def _heading_words(block: Block, aliases: Mapping[str, str]) -> str | None:
    """The words of a heading, a bold line or a line that reads as a heading; None for other blocks."""
    if block.kind == "heading" or block.kind == "html" and read_heading(block, aliases) is not None:
        return _words_shown(block)
    if block.kind != "paragraph" or "\n" in block.inline.strip():
        return None
    if _BOLD_LINE.fullmatch(block.inline.strip()):
        return inline_text(block.inline).strip()
    heading = read_heading(block, aliases)
    return heading.text if heading is not None else None


def _shows_no_words(block: Block) -> bool:
    """A rule, an image, a bare address or HTML that shows no text: nothing a title could hide behind."""
    if block.kind == "hr":
        return True
    if block.kind not in ("paragraph", "html"):
        return False
    source = re.sub(r"!\[[^\]]*\]\([^)]*\)|<[^>]*>|https?://\S+", " ", block.source)
    return not source.strip()


def _is_field_label(words: str, in_fields: bool = False, *, heading: bool = False) -> bool:
    """`**Duration:**`, "## Date", "## Owner: @ana": a field's label, with its value or without, is not a title.

    `Incident: …` and `Title: …` are the title's own fields, and a date field that goes on to say
    more ("incident date: 2019-02-20, kubectl logs unavailable") is a dated title. A heading's
    trailing colon is a style ("#Outage of the survey site:"), a bold line's marks a label; in a
    run of fields, any short `Label: value` is one.
    """
    label, colon, value = words.partition(":")
    field = body_label(label)
    if not colon:
        return field not in (None, "title")
    if len(label.split()) > 5:
        return False  # "Queue stalled for an hour after the deploy: …" is a title
    if not value.strip():
        return field is not None or in_fields or not heading
    dated = leading_stamp(value)
    if field in _WHEN_FIELDS and dated is not None and dated[1]:
        return False
    return field not in (None, "title") or in_fields and field is None


_WHEN_FIELDS = frozenset({"date", "started_at", "detected_at", "resolved_at"})


def _says_only_when(words: str) -> bool:
    """A date heading ("## 22/Mar/2022") or a timeline entry's ("### 10:32 UTC alert"): not the incident's name."""
    found = leading_stamp(words)
    return found is not None and (found[0].clock is not None or not found[1])


_BREAK = re.compile(r"<br\s*/?>|\\$|(?<=\S) {2,}$", re.I)


def _lone_first_line(blocks: Sequence[Block], aliases: Mapping[str, str], *, plain: bool = False) -> tuple[str, int] | None:
    """A line standing on its own at the top of a document written without Markdown headings, and its line:
    "Postmortem: Server outage<br>" after a link, a short first line above a bare "Issue Summary" line, and in a
    document of bare lines (`plain`), a first line that is a paragraph of its own ("Billing export failure", then
    a blank line and the prose), in sentence case as in Title Case."""
    for index, block in enumerate(blocks):
        if block.kind not in ("paragraph", "html") or read_heading(block, aliases) is not None:
            return None
        lines = block.source.split("\n")
        for offset, raw in enumerate(lines):
            text = _line_words(raw)
            if not text or re.fullmatch(r"(?:https?://|www\.)\S+", text):
                continue
            if offset + 1 < len(lines):
                ends = _BREAK.search(raw) is not None or _opens_a_part(lines[offset + 1], aliases)
            else:
                after = blocks[index + 1] if index + 1 < len(blocks) else None
                ends = after is None or after.kind != "paragraph" or read_heading(after, aliases) is not None \
                    or _opens_a_part(after.source.split("\n")[0], aliases) or plain and len(lines) == 1
            return (text, block.start + offset) if ends and _reads_as_a_title(text, aliases) else None
    return None


def _line_words(raw: str) -> str:
    return inline_text(_BREAK.sub("", raw.strip())).strip()


def _opens_a_part(raw: str, aliases: Mapping[str, str]) -> bool:
    """A line after which a title line stands alone: a break, a bare section heading, a `Label:` line."""
    text = _line_words(raw)
    return not text or line_heading(text, aliases) is not None or _LABEL_LINE.match(text) is not None


def _reads_as_a_title(line: str, aliases: Mapping[str, str]) -> bool:
    """A short line that is not a sentence, a label, a section's heading or a timeline entry."""
    if len(line.split()) > 15 or line.endswith((".", ",", ";", ":")) or _is_field_label(line):
        return False
    return line_heading(line, aliases) is None and not _says_only_when(line)


def _words_shown(block: Block) -> str:
    """What a heading shows: its Markdown rendered, raw HTML included, as words (`<OrderService>` stays a word)."""
    return text_of(render_markdown(block.source)) if block.kind == "html" else inline_text(block.inline)


def _comparable(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _settle_title(
    meta: Metadata, document: Document, parts: Sequence[_Part], offered: _BodyTitle, problems: list[Diagnostic]
) -> str:
    """The incident's title, as a reviewer names it.

    In order: the front-matter title; a `Title:` or `Incident:` field in the body; the incident's
    own heading, or a line standing alone at the top; a sentence of the summary, impact or root
    cause, then of any section. A generic title is replaced so (`generic-title`) and kept when
    nothing names the incident better; the file name is the title of an empty document only.

    The title's origin is the heading or line it was read from (the incident's own heading under
    a generic one), so that `migrate` keeps that heading where it is read as the title again.
    """
    written = str(meta.values.get("title") or "")
    origin = meta.origins.get("title")
    stated = written if origin is not None and origin.how == "front-matter" else ""
    sentences = (_first_clause(parts, keys, labelled=labelled) for keys, labelled in
                 ((_SUMMARY_KEYS, False), ((*_SUMMARY_KEYS, *_OTHER_KEYS), True)))
    named = inline_text(str(meta.values.get("name") or ""))
    field = named if _labelled_as_the_title(meta, document) else ""
    title = (_first_specific([stated, field]) or _from_the_body(meta, offered)
             or _first_specific(chain([named], sentences)))
    if written and is_generic(clean_title(written)):
        line = origin.line if origin else None
        if title:
            problems.append(diag.info(
                "generic-title", f"the title {written.strip()!r} says nothing about the incident; it is shown as "
                f"{title!r} — give the document a title that names what broke", document.source, line))
            return title
        problems.append(diag.info(
            "generic-title", f"the title {written.strip()!r} says nothing about the incident; "
            "give the document a title that names what broke", document.source, line))
        return clean_title(written)
    return title or clean_title(_first_words(parts) or title_from_file_name(document.rel.name))


_TITLE_LABEL = re.compile(r"^[\W_]*(?:incident(?:\s+(?:title|name))?|title|subject)[\W_]*(?::|\||$)", re.I)


def _labelled_as_the_title(meta: Metadata, document: Document) -> bool:
    """Whether the body's name for the incident is labelled `Title`, `Incident` or `Subject`; a bare `Name` may
    be a person's, in a list of who was on call, and comes after the incident's own heading."""
    origin = meta.origins.get("name")
    lines = document.body.split("\n")
    index = origin.line - document.body_line if origin is not None and origin.line is not None else -1
    return 0 <= index < len(lines) and _TITLE_LABEL.match(lines[index].strip()) is not None


def _from_the_body(meta: Metadata, offered: _BodyTitle) -> str:
    """The incident's own heading or a line standing alone, cleaned, when it names the incident.

    The title's origin becomes that heading or line; its value in `meta` stays the title as written.
    """
    for how, text, line in (("heading", offered.heading, offered.heading_line),
                            ("line", offered.first_line, offered.first_line_number)):
        title = _first_specific([text])
        if title:
            origin = meta.origins.get("title")
            if line is not None and (origin is None or origin.line != line):
                meta.origins["title"] = Origin("title", how, line)
            return title
    return ""


def _first_specific(candidates: Iterable[str]) -> str:
    """The first candidate that, cleaned, names the incident; a generator's are worked out only as far as needed."""
    for candidate in candidates:
        title = clean_title(candidate) if candidate else ""
        if title and not is_generic(title):
            return title
    return ""


_SUMMARY_KEYS = ("summary", "impact", "root_cause", PREAMBLE, "other")
_OTHER_KEYS = ("trigger", "fault", "detection", "response", "resolution", "lessons", "related")
_LABEL_LINE = re.compile(r"^(?P<label>[^:]{1,40}):\s*$|^(?P<name>[^:]{1,30}):\s+(?P<value>\S.*)$")


def _first_clause(parts: Sequence[_Part], keys: Sequence[str] = _SUMMARY_KEYS, *, labelled: bool = False) -> str:
    """The first sentence of prose in the sections under `keys`, in that order, that says more than when.

    `Label: value` lines are skipped, or with `labelled` read for their value when the label
    names no field (`**Problem:** users could not log in`, not `**Duration:** 2h`).
    """
    for key in keys:
        for part in parts:
            if part.section.key != key:
                continue
            for text in _texts(part):
                title = _sentence_title(text, labelled)
                if title:
                    return title
    return ""


def _texts(part: _Part) -> Iterable[str]:
    for block in part.blocks:
        if block.kind == "list":
            yield from (item.text for item in block.items)
        elif block.kind == "paragraph":
            yield from block.source.split("\n\n")


def _sentence_title(text: str, labelled: bool) -> str:
    """A title from one paragraph or list item, past a line above it that names nothing ("POSTMORTEM").

    A first line of fewer than four words that is no label ("- duration" over its value) is not a sentence.
    """
    lines = text.strip().split("\n")
    while lines and is_generic(clean_title(inline_text(lines[0]))):
        lines.pop(0)
    first = inline_text(lines[0]).strip() if lines else ""
    label = _LABEL_LINE.match(first)
    if label is None:
        return title_from_text("\n".join(lines)) if len(first.split()) >= 4 else ""
    name = label.group("label") or label.group("name")
    if not labelled or body_label(name) is not None:
        return ""  # `Duration: 2h`, `Start time:` over its value
    return title_from_text("\n".join([label.group("value") or "", *lines[1:]]))


def _first_words(parts: Sequence[_Part]) -> str:
    """The first line of text anywhere in the document: its title when nothing else names it."""
    for part in parts:
        for line in part.section.text.split("\n"):
            words = inline_text(line).strip()
            if clean_title(words):
                return words
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
    days = [day for p in explicit if (day := p.event.at.date() if p.event.at else p.event.day) is not None]
    if not days:
        return None, None
    first = next(p.event for p in explicit if p.event.time or p.event.at or p.event.day)
    if first.at is None and first.day is None:
        return (dt.date.min + _ONE_DAY, max(days)), None  # an undated first time: the first day is not known
    window = main_window(explicit, anchored)
    if window:
        return (min(days), max(days)), (window[0].at.date(), window[0].placed.event.line)
    # No event has an instant: the days are those written with a date alone.
    first_dated = next(((p.event.day, p.event.line) for p in explicit if p.event.day is not None), None)
    return (min(days), max(days)), first_dated


# --- sections ----------------------------------------------------------------

def _preamble_key(raws: Sequence[RawSection], zones: Zones) -> str:
    """What the text before the first heading is: the summary, when the document has none and it holds prose;
    otherwise the preamble (a note, a byline, an image, a table of facts), which stays first all the same."""
    if any(raw.key == "summary" for raw in raws):
        return PREAMBLE
    opening = next((raw for raw in raws if not raw.key), None)
    return "summary" if opening is not None and is_prose(opening.blocks, zones) else PREAMBLE


def _beside_the_name(sections: list[Section], title: Origin | None) -> list[Section]:
    """The heading the incident's name was read from, left in the body, names the document: the sections written
    under it stand beside it, as they would had it been written at their level (or taken out as the title)."""
    if title is None or title.how != "heading":
        return sections
    at = next((n for n, s in enumerate(sections) if s.line == title.line and s.key == "other" and s.children), None)
    if at is None:
        return sections
    named = sections[at]
    bare = replace(named, children=(), text_with_children="")
    return [*sections[:at], bare, *named.children, *sections[at + 1 :]]


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
    lines, labelled = own_lines(raw, body_lines, body_line, end)
    text = dedent_after_label(lines, labelled)
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
    # With the label, which may itself be metadata ("Time to repair: 0h 16m").
    raw_text = "\n".join(body_lines[raw.body_start - body_line : raw.body_end - body_line])
    lines, label_leaves_text = own_lines(raw, body_lines, body_line)  # "**Impact:** text" rather than "**Impact:**" alone
    lines, first_line = without_blank_ends(lines, raw.body_start)
    text = dedent_after_label(lines, label_leaves_text)
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
    section = Section(key, raw.heading, raw.line, shown, html, not is_unfilled(text), first_line + leading_blank_lines,
                      prompts=_prompts(text))
    raw_parsed = whole.between(raw.body_start - body_line, raw.body_end - body_line)
    raw_blocks = tuple(parse_blocks(document.body, body_line, raw_parsed, body_lines, plain=plain)) if raw_parsed is not None else None
    return _Part(section, blocks, raw_text, raw.body_start, raw_blocks, plain)


def _prompts(text: str) -> tuple[str, ...]:
    """The guidance of the template notes in a text: `!!Describe the impact!!` → "Describe the impact"."""
    return tuple(guidance for note in TEMPLATE_NOTE.findall(text) if (guidance := " ".join(note[2:-2].split())))


def remove_template_notes_keeping_lines(text: str) -> str:
    """Drop `!!…!!` template notes but keep line count, so line numbers stay true."""
    return TEMPLATE_NOTE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


_APP_LINK = re.compile(r"(@?)\[([^\[\]]*)\]\((?!https?:|mailto:|tel:|ftp:|[./#]|[\w-]+(?:[./][^)]*)?\))[\w+.-]+:[^)]*\)")


def _without_app_links(text: str) -> str:
    """`@[Ana](mention://…)` → `@Ana`: links into an app the reader cannot open keep only their words."""
    return _APP_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}", text)


def _unread_front_matter_section(document: Document) -> Section:
    text = f"```yaml\n{document.unread_front_matter}\n```"
    return Section("other", "Front-matter (not read)", document.front_matter_line or 1, text, render_markdown(text))


def _placeholder_problems(parts: Sequence[_Part], source: str) -> list[Diagnostic]:
    problems = []
    for part in parts:
        statuses: Counter[int] | None = None  # "TODO" in an action item's status cell is its status: found when needed
        for line, found in placeholder_lines(part.raw_text, part.raw_line):
            if found.casefold() in ("todo", "to do"):
                if statuses is None:
                    statuses = status_placeholders(part.raw_blocks(), any_table=part.section.key == "action_items")
                if statuses[line] > 0:
                    statuses[line] -= 1
                    continue
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


def _action_items(parts: Sequence[_Part], raw_sections: Sequence[RawSection]) -> list[ActionItem]:
    """Every action item in the author's order: those of the action-items sections, and the rows of tables of action
    items under other headings (a timeline's table holds events, whatever its columns)."""
    items: list[ActionItem] = []
    for part, raw in zip(parts, raw_sections, strict=True):
        if part.section.key == "action_items":
            above = raw_sections[raw.parent] if raw.parent is not None else None
            group = _group_name(raw.heading) if above is not None and above.key == "action_items" else None
            items += items_from_blocks(part.blocks, group)
        elif part.section.key != "timeline":
            items += items_from_tables(part.blocks)
    return items


def _group_name(heading: str) -> str | None:
    """What a part of the action items is called: its heading, less the name of the section it is a part of
    ("Action items (Short term)", as `hindsite migrate` writes "Short term", is "Short term")."""
    label = re.escape(SECTION_LABELS["action_items"])
    noted = re.fullmatch(rf"{label}\s*\((.+)\)", heading.strip(), re.I | re.S)
    return (noted.group(1) if noted else heading).strip().rstrip(":").strip() or None


#: The parts whose prose may state the incident's date, times and length.
_PROSE = ("summary", "impact", "other", PREAMBLE, CLOSING)


def _passages(parts: Sequence[_Part]) -> list[tuple[str, int]]:
    """The prose sections' texts, each with the file line it starts on."""
    return [(p.section.text, p.section.body_line or p.section.line) for p in parts if p.section.key in _PROSE]


def _prose(parts: Sequence[_Part]) -> str:
    return "\n\n".join(p.section.text for p in parts if p.section.key in _PROSE)


def _title_said(meta: Metadata, title: str, offered: _BodyTitle) -> tuple[str, ...]:
    """The titles a summary paragraph must not merely repeat: one stated (front-matter, a heading, a lone first
    line), not one made from the summary itself, and the line the title was read from where it stays in the body."""
    return (title, *_title_line_in_the_body(meta, offered)) if "title" in meta.origins else ()


def _title_line_in_the_body(meta: Metadata, offered: _BodyTitle) -> tuple[str, ...]:
    """The line the title was read from when it stays in the body as a paragraph (a lone first line)."""
    origin = meta.origins.get("title")
    return (offered.first_line,) if offered.first_line and origin is not None and origin.how == "line" else ()


def _summary_from(sections: Sequence[Section], zones: Zones, titles: Sequence[str] = ()) -> str:
    """The first paragraph of prose of the summary, as plain text.

    A section headed as a summary ("Summary", "Executive summary", "TL;DR") gives it before one headed
    as background ("Background", "Context", "Overview"); the first paragraph that is not a note (a
    byline, `Date: …` lines) nor the title line left in the body is its summary, or the first paragraph when
    all are such.
    """
    named = {_comparable(title) for title in titles if title}
    summaries = [every for top in sections for every in top.walk() if every.key == "summary" and every.html]
    summaries.sort(key=lambda section: not _says_summary(section.heading))  # stable: the author's order otherwise
    for section in summaries:
        paragraphs = [text_of(match) for match in re.findall(r"<p>(.*?)</p>", section.html, re.S)]
        if paragraphs:
            prose = (w for w in paragraphs if not is_note_paragraph(w, zones) and _comparable(w) not in named)
            return next(prose, paragraphs[0])
    return ""


_SAYS_SUMMARY = re.compile(r"\bsummary\b|\btl\W{0,2}dr\b", re.I)
#: The canonical heading `migrate` writes over a section whose author headed it otherwise: "Summary (Overview)".
_LABELLED_AS_SUMMARY = re.compile(rf"\s*{re.escape(SECTION_LABELS['summary'])}\s*\((.*)\)\s*", re.I | re.S)


def _says_summary(heading: str) -> bool:
    """Whether a heading names a summary: the author's own words do, under migrate's label as well ("Summary (Issue
    Summary)" does, "Summary (Overview)" does not), so a migrated document gives the summary it gave before."""
    labelled = _LABELLED_AS_SUMMARY.fullmatch(heading)
    return bool(_SAYS_SUMMARY.search(labelled.group(1) if labelled else heading))
