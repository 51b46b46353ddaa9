"""Stage 2 — normalise: one `Document` in, one `Incident` out.

Each concern lives in its own module (blocks, sections, metadata, times,
timeline, actions, titles, placeholders); this module puts their answers
together in order of trust: front-matter, then what the body states in
tables, lines and bullets, then the title, the file name, and the prose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .. import diagnostics as diag
from ..config import SiteConfig, squash
from ..diagnostics import Diagnostic
from ..markup import DEEPEST, Parsed, parse, render_markdown, text_of, unsafe_parts
from ..model import ActionItem, Incident, Section, TimelineEvent, minutes_between
from ..read import Document
from ..slugs import document_slug
from .actions import items_from_blocks
from .assets import missing_assets
from .blocks import Block, parse_blocks
from .derive import derive_times, prose_date, prose_duration
from .metadata import Metadata, apply_stated, file_name_date, read_front_matter, stated_in_blocks
from .placeholders import TEMPLATE_NOTE, is_unfilled, placeholder_lines
from .secrets import SECRET_KINDS, find_secrets, lines_of, redact
from .sections import RawSection, names_section, read_heading, split_sections
from .timeline import events_from_blocks, order_problems
from .times import ZONES, parse_date, stated_zone
from .titles import clean_title, is_generic, plain_title, title_date, title_from_file_name, title_from_text

__all__ = ["normalise"]


@dataclass(frozen=True, slots=True)
class _Part:
    """A section with the blocks of its cleaned text, for the extractors."""

    section: Section
    blocks: tuple[Block, ...]  # of the cleaned text: what the reader sees
    raw_text: str  # before template notes and app links were removed
    raw_line: int  # file line of raw_text's first line
    known_raw_blocks: tuple[Block, ...] | None = None  # the raw text's blocks, when the whole parse gave them

    def raw_blocks(self) -> tuple[Block, ...]:
        """Blocks of the raw text, parsed only when it differs from the cleaned text."""
        if self.known_raw_blocks is not None:
            return self.known_raw_blocks
        return tuple(parse_blocks(self.raw_text, self.raw_line))


def normalise(document: Document, config: SiteConfig, known_files: frozenset[str] | None = None) -> Incident:
    """Read everything `document` says into the incident model, losing no word.

    `known_files` are the content-relative paths of every file in the archive,
    for reporting links to files that are not there; None skips that check.
    """
    zones = {**ZONES, **config.zones}
    if "\r" in document.body:  # `read` already converts line ends; Markdown would count a lone `\r` as one too
        document = replace(document, body=document.body.replace("\r\n", "\n").replace("\r", "\n"))
    document, secret_problems = _guard_secrets(document, config)
    meta = read_front_matter(document, config, zones)
    problems: list[Diagnostic] = [*document.diagnostics, *secret_problems, *meta.diagnostics]
    body_lines = document.body.split("\n")
    whole = parse(document.body)
    blocks = parse_blocks(document.body, document.body_line, whole, body_lines)
    problems += _unsafe_html(whole, document)
    problems += _too_deep(whole, document)
    blocks, written_title = _take_title(blocks, meta, config)
    raw_sections = split_sections(blocks, body_lines, document.body_line, config.section_aliases)
    parts = [_part(raw, document, body_lines, raw_sections, whole) for raw in raw_sections]
    zone = _document_zone(parts, config, zones)

    stated = [
        s for p in parts if p.section.key != "action_items"
        for s in stated_in_blocks(p.raw_blocks())
    ]
    problems += apply_stated(meta, stated, zone, config, document.source, zones)
    _settle_date(meta, document, written_title, parts, config)
    day = meta.values.get("date")

    timeline = _timeline(parts, day, zone, config, zones)
    problems += order_problems(timeline, document.source)
    derive_times(meta, timeline)
    if "duration_minutes" not in meta.values:
        meta.set("duration_minutes", prose_duration(_prose(parts)), "prose", None)
    problems += _duration_problems(meta, document.source)

    title = _settle_title(meta, document, parts, problems)
    written_title = plain_title(str(meta.values.get("title") or ""))
    sections = [p.section for p in parts]
    if document.unread_front_matter:
        sections.insert(0, _unread_front_matter_section(document))
    problems += _placeholder_problems(parts, document.source)
    problems += _missing_sections(parts, config, document.source)
    if known_files is not None:
        problems += missing_assets(document.body, document.body_line, str(document.rel), known_files, document.source)
    if "date" not in meta.values and _has_text(document):  # an empty document's own diagnostic says why
        problems.append(diag.warning(
            "no-date", "no date found; add 'date: YYYY-MM-DD' to the front-matter or start the file name with the date",
            document.source, 1))

    services, unindexed_services = _within_limit(_registered(meta.values.get("services", ()), config),
                                                 config.max_services_per_document)
    tags, unindexed_tags = _within_limit(meta.values.get("tags", ()), config.max_tags_per_document)
    problems += _beyond_limit("service", services, unindexed_services, meta, document.source)
    problems += _beyond_limit("tag", tags, unindexed_tags, meta, document.source)

    started, detected, resolved = (meta.values.get(k) for k in ("started_at", "detected_at", "resolved_at"))
    return Incident(
        id=document_slug(document.rel.name),
        source=document.source,
        content_path=str(document.rel),
        title=title,
        date=meta.values.get("date"),
        severity=meta.values.get("severity"),
        services=services,
        tags=tags,
        responders=meta.values.get("responders", ()),
        status=meta.values.get("status"),
        started_at=started,
        detected_at=detected,
        resolved_at=resolved,
        duration_minutes=meta.values.get("duration_minutes", minutes_between(started, resolved)),
        summary=meta.values.get("summary") or _summary_from(sections),
        sections=tuple(sections),
        timeline=tuple(timeline),
        action_items=tuple(_with_known_owners(_action_items(parts), meta.values.get("responders", ()))),
        diagnostics=tuple(problems),
        origins=tuple(meta.origins.values()),
        extra=tuple(meta.extra),
        title_as_written=written_title if _comparable(written_title) != _comparable(title) else "",
        unindexed_services=unindexed_services,
        unindexed_tags=unindexed_tags,
    )


def _unsafe_html(parsed: Parsed, document: Document) -> list[Diagnostic]:
    """One `unsafe-html` warning per line whose raw HTML or links lose something that could run."""
    by_line: dict[int, list[str]] = {}
    for offset, what in unsafe_parts(parsed.tokens):
        named = by_line.setdefault(document.body_line + offset, [])
        if what not in named:
            named.append(what)
    return [
        diag.warning("unsafe-html", f"removed from the published page: {', '.join(named)} — content may not run or load "
                     "anything in a reader's browser; to show such code, put it in backticks or a fenced block",
                     document.source, line)
        for line, named in sorted(by_line.items())
    ]


def _too_deep(parsed: Parsed, document: Document) -> list[Diagnostic]:
    """One `too-deep` warning, at the first line of what nests deeper than the page can show."""
    if parsed.too_deep is None:
        return []
    line, count = parsed.too_deep
    return [diag.warning(
        "too-deep", f"lists and quotes nest deeper than {DEEPEST} levels here (a quote is one level, a list item two); "
        f"{count} line{'s' if count != 1 else ''} from here on are shown flat, every word kept — nest them less deeply",
        document.source, document.body_line + line)]


def _has_text(document: Document) -> bool:
    return bool(document.body.strip() or document.front_matter or document.unread_front_matter)


def _guard_secrets(document: Document, config: SiteConfig) -> tuple[Document, list[Diagnostic]]:
    """Report credentials in the body; with `redact`, publish the body with them masked."""
    found = find_secrets(document.body, personal=config.redact_personal)
    secrets = [f for f in found if f.kind in SECRET_KINDS]
    problems = [
        diag.warning("secret", f"{kind} found on this line; remove it from the source and revoke it"
                     + ("" if config.redact else " (redact = true in site.toml masks it in the published site)"),
                     document.source, line)
        for line, kind in lines_of(document.body, secrets, document.body_line)
    ]
    masked = [f for f in found if config.redact or f.kind not in SECRET_KINDS]
    if masked and (config.redact or config.redact_personal):
        document = replace(document, body=redact(document.body, masked))
    return document, problems


# --- title ------------------------------------------------------------------

def _take_title(blocks: list[Block], meta: Metadata, config: SiteConfig) -> tuple[list[Block], str]:
    """Use the document's opening heading (or bold line) as its title, unless it names a section.

    With a front-matter title the opening heading is consumed only when it says
    the same thing, so no words disappear. Returns the remaining blocks and the
    title as written.
    """
    if not blocks:
        return blocks, ""
    text = _title_text(blocks, config)
    if text is None:
        return blocks, ""
    written = meta.values.get("title")
    if written is not None and _comparable(str(written)) != _comparable(clean_title(text)) and _comparable(str(written)) != _comparable(text):
        return blocks, ""
    meta.set("title", text, "heading", blocks[0].start)
    return blocks[1:], text


def _title_text(blocks: list[Block], config: SiteConfig) -> str | None:
    first = blocks[0]
    heading = read_heading(first, config.section_aliases)
    if heading is not None:
        if names_section(heading.text, config.section_aliases):
            return None  # "## Summary" first: the document has no title line
        levels = [h.level for b in blocks if (h := read_heading(b)) is not None and h.level <= 6]
        if heading.level <= 6 and heading.level > min(levels, default=heading.level):
            return None
        return heading.text if heading.level <= 6 or heading.key is None else None
    if first.kind == "heading":
        return re.sub(r"[*_`]+", "", first.inline).strip()  # a timestamp heading first is a dated title
    if first.kind == "paragraph" and "\n" not in first.inline.strip():
        line = first.inline.strip()
        emphasised = re.fullmatch(r"(\*\*|__)(.+?)\1", line)
        if emphasised and not line.endswith(":") and not line.endswith(":**"):
            return emphasised.group(2).strip()
    return None


def _comparable(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _settle_title(meta: Metadata, document: Document, parts: Sequence[_Part], problems: list[Diagnostic]) -> str:
    written = str(meta.values.get("title") or "")
    title = clean_title(written) if written else ""
    if title and not is_generic(title):
        return title
    origin = meta.origins.get("title")
    better = clean_title(meta.values.get("name") or _first_clause(parts) or "")
    if not better or is_generic(better):
        # Nothing better in the text: a generic title as written still beats the file name.
        better = title or clean_title(title_from_file_name(document.rel.name))
        if written and better == title:
            problems.append(diag.info(
                "generic-title", f"the title {written.strip()!r} says nothing about the incident; "
                "give the document a title that names what broke", document.source, origin.line if origin else None))
            return better
    if written:
        problems.append(diag.info(
            "generic-title",
            f"the title {written.strip()!r} says nothing about the incident; it is shown as {better!r} — "
            "give the document a title that names what broke",
            document.source, origin.line if origin else None))
    return better


def _first_clause(parts: Sequence[_Part]) -> str:
    """The first sentence of prose in the summary, impact or root cause, skipping `Label: value` lines."""
    for key in ("summary", "impact", "root_cause", "other"):
        for part in parts:
            if part.section.key != key:
                continue
            for block in part.blocks:
                if block.kind not in ("paragraph", "list"):
                    continue
                texts = [i.text for i in block.items] if block.kind == "list" else block.source.split("\n\n")
                for text in texts:
                    line = text.strip().split("\n")[0]
                    if re.match(r"^[^:]{1,40}:\s*$|^[^:]{1,30}:\s", line) or len(line.split()) < 4:
                        continue
                    return title_from_text(text)
    return ""


# --- dates and times ---------------------------------------------------------

def _document_zone(parts: Sequence[_Part], config: SiteConfig, zones: Mapping[str, int]) -> dt.tzinfo:
    """A zone the document declares before its timeline ("All times are in EAT"), else the site's."""
    for part in parts:
        if part.section.key in ("summary", "other", "") or part is parts[0]:
            for block in part.blocks[:6]:
                if block.kind == "paragraph" and re.search(r"\btimes?\b", block.inline, re.I) and len(block.inline) < 160:
                    zone = stated_zone(block.inline, zones)
                    if zone is not None:
                        return zone
    return config.tzinfo


