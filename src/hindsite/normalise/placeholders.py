"""Template placeholders: text an author was meant to replace and did not.

They never count as content: a section holding only placeholders shows as
"not filled in", and each one is reported with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Instructions left from a template (`!!Describe the impact!!`): removed from the text.
TEMPLATE_NOTE = re.compile(r"!!.*?!!", re.S)
#: Markers that stand for missing content; kept in the text (they are the author's words) but reported.
MARKERS = re.compile(
    r"!!.*?!!"
    # A bracket's words stop at the next bracket, so 10,000 unclosed `[insert` cost one pass, not one each.
    r"|(?i:\[\s*(?:todo|tbd|tbc|fill\s*in|placeholder|insert[^\[\]]*)\s*\])"
    r"|(?i:<\s*(?:fill[ -]?in|insert|describe|add|todo)[^<>]*>)"
    r"|\b(?:TBD|TODO|TBC|FIXME)\b|\bXXX+\b"
    # `Label: ?`. The lookahead passes only lines whose first colon ends in question marks, in one scan; then
    # `[ \t]*(?:[-*+][ \t]*)?` says what `[ \t]*[-*+]?[ \t]*` would, without a choice of where the spaces go
    # (which made every line of k spaces cost k² steps).
    r"|^(?=[^:\n]*:(?:\*\*)?[ \t]*\?+[ \t]*$)[ \t]*(?:[-*+][ \t]*)?(?:\*\*)?[^:\n]{2,40}:(?:\*\*)?[ \t]*\?+[ \t]*$"
    r"|^[ \t]*\|(?:[ \t]*\|)+[ \t]*$",  # a table row with every cell empty
    re.S | re.M,
)
#: Every marker holds one of these (the words in brackets and angle brackets hold the bracket; TBD, TODO, TBC,
#: FIXME and XXX are matched in capitals only): a text without any has no marker, and is not searched.
_MARKS = ("!!", "[", "<", "?", "|", "TBD", "TODO", "TBC", "FIXME", "XXX")
_RULE_CHARACTERS = re.compile(r"[\s|:-]*")
#: A table whose header is followed only by empty rows: a template nobody filled in.
_EMPTY_TABLE = re.compile(r"^[ \t]*\|.*\|[ \t]*\n[ \t]*\|?[ \t]*:?-+.*\n(?:[ \t]*\|(?:[ \t]*\|)+[ \t]*(?:\n|$))+", re.M)


def placeholder_lines(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, the placeholder) for every marker in `text`, which starts on `first_line`."""
    reported_rows: set[int] = set()
    line, counted = first_line, 0
    for match in MARKERS.finditer(text) if _may_hold_marker(text) else ():
        line, counted = line + text.count("\n", counted, match.start()), match.start()
        found = " ".join(match.group(0).split())[:60]
        if found.startswith("|"):
            seen_table = line - 1 in reported_rows
            reported_rows.add(line)
            if seen_table:
                continue  # one report per empty table, not per row
        yield line, found


def is_unfilled(text: str) -> bool:
    """True when the text has placeholders and nothing but them, empty table rows and markup.

    A section with no text at all is not unfilled: its parts may sit under their own headings.
    """
    if not _may_hold_marker(text) or not MARKERS.search(text):
        return False
    remaining = _EMPTY_TABLE.sub(" ", text)
    remaining = MARKERS.sub(" ", remaining)
    remaining = "\n".join(line for line in remaining.split("\n") if not _is_table_rule(line))
    return not re.search(r"[^\W_]{2,}", remaining)


def _may_hold_marker(text: str) -> bool:
    return any(mark in text for mark in _MARKS)  # quicker than the search, which tries every character


def _is_table_rule(line: str) -> bool:
    """A table's delimiter row or an empty row: bars, dashes, colons and spaces, at least one bar."""
    return "|" in line and _RULE_CHARACTERS.fullmatch(line) is not None
