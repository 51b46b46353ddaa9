"""What the document implies when it does not state it, and whether its time facts hang together.

Times come from the timeline (the start, detection and end an author did not state), a
date or a duration from prose. Every derived value is marked as derived, with the evidence
it used; and before anything is published the facts are checked against each other
(`check_facts`): a derived fact that cannot be true is withheld with a diagnostic naming
both lines, a stated one is kept and reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from ..core.model import DERIVED, STATED, WITHHELD, Origin, minutes_between
from .bookends import dates_the_write_up
from .metadata import Metadata
from .timeline import Placed
from .times import (
    Context,
    DateFound,
    Stamp,
    Zones,
    parse_date,
    parse_duration,
    resolve,
    resolve_range,
    scan,
    scan_dates,
    scan_range,
)

#: A word naming what modifies it ("alerting rules", "report job", "warning banner", "report regenerated") is not news
#: of the problem.
_MODIFIED = r"(?!\s+(?:rules?|banners?|jobs?|configs?|configuration|thresholds?|polic(?:y|ies)|definitions?|manager|" \
            r"routing|templates?|css|models?|pipelines?|dashboards?|(?:re)?generat\w*|scripts?|tool\w*)\b)"
#: A problem, as what was identified: "problem is identified", "identified a bug" (not "identified the cause").
_PROBLEM = r"(?:problems?|issues?|outages?|incidents?|errors?|bugs?|failures?)"
#: Words that say the problem was noticed. "Identified" alone is not one: on status pages it says the cause was
#: found; nor are words that only begin so ("detector", "reporting tool"); "Investigating" opening an entry is a
#: status page's first word.
_DETECTED = re.compile(
    rf"\b(detect(?:ed|s|ion)?\b{_MODIFIED}|alert(?:s|ed)?\b{_MODIFIED}|alarm(?:s|ed)?\b{_MODIFIED}|paged|"
    rf"pages\s+(?:the\s+)?on-?call|{_PROBLEM}\s+(?:is\s+|was\s+|were\s+|are\s+)?identified|"
    rf"identified\s+(?:an?\s+|the\s+)?(?:\w+\s+)?{_PROBLEM}\b|"
    rf"notic(?:ed?|es)\b|reports?\b{_MODIFIED}|reported|discovered|flagged|declared|warning\b{_MODIFIED}|warned|"
    r"learn(?:ed|t)\b|became aware|complain\w*)|^\W*investigating\b", re.I)
#: Words that say service was back; the weak ones ("fixed") also describe a fix on its way, or news of one.
_RESOLVED = re.compile(
    r"\b(resolved|resolution|restored|recovered|back (?:up|online|to normal)|returned to normal|fully operational|"
    r"operational again|incident (?:was )?closed|all clear|service (?:was )?restored)\b",
    re.I,
)
_RESOLVED_WEAKLY = re.compile(r"\b(fixed|mitigated|reverted|rolled back)\b", re.I)

#: An event more than a day before the rest of the timeline, and further from it than the rest spans, is
#: background (the change made the day before, the bug introduced last month), not the incident's start.
_APART = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Timed:
    """A timeline entry with its instant: what the incident's own window is made of."""

    at: dt.datetime
    placed: Placed


def main_window(placed: Sequence[Placed], anchored: Collection[dt.date] = ()) -> list[Timed]:
    """The timed events of the incident itself, in time order: the timeline less isolated events at either end.

    An isolated event on one of the `anchored` days (the incident's date as the document gives it) stays.
    """
    timed = sorted((Timed(p.event.at, p) for p in placed if p.event.at is not None), key=lambda t: t.at)
    while len(timed) >= 3 and _isolated(timed[0], timed[1], timed[-1]) and timed[0].at.date() not in anchored:
        timed = timed[1:]
    while len(timed) >= 3 and _isolated(timed[-1], timed[-2], timed[0]) and timed[-1].at.date() not in anchored:
        timed = timed[:-1]
    return timed


def _isolated(edge: Timed, neighbour: Timed, far: Timed) -> bool:
    gap = abs(neighbour.at - edge.at)
    rest = abs(far.at - neighbour.at)
    return gap > _APART and gap > rest


