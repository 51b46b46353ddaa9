"""Where a document writes each section of the incident it was read into, cut as the normaliser cuts it.

For rewriting a document around its sections (`hindsite migrate`) without
cutting them a second way: the lines come from `sections.own_lines`, which the
normaliser's own reading uses too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.model import Incident, Section
from ..read.files import Document
from .blocks import parse_blocks
from .located import Block
from .sections import RawSection, dedent_after_label, own_lines, split_sections, without_blank_ends, without_title_lines


@dataclass(frozen=True, slots=True)
class WrittenSection:
    """A section of the incident with its body as the document writes it, template notes and app links kept.

    `written` is the document's lines, less a label that opened the section and
    blank lines at either end; `text` is what the normaliser reads, the same
    with the common indentation removed (a labelled section's lines move left
    with their label, so there `written` is `text`). Both start on file line
    `first_line`. `parent` is the index of the section this one is under, in
    `Incident.every_section` order, as the incident nests them (None at the top).
    """

    section: Section
    written: str
    text: str
    first_line: int
    parent: int | None = None


@dataclass(frozen=True, slots=True)
class WrittenBody:
    """The sections of a document at every depth, in `Incident.every_section` order, and the opening block the
    normaliser took out of the body as the title (None when it took none)."""

    sections: tuple[WrittenSection, ...]
    title_block: Block | None


def written_sections(document: Document, incident: Incident, aliases: Mapping[str, str]) -> WrittenBody | None:
    """Where `document`, which normalised to `incident`, writes each of its sections; None when they cannot be
    found again (the incident was read another way, or holds a section the body does not write).

    The opening heading, or one below a few notes, may have been taken as the
    title: the split whose sections start on the incident's lines is the one
    the normaliser made.
    """
    lines = document.body.split("\n")
    blocks = parse_blocks(document.body, document.body_line)
    sections = incident.every_section()
    wanted = [s.line for s in sections]
    parents = _parents(incident.sections)
    for taken in (None, *range(min(len(blocks), _MOST_BLOCKS_BEFORE_THE_TITLE + 1))):
        kept = blocks if taken is None else [*blocks[:taken], *blocks[taken + 1 :]]
        kept_lines = without_title_lines(lines, blocks, kept, document.body_line)
        raw = split_sections(kept, kept_lines, document.body_line, aliases)
        if [r.line for r in raw] == wanted:
            written = (_written(r, s, p, kept_lines, document.body_line)
                       for r, s, p in zip(raw, sections, parents, strict=True))
            return WrittenBody(tuple(written), None if taken is None else blocks[taken])
    return None


#: The normaliser takes the title from the opening heading, or from one below at most three notes.
_MOST_BLOCKS_BEFORE_THE_TITLE = 3


def _parents(sections: Sequence[Section]) -> list[int | None]:
    """The index of each section's parent, in `Incident.every_section` order, as the incident nests them."""
    parents: list[int | None] = []

    def walk(section: Section, parent: int | None) -> None:
        index = len(parents)
        parents.append(parent)
        for child in section.children:
            walk(child, index)

    for section in sections:
        walk(section, None)
    return parents


def _written(raw: RawSection, section: Section, parent: int | None, lines: Sequence[str], body_line: int) -> WrittenSection:
    """The lines of one section as the normaliser cuts them, before it removes template notes."""
    taken, labelled = own_lines(raw, lines, body_line)
    taken, first = without_blank_ends(taken, raw.body_start)
    text = dedent_after_label(taken, labelled)
    # Lines under a labelled list item (`- **Impact:** …`, `* 🥏 Impact`) move left with it; others keep
    # their indentation, which may make them code, as it did where they were written.
    return WrittenSection(section, text if raw.label_cut else "\n".join(taken), text, first, parent)
