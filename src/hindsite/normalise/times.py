"""The time vocabulary: how postmortems write dates, clock times, zones, ranges and durations.

One grammar serves the whole normaliser. Titles, timelines, stated values, prose and `migrate`
read times through this module, so a form learnt here is learnt everywhere.

Reading is two steps. `scan` finds *stamps* in a text: a date, a clock time and a zone as they
were written, each with its span, and nothing filled in. `resolve` then makes an instant of a
stamp with what the document says around it (`Context`: the day of a date heading, the zone of
an "All times PDT" note, the order of the document's numeric dates) and says what it could not
decide. Nothing is taken from elsewhere in a sentence: a general-purpose fuzzy parser picks
numbers from anywhere and cannot say which parts were written, which is how a write-up's year
or a ticket number used to become part of an incident's time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

_H = 3600

# --- words -------------------------------------------------------------------

MONTH_NUMBERS: Mapping[str, int] = {
    name: number
    for number, names in enumerate((
        ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
        ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
        ("nov", "november"), ("dec", "december"),
    ), start=1)
    for name in names
}
#: A month written as a word or its abbreviation, never the start of a longer word ("Marching", "Mayday").
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
         r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: A weekday written out or abbreviated.
WEEKDAY = r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?(?![a-z])"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19[7-9]\d|20\d\d|2100)"
#: A line break (a trailing backslash, or `<br>`) may sit between a date's parts, or between a date and its time.
_BREAK = r"(?:\\\n|<br\s*/?>)"
_GAP = rf"(?:\s|{_BREAK})+"

# --- zones -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone as a document names it.

    `tz` is a fixed offset, or an IANA zone whose offset follows the date (Pacific Time
    in July is -07:00). An abbreviation of standard or daylight time (PST, CEST) is a
    fixed offset that also knows its `region`, so a standard-time name written on a
    summer date can be noticed (`off_season`).
    """

    name: str
    tz: dt.tzinfo
    region: str | None = None
    daylight: bool | None = None

    def instant(self, day: dt.date, clock: dt.time) -> dt.datetime:
        """`day` at `clock` in this zone, with the offset of that day fixed in the result."""
        local = dt.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=self.tz)
        offset = local.utcoffset()
        if offset is None:  # every zone hindsite makes has an offset; a tzinfo may still answer None
            raise ValueError(f"the time zone {self.name} gives no offset for {local:%Y-%m-%d %H:%M}")
        return local.replace(tzinfo=fixed_zone(int(offset.total_seconds())))

    def off_season(self, day: dt.date) -> bool:
        """Whether the region's clocks were not on this abbreviation's time that day (PST written in July)."""
        if self.region is None or self.daylight is None:
            return False
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=_iana(self.region))
        return bool(noon.dst()) != self.daylight


def season_note(zone: Zone, day: dt.date) -> str:
    """What the clocks of an abbreviation's region really showed on `day`: "PDT, -07:00"."""
    if zone.region is None:
        return zone.name
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=_iana(zone.region))
    offset = noon.strftime("%z")
    return f"{noon.tzname()}, {offset[:3]}:{offset[3:]}"


def fixed_zone(seconds: int) -> dt.tzinfo:
    return dt.timezone.utc if seconds == 0 else dt.timezone(dt.timedelta(seconds=seconds))


