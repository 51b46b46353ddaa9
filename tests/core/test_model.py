"""The model pickles exactly: the build cache keeps every incident pickled, and reads it back as the build made it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest

from hindsite.core import model
from hindsite.core.diagnostics import Diagnostic, Level
from hindsite.core.model import DERIVED, WITHHELD, ActionItem, Incident, Origin, Section, TimelineEvent

REPO = Path(__file__).resolve().parents[2]
ZONE = dt.timezone(dt.timedelta(hours=-7), "PDT")

SUB_SECTION = Section("timeline", "What happened", 12, "- 09:10 paged", "<ul><li>09:10 paged</li></ul>", False, 13,
                      (), "", ("Say when it began",))
SECTION = Section("other", "Incident details", 10, "Intro.", "<p>Intro.</p>", True, 11, (SUB_SECTION,),
                  "Intro.\n\n## What happened\n- 09:10 paged", ("Fill in",))
EVENT = TimelineEvent(dt.datetime(2024, 3, 5, 9, 10, tzinfo=ZONE), "paged", 14, dt.time(9, 10, tzinfo=ZONE),
                      dt.date(2024, 3, 5))
ITEM = ActionItem("Rotate the keys", "Ana", "open", "OPS-12", 30, "2024-05-01", "Short term")
DIAGNOSTIC = Diagnostic("time-order", Level.WARNING, "the end is before the start", "2024/a.md", 7)
ORIGIN = Origin("resolved_at", "timeline", 14, WITHHELD, ("zone: line 3", "before the start"))
INCIDENT = Incident(
    id="2024-03-05-queue", source="content/2024/a.md", content_path="2024/a.md", title="Queue stalled",
    date=dt.date(2024, 3, 5), severity="sev2", services=("queue", "api"), tags=("kafka",), responders=("Ana",),
    status="resolved", started_at=dt.datetime(2024, 3, 5, 9, 0, tzinfo=dt.timezone.utc),
    detected_at=dt.datetime(2024, 3, 5, 9, 5, tzinfo=ZONE), resolved_at=dt.datetime(2024, 3, 5, 10, 0, tzinfo=ZONE),
    duration_minutes=60, summary="The queue stalled.", sections=(SECTION,), timeline=(EVENT,), action_items=(ITEM,),
    diagnostics=(DIAGNOSTIC, dataclasses.replace(DIAGNOSTIC, level=Level.INFO, path="", line=None)),
    origins=(ORIGIN, Origin("date", "file-name", None, DERIVED)), extra=(("team", "data"),),
    title_as_written="Incident: Queue stalled", unindexed_services=("search",), unindexed_tags=("misc",),
)
#: One of each pickled class, every field away from its default, so a field left out of the pickle would show.
EVERY_KIND = [SUB_SECTION, SECTION, EVENT, ITEM, DIAGNOSTIC, ORIGIN, INCIDENT]


def assert_same(back: Any, made: Any, where: str = "") -> None:
    """Equal, and of the very same types all the way down: a list for a tuple, or a naive time, would be equal enough
    to pass `==` in places and still not be what the build made."""
    assert type(back) is type(made), where
    assert back == made, where
    if dataclasses.is_dataclass(made):
        for field in dataclasses.fields(made):
            assert_same(getattr(back, field.name), getattr(made, field.name), f"{where}.{field.name}")
    elif isinstance(made, tuple):
        for n, (a, b) in enumerate(zip(back, made, strict=True)):
            assert_same(a, b, f"{where}[{n}]")
    elif isinstance(made, (dt.datetime, dt.time)):
        assert back.tzinfo == made.tzinfo and back.utcoffset() == made.utcoffset(), where


@pytest.mark.parametrize("value", EVERY_KIND, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_every_model_object_survives_a_pickle_round_trip_exactly(value: Any, protocol: int) -> None:
    assert_same(pickle.loads(pickle.dumps(value, protocol=protocol)), value, type(value).__name__)


def model_classes() -> list[type]:
    return [value for value in vars(model).values()
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__]


def test_every_example_covers_a_model_class() -> None:
    assert {type(value) for value in EVERY_KIND} >= {*model_classes(), Diagnostic}


@pytest.mark.parametrize("value", EVERY_KIND, ids=lambda v: type(v).__name__)
def test_a_model_object_pickles_as_its_class_and_its_field_values_in_order(value: Any) -> None:
    # Not dataclasses' state functions, which look every field up again for each object saved and loaded.
    values = tuple(getattr(value, field.name) for field in dataclasses.fields(value))
    assert value.__reduce__() == (type(value), values)
    assert value.__reduce_ex__(pickle.HIGHEST_PROTOCOL) == (type(value), values)


def test_the_example_archive_survives_a_pickle_round_trip_exactly() -> None:
    from hindsite.build import load
    from hindsite.core.config import load_config

    incidents = load(load_config(REPO / "site.toml")).archive.incidents
    assert incidents
    back = pickle.loads(pickle.dumps(incidents, protocol=pickle.HIGHEST_PROTOCOL))
    for made, read in zip(incidents, back, strict=True):
        assert_same(read, made, made.id)
