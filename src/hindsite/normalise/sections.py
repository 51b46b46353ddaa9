"""Headings → canonical section keys, and blocks → sections.

The synonym table is data: exact phrases first, then ordered keyword rules,
so "Root Cause and Resolution" lands on the first key it names.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from ..core.model import CLOSING
from .blocks import Block, ListItem, TableRow
from .bookends import closing_line
from .metadata import body_label
from .times import leading_stamp

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
    "context": "summary",
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
    "identified": "detection",
    "how it was identified": "detection",
    "how was it detected": "detection",
    "response": "response",
    "incident response": "response",
    "recovery": "resolution",
    "resolution": "resolution",
    "resolution and recovery": "resolution",
    "mitigation": "action_items",  # a list of what will prevent a recurrence, or what was done (`told_not_listed`)
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
    "root cause and resolution": "root_cause",  # one section for both: named by the first, as keyword rules do
    "root cause resolution": "root_cause",  # "Root Cause & Resolution"
    "cause and resolution": "root_cause",
    "cause resolution": "root_cause",
    "contributing factors": "root_cause",
    "cause": "root_cause",
    "causes": "root_cause",
    "five whys": "root_cause",
    "details of vulnerability": "root_cause",
    "vulnerability details": "root_cause",
    "technical details": "root_cause",
    "5 whys": "root_cause",
    "lessons learned": "lessons",
    "lessons learnt": "lessons",
    "lessons": "lessons",
    "what went well": "lessons",
    "what went right": "lessons",
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
    "looking forward": "action_items",  # the work promised from here on
    "review actions": "action_items",
    "tasks": "action_items",
    "tasks to address the issue": "action_items",
    "actions taken": "response",
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
    ("went right", "lessons"),
    ("got lucky", "lessons"),
    ("went wrong", "fault"),
    ("went poorly", "fault"),
    ("went badly", "fault"),
    ("summary", "summary"),
    ("what happened", "summary"),
    ("overview", "summary"),
    ("impact", "impact"),
    ("detection", "detection"),
    ("resolution", "resolution"),
    ("prevent", "action_items"),
    ("mitigation", "action_items"),
    ("next step", "action_items"),
    ("doing about it", "action_items"),  # "What we're doing about it"
    ("fix", "resolution"),
    ("recovery", "resolution"),
    ("trigger", "trigger"),
    ("response", "response"),
)


def heading_words(heading: str) -> str:
    """Lower-case words of a heading, without emoji, numbering, markup or trailing colon."""
    text = re.sub(r"\([^)]*\)", " ", heading)  # "(all times UTC)" says nothing about the key
    text = re.sub(r":[a-z0-9_+-]+:", " ", text)  # emoji shortcodes such as :fire:
    text = "".join(ch if unicodedata.category(ch)[0] in "LNZ" else " " for ch in text)
    words = " ".join(text.casefold().split())
    if words in EXACT:
        return words  # "5 whys" is a name, not a numbered heading
    return " ".join(re.sub(r"^\s*(\d+|[ivx]+)\b", " ", words).split())  # "1. Timeline", "IV. Impact"


def names_section(heading: str, aliases: Mapping[str, str] | None = None) -> bool:
    """Whether the whole heading is a section's name ("Summary", "Root cause"), not a phrase containing one."""
    words = heading_words(heading)
    return words in EXACT or any(heading_words(alias) == words for alias in (aliases or {}))


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


#: Words of a heading that name what was done during the incident as often as what will be done: a section so
#: headed holds action items where it lists them, and tells how the incident was resolved where it does not.
_DONE_OR_TO_DO = (" mitigation", " remediation")


