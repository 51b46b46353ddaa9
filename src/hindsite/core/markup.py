"""Markdown → safe HTML, and the one Markdown parser configuration hindsite uses.

Raw HTML is allowed in the source (real postmortems contain it) and the
rendered result is sanitised with nh3 before anything can mark it safe.
"""

from __future__ import annotations

import bisect
import html
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

#: markdown-it drops whatever lies deeper than this many open blocks (quotes, lists, items, paragraphs);
#: 100 stays well within Python's recursion limit.
_MAX_NESTING = 100
#: From this many open blocks down (a quote is one, a list item two: its list and itself), the rest of a
#: container is published flat (`_flatten_too_deep`), well before markdown-it would drop it: a table or a
#: footnote inside still fits.
DEEPEST = 64


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
    plain_fence = _html_rules(parser)["fence"]

    def captioned_fence(renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        rendered: str = plain_fence(tokens, idx, options, env)
        info = tokens[idx].info.strip()
        if not info:
            return rendered
        return f'<figure class="code"><figcaption>{escapeHtml(info)}</figcaption>{rendered}</figure>\n'

    parser.add_render_rule("fence", captioned_fence)
    parser.add_render_rule("html_block", lambda self, tokens, idx, options, env: unknown_tags_as_text(tokens[idx].content))
    parser.add_render_rule("html_inline", lambda self, tokens, idx, options, env: unknown_tags_as_text(tokens[idx].content))
    parser.block.ruler.before("table", "too_deep", _flatten_too_deep)
    _link_footnotes_only_in_scope(parser)
    parser.core.ruler.before("footnote_tail", "keep_unused_footnotes", _keep_unused_footnotes)
    parser.add_render_rule("unused_footnote_open", lambda self, tokens, idx, options, env: (
        f'<div class="footnote-unused"><sup>[{escapeHtml(tokens[idx].meta["label"])}]</sup> '))
    parser.add_render_rule("unused_footnote_close", lambda self, tokens, idx, options, env: "</div>\n")
    return parser


#: What opens containers at the start of a line: quote marks, bullets and numbers, and the spaces between them.
_CONTAINER_MARKS = re.compile(r"(?:[ \t]*(?:>|(?P<bullet>[-+*])(?=[ \t]|$)|(?P<number>\d{1,9})[.)](?=[ \t]|$)))*")


@dataclass(slots=True)
class _FlatEntry:
    """Lines of a too-deep container shown as one paragraph or list item.

    A list marker starts one, and so does a blank line or a line quoted more or less deeply than the one before.
    """

    first: int
    last: int
    lines: list[str]
    bullet: str = ""
    number: int | None = None

    @property
    def list_kind(self) -> str:
        """"bullet" or "ordered" for a list item, "" for a paragraph."""
        return "bullet" if self.bullet else "ordered" if self.number is not None else ""

    def continues(self, before: _FlatEntry) -> bool:
        """Whether this item goes in the list of the one `before`: bullets do, and numbers that count up."""
        if self.list_kind == "bullet" or self.number is None or before.number is None:
            return self.list_kind == before.list_kind == "bullet"
        return self.number == before.number + 1


def _flatten_too_deep(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A block rule that takes over once `DEEPEST` blocks are open: the lines that still belong to the
    innermost container are published flat, their quote marks and list markers dropped, each list item
    an item of one flat list, every word kept. `env["too_deep"]` collects the lines it took.

    It is linear in the lines it takes, where nesting each one deeper would cost the parser a level each.
    """
    if silent or state.level < DEEPEST:
        return False
    entries: list[_FlatEntry] = []
    line, after_blank, quotes = start, True, -1
    while line < end:
        if state.isEmpty(line):
            line, after_blank = line + 1, True
            continue
        if 0 <= state.sCount[line] < state.blkIndent:
            break  # the container ended; a negative count marks a quote's lazy line, which belongs to it
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        marks = _CONTAINER_MARKS.match(text)
        assert marks is not None  # the pattern matches the empty string
        words = text[marks.end() :].strip()
        starts_quote, quotes = marks.group(0).count(">") != quotes, marks.group(0).count(">")
        if marks.group("bullet") or marks.group("number") or starts_quote or after_blank or not entries:
            number = marks.group("number")
            entries.append(_FlatEntry(line, line, [], marks.group("bullet") or "", int(number) if number else None))
        entries[-1].lines.append(words)
        entries[-1].last, line, after_blank = line, line + 1, False
    if not entries:
        return False
    state.line = entries[-1].last + 1
    _push_flat(state, entries)
    taken: list[tuple[int, int]] = state.env.setdefault("too_deep", [])
    taken.append((start, sum(len(entry.lines) for entry in entries)))
    return True


def _push_flat(state: StateBlock, entries: Sequence[_FlatEntry]) -> None:
    """Entries without a marker as paragraphs; a run of bullets as one list, of numbers as one list while they count up.

    They are wrapped in a `<div>`: a tight list around them would hide paragraphs of its own level, running them together.
    """
    state.push("too_deep_open", "div", 1).map = [entries[0].first, entries[-1].last + 1]
    open_list: Token | None = None
    for n, entry in enumerate(entries):
        if open_list is not None and not entry.continues(entries[n - 1]):
            state.push(open_list.type.replace("_open", "_close"), open_list.tag, -1)
            open_list = None
        if entry.list_kind and open_list is None:
            open_list = state.push(f"{entry.list_kind}_list_open", "ul" if entry.bullet else "ol", 1)
            open_list.map = [entry.first, entries[-1].last + 1]
            if entry.number not in (None, 1):
                open_list.attrs["start"] = str(entry.number)
        if entry.list_kind:
            state.push("list_item_open", "li", 1).map = [entry.first, entry.last + 1]
        _push_paragraph(state, entry, hidden=bool(entry.list_kind))  # hidden: a tight list's item shows no <p>
        if entry.list_kind:
            state.push("list_item_close", "li", -1)
    if open_list is not None:
        state.push(open_list.type.replace("_open", "_close"), open_list.tag, -1)
    state.push("too_deep_close", "div", -1)


def _push_paragraph(state: StateBlock, entry: _FlatEntry, hidden: bool) -> None:
    opened = state.push("paragraph_open", "p", 1)
    opened.map, opened.hidden = [entry.first, entry.last + 1], hidden
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = "\n".join(entry.lines).strip(), [entry.first, entry.last + 1], []
    state.push("paragraph_close", "p", -1).hidden = hidden


def _html_rules(parser: MarkdownIt) -> Mapping[str, Callable[..., str]]:
    """The render rules of the parser's HTML renderer (markdown-it's default), to wrap."""
    renderer = parser.renderer
    if not isinstance(renderer, RendererHTML):  # markdown-it types its renderer as a protocol, which has no rules
        raise TypeError(f"hindsite renders Markdown with markdown-it's RendererHTML, not {type(renderer).__name__}")
    return renderer.rules


def _link_footnotes_only_in_scope(parser: MarkdownIt) -> None:
    """Footnotes link to their references and back only in a text rendered with a scope (`Parsed.html`).

    Without one (a timeline entry, an action item) their ids could not be told from another text's
    on the same page, so the reference is its number alone and the note has no way back.
    """
    rules = _html_rules(parser)
    linked_reference = rules["footnote_ref"]
    way_back = rules["footnote_anchor"]

    def reference(renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        if "docId" in env:
            return str(linked_reference(tokens, idx, options, env))
        return f"<sup>{renderer.rules['footnote_caption'](tokens, idx, options, env)}</sup>"

    def anchor(renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return str(way_back(tokens, idx, options, env)) if "docId" in env else ""

    parser.add_render_rule("footnote_ref", reference)
    parser.add_render_rule("footnote_anchor", anchor)


def _keep_unused_footnotes(state: Any) -> None:
    """A footnote nobody refers to, or a second one under the same label, stays where it was written.

    The footnote plugin would drop it, and with it the author's words.
    """
    referenced = {note.get("label") for note in state.env.get("footnotes", {}).get("list", {}).values()}
    seen: set[str] = set()
    depth = 0
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            label = token.meta["label"]
            if label not in referenced or label in seen:
                token.type, depth = "unused_footnote_open", depth + 1
            seen.add(label)
        elif token.type == "footnote_reference_close" and depth:
            token.type, depth = "unused_footnote_close", depth - 1


#: Every element name HTML has or had (the living standard's, its obsolete ones, and the roots of SVG and
#: MathML). A tag of another name (`<OrderService>`, `List<Order>`) is not markup but the author's words.
HTML_ELEMENTS = frozenset("""
    a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col
    colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2
    h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta
    meter nav noscript object ol optgroup option output p param picture portal pre progress q rp rt ruby s samp
    script search section select slot small source span strong style sub summary sup table tbody td template
    textarea tfoot th thead time title tr track u ul var video wbr
    acronym applet basefont bgsound big blink center dir font frame frameset image isindex keygen listing marquee
    menuitem multicol nextid nobr noembed noframes plaintext rb rtc spacer strike tt xmp
    svg math
""".split())
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)")


def unknown_tags_as_text(raw_html: str) -> str:
    """Raw HTML with the `<` of every tag that names no HTML element escaped, so the tag reads as written.

    The sanitiser would drop such a tag, and `Queue depth < 10 made <OrderService> return 5xx` would lose a word.
    """
    if "<" not in raw_html:
        return raw_html
    return _TAG_START.sub(lambda m: m.group(0) if m.group(2).lower() in HTML_ELEMENTS else "&lt;" + m.group(1) + m.group(2),
                          raw_html)


PARSER = new_parser()

_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = (set(nh3.ALLOWED_TAGS) | {"input"}) - {"area", "map"}
_ATTRIBUTES = {
    # `cite` holds a URL that nh3 does not check against the allowed schemes, and no browser shows it.
    **{tag: set(attrs) - {"cite"} for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "input": {"type", "checked", "disabled"},
}
_CLEANER_OPTIONS: dict[str, Any] = dict(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer",
    filter_style_properties={"text-align"},
    allowed_classes={"figure": {"code", "image"}, "span": {"image-caption"}},
)
_CLEANER = nh3.Cleaner(attributes=_ATTRIBUTES, **_CLEANER_OPTIONS)

#: Footnote ids carry this mark from the renderer through the sanitiser, which keeps them and drops every
#: other id; the mark is then taken out. Authors cannot know it, so no id they write passes for a footnote's
#: (and none can take an id of the page's, such as `main` or `s-summary`).
_NOTE_MARK = f"n{secrets.token_hex(8)}"
_NOTE_ID = re.compile(rf"fn(?:ref)?-{_NOTE_MARK}[0-9a-z]*-[0-9]+(?::[0-9]+)?")


def _footnote_ids_only(element: str, attribute: str, value: str) -> str | None:
    if attribute != "id":
        return value
    return value if _NOTE_ID.fullmatch(value) else None


_NOTES_CLEANER = nh3.Cleaner(
    attributes={**_ATTRIBUTES, "a": _ATTRIBUTES["a"] | {"id"}, "li": _ATTRIBUTES.get("li", set()) | {"id"}},
    attribute_filter=_footnote_ids_only,
    **_CLEANER_OPTIONS,
)

_TAG = re.compile(r"<[^>]*>")

#: An image alone in its paragraph: shown as a figure whose caption is its alt text.
_LONE_IMAGE = re.compile(r'<p>(<img src="[^"]*" alt="([^"]+)"[^>]*>)</p>')
#: An image on a line of its own at the end of a paragraph or list item ("… the nodes.\n![Rollout graph](r.png)"):
#: its alt text is shown under it as well, so its words are on the page, not only in an attribute.
_LINE_IMAGE = re.compile(r'(?<=\n)(<img src="[^"]*" alt="([^"]+)"[^>]*>)(?=</p>|</li>)')


def sanitise(html: str) -> str:
    """Remove anything that could run or load in a reader's browser, and every id but the footnotes' (`Parsed.html`)."""
    return (_NOTES_CLEANER if _NOTE_MARK in html else _CLEANER).clean(html)


def url_rewriter(new_url: Callable[[str], str | None]) -> Callable[[str], str]:
    """Rewrites the `href` and `src` of HTML that `sanitise` made: each URL becomes `new_url(url)`, or stays when None.

    The rewrite is a last pass of the sanitiser, which hands over each URL decoded and writes the one it gets
    back escaped, as it writes every attribute: no URL, whatever file name it holds, can leave its attribute.
    The ids that pass are those `sanitise` kept: the footnotes'.
    """

    def rewrite(element: str, attribute: str, value: str) -> str:
        return (new_url(value) or value) if attribute in ("href", "src") else value

    cleaner = nh3.Cleaner(
        attributes={**_ATTRIBUTES, "a": _ATTRIBUTES["a"] | {"id"}, "li": _ATTRIBUTES.get("li", set()) | {"id"}},
        attribute_filter=rewrite,
        **_CLEANER_OPTIONS,
    )
    return cleaner.clean


#: Characters no page, feed or data file may carry: C0 controls but tab and line ends (XML 1.0 forbids them),
#: DEL and C1 controls (HTML calls them errors), lone surrogates (no encoding can write them) and noncharacters.
_NONCHARACTERS = "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17))
UNPUBLISHABLE = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")


def publishable(text: str) -> str:
    """`text` without the characters no published format may carry; a vertical tab or form feed becomes a space."""
    if not UNPUBLISHABLE.search(text):
        return text
    return UNPUBLISHABLE.sub(lambda m: " " if m.group() in ("\v", "\f") else "", text)


#: Elements that would run, load or submit something.
_ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "portal"})
#: Elements the sanitiser removes with everything in them, though they could act only with the ones above.
_DROPPED_TAGS = frozenset({"style", "meta", "link", "svg", "math", "template", "noscript"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "cite", "poster", "data", "background", "xlink:href"})
#: Schemes whose URLs run or render content as the page; other unknown schemes are dropped quietly (app links).
_ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_LINK_TO_SCHEME = re.compile(r"\]\(\s*<?([a-z][a-z0-9+.-]*):|<([a-z][a-z0-9+.-]*):[^\s>]*>", re.I)


class _ActiveParts(HTMLParser):
    """Collects, in words, what of an HTML fragment the sanitiser removes because it could act."""

    def __init__(self, tags: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tags = tags
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.tags:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"the {name} attribute")
            elif name in _URL_ATTRIBUTES and (scheme := _url_scheme(value or "")) in _ACTIVE_SCHEMES:
                self.found.append(f"a {scheme}: URL")


def _url_scheme(url: str) -> str | None:
    """The scheme a browser would see: it ignores whitespace and control characters anywhere in it."""
    match = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]+", "", url).lower())
    return match.group(1) if match else None


def unsafe_parts(tokens: Sequence[Token]) -> list[tuple[int, str]]:
    """(line offset, what) for each piece of raw HTML or link that publishing leaves out because it could act.

    Only what could run, load or submit is named: a `class` the sanitiser also drops is not worth a warning.
    """
    found: list[tuple[int, str]] = []
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.type == "html_block":
            found += [(line, what) for what in active_parts(token.content, _ACTIVE_TAGS | _DROPPED_TAGS)]
        elif token.type == "inline":
            html_parts = [child.content for child in token.children or () if child.type == "html_inline"]
            found += [(line, what) for part in html_parts for what in active_parts(part, _ACTIVE_TAGS | _DROPPED_TAGS)]
            found += [(line, f"a link to a {scheme}: URL") for scheme in _link_schemes(token.content)]
    return found


def active_parts(fragment: str, tags: frozenset[str] = _ACTIVE_TAGS) -> list[str]:
    """What of `fragment` could run, load or submit something, in words ("<script>", "the onclick attribute")."""
    parser = _ActiveParts(tags)
    parser.feed(fragment)
    parser.close()
    return parser.found


def _link_schemes(text: str) -> list[str]:
    schemes = (match.group(1) or match.group(2) for match in _LINK_TO_SCHEME.finditer(text))
    return [scheme for scheme in map(str.lower, schemes) if scheme in _ACTIVE_SCHEMES]


@dataclass(frozen=True, slots=True)
class Parsed:
    """Markdown parsed once: its tokens serve both the normaliser's blocks and the rendered HTML."""

    tokens: list[Token]
    env: dict[str, Any]
    #: Each top-level block with a line map: (first line, line after it, first token, closing token).
    blocks: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def references(self) -> dict[str, Any]:
        return dict(self.env.get("references", {}))

    @property
    def too_deep(self) -> tuple[int, int] | None:
        """(the first line, how many lines) of what nested deeper than `DEEPEST` and is published flat; None when nothing did.

        The line is 0-based in the parsed text.
        """
        taken = self.env.get("too_deep")
        return (min(line for line, _ in taken), sum(count for _, count in taken)) if taken else None

    def between(self, start: int, end: int) -> Parsed | None:
        """The top-level blocks on lines [start, end) of the parsed text, as their own `Parsed`.

        None when a block crosses either bound, or when the text has footnotes
        (their definitions are gathered at the end of the whole text): then the
        lines must be parsed on their own. Token line maps stay relative to the whole.
        """
        if self.env.get("footnotes", {}).get("list"):
            return None
        chosen: list[Token] = []
        blocks = []
        n = bisect.bisect_right(self.blocks, start, key=lambda block: block[1])  # the first block ending after start
        for k in range(n, len(self.blocks)):  # not `blocks[n:]`: a copy of the rest, for each section
            first, last, i, j = self.blocks[k]
            if first >= end:
                break
            if first < start or last > end:
                return None
            blocks.append((first, last, len(chosen), len(chosen) + j - i))
            chosen += self.tokens[i : j + 1]
        return Parsed(chosen, self.env, tuple(blocks))

    def html(self, footnote_scope: str = "0") -> str:
        """The sanitised HTML of these tokens.

        Footnotes and their references link to each other by the ids `fn-SCOPE-N` and `fnref-SCOPE-N`
        (`fnref-SCOPE-N:K` for the K+1th reference to one note). Texts shown on one page need different
        scopes, of lower-case letters and digits: a section's is the line of its heading.
        """
        if not self.tokens:
            return ""
        env = {**self.env, "docId": _NOTE_MARK + footnote_scope}
        rendered = PARSER.renderer.render(self.tokens, PARSER.options, env)
        rendered = _LONE_IMAGE.sub(r'<figure class="image">\1<figcaption>\2</figcaption></figure>', rendered)
        rendered = _LINE_IMAGE.sub(r'\1<span class="image-caption">\2</span>', rendered)
        return sanitise(rendered).replace(_NOTE_MARK, "")


def block_end(tokens: Sequence[Token], i: int) -> int:
    """Index of the token closing the block opened at `i` (itself for self-closing tokens)."""
    if tokens[i].nesting != 1:
        return i
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def parse(text: str, references: Mapping[str, Any] | None = None) -> Parsed:
    """Parse Markdown once. `references` are link definitions from elsewhere in the same document
    (`[PM-9]: other.md`), so a section's `[see][PM-9]` still links."""
    env: dict[str, Any] = {"references": dict(references)} if references else {}
    # Markdown would drop table cells beyond the header's count.
    kept = _widen_ragged_tables(text)
    tokens = PARSER.parse(kept, env) if text.strip() else []
    return Parsed(tokens, env, _top_level_blocks(tokens))


def _top_level_blocks(tokens: Sequence[Token]) -> tuple[tuple[int, int, int, int], ...]:
    blocks = []
    i = 0
    while i < len(tokens):
        j = block_end(tokens, i)
        token = tokens[i]
        if token.level == 0 and token.map:
            first, last = token.map
            blocks.append((first, last, i, j))
        i = j + 1
    return tuple(blocks)


_DELIMITER_ROW = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


def _cells(row: str) -> int:
    inner = row.strip().removeprefix("|")
    inner = inner.removesuffix("|") if not inner.endswith("\\|") else inner
    return len(re.split(r"(?<!\\)\|", inner))


def _widen_ragged_tables(text: str) -> str:
    """Give a table's header and delimiter row as many cells as its widest row, keeping the line count."""
    if "|" not in text or "-" not in text:
        return text
    lines = text.split("\n")
    for n in range(1, len(lines)):
        if "|" not in lines[n - 1] or not _DELIMITER_ROW.match(lines[n]):
            continue
        end = n + 1
        while end < len(lines) and "|" in lines[end] and lines[end].strip():
            end += 1
        missing = max((_cells(row) for row in lines[n + 1 : end]), default=0) - _cells(lines[n - 1])
        if missing > 0:
            lines[n - 1] = lines[n - 1].rstrip().rstrip("|") + " |" + " |" * missing
            lines[n] = lines[n].rstrip().rstrip("|") + "|" + "---|" * missing
    return "\n".join(lines)


def render_markdown(text: str, references: Mapping[str, Any] | None = None, footnote_scope: str = "0") -> str:
    """Markdown source → sanitised HTML fragment (see `Parsed.html` for `footnote_scope`)."""
    return parse(text, references).html(footnote_scope)


#: What can begin inline syntax under `PARSER` (escapes, code spans, emphasis, strikethrough, links, images
#: and footnotes, which all need `[`, autolinks, raw HTML, entities, line breaks), and what the parser or the
#: sanitiser would rewrite (NUL, carriage returns, other control characters, lone surrogates, and a
#: byte-order mark, which it drops from the start of a text).
_INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]<>&\x00-\x08\n-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")


def render_inline(text: str) -> str:
    """One line or a few of Markdown (a timeline entry, an action item) → sanitised inline HTML."""
    if not text.strip():
        return ""
    if not _INLINE_SYNTAX.search(text):
        # Plain words, as most entries are, need no parsing: the parser would escape `"` and the
        # sanitiser write it back; of what is left, the sanitiser writes only a no-break space as an entity.
        return text.replace("\xa0", "&nbsp;")
    return sanitise(PARSER.renderInline(text))


def text_of(fragment: str) -> str:
    """The words of an HTML fragment as a reader sees them: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def inline_text(text: str) -> str:
    """One line or a few of Markdown as the words a reader sees: no markup, no HTML comments."""
    if not _INLINE_SYNTAX.search(text):
        return " ".join(text.split())  # what `text_of` makes of plain words' inline HTML
    return text_of(render_inline(text))
