"""Stage 4 — render: an `Archive` → the pages of the site, as text in memory.

One Jinja environment for the whole build. Templates receive the documented
projections below (see docs/themes.md), never raw front-matter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import __version__, urls
from .archive import Archive, Group
from .config import SiteConfig
from . import diagnostics as diag
from .diagnostics import Diagnostic
from .export import dumps
from .model import SECTION_KEYS, Incident, Section
from .paths import resolve_reference
from .slugs import slugify

SECTION_LABELS: Mapping[str, str] = {
    "summary": "Summary",
    "impact": "Impact",
    "trigger": "Trigger",
    "fault": "Fault",
    "detection": "Detection",
    "response": "Response",
    "resolution": "Resolution",
    "timeline": "Timeline",
    "root_cause": "Root cause",
    "lessons": "Lessons learned",
    "action_items": "Action items",
    "related": "Related",
    "other": "Other",
}


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: its path in the site, its text, and what it was made from."""

    path: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    base_url: str
    repo_url: str
    generator: str


@dataclass(frozen=True, slots=True)
class SectionView:
    """A section as the report shows it: `anchor` is unique within the page."""

    key: str
    label: str
    heading: str
    anchor: str
    line: int
    html: str
    filled: bool


@dataclass(frozen=True, slots=True)
class ReportView:
    incident: Incident
    sections: tuple[SectionView, ...]
    source_url: str
    previous: Incident | None  # older
    next: Incident | None  # newer


class RenderError(Exception):
    """A template could not be rendered; `diagnostic` says where."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def builtin_theme_dir() -> Path:
    """The built-in theme: inside the installed package, or the repository's templates/."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def theme_dir(config: SiteConfig) -> Path:
    return builtin_theme_dir() if config.theme == "default" else (config.root / config.theme)


