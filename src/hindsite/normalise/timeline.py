"""Timeline sections → `TimelineEvent`s, each with its time, text and source line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping

from .. import diagnostics as diag
from ..diagnostics import Diagnostic
from ..model import TimelineEvent
from .blocks import Block
from .times import ZONES, parse_instant

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}/{_MONTH}/\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?(?:\s+\d{{4}})?)"
)
_CLOCK = r"(?:\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?\b)?|\d{1,2}\s*[ap]\.?\s?m\.?\b)"
_ZONE = r"(?:\(?\b(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?\b\)?|\(?\b[A-Z]{2,5}\b\)?)"
#: A time at the start of a line: optional date, a clock, an optional zone.
LEADING_TIME = re.compile(
    rf"^\s*(?:[*_]{{1,2}})?\s*(?P<when>(?:{_DATE}[\sT,]*(?:at\s+)?)?{_CLOCK}(?:\s*{_ZONE})?|{_DATE})"
    rf"(?:[*_]{{1,2}})?(?P<rest>.*)$",
    re.I | re.S,
)
_SEPARATOR = re.compile(r"^[\s:|\-–—*_.,)]+")


def split_leading_time(text: str) -> tuple[str, str] | None:
    """("10:34 UTC", "rest of the line") when `text` starts with a time; else None."""
    match = LEADING_TIME.match(text)
    if not match:
        return None
    when = match.group("when").strip()
    zone_word = re.search(r"\b([A-Z]{2,5})\b\)?$", when)
    if zone_word and zone_word.group(1).upper() not in ZONES and not re.search(r"\d", zone_word.group(1)):
        # "10:00 Deploy started": the word after the clock is text, not a zone.
        if zone_word.group(1).lower() not in ("am", "pm"):
            when = when[: zone_word.start()].strip()
            rest = text[text.find(when) + len(when) :]
            return when, _SEPARATOR.sub("", rest).strip()
    return when, _SEPARATOR.sub("", match.group("rest")).strip()


def events_from_blocks(
    blocks: Iterable[Block],
    *,
    day: dt.date | None,
    zone: dt.tzinfo,
    zones: Mapping[str, int] = ZONES,
) -> list[TimelineEvent]:
    """Events from list items, table rows and time-first lines, in the author's order."""
    events: list[TimelineEvent] = []
    current_day = day
    previous: dt.datetime | None = None
    for line, when, text in _candidates(blocks):
        at = parse_instant(when, zone, default_date=current_day, zones=zones) if when else None
        if at is not None and previous is not None and at < previous and _looks_like_rollover(when, previous, at):
            at += dt.timedelta(days=1)
        if at is not None:
            if re.search(r"\d{4}|" + _MONTH, when, re.I):
                current_day = at.date()
            previous = at
        events.append(TimelineEvent(at, text, line))
    return events


def order_problems(events: Iterable[TimelineEvent], source: str) -> list[Diagnostic]:
    """A `timeline-order` warning for each event timed earlier than the one before it."""
    problems = []
    latest: dt.datetime | None = None
    for event in events:
        if event.at is None:
            continue
        if latest is not None and event.at < latest:
            problems.append(
                diag.warning(
                    "timeline-order",
                    f"this event ({event.at:%H:%M}) is earlier than the one before it ({latest:%H:%M}); "
                    "it is kept where it is — check the time or move the line",
                    source,
                    event.line,
                )
            )
        latest = event.at if latest is None else max(latest, event.at)
    return problems


def _looks_like_rollover(when: str, previous: dt.datetime, at: dt.datetime) -> bool:
    """A clock-only time far earlier than the last one means the next day (23:50 → 00:10)."""
    has_date = re.search(r"\d{4}|" + _MONTH, when, re.I)
    return not has_date and previous - at > dt.timedelta(hours=12)


def _candidates(blocks: Iterable[Block]) -> Iterator[tuple[int, str, str]]:
    """(line, written time or "", text) for everything that reads as one event."""
    for block in blocks:
        if block.kind == "list":
            for item in block.items:
                yield _event_text(item.line, item.text)
        elif block.kind == "table":
            yield from _table_events(block)
        elif block.kind in ("paragraph", "heading"):
            yield from _paragraph_events(block)


def _event_text(line: int, text: str) -> tuple[int, str, str]:
    split = split_leading_time(text)
    if split is None:
        return line, "", text.strip()
    return line, split[0], split[1]


def _table_events(block: Block) -> Iterator[tuple[int, str, str]]:
    for row in block.rows[1:]:
        cells = [c for c in row.cells if c]
        if not cells:
            continue
        time_cells = [i for i, c in enumerate(cells) if split_leading_time(c) and len(c) < 40]
        if time_cells:
            first = time_cells[0]
            when = " ".join(cells[i] for i in time_cells[:2] if i <= first + 1)
            rest = " — ".join(c for i, c in enumerate(cells) if i not in time_cells[:2])
            yield row.line, when, rest
        else:
            yield row.line, "", " — ".join(cells)


def _paragraph_events(block: Block) -> Iterator[tuple[int, str, str]]:
    """Time-first lines of a paragraph; lines without a time continue the event above."""
    lines = (block.inline if block.kind == "heading" else block.source).split("\n")
    if not split_leading_time(lines[0]):
        return
    pending: tuple[int, str, str] | None = None
    for offset, text in enumerate(lines):
        if split_leading_time(text):
            if pending:
                yield pending
            pending = _event_text(block.start + offset, text)
        elif pending and text.strip():
            pending = (pending[0], pending[1], f"{pending[2]} {text.strip()}".strip())
    if pending:
        yield pending