def _settle_date(meta: Metadata, document: Document, written_title: str, parts: Sequence[_Part], config: SiteConfig) -> None:
    for field in ("started_at", "detected_at", "resolved_at"):
        if field in meta.values:
            origin = meta.origins[field]
            meta.set("date", meta.values[field].date(), origin.how, origin.line)
            break
    title_text = written_title or str(meta.values.get("title") or "")
    title_says = title_date(title_text) if title_text else None
    if title_says:
        title_origin = meta.origins.get("title")
        meta.set("date", parse_date(title_says, day_first=config.day_first), "title", title_origin.line if title_origin else None)
    meta.set("date", file_name_date(document.rel.name), "file-name", None)
    everything = "\n\n".join(p.section.text for p in parts)
    meta.set("date", prose_date(everything, day_first=config.day_first), "prose", None)


def _timeline(
    parts: Sequence[_Part], day: dt.date | None, zone: dt.tzinfo, config: SiteConfig, zones: Mapping[str, int]
) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for part in parts:
        if part.section.key != "timeline":
            continue
        local = stated_zone(part.section.heading, zones) or zone
        previous_day = events[-1].at.date() if events and events[-1].at else day
        events += events_from_blocks(part.blocks, day=previous_day, zone=local, zones=zones, day_first=config.day_first)
    return [e for e in events if e.text.strip() or e.at is not None]


