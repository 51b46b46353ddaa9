"""A document's body → top-level blocks that remember their lines in the source file.

Parsed once with markdown-it, so `#` inside a code fence is never a heading. Raw
HTML is read into the same blocks as Markdown (`rawhtml`), and in a document of
bare lines the lines that work as headings are found (`plaintext`). Every later
step of the normaliser works on these blocks and slices the original text by
line, so no word is rewritten on its way to the page.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

from markdown_it.token import Token

from ..core.markup import Parsed, block_end, parse
from .located import Block, ListItem, TableRow
from .plaintext import is_plain_text, plain_blocks
from .rawhtml import html_blocks

__all__ = ["Block", "ListItem", "TableRow", "is_plain_text", "parse_blocks"]


_OPENERS = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "table_open": "table",
    "blockquote_open": "quote",
    "fence": "code",
    "code_block": "code",
    "html_block": "html",
    "hr": "hr",
}


def parse_blocks(
    body: str, first_line: int = 1, parsed: Parsed | None = None, lines: Sequence[str] | None = None, *,
    plain: bool | None = None,
) -> list[Block]:
    """Split `body` (which starts on file line `first_line`) into top-level blocks, in the order of their lines.

    A footnote definition is a block (kind "other") where it was written, though
    the parser renders it at the end. Pass `parsed` when `body` was already
    parsed, so it is not parsed twice, and `lines` when it was already split
    at line ends (`parsed` may cover a few of them: the cost is then theirs, not the body's).
    `plain` says whether the document is bare lines (`plaintext`); left None, `body` decides —
    pass the whole document's answer when `body` or `parsed` is only part of it.
    """
    lines = body.split("\n") if lines is None else lines
    tokens = (parsed or parse(body)).tokens
    blocks: list[Block] = []
    definitions: list[Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        j = block_end(tokens, i)
        if token.level == 0 and token.map is not None:
            blocks += _make_blocks(tokens[i : j + 1], lines, first_line)
        elif token.type == "footnote_block_open":
            definitions = list(_footnote_definitions(tokens[i : j + 1], lines, first_line))
        i = j + 1
    if plain if plain is not None else is_plain_text(tokens):
        blocks = plain_blocks(blocks)
    return _in_place(blocks, definitions) if definitions else blocks


def _footnote_definitions(tokens: list[Token], lines: Sequence[str], first_line: int) -> Iterator[Block]:
    """The footnote definitions that the footnote plugin moved to the end, as blocks of the lines they were written on.

    Only the tokens of a definition's content remember lines; a label alone on
    the line above its content (`[^1]:`, then an indented paragraph) belongs to it too.
    """
    label: str | None = None
    start: int | None = None
    end = 0
    for token in tokens:
        if token.type == "footnote_open":
            label, start, end = token.meta.get("label"), None, 0
        elif token.map is not None:
            start = token.map[0] if start is None else min(start, token.map[0])
            end = max(end, token.map[1])
        elif token.type == "footnote_close" and start is not None and label is not None:
            if start > 0 and f"[^{label}]:" not in lines[start] and f"[^{label}]:" in lines[start - 1]:
                start -= 1
            yield Block("other", start + first_line, end + first_line, "\n".join(lines[start:end]))


def _in_place(blocks: list[Block], definitions: list[Block]) -> list[Block]:
    """Blocks in the order of their lines; a definition inside another block (a quote, a list item) is part of it."""
    placed = list(blocks)
    for definition in definitions:
        n = bisect.bisect_right(placed, definition.start, key=lambda block: block.start)
        if n and placed[n - 1].end > definition.start:
            continue
        placed.insert(n, definition)
    return placed


def _make_blocks(tokens: list[Token], lines: Sequence[str], first_line: int) -> list[Block]:
    """The block a top-level token makes; raw HTML makes one for each element it holds."""
    opener = tokens[0]
    assert opener.map is not None
    start, end = opener.map
    if opener.type == "html_block":
        return html_blocks(lines[start:end], start + first_line)
    return [_make_block(tokens, lines, first_line)]


def _make_block(tokens: list[Token], lines: Sequence[str], first_line: int) -> Block:
    opener = tokens[0]
    assert opener.map is not None
    start, end = opener.map
    kind = _OPENERS.get(opener.type, "other")
    source = "\n".join(lines[start:end])
    file_start, file_end = start + first_line, end + first_line
    if opener.type == "code_block":  # text laid out in columns, perhaps a timeline
        return Block(kind, file_start, file_end, source, inline=_dedented(opener.content))
    if kind in ("heading", "paragraph"):
        inline = next((t.content for t in tokens if t.type == "inline"), "")
        level = int(opener.tag[1]) if kind == "heading" else 0
        return Block(kind, file_start, file_end, source, level, inline)
    if kind == "list":
        return Block(kind, file_start, file_end, source, items=_list_items(tokens, lines, first_line))
    if kind == "table":
        return Block(kind, file_start, file_end, source, rows=_table_rows(tokens, first_line))
    return Block(kind, file_start, file_end, source)


def _dedented(text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    cut = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[cut:].rstrip() for line in lines)


def _list_items(tokens: list[Token], lines: Sequence[str], first_line: int, level: int = 1) -> tuple[ListItem, ...]:
    """The items of a list whose items open at token `level`, each with the items of the lists nested in it."""
    items = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type != "list_item_open" or token.level != level or token.map is None:
            i += 1
            continue
        close = next((j for j in range(i + 1, len(tokens)) if tokens[j].type == "list_item_close"
                      and tokens[j].level == level), len(tokens))
        start, end = token.map
        text, skipped = _strip_marker("\n".join(lines[start:end]))
        checked, text = _checkbox(text)
        children = _list_items(tokens[i + 1 : close], lines, first_line, level + 2)
        fenced = frozenset(line + first_line for t in tokens[i + 1 : close] if t.type == "fence" and t.map
                           for line in range(*t.map))
        items.append(ListItem(start + first_line + skipped, text, checked, children, fenced))
        i = close + 1
    return tuple(items)


def _strip_marker(text: str) -> tuple[str, int]:
    """Remove the list marker (`-`, `*`, `+`, `1.`, `1)`) and the indentation it implies; and say how many lines
    the text starts below the marker (a marker alone on its line: the item's text, and its line, are the next's)."""
    first, _, rest = text.partition("\n")
    stripped = first.lstrip()
    marker_end = 0
    while marker_end < len(stripped) and (stripped[marker_end].isdigit()):
        marker_end += 1
    if marker_end and stripped[marker_end : marker_end + 1] in (".", ")"):
        marker_end += 1
    elif stripped[:1] in ("-", "*", "+"):
        marker_end = 1
    content = stripped[marker_end:].strip()
    kept = [content, *(line.strip() for line in rest.split("\n"))] if rest else [content]
    skipped = next((n for n, line in enumerate(kept) if line), 0)
    return "\n".join(kept[skipped:]).strip(), skipped


def _checkbox(text: str) -> tuple[bool | None, str]:
    if len(text) >= 3 and text[0] == "[" and text[2] == "]" and text[1] in " xX":
        return text[1] != " ", text[3:].strip()
    return None, text


def _table_rows(tokens: list[Token], first_line: int) -> tuple[TableRow, ...]:
    rows: list[TableRow] = []
    cells: list[str] = []
    line = first_line
    for token in tokens:
        if token.type == "tr_open":
            cells = []
            line = (token.map[0] if token.map else 0) + first_line
        elif token.type == "inline":
            cells.append(token.content.strip())
        elif token.type == "tr_close":
            rows.append(TableRow(line, tuple(cells)))
    return tuple(rows)
