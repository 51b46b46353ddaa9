"""End to end through `hindsite build`: the archive views, pagination, the service registry and overrides."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import MakeSite, RunCli
from factories import DERIVED_TIMES, END_BEFORE_START, MONTH_LONG, NO_TIMES

from hindsite.commands.cli import cli
from hindsite.render.site import ROW_CHIPS

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def doc(title: str, day: dt.date, *, services: str = "[api]", severity: str = "sev2", body: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: {day.isoformat()}\nseverity: {severity}\nservices: {services}\n"
            f"tags: [db]\n---\n\n## Summary\n\n{title} happened.\n\n## Root cause\n\nA bad deploy.\n{body}")


SMALL = {
    "content/2024-03-01-db.md": doc(
        "Database failover stalled", dt.date(2024, 3, 1),
        body="\n## Timeline\n\n- 2024-03-01 08:00 UTC — replica lagged\n- 2024-03-01 09:30 UTC — resolved\n"
             "\n## Action items\n\n- [ ] Schedule a failover drill @erin\n- [x] Add a lag alert @bo\n"),
    "content/2024-05-02-cdn.md": doc("CDN served stale pages", dt.date(2024, 5, 2), services="[cdn]", severity="sev3"),
}


def build(tmp_path: Path, make_site: MakeSite, run_cli: RunCli, files: dict[str, str], config: str = "") -> Path:
    site = make_site(tmp_path, files, config or 'title = "Test archive"\n')
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.output
    return site / "_site"


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html, re.I)


@pytest.fixture
def small(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> Path:
    return build(tmp_path, make_site, run_cli, SMALL, 'title = "Test archive"\nbase_url = "https://ops.example/pm"\n')


def test_the_archive_views_are_built(small: Path) -> None:
    for rel in ("index.html", "search.html", "follow-ups.html", "stats.html", "feed.xml", "incidents.csv",
                "sitemap.xml", "search/index.js", "search/r-0.js", "rows.js", "incidents.json", "tags/index.html",
                "services/index.html", "services/api.html", "services/cdn.html", "tags/db.html", "404.html",
                "incidents/2024-03-01-db.html", "incidents/2024-05-02-cdn.html"):
        assert (small / rel).is_file(), rel


def test_stats_page_draws_inline_svg_without_scripts_of_its_own(small: Path) -> None:
    html = read(small, "stats.html")
    assert "<svg" in html
    assert 'role="img"' in html
    assert script_tags(html) == ['<script src="static/hindsite.js" defer>']


def test_service_page_draws_inline_svg(small: Path) -> None:
    html = read(small, "services/api.html")
    assert "<svg" in html
    assert 'href="../incidents/2024-03-01-db.html"' in html  # the time axis links to the report
    assert script_tags(html) == ['<script src="../static/hindsite.js" defer>']


def test_follow_ups_page_lists_action_items(small: Path) -> None:
    html = read(small, "follow-ups.html")
    assert "Schedule a failover drill" in html
    assert "Add a lag alert" in html


def test_an_item_closed_without_being_done_is_dropped_not_done_nor_open(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    body = "\n## Action items\n\n- [ ] Drill the failover\n- [x] Add a lag alert\n- Retire the v1 pool, won't do\n"
    out = build(tmp_path, make_site, run_cli, {"content/2024-03-01-db.md": doc("Failover", dt.date(2024, 3, 1), body=body)})
    page = " ".join(re.sub(r"<[^>]+>", " ", read(out, "follow-ups.html")).split())
    assert "3 action items across the archive; 1 neither done nor dropped." in page
    assert "Retire the v1 pool, won't do — dropped" in html.unescape(page)
    report = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", read(out, "reports/2024-q1.html")).split()))
    assert "Open 1 Done 1 Dropped (won't do) 1 No status stated 0 All 3" in report
    row, = [line for line in read(out, "incidents.csv").splitlines() if line.startswith("2024-03-01-db,")]
    assert row.split(",")[-3:-2] == ["1"]  # open action items


def _script_payload(text: str, callback: str) -> tuple[str, object]:
    assert text.startswith(callback + "(") and text.rstrip().endswith(");")
    key, _, payload = text[len(callback) + 1 : -3 if text.endswith("\n") else -2].partition(", ")
    return key, json.loads(payload)


def test_search_index_covers_every_report(small: Path) -> None:
    manifest = read(small, "search/index.js")
    prefix = "window.hindsiteSearch = "
    assert manifest.startswith(prefix) and manifest.rstrip().endswith(";")
    data = json.loads(manifest[len(prefix):].rstrip().rstrip(";"))
    assert data["documents"] == 2
    docs = [_script_payload(read(small, f"search/r-{n}.js"), "hindsiteSearchReport")[1] for n in range(2)]
    urls = sorted(d[0] for d in docs)  # type: ignore[index]
    assert urls == ["incidents/2024-03-01-db.html", "incidents/2024-05-02-cdn.html"]
    number, db = next((n, d) for n, d in enumerate(docs) if d[0] == "incidents/2024-03-01-db.html")  # type: ignore[index]
    assert [p[0] for p in db[7]][:2] == ["s-summary", "s-timeline"]
    # Every word of the report's title is in the shard of its first two letters, pointing at the report.
    for word in re.findall(r"[^\W_]{2,}", db[1].lower()):
        key = word[:2].encode().hex()
        assert key in data["shards"]
        _, terms = _script_payload(read(small, f"search/t-{key}.js"), "hindsiteSearchShard")
        assert any(posting[0] == number and posting[1] == -1 for posting in terms[word])  # type: ignore[index]


def test_data_files_match_the_archive(small: Path) -> None:
    feed = ET.fromstring((small / "feed.xml").read_bytes())
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 2
    assert read(small, "incidents.csv").count("\n") == 3
    locs = [u.findtext(f"{SITEMAP}loc") for u in ET.fromstring((small / "sitemap.xml").read_bytes())]
    assert "https://ops.example/pm/index.html" in locs
    assert "https://ops.example/pm/incidents/2024-03-01-db.html" in locs
    assert not any(loc.endswith("404.html") for loc in locs)


# --- pagination ---------------------------------------------------------------------------------


def build_generated(site: Path, count: int) -> Path:
    """`count` small incidents a day apart from 2023-01-01, each with one open and one done action item:
    every one tagged "all" and in service "core", besides one of five services."""
    content = site / "content"
    content.mkdir(parents=True)
    start = dt.date(2023, 1, 1)
    for n in range(count):
        day = start + dt.timedelta(days=n)
        (content / f"{day.isoformat()}-inc-{n:03d}.md").write_text(
            f"---\ntitle: Incident number {n}\ndate: {day.isoformat()}\nseverity: sev{n % 4 + 1}\n"
            f"services: [svc-{n % 5}, core]\ntags: [all]\n---\n\nShort summary {n}.\n\n"
            f"## Action items\n\n- [ ] Fix cause {n} @owner-{n % 3}\n- [x] Mitigate {n}\n",
            encoding="utf-8",
        )
    (site / "site.toml").write_text('title = "Big archive"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = CliRunner().invoke(cli, ["build", "-q"], prog_name="hindsite", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return site / "_site"


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 small incidents, built once for the module."""
    return build_generated(tmp_path_factory.mktemp("large") / "site", 250)


