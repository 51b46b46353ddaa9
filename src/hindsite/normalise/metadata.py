"""Front-matter → the incident's metadata fields, each with where it came from.

Values arrive as the author wrote them (the reader keeps YAML scalars as
text); this module decides what each one means and reports what it cannot use.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import diagnostics as diag
from ..config import SiteConfig
from ..diagnostics import Diagnostic
from ..model import Origin
from ..read import Document
from .blocks import Block
from .times import (
    ZONES,
    is_ambiguous,
    parse_date,
    parse_duration,
    parse_instant,
    parse_range,
    read_instant,
    unknown_zone,
)

#: Front-matter keys the model reads, and the spellings other tools use for them.
FIELD_NAMES: Mapping[str, str] = {
    **{name: name for name in (
        "title", "date", "severity", "services", "tags", "responders", "status",
        "started_at", "detected_at", "resolved_at", "summary",
    )},
    "service": "services",
    "affected_services": "services",
    "product": "services",
    "tag": "tags",
    "keywords": "tags",
    "categories": "tags",
    "responder": "responders",
    "owners": "responders",
    "start_time": "started_at",
    "start": "started_at",
    "started": "started_at",
    "detected": "detected_at",
    "detected_time": "detected_at",
    "end_time": "resolved_at",
    "end": "resolved_at",
    "resolved": "resolved_at",
    "description": "summary",
    "duration": "duration_minutes",
    "duration_minutes": "duration_minutes",
}

_LISTS = ("services", "tags", "responders")
_TIMES = ("started_at", "detected_at", "resolved_at")
_YES_NO = frozenset({"true", "false", "yes", "no"})


@dataclass(slots=True)
class Metadata:
    """What the front-matter says, field by field; mutable only while it is being read."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    extra: list[tuple[str, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def set(self, name: str, value: Any, how: str, line: int | None) -> None:
        """Record a value unless a more trusted source already gave one."""
        if name in self.values or value in (None, "", ()):
            return
        self.values[name] = value
        self.origins[name] = Origin(name, how, line)


def read_front_matter(document: Document, config: SiteConfig, zones: Mapping[str, int] = ZONES) -> Metadata:
    meta = Metadata()
    for raw_key, raw_value in document.front_matter.items():
        key = str(raw_key)
        line = document.key_lines.get(key, document.front_matter_line)
        name = FIELD_NAMES.get(re.sub(r"[\s-]+", "_", key.strip().casefold()))
        if name is None:
            meta.extra.append((key, plain(raw_value)))
            meta.diagnostics.append(_unknown_field(key, document.source, line))
            continue
        if name in _TIMES and plain(raw_value).strip().casefold() in _YES_NO:
            meta.extra.append((key, plain(raw_value)))  # a status page's `resolved: true` says whether, not when
            continue
        value, problem = _interpret(name, raw_value, config, zones)
        if problem:
            meta.diagnostics.append(diag.warning(problem[0], problem[1], document.source, line))
            meta.extra.append((key, plain(raw_value)))
        elif name in meta.values:
            meta.extra.append((key, plain(raw_value)))
        else:
            meta.set(name, value, "front-matter", line)
            if name in ("date", *_TIMES) and is_ambiguous(plain(raw_value)):
                day = value if name == "date" else value.date()
                meta.diagnostics.append(_ambiguous(plain(raw_value).strip(), day, document.source, line))
    return meta


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


def _interpret(name: str, value: Any, config: SiteConfig, zones: Mapping[str, int]) -> tuple[Any, tuple[str, str] | None]:
    """(value, None) when usable, else (None, (code, message))."""
    if name in _LISTS:
        return as_list(value), None
    text = plain(value).strip()
    if name == "date":
        date = parse_date(text, day_first=config.day_first)
        if date is None:
            return None, ("bad-time", f"date {text!r} is not a date; write it as YYYY-MM-DD")
        return date, None
    if name in _TIMES:
        unknown = unknown_zone(text, zones)
        if unknown:
            return None, ("bad-time", f"{name} {text!r} names the time zone {unknown!r}, which hindsite does not know; "
                          "write an offset such as +03:00 instead")
        instant = parse_instant(text, config.tzinfo, day_first=config.day_first, zones=zones)
        if instant is None:
            return None, ("bad-time", f"{name} {text!r} is not a date and time; write it as YYYY-MM-DDTHH:MM+00:00")
        return instant, None
    if name == "duration_minutes":
        minutes = parse_duration(text) if not text.isdigit() else int(text)
        if minutes is None:
            return None, ("bad-time", f"duration {text!r} is not a length of time; write e.g. '1h 30m' or '90 minutes'")
        return minutes, None
    if name == "severity":
        level = config.severity.canonical(text)
        if level is None:
            known = ", ".join(config.severity.levels)
            return None, ("unknown-severity", f"severity {text!r} is not on the site's scale ({known}); use one of those or add it as an alias in [severity]")
        return level, None
    return text, None


