"""Characters no page, feed or data file can carry: reported where they stand, and left out.

A terminal colour code pasted from a log (`ESC[31m`), another control character,
or a noncharacter such as U+FFFF makes the feed ill-formed XML, which feed readers
refuse whole, and is an error in HTML. What is left out is invisible on a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from ..core.markup import UNPUBLISHABLE, publishable
from ..read.files import Document


def without_unpublishable(document: Document) -> tuple[Document, list[Diagnostic]]:
    """`document` without the characters no output may carry, and a `control-character` warning for each place held one."""
    lines = document.body.split("\n") if UNPUBLISHABLE.search(document.body) else []  # most bodies have none
    problems = [_found("this line", document.source, n, text)
                for n, text in enumerate(lines, start=document.body_line) if UNPUBLISHABLE.search(text)]
    if document.unread_front_matter and UNPUBLISHABLE.search(document.unread_front_matter):
        problems.append(_found("the front-matter", document.source, document.front_matter_line, document.unread_front_matter))
    for key, value in document.front_matter.items():
        if UNPUBLISHABLE.search(f"{key}{_all_text(value)}"):
            line = document.key_lines.get(str(key), document.front_matter_line)
            problems.append(_found(f"front-matter field {publishable(str(key))!r}", document.source, line,
                                   f"{key}{_all_text(value)}"))
    if not problems:
        return document, []
    return replace(
        document,
        body=publishable(document.body),
        unread_front_matter=publishable(document.unread_front_matter),
        front_matter=_cleaned(document.front_matter),
        key_lines={publishable(key): line for key, line in document.key_lines.items()},
    ), problems


def _found(where: str, source: str, line: int | None, text: str) -> Diagnostic:
    codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in UNPUBLISHABLE.findall(text)))
    return diag.warning(
        "control-character",
        f"{where} holds {codes}, which no page, feed or data file can carry (a terminal colour code pasted from a "
        "log?); left out of the published site — remove it from the source",
        source, line)


def _all_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return "".join(f"{key}{_all_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "".join(_all_text(item) for item in value)
    return value if isinstance(value, str) else ""


def _cleaned(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {publishable(key) if isinstance(key, str) else key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_cleaned(item) for item in value)
    return publishable(value) if isinstance(value, str) else value