def derive_times(meta: Metadata, placed: Sequence[Placed]) -> None:
    """Fill the start, detection and end the document did not state from its timeline.

    A stated time to detect or to resolve ("Time to detection: 64 minutes") counts from the
    start, stated or derived. Where the timeline also has an event that says so ("resolved"),
    the length wins only when it lands on one of the timeline's events: a length may count from
    something other than the start ("time to repair" from the detection), an event does not.
    """
    window = main_window(placed, {meta.values["date"]} if "date" in meta.values else ())
    if window:
        first = window[0]
        meta.set("started_at", first.at, "timeline", first.placed.event.line, kind=DERIVED, evidence=_evidence(first.placed))
    lengths = {name: meta.values.pop(length, None) for length, name in _LENGTHS}
    length_origins = {name: meta.origins.pop(length, None) for length, name in _LENGTHS}
    start = meta.values.get("started_at")
    if start is None:
        return
    for name in ("detected_at", "resolved_at"):
        if name in meta.values:
            continue
        floor = max([start, *(meta.values[n] for n in ("detected_at",) if n in meta.values and n != name)])
        event = _detection(window, start) if name == "detected_at" else _resolution(window)
        minutes, origin = lengths[name], length_origins[name]
        counted = start + dt.timedelta(minutes=minutes) if minutes is not None else None
        fits = counted is not None and counted >= floor
        if counted is not None and origin is not None and fits and (event is None or _on_an_event(counted, window)):
            meta.set(name, counted, origin.how, origin.line, kind=DERIVED,
                     evidence=(f"{minutes} min after the start (line {meta.origins['started_at'].line})",))
        elif event is not None:
            meta.set(name, event.at, "timeline", event.placed.event.line, kind=DERIVED, evidence=_evidence(event.placed))
    _derive_duration(meta)


_LENGTHS = (("time_to_detect", "detected_at"), ("time_to_resolve", "resolved_at"))


def _on_an_event(at: dt.datetime, window: Sequence[Timed]) -> bool:
    return any(abs(t.at - at) <= dt.timedelta(minutes=1) for t in window)


def _detection(window: Sequence[Timed], start: dt.datetime) -> Timed | None:
    return next((t for t in window if _DETECTED.search(t.placed.event.text) and t.at >= start), None)


def _resolution(window: Sequence[Timed]) -> Timed | None:
    """The last event that says service was back (a weaker word only where none does); one before the start is
    reported by `check_facts`, not skipped."""
    return next((t for t in reversed(window) if _RESOLVED.search(t.placed.event.text)), None) or next(
        (t for t in reversed(window) if _RESOLVED_WEAKLY.search(t.placed.event.text)), None)


def _derive_duration(meta: Metadata) -> None:
    minutes = minutes_between(meta.values.get("started_at"), meta.values.get("resolved_at"))
    if minutes is None:
        return
    lines = [meta.origins[name].line for name in ("started_at", "resolved_at")]
    stated = all(meta.origins[name].kind == STATED for name in ("started_at", "resolved_at"))
    meta.set("duration_minutes", minutes, meta.origins["resolved_at"].how, lines[1], kind=STATED if stated else DERIVED,
             evidence=(f"from the start on line {lines[0]} to the end on line {lines[1]}",))


def _evidence(placed: Placed) -> tuple[str, ...]:
    zone = f"zone {placed.zone}" if placed.zone else ""
    day = placed.day if "after the start" in placed.day else f"day {placed.day}" if placed.day else ""
    return tuple(note for note in (zone, day) if note)


# --- plausibility -------------------------------------------------------------

_ORDER = (("started_at", "detected_at"), ("detected_at", "resolved_at"), ("started_at", "resolved_at"))
_WORDS = {"started_at": "start", "detected_at": "detection", "resolved_at": "end", "duration_minutes": "duration"}


def check_facts(meta: Metadata, max_minutes: int, source: str) -> list[Diagnostic]:
    """Check the time facts against each other before anything is published.

    Start ≤ detection ≤ end, and a duration between one minute and `max_minutes`. A derived
    fact that fails is withheld (removed, its origin marked withheld); a stated one is kept,
    and both are reported with the lines involved.
    """
    problems: list[Diagnostic] = _far_from_the_date(meta, source)
    for earlier, later in _ORDER:
        if earlier in meta.values and later in meta.values and meta.values[later] < meta.values[earlier]:
            problems.append(_out_of_order(meta, earlier, later, source))
    problems += _duration_problems(meta, max_minutes, source)
    return problems