def _duration_problems(meta: Metadata, source: str) -> list[Diagnostic]:
    stated = meta.values.get("duration_minutes")
    started, resolved = meta.values.get("started_at"), meta.values.get("resolved_at")
    measured = minutes_between(started, resolved)
    origin = meta.origins.get("duration_minutes")
    if stated is None or measured is None or origin is None or origin.how == "prose":
        return []
    trusted = {"front-matter", "table", "line", "bullet"}
    if meta.origins["started_at"].how not in trusted or meta.origins["resolved_at"].how not in trusted:
        return []
    if abs(stated - measured) <= max(5, measured // 20):
        return []
    return [diag.warning(
        "duration-mismatch",
        f"the stated duration ({stated} min) disagrees with the stated start and end ({measured} min apart); "
        "correct whichever is wrong", source, origin.line)]


# --- sections ----------------------------------------------------------------

def _part(raw: RawSection, document: Document, body_lines: Sequence[str], every: Sequence[RawSection], whole: Parsed) -> _Part:
    """A section's text, cleaned for the reader, with its blocks and HTML.

    Both come from the document's one parse whenever the section's text is
    the document's own lines; only text the cleaning changed is parsed again.
    """
    body_line = document.body_line
    lines = list(body_lines[raw.body_start - body_line : raw.body_end - body_line])
    raw_text = "\n".join(lines)  # with the label, which may itself be metadata ("Time to repair: 0h 16m")
    label_leaves_text = False
    if raw.label_cut and lines:
        lines[0] = lines[0][raw.label_cut :].strip()
        label_leaves_text = bool(lines[0])  # "**Impact:** text" rather than "**Impact:**" alone
    first_line = raw.body_start
    while lines and not lines[0].strip():
        lines.pop(0)
        first_line += 1
    while lines and not lines[-1].strip():
        lines.pop()
    text = _dedent_after_label(lines, label_leaves_text)
    clean = _without_app_links(remove_template_notes_keeping_lines(text))
    key = raw.key or ("other" if any(s.key == "summary" for s in every) else "summary")
    leading_blank_lines = len(clean) - len(clean.lstrip("\n"))
    start = first_line + leading_blank_lines - body_line
    shown = clean.strip("\n")
    as_written = shown == "\n".join(body_lines[start : start + shown.count("\n") + 1])
    # Up to the section's end, blank lines included: a list's block runs on over the blank line after it.
    parsed = whole.between(start, raw.body_end - body_line) if as_written and shown else None
    if parsed is not None:
        blocks = tuple(parse_blocks(document.body, body_line, parsed, body_lines))
    else:
        parsed = parse(clean, whole.references)
        blocks = tuple(parse_blocks(clean, first_line, parsed))
    html = parsed.html(footnote_scope=str(raw.line))  # sections' lines differ, so their footnotes' ids do
    section = Section(key, raw.heading, raw.line, shown, html, not is_unfilled(text), first_line + leading_blank_lines)
    raw_parsed = whole.between(raw.body_start - body_line, raw.body_end - body_line)
    raw_blocks = tuple(parse_blocks(document.body, body_line, raw_parsed, body_lines)) if raw_parsed is not None else None
    return _Part(section, blocks, raw_text, raw.body_start, raw_blocks)


def remove_template_notes_keeping_lines(text: str) -> str:
    """Drop `!!…!!` template notes but keep line count, so line numbers stay true."""
    return TEMPLATE_NOTE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


_APP_LINK = re.compile(r"(@?)\[([^\[\]]*)\]\((?!https?:|mailto:|tel:|ftp:|[./#]|[\w-]+(?:[./][^)]*)?\))[\w+.-]+:[^)]*\)")


def _without_app_links(text: str) -> str:
    """`@[Ana](mention://…)` → `@Ana`: links into an app the reader cannot open keep only their words."""
    return _APP_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}", text)


