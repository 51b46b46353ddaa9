"""What "the same record" means: two readings of one document compared."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence

from ...core.model import ActionItem, Incident, Section, TimelineEvent
from ...normalise import DATE_AND_ZONE_WORDS, parse_blocks

#: Sections whose layout migrate rewrites; every other section keeps its text as written.
REWRITTEN = ("timeline", "action_items")


# --- the same record ---------------------------------------------------------

_FIELDS = ("title", "date", "severity", "services", "tags", "responders", "status", "duration_minutes",
           "unindexed_services", "unindexed_tags")
_INSTANTS = ("started_at", "detected_at", "resolved_at")
#: Words a written time may hold, which migrate writes again in its own form: "10:00 PM (EAT) on Jan 5th".
TIME_WORDS = frozenset({"am", "pm", "a", "p", "m", "st", "nd", "rd", "th", "t", "z", "at", "on", "utc", "gmt"}) | DATE_AND_ZONE_WORDS


def differences(before: Incident, after: Incident) -> list[str]:
    """What differs between two records of one document, in words; empty when they are the same record.

    The same record (docs/migrate.md): the same title, date, severity,
    services, tags, responders, status, start, detection and resolution
    instants (with their offsets), duration, summary and front-matter fields
    kept as written; the same number of sections of each key, at every depth,
    with the same words in the same order (timeline and action-item sections:
    every word kept, less the written times and a timeline table's column
    names, which are written again); each section under sections of the same
    keys as before (no sub-section lifted out of its section); the same
    timeline events (instant, clock time, text) and action items (text,
    owner, status, ticket, due date, group), in order. Lines, origins, section order, headings and
    diagnostics may differ.
    """
    found = _section_differences(before.every_section(), after.every_section())
    found += _nesting_differences(before.sections, after.sections)
    found += [f"{name} {getattr(before, name)!r} would become {getattr(after, name)!r}"
              for name in _FIELDS if getattr(before, name) != getattr(after, name)]
    found += [f"{name} {iso(getattr(before, name))} would become {iso(getattr(after, name))}"
              for name in _INSTANTS if not _same_instant(getattr(before, name), getattr(after, name))]
    if spaced(before.summary) != spaced(after.summary):
        found.append("the summary would change")
    if dict(before.extra) != dict(after.extra):
        found.append("the front-matter fields kept as written would change")
    found += _event_differences(before.timeline, after.timeline)
    found += _item_differences(before.action_items, after.action_items)
    return found


def _section_differences(before: Sequence[Section], after: Sequence[Section]) -> list[str]:
    keys_before, keys_after = Counter(s.key for s in before), Counter(s.key for s in after)
    if keys_before != keys_after:
        more = [f"{n} more {key.replace('_', ' ')}" for key, n in (keys_after - keys_before).items()]
        fewer = [f"{n} fewer {key.replace('_', ' ')}" for key, n in (keys_before - keys_after).items()]
        return [f"it would have {' and '.join(more + fewer)} section{'s' if len(more + fewer) > 1 else ''}"]
    found = []
    for key in keys_before:
        olds, news = [s for s in before if s.key == key], [s for s in after if s.key == key]
        if key in REWRITTEN:
            for old, new in zip(olds, news, strict=True):
                lost = _lost_words(old.text, new.text)
                if lost:
                    found.append(f"the {key} section {old.heading!r} would lose {', '.join(sorted(lost)[:5])}")
            continue
        # Sections of one key may come in another order once their parents are in canonical order.
        remaining = Counter(tuple(words(new.text)) for new in news)
        for old in olds:
            said = tuple(words(old.text))
            if remaining[said] > 0:
                remaining[said] -= 1
            else:
                found.append(f"the words of the {key} section {old.heading!r} would change")
    return found


def _nesting_differences(before: Sequence[Section], after: Sequence[Section]) -> list[str]:
    """Each section under a section of the same key as before, at the same depth: no sub-section is lifted out."""
    def shape(sections: Sequence[Section]) -> Counter[tuple[str, ...]]:
        paths: Counter[tuple[str, ...]] = Counter()

        def visit(section: Section, above: tuple[str, ...]) -> None:
            path = (*above, section.key)
            paths[path] += 1
            for child in section.children:
                visit(child, path)

        for section in sections:
            visit(section, ())
        return paths

    moved = shape(before) - shape(after)
    return [f"the {' › '.join(path).replace('_', ' ')} section would be nested differently" for path in sorted(moved)][:1]


def _lost_words(old: str, new: str) -> set[str]:
    """Words of a rewritten section that are gone, less written times and a timeline table's column names."""
    missing = Counter(w.casefold() for w in words(old)) - Counter(w.casefold() for w in words(new))
    headers = {w.casefold() for block in parse_blocks(old) if block.kind == "table" and block.rows
               for cell in block.rows[0].cells for w in words(cell)}
    return {w for w in missing if not w.isdigit() and w not in TIME_WORDS and w not in headers}


def _event_differences(before: Sequence[TimelineEvent], after: Sequence[TimelineEvent]) -> list[str]:
    if len(before) != len(after):
        return [f"the timeline's {len(before)} events would become {len(after)}"]
    return [
        f"the timeline event of line {old.line} would change"
        for old, new in zip(before, after, strict=True)
        if not _same_instant(old.at, new.at) or _clock_key(old.time) != _clock_key(new.time)
        or spaced(old.text) != spaced(new.text)
    ]


def _item_differences(before: Sequence[ActionItem], after: Sequence[ActionItem]) -> list[str]:
    if len(before) != len(after):
        return [f"the {len(before)} action items would become {len(after)}"]
    return [
        f"the action item of line {old.line} would change"
        for old, new in zip(before, after, strict=True)
        if (spaced(old.text), old.owner, old.status, old.link, old.due, old.group)
        != (spaced(new.text), new.owner, new.status, new.link, new.due, new.group)
    ]


def words(text: str) -> list[str]:
    """Runs of letters and runs of digits: what a reader reads, whatever the markup and spacing around them."""
    return re.findall(r"[^\W\d_]+|\d+", text)


def spaced(text: str) -> str:
    return " ".join(text.split())


def _same_instant(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b and a.utcoffset() == b.utcoffset()


def _clock_key(time: dt.time | None) -> tuple[dt.time, dt.timedelta | None] | None:
    return None if time is None else (time.replace(tzinfo=None), time.utcoffset())




def iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value.isoformat()
