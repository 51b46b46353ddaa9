"""What the document implies when it does not state it: times from the timeline, a date or a duration from prose."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from ..model import TimelineEvent
from .metadata import Metadata, apply_lengths
from .times import parse_date

_DETECTED = re.compile(r"\b(detect\w*|alert\w*|paged|page[sd]?\b|noticed|reported|identified|discovered|flagged|declared)", re.I)
_RESOLVED = re.compile(
    r"\b(resolved|resolution|restored|recovered|fixed|back (?:up|online|to normal)|fully operational|"
    r"operational again|incident (?:was )?closed|all clear|mitigated|service (?:was )?restored)\b",
    re.I,
)


def derive_times(meta: Metadata, timeline: Sequence[TimelineEvent]) -> None:
    """Fill start, detection and resolution times the document did not state from its timeline.

    A stated time to detect or to resolve that waited for a start counts from
    the timeline's, where the timeline itself says nothing.
    """
    timed = [e for e in timeline if e.at is not None]
    if not timed:
        apply_lengths(meta, last=True)
        return
    first = min(timed, key=lambda e: e.at)  # type: ignore[arg-type,return-value]
    meta.set("started_at", first.at, "timeline", first.line)
    start = meta.values["started_at"]
    detected = next((e for e in timed if _DETECTED.search(e.text) and e.at >= start), None)  # type: ignore[operator]
    if detected is not None:
        meta.set("detected_at", detected.at, "timeline", detected.line)
    resolved = next((e for e in reversed(timed) if _RESOLVED.search(e.text)), None)
    if resolved is not None and resolved.at is not None and resolved.at >= start:
        meta.set("resolved_at", resolved.at, "timeline", resolved.line)
    apply_lengths(meta, last=True)
    if "date" not in meta.values and first.at is not None:
        meta.set("date", first.at.date(), "timeline", first.line)


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "an": 1, "a": 1, "half an": 0.5,
}
_PROSE_DURATION = re.compile(
    r"\b(?:lasted|lasting|spanned|spanning|for a (?:total|period) of|a (?:total )?duration of|(?:outage|downtime|disruption) of)"
    r"\s+(?:about|approximately|around|roughly|nearly|almost|over|just over|some)?\s*"
    r"(?P<number>\d+(?:\.\d+)?|half an|forty-five|[a-z]+)\s+(?P<unit>hours?|minutes?|mins?|days?)\b",
    re.I,
)


def prose_duration(text: str) -> int | None:
    """"The outage lasted 2 hours", "a disruption that spanned 45 minutes" → minutes."""
    match = _PROSE_DURATION.search(text)
    if not match:
        return None
    raw = match.group("number").lower()
    number = float(raw) if raw[0].isdigit() else _NUMBER_WORDS.get(raw)
    if number is None:
        return None
    unit = match.group("unit").lower()[0]
    return round(number * {"h": 60, "m": 1, "d": 1440}[unit])


_PROSE_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}-\d{2}-\d{2})",
    re.I,
)


def prose_date(text: str, *, day_first: bool = False) -> dt.date | None:
    """The first full date the prose mentions ("On January 20, 2024, …")."""
    for match in _PROSE_DATE.finditer(text):
        found = parse_date(match.group(0), day_first=day_first)
        if found is not None:
            return found
    return None
