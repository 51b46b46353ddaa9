"""Legacy postmortems → canonical hindsite Markdown (`hindsite migrate`).

The canonical form states in YAML front-matter everything the normaliser
found; puts every section under its canonical heading, in canonical order;
writes the timeline as `- 2024-03-14 14:05 UTC — text` items and action items
as a checklist. It is cut from the document's own lines, so nothing the author
wrote is lost, and it is checked before it is used: the migrated text must
normalise to the same record (`differences`, docs/migrate.md), or the
document is left as it is.

`canonical_markdown`, `differences`, `unified_diff` and `summary` are pure;
`migrate_paths` reads documents and `write_migration` replaces one file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from . import diagnostics as diag
from .config import SiteConfig
from .diagnostics import Diagnostic, Level
from .model import SECTION_KEYS, SECTION_LABELS, ActionItem, Incident, Section, TimelineEvent, minutes_between
from .normalise import normalise
from .normalise.blocks import Block, parse_blocks
from .normalise.sections import (
    Heading,
    RawSection,
    heading_words,
    is_timestamp_heading,
    label_heading,
    read_heading,
    section_key,
    split_sections,
)
from .normalise.timeline import events_from_blocks, split_leading_time
from .normalise.times import LONG_ZONES, ZONES
from .read import Document, SourceFile, decode, discover, read_document, split_front_matter

#: Sections whose layout migrate rewrites; every other section keeps its text as written.
REWRITTEN = ("timeline", "action_items")


# --- the canonical document ---------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Part:
    """A section with its body as written, template notes and app links kept.

    `written` is the document's lines (less a label that opened the section);
    `text` is what the normaliser reads, with the common indentation removed.
    """

    section: Section
    written: str
    text: str
    first_line: int  # the file line both start on

    @property
    def is_preamble(self) -> bool:
        return not self.section.heading


def canonical_markdown(
    document: Document, incident: Incident, config: SiteConfig, *, as_written: Iterable[str] = (), dates_alone: bool = True
) -> str | None:
    """The canonical form of `document`, which normalised to `incident`; None when its sections cannot be found again.

    Sections whose key is in `as_written` keep their layout (a timeline that
    cannot be rewritten without changing its events, say); the others'
    timelines and action items are rewritten. With `dates_alone` false, an
    event written as a date alone gets its midnight and zone written out, as
    the normaliser read them.
    """
    parts = _parts(document, incident, config.section_aliases)
    if parts is None:
        return None
    keep = frozenset(as_written)
    bodies = [_body(part, incident, keep, dates_alone) for part in parts]
    if any(body is None for body in bodies):
        return None
    level = _section_level(body for body in bodies if body)
    order = {key: n for n, key in enumerate(SECTION_KEYS)}
    placed = sorted(zip(parts, bodies), key=lambda pair: -1 if _stays_on_top(pair[0]) else order[pair[0].section.key])
    written = [_front_matter_block(front_matter(incident))]
    for part, body in placed:
        on_top = _stays_on_top(part)
        heading = "" if on_top else f"{'#' * level} {section_heading(part.section, config.section_aliases)}"
        body = _escaped(body or "", None if on_top else part.section.key, level, config.section_aliases)
        written.append("\n\n".join(text for text in (heading, body) if text))
    return "\n\n".join(written).rstrip("\n") + "\n"


def _stays_on_top(part: _Part) -> bool:
    """Text before the first heading that is not the summary: it has no heading to go under, so it stays first."""
    return part.is_preamble and part.section.key == "other"


def _parts(document: Document, incident: Incident, aliases: Mapping[str, str]) -> list[_Part] | None:
    """The incident's sections with their text as written, found by splitting the body as the normaliser did.

    The opening heading may have been taken as the title; the split whose
    sections start on the incident's lines is the one the normaliser made.
    """
    lines = document.body.split("\n")
    blocks = parse_blocks(document.body, document.body_line)
    wanted = [s.line for s in incident.sections]
    for skip in (0, 1):
        raw = split_sections(blocks[skip:], lines, document.body_line, aliases)
        if [r.line for r in raw] == wanted:
            return [_part(r, s, lines, document.body_line) for r, s in zip(raw, incident.sections, strict=True)]
    return None


def _part(raw: RawSection, section: Section, lines: Sequence[str], body_line: int) -> _Part:
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
    return _Part(section, text if raw.label_cut else "\n".join(taken), text, first)


def _dedent(lines: list[str], labelled: bool) -> str:
    """Common indentation removed; after a label the first line is already flush, so the rest is measured alone."""
    rest = lines[1:] if labelled and lines else lines
    cut = min((len(line) - len(line.lstrip(" ")) for line in rest if line.strip()), default=0)
    return "\n".join(([lines[0]] if labelled and lines else []) + [line[cut:] for line in rest])


def _body(part: _Part, incident: Incident, as_written: frozenset[str], dates_alone: bool) -> str | None:
    key = part.section.key
    if key not in REWRITTEN or key in as_written:
        return part.written
    if key == "timeline":
        return _timeline_body(part, {e.line: e for e in incident.timeline}, dates_alone)
    return _actions_body(part, {a.line: a for a in incident.action_items})


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
            labelled = label_heading(_without_marker(lines[number - 1]), aliases)
            if labelled is not None and labelled[0].key != key:
                lines[number - 1] = _EMPHASISED_LABEL.sub(r"\1\2\3\2\\:", lines[number - 1], count=1)
    return "\n".join(lines)


def _opens(heading: Heading, key: str | None, level: int) -> bool:
    """Whether a heading in a section's text would open a section of its own rather than stay inside it."""
    return key in (None, "other") or heading.key is not None or heading.level <= level