def _far_from_the_date(meta: Metadata, source: str) -> list[Diagnostic]:
    """Times worked out from a timeline whose days disagree with the date the document states are left out."""
    day, day_origin = meta.values.get("date"), meta.origins.get("date")
    start, start_origin = meta.values.get("started_at"), meta.origins.get("started_at")
    if day is None or start is None or day_origin is None or start_origin is None:
        return []
    if day_origin.kind != STATED or start_origin.kind != DERIVED or abs((start.date() - day).days) <= 1:
        return []
    for name in ("started_at", "detected_at", "resolved_at", "duration_minutes"):
        origin = meta.origins.get(name)
        if origin is not None and origin.kind == DERIVED:
            withhold(meta, name, f"the timeline's day, {start:%d %B %Y}, is not the incident's date, {day:%d %B %Y}")
    return [diag.warning(
        "implausible-time", f"the timeline's first time is on {start:%d %B %Y}, but the incident is dated {day:%d %B %Y} "
        f"({_where(day_origin)}); the start, detection and end worked out from the timeline are left out — correct "
        "whichever date is wrong", source, start_origin.line)]


def _out_of_order(meta: Metadata, earlier: str, later: str, source: str) -> Diagnostic:
    first, second = meta.origins[earlier], meta.origins[later]
    what = (f"the {_WORDS[later]} ({meta.values[later]:%Y-%m-%d %H:%M%z}, {_where(second)}) is before the "
            f"{_WORDS[earlier]} ({meta.values[earlier]:%Y-%m-%d %H:%M%z}, {_where(first)})")
    derived = [o for o in (second, first) if o.kind == DERIVED]
    if derived:
        gone = derived[0]
        withhold(meta, gone.field, f"contradicts the {_WORDS[earlier if gone is second else later]} "
                 f"({_where(first if gone is second else second)})")
        if gone.field in ("started_at", "resolved_at"):
            _withhold_derived_duration(meta)
        return diag.warning("implausible-time", f"{what}; the {_WORDS[gone.field]} was worked out from the timeline, "
                            f"so it is left out — state it ({gone.field}: in the front-matter)", source, gone.line)
    return diag.warning("conflicting-times", f"{what}; both are stated, so both are kept — correct whichever is wrong",
                        source, second.line)


def _duration_problems(meta: Metadata, max_minutes: int, source: str) -> list[Diagnostic]:
    minutes = meta.values.get("duration_minutes")
    origin = meta.origins.get("duration_minutes")
    if minutes is None or origin is None:
        return []
    if 1 <= minutes <= max_minutes:
        return _mismatch(meta, source)
    length = "less than a minute" if minutes < 1 else f"{minutes} minutes ({minutes / 1440:.1f} days)"
    limit = f"between 1 minute and {max_minutes // 1440} days (max_incident_days in site.toml)"
    if origin.kind == DERIVED:
        withhold(meta, "duration_minutes", f"{length} is not {limit}")
        if meta.origins.get("resolved_at") and meta.origins["resolved_at"].kind == DERIVED:
            withhold(meta, "resolved_at", f"it would make the incident last {length}")
        return [diag.warning("implausible-duration", f"the times worked out from the timeline make the incident last "
                             f"{length}, which is not {limit}; the duration is left out — state started_at and "
                             "resolved_at, or the duration", source, origin.line)]
    stated = "the stated duration is" if origin.how != "timeline" and "start" not in " ".join(origin.evidence) else \
        "the stated times make the incident last"
    return [diag.warning("implausible-duration", f"{stated} {length}; it is kept as written, but a duration is expected "
                         f"{limit} — check it", source, origin.line)]


