"""Rows the script draws from the data files look as the rows the build wrote: same elements, classes, links and
chips. The caption of a filtered or sorted list says what it shows.

The archive is generated here: 130 incidents a day apart, some with more services
than a row shows, some without a severity or a duration, two undated, each with
action items that give their ticket in a column, in their text or as an address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Browser, WatchedPage, built_and_served, watching

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with a clear message instead
    expect = None

COUNT = 130
UNDATED = 2

#: A row as a string that names every element, attribute and text in order, whitespace between elements aside.
CANONICAL = """rows => rows.map(function canon(node) {
    if (node.nodeType === Node.TEXT_NODE) {
        const words = node.textContent.replace(/\\s+/g, " ").trim();
        return words ? JSON.stringify(words) : "";
    }
    // An address as it resolves: a later page of a list writes the same one from a level deeper.
    const attributes = Array.from(node.attributes, a => a.name + "=" + JSON.stringify(a.name === "href" ? node.href : a.value))
        .sort().join(" ");
    return "<" + node.localName + (attributes ? " " + attributes : "") + ">" +
        Array.from(node.childNodes, canon).join("") + "</" + node.localName + ">";
})"""


def document(n: int) -> str:
    services = [f"svc-{k}" for k in range(12)] if n % 7 == 0 else [f"svc-{n % 4}"]
    front = [f"title: Incident number {n}", f"services: [{', '.join(services)}]", f"tags: [all, t{n % 3}]"]
    if n >= UNDATED:
        front.append(f"date: {dt.date(2023, 1, 1) + dt.timedelta(days=n)}")
    if n % 5:
        front.append(f"severity: sev{n % 3 + 1}")
    if n % 11 and n >= UNDATED:
        day = dt.date(2023, 1, 1) + dt.timedelta(days=n)
        front += [f"started_at: {day}T10:00:00+00:00", f"resolved_at: {day}T{11 + n % 9}:{n % 60:02d}:00+00:00"]
    return (
        "---\n" + "\n".join(front) + "\n---\n\nShort summary.\n\n## Action items\n\n"
        "| Action | Owner | Status | Ticket |\n|---|---|---|---|\n"
        f"| Fix cause {n} | owner-{n % 3} | open | OPS-{n} |\n"
        f"| Watch it (OPS-{n + 1000}) | owner-{n % 2} | done | OPS-{n + 1000} |\n"
        f"| Write it down | | open | https://tickets.example/{n} |\n"
    )


@pytest.fixture(scope="module")
def rows_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("rows")
    content = site / "content"
    content.mkdir()
    for n in range(COUNT):
        (content / f"inc-{n:03d}.md").write_text(document(n), encoding="utf-8")
    with built_and_served(site, "Rows") as url:
        yield url


@pytest.fixture
def watched_rows(browser: Browser, rows_site: str) -> Iterator[WatchedPage]:
    with watching(browser, lambda page: WatchedPage(page, rows_site)) as watch:
        yield watch


def canonical_rows(page: Any, table: str) -> list[str]:
    return page.eval_on_selector_all(f"{table} tbody tr", CANONICAL)


def written_rows(page: Any, first: str, table: str) -> list[str]:
    """Every row the build wrote into a long list's pages, in order, each as `CANONICAL` gives it."""
    rows: list[str] = []
    page.goto(first)
    while True:
        rows += canonical_rows(page, table)
        older = page.locator("nav.pager a[rel=next]")
        if not older.count():
            return rows
        older.click()
        page.wait_for_load_state()


def test_index_rows_drawn_by_the_script_are_the_rows_the_build_wrote(watched_rows: WatchedPage, rows_site: str) -> None:
    page = watched_rows.page
    written = written_rows(page, rows_site + "index.html", "#incident-table")
    assert len(written) == COUNT
    assert any('class="more"' in row for row in written), "no row has more services than it shows"

    page.goto(rows_site + "index.html")
    page.click("#incident-table th[data-key=date] button")  # oldest first: every row, from the data file
    expect(page.locator("#filter-status")).to_have_text(f"{COUNT} incidents")
    drawn = canonical_rows(page, "#incident-table")
    dated = written[: COUNT - UNDATED]
    assert drawn == dated[::-1] + written[COUNT - UNDATED :]  # unknown dates last either way
    watched_rows.assert_clean()


def test_follow_up_rows_drawn_by_the_script_are_the_rows_the_build_wrote(watched_rows: WatchedPage, rows_site: str) -> None:
    page = watched_rows.page
    written = written_rows(page, rows_site + "follow-ups.html", "#follow-up-table")
    assert len(written) == 3 * COUNT
    page.goto(rows_site + "follow-ups.html")
    page.select_option("#follow-up-filters select[name=status]", value="open")
    expect(page.locator("#follow-up-status")).to_have_text(f"{2 * COUNT} action items")
    drawn = canonical_rows(page, "#follow-up-table")
    assert drawn == [row for row in written if '"open"' in row]
    watched_rows.assert_clean()


def test_a_ticket_is_named_once_in_a_follow_up_row(watched_rows: WatchedPage, rows_site: str) -> None:
    page = watched_rows.page
    page.goto(rows_site + "follow-ups.html")
    actions = [a.strip() for a in page.locator("#follow-up-table tbody td:first-child").all_text_contents()[:3]]
    number = COUNT - 1
    assert actions == [f"Fix cause {number} (OPS-{number})", f"Watch it (OPS-{number + 1000})", "Write it down (link)"]
    link = page.locator("#follow-up-table tbody tr").nth(2).locator("td:first-child a")
    expect(link).to_have_attribute("href", f"https://tickets.example/{number}")
    watched_rows.assert_clean()


def test_the_caption_says_what_a_filtered_or_sorted_list_shows(watched_rows: WatchedPage, rows_site: str) -> None:
    page = watched_rows.page
    page.goto(rows_site + "index.html")
    caption = page.locator("#incident-table caption")
    written = caption.text_content()
    assert written == f"Incidents 1–100 of {COUNT}, newest first"

    page.select_option("#filters select[name=severity]", value="sev1")
    sev1 = sum(1 for n in range(COUNT) if n % 5 and n % 3 == 0)
    expect(caption).to_have_text(f"{sev1} incidents matching the filters, newest first")
    expect(page.locator("#incident-table tbody tr")).to_have_count(sev1)
    page.click("#incident-table th[data-key=duration] button")
    expect(caption).to_have_text(f"{sev1} incidents matching the filters, longest first")
    page.click("#incident-table th[data-key=duration] button")
    expect(caption).to_have_text(f"{sev1} incidents matching the filters, shortest first")
    page.click("#filters button[type=reset]")
    expect(caption).to_have_text(f"{COUNT} incidents, shortest first")  # the sort stays: every row, in its order

    page.goto(rows_site + "follow-ups.html")
    page.select_option("#follow-up-filters select[name=owner]", value="owner-1")
    owned = sum(1 for n in range(COUNT) if n % 3 == 1) + sum(1 for n in range(COUNT) if n % 2 == 1)
    expect(page.locator("#follow-up-table caption")).to_have_text(
        f"{owned} action items matching the filters, newest incident first")
    page.click("#follow-up-filters button[type=reset]")
    expect(page.locator("#follow-up-table caption")).to_have_text(f"Action items 1–100 of {3 * COUNT}, newest incident first")
    watched_rows.assert_clean()
