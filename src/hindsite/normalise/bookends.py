"""The parts of a document that no heading opens: the preamble before its first heading, the closing after its last section.

A preamble is often not the summary: a note ("All times PDT"), a byline
("Created by Ana", "Last modified: 2019-01-23"), a hero image, a table of
facts. It is the summary only when it holds prose (`is_prose`). Closing
remarks ("In conclusion, …", thanks, an apology, a sign-off) are written
after the last section, under no heading of their own; `closing_line`
finds where they begin, so they are not read as part of that section
(an action item, an event). Both are word lists and patterns, kept here
as data, so a new form is a line and a test.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .blocks import Block
from .metadata import body_label
from .timeline import declared_zone
from .times import MONTH, WEEKDAY, Zones, scan_dates

# --- the preamble ----------------------------------------------------------------

#: Who wrote it and when: "Created by Ana", "Written by the platform team", "By @ana", "Last modified 2019-01-23".
_BYLINE = re.compile(
    r"^(?:(?:created|written|authored|prepared|posted|published|edited|compiled|maintained|reported|drafted|reviewed"
    r"|updated)\s+(?:by|on|at)\b|last\s+(?:modified|updated|edited|reviewed)\b)",
    re.I,
)
#: "By the platform team", "By @ana": a short line without a time or a full stop ("By 10:00 it was back." is prose).
_BY = re.compile(r"^by\s+[^\d.!?]{1,60}$", re.I)
#: Verbs that date the write-up: "Written 2024-01-08", "Last updated on …", "Prepared by Dana on …".
_WRITE_UP_VERB = (r"(?:updated|modified|edited|written|published|posted|created|authored|reviewed|prepared|compiled"
                  r"|drafted|filed|submitted|revised)")
#: A line that dates the write-up: it opens with such a verb, or says so of the document, its report or its
#: meeting ("This document was last updated on …", "Report filed …", "Postmortem meeting held …").
_WRITE_UP = re.compile(
    rf"^(?:(?:last\s+)?{_WRITE_UP_VERB}\b"
    rf"|(?:(?:this|the|our)\s+)?(?:[\w-]+\s+){{0,2}}?(?:document|doc|report|post-?mortem|write-?up|review|retrospective"
    rf"|retro|rca|analysis|page|meeting|session)\s+(?:was\s+|is\s+|has\s+been\s+)?(?:last\s+|first\s+)?"
    rf"(?:{_WRITE_UP_VERB}|held|scheduled|conducted)\b)",
    re.I,
)
#: A person's name as a byline writes it: "Priya Natarajan", "Jane O'Neil", "@ana".
_NAME = r"(?:@[\w.-]+|[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})"
_MARK = "\x00"  # where a date or a reading time stood
#: A byline of a name and a date, as blogs write them: "By Priya Natarajan, March 20, 2023",
#: "Priya Natarajan — March 20, 2023", "March 20, 2023 · Priya Natarajan · 6 min read".
_DATED_BYLINE = re.compile(
    rf"^(?P<by>[Bb]y\s+)?(?P<name>{_NAME})\s*(?:,|\s[-–—·•|]|[–—·•|])\s*{_MARK}(?:\s*[,·•|–—-]\s*{_MARK})*$"
    rf"|^{_MARK}\s*[·•|–—-]\s*(?P<after>{_NAME})(?:\s*[·•|–—-]\s*{_MARK})*$"
)
_READING_TIME = re.compile(r"\b\d{1,3}\s*(?:-\s*)?min(?:ute)?s?\s+read\b", re.I)
_NOT_A_NAME = re.compile(rf"^(?:{MONTH}|{WEEKDAY}|on|at|in|the|from|since|until)\b", re.I)


def dates_the_write_up(line: str) -> bool:
    """Whether a line says when the postmortem was written, published or reviewed, or who wrote it and when,
    rather than when the incident happened: its date is not the incident's."""
    plain = re.sub(r"[*_`]+", "", line).strip()
    plain = re.sub(r"^[^\w@]+", "", plain)
    return _WRITE_UP.match(plain) is not None or _is_dated_byline(plain)


