"""The example archive in a real browser: search, index filters and sorting, follow-ups, links, reports.

Everything the tests look for is worked out from the built site's own
`incidents.json`, so they follow the example content as it changes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from hindsite.core.formats import format_duration

from .conftest import WatchedPage

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with a clear message instead
    expect = None

Incident = dict[str, Any]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- helpers --------------------------------------------------------------------------------------


def plain_text(fragment: str) -> str:
    """Rendered HTML as the search index holds it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section_text(section: dict[str, Any]) -> str:
    return f"{section['heading']} {plain_text(section['html'])}"


def whole_text(incident: Incident) -> str:
    """Everything the search page searches in one incident: title, summary and every section."""
    return " ".join([incident["title"], incident["summary"] or "", *map(section_text, incident["sections"])]).lower()



def parse_duration(text: str) -> int | None:
    """ "1 h 8 min" → 68, "2 d 3 h" → 3060, "" or "—" → None."""
    parts = re.findall(r"(\d+)\s*(d|h|min)\b", text)
    if not parts:
        assert text.strip() in ("", "—"), f"unreadable duration cell {text!r}"
        return None
    unit = {"d": 24 * 60, "h": 60, "min": 1}
    return sum(int(n) * unit[u] for n, u in parts)


def index_rows(page: Any) -> list[dict[str, Any]]:
    """The rows of the index table as shown: title, link, services and duration text."""
    return page.eval_on_selector_all(
        "#incident-table tbody tr",
        """rows => rows.filter(r => !r.hidden).map(r => {
            const cells = r.querySelectorAll("td");
            const link = cells[1].querySelector("a");
            const chips = cells[3].querySelectorAll("a.chip");
            const services = chips.length
                ? Array.from(chips, a => a.textContent.trim())
                : cells[3].textContent.split(",").map(s => s.trim()).filter(Boolean);
            return {title: link.textContent.trim(), href: link.getAttribute("href"),
                    services: services, duration: cells[5].textContent.trim()};
        })""",
    )


def check_order(durations: list[int | None], descending: bool) -> None:
    known = [d for d in durations if d is not None]
    assert durations == known + [None] * (len(durations) - len(known)), f"unknown durations are not last: {durations}"
    assert known == sorted(known, reverse=descending), (
        f"durations are not in {'descending' if descending else 'ascending'} order: {durations}"
    )


def unique_root_cause_word(incidents: Iterable[Incident]) -> tuple[str, Incident]:
    """A word (7+ letters) from one report's root cause that no other report, and no other section of it, contains.

    Containment is by substring, as the search page matches, so the word finds
    exactly that report, and its root-cause section is the best part to link to.
    """
    incidents = list(incidents)
    texts = [whole_text(i) for i in incidents]
    candidates = []
    for incident in incidents:
        root_causes = [s for s in incident["sections"] if s["key"] == "root_cause"]
        if len(root_causes) != 1:
            continue  # a second root-cause section gets the anchor "s-root-cause-2"
        others = " ".join(section_text(s) for s in incident["sections"] if s is not root_causes[0]).lower()
        for word in set(re.findall(r"[^\W\d_]{7,}", plain_text(root_causes[0]["html"]))):
            word = word.lower()
            if word not in others and sum(word in text for text in texts) == 1:
                candidates.append((word, incident))
    assert candidates, "no report's root cause has a word of 7+ letters found nowhere else in the archive"
    return min(candidates, key=lambda c: (c[0], c[1]["id"]))


def most_common(counts: Counter[str], below: int | None = None) -> str:
    """The name with the most items (fewer than `below`, when given), ties by name."""
    eligible = [(name, n) for name, n in counts.items() if below is None or n < below]
    assert eligible, f"nothing to choose from in {dict(counts)}"
    return min(eligible, key=lambda item: (-item[1], item[0]))[0]


def incident_at(site_url: str, incident: Incident) -> str:
    return site_url + incident["url"]


def showcase_report(incidents: Iterable[Incident]) -> Incident:
    """The report with the longest timeline among those with a known duration."""
    timed = [i for i in incidents if i["timeline"] and i["duration_minutes"] is not None]
    assert timed, "no report in the example archive has both a timeline and a duration"
    return min(timed, key=lambda i: (-len(i["timeline"]), i["id"]))


# --- 1. search ------------------------------------------------------------------------------------


