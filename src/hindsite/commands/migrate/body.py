"""The two sections migrate lays out again: the timeline, as dated items, and the action items, as a checklist."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

from ...core.model import ActionItem, TimelineEvent
from ...normalise import Block, ListItem, WrittenSection, event_texts, parse_blocks, scan_dates, split_leading_time
from .record import TIME_WORDS, spaced, words

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


def timeline_body(part: WrittenSection, events: Mapping[int, TimelineEvent], dates_alone: bool, days: bool = False) -> str | None:
    """Every event in one form; what is not an event (a note on time zones, a sub-heading) stays as written.

    Timestamp headings become items too when every one of them can
    (`### 10:34` + paragraphs → `- 2018-03-26 10:34 UTC — …`); otherwise they
    stay headings, with their times written out. With `dates_alone`, a time
    written as a date alone stays a date. Without `days`, an event gets its
    day written only when its own line writes one; the others keep the day
    the document gives them, from wherever it gives it. None when an event
    cannot be written so that it reads back the same.
    """
    for headings_as_items in (True, False):
        body = _TimelineWriter(part, events, dates_alone, headings_as_items, days).body()
        if body is not None:
            return body
    return None


class _TimelineWriter:
    """One timeline section laid out again, block by block."""

    def __init__(
        self, part: WrittenSection, events: Mapping[int, TimelineEvent], dates_alone: bool, headings_as_items: bool, days: bool
    ) -> None:
        self.blocks = parse_blocks(part.text, part.first_line)
        self.events = events
        self.written = event_texts(self.blocks)  # notes kept
        self.lines = _Lines(part)
        self.layout = _Layout()
        self.dates_alone = dates_alone
        self.headings_as_items = headings_as_items
        self.days = days
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
        return _when(event, date_only=self.dates_alone and not _has_clock(written), day=self.days or _has_day(written))

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
        marker = _canonical_marker(list_marker(first))
        content = without_marker(first)
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
        when = self._when(event, leading[0]) if leading else _when(event, day=self.days or _has_day(content))
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
    first = lines[0][len(list_marker(lines[0])) :].strip()
    tail = "\n".join(line.strip() for line in lines[1:])
    item = f"{first}\n{tail}".strip() if tail else first
    split = split_leading_time(item)
    if split is None or split[0] != when:
        return False
    return spaced(split[1] or item) == spaced(expected)


def _when(event: TimelineEvent, *, date_only: bool = False, day: bool = True) -> str | None:
    """`2024-03-14 14:05 UTC`, `2024-03-14 22:00 UTC+03:00`; the clock and zone alone when the event has no date,
    or without `day`.

    A time written as a date alone stays a date (`2018-02-20`), read as the author's was.
    """
    if event.at is not None:
        if date_only:
            return f"{event.at:%Y-%m-%d}"
        if not day:
            return f"{_clock(event.at.time())} {_zone(event.at.utcoffset())}"
        return f"{event.at:%Y-%m-%d} {_clock(event.at.time())} {_zone(event.at.utcoffset())}"
    if event.time is not None and not date_only:
        return f"{_clock(event.time)} {_zone(event.time.utcoffset())}"
    return None


def _has_clock(when: str) -> bool:
    return bool(re.search(r"\d[:.]\d\d|\d\s*[ap]\.?m", when, re.I))


def _has_day(written: str) -> bool:
    """Whether a written time names its day (`March 14`, `2024-03-14`, `14/03`), rather than taking the document's."""
    return bool(scan_dates(written))


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

def actions_body(part: WrittenSection, items: Mapping[int, ActionItem]) -> str:
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
                marker = list_marker(first)
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
        line = lines[number].strip()
        # A line that opens with a checkbox has its own: written after another, it would become words of the item.
        checkbox = "" if _OPENING_CHECKBOX.match(line) else _checkbox(action)
        layout.item([f"- {checkbox}{line}"])
    if text:
        layout.block("\n".join(text))


_OPENING_CHECKBOX = re.compile(r"\[[ xX]\]\s")


def _checkbox(item: ActionItem) -> str:
    return {"done": "[x] ", "open": "[ ] "}.get(item.status or "", "")


# --- lines of a section -------------------------------------------------------

class _Lines:
    """A section's text by file line number."""

    def __init__(self, part: WrittenSection) -> None:
        self.first = part.first_line
        self.lines = part.text.split("\n")
        self.end = self.first + len(self.lines)

    def __getitem__(self, number: int) -> str:
        return self.lines[number - self.first]

    def between(self, start: int, end: int) -> str:
        """Lines `start` to `end` (exclusive), blank lines at either end left out."""
        return "\n".join(self.lines[start - self.first : end - self.first]).strip("\n")

    def items(self, block: Block) -> Iterable[tuple[ListItem, str, list[str]]]:
        """Each top-level item of a list: the item, its first line, and its other lines re-indented under `- `."""
        starts = [item.line for item in block.items]
        for item, end in zip(block.items, [*starts[1:], block.end], strict=True):
            taken = [self[n] for n in range(item.line, end)]
            while len(taken) > 1 and not taken[-1].strip():
                taken.pop()
            first = taken[0]
            column = len(first) - len(first.lstrip()) + len(list_marker(first))
            yield item, first, [_rebased(line, column) for line in taken[1:]]


_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")


def list_marker(line: str) -> str:
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




def without_marker(line: str) -> str:
    return line.strip()[len(list_marker(line)) :].strip()
