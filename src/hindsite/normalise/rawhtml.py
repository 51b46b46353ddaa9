"""Raw HTML → located blocks: headings, paragraphs, lists with their items, tables with their rows.

A postmortem written in HTML (`<h3>`, `<p>`, `<ul><li>`, `<table>`) reads as well as one
written in Markdown. markdown-it keeps a run of raw HTML as one opaque block, however many
elements and lines it holds; this module reads it with the standard library's parser and
places each element on the file lines its words were written on. The page is unchanged:
`markup` renders and sanitises the HTML as written; this is only what the normaliser reads.

Words become Markdown inline source, as a Markdown block's are: `<b>` is `**`, `<a href>` a
link, `<br>` a line break (a table cell keeps its `<br>`, as a Markdown cell does). What the
page does not show as words (`<script>`, `<style>`, `<head>`, comments) is not read.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..core.markup import HTML_ELEMENTS, unknown_tags_as_text
from .located import Block, ListItem, TableRow

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LISTS = frozenset({"ul", "ol", "menu", "dir"})
#: Elements that only hold blocks: their children are read as blocks of their own.
_CONTAINERS = frozenset({
    "html", "body", "main", "article", "section", "div", "header", "footer", "nav", "aside", "center", "form",
    "fieldset", "details", "summary", "figure", "figcaption", "dl", "dt", "dd", "address", "hgroup", "search", "legend",
})
#: Elements whose content a reader never sees as words on the page.
_UNSEEN = frozenset({"script", "style", "template", "noscript", "head", "svg", "math", "textarea", "select", "iframe",
                     "object", "title"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "keygen", "basefont", "frame", "isindex", "spacer"})
_STARTS_BLOCK = frozenset({*_HEADINGS, "p", *_LISTS, "li", "table", "pre", "blockquote", "hr", *_CONTAINERS})
_MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "kbd": "`", "samp": "`", "tt": "`",
          "s": "~~", "del": "~~", "strike": "~~"}
_BREAK = "\n"  # a piece that is a line break the source did not make (`<br>`, one block after another)


@dataclass
class _Words:
    """Words as they arrive, each on the file line it was written on, and the inline marks around them.

    Marks are kept apart from the words and put around them once, when the words are read
    (`located`), so that however deep they nest, reading stays linear.
    """

    preformatted: bool = False
    pieces: list[tuple[int, str]] = field(default_factory=list)
    #: Marks still open: (tag, index of the first piece inside, opening text, closing text).
    opened: list[tuple[str, int, str, str]] = field(default_factory=list)
    open_tags: Counter[str] = field(default_factory=Counter)
    #: Marks closed: (first piece inside, piece after the last inside, opening text, closing text).
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, line: int, text: str) -> None:
        for offset, part in enumerate(text.split("\n")):
            self.pieces.append((line + offset, part))

    def line_break(self, line: int) -> None:
        if self.pieces:
            self.pieces.append((line, _BREAK))

    def open_mark(self, tag: str, opening: str, closing: str) -> None:
        self.opened.append((tag, len(self.pieces), opening, closing))
        self.open_tags[tag] += 1

    def close_mark(self, tag: str) -> None:
        """Close the innermost open `tag`, and the marks opened inside it."""
        if not self.open_tags[tag]:
            return
        at = next(n for n in range(len(self.opened) - 1, -1, -1) if self.opened[n][0] == tag)
        for name, first, opening, closing in reversed(self.opened[at:]):
            self.spans.append((first, len(self.pieces), opening, closing))
            self.open_tags[name] -= 1
        del self.opened[at:]

    def located(self) -> tuple[int, int, str] | None:
        """(first line, last line, text) of the words, line for line; None when there are none.

        A line break the source did not make (`a<br>b` on one line) starts a line of its own,
        so the lines after it run one ahead of the file's.
        """
        if self.opened:  # an element left open ends with its block
            self.close_mark(self.opened[0][0])
        rows: dict[int, list[list[str]]] = {}
        for line, text in self._marked():
            row = rows.setdefault(line, [[]])
            if text == _BREAK:
                row.append([])
            else:
                row[-1].append(text)
        shown = {line: [self._tidy("".join(parts)) for parts in row] for line, row in rows.items()}
        worded = [line for line, texts in shown.items() if any(text.strip() for text in texts)]
        if not worded:
            return None
        first, last = min(worded), max(worded)
        lines = [text for line in range(first, last + 1) for text in self._non_empty(shown.get(line, [""]))]
        return first, last, "\n".join(self._dedent(lines)) if self.preformatted else "\n".join(lines)

    def _marked(self) -> list[tuple[int, str]]:
        """The pieces with each mark around the words it holds; a mark around no words is dropped, and spaces
        move outside marks, as Markdown needs."""
        worded = [n for n, (_, text) in enumerate(self.pieces) if text.strip() and text != _BREAK]
        before: dict[int, list[str]] = {}
        after: dict[int, list[str]] = {}
        for first, end, opening, _ in sorted(self.spans, key=lambda span: (span[0], -span[1])):  # outer ones first
            n = bisect.bisect_left(worded, first)
            if n < len(worded) and worded[n] < end:
                before.setdefault(worded[n], []).append(opening)
        for first, end, _, closing in sorted(self.spans, key=lambda span: (-span[0], span[1])):  # inner ones first
            n = bisect.bisect_left(worded, end) - 1
            if n >= 0 and worded[n] >= first:
                after.setdefault(worded[n], []).append(closing)
        marked = list(self.pieces)
        for n in before.keys() | after.keys():
            line, text = marked[n]
            core = text.strip()
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            marked[n] = (line, lead + "".join(before.get(n, ())) + core + "".join(after.get(n, ())) + trail)
        return marked

    def _tidy(self, text: str) -> str:
        return text.rstrip() if self.preformatted else " ".join(text.split())

    @staticmethod
    def _non_empty(texts: list[str]) -> list[str]:
        """A file line's texts without the empty ones a break beside a line end makes; an empty line stays one."""
        kept = [text for text in texts if text.strip()]
        return kept or [""]

    @staticmethod
    def _dedent(lines: list[str]) -> list[str]:
        cut = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        return [line[cut:] for line in lines]