def _mismatch(meta: Metadata, source: str) -> list[Diagnostic]:
    """`duration-mismatch`: a stated duration that disagrees with a stated start and end."""
    origin = meta.origins["duration_minutes"]
    started, resolved = meta.values.get("started_at"), meta.values.get("resolved_at")
    measured = minutes_between(started, resolved)
    if origin.kind != STATED or origin.how == "prose" or measured is None:
        return []
    if any(meta.origins[name].kind != STATED for name in ("started_at", "resolved_at")):
        return []
    stated = meta.values["duration_minutes"]
    if abs(stated - measured) <= max(5, measured // 20):
        return []
    return [diag.warning(
        "duration-mismatch",
        f"the stated duration ({stated} min) disagrees with the stated start and end ({measured} min apart); "
        "correct whichever is wrong", source, origin.line)]


def withhold(meta: Metadata, name: str, reason: str) -> None:
    """Leave a fact out: no value, and an origin that says why."""
    origin = meta.origins.get(name)
    meta.values.pop(name, None)
    meta.origins[name] = Origin(name, origin.how if origin else "", origin.line if origin else None, WITHHELD,
                                (*(origin.evidence if origin else ()), reason))


def _withhold_derived_duration(meta: Metadata) -> None:
    origin = meta.origins.get("duration_minutes")
    if origin is not None and origin.kind == DERIVED:
        withhold(meta, "duration_minutes", "its start or end was left out")


def _where(origin: Origin) -> str:
    if origin.how == "front-matter":
        return "front-matter" + (f", line {origin.line}" if origin.line else "")
    return f"line {origin.line}" if origin.line else origin.how


# --- prose ------------------------------------------------------------------

#: Words that make a sentence's range of times the incident's own ("was down from 16:58 to 18:46 UTC").
_OUTAGE = re.compile(r"\b(?:down|outage|offline|unavailable|degraded|disrupt\w*|impact\w*|affect\w*|incident|lasted|"
                     r"lasting|failing|failed|errors?|broken|unreachable|unresponsive)\b", re.I)
#: A sentence, soft-wrapped lines and all: it ends at a full stop (not a decimal point, nor the stops of "e.g.",
#: "i.e." and "approx.", which never end one) or a blank line.
_SENTENCE = re.compile(r"(?:\b(?:[Ee]\.g|[Ii]\.e|[Aa]pprox)\.|[^.!?\n]|\n(?!\s*\n)|[.!?](?=\d))+(?:[.!?]|$|\n)")


def prose_window(meta: Metadata, passages: Sequence[tuple[str, int]], context: Context, zones: Zones) -> None:
    """A start and an end the prose states as one range ("the site was down from 16:58 to 18:46 UTC").

    `passages` are texts with the file line each starts on. Only a range in a sentence about the
    outage counts, and only when both ends are whole instants; the first such range is taken.
    """
    if "started_at" in meta.values or "resolved_at" in meta.values:
        return
    for text, first_line in passages:
        for sentence in _SENTENCE.finditer(text):
            words = sentence.group(0)
            if not _OUTAGE.search(words) or _OTHER_INCIDENTS.search(words):
                continue
            span = scan_range(words, zones)
            if span is None or span[0].clock is None:
                span = _started_and_ended(words, zones)
            if span is None:
                continue
            start, end = resolve_range(*span, context, words)
            if start.at is None or end.at is None or end.at <= start.at:
                continue
            line = first_line + text.count("\n", 0, sentence.start())
            meta.set("started_at", start.at, "prose", line)
            meta.set("resolved_at", end.at, "prose", line)
            meta.state_day(start.at.date(), "prose", line)
            return


#: Words that say the trouble began ("errors began at 10:00", "starting at 10:00 UTC").
_STARTED = re.compile(r"\b(?:start(?:ed|ing|s)?|began|begin(?:ning|s)?|commenced|first (?:appeared|seen|occurred))\b", re.I)
#: A day after the one the sentence is on, named by its place: "the following day", "the next morning".
_LATER_DAY = re.compile(r"\b(?:the\s+)?(?:following|next)\s+(?:day|morning|evening)\b", re.I)
_BESIDE_LATER_DAY = (re.compile(r"[\s,]*(?:on\s+)?$"), re.compile(r"^[\s,]*(?:at|around|by)?\s*$", re.I))
#: A sentence about other incidents than the one the document is about ("Previous incidents were resolved by 10:00").
_OTHER_INCIDENTS = re.compile(r"\b(?:previous|past|earlier|prior|similar|other|former)\s+(?:\w+\s+)?"
                              r"(?:incidents|outages|occurrences)\b", re.I)
#: Where one clause of a sentence gives way to the next: the words before it tell of the moment before it, the words
#: after it of the moment after it ("started at 10:00 UTC | and was resolved at 11:10 UTC").
_CLAUSE_BREAK = re.compile(r"\s*[;,]\s*(?:(?:and|but|then|while)\b)?|\s+(?:and|but|then|while)\b", re.I)


def _clauses(words: str, stamps: Sequence[Stamp]) -> list[str]:
    """The words each moment of a sentence owns: from the last clause break before it to the last one before the
    next moment. Without a break between two moments, the first owns the words up to the second."""
    if not stamps:
        return []
    bounds = [0]
    for before, after in zip(stamps, stamps[1:], strict=False):
        breaks = [m.start() for m in _CLAUSE_BREAK.finditer(words, before.end, after.start)]
        bounds.append(breaks[-1] if breaks else after.start)
    bounds.append(len(words))
    return [words[begin:end] for begin, end in zip(bounds, bounds[1:], strict=False)]


def _started_and_ended(words: str, zones: Zones) -> tuple[Stamp, Stamp] | None:
    """A sentence stating the start and the end as two clauses: "The outage started at 10:00 UTC and was resolved
    at 11:10 UTC". A sentence that moves to a later day it does not date is left to `prose_moments`."""
    stamps = [stamp for stamp in scan(words, zones) if stamp.clock is not None]
    if len(stamps) != 2 or _LATER_DAY.search(words):
        return None
    first, second = _clauses(words, stamps)
    if _STARTED.search(first) and not _RESOLVED.search(first) and _RESOLVED.search(second):
        return stamps[0], stamps[1]
    return None


def _day_moved(words: str, stamp: Stamp) -> int | None:
    """How many days after the context's a moment without a date of its own is: one when "the following day" is
    written beside it, none when no later day is named before it; None when the sentence has moved to a later day
    that it does not put the moment on ("…not deployed until the next day, and service recovered at 09:30")."""
    if stamp.date is not None:
        return 0
    after, before = _BESIDE_LATER_DAY
    for later in _LATER_DAY.finditer(words):
        if later.end() <= stamp.start and before.match(words[later.end() : stamp.start]):
            return 1
        if later.start() >= stamp.end and after.match(words[stamp.end : later.start()][::-1]):
            return 1
    if any(later.end() <= stamp.start for later in _LATER_DAY.finditer(words)):
        return None
    return 0


_AMOUNT = r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|" \
          r"forty(?:-five)?|fifty|half an|half a)"