def test_header_search_finds_the_one_report_and_links_to_its_root_cause(
    watched: WatchedPage, site_url: str, incidents: list[Incident]
) -> None:
    word, incident = unique_root_cause_word(incidents)
    page = watched.page
    page.goto(site_url + "index.html")

    page.fill("#site-search-q", word)
    page.click("form.site-search button[type=submit]")
    page.wait_for_url(re.compile(r"/search\.html\?q="))
    expect(page.locator("#search-q")).to_have_value(word)

    results = page.locator("#search-results > li")
    expect(page.locator("#search-status")).to_contain_text("1 report matches")
    expect(results).to_have_count(1)
    link = results.first.locator("a").first
    expect(link).to_have_text(incident["title"])
    href = link.get_attribute("href") or ""
    assert href.endswith(incident["url"] + "#s-root-cause"), (
        f"the result for {word!r} links to {href!r}, not to the root-cause section of {incident['url']}"
    )

    link.click()
    page.wait_for_url(re.compile(re.escape(incident["url"]) + "#s-root-cause$"))
    expect(page.locator("article.report h1")).to_have_text(incident["title"])
    heading = next(s["heading"] for s in incident["sections"] if s["key"] == "root_cause")
    target = page.locator("#s-root-cause")
    expect(target).to_be_visible()
    expect(target).to_contain_text(heading)
    expect(page.locator("section.section-root_cause")).to_contain_text(word, ignore_case=True)
    watched.assert_clean()


# --- 2. filter the index by service ---------------------------------------------------------------


def test_index_filter_by_service_then_clear(watched: WatchedPage, site_url: str, incidents: list[Incident]) -> None:
    counts = Counter(name for i in incidents for name in i["services"])
    service = most_common(counts, below=len(incidents))  # a filter that hides some rows
    expected = sorted(i["url"] for i in incidents if service in i["services"])

    page = watched.page
    page.goto(site_url + "index.html")
    before = index_rows(page)
    assert before, "the index shows no incidents"

    page.select_option("#filters select[name=service]", value=service)
    status = page.locator("#filter-status")
    expect(status).to_have_text(f"{len(expected)} incident{'s' if len(expected) != 1 else ''}")
    expect(page.locator("#incident-table tbody tr:not([hidden])")).to_have_count(len(expected))
    rows = index_rows(page)
    assert len(rows) == counts[service] == len(expected)
    for row in rows:
        assert service in row["services"], f"row {row['title']!r} is shown for {service!r} but lists {row['services']}"
    assert sorted(row["href"] for row in rows) == expected

    page.click("#filters button[type=reset]")
    expect(status).to_have_text("")
    expect(page.locator("#filters select[name=service]")).to_have_value("")
    expect(page.locator("#incident-table tbody tr")).to_have_count(len(before))
    assert index_rows(page) == before, "Clear did not bring back the rows the index started with"
    watched.assert_clean()


# --- 3. sort the index by duration ----------------------------------------------------------------


def test_index_sorts_by_duration_both_ways(watched: WatchedPage, site_url: str, incidents: list[Incident]) -> None:
    page = watched.page
    page.goto(site_url + "index.html")
    header = page.locator("#incident-table th[data-key=duration]")
    button = header.locator("button")
    shown = min(len(incidents), 500)
    known = [i["duration_minutes"] for i in incidents if i["duration_minutes"] is not None]
    unknown = [None] * (len(incidents) - len(known))

    button.click()
    expect(header).to_have_attribute("aria-sort", re.compile(r"^(ascending|descending)$"))
    descending = header.get_attribute("aria-sort") == "descending"
    expect(page.locator("#filter-status")).to_have_text(re.compile(r"^\d+ incidents?"))
    expect(page.locator("#incident-table tbody tr")).to_have_count(shown)
    first = [parse_duration(row["duration"]) for row in index_rows(page)]
    check_order(first, descending)
    assert first == (sorted(known, reverse=descending) + unknown)[:shown]

    button.click()
    expect(header).to_have_attribute("aria-sort", "ascending" if descending else "descending")
    expect(page.locator("#incident-table tbody tr")).to_have_count(shown)
    second = [parse_duration(row["duration"]) for row in index_rows(page)]
    check_order(second, not descending)
    assert second == (sorted(known, reverse=not descending) + unknown)[:shown]
    assert [d for d in second if d is not None] == [d for d in first if d is not None][::-1]
    watched.assert_clean()


# --- 4. follow-ups by owner -----------------------------------------------------------------------


