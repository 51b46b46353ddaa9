"""Timeline sections → `TimelineEvent`s, each with its time, text and source line.

Events come from list items, table rows, time-first lines of a paragraph,
`Label: time` bullets and timestamp sub-headings. A clock time takes the
incident's date; a time that falls far behind the one before it is read as
the next day (23:50 → 00:10).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .. import diagnostics as diag
from ..diagnostics import Diagnostic
from ..model import TimelineEvent
from .blocks import Block
from .times import _MONTHS, ZONES, fixed_clock, read_clock, read_instant, stated_zone

_DATE = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}/{_MONTHS}/\d{{4}}"
    rf"|(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTHS},?(?:\s+\d{{4}})?))"
)
_CLOCK = r"(?:\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?(?![a-z]))?|\d{1,2}\s*[ap]\.?\s?m\.?(?![a-z]))"
# An ISO offset only after seconds or a `T` time, so "17:00-18:00" stays a range.
_ZONE = (
    r"(?:\(?\b(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?\)?|\(?\b[A-Z]{2,5}\b\)?|(?<=\d)Z\b"
    r"|(?<=\d\d:\d\d:\d\d)[+-]\d{2}:?\d{2}|(?<=T\d\d:\d\d)[+-]\d{2}:?\d{2})"
)
#: A time at the start of a line: optional date, a clock, an optional zone; or a date alone.
LEADING_TIME = re.compile(
    rf"^\s*(?:[*_~]{{1,3}})?\s*(?P<when>(?:{_DATE}(?:[\sT,]+|\s+at\s+))?{_CLOCK}(?:\s*{_ZONE})?|{_DATE})"
    rf"(?!\d)(?:[*_]{{1,3}})?(?P<rest>.*)$",
    re.I | re.S,
)
_SEPARATOR = re.compile(r"^[\s:|\-–—*_.,)\]]+")
_LABEL = re.compile(r"^\s*(?:\*\*|__)?(?P<label>[^:*\n]{1,50}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<rest>.*)$", re.S)


#: A date-time at the end of a line: "Fault occurs 2020-02-12 11:45".
TRAILING_TIME = re.compile(rf"(?P<when>(?:{_DATE}[\sT,]+(?:at\s+)?)?{_CLOCK}(?:\s*{_ZONE})?)\s*[.)]?\s*$", re.I)


def split_leading_time(text: str, zones: Mapping[str, int] = ZONES) -> tuple[str, str] | None:
    """("10:34 UTC", "rest of the line") when `text` starts with a time; else None."""
    match = LEADING_TIME.match(text)
    if not match:
        return None
    when = match.group("when").strip()
    rest = match.group("rest")
    zone_word = re.search(r"\(?\b([A-Za-z]{2,5})\)?$", when)
    if zone_word and zone_word.group(1).upper() not in zones and zone_word.group(1).lower() not in ("am", "pm"):
        # "10:00 Deploy started": the word after the clock is text, not a zone.
        rest = when[zone_word.start() :] + rest
        when = when[: zone_word.start()].strip()
    return when, _SEPARATOR.sub("", rest, count=1).strip()


@dataclass(frozen=True, slots=True)
class _Candidate:
    line: int
    when: str
    text: str


def events_from_blocks(
    blocks: Sequence[Block],
    *,
    day: dt.date | None,
    zone: dt.tzinfo,
    zones: Mapping[str, int] = ZONES,
    day_first: bool = False,
) -> list[TimelineEvent]:
    """Events in the author's order, with times read in `zone` unless the text says otherwise."""
    events: list[TimelineEvent] = []
    current_day = day
    previous: dt.datetime | None = None
    for candidate, local_zone in _candidates(blocks, zone, zones):
        if not candidate.text and candidate.when and not re.search(r"\d[:.]\d\d|\d\s*[ap]\.?m", candidate.when, re.I):
            # A date on its own ("2019-01-22", "### Feb 20") starts a new day; it is not an event.
            reading = read_instant(candidate.when, local_zone, default_date=current_day, zones=zones, day_first=day_first)
            if reading is not None and reading.has_date:
                current_day, previous = reading.at.date(), None
                continue
        at, clock = None, None
        if candidate.when:
            reading = read_instant(candidate.when, local_zone, default_date=current_day, zones=zones, day_first=day_first)
            if reading is None:
                clock = read_clock(candidate.when, local_zone, zones)
            else:
                at = reading.at
                if reading.has_date:
                    current_day = at.date()
                elif previous is not None and previous - at > dt.timedelta(hours=12):
                    at += dt.timedelta(days=1)  # past midnight
                    current_day = at.date()
                previous = at
        events.append(TimelineEvent(at, candidate.text, candidate.line, fixed_clock(at) if at else clock))
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
                    f"this event ({event.at:%Y-%m-%d %H:%M}) is earlier than one before it ({latest:%Y-%m-%d %H:%M}); "
                    "it is kept where it is — check the time or move the line",
                    source,
                    event.line,
                )
            )
        latest = event.at if latest is None else max(latest, event.at)
    return problems