def rows_on(html: str) -> list[str]:
    table = html.split('id="incident-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="(?:\.\./)?incidents/([^"]+)\.html">', table)


def test_index_is_paginated_by_one_hundred(large: Path) -> None:
    pages = ["index.html", "page/2.html", "page/3.html"]
    rows = [rows_on(read(large, p)) for p in pages]
    assert [len(r) for r in rows] == [100, 100, 50]
    everything = [i for r in rows for i in r]
    assert len(set(everything)) == 250
    assert everything[0] == "2023-09-07-inc-249"  # newest first
    assert everything[-1] == "2023-01-01-inc-000"
    assert not (large / "page/4.html").exists()
    assert not (large / "page/1.html").exists()


def test_pages_link_to_their_neighbours(large: Path) -> None:
    def pager(rel: str) -> dict[str, str]:
        html = read(large, rel)
        nav = html.split('id="index-pager"', 1)[1].split("</nav>", 1)[0]
        return dict(re.findall(r'rel="(prev|next)" href="([^"]+)"', nav))

    assert pager("index.html") == {"next": "page/2.html"}
    assert pager("page/2.html") == {"prev": "../index.html", "next": "../page/3.html"}
    assert pager("page/3.html") == {"prev": "../page/2.html"}
    assert "Page 2 of 3" in read(large, "page/2.html")


