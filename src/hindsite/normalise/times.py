"""Written dates and times → aware datetimes.

Zone abbreviations come from an explicit table (dateutil alone guesses, and
guesses differently per machine); the zone is cut out of the text before
dateutil reads the rest. Times written without a zone take the zone the
caller passes: one stated for the section or document, else the site's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dateutil import parser as date_parser

_H = 3600

#: Abbreviation → UTC offset in seconds. Ambiguous ones (IST, CST) take their
#: most common meaning in postmortems; a site can extend or override them.
ZONES: Mapping[str, int] = {
    "UTC": 0, "GMT": 0, "WET": 0,
    "BST": 1 * _H, "CET": 1 * _H, "WAT": 1 * _H, "WEST": 1 * _H,
    "CEST": 2 * _H, "EET": 2 * _H, "SAST": 2 * _H, "CAT": 2 * _H,
    "EEST": 3 * _H, "EAT": 3 * _H, "MSK": 3 * _H,
    "IST": 5 * _H + 30 * 60, "PKT": 5 * _H,
    "SGT": 8 * _H, "HKT": 8 * _H, "AWST": 8 * _H,
    "JST": 9 * _H, "KST": 9 * _H,
    "AEST": 10 * _H, "AEDT": 11 * _H, "NZST": 12 * _H, "NZDT": 13 * _H,
    "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H,
    "AKST": -9 * _H, "AKDT": -8 * _H, "HST": -10 * _H,
    # Seasonal names people use loosely for the zone as a whole.
    "ET": -5 * _H, "PT": -8 * _H, "CT": -6 * _H, "MT": -7 * _H,
}

#: Zones written out in words, as people do in headings ("Timeline (West African Time)").
LONG_ZONES: Mapping[str, str] = {
    "coordinated universal time": "UTC", "greenwich mean time": "GMT", "british summer time": "BST",
    "west africa time": "WAT", "west african time": "WAT", "central africa time": "CAT",
    "east africa time": "EAT", "east african time": "EAT", "south africa standard time": "SAST",
    "central european time": "CET", "central european summer time": "CEST", "eastern european time": "EET",
    "pacific time": "PT", "pacific standard time": "PST", "pacific daylight time": "PDT",
    "eastern time": "ET", "eastern standard time": "EST", "eastern daylight time": "EDT",
    "central time": "CT", "central standard time": "CST", "mountain time": "MT",
    "india standard time": "IST", "japan standard time": "JST", "moscow time": "MSK",
}
_LONG_ZONE = re.compile(r"\b(" + "|".join(sorted(LONG_ZONES, key=len, reverse=True)) + r")\b", re.I)

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_OFFSET_ZONE = re.compile(r"\b(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?!\d)", re.I)
_ISO_OFFSET = re.compile(r"(?<=\d)(Z)\b|(?<=\d\d:\d\d:\d\d)([+-]\d{2}:?\d{2})\b|(?<=T\d\d:\d\d)([+-]\d{2}:?\d{2})\b")
_WORD = re.compile(r"\b([A-Za-z]{1,5})\b")
_HAS_DATE = re.compile(
    rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\b{_MONTHS}(?![a-z])|\d{{1,2}}/{_MONTHS}/\d{{4}}",
    re.I,
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")  # never day-first, whatever the site says
_HAS_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")


@dataclass(frozen=True, slots=True)
class Reading:
    """A parsed instant and what the text itself said (a date? a zone? an ambiguous date?)."""

    at: dt.datetime
    has_date: bool
    has_zone: bool
    ambiguous: bool = False


def zone_named(name: str, zones: Mapping[str, int] = ZONES) -> dt.tzinfo | None:
    """`EAT`, `GMT+1`, `UTC-05:30` → a fixed-offset tzinfo; None for an unknown name."""
    match = _OFFSET_ZONE.fullmatch(name.strip())
    if match:
        return _fixed(_offset_seconds(match))
    seconds = zones.get(name.strip().upper())
    return None if seconds is None else _fixed(seconds)


def find_zone(text: str, zones: Mapping[str, int] = ZONES) -> tuple[dt.tzinfo, str] | None:
    """The first zone named in `text`, and the text with it removed."""
    long_name = _LONG_ZONE.search(text)
    if long_name:
        seconds = zones.get(LONG_ZONES[long_name.group(1).casefold()])
        if seconds is not None:
            return _fixed(seconds), text[: long_name.start()] + " " + text[long_name.end() :]
    offset = _OFFSET_ZONE.search(text)
    if offset:
        return _fixed(_offset_seconds(offset)), text[: offset.start()] + " " + text[offset.end() :]
    iso = _ISO_OFFSET.search(text)
    if iso:
        token = next(group for group in iso.groups() if group)
        seconds = 0 if token == "Z" else _iso_seconds(token)
        return _fixed(seconds), text[: iso.start()] + " " + text[iso.end() :]
    for match in _WORD.finditer(text):
        word = match.group(1)
        if word.isupper() and word in zones:
            return _fixed(zones[word]), text[: match.start()] + " " + text[match.end() :]
    return None


def stated_zone(text: str, zones: Mapping[str, int] = ZONES) -> dt.tzinfo | None:
    """A zone a heading or sentence declares for the times under it.

    "All times in CET", "Timeline (All the times are in EAT time-zone)",
    "Times are UTC", "Date and Time in CET", "(UTC)".
    """
    for match in _ZONE_STATEMENT.finditer(text):
        found = find_zone(match.group(0), zones)
        if found:
            return found[0]
    return None


#: Where a heading or sentence names the zone of the times under it.
_ZONE_STATEMENT = re.compile(r"\btimes?\b[^\n]{0,80}|\(([^)]{1,40})\)|\bin\s+[A-Z]{2,5}\b", re.I)


def parse_instant(
    text: str,
    default_zone: dt.tzinfo,
    *,
    default_date: dt.date | None = None,
    zones: Mapping[str, int] = ZONES,
    day_first: bool = False,
) -> dt.datetime | None:
    """A written date-time → aware datetime, or None when it is not one."""
    reading = read_instant(text, default_zone, default_date=default_date, zones=zones, day_first=day_first)
    return reading.at if reading else None


def read_instant(
    text: str,
    default_zone: dt.tzinfo,
    *,
    default_date: dt.date | None = None,
    zones: Mapping[str, int] = ZONES,
    day_first: bool = False,
) -> Reading | None:
    """Like `parse_instant`, but also says what the text stated itself.

    A clock time alone takes `default_date` (None when there is none); a
    date without a year takes `default_date`'s year.
    """
    found = find_zone(text, zones)
    zone, rest = found if found else (default_zone, text)
    cleaned = _clean(rest)
    has_date = bool(_HAS_DATE.search(cleaned))
    if not re.search(r"\d", cleaned):
        return None
    if not has_date and default_date is None:
        return None
    if has_date and not _HAS_YEAR.search(cleaned) and not re.search(r"\d{4}-", cleaned) and default_date is None:
        return None
    base = dt.datetime.combine(default_date or dt.date(2000, 1, 1), dt.time())
    try:
        value = date_parser.parse(cleaned, default=base, fuzzy=True, dayfirst=day_first and not _ISO_DATE.search(cleaned), ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if not (1970 <= value.year <= 2100):
        return None
    return Reading(value.replace(tzinfo=zone), has_date, found is not None, is_ambiguous(cleaned))


def unknown_zone(text: str, zones: Mapping[str, int] = ZONES) -> str | None:
    """An upper-case word after a clock time that is not a zone hindsite knows ("10:00 QQT")."""
    if find_zone(text, zones) is not None:
        return None
    match = re.search(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*\(?([A-Z]{2,5})\)?\s*$", text.strip(), re.I)
    if match and match.group(1).isupper() and match.group(1) not in ("AM", "PM"):
        return match.group(1)
    return None


def fixed_clock(at: dt.datetime) -> dt.time:
    """The clock time of an instant with its offset fixed, so it still says "+03:00" without a date."""
    return at.time().replace(tzinfo=_fixed(int(at.utcoffset().total_seconds())))  # type: ignore[union-attr]


def read_clock(text: str, default_zone: dt.tzinfo, zones: Mapping[str, int] = ZONES) -> dt.time | None:
    """A clock time alone ("9:15AM", "14:00 UTC") → aware time, for documents that state no date.

    A named zone's offset is taken on 1 January, as no date says whether summer time applied.
    """
    found = find_zone(text, zones)
    zone, rest = found if found else (default_zone, text)
    cleaned = _clean(rest)
    if _HAS_DATE.search(cleaned) or not re.search(r"\d", cleaned):
        return None
    try:
        value = date_parser.parse(cleaned, default=dt.datetime(2000, 1, 1), fuzzy=True, ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None
    return fixed_clock(dt.datetime.combine(dt.date(2000, 1, 1), value.time(), tzinfo=zone))


def parse_date(text: str, *, day_first: bool = False) -> dt.date | None:
    """A written calendar date (with a year) → date; None when it is not one."""
    cleaned = _clean(text)
    if not _HAS_DATE.search(cleaned) or not (_HAS_YEAR.search(cleaned) or _SLASH_DATE.search(cleaned)):
        return None
    try:
        value = date_parser.parse(
            cleaned, default=dt.datetime(2000, 1, 1), fuzzy=True, dayfirst=day_first and not _ISO_DATE.search(cleaned), ignoretz=True
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return value.date() if 1970 <= value.year <= 2100 else None


def is_ambiguous(text: str) -> bool:
    """`05/04/2020` could be 5 April or 4 May; `13/04/2020` cannot."""
    match = _SLASH_DATE.search(text)
    return bool(match) and int(match.group(1)) <= 12 and int(match.group(2)) <= 12 and match.group(1) != match.group(2)


_RANGE = re.compile(r"\s+(?:to|until|till|through|thru|-|–|—|->|→)\s+|\s*[–—]\s*", re.I)


def parse_range(
    text: str,
    default_zone: dt.tzinfo,
    *,
    default_date: dt.date | None = None,
    zones: Mapping[str, int] = ZONES,
    day_first: bool = False,
) -> tuple[dt.datetime, dt.datetime] | None:
    """"10:00 PM to 2:00 AM EAT, May 10, 2023" → (start, end), sharing date and zone across the sides.

    An end earlier than its start on a borrowed date is taken as the next day.
    """
    body = re.sub(r"^\s*(?:from|between)\s+", "", text.strip(), flags=re.I)
    body = re.sub(r"\s+and\s+", " to ", body, count=1) if re.match(r"^\s*between\b", text, re.I) else body
    parts = _RANGE.split(body, maxsplit=1)
    if len(parts) != 2:
        return None
    left_text, right_text = parts
    options = {"zones": zones, "day_first": day_first}
    right = read_instant(right_text, default_zone, default_date=default_date, **options)  # type: ignore[arg-type]
    left = read_instant(left_text, right.at.tzinfo if right and right.has_zone else default_zone,
                        default_date=right.at.date() if right and right.has_date else default_date, **options)  # type: ignore[arg-type]
    if right is None and left is not None and left.has_date:
        # "August 5, 2023, 09:00 AM - 11:30 AM (UTC)": an end with no date of its own ends on the start's day
        right = read_instant(right_text, default_zone, default_date=left.at.date(), **options)  # type: ignore[arg-type]
        if right is not None and right.has_zone and not left.has_zone:
            left = read_instant(left_text, right.at.tzinfo, default_date=default_date, **options)  # type: ignore[arg-type]
    if left is None or right is None:
        return None
    start, end = left.at, right.at
    if left.has_zone and not right.has_zone:
        end = end.replace(tzinfo=start.tzinfo)
    if not right.has_date:
        end = dt.datetime.combine(start.date(), end.timetz())
    if end < start and not (left.has_date and right.has_date):
        end += dt.timedelta(days=1)
    return (start, end) if end >= start else None


_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b", re.I
)


def parse_duration(text: str) -> int | None:
    """"2 hours", "0h 16m", "1 hour and 45 minutes", "90 min", "1:30" → whole minutes."""
    clock = re.fullmatch(r"\s*(\d{1,3}):(\d{2})\s*(?:h|hours?)?\s*", text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    total = 0.0
    found = False
    for number, unit in _DURATION_PART.findall(text):
        found = True
        value = float(number)
        first = unit[0].lower()
        total += value * {"d": 1440, "h": 60, "m": 1, "s": 1 / 60}[first]
    return round(total) if found else None


def _clean(text: str) -> str:
    """Make common spellings readable to dateutil: `8.35 AM`, `14:15pm`, `06/May/2022`, `20th`."""
    text = text.replace("(", " ").replace(")", " ")
    text = re.sub(r"\b(\d{1,2})\.(\d{2})(?=\s*[ap]\.?m\b)", r"\1:\2", text, flags=re.I)
    text = re.sub(r"\b(1[3-9]|2[0-3]):(\d{2})\s*[ap]\.?m\.?", r"\1:\2", text, flags=re.I)
    text = re.sub(r"\b([ap])\.m\.?", r"\1m", text, flags=re.I)
    text = re.sub(rf"\b(\d{{1,2}})/({_MONTHS})/(\d{{4}})", r"\1 \2 \3", text, flags=re.I)
    text = re.sub(r"\b(?:at|on|around|approximately|approx\.?|about|~)\b", " ", text, flags=re.I)
    text = re.sub(r"\b(\d{4}-\d{2}-\d{2})T", r"\1 ", text)
    return " ".join(text.split())


def _offset_seconds(match: re.Match[str]) -> int:
    sign = 1 if match.group(1) == "+" else -1
    return sign * (int(match.group(2)) * _H + int(match.group(3) or 0) * 60)


def _iso_seconds(token: str) -> int:
    sign = 1 if token[0] == "+" else -1
    digits = token[1:].replace(":", "")
    return sign * (int(digits[:2]) * _H + int(digits[2:4]) * 60)


def _fixed(seconds: int) -> dt.tzinfo:
    return dt.timezone.utc if seconds == 0 else dt.timezone(dt.timedelta(seconds=seconds))
