"""Nothing the author wrote is lost: checked on the text itself, whatever the normaliser makes of it.

`differences` compares two readings of a document; a reading that drops
something (a title whose `<OrderService>` was taken for a tag) drops it on
both sides and compares equal. So the migrated text is also compared with
the source as text: every front-matter value as written, and every word of
the body, less the markup migrate rewrites on purpose.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ...core.model import Incident
from ...normalise import parse_blocks
from ...read.files import Document
from .record import TIME_WORDS, words


def unkept(source: Document, incident: Incident, migrated: Document, rewritten: Mapping[str, str]) -> list[str]:
    """What of `source` (read as `incident`) would not survive into `migrated`, in words; empty when nothing.

    `rewritten` maps the front-matter keys migrate rewrites on purpose to their new text.
    """
    return [*_changed_fields(source, migrated, rewritten), *_lost_words(source, incident, migrated)]


def _changed_fields(source: Document, migrated: Document, rewritten: Mapping[str, str]) -> list[str]:
    """Every front-matter value of the source, nested ones too, as text: each must be in the migrated document unchanged."""
    found = []
    for key, value in source.front_matter.items():
        if key not in migrated.front_matter:
            found.append(f"the front-matter field {key!r} would be lost")
            continue
        expected = rewritten.get(str(key), value)
        if as_text(migrated.front_matter[key]) != as_text(expected):
            now = _shown(migrated.front_matter[key])
            found.append(f"the front-matter field {key!r} would change from {_shown(value)} to {now}")
    return found


def as_text(value: Any) -> Any:
    """A front-matter value with every scalar as text, lists and mappings kept as such."""
    if isinstance(value, dict):
        return {str(key): as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    return None if value is None else str(value)


def _shown(value: Any) -> str:
    text = repr(as_text(value))
    return text if len(text) <= 80 else f"{text[:77]}…"


def _lost_words(source: Document, incident: Incident, migrated: Document) -> list[str]:
    """Words of the source's body (any case) missing from the migrated body and the fields it adds, less rewritten markup."""
    added = [value for key, value in migrated.front_matter.items() if key not in source.front_matter]
    before = _counted(words(source.body))
    after = _counted(words(migrated.body)) + _counted(word for value in added for word in _value_words(value))
    lost = before - after - _rewritten_words(source, incident)
    if not lost:
        return []
    shown = ", ".join(sorted(lost)[:6]) + (", …" if len(lost) > 6 else "")
    return [f"words of the text would be lost ({shown})"]


def _counted(found: Iterable[str]) -> Counter[str]:
    return Counter(word.casefold() for word in found)


def _value_words(value: Any) -> list[str]:
    text = as_text(value)
    if isinstance(text, dict):
        return [word for key, item in text.items() for word in [*words(key), *_value_words(item)]]
    if isinstance(text, list):
        return [word for item in text for word in _value_words(item)]
    return words(text or "")


#: What a heading holds that is no word of its text: its tags (`<h3>`, or `<p align="center"><b>` around a bold line
#: read as a heading) and emoji shortcodes (`:fire:`), which go with the rest of a heading that only names its
#: section (docs/migrate.md).
_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>|:[a-z0-9_+-]+:", re.I)
_NUMBERING = re.compile(r"^[\W_]*(\d+|[ivxlc]+)\b(?=[.):\s])", re.I)


def _rewritten_words(source: Document, incident: Incident) -> Counter[str]:
    """Words migrate may drop on purpose: a heading's tags (`<h3>`), emoji and numbering (`1.`); the timeline's written times.

    A time is written again in one form ("10:05 PM" becomes "22:05 UTC+03:00",
    so "PM" and "10" go); a timeline table's column names go with the table.
    """
    lines = source.body.split("\n")
    headings: set[int | None] = {s.line for s in incident.every_section() if s.heading}
    headings |= {o.line for o in incident.origins if o.how == "heading"}  # the title's
    allowed: Counter[str] = Counter()
    for number in headings:
        if number is not None and 0 <= number - source.body_line < len(lines):
            line = lines[number - source.body_line]
            allowed += _counted(word for tag in _TAG.findall(line) for word in words(tag))
            numbering = _NUMBERING.match(_TAG.sub(" ", line).lstrip("#*_ \t"))
            allowed += _counted([numbering.group(1)] if numbering else [])
    for section in incident.every_section():
        if section.key == "timeline":
            allowed += _counted(w for w in words(section.text) if w.isdigit() or w.casefold() in TIME_WORDS)
            allowed += _counted(w for block in parse_blocks(section.text) if block.kind == "table" and block.rows
                                for cell in block.rows[0].cells for w in words(cell))
    return allowed
