"""Every internal link and anchor of the built site must resolve.

Each rendered page is reduced to its links and anchors as it goes by
(`PageLinks`), so the check holds a few strings per page rather than the
pages themselves. Links are read with a pattern rather than a full HTML
parser: every attribute in the output comes from our templates or from nh3,
which always writes `name="value"`.
"""

from __future__ import annotations

import html
import posixpath
import re
import sys
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from ..core.model import Incident

# Led by the literal, not by a look-behind, so the search jumps between candidates (five times faster);
# `_attribute` then drops matches inside a longer name (`data-id="…"`, `grid="…"`).
_LINK = re.compile(r'(?:href|src)="([^"]*)"')
_ID = re.compile(r'id="([^"]*)"')
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)

#: Given a page's source and a link as written in the page, where the author wrote it: the file, the line, and the
#: link as the author wrote it when the page shows it rewritten (`b.md#x` published as `../incidents/b.html#x`).
Locate = Callable[[str, str], tuple[str, int | None, str | None]]


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What the check needs of one page: where it is, what it was made from, its links and its anchors."""

    path: str
    source: str
    links: tuple[str, ...]  # as written in the HTML, each once, sorted
    ids: frozenset[str]


def links_of(path: str, text: str, source: str) -> PageLinks:
    """Only HTML pages have links to check and anchors to link to; other files are just there."""
    if not path.endswith(".html"):
        return PageLinks(path, source, (), frozenset())
    # Most links (navigation, tags, services) recur on thousands of pages: one string each.
    links = tuple(sorted({sys.intern(link) for link in _attribute(_LINK, text)}))
    return PageLinks(path, source, links, frozenset(_attribute(_ID, text)))


def check_links(pages: Sequence[PageLinks], other_paths: Iterable[str], locate: Locate | None = None) -> list[Diagnostic]:
    """A `broken-link` warning for each internal link or anchor that leads nowhere.

    `pages` are the site's pages as `links_of` saw them; `other_paths` the site's other files.
    """
    ids = {page.path: page.ids for page in pages if page.path.endswith(".html")}
    existing = set(ids) | set(other_paths) | {page.path for page in pages}
    return [problem for found in check_pages(pages, existing, ids.get, locate).values() for problem in found]


def check_pages(
    pages: Iterable[PageLinks], existing: Container[str], ids_of: Callable[[str], frozenset[str] | None],
    locate: Locate | None = None,
) -> dict[str, list[Diagnostic]]:
    """`check_links` for some of a site's pages, by page (those with a broken link, in the order given): `existing`
    holds every file of the site, `ids_of` gives the anchors of any of its HTML pages (None for other files)."""
    problems: dict[str, list[Diagnostic]] = {}
    # Most links recur on every page of a folder (navigation, tags, services): each is judged once per folder.
    judged: dict[tuple[str, str], str] = {}
    for page in pages:
        if not page.path.endswith(".html") or page.path == "404.html":
            continue  # the 404 page is served at any depth, so its links are written for the root
        folder = posixpath.dirname(page.path)
        for raw in page.links:
            link = html.unescape(raw)
            on_page = link[:1] in ("", "#", "?")  # leads into the page itself, wherever the page is
            reason = None if on_page else judged.get((folder, link))
            if reason is None:
                reason = _broken(page.path, link, existing, ids_of)
                if not on_page:
                    judged[folder, link] = reason
            if reason:
                where, line, written = locate(page.source, raw) if locate else (page.source, None, None)
                shown = f"{written!r} (published as {raw!r})" if written else repr(raw)
                problems.setdefault(page.path, []).append(
                    diag.warning("broken-link", f"{shown} on {page.path} {reason}; fix or remove the link", where, line))
    return problems


def links_into(pages: Iterable[PageLinks], target: str) -> list[PageLinks]:
    """The pages with a link to an anchor of the page `target`: what may break, or mend, when its anchors change."""
    def into(page: PageLinks) -> bool:
        return any(_resolved(page.path, html.unescape(raw)) == target for raw in page.links if "#" in raw)

    return [page for page in pages if page.path.endswith(".html") and into(page)]


def less_reported(
    broken: Mapping[str, Sequence[Diagnostic]], problems: Sequence[Diagnostic]
) -> dict[str, tuple[Diagnostic, ...]]:
    """`broken` (by page), less the links a `missing-asset` among `problems` already reports on the same line."""
    already = {(d.path, d.line) for d in problems if d.code == "missing-asset"}
    kept = {page: tuple(d for d in found if (d.path, d.line) not in already) for page, found in broken.items()}
    return {page: found for page, found in kept.items() if found}


def link_locator(incidents: Iterable[Incident]) -> Locate:
    """Find the line of a report's link in its source, for `broken-link` diagnostics."""
    by_source = {i.source: i for i in incidents}

    def locate(source: str, link: str) -> tuple[str, int | None, str | None]:
        incident = by_source.get(source)
        target, _, fragment = link.replace("&amp;", "&").partition("#")
        # A link to another document is rewritten (b.md#x → ../incidents/b.html#x): its anchor is as written.
        for part in (part for part in (target, fragment and f"#{fragment}") if part):
            for section in incident.every_section() if incident else ():
                offset = section.text.find(part)
                if offset != -1:
                    line = (section.body_line or section.line) + section.text.count("\n", 0, offset)
                    written = _written_link(section.text, offset, len(part)) if part != target else None
                    return source, line, written if written and written != html.unescape(link) else None
        return source, None, None

    return locate


def _written_link(text: str, offset: int, length: int) -> str:
    """The link whose part `text[offset:offset + length]` is: back to where a Markdown or HTML link's address
    starts (`(`, `<`, a quote or a space)."""
    start = offset
    while start > 0 and text[start - 1] not in "(<\"' \t\n":
        start -= 1
    return text[start : offset + length]


def _attribute(pattern: re.Pattern[str], text: str) -> list[str]:
    """The values of the attribute `pattern` finds, where it is a whole attribute name."""
    return [m.group(1) for m in pattern.finditer(text) if m.start() == 0 or not _in_name(text[m.start() - 1])]


def _in_name(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _resolved(page: str, link: str) -> str | None:
    """The site path an internal link on `page` leads to; None for an external or absolute one."""
    if not link or _EXTERNAL.match(link) or link.startswith("/"):
        return None
    target = link.partition("#")[0].split("?", 1)[0]
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(target))) if target else page
    if target.endswith("/") or resolved in ("", "."):
        resolved = posixpath.join(resolved, "index.html").lstrip("./") if resolved not in ("", ".") else "index.html"
    return resolved


def _broken(page: str, link: str, existing: Container[str], ids_of: Callable[[str], frozenset[str] | None]) -> str:
    resolved = _resolved(page, link)
    if resolved is None:
        return ""
    fragment = link.partition("#")[2]
    if resolved.startswith("../") or resolved not in existing:
        return "points at a file that is not in the site"
    anchors = ids_of(resolved) if fragment else None
    if anchors is not None and unquote(fragment) not in anchors:
        return f"points at an anchor #{fragment} that {resolved} does not have"
    return ""
