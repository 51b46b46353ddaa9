"""The full-text search index: every report's title, summary and sections as plain text.

Written as a script (`search-index.js`) rather than JSON so the search page
works from disk too, where browsers refuse to fetch files. The search page
loads it only when someone searches.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

from . import urls
from .views import ReportView

INDEX_SCRIPT = "search-index.js"
_TAG = re.compile(r"<[^>]+>")


def search_index(reports: Sequence[ReportView]) -> str:
    """`window.hindsiteSearch = {...}`: one entry per incident, one part per section."""
    documents = []
    for report in reports:
        incident = report.incident
        documents.append({
            "u": urls.incident_url(incident),
            "t": incident.title,
            "d": incident.date.isoformat() if incident.date else "",
            "s": incident.severity or "",
            "v": list(incident.services),
            "g": list(incident.tags),
            "m": incident.summary,
            "p": [[section.anchor, section.heading, plain_text(section.html)] for section in report.sections],
        })
    payload = json.dumps({"version": 1, "documents": documents}, ensure_ascii=False, separators=(",", ":"))
    # "</" cannot end a script block early when this file is inlined somewhere.
    return "window.hindsiteSearch = " + payload.replace("</", "<\\/") + ";\n"


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())