def _candidates(
    blocks: Iterable[Block], zone: dt.tzinfo, zones: Mapping[str, int]
) -> Iterator[tuple[_Candidate, dt.tzinfo]]:
    """Everything in the blocks that reads as one event, with the zone in force for it."""
    pending: _Candidate | None = None  # a timestamp heading collecting the paragraphs under it
    for block in blocks:
        declared = _declared_zone(block, zones)
        if declared is not None:
            zone = declared
        if block.kind == "heading":
            if pending:
                yield pending, zone
            split = split_leading_time(_plain(block.inline), zones)
            pending = _Candidate(block.start, split[0], split[1]) if split else None
            continue
        if pending is not None:
            if block.kind in ("paragraph", "list", "quote", "code", "html", "table"):
                pending = _Candidate(pending.line, pending.when, f"{pending.text}\n{block.source}".strip())
            continue
        if block.kind == "list":
            for item in block.items:
                yield _event(item.line, item.text, zones), zone
        elif block.kind == "table":
            header_zone = _declared_zone_text(" ".join(block.rows[0].cells), zones) if block.rows else None
            for candidate in _table_events(block, zones):
                yield candidate, header_zone or zone
        elif block.kind == "paragraph":
            for candidate in _paragraph_events(block, zones):
                yield candidate, zone
    if pending:
        yield pending, zone


def _declared_zone(block: Block, zones: Mapping[str, int]) -> dt.tzinfo | None:
    """A zone stated by a short paragraph or heading, e.g. "All times in CET."."""
    if block.kind in ("paragraph", "heading") and len(block.inline) < 120:
        return _declared_zone_text(block.inline, zones)
    return None


def _declared_zone_text(text: str, zones: Mapping[str, int]) -> dt.tzinfo | None:
    if re.search(r"\btimes?\b|\bzone\b", text, re.I):
        return stated_zone(text, zones)
    return None


def _event(line: int, text: str, zones: Mapping[str, int]) -> _Candidate:
    """A list item: a leading time, or `Label: time` (also with the time on the next line)."""
    stripped = text.strip()
    split = split_leading_time(stripped, zones)
    if split is not None:
        return _Candidate(line, split[0], split[1] or stripped)
    trailing = TRAILING_TIME.search(stripped.split("\n")[0])
    if trailing and trailing.start() > 0 and re.search(r"\d{4}|" + _MONTHS, trailing.group("when"), re.I):
        return _Candidate(line, trailing.group("when").strip(), stripped)
    label = _LABEL.match(stripped)
    if label:
        rest = label.group("rest")
        parts = [part.lstrip("-*+ ").strip() for part in rest.split("\n")]
        for index, candidate in enumerate(parts[:2]):
            timed = split_leading_time(candidate, zones) if candidate else None
            if timed is not None:
                # "**Issue detected:** 10:15 PM": the label says what happened, the time says when.
                said = [timed[1], *parts[:index], *parts[index + 1 :]]
                text = " — ".join([label.group("label").strip(), *(p for p in said if p)])
                return _Candidate(line, timed[0], text)
    return _Candidate(line, "", stripped)


def _table_events(block: Block, zones: Mapping[str, int]) -> Iterator[_Candidate]:
    for row in block.rows[1:]:
        cells = list(row.cells)
        if not any(cells):
            continue
        timed = [i for i, c in enumerate(cells) if c and len(c) <= 40 and split_leading_time(c, zones)]
        if timed:
            first = timed[0]
            # A date column next to a time column: read them together.
            joined = [first] + ([first + 1] if first + 1 in timed else [])
            when = " ".join(cells[i] for i in joined)
            text = " — ".join(c for i, c in enumerate(cells) if i not in joined and c)
            yield _Candidate(row.line, when, text)
        else:
            yield _Candidate(row.line, "", " — ".join(c for c in cells if c))


def _paragraph_events(block: Block, zones: Mapping[str, int]) -> Iterator[_Candidate]:
    """Time-first lines of a paragraph; a line without a time continues the event above it."""
    lines = block.source.split("\n")
    if not split_leading_time(lines[0], zones):
        return
    pending: _Candidate | None = None
    for offset, text in enumerate(lines):
        split = split_leading_time(text, zones)
        if split is not None:
            if pending:
                yield pending
            pending = _Candidate(block.start + offset, split[0], split[1])
        elif pending and text.strip():
            pending = _Candidate(pending.line, pending.when, f"{pending.text} {text.strip()}".strip())
    if pending:
        yield pending


def _plain(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip()
