"""Front-matter → the incident's metadata fields, each with where it came from.

Values arrive as the author wrote them (the reader keeps YAML scalars as
text); this module decides what each one means and reports what it cannot use.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core import diagnostics as diag
from ..core.config import SeverityScale, SiteConfig, squash
from ..core.diagnostics import Diagnostic
from ..core.model import FIELD_NAMES, Origin
from ..read.files import Document
from .blocks import Block
from .times import (
    Context,
    DateFound,
    Resolved,
    Stamp,
    Zone,
    Zones,
    bad_offset,
    parse_date,
    parse_duration,
    resolve,
    resolve_range,
    scan,
    scan_dates,
    scan_range,
    season_note,
    unknown_zone,
)

_LISTS = ("services", "tags", "responders")
_TIMES = ("started_at", "detected_at", "resolved_at")


@dataclass(frozen=True, slots=True)
class Pending:
    """A time the document states without its day ("Start: 14:05"): read once the incident's day is settled."""

    field: str
    stamps: tuple[Stamp, ...]  # one moment, or both ends of a range
    value: str
    how: str
    line: int


@dataclass(slots=True)
class Metadata:
    """What the document states, field by field; mutable only while it is being read.

    `days` are the dates the document states for the incident, each with where it was
    written, in order of trust; which one is the incident's is settled later, against the
    timeline (a write-up date is not the day it happened).
    """

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    extra: list[tuple[str, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    days: list[tuple[dt.date, Origin]] = field(default_factory=list)

    def set(self, name: str, value: Any, how: str, line: int | None, *, kind: str = "stated",
            evidence: tuple[str, ...] = ()) -> bool:
        """Record a value unless a more trusted source already gave one; whether it was recorded."""
        if name in self.values or value in (None, "", ()):
            return False
        self.values[name] = value
        self.origins[name] = Origin(name, how, line, kind, evidence)
        return True

    def state_day(self, day: dt.date | None, how: str, line: int | None) -> None:
        if day is not None:
            self.days.append((day, Origin("date", how, line)))


def read_front_matter(document: Document, config: SiteConfig, zones: Zones, context: Context) -> Metadata:
    """The front-matter's fields; `context` reads its times (the site's zone, the document's date order)."""
    meta = Metadata()
    for raw_key, raw_value in document.front_matter.items():
        key = str(raw_key)
        line = document.key_lines.get(key, document.front_matter_line)
        name = FIELD_NAMES.get(re.sub(r"[\s-]+", "_", key.strip().casefold()))
        if name is None:
            meta.extra.append((key, plain(raw_value)))
            meta.diagnostics.append(_unknown_field(key, document.source, line))
            continue
        if name in meta.values or name == "date" and meta.days:
            if not _agrees(meta, name, raw_value, config, zones, context):
                meta.extra.append((key, plain(raw_value)))  # a second spelling that says something else is kept
            continue
        answer = plain(raw_value).strip().casefold()
        if name in _TIMES and answer in _YES_NO:  # a status page's `resolved: true` says whether, not when
            meta.extra.append((key, plain(raw_value)))
            if name == "resolved_at":
                meta.set("status", "resolved" if answer in _YES else "open", "front-matter", line)
            continue
        problems = _read_field(meta, name, raw_value, line, config, zones, context, document.source)
        if any(p.level is diag.Level.WARNING for p in problems):
            meta.extra.append((key, plain(raw_value)))
        meta.diagnostics += problems
    _date_time_as_start(meta, document, zones, context)
    return meta


_YES = frozenset({"true", "yes"})
_YES_NO = _YES | {"false", "no"}


def _date_time_as_start(meta: Metadata, document: Document, zones: Zones, context: Context) -> None:
    """A `date` with a time of day, beside a stated end and no start, is when the incident began (status pages)."""
    if "started_at" in meta.values or "resolved_at" not in meta.values:
        return
    key = next((k for k in document.front_matter if FIELD_NAMES.get(str(k).strip().casefold()) == "date"), None)
    stamps = scan(plain(document.front_matter[key]), zones) if key is not None else []
    if stamps and stamps[0].clock is not None and stamps[0].date is not None:
        reading = resolve(stamps[0], context)
        if reading.at is not None and reading.at <= meta.values["resolved_at"]:
            meta.set("started_at", reading.at, "front-matter", document.key_lines.get(str(key)))


def _agrees(meta: Metadata, name: str, value: Any, config: SiteConfig, zones: Zones, context: Context) -> bool:
    """Whether a second key for a field (`resolvedWhen` beside `resolved_at`) says what the first one did."""
    second = Metadata()
    _read_field(second, name, value, None, config, zones, context, "")
    if name == "date":
        return bool(second.days) and second.days[0][0] == meta.days[0][0]
    return name in second.values and second.values[name] == meta.values.get(name)


def _read_field(
    meta: Metadata, name: str, value: Any, line: int | None, config: SiteConfig, zones: Zones, context: Context,
    source: str,
) -> list[Diagnostic]:
    """Record one front-matter field; the problems that keep it from being used."""
    if name in _LISTS:
        meta.set(name, as_list(value), "front-matter", line)
        return []
    text = plain(value).strip()
    if name == "date":
        return _read_date(meta, text, "front-matter", line, context, source)
    if name in _TIMES:
        return _read_time(meta, name, text, "front-matter", line, zones, context, source)
    if name == "timezone":
        zone = zones.named(text, cities=True)
        if zone is None:
            return [diag.warning("bad-time", f"timezone {text!r} is not a zone hindsite knows; write an IANA name "
                                 "such as 'Europe/Berlin', an abbreviation such as 'PDT', or an offset such as '+02:00'",
                                 source, line)]
        meta.set("timezone", zone, "front-matter", line)
        return []
    if name == "duration_minutes":
        return _read_duration(meta, text, "front-matter", line, source)
    if name == "severity":
        level = config.severity.canonical(text)
        if level is None:
            known = ", ".join(config.severity.levels)
            return [diag.warning("unknown-severity", f"severity {text!r} is not on the site's scale ({known}); "
                                 "use one of those or add it as an alias in [severity]", source, line)]
        meta.set("severity", level, "front-matter", line)
        return []
    meta.set(name, text, "front-matter", line)
    return []


def _read_date(meta: Metadata, text: str, how: str, line: int | None, context: Context, source: str) -> list[Diagnostic]:
    found = [d for d in scan_dates(text) if d.year is not None]
    if not found:
        return [_out_of_range(text, "date", source, line) or diag.warning(
            "bad-time", f"date {text!r} is not a date; write it as YYYY-MM-DD", source, line)]
    first = found[0]
    if first.other is not None and context.day_first is None:
        return [undecided_date(text, first, source, line)]
    day = resolve(Stamp(first.start, first.end, first), context).day
    if day is None:
        return [diag.warning("bad-time", f"date {text!r} is not a day of the calendar; write it as YYYY-MM-DD",
                             source, line)]
    meta.state_day(day, how, line)
    return []


def _read_time(
    meta: Metadata, name: str, text: str, how: str, line: int | None, zones: Zones, context: Context, source: str
) -> list[Diagnostic]:
    """A stated start, detection or end: an instant now, or a clock time waiting for the incident's day."""
    offset = bad_offset(text)
    if offset is not None:
        return [diag.warning("bad-time", f"{_FIELD_WORDS[name]} {text!r} has the offset {offset.strip()!r}, which no "
                             "place on Earth uses (offsets run from -12:00 to +14:00); correct it", source, line)]
    unknown = unknown_zone(text, zones)
    if unknown:
        return [diag.warning("bad-time", f"{_FIELD_WORDS[name]} {text!r} names the time zone {unknown!r}, which "
                             "hindsite does not know; write an offset such as +03:00, or add it under [zones] in "
                             "site.toml", source, line)]
    out_of_range = _out_of_range(text, _FIELD_WORDS[name], source, line)
    if out_of_range is not None:
        return [out_of_range]
    span = scan_range(text, zones)
    stamps = (span[0],) if span else tuple(scan(text, zones)[:1])
    if not stamps or stamps[0].clock is None and stamps[0].date is None:
        return [diag.warning("bad-time", f"{_FIELD_WORDS[name]} {text!r} is not a date and time; write it as "
                             "YYYY-MM-DDTHH:MM+00:00", source, line)]
    reading = resolve(stamps[0], replace(context, day=None))
    if reading.undecided is not None:
        return [undecided_date(text, reading.undecided, source, line)]
    if reading.at is not None:
        if not meta.set(name, reading.at, how, line):
            return _restated(meta, name, reading.at, text, source, line)
        if name == "started_at":
            meta.state_day(reading.at.date(), how, line)
        return _off_season(reading, text, source, line)
    if stamps[0].clock is not None:
        meta.pending.append(Pending(name, stamps, text, how, line or 0))
        return []
    # A day with no time of day: it dates the incident, but a midnight would be invented.
    if name == "started_at":
        meta.state_day(reading.day, how, line)
    return [diag.info("date-only-time", f"{_FIELD_WORDS[name]} {text!r} gives a day but no time of day; the time is "
                      "left empty rather than taken as midnight — write YYYY-MM-DDTHH:MM+00:00", source, line)]


#: A year written in a date that hindsite does not read as an incident's: before 1970 or after 2100.
_FAR_YEAR = re.compile(r"(?<![\d.])(1[0-8]\d\d|19[0-6]\d|210[1-9]|21[1-9]\d|2[2-9]\d\d)(?=[-/. ]\d|\b)")


def _out_of_range(text: str, what: str, source: str, line: int | None) -> Diagnostic | None:
    """`bad-time` that names the year, when a date's year is outside 1970–2100 (a typo, usually: 1024 for 2024)."""
    match = _FAR_YEAR.search(text)
    if match is None:
        return None
    return diag.warning("bad-time", f"{what} {text.strip()!r} is in the year {match.group(1)}; hindsite reads incident dates "
                        "from 1970 to 2100 — correct the year", source, line)


def _restated(meta: Metadata, name: str, at: dt.datetime, text: str, source: str, line: int | None) -> list[Diagnostic]:
    """`conflicting-times` when a time the document already stated is stated again differently."""
    first, origin = meta.values[name], meta.origins[name]
    if abs((first - at).total_seconds()) < 60:
        return []
    where = f"line {origin.line}" if origin.line else "the front-matter"
    return [diag.warning(
        "conflicting-times",
        f"{_FIELD_WORDS[name]} is stated twice: {first:%Y-%m-%d %H:%M%z} on {where} and {text.strip()!r} here; the "
        "first is used — correct or remove the other", source, line)]


_FIELD_WORDS = {"started_at": "the start", "detected_at": "the detection time", "resolved_at": "the end"}


def _read_duration(meta: Metadata, text: str, how: str, line: int | None, source: str) -> list[Diagnostic]:
    minutes = parse_duration(text)
    if minutes is None:
        return [diag.warning("bad-time", f"duration {text!r} is not a length of time; write e.g. '1h 30m' or "
                             "'90 minutes'", source, line)]
    if minutes <= 0:
        return [diag.warning("implausible-duration", f"duration {text!r} is {'negative' if minutes < 0 else 'zero'}; "
                             "write how long the incident lasted, e.g. '1h 30m'", source, line)]
    meta.set("duration_minutes", minutes, how, line)
    return []


def _off_season(reading: Resolved, text: str, source: str, line: int | None) -> list[Diagnostic]:
    if reading.off_season is None or reading.at is None:
        return []
    return [zone_season(reading.off_season, reading.at, text, source, line)]


def zone_season(zone: Zone, at: dt.datetime, text: str, source: str, line: int | None) -> Diagnostic:
    """`zone-season`: a standard-time abbreviation written on a summer date, or the reverse; read as written."""
    return diag.warning(
        "zone-season",
        f"{text.strip()!r} is in {zone.name}, but on {at:%d %B %Y} those clocks showed {season_note(zone, at.date())}; "
        f"it is read as written ({at:%H:%M}{_offset_text(at)}) — write the offset if that is wrong", source, line)


def _offset_text(at: dt.datetime) -> str:
    text = at.strftime("%z")
    return f"{text[:3]}:{text[3:]}" if text else ""


def undecided_date(text: str, found: DateFound, source: str, line: int | None) -> Diagnostic:
    """`ambiguous-date`: a numeric date nothing in the document or the site decides."""
    one = found.on(found.year or 2000)
    other = found.read_other_way().on(found.year or 2000)
    readings = " or ".join(f"{d:%d %B}" for d in (one, other) if d is not None)
    return diag.warning(
        "ambiguous-date",
        f"{text.strip()!r} could be {readings}, and nothing else in the document says which; it is left out — "
        "write YYYY-MM-DD, or set day_first in site.toml for the whole archive", source, line)


def _unknown_field(key: str, source: str, line: int | None) -> Diagnostic:
    """Info for a field hindsite has no place for; a warning when it looks like a misspelt known one."""
    close = difflib.get_close_matches(key.casefold(), list(FIELD_NAMES), n=1, cutoff=0.8)
    if close:
        return diag.warning("unknown-field", f"front-matter field {key!r} is not one hindsite reads; did you mean "
                            f"{close[0]!r}? It is shown on the report as written", source, line)
    return diag.info("unknown-field", f"front-matter field {key!r} is not part of the incident model; "
                     "it is shown on the report as written", source, line)


def plain(value: Any) -> str:
    """A front-matter value as one line of text, for showing it as written."""
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def as_list(value: Any) -> tuple[str, ...]:
    """`[a, b]`, `a, b` or `a` → ("a", "b") with blanks and duplicates removed, order kept."""
    items = value if isinstance(value, list) else re.split(r"[,;]", plain(value))
    seen: dict[str, None] = {}
    for item in items:
        text = plain(item).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def file_name_date(name: str, day_first: bool | None = None) -> dt.date | None:
    """The date a file name gives: `2024-03-14-checkout.md`, `2021-10_2021-10-31-storm.md`, `20220420_listener.md`,
    `06192022-attack.md`. Eight digits read year first, else month or day first as a numeric date would."""
    stem = re.sub(r"\.[A-Za-z]+$", "", name)
    spaced = re.sub(r"[_]+", " ", stem)
    found = parse_date(spaced, day_first=day_first)
    if found is not None:
        return found
    for digits in re.findall(r"(?<!\d)(\d{8})(?!\d)", stem):
        compact = _date_or_none(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if compact is not None and 1970 <= compact.year <= 2100:
            return compact
        found = parse_date(f"{digits[:2]}/{digits[2:4]}/{digits[4:]}", day_first=day_first)
        if found is not None:
            return found
    return None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# --- metadata written in the body -------------------------------------------

#: Labels people write in tables, `Key: value` lines and bullets → the field they give.
BODY_LABELS: Mapping[str, str] = {
    **dict.fromkeys(("severity", "sev", "severity level", "incident severity", "priority", "incident priority",
                     "incident level", "level"), "severity"),
    **dict.fromkeys(("duration", "duration of outage", "outage duration", "incident duration", "downtime",
                     "total downtime", "duration of the outage", "duration of incident", "outage window",
                     "time frame", "timeframe", "period", "outage period"), "duration"),
    **dict.fromkeys(("start", "start time", "started", "started at", "incident start", "outage start", "began",
                     "start of incident", "start of outage", "incident start time", "outage began", "fault occurs",
                     "fault occurred", "start date", "start datetime", "start of impact", "impact start",
                     "impact started", "impact began", "beginning of impact", "first impact", "start of the incident",
                     "start of the outage"), "started_at"),
    **dict.fromkeys(("end", "end time", "ended", "resolved", "resolved at", "resolution time", "time resolved",
                     "incident end", "outage end", "end of incident", "end of outage", "incident resolved",
                     "service restored", "restored", "recovered", "incident end time", "end date",
                     "end datetime", "time of repair", "repaired", "repaired at", "repair time", "time repaired",
                     "mitigated", "mitigated at", "time mitigated", "end of impact", "impact end", "impact ended",
                     "fixed", "fixed at"), "resolved_at"),
    **dict.fromkeys(("detected", "detected at", "detection time", "time detected", "issue detected",
                     "incident detected", "detected on", "first detected", "alerted", "incident declared",
                     "time of detection", "time of discovery", "discovered", "discovered at", "discovery time",
                     "first alert", "alert time", "reported at", "time reported", "first reported"), "detected_at"),
    **dict.fromkeys(("date", "incident date", "date of incident", "date of the incident", "occurred",
                     "occurred on", "when", "date of outage", "outage date", "day"), "date"),
    **dict.fromkeys(("affected services", "services affected", "affected service", "service affected", "services",
                     "service", "affected systems", "systems affected", "affected components", "components",
                     "affected products", "products", "product", "systems", "impacted services",
                     "services impacted"), "services"),
    **dict.fromkeys(("responders", "people involved", "participants", "incident responders", "team",
                     "teams involved", "involved", "incident commander", "on call", "on-call", "owner",
                     "owners", "incident owner"), "responders"),
    # Who wrote the document: a byline, not the people who responded (front-matter authors are not either).
    **dict.fromkeys(("author", "authors"), "authors"),
    **dict.fromkeys(("status", "incident status", "state", "current status"), "status"),
    **dict.fromkeys(("incident", "title", "incident title", "incident name", "name", "subject"), "title"),
    **dict.fromkeys(("time to detect", "time to detection", "ttd", "mttd", "time to detect ttd",
                     "detection delay"), "time_to_detect"),
    **dict.fromkeys(("time to resolve", "time to resolution", "time to recovery", "time to repair", "ttr",
                     "mttr", "time to restore", "time to recover", "time to mitigate", "total duration"),
                    "time_to_resolve"),
    **dict.fromkeys(("tags", "keywords", "labels", "categories", "category"), "tags"),
    # When the postmortem was written or published: never the day of the incident.
    **dict.fromkeys(("date of postmortem", "postmortem date", "post mortem date", "date of post mortem", "written on",
                     "written", "date written", "date of writing", "created", "created on", "created at",
                     "creation date", "last modified", "last updated", "updated", "updated on", "last edited",
                     "published", "published on", "publish date", "publication date", "report date",
                     "date of report", "report written", "review date", "reviewed on", "date reviewed",
                     "document date", "authored on", "retro date", "retrospective date", "meeting date",
                     "date of review", "postmortem written"), "written"),
}

_PLACEHOLDER_VALUE = re.compile(r"^\s*(?:\?+|tbd|tbc|todo|n/?a|none|unknown|xxx+|-+|—|<[^>]*>|!!.*!!|\[.*\])\s*$", re.I)
_MENTION = re.compile(r"@\[([^\]]+)\]\([^)]*\)")


@dataclass(frozen=True, slots=True)
class Stated:
    """A `label: value` pair found in the body, with its line and how it was written."""

    label: str
    field: str
    value: str
    line: int
    how: str


def body_label(label: str) -> str | None:
    """The field a written label names, or None."""
    return BODY_LABELS.get(_label_words(label))


def _label_words(label: str) -> str:
    """A label's words, in lower case, without its marks: "**Start of Impact[^1]:**" → "start of impact"."""
    label = re.sub(r"\[\^[^\]]*\]|\([^)]*\)", " ", label)  # footnote references and asides: "Start of Impact[^1]"
    words = " ".join(re.sub(r"[^\w\s/-]", " ", label).casefold().split())
    words = words.replace("-", " ").replace("/", " ")
    return " ".join(words.split())


def is_placeholder_value(value: str) -> bool:
    return bool(_PLACEHOLDER_VALUE.match(value))


def names_in(value: str) -> tuple[str, ...]:
    """People or services in a value: `@[Ana](mention://…) @[Bo](…) Cy`, `a, b and c`."""
    mentioned = _MENTION.findall(value)
    rest = _MENTION.sub(",", value)
    parts = [*mentioned, *re.split(r",|;|\band\b|&|\s@|\n", rest)]
    seen: dict[str, None] = {}
    for part in parts:
        name = re.sub(r"[*_`]+", "", part).strip(" @.-")
        if name and not is_placeholder_value(name):
            seen.setdefault(name, None)
    return tuple(seen)


#: Words that make a services value a sentence about them rather than their names: "None (internal tooling only)",
#: "3 of 5 regions", "all customer-facing services".
_NOT_A_SERVICE = re.compile(
    r"^(?:none|no|not|nothing|n/?a|all|every|any|some|most|many|several|few|only)\b|\b(?:of|were|was|is|are|only|directly)\b"
    r"|(?<![\w.-])\d+(?![\w.-])|%|~", re.I)  # a count ("3 regions"), not a name with a number ("EC2", "Therac-25")
#: Words that say how much a named service was affected: "partially Search" names Search.
_HOW_MUCH = re.compile(r"^(?:partially|partly|mostly|briefly|intermittently|also|and)\s+", re.I)


def service_names(value: str) -> tuple[str, ...]:
    """The services a value names (`api, db`, `Checkout (web and mobile), partially Search` → Checkout, Search),
    or none when it is a sentence about them ("none directly; internal CI only", "~40% of API traffic"): a name
    is never made of a sentence's words."""
    if _NOT_A_SERVICE.match(value.strip(" *_`")):
        return ()
    names = tuple(_HOW_MUCH.sub("", name) for name in names_in(re.sub(r"\s*\([^()]*\)", "", value)))
    if any(_NOT_A_SERVICE.search(name) or len(name.split()) > 5 for name in names):
        return ()
    return names


_LABELLED_LINE = re.compile(
    r"^\s*(?:[-*+—–•]\s*|\d+[.)]\s+)?(?:\*\*|__)?(?P<label>[^\W\d_][^:*_\n|]{0,40}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>.*)$"
)


def stated_in_blocks(blocks: Iterable[Block]) -> list[Stated]:
    """Every `label: value` the body states, from tables, lines and bullets, in document order."""
    found: list[Stated] = []
    for block in blocks:
        if block.kind == "table":
            found += _table_pairs(block)
        elif block.kind == "paragraph":
            found += _line_pairs(block.inline.split("\n"), block.start, "line")
        elif block.kind == "list":
            for item in block.items:
                found += _line_pairs(item.text.split("\n"), item.line, "bullet")
    return found


#: Headings over the people who responded: not "Authors" or "Owners", who wrote the document or own its follow-ups.
_RESPONDER_HEADINGS = frozenset({"responders", "incident responders", "people involved", "participants", "involved",
                                 "incident commander", "on call"})
#: A person or a handle, as a list of responders names them: a few words, or `@handle`.
_NAME = re.compile(r"@?[^\W\d_][\w.'’-]*(?:\s[^\W\d_][\w.'’-]*){0,3}")


def stated_under_heading(heading: str, blocks: Sequence[Block], scale: SeverityScale) -> list[Stated]:
    """What a section headed with a field's label states, where its text is that field's value and nothing else:
    a severity (`_severity_under`), or the people who responded (`_responders_under`)."""
    field = body_label(heading)
    if field == "severity":
        return _severity_under(heading, blocks, scale)
    if field == "responders" and _label_words(heading) in _RESPONDER_HEADINGS:
        return _responders_under(heading, blocks)
    return []


def _responders_under(heading: str, blocks: Sequence[Block]) -> list[Stated]:
    """The people a "Responders" section lists, one to an item ("- @ana", "- Bo Lee (incident commander)") or on
    one line ("Ana Silva, Bo Lee"); none when any item or name is more than a name and an aside: a sentence, a
    link, a role and a name ("Comms: Bo Lee", "IC - Ana", which the labelled lines are left to read)."""
    if len(blocks) != 1:
        return []
    block = blocks[0]
    if block.kind == "list":
        said = [_clean_value(re.sub(r"\s*\([^)]*\)\s*$", "", item.text.split("\n", 1)[0])) for item in block.items]
        how = "bullet"
    elif block.kind == "paragraph" and "\n" not in block.inline.strip():
        said, how = list(names_in(block.inline)), "line"
    else:
        return []
    if not said or not all(_NAME.fullmatch(name) for name in said):
        return []
    return [Stated(heading, "responders", ", ".join(said), block.start, how)]


def _severity_under(heading: str, blocks: Sequence[Block], scale: SeverityScale) -> list[Stated]:
    """The severity a section headed with its label ("## Severity", "## Priority") states, where the section's text
    opens with a level of the site's scale as a whole, up to a dash, a colon, an aside or a sentence's end:
    "**Critical** - Complete or major outage…" states "Critical". A sentence about the severity ("Not critical.",
    "Initially low, then…") states none, and neither does a legend of the scale: a section in which more than one
    line opens with a level."""
    if not blocks or blocks[0].kind != "paragraph":
        return []
    openings = [_opening_level(line, scale) for line in _lines_of(blocks)]  # the first is the first paragraph's
    levels = [level for level in openings if level is not None]
    if len(levels) != 1 or openings[0] is None:
        return []
    return [Stated(heading, "severity", levels[0], blocks[0].start, "line")]


def _lines_of(blocks: Sequence[Block]) -> Iterator[str]:
    for block in blocks:
        if block.kind == "paragraph":
            yield from block.inline.split("\n")
        elif block.kind == "list":
            yield from (item.text.split("\n", 1)[0] for item in block.items)


def _opening_level(line: str, scale: SeverityScale) -> str | None:
    """The level a line opens with, as written ("Critical" in "**Critical** - …"), when it names one as a whole."""
    value = _clean_value(_VALUE_END.split(line, maxsplit=1)[0]).rstrip(" ,;")
    return value if value and scale.named(value) is not None else None


def _stated_severity(value: str, scale: SeverityScale) -> str | None:
    """The one level a stated value names: "Major (customer-facing)", "SEV-2 - partial outage", "S4-LOW", "2"; None
    where it names two ("initially P3, upgraded to P1"), denies one ("Not major, …") or holds one inside a word of
    other words ("low-latency path affected")."""
    if squash(value).isdigit():
        return scale.canonical(value)
    levels: set[str] = set()
    words = re.findall(r"[\w'’-]+", value)
    for n, word in enumerate(words):
        level = scale.named(" ".join(words[n : n + 2])) or _level_word(word, scale)  # "Sev 3", or one word
        if level is not None and n and words[n - 1].casefold() in _DENIALS:
            return None
        if level is not None:
            levels.add(level)
    return levels.pop() if len(levels) == 1 else None


#: Words that deny the level after them: "Not major".
_DENIALS = frozenset({"not", "no", "non", "never", "isn't", "wasn't", "isn’t", "wasn’t"})
#: A code of a scale hindsite does not know, beside a level it does: the "S4" of "S4-LOW".
_LEVEL_CODE = re.compile(r"^[a-z]{1,4}\d{1,2}$", re.I)


def _level_word(word: str, scale: SeverityScale) -> str | None:
    """The level a word names as a whole ("Major", "SEV-2", "S4-LOW"), or None ("low-latency" names none)."""
    whole = scale.named(word)
    if whole is not None or "-" not in word.strip("-"):
        return whole
    parts = [part for part in word.split("-") if part]
    named = {scale.named(part) for part in parts} - {None}
    unknown = [part for part in parts if scale.named(part) is None]
    return named.pop() if len(named) == 1 and all(_LEVEL_CODE.match(part) for part in unknown) else None


def _table_pairs(block: Block) -> list[Stated]:
    """`| Severity | sev2 |` rows, or one row of values under a header of labels (`| Severity | Duration |`)."""
    header = block.rows[0].cells if block.rows else ()
    labels = sum(1 for cell in header if body_label(cell))
    if len(block.rows) == 2 and labels >= 1 and (len(header) >= 3 or labels == len(header)):
        labels_row, values = block.rows
        return [Stated(label, body_label(label) or "", _clean_value(value), values.line, "table")
                for label, value in zip(labels_row.cells, values.cells, strict=False) if body_label(label) and value.strip()]
    rows = [r for r in block.rows if len(r.cells) >= 2]
    labelled = [r for r in rows if body_label(r.cells[0])]
    if len(labelled) < 2:
        return []
    return [
        Stated(r.cells[0], body_label(r.cells[0]) or "", _clean_value(r.cells[1]), r.line, "table")
        for r in labelled
        if r.cells[1].strip()
    ]


def _line_pairs(lines: list[str], first_line: int, how: str) -> list[Stated]:
    """Labelled lines; a label with nothing after it takes the unlabelled lines below it.

    A line may state several pairs: "Severity: Minor. Services: notifications.",
    "Date: 2024-03-14 | Duration: 2h | Severity: sev2" (see `_pairs`).
    """
    found: list[Stated] = []
    index = 0
    while index < len(lines):
        match = _LABELLED_LINE.match(lines[index])
        field = body_label(match.group("label")) if match else None
        if match is None or field is None:
            index += 1
            continue
        value = match.group("value").strip()
        end = index + 1
        if not value:
            while end < len(lines) and lines[end].strip() and not _is_labelled(lines[end]):
                end += 1
            value = " ".join(line.strip().lstrip("-*+ ") for line in lines[index + 1 : end])
        if value:
            found += [Stated(label, named, _clean_value(said), first_line + index, how)
                      for label, named, said in _pairs(match.group("label").strip(), field, value)]
        index = max(end, index + 1)
    return found


#: Where a second pair may start in a labelled line's value: after a sentence's end, a comma or a semicolon, at a
#: bar or a bullet, or at a dash between spaces.
_PAIR_BREAK = re.compile(r"(?<=[.,;])\s+|\s*[|•·]\s*|\s+[-–—]\s+")
#: Where a value that opens a line ends: at such a break, an aside or a colon.
_VALUE_END = re.compile(rf"{_PAIR_BREAK.pattern}|\s*\(|:\s")


def _pairs(label: str, field: str, value: str) -> list[tuple[str, str, str]]:
    """(label, field, value) for the pair a line starts with and each further one in its value, where a known
    label and its colon follow a break ("Minor. Services: notifications"); a value is read no further than the
    next pair, and a break before words that are not a pair is part of the value."""
    pairs: list[tuple[str, str, str]] = []
    start = 0
    for found in _PAIR_BREAK.finditer(value):
        after = _LABELLED_LINE.match(value[found.end() :])
        named = body_label(after.group("label")) if after and after.group("value").strip() else None
        if after is None or named is None or found.start() <= start:
            continue
        pairs.append((label, field, value[start : found.start()].rstrip(" ,;")))
        label, field, start = after.group("label").strip(), named, found.end() + after.start("value")
    return [*pairs, (label, field, value[start:])]


def _is_labelled(line: str) -> bool:
    match = _LABELLED_LINE.match(line)
    return bool(match and body_label(match.group("label")))


def _clean_value(value: str) -> str:
    return re.sub(r"[*_`]{1,2}", "", value).strip().rstrip(".").strip()


def apply_stated(
    meta: Metadata, stated: Sequence[Stated], zones: Zones, context: Context, config: SiteConfig, source: str
) -> list[Diagnostic]:
    """Record what the body states, tables before lines, a priority after every severity; front-matter values
    always win.

    A time written without its day waits in `meta.pending` until the incident's day is settled.
    """
    problems: list[Diagnostic] = []
    for item in sorted(stated, key=lambda s: (_is_priority(s), s.how != "table")):
        if is_placeholder_value(item.value):
            continue
        problems += _apply_one(meta, item, zones, context, config, source)
    ttr_origin = meta.origins.get("time_to_resolve")
    if ttr_origin is not None:
        meta.set("duration_minutes", meta.values["time_to_resolve"], ttr_origin.how, ttr_origin.line)
    return problems


#: Labels of a priority: how urgent the fix work is. A level only where the document states no severity.
_PRIORITY_LABELS = frozenset({"priority", "incident priority"})


def _is_priority(item: Stated) -> bool:
    """A priority, read after every stated severity whatever their order in the document (`Priority: P2` above
    `Severity: Minor` is sev3)."""
    return item.field == "severity" and _label_words(item.label) in _PRIORITY_LABELS


def _apply_one(
    meta: Metadata, item: Stated, zones: Zones, context: Context, config: SiteConfig, source: str
) -> list[Diagnostic]:
    field, value, how, line = item.field, item.value, item.how, item.line
    if field == "severity":
        level = _stated_severity(value, config.severity)
        if level is None:
            if "severity" in meta.values:
                return []
            if config.severity.canonical(value) is not None:
                return [diag.warning("unknown-severity", f"severity {value!r} is a sentence about the level, not a "
                                     "level; none is taken — write the level alone first, e.g. 'Severity: Major — …'",
                                     source, line)]
            known = ", ".join(config.severity.levels)
            return [diag.warning("unknown-severity", f"severity {value!r} is not on the site's scale ({known}); "
                                 "use one of those or add it as an alias in [severity]", source, line)]
        meta.set("severity", level, how, line)
    elif field == "duration":
        span = scan_range(value, zones)
        if span is not None and span[0].clock is not None:
            return _read_window(meta, span, value, how, line, context, source)
        if span is not None:  # "January 14-19, 2026": days, not times
            return _read_date(meta, value, how, line, context, source)
        clocked = [stamp for stamp in scan(value, zones) if stamp.clock is not None]
        if len(clocked) >= 2:  # "45 minutes - Start: 2024-01-26 10:15, End: 2024-01-26 11:00"
            problems = _read_window(meta, (clocked[0], clocked[1]), value, how, line, context, source)
            return problems + _read_length(meta, _without_stamps(value, zones), how, line, source)
        if scan(value, zones):
            return []  # a date or a time alone is not a length, whatever numbers it holds
        return _read_length(meta, value, how, line, source)
    elif field in _TIMES:
        return _read_time(meta, field, value, how, line, zones, context, source)
    elif field == "date":
        return _read_date(meta, value, how, line, context, source)
    elif field == "services":
        meta.set(field, service_names(value), how, line)
    elif field in _LISTS:
        meta.set(field, names_in(value), how, line)
    elif field in ("time_to_detect", "time_to_resolve"):
        minutes = parse_duration(value)
        if minutes is not None and minutes <= 0:
            return [diag.warning("implausible-duration", f"{item.label.strip()} {value!r} is not a positive length of "
                                 "time; write how long it took, e.g. '25 minutes'", source, line)]
        meta.set(field, minutes, how, line)
    elif field == "title":
        meta.set("name", value, how, line)
    elif field not in _NOT_THE_INCIDENTS:
        meta.set(field, value, how, line)
    return []


#: Fields a label names that say something about the document, not the incident: when it was written, and by whom.
_NOT_THE_INCIDENTS = frozenset({"written", "authors"})


def _read_length(meta: Metadata, value: str, how: str, line: int, source: str) -> list[Diagnostic]:
    return _read_duration(meta, value, how, line, source) if parse_duration(value) is not None else []


def _without_stamps(value: str, zones: Zones) -> str:
    """`value` with its dates and times cut out, so their numbers are not read as a length."""
    for stamp in reversed(scan(value, zones)):
        value = value[: stamp.start] + " " + value[stamp.end :]
    return value


def _read_window(
    meta: Metadata, span: tuple[Stamp, Stamp], value: str, how: str, line: int, context: Context, source: str
) -> list[Diagnostic]:
    """"Duration: 10:00 to 12:30 UTC, 14 March 2024": the start and the end."""
    start, end = resolve_range(*span, context, value)
    if start.undecided is not None:
        return [undecided_date(value, start.undecided, source, line)]
    if start.at is None or end.at is None:
        meta.pending.append(Pending("window", span, value, how, line))
        return []
    meta.set("started_at", start.at, how, line)
    meta.set("resolved_at", end.at, how, line)
    meta.state_day(start.at.date(), how, line)
    return []


def resolve_pending(meta: Metadata, context: Context, source: str) -> list[Diagnostic]:
    """The stated clock times that waited for the incident's day, read on it (`context.day`)."""
    problems: list[Diagnostic] = []
    dayless: list[str] = []
    for item in meta.pending:
        if item.field == "window":
            first, second = item.stamps  # a window's two ends
            start, end = resolve_range(first, second, context, item.value)
            if start.at is not None and end.at is not None:
                meta.set("started_at", start.at, item.how, item.line)
                meta.set("resolved_at", end.at, item.how, item.line)
            continue
        reading = resolve(item.stamps[0], context)
        if reading.at is not None and meta.set(item.field, reading.at, item.how, item.line):
            dayless.append(item.field)
            problems += _off_season(reading, item.value, source, item.line)
    meta.pending.clear()
    _after_the_start(meta, dayless)
    return problems


#: How far past midnight a stated end written without its day may fall to be read on the day after the start.
_OVERNIGHT = dt.timedelta(hours=12)


def _after_the_start(meta: Metadata, dayless: Sequence[str]) -> None:
    """"Start: 11:50 PM" and "End: 12:40 AM", neither with its day: the end is the next day, as in a range. Only
    an end that lands within a few hours of the start moves; one further back stays, and is reported."""
    start = meta.values.get("started_at")
    if start is None or "started_at" not in dayless:
        return
    for name in ("detected_at", "resolved_at"):
        at = meta.values.get(name)
        if name in dayless and at is not None and at < start and at + dt.timedelta(days=1) - start <= _OVERNIGHT:
            meta.values[name] = at + dt.timedelta(days=1)