@dataclass
class _Item:
    line: int
    words: _Words
    checked: bool | None = None
    children: list[_Item] = field(default_factory=list)  # the items of the lists nested in it


class _Fanout:
    """The words of a list item and of the items it is nested in: a nested item's words are its parents' too, as a
    Markdown item's text holds its sub-items' lines."""

    preformatted = False

    def __init__(self, words: list[_Words]) -> None:
        self.words = words

    def add(self, line: int, text: str) -> None:
        for words in self.words:
            words.add(line, text)

    def line_break(self, line: int) -> None:
        for words in self.words:
            words.line_break(line)

    def open_mark(self, tag: str, opening: str, closing: str) -> None:
        for words in self.words:
            words.open_mark(tag, opening, closing)

    def close_mark(self, tag: str) -> None:
        for words in self.words:
            words.close_mark(tag)


@dataclass
class _Row:
    line: int
    in_head: bool = False
    cells: list[_Words] = field(default_factory=list)
    headed: list[bool] = field(default_factory=list)  # each cell: whether it was a `<th>`

    @property
    def header(self) -> bool:
        """A row of the table's head, or of `<th>` cells only (a `<th>` beside `<td>`s labels its row)."""
        return self.in_head or bool(self.headed) and all(self.headed)


@dataclass
class _Element:
    """The block-level element being read, with the depth of elements of its own kind inside it."""

    kind: str  # heading, paragraph, list, table, code, quote
    tag: str
    start: int
    level: int = 0
    words: _Words = field(default_factory=_Words)
    items: list[_Item] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    nested: int = 0  # lists inside a list, tables inside a table
    in_head: bool = False
    #: A list's items open now: its last item, then at each depth of nesting the item being read (None before a
    #: nested list's first item).
    open_items: list[_Item | None] = field(default_factory=list)

    def target(self) -> _Words | _Fanout | None:
        """Where words go now: the element's own, its open items', or its last row's last cell."""
        if self.kind == "list":
            open_items = [item.words for item in self.open_items if item is not None]
            return _Fanout(open_items) if open_items else None
        if self.kind == "table":
            return self.rows[-1].cells[-1] if self.rows and self.rows[-1].cells else None
        return self.words