_UNIT = r"(?:hours?|hrs?|minutes?|mins?|days?|seconds?|secs?)"
_PROSE_DURATION = re.compile(
    r"\b(?:lasted|lasting|spanned|spanning|for a (?:total|period) of|a (?:total )?duration of|(?:outage|downtime|"
    r"disruption) of|(?:was|were) (?:down|offline|unavailable|degraded) for)"
    r"\s+(?:about|approximately|around|roughly|nearly|almost|over|just over|some|~)?\s*"
    rf"(?P<length>{_AMOUNT}\s+{_UNIT}(?:\s*(?:,|and|,\s*and)?\s*{_AMOUNT}\s+{_UNIT})*)\b",
    re.I,
)


def prose_moments(meta: Metadata, passages: Sequence[tuple[str, int]], context: Context, zones: Zones) -> None:
    """A detection or an end that only the prose gives ("by 9:40 UTC traffic had returned to normal levels").

    A sentence with one moment in it, and words that say what happened then: the first that
    says the problem was noticed, the last that says service was back. Nothing the document
    states elsewhere, or its timeline gives, is replaced.
    """
    found: dict[str, tuple[dt.datetime, int]] = {}
    for text, first_line in passages:
        for sentence in _SENTENCE.finditer(text):
            words = sentence.group(0)
            if _OTHER_INCIDENTS.search(words):
                continue
            stamps = [stamp for stamp in scan(words, zones) if stamp.clock is not None]
            # Each moment owns its clause ("Around 9:30 UTC the record came back | and by 9:40 UTC traffic had
            # returned to normal"); the first also owns the words before it.
            for stamp, part in zip(stamps, _clauses(words, stamps), strict=True):
                reading, days = resolve(stamp, context), _day_moved(words, stamp)
                if reading.at is None or days is None:
                    continue
                at = reading.at + dt.timedelta(days=days)
                line = first_line + text.count("\n", 0, sentence.start() + stamp.start)
                if _DETECTED.search(part):
                    found.setdefault("detected_at", (at, line))
                if _RESOLVED.search(part):
                    found["resolved_at"] = (at, line)
    for name, (at, line) in found.items():
        meta.set(name, at, "prose", line)


