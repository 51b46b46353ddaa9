"""prints.py: a list page's print changes exactly when something its template context holds changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from factories import incident
from markupsafe import Markup

from hindsite.collect.archive import Archive, Group, collect
from hindsite.collect.stats import FollowUp
from hindsite.core.model import WITHHELD, ActionItem, Incident, Origin
from hindsite.incremental.changed import elsewhere_print
from hindsite.incremental.prints import LONGEST, ContextPrinter

A, B, C = incident("a", title="Disk full"), incident("b", title="Expired certificate"), incident("c", title="DNS")
PRINTS = {"a": "print-a", "b": "print-b", "c": "print-c"}
ITEM = ActionItem("Add an alert", "dana", "open", None, 12)


def printed(context: Mapping[str, object], prints: Mapping[str, str] = PRINTS) -> str | None:
    return ContextPrinter(prints).page("list.html", context)


def archive_of(*incidents: Incident) -> Archive:
    return collect(incidents)


# (what, context before, context after): each pair must print differently.
CHANGES: list[tuple[str, Mapping[str, object], Mapping[str, object]]] = [
    ("a number", {"total": 3}, {"total": 4}),
    ("a number becomes its text", {"total": 3}, {"total": "3"}),
    ("a name of the context", {"total": 3}, {"count": 3}),
    ("an incident in a list", {"incidents": (A, B)}, {"incidents": (A, C)}),
    ("the order of a list", {"incidents": (A, B)}, {"incidents": (B, A)}),
    ("an incident inside a value", {"f": FollowUp(ITEM, A)}, {"f": FollowUp(ITEM, B)}),
    ("a field of a value", {"f": FollowUp(ITEM, A)}, {"f": FollowUp(ActionItem("Add an alert", "dana", "done", None, 12), A)}),
    ("a mapping's value", {"m": {"x": (A,)}}, {"m": {"x": (B,)}}),
    ("a set", {"s": frozenset({"x", "y"})}, {"s": frozenset({"x"})}),
    ("a date", {"d": dt.date(2024, 3, 5)}, {"d": dt.date(2024, 3, 6)}),
    ("markup", {"axis": Markup("<svg>1</svg>")}, {"axis": Markup("<svg>2</svg>")}),
    ("a group's incidents", {"group": Group("t1", "t1", (A,))}, {"group": Group("t1", "t1", (A, B))}),
    ("a long list", {"rows": tuple(range(LONGEST))}, {"rows": (*range(LONGEST - 1), -1)}),
    ("the archive's size", {"archive": archive_of(A, B)}, {"archive": archive_of(A, B, C)}),
    ("a grouping's sizes", {"archive": archive_of(A, incident("b", tags=("x",)))},
     {"archive": archive_of(A, incident("b", tags=("y",)))}),
]


@pytest.mark.parametrize(("what", "before", "after"), CHANGES, ids=[what for what, _, _ in CHANGES])
def test_a_change_in_the_context_changes_the_print(what: str, before: Mapping[str, object], after: Mapping[str, object]) -> None:
    assert printed(before) is not None
    assert printed(before) == printed(dict(before))  # the same values, in other objects, print the same
    assert printed(before) != printed(after)


def test_an_incident_stands_for_its_print_so_what_no_list_shows_of_it_does_not_count() -> None:
    longer = incident("a", title="Disk full", sections=(), summary="", responders=("eng1",))
    assert printed({"incidents": (A, B)}) == printed({"incidents": (longer, B)})
    assert printed({"incidents": (A, B)}) != printed({"incidents": (A, B)}, {**PRINTS, "a": "print-a, again"})


def test_the_archive_stands_for_its_size_and_groupings_not_for_its_incidents() -> None:
    retitled = incident("a", title="Disk filled up")
    assert printed({"archive": archive_of(A, B)}) == printed({"archive": archive_of(retitled, B)},
                                                            {**PRINTS, "a": "print of the new title"})


def test_the_template_counts() -> None:
    assert ContextPrinter(PRINTS).page("search.html", {}) != ContextPrinter(PRINTS).page("404.html", {})


def test_a_set_prints_the_same_whatever_its_order() -> None:
    assert printed({"s": {"x", "y", "z"}}) == printed({"s": {"z", "y", "x"}})


@pytest.mark.parametrize("value", [object(), lambda: 1, incident("unknown")], ids=["object", "function", "unknown incident"])
def test_a_value_the_printer_does_not_know_leaves_the_page_without_a_print(value: object) -> None:
    assert printed({"total": 3, "odd": value}) is None
    assert printed({"total": 3, "odd": (1, [value])}) is None


def test_a_time_withheld_instead_of_not_given_changes_what_the_lists_show_of_an_incident() -> None:
    """The stats, a service's figures and a report count incidents left out as implausible apart from those with no
    times: an edit that only withholds a time must not be patched as one no list shows."""
    withheld = incident("a", origins=(Origin("resolved_at", "timeline", 12, WITHHELD),))
    assert elsewhere_print(incident("a")) != elsewhere_print(withheld)
    assert elsewhere_print(withheld) == elsewhere_print(incident("a", origins=(Origin("resolved_at", "line", 14, WITHHELD),)))
