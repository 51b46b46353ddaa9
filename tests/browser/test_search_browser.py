"""Search in a real browser: the passage each result quotes, the marked words, the order of results, the facts
searched, and the same search from disk and from under a sub-path.

The example archive's tests work everything out from its `incidents.json`; the
ranking is tested on a small archive written here, where each report holds the
query in one known place.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Browser, WatchedPage, built_and_served, serving, watching
from .test_archive_browser import Incident, plain_text, unique_root_cause_word

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with a clear message instead
    expect = None

def results(page: Any) -> list[dict[str, Any]]:
    """Each result as shown: its link's text and address, the label and passage it quotes, the marked words,
    and whether any element in it came from the document's text as markup."""
    page.wait_for_function("document.querySelectorAll('#search-results > li').length > 0")
    return page.eval_on_selector_all(
        "#search-results > li",
        """items => items.map(li => {
            const link = li.querySelector("a"), quote = li.querySelector(".snippet"), where = quote.querySelector(".where");
            const label = where ? where.textContent : "";
            return {title: link.textContent, href: link.getAttribute("href"), meta: li.querySelector(".muted").textContent,
                    label: label.replace(/: $/, ""), passage: quote.textContent.slice(label.length),
                    marks: Array.from(li.querySelectorAll("mark"), m => m.textContent),
                    foreign: li.querySelectorAll(":not(a):not(span):not(p):not(strong):not(mark)").length};
        })""",
    )


def search(page: Any, url: str, query: str) -> None:
    page.goto(url + "search.html?q=" + query)
    expect(page.locator("#search-status")).to_contain_text("match")


def in_text_at_word_boundaries(passage: str, text: str) -> bool:
    """`passage` ("…" where it was cut) is a run of whole words of `text`."""
    inner = passage.removeprefix("…").removesuffix("…")
    start = text.find(inner)
    if not inner or start == -1:
        return False
    end = start + len(inner)
    cut_before, cut_after = passage.startswith("…"), passage.endswith("…")
    return (start == 0) != cut_before and (end == len(text)) != cut_after and \
        (start == 0 or text[start - 1] == " ") and (end == len(text) or text[end] == " ")


# --- the example archive ------------------------------------------------------------------------------


def test_a_result_quotes_its_first_match_marked_and_cut_at_words_under_its_section(
    watched: WatchedPage, site_url: str, incidents: list[Incident]
) -> None:
    word, incident = unique_root_cause_word(incidents)
    root_cause = next(s for s in incident["sections"] if s["key"] == "root_cause")
    page = watched.page
    search(page, site_url, word)
    (result,) = results(page)
    assert result["title"] == incident["title"]
    assert result["href"].endswith(incident["url"] + "#s-root-cause")
    assert result["label"] == root_cause["heading"]
    text = plain_text(root_cause["html"])
    assert in_text_at_word_boundaries(result["passage"], text), f"{result['passage']!r} is not whole words of {text!r}"
    assert word in result["passage"].lower()
    assert result["marks"] and all(m.lower().startswith(word) for m in result["marks"])
    assert result["passage"] != incident["summary"]
    watched.assert_clean()


def test_every_label_names_the_section_its_passage_comes_from(
    watched: WatchedPage, site_url: str, incidents: list[Incident]
) -> None:
    by_url = {i["url"]: i for i in incidents}
    page = watched.page
    search(page, site_url, "customers")
    shown = results(page)
    assert len(shown) > 1
    for result in shown:
        url, _, anchor = result["href"].partition("#")
        incident = by_url[url]
        if not anchor:
            assert result["label"] == "Summary" and in_text_at_word_boundaries(result["passage"], incident["summary"])
            continue
        page.goto(site_url + result["href"])  # the anchor's section is the one labelled, and holds the passage
        section = page.locator(f"[id='{anchor}']")
        expect(section).to_contain_text(result["label"])
        holder = page.locator(f"section:has(> [id='{anchor}']), section[id='{anchor}']").first
        own = plain_text(holder.evaluate(
            "s => Array.from(s.querySelectorAll(':scope > .prose'), p => p.innerHTML).join(' ')"))
        assert in_text_at_word_boundaries(result["passage"], own), (
            f"{result['title']}: {result['passage']!r} is not in its section {result['label']!r}")
    watched.assert_clean()


