"""Stage 2 — normalise: one `Document` in, one `Incident` out.

Each concern lives in its own module (blocks, sections, metadata, times,
timeline, actions, titles); this module only puts their answers together.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from .. import diagnostics as diag
from ..config import SiteConfig
from ..diagnostics import Diagnostic
from ..markup import render_markdown
from ..model import Incident, Section, minutes_between
from ..read import Document
from ..slugs import document_slug
from .actions import items_from_blocks
from .blocks import Block, parse_blocks
from .metadata import Metadata, file_name_date, read_front_matter
from .sections import RawSection, read_heading, split_sections
from .timeline import events_from_blocks, order_problems
from .titles import clean_title, title_from_file_name

__all__ = ["normalise"]


def normalise(document: Document, config: SiteConfig) -> Incident:
    """Read everything `document` says into the incident model, losing no word."""
    meta = read_front_matter(document, config)
    problems: list[Diagnostic] = [*document.diagnostics, *meta.diagnostics]
    body_lines = document.body.split("\n")
    end_line = document.body_line + len(body_lines)
    blocks = parse_blocks(document.body, document.body_line)
    blocks = _take_title(blocks, meta, config)
    _settle_title(meta, document)

    raw_sections = split_sections(blocks, end_line, config.section_aliases)
    sections = [_section(raw, body_lines, document.body_line, raw_sections) for raw in raw_sections]
    if document.unread_front_matter:
        sections.insert(0, _unread_front_matter_section(document))

    _settle_date(meta, document)
    zone = config.tzinfo
    day = meta.values.get("date")
    timeline_blocks = _blocks_of(raw_sections, "timeline")
    timeline = events_from_blocks(timeline_blocks, day=day, zone=zone)
    problems += order_problems(timeline, document.source)
    action_items = items_from_blocks(_blocks_of(raw_sections, "action_items"))

    if "date" not in meta.values:
        problems.append(
            diag.warning(
                "no-date",
                "no date found; add 'date: YYYY-MM-DD' to the front-matter or start the file name with the date",
                document.source,
                1,
            )
        )
    started = meta.values.get("started_at")
    detected = meta.values.get("detected_at")
    resolved = meta.values.get("resolved_at")
    return Incident(
        id=document_slug(document.rel.name),
        source=document.source,
        content_path=str(document.rel),
        title=meta.values["title"],
        date=meta.values.get("date"),
        severity=meta.values.get("severity"),
        services=meta.values.get("services", ()),
        tags=meta.values.get("tags", ()),
        responders=meta.values.get("responders", ()),
        status=meta.values.get("status"),
        started_at=started,
        detected_at=detected,
        resolved_at=resolved,
        duration_minutes=minutes_between(started, resolved),
        summary=meta.values.get("summary") or _summary_from(sections),
        sections=tuple(sections),
        timeline=tuple(timeline),
        action_items=tuple(action_items),
        diagnostics=tuple(problems),
        origins=tuple(meta.origins.values()),
        extra=tuple(meta.extra),
    )


def _take_title(blocks: list[Block], meta: Metadata, config: SiteConfig) -> list[Block]:
    """Use the document's opening heading as its title, unless it names a section.

    With a front-matter title the opening heading is consumed only when it says
    the same thing, so no words disappear.
    """
    if not blocks:
        return blocks
    heading = read_heading(blocks[0], config.section_aliases)
    if heading is None or heading.key is not None:
        return blocks
    top_level = min((h.level for b in blocks if (h := read_heading(b)) is not None), default=heading.level)
    if heading.level > top_level:
        return blocks
    written = meta.values.get("title")
    if written is not None and _comparable(written) != _comparable(heading.text):
        return blocks
    meta.set("title", clean_title(heading.text), "heading", blocks[0].start)
    return blocks[1:]


def _comparable(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _settle_title(meta: Metadata, document: Document) -> None:
    if "title" in meta.values:
        meta.values["title"] = clean_title(str(meta.values["title"])) or str(meta.values["title"])
    else:
        meta.set("title", title_from_file_name(document.rel.stem), "file-name", None)


def _settle_date(meta: Metadata, document: Document) -> None:
    for field in ("started_at", "detected_at", "resolved_at"):
        if field in meta.values:
            meta.set("date", meta.values[field].date(), meta.origins[field].how, meta.origins[field].line)
            break
    meta.set("date", file_name_date(document.rel.name), "file-name", None)


def _section(raw: RawSection, body_lines: Sequence[str], body_line: int, every: Sequence[RawSection]) -> Section:
    text = "\n".join(body_lines[raw.body_start - body_line : raw.body_end - body_line]).strip("\n")
    key = raw.key or ("other" if any(s.key == "summary" for s in every) else "summary")
    return Section(key, raw.heading, raw.line, _dedent(text), render_markdown(_dedent(text)))


def _dedent(text: str) -> str:
    """Drop indentation common to every line, so an indented block is not read as code."""
    lines = text.split("\n")
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return "\n".join(line[cut:] for line in lines) if cut else text


def _unread_front_matter_section(document: Document) -> Section:
    text = f"```yaml\n{document.unread_front_matter}\n```"
    return Section("other", "Front-matter (not read)", document.front_matter_line or 1, text, render_markdown(text))


def _blocks_of(sections: Sequence[RawSection], key: str) -> list[Block]:
    return [block for raw in sections if raw.key == key for block in raw.blocks]


def _summary_from(sections: Sequence[Section]) -> str:
    """The first paragraph of the summary section, as plain text."""
    for section in sections:
        if section.key == "summary" and section.html:
            match = re.search(r"<p>(.*?)</p>", section.html, re.S)
            if match:
                return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
    return ""
