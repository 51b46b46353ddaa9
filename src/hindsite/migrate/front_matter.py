"""The canonical front-matter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from ..model import Incident, minutes_between
from .record import iso

# --- front-matter --------------------------------------------------------------

def front_matter(incident: Incident) -> dict[str, Any]:
    """Every field the normaliser found, under hindsite's own names, then the fields it kept as written.

    When the timeline gave the date and some of its events have a clock time
    but no date, the date and times are left for the timeline to give again:
    stated up front, they would date those events too.
    """
    origins = {o.field: o.how for o in incident.origins}
    dateless = origins.get("date") == "timeline" and any(e.at is None and e.time is not None for e in incident.timeline)
    implied = _left_implied(incident, origins)
    fields: dict[str, Any] = {
        # The title as written, so the page shows it as before; one hindsite made up is made up again, the same way.
        "title": (incident.title_as_written or incident.title) if "title" in origins else None,
        "date": None if dateless else iso(incident.date),
        "severity": incident.severity,
        "services": list(incident.services),
        "tags": list(incident.tags),
        "responders": list(incident.responders),
        "status": incident.status,
        **{name: None if dateless or name in implied else iso(getattr(incident, name))
           for name in ("started_at", "detected_at", "resolved_at")},
        "duration": None if incident.duration_minutes is None or "duration" in implied else str(incident.duration_minutes),
        "summary": incident.summary if origins.get("summary") == "front-matter" else None,
    }
    extra = dict(incident.extra)
    # A field kept as written under one of these very names (a severity not on the scale) stays; the body gives ours again.
    kept = {name: value for name, value in fields.items() if value not in (None, "", []) and name not in extra}
    return {**kept, **extra}


#: Where a value is as good as stated: hindsite reports a duration that disagrees with start and end only then.
_STATED = frozenset({"front-matter", "table", "line", "bullet"})


def _left_implied(incident: Incident, origins: Mapping[str, str]) -> set[str]:
    """Values left for the document to imply again, because stated together they would contradict each other.

    "The outage lasted 2 hours" beside a timeline from 08:30 to 11:45 is
    reported by no one while the prose and the timeline only imply it;
    written up front as facts, they would be a `duration-mismatch`.
    """
    measured = minutes_between(incident.started_at, incident.resolved_at)
    stated = incident.duration_minutes
    if measured is None or stated is None or abs(stated - measured) <= max(5, measured // 20):
        return set()
    if any(d.code == "duration-mismatch" for d in incident.diagnostics):
        return set()  # the document states both: that is the author's to settle
    if origins.get("duration_minutes") not in _STATED:
        return {"duration"}
    return {name for name in ("started_at", "resolved_at") if origins.get(name) not in _STATED}


class _Dumper(yaml.SafeDumper):
    """YAML that leaves a value plain wherever hindsite's reader keeps it as text (it resolves only null)."""


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _text_scalar(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text_scalar)


def front_matter_block(fields: Mapping[str, Any]) -> str:
    dumped = yaml.dump(dict(fields), Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000)
    return f"---\n{dumped}---"