def file_name_date(stem: str) -> dt.date | None:
    """The `YYYY-MM-DD` a file name starts with, if any."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})(?!\d)", stem)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
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
                     "fault occurred", "start date", "start datetime"), "started_at"),
    **dict.fromkeys(("end", "end time", "ended", "resolved", "resolved at", "resolution time", "time resolved",
                     "incident end", "outage end", "end of incident", "end of outage", "incident resolved",
                     "service restored", "restored", "recovered", "incident end time", "end date",
                     "end datetime"), "resolved_at"),
    **dict.fromkeys(("detected", "detected at", "detection time", "time detected", "issue detected",
                     "incident detected", "detected on", "first detected", "alerted", "incident declared",
                     "time of detection"), "detected_at"),
    **dict.fromkeys(("date", "incident date", "date of incident", "date of the incident", "occurred",
                     "occurred on", "when", "date of outage", "outage date", "day"), "date"),
    **dict.fromkeys(("affected services", "services affected", "affected service", "service affected", "services",
                     "service", "affected systems", "systems affected", "affected components", "components",
                     "affected products", "products", "product", "systems", "impacted services",
                     "services impacted"), "services"),
    **dict.fromkeys(("responders", "people involved", "participants", "incident responders", "team",
                     "teams involved", "involved", "incident commander", "on call", "on-call", "owner",
                     "owners", "incident owner", "authors", "author"), "responders"),
    **dict.fromkeys(("status", "incident status", "state", "current status"), "status"),
    **dict.fromkeys(("incident", "title", "incident title", "incident name", "name", "subject"), "title"),
    **dict.fromkeys(("time to detect", "time to detection", "ttd", "mttd", "time to detect ttd",
                     "detection delay"), "time_to_detect"),
    **dict.fromkeys(("time to resolve", "time to resolution", "time to recovery", "time to repair", "ttr",
                     "mttr", "time to restore", "time to recover", "time to mitigate", "total duration"),
                    "time_to_resolve"),
    **dict.fromkeys(("tags", "keywords", "labels", "categories", "category"), "tags"),
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
    words = " ".join(re.sub(r"[^\w\s/-]", " ", re.sub(r"\([^)]*\)", " ", label)).casefold().split())
    words = words.replace("-", " ").replace("/", " ")
    return BODY_LABELS.get(" ".join(words.split()))


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


_LABELLED_LINE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?(?P<label>[^\W\d_][^:*_\n|]{0,40}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>.*)$"
)


def stated_in_blocks(blocks: Iterable[Block]) -> list[Stated]:
    """Every `label: value` the body states, from tables, lines and bullets, in document order."""
    found: list[Stated] = []
    for block in blocks:
        if block.kind == "table":
            found += _table_pairs(block)
        elif block.kind == "paragraph":
            found += _line_pairs(block.source.split("\n"), block.start, "line")
        elif block.kind == "list":
            for item in block.items:
                found += _line_pairs(item.text.split("\n"), item.line, "bullet")
    return found


def _table_pairs(block: Block) -> list[Stated]:
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
    """Labelled lines; a label with nothing after it takes the unlabelled lines below it."""
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
            found.append(Stated(match.group("label").strip(), field, _clean_value(value), first_line + index, how))
        index = max(end, index + 1)
    return found


def _is_labelled(line: str) -> bool:
    match = _LABELLED_LINE.match(line)
    return bool(match and body_label(match.group("label")))


def _clean_value(value: str) -> str:
    return re.sub(r"[*_`]{1,2}", "", value).strip().rstrip(".").strip()


def apply_stated(
    meta: Metadata, stated: Sequence[Stated], zone: dt.tzinfo, config: SiteConfig, source: str, zones: Mapping[str, int] = ZONES
) -> list[Diagnostic]:
    """Record what the body states, tables before lines; front-matter values always win.

    Dates go first so that a clock time stated elsewhere can take its day.
    """
    problems: list[Diagnostic] = []
    ordered = sorted(stated, key=lambda s: (s.how != "table", s.field not in ("date", "duration")))
    for item in ordered:
        if is_placeholder_value(item.value):
            continue
        problems += _apply_one(meta, item, zone, config, source, zones)
    ttr_origin = meta.origins.get("time_to_resolve")
    if ttr_origin is not None:
        meta.set("duration_minutes", meta.values["time_to_resolve"], ttr_origin.how, ttr_origin.line)
    apply_lengths(meta)
    return problems


def apply_lengths(meta: Metadata, *, last: bool = False) -> None:
    """A stated time to detect or to resolve ("Time to repair: 0h 16m") counts from the start.

    Without a start it waits for the one the timeline gives (`last`, after
    the timeline's own detection and resolution): then it only fills what
    the timeline leaves empty. Either way it is used once and not kept.
    """
    started = meta.values.get("started_at")
    if started is None and not last:
        return
    for length, name in (("time_to_detect", "detected_at"), ("time_to_resolve", "resolved_at")):
        minutes, origin = meta.values.pop(length, None), meta.origins.pop(length, None)
        if minutes is not None and origin is not None and started is not None:
            meta.set(name, started + dt.timedelta(minutes=minutes), origin.how, origin.line)


def _apply_one(
    meta: Metadata, item: Stated, zone: dt.tzinfo, config: SiteConfig, source: str, zones: Mapping[str, int]
) -> list[Diagnostic]:
    field, value, how, line = item.field, item.value, item.how, item.line
    day = meta.values.get("date")
    options = {"zones": zones, "day_first": config.day_first}
    if field == "severity":
        level = config.severity.canonical(value)
        if level is None:
            if "severity" in meta.values:
                return []
            known = ", ".join(config.severity.levels)
            return [diag.warning("unknown-severity", f"severity {value!r} is not on the site's scale ({known}); "
                                 "use one of those or add it as an alias in [severity]", source, line)]
        meta.set("severity", level, how, line)
    elif field == "duration":
        span = parse_range(value, zone, default_date=day, **options)  # type: ignore[arg-type]
        if span is not None:
            meta.set("started_at", span[0], how, line)
            meta.set("resolved_at", span[1], how, line)
            meta.set("date", span[0].date(), how, line)
        else:
            meta.set("duration_minutes", parse_duration(value), how, line)
    elif field in ("started_at", "detected_at", "resolved_at"):
        span = parse_range(value, zone, default_date=day, **options)  # type: ignore[arg-type]
        reading = read_instant(value, zone, default_date=day, **options) if span is None else None  # type: ignore[arg-type]
        at = span[0] if span else reading.at if reading else None
        if at is not None and (span or reading.has_date or day is not None):  # type: ignore[union-attr]
            meta.set(field, at, how, line)
            if reading is not None and reading.ambiguous:
                return [_ambiguous(value, at.date(), source, line)]
    elif field == "date":
        found = parse_date(value, day_first=config.day_first)
        meta.set("date", found, how, line)
        if found is not None and is_ambiguous(value):
            return [_ambiguous(value, found, source, line)]
    elif field in _LISTS:
        meta.set(field, names_in(value), how, line)
    elif field in ("time_to_detect", "time_to_resolve"):
        meta.set(field, parse_duration(value), how, line)
    elif field == "title":
        meta.set("name", value, how, line)
    else:
        meta.set(field, value, how, line)
    return []


def _ambiguous(value: str, read_as: dt.date, source: str, line: int) -> Diagnostic:
    return diag.warning("ambiguous-date", f"{value!r} could be day-first or month-first; read as {read_as:%d %B %Y} "
                        "(set day_first in site.toml, or write YYYY-MM-DD)", source, line)