@functools.cache
def _iana(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _abbreviation(name: str, hours: float, region: str | None = None, daylight: bool | None = None) -> Zone:
    return Zone(name, fixed_zone(round(hours * _H)), region, daylight)


#: Abbreviations as postmortems use them. Ambiguous ones (IST, CST, AST) take their most common meaning
#: in postmortems; a site can add or override any of them with [zones] in site.toml.
ABBREVIATIONS: Mapping[str, Zone] = {zone.name: zone for zone in (
    _abbreviation("UTC", 0), _abbreviation("GMT", 0), _abbreviation("Z", 0), _abbreviation("ZULU", 0),
    _abbreviation("WET", 0, "Europe/Lisbon", False), _abbreviation("WEST", 1, "Europe/Lisbon", True),
    _abbreviation("BST", 1, "Europe/London", True), _abbreviation("IST", 5.5),
    _abbreviation("CET", 1, "Europe/Berlin", False), _abbreviation("CEST", 2, "Europe/Berlin", True),
    _abbreviation("MET", 1, "Europe/Berlin", False), _abbreviation("MEST", 2, "Europe/Berlin", True),
    _abbreviation("EET", 2, "Europe/Athens", False), _abbreviation("EEST", 3, "Europe/Athens", True),
    _abbreviation("WAT", 1), _abbreviation("CAT", 2), _abbreviation("SAST", 2), _abbreviation("EAT", 3),
    _abbreviation("MSK", 3), _abbreviation("TRT", 3), _abbreviation("GST", 4), _abbreviation("PKT", 5),
    _abbreviation("ICT", 7), _abbreviation("WIB", 7), _abbreviation("SGT", 8), _abbreviation("HKT", 8),
    _abbreviation("PHT", 8), _abbreviation("AWST", 8), _abbreviation("JST", 9), _abbreviation("KST", 9),
    _abbreviation("ACST", 9.5, "Australia/Adelaide", False), _abbreviation("ACDT", 10.5, "Australia/Adelaide", True),
    _abbreviation("AEST", 10, "Australia/Sydney", False), _abbreviation("AEDT", 11, "Australia/Sydney", True),
    _abbreviation("NZST", 12, "Pacific/Auckland", False), _abbreviation("NZDT", 13, "Pacific/Auckland", True),
    _abbreviation("BRT", -3), _abbreviation("ART", -3),
    _abbreviation("NST", -3.5, "America/St_Johns", False), _abbreviation("NDT", -2.5, "America/St_Johns", True),
    _abbreviation("AST", -4, "America/Halifax", False), _abbreviation("ADT", -3, "America/Halifax", True),
    _abbreviation("EST", -5, "America/New_York", False), _abbreviation("EDT", -4, "America/New_York", True),
    _abbreviation("CST", -6, "America/Chicago", False), _abbreviation("CDT", -5, "America/Chicago", True),
    _abbreviation("MST", -7, "America/Denver", False), _abbreviation("MDT", -6, "America/Denver", True),
    _abbreviation("PST", -8, "America/Los_Angeles", False), _abbreviation("PDT", -7, "America/Los_Angeles", True),
    _abbreviation("AKST", -9, "America/Anchorage", False), _abbreviation("AKDT", -8, "America/Anchorage", True),
    _abbreviation("HST", -10),
    # The names of a whole zone, whose offset follows the date.
    Zone("ET", _iana("America/New_York")), Zone("CT", _iana("America/Chicago")),
    Zone("MT", _iana("America/Denver")), Zone("PT", _iana("America/Los_Angeles")),
    Zone("CEMT", _iana("Europe/Berlin")),
)}

#: Zones written out in words → an abbreviation above, or an IANA zone.
LONG_NAMES: Mapping[str, str] = {
    "coordinated universal time": "UTC", "universal time": "UTC", "zulu time": "UTC", "greenwich mean time": "GMT",
    "british summer time": "BST", "western european time": "WET", "western european summer time": "WEST",
    "central european time": "CET", "central european standard time": "CET", "central european summer time": "CEST",
    "central european daylight time": "CEST", "eastern european time": "EET", "eastern european summer time": "EEST",
    "west africa time": "WAT", "west african time": "WAT", "central africa time": "CAT", "central african time": "CAT",
    "east africa time": "EAT", "east african time": "EAT", "south africa standard time": "SAST",
    "moscow time": "MSK", "moscow standard time": "MSK", "gulf standard time": "GST", "india standard time": "IST",
    "indian standard time": "IST", "pakistan standard time": "PKT", "singapore time": "SGT", "hong kong time": "HKT",
    "japan standard time": "JST", "korea standard time": "KST", "australian eastern standard time": "AEST",
    "australian eastern daylight time": "AEDT", "new zealand standard time": "NZST", "new zealand daylight time": "NZDT",
    "atlantic standard time": "AST", "atlantic daylight time": "ADT",
    "eastern standard time": "EST", "eastern daylight time": "EDT", "eastern time": "ET", "eastern": "ET",
    "central standard time": "CST", "central daylight time": "CDT", "central time": "CT",
    "mountain standard time": "MST", "mountain daylight time": "MDT", "mountain time": "MT",
    "pacific standard time": "PST", "pacific daylight time": "PDT", "pacific time": "PT", "pacific": "PT",
    "alaska standard time": "AKST", "hawaii standard time": "HST", "hawaii-aleutian standard time": "HST",
    "uk time": "Europe/London", "london time": "Europe/London", "irish time": "Europe/Dublin",
}


#: The words written dates and zones are made of, in lower case: month names and their abbreviations, weekday
#: names and their short forms (three letters, four, whole), zone abbreviations, and the words of zone names.
DATE_AND_ZONE_WORDS: frozenset[str] = frozenset(
    set(MONTH_NUMBERS)
    | {name[:n] for name in WEEKDAY_NAMES for n in (3, 4, len(name))}
    | {zone.casefold() for zone in ABBREVIATIONS}
    | {word for name in LONG_NAMES for word in name.split()}
)


@functools.cache
def _cities() -> Mapping[str, str]:
    """City → IANA zone, from the zone database's own names ("Denver" → America/Denver)."""
    areas = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
    cities: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        if name.startswith(areas):
            city = name.rsplit("/", 1)[1].replace("_", " ")
            if len(city) >= 4:
                cities.setdefault(city.casefold(), name)
    return cities


@functools.cache
def _iana_names() -> Mapping[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


_OFFSET = r"[+\-−]\s?(?:\d{1,2}(?::?\d{2})?)"
#: A zone after a clock time, in any spelling; `(?<!\w)` so "EST" is not found inside "TEST".
_ZONE_WORDS = re.compile(
    r"(?P<named>(?:UTC|GMT|Z)\s?" + _OFFSET + r")"
    r"|(?P<iso>(?<=\d)(?:[+\-−]\d{2}:\d{2}|[+\-−]\d{4}|\+\d{2})(?![\d:])|(?<=\s)(?:\+\d{2}:?\d{2}|-\d{4})(?![\d:]))"
    r"|(?P<zulu>(?<=\d)Z(?![\w]))"
    r"|(?P<iana>\b[A-Z][A-Za-z_]+/[A-Z][A-Za-z_\-]+(?:/[A-Z][A-Za-z_\-]+)?\b)"
    r"|(?P<long>\b(?:" + "|".join(re.escape(name) for name in sorted(LONG_NAMES, key=len, reverse=True)) + r")\b(?:\s+time\b)?)"
    r"|(?P<word>\+?\b[A-Za-z]{1,5}(?![A-Za-z0-9]))",
    re.I,
)


@dataclass(frozen=True, slots=True, eq=False)
class Zones:
    """The zone names a site knows: the built-in abbreviations, and those site.toml adds or overrides.

    One object per set of names (`of`), compared by identity, so that what was read with it can be remembered.
    """

    abbreviations: Mapping[str, Zone]

    @staticmethod
    def of(extra: Mapping[str, int] | None = None) -> Zones:
        return _zones_of(tuple((extra or {}).items()))

    def named(self, text: str, *, cities: bool = False) -> Zone | None:
        """The zone `text` names as a whole: "PDT", "UTC+2", "+05:30", "Pacific Time", "Europe/Berlin"…

        With `cities`, a city of the zone database names its zone ("Denver"): only where the
        text is known to name a zone, as a word after a clock time could be anything.
        """
        words = " ".join(text.replace("−", "-").strip(" ()[]").split())
        if not words:
            return None
        offset = _offset_zone(words)
        if offset is not None:
            return offset
        upper = words.upper().lstrip("+")
        if upper in self.abbreviations and (words.lstrip("+").isupper() or upper in ("UTC", "GMT")):
            return self.abbreviations[upper]
        key = words.casefold().removesuffix(" zone")
        long_name = LONG_NAMES.get(key) or LONG_NAMES.get(key.removesuffix(" time"))
        if long_name is not None:
            return self.abbreviations.get(long_name) or Zone(words, _iana(long_name))
        iana = _iana_names().get(words.casefold())
        if iana is not None and ("/" in iana or iana in ("UTC", "GMT")):
            return Zone(iana, _iana(iana))
        if cities:
            place = re.sub(r"\s+time$", "", words, flags=re.I)
            city = _cities().get(place.casefold())
            if city is not None:
                return Zone(place, _iana(city))
        return None


#: How far an offset can be from UTC on Earth; "+99:00" is a typo, never a zone.
MAX_OFFSET_HOURS = 14


def _offset_zone(text: str) -> Zone | None:
    match = re.fullmatch(r"(?:UTC|GMT|Z)?\s?([+-])\s?(\d{1,2})(?::?(\d{2}))?", text, re.I)
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > MAX_OFFSET_HOURS or minutes >= 60:
        return None
    sign = 1 if match.group(1) == "+" else -1
    return Zone(text, fixed_zone(sign * (hours * _H + minutes * 60)))


@functools.lru_cache(maxsize=16)
def _zones_of(extra: tuple[tuple[str, int], ...]) -> Zones:
    table = dict(ABBREVIATIONS)
    for name, seconds in extra:
        table[name.upper()] = Zone(name.upper(), fixed_zone(seconds))
    return Zones(table)


BUILT_IN = Zones.of()


def bad_offset(text: str) -> str | None:
    """An offset no place on Earth has ("+99:00"), as written, for a diagnostic."""
    for match in re.finditer(r"(?:\d:\d\d(?::\d\d(?:\.\d+)?)?|\b(?:UTC|GMT))\s?([+-]\d{2}):?(\d{2})?(?!\d)", text):
        if int(match.group(1)[1:]) > MAX_OFFSET_HOURS or int(match.group(2) or 0) >= 60:
            return match.group(0)[match.group(0).index(match.group(1)):]
    return None


# --- dates -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateFound:
    """A calendar date as written. `year` is None when the text gives none.

    A numeric date whose order the text does not settle (05/04/2024) has `other`,
    its (month, day) read the other way round; `day_first` says which way
    `month` and `day` were read (None for forms with one reading).
    """

    start: int
    end: int
    year: int | None
    month: int
    day: int
    other: tuple[int, int] | None = None
    day_first: bool | None = None
    last_day: int | None = None  # "January 14-19, 2026": the range's last day, in the same month

    def on(self, year: int | None = None) -> dt.date | None:
        """The date, with `year` where the text gives none; None when it is no date (31 February)."""
        return _date(self.year or year, self.month, self.day)

    def read_other_way(self) -> DateFound:
        assert self.other is not None
        return replace(self, month=self.other[0], day=self.other[1], other=(self.month, self.day),
                       day_first=not self.day_first if self.day_first is not None else None)


def _date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_ISO_DATE = re.compile(rf"(?<![\d./])(?<!\d-)(?P<y>{_YEAR})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?![\d])"
                       rf"|(?<![\d.])(?P<y2>{_YEAR}) (?P<m2>[01]\d) (?P<d2>[0-3]\d)(?![\d])")
#: "9/10 7:55 PT": a day and a month without a year, only right before a clock time.
_SHORT_DATE = re.compile(r"(?<![\w./:])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?=\s+\d{1,2}[:h.]\d{2})")
_NUMERIC_DATE = re.compile(
    rf"(?<![\w.\-/:])(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>{_YEAR}|(?<![.])\d{{2}})"
    rf"(?![\w/]|\.\d|-\d)")
_MONTH_FIRST = re.compile(
    rf"(?<![\w])(?:{WEEKDAY},?{_GAP})?(?P<mon>{MONTH})[\s\-/]*(?<![a-z])(?P<d>\d{{1,2}})(?!\d|:\d){_ORDINAL}"
    rf"(?:\s?[-–]\s?(?P<d2>\d{{1,2}})(?![\d:]){_ORDINAL})?(?:(?:,|\s|-|/|{_BREAK})+(?:of\s+)?(?P<y>{_YEAR})(?![\d:]))?",
    re.I,
)
_DAY_FIRST = re.compile(
    rf"(?<![\w:.])(?:{WEEKDAY},?{_GAP})?(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL}(?:\s?[-–]\s?(?P<d2>\d{{1,2}}){_ORDINAL})?"
    rf"(?:\s+of\s+|[\s\-/.]+)(?P<mon>{MONTH})(?:(?:,|\s|-|/|{_BREAK})+(?P<y>{_YEAR})(?![\d:]))?",
    re.I,
)


#: "03, 14, 2024": numbers parted by commas, only with a four-digit year.
_COMMA_DATE = re.compile(rf"(?<![\w.,])(?P<a>\d{{1,2}}),\s?(?P<b>\d{{1,2}}),\s?(?P<y>{_YEAR})(?![\d])")


def _iso(match: re.Match[str]) -> DateFound:
    year, month, day = (match["y"], match["m"], match["d"]) if match["y"] else (match["y2"], match["m2"], match["d2"])
    return DateFound(match.start(), match.end(), int(year), int(month), int(day))


def _short(match: re.Match[str]) -> DateFound:
    return replace(_numeric(match, year=None), start=match.start(), end=match.end())


def _named(match: re.Match[str]) -> DateFound:
    return DateFound(match.start(), match.end(), int(match["y"]) if match["y"] else None,
                     MONTH_NUMBERS[match["mon"].rstrip(".").casefold()], int(match["d"]),
                     last_day=int(match["d2"]) if match["d2"] else None)


#: Every year `_YEAR` reads starts with one of these.
_MAY_HOLD_YEAR = re.compile("19|20|21").search
#: What every numeric date holds: a digit, a separator, a digit.
_NUMERIC_SHAPE = re.compile(r"\d[-/.]\d").search
#: The first three letters of every month's name, as `MONTH` (case-insensitive) reads them.
_MONTH_STEM = re.compile("|".join(sorted({name[:3] for name in MONTH_NUMBERS})))


def _names_a_month(text: str) -> bool:
    """Whether `text` may name a month: case-insensitive patterns match a letter to its capital and 's' to 'ſ',
    which `casefold` turns into the letter."""
    return _MONTH_STEM.search(text.casefold()) is not None


_NO_YEAR = object()


def _numeric(match: re.Match[str], year: int | None | object = _NO_YEAR) -> DateFound:
    """`a/b/y`: which of a and b is the month is settled when one is above 12 or they are equal."""
    a, b = int(match["a"]), int(match["b"])
    if year is _NO_YEAR:
        y = match["y"]
        year = int(y) if len(y) == 4 else 2000 + int(y)
    assert year is None or isinstance(year, int)
    if a > 12 or a == b:
        return DateFound(match.start(), match.end(), year, b, a, day_first=True if a > 12 else None)
    if b > 12:
        return DateFound(match.start(), match.end(), year, a, b, day_first=False)
    # Dots are the day-first countries' separator (21.02.2025); slashes and dashes settle nothing.
    if match.groupdict().get("sep") == ".":
        return DateFound(match.start(), match.end(), year, b, a, day_first=True)
    return DateFound(match.start(), match.end(), year, a, b, other=(b, a), day_first=False)


class _DateForm(NamedTuple):
    """A way of writing a date: what every date it reads holds (a test quicker than the pattern's search, which
    tries every position of the text), the pattern, how a match reads, and whether it is all numbers."""

    holds: Callable[[str], object]
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], DateFound]
    numeric: bool


