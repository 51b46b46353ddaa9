"""Lists longer than a page in a real browser: pagers, and filters that reach past the page into the data files.

The archive is generated here: 120 incidents a day apart, each with one open and
one done action item, in four services, all tagged "all".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from .conftest import Browser, WatchedPage, built_and_served, watching

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with a clear message instead
    expect = None

COUNT = 120
SERVICES = 4


def service_of(n: int) -> str:
    return f"svc-{n % SERVICES}"


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("long-lists")
    content = site / "content"
    content.mkdir()
    for n in range(COUNT):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=n)
        (content / f"{day.isoformat()}-inc-{n:03d}.md").write_text(
            f"---\ntitle: Incident number {n}\ndate: {day.isoformat()}\nseverity: sev{n % 3 + 1}\n"
            f"services: [{service_of(n)}]\ntags: [all]\n---\n\nShort summary {n}.\n\n"
            f"## Action items\n\n- [ ] Fix cause {n} @owner-{n % 3}\n- [x] Mitigate {n}\n",
            encoding="utf-8",
        )
    with built_and_served(site, "Long lists") as url:
        yield url


@pytest.fixture
def watched_long(browser: Browser, long_site: str) -> Iterator[WatchedPage]:
    with watching(browser, lambda page: WatchedPage(page, long_site)) as watch:
        yield watch


def test_a_service_links_to_all_its_open_follow_ups_across_pages(watched_long: WatchedPage, long_site: str) -> None:
    service = service_of(1)
    expected = [f"Fix cause {n} @owner-{n % 3}" for n in reversed(range(COUNT)) if service_of(n) == service]
    assert len(expected) > 10, "the service must have more open follow-ups than its page shows"

    page = watched_long.page
    page.goto(f"{long_site}services/{service}.html")
    page.click(f"text=All {len(expected)} open follow-ups of {service}")

    expect(page.locator("#follow-up-status")).to_have_text(f"{len(expected)} action items")
    expect(page.locator("#follow-up-filters select[name=service]")).to_have_value(service)
    expect(page.locator("#follow-up-filters select[name=status]")).to_have_value("open")
    actions = page.locator("#follow-up-table tbody td:nth-child(1)").all_text_contents()
    assert [a.strip() for a in actions] == expected  # from every page of the list, newest incident first
    expect(page.locator("#follow-up-pager")).to_be_hidden()

    page.click("#follow-up-filters button[type=reset]")
    expect(page.locator("#follow-up-status")).to_have_text("")
    expect(page.locator("#follow-up-table tbody tr")).to_have_count(100)
    expect(page.locator("#follow-up-pager")).to_be_visible()
    assert "?" not in page.url, f"the cleared filters stayed in the address: {page.url}"
    watched_long.assert_clean()


def test_an_index_filter_in_the_address_survives_a_reload(watched_long: WatchedPage, long_site: str) -> None:
    service = service_of(2)
    expected = [f"Incident number {n}" for n in reversed(range(COUNT)) if service_of(n) == service]

    page = watched_long.page
    page.goto(long_site + "index.html")
    page.select_option("#filters select[name=service]", value=service)
    expect(page.locator("#filter-status")).to_have_text(f"{len(expected)} incidents")
    assert page.url.endswith(f"index.html?service={service}")

    page.reload()
    expect(page.locator("#filter-status")).to_have_text(f"{len(expected)} incidents")
    titles = page.locator("#incident-table tbody td:nth-child(2)").all_text_contents()
    assert [t.strip() for t in titles] == expected
    watched_long.assert_clean()


def test_a_tag_page_leads_to_its_older_incidents(watched_long: WatchedPage, long_site: str) -> None:
    page = watched_long.page
    page.goto(long_site + "tags/all.html")
    expect(page.locator("table.incidents tbody tr")).to_have_count(100)
    page.click("nav.pager >> text=Older →")

    assert page.url == long_site + "tags/all/page/2.html"
    rows = page.locator("table.incidents tbody tr")
    expect(rows).to_have_count(COUNT - 100)
    expect(page.locator("nav.pager")).to_contain_text("Page 2 of 2")
    rows.last.locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Incident number 0")
    watched_long.assert_clean()