def prose_duration(text: str) -> int | None:
    """"The outage lasted 2 hours", "lasting 1 hour and 48 minutes", "spanned 45 minutes" → minutes."""
    match = _PROSE_DURATION.search(text)
    return parse_duration(match.group("length")) if match else None


#: Lines of a section that are not its prose: table rows, `Label: value` lines, headings.
_NOT_PROSE = re.compile(r"^\s*(?:\||#|[-*+]?\s*(?:\*\*|__)?[^\W\d][^:\n]{0,30}:(?:\*\*|__)?\s)")


#: A status page's update, as pasted: its status first ("**Resolved** - This incident has been resolved."), the
#: date and time it was posted on the next line.
_STATUS_UPDATE = re.compile(r"^\W*(?:investigating|identified|monitoring|update|resolved|postmortem|scheduled|"
                            r"in progress|verifying|completed)\W*(?:[-–—:]|$)", re.I)


def _status_update_days(text: str, *, day_first: bool | None = None) -> list[dt.date]:
    """The days of a status page's updates pasted into the text: a status line, then a line that only dates it."""
    lines = [line for line in text.split("\n") if line.strip()]
    days = []
    for head, below in zip(lines, lines[1:], strict=False):
        day = parse_date(below, day_first=day_first) if _STATUS_UPDATE.match(head) and len(below) < 60 else None
        if day is not None:
            days.append(day)
    return days


#: What a date that is not the incident's follows in its sentence: the future ("We will revisit this on …",
#: "scheduled for …"), a name ("release 2023-09-05"), another incident ("a repeat of the incident of …").
_NOT_THE_INCIDENTS_DAY = re.compile(
    r"""\b(?:will|shall|going\s+to|plan(?:s|ned)?\s+to|scheduled)\b
      | \b(?:release|version|build|tag|milestone)\s*$
      | \b(?:repeat|recurrence|reoccurrence|same\s+as|similar\s+to|previous|earlier|prior|last)\b[^.;!?]{0,40}?
        \b(?:incident|outage|issue|problem|event|failure)s?\b[^.;!?\d]{0,20}$""",
    re.I | re.X,
)
#: Where a sentence ends: "… at 10:00. We will …"; "Sept. 18th" goes on.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'(\[])")


def prose_date(text: str, *, day_first: bool | None = None) -> dt.date | None:
    """The first full date the prose mentions ("On January 20, 2024, …"), skipping tables, labelled lines,
    lines that date the write-up ("Last updated: March 3, 2024", "Priya Natarajan — March 20, 2023") and
    dates that are not the incident's day by what leads to them in their sentence (`_NOT_THE_INCIDENTS_DAY`); in a
    status page's history of updates, newest first, the oldest update's."""
    updates = _status_update_days(text, day_first=day_first)
    if len(updates) >= 2:
        return min(updates)
    for line in text.split("\n"):
        if dates_the_write_up(line) or _NOT_PROSE.match(line):
            continue
        for sentence in _SENTENCE_BREAK.split(line):
            for found in scan_dates(sentence):
                day = _day_of(found, day_first)
                if day is not None and not _NOT_THE_INCIDENTS_DAY.search(sentence[: found.start]):
                    return day
    return None


def _day_of(found: DateFound, day_first: bool | None) -> dt.date | None:
    """A date as `parse_date` reads it: an unsettled numeric date follows `day_first`, and without it is no date."""
    if found.other is not None:
        if day_first is None:
            return None
        if day_first != found.day_first:
            found = found.read_other_way()
    return found.on()
