"""Links and images that point at files of the archive which are not there."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from ..core.paths import resolve_reference

# Character classes stop at the next bracket, so a line of 10,000 `[x](` costs one pass, not 10,000.
_MARKDOWN_TARGET = re.compile(r"!?\[[^\[\]]*\]\(\s*<?([^()<>\[\]\s]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_HTML_TARGET = re.compile(r"<(?:img|a)\b[^<>]*?\b(?:src|href)\s*=\s*[\"']([^\"'<>]+)[\"']", re.I)
#: A link reference definition (`[x]: ./graph.png`); a footnote's (`[^1]: measured upstream`) holds words, not a target.
_REFERENCE_TARGET = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*<?([^\s>]+)>?")
_FENCE = re.compile(r"^\s*(```|~~~)")


def missing_assets(body: str, first_line: int, content_path: str, known: frozenset[str], source: str) -> list[Diagnostic]:
    """A `missing-asset` warning for each local link or image whose file is not in the archive."""
    problems = []
    for line, target in _local_targets(body, first_line):
        resolved = resolve_reference(content_path, target)
        if resolved is None or resolved in known:
            continue
        problems.append(diag.warning(
            "missing-asset",
            f"{target!r} is not in the content folder; add the file or remove the reference",
            source, line))
    return problems


def _local_targets(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    in_fence = False
    for offset, text in enumerate(body.split("\n")):
        if _FENCE.match(text):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for pattern in (_MARKDOWN_TARGET, _HTML_TARGET, _REFERENCE_TARGET):
            for match in pattern.finditer(text):
                target = match.group(1)
                if not re.match(r"^[a-z][\w+.-]*:|^#|^//", target, re.I):
                    yield first_line + offset, target