def _is_dated_byline(plain: str) -> bool:
    dates = scan_dates(plain)
    if not dates:
        return False
    marked = plain
    for found in reversed(dates):
        marked = marked[: found.start] + _MARK + marked[found.end :]
    marked = _READING_TIME.sub(_MARK, marked).rstrip(" .")
    shape = _DATED_BYLINE.match(marked)
    if shape is None:
        return False
    name = shape["name"] or shape["after"]
    if _NOT_A_NAME.match(name):
        return False
    # "By Ana, …" names her; without "By", one capitalised word ("Outage — March 3, 2024") may be anything.
    return bool(shape["by"]) or name.startswith("@") or len(name.split()) >= 2
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]|<img\b[^>]*>", re.I)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[[^\]]*\]\[[^\]]*\]|<https?://[^>]*>|https?://\S+")
_TAG = re.compile(r"<[^>]+>|\{%.*?%\}|\{\{.*?\}\}")
_LABEL = re.compile(r"^(?:\*\*|__)?(?P<label>[^\W\d][^:*_\n]{0,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?(?=\s|$)(?P<value>.*)$")
_SENTENCE_END = re.compile(r"[.!?…]$")


def is_prose(blocks: Sequence[Block], zones: Zones) -> bool:
    """Whether text before the first heading holds prose, rather than notes alone (what can stand as a summary)."""
    return any(not _is_note(block, zones) for block in blocks)


def is_note_paragraph(text: str, zones: Zones) -> bool:
    """Whether a paragraph's words are a note (a byline, `Key: value` lines, a date alone), not prose."""
    return _is_note_text(text, zones)


def _is_note(block: Block, zones: Zones) -> bool:
    if block.kind in ("hr", "table", "code", "heading", "other"):
        return True  # a rule, a table of facts, a template's code, a date heading: nothing to read as a summary
    if block.kind == "html":
        return _is_note_text(_TAG.sub(" ", block.source), zones)  # a hero image or a badge has no words of its own
    if block.kind == "list":
        return all(_is_note_text(item.text, zones) for item in block.items)
    if block.kind == "quote":
        return _is_note_text(re.sub(r"^\s*>\s?", "", block.source, flags=re.M), zones)
    return _is_note_text(block.inline or block.source, zones)


def _is_note_text(text: str, zones: Zones) -> bool:
    lines = [line for line in (re.sub(r"<br\s*/?>|\\$|\s{2,}$", "", raw).strip() for raw in text.split("\n")) if line]
    if not lines:
        return True
    if len(" ".join(lines).split()) <= 25 and declared_zone(" ".join(lines), zones) is not None:
        return True  # "All times PDT.", "Times in UTC unless noted"
    return all(_is_note_line(line, single=len(lines) == 1) for line in lines)


def _is_note_line(line: str, *, single: bool) -> bool:
    """A line that says who, when or where, shows a picture or links elsewhere, rather than what happened."""
    plain = _TAG.sub(" ", _IMAGE.sub(" ", line))
    if not re.search(r"[^\W\d_]", _LINK.sub(" ", plain)):
        return True  # an image, a link or a template tag alone
    plain = re.sub(r"[*_`~]+", "", plain).strip()
    words = plain.split()
    if (_BYLINE.match(plain) and len(words) <= 12) or (_BY.match(plain) and len(words) <= 8):
        return True
    if _short_write_up_date(plain):
        return True  # "This document was last updated on 2024-01-08.", "Priya Natarajan — March 20, 2023"
    if plain.startswith("(") and plain.endswith(")"):
        return True
    labelled = _LABEL.match(plain)
    if labelled and len(labelled["label"].split()) <= 4 and len(labelled["value"].split()) <= 8:
        return True  # "Authors: mar", "Status: DONE", "Incident commander: Ana"
    if body_label(plain.rstrip(":")) is not None:
        return True
    dated = sum(found.end - found.start for found in scan_dates(plain))
    if dated and len(plain) - dated <= 12:
        return True  # "January 10, 2024", "Posted 2024-01-10"
    return single and len(words) <= 8 and not _SENTENCE_END.search(plain) and _title_cased(words)


