"""Model objects for unit tests, with empty defaults so each test states only what it is about."""

from __future__ import annotations

from typing import Any

from hindsite.model import Incident, minutes_between


def incident(id: str, **fields: Any) -> Incident:
    """An incident with empty defaults; `duration_minutes` follows start/resolve as normalise does."""
    values: dict[str, Any] = dict(
        id=id, source=f"content/{id}.md", content_path=f"{id}.md", title=id, date=None, severity=None,
        services=(), tags=(), responders=(), status=None, started_at=None, detected_at=None, resolved_at=None,
        summary="", sections=(), timeline=(), action_items=(), diagnostics=(),
    )
    values.update(fields)
    values.setdefault("duration_minutes", minutes_between(values["started_at"], values["resolved_at"]))
    return Incident(**values)
