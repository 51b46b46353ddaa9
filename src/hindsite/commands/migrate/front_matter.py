"""The canonical front-matter: the author's block as written, and before it the fields hindsite found elsewhere.

The author's block is kept byte for byte — comments, nested values, key
order, YAML or TOML — since other tools (Jekyll, Hugo, Zola, a status page)
may read it too. Migrate adds what the body states (a `**Severity:** Major`
line, a `Start:` label) as new keys at the top of the block, in the block's
own language — and, with `--force`, what hindsite worked out (a timeline's
start) — and rewrites only a date the author wrote either way round
(`date: 05/04/2020`) that the document or the site settled, as hindsite read it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from ...core.model import STATED, Incident, minutes_between
from ...normalise import FIELD_NAMES, scan_dates
from ...read.files import Document
from .record import iso

#: Where a value is as good as stated: hindsite reports a duration that disagrees with start and end only then.
_STATED = frozenset({"front-matter", "table", "line", "bullet"})
#: Where a value was worked out rather than read: the document gives it again, from the same words, when it is left out.
_DERIVED = frozenset({"prose", "timeline", "title", "file-name"})


def front_matter(incident: Incident, *, derived: bool = False) -> dict[str, Any]:
    """The fields the document states, under hindsite's own names, with their values; the title is the caller's.

    A value the normaliser worked out (from prose, the timeline, the title or
    the file name, or counted from other facts, as a detection from a start
    and a "time to detect") is left for the document to give again: written
    up front, a reading would become a statement. With `derived` (`--force`),
    it is written too. When the timeline gave the date and some of its events
    have a clock time but no date, the date and times are left for the
    timeline to give again: stated up front, they would date those events too.
    """
    origins = {o.field: o.how for o in incident.origins}
    dateless = origins.get("date") == "timeline" and any(e.at is None and e.time is not None for e in incident.timeline)
    implied = _left_implied(incident, origins)
    fields: dict[str, Any] = {
        "date": None if dateless else iso(incident.date),
        "severity": incident.severity,
        "services": [*incident.services, *incident.unindexed_services],
        "tags": [*incident.tags, *incident.unindexed_tags],
        "responders": list(incident.responders),
        "status": incident.status,
        **{name: None if dateless or name in implied else iso(getattr(incident, name))
           for name in ("started_at", "detected_at", "resolved_at")},
        "duration": None if incident.duration_minutes is None or "duration" in implied else str(incident.duration_minutes),
    }
    if not derived:
        found = worked_out(incident)
        fields = {name: value for name, value in fields.items() if FIELD_NAMES[name] not in found}
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


def worked_out(incident: Incident) -> set[str]:
    """The model fields whose value hindsite worked out rather than read where the document states it: from prose,
    the timeline, the title or the file name, or counted from other facts (a detection from a start and a "time to
    detect"); and those it withheld."""
    return {o.field for o in incident.origins if o.kind != STATED or o.how in _DERIVED}


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


def field_name(key: str) -> str | None:
    """The model field a front-matter key names (`Start-Time` → started_at), as the normaliser reads keys; None for others."""
    return FIELD_NAMES.get(re.sub(r"[\s-]+", "_", key.strip().casefold()))


def ambiguous_keys(document: Document, incident: Incident) -> dict[str, str]:
    """The author's date and time keys written as a numeric date that reads either way round (05/04/2020), which
    the document or the site settled, with the value as hindsite read it (ISO 8601). One nothing settled has no
    value and stays as written; so does every value in a TOML block.
    """
    if _is_toml(document):
        return {}
    found = {}
    for key, raw in document.front_matter.items():
        name = field_name(str(key))
        unsettled = any(d.other is not None for d in scan_dates(str(raw)))
        if unsettled and name in ("date", "started_at", "detected_at", "resolved_at"):
            value = iso(getattr(incident, name))
            if value is not None:
                found[str(key)] = value
    return found


def front_matter_block(document: Document, found: Mapping[str, Any], rewritten: Mapping[str, str]) -> str:
    """The front-matter: the `found` fields the author's block does not name, first, then that block as written.

    `rewritten` maps keys of the author's block to the text their value is
    written as instead. Empty when there is nothing to write.
    """
    named = {field_name(str(key)) for key in document.front_matter}
    added = {name: value for name, value in found.items() if FIELD_NAMES[name] not in named}
    if not document.front_matter_text:
        return "\n".join(["---", *_yaml_fields(added), "---"]) if added else ""
    opening, *inner, closing = document.front_matter_text.split("\n")
    if _is_toml(document):
        return "\n".join([opening, *_toml_fields(added), *inner, closing])
    written = _rewritten_yaml("\n".join(inner), rewritten) if inner else ""
    return "\n".join([opening, *_yaml_fields(added), *([written] if inner else []), closing])


def _is_toml(document: Document) -> bool:
    return document.front_matter_text.startswith("+++")


# --- YAML --------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """YAML that leaves a value plain wherever hindsite's reader keeps it as text (it resolves only null)."""


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _text_scalar(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text_scalar)


def _yaml_fields(fields: Mapping[str, Any]) -> list[str]:
    if not fields:
        return []
    dumped = yaml.dump(dict(fields), Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000)
    return dumped.rstrip("\n").split("\n")


def _rewritten_yaml(text: str, rewritten: Mapping[str, str]) -> str:
    """The block with the one-line values of `rewritten`'s keys replaced, and every other character as it was."""
    if not rewritten:
        return text
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text  # the reader read it; should this parser not, the author's text stays and the check says so
    if not isinstance(root, yaml.MappingNode):
        return text
    spans = [
        (value.start_mark.index, value.end_mark.index, rewritten[key.value])
        for key, value in root.value
        if isinstance(key, yaml.ScalarNode) and key.value in rewritten
        and isinstance(value, yaml.ScalarNode) and value.start_mark.line == value.end_mark.line
    ]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + _yaml_fields({"k": new})[0][len("k: ") :] + text[end:]
    return text


# --- TOML --------------------------------------------------------------------------

def _toml_fields(fields: Mapping[str, Any]) -> list[str]:
    """`key = "text"` and `key = ["a", "b"]` lines: strings, since hindsite reads every value as text."""
    return [f"{name} = {_toml_value(value)}" for name, value in fields.items()]


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
