"""Machine-readable views of the archive: Atom feed, CSV and sitemap.

Every text and attribute of the XML files passes `markup.publishable`: a character XML 1.0
forbids would make the whole file unreadable. Documents lose them when they are read (and say
so); a site title from site.toml that holds one loses it here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from ..core.markup import publishable
from ..core.model import Incident
from . import urls

FEED = "feed.xml"
CSV = "incidents.csv"
SITEMAP = "sitemap.xml"

_CSV_COLUMNS = ("id", "date", "title", "severity", "status", "services", "tags", "responders", "started_at",
                "detected_at", "resolved_at", "duration_minutes", "time_to_detect_minutes", "action_items",
                "open_action_items", "url", "source")


def atom_feed(incidents: Sequence[Incident], *, title: str, base_url: str, limit: int = 50) -> str:
    """The newest incidents as an Atom feed. Links are relative to `base_url` (xml:base) when it is set."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    updated = max((_instant(i) for i in incidents), default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    entries = []
    for incident in incidents[:limit]:
        link = urls.incident_url(incident)
        summary = incident.summary or incident.title
        entries.append(
            "  <entry>\n"
            f"    <title>{_text(incident.title)}</title>\n"
            f"    <id>{_text(_entry_id(base, incident))}</id>\n"
            f"    <link href={_attribute(link)}/>\n"
            f"    <updated>{_instant(incident).isoformat()}</updated>\n"
            f"    <summary>{_text(summary)}</summary>\n"
            + "".join(f"    <category term={_attribute(tag)}/>\n" for tag in incident.tags)
            + "  </entry>\n"
        )
    xml_base = f" xml:base={_attribute(base)}" if base else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{xml_base}>\n'
        f"  <title>{_text(title)}</title>\n"
        f"  <id>{_text(base + FEED if base else 'urn:hindsite:' + title)}</id>\n"
        f'  <link rel="self" href="{FEED}"/>\n'
        f'  <link href="{urls.INDEX}"/>\n'
        f"  <updated>{updated.isoformat()}</updated>\n"
        "  <generator>hindsite</generator>\n"
        + "".join(entries)
        + "</feed>\n"
    )


def incidents_csv(incidents: Sequence[Incident]) -> str:
    """One row per incident, lists joined with "; ", for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for i in incidents:
        writer.writerow([
            i.id, _iso(i.date), _cell(i.title), i.severity or "", _cell(i.status or ""), _cell("; ".join(i.services)),
            _cell("; ".join(i.tags)), _cell("; ".join(i.responders)), _iso(i.started_at), _iso(i.detected_at), _iso(i.resolved_at),
            "" if i.duration_minutes is None else i.duration_minutes,
            "" if i.time_to_detect_minutes is None else i.time_to_detect_minutes,
            len(i.action_items), sum(1 for a in i.action_items if not a.closed),
            urls.incident_url(i), _cell(i.source),
        ])
    return out.getvalue()


def sitemap(page_urls: Sequence[str], base_url: str) -> str:
    """A sitemap of every HTML page; search engines need absolute URLs, so it is empty without base_url."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    rows = "".join(f"  <url><loc>{_text(base + url)}</loc></url>\n" for url in page_urls if base)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</urlset>\n")


def _text(text: str) -> str:
    """`text` as XML character data."""
    return escape(publishable(text))


def _attribute(text: str) -> str:
    """`text` as a quoted XML attribute value."""
    return quoteattr(publishable(text))


def _entry_id(base: str, incident: Incident) -> str:
    return base + urls.incident_url(incident) if base else f"urn:hindsite:incident:{incident.id}"


def _instant(incident: Incident) -> dt.datetime:
    for value in (incident.resolved_at, incident.started_at):
        if value is not None:
            return value
    day = incident.date or dt.date(1970, 1, 1)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


def _iso(value: dt.date | dt.datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _cell(text: str) -> str:
    """Guard against spreadsheet formula injection: a leading =, +, - or @ is made literal."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
