"""Stage 3 — collect: order, unique ids and the indexes the site looks up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hindsite.collect.archive import collect
from hindsite.core.model import Incident


def incident(id: str, source: str | None = None, **fields: Any) -> Incident:
    values: dict[str, Any] = dict(
        id=id,
        source=source or f"content/{id}.md",
        content_path=f"{id}.md",
        title=id.replace("-", " ").capitalize(),
        date=None,
        severity=None,
        services=(),
        tags=(),
        responders=(),
        status=None,
        started_at=None,
        detected_at=None,
        resolved_at=None,
        duration_minutes=None,
        summary="",
        sections=(),
        timeline=(),
        action_items=(),
        diagnostics=(),
    )
    values.update(fields)
    return Incident(**values)


def test_newest_first_and_undated_last() -> None:
    archive = collect(
        [
            incident("undated-b"),
            incident("old", date=dt.date(2022, 1, 5)),
            incident("new", date=dt.date(2024, 6, 1)),
            incident("undated-a"),
            incident("middle", date=dt.date(2023, 3, 9)),
        ]
    )
    ids = [i.id for i in archive.incidents]
    assert ids[:3] == ["new", "middle", "old"]
    assert sorted(ids[3:]) == ["undated-a", "undated-b"]


def test_same_day_orders_by_start_time_latest_first() -> None:
    day = dt.date(2024, 6, 1)
    utc = dt.timezone.utc
    archive = collect(
        [
            incident("morning", date=day, started_at=dt.datetime(2024, 6, 1, 8, 0, tzinfo=utc)),
            incident("evening", date=day, started_at=dt.datetime(2024, 6, 1, 20, 0, tzinfo=utc)),
        ]
    )
    assert [i.id for i in archive.incidents] == ["evening", "morning"]


def test_order_does_not_depend_on_input_order() -> None:
    items = [incident(f"i{n}", date=dt.date(2024, 1, 1 + n % 3)) for n in range(6)] + [incident("u1"), incident("u2")]
    forwards = [i.id for i in collect(items).incidents]
    backwards = [i.id for i in collect(reversed(items)).incidents]
    assert forwards == backwards


def test_groups_merge_case_variants() -> None:
    archive = collect(
        [
            incident("a", date=dt.date(2024, 1, 1), services=("Database",), tags=("Failover", "db")),
            incident("b", date=dt.date(2024, 2, 1), services=("database", "api"), tags=("failover",)),
            incident("c", date=dt.date(2024, 3, 1), services=("API",), tags=("DB", "db")),
        ]
    )
    assert sorted(archive.by_service) == ["api", "database"]
    assert [i.id for i in archive.by_service["database"].incidents] == ["b", "a"]
    assert [i.id for i in archive.by_service["api"].incidents] == ["c", "b"]
    assert archive.by_service["database"].slug == "database"
    assert archive.by_service["database"].name.casefold() == "database"
    assert sorted(archive.by_tag) == ["db", "failover"]
    assert [i.id for i in archive.by_tag["failover"].incidents] == ["b", "a"]
    # an incident listing one tag twice in two spellings is in the group once
    assert [i.id for i in archive.by_tag["db"].incidents] == ["c", "a"]


def test_severity_and_year_groups() -> None:
    archive = collect(
        [
            incident("a", date=dt.date(2023, 1, 1), severity="sev1"),
            incident("b", date=dt.date(2024, 1, 1), severity="sev1"),
            incident("c", date=dt.date(2024, 5, 1), severity="sev3"),
            incident("d"),
        ]
    )
    assert {k: [i.id for i in g.incidents] for k, g in archive.by_severity.items()} == {"sev1": ["b", "a"], "sev3": ["c"]}
    assert {k: [i.id for i in g.incidents] for k, g in archive.by_year.items()} == {"2023": ["a"], "2024": ["c", "b"]}


def test_duplicate_ids_get_a_suffix_and_an_error_naming_the_other_file() -> None:
    first = incident("db-outage", "content/2023/db-outage.md", date=dt.date(2023, 1, 1))
    second = incident("db-outage", "content/2024/db-outage.md", date=dt.date(2024, 1, 1))
    archive = collect([second, first])
    by_source = {i.source: i for i in archive.incidents}
    assert by_source["content/2023/db-outage.md"].id == "db-outage"
    assert by_source["content/2023/db-outage.md"].diagnostics == ()
    renamed = by_source["content/2024/db-outage.md"]
    assert renamed.id == "db-outage-2"
    (problem,) = renamed.diagnostics
    assert problem.code == "duplicate-id" and problem.level.value == "error"
    assert problem.path == "content/2024/db-outage.md"
    assert "content/2023/db-outage.md" in problem.message
    assert "'db-outage-2'" in problem.message
    assert archive.get("db-outage-2") is renamed


def test_duplicate_suffix_skips_ids_already_taken() -> None:
    archive = collect(
        [
            incident("x", "content/a/x.md"),
            incident("x", "content/b/x.md"),
            incident("x-2", "content/x-2.md"),
            incident("x", "content/c/x.md"),
        ]
    )
    ids = sorted(i.id for i in archive.incidents)
    assert ids == ["x", "x-2", "x-3", "x-4"]
    assert len(set(ids)) == len(ids)
    assert {i.source for i in archive.incidents if i.id == "x-2"} == {"content/x-2.md"}


def test_get_unknown_id() -> None:
    assert collect([incident("a")]).get("missing") is None