def test_a_severity_finds_every_incident_of_that_severity(watched: WatchedPage, site_url: str, incidents: list[Incident]) -> None:
    level = max({i["severity"] for i in incidents if i["severity"]}, key=lambda s: sum(i["severity"] == s for i in incidents))
    expected = sorted(i["title"] for i in incidents if i["severity"] == level)
    page = watched.page
    search(page, site_url, level.upper())
    assert sorted(r["title"] for r in results(page)) == expected
    watched.assert_clean()


@pytest.mark.parametrize("field", ["owner", "service", "tag"])
def test_owners_services_and_tags_are_searched(
    watched: WatchedPage, site_url: str, incidents: list[Incident], field: str
) -> None:
    def names(incident: Incident) -> list[str]:
        if field == "owner":
            return [item["owner"] for item in incident["action_items"] if item["owner"]]
        return list(incident[field + "s"])

    name = min((n for i in incidents for n in names(i)), key=lambda n: (-sum(n in names(i) for i in incidents), n))
    having = {i["title"] for i in incidents if name in names(i)}
    page = watched.page
    search(page, site_url, name)
    found = {r["title"] for r in results(page)}
    assert having <= found, f"searching {name!r} misses {sorted(having - found)}"
    watched.assert_clean()


def test_search_works_from_disk(browser: Browser, built_site: Path, incidents: list[Incident]) -> None:
    word, incident = unique_root_cause_word(incidents)
    origin = built_site.as_uri() + "/"
    with watching(browser, lambda page: WatchedPage(page, origin)) as watch:
        page = watch.page
        page.goto(origin + "incidents/" + Path(incident["url"]).name)
        page.fill("#site-search-q", word)
        page.click("form.site-search button[type=submit]")
        (result,) = results(page)
        assert result["marks"]
        page.click("#search-results a")
        page.wait_for_url(origin + incident["url"] + "#s-root-cause")
        expect(page.locator("article.report h1")).to_have_text(incident["title"])
        watch.assert_clean()


def test_search_works_under_a_sub_path(browser: Browser, tmp_path: Path, built_site: Path, incidents: list[Incident]) -> None:
    word, incident = unique_root_cause_word(incidents)
    (tmp_path / "teams" / "ops").mkdir(parents=True)
    (tmp_path / "teams" / "ops" / "archive").symlink_to(built_site, target_is_directory=True)
    with serving(tmp_path) as server:
        origin = server + "teams/ops/archive/"
        with watching(browser, lambda page: WatchedPage(page, server)) as watch:
            page = watch.page
            page.goto(origin + "services/index.html")
            page.fill("#site-search-q", word)
            page.click("form.site-search button[type=submit]")
            (result,) = results(page)
            page.click("#search-results a")
            page.wait_for_url(origin + incident["url"] + "#s-root-cause")
            assert result["marks"]
            watch.assert_clean()


# --- ranking, on an archive written for it ------------------------------------------------------------

FILLERS = 24  # reports that hold the common word only in their text: more than one screen of results
_AROUND = " ".join(f"Filler word{n}." for n in range(80))
FILLER_TEXT = f"{_AROUND} The commonword is here. {_AROUND}"

RANKED = {
    "in-title": "---\ntitle: Zephyrus outage\ndate: 2024-01-01\n---\n\n## Impact\n\nNothing else here.\n",
    "in-heading": "---\ntitle: Second report\ndate: 2024-01-02\n---\n\n## Zephyrus failover\n\nThe drill went wrong.\n",
    "in-facts": "---\ntitle: Third report\ndate: 2024-01-03\ntags: [zephyrus]\n---\n\n## Impact\n\nSome.\n",
    "in-text": "---\ntitle: Fourth report\ndate: 2024-01-04\n---\n\n## Impact\n\n"
               + "Zephyrus zephyrus zephyrus zephyrus zephyrus, all day long.\n",
    "marked-up": "---\ntitle: <b>Bold</b> zephyrus <img src=x onerror=alert(1)>\ndate: 2023-12-31\n---\n\n## Impact\n\nNone.\n",
}


