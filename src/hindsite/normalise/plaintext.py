"""Documents of bare lines: which of their lines are headings.

A postmortem written as plain text (no `#`, no `**`, no lists of links: a file of
lines) marks its sections by typography alone. A line is read as a heading when it
has a heading's shape — short, capitalised, not a sentence, not a `Key: value` line,
not a time — and the text sets it apart:

- it is written in capitals (`ROOT CAUSE`), anywhere;
- it is indented more than the lines around it (a centred heading), with text after it;
- it is in Title Case and stands alone between blank lines, with text after it, and
  with no other such line before or after it (one-line items, each set apart, are
  not headings);
- it is in Title Case and opens or ends a paragraph whose line after or before it is
  not (`Root Cause and Resolution`, then `A connection pool…`; or `… restored.`, then
  `Root Cause and Resolution`, then a blank line).

A line in sentence case alone is not enough ("All times in PST" is a note):
`sections` still reads such a line as a heading when it is a section's name.

A line ending with a colon is a label over the lines below it (`Tasks:`, `TODO:`), never
one of these headings; `sections` reads it as a section's name when it is one.

Indented lines are text in such a document, not code. A heading found here is a
heading block of level 2; which section it names is for `sections` to say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from markdown_it.token import Token

from .located import Block
from .times import leading_stamp

#: Top-level blocks a document of bare lines makes: paragraphs, lists, indented lines, a rule, an underlined title.
_PLAIN_BLOCKS = frozenset({"paragraph_open", "paragraph_close", "bullet_list_open", "bullet_list_close",
                           "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close",
                           "code_block", "hr", "inline"})
#: What inline text holds when it has no Markdown: words and line ends.
_PLAIN_INLINE = frozenset({"text", "softbreak", "hardbreak"})
HEADING_LEVEL = 2


def is_plain_text(tokens: Sequence[Token]) -> bool:
    """Whether a parsed document is bare lines: no heading but an underlined one, no emphasis, link, code,
    table, quote or HTML anywhere — nothing Markdown could mark a section with."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.markup in ("=", "-"):
            continue
        if token.type not in _PLAIN_BLOCKS:
            return False
        if token.type == "inline" and any(child.type not in _PLAIN_INLINE for child in token.children or ()):
            return False
    return bool(tokens)


def plain_blocks(blocks: Sequence[Block]) -> list[Block]:
    """The blocks of a plain-text document, with its headings found and its indented lines read as text."""
    as_text = [_as_paragraph(block) if block.kind == "code" else block for block in blocks]
    found: list[Block] = []
    for index, block in enumerate(as_text):
        around = (as_text[index - 1] if index else None, as_text[index + 1] if index + 1 < len(as_text) else None)
        found += _split_at_headings(block, *around) if block.kind == "paragraph" else [block]
    return found


def _as_paragraph(block: Block) -> Block:
    """Indented lines: in a file of bare lines, indentation lays text out, it does not quote code."""
    lines = block.source.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return replace(block, kind="paragraph", end=block.start + len(lines), source="\n".join(lines),
                   inline="\n".join(line.strip() for line in lines))


def _split_at_headings(block: Block, preceding: Block | None, following: Block | None) -> list[Block]:
    lines = block.source.split("\n")
    headings = [n for n in range(len(lines)) if _is_heading(lines, n, preceding, following)]
    if not headings:
        return [block]
    read = block.inline.split("\n")
    parts: list[Block] = []
    start = 0
    for n in [*headings, len(lines)]:
        taken = lines[start:n]
        if any(line.strip() for line in taken):
            parts.append(replace(block, start=block.start + start, end=block.start + n, source="\n".join(taken),
                                 inline="\n".join(read[start:n]).strip()))
        if n < len(lines):
            parts.append(Block("heading", block.start + n, block.start + n + 1, lines[n], HEADING_LEVEL, lines[n].strip()))
        start = n + 1
    return parts


def _is_heading(lines: list[str], n: int, preceding: Block | None, following: Block | None) -> bool:
    """Whether line `n` of a paragraph is a heading, by its shape and what is around it (the blocks before and after)."""
    text = lines[n].strip()
    if not _heading_shape(text):
        return False
    if _in_capitals(text):
        return True
    if _indent(lines[n]) > max((_indent(lines[m]) for m in (n - 1, n + 1) if 0 <= m < len(lines)), default=0):
        return following is not None or n + 1 < len(lines)
    if not _title_case(text):
        return False
    if len(lines) == 1:
        return following is not None and not _lone_title(following) and not (preceding and _lone_title(preceding))
    if n == 0:
        return not _title_case(lines[1].strip())
    return n == len(lines) - 1 and following is not None and not _title_case(lines[n - 1].strip())


def _lone_title(block: Block) -> bool:
    """A line in Title Case alone between blank lines: beside another, the two are items set apart, not headings."""
    text = block.source.strip()
    return block.kind == "paragraph" and "\n" not in text and _heading_shape(text) and _title_case(text)


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_COLUMN_GAP = re.compile(r"\S(?: {2,}|\t)\S")  # "Time (UTC)   Event": the header of columns, not a heading
_SENTENCE_END = (".", ",", ";", "!", "?", "…")


def _heading_shape(text: str) -> bool:
    """Short, starting with a capital, no sentence's end, no colon, not a time, not laid out in columns.

    A line ending with a colon is a label over the lines below it (`Tasks:`, `TODO:`), not a
    heading: `sections` reads it as a section's name when it is one.
    """
    words = _WORD.findall(text)
    if not text or not text[0].isupper() or not 1 <= len(text.split()) <= 8 or len(text) > 70:
        return False
    if text.endswith(_SENTENCE_END) or ":" in text or not words or _COLUMN_GAP.search(text):
        return False
    split = leading_stamp(text)
    return split is None or split[0].clock is None


def _in_capitals(text: str) -> bool:
    cased = [ch for ch in text if ch.isupper() or ch.islower()]
    return len(cased) >= 4 and not any(ch.islower() for ch in cased)


def _title_case(text: str) -> bool:
    """Every word of four letters or more capitalised ("Root Cause and Resolution"); asides in brackets aside."""
    words = _WORD.findall(re.sub(r"\([^)]*\)", " ", text))
    return bool(words) and words[0][0].isupper() and all(word[0].isupper() for word in words if len(word) >= 4)


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
