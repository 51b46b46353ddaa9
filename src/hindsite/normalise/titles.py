"""Titles as authors write them → titles a reader can scan."""

from __future__ import annotations

import re

_PREFIX = re.compile(
    r"^\s*(?:incident\s+)?(?:post[\s-]?mortem|incident\s+report|incident\s+review|retrospective|rca)"
    r"(?:\s+report)?\s*(?:[:\-–—|]\s*|\s+for\s+|\s+of\s+)",
    re.I,
)
_TRAILING_DATE = re.compile(
    r"\s*[\-–—:|,(]*\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\s*\)?\s*$",
    re.I,
)


def clean_title(text: str) -> str:
    """Strip markup, "Postmortem:" prefixes and a trailing date; keep the words that say what broke."""
    title = re.sub(r"<[^>]+>", "", text)
    title = re.sub(r"[*_`]+", "", title)
    title = " ".join(title.split())
    title = re.sub(r"^[^\w(\"'\[]+", "", title)  # leading emoji and punctuation
    stripped = _PREFIX.sub("", title)
    stripped = _TRAILING_DATE.sub("", stripped).strip(" -–—:|")
    stripped = re.sub(r"\s+(?:on|at|of|from)$", "", stripped, flags=re.I)
    return stripped or title


def title_from_file_name(stem: str) -> str:
    """`2024-03-14-checkout-502s` → "Checkout 502s"."""
    words = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", stem)
    words = re.sub(r"[-_]+", " ", words).strip()
    return words[:1].upper() + words[1:] if words else stem