def told_not_listed(heading: str, blocks: Sequence[Block], line: int) -> bool:
    """Whether a section headed "Mitigation", "Remediation" or "Steps taken towards mitigation" is prose, with no
    list or table: what was done, not items (a heading that also names follow-ups, "Mitigation and prevention",
    is action items whatever its text). `line` is the heading's: a labelled entry's own item is not a list."""
    padded = f" {heading_words(heading)} "
    others = [keyword for keyword, key in KEYWORDS if key == "action_items" and keyword != "mitigation"
              and f" {keyword}" in padded]
    if others or not any(word in padded for word in _DONE_OR_TO_DO):
        return False
    listed = any(block.kind == "table" or block.kind == "list" and _lists_after(block.items, line) for block in blocks)
    return not listed and any(block.source.strip() for block in blocks)


def _lists_after(items: Sequence[ListItem], line: int) -> bool:
    return any(item.line > line or _lists_after(item.children, line) for item in items)


@dataclass(frozen=True, slots=True)
class Heading:
    """What opens a section: its text, depth and canonical key (None when unrecognised).

    Levels 1–6 are real headings, 7 pseudo-headings (`**Timeline:**`, a bare
    `Timeline:` line) and 8 labelled list items and paragraphs.
    """

    text: str
    level: int
    key: str | None


@dataclass(frozen=True, slots=True)
class RawSection:
    """Blocks under one heading, before their content is interpreted.

    `key` is "" for text before the first heading and `CLOSING` for closing
    remarks after the last section (`bookends`). The body runs over file
    lines `body_start` to `body_end` (exclusive), blank lines and all; when
    the heading is a label at the start of a line (`**Impact:** text`),
    `label_cut` characters of the first body line belong to the heading.
    `parent` is the index, in the list `split_sections` returns, of the
    section this one is a sub-section of (None at the top); `level` is the
    depth its heading was read at (see `_Nesting`).
    """

    key: str
    heading: str
    line: int
    body_start: int
    body_end: int
    blocks: tuple[Block, ...]
    label_cut: int = 0
    level: int = 0
    parent: int | None = None


PSEUDO_LEVEL = 7
LABEL_LEVEL = 8

_HTML_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.I | re.S)
_EMPHASIS_ONLY = re.compile(r"^\s*(\*\*|__|\*|_)(?P<text>[^\n]+?)\1\s*:?\s*$")
_HASH_NO_SPACE = re.compile(r"^(#{1,6})(?=[^\s#\d])(?P<text>.+?)#*\s*$")
#: `Label: rest`, `**Label:** rest`, `**Label**: rest` or a bare `Label`; emoji before the label allowed.
_LABEL = re.compile(
    r"^(?P<lead>[^\w*_]*?)(?:(?P<open>\*\*|__|\*|_)(?P<emphasised>[^\W\d_][^:*_\n]{0,60}?)\s*(?P<close>:\s*(?P=open)|(?P=open)\s*:?)"
    r"|(?P<plain>[^\W\d_][^:*_\n]{0,60}?)\s*:)(?P<rest>.*)$"
)
def is_timestamp_heading(text: str) -> bool:
    """`### 2018-03-26 10:34`, `### 14:55`, `### Feb 20 2018 14:17`, `### 2020-02-20`: a timeline entry or a day
    of the timeline, not a section."""
    return leading_stamp(text) is not None


def read_heading(block: Block, aliases: Mapping[str, str] | None = None) -> Heading | None:
    """Whether `block` as a whole opens a section, and with which heading."""
    if block.kind == "heading":
        text = _strip_markup(block.inline)
        if is_timestamp_heading(text):
            return None
        return Heading(text, block.level, section_key(text, aliases))
    if block.kind == "html":
        match = _HTML_HEADING.match(block.source)
        if match:
            text = _strip_markup(re.sub(r"<[^>]+>", "", match.group(2)))
            return Heading(text, int(match.group(1)), section_key(text, aliases))
    if block.kind == "paragraph" and "\n" not in block.inline.strip():
        return line_heading(block.inline.strip(), aliases)
    return None