def _without_marker(line: str) -> str:
    return line.strip()[len(_marker(line)) :].strip()


# --- front-matter --------------------------------------------------------------

def front_matter(incident: Incident) -> dict[str, Any]:
    """Every field the normaliser found, under hindsite's own names, then the fields it kept as written.

    When the timeline gave the date and some of its events have a clock time
    but no date, the date and times are left for the timeline to give again:
    stated up front, they would date those events too.
    """
    origins = {o.field: o.how for o in incident.origins}
    dateless = origins.get("date") == "timeline" and any(e.at is None and e.time is not None for e in incident.timeline)
    implied = _left_implied(incident, origins)
    fields: dict[str, Any] = {
        # The title as written, so the page shows it as before; one hindsite made up is made up again, the same way.
        "title": (incident.title_as_written or incident.title) if "title" in origins else None,
        "date": None if dateless else _iso(incident.date),
        "severity": incident.severity,
        "services": [*incident.services, *incident.unindexed_services],
        "tags": [*incident.tags, *incident.unindexed_tags],
        "responders": list(incident.responders),
        "status": incident.status,
        **{name: None if dateless or name in implied else _iso(getattr(incident, name))
           for name in ("started_at", "detected_at", "resolved_at")},
        "duration": None if incident.duration_minutes is None or "duration" in implied else str(incident.duration_minutes),
        "summary": incident.summary if origins.get("summary") == "front-matter" else None,
    }
    extra = dict(incident.extra)
    # A field kept as written under one of these very names (a severity not on the scale) stays; the body gives ours again.
    kept = {name: value for name, value in fields.items() if value not in (None, "", []) and name not in extra}
    return {**kept, **extra}


#: Where a value is as good as stated: hindsite reports a duration that disagrees with start and end only then.
_STATED = frozenset({"front-matter", "table", "line", "bullet"})