class _Reader(HTMLParser):
    """Reads one run of raw HTML into elements, each remembering the lines it spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[_Element, int]] = []  # each with the line of its end
        self.open: _Element | None = None
        self.unseen: list[str] = []

    # --- the parser's events ---------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if self.unseen:
            if tag == self.unseen[-1] and tag not in _VOID:
                self.unseen.append(tag)
            return
        if tag in _UNSEEN:
            self.unseen.append(tag)
            return
        element = self.open
        if element is not None and element.kind in ("paragraph", "heading", "text") and tag in _STARTS_BLOCK:
            self.finish(line)  # `<p>` closes at the next block, as a browser closes it
            element = None
        if element is None:
            self._start(tag, dict(attrs), line)
        elif element.kind == "list":
            self._in_list(element, tag, dict(attrs), line)
        elif element.kind == "table":
            self._in_table(element, tag, dict(attrs), line)
        else:
            if tag == element.tag and tag not in _VOID:
                element.nested += 1  # a quote inside a quote
            self._inline(element.words, tag, dict(attrs), line)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if self.unseen:
            if tag == self.unseen[-1]:
                self.unseen.pop()
            return
        element = self.open
        if element is None:
            return
        if _ends(element, tag):
            if element.nested:
                element.nested -= 1
                if element.kind == "list" and len(element.open_items) > 1:
                    element.open_items.pop()
            else:
                self.finish(line)
        elif element.kind in ("list", "table") and tag in ("li", "td", "th", "tr") and not element.nested:
            pass  # an item, cell or row ends where the next one starts: text after its end tag is still its own
        elif (words := element.target()) is not None:
            words.close_mark(tag)

    def handle_data(self, data: str) -> None:
        if self.unseen:
            return
        line = self.getpos()[0]
        if self.open is None:
            if not data.strip():
                return
            self.open = _Element("text", "", line + _leading_lines(data))
        words = self.open.target()
        if words is None:
            if self.open.kind == "list" and data.strip():
                words = self._new_item(self.open, line + _leading_lines(data))
            elif self.open.kind == "table" and data.strip():
                words = self._new_cell(self.open, line + _leading_lines(data), header=False)
            else:
                return
        words.add(line, data if words.preformatted else _as_markdown(data))

    # --- elements ----------------------------------------------------------------

    def _start(self, tag: str, attrs: dict[str, str | None], line: int) -> None:
        if tag in _HEADINGS:
            self.open = _Element("heading", tag, line, level=_HEADINGS[tag])
        elif tag == "p":
            self.open = _Element("paragraph", tag, line)
        elif tag in _LISTS:
            self.open = _Element("list", tag, line)
        elif tag == "li":  # an item whose list began in an earlier run of HTML
            self.open = _Element("list", "", line)
            self._new_item(self.open, line)
        elif tag == "table":
            self.open = _Element("table", tag, line)
        elif tag == "pre":
            self.open = _Element("code", tag, line, words=_Words(preformatted=True))
        elif tag == "blockquote":
            self.open = _Element("quote", tag, line)
        elif tag == "hr":
            self.elements.append((_Element("hr", tag, line), line))
        elif tag not in _CONTAINERS:
            self.open = _Element("text", "", line)  # words outside any block: a paragraph, as a browser shows them
            self._inline(self.open.words, tag, attrs, line)

    def finish(self, line: int) -> None:
        """End the element being read at `line` (at the latest, the end of the run)."""
        if self.open is not None:
            self.elements.append((self.open, line))
            self.open = None

    def _in_list(self, element: _Element, tag: str, attrs: dict[str, str | None], line: int) -> None:
        if tag in _LISTS:
            element.nested += 1
            if (words := element.target()) is not None:
                words.line_break(line)
            element.open_items.append(None)
        elif tag == "li" and not element.nested:
            self._new_item(element, line)
        elif tag == "li" and element.items:
            self._new_sub_item(element, line)
        elif tag == "input" and element.items and (attrs.get("type") or "").casefold() == "checkbox":
            item = next(item for item in reversed(element.open_items) if item is not None)
            if not "".join(text for _, text in item.words.pieces).strip():
                item.checked = "checked" in attrs
        elif (words := element.target()) is not None:
            self._inline(words, tag, attrs, line)

    def _new_item(self, element: _Element, line: int) -> _Words:
        element.items.append(_Item(line, _Words()))
        element.open_items = [element.items[-1]]
        return element.items[-1].words

    @staticmethod
    def _new_sub_item(element: _Element, line: int) -> None:
        """An item of a nested list: a line of each item it is nested in, marked as Markdown marks it, and a
        child of the innermost."""
        depth = min(element.nested, len(element.open_items) - 1)
        above = [item for item in element.open_items[:depth] if item is not None]
        if not above:
            return
        for item in above:
            item.words.line_break(line)
            item.words.add(line, "- ")
        child = _Item(line, _Words())
        above[-1].children.append(child)
        element.open_items[depth] = child

    def _in_table(self, element: _Element, tag: str, attrs: dict[str, str | None], line: int) -> None:
        if tag == "table":
            element.nested += 1
        elif element.nested:
            if (words := element.target()) is not None:
                self._inline(words, tag, attrs, line)
        elif tag == "thead":
            element.in_head = True
        elif tag in ("tbody", "tfoot"):
            element.in_head = False
        elif tag == "tr":
            element.rows.append(_Row(line, element.in_head))
        elif tag in ("td", "th"):
            self._new_cell(element, line, header=tag == "th")
        elif (words := element.target()) is not None:
            self._inline(words, tag, attrs, line, cell=True)

    def _new_cell(self, element: _Element, line: int, *, header: bool) -> _Words:
        if not element.rows:
            element.rows.append(_Row(line, element.in_head))
        row = element.rows[-1]
        row.cells.append(_Words())
        row.headed.append(header)
        return row.cells[-1]

    def _inline(
        self, words: _Words | _Fanout, tag: str, attrs: dict[str, str | None], line: int, *, cell: bool = False
    ) -> None:
        """An element inside a block's words: a mark around them, a break, an image's alt text."""
        if tag == "br":
            if cell:
                words.add(line, "<br>")
            else:
                words.line_break(line)
        elif tag in _STARTS_BLOCK:
            words.line_break(line)
        elif tag in _MARKS:
            words.open_mark(tag, _MARKS[tag], _MARKS[tag])
        elif tag == "a" and attrs.get("href"):
            words.open_mark(tag, "[", f"]({_destination(attrs['href'] or '')})")
        elif tag == "img" and (attrs.get("alt") or "").strip():
            words.add(line, f"![{_as_markdown(attrs['alt'] or '')}]({_destination(attrs.get('src') or '')})")


def _ends(element: _Element, tag: str) -> bool:
    """Whether `tag`'s end tag closes `element` (or one of its own kind inside it)."""
    if element.kind == "list":
        return tag in _LISTS
    if element.kind == "text":
        return tag in _STARTS_BLOCK
    return tag == element.tag


