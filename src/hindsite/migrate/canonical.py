"""The canonical document: front-matter, then the sections under canonical headings in canonical order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .. import diagnostics as diag
from ..config import SiteConfig
from ..diagnostics import Diagnostic
from ..model import SECTION_KEYS, SECTION_LABELS, Incident, Section
from ..normalise import normalise
from ..normalise.blocks import Block, parse_blocks
from ..normalise.sections import (
    Heading,
    RawSection,
    heading_words,
    is_timestamp_heading,
    label_heading,
    read_heading,
    section_key,
    split_sections,
)
from ..read import Document, split_front_matter
from .body import Part, actions_body, timeline_body, without_marker
from .front_matter import ambiguous_keys, front_matter, front_matter_block
from .kept import unkept
from .record import REWRITTEN, differences

# --- the canonical document ---------------------------------------------------

@dataclass(frozen=True, slots=True)
class Layout:
    """One way of writing a document, among those migrate tries (`LAYOUTS`).

    Sections whose key is in `as_written` keep their layout (a timeline that
    cannot be rewritten without changing its events, say); the others'
    timelines and action items are rewritten. With `dates_alone` false, an
    event written as a date alone gets its midnight and zone written out, as
    the normaliser read them. With `full_front_matter` false, the front-matter
    states only what the document states (a title heading stays a heading,
    and what was worked out from prose or the timeline is left to them).
    """

    as_written: frozenset[str] = frozenset()
    dates_alone: bool = True
    full_front_matter: bool = True


def canonical_markdown(
    document: Document, incident: Incident, config: SiteConfig, layout: Layout = Layout()
) -> str | None:
    """The canonical form of `document`, which normalised to `incident`; None when its sections cannot be found again."""
    found = _parts(document, incident, config.section_aliases)
    if found is None:
        return None
    parts, title_block = found
    bodies = [_body(part, incident, layout) for part in parts]
    if any(body is None for body in bodies):
        return None
    level = _section_level(body for body in bodies if body)
    order = {key: n for n, key in enumerate(SECTION_KEYS)}
    masthead = _masthead(parts, incident)
    placed = sorted(zip(parts, bodies), key=lambda pair: -2 if _stays_on_top(pair[0])
                    else -1 if pair[0].section.line in masthead else order[pair[0].section.key])
    # The heading the title came from moves into the front-matter, in the author's characters; a heading kept in the
    # body is read as the title again.
    titled = title_block is not None and layout.full_front_matter and _title_origin(incident) == "heading"
    fields = front_matter(incident, derived=layout.full_front_matter)
    if titled and title_block is not None:
        fields = {"title": title_as_written(title_block), **fields}
    written = [front_matter_block(document, fields, ambiguous_keys(document, incident))]
    if title_block is not None and not titled:
        written.append(title_block.source)
    lines = document.body.split("\n")
    for part, body in placed:
        on_top = _stays_on_top(part)
        heading = "" if on_top else f"{'#' * level} {section_heading(part.section, config.section_aliases)}"
        if part.section.line in masthead and part.first_line > part.section.line:  # a heading line of its own
            heading = _masthead_heading(lines[part.section.line - document.body_line].strip(),
                                        part.section.line == _title_heading_line(incident), level)
        body = _escaped(body or "", None if on_top else part.section.key, level, config.section_aliases)
        written.append("\n\n".join(text for text in (heading, body) if text))
    return "\n\n".join(text for text in written if text).rstrip("\n") + "\n"


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


def _masthead(parts: Sequence[Part], incident: Incident) -> set[int]:
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


def _stays_on_top(part: Part) -> bool:
    """Text before the first heading that is not the summary: it has no heading to go under, so it stays first."""
    return part.is_preamble and part.section.key == "other"


def _parts(
    document: Document, incident: Incident, aliases: Mapping[str, str]
) -> tuple[list[Part], Block | None] | None:
    """The incident's sections with their text as written, found by splitting the body as the normaliser did.

    The opening heading may have been taken as the title (it is returned
    beside the sections, or None); the split whose sections start on the
    incident's lines is the one the normaliser made.
    """
    lines = document.body.split("\n")
    blocks = parse_blocks(document.body, document.body_line)
    wanted = [s.line for s in incident.sections]
    for skip in (0, 1):
        raw = split_sections(blocks[skip:], lines, document.body_line, aliases)
        if [r.line for r in raw] == wanted:
            parts = [_part(r, s, lines, document.body_line) for r, s in zip(raw, incident.sections, strict=True)]
            return parts, blocks[0] if skip else None
    return None


def _part(raw: RawSection, section: Section, lines: Sequence[str], body_line: int) -> Part:
    """The lines of one section as the normaliser cuts them, before it removes template notes."""
    taken = list(lines[raw.body_start - body_line : raw.body_end - body_line])
    labelled = False
    if raw.label_cut and taken:
        taken[0] = taken[0][raw.label_cut :].strip()
        labelled = bool(taken[0])
    first = raw.body_start
    while taken and not taken[0].strip():
        taken.pop(0)
        first += 1
    while taken and not taken[-1].strip():
        taken.pop()
    text = _dedent(taken, labelled)
    # Lines under a labelled list item (`- **Impact:** …`, `* 🥏 Impact`) move left with it; others keep
    # their indentation, which may make them code, as it did where they were written.
    return Part(section, text if raw.label_cut else "\n".join(taken), text, first, is_preamble=not raw.key)


def _dedent(lines: list[str], labelled: bool) -> str:
    """Common indentation removed; after a label the first line is already flush, so the rest is measured alone."""
    rest = lines[1:] if labelled and lines else lines
    cut = min((len(line) - len(line.lstrip(" ")) for line in rest if line.strip()), default=0)
    return "\n".join(([lines[0]] if labelled and lines else []) + [line[cut:] for line in rest])


def _body(part: Part, incident: Incident, layout: Layout) -> str | None:
    key = part.section.key
    if key not in REWRITTEN or key in layout.as_written:
        return part.written
    if key == "timeline":
        return timeline_body(part, {e.line: e for e in incident.timeline}, layout.dates_alone)
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


def _section_level(bodies: Iterable[str]) -> int:
    """`##`, unless a section keeps a sub-heading of level 2, which would then open a section of its own."""
    inner = [
        heading.level for body in bodies for block in parse_blocks(body)
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
    for block in parse_blocks(body):
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


#: What to try, most canonical first: each way of laying out the sections, with the full front-matter and then with
#: only what the document states (a date worked out from prose, stated up front, can date a line that had no date).
_BODIES: tuple[tuple[tuple[str, ...], bool], ...] = (
    ((), True), ((), False), (("timeline",), True), (("action_items",), True), (REWRITTEN, True),
)
LAYOUTS: tuple[Layout, ...] = tuple(
    Layout(frozenset(as_written), dates_alone, full) for as_written, dates_alone in _BODIES for full in (True, False)
)


def migrate_document(document: Document, config: SiteConfig) -> tuple[str, Diagnostic | None]:
    """The canonical text of one document, checked to read back as the same record and to keep the author's text.

    Returns the text, or why there is none. Tries the most canonical layout
    first, then keeps the timeline, the action items, or both as written, each
    with the full front-matter and then with what the document states, until
    one passes (`LAYOUTS`).
    """
    config = replace(config, redact=False, redact_personal=False)  # migrate rewrites sources: it never masks them
    try:
        incident = normalise(document, config)
    except Exception as exc:  # noqa: BLE001 — one document's trouble is reported, never the run's end
        return "", diag.error("internal-error", f"hindsite could not interpret this document ({type(exc).__name__}: {exc}); "
                              "it was left as it is — please report this", document.source)
    found: list[str] = ["its sections could not be found again"]
    rewritten = ambiguous_keys(document, incident)
    for layout in LAYOUTS:
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