def _short_write_up_date(plain: str) -> bool:
    """A line that dates the write-up and says little else: "Updated the worker pool on 2024-01-08 and the queue
    locked." goes on to say what happened."""
    dates = scan_dates(plain)
    if not dates or not dates_the_write_up(plain):
        return False
    rest = plain
    for found in reversed(dates):
        rest = rest[: found.start] + " " + rest[found.end :]
    return len(_READING_TIME.sub(" ", rest).split()) <= 7


def _title_cased(words: Sequence[str]) -> bool:
    """"POSTMORTEM", "Postmortem Report", "0x19. Postmortem": a title, not a sentence."""
    long = [w for w in words if len(w) >= 4 and re.match(r"[^\W\d_]", w)]
    return bool(long) and all(w[0].isupper() for w in long)


# --- the closing -------------------------------------------------------------------

#: What opens closing remarks: a conclusion, thanks, an apology, a look back at the list above it.
_CLOSING = re.compile(
    r"""^[^\w]*(?:
      in\ conclusion|to\ conclude|in\ closing|to\ sum\ (?:it\ )?up|in\ summary|to\ summari[sz]e|all\ in\ all|overall,
    | thank\ you|thanks\b|many\ thanks|special\ thanks|a\ (?:big|huge)\ thank
    | (?:we|i)\ (?:would\ |'d\ |want\ to\ |wish\ to\ )?(?:like\ to\ )?thank\b
    | (?:we|i)\ (?:sincerely\ |deeply\ |truly\ |again\ )?apologi[sz]e|apologies\b
    | (?:we|i)(?:'re|\ are|'m|\ am)\ (?:very\ |truly\ |deeply\ |so\ |sincerely\ )?sorry
    | (?:our|my)\ (?:sincere\ |deepest\ |sincerest\ )?apologies
    | (?:by|through|with)\ (?:\w+ing\ )?(?:these|the\ above|those|all\ (?:of\ )?these)\b
    | (?:these|the\ above)\ (?:measures|steps|actions|changes|improvements|tasks|items)\b
    | this\ (?:incident|outage|event|experience|postmortem|post-mortem)\ (?:has\ )?(?:highlighted|taught|showed|shown|reminded|underscored)
    )""",
    re.I | re.X,
)
#: A sign-off on a line of its own: "Sincerely,", "Best regards", "Thanks!".
_SIGN_OFF = re.compile(
    r"^\W*(?:sincerely|regards|best\ regards|kind\ regards|warm\ regards|best\ wishes|best|cheers|respectfully"
    r"|yours(?:\ truly|\ sincerely|\ faithfully)?|thanks|thank\ you)\W*$",
    re.I | re.X,
)
#: What may follow closing remarks: more paragraphs, a rule, an image (a signature).
_AFTER_CLOSING = ("paragraph", "hr", "html")


def closing_line(blocks: Sequence[Block], lines: Sequence[str], first_line: int) -> int | None:
    """The file line where closing remarks begin in the last section's blocks, or None when there are none.

    They begin at a line that opens with a closing phrase (`_CLOSING`) or is a
    sign-off (`_SIGN_OFF`), inside the paragraphs that end the section: no
    list, table or code comes after it. The section's first line is never
    one: a section that is all closing words ("## Closing thoughts") keeps them.
    """
    trailing: list[Block] = []
    for block in reversed(blocks):
        if block.kind not in _AFTER_CLOSING:
            break
        trailing.insert(0, block)
    content_start = blocks[0].start if blocks else None
    for block in trailing:
        if block.kind != "paragraph":
            continue
        for number in range(block.start, block.end):
            text = re.sub(r"[*_]+", "", lines[number - first_line]).strip()
            if number != content_start and (_CLOSING.match(text) or _SIGN_OFF.match(text)):
                return number
    return None
