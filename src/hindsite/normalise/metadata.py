"""Front-matter → the incident's metadata fields, each with where it came from.

Values arrive as the author wrote them (the reader keeps YAML scalars as
text); this module decides what each one means and reports what it cannot use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import diagnostics as diag
from ..config import SiteConfig
from ..diagnostics import Diagnostic
from ..model import Origin
from ..read import Document
from .times import parse_date, parse_instant

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
}

_LISTS = ("services", "tags", "responders")
_TIMES = ("started_at", "detected_at", "resolved_at")


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


def read_front_matter(document: Document, config: SiteConfig) -> Metadata:
    meta = Metadata()
    for raw_key, raw_value in document.front_matter.items():
        key = str(raw_key)
        line = document.key_lines.get(key, document.front_matter_line)
        name = FIELD_NAMES.get(re.sub(r"[\s-]+", "_", key.strip().casefold()))
        if name is None:
            meta.extra.append((key, plain(raw_value)))
            continue
        value, problem = _interpret(name, raw_value, config)
        if problem:
            meta.diagnostics.append(diag.warning(problem[0], problem[1], document.source, line))
            meta.extra.append((key, plain(raw_value)))
        elif name in meta.values:
            meta.extra.append((key, plain(raw_value)))
        else:
            meta.set(name, value, "front-matter", line)
    return meta


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


def _interpret(name: str, value: Any, config: SiteConfig) -> tuple[Any, tuple[str, str] | None]:
    """(value, None) when usable, else (None, (code, message))."""
    if name in _LISTS:
        return as_list(value), None
    text = plain(value).strip()
    if name == "date":
        date = parse_date(text)
        if date is None:
            return None, ("bad-time", f"date {text!r} is not a date; write it as YYYY-MM-DD")
        return date, None
    if name in _TIMES:
        instant = parse_instant(text, config.tzinfo)
        if instant is None:
            return None, ("bad-time", f"{name} {text!r} is not a date and time; write it as YYYY-MM-DDTHH:MM+00:00")
        return instant, None
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