def test_follow_ups_filter_by_owner(watched: WatchedPage, site_url: str, incidents: list[Incident]) -> None:
    items = [item for i in incidents for item in i["action_items"]]
    counts = Counter(item["owner"] for item in items if item["owner"])
    owner = most_common(counts)

    page = watched.page
    page.goto(site_url + "follow-ups.html")
    all_rows = page.locator("#follow-up-table tbody tr")
    expect(all_rows).to_have_count(len(items))
    expect(page.locator(f"#follow-up-filters select[name=owner] option[value='{owner}']")).to_have_count(1)

    page.select_option("#follow-up-filters select[name=owner]", value=owner)
    expect(page.locator("#follow-up-status")).to_have_text(f"{counts[owner]} action item{'s' if counts[owner] != 1 else ''}")
    visible = page.locator("#follow-up-table tbody tr:not([hidden])")
    expect(visible).to_have_count(counts[owner])
    owners = visible.locator("td:nth-child(2)").all_text_contents()
    assert [o.strip() for o in owners] == [owner] * counts[owner]
    assert all(visible.nth(n).is_visible() for n in range(counts[owner]))
    incident_link = visible.first.locator("td:nth-child(4) a")
    assert (incident_link.get_attribute("href") or "").endswith("#action-items")
    incident_link.click()  # to the incident's list of action items, wherever in the report they were read
    expect(page.locator("#action-items")).to_have_count(1)
    watched.assert_clean()


# --- 5. crawl: every page loads cleanly, every internal link and anchor exists -------------------


