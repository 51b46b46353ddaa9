"""linkcheck.py: every internal link and anchor of the rendered pages must resolve."""

from __future__ import annotations

from factories import normalised

from hindsite.core.diagnostics import Diagnostic, Level
from hindsite.write.linkcheck import check_links, link_locator, links_of

INCIDENT = ('<h1 id="top">DB</h1><section><h2 id="s-summary">Summary</h2>'
            '<h2 id="s-root-cause">Root cause</h2></section>')
TAG = '<h1 id="tag-title">#db</h1>'
STATIC = ["static/style.css", "static/hindsite.js", "files/2024/graph.png", "files/notes/my log.txt"]


def page(path: str, body: str, source: str | None = None) -> tuple[str, str, str]:
    return (path, f"<html><body>{body}</body></html>", source or f"page {path}")


def site(*extra: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    return [
        page("index.html", '<a href="incidents/db.html">DB</a>'),
        page("incidents/db.html", INCIDENT, "content/db.md"),
        page("tags/db.html", TAG),
        page("tags/index.html", ""),
        *extra,
    ]


def problems(*extra: tuple[str, str, str], other_paths: list[str] = STATIC, locate=None) -> list[Diagnostic]:
    return check_links([links_of(*p) for p in site(*extra)], other_paths, locate)


def test_a_consistent_site_has_no_problems() -> None:
    assert problems() == []


def test_link_to_a_missing_page() -> None:
    found = problems(page("search.html", '<a href="incidents/gone.html">gone</a>', "search page"))
    assert len(found) == 1
    d = found[0]
    assert d.code == "broken-link"
    assert d.level is Level.WARNING
    assert "'incidents/gone.html'" in d.message
    assert "search.html" in d.message
    assert "not in the site" in d.message
    assert d.path == "search page"
    assert d.line is None


def test_link_to_an_existing_page_with_a_missing_anchor_names_the_anchor() -> None:
    found = problems(page("about.html", '<a href="incidents/db.html#s-timeline">t</a>'))
    assert len(found) == 1
    assert found[0].code == "broken-link"
    assert "#s-timeline" in found[0].message
    assert "incidents/db.html" in found[0].message


def test_existing_anchors_are_fine() -> None:
    assert problems(page("about.html", '<a href="incidents/db.html#s-root-cause">rc</a>'
                                       '<a href="incidents/db.html#top">top</a>')) == []


def test_same_page_anchors() -> None:
    ok = page("about.html", '<h2 id="here">x</h2><a href="#here">here</a>')
    assert problems(ok) == []
    found = problems(page("other.html", '<h2 id="here">x</h2><a href="#nowhere">?</a>'))
    assert len(found) == 1
    assert "#nowhere" in found[0].message


def test_a_link_into_its_own_page_is_judged_on_each_page_of_a_folder_however_it_is_escaped() -> None:
    """Links are judged once per folder, but for those that lead into the page itself."""
    for escaped in ("#here", "&#35;here", "?q=1#here", "&#63;q=1#here"):
        has_it = page("tags/a.html", f'<h2 id="here">x</h2><a href="{escaped}">here</a>')
        lacks_it = page("tags/b.html", f'<a href="{escaped}">here</a>')
        found = problems(has_it, lacks_it)
        assert [d.message.split(" on ")[1].split(" ")[0] for d in found] == ["tags/b.html"], escaped


def test_external_and_special_links_are_ignored() -> None:
    body = ('<a href="https://example.com/missing.html">e</a>'
            '<a href="http://example.com/x#nope">e</a>'
            '<a href="mailto:ops@example.com">mail</a>'
            '<a href="tel:+4912345">tel</a>'
            '<img src="//cdn.example.com/logo.png">'
            '<a href="/absolute/page.html">abs</a>'
            '<a href="">empty</a>')
    assert problems(page("about.html", body)) == []


def test_links_from_the_404_page_are_ignored() -> None:
    # The 404 page is served at any depth; its links are written for the root and may not resolve from it.
    assert problems(page("404.html", '<a href="../nowhere.html">x</a><a href="gone.html#x">y</a>')) == []


def test_links_to_the_404_page_itself_resolve() -> None:
    assert problems(page("404.html", ""), page("about.html", '<a href="404.html">404</a>')) == []


def test_relative_links_from_a_subfolder() -> None:
    ok = page("incidents/web.html", '<a href="../tags/db.html">db</a><a href="db.html#s-summary">sibling</a>'
                                    '<a href="../index.html">home</a><a href="../tags/">tags</a>')
    assert problems(ok) == []
    found = problems(page("incidents/api.html", '<a href="../tags/nope.html">x</a><a href="tags/db.html">y</a>'))
    assert sorted(d.message.split("'")[1] for d in found) == ["../tags/nope.html", "tags/db.html"]


def test_links_climbing_out_of_the_site_are_broken() -> None:
    found = problems(page("incidents/web.html", '<a href="../../index.html">out</a>'))
    assert len(found) == 1


def test_links_to_other_files_are_fine() -> None:
    body = ('<link rel="stylesheet" href="../static/style.css"><script src="../static/hindsite.js"></script>'
            '<img src="../files/2024/graph.png"><a href="../files/notes/my%20log.txt">log</a>')
    assert problems(page("incidents/web.html", body)) == []
    found = problems(page("incidents/web.html", '<img src="../files/2024/missing.png">'))
    assert len(found) == 1


def test_escaped_and_query_links() -> None:
    body = '<a href="search.html?q=a&amp;b=c">s</a><a href="incidents/db.html?x=1#s-summary">q</a>'
    assert problems(page("search.html", ""), page("about.html", body)) == []


def test_each_broken_link_is_reported_once_per_page() -> None:
    body = '<a href="gone.html">1</a><a href="gone.html">2</a>'
    assert len(problems(page("about.html", body))) == 1


def test_non_html_pages_are_not_checked_but_can_be_linked() -> None:
    found = problems(page("feed.xml", '<link href="incidents/gone.html"/>'),
                     page("about.html", '<a href="feed.xml">feed</a>'))
    assert found == []


def test_the_locate_callback_places_the_diagnostic() -> None:
    calls: list[tuple[str, str]] = []

    def locate(source: str, link: str) -> tuple[str, int | None, str | None]:
        calls.append((source, link))
        return "content/web.md", 17, None

    found = problems(page("incidents/web.html", '<a href="other.md#Root&amp;Cause">x</a>', "content/web.md"),
                     locate=locate)
    assert calls == [("content/web.md", "other.md#Root&amp;Cause")]  # the link as written in the page
    assert len(found) == 1
    assert (found[0].path, found[0].line) == ("content/web.md", 17)
    assert found[0].format().startswith("content/web.md:17: warning: broken-link: ")


def test_attributes_whose_names_merely_end_in_href_src_or_id_are_not_links_or_anchors() -> None:
    found = problems(page("a.html", '<div data-href="gone.html" data-src="gone.png" grid="x">'
                                    '<a href="#grid">x</a><p data-id="grid"></p></div>'))
    assert [d.message.split(" on ")[0] for d in found] == ["'#grid'"]  # data-id is not an anchor; data-href no link


def test_a_broken_link_is_placed_on_the_line_that_writes_it_even_once_rewritten() -> None:
    written = normalised("---\ntitle: Queue\n---\n\n## Summary\n\nFirst line.\n"
                         "See [the cause](db.md#root-cause-2) and [above](#nowhere).\n")
    locate = link_locator([written])
    assert locate(written.source, "#nowhere") == (written.source, 8, None)
    assert locate(written.source, "../incidents/db.html#root-cause-2") == (written.source, 8, "db.md#root-cause-2")
    assert locate(written.source, "../incidents/gone.html") == (written.source, None, None)