def test_later_pages_link_from_their_own_depth(large: Path) -> None:
    html = read(large, "page/2.html")
    assert 'href="../static/style.css"' in html
    assert 'data-rows="../rows.js"' in html
    assert "Incidents 101–200 of 250" in html


def script_rows(out: Path, rel: str, variable: str) -> Any:
    """The rows a data script assigns to `window.VARIABLE`."""
    text = read(out, rel)
    prefix = f"window.{variable} = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])  # type: ignore[no-any-return]


def test_rows_script_defines_every_row(large: Path) -> None:
    data = script_rows(large, "rows.js", "hindsiteRows")
    rows = data["rows"]  # type: ignore[call-overload]
    assert len(rows) == 250
    first = rows[0]
    assert first[:5] == ["incidents/2023-09-07-inc-249.html", "2023-09-07", "Incident number 249", "sev2", ["svc-4", "core"]]
    assert first[7] == 1  # severity rank: sev2 is the second level
    assert first[8:] == [0, 0]  # no name left unindexed
    assert len({r[0] for r in rows}) == 250
    assert data["services"]["svc-4"] == "services/svc-4.html" and data["tags"]["all"] == "tags/all.html"  # type: ignore[call-overload]
    assert data["rowChips"] == ROW_CHIPS  # type: ignore[call-overload]


def listed_reports(html: str) -> list[str]:
    """The reports a page's tables link to, in order: its list, without the links of its lists of other things."""
    tables = re.findall(r"<table\b.*?</table>", html, re.S)
    return [m for t in tables for m in re.findall(r'href="(?:\.\./)*incidents/([^"#]+)\.html', t)]


def walk_pages(out: Path, first: str) -> list[tuple[str, str]]:
    """A long list's pages, by following each page's "Older" link from the first: (path, html)."""
    pages, path = [], first
    while path:
        html = read(out, path)
        pages.append((path, html))
        older = re.search(r'<nav class="pager"[^>]*>.*?rel="next" href="([^"]+)"', html, re.S)
        path = str(Path(path).parent / older.group(1)) if older else ""
        path = os.path.normpath(path) if path else ""
    return pages


NEWEST_FIRST = [f"2023-{(dt.date(2023, 1, 1) + dt.timedelta(days=n)):%m-%d}-inc-{n:03d}" for n in reversed(range(250))]


