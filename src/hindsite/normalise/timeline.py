"""Timeline sections → `TimelineEvent`s, each with its time, text and source line.

Events come from list items, table rows, lines of a paragraph that start with a time,
`Label: time` bullets and timestamp headings. Every time is read through the time
vocabulary (`times`) in the context the section builds as it goes:

- a date heading or day label (`### 2020-02-20`, `**Day 2 — 5 March**`, a table row
  holding only a date) sets the day of the timed events under it and is not an event;
- a zone statement (a note, the section's heading, a column header "Time (CET)") sets
  the zone of the times under it, and a zone written on one event carries to the next
  unzoned ones when nothing declared a zone;
- a clock time far behind the one before it is the next day (23:50, then 00:10);
- an event with a date and no clock time keeps its day and is never made a midnight.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from ..core.model import TimelineEvent
from .blocks import Block, ListItem
from .times import (
    BUILT_IN,
    Context,
    DateFound,
    Stamp,
    Zone,
    Zones,
    leading_stamp,
    numeric_order,
    parse_duration,
    resolve,
    scan,
    scan_dates,
    season_note,
    stated_zone,
)

#: A clock time this much earlier than the one before it starts the next day; less is an entry out of order.
_ROLLOVER = dt.timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Placed:
    """An event and what its time was read with: the zone and the day in force, each with where it came from."""

    event: TimelineEvent
    zone: str  # "PDT (line 4)", "UTC (site)"
    day: str  # "2020-02-20 (line 12)", "" when the event needed no day or had none
    off_season: Zone | None = None  # a standard-time abbreviation written on a summer date, or the reverse
    undecided: str = ""  # a numeric date written either way round that nothing settled, as written
    backwards: bool = False  # the first of a timeline whose times all run backwards, read from its last entry up


@dataclass(frozen=True, slots=True)
class _Candidate:
    """Something in a timeline section that reads as one event, or as the day of those below it."""

    line: int
    stamp: Stamp | None
    text: str
    declared: tuple[Zone, int] | None = None  # the zone statement in force here, and its line
    day_label: bool = False
    default_day: bool = False  # "Unless otherwise noted all events happened on 2019-10-21": dated events are exceptions
    unreadable_day: bool = False  # the time is readable, the date beside it is not: no day may be assumed
    after_start: int | None = None  # "T+15m", "+00:15": minutes after the incident's stated start
    nth_day: int | None = None  # "### Day 2": a day counted from the first, without a date
    weekday: int | None = None  # "**Monday**": a day named by its weekday, without a date (0 is Monday)
    day_first: bool | None = None  # how its table orders numeric days, where the document does not say
    year: int | None = None  # the year of a day written without one, where the timeline runs into a new year


@dataclass(slots=True)
class _Clock:
    """The day, zone and last instant as a timeline is read from top to bottom."""

    context: Context
    day_line: int | None = None
    fixed: bool = False  # the day is a stated default, which an event's own date does not move
    start: tuple[dt.datetime, str] | None = None  # the stated start relative stamps count from, and where it is
    sticky: tuple[Zone, int] | None = None  # the zone last written on an event, where no statement rules
    previous: dt.datetime | None = None
    twenty_four: bool = False  # a time written as only a 24-hour clock writes it ("09:00", "13:05") was read
    unknown_day: bool = False  # under a day label nothing dates ("Day 2" with no first day): times get no day
    day_one: dt.date | None = None  # the date of "Day 1", once a numbered day label was read
    numbered: bool = False  # a numbered day label was read, so `day_one` is settled (perhaps as unknown)
    named: dt.date | None = None  # the date of the last weekday label, which the next one counts on from
    weekdays: bool = False  # a weekday label was read


def events_from_blocks(
    blocks: Sequence[Block], context: Context, *, zone_from: str = "site", zones: Zones = BUILT_IN,
    heading: str = "", start: tuple[dt.datetime, str] | None = None,
) -> list[Placed]:
    """Events in time order as the author wrote them, with times read in `context` unless the text says otherwise.

    `zone_from` says where `context.zone` comes from, for the evidence; `heading` is the
    section's heading, which may state the zone ("Timeline (all times GST)"), the day, or
    that the newest entry comes first ("Timeline (most recent first)"): such a timeline is
    read, and given, from its last entry up, so a day carries forward in time, not back;
    `start` is the incident's stated start (and where it is stated), which "T+15m" counts from.
    """
    clock = _Clock(context, start=start)
    heading_day = _day_of_label(heading, zones) if heading else None
    if heading_day is not None:
        _set_day(clock, heading_day, 0)
    placed: list[Placed] = []
    candidates = list(_candidates(blocks, zones))
    stated = newest_first(heading, blocks)
    backwards = not stated and _runs_backwards(candidates)
    if stated or backwards:
        candidates = _oldest_first(candidates)
    candidates = _across_new_year(candidates, context)
    for candidate in candidates:
        if candidate.nth_day is not None or candidate.weekday is not None:
            _set_labelled_day(clock, candidate)
            continue
        if candidate.day_label and candidate.stamp is not None and candidate.stamp.date is not None:
            _set_day(clock, candidate.stamp.date, candidate.line)
            clock.fixed = candidate.default_day
            continue
        placed.append(_place(candidate, clock, zone_from))
    kept = [p for p in placed if p.event.at is not None or p.event.day is not None or _words(p.event.text)]
    return [replace(kept[0], backwards=True), *kept[1:]] if backwards and kept else kept


#: A statement that a timeline lists its newest entry first: "(most recent first)", "newest on top", "reverse
#: chronological order", "latest updates first".
_NEWEST_FIRST = re.compile(
    r"\b(?:(?:most\s+)?recent|newest|latest)(?:\s+(?:entries|events|updates?|ones?))?\s+(?:first|on\s+top|at\s+the\s+top)\b"
    r"|\breverse[ds]?[\s-]+(?:chronological|time\s+order|order)\b|\bnewest\s+to\s+oldest\b|\boldest\s+(?:last|at\s+the\s+bottom)\b",
    re.I)


def newest_first(heading: str, blocks: Sequence[Block]) -> bool:
    """Whether the timeline says it lists its newest entry first: in its heading, a heading or a short note
    within it, or a table's header."""
    notes = [heading, *(b.inline for b in blocks if b.kind in ("heading", "paragraph") and len(b.inline) < 160)]
    notes += [" ".join(b.rows[0].cells) for b in blocks if b.kind == "table" and b.rows]
    return any(_NEWEST_FIRST.search(_plain(note)) for note in notes if note)


