"""A digest of what a page that lists the archive shows, made from its template context before it is rendered.

A list page (a page of the index, a tag, a service, a report, the follow-ups,
the stats) is rendered from a context of the collect stage's values: pagers,
groups, counts, summaries, and incidents. Its print walks that context:

- an incident stands for what pages other than its own show of it (its
  `elsewhere` print, changed.py), whatever holds it;
- the archive, handed whole to the index and the follow-ups pages, stands for
  what the built-in templates read of it (the index, and the follow-ups
  pages none): how many incidents it holds, and each grouping's names and
  sizes;
- any other value stands for all it holds: a dataclass its fields, a
  mapping its items, a sequence its items in order, a set its items sorted,
  and text, numbers, dates and the like their `repr`.

A value of another kind cannot be printed: the page then has no print and is
rendered by every build. Values the pages of one build share (a tag's group,
the stats) are printed once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence, Set
from typing import Any

from ..collect.archive import Archive
from ..core.model import Incident
from .cache import digest

#: Values printed as their `repr`, by their exact type: looked up before any `isinstance`, which is slow for the
#: abstract types below and most values are of these.
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, dt.timedelta})
#: A value printed longer than this is kept as its digest: a page's print stays small, and most values (a pager, a
#: count, an action item) are printed without hashing.
LONGEST = 512


class Unprintable(Exception):
    """A context holds a value of a kind the printer does not know."""


class ContextPrinter:
    """Prints the contexts of one build's pages; `incidents` gives each incident's print, by the incident's id."""

    def __init__(self, incidents: Mapping[str, str]) -> None:
        self.incidents = incidents
        self._known: dict[int, tuple[object, str]] = {}  # id(value) → (value, print): the value is kept alive
        self._fields: dict[type, tuple[str, ...]] = {}

    def page(self, template: str, context: Mapping[str, object]) -> str | None:
        """The print of a page rendered from `template` with `context`; None when a value in it cannot be printed."""
        try:
            return digest(template, *(f"{name}\0{self.value(value)}" for name, value in sorted(context.items())))
        except Unprintable:
            return None

    def value(self, value: object) -> str:
        """The print of one value: short values as they are, longer ones as a digest (`LONGEST`)."""
        if type(value) in _PLAIN:
            return repr(value)
        known = self._known.get(id(value))
        if known is not None:
            return known[1]
        printed = self._printed(value)
        if len(printed) > LONGEST:
            printed = "#" + digest(printed)
        self._known[id(value)] = (value, printed)
        return printed

    def _printed(self, value: Any) -> str:
        kind = type(value)
        if kind is Incident:
            known = self.incidents.get(value.id)
            if known is None:
                raise Unprintable(f"an incident not in the archive: {value.id}")
            return known
        if kind is tuple or kind is list:
            return "[" + ",".join(self._each(value)) + "]"
        names = self._fields.get(kind)
        if names is not None:
            return f"{kind.__name__}(" + ",".join(self._each([getattr(value, name) for name in names])) + ")"
        if kind is Archive:
            return self._outline(value)
        if isinstance(value, (str, int, float, enum.Enum)):  # Markup, an enumeration
            return f"{kind.__name__}:{value!r}"
        if isinstance(value, Mapping):
            return "{" + ",".join([f"{self.value(k)}:{self.value(v)}" for k, v in value.items()]) + "}"
        if isinstance(value, Set):
            return "{" + ",".join(sorted(self.value(item) for item in value)) + "}"
        if isinstance(value, Sequence):
            return "[" + ",".join([self.value(item) for item in value]) + "]"
        if dataclasses.is_dataclass(kind):
            self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
            return self._printed(value)
        raise Unprintable(kind.__name__)

    def _each(self, values: Sequence[object]) -> list[str]:
        """`value` of each of `values`; plain ones printed here, which saves a call for most."""
        return [repr(item) if type(item) in _PLAIN else self.value(item) for item in values]

    def _outline(self, archive: Archive) -> str:
        groupings = (archive.by_service, archive.by_tag, archive.by_severity, archive.by_year)
        return digest("archive", str(len(archive.incidents)),
                      *(repr([(slug, g.name, len(g.incidents)) for slug, g in groups.items()]) for groups in groupings))
