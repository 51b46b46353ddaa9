"""The canonical document: front-matter, then the sections under canonical headings in canonical order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ...core import diagnostics as diag
from ...core.config import SiteConfig
from ...core.diagnostics import Diagnostic
from ...core.model import CLOSING, PREAMBLE, SECTION_LABELS, Incident, Section, in_page_order
from ...normalise import (
    Block,
    Heading,
    WrittenSection,
    heading_words,
    is_timestamp_heading,
    label_heading,
    normalise,
    parse_blocks,
    read_heading,
    section_key,
    written_sections,
)
from ...read.files import Document, split_front_matter
from .body import actions_body, timeline_body, without_marker
from .doubts import doubt_refusal
from .front_matter import ambiguous_keys, front_matter, front_matter_block, worked_out
from .kept import unkept
from .record import REWRITTEN, differences

# --- the canonical document ---------------------------------------------------

@dataclass(frozen=True, slots=True)
class Layout:
    """One way of writing a document, among those migrate tries (`LAYOUTS`, `FORCED_LAYOUTS`).

    Sections whose key is in `as_written` keep their layout (a timeline that
    cannot be rewritten without changing its events, say); the others'
    timelines and action items are rewritten. With `dates_alone` false, an
    event written as a date alone gets its midnight and zone written out, as
    the normaliser read them. The front-matter gains what the document states
    and, with `derived`, what hindsite worked out from it as well, as if the
    document stated it. With `title_up`, a title heading moves into the
    front-matter; without it, it stays a heading. With `days`, every event
    gets its day written out; without it, only where the document states
    the incident's date or the event's line writes a day. `derived` and
    `days` are for `--force` only.
    """

    as_written: frozenset[str] = frozenset()
    dates_alone: bool = True
    derived: bool = False
    title_up: bool = True
    days: bool = False


def canonical_markdown(
    document: Document, incident: Incident, config: SiteConfig, layout: Layout = Layout()
) -> str | None:
    """The canonical form of `document`, which normalised to `incident`; None when its sections cannot be found again."""
    found = written_sections(document, incident, config.section_aliases)
    if found is None:
        return None
    parts, title_block = found.sections, found.title_block
    parents = [part.parent for part in parts]
    bodies = [_body(part, incident, layout) for part in parts]
    if any(body is None for body in bodies):
        return None
    depths = _depths(parents)
    level = _section_level([(body, depth) for body, depth in zip(bodies, depths, strict=True) if body])
    if level + max(depths, default=0) > 6:
        return None  # sub-sections nested deeper than Markdown's six heading levels
    # The heading the title came from moves into the front-matter, in the author's characters; a heading kept in the
    # body is read as the title again.
    titled = title_block is not None and layout.title_up and _title_origin(incident) == "heading"
    fields = front_matter(incident, derived=layout.derived)
    if titled and title_block is not None:
        fields = {"title": title_as_written(title_block), **fields}
    elif layout.title_up and _title_origin(incident) == "line" and "title" not in fields:
        fields = {"title": incident.title_as_written or incident.title, **fields}  # stated, as the lone line stated it
    written = [front_matter_block(document, fields, ambiguous_keys(document, incident))]
    if title_block is not None and not titled:
        written.append(title_block.source)
    children: dict[int, list[int]] = {}
    for index, parent in enumerate(parents):
        if parent is not None:
            children.setdefault(parent, []).append(index)
    top = {id(parts[n].section): n for n, parent in enumerate(parents) if parent is None}
    masthead = _masthead(parts, incident)
    reported = [top[id(section)] for section in in_page_order([parts[n].section for n in top.values()])]
    # The preamble first, then the sections up to the one the title is read from, then the rest in page order.
    order = sorted(reported, key=lambda n: 0 if _unheaded(parts[n]) and parts[n].section.key == PREAMBLE
                   else 1 if parts[n].section.line in masthead else 2)
    lines = document.body.split("\n")

    def write(index: int, depth: int) -> None:
        part, body = parts[index], bodies[index]
        unheaded = _unheaded(part)
        heading = "" if unheaded else f"{'#' * (level + depth)} {section_heading(part.section, config.section_aliases)}"
        if part.section.line in masthead and part.first_line > part.section.line:  # a heading line of its own
            heading = _masthead_heading(lines[part.section.line - document.body_line].strip(),
                                        part.section.line == _title_heading_line(incident), level + depth)
        body = _escaped(body or "", None if unheaded else part.section.key, level + depth, config.section_aliases)
        written.append("\n\n".join(text for text in (heading, body) if text))
        for child in children.get(index, ()):
            write(child, depth + 1)

    for index in order:
        write(index, 0)
    return "\n\n".join(text for text in written if text).rstrip("\n") + "\n"


def _depths(parents: Sequence[int | None]) -> list[int]:
    depths: list[int] = []
    for parent in parents:
        depths.append(0 if parent is None else depths[parent] + 1)
    return depths


def _title_origin(incident: Incident) -> str | None:
    return next((o.how for o in incident.origins if o.field == "title"), None)


_HTML_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.I | re.S)


def title_as_written(block: Block) -> str:
    """A title heading's text in the author's characters, less what makes it a heading: `#` marks, `<h1>`, enclosing `**`."""
    if block.kind == "html":
        match = _HTML_HEADING.match(block.source)
        text = match.group(2) if match else block.source
    elif block.kind == "paragraph":
        text = re.sub(r"^#+", "", block.inline.strip())  # `#Title`, written without a space
        enclosed = re.fullmatch(r"(\*\*|__)(.+?)\1", text.strip(), re.S)
        text = enclosed.group(2) if enclosed else text
    else:
        text = block.inline
    return " ".join(text.split())


def _unheaded(part: WrittenSection) -> bool:
    """The preamble (text before the first heading that is not the summary) and the closing remarks have no heading
    to go under: the preamble stays first, the closing last (`model.in_page_order`)."""
    return part.section.key in (PREAMBLE, CLOSING)


def _masthead(parts: Sequence[WrittenSection], incident: Incident) -> set[int]:
    """The lines of the unrecognised sections up to the one whose heading the title was read from, when the
    title comes from a heading left in the body (the incident's own, under an archive-wide "# Postmortems"): they
    stay first, in their order and under their headings as written (`**Instruction:**` stays a label), so that the
    heading is read as the title again."""
    title_line = _title_heading_line(incident)
    lines = [part.section.line for part in parts]
    if title_line not in lines:
        return set()
    return {part.section.line for part in parts[: lines.index(title_line) + 1] if part.section.key == "other"}


def _title_heading_line(incident: Incident) -> int | None:
    return next((o.line for o in incident.origins if o.field == "title" and o.how == "heading"), None)


def _masthead_heading(written: str, is_title: bool, level: int) -> str:
    """A masthead section's heading as written; the title's, when it is at the level the sections are written at,
    one level above them, so that it is read again as the document's name rather than a part beside them."""
    marks = re.match(r"#{1,6}(?=\s)", written)
    if is_title and marks is not None and len(marks.group()) == level > 1:
        return "#" * (level - 1) + written[level:]
    return written


def _body(part: WrittenSection, incident: Incident, layout: Layout) -> str | None:
    key = part.section.key
    if key not in REWRITTEN or key in layout.as_written:
        return part.written
    if key == "timeline":
        # The day an event's line does not write comes from the incident's date; written on the line, a date hindsite
        # worked out (from prose, the title, the file name) would read as stated.
        days = layout.days or "date" not in worked_out(incident)
        return timeline_body(part, {e.line: e for e in incident.timeline}, layout.dates_alone, days)
    return actions_body(part, {a.line: a for a in incident.action_items})


def section_heading(section: Section, aliases: Mapping[str, str] | None = None) -> str:
    """The heading a section is written under.

    A recognised section gets its canonical label; when the author's heading
    says more ("Where we got lucky", "Timeline (PST)"), it is kept after the
    label in parentheses, which the normaliser ignores when it matches headings.
    A section hindsite does not recognise keeps its own heading.
    """
    written = section.heading.strip()
    if section.key == "other":
        if written and section_key(written, aliases) is None and not is_timestamp_heading(written):
            return written
        return f"{SECTION_LABELS['other']} ({written})" if written else SECTION_LABELS["other"]
    label = SECTION_LABELS[section.key]
    written = written.rstrip(":").strip()
    noted = re.fullmatch(rf"{re.escape(label)}\s*(\(.*\))", written, re.I | re.S)
    if not written:
        candidate = label
    elif noted:
        candidate = f"{label} {noted.group(1)}"  # already canonical
    elif heading_words(written) == heading_words(label):
        note = re.search(r"\(.*\)", written)  # "Timeline (PST)": the zone stays with the heading
        candidate = f"{label} {note.group(0)}" if note else label
    else:
        candidate = f"{label} ({written})"
    return candidate if section_key(candidate, aliases) == section.key else label


def _section_level(bodies: Iterable[tuple[str, int]]) -> int:
    """The level of top-level headings: `##`, unless a section keeps a sub-heading that would then open a section
    of its own (a `##` inside a top-level section, a `###` inside a sub-section).

    `bodies` are the sections' texts, each with its depth.
    """
    inner = [
        heading.level - depth for body, depth in bodies for block in parse_blocks(body, plain=False)  # the new document is Markdown
        if block.kind in ("heading", "html") and (heading := read_heading(block)) is not None and heading.level <= 6
    ]
    return max(1, min([2, *(level - 1 for level in inner)]))


_EMPHASISED_LABEL = re.compile(r"^(\s*(?:(?:[-*+]|\d{1,9}[.)])\s+)?(?:\[[ xX]\]\s*)?)(\*\*|__)([^*_\n]{1,60}?)\2:")


def _escaped(body: str, key: str | None, level: int, aliases: Mapping[str, str]) -> str:
    """The body with a backslash before what would now open a section, though it did not where it was written.

    A line cut from a longer paragraph (`#Postmortem` above the first heading)
    or a nested list moved left under its new heading (`- **Resolution**: …`)
    reads differently on its own; the escape keeps every word and the page the same.
    """
    lines = body.split("\n")
    for block in parse_blocks(body, plain=False):  # as the new document, Markdown, will read it
        heading = read_heading(block, aliases) if block.kind == "paragraph" else None
        if heading is not None and block.source.lstrip().startswith("#") and _opens(heading, key, level):
            at = block.start - 1
            lines[at] = re.sub(r"^(\s*)#", r"\1\\#", lines[at])
        if key in (*REWRITTEN, "lessons", "related"):
            continue  # labels there are content
        starts = [item.line for item in block.items] if block.kind == "list" else (
            range(block.start, block.end) if block.kind == "paragraph" else [])
        for number in starts:
            labelled = label_heading(without_marker(lines[number - 1]), aliases)
            if labelled is not None and labelled[0].key != key:
                lines[number - 1] = _EMPHASISED_LABEL.sub(r"\1\2\3\2\\:", lines[number - 1], count=1)
    return "\n".join(lines)


def _opens(heading: Heading, key: str | None, level: int) -> bool:
    """Whether a heading in a section's text would open a section of its own rather than stay inside it."""
    return key in (None, "other") or heading.key is not None or heading.level <= level


#: Ways of laying out the sections, most canonical first: everything rewritten; a date alone with its midnight written
#: out; the timeline, the action items, or both as written.
_BODIES: tuple[tuple[tuple[str, ...], bool], ...] = (
    ((), True), ((), False), (("timeline",), True), (("action_items",), True), (REWRITTEN, True),
)
#: What migrate tries: each layout of the sections with what the document states added to the front-matter, first
#: with the title heading moved into it, then kept as a heading.
LAYOUTS: tuple[Layout, ...] = tuple(
    Layout(frozenset(as_written), dates_alone, derived=False, title_up=up) for as_written, dates_alone in _BODIES
    for up in (True, False)
)
#: What `--force` tries: each layout with the full front-matter (what was worked out too, as if stated), then with only
#: what the document states (a date worked out from prose, stated up front, can date a line that had no date).
FORCED_LAYOUTS: tuple[Layout, ...] = tuple(
    Layout(frozenset(as_written), dates_alone, derived=full, title_up=full, days=True) for as_written, dates_alone in _BODIES
    for full in (True, False)
)


def migrate_document(document: Document, config: SiteConfig, *, force: bool = False) -> tuple[str, Diagnostic | None]:
    """The canonical text of one document, checked to read back as the same record and to keep the author's text.

    Returns the text, or why there is none. A document whose reading holds a
    doubt is not migrated (`doubt_refusal`), unless `force`. Tries the most
    canonical layout first, then keeps the timeline, the action items, or
    both as written, until one passes (`LAYOUTS`; with `force`,
    `FORCED_LAYOUTS`, which state what was worked out too).
    """
    config = replace(config, redact=False, redact_personal=False)  # migrate rewrites sources: it never masks them
    try:
        incident = normalise(document, config)
    except Exception as exc:  # noqa: BLE001 — one document's trouble is reported, never the run's end
        return "", diag.error("internal-error", f"hindsite could not interpret this document ({type(exc).__name__}: {exc}); "
                              "it was left as it is — please report this", document.source)
    doubt = None if force else doubt_refusal(incident)
    if doubt is not None:
        return "", doubt
    found: list[str] = ["its sections could not be found again"]
    rewritten = ambiguous_keys(document, incident)
    for layout in FORCED_LAYOUTS if force else LAYOUTS:
        text = canonical_markdown(document, incident, config, layout)
        if text is None:
            continue
        migrated = split_front_matter(text, document.source, document.rel)
        found = unkept(document, incident, migrated, rewritten) + differences(incident, normalise(migrated, config))
        if not found:
            return text, None
    return "", diag.error(
        "round-trip",
        f"this document cannot be migrated without changing what hindsite reads from it or what its author wrote ({found[0]}); "
        "it was left as it is — `hindsite inspect` shows how it is read", document.source)