#: In this order: of two readings of the same span, the first is kept. Most lines of a timeline hold no year, no
#: month's name and no slash, and most of these patterns never run on them.
_DATE_FORMS = (
    _DateForm(lambda text: "," in text and _MAY_HOLD_YEAR(text), _COMMA_DATE, _numeric, True),
    _DateForm(_MAY_HOLD_YEAR, _ISO_DATE, _iso, False),
    _DateForm(lambda text: "/" in text, _SHORT_DATE, _short, True),
    _DateForm(_NUMERIC_SHAPE, _NUMERIC_DATE, _numeric, True),
    _DateForm(_names_a_month, _MONTH_FIRST, _named, False),
    _DateForm(_names_a_month, _DAY_FIRST, _named, False),
)


def scan_dates(text: str) -> list[DateFound]:
    """Every calendar date in `text`, in order; overlapping readings keep the first and longest."""
    found = [form.read(match) for form in _DATE_FORMS if form.holds(text) for match in form.pattern.finditer(text)]
    return _with_range_years(text, [d for d in _first_and_longest(found) if 1 <= d.month <= 12 and 1 <= d.day <= 31])


#: What joins the two days of a range: "March 30 - April 2, 2023", "from Mar 3 to Mar 5, 2023".
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|until|till|through|thru)\s*", re.I)