def line_heading(line: str, aliases: Mapping[str, str] | None = None) -> Heading | None:
    """A single line that works as a heading: `**Timeline:**`, `#Impact`, a bare `Root cause:`."""
    hashed = _HASH_NO_SPACE.match(line)
    if hashed:
        text = _strip_markup(hashed.group("text"))
        return Heading(text, len(hashed.group(1)), section_key(text, aliases))
    emphasised = _EMPHASIS_ONLY.match(line)
    if emphasised:
        text = _strip_markup(emphasised.group("text")).rstrip(":").strip()
        key = section_key(text, aliases)
        if key is not None or line.rstrip().rstrip("*_").endswith(":"):
            return Heading(text, PSEUDO_LEVEL, key)
        return None
    bare = line.strip()
    if bare.endswith(":") and len(heading_words(bare).split()) <= 5 and bare[:1].isupper():
        text = bare.rstrip(":").strip()
        key = section_key(text, aliases)
        if key is not None and body_label(text) is None:
            return Heading(text, PSEUDO_LEVEL, key)
    elif len(bare.split()) <= 4 and bare[:1].isupper() and not bare.endswith((".", ",", ";")):
        key = section_key(bare, aliases)
        if key is not None and heading_words(bare) in EXACT:
            return Heading(bare, PSEUDO_LEVEL, key)
    return None


def label_heading(line: str, aliases: Mapping[str, str] | None = None) -> tuple[Heading, int] | None:
    """A section label at the start of a line (`**Impact:** text`, `Root Cause: text`, `🔎 Root cause`).

    Returns the heading and how many characters of the line the label takes.
    Only labels that name a canonical section count; `Duration:` is metadata.
    """
    match = _LABEL.match(line)
    if not match:
        return None
    label = (match.group("emphasised") or match.group("plain")).strip()
    emphasised = match.group("emphasised") is not None
    has_colon = not emphasised or ":" in match.group("close")
    rest = match.group("rest")
    if emphasised and not has_colon and rest.strip() and not rest.lstrip().startswith(":"):
        return None  # "**Bold** words" in a sentence
    key = section_key(label, aliases)
    if key is None or len(label.split()) > 6 or body_label(label) is not None:
        return None
    cut = len(line) - len(rest.lstrip())
    return Heading(label, LABEL_LEVEL, key), cut


_ANY_LABEL = re.compile(r"^\s*(?:(\*\*|__)(?P<emphasised>[^*_\n]{1,40}?)\1\s*:?|(?P<plain>[A-Z][\w /&-]{0,40}?)\s*:)(?=\s|$)")


def _pair_label(line: str) -> str | None:
    """The label of a `Label: value` line with a value (`Services: queue`, `**Impact:** 20%`), or None."""
    found = any_label(line)
    return found[0].text.rstrip(":").strip() if found is not None and line[found[1] :].strip(" *_:") else None


