"""Doubts: what a reading leaves open, which migrate would close for good by writing it into the source.

hindsite keeps its doubts visible: a fact that failed a plausibility check
is withheld, a numeric date that reads either way is left out, two stated
times that disagree are both kept, a zone out of season is read as written —
each with a diagnostic a build repeats until the author settles it. Written
out in canonical form, the reading would settle it instead, silently: a
timeline's "PST" in July becomes `UTC-08:00`, and the warning is gone. So a
document whose reading holds a doubt is not migrated without `--force`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...core import diagnostics as diag
from ...core.diagnostics import Diagnostic
from ...core.model import WITHHELD, Incident, Origin

#: Diagnostics that mark a doubt in the reading (docs/migrate.md, "Doubts"): a date that reads either way, times
#: that contradict each other or the date, a zone out of season, a date taken for the write-up's.
DOUBT_CODES = frozenset({
    "ambiguous-date", "implausible-time", "implausible-duration", "conflicting-times", "zone-season", "write-up-date",
})

_FACTS = {"date": "date", "started_at": "start", "detected_at": "detection", "resolved_at": "end",
          "duration_minutes": "duration"}


def doubt_refusal(incident: Incident) -> Diagnostic | None:
    """Why the document is left as it is: a `migrate-doubt` error at its first doubt, naming it; None without one."""
    found = sorted(_doubts(incident), key=lambda doubt: (doubt[0] is None, doubt[0] or 0))
    if not found:
        return None
    line, what = found[0]
    return diag.error(
        "migrate-doubt",
        f"this document's reading holds a doubt ({what}){_more(found[1:])}; written now, the reading would be in the file "
        "for good, so the file was left as it is — settle the doubt and run migrate again (`hindsite inspect` shows the "
        "reading), or run it with --force to write the document as it is read", incident.source, line)


def _more(rest: Sequence[tuple[int | None, str]]) -> str:
    """", and 2 more (lines 14, 20)": how many other doubts there are and where, so none comes as a surprise."""
    if not rest:
        return ""
    lines = sorted({line for line, _ in rest if line is not None})
    where = f" (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})" if lines else ""
    return f", and {len(rest)} more{where}"


def _doubts(incident: Incident) -> list[tuple[int | None, str]]:
    """Each doubt with its line: the diagnostics that mark one, then facts withheld where no such diagnostic is."""
    marked = [(d.line, f"{d.code}: {d.message}") for d in incident.diagnostics if d.code in DOUBT_CODES]
    lines = {line for line, _ in marked}
    withheld = [o for o in incident.origins if o.kind == WITHHELD and o.line not in lines]
    return marked + [(o.line, _withheld(o)) for o in withheld]


def _withheld(origin: Origin) -> str:
    fact = _FACTS.get(origin.field, origin.field.replace("_", " "))
    reason = origin.evidence[-1] if origin.evidence else "it failed a plausibility check"
    source = f" worked out from the {origin.how}" if origin.how in ("timeline", "prose") else ""
    return f"the {fact}{source} is left out: {reason}"
