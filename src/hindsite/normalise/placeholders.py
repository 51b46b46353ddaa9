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
    r"!!.*?!!|\[\s*(?:todo|tbd|tbc|fill\s*in|placeholder|insert[^\]]*)\s*\]|<\s*(?:fill[ -]?in|insert|describe|add|todo)[^>]*>"
    r"|\b(?:TBD|TODO|TBC|FIXME)\b|\bXXX+\b|^\s*[-*+]?\s*(?:\*\*)?[^:\n]{2,40}:(?:\*\*)?\s*\?+\s*$",
    re.S | re.M,
)
_TABLE_RULE = re.compile(r"^\s*\|?[\s|:-]*\|[\s|:-]*$")


def remove_template_notes(text: str) -> str:
    return TEMPLATE_NOTE.sub("", text)


def placeholder_lines(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, the placeholder) for every marker in `text`, which starts on `first_line`."""
    for match in MARKERS.finditer(text):
        yield first_line + text.count("\n", 0, match.start()), " ".join(match.group(0).split())[:60]


def is_unfilled(text: str) -> bool:
    """True when the text has placeholders and nothing but them, empty table rows and markup.

    A section with no text at all is not unfilled: its parts may sit under their own headings.
    """
    if not MARKERS.search(text):
        return False
    remaining = MARKERS.sub(" ", text)
    remaining = "\n".join(line for line in remaining.split("\n") if not _TABLE_RULE.match(line))
    return not re.search(r"[^\W_]{2,}", remaining)