def _dedent_after_label(lines: list[str], labelled: bool) -> str:
    """Drop common indentation; after a label the first line is already flush, so measure the rest."""
    rest = lines[1:] if labelled and lines else lines
    widths = [len(line) - len(line.lstrip(" ")) for line in rest if line.strip()]
    cut = min(widths, default=0)
    dedented = [line[cut:] for line in rest]
    return "\n".join(([lines[0]] if labelled and lines else []) + dedented)


def _unread_front_matter_section(document: Document) -> Section:
    text = f"```yaml\n{document.unread_front_matter}\n```"
    return Section("other", "Front-matter (not read)", document.front_matter_line or 1, text, render_markdown(text))


def _placeholder_problems(parts: Sequence[_Part], source: str) -> list[Diagnostic]:
    problems = []
    for part in parts:
        for line, found in placeholder_lines(part.raw_text, part.raw_line):
            what = f"{found!r} (an empty table row)" if found.startswith("|") else repr(found)
            problems.append(diag.warning("placeholder", f"template placeholder {what} was never filled in; "
                                         "write the content or delete the line", source, line))
    return problems


def _missing_sections(parts: Sequence[_Part], config: SiteConfig, source: str) -> list[Diagnostic]:
    present = {p.section.key for p in parts if p.section.filled}
    return [
        diag.warning("missing-section", f"no {key.replace('_', ' ')} section; the site requires one "
                     "(sections.required in site.toml)", source, None)
        for key in config.required_sections if key not in present
    ]


