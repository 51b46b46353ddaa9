"""Markdown → safe HTML, and the one Markdown parser configuration hindsite uses.

Raw HTML is allowed in the source (real postmortems contain it) and the
rendered result is sanitised with nh3 before anything can mark it safe.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


def new_parser() -> MarkdownIt:
    """CommonMark with raw HTML, tables, strikethrough and footnotes."""
    return (
        MarkdownIt("commonmark", {"html": True, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
    )


PARSER = new_parser()

_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = (set(nh3.ALLOWED_TAGS) | {"input"}) - {"area", "map"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "input": {"type", "checked", "disabled"},
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer",
    filter_style_properties={"text-align"},
)


def sanitise(html: str) -> str:
    """Remove anything that could run or load in a reader's browser."""
    return _CLEANER.clean(html)


def render_markdown(text: str) -> str:
    """Markdown source → sanitised HTML fragment."""
    if not text.strip():
        return ""
    return sanitise(PARSER.render(text))