def test_every_page_loads_cleanly_and_every_internal_link_resolves(
    watched: WatchedPage, site_url: str, built_site: Path
) -> None:
    page = watched.page
    start = site_url + "index.html"
    queue, seen = [start], {start}
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []  # (page it is on, absolute target)
    assets: dict[str, str] = {}  # absolute url → a page that uses it
    problems: list[str] = []

    def is_page(url: str) -> bool:
        path = urlsplit(url).path
        return path.endswith((".html", "/"))

    while queue:
        url = queue.pop(0)
        response = page.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{url}: HTTP {response.status if response else 'no response'}")
            continue
        ids[url] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        found = page.evaluate(
            """() => ({
                // SVG charts link too: their <a> has an SVGAnimatedString `href`, so read the attribute.
                links: Array.from(document.querySelectorAll("a"),
                        a => a.getAttribute("href") ?? a.getAttributeNS("http://www.w3.org/1999/xlink", "href"))
                    .filter(href => href !== null)
                    .map(href => new URL(href, document.baseURI).href)
                    .concat(Array.from(document.querySelectorAll("form[action]"), f => f.action)),
                assets: [
                    ...Array.from(document.querySelectorAll("link[href]"), l => l.href),
                    ...Array.from(document.querySelectorAll("script[src]"), s => s.src),
                    ...Array.from(document.querySelectorAll("[data-rows], [data-index]"),
                        e => new URL(e.dataset.rows || e.dataset.index, document.baseURI).href),
                ],
            })"""
        )
        for target in found["links"]:
            if not target.startswith(site_url):
                continue
            links.append((url, target))
            bare = urldefrag(target).url
            if is_page(bare) and bare not in seen:
                seen.add(bare)
                queue.append(bare)
            elif not is_page(bare):
                assets.setdefault(bare, url)
        for asset in found["assets"]:
            if asset.startswith(site_url):
                assets.setdefault(urldefrag(asset).url, url)

    written = {site_url + p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")} - {site_url + "404.html"}
    unreached = sorted(written - set(ids))
    assert not unreached, f"pages the build wrote that no link reaches from the index: {unreached}"

    for asset, used_on in sorted(assets.items()):
        response = page.request.get(asset)
        if response.status != 200:
            problems.append(f"{asset} (linked from {used_on}): HTTP {response.status}")
        response.dispose()

    for source, target in links:
        bare, fragment = urldefrag(target)
        if not fragment:
            continue
        if bare not in ids:
            problems.append(f"{source} links to {target}, but #{fragment} is on a page that is not HTML")
        elif fragment not in ids[bare]:
            problems.append(f"{source} links to {target}: no element has the id {fragment!r} there")

    problems += watched.take()  # console errors, uncaught page errors and failed loads on any page visited
    assert not problems, (
        f"crawled {len(ids)} pages with {len(links)} internal links and {len(assets)} other files; problems:\n"
        + "\n".join(problems)
    )


# --- 6. a report page ----------------------------------------------------------------------------


def facts(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all(
        "aside.facts dt",
        """dts => Object.fromEntries(dts.map(dt => [dt.textContent.trim(),
            dt.nextElementSibling ? dt.nextElementSibling.textContent.trim() : ""]))""",
    )


def elapsed_markers(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "ol.timeline > li",
        "items => items.map(li => { const e = li.querySelector('.elapsed'); return e ? e.textContent.trim() : ''; })",
    )


def test_report_page_shows_timeline_and_facts(watched: WatchedPage, site_url: str, incidents: list[Incident]) -> None:
    incident = showcase_report(incidents)
    page = watched.page
    page.goto(incident_at(site_url, incident))
    expect(page.locator("article.report h1")).to_have_text(incident["title"])

    timeline = page.locator("ol.timeline")
    expect(timeline).to_have_count(1)
    expect(timeline).to_be_visible()
    expect(timeline.locator("> li")).to_have_count(len(incident["timeline"]))
    markers = elapsed_markers(page)
    assert all(re.fullmatch(r"T[+−]\d+:\d\d", m) for m in markers if m), markers
    assert any(m.startswith("T+0:") for m in markers), f"no event in the first hour is marked T+0:…: {markers}"

    shown = facts(page)
    assert "Duration" in shown, f"the facts panel has no Duration: {sorted(shown)}"
    assert shown["Duration"] == format_duration(incident["duration_minutes"])
    expect(page.locator("aside.facts")).to_be_visible()
    watched.assert_clean()


def test_timeline_events_at_the_start_time_are_marked_t_plus_zero(
    watched: WatchedPage, site_url: str, incidents: list[Incident]
) -> None:
    """An event written at the same wall-clock time as the incident's start is shown as "T+0:00".

    The start (front matter) and the timeline are written in the same document,
    in the zone it states, so equal wall-clock times are the same instant.
    """
    page = watched.page
    checked, wrong = 0, []
    for incident in incidents:
        start = incident["started_at"]
        if not start or not incident["timeline"]:
            continue
        at_start = [n for n, e in enumerate(incident["timeline"]) if e["at"] and e["at"][:16] == start[:16]]
        if not at_start:
            continue
        page.goto(incident_at(site_url, incident))
        markers = elapsed_markers(page)
        assert len(markers) == len(incident["timeline"]), f"{incident['url']}: timeline items {markers}"
        for n in at_start:
            checked += 1
            if markers[n] != "T+0:00":
                wrong.append(
                    f"{incident['url']}: event {n + 1} ({incident['timeline'][n]['text'][:60]!r}), written at "
                    f"{start[11:16]} like the start ({start}), is marked {markers[n]!r}; all markers: {markers}"
                )
    assert checked, "no report has a timeline event at its start time"
    assert not wrong, "timeline events at the start time are not marked T+0:00:\n" + "\n".join(wrong)
    watched.assert_clean()


# --- 7. screenshots -------------------------------------------------------------------------------


def test_screenshots(watched: WatchedPage, site_url: str, incidents: list[Incident], screenshot_dir: Path) -> None:
    page = watched.page
    report = showcase_report(incidents)
    counts = Counter(name for i in incidents for name in i["services"])
    service = most_common(counts)

    page.goto(site_url + "services/index.html")
    service_link = page.locator("table.services tbody a", has_text=re.compile(rf"^{re.escape(service)}$"))
    expect(service_link).to_have_count(1)
    service_url = service_link.evaluate("a => a.href")

    shots = {
        "index.png": (site_url + "index.html", "#incident-table"),
        "report.png": (incident_at(site_url, report), "article.report"),
        "service.png": (service_url, "main h1"),
        "stats.png": (site_url + "stats.html", "main h1"),
    }
    for name, (url, ready) in shots.items():
        path = screenshot_dir / name
        path.unlink(missing_ok=True)
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: HTTP {response.status if response else None}"
        expect(page.locator(ready).first).to_be_visible()
        page.screenshot(path=str(path), full_page=True)

    for name in shots:
        path = screenshot_dir / name
        assert path.is_file(), f"no screenshot at {path}"
        data = path.read_bytes()
        assert len(data) > len(PNG_SIGNATURE) and data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    expect(page.locator("main h1")).to_have_text("Stats")
    watched.assert_clean()
