"""Located blocks: a document as the normaliser reads it, each block with the file lines it was written on.

`blocks` makes them from Markdown, `rawhtml` from raw HTML, `plaintext` finds the
headings of a document of bare lines; every later step reads these, whichever
way the document was written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ListItem:
    """A list item: its Markdown source without the marker (its sub-items' lines included), and its checkbox.

    `text` follows the item's file lines from `line` on. `children` are the
    items of the lists nested in it, each with its own line, in Markdown and
    in raw HTML alike. `fenced` are the file lines of the fenced code blocks
    written inside it (fences included): quoted code, not the item's words.
    """

    line: int
    text: str
    checked: bool | None  # True for [x], False for [ ], None without a checkbox
    children: tuple[ListItem, ...] = ()
    fenced: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class TableRow:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level block.

    `start` and `end` are 1-based file lines, `end` exclusive; `source` is those
    lines as written. `inline` is what a reader reads of a heading or paragraph,
    as Markdown inline source (markers stripped), line for line from `start`; of
    a code block written as text laid out in columns (indented, or `<pre>`), its
    lines without the indentation; empty for a fenced block, which quotes code.

    `from_html` marks a block read from raw HTML: its `source` is the HTML, and
    its `inline`, items and rows are the words the HTML shows, as Markdown.
    """

    kind: str  # heading, paragraph, list, table, code, html, hr, quote, other
    start: int
    end: int
    source: str
    level: int = 0
    inline: str = ""
    items: tuple[ListItem, ...] = ()
    rows: tuple[TableRow, ...] = ()
    from_html: bool = False