def _runs_backwards(candidates: Sequence[_Candidate]) -> bool:
    """Three or more times of day, and nothing else dating the entries, each earlier than the one above it: a list
    written newest first that does not say so (read oldest first, its big steps back would be days forward)."""
    if any(c.day_label or c.after_start is not None or c.stamp is not None and c.stamp.date is not None
           for c in candidates):
        return False
    clocks = [c.stamp.clock.time for c in candidates if c.stamp is not None and c.stamp.clock is not None]
    return len(clocks) >= 3 and all(later < earlier for earlier, later in zip(clocks, clocks[1:], strict=False))


def _oldest_first(candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """A newest-first timeline's entries from its last up; a day label still leads the entries written under it,
    and a stated default day leads them all."""
    defaults = [c for c in candidates if c.default_day]
    groups: list[list[_Candidate]] = [[]]
    for candidate in candidates:
        if candidate.default_day:
            continue
        if candidate.day_label:
            groups.append([candidate])
        else:
            groups[-1].append(candidate)
    ordered: list[_Candidate] = []
    for group in reversed(groups):
        label = group[:1] if group and group[0].day_label else []
        ordered += label + list(reversed(group[len(label):]))
    return defaults + ordered


#: A day written without a year this many months before the one above it is in the next year (Dec 31, then Jan 1).
_NEW_YEAR = 6


def _across_new_year(candidates: list[_Candidate], context: Context) -> list[_Candidate]:
    """Days written without a year that run into a new year ("Dec 31 23:50", then "Jan 1 00:20") each get their year:
    those after the turn the next year's. The incident's date says which year is which: in the months after the turn
    (a date in January), those before it are the year before; otherwise, those after it are the year after. Without
    a day to go by, they are read as before."""
    yearless = [(n, c.stamp.date) for n, c in enumerate(candidates)
                if c.stamp is not None and c.stamp.date is not None and c.stamp.date.year is None and c.stamp.date.month]
    turns = [n for (_, before), (n, after) in zip(yearless, yearless[1:], strict=False)
             if before.month - after.month > _NEW_YEAR]
    if len(turns) != 1 or context.day is None:
        return candidates
    first_after = next(date.month for n, date in yearless if n >= turns[0])
    year_after = context.day.year + (0 if context.day.month <= first_after + _NEW_YEAR // 2 else 1)
    return [replace(c, year=year_after - 1 if n < turns[0] else year_after) if c.stamp is not None
            and c.stamp.date is not None and c.stamp.date.year is None else c for n, c in enumerate(candidates)]


#: A kramdown attribute list (`{: .table.table-striped }`) styles the block above it; it says nothing.
_ATTRIBUTE_LIST = re.compile(r"^\s*\{:[^{}]*\}\s*$")


def _words(text: str) -> bool:
    return bool(text.strip()) and not _ATTRIBUTE_LIST.match(text)


def _set_day(clock: _Clock, found: DateFound, line: int) -> None:
    day = resolve(Stamp(found.start, found.end, found), clock.context).day
    if day is not None:
        clock.context = replace(clock.context, day=day, year=day.year)
        clock.day_line, clock.previous, clock.unknown_day = line, None, False


def _set_labelled_day(clock: _Clock, label: _Candidate) -> None:
    """"### Day 2", "**Monday**": the day of the entries under it, counted from the day in force at the first such
    label; where nothing dates it, its entries keep their times and get no day (never the first day's)."""
    day = _numbered_day(clock, label.nth_day) if label.nth_day is not None else _named_day(clock, label.weekday)
    clock.unknown_day, clock.previous = day is None, None
    if day is not None:
        clock.context = replace(clock.context, day=day, year=day.year)
        clock.day_line = label.line


def _numbered_day(clock: _Clock, nth: int) -> dt.date | None:
    """Day 1 is the day in force at the first numbered label (the incident's date, unless an entry dated another)."""
    if not clock.numbered:
        clock.numbered = True
        clock.day_one = None if clock.unknown_day else clock.context.day
        clock.day_one = clock.day_one - dt.timedelta(days=nth - 1) if clock.day_one and nth > 1 else clock.day_one
    return clock.day_one + dt.timedelta(days=nth - 1) if clock.day_one and nth >= 1 else None


def _named_day(clock: _Clock, weekday: int | None) -> dt.date | None:
    """The first weekday label is the day in force only when that day is that weekday; a later one is the next day
    with its name after the last."""
    first, clock.weekdays = not clock.weekdays, True
    if weekday is None:
        return None
    if first:
        today = None if clock.unknown_day else clock.context.day
        clock.named = today if today is not None and today.weekday() == weekday else None
    elif clock.named is not None:
        clock.named += dt.timedelta(days=(weekday - clock.named.weekday()) % 7 or 7)
    return clock.named


def _place(candidate: _Candidate, clock: _Clock, zone_from: str) -> Placed:
    stamp = candidate.stamp
    if candidate.after_start is not None:
        return _after_start(candidate, clock)
    if stamp is None:
        return Placed(TimelineEvent(None, candidate.text, candidate.line), "", "")
    zone, zone_note = _zone_for(stamp, candidate, clock, zone_from)
    order = clock.context.day_first if clock.context.day_first is not None else candidate.day_first
    year = candidate.year if candidate.year is not None else clock.context.year
    reading = resolve(stamp, replace(clock.context, zone=zone, day_first=order, year=year))
    if reading.undecided is not None or candidate.unreadable_day or clock.unknown_day and stamp.date is None:
        found = stamp.date if stamp.date is not None and stamp.date.other is not None else None
        written = f"{found.month:02d}/{found.day:02d}/{found.year or ''}".rstrip("/") if found else ""
        return Placed(TimelineEvent(None, candidate.text, candidate.line, reading.clock), zone_note, "", undecided=written)
    at = reading.at
    day_note = f"{reading.day} (line {candidate.line})" if stamp.date else _day_note(clock)
    if at is not None and stamp.date is None and clock.previous is not None and clock.previous - at > _ROLLOVER:
        if _past_noon(stamp, clock, at):
            at += dt.timedelta(hours=12)
        else:
            at += dt.timedelta(days=1)  # past midnight
            day_note = f"{at.date()} (the day after line {clock.day_line or candidate.line}, past midnight)"
    if stamp.clock is not None and stamp.clock.twenty_four:
        clock.twenty_four = True
    if stamp.date is not None and reading.day is not None:
        if not clock.fixed:
            clock.context = replace(clock.context, day=reading.day, year=reading.day.year)
            clock.day_line, clock.unknown_day = candidate.line, False
    elif at is not None and at.date() != clock.context.day:
        clock.context = replace(clock.context, day=at.date())
    if at is not None:
        clock.previous = at
    if stamp.zone is not None and candidate.declared is None:
        clock.sticky = (stamp.zone, candidate.line)
    time = at.timetz() if at else reading.clock
    day = reading.day if at is None and stamp.clock is None else None
    off_season = reading.off_season or (zone if stamp.clock and at and zone.off_season(at.date()) else None)
    return Placed(TimelineEvent(at, candidate.text, candidate.line, time, day), zone_note if stamp.clock else "",
                  day_note if at or day else "", off_season)


def _past_noon(stamp: Stamp, clock: _Clock, at: dt.datetime) -> bool:
    """"11:40, 12:10, 1:05": on a 12-hour clock written without AM or PM, a time far behind the one before it may be
    the afternoon of the same day rather than the next night. It is when the timeline has written no time as only a
    24-hour clock does ("09:00", "13:05") and the afternoon reading follows the time before it closely."""
    if stamp.clock is None or stamp.clock.meridiem or stamp.clock.twenty_four or clock.twenty_four:
        return False
    afternoon = at + dt.timedelta(hours=12)
    return 1 <= at.hour <= 11 and clock.previous is not None and dt.timedelta(0) <= afternoon - clock.previous <= _ROLLOVER


def _after_start(candidate: _Candidate, clock: _Clock) -> Placed:
    """"T+15m": a time counted from the stated start; without one, the event keeps its words and no time."""
    if clock.start is None or candidate.after_start is None:
        return Placed(TimelineEvent(None, candidate.text, candidate.line), "", "")
    start, where = clock.start
    at = start + dt.timedelta(minutes=candidate.after_start)
    clock.previous = at
    note = f"{candidate.after_start} min after the start ({where})"
    return Placed(TimelineEvent(at, candidate.text, candidate.line, at.timetz()), "", note)


#: "T+15m", "T+1h 30m", "T + 00:15", "+00:15": a time counted from the incident's start.
_UNIT = r"(?:days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])"
_RELATIVE = re.compile(
    rf"^[\s*_`\[(]*(?:T\s?\+\s?(?P<length>\d{{1,2}}:\d{{2}}(?::\d{{2}})?|\d+(?:[.,]\d+)?\s?{_UNIT}(?:\s?\d+\s?{_UNIT})*"
    rf"|\d+(?![\w.]|:\d))|\+(?P<clock>\d{{1,2}}:\d{{2}}))[\s*_`\])]*(?:[-–—:|]\s*)?(?P<rest>.*)$", re.I | re.S)


def _relative(line: int, text: str, declared: tuple[Zone, int] | None) -> _Candidate | None:
    match = _RELATIVE.match(text)
    if match is None:
        return None
    minutes = parse_duration((match["length"] or match["clock"]).rstrip(":.,"))
    if minutes is None or minutes < 0:
        return None
    return _Candidate(line, None, match["rest"].strip(), declared, after_start=minutes)


def _zone_for(stamp: Stamp, candidate: _Candidate, clock: _Clock, zone_from: str) -> tuple[Zone, str]:
    """The zone of an event's time: written on it, else declared for its scope, else the last written one."""
    if stamp.zone is not None:
        return stamp.zone, f"{stamp.zone.name} (line {candidate.line})"
    if candidate.declared is not None:
        return candidate.declared[0], f"{candidate.declared[0].name} (line {candidate.declared[1]})"
    if clock.sticky is not None and zone_from == "site":
        return clock.sticky[0], f"{clock.sticky[0].name} (written on line {clock.sticky[1]})"
    return clock.context.zone, f"{clock.context.zone.name} ({zone_from})"


def _day_note(clock: _Clock) -> str:
    if clock.context.day is None:
        return ""
    return f"{clock.context.day} (line {clock.day_line})" if clock.day_line else f"{clock.context.day} (incident date)"


def event_texts(blocks: Sequence[Block]) -> dict[int, str]:
    """The text of each timeline entry `blocks` hold, by its line, as the normaliser reads it, whatever its time:
    the words of an entry do not depend on the zone or day its time is read in."""
    utc = Context(Zone("UTC", dt.UTC))
    return {p.event.line: p.event.text for p in events_from_blocks(blocks, utc)}


def split_leading_time(text: str, zones: Zones = BUILT_IN) -> tuple[str, str] | None:
    """("10:34 UTC", "rest of the line") when `text` starts with a moment; else None."""
    split = leading_stamp(text, zones)
    if split is None:
        return None
    stamp, rest = split
    return text[stamp.start : stamp.end].strip(), rest


def untimed_problem(placed: Sequence[Placed], source: str) -> list[Diagnostic]:
    """`untimed-timeline` when a timeline has events and not one of them has a time or a day."""
    if len(placed) < 2 or any(p.event.at or p.event.time or p.event.day for p in placed):
        return []
    return [diag.warning("untimed-timeline", "this timeline has events but hindsite found no time in any of them; "
                         "they are shown in the order written — start each entry with its time (e.g. '14:05 UTC')",
                         source, placed[0].event.line)]


def undecided_problems(placed: Sequence[Placed], source: str) -> list[Diagnostic]:
    """`ambiguous-date` at a timeline's first entry whose numeric date reads either way round and was left undated."""
    first = next((p for p in placed if p.undecided), None)
    if first is None:
        return []
    count = sum(1 for p in placed if p.undecided)
    others = f"; {count - 1} more entries of this timeline too" if count > 1 else ""
    return [diag.warning(
        "ambiguous-date", f"{first.undecided!r} could be day-first or month-first, and nothing else in the document "
        f"says which; this entry keeps its time and no day{others} — write YYYY-MM-DD, or set day_first in site.toml",
        source, first.event.line)]


def season_problems(placed: Sequence[Placed], source: str) -> list[Diagnostic]:
    """One `zone-season` warning per abbreviation a timeline writes out of season, at its first such event."""
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    for item in placed:
        zone, at = item.off_season, item.event.at
        if zone is None or at is None or zone.name in seen:
            continue
        seen.add(zone.name)
        problems.append(diag.warning(
            "zone-season",
            f"this timeline writes {zone.name}, but on {at:%d %B %Y} those clocks showed {season_note(zone, at.date())}; "
            f"its times are read as written ({zone.name}) — write the offset, or the right abbreviation, if that is "
            "wrong", source, item.event.line))
    return problems


def backwards_problems(placed: Sequence[Placed], source: str) -> list[Diagnostic]:
    """`timeline-order` once for a timeline whose times all run backwards and that was read newest first."""
    first = next((p for p in placed if p.backwards), None)
    if first is None:
        return []
    return [diag.warning("timeline-order", "every time of this timeline is earlier than the one above it, so it is "
                         "read newest first, from its last entry up — say so in its heading ('Timeline (newest "
                         "first)'), or write its entries oldest first", source, first.event.line)]


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


# --- what in the blocks reads as an event ------------------------------------

def _candidates(blocks: Iterable[Block], zones: Zones) -> Iterator[_Candidate]:
    """Everything in the blocks that reads as one event or a day label, with the zone statement in force for it."""
    declared: tuple[Zone, int] | None = None
    pending: _Candidate | None = None  # a timestamp heading collecting the paragraphs under it
    for block in blocks:
        statement = _declared_zone(block, zones)
        if statement is not None:
            declared = (statement, block.start)
        if block.kind == "heading":
            if pending:
                yield pending
            pending = None
            label = _day_label(block.start, _plain(block.inline), zones, declared)
            if label is not None:
                yield label
                continue
            split = leading_stamp(_plain(block.inline), zones)
            if split is not None and split[0].clock is not None:
                pending = _Candidate(block.start, split[0], split[1], declared)
            continue
        if pending is not None:
            if block.kind == "list" and any(_leading(item.text, zones) for item in block.items):
                yield pending
                pending = None
            elif block.kind in ("paragraph", "list", "quote", "code", "html", "table"):
                written = block.inline if block.from_html and block.inline else block.source  # HTML: its words
                pending = replace(pending, text=f"{pending.text}\n{written}".strip())
                continue
        if block.kind == "paragraph" and not _leading(block.inline, zones):
            stated_day = _default_day(block, zones, declared)
            if stated_day is not None:
                yield stated_day
                continue
        if statement is not None and block.kind == "paragraph" and not _laid_out_in_columns(block, zones):
            label = _day_label(block.start, block.inline, zones, declared)
            if label is not None:
                yield label  # "Timeline for September 17, 2018 (all times UTC)"
            continue  # "All times are PDT." is not an event
        if block.kind == "list":
            for item in block.items:
                yield from _from_item_lines(item.line, _without_code(item), zones, declared)
        elif block.kind == "table":
            yield from _table_events(block, zones, declared)
        elif block.kind == "paragraph" or block.kind == "code" and _laid_out_in_columns(block, zones):
            yield from _paragraph_events(block, zones, declared)
    if pending:
        yield pending


def _declared_zone(block: Block, zones: Zones) -> Zone | None:
    """A zone stated by a short paragraph or heading, e.g. "All times in CET."."""
    if block.kind in ("paragraph", "heading") and len(block.inline) < 160:
        return declared_zone(block.inline, zones)
    return None


def declared_zone(text: str, zones: Zones = BUILT_IN) -> Zone | None:
    """The zone a short text states for the times in its scope, when it talks about times at all."""
    if re.search(r"\btimes?\b|\btime\s*zone\b|\btimezone\b|\btimestamps?\b|\btz\b", text, re.I):
        return stated_zone(text, zones)
    return None


def _leading(text: str, zones: Zones) -> bool:
    split = leading_stamp(text.strip(), zones)
    return split is not None and (split[0].clock is not None or bool(split[1]))


def _without_code(item: ListItem) -> str:
    """An item's text with the lines of its fenced code blocks left blank: a log pasted under an entry quotes
    times, it does not tell them (the page still shows the code, from the section's text)."""
    lines = item.text.split("\n")
    return "\n".join("" if item.line + n in item.fenced else text for n, text in enumerate(lines)).rstrip()


def _from_item_lines(line: int, text: str, zones: Zones, declared: tuple[Zone, int] | None) -> Iterator[_Candidate]:
    """A list item, and each later line of it that starts with a clock time: a wrapped entry whose next
    entry lost its marker ("9. 12:00 …" then "10.12:30 …") is still two events; a later line that is a day
    label is the label of the entries after it."""
    lines = text.split("\n")
    starts = [0] + [n for n in range(1, len(lines)) if _starts_with_clock(lines[n], zones)
                    or _day_label(line + n, lines[n], zones, declared) is not None]
    for first, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        label = _day_label(line + first, lines[first], zones, declared) if first else None
        if label is not None:  # "**Monday**" at the margin under an entry, which Markdown folds into it
            yield label
            first += 1
        if first < end:
            yield _from_item(line + first, "\n".join(lines[first:end]), zones, declared)


def _starts_with_clock(text: str, zones: Zones) -> bool:
    split = leading_stamp(text.strip(), zones) if text.strip() else None
    return split is not None and split[0].clock is not None and bool(split[1])


def _from_item(line: int, text: str, zones: Zones, declared: tuple[Zone, int] | None) -> _Candidate:
    """A list item: a leading time, a trailing date-time, `Label: time`, a day label, or an untimed event."""
    stripped = text.strip()
    label = _day_label(line, stripped, zones, declared)
    if label is not None:
        return label
    split = leading_stamp(stripped, zones)
    if split is not None:
        return _Candidate(line, split[0], split[1] or stripped, declared)
    relative = _relative(line, stripped, declared)
    if relative is not None:
        return relative
    first_line = stripped.split("\n")[0]
    trailing = _trailing_stamp(first_line, zones)
    if trailing is not None:
        return _Candidate(line, trailing, stripped, declared)
    labelled = _labelled_time(stripped, zones) or _time_in_label(stripped, zones)
    if labelled is not None:
        return _Candidate(line, labelled[0], labelled[1], declared)
    return _Candidate(line, None, stripped, declared)


_ASIDE_LABEL = re.compile(r"^\s*(?:\*\*|__)?(?P<label>[^:*()\n]{1,60}?)\s*\((?P<when>[^()\n]{4,60})\)\s*(?:\*\*|__)?\s*:")


def _time_in_label(text: str, zones: Zones) -> tuple[Stamp, str] | None:
    """"**Issue Detection (November 10, 2023, 8:00 PM)**: users reported…": the time in the label's parentheses."""
    match = _ASIDE_LABEL.match(text)
    stamps = scan(match["when"], zones) if match else []
    if match is None or len(stamps) != 1 or stamps[0].clock is None:
        return None
    return stamps[0], text


def _trailing_stamp(text: str, zones: Zones) -> Stamp | None:
    """"Fault occurs 2020-02-12 11:45": a date and time that end the line."""
    stamps = scan(text, zones)
    if not stamps:
        return None
    last = stamps[-1]
    tail = text[last.end :].strip(" .)*_`")
    return last if last.start > 0 and not tail and last.date is not None and last.clock is not None else None


_LABEL = re.compile(r"^\s*(?:\*\*|__)?(?P<label>[^:*\n]{1,50}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<rest>.*)$", re.S)


def _labelled_time(text: str, zones: Zones) -> tuple[Stamp, str] | None:
    """"**Issue detected:** 10:15 PM": the label says what happened, the time says when (also on the next line)."""
    label = _LABEL.match(text)
    if label is None:
        return None
    parts = [part.lstrip("-*+ ").strip() for part in label.group("rest").split("\n")]
    for index, part in enumerate(parts[:2]):
        split = leading_stamp(part, zones) if part else None
        if split is not None:
            said = [split[1], *parts[:index], *parts[index + 1 :]]
            return split[0], " — ".join([label.group("label").strip(), *(p for p in said if p)])
    return None


#: The words a day label may hold besides its date: "Day 2 —", a weekday, "(all times PST)".
_LABEL_WORDS = re.compile(r"\b(?:day\s*\d+|the|of|on|for|from|timeline|events?|\w+day|times?|all|in|are|zone|timezone|"
                          r"approx\w*|[A-Z]{2,5})\b|[\W\d_]+", re.I)


def _day_label(line: int, text: str, zones: Zones, declared: tuple[Zone, int] | None) -> _Candidate | None:
    """A line that only gives a day ("2019-01-22", "**Day 2 — 5 March**", "### Friday, 5 March 2021"), or names one
    without a date ("### Day 2", "**Monday**")."""
    found = _day_of_label(text, zones)
    if found is None:
        return _undated_day_label(line, text, declared)
    return _Candidate(line, Stamp(found.start, found.end, found), "", declared, day_label=True)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: A line that is only a day's number or name: "Day 2", "DAY 2:", "Monday", "**Saturday:**".
_UNDATED_DAY = re.compile(rf"^\W*(?:day\s*(?P<nth>\d{{1,2}})|(?P<weekday>{'|'.join(_WEEKDAYS)}))\W*$", re.I)


def _undated_day_label(line: int, text: str, declared: tuple[Zone, int] | None) -> _Candidate | None:
    match = _UNDATED_DAY.match(_plain(text))
    if match is None:
        return None
    if match["nth"]:
        return _Candidate(line, None, "", declared, day_label=True, nth_day=int(match["nth"]))
    return _Candidate(line, None, "", declared, day_label=True, weekday=_WEEKDAYS.index(match["weekday"].lower()))


#: A sentence that gives the day of every event that does not say otherwise.
_DEFAULT_DAY = re.compile(r"\b(?:unless (?:otherwise )?(?:noted|stated|mentioned)|all (?:the )?(?:events|entries|times)\b[^.]{0,40}"
                          r"\b(?:happened|occurred|took place|are|were) on)\b", re.I)


def _default_day(block: Block, zones: Zones, declared: tuple[Zone, int] | None) -> _Candidate | None:
    """"Unless otherwise noted all events happened on 2019-10-21": the day of events written without one."""
    if len(block.inline) > 240 or not _DEFAULT_DAY.search(block.inline):
        return None
    dates = [d for d in scan_dates(_plain(block.inline)) if d.year is not None]
    if len(dates) != 1:
        return None
    return _Candidate(block.start, Stamp(dates[0].start, dates[0].end, dates[0]), "", declared, day_label=True,
                      default_day=True)


def _day_of_label(text: str, zones: Zones) -> DateFound | None:
    plain = _plain(text)
    if len(plain) > 80:
        return None
    stamps = scan(plain, zones)
    if len(stamps) != 1 or stamps[0].clock is not None or stamps[0].date is None:
        return None
    rest = plain[: stamps[0].start] + " " + plain[stamps[0].end :]
    return stamps[0].date if not _LABEL_WORDS.sub(" ", rest).strip() else None


def _table_events(block: Block, zones: Zones, declared: tuple[Zone, int] | None) -> Iterator[_Candidate]:
    """Rows of a timeline table: the time and date columns make the moment, the other cells the text."""
    header = block.rows[0].cells if block.rows else ()
    column_zone = declared_zone(" ".join(header), zones) or _column_zone(header, zones)
    scope = (column_zone, block.start) if column_zone is not None else declared
    time_column = next((i for i, cell in enumerate(header) if _TIME_HEADER.search(cell)), None)
    order = _day_column_order(block, zones)
    for row in block.rows[1:]:
        cells = list(row.cells)
        if not any(cells):
            continue
        timed = [i for i, c in enumerate(cells) if c and len(c) <= 60 and _is_when(_plain(c), zones)]
        if not timed:
            yield _unreadable_row(row.line, cells, time_column, zones, scope)
            continue
        first = timed[0]
        joined = _day_cell(cells, header, first, zones) + [first] + ([first + 1] if first + 1 in timed else [])
        when = " ".join(_plain(cells[i]) for i in joined)
        text = " — ".join(c for i, c in enumerate(cells) if i not in joined and c)
        split = leading_stamp(when, zones)
        if split is None:
            continue
        stamp, rest = split
        if not text and not rest and stamp.clock is None:
            yield _Candidate(row.line, stamp, "", scope, day_label=True)  # a row that only holds a date
            continue
        yield _Candidate(row.line, stamp, " — ".join(p for p in (rest, text) if p), scope, day_first=order)


_TIME_HEADER = re.compile(r"\b(?:time|when|date|timestamp)\b", re.I)
_DATE_HEADER = re.compile(r"\b(?:date|day)\b", re.I)


def _day_column_order(block: Block, zones: Zones) -> bool | None:
    """How a column of days written beside the times ("3/4", "3/5", "3/6") orders them: its days, as
    `numeric_order` reads a document's dates, decide (these change their day)."""
    header = block.rows[0].cells if block.rows else ()
    whens = []
    for row in block.rows[1:]:
        timed = [i for i, c in enumerate(row.cells) if c and len(c) <= 60 and _is_when(_plain(c), zones)]
        if timed and _day_cell(row.cells, header, timed[0], zones):
            whens.append(f"{_plain(row.cells[timed[0] - 1])} {_plain(row.cells[timed[0]])}")
    return numeric_order("\n".join(whens)) if whens else None


def _day_cell(cells: Sequence[str], header: Sequence[str], first: int, zones: Zones) -> list[int]:
    """The column before the time, headed "Date" or "Day", when it holds a day that reads only beside a time ("3/4"
    then "11:55 PM"): `[its index]`, else `[]`."""
    before = first - 1
    if before < 0 or before >= len(header) or not _DATE_HEADER.search(header[before]) or not cells[before]:
        return []
    split = leading_stamp(f"{_plain(cells[before])} {_plain(cells[first])}", zones)
    return [before] if split is not None and split[0].date is not None and split[0].clock is not None else []


def _unreadable_row(
    line: int, cells: list[str], time_column: int | None, zones: Zones, scope: tuple[Zone, int] | None
) -> _Candidate:
    """A row whose time column holds a clock time beside something that is not a date ("20202-01-16 12:00"):
    the time of day is kept, and no day is assumed for it."""
    text = " — ".join(c for c in cells if c)
    if time_column is None or time_column >= len(cells):
        return _Candidate(line, None, text, scope)
    clocks = [stamp for stamp in scan(_plain(cells[time_column]), zones) if stamp.clock is not None]
    if not clocks:
        return _Candidate(line, None, text, scope)
    rest = " — ".join(c for i, c in enumerate(cells) if i != time_column and c)
    return _Candidate(line, Stamp(clocks[0].start, clocks[0].end, None, clocks[0].clock), rest, scope,
                      unreadable_day=True)


def _is_when(cell: str, zones: Zones) -> bool:
    """A table cell that gives a time, or only a date."""
    split = leading_stamp(cell, zones)
    return split is not None and (split[0].clock is not None or not split[1])


def _column_zone(header: Sequence[str], zones: Zones) -> Zone | None:
    """"Time (CET)", "UTC": a zone named in a time column's header."""
    for cell in header:
        words = _plain(cell)
        if re.search(r"\b(?:time|when|date)\b", words, re.I) or len(words) <= 6:
            zone = stated_zone(f"times {words}", zones)
            if zone is not None:
                return zone
    return None


def _paragraph_events(block: Block, zones: Zones, declared: tuple[Zone, int] | None) -> Iterator[_Candidate]:
    """Lines of a paragraph that start with a time or give a day; a line without either continues the one above."""
    lines = block.inline.split("\n")
    pending: _Candidate | None = None
    for offset, text in enumerate(lines):
        line = block.start + offset
        label = _day_label(line, text, zones, declared)
        if label is not None:
            if pending:
                yield pending
            pending = None
            yield label
            continue
        split = leading_stamp(text, zones) if text.strip() else None
        if split is not None and (split[0].clock is not None or split[1]):
            if pending:
                yield pending
            pending = _Candidate(line, split[0], split[1], declared)
        elif pending and text.strip():
            pending = replace(pending, text=f"{pending.text} {text.strip()}".strip())
        elif text.strip() and offset == 0:
            header = _column_header(text)
            if header is None:
                return  # a paragraph of prose, not of timed lines
            zone = _column_zone(header, zones)  # "Time (UTC)   Event"
            declared = (zone, line) if zone is not None else declared
    if pending:
        yield pending


def _column_header(text: str) -> list[str] | None:
    """The cells of a line heading columns laid out with spaces or tabs, one of them a time's ("Time (UTC)   Event")."""
    cells = [cell for cell in re.split(r"\t+| {2,}", text.strip()) if cell]
    if len(cells) < 2 or not any(_TIME_HEADER.search(cell) for cell in cells) or any(re.search(r"\d", c) for c in cells):
        return None
    return cells


def _laid_out_in_columns(block: Block, zones: Zones) -> bool:
    """Time-first lines, under a header of columns ("Time (UTC)   Event") or not: a timeline, not a note on zones."""
    lines = [line for line in block.inline.split("\n") if line.strip()]
    if lines and _column_header(lines[0]) is not None:
        lines = lines[1:]
    return bool(lines) and _leading(lines[0], zones)


def _plain(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip()