def _with_known_owners(items: Sequence[ActionItem], responders: Sequence[str]) -> list[ActionItem]:
    """`@aisha.bello` and "Aisha Bello" are one person: owners take a responder's written name when they match."""
    names = {squash(name): name for name in responders}
    return [replace(item, owner=names.get(squash(item.owner), item.owner)) if item.owner else item for item in items]


def _registered(services: Sequence[str], config: SiteConfig) -> tuple[str, ...]:
    """Service names as the site's registry spells them, variants merged, order kept."""
    return tuple(dict.fromkeys(config.services.canonical(name) for name in services))


def _within_limit(names: Sequence[str], limit: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first `limit` names, which the site indexes, and the rest."""
    return tuple(names[:limit]), tuple(names[limit:])


def _beyond_limit(kind: str, indexed: Sequence[str], rest: Sequence[str], meta: Metadata, source: str) -> list[Diagnostic]:
    """A warning when a document names more tags (or services) than the site indexes, at the line that names them."""
    if not rest:
        return []
    origin = meta.origins.get(f"{kind}s")
    total = len(indexed) + len(rest)
    return [diag.warning(
        f"too-many-{kind}s",
        f"the document names {total:,} {kind}s; the first {len(indexed):,} are indexed (max_{kind}s_per_document in "
        f"site.toml) and the other {len(rest):,} are shown on its page as text, without pages of their own — keep the "
        f"{kind}s that tell incidents apart, or raise the limit", source, origin.line if origin else None)]


def _action_items(parts: Iterable[_Part]) -> list[ActionItem]:
    return [item for p in parts if p.section.key == "action_items" for item in items_from_blocks(p.blocks)]


def _prose(parts: Sequence[_Part]) -> str:
    return "\n\n".join(p.section.text for p in parts if p.section.key in ("summary", "impact", "other"))


def _summary_from(sections: Sequence[Section]) -> str:
    """The first paragraph of the summary section, as plain text."""
    for section in sections:
        if section.key == "summary" and section.html:
            match = re.search(r"<p>(.*?)</p>", section.html, re.S)
            if match:
                return text_of(match.group(1))
    return ""