def _left_implied(incident: Incident, origins: Mapping[str, str]) -> set[str]:
    """Values left for the document to imply again, because stated together they would contradict each other.

    "The outage lasted 2 hours" beside a timeline from 08:30 to 11:45 is
    reported by no one while the prose and the timeline only imply it;
    written up front as facts, they would be a `duration-mismatch`.
    """
    measured = minutes_between(incident.started_at, incident.resolved_at)
    stated = incident.duration_minutes
    if measured is None or stated is None or abs(stated - measured) <= max(5, measured // 20):
        return set()
    if any(d.code == "duration-mismatch" for d in incident.diagnostics):
        return set()  # the document states both: that is the author's to settle
    if origins.get("duration_minutes") not in _STATED:
        return {"duration"}
    return {name for name in ("started_at", "resolved_at") if origins.get(name) not in _STATED}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value.isoformat()


class _Dumper(yaml.SafeDumper):
    """YAML that leaves a value plain wherever hindsite's reader keeps it as text (it resolves only null)."""


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _text_scalar(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text_scalar)


def _front_matter_block(fields: Mapping[str, Any]) -> str:
    dumped = yaml.dump(dict(fields), Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000)
    return f"---\n{dumped}---"


# --- the timeline --------------------------------------------------------------

class _Layout:
    """Markdown blocks in order; list items in a row make one list."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.items: list[list[str]] = []
        self.after_list = False

    def item(self, lines: list[str]) -> list[str]:
        """Add a list item; the lines stay open for more until the next block."""
        self.items.append(lines)
        return lines

    def block(self, text: str) -> None:
        self._close_list()
        if not text.strip():
            return
        text = _trimmed(text)
        if self.after_list and text[:1].isspace():
            # An indented block would continue the list's last item; the empty comment ends the list (CommonMark's way).
            self.blocks.append("<!-- -->")
        self.blocks.append(text)
        self.after_list = False

    def text(self) -> str:
        self._close_list()
        return "\n\n".join(self.blocks)

    def _close_list(self) -> None:
        if self.items:
            self.blocks.append("\n".join("\n".join(lines) for lines in self.items))
            self.items = []
            self.after_list = True


def _timeline_body(part: _Part, events: Mapping[int, TimelineEvent], dates_alone: bool) -> str | None:
    """Every event in one form; what is not an event (a note on time zones, a sub-heading) stays as written.

    Timestamp headings become items too when every one of them can
    (`### 10:34` + paragraphs → `- 2018-03-26 10:34 UTC — …`); otherwise they
    stay headings, with their times written out. With `dates_alone`, a time
    written as a date alone stays a date. None when an event cannot be written
    so that it reads back the same.
    """
    for headings_as_items in (True, False):
        body = _TimelineWriter(part, events, dates_alone, headings_as_items).body()
        if body is not None:
            return body
    return None


class _TimelineWriter:
    """One timeline section laid out again, block by block."""

    def __init__(self, part: _Part, events: Mapping[int, TimelineEvent], dates_alone: bool, headings_as_items: bool) -> None:
        self.blocks = parse_blocks(part.text, part.first_line)
        self.events = events
        self.written = {e.line: e.text for e in events_from_blocks(self.blocks, day=None, zone=dt.UTC)}  # notes kept
        self.lines = _Lines(part)
        self.layout = _Layout()
        self.dates_alone = dates_alone
        self.headings_as_items = headings_as_items
        self.headed: list[tuple[list[str], str, str]] = []  # headings' items, checked once they hold their blocks

    def body(self) -> str | None:
        open_item: list[str] | None = None  # the item a timestamp heading became, taking the blocks under it
        under_heading = False  # a timestamp heading kept as a heading takes the blocks under it as they are
        for piece in _pieces(self.blocks, self.lines):
            if isinstance(piece, Block) and piece.kind == "heading":
                placed, open_item = self._heading(piece)
                if not placed:
                    return None
                under_heading = not self.headings_as_items and piece.start in self.events
                continue
            if open_item is not None:
                if isinstance(piece, str):
                    return None  # a link definition is no part of the event's text: only a heading leaves it out
                open_item += ["", *_indent(_trimmed(piece.source).split("\n"))]
            elif isinstance(piece, str) or under_heading:
                self.layout.block(piece if isinstance(piece, str) else piece.source)
            else:
                self._block(piece)
        if not all(_reads_as(item, when, expected) for item, when, expected in self.headed):
            return None
        return self.layout.text()

    def _heading(self, block: Block) -> tuple[bool, list[str] | None]:
        """A timestamp heading is an event with the blocks under it; a date alone, as a paragraph, takes none of them.

        Returns whether it could be written, and the item that takes the blocks under it.
        """
        event = self.events.get(block.start)
        plain = _plain(block.inline)
        split = split_leading_time(plain)
        if event is None:
            as_date = self.headings_as_items and split is not None
            self.layout.block(f"**{plain}**" if as_date else block.source)
            return True, None
        when = self._when(event, split[0]) if split else None
        if split is None or when is None:
            return False, None
        lead = "-" if self.headings_as_items else "#" * block.level
        line = f"{lead} {when} — {split[1]}" if split[1] else f"{lead} {when}"
        if not self.headings_as_items:
            self.layout.block(line)
            return split_leading_time(line.lstrip("# ")) == (when, split[1]), None
        item = self.layout.item([line])
        self.headed.append((item, when, self.written.get(block.start, event.text)))
        return True, item

    def _when(self, event: TimelineEvent, written: str) -> str | None:
        """The event's time in canonical form, or None when the time as written holds other words."""
        if not _only_time_words(written):
            return None
        return _when(event, date_only=self.dates_alone and not _has_clock(written))

    def _block(self, block: Block) -> None:
        """Lay out one block of a timeline: its events as items, or the block as written when they cannot be."""
        if block.kind == "list":
            for item, first, rest in self.lines.items(block):
                self._list_item(item.line, first, rest)
        elif block.kind == "table":
            rows = self._table_rows(block)
            if rows is None:
                self.layout.block(block.source)  # a row that cannot be an item keeps the table as it is
            for row in rows or ():
                self.layout.item([row])
        elif block.kind == "paragraph" and any(line in self.events for line in range(block.start, block.end)):
            self._paragraph(block)
        else:
            self.layout.block(block.source)

    def _list_item(self, line: int, first: str, rest: list[str]) -> None:
        event = self.events.get(line)
        marker = _canonical_marker(_marker(first))
        content = _without_marker(first)
        as_written = [f"{marker}{content}", *rest]
        if event is None:
            if re.search(r"\w", content + "".join(rest)):
                self.layout.item(as_written)
            return
        self.layout.item(self._event_item(event, self.written.get(line, event.text), content, rest, marker) or as_written)

    def _table_rows(self, block: Block) -> list[str] | None:
        """Each row of a timeline table as an item; its cells stay in order, joined by " — " as the normaliser reads them."""
        rows = []
        for row in block.rows[1:]:
            event = self.events.get(row.line)
            if event is None:
                continue
            text = self.written.get(row.line, event.text)
            timed = [cell for cell in row.cells if cell and len(cell) <= 40 and split_leading_time(cell) is not None]
            when = self._when(event, " ".join(timed[:2])) if timed else None
            if when is None or not _reads_as([f"- {when} — {text}"], when, text):
                return None
            rows.append(f"- {when} — {text}")
        return rows

    def _paragraph(self, block: Block) -> None:
        """Time-first lines of a paragraph, each with the lines that continue it, become items; a date on its own stays."""
        starts = [n for n in range(block.start, block.end) if split_leading_time(self.lines[n]) is not None]
        for start, end in zip(starts, [*starts[1:], block.end], strict=True):
            segment = [self.lines[n].strip() for n in range(start, end)]
            event = self.events.get(start)
            joined = " ".join(line for line in segment if line)
            item = self._event_item(event, self.written.get(start, event.text), joined, [], "- ") if event else None
            if item is None:
                self.layout.block("\n".join(segment))
            else:
                self.layout.item(item)

    def _event_item(self, event: TimelineEvent, expected: str, content: str, rest: list[str], marker: str) -> list[str] | None:
        """`- when — text`, keeping the author's markup where it reads back the same; None when it cannot."""
        leading = split_leading_time(content.split("\n")[0])
        when = self._when(event, leading[0]) if leading else _when(event)
        if when is None:
            return None
        after = _after_time(content)
        tries = []
        if after is not None:
            tries.append([f"{marker}{when} — {after}" if after else f"{marker}{when}", *rest])
        first, *more = expected.split("\n")
        tries.append([f"{marker}{when} — {first}", *_indent(more)])
        return next((lines for lines in tries if _reads_as(lines, when, expected)), None)


def _pieces(blocks: Sequence[Block], lines: _Lines) -> Iterable[Block | str]:
    """The blocks, and between them what the parser makes no block of (link definitions), as written."""
    line = lines.first
    for block in blocks:
        gap = lines.between(line, block.start)
        if gap.strip():
            yield gap
        yield block
        line = block.end
    gap = lines.between(line, lines.end)
    if gap.strip():
        yield gap


def _after_time(content: str) -> str | None:
    """The text after a leading time, with the emphasis that opened it ("10:00 **Deploy**" → "**Deploy**")."""
    first = content.split("\n")[0]
    split = split_leading_time(first)
    if split is None:
        return None
    text = split[1]
    if not text:
        return ""
    if not first.endswith(text):
        return None
    opening = re.search(r"[*_]*$", first[: len(first) - len(text)])
    return (opening.group(0) if opening else "") + text


def _reads_as(lines: list[str], when: str, expected: str) -> bool:
    """Whether the normaliser reads this list item as an event at `when` with the text `expected`."""
    first = lines[0][len(_marker(lines[0])) :].strip()
    tail = "\n".join(line.strip() for line in lines[1:])
    item = f"{first}\n{tail}".strip() if tail else first
    split = split_leading_time(item)
    if split is None or split[0] != when:
        return False
    return _spaced(split[1] or item) == _spaced(expected)


def _when(event: TimelineEvent, *, date_only: bool = False) -> str | None:
    """`2024-03-14 14:05 UTC`, `2024-03-14 22:00 UTC+03:00`; the clock and zone alone when the event has no date.

    A time written as a date alone stays a date (`2018-02-20`), read as the author's was.
    """
    if event.at is not None:
        if date_only:
            return f"{event.at:%Y-%m-%d}"
        return f"{event.at:%Y-%m-%d} {_clock(event.at.time())} {_zone(event.at.utcoffset())}"
    if event.time is not None and not date_only:
        return f"{_clock(event.time)} {_zone(event.time.utcoffset())}"
    return None


def _has_clock(when: str) -> bool:
    return bool(re.search(r"\d[:.]\d\d|\d\s*[ap]\.?m", when, re.I))


def _only_time_words(when: str) -> bool:
    """Whether a written time holds nothing but a time: `10:00 PM (EAT)` does, `2024-03-13 HH:mm` does not."""
    return all(word.isdigit() or word.casefold() in TIME_WORDS for word in words(when))


def _plain(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip()


def _clock(time: dt.time) -> str:
    return f"{time:%H:%M:%S}" if time.second else f"{time:%H:%M}"


def _zone(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- action items --------------------------------------------------------------

def _actions_body(part: _Part, items: Mapping[int, ActionItem]) -> str:
    """Action items as a checklist (`- [ ]` open, `- [x]` done, `- ` unknown); tables and other text stay as written."""
    blocks = parse_blocks(part.text, part.first_line)
    structured = any(b.kind in ("list", "table") for b in blocks)
    lines = _Lines(part)
    layout = _Layout()
    for block in _pieces(blocks, lines):
        if isinstance(block, str):
            layout.block(block)
        elif block.kind == "list":
            for item, first, rest in lines.items(block):
                marker = _marker(first)
                content = first.strip()[len(marker) :].strip()
                action = items.get(item.line)
                if action is not None:
                    content = _checkbox(action) + re.sub(r"^\[[ xX]\]\s*", "", content)
                layout.item([f"{_canonical_marker(marker)}{content}", *rest])
        elif block.kind == "paragraph" and not structured:
            _line_items(block, items, lines, layout)
        else:
            layout.block(block.source)
    return layout.text()


def _line_items(block: Block, items: Mapping[int, ActionItem], lines: _Lines, layout: _Layout) -> None:
    """In a section without lists, each line that is an item becomes one; the others stay as lines of text."""
    text: list[str] = []
    for number in range(block.start, block.end):
        action = items.get(number)
        if action is None:
            text.append(lines[number])
            continue
        if text:
            layout.block("\n".join(text))
            text = []
        layout.item([f"- {_checkbox(action)}{lines[number].strip()}"])
    if text:
        layout.block("\n".join(text))


def _checkbox(item: ActionItem) -> str:
    return {"done": "[x] ", "open": "[ ] "}.get(item.status or "", "")


# --- lines of a section -------------------------------------------------------

class _Lines:
    """A section's text by file line number."""

    def __init__(self, part: _Part) -> None:
        self.first = part.first_line
        self.lines = part.text.split("\n")
        self.end = self.first + len(self.lines)

    def __getitem__(self, number: int) -> str:
        return self.lines[number - self.first]

    def between(self, start: int, end: int) -> str:
        """Lines `start` to `end` (exclusive), blank lines at either end left out."""
        return "\n".join(self.lines[start - self.first : end - self.first]).strip("\n")

    def items(self, block: Block) -> Iterable[tuple[Any, str, list[str]]]:
        """Each top-level item of a list: the item, its first line, and its other lines re-indented under `- `."""
        starts = [item.line for item in block.items]
        for item, end in zip(block.items, [*starts[1:], block.end], strict=True):
            taken = [self[n] for n in range(item.line, end)]
            while len(taken) > 1 and not taken[-1].strip():
                taken.pop()
            first = taken[0]
            column = len(first) - len(first.lstrip()) + len(_marker(first))
            yield item, first, [_rebased(line, column) for line in taken[1:]]


_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")


def _marker(line: str) -> str:
    """The list marker a line starts with, with the spaces after it ("- ", "12. ")."""
    match = _MARKER.match(line)
    return match.group(0).lstrip() if match else ""


def _canonical_marker(marker: str) -> str:
    """`- ` for bullets; a numbered item keeps its number, which the author may refer to."""
    number = re.match(r"\d+", marker)
    return f"{number.group(0)}. " if number else "- "


def _rebased(line: str, column: int) -> str:
    """A continuation line moved from under a marker ending at `column` to under `- `."""
    if not line.strip():
        return ""
    indent = len(line) - len(line.lstrip(" "))
    return "  " + line[min(indent, column) :]


def _trimmed(text: str) -> str:
    """Blank lines at either end left out; the indentation of the first line kept."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _indent(lines: Iterable[str]) -> list[str]:
    return [f"  {line}" if line.strip() else "" for line in lines]


# --- the same record ---------------------------------------------------------

_FIELDS = ("title", "date", "severity", "services", "tags", "responders", "status", "duration_minutes",
           "unindexed_services", "unindexed_tags")
_INSTANTS = ("started_at", "detected_at", "resolved_at")
_MONTHS = "january february march april may june july august september october november december"
_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
#: Words a written time may hold, which migrate writes again in its own form: "10:00 PM (EAT) on Jan 5th".
TIME_WORDS = frozenset(
    {"am", "pm", "a", "p", "m", "st", "nd", "rd", "th", "t", "z", "at", "on", "utc", "gmt"}
    | {name[:n] for name in (_MONTHS + " " + _DAYS).split() for n in (3, 4, len(name))}
    | {zone.casefold() for zone in ZONES}
    | {word for name in LONG_ZONES for word in name.split()}
)


def differences(before: Incident, after: Incident) -> list[str]:
    """What differs between two records of one document, in words; empty when they are the same record.

    The same record (docs/migrate.md): the same title, date, severity,
    services, tags, responders, status, start, detection and resolution
    instants (with their offsets), duration, summary and front-matter fields
    kept as written; the same number of sections of each key, with the same
    words in the same order (timeline and action-item sections: every word
    kept, less the written times and a timeline table's column names, which
    are written again); the same timeline events (instant, clock time, text)
    and action items (text, owner, status), in order. Lines, origins, section
    order, headings and diagnostics may differ.
    """
    found = _section_differences(before.sections, after.sections)
    found += [f"{name} {getattr(before, name)!r} would become {getattr(after, name)!r}"
              for name in _FIELDS if getattr(before, name) != getattr(after, name)]
    found += [f"{name} {_iso(getattr(before, name))} would become {_iso(getattr(after, name))}"
              for name in _INSTANTS if not _same_instant(getattr(before, name), getattr(after, name))]
    if _spaced(before.summary) != _spaced(after.summary):
        found.append("the summary would change")
    if dict(before.extra) != dict(after.extra):
        found.append("the front-matter fields kept as written would change")
    found += _event_differences(before.timeline, after.timeline)
    found += _item_differences(before.action_items, after.action_items)
    return found


def _section_differences(before: Sequence[Section], after: Sequence[Section]) -> list[str]:
    keys_before, keys_after = Counter(s.key for s in before), Counter(s.key for s in after)
    if keys_before != keys_after:
        more = [f"{n} more {key.replace('_', ' ')}" for key, n in (keys_after - keys_before).items()]
        fewer = [f"{n} fewer {key.replace('_', ' ')}" for key, n in (keys_before - keys_after).items()]
        return [f"it would have {' and '.join(more + fewer)} section{'s' if len(more + fewer) > 1 else ''}"]
    found = []
    for key in keys_before:
        pairs = zip([s for s in before if s.key == key], [s for s in after if s.key == key], strict=True)
        for old, new in pairs:
            if key in REWRITTEN:
                lost = _lost_words(old.text, new.text)
                if lost:
                    found.append(f"the {key} section {old.heading!r} would lose {', '.join(sorted(lost)[:5])}")
            elif words(old.text) != words(new.text):
                found.append(f"the words of the {key} section {old.heading!r} would change")
    return found


def _lost_words(old: str, new: str) -> set[str]:
    """Words of a rewritten section that are gone, less written times and a timeline table's column names."""
    missing = Counter(w.casefold() for w in words(old)) - Counter(w.casefold() for w in words(new))
    headers = {w.casefold() for block in parse_blocks(old) if block.kind == "table" and block.rows
               for cell in block.rows[0].cells for w in words(cell)}
    return {w for w in missing if not w.isdigit() and w not in TIME_WORDS and w not in headers}


def _event_differences(before: Sequence[TimelineEvent], after: Sequence[TimelineEvent]) -> list[str]:
    if len(before) != len(after):
        return [f"the timeline's {len(before)} events would become {len(after)}"]
    return [
        f"the timeline event of line {old.line} would change"
        for old, new in zip(before, after, strict=True)
        if not _same_instant(old.at, new.at) or _clock_key(old.time) != _clock_key(new.time)
        or _spaced(old.text) != _spaced(new.text)
    ]


def _item_differences(before: Sequence[ActionItem], after: Sequence[ActionItem]) -> list[str]:
    if len(before) != len(after):
        return [f"the {len(before)} action items would become {len(after)}"]
    return [
        f"the action item of line {old.line} would change"
        for old, new in zip(before, after, strict=True)
        if (_spaced(old.text), old.owner, old.status) != (_spaced(new.text), new.owner, new.status)
    ]


def words(text: str) -> list[str]:
    """Runs of letters and runs of digits: what a reader reads, whatever the markup and spacing around them."""
    return re.findall(r"[^\W\d_]+|\d+", text)


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _same_instant(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b and a.utcoffset() == b.utcoffset()


def _clock_key(time: dt.time | None) -> tuple[dt.time, dt.timedelta | None] | None:
    return None if time is None else (time.replace(tzinfo=None), time.utcoffset())


# --- files -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Migration:
    """One document: its text as read, its canonical text, and why it could not be migrated, if it could not."""

    source: str  # the path as shown to the user
    path: Path
    before: str
    after: str  # equal to `before` when the document is left as it is
    original: bytes = b""
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def changed(self) -> bool:
        """Whether migrating rewrites the file (its text, or only its encoding or line ends)."""
        return not self.failed and self.after.encode("utf-8") != self.original


def migrate_paths(paths: Sequence[Path], config: SiteConfig) -> tuple[list[Migration], list[Diagnostic]]:
    """Migrate the Markdown files at `paths` (files, or folders searched for them); nothing is written.

    Returns the migrations, and a warning for each symbolic link that was not followed.
    """
    seen: set[Path] = set()
    migrations: list[Migration] = []
    skipped: list[Diagnostic] = []
    for path in paths:
        found, refused = discover(path, str(path))
        skipped += refused
        for file in found:
            if file.is_markdown and file.path.resolve() not in seen:
                seen.add(file.path.resolve())
                migrations.append(migrate_file(file, config))
    return migrations, skipped


def write_migrations(migrations: Sequence[Migration]) -> list[Migration]:
    """Rewrite every file that changes; a file that could not be written carries the reason."""
    written = []
    for migration in migrations:
        problem = write_migration(migration) if migration.changed else None
        written.append(replace(migration, diagnostics=(problem,)) if problem else migration)
    return written


def migrate_file(file: SourceFile, config: SiteConfig) -> Migration:
    """Read one document and work out its canonical form, checked to normalise to the same record."""
    document = read_document(file, config.max_document_bytes)
    errors = tuple(d for d in document.diagnostics if d.level is Level.ERROR)
    if errors:
        return Migration(file.source, file.path, "", "", diagnostics=errors)
    try:
        original = file.path.read_bytes()
    except OSError as exc:
        problem = diag.error("unreadable", f"cannot read the file: {exc.strerror}; check its permissions", file.source)
        return Migration(file.source, file.path, "", "", diagnostics=(problem,))
    text = decode(original, file.source)[0]
    unchanged = Migration(file.source, file.path, text, text, original)
    if not text.strip():
        return unchanged  # an empty file has nothing to migrate
    after, problem = migrate_document(document, config)
    if problem is not None:
        return replace(unchanged, diagnostics=(problem,))
    return replace(unchanged, after=after)


#: What to try, most canonical first: sections kept as written, and whether a date alone stays a date.
_LAYOUTS: tuple[tuple[tuple[str, ...], bool], ...] = (
    ((), True), ((), False), (("timeline",), True), (("action_items",), True), (REWRITTEN, True),
)


def migrate_document(document: Document, config: SiteConfig) -> tuple[str, Diagnostic | None]:
    """The canonical text of one document, checked to normalise to the same record; or why there is none.

    Tries the most canonical layout first, then keeps the timeline, the action
    items, or both as written, until one reads back as the same record.
    """
    config = replace(config, redact=False, redact_personal=False)  # migrate rewrites sources: it never masks them
    try:
        incident = normalise(document, config)
    except Exception as exc:  # noqa: BLE001 — one document's trouble is reported, never the run's end
        return "", diag.error("internal-error", f"hindsite could not interpret this document ({type(exc).__name__}: {exc}); "
                              "it was left as it is — please report this", document.source)
    found: list[str] = ["its sections could not be found again"]
    for as_written, dates_alone in _LAYOUTS:
        text = canonical_markdown(document, incident, config, as_written=as_written, dates_alone=dates_alone)
        if text is None:
            continue
        found = differences(incident, normalise(split_front_matter(text, document.source, document.rel), config))
        if not found:
            return text, None
    return "", diag.error(
        "round-trip",
        f"this document cannot be migrated without changing what hindsite reads from it ({found[0]}); "
        "it was left as it is — `hindsite inspect` shows how it is read", document.source)


def write_migration(migration: Migration) -> Diagnostic | None:
    """Replace the file with its canonical text atomically (a temporary file beside it, then a rename).

    A file that changed since it was read is left alone. A symbolic link stays
    a link: the file it points at is replaced.
    """
    target = migration.path.resolve()
    try:
        if target.read_bytes() != migration.original:
            return diag.error("unwritable", "the file changed while it was being migrated; it was left as it is — run migrate again",
                              migration.source)
        mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        return _unwritable(migration, exc)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(migration.after)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return _unwritable(migration, exc)
    return None


def _unwritable(migration: Migration, exc: OSError) -> Diagnostic:
    return diag.error("unwritable", f"could not rewrite the file ({exc.strerror or exc}); it is unchanged — "
                      "check the folder's permissions and free space", migration.source)


def unified_diff(migration: Migration) -> str:
    """The change as a unified diff (`--- a/PATH`, `+++ b/PATH`); a note when only the encoding or line ends change."""
    before, after = migration.before.splitlines(keepends=True), migration.after.splitlines(keepends=True)
    lines = list(difflib.unified_diff(before, after, f"a/{migration.source}", f"b/{migration.source}"))
    if not lines and migration.changed:
        return f"--- a/{migration.source}\n+++ b/{migration.source}\n# the text is the same; the file is saved again as UTF-8 with \\n line ends\n"
    return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)


def summary(migrations: Sequence[Migration], *, written: bool) -> str:
    """One line: how many documents change (or would), how many are already canonical, how many could not be migrated."""
    changed = sum(m.changed for m in migrations)
    failed = sum(m.failed for m in migrations)
    canonical = len(migrations) - changed - failed
    verb = "rewritten" if written else "would change"
    line = f"{_count(changed, 'document')} {verb}, {canonical} already canonical, {failed} could not be migrated"
    return line + ("" if written or not changed else "; run again with --write to rewrite them")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