def _with_range_years(text: str, dates: list[DateFound]) -> list[DateFound]:
    """A range that writes its year once, after its last day, gives it to its first ("March 30 - April 2, 2023"
    starts on 30 March 2023; "December 30 - January 2, 2024" on 30 December 2023)."""
    for index, (first, last) in enumerate(zip(dates, dates[1:], strict=False)):
        if first.year is not None or last.year is None or first.other is not None:
            continue
        if _RANGE_JOIN.fullmatch(text[first.end : last.start]):
            year = last.year if (first.month, first.day) <= (last.month, last.day) else last.year - 1
            dates[index] = replace(first, year=year)
    return dates


def _first_and_longest(found: list[DateFound]) -> list[DateFound]:
    kept: list[DateFound] = []
    for item in sorted(found, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def numeric_order(text: str) -> bool | None:
    """How a document writes numeric dates: day-first (True), month-first (False), or None when it
    does not say or says both.

    `13/04/2024` says day-first; `04/13/2024`, month-first. Without such a date, dates that
    keep one part and change the other (08-01, 11-01, 12-01) change their day: a timeline spans
    days, not months.
    """
    if not any(form.numeric and form.holds(text) and form.pattern.search(text) for form in _DATE_FORMS):
        return None  # only numeric dates tell an order, and there is none
    dates = scan_dates(text)
    votes = {d.day_first for d in dates if d.other is None and d.day_first is not None}
    if votes:
        return votes.pop() if len(votes) == 1 else None
    unsettled = [(d.month, d.day) for d in dates if d.other is not None]
    firsts, seconds = {first for first, _ in unsettled}, {second for _, second in unsettled}
    if len(firsts) == 1 and len(seconds) > 1:
        return False
    if len(seconds) == 1 and len(firsts) > 1:
        return True
    return None


# --- clock times --------------------------------------------------------------

_MERIDIEM = r"(?:\s?(?P<ap>[ap])\.?\s?m\b\.?|(?P<ap1>[ap])\b)"
_BEFORE_CLOCK = r"(?:(?<=\dT)|(?<![\w.:/,]))"
#: Each way of writing a clock time, after a quicker test of what every time it reads holds: a pattern runs only
#: on a text that passes (the pattern's search tries every position of the text; the test finds a digit first).
_CLOCK_PATTERNS = (
    # 14:20, 14:20:05.123, 2:20 PM, 10:45a, 4: 45 am
    (re.compile(r"\d:").search,
     re.compile(rf"{_BEFORE_CLOCK}(?P<h>\d{{1,2}}):(?P<space>\s)?(?P<m>[0-5]\d)"
                rf"(?::(?P<s>[0-5]\d)(?:[.,](?P<f>\d{{1,9}}))?)?(?!\d|:\d){_MERIDIEM}?", re.I)),
    # 14h20, as French and others write it; "1h30m" is a length of time, not a time
    (re.compile(r"\dh\d").search, re.compile(rf"{_BEFORE_CLOCK}(?P<h>[01]?\d|2[0-3])h(?P<m>[0-5]\d)(?![\w:])")),
    # 8.35 am
    (re.compile(r"\d\.\d").search, re.compile(rf"{_BEFORE_CLOCK}(?P<h>\d{{1,2}})\.(?P<m>[0-5]\d){_MERIDIEM}", re.I)),
    # 2pm, 2 p.m. (no letter but its capital matches 'a' or 'p' case-insensitively)
    (re.compile(r"\d\s?[aApP]").search, re.compile(rf"{_BEFORE_CLOCK}(?P<h>1[0-2]|0?[1-9])\s?(?P<ap>[ap])\.?\s?m\b\.?", re.I)),
    # 0930Z, 0930 UTC, 1400hrs: four digits make a time only with what says so
    (re.compile(r"\d{4}").search,
     re.compile(r"(?<![\w.:/,\-])(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?=Z\b|\s?(?:UTC|GMT)\b|\s?hrs?\b|\s?hours\b)")),
)


@dataclass(frozen=True, slots=True)
class ClockFound:
    """A clock time as written, and the zone written right after it."""

    start: int
    end: int  # after the zone, when there is one
    time: dt.time
    zone: Zone | None = None
    zone_text: str = ""  # the zone as written, or an unknown name that looks like one ("QQT")
    seconds: bool = False  # written with seconds
    meridiem: bool = False  # written with AM or PM
    twenty_four: bool = False  # written as only a 24-hour clock writes it: "09:00", "00:10", "13:05"


def scan_clocks(text: str, zones: Zones = BUILT_IN, *, skip: Iterable[tuple[int, int]] = ()) -> list[ClockFound]:
    """Every clock time in `text` outside the `skip` spans (dates found first), with its zone."""
    taken = list(skip)
    found: list[ClockFound] = []
    for holds, pattern in _CLOCK_PATTERNS:
        for match in pattern.finditer(text) if holds(text) else ():
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            clock = _clock(match)
            if clock is None:
                continue
            seconds = bool(match.groupdict().get("s")) or text[match.start() - 1 : match.start()] == "T"
            end, zone, zone_text = _zone_after(text, match.end(), zones, seconds=seconds)
            found.append(ClockFound(match.start(), end, clock, zone, zone_text, bool(match.groupdict().get("s")),
                                    *_clock_form(match, clock)))
            taken.append((match.start(), end))
    return sorted(found, key=lambda c: c.start)


def _clock_form(match: re.Match[str], clock: dt.time) -> tuple[bool, bool]:
    """Whether a clock time was written with AM or PM, and whether only a 24-hour clock writes it so."""
    groups = match.groupdict()
    meridiem = bool(groups.get("ap") or groups.get("ap1"))
    padded = len(groups["h"]) == 2 and groups["h"].startswith("0")
    return meridiem, not meridiem and (padded or clock.hour == 0 or clock.hour >= 13)


def _clock(match: re.Match[str]) -> dt.time | None:
    groups = match.groupdict()
    hour, minute = int(groups["h"]), int(groups.get("m") or 0)
    meridiem = (groups.get("ap") or groups.get("ap1") or "").lower()
    if groups.get("space") and not meridiem:
        return None  # "Step 1: 15 users": a space after the colon makes a time only before am/pm
    if meridiem and hour <= 12:
        if hour == 0 and (meridiem == "p" or groups.get("space") or ":" not in match.group(0)):
            return None  # "0.12a" is a version, "0:25 PM" no time; "0:25 AM" is a 24-hour clock's 00:25 with AM
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    if hour > 23:
        return None
    fraction = (groups.get("f") or "").ljust(6, "0")[:6]
    return dt.time(hour, minute, int(groups.get("s") or 0), int(fraction or 0))


def _zone_after(text: str, at: int, zones: Zones, *, seconds: bool = False) -> tuple[int, Zone | None, str]:
    """The zone written right after a clock time ending at `at`: (end, zone, as written).

    An unknown upper-case name that looks like a zone ("QQT") comes back as written with no zone.
    After a time without seconds, "-04:30" is the end of a range ("02:00-04:30"), not an offset.
    """
    opener = _ZONE_OPENER.match(text, at)
    start = opener.end() if opener else at
    word = _ZONE_WORDS.match(text, start)
    if word is not None and word.lastgroup == "iso" and not seconds and re.match(r"[-−]\d{2}(?::|$|\D)", word.group(0)):
        word = None
    zone, written = None, ""
    if word is not None:
        written = word.group(0)
        zone = zones.named(written)
    if zone is None:
        city = _CITY.match(text, start)
        if city is not None and city.group(0)[0].isupper():
            zone = zones.named(city.group(0), cities=True)
            written = city.group(0) if zone else written
    if zone is None:
        looks_like_zone = re.fullmatch(r"[A-Z]{2,4}T", written) is not None
        return at, None, written if looks_like_zone else ""
    end = start + len(written)
    if opener and "(" in opener.group(0) and text[end : end + 1] == ")":
        end += 1
    return end, zone, written


_ZONE_OPENER = re.compile(r"[ \t]?\(?[ \t]?")
#: A city named as a zone after a clock time ("16:37 Denver - …"): up to the next separator.
_CITY = re.compile(r"[A-Za-z][A-Za-z ]{3,30}?(?=\s?[-–—:,.;)]|\s+time\b|\s*$)")


# --- stamps: a date and a time together --------------------------------------


@dataclass(frozen=True, slots=True)
class Stamp:
    """A moment as written: a date, a clock time or both, and a zone when one is written."""

    start: int
    end: int
    date: DateFound | None = None
    clock: ClockFound | None = None

    @property
    def zone(self) -> Zone | None:
        return self.clock.zone if self.clock else None


_DIGIT = re.compile(r"\d")

#: What may stand between a date and its time, in either order: "2024-03-14 10:00", "March 5, 2024 at 10:00",
#: "10:00 UTC on 5 March", "12:45 PM PST Saturday Oct 30th", "2024-03-14T10:00", "02:00 UTC (May 4)".
_JOINER = re.compile(rf"(?:[\sT,@|~(]|\\[\n~]|<br\s*/?>|\bat\b|\bon\b|\baround\b|-(?=\s)|—|{WEEKDAY})*", re.I)


def scan(text: str, zones: Zones = BUILT_IN) -> list[Stamp]:
    """Every moment written in `text`, a date and a clock time next to each other making one."""
    if not _DIGIT.search(text):
        return []  # every date and time this grammar reads has a digit; most lines of prose have none
    return list(_scan_remembered(text, zones))


# Reading a document asks about the same line several times (the zones it writes, its timeline's entries, a day
# label...): the answer is worked out once.
@functools.lru_cache(maxsize=4096)
def _scan_remembered(text: str, zones: Zones) -> tuple[Stamp, ...]:
    dates = scan_dates(text)
    clocks = scan_clocks(text, zones, skip=[(d.start, d.end) for d in dates])
    clocks = _with_military_after_dates(text, dates, clocks, zones)
    stamps: list[Stamp] = []
    used: set[int] = set()
    for date in dates:
        clock = next((c for c in clocks if id(c) not in used and _joined(text, date.end, c.start)), None)
        if clock is None:
            clock = next((c for c in clocks if id(c) not in used and _joined(text, c.end, date.start)), None)
        if clock is not None:
            used.add(id(clock))
            if clock.end <= date.start:
                clock = _with_zone_after_date(text, clock, date, zones)
            stamps.append(Stamp(min(date.start, clock.start), max(date.end, clock.end), date, clock))
        else:
            stamps.append(Stamp(date.start, date.end, date, None))
    stamps += [Stamp(c.start, c.end, None, c) for c in clocks if id(c) not in used]
    return tuple(sorted(stamps, key=lambda s: s.start))


def _with_zone_after_date(text: str, clock: ClockFound, date: DateFound, zones: Zones) -> ClockFound:
    """"11:30 AM on 14/02/2024 (EAT)": a zone written after the date that follows a clock is the clock's.

    Only a zone that can be nothing else counts there: an abbreviation in capitals, an offset, a zone's name
    with its capital; not a city or a word in lower case ("on 14 May eastern users…").
    """
    if clock.zone is not None:
        return clock
    opener = _ZONE_OPENER.match(text, date.end)
    start = opener.end() if opener else date.end
    word = _ZONE_WORDS.match(text, start)
    if word is None or word.lastgroup not in ("named", "word", "long") or not word.group(0)[:1].isupper():
        return clock
    zone = zones.named(word.group(0))
    if zone is None:
        return clock
    end = start + len(word.group(0))
    if opener and "(" in opener.group(0) and text[end : end + 1] == ")":
        end += 1
    return replace(clock, end=max(clock.end, end), zone=zone, zone_text=word.group(0))


def _joined(text: str, end: int, start: int) -> bool:
    return start >= end and start - end <= 24 and _JOINER.fullmatch(text, end, start) is not None


def _with_military_after_dates(text: str, dates: list[DateFound], clocks: list[ClockFound], zones: Zones) -> list[ClockFound]:
    """`2024-03-14 0930`: four digits right after a date are its time."""
    extra = []
    for date in dates:
        match = re.compile(r"[ T](?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?![\d:])").match(text, date.end)
        if match and not any(c.start <= match.start(1) < c.end for c in clocks):
            end, zone, written = _zone_after(text, match.end(), zones)
            extra.append(ClockFound(match.start(1), end, dt.time(int(match["h"]), int(match["m"])), zone, written))
    return sorted([*clocks, *extra], key=lambda c: c.start)


#: Marks that may come before a time at the start of a line: emphasis, brackets, code, "At", "~".
_LEAD = re.compile(r"^[\s*_`~\[(<>|\\-]*(?:\d{1,3}[.)](?=\s?\d{1,2}:\d{2}))?"
                   r"(?:(?:at|around|approx(?:imately|\.)?|about|circa|ca\.|~|on|by)\s+)?[\s*_`~\[(]*", re.I)
_AFTER = re.compile(r"^[\s*_`~\])>]*(?:\\?[-–—:|,.)\]]+[\s*_`~\])]*)*")


def leading_stamp(text: str, zones: Zones = BUILT_IN) -> tuple[Stamp, str] | None:
    """The moment a line starts with, and what the line says after it (separators dropped).

    "**16:41** \\- Symbols started…", "[ 4: 45 am PST ] The team…", "`0930Z` deploy", "At 12:05 AM: …",
    "2019-10-20 00:55 The site…", "12:45 PM PST Saturday Oct 30th: …". A range at the start
    ("12:43 - 12:49 …") gives its first moment.
    """
    lead = _LEAD.match(text)
    offset = lead.end() if lead else 0
    stamps = scan(text[offset : offset + 120], zones)
    if not stamps or stamps[0].start != 0:
        return None
    first = stamps[0]
    end = offset + first.end
    seconds_span = re.compile(r"-\d{2}(?![\d:])").match(text, end)  # "16:05:57-58"
    span = re.compile(r"\s?(?:[-–—]|to|until)\s?").match(text, end)
    if seconds_span and first.clock and first.clock.seconds:
        end = seconds_span.end()
    elif span and len(stamps) > 1 and stamps[1].start == span.end() - offset:
        end = offset + stamps[1].end  # a range: the line is about its start
    rest = text[end:]
    after = _AFTER.match(rest)
    words = rest[after.end() :] if after else rest
    moved = Stamp(first.start + offset, end, first.date, first.clock)
    if first.clock is None and words[:1].isalpha():
        timed = leading_stamp(words, zones)  # "2021-08-27: At 12:50:07 UTC, exploited"
        if timed is not None and timed[0].clock is not None and timed[0].date is None:
            return replace(moved, clock=timed[0].clock), timed[1]
    return moved, words.strip()


# --- resolving a stamp into an instant ----------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What a document says around a time: its zone, its day, its year, how it orders numeric dates."""

    zone: Zone
    day: dt.date | None = None
    year: int | None = None
    day_first: bool | None = None  # from the document's other dates, else the site's setting; None: undecided


@dataclass(frozen=True, slots=True)
class Resolved:
    """A stamp made an instant, or as much of one as the text and context decide.

    `at` needs a day and a clock time; `day` is the date alone; `clock` the time of day with its
    offset. `undecided` is set for a numeric date whose order nothing settles: then `at` and
    `day` are None. `off_season` names a standard-time abbreviation written on a summer date
    (or the reverse), read as written.
    """

    at: dt.datetime | None
    day: dt.date | None
    clock: dt.time | None
    undecided: DateFound | None = None
    off_season: Zone | None = None


def resolve(stamp: Stamp, context: Context) -> Resolved:
    """`stamp` read in `context`: a written date or zone always beats the context's."""
    day, undecided = _day_of(stamp.date, context)
    clock_zone = stamp.zone or context.zone
    clock = stamp.clock.time if stamp.clock else None
    at = clock_zone.instant(day, clock) if day is not None and clock is not None else None
    off_season = stamp.zone if stamp.zone and day and stamp.zone.off_season(day) else None
    fixed_clock = at.timetz() if at else (_clock_in(clock_zone, clock, context.day) if clock else None)
    return Resolved(at, day, fixed_clock, undecided, off_season)


def _day_of(found: DateFound | None, context: Context) -> tuple[dt.date | None, DateFound | None]:
    if found is None:
        return context.day, None
    if found.other is not None:
        if context.day_first is None:
            return None, found
        if context.day_first != found.day_first:
            found = found.read_other_way()
    year = found.year or context.year or (context.day.year if context.day else None)
    return found.on(year), None


def _clock_in(zone: Zone, clock: dt.time, day: dt.date | None) -> dt.time:
    """A time of day with the offset it had; without a day, the zone's offset on 1 January."""
    return zone.instant(day or dt.date(2000, 1, 1), clock).timetz()


def read_moment(text: str, context: Context, zones: Zones = BUILT_IN) -> Resolved | None:
    """The first moment written in `text`, read in `context`; None when there is none."""
    stamps = scan(text, zones)
    return resolve(stamps[0], context) if stamps else None


# --- ranges ------------------------------------------------------------------

_RANGE_WORD = re.compile(r"^\s*(?:-|–|—|->|→|to|until|till|through|thru|and)\s*$", re.I)


def scan_range(text: str, zones: Zones = BUILT_IN) -> tuple[Stamp, Stamp] | None:
    """The first two moments of `text` when the words between them make a range.

    "16:58 to 18:46 UTC", "from 10:00 PM to 2:00 AM EAT, May 10, 2023", "between 09:00 and 11:30",
    "2021-05-29 16:37 - 20:09". The sides share what only one of them writes (see `resolve_range`).
    """
    stamps = [s for s in scan(text, zones) if s.clock is not None or s.date is not None]
    for first, second in zip(stamps, stamps[1:], strict=False):
        if _RANGE_WORD.match(text[first.end : second.start]) and (first.clock is None) == (second.clock is None):
            return first, second
    return None


def resolve_range(first: Stamp, second: Stamp, context: Context, text: str = "") -> tuple[Resolved, Resolved]:
    """Both sides of a range: a date or zone written on one side applies to the other, and an end
    earlier than its start on a shared day is the next day ("10:00 PM to 2:00 AM")."""
    zone = first.zone or second.zone
    shared = replace(context, zone=zone or context.zone)
    date = second.date or first.date or _trailing_date(text, second.end)
    if date is not None:
        start = resolve(replace(first, date=first.date or date), shared)
        end = resolve(replace(second, date=second.date or first.date or date), shared)
    else:
        start, end = resolve(first, shared), resolve(second, shared)
    if start.at and end.at and end.at < start.at and not (first.date and second.date):
        end = replace(end, at=end.at + dt.timedelta(days=1), day=(end.day or start.at.date()) + dt.timedelta(days=1))
    return start, end


def _trailing_date(text: str, at: int) -> DateFound | None:
    """"10:00 PM to 2:00 AM EAT, May 10, 2023": the date written after the range."""
    dates = [d for d in scan_dates(text) if d.start >= at and d.start - at <= 12]
    return dates[0] if dates else None


def read_range(text: str, context: Context, zones: Zones = BUILT_IN) -> tuple[Resolved, Resolved] | None:
    """The range written in `text`, both ends read in `context`; None when there is none."""
    span = scan_range(text, zones)
    return resolve_range(*span, context, text) if span else None


# --- durations ---------------------------------------------------------------

_NUMBER_WORDS: Mapping[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "fifty": 50, "ninety": 90, "half an": 0.5, "half a": 0.5, "a couple of": 2, "a few": 3,
}
_UNIT_MINUTES = {"w": 10080, "d": 1440, "h": 60, "m": 1, "s": 1 / 60}
_WORD_NUMBERS = "|".join(re.escape(w) for w in sorted(_NUMBER_WORDS, key=len, reverse=True))
#: A number and its unit: "90 min", "1.5h", "an hour" (a number written as a word needs a space before its unit).
_DURATION_PART = re.compile(
    rf"(?:(?<=\d[hmdw])|(?<![\w.]))(?:(?P<digits>-?\d+(?:[.,]\d+)?)\s*|(?P<words>{_WORD_NUMBERS})\s+)"
    r"(?P<unit>weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])", re.I)
_CLOCK_DURATION = re.compile(r"\s*(-?)(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*(?:h|hrs?|hours?)?\s*")


def parse_duration(text: str) -> int | None:
    """"2 hours", "0h 16m", "1 hour and 45 minutes", "90 min", "1:30", "half an hour" → whole minutes.

    Negative lengths come back negative, for the caller to report.
    """
    clock = _CLOCK_DURATION.fullmatch(text)
    if clock:
        minutes = int(clock.group(2)) * 60 + int(clock.group(3)) + (1 if int(clock.group(4) or 0) >= 30 else 0)
        return -minutes if clock.group(1) else minutes
    if re.fullmatch(r"\s*-?\d+\s*", text):
        return int(text)
    outside = _ASIDE.sub(" ", text)
    if _DURATION_PART.search(outside):
        text = outside  # "2h (detection took 35m)": the aside measures something else
    if _BOUND.search(text) or _LENGTH_RANGE.search(text):
        return None  # "at least 2h", "45-60 minutes": a bound or a range is not a length
    parts = list(_DURATION_PART.finditer(text))
    if not parts or not _one_length(text, parts):
        return None
    total = 0.0
    for match in parts:
        value = float(match["digits"].replace(",", ".")) if match["digits"] else _NUMBER_WORDS[match["words"].casefold()]
        total += value * _UNIT_MINUTES[match["unit"][0].lower()]
    return round(total)


#: A bracketed aside: "(detection took 35m)", "(approx.)".
_ASIDE = re.compile(r"\([^()]*\)")
#: Words that make a length a bound: "at least 2h", "more than 3 hours", "< 1h".
_BOUND = re.compile(r"(?:\b(?:at\s+(?:least|most)|more\s+than|less\s+than|fewer\s+than|no\s+more\s+than|up\s+to|over|"
                    r"under)\s*~?\s*|[<>≤≥]\s*~?\s*)(?=\d|an?\b)", re.I)
#: Two numbers of one unit: "45-60 minutes", "1 to 2 hours", "1h-2h".
_LENGTH_RANGE = re.compile(r"\d\s*[a-z]*\s*(?:-|–|—|to|or)\s*~?\d+(?:[.,]\d+)?\s*(?:weeks?|days?|hours?|hrs?|h|minutes?|mins?|m)\b",
                           re.I)
#: What may stand between the parts of one length: "1 hour and 45 minutes", "2 days, 3 hours", "3h 45m".
_PART_JOINER = re.compile(r"\s*(?:,|\+|and|,\s*and)?\s*", re.I)


def _one_length(text: str, parts: Sequence[re.Match[str]]) -> bool:
    """Whether the parts found make one length: joined by nothing but a comma or "and", each a smaller unit than the
    one before. "3h partial degradation, 20m full outage" is two lengths, of two things."""
    for before, after in zip(parts, parts[1:], strict=False):
        smaller = _UNIT_MINUTES[after["unit"][0].lower()] < _UNIT_MINUTES[before["unit"][0].lower()]
        if not smaller or not _PART_JOINER.fullmatch(text, before.end(), after.start()):
            return False
    return True


# --- zone statements ----------------------------------------------------------

#: Where a sentence, heading, note or column header names the zone of the times in its scope.
_STATEMENT = re.compile(
    r"\b(?:all\s+)?(?:the\s+)?(?:times?|timestamps?|hours|clock)\b(?P<after>[^\n]{0,80})"
    r"|\btime\s*zone\b(?P<tz>[^\n]{0,60})|\btz\b\s*[:=]?(?P<tzshort>[^\n]{0,40})"
    r"|\((?P<paren>[^()\n]{1,40})\)",
    re.I,
)


def stated_zone(text: str, zones: Zones = BUILT_IN) -> Zone | None:
    """A zone that `text` declares for the times in its scope.

    "All times are PDT", "Times in UTC unless noted", "Timeline (all times GST)", "Time (CET)",
    "All times in the same timezone: UTC", "timezone: Europe/Berlin", "(UTC)".
    """
    for match in _STATEMENT.finditer(text):
        for group in ("after", "tz", "tzshort", "paren"):
            scope = match.group(group)
            if scope is not None:
                zone = _first_zone_in(scope, zones)
                if zone is not None:
                    return zone
    return None


_UTC_OFFSET = r"(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?"
#: The pieces of a statement that may name a zone. A run of words stops before "UTC" or "GMT" with an offset, so
#: that "are UTC+3" is read as the offset and not as "UTC" among other words.
_ZONE_CANDIDATE = re.compile(
    rf"{_UTC_OFFSET}|[+\-−]\d{{2}}:?\d{{2}}|[A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?"
    rf"|(?!{_UTC_OFFSET})[A-Za-z]+(?:[ -](?!{_UTC_OFFSET})[A-Za-z]+){{0,4}}")


def _first_zone_in(text: str, zones: Zones) -> Zone | None:
    """The first zone named among a few words: a long name, an IANA name, an offset, an abbreviation, a city."""
    cleaned = re.sub(r"[*_`]", " ", text)
    for match in _ZONE_CANDIDATE.finditer(cleaned):
        words = match.group(0)
        for size in range(len(words.split()), 0, -1):  # the longest name first: "Pacific Standard Time", then "Pacific"
            for start in range(0, len(words.split()) - size + 1):
                candidate = " ".join(words.split()[start : start + size])
                zone = zones.named(candidate, cities=True) if _could_name_zone(candidate) else None
                if zone is not None:
                    return zone
    return None


def _could_name_zone(words: str) -> bool:
    """Skip the everyday words around a zone name ("all", "are", "in"), which the city table could hold."""
    return words.casefold() not in _NOT_ZONES and not (len(words) <= 5 and words.islower() and words not in ("utc", "gmt"))


_NOT_ZONES = frozenset({"all", "times", "time", "are", "in", "the", "is", "zone", "timezone", "unless", "noted", "same",
                        "approximate", "approximately", "local", "and", "of", "given", "listed", "shown", "below",
                        "above", "otherwise", "stated", "except", "where", "here", "this", "document", "report"})


# --- what else the normaliser asks -------------------------------------------


def parse_date(text: str, *, day_first: bool | None = None) -> dt.date | None:
    """The first calendar date with a year in `text`; an unsettled numeric date follows `day_first`,
    and without it is no date."""
    for found in scan_dates(text):
        if found.other is not None:
            if day_first is None:
                continue
            if day_first != found.day_first:
                found = found.read_other_way()
        day = found.on()
        if day is not None:
            return day
    return None


def unknown_zone(text: str, zones: Zones = BUILT_IN) -> str | None:
    """A name after a clock time that looks like a zone hindsite does not know ("10:00 QQT")."""
    for clock in scan_clocks(text, zones):
        if clock.zone is None and clock.zone_text:
            return clock.zone_text
    return None
