"""Written dates and times → aware datetimes.

Zone abbreviations come from an explicit table (dateutil alone guesses, and
guesses differently per machine); times written without a zone are read in
the zone the caller passes, normally the site's `timezone`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from dateutil import parser as date_parser

_H = 3600

#: Abbreviation → UTC offset in seconds. Ambiguous ones (IST, CST) take their
#: most common meaning in postmortems; a site can override any of them.
ZONES: Mapping[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
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
}

_OFFSET_ZONE = re.compile(r"\b(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.I)


def zone_offset(name: str, zones: Mapping[str, int] = ZONES) -> dt.tzinfo | None:
    """`EAT`, `GMT+1`, `UTC-05:30` → a fixed-offset tzinfo; None for an unknown name."""
    match = _OFFSET_ZONE.fullmatch(name.strip())
    if match:
        sign = 1 if match.group(1) == "+" else -1
        seconds = sign * (int(match.group(2)) * _H + int(match.group(3) or 0) * 60)
        return dt.timezone(dt.timedelta(seconds=seconds))
    seconds = zones.get(name.strip().upper())
    return None if seconds is None else dt.timezone(dt.timedelta(seconds=seconds))


def parse_instant(
    text: str,
    default_zone: dt.tzinfo,
    *,
    default_date: dt.date | None = None,
    zones: Mapping[str, int] = ZONES,
) -> dt.datetime | None:
    """A written date-time → aware datetime, or None when it is not one.

    A clock time alone takes `default_date`; no zone in the text means `default_zone`.
    """
    cleaned = _OFFSET_ZONE.sub(lambda m: _offset_text(m), text.strip())
    if not cleaned or not re.search(r"\d", cleaned):
        return None
    base = dt.datetime.combine(default_date or dt.date(1900, 1, 1), dt.time())
    try:
        value = date_parser.parse(cleaned, default=base, tzinfos=dict(zones), fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if default_date is None and value.year == 1900:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_zone)
    return value


def parse_date(text: str) -> dt.date | None:
    """A written calendar date → date; None when it is not one."""
    if not re.search(r"\d", text):
        return None
    try:
        value = date_parser.parse(text.strip(), default=dt.datetime(1900, 1, 1), fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    return None if value.year == 1900 else value.date()


def _offset_text(match: re.Match[str]) -> str:
    return f"{match.group(1)}{int(match.group(2)):02d}{match.group(3) or '00'}"
