"""feeds.py: the Atom feed, the CSV table and the sitemap."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from factories import incident

from hindsite.core.model import ActionItem, Incident
from hindsite.render.feeds import atom_feed, incidents_csv, sitemap

ATOM = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
UTC = dt.timezone.utc


def newest_first(n: int) -> list[Incident]:
    return [incident(f"inc-{k}", title=f"Incident {k}", date=dt.date(2024, 1, 1) + dt.timedelta(days=n - k))
            for k in range(n)]


def parse_feed(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    return root


# --- Atom ---------------------------------------------------------------------------------------


def test_feed_has_one_entry_per_incident_linking_to_its_page() -> None:
    incidents = newest_first(3)
    root = parse_feed(atom_feed(incidents, title="Ops", base_url=""))
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        "incidents/inc-0.html", "incidents/inc-1.html", "incidents/inc-2.html"]
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Incident 0", "Incident 1", "Incident 2"]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3


def test_feed_respects_its_limit() -> None:
    root = parse_feed(atom_feed(newest_first(5), title="Ops", base_url="", limit=2))
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Incident 0", "Incident 1"]


def test_feed_default_limit_is_fifty() -> None:
    root = parse_feed(atom_feed(newest_first(60), title="Ops", base_url=""))
    assert len(root.findall(f"{ATOM}entry")) == 50


def test_xml_base_only_with_a_base_url() -> None:
    without = parse_feed(atom_feed(newest_first(1), title="Ops", base_url=""))
    assert XML_BASE not in without.attrib
    assert without.findtext(f"{ATOM}id").startswith("urn:")
    assert without.find(f"{ATOM}entry").findtext(f"{ATOM}id") == "urn:hindsite:incident:inc-0"

    with_base = parse_feed(atom_feed(newest_first(1), title="Ops", base_url="https://ops.example/archive"))
    assert with_base.get(XML_BASE) == "https://ops.example/archive/"
    assert with_base.findtext(f"{ATOM}id") == "https://ops.example/archive/feed.xml"
    entry = with_base.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "https://ops.example/archive/incidents/inc-0.html"
    assert entry.find(f"{ATOM}link").get("href") == "incidents/inc-0.html"  # resolved against xml:base


def test_base_url_with_trailing_slash_is_not_doubled() -> None:
    root = parse_feed(atom_feed(newest_first(1), title="Ops", base_url="https://ops.example/"))
    assert root.get(XML_BASE) == "https://ops.example/"


def test_feed_escapes_text_and_attributes() -> None:
    odd = incident("odd", title="Cache & <DB> \"fail\"", summary="Latency > 5s & rising",
                   tags=('a"b', "x&y"), date=dt.date(2024, 1, 1))
    text = atom_feed([odd], title="Ops & <Co>", base_url="")
    assert "Cache &amp; &lt;DB&gt;" in text
    root = parse_feed(text)
    assert root.findtext(f"{ATOM}title") == "Ops & <Co>"
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == 'Cache & <DB> "fail"'
    assert entry.findtext(f"{ATOM}summary") == "Latency > 5s & rising"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ['a"b', "x&y"]


def test_feed_updated_times() -> None:
    day = dt.date(2024, 5, 1)
    resolved = dt.datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    started = dt.datetime(2024, 4, 30, 8, 0, tzinfo=UTC)
    incidents = [
        incident("resolved", date=day, started_at=dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC), resolved_at=resolved),
        incident("started", date=dt.date(2024, 4, 30), started_at=started),
        incident("dated", date=dt.date(2024, 4, 1)),
    ]
    root = parse_feed(atom_feed(incidents, title="Ops", base_url=""))
    assert root.findtext(f"{ATOM}updated") == resolved.isoformat()
    assert [e.findtext(f"{ATOM}updated") for e in root.findall(f"{ATOM}entry")] == [
        resolved.isoformat(), started.isoformat(), "2024-04-01T00:00:00+00:00"]


def test_empty_feed_is_valid() -> None:
    root = parse_feed(atom_feed([], title="Ops", base_url=""))
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated")


# --- CSV ----------------------------------------------------------------------------------------

COLUMNS = ["id", "date", "title", "severity", "status", "services", "tags", "responders", "started_at",
           "detected_at", "resolved_at", "duration_minutes", "time_to_detect_minutes", "action_items",
           "open_action_items", "url", "source"]


def csv_rows(incidents: list[Incident]) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(incidents_csv(incidents), newline=""))
    header = next(reader)
    assert header == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in reader]


def test_csv_header_and_values() -> None:
    day = dt.date(2024, 3, 1)
    start = dt.datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    row, = csv_rows([incident(
        "db", title="DB, failover \"stalled\"\nagain", date=day, severity="sev2", status="resolved",
        services=("db", "api"), tags=("failover",), responders=("ana", "bo"), started_at=start,
        detected_at=start + dt.timedelta(minutes=10), resolved_at=start + dt.timedelta(minutes=90),
        action_items=(ActionItem("a", None, "open", None, 1), ActionItem("b", None, "done", None, 2),
                      ActionItem("c", None, None, None, 3), ActionItem("d, won't do", None, "dropped", None, 4)),
    )])
    assert row == {
        "id": "db", "date": "2024-03-01", "title": "DB, failover \"stalled\"\nagain", "severity": "sev2",
        "status": "resolved", "services": "db; api", "tags": "failover", "responders": "ana; bo",
        "started_at": "2024-03-01T08:00:00+00:00", "detected_at": "2024-03-01T08:10:00+00:00",
        "resolved_at": "2024-03-01T09:30:00+00:00", "duration_minutes": "90", "time_to_detect_minutes": "10",
        "action_items": "4", "open_action_items": "2", "url": "incidents/db.html", "source": "content/db.md",
    }


def test_csv_unknown_values_are_empty() -> None:
    row, = csv_rows([incident("bare")])
    for column in ("date", "severity", "status", "services", "tags", "started_at", "duration_minutes",
                   "time_to_detect_minutes"):
        assert row[column] == "", column
    assert row["action_items"] == "0"


@pytest.mark.parametrize("title", ["=SUM(A1:A9)", "+1+1", "-2+3", "@cmd|' /C calc'!A0"])
def test_csv_title_formula_injection_is_made_literal(title: str) -> None:
    row, = csv_rows([incident("x", title=title)])
    assert row["title"] == "'" + title


@pytest.mark.parametrize("title", ["Normal title", "Email me: ops@example.com", "50% = bad", "'quoted"])
def test_csv_ordinary_titles_are_unchanged(title: str) -> None:
    row, = csv_rows([incident("x", title=title)])
    assert row["title"] == title


@pytest.mark.parametrize("column, fields", [
    ("status", {"status": "=HYPERLINK(\"http://evil.example\")"}),
    ("services", {"services": ("=cmd|' /C calc'!A0",)}),
    ("tags", {"tags": ("+1+1",)}),
    ("responders", {"responders": ("@alice", "@bob")}),
])
def test_csv_other_free_text_columns_are_guarded_too(column: str, fields: dict[str, Any]) -> None:
    """Status, services, tags and responders are written by authors just like titles."""
    row, = csv_rows([incident("x", **fields)])
    assert row[column][:1] not in ("=", "+", "-", "@"), row[column]


def test_csv_one_row_per_incident_in_order() -> None:
    rows = csv_rows(newest_first(4))
    assert [r["id"] for r in rows] == ["inc-0", "inc-1", "inc-2", "inc-3"]


# --- sitemap ------------------------------------------------------------------------------------


def sitemap_locs(text: str) -> list[str]:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SITEMAP}urlset"
    return [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]


def test_sitemap_lists_absolute_urls_with_a_base_url() -> None:
    pages = ["index.html", "incidents/a.html", "tags/x&y.html"]
    assert sitemap_locs(sitemap(pages, "https://ops.example/archive")) == [
        "https://ops.example/archive/index.html",
        "https://ops.example/archive/incidents/a.html",
        "https://ops.example/archive/tags/x&y.html",
    ]
    assert sitemap_locs(sitemap(pages, "https://ops.example/archive/"))[0] == "https://ops.example/archive/index.html"


def test_sitemap_is_empty_without_a_base_url() -> None:
    assert sitemap_locs(sitemap(["index.html", "incidents/a.html"], "")) == []


# --- characters XML forbids -----------------------------------------------------------------------

FORBIDDEN = "\x1b[31m\x00\x07\x0b\x0c\x1f\x7f\x85\x9f\ud800\udfff\ufffe\uffff\U0010ffff"


def test_characters_xml_forbids_are_left_out_of_the_feed_and_the_sitemap() -> None:
    """Whatever reaches them (here, an incident made by hand and a site title), the XML files stay well-formed."""
    hand_made = incident("a", title=f"Red{FORBIDDEN} alert", summary=f"Sum{FORBIDDEN}", tags=(f"t{FORBIDDEN}",))
    root = parse_feed(atom_feed([hand_made], title=f"Ops{FORBIDDEN}", base_url="https://ops.example/"))
    assert root.findtext(f"{ATOM}title") == "Ops[31m  "  # a vertical tab and a form feed are spaces
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Red[31m   alert"
    assert entry.findtext(f"{ATOM}summary") == "Sum[31m  "
    assert entry.find(f"{ATOM}category").get("term") == "t[31m  "  # type: ignore[union-attr]
    ET.fromstring(sitemap([f"a{FORBIDDEN}.html"], f"https://ops.example/{FORBIDDEN}").encode("utf-8", "surrogatepass"))