@pytest.mark.parametrize(("first", "each"), [
    ("tags/all.html", 1),
    ("services/core.html", 1),
    ("reports/2023.html", 1),
    ("follow-ups.html", 2),  # two action items per incident
])
def test_every_long_list_comes_in_pages_of_one_hundred(large: Path, first: str, each: int) -> None:
    pages = walk_pages(large, first)
    rows = [listed_reports(html) for _, html in pages]
    assert [len(r) for r in rows] == [100] * (250 * each // 100) + ([250 * each % 100] if 250 * each % 100 else [])
    assert [r for page in rows for r in page] == [i for i in NEWEST_FIRST for _ in range(each)]
    assert f"Page 2 of {len(pages)}" in pages[1][1]
    path, html = pages[1]
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheet and (large / Path(path).parent / stylesheet.group(1)).resolve() == (large / "static/style.css").resolve()


def test_later_pages_of_a_list_live_under_its_first(large: Path) -> None:
    assert [p for p, _ in walk_pages(large, "tags/all.html")] == ["tags/all.html", "tags/all/page/2.html", "tags/all/page/3.html"]
    assert [p for p, _ in walk_pages(large, "follow-ups.html")][1:3] == ["follow-ups/page/2.html", "follow-ups/page/3.html"]
    assert not (large / "tags/svc-0/page/2.html").exists()
    assert "<svg" not in read(large, "services/core/page/2.html")  # the summary is on the first page only
    assert "Incidents 101–200 of 250" in read(large, "services/core/page/2.html")


def test_a_service_page_shows_its_newest_open_follow_ups_and_links_to_the_rest(large: Path) -> None:
    html = read(large, "services/core.html")
    section = html.split('id="open-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"Fix cause (\d+)", section) == [str(n) for n in range(249, 239, -1)]
    assert 'href="../follow-ups.html?service=core&amp;status=open">All 250 open follow-ups of core</a>' in section


def test_a_theme_names_its_first_ten_incidents_and_counts_the_rest(large: Path) -> None:
    html = read(large, "reports/2023.html")
    themes = html.split('id="themes-title"', 1)[1].split("</section>", 1)[0]
    everything = next(li for li in re.findall(r"<li>.*?</li>", themes, re.S) if "#all" in li)
    assert everything.count("<a href=") == 10
    assert "; and 240 more" in everything


def test_follow_ups_script_holds_every_action_item(large: Path) -> None:
    rows = script_rows(large, "follow-ups.js", "hindsiteFollowUps")
    assert len(rows) == 500
    assert rows[:2] == [
        ["incidents/2023-09-07-inc-249.html", "Incident number 249", "2023-09-07", "Fix cause 249 @owner-0", "", "owner-0", "open",
         ["svc-4", "core"]],
        ["incidents/2023-09-07-inc-249.html", "Incident number 249", "2023-09-07", "Mitigate 249", "", "", "done",
         ["svc-4", "core"]],
    ]


def test_no_page_grows_with_the_archive(large: Path, tmp_path: Path) -> None:
    """Twice the incidents, in the same shape: the largest page is no larger, because long lists come in pages.

    Charts are left out: a time axis fills up to its own bound (tests/test_charts.py) well past 125 incidents.
    """
    half = build_generated(tmp_path / "site", 125)

    def largest(out: Path) -> tuple[int, str]:
        def size(page: Path) -> int:
            return len(re.sub(r"<svg\b.*?</svg>", "", page.read_text(encoding="utf-8"), flags=re.S))

        return max((size(p), p.relative_to(out).as_posix()) for p in out.rglob("*.html"))

    size, page = largest(large)
    assert size <= largest(half)[0] * 1.1, f"{page} is {size} bytes with 250 incidents, against {largest(half)} with 125"


# --- service registry ---------------------------------------------------------------------------

REGISTRY = '''title = "Test archive"

[services.checkout-api]
name = "Checkout API"
owner = "Payments team"
description = "Takes baskets to paid orders."
aliases = ["checkout", "checkout service"]
'''


def test_registry_aliases_merge_services_onto_one_page(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    out = build(tmp_path, make_site, run_cli, {
        "content/2024-01-01-a.md": doc("Basket totals wrong", dt.date(2024, 1, 1), services="[Checkout]"),
        "content/2024-02-01-b.md": doc("Payments timed out", dt.date(2024, 2, 1), services="[checkout-api]"),
        "content/2024-03-01-c.md": doc("Orders duplicated", dt.date(2024, 3, 1), services="[Checkout Service]"),
    }, REGISTRY)
    pages = sorted(p.name for p in (out / "services").glob("*.html"))
    assert pages == ["checkout-api.html", "index.html"]
    html = read(out, "services/checkout-api.html")
    assert "<h1>Checkout API</h1>" in html
    assert "Payments team" in html
    assert "Takes baskets to paid orders." in html
    for title in ("Basket totals wrong", "Payments timed out", "Orders duplicated"):
        assert title in html
    report = read(out, "incidents/2024-01-01-a.html")
    assert '<a class="chip" href="../services/checkout-api.html">Checkout API</a>' in report
    assert "Checkout API" in read(out, "services/index.html")


# --- overrides ----------------------------------------------------------------------------------

OVERRIDE = """{% extends "theme/incident.html" %}
{% block title %}Postmortem · {{ incident.title }}{% endblock %}
{% block main %}
<p class="banner">Customer-facing incident: see the status page.</p>
{{ super() }}
{% endblock %}
"""


def test_an_override_extends_the_theme_template(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    """The mechanism docs/themes.md documents: overrides/NAME extends "theme/NAME" and changes blocks."""
    out = build(tmp_path, make_site, run_cli, {**SMALL, "overrides/incident.html": OVERRIDE})
    report = read(out, "incidents/2024-03-01-db.html")
    assert '<p class="banner">Customer-facing incident: see the status page.</p>' in report
    assert "<title>Postmortem · Database failover stalled</title>" in report
    assert 'id="facts-title"' in report  # the theme's facts panel is still there
    assert report.index("banner") < report.index('id="facts-title"')
    assert 'id="s-root-cause"' in report
    assert 'href="../static/style.css"' in report  # base.html still wraps the page
    assert "banner" not in read(out, "index.html")  # only the report template was overridden


# --- links made from settings and fields ----------------------------------------------------------


def test_the_source_link_is_the_files_address_with_its_path_percent_encoded(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    out = build(tmp_path, make_site, run_cli, {"content/2024 q1/a b#1?.md": doc("Odd name", dt.date(2024, 1, 2))},
                'repo_url = "https://git.example.test/ops/pm/blob/main"\n')
    page = read(out, "incidents/a-b-1.html")
    assert '<a href="https://git.example.test/ops/pm/blob/main/content/2024%20q1/a%20b%231%3F.md">' in page


def test_a_script_address_in_site_toml_stops_the_build(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, SMALL, 'repo_url = "javascript:alert(1)//"\n')
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert "site.toml:1: error: config: 'repo_url' must be an http:// or https:// address" in result.stderr
    assert not (site / "_site").exists()


def test_no_field_becomes_a_link_that_could_run(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    """Fields the model does not know are shown as text; an action item links only to an http(s) address."""
    front = ("runbook: 'javascript:alert(1)'\nlink: 'data:text/html,<script>alert(2)</script>'\n"
             "url: 'https://runbooks.example/db'\n")
    body = ("\n## Action items\n\n- [ ] Fix the alert javascript:alert(3) @erin\n- [ ] Ticket: JAVASCRIPT:alert(4)\n"
            "- [ ] Follow https://tickets.example/OPS-1 @bo\n")
    text = doc("Fields", dt.date(2024, 1, 3), body=body).replace("tags: [db]\n", "tags: [db]\n" + front)
    out = build(tmp_path, make_site, run_cli, {"content/2024-01-03-fields.md": text})
    for rel in ("incidents/2024-01-03-fields.html", "follow-ups.html", "index.html"):
        addresses = [html.unescape(u) for u in re.findall(r'\b(?:href|src|action)="([^"]*)"', read(out, rel))
                     if u != "data:,"]  # the theme's empty icon
        schemes = {m.group(1).lower() for u in addresses if (m := re.match(r"\s*([a-z][a-z0-9+.-]*):", u, re.I))}
        assert schemes <= {"http", "https"}, (rel, schemes)
    page = read(out, "incidents/2024-01-03-fields.html")
    assert "<dt>runbook</dt><dd>javascript:alert(1)</dd>" in page
    assert '<a href="https://tickets.example/OPS-1">link</a>' in page


# --- how the time facts were obtained -----------------------------------------------------------

PROVENANCE = {
    "content/2024-03-05-billing.md": MONTH_LONG,
    "content/2024-03-06-queue.md": END_BEFORE_START,
    "content/2024-03-07-checkout.md": DERIVED_TIMES,
    "content/2024-03-08-search.md": NO_TIMES,
}


@pytest.fixture
def provenance(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> Path:
    return build(tmp_path, make_site, run_cli, PROVENANCE)


def facts_panel(html: str) -> dict[str, str]:
    """The facts panel's values by label, as text (tags removed, spaces collapsed)."""
    panel = html[html.index('<aside class="facts"'):html.index("</aside>")]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", panel, re.S)
    return {label: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for label, value in pairs}


def test_the_facts_panel_marks_times_worked_out_from_the_timeline(provenance: Path) -> None:
    html = read(provenance, "incidents/2024-03-07-checkout.html")
    facts = facts_panel(html)
    assert facts["Started"] == ("2024-03-07 10:00 UTC-08:00 Worked out from the timeline, line 17 zone PST (line 14); "
                                "day 2024-03-07 (line 17)")
    assert facts["Duration"] == "42 min Worked out from the timeline, line 19 from the start on line 17 to the end on line 19"
    assert facts["Date"] == "2024-03-07"  # stated: nothing to say about it
    assert ('<dd class="fact fact-derived"><time datetime="2024-03-07T10:00:00-08:00">2024-03-07 10:00 UTC-08:00</time> '
            '<details class="provenance"><summary>Worked out from the timeline, line 17</summary>'
            'zone PST (line 14); day 2024-03-07 (line 17)</details></dd>') in html


def test_the_facts_panel_shows_a_withheld_time_as_not_given_with_the_reason(provenance: Path) -> None:
    html = read(provenance, "incidents/2024-03-05-billing.html")
    facts = facts_panel(html)
    assert ('<dd class="fact fact-withheld"><span class="not-given">Not given</span> <details class="provenance">'
            '<summary>Left out: it would make the incident last 43200 minutes (30.0 days)</summary>'
            'Worked out from the timeline, line 19: zone UTC (line 14); day 2024-04-04 (line 19)</details></dd>') in html
    assert facts["Duration"].startswith("Not given Left out: 43200 minutes (30.0 days) is not between 1 minute and")
    assert "Time to resolve" not in facts
    queue = facts_panel(read(provenance, "incidents/2024-03-06-queue.html"))
    assert queue["Started"].startswith("Not given Left out: contradicts the end (front-matter, line 6) Worked out")
    assert queue["Resolved"] == "2024-03-06 09:00 UTC"


def test_a_timeline_row_written_with_a_date_and_no_time_shows_the_date(provenance: Path) -> None:
    html = read(provenance, "incidents/2024-03-07-checkout.html")
    row = re.search(r"<li>\s*<span class=\"when\">(.*?)</span>\s*(.*?)</li>", html, re.S)
    assert row is not None
    assert row.group(1) == '<time datetime="2024-02-20">2024-02-20</time>'
    assert "the bad config was written" in row.group(2) and "elapsed" not in row.group(2)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_stats_page_says_how_many_incidents_each_figure_left_out(provenance: Path) -> None:
    page = text_of(read(provenance, "stats.html"))
    assert ("Time to resolve: median 42 min over 1 incident; 3 left out: 1 gives no times, 2 had implausible times. "
            "Time to detect: median 12 min over 2 incidents; 2 left out: 1 gives no times, 1 had implausible times.") in page
    assert "Incidents with times left out as implausible 2" in page


def test_a_service_page_says_how_many_incidents_its_figures_left_out(provenance: Path) -> None:
    page = text_of(read(provenance, "services/billing.html"))
    assert "Time to resolve: median 42 min over 1 incident; 3 left out: 1 gives no times, 2 had implausible times." in page
    assert "Time to detect: median 12 min over 2 incidents; 2 left out: 1 gives no times, 1 had implausible times." in page


def test_a_report_says_how_many_incidents_its_impact_time_left_out(provenance: Path) -> None:
    page = text_of(read(provenance, "reports/2024-q1.html"))
    assert ("42 min in total; median 42 min, over 1 incident with a known duration; "
            "3 left out: 1 gives no times, 2 had implausible times.") in page


def test_the_lists_of_services_and_reports_count_what_their_figures_left_out(provenance: Path) -> None:
    services = read(provenance, "services/index.html")
    assert ('42 min<br><span class="count" title="3 left out: 1 gives no times, 2 had implausible times">3 left out</span>'
            in services)
    reports = read(provenance, "reports/index.html")
    assert ('42 min<br><span class="count" title="3 left out: 1 gives no times, 2 had implausible times">3 left out</span>'
            in reports)

# --- one document's many names ------------------------------------------------------------------

def names_doc(title: str, tags: list[str], services: list[str], body: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: 2024-02-03\nservices: [{', '.join(services)}]\ntags: [{', '.join(tags)}]\n---\n\n"
            f"## Summary\n\n{title}.\n{body}")


def test_tags_and_services_beyond_the_limits_are_shown_as_text_without_pages(
        tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    tags, services = [f"tag-{n}" for n in range(5)], [f"svc-{n}" for n in range(4)]
    site = make_site(tmp_path, {"content/many.md": names_doc("Many names", tags, services)},
                     'title = "T"\nmax_tags_per_document = 3\nmax_services_per_document = 2\n')
    result = run_cli("build", cwd=site)
    warnings = [line for line in result.stderr.splitlines() if "too-many" in line]
    assert warnings == [
        "content/many.md:4: warning: too-many-services: the document names 4 services; the first 2 are indexed "
        "(max_services_per_document in site.toml) and the other 2 are shown on its page as text, without pages of their "
        "own — keep the services that tell incidents apart, or raise the limit",
        "content/many.md:5: warning: too-many-tags: the document names 5 tags; the first 3 are indexed "
        "(max_tags_per_document in site.toml) and the other 2 are shown on its page as text, without pages of their "
        "own — keep the tags that tell incidents apart, or raise the limit",
    ]
    out = site / "_site"
    assert sorted(p.stem for p in (out / "tags").glob("tag-*.html")) == ["tag-0", "tag-1", "tag-2"]
    assert sorted(p.stem for p in (out / "services").glob("svc-*.html")) == ["svc-0", "svc-1"]
    page = read(out, "incidents/many.html")
    assert "and 2 more tags, not indexed: tag-3, tag-4" in page and "and 2 more services, not indexed: svc-2, svc-3" in page
    record = json.loads(read(out, "incidents.json"))["incidents"][0]
    assert (record["tags"], record["services"]) == (tags, services)  # the record says what the document says


def test_a_row_of_a_list_shows_ten_tags_and_counts_the_rest(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    out = build(tmp_path, make_site, run_cli, {"content/many.md": names_doc("Many tags", [f"t{n}" for n in range(60)], ["api"])})
    row = read(out, "tags/t0.html").split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert re.findall(r'class="chip chip-tag" href="[^"]*">#([^<]*)<', row) == [f"t{n}" for n in range(10)]
    assert re.search(r'<a class="more" href="\.\./incidents/many\.html#facts-title">\+50 more</a>', row)


def test_filters_offer_the_hundred_most_used_names_and_count_the_rest(
        tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    items = "\n".join(f"- [ ] Task {n} @owner-{n:03d}" for n in range(150)) + "\n- [ ] Again @owner-149\n"
    out = build(tmp_path, make_site, run_cli, {"content/owners.md": names_doc("Owners", ["t"], ["api"], f"\n## Action items\n\n{items}")})
    select = read(out, "follow-ups.html").split('<select name="owner">', 1)[1].split("</select>", 1)[0]
    owners = re.findall(r'<option value="(owner-[^"]*)">', select)
    assert len(owners) == 100 and "owner-149" in owners and owners == sorted(owners)  # the one with two items is kept
    assert '<option value="" disabled>50 owners used less are not listed</option>' in select


def test_a_tag_more_than_the_limit_updates_the_count_on_list_pages_of_a_cached_build(
        tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    tags = [f"t{n}" for n in range(12)]
    site = make_site(tmp_path, {"content/many.md": names_doc("Many tags", tags, ["api"])}, 'title = "T"\nmax_tags_per_document = 11\n')
    run_cli("build", cwd=site)
    assert "+2 more</a>" in read(site / "_site", "tags/t0.html")
    (site / "content" / "many.md").write_text(names_doc("Many tags", [*tags, "t12"], ["api"]), encoding="utf-8")
    run_cli("build", cwd=site)
    assert "+3 more</a>" in read(site / "_site", "tags/t0.html")
