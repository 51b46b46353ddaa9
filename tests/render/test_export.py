"""export.py: the JSON projection, whole or one record at a time."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from factories import DERIVED_TIMES, END_BEFORE_START, MONTH_LONG, incident, normalised

from hindsite.core.model import ActionItem, Section, TimelineEvent
from hindsite.render.export import compact_pieces, dumps, patched_pieces


def test_the_export_in_pieces_is_the_same_text_as_whole() -> None:
    zone = dt.timezone(dt.timedelta(hours=3))
    incidents = [
        incident("a", title="Ünïcode \"quoted\" </script>", date=dt.date(2024, 5, 1), tags=("db",),
                 started_at=dt.datetime(2024, 5, 1, 9, tzinfo=zone),
                 sections=(Section("summary", "Summary", 3, "Text\n", "<p>Text</p>\n"),),
                 timeline=(TimelineEvent(None, "paged", 7, dt.time(9, 5)),),
                 action_items=(ActionItem("fix it", "ana", "open", None, 9),)),
        incident("b"),
    ]
    for chosen in (incidents, incidents[:1], []):
        pieces = list(compact_pieces(chosen))
        assert "".join(pieces) == dumps(chosen)
        assert len(pieces) == len(chosen) + 2  # never more than one record in a piece


def joined(pieces: Iterable[str | bytes]) -> bytes:
    return b"".join(piece if isinstance(piece, bytes) else piece.encode("utf-8") for piece in pieces)


def test_the_export_patched_from_the_last_one_is_the_export_made_afresh(tmp_path: Path) -> None:
    then = [incident(name, title=f"Outage {name}", summary="ä" * n) for n, name in enumerate("abcde")]
    old = tmp_path / "incidents.json"
    old.write_text("".join(compact_pieces(then)), encoding="utf-8")
    for changed in ({0: "first"}, {4: "last"}, {1: "a \"quote\"", 3: "é"}, {}):
        now = [incident(i.id, title=changed.get(n, i.title), summary=i.summary) for n, i in enumerate(then)]
        earlier = {n: then[n] for n in changed}
        assert joined(patched_pieces(old, now, earlier)) == dumps(now).encode("utf-8"), changed


def test_an_export_that_does_not_hold_the_earlier_records_is_made_afresh(tmp_path: Path) -> None:
    then, now = [incident("a"), incident("b")], [incident("a", title="New"), incident("b")]
    old = tmp_path / "incidents.json"
    old.write_text(dumps([incident("a", title="Edited by hand"), incident("b")]), encoding="utf-8")
    assert joined(patched_pieces(old, now, {0: then[0]})) == dumps(now).encode("utf-8")
    assert joined(patched_pieces(tmp_path / "gone.json", now, {0: then[0]})) == dumps(now).encode("utf-8")


def record_of(text: str, name: str) -> dict[str, Any]:
    export = json.loads(dumps([normalised(text, name)]))
    assert export["schema_version"] == 4
    return export["incidents"][0]


def test_origins_say_whether_a_time_was_stated_or_derived_and_from_what() -> None:
    origins = record_of(DERIVED_TIMES, "2024-03-07-checkout.md")["origins"]
    assert origins["date"] == {"from": "front-matter", "line": 3, "kind": "stated", "evidence": [], "reason": None}
    assert origins["started_at"] == {"from": "timeline", "line": 17, "kind": "derived",
                                     "evidence": ["zone PST (line 14)", "day 2024-03-07 (line 17)"], "reason": None}
    assert origins["duration_minutes"]["evidence"] == ["from the start on line 17 to the end on line 19"]


def test_a_withheld_time_is_null_and_its_origin_says_why() -> None:
    record = record_of(MONTH_LONG, "2024-03-05-billing.md")
    assert record["resolved_at"] is None and record["duration_minutes"] is None
    assert record["origins"]["resolved_at"] == {
        "from": "timeline", "line": 19, "kind": "withheld", "evidence": ["zone UTC (line 14)", "day 2024-04-04 (line 19)"],
        "reason": "it would make the incident last 43200 minutes (30.0 days)"}
    assert record["origins"]["duration_minutes"]["kind"] == "withheld"
    assert record["origins"]["duration_minutes"]["reason"].startswith("43200 minutes (30.0 days) is not between")


def test_a_fact_contradicting_a_stated_one_is_withheld_naming_it() -> None:
    record = record_of(END_BEFORE_START, "2024-03-06-queue.md")
    assert (record["started_at"], record["resolved_at"]) == (None, "2024-03-06T09:00:00+00:00")
    assert record["origins"]["started_at"]["kind"] == "withheld"
    assert record["origins"]["started_at"]["reason"] == "contradicts the end (front-matter, line 6)"
    assert record["origins"]["resolved_at"]["kind"] == "stated"


def test_an_event_written_with_a_date_and_no_time_exports_its_day() -> None:
    timeline = record_of(DERIVED_TIMES, "2024-03-07-checkout.md")["timeline"]
    assert timeline[0] == {"at": None, "time": None, "day": "2024-02-20", "text": "the bad config was written", "line": 16}
    assert timeline[1]["day"] is None and timeline[1]["at"] == "2024-03-07T10:00:00-08:00"