def _leading_lines(data: str) -> int:
    """How many lines down the first word of `data` is."""
    return data[: len(data) - len(data.lstrip())].count("\n")


_TAG_LIKE = re.compile(r"<(?=[!?]|/?([A-Za-z][A-Za-z0-9-]*))")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


def _as_markdown(text: str) -> str:
    """Words the HTML shows, written so that Markdown shows them the same: a `<` that would open an element
    (`&lt;b&gt;` was written to be read) and an `&` that would start an entity are escaped; `<OrderService>`,
    which names no element, reads as written in Markdown too."""
    return _TAG_LIKE.sub(_escaped_tag, _ENTITY_LIKE.sub("&amp;", text))


def _escaped_tag(match: re.Match[str]) -> str:
    name = match.group(1)
    return "&lt;" if name is None or name.casefold() in HTML_ELEMENTS else "<"


def _destination(url: str) -> str:
    url = url.strip()
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


# --- blocks --------------------------------------------------------------------

def html_blocks(lines: Sequence[str], first_line: int) -> list[Block]:
    """The blocks of a run of raw HTML written on `lines`, the first of which is file line `first_line`.

    Lines that hold no element read as words (a wrapping `<div>`, an image without alt text)
    stay raw HTML blocks, so every line belongs to a block as before; when none is read
    as words, the run is one raw HTML block, as markdown-it made it.
    """
    reader = _Reader()
    reader.feed(unknown_tags_as_text("\n".join(lines)))
    reader.close()
    reader.finish(len(lines))
    read = [block for element, end in reader.elements if (block := _block(element, end, lines, first_line))]
    if not any(block.kind != "hr" for block in read):
        return [Block("html", first_line, first_line + len(lines), "\n".join(lines), from_html=True)]
    return sorted([*read, *_unread(read, lines, first_line)], key=lambda block: block.start)