def _runs(numbers: Sequence[int]) -> list[list[int]]:
    """Sorted line numbers, in runs of consecutive lines."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def any_label(line: str) -> tuple[Heading, int] | None:
    """Any `**Label**:` or `Label:` at the start of a line, section name or not."""
    match = _ANY_LABEL.match(line)
    if not match:
        return None
    text = (match.group("emphasised") or match.group("plain")).strip()
    return Heading(text, LABEL_LEVEL, None), match.end()


def bare_label_item(first_line: str, has_more: bool, aliases: Mapping[str, str] | None = None) -> Heading | None:
    """A list item whose first line is only a section name, with its content below (Notion's `* 🔎 Root cause`)."""
    text = _strip_markup(first_line).rstrip(":").strip()
    if not has_more or not text or len(text.split()) > 5:
        return None
    key = section_key(text, aliases)
    return Heading(text, LABEL_LEVEL, key) if key is not None and heading_words(text) in EXACT else None


def _strip_markup(text: str) -> str:
    """Drop emphasis and code markers, but not underscores inside words (`:globe_with_meridians:`)."""
    return " ".join(re.sub(r"(?<!\w)[*_`]+|[*_`]+(?!\w)|\*+|`+", "", text).split())


_Lined = TypeVar("_Lined", ListItem, TableRow)


def _on_lines(parts: tuple[_Lined, ...], start: int, end: int) -> tuple[_Lined, ...]:
    """The items (or rows) of a block, which come in the order of their lines, on lines [start, end)."""
    first = bisect.bisect_left(parts, start, key=lambda part: part.line)
    return parts[first : bisect.bisect_left(parts, end, lo=first, key=lambda part: part.line)]


def _cut(item: ListItem, end: int) -> ListItem:
    """`item` without its lines from `end` on (a heading written at the margin ends it there); its text has a line
    for each of its file lines."""
    kept = end - item.line
    lines = item.text.split("\n")
    if len(lines) <= kept:
        return item
    children = tuple(_cut(child, end) for child in item.children if child.line < end)
    return replace(item, text="\n".join(lines[:kept]).rstrip(), children=children)


@dataclass
class _Open:
    key: str
    heading: str
    line: int
    level: int  # as written: what a heading under it is compared with to stay inside it
    body_start: int
    label_cut: int = 0
    depth: int = 0  # as nested (`_Nesting`)
    parent: int | None = None


#: Keys a section holds as its parts when the author marks them in bold rather than with deeper headings:
#: "What went well", "What went wrong" and "Where we got lucky" are the parts of the lessons.
HOLDS: Mapping[str, frozenset[str]] = {"lessons": frozenset({"fault"})}


def named_keys(heading: str, aliases: Mapping[str, str] | None = None) -> set[str]:
    """Every key a heading names: "Root Cause and Resolution" names root_cause and resolution."""
    padded = f" {heading_words(heading)} "
    named = {key for keyword, key in KEYWORDS if f" {keyword}" in padded}
    key = section_key(heading, aliases)
    return named | {key} if key else named


@dataclass(frozen=True, slots=True)
class _Ancestor:
    index: int  # in the sections split so far
    depth: int
    key: str
    heading: str


class _Nesting:
    """Which section a new heading is a sub-section of: the author's heading levels decide.

    A heading is a sub-section of the nearest open section whose heading is
    shallower; one at the same level or higher is a sibling and closes it.
    Levels shallower than the document's first section heading count as that
    level: a `# Timeline` among `## Summary` and `## Root cause` is their
    sibling, not their parent. Bold lines (`**Timeline:**`) are deeper than any
    real heading, but they name their level by their words alone, so one is a
    sub-section of a real heading only when it is a part of it: the same key,
    a key its heading names too ("Root Cause and Resolution" holds a bold
    "Resolution"), one of the parts in `HOLDS`, or any part of a section
    hindsite does not recognise; otherwise it is that heading's sibling.
    Labels (`**Impact:** …`) are always parts of the section they are written in.
    """

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self.aliases = aliases
        self.open: list[_Ancestor] = []
        self.base: int | None = None

    def place(self, heading: Heading) -> tuple[int, int | None]:
        """The depth of a new section and the index of its parent (None at the top)."""
        if self.base is None and heading.level <= PSEUDO_LEVEL:
            self.base = heading.level
        depth = max(heading.level, self.base or 0) if heading.level < PSEUDO_LEVEL else heading.level
        while self.open and self.open[-1].depth >= depth:
            self.open.pop()
        if heading.level == PSEUDO_LEVEL:
            while self.open and self.open[-1].depth < PSEUDO_LEVEL and not self._holds(self.open[-1], heading):
                self.open.pop()
        return depth, self.open[-1].index if self.open else None

    def closed(self, index: int, opened: _Open) -> None:
        self.open.append(_Ancestor(index, opened.depth, opened.key, opened.heading))

    def _holds(self, section: _Ancestor, heading: Heading) -> bool:
        key = heading.key
        return (section.key == "other" or key is None or key == section.key or key in HOLDS.get(section.key, ())
                or key in named_keys(section.heading, self.aliases))


def split_sections(
    blocks: Sequence[Block], body_lines: Sequence[str], first_line: int, aliases: Mapping[str, str] | None = None
) -> list[RawSection]:
    """Group blocks into sections that together cover every line of the body, in the author's order.

    Headings of every kind open sections. Inside sections other than the
    timeline and action items, a labelled paragraph or list item naming another
    section (`- **Resolution:** …`) opens that section too, which is how
    combined sections like "Root Cause and Resolution" get their parts. Each
    section knows the section it is a sub-section of (`RawSection.parent`,
    see `_Nesting`); closing remarks after the last section are a part of
    their own (`bookends.closing_line`).
    """
    splitter = _Splitter(body_lines, first_line, aliases or {})
    for block in blocks:
        splitter.feed(block)
    return splitter.finish(first_line + len(body_lines))


def own_lines(raw: RawSection, body_lines: Sequence[str], body_line: int, end: int | None = None) -> tuple[list[str], bool]:
    """A section's lines as written, up to file line `end` (its own end when None), less the label that opened it
    (`**Impact:** text` → `text`); and whether text follows that label on its line."""
    lines = list(body_lines[raw.body_start - body_line : (raw.body_end if end is None else end) - body_line])
    labelled = False
    if raw.label_cut and lines:
        lines[0] = lines[0][raw.label_cut :].strip()
        labelled = bool(lines[0])
    return lines, labelled


def without_blank_ends(lines: list[str], first_line: int) -> tuple[list[str], int]:
    """`lines`, the first on file line `first_line`, less blank lines at either end; and the line they now start on."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], first_line + start


def dedent_after_label(lines: list[str], labelled: bool) -> str:
    """Drop common indentation; after a label the first line is already flush, so measure the rest."""
    rest = lines[1:] if labelled and lines else lines
    widths = [len(line) - len(line.lstrip(" ")) for line in rest if line.strip()]
    cut = min(widths, default=0)
    dedented = [line[cut:] for line in rest]
    return "\n".join(([lines[0]] if labelled and lines else []) + dedented)


class _Splitter:
    def __init__(self, body_lines: Sequence[str], first_line: int, aliases: Mapping[str, str]) -> None:
        self.lines = body_lines
        self.first_line = first_line
        self.aliases = aliases
        self.sections: list[RawSection] = []
        self.opened: _Open | None = None
        self.members: list[Block] = []
        self.preamble_start: int | None = None
        self.nesting = _Nesting(aliases)

    def line(self, number: int) -> str:
        return self.lines[number - self.first_line]

    def feed(self, block: Block) -> None:
        heading = read_heading(block, self.aliases)
        if heading is not None and not self._is_sub_heading(heading):
            self.open(heading, block.start, block.end)
            return
        if block.from_html:
            self.add(block)  # its lines are HTML: they are not split at labels written in Markdown's words
        elif block.kind == "paragraph":
            self._feed_paragraph(block)
        elif block.kind == "list":
            self._feed_list(block)
        else:
            self.add(block)

    def _feed_paragraph(self, block: Block) -> None:
        """Split a paragraph at lines that are headings or section labels."""
        start = block.start
        fields = self._field_lines(block)
        for number in range(block.start, block.end):
            text = self.line(number).strip()
            heading = line_heading(text, self.aliases)
            if heading is not None and heading.key is not None and not self._is_sub_heading(heading):
                self._add_part(block, start, number)
                self.open(heading, number, number + 1)
                start = number + 1
                continue
            labelled = label_heading(text, self.aliases) if self._labels_allowed() and number not in fields else None
            if labelled is not None and labelled[0].key != self.current_key:
                self._add_part(block, start, number)
                indent = len(self.line(number)) - len(self.line(number).lstrip())
                self.open(labelled[0], number, number, label_cut=indent + labelled[1])
                start = number
        self._add_part(block, start, block.end)

    def _field_lines(self, block: Block) -> set[int]:
        """The lines of a paragraph where a section label is a field among fields: in a run of `Label: value` lines
        holding one that names a field hindsite reads (`Date:`, `Services:`), a label followed by a line whose label
        names no section. `Impact: 20% of jobs failed` above `Services: queue` is one of the fields, not a section
        that would hold the lines after it; above `Root cause: …` it is a part, as it is at the run's end."""
        pairs = {number: label for number in range(block.start, block.end)
                 if (label := _pair_label(self.line(number).strip())) is not None}
        fields: set[int] = set()
        for run in _runs(sorted(pairs)):
            if any(body_label(pairs[number]) for number in run):
                fields.update(number for number in run[:-1] if section_key(pairs[number + 1], self.aliases) is None)
        return fields

    def _feed_list(self, block: Block) -> None:
        """Split a list at items whose label names another section, and at headings written at the margin inside it.

        Once an item has opened a section, a later sibling with any label
        (`- **Context**: …`) ends it and returns to the section the list began in.
        Labels are content where `_labels_allowed` says so; a heading line is a heading anywhere.
        """
        start = block.start
        parent = self.opened
        opened_here = False
        labels = self._labels_allowed()  # where the list begins: the sections its labels open do not decide it
        ends = [item.line for item in block.items[1:]] + [block.end]
        for item, item_end in zip(block.items, ends, strict=True):
            if labels and self._opens_at_label(block, item, start, parent, opened_here):
                start, opened_here = item.line, True
            after = self._split_at_margin_headings(block, start, item.line + 1, item_end)
            if after != start:
                start, parent, opened_here = after, self.opened, False
                labels = self._labels_allowed()
        self._add_part(block, start, block.end)

    def _opens_at_label(self, block: Block, item: ListItem, start: int, parent: _Open | None, opened_here: bool) -> bool:
        """Whether `item`'s label opens a section there (it then has: the list's lines before it are added first)."""
        first, _, more = item.text.partition("\n")
        labelled = label_heading(first, self.aliases)
        heading = labelled[0] if labelled else bare_label_item(first, bool(more.strip()), self.aliases)
        if heading is None and opened_here:
            sibling = any_label(first)
            if sibling is not None:
                labelled = sibling
                heading = Heading(sibling[0].text, LABEL_LEVEL, parent.key if parent else None)
        if heading is None or (heading.key == self.current_key and not opened_here):
            return False
        raw_line = self.line(item.line).rstrip()
        cut = len(raw_line) - len(first.rstrip()) + labelled[1] if labelled else len(raw_line)
        self._add_part(block, start, item.line)
        self.open(heading, item.line, item.line, label_cut=cut)
        return True

    def _split_at_margin_headings(self, block: Block, start: int, first: int, end: int) -> int:
        """Open a section at each line of a list item, from `first` to `end`, that is a heading written at the margin.

        Markdown reads a line at the margin right after an item's text as more of that text (a lazy
        continuation line), so `Resolution` between two lists is folded into the first one's last item;
        a reader sees a heading, as in a paragraph (`_feed_paragraph`). Returns where the list's next part starts.
        """
        for number in range(first, end):
            text = self.line(number)
            if not text.strip() or text[:1].isspace() or not self.line(number - 1).strip():
                continue
            heading = line_heading(text.strip(), self.aliases)
            if heading is not None and heading.key is not None and not self._is_sub_heading(heading):
                self._add_part(block, start, number)
                self.open(heading, number, number + 1)
                start = number + 1
        return start

    def _add_part(self, block: Block, start: int, end: int) -> None:
        part = self._slice(block, start, end)
        if part is not None:
            self.add(part)

    def _slice(self, block: Block, start: int, end: int) -> Block | None:
        """The lines `start` to `end` (exclusive) of a block, as a block; None when there are none."""
        if end <= start:
            return None
        if start == block.start and end == block.end:
            return block
        source = "\n".join(self.lines[start - self.first_line : end - self.first_line])
        items = tuple(_cut(item, end) for item in _on_lines(block.items, start, end))  # costs no more than the list
        rows = _on_lines(block.rows, start, end)
        return Block(block.kind, start, end, source, block.level, source, items, rows)

    def add(self, block: Block) -> None:
        if self.opened is None and self.preamble_start is None:
            self.preamble_start = block.start
        self.members.append(block)

    @property
    def current_key(self) -> str | None:
        return self.opened.key if self.opened else None

    def _labels_allowed(self) -> bool:
        """Labels split summaries and combined sections; in a timeline or a list of lessons they are content."""
        return self.current_key not in ("timeline", "action_items", "lessons", "related")

    def _is_sub_heading(self, heading: Heading) -> bool:
        """An unrecognised heading deeper than the recognised section it sits in stays inside it."""
        opened = self.opened
        if heading.key is not None or opened is None or opened.key == "other":
            return False
        return heading.level > opened.level

    def open(self, heading: Heading, line: int, body_start: int, label_cut: int = 0) -> None:
        self.close(line)
        depth, parent = self.nesting.place(heading)
        self.opened = _Open(heading.key or "other", heading.text, line, heading.level, body_start, label_cut, depth, parent)
        self.members = []

    def _aliased(self, heading: str) -> bool:
        """Whether the site names the key of this heading itself (`[sections.aliases]`): then it decides."""
        return any(heading_words(alias) == heading_words(heading) for alias in self.aliases)

    def close(self, until: int) -> None:
        if self.opened is not None:
            o = self.opened
            if o.key == "action_items" and not self._aliased(o.heading) and told_not_listed(o.heading, self.members, o.line):
                o = replace(o, key="resolution")
            self.sections.append(RawSection(
                o.key, o.heading, o.line, o.body_start, until, tuple(self.members), o.label_cut, o.depth, o.parent))
            self.nesting.closed(len(self.sections) - 1, o)
        elif self.members and self.preamble_start is not None:
            start = self.preamble_start
            self.sections.append(RawSection("", "", start, start, until, tuple(self.members)))

    def finish(self, end_line: int) -> list[RawSection]:
        self.close(end_line)
        self._split_closing(end_line)
        return self.sections

    def _split_closing(self, end_line: int) -> None:
        """Closing remarks at the end of the last section become a part of their own (`bookends.closing_line`)."""
        if not self.sections or not self.sections[-1].key:
            return  # no heading at all: the text is the preamble, whatever it ends with
        last = self.sections[-1]
        start = closing_line(last.blocks, self.lines, self.first_line)
        if start is None:
            return
        kept = [self._slice(block, block.start, min(block.end, start)) for block in last.blocks]
        closing = [self._slice(block, max(block.start, start), block.end) for block in last.blocks]
        self.sections[-1] = replace(last, body_end=start, blocks=tuple(b for b in kept if b is not None))
        self.sections.append(RawSection(CLOSING, "", start, start, end_line, tuple(b for b in closing if b is not None)))


def without_title_lines(lines: Sequence[str], every: Sequence[Block], kept: Sequence[Block], body_line: int) -> list[str]:
    """The body's lines with the heading taken out as the title blanked, when notes stand above it (`Status: FINAL`,
    an image): else the section of those notes would run over it, and a page would show the title twice."""
    left = {id(block) for block in kept}
    taken = [block for block in every if id(block) not in left]
    if not taken or taken[0] is every[0]:
        return list(lines)
    blanked = list(lines)
    for block in taken:
        blanked[block.start - body_line : block.end - body_line] = [""] * (block.end - block.start)
    return blanked
