"""Titles as authors write them → titles a reader can scan.

A title is text, never HTML: a front-matter title keeps every character its author typed
(`Queue depth < 10 made <OrderService> return 5xx`), and one taken from the body keeps the
words the body shows a reader (`markup.inline_text`).
"""

from __future__ import annotations

import re

from ..markup import inline_text, publishable
from .times import parse_date, scan_dates

_PREFIX = re.compile(
    r"^\s*(?:(?:an?|the|my|our)\s+)?(?:(?:incident|outage|security)\s+)?"
    r"(?:post[\s-]?mortem|incident\s+report|incident\s+review|retrospective|rca|root\s+cause\s+analysis)"
    r"(?:\s+report)?\s*(?:[:\-–—|]\s*|\s+(?:for|of|on)\s+(?:the\s+)?)",
    re.I,
)
_GENERIC_WORDS = {
    "postmortem", "post", "mortem", "post-mortem", "incident", "report", "my", "first", "our", "the", "a", "an",
    "review", "rca", "untitled", "outage", "on", "of", "for", "analysis", "root", "cause", "retrospective",
    "document", "template", "issue", "summary", "project", "task", "readme", "0x19", "security", "writeup", "write", "up",
}


#: Emphasis and code around words, in pairs: `5*3` and `{{ 7*7 }}` keep their stars.
_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3}|`+)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_EDGE_MARKS = re.compile(r"^[*_`]+(?=\S)|(?<=\S)[*_`]+$")


def plain_title(text: str) -> str:
    """A title as read: Markdown links and emphasis reduced to their words, spaces collapsed; `<` is a character."""
    title = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its words
    title = _EMPHASIS.sub(r"\2", title)
    return _EDGE_MARKS.sub("", " ".join(title.split()))


def clean_title(text: str) -> str:
    """Strip markup, "Postmortem:" prefixes and dates at either end; keep the words that say what broke."""
    title = plain_title(text)
    title = re.sub(r"^[^\w(\"'\[]+", "", title)  # leading emoji and punctuation
    stripped = _without_dates_at_the_ends(_PREFIX.sub("", title)).strip(" -–—:|,")
    stripped = re.sub(r"\s+(?:on|at|of|from)$", "", stripped, flags=re.I)
    return stripped or title


_SEPARATORS = " \t-–—:|,()"


def _without_dates_at_the_ends(title: str) -> str:
    """"Outage on January 20, 2024" → "Outage"; "2018-02-20, Binder swamped" → "Binder swamped"."""
    dates = scan_dates(title)
    if dates and not title[dates[-1].end :].strip(_SEPARATORS + "."):
        title = re.sub(r"\s+(?:on|from)$", "", title[: dates[-1].start].rstrip(_SEPARATORS), flags=re.I)
    dates = scan_dates(title)
    if dates and not title[: dates[0].start].strip(_SEPARATORS):
        title = title[dates[0].end :].lstrip(_SEPARATORS)
    return title


def title_date(text: str) -> str | None:
    """The date a title states, with its year ("Outage on January 20, 2024", "2018-02-20, Binder swamped")."""
    plain = re.sub(r"[*_`]+", "", text)
    found = next((d for d in scan_dates(plain) if d.year is not None and d.on() is not None), None)
    return plain[found.start : found.end] if found else None


def is_generic(title: str) -> bool:
    """"Postmortem", "My first postmortem", "Incident report", a bare date: says nothing about the incident."""
    if not title.strip() or parse_date(title) and not _without_dates_at_the_ends(title).strip(_SEPARATORS):
        return True
    words = re.findall(r"[\w-]+", title.casefold())
    return all(word in _GENERIC_WORDS or word.isdigit() for word in words)


def title_from_text(text: str, limit: int = 90) -> str:
    """A title from a sentence of prose (Markdown): its first clause, cut at a word boundary."""
    plain = inline_text(re.sub(r"^[ \t]*(?:[#>][ \t]*)+", "", text, flags=re.M))
    sentence = re.split(r"(?<=[.!?])\s+|:\s", plain, maxsplit=1)[0].rstrip(".!?")
    clause = ""
    for part in re.split(r"(,\s|;\s|\s[-–—]\s)", sentence)[::2]:
        clause = f"{clause}, {part}" if clause else part
        if len(clause) >= 25:
            break
    if len(clause) <= limit:
        return clause
    return clause[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def title_from_file_name(name: str) -> str:
    """`2024-03-14-checkout-502s.md` → "Checkout 502s"; `README.md` → "README". Control characters are left out."""
    stem = re.sub(r"(\.(md|markdown|erb|html|txt))+$", "", publishable(name), flags=re.I)
    words = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", stem)
    words = re.sub(r"[-_]+", " ", words).strip()
    return words[:1].upper() + words[1:] if words else stem
