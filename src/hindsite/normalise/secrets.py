"""Credentials and personal data that people paste into postmortems.

`find_secrets` reports where they are (never what they are); `redact` masks
them in the text that gets published, keeping line breaks so every line
number still points at the source file, which is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    pattern: re.Pattern[str]
    group: int = 0  # the part of the match that is the secret (the password of a URL, say)


SECRETS: tuple[Kind, ...] = (
    Kind("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    Kind("AWS access key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b")),
    Kind("AWS secret key", re.compile(r"(?i)aws_?secret(?:_access)?_?key\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})"), 1),
    Kind("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b")),
    Kind("Slack token", re.compile(r"\bxox[abpors]-[A-Za-z0-9-]{10,}\b")),
    Kind("Slack webhook", re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}")),
    Kind("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    Kind("Stripe key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{20,}\b")),
    Kind("JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    Kind("bearer token", re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)"), 1),
    Kind("password in a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:([^\s@/]+)@", re.I), 1),
    Kind("password", re.compile(r"(?i)(?<![a-z])(?:password|passwd|pwd|secret|api[_-]?key|token)\s*[=:]\s*[\"']?([^\s;\"',]{6,})"), 1),
)
PERSONAL: tuple[Kind, ...] = (
    Kind("e-mail address", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
    Kind("phone number", re.compile(r"(?<![\w/.:-])\+?\d{1,3}[ .-]?\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){2,3}(?![\w/.:-])")),
)


SECRET_KINDS = frozenset(kind.name for kind in SECRETS)


@dataclass(frozen=True, slots=True)
class Found:
    kind: str
    start: int
    end: int


def find_secrets(text: str, *, personal: bool = False) -> list[Found]:
    """Every secret (and, with `personal`, every e-mail address and phone number), in text order."""
    kinds = SECRETS + (PERSONAL if personal else ())
    found: list[Found] = []
    for kind in kinds:
        for match in kind.pattern.finditer(text):
            start, end = match.span(kind.group)
            if start < end and not any(f.start <= start < f.end or start <= f.start < end for f in found):
                found.append(Found(kind.name, start, end))
    return sorted(found, key=lambda f: f.start)


def lines_of(text: str, found: list[Found], first_line: int) -> Iterator[tuple[int, str]]:
    for item in found:
        yield first_line + text.count("\n", 0, item.start), item.kind


def redact(text: str, found: list[Found]) -> str:
    """`text` with each finding replaced by `[redacted KIND]`, line breaks kept."""
    pieces, at = [], 0
    for item in found:
        pieces.append(text[at : item.start])
        pieces.append(f"[redacted {item.kind}]" + "\n" * text.count("\n", item.start, item.end))
        at = item.end
    pieces.append(text[at:])
    return "".join(pieces)
