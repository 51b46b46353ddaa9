"""Headings → canonical section keys, and blocks → sections.

The synonym table is data: exact phrases first, then ordered keyword rules,
so "Root Cause and Resolution" lands on the first key it names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .blocks import Block

#: Whole headings (after `heading_words`) → key. Covers the common templates:
#: Google SRE, PagerDuty, Atlassian, Holberton/ALX, dfds, what went well/wrong/lucky.
EXACT: Mapping[str, str] = {
    "summary": "summary",
    "issue summary": "summary",
    "incident summary": "summary",
    "executive summary": "summary",
    "overview": "summary",
    "description": "summary",
    "background": "summary",
    "introduction": "summary",
    "tl dr": "summary",
    "tldr": "summary",
    "what happened": "summary",
    "impact": "impact",
    "consequences": "impact",
    "customer impact": "impact",
    "user impact": "impact",
    "stats": "impact",
    "statistics": "impact",
    "trigger": "trigger",
    "leadup": "trigger",
    "lead up": "trigger",
    "fault": "fault",
    "what went wrong": "fault",
    "detection": "detection",
    "how was it detected": "detection",
    "response": "response",
    "incident response": "response",
    "recovery": "resolution",
    "resolution": "resolution",
    "resolution and recovery": "resolution",
    "mitigation": "resolution",
    "fix": "resolution",
    "details of fix": "resolution",
    "the fix": "resolution",
    "timeline": "timeline",
    "key events": "timeline",
    "incident timeline": "timeline",
    "sequence of events": "timeline",
    "chronology": "timeline",
    "root cause": "root_cause",
    "root causes": "root_cause",
    "root cause analysis": "root_cause",
    "contributing factors": "root_cause",
    "cause": "root_cause",
    "causes": "root_cause",
    "five whys": "root_cause",
    "5 whys": "root_cause",
    "lessons learned": "lessons",
    "lessons learnt": "lessons",
    "lessons": "lessons",
    "what went well": "lessons",
    "where we got lucky": "lessons",
    "what we learned": "lessons",
    "takeaways": "lessons",
    "learnings": "lessons",
    "action items": "action_items",
    "actions": "action_items",
    "follow up tasks": "action_items",
    "follow ups": "action_items",
    "followups": "action_items",
    "follow up": "action_items",
    "next steps": "action_items",
    "review actions": "action_items",
    "tasks": "action_items",
    "improvements": "action_items",
    "improvements fixes": "action_items",
    "corrective actions": "action_items",
    "corrective and preventative measures": "action_items",
    "corrective and preventive measures": "action_items",
    "preventive measures": "action_items",
    "preventative measures": "action_items",
    "remediation": "action_items",
    "related": "related",
    "related incidents": "related",
    "related records": "related",
    "references": "related",
    "links": "related",
    "supporting information": "related",
}

#: Keyword rules for headings not in EXACT, tried in order; the first that occurs wins.
KEYWORDS: Sequence[tuple[str, str]] = (
    ("root cause", "root_cause"),
    ("timeline", "timeline"),
    ("action item", "action_items"),
    ("follow up", "action_items"),
    ("corrective", "action_items"),
    ("preventative", "action_items"),
    ("preventive", "action_items"),
    ("lessons", "lessons"),
    ("went well", "lessons"),
    ("got lucky", "lessons"),
    ("went wrong", "fault"),
    ("summary", "summary"),
    ("overview", "summary"),
    ("impact", "impact"),
    ("detection", "detection"),
    ("resolution", "resolution"),
    ("mitigation", "resolution"),
    ("recovery", "resolution"),
    ("trigger", "trigger"),
    ("response", "response"),
)


def heading_words(heading: str) -> str:
    """Lower-case words of a heading, without emoji, numbering, markup or trailing colon."""
    text = re.sub(r"\([^)]*\)", " ", heading)  # "(all times UTC)" says nothing about the key
    text = "".join(ch if unicodedata.category(ch)[0] in "LNZ" else " " for ch in text)
    text = re.sub(r"^\s*(\d+|[ivx]+)\b", " ", text.casefold())  # "1." "IV."
    return " ".join(text.split())


def section_key(heading: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """The canonical key a heading names, or None when it names none."""
    words = heading_words(heading)
    if not words:
        return None
    for alias, key in (aliases or {}).items():
        if heading_words(alias) == words:
            return key
    if words in EXACT:
        return EXACT[words]
    padded = f" {words} "
    for keyword, key in KEYWORDS:
        if f" {keyword}" in padded:
            return key
    return None


@dataclass(frozen=True, slots=True)
class RawSection:
    """Blocks under one heading, before their content is interpreted.

    `key` is "" for text before the first heading. The body runs over file
    lines `body_start` to `body_end` (exclusive), blank lines and all.
    """

    key: str
    heading: str
    line: int
    body_start: int
    body_end: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A block that opens a section: its text, level (1–6, 7 for pseudo-headings) and key."""

    text: str
    level: int
    key: str | None


def split_sections(
    blocks: Sequence[Block], end_line: int, aliases: Mapping[str, str] | None = None
) -> list[RawSection]:
    """Group blocks into sections covering every line up to `end_line`.

    A heading that names a canonical key always opens a section. One that names
    none opens an `other` section unless it is deeper than the recognised
    section it would interrupt, in which case it is a sub-heading and stays inside.
    """
    sections: list[RawSection] = []
    opened: tuple[str, str, int, int, int] | None = None  # key, text, line, level, body start
    members: list[Block] = []
    preamble_start = blocks[0].start if blocks else end_line

    def close(until: int) -> None:
        if opened is not None:
            key, text, line, _, body_start = opened
            sections.append(RawSection(key, text, line, body_start, until, tuple(members)))
        elif members:
            sections.append(RawSection("", "", preamble_start, preamble_start, until, tuple(members)))

    for block in blocks:
        heading = read_heading(block, aliases)
        if heading is not None and not _is_sub_heading(heading, opened):
            close(block.start)
            opened = (heading.key or "other", heading.text, block.start, heading.level, block.end)
            members = []
        else:
            members.append(block)
    close(end_line)
    return sections


def _is_sub_heading(heading: Heading, opened: tuple[str, str, int, int, int] | None) -> bool:
    if heading.key is not None or opened is None or opened[0] == "other":
        return False
    return heading.level > opened[3]


_HTML_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.I | re.S)
_EMPHASIS_ONLY = re.compile(r"^\s*(\*\*|__|\*|_)(?P<text>[^\n]+?)\1\s*:?\s*$")


def read_heading(block: Block, aliases: Mapping[str, str] | None = None) -> Heading | None:
    """Whether `block` opens a section, and with which heading.

    Markdown headings always do; so does a raw `<h1>`–`<h6>` block, and a
    paragraph that is only bold or italic text naming a known section or ending
    in a colon (`**Timeline:**`).
    """
    if block.kind == "heading":
        text = block.inline.strip()
        return Heading(text, block.level, section_key(text, aliases))
    if block.kind == "html":
        match = _HTML_HEADING.match(block.source)
        if match:
            text = re.sub(r"<[^>]+>", "", match.group(2)).strip()
            return Heading(text, int(match.group(1)), section_key(text, aliases))
    if block.kind == "paragraph" and "\n" not in block.inline:
        match = _EMPHASIS_ONLY.match(block.inline)
        if match:
            text = match.group("text").strip().rstrip(":").strip("*_ ").strip()
            key = section_key(text, aliases)
            if key is not None or block.inline.rstrip().rstrip("*_").endswith(":"):
                return Heading(text, 7, key)
    return None
