"""Stage 4 — render: `Collected` (the archive and what its pages show) → the pages of the site, one after another.

Pages come out one at a time, in a fixed order, for the writer to put on disk
and let go: a site of any size is never held in memory whole. One Jinja
environment for the whole build. Templates receive the documented
projections of `views.py` and `collect/stats.py` (see docs/themes.md), never raw
front-matter. What the pages show of the archive as a whole (related
incidents, stats, reports) was worked out by collect; here it is only looked up.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import jinja2
import jinja2.bccache
import jinja2.meta
import jinja2.nodes

from ..collect.archive import Archive, Group
from ..collect.reports import Period, PeriodReport
from ..collect.site import Collected
from ..collect.stats import ArchiveStats, FollowUp
from ..core import diagnostics as diag
from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic
from ..core.formats import format_clock, format_day, format_duration, format_elapsed, format_instant
from ..core.markup import inline_text
from ..core.model import SECTION_LABELS, Incident
from ..core.slugs import group_slug
from ..core.version import __version__
from . import charts, urls
from .export import compact_pieces, patched_pieces
from .search import EarlierIndex, search_files, search_patch
from .theme import RenderError, theme_dir
from .views import REPORT_NAMES, IncidentPage, ReportNames, date_fact, incident_page, link_rewriter, section_views

#: Where compiled templates are kept: a folder, or a mapping in memory (`make_environment`).
Compiled = Path | MutableMapping[str, bytes]
PAGE_SIZE = 100  # rows per page of any long list; the rest is a click (or a filter) away
ROW_CHIPS = 10  # services, and tags, a row of a list shows; the rest are counted and a click away
#: Names a filter offers on every page of a long list (the most used ones): all of them on every page would make
#: the pages together grow with pages × names, the square of the archive. A link may still ask for any other.
FILTER_CHOICES = 100
ROWS_SCRIPT = "rows.js"
FOLLOW_UPS_SCRIPT = "follow-ups.js"


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: its path in the site, its text, and what it was made from.

    A large data file comes as `pieces` instead of `text`: the writer asks for them and writes each as it comes.
    A page `render_site` was told to keep is `kept`: it has no text, and the site's file stays as it is.
    """

    path: str
    text: str
    source: str
    pieces: Callable[[], Iterable[str | bytes]] | None = None
    kept: bool = False


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    base_url: str
    repo_url: str
    generator: str


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page of a long list (the index, a tag, a service, a report, the follow-ups) sits among its pages."""

    number: int
    count: int
    previous_url: str
    next_url: str
    first: int  # 1-based position of the first row on this page
    total: int

    @property
    def last(self) -> int:
        """1-based position of the last row on this page."""
        return min(self.total, self.first + PAGE_SIZE - 1)


@dataclass(frozen=True, slots=True)
class Choices:
    """What one filter of a list offers: the `FILTER_CHOICES` most used names, in the order of their names,
    each with its number of rows, and how many names it leaves out."""

    names: tuple[tuple[str, int], ...]
    left_out: int

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Choices:
        most_used = sorted(counts.items(), key=lambda named: (-named[1], named[0].casefold(), named[0]))[:FILTER_CHOICES]
        return cls(tuple(sorted(most_used, key=lambda named: (named[0].casefold(), named[0]))), len(counts) - len(most_used))


@dataclass(frozen=True, slots=True)
class FollowUpCounts:
    """What the follow-ups pages say of all action items, whichever page they are on."""

    total: int
    not_done: int
    owners: Choices  # the owners named, by their action items
    services: Choices  # the services of incidents with action items, by their action items


@dataclass(frozen=True, slots=True)
class _Planned:
    """A page to render: its template and what makes its context, so pages can be rendered in any process.

    The context is made where the page is rendered, so that an incident's page
    view (its sections with links rewritten) exists only while its page does.
    """

    path: str
    source: str
    template: str
    context: Callable[[], Mapping[str, object]]
    # An incident page reads its incident and a few others, so it is rendered in a worker process. A page that lists
    # the archive is rendered here: a worker reading every incident would end up with its own copy of the archive.
    in_worker: bool = False
    shows: Mapping[str, object] | None = None  # the context, when it is made with the plan (`_listing`)

    def render(self, env: jinja2.Environment, site: SiteView) -> Page:
        text = _render(env, self.template, site=site, root=urls.root_of(self.path), page_url=self.path, **self.context())
        return Page(self.path, text, self.source)


def make_environment(config: SiteConfig, compiled: Compiled | None = None) -> jinja2.Environment:
    """Site overrides first, then the theme; `theme/NAME` always reaches the theme's own NAME.

    With `compiled` (a folder, or a mapping a running server keeps in memory),
    templates compiled once are kept there and loaded rather than compiled again
    (a template whose source changed is compiled anew): most of what a build that
    renders one page costs is otherwise compiling them.
    """
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
        bytecode_cache=_compiled_templates(compiled),
    )
    env.filters.update(duration=format_duration, day=format_day, instant=format_instant, clock=format_clock,
                       elapsed=format_elapsed, plain=inline_text)
    env.globals.update(
        incident_url=urls.incident_url,
        tag_url=urls.tag_url,
        service_url=urls.service_url,
        report_url=urls.report_url,
        static_url=urls.static_url,
        section_label=lambda key: SECTION_LABELS.get(key, key),
        slug=group_slug,
        charts=charts,
        row_chips=ROW_CHIPS,
    )
    return env


def _compiled_templates(kept: Compiled | None) -> jinja2.BytecodeCache | None:
    if kept is None:
        return None
    if not isinstance(kept, Path):
        return _CompiledInMemory(kept)
    try:
        kept.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # the cache cannot be written: templates are compiled every time, as without one
    return jinja2.FileSystemBytecodeCache(str(kept))


class _CompiledInMemory(jinja2.BytecodeCache):
    """Compiled templates kept in a mapping; Jinja checks each against its template's source when loading it."""

    def __init__(self, kept: MutableMapping[str, bytes]) -> None:
        self.kept = kept

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.kept:
            bucket.bytecode_from_string(self.kept[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


#: Below this many report pages to render, the list pages are rendered in the worker processes too.
FEW_REPORTS = 200


@dataclass(frozen=True, slots=True)
class SitePlan:
    """Every page of the site in order, each with its template and what makes its context: the site not yet
    rendered. A page that lists the archive carries its context as it is (`shows`), so that what it shows can
    be compared with what the last build's page showed before rendering it (incremental/changed.py)."""

    collected: Collected
    pages: tuple[_Planned, ...]

    def contexts(self) -> dict[str, tuple[str, Mapping[str, object]]]:
        """Each page's template and context, by path, but for the incidents' own pages (whose context is made as
        they render)."""
        return {page.path: (page.template, page.shows) for page in self.pages if page.shows is not None}


def plan_site(collected: Collected, config: SiteConfig, files: Iterable[str] = ()) -> SitePlan:
    """The pages of the site, in order, as `render_site` renders them. `files` are the published non-Markdown files
    of the content."""
    levels = config.severity.levels
    archive, stats, services = collected.archive, collected.stats, collected.services
    page_of = _incident_page_maker(archive, config, frozenset(files), collected.related)
    index_choices = {kind: Choices.of({g.name: len(g.incidents) for g in groups.values()})
                     for kind, groups in (("service", archive.by_service), ("tag", archive.by_tag))}

    planned = [
        *(_listing(url, "index.html", "index", incidents=chunk, archive=archive, pager=pager, choices=index_choices)
          for url, chunk, pager in _paginated(archive.incidents, urls.INDEX)),
        _listing(urls.SEARCH, "search.html", "search page"),
        _listing(urls.TAG_INDEX, "tags.html", "tag index", groups=_by_size(archive.by_tag)),
        _listing(urls.SERVICE_INDEX, "services.html", "service index",
                 services=sorted(services.values(), key=lambda s: (-len(s.group.incidents), s.group.name.casefold()))),
        *_follow_up_pages(archive, stats),
        _listing(urls.STATS, "stats.html", "stats page", stats=stats, levels=levels),
        *_period_pages(collected),
        _listing("404.html", "404.html", "404 page"),
    ]
    planned += [_Planned(urls.incident_url(incident), incident.source, "incident.html", partial(page_of, n), in_worker=True)
                for n, incident in enumerate(archive.incidents)]
    planned += [_listing(url, "tag.html", f"tag {g.name!r}", group=g, incidents=chunk, pager=pager)
                for g in archive.by_tag.values() for url, chunk, pager in _paginated(g.incidents, urls.tag_url(g.slug))]
    planned += [_listing(url, "service.html", f"service {s.group.name!r}", service=s, group=s.group, incidents=chunk,
                         years=_by_year(chunk), pager=pager, axis=_axis(s.group, url) if pager.number == 1 else "")
                for slug, s in services.items()
                for url, chunk, pager in _paginated(s.group.incidents, urls.service_url(slug))]
    return SitePlan(collected, tuple(planned))


def _listing(path: str, template: str, source: str, **context: object) -> _Planned:
    """A page whose context is made here, with the plan: any page but an incident's own."""
    return _Planned(path, source, template, partial(dict, context), shows=context)


def render_site(
    plan: SitePlan, config: SiteConfig, keep: frozenset[str] = frozenset(), compiled: Compiled | None = None,
    earlier: EarlierIndex | None = None,
) -> Iterator[Page]:
    """Every page and data file of the site `plan` plans, in order.

    Pages whose path is in `keep` come out `kept`, in their place, and are not
    rendered (data files always are): what a build does when an edit changed
    nothing they show. Template errors raise `RenderError` before the
    first page comes out. `compiled` keeps compiled templates (`make_environment`).
    With `earlier`, the search index is that one patched (only its files whose
    bytes change come out, the others `kept`), and so is incidents.json.
    """
    from ..core.parallel import each_in_processes  # multiprocessing loads here: a patch renders in this process
    from . import feeds  # xml.sax loads urllib, http and ssl: only a full build writes the data files
    env = make_environment(config, compiled)
    site = _site_view(config)
    archive, stats = plan.collected.archive, plan.collected.stats
    wanted = [p for p in plan.pages if p.path not in keep]
    _check_templates(env, {p.template for p in wanted})
    # A build that renders few reports (an edit the lists show) would leave the workers idle: the lists go to them
    # too. A cold build keeps them here, where they cost no copy of the incidents in a worker (docs/performance.md).
    spread = sum(p.in_worker for p in wanted) < FEW_REPORTS
    in_workers = [p for p in wanted if p.in_worker or spread]
    # Only numbers cross to the worker processes: the pages' contexts reach them by fork.
    rendered = each_in_processes(lambda n: in_workers[n].render(env, site), range(len(in_workers)))
    for planned_page in plan.pages:
        if planned_page.path in keep:
            yield Page(planned_page.path, "", planned_page.source, kept=True)
        else:
            yield next(rendered) if planned_page.in_worker or spread else planned_page.render(env, site)
    rendered.close()
    yield _export(archive.incidents, earlier)
    yield Page(feeds.CSV, feeds.incidents_csv(archive.incidents), "incident table")
    yield Page(feeds.FEED, feeds.atom_feed(archive.incidents, title=config.title, base_url=config.base_url), "feed")
    html_pages = [p.path for p in plan.pages if p.path.endswith(".html") and p.path != "404.html"]
    yield Page(feeds.SITEMAP, feeds.sitemap(html_pages, config.base_url), "sitemap")
    yield Page(ROWS_SCRIPT, rows_script(archive.incidents, config.severity.levels), "index rows")
    yield Page(FOLLOW_UPS_SCRIPT, follow_ups_script(stats.follow_ups), "follow-up rows")
    yield from _search_pages(archive.incidents, earlier)


def _export(incidents: Sequence[Incident], earlier: EarlierIndex | None) -> Page:
    """incidents.json: made from every incident, or the last build's with the records of the pages that changed
    replaced (`EarlierIndex` holds their earlier versions)."""
    if earlier is None:
        return Page(urls.INCIDENTS_JSON, "", "incident export", pieces=partial(compact_pieces, incidents))
    old = earlier.site / urls.INCIDENTS_JSON
    return Page(urls.INCIDENTS_JSON, "", "incident export", pieces=partial(patched_pieces, old, incidents, earlier.changed))


def _search_pages(incidents: Sequence[Incident], earlier: EarlierIndex | None) -> Iterator[Page]:
    """The search index's files: made from every page, or the earlier index patched for the pages that changed."""
    if earlier is None:
        for path, text in search_files(searched_page(incident) for incident in incidents):
            yield Page(path, text, "search index")
        return
    patched = search_patch(earlier.site, {n: searched_page(then) for n, then in earlier.changed.items()},
                           {n: searched_page(incidents[n]) for n in earlier.changed})
    for path in earlier.files:
        if path not in patched.files and path not in patched.removed:
            yield Page(path, "", "search index", kept=True)
    for path, text in patched.files.items():
        yield Page(path, text, "search index")


def _incident_page_maker(
    archive: Archive, config: SiteConfig, published: frozenset[str], related: Mapping[str, tuple[Incident, ...]]
) -> Callable[[int], Mapping[str, object]]:
    """The context of the page of the `n`th incident in the archive's order."""
    known_docs = {i.content_path: i for i in archive.incidents}

    def context(n: int) -> Mapping[str, object]:
        return _incident_context(_incident_page(archive.incidents[n], n, archive, config, published, related, known_docs))

    return context


def _incident_context(page: IncidentPage) -> Mapping[str, object]:
    """An incident page's template context: `incident`, and `report`, its name for themes written for 0.1
    (`theme_deprecations` warns of those)."""
    return {"incident": page, "report": ReportNames(page)}


def searched_page(incident: Incident) -> IncidentPage:
    """What the search index reads of an incident's page: its sections in page order, with their anchors.

    Their words are those of the page: rewriting links changes attributes, never text.
    """
    return IncidentPage.of(incident, date_fact=date_fact(incident), times=(),
                           shown_sections=tuple(section_views(incident.sections, title_line=incident.title_heading_line())), shown_timeline=(), shown_action_items=())


def theme_deprecations(config: SiteConfig, env: jinja2.Environment | None = None) -> list[Diagnostic]:
    """A `deprecated` warning for each template of the incident page that reads `report`, the page's name until 0.1
    for what it shows, at its first line doing so, saying what to write instead.

    The templates are read, not rendered: the page's own and every one it extends, includes or imports, so a
    warning comes once a build however many pages there are. A template that cannot be loaded is left to the
    build, which reports it.
    """
    env = env or make_environment(config)
    problems = []
    for filename, tree in _templates_from(env, "incident.html"):
        if "report" not in jinja2.meta.find_undeclared_variables(tree):
            continue
        lines = [node.lineno for node in tree.find_all(jinja2.nodes.Name) if node.name == "report" and node.ctx == "load"]
        read = [node.attr for node in tree.find_all(jinja2.nodes.Getattr)
                if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "report" and node.attr in REPORT_NAMES]
        renamed = ", ".join(f"{REPORT_NAMES[old]} for report.{old}" for old in dict.fromkeys(read or REPORT_NAMES))
        problems.append(diag.warning(
            "deprecated", f"the incident page's `report` is now `incident`; `report` still works in this release and "
            f"goes in the next — write {renamed} (docs/themes.md)", _shown_path(filename), min(lines, default=None)))
    return problems


def _templates_from(env: jinja2.Environment, name: str) -> Iterator[tuple[str, jinja2.nodes.Template]]:
    """Each template `name` is made of (itself, and those it extends, includes and imports), with its file, once."""
    loader = env.loader
    waiting, seen = [name], set()
    while waiting and loader is not None:
        name = waiting.pop(0)
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = loader.get_source(env, name)
            tree = env.parse(source, name, filename)
        except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError):
            continue
        yield filename or name, tree
        waiting += [found for found in jinja2.meta.find_referenced_templates(tree) if found is not None]


def _shown_path(filename: str) -> str:
    """A template's file as diagnostics name files: relative to the working directory when it is inside it."""
    try:
        return Path(filename).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return filename


def _check_templates(env: jinja2.Environment, names: Iterable[str]) -> None:
    """Load every template the pages use, so a broken one stops the build before any page is written."""
    for name in sorted(names):
        try:
            env.get_template(name)
        except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
            raise _unloadable(exc, name) from exc


def _site_view(config: SiteConfig) -> SiteView:
    return SiteView(config.title, config.description, config.base_url, config.repo_url, f"hindsite {__version__}")


def _incident_page(
    incident: Incident, n: int, archive: Archive, config: SiteConfig, published: frozenset[str],
    related: Mapping[str, tuple[Incident, ...]], known_docs: Mapping[str, Incident],
) -> IncidentPage:
    """The page of `incident`, which stands at position `n` of the archive's order."""
    return _page_among(incident, archive.around(n), related.get(incident.id, ()), config, published, known_docs)


def _page_among(
    incident: Incident, around: tuple[Incident | None, Incident | None], related: tuple[Incident, ...],
    config: SiteConfig, published: frozenset[str], known_docs: Mapping[str, Incident],
) -> IncidentPage:
    older, newer = around
    return incident_page(incident, previous=older, next=newer, related=related, source_url=_source_url(config, incident),
                         rewrite=link_rewriter(incident, published, known_docs))


def render_incident_page(
    incident: Incident, archive: Archive, config: SiteConfig, files: Iterable[str],
    related: Mapping[str, tuple[Incident, ...]], env: jinja2.Environment | None = None,
) -> Page | None:
    """The page of an edited `incident`, among the neighbours and related incidents of an
    earlier `archive` that holds a version of it (by id); None when it holds none.

    What a running server shows first when a document is saved, before the rest of the site catches up.
    """
    position = next((n for n, known in enumerate(archive.incidents) if known.id == incident.id), None)
    if position is None:
        return None
    known_docs = {i.content_path: i for i in archive.incidents}
    return render_page_among(incident, archive.around(position), related.get(incident.id, ()), config, frozenset(files),
                             known_docs, env)


def render_page_among(
    incident: Incident, around: tuple[Incident | None, Incident | None], related: tuple[Incident, ...],
    config: SiteConfig, published: frozenset[str], known_docs: Mapping[str, Incident],
    env: jinja2.Environment | None = None,
) -> Page:
    """The page of `incident` between the incidents just older and just newer (`Archive.around`), with its related
    incidents; links to other documents found in `known_docs` (content path → incident), to attachments in `published`.

    What a build renders when an edit shows on no page but the document's own.
    """
    page = _page_among(incident, around, related, config, published, known_docs)
    planned = _Planned(urls.incident_url(incident), incident.source, "incident.html", lambda: _incident_context(page))
    return planned.render(env or make_environment(config), _site_view(config))


def _period_pages(collected: Collected) -> list[_Planned]:
    """The reliability reports (docs/reports.md): their index, and a page per year and per quarter with incidents."""
    years = collected.reports
    reports = [r for y in years for r in (y.year, *y.quarters) if r.incidents]
    published = {r.period for r in reports}

    def url_of(period: Period) -> str:
        return urls.report_url(period) if period in published else ""

    pages = [_listing(urls.REPORT_INDEX, "reports.html", "report index", years=years, undated=collected.undated)]
    pages += [
        _listing(url, "period.html", f"{r.period.kind} report {r.period.label}", report=r, incidents=chunk, pager=pager,
             previous_url=url_of(r.previous), next_url=url_of(r.period.following),
             year_url=url_of(Period(r.period.year)) if r.period.quarter else "")
        for r in reports
        for url, chunk, pager in _paginated(r.incidents, urls.report_url(r.period))
    ]
    return pages


def period_document(report: PeriodReport, config: SiteConfig) -> str:
    """One report as a standalone, printable HTML document (`hindsite report --format html`).

    Incidents link to the published site when `base_url` is set, and are named without links otherwise.
    """
    site = _site_view(config)
    prefix = config.base_url.rstrip("/") + "/" if config.base_url else ""
    return _render(make_environment(config), "period-document.html", site=site, root=prefix,
                   page_url=urls.report_url(report.period), report=report, linked=bool(config.base_url))


_Row = TypeVar("_Row")


def _paginated(rows: Sequence[_Row], first_url: str) -> list[tuple[str, Sequence[_Row], Pager]]:
    """A long list cut into pages of PAGE_SIZE rows, so that no page grows with the archive: (url, rows, pager).

    An empty list still has its first page.
    """
    count = max(1, -(-len(rows) // PAGE_SIZE))

    def url(number: int) -> str:
        return urls.paged(first_url, number) if 1 <= number <= count else ""

    return [
        (url(number), rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
         Pager(number, count, url(number - 1), url(number + 1), (number - 1) * PAGE_SIZE + 1, len(rows)))
        for number in range(1, count + 1)
    ]


def _follow_up_pages(archive: Archive, stats: ArchiveStats) -> list[_Planned]:
    items = stats.follow_ups
    counts = FollowUpCounts(
        total=len(items),
        not_done=sum(1 for f in items if not f.item.closed),
        owners=Choices.of(Counter(f.item.owner for f in items if f.item.owner)),
        services=Choices.of(Counter(service for f in items for service in f.incident.services)),
    )
    return [_listing(url, "follow-ups.html", "follow-ups page", follow_ups=chunk, counts=counts, archive=archive, pager=pager)
            for url, chunk, pager in _paginated(items, urls.FOLLOW_UPS)]


def rows_script(incidents: Sequence[Incident], levels: Sequence[str]) -> str:
    """Every incident as one compact row, for filtering and sorting the index in the browser, with what the script
    needs to draw a row as the page does: how many names a row shows, and the page of each service and tag.

    {"rowChips": ROW_CHIPS, "services": {name: url}, "tags": {name: url}, "rows": [row…]}, each row
    [url, date, title, severity, services, tags, duration, severity rank (0 = most severe, null = none),
     services not indexed, tags not indexed (how many)]
    """
    rank = {level: n for n, level in enumerate(levels)}
    rows = [
        [urls.incident_url(i), i.date.isoformat() if i.date else "", i.title, i.severity or "", list(i.services),
         list(i.tags), i.duration_minutes, rank.get(i.severity or ""), len(i.unindexed_services), len(i.unindexed_tags)]
        for i in incidents
    ]
    services = {name: urls.service_url(group_slug(name)) for i in incidents for name in i.services}
    tags = {name: urls.tag_url(group_slug(name)) for i in incidents for name in i.tags}
    data = {"rowChips": ROW_CHIPS, "services": services, "tags": tags, "rows": rows}
    return f"window.hindsiteRows = {_script_json(data)};\n"


def follow_ups_script(follow_ups: Sequence[FollowUp]) -> str:
    """Every action item as one compact row, for filtering the follow-ups in the browser.

    [incident url, incident title, incident date, action (plain text), reference (`FollowUp.reference`), owner, status,
     services]
    """
    rows = [
        [urls.incident_url(f.incident), f.incident.title, f.incident.date.isoformat() if f.incident.date else "",
         action, reference, f.item.owner or "", f.item.status or "", list(f.incident.services)]
        for f in follow_ups for action, reference in [f.said()]
    ]
    return f"window.hindsiteFollowUps = {_script_json(rows)};\n"


def _script_json(value: object) -> str:
    """JSON to assign in a script: "</" is escaped so no string in it can end the script."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _axis(group: Group, page_url: str) -> object:
    root = urls.root_of(page_url)
    points = [(i.date, i.severity or "", i.title, root + urls.incident_url(i)) for i in group.incidents if i.date]
    return charts.time_axis(points, f"{group.name} incidents over time")


def _render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:  # the page's template, or one it includes
        raise _unloadable(exc, name) from exc
    except jinja2.UndefinedError as exc:
        where, line = _template_frame(exc, name)
        raise RenderError(diag.error("template", f"{exc.message}; check the variable's name (see docs/themes.md)", where, line)) from exc
    except RenderError:
        raise
    except Exception as exc:  # noqa: BLE001 — a template that raises ({{ 1/0 }}, a filter given the wrong type)
        where, line = _template_frame(exc, name)
        raise RenderError(diag.error("template", f"the template raised {type(exc).__name__}: {exc}; fix the template",
                                     where, line)) from exc


def _unloadable(exc: jinja2.TemplateSyntaxError | jinja2.TemplateNotFound, name: str) -> RenderError:
    """A template that cannot be loaded, as the error the build reports."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return RenderError(diag.error("template", f"{exc.message}; fix the template", exc.filename or name, exc.lineno))
    return RenderError(diag.error("template", f"template {exc.name!r} not found in the theme or the site's templates", name))


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


def _source_url(config: SiteConfig, incident: Incident) -> str:
    """The source file's address under `repo_url` (an http(s) URL: config.py refuses others), its path percent-encoded."""
    if not config.repo_url:
        return ""
    try:
        relative = config.content_dir.relative_to(config.root).as_posix()
    except ValueError:
        relative = "."
    path = incident.content_path if relative == "." else f"{relative}/{incident.content_path}"
    return f"{config.repo_url.rstrip('/')}/{quote(path, safe='/', errors='surrogateescape')}"


def _by_size(groups: Mapping[str, Group]) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (-len(g.incidents), g.name.casefold()))


def _by_year(incidents: Iterable[Incident]) -> list[tuple[str, list[Incident]]]:
    years: dict[str, list[Incident]] = {}
    for incident in incidents:
        years.setdefault(str(incident.date.year) if incident.date else "Undated", []).append(incident)
    return list(years.items())