def _block(element: _Element, end: int, lines: Sequence[str], first_line: int) -> Block | None:
    """The block an element makes (`end` is the line of its end tag, within the run), or None when it holds no words.

    A heading's, paragraph's or `<pre>`'s block spans the lines of its words; a list's, table's
    or quote's, those of its tags, its items and rows keeping their own.
    """
    start, stop = element.start, max(end, element.start)
    level, inline = 0, ""
    items: tuple[ListItem, ...] = ()
    rows: tuple[TableRow, ...] = ()
    if element.kind == "list":
        items = tuple(item for each in element.items if (item := _list_item(each, first_line)) is not None)
        if not items:
            return None
    elif element.kind == "table":
        rows = _table_rows(element, first_line)
        if not rows:
            return None
    elif element.kind != "hr":
        words = element.words.located()
        if words is None:
            return None
        if element.kind != "quote":
            (start, stop, inline), level = words, element.level
    kind = "paragraph" if element.kind == "text" else element.kind
    source = "\n".join(lines[start - 1 : stop])
    return Block(kind, start + first_line - 1, stop + first_line, source, level, inline, items, rows, from_html=True)


def _list_item(item: _Item, first_line: int) -> ListItem | None:
    words = item.words.located()
    if words is None:
        return None
    start, _, text = words
    checked = item.checked
    if checked is None and len(text) >= 3 and text[0] == "[" and text[2] == "]" and text[1] in " xX":
        checked, text = text[1] != " ", text[3:].strip()
    children = tuple(child for each in item.children if (child := _list_item(each, first_line)) is not None)
    return ListItem(start + first_line - 1, text, checked, children)


def _table_rows(element: _Element, first_line: int) -> tuple[TableRow, ...]:
    """Rows with their cells' words; a table without a header row gets an empty one, as every Markdown table has one."""
    rows = []
    for row in element.rows:
        cells = tuple(" ".join((located[2] if (located := cell.located()) else "").split()) for cell in row.cells)
        if any(cells):
            rows.append(TableRow(row.line + first_line - 1, cells))
    if rows and not any(row.header for row in element.rows[:1]):
        rows.insert(0, TableRow(element.start + first_line - 1, ()))
    return tuple(rows)


def _unread(read: Sequence[Block], lines: Sequence[str], first_line: int) -> list[Block]:
    """Raw HTML blocks for the runs of lines no block covers (`</div>`, a centred image), so no line is lost."""
    covered = {line for block in read for line in range(block.start, block.end)}
    blocks: list[Block] = []
    run: list[int] = []
    for offset, text in enumerate([*lines, ""]):
        line = first_line + offset
        if offset < len(lines) and line not in covered and text.strip():
            run.append(line)
            continue
        if run:
            source = "\n".join(lines[run[0] - first_line : run[-1] - first_line + 1])
            blocks.append(Block("html", run[0], run[-1] + 1, source, from_html=True))
            run = []
    return blocks