@pytest.fixture(scope="module")
def ranked_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("ranked")
    content = site / "content"
    content.mkdir()
    for name, text in RANKED.items():
        (content / f"{name}.md").write_text(text, encoding="utf-8")
    for n in range(FILLERS):
        (content / f"filler-{n:02d}.md").write_text(
            f"---\ntitle: Filler {n}\ndate: 2022-01-{n + 1:02d}\n---\n\n## Resolution\n\n{FILLER_TEXT}\n", encoding="utf-8")
    with built_and_served(site, "Ranked") as url:
        yield url


@pytest.fixture
def watched_ranked(browser: Browser, ranked_site: str) -> Iterator[WatchedPage]:
    with watching(browser, lambda page: WatchedPage(page, ranked_site)) as watch:
        yield watch


def test_results_rank_title_then_headings_and_facts_then_text(watched_ranked: WatchedPage, ranked_site: str) -> None:
    page = watched_ranked.page
    search(page, ranked_site, "zephyrus")
    titles = [r["title"] for r in results(page)]
    assert titles[:2] == ["Zephyrus outage", "<b>Bold</b> zephyrus <img src=x onerror=alert(1)>"] or \
        titles[:2] == ["<b>Bold</b> zephyrus <img src=x onerror=alert(1)>", "Zephyrus outage"]
    assert set(titles[2:4]) == {"Second report", "Third report"}
    assert titles[4:] == ["Fourth report"]
    watched_ranked.assert_clean()


def test_a_result_is_text_whatever_its_title_and_passage_hold(watched_ranked: WatchedPage, ranked_site: str) -> None:
    page = watched_ranked.page
    search(page, ranked_site, "bold")
    (result,) = results(page)
    assert result["title"] == "<b>Bold</b> zephyrus <img src=x onerror=alert(1)>"
    assert result["marks"] == ["Bold"]
    assert result["foreign"] == 0, "markup from the document's title became elements"
    watched_ranked.assert_clean()


def test_a_heading_or_a_fact_that_matches_is_the_label_or_the_facts_quoted(
    watched_ranked: WatchedPage, ranked_site: str
) -> None:
    page = watched_ranked.page
    search(page, ranked_site, "zephyrus")
    shown = {r["title"]: r for r in results(page)}
    assert shown["Second report"]["label"] == "Zephyrus failover" and shown["Second report"]["href"].endswith("#s-zephyrus-failover")
    assert shown["Third report"]["label"] == "Facts" and "Tags zephyrus" in shown["Third report"]["passage"]
    assert shown["Fourth report"]["label"] == "Impact" and len(shown["Fourth report"]["marks"]) == 5
    watched_ranked.assert_clean()


def test_long_passages_are_cut_and_more_results_come_on_request(watched_ranked: WatchedPage, ranked_site: str) -> None:
    page = watched_ranked.page
    search(page, ranked_site, "commonword")
    expect(page.locator("#search-status")).to_contain_text(f"{FILLERS} reports match")
    first = results(page)
    assert len(first) == 20
    for result in first:
        assert result["passage"].startswith("…") and result["passage"].endswith("…"), result["passage"]
        assert in_text_at_word_boundaries(result["passage"], FILLER_TEXT), result["passage"]
        assert result["marks"] == ["commonword"]
        assert len(result["passage"]) < len(FILLER_TEXT) / 4
    page.click("button.more-results")
    expect(page.locator("#search-results > li")).to_have_count(FILLERS)
    expect(page.locator("button.more-results")).to_be_hidden()
    watched_ranked.assert_clean()
