"""The time vocabulary, table by table: every form of date, clock, zone, range and length it reads,
what it refuses to read, and what it leaves undecided. Fixtures are written for these tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hindsite.normalise import times
from hindsite.normalise.times import (
    BUILT_IN,
    Context,
    Zone,
    Zones,
    leading_stamp,
    numeric_order,
    parse_date,
    parse_duration,
    read_moment,
    read_range,
    scan,
    stated_zone,
)

#: A default zone unlike any written one, so a row shows which zone a time was read in.
SAO_PAULO = Zone("America/Sao_Paulo", ZoneInfo("America/Sao_Paulo"))  # -03:00 all year
DAY = dt.date(2023, 1, 20)
SUMMER = dt.date(2023, 7, 12)


def instant(written: str, day: dt.date | None = DAY, day_first: bool | None = None) -> str | None:
    found = read_moment(written, Context(SAO_PAULO, day, day.year if day else None, day_first))
    return found.at.isoformat() if found and found.at else None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("10:00 PM (EAT)", "2023-01-20T22:00:00+03:00", id="12h-with-zone-in-parentheses"),
        pytest.param("14:15pm", "2023-01-20T14:15:00-03:00", id="24h-with-redundant-pm"),
        pytest.param("13:55 PM PST", "2023-01-20T13:55:00-08:00", id="24h-with-pm-and-zone"),
        pytest.param("8.35 AM", "2023-01-20T08:35:00-03:00", id="dotted-12h"),
        pytest.param("16:45", "2023-01-20T16:45:00-03:00", id="24h-clock"),
        pytest.param("4:45 PM", "2023-01-20T16:45:00-03:00", id="12h-clock"),
        pytest.param("12:30 AM", "2023-01-20T00:30:00-03:00", id="12h-half-past-midnight"),
        pytest.param("12:05 PM", "2023-01-20T12:05:00-03:00", id="12h-noon"),
        pytest.param("0:25:59 AM", "2023-01-20T00:25:59-03:00", id="24h-midnight-hour-with-redundant-am"),
        pytest.param("10:45a", "2023-01-20T10:45:00-03:00", id="12h-single-letter"),
        pytest.param("12:28p", "2023-01-20T12:28:00-03:00", id="12h-single-letter-pm"),
        pytest.param("3pm", "2023-01-20T15:00:00-03:00", id="hour-and-meridiem"),
        pytest.param("4: 45 am PST", "2023-01-20T04:45:00-08:00", id="space-after-colon-before-meridiem"),
        pytest.param("14h20", "2023-01-20T14:20:00-03:00", id="h-separator"),
        pytest.param("0930 UTC", "2023-01-20T09:30:00+00:00", id="military-with-zone"),
        pytest.param("0930Z", "2023-01-20T09:30:00+00:00", id="military-zulu"),
        pytest.param("1400hrs", "2023-01-20T14:00:00-03:00", id="military-hrs"),
        pytest.param("2023-01-20 0930", "2023-01-20T09:30:00-03:00", id="military-after-iso-date"),
        pytest.param("2023-01-20T10:00:00+03:00", "2023-01-20T10:00:00+03:00", id="iso-8601-offset"),
        pytest.param("2023-01-20T10:00:00Z", "2023-01-20T10:00:00+00:00", id="iso-8601-zulu"),
        pytest.param("2023-01-20T10:00:00.250+01:00", "2023-01-20T10:00:00.250000+01:00", id="iso-8601-fraction"),
        pytest.param("2023-01-20 10:00 +0100", "2023-01-20T10:00:00+01:00", id="offset-four-digits"),
        pytest.param("10:00+01", "2023-01-20T10:00:00+01:00", id="offset-two-digits"),
        pytest.param("06/May/2022 10:00", "2022-05-06T10:00:00-03:00", id="apache-log-date"),
        pytest.param("March 3 10:00", "2023-03-03T10:00:00-03:00", id="date-without-year"),
        pytest.param("20 Jan 2023 16:45 UTC", "2023-01-20T16:45:00+00:00", id="day-month-year-utc"),
        pytest.param("Friday, Jan 20th 2023 3:04 PM PST", "2023-01-20T15:04:00-08:00", id="weekday-ordinal-pst"),
        pytest.param("12:45 PM PST Saturday Jan 21st", "2023-01-21T12:45:00-08:00", id="clock-zone-weekday-date"),
        pytest.param("October 12th, 2022 at 21:17 (UTC)", "2022-10-12T21:17:00+00:00", id="date-at-clock"),
        pytest.param("Aug-27-2021 12:50:07 PM +UTC", "2021-08-27T12:50:07+00:00", id="dashed-month-plus-utc"),
        pytest.param("the 31st of October 2022, 10:00", "2022-10-31T10:00:00-03:00", id="ordinal-of-month"),
        pytest.param("March 5,\\\n2024 10:00", "2024-03-05T10:00:00-03:00", id="year-after-a-backslash-break"),
        pytest.param("02:00 UTC (May 4)", "2023-05-04T02:00:00+00:00", id="date-in-brackets-after-the-clock"),
        pytest.param("May 4 (02:00 UTC)", "2023-05-04T02:00:00+00:00", id="clock-in-brackets-after-the-date"),
        pytest.param("10:00 GMT+1", "2023-01-20T10:00:00+01:00", id="gmt-plus-1"),
        pytest.param("10:00 UTC-5", "2023-01-20T10:00:00-05:00", id="utc-minus-5"),
        pytest.param("10:00 UTC+05:30", "2023-01-20T10:00:00+05:30", id="utc-plus-half-hour"),
        pytest.param("10:00 CEST", "2023-01-20T10:00:00+02:00", id="cest"),
        pytest.param("10:00 IST", "2023-01-20T10:00:00+05:30", id="ist"),
        pytest.param("10:00 GST", "2023-01-20T10:00:00+04:00", id="gst"),
        pytest.param("10:00 WAT", "2023-01-20T10:00:00+01:00", id="wat"),
        pytest.param("3:00 PM Eastern Standard Time", "2023-01-20T15:00:00-05:00", id="long-name"),
        pytest.param("10:00 Europe/Berlin", "2023-01-20T10:00:00+01:00", id="iana-name"),
        pytest.param("16:37 Denver - deploy", "2023-01-20T16:37:00-07:00", id="city"),
    ],
)
def test_instants(written: str, expected: str) -> None:
    assert instant(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("10:00 PT", "2023-07-12T10:00:00-07:00", id="pacific-in-july"),
        pytest.param("10:00 Pacific Time", "2023-07-12T10:00:00-07:00", id="pacific-time-in-july"),
        pytest.param("10:00 ET", "2023-07-12T10:00:00-04:00", id="eastern-in-july"),
        pytest.param("10:00 Europe/Berlin", "2023-07-12T10:00:00+02:00", id="berlin-in-july"),
        pytest.param("10:00 PST", "2023-07-12T10:00:00-08:00", id="pst-in-july-read-as-written"),
    ],
)
def test_daylight_saving_follows_the_date(written: str, expected: str) -> None:
    assert instant(written, SUMMER) == expected


def test_a_standard_time_name_on_a_summer_date_is_noticed() -> None:
    found = read_moment("10:00 PST", Context(SAO_PAULO, SUMMER))
    assert found is not None and found.off_season is not None and found.off_season.name == "PST"
    winter = read_moment("10:00 PST", Context(SAO_PAULO, DAY))
    assert winter is not None and winter.off_season is None


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("1h30m later", id="a-length-is-not-a-time"),
        pytest.param("Step 1: 15 users", id="space-after-colon-without-meridiem"),
        pytest.param("version 1.10.12", id="version-number"),
        pytest.param("host 10.0.0.1", id="ip-address"),
        pytest.param("ticket 2019 of the year", id="a-bare-year"),
        pytest.param("we may 5 more", id="may-as-a-verb"),
        pytest.param("at 0:25 PM", id="an-afternoon-hour-written-0"),
        pytest.param("upgraded to 0.12a", id="a-version-with-a-letter"),
        pytest.param("a ratio of 0.45 am", id="a-decimal-before-am"),
        pytest.param("Step 0: 15 am", id="a-step-0-before-am"),
    ],
)
def test_what_is_not_a_time(written: str) -> None:
    assert all(stamp.clock is None for stamp in scan(written)), scan(written)


@pytest.mark.parametrize(
    ("written", "day_first", "expected"),
    [
        pytest.param("2024-03-04", None, dt.date(2024, 3, 4), id="iso"),
        pytest.param("2024/03/04", None, dt.date(2024, 3, 4), id="iso-with-slashes-is-year-month-day"),
        pytest.param("13/04/2024", None, dt.date(2024, 4, 13), id="settled-day-first"),
        pytest.param("04/13/2024", None, dt.date(2024, 4, 13), id="settled-month-first"),
        pytest.param("05/04/2024", None, None, id="unsettled-is-no-date"),
        pytest.param("05/04/2024", True, dt.date(2024, 4, 5), id="unsettled-day-first-by-setting"),
        pytest.param("05/04/2024", False, dt.date(2024, 5, 4), id="unsettled-month-first-by-setting"),
        pytest.param("21.02.2025", None, dt.date(2025, 2, 21), id="dots-are-day-first"),
        pytest.param("3-14-24", None, dt.date(2024, 3, 14), id="two-digit-year"),
        pytest.param("03, 14, 2024", None, dt.date(2024, 3, 14), id="commas"),
        pytest.param("Jan 14-19, 2026", None, dt.date(2026, 1, 14), id="day-range-starts"),
        pytest.param("5th of March, 2024", None, dt.date(2024, 3, 5), id="ordinal-of"),
        pytest.param("1969-07-20", None, None, id="year-before-1970"),
    ],
)
def test_dates(written: str, day_first: bool | None, expected: dt.date | None) -> None:
    assert parse_date(written, day_first=day_first) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("on 13/04/2024 and 05/04/2024", True, id="a-day-above-12"),
        pytest.param("04/13/2024 then 05/04/2024", False, id="a-month-second-above-12"),
        pytest.param("13/04/2024 and 04/13/2024", None, id="both-ways-decides-nothing"),
        pytest.param("08-01-2026, 11-01-2026, 12-01-2026", True, id="the-changing-part-is-the-day"),
        pytest.param("01-08-2026, 01-11-2026", False, id="the-changing-part-is-the-day-second"),
        pytest.param("05/04/2024", None, id="nothing-else"),
    ],
)
def test_a_document_settles_its_numeric_date_order(text: str, expected: bool | None) -> None:
    assert numeric_order(text) is expected


@pytest.mark.parametrize(
    ("written", "day", "expected"),
    [
        pytest.param("12:00 PM - 2:00 PM UTC, on January 20th, 2023", None,
                     ("2023-01-20T12:00:00+00:00", "2023-01-20T14:00:00+00:00"), id="zone-and-date-after"),
        pytest.param("February 13, 2025 00:38 until February 13, 2025 13:45", None,
                     ("2025-02-13T00:38:00-03:00", "2025-02-13T13:45:00-03:00"), id="until-full-dates"),
        pytest.param("10:00 PM to 2:00 AM EAT, May 10, 2023", None,
                     ("2023-05-10T22:00:00+03:00", "2023-05-11T02:00:00+03:00"), id="across-midnight"),
        pytest.param("23:30 - 01:15", DAY, ("2023-01-20T23:30:00-03:00", "2023-01-21T01:15:00-03:00"),
                     id="clock-range-on-the-day"),
        pytest.param("from 16:58 to 18:46 UTC", DAY, ("2023-01-20T16:58:00+00:00", "2023-01-20T18:46:00+00:00"),
                     id="zone-on-the-end-only"),
        pytest.param("between 09:00 and 11:30", DAY, ("2023-01-20T09:00:00-03:00", "2023-01-20T11:30:00-03:00"),
                     id="between-and"),
        pytest.param("from 10:00 AM to 11:30 AM on 14/02/2024 (EAT)", None,
                     ("2024-02-14T10:00:00+03:00", "2024-02-14T11:30:00+03:00"), id="zone-in-brackets-after-the-date"),
        pytest.param("From 11:45 PM on 3 May 2024 to 1:15 AM on 4 May 2024 (WAT).", None,
                     ("2024-05-03T23:45:00+01:00", "2024-05-04T01:15:00+01:00"), id="zone-after-the-end-date"),
        pytest.param("From 11:45 PM on 3 May 2024 to 1:15 AM on 4 May 2024 WAT.", None,
                     ("2024-05-03T23:45:00+01:00", "2024-05-04T01:15:00+01:00"), id="zone-after-the-end-date-bare"),
        pytest.param("from 08:00 on 31 May 2023 until 14:15 on 1 June 2023 (BST)", None,
                     ("2023-05-31T08:00:00+01:00", "2023-06-01T14:15:00+01:00"), id="until-with-zone-after-the-date"),
        pytest.param("from 10:00 to 11:30 on 14 May 2023 eastern users saw errors", None,
                     ("2023-05-14T10:00:00-03:00", "2023-05-14T11:30:00-03:00"), id="a-word-after-the-date-is-no-zone"),
    ],
)
def test_ranges(written: str, day: dt.date | None, expected: tuple[str, str]) -> None:
    found = read_range(written, Context(SAO_PAULO, day))
    assert found is not None
    start, end = found
    assert (start.at.isoformat() if start.at else None, end.at.isoformat() if end.at else None) == expected


def test_a_clock_range_is_not_read_as_an_offset() -> None:
    """"02:00-04:30" is a range; "-04:30" after a time without seconds is never an offset."""
    found = read_moment("02:00-04:30 rollout", Context(SAO_PAULO, DAY))
    assert found is not None and found.at is not None and found.at.isoformat() == "2023-01-20T02:00:00-03:00"


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        ("2 hours", 120), ("0h 16m", 16), ("1 hour and 45 minutes", 105), ("90 min", 90), ("1:30", 90),
        ("half an hour", 30), ("an hour", 60), ("2 days", 2880), ("3h 45m", 225), ("~24h40m", 1480),
        ("1.5 hours", 90), ("45", 45), ("-5 minutes", -5), ("ninety", None),
        ("2 days, 3 hours", 3060), ("1 hour, 30 minutes", 90), ("about 2 hours", 120), ("2h 15m (approx.)", 135),
        ("2h (detection took 35m)", 120), ("3h partial degradation, 20m full outage", None), ("~45-60 minutes", None),
        ("1 to 2 hours", None), ("Unknown (at least 2h)", None), ("at least 2 hours", None), ("more than 3h", None),
        ("30m 2h", None), ("(2 hours)", 120),
    ],
)
def test_lengths(written: str, minutes: int | None) -> None:
    assert parse_duration(written) == minutes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("All times are PDT.", "PDT", id="all-times-are"),
        pytest.param("Times in UTC unless noted", "UTC", id="unless-noted"),
        pytest.param("Timeline (all times GST)", "GST", id="heading-parenthesis"),
        pytest.param("Time (CET)", "CET", id="column-header"),
        pytest.param("All times in the same timezone: UTC", "UTC", id="timezone-colon"),
        pytest.param("timezone: Europe/Berlin", "Europe/Berlin", id="iana"),
        pytest.param("All times are Pacific Time", "PT", id="long-name"),
        pytest.param("all times Denver time", "Denver", id="city"),
        pytest.param("All times are approximate", None, id="no-zone"),
        pytest.param("All times are UTC+3", "UTC+3", id="offset-after-are"),
        pytest.param("Times are UTC+2.", "UTC+2", id="offset-sentence"),
        pytest.param("All times in UTC+02:00.", "UTC+02:00", id="offset-with-minutes-after-in"),
        pytest.param("Times are GMT+2.", "GMT+2", id="gmt-offset"),
        pytest.param("Times in UTC-5", "UTC-5", id="negative-offset"),
        pytest.param("All times are UTC -5", "UTC -5", id="offset-after-a-space"),
        pytest.param("All times UTC+2.", "UTC+2", id="offset-right-after-times"),
        pytest.param("All times are UTC", "UTC", id="utc-without-offset"),
        pytest.param("All times are PDT (UTC-7)", "PDT", id="name-then-its-offset"),
    ],
)
def test_zone_statements(text: str, expected: str | None) -> None:
    zone = stated_zone(text)
    assert (zone.name if zone else None) == expected


def test_a_site_adds_and_overrides_abbreviations() -> None:
    zones = Zones.of({"IST": 3600, "QQT": -7200})
    assert zones.named("IST").tz.utcoffset(None) == dt.timedelta(hours=1)  # type: ignore[union-attr]
    assert zones.named("QQT").tz.utcoffset(None) == dt.timedelta(hours=-2)  # type: ignore[union-attr]
    assert BUILT_IN.named("QQT") is None


@pytest.mark.parametrize("offset", ["+99:00", "+15:00", "-13:75"])
def test_an_offset_no_place_has_is_no_zone(offset: str) -> None:
    assert BUILT_IN.named(offset) is None


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        pytest.param("**16:41** \\- Symbols returned 502s", "Symbols returned 502s", id="bold-with-escaped-dash"),
        pytest.param("[13:26] restarted", "restarted", id="brackets"),
        pytest.param("[ 4: 45 am PST ] The team", "The team", id="spaced-brackets"),
        pytest.param("`0930Z` deploy", "deploy", id="inline-code"),
        pytest.param("At 12:05 AM: paged", "paged", id="at-paragraph"),
        pytest.param("1:03 - rollback", "rollback", id="dash"),
        pytest.param("12:43 - 12:49 errors", "errors", id="range-at-the-start"),
        pytest.param("16:05:57-58 spike", "spike", id="seconds-range"),
        pytest.param("10.12:30 PM UTC: restored", "restored", id="lost-list-marker"),
        pytest.param("_14:20 UTC_ — failover", "failover", id="italic"),
        pytest.param("10:00 Deploy started", "Deploy started", id="a-word-after-the-clock-is-text"),
    ],
)
def test_lines_that_start_with_a_time(line: str, rest: str) -> None:
    split = leading_stamp(line)
    assert split is not None and split[0].clock is not None and split[1] == rest


# --- the quick tests before each pattern never keep it from a date or time it reads ----------------------

# Dates and times in the spellings the quick tests must see through (capitals, 'ſ' for 's', the year 2100, digits
# of other scripts), and pieces of them, joined at random.
_PIECES = [
    "0", "1", "2", "9", "12", "20", "21", "٣", "/", "-", ".", ",", ":", " ", "\n", "—", "h", "T", "Z", "a", "P",
    "m", "of", "the", "ſ", "K", "1h20", "14:20", "4: 45 am", "2 pm", "3 P.M.", "8.35 A.M.", "2100-01-02",
    "2100 01 02", "03, 14, 2100", "5/4 10:00", "12.03.21", "ſept 5", "5 ſept", "1ſt MARCH", "AuG 3rd", "Tue, DEC 9",
    "0930Z", "0930 UTC", "1400hrs", "٣/٤/2024", "2024-03-14T10:00",
]


_FORMS = [piece for piece in _PIECES if len(piece) > 3]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join) | st.sampled_from(_FORMS))
def test_the_quick_tests_never_keep_a_pattern_from_a_date_or_time_it_reads(text: str) -> None:
    every_date = [form.read(match) for form in times._DATE_FORMS for match in form.pattern.finditer(text)]
    assert times.scan_dates(text) == [d for d in times._first_and_longest(every_date) if 1 <= d.month <= 12 and 1 <= d.day <= 31]
    for holds, pattern in times._CLOCK_PATTERNS:
        assert holds(text) or pattern.search(text) is None
