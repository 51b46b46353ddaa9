"""Markdown → safe HTML, and the one Markdown parser configuration hindsite uses.

Raw HTML is allowed in the source (real postmortems contain it) and the
rendered result is sanitised with nh3 before anything can mark it safe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

#: markdown-it drops whatever lies deeper than this many open blocks (quotes, lists, items, paragraphs);
#: 100 stays well within Python's recursion limit, and deeper quotes are flattened to `_MAX_QUOTES`.
_MAX_NESTING = 100
_MAX_QUOTES = 32
_DEEP_QUOTE = re.compile(rf"^(?: {{0,3}}> ?){{{_MAX_QUOTES},}}", re.M)


def new_parser() -> MarkdownIt:
    """CommonMark with raw HTML, tables, strikethrough and footnotes.

    A fenced block's language is shown as a caption, since it is part of what
    the author wrote.
    """
    parser = (
        MarkdownIt("commonmark", {"html": True, "typographer": False, "maxNesting": _MAX_NESTING})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
    )
    plain_fence = parser.renderer.rules["fence"]

    def captioned_fence(renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        rendered: str = plain_fence(tokens, idx, options, env)
        info = tokens[idx].info.strip()
        if not info:
            return rendered
        return f'<figure class="code"><figcaption>{escapeHtml(info)}</figcaption>{rendered}</figure>\n'

    parser.add_render_rule("fence", captioned_fence)
    return parser


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
    allowed_classes={"figure": {"code", "image"}},
)

#: An image alone in its paragraph: shown as a figure whose caption is its alt text.
_LONE_IMAGE = re.compile(r'<p>(<img src="[^"]*" alt="([^"]+)"[^>]*>)</p>')


def sanitise(html: str) -> str:
    """Remove anything that could run or load in a reader's browser."""
    return _CLEANER.clean(html)


@dataclass(frozen=True, slots=True)
class Parsed:
    """Markdown parsed once: its tokens serve both the normaliser's blocks and the rendered HTML."""

    tokens: list[Token]
    env: dict[str, Any]

    @property
    def references(self) -> dict[str, Any]:
        return dict(self.env.get("references", {}))

    def html(self) -> str:
        """The sanitised HTML of these tokens."""
        if not self.tokens:
            return ""
        rendered = PARSER.renderer.render(self.tokens, PARSER.options, self.env)
        rendered = _LONE_IMAGE.sub(r'<figure class="image">\1<figcaption>\2</figcaption></figure>', rendered)
        return sanitise(rendered)


def parse(text: str, references: Mapping[str, Any] | None = None) -> Parsed:
    """Parse Markdown once. `references` are link definitions from elsewhere in the same document
    (`[PM-9]: other.md`), so a section's `[see][PM-9]` still links."""
    env: dict[str, Any] = {"references": dict(references)} if references else {}
    flattened = _DEEP_QUOTE.sub("> " * _MAX_QUOTES, text)  # what lies deeper would be dropped
    return Parsed(PARSER.parse(flattened, env) if text.strip() else [], env)


def render_markdown(text: str, references: Mapping[str, Any] | None = None) -> str:
    """Markdown source → sanitised HTML fragment."""
    return parse(text, references).html()


def render_inline(text: str) -> str:
    """One line or a few of Markdown (a timeline entry, an action item) → sanitised inline HTML."""
    if not text.strip():
        return ""
    return sanitise(PARSER.renderInline(text))