def make_environment(config: SiteConfig) -> jinja2.Environment:
    """Site overrides first, then the theme; `theme/NAME` always reaches the theme's own NAME."""
    theme = jinja2.FileSystemLoader(theme_dir(config))
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(config.templates_dir))
    loaders += [theme, jinja2.PrefixLoader({"theme": theme})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(duration=format_duration, day=format_day, instant=format_instant)
    env.globals.update(
        incident_url=urls.incident_url,
        tag_url=urls.tag_url,
        service_url=urls.service_url,
        static_url=urls.static_url,
        section_label=lambda key: SECTION_LABELS.get(key, key),
        slug=_slug,
    )
    return env


def render_site(archive: Archive, config: SiteConfig, files: Iterable[str] = ()) -> list[Page]:
    """Every page of the site. `files` are the content-relative paths of published non-Markdown files."""
    env = make_environment(config)
    site = SiteView(config.title, config.description, config.base_url, config.repo_url, f"hindsite {__version__}")
    published = frozenset(files)
    known_docs = {i.content_path: i for i in archive.incidents}

    def page(url: str, template: str, source: str, **context: object) -> Page:
        return Page(url, _render(env, template, site=site, root=urls.root_of(url), page_url=url, **context), source)

    pages = [
        page(urls.INDEX, "index.html", "index", incidents=archive.incidents, archive=archive),
        page(urls.TAG_INDEX, "tags.html", "tag index", groups=_by_size(archive.by_tag)),
        page(urls.SERVICE_INDEX, "services.html", "service index", groups=_by_size(archive.by_service)),
        page("404.html", "404.html", "404 page"),
    ]
    for position, incident in enumerate(archive.incidents):
        report = _report(incident, archive.incidents, position, config, published, known_docs)
        pages.append(page(urls.incident_url(incident), "incident.html", incident.source, report=report, incident=incident))
    for group in archive.by_tag.values():
        pages.append(page(urls.tag_url(group.slug), "tag.html", f"tag {group.name!r}", group=group))
    for group in archive.by_service.values():
        pages.append(page(urls.service_url(group.slug), "service.html", f"service {group.name!r}", group=group, years=_by_year(group)))
    pages.append(Page(urls.INCIDENTS_JSON, dumps(archive.incidents), "incident export"))
    return pages


def _render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(diag.error("template", f"{exc.message}; fix the template", exc.filename or name, exc.lineno)) from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(diag.error("template", f"template {exc.name!r} not found in the theme or the site's templates", name)) from exc
    except jinja2.UndefinedError as exc:
        where, line = _template_frame(exc, name)
        raise RenderError(diag.error("template", f"{exc.message}; check the variable's name (see docs/themes.md)", where, line)) from exc


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template file and line an exception was raised from, from its traceback."""
    tb = exc.__traceback__
    found: tuple[str, int | None] = (fallback, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")) or "<template>" in filename:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _report(
    incident: Incident,
    ordered: Sequence[Incident],
    position: int,
    config: SiteConfig,
    published: frozenset[str],
    known_docs: Mapping[str, Incident],
) -> ReportView:
    rewrite = _link_rewriter(incident, published, known_docs)
    sections = tuple(_section_views(incident.sections, rewrite))
    source_url = f"{config.repo_url.rstrip('/')}/{_content_prefix(config)}{incident.content_path}" if config.repo_url else ""
    return ReportView(
        incident=incident,
        sections=sections,
        source_url=source_url,
        previous=ordered[position + 1] if position + 1 < len(ordered) else None,
        next=ordered[position - 1] if position > 0 else None,
    )


def _content_prefix(config: SiteConfig) -> str:
    try:
        relative = config.content_dir.relative_to(config.root).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


def _section_views(sections: Sequence[Section], rewrite: Callable[[str], str]) -> Iterable[SectionView]:
    """Sections in canonical order (authors' order within a key), each with a unique anchor."""
    used: dict[str, int] = {}
    order = {key: n for n, key in enumerate(SECTION_KEYS)}
    for section in sorted(sections, key=lambda s: order.get(s.key, len(order))):
        base = f"s-{section.key.replace('_', '-')}" if section.key != "other" else f"s-{_slug(section.heading) or 'other'}"
        used[base] = used.get(base, 0) + 1
        anchor = base if used[base] == 1 else f"{base}-{used[base]}"
        label = SECTION_LABELS[section.key] if section.key != "other" else ""
        yield SectionView(section.key, label, section.heading or label, anchor, section.line, rewrite(section.html), section.filled)


_LINK_ATTR = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"]*)"')


def _link_rewriter(incident: Incident, published: frozenset[str], known_docs: Mapping[str, Incident]) -> Callable[[str], str]:
    """Relative links in a report → the published file or the linked incident's page."""

    def replace(match: re.Match[str]) -> str:
        url = match.group("url")
        target = resolve_reference(incident.content_path, _unescape_attr(url))
        if target is None:
            return match.group(0)
        fragment = "#" + url.split("#", 1)[1] if "#" in url else ""
        if target in known_docs:
            new = "../" + urls.incident_url(known_docs[target]) + fragment
        elif target in published:
            new = "../" + urls.file_url(target)
        else:
            return match.group(0)
        return f'{match.group("attr")}="{new}"'

    return lambda html: _LINK_ATTR.sub(replace, html)


def _unescape_attr(value: str) -> str:
    return value.replace("&amp;", "&")


def _by_size(groups: Mapping[str, Group]) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (-len(g.incidents), g.name.casefold()))


def _by_year(group: Group) -> list[tuple[str, list[Incident]]]:
    years: dict[str, list[Incident]] = {}
    for incident in group.incidents:
        years.setdefault(str(incident.date.year) if incident.date else "Undated", []).append(incident)
    return list(years.items())


def _slug(text: str) -> str:
    return slugify(text, fallback="")


def format_duration(minutes: int | None) -> str:
    """90 → "1 h 30 min"; None → ""."""
    if minutes is None:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


def format_day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def format_instant(value: dt.datetime | None) -> str:
    """2024-03-14 09:12 UTC+01:00 style: the author's own offset, never converted."""
    if value is None:
        return ""
    offset = value.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{value:%Y-%m-%d %H:%M} {zone}"
