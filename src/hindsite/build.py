"""The pipeline, start to end: read → normalise → collect → render → write.

`load` gathers everything before anything is written; `build` renders and
writes; `hindsite check` is `load` without the rest, and `serve` calls `build`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2

from . import diagnostics as diag
from . import urls
from .archive import Archive, collect
from .cache import FOLDER as CACHE_FOLDER
from .cache import (
    BuildCache,
    Hashes,
    LastBuild,
    PagePrints,
    Signature,
    code_fingerprint,
    digest,
    output_state,
    signature,
)
from .config import SiteConfig
from .diagnostics import Diagnostic
from .linkcheck import Locate, PageLinks, check_links, links_of
from .markup import active_parts, render_markdown
from .model import Incident, Section
from .normalise import guard_secrets, normalise, without_secrets
from .normalise.attachments import attachment_diagnostics, masked_copy
from .parallel import map_in_processes
from .publish import LockFailed, OutputBusy, output_lock
from .read import Document, SourceFile, discover, read_document, read_limited
from .related import RelatedIndex, related_incidents
from .render import RenderError, make_environment, render_report_page, render_site, theme_dir
from .slugs import document_slug
from .write import (
    MARKER,
    Claims,
    OutputFile,
    OutputRefused,
    WriteFailed,
    Written,
    check_output_dir,
    update_site,
    write_site,
)


@dataclass(frozen=True, slots=True)
class Loaded:
    """Everything read from the content folder, before any output exists."""

    archive: Archive
    files: tuple[SourceFile, ...]  # non-Markdown files published as they are
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class BuildResult:
    loaded: Loaded  # empty when `unchanged`
    diagnostics: tuple[Diagnostic, ...]  # every diagnostic of the build, documents' included
    written: int  # files written, 0 when the build stopped before writing
    incidents: int | None = None  # how many incidents the site has; None: len(loaded.archive.incidents)
    unchanged: bool = False  # nothing changed since the last build, so nothing was read or written
    fatal: Diagnostic | None = None  # why nothing was written (also among `diagnostics`): shown first
    written_paths: tuple[str, ...] = ()  # what a server's rebuild wrote (site paths); empty for `build`

    @property
    def stopped(self) -> bool:
        """The build stopped before writing: the output folder is as the last build left it."""
        return self.fatal is not None

    @property
    def incident_count(self) -> int:
        return self.incidents if self.incidents is not None else len(self.loaded.archive.incidents)


@dataclass(frozen=True, slots=True)
class Survey:
    """The content folder as found, before anything is read: its files and the cache key of each document."""

    files: tuple[SourceFile, ...]
    skipped: tuple[Diagnostic, ...]
    keys: Mapping[PurePosixPath, str]  # Markdown file → its cache key
    hashes: Hashes | None = None  # what the keys were made from, for the next survey


def survey(config: SiteConfig, earlier: Hashes | None = None) -> Survey:
    """The content folder's files and their cache keys; a document whose file is as `earlier` saw it is not read."""
    taken_ns = time.time_ns()
    found, skipped = discover(config.content_dir, display_path(config.content_dir))
    known = digest(*sorted(str(f.rel) for f in found))
    salt = digest(code_fingerprint(), repr(config), known)
    hashes = {str(f.rel): _hash_of(f.path, str(f.rel), earlier, config.max_document_bytes) for f in found if f.is_markdown}
    keys = {f.rel: digest(salt, f.source, str(f.rel), hashes[str(f.rel)][1]) for f in found if f.is_markdown}
    return Survey(tuple(found), tuple(skipped), keys, Hashes(taken_ns, hashes))


def _hash_of(path: Path, rel: str, earlier: Hashes | None, max_bytes: int) -> tuple[Signature, str]:
    """The file's signature and a digest of all that reading it sees: its size and no more than `max_bytes + 1` bytes."""
    try:
        current = signature(path.stat())
    except OSError:
        return (0, 0, 0, 0), ""  # reading it reports the problem
    known = earlier.known(rel, current) if earlier else None
    if known is not None:
        return current, known
    try:
        data, size = read_limited(path, max_bytes)
    except OSError:
        return current, ""
    return current, digest(str(size), data)


def load(config: SiteConfig, cache: BuildCache | None = None, surveyed: Survey | None = None) -> Loaded:
    """Read and normalise every document under the content folder and collect the archive.

    With a `cache`, documents whose key it holds are taken from it instead of read;
    `surveyed` is the content folder already surveyed, so it is not walked again.
    """
    problems: list[Diagnostic] = []
    if not config.content_dir.is_dir():
        problems.append(
            diag.error("content", f"the content folder {config.content_dir} does not exist; create it or set content_dir in site.toml")
        )
        return Loaded(collect(()), (), tuple(problems))
    surveyed = surveyed or survey(config)
    found = surveyed.files
    problems += surveyed.skipped
    incidents = read_incidents(found, config, cache, surveyed.keys)
    problems += active_attachments(found)
    problems += attachment_diagnostics(found, config)
    archive = collect(incidents)
    if not archive.incidents:
        problems.append(diag.error("empty", f"there are no postmortems (.md or .markdown files) under "
                                            f"{display_path(config.content_dir)}; check content_dir in site.toml, or the folder given to "
                                            "--content"))
    return Loaded(archive, tuple(f for f in found if not f.is_markdown), tuple(problems))


def read_incidents(
    found: Sequence[SourceFile], config: SiteConfig, cache: BuildCache | None = None,
    keys: Mapping[PurePosixPath, str] | None = None,
) -> list[Incident]:
    """Normalise the Markdown files among `found` (the others are what their links may point at).

    Documents the cache holds are not read again; the rest are read in worker processes when there are many.
    """
    known = frozenset(str(f.rel) for f in found)
    markdown = [f for f in found if f.is_markdown]
    cached = cache.documents if cache is not None and keys is not None else {}
    todo = [f for f in markdown if keys is None or keys[f.rel] not in cached]
    fresh = dict(zip((f.rel for f in todo), _read_all(todo, config, known), strict=True))
    if cache is not None and keys is not None:
        cache.documents.update({keys[rel]: incident for rel, incident in fresh.items()})
    return [fresh[f.rel] if f.rel in fresh else cached[keys[f.rel]] for f in markdown]  # type: ignore[index]


def _read_all(files: Sequence[SourceFile], config: SiteConfig, known: frozenset[str]) -> list[Incident]:
    return map_in_processes(lambda file: read_incident(file, config, known), files)


def read_incident(file: SourceFile, config: SiteConfig, known_files: frozenset[str] | None = None) -> Incident:
    """Read and normalise one document; whatever goes wrong costs that document, never the build."""
    try:
        document = read_document(file, config.max_document_bytes)
    except Exception as exc:  # noqa: BLE001 — reading reports every problem it knows of; this is for the others
        unread = Document(file.source, file.rel, "")
        return _unstructured(unread, [_internal_error(exc, file.source, "could not read this document",
                                                      "nothing of it is published")])
    return normalise_safely(document, config, known_files)


#: Attachments a browser opens as a page of the site, where a script in them would run.
_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".svg", ".xml")


def active_attachments(found: Sequence[SourceFile]) -> list[Diagnostic]:
    """An `unsafe-html` warning for each attached page or SVG holding scripts: attachments are published as they are."""
    problems = []
    for file in found:
        if file.is_markdown or not file.rel.name.lower().endswith(_PAGE_SUFFIXES):
            continue
        try:
            active = active_parts(file.path.read_bytes().decode("utf-8", errors="replace"))
        except OSError:
            continue  # copying it reports the problem
        if active:
            problems.append(diag.warning(
                "unsafe-html",
                f"this attachment contains {', '.join(dict.fromkeys(active))}; it is published as it is, and a browser "
                "that opens it runs it as part of the site — remove them, or serve files/ with "
                "'Content-Security-Policy: sandbox' (docs/security.md)",
                file.source))
    return problems


def normalise_safely(document: Document, config: SiteConfig, known_files: frozenset[str] | None = None) -> Incident:
    """`normalise`, but a bug in it costs one document its structure, never the build or its words."""
    try:
        return normalise(document, config, known_files)
    except Exception as exc:  # noqa: BLE001 — the document is still published, and the bug reported
        problem = _internal_error(exc, document.source, "could not interpret this document", "it is published as plain text")
        masked, secrets = guard_secrets(document, config)  # the text as published, its credentials masked when asked
        return _unstructured(masked, without_secrets([*masked.diagnostics, *secrets, problem], config))


def _internal_error(exc: Exception, source: str, failed: str, outcome: str) -> Diagnostic:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return diag.error("internal-error", f"hindsite {failed} ({type(exc).__name__}: {exc} at "
                      f"{Path(where.filename).name}:{where.lineno}); {outcome} — please report this", source)


def _unstructured(document: Document, problems: Sequence[Diagnostic]) -> Incident:
    section = Section("other", "", document.body_line, document.body, render_markdown(document.body))
    return Incident(
        id=document_slug(document.rel.name), source=document.source, content_path=str(document.rel),
        title=document.rel.stem, date=None, severity=None, services=(), tags=(), responders=(), status=None,
        started_at=None, detected_at=None, resolved_at=None, duration_minutes=None, summary="",
        sections=(section,), timeline=(), action_items=(), diagnostics=tuple(problems),
    )


def build(
    config: SiteConfig, *, write: bool = True, force: bool = False, timestamp: int | None = None, use_cache: bool = False,
    on_wait: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Load, render and (unless `write` is false) write the site.

    `force` replaces an output folder hindsite did not create; `timestamp`
    (SOURCE_DATE_EPOCH) becomes the modification time of every file written.
    With `use_cache`, unchanged documents are taken from `.hindsite-cache/`
    beside site.toml, and a build in which nothing changed writes nothing.

    Nothing is written when the content folder is missing or holds no
    documents, or the output folder is refused: the result's `fatal` says why.
    One build at a time writes to an output folder: another one waits for it,
    telling `on_wait` so, and gives up after `publish.LOCK_WAIT_SECONDS`.
    """
    if not write:
        return _build(config, write=False, timestamp=timestamp, use_cache=False)
    refused = _missing_content(config) or _refused_output(config, force)
    if refused is not None:
        loaded = load(config) if config.content_dir.is_dir() else Loaded(collect(()), (), ())
        return _not_built(loaded, [*loaded.diagnostics, *all_incident_diagnostics(loaded.archive.incidents)], refused)
    try:
        with output_lock(config.output_dir.resolve(), on_wait=on_wait):
            return _build(config, write=True, timestamp=timestamp, use_cache=use_cache)
    except OutputBusy as busy:
        return _not_built(Loaded(collect(()), (), ()), [], diag.error("output-busy", str(busy)))
    except LockFailed as failed:
        return _not_built(Loaded(collect(()), (), ()), [], diag.error("output", str(failed)))


def _missing_content(config: SiteConfig) -> Diagnostic | None:
    if config.content_dir.is_dir():
        return None
    return diag.error("content", f"the content folder {display_path(config.content_dir)} does not exist; nothing was "
                                 f"built, and {display_path(config.output_dir)} is unchanged — check --content, or "
                                 "content_dir in site.toml")


def _no_documents(config: SiteConfig) -> Diagnostic:
    return diag.error("empty", f"there are no postmortems (.md or .markdown files) under "
                               f"{display_path(config.content_dir)}; nothing was built, and "
                               f"{display_path(config.output_dir)} is unchanged — check --content, or content_dir in "
                               "site.toml")


def _refused_output(config: SiteConfig, force: bool) -> Diagnostic | None:
    try:
        check_output_dir(config.output_dir, content=config.content_dir, site_root=config.root, force=force)
    except OutputRefused as exc:
        return exc.diagnostic
    return None


def _not_built(loaded: Loaded, problems: Sequence[Diagnostic], fatal: Diagnostic) -> BuildResult:
    return BuildResult(loaded, (fatal, *problems), 0, fatal=fatal)


def _build(config: SiteConfig, *, write: bool, timestamp: int | None, use_cache: bool) -> BuildResult:
    cache = BuildCache.open(config.root / CACHE_FOLDER if use_cache and write else None)
    earlier = cache.last.hashes if cache.last else None
    surveyed = survey(config, earlier) if cache.folder is not None and config.content_dir.is_dir() else None
    render_key = _render_key(config, surveyed, timestamp) if surveyed is not None else ""
    site_key = digest(render_key, *sorted(surveyed.keys.values())) if surveyed is not None else ""
    intact = _output_intact(cache.last, config.output_dir)
    if intact and cache.last is not None and site_key and cache.last.key == site_key:
        last = cache.last
        return BuildResult(Loaded(collect(()), (), ()), last.diagnostics, 0, incidents=last.incidents, unchanged=True)
    loaded = load(config, cache if surveyed else None, surveyed)
    problems = [*loaded.diagnostics, *all_incident_diagnostics(loaded.archive.incidents)]
    if write and not loaded.archive.incidents:
        return _not_built(loaded, [d for d in problems if d.code != "empty"], _no_documents(config))
    if cache.problem:
        problems.append(diag.info("cache", cache.problem))
    related = _related(loaded.archive, cache, surveyed)
    prints = _page_prints(loaded.archive, related, surveyed.keys, render_key) if surveyed is not None else None
    keep = _still_right(cache, prints) if intact and prints is not None and _builtin_pages(config) else {}
    claims, seen = Claims(), list[PageLinks]()
    files = claims.admit(_site_files(loaded, config, seen, keep, related))
    try:
        written = write_site(files, config.output_dir, timestamp=timestamp) if write else Written([f.path for f in files], [])
    except (RenderError, WriteFailed) as exc:
        return _not_built(loaded, [*problems, *claims.problems], exc.diagnostic)
    finally:
        files.close()  # the pages' worker processes end here, whatever happened
    problems += claims.problems
    problems += written.problems
    problems += _broken_links(seen, written.paths, loaded.archive.incidents, problems)
    if not write:
        return BuildResult(loaded, tuple(problems), 0)
    if surveyed is not None:
        problems += _save_cache(cache, config, surveyed, site_key, loaded, problems, written.paths, prints, seen)
    return BuildResult(loaded, tuple(problems), len(written.paths))


def _related(archive: Archive, cache: BuildCache, surveyed: Survey | None) -> Mapping[str, tuple[Incident, ...]]:
    """Related incidents: with the cache, its index of the last build's brought up to date (kept for the next),
    which scores again only the incidents a change may touch; a document's cache key is its incident's version."""
    if surveyed is None:
        return related_incidents(archive)
    versions = {i.id: surveyed.keys[PurePosixPath(i.content_path)] for i in archive.incidents}
    last = cache.related
    index = last.refreshed(archive.incidents, versions)[0] if last is not None else None
    cache.related = index or RelatedIndex.build(archive.incidents, versions=versions)
    return cache.related.related_in(archive)


def _save_cache(
    cache: BuildCache, config: SiteConfig, surveyed: Survey, site_key: str, loaded: Loaded,
    problems: Sequence[Diagnostic], paths: Sequence[str], prints: PagePrints | None, seen: Sequence[PageLinks],
) -> list[Diagnostic]:
    """Keep what this build learnt for the next; a warning when the cache could not be saved (the site is written)."""
    state = output_state(config.output_dir, paths)
    last = LastBuild(site_key, len(loaded.archive.incidents), tuple(problems), state or {}, surveyed.hashes, prints)
    failed = cache.save(surveyed.keys.values(), last if state else None, seen)
    root = display_path(config.root)
    where = CACHE_FOLDER if root == "." else f"{root}/{CACHE_FOLDER}"  # not resolved: it may be a link to nowhere
    return [diag.warning("cache", failed, where)] if failed else []


def _render_key(config: SiteConfig, surveyed: Survey, timestamp: int | None) -> str:
    """Everything a build reads but the documents: other files (by signature), templates, configuration."""
    others = [f"{f.rel}\0{_signature_of(f.path)}" for f in surveyed.files if not f.is_markdown]
    templates = [
        f"{p}\0{digest(p.read_bytes())}" for folder in (theme_dir(config), config.templates_dir) if folder.is_dir()
        for p in sorted(folder.rglob("*")) if p.is_file()
    ]
    return digest(code_fingerprint(), repr(config), str(timestamp), *others, *templates)


def _signature_of(path: Path) -> Signature | None:
    """A file's size, times and inode: a file replaced by one of the same size and time still differs in these.
    None for a file that is gone (publishing it reports that)."""
    try:
        return signature(path.stat())
    except OSError:
        return None


def _output_intact(last: LastBuild | None, output: Path) -> bool:
    """Whether the output folder is as the last build left it."""
    return last is not None and (output / MARKER).exists() and output_state(output, last.output) == last.output


def _page_prints(
    archive: Archive, related: Mapping[str, tuple[Incident, ...]], keys: Mapping[PurePosixPath, str], render_key: str
) -> PagePrints:
    """What each report page, and what the other pages, show: a document's cache key stands for all it says."""
    ordered = archive.incidents

    def shown_of(incident: Incident | None) -> str:
        return "" if incident is None else f"{incident.id}\0{incident.title}"

    reports = {
        urls.incident_url(incident): digest(
            incident.id, keys[PurePosixPath(incident.content_path)], *(shown_of(i) for i in archive.around(n)),
            repr([(r.id, r.title, r.date, r.services) for r in related.get(incident.id, ())]),
        )
        for n, incident in enumerate(ordered)
    }
    # A report links to other documents by their ids: any id that changes, every page is rendered.
    ids = digest(render_key, *(f"{i.content_path}\0{i.id}" for i in ordered))
    return PagePrints(ids, reports, digest(*(repr(_shown_elsewhere(i)) for i in ordered)))


def _builtin_pages(config: SiteConfig) -> bool:
    """Whether every page comes from the built-in theme, whose templates show no more than `_page_prints` covers;
    a site's own templates may show anything of any incident, so all their pages are rendered again."""
    overrides = config.templates_dir.is_dir() and any(p.suffix == ".html" for p in config.templates_dir.rglob("*"))
    return config.theme == "default" and not overrides


def _still_right(cache: BuildCache, prints: PagePrints) -> dict[str, PageLinks]:
    """The pages of the last build that would come out the same, with their links; the rest are rendered.

    A report page is kept when what it shows is unchanged; every other page
    (lists, tags, services, reports, stats) when nothing any of them shows changed.
    """
    before = cache.last.pages if cache.last else None
    if before is None or before.render != prints.render:
        return {}
    links = cache.links
    kept = {url for url, print_ in prints.reports.items() if before.reports.get(url) == print_}
    if before.lists == prints.lists:
        kept |= {path for path in links if path not in before.reports}
    return {path: links[path] for path in kept if path in links}


def _site_files(
    loaded: Loaded,
    config: SiteConfig,
    seen: list[PageLinks],
    keep: Mapping[str, PageLinks | None] | None = None,
    related: Mapping[str, tuple[Incident, ...]] | None = None,
) -> Iterator[OutputFile]:
    """Every file of the site, pages as they are rendered; each page's links go into `seen` on the way past.

    Pages in `keep` are carried over from the output folder as they are, with the links the last build saw on
    them (None: not known, and not needed because no link check follows).
    """
    keep = keep or {}
    pages = render_site(loaded.archive, config, (str(f.rel) for f in loaded.files), keep=frozenset(keep), related=related)
    for page in pages:
        known = keep.get(page.path) if page.kept else None
        seen.append(known or links_of(page.path, page.text, page.source))
        yield OutputFile(page.path, page.source, text=page.text, pieces=page.pieces, kept=page.kept)
    yield from _static_files(config)
    yield from _content_files(loaded.files, config)


def _plan(
    loaded: Loaded,
    config: SiteConfig,
    keep: Mapping[str, PageLinks | None] | None = None,
    related: Mapping[str, tuple[Incident, ...]] | None = None,
) -> tuple[list[PageLinks], list[OutputFile], list[Diagnostic]]:
    """Render the pages and list every file of the site, all held at once (a server writes only what changed);
    raises when the output or a template is unusable."""
    check_output_dir(config.output_dir, content=config.content_dir, site_root=config.root)
    claims, seen = Claims(), []
    files = list(claims.admit(_site_files(loaded, config, seen, keep, related)))
    return seen, files, claims.problems


def _broken_links(
    pages: Sequence[PageLinks], paths: Iterable[str], incidents: Sequence[Incident], problems: Sequence[Diagnostic]
) -> list[Diagnostic]:
    """`broken-link` diagnostics, less those a `missing-asset` already reports on the same line."""
    broken = check_links(pages, paths, _link_locator(incidents))
    already = {(d.path, d.line) for d in problems if d.code == "missing-asset"}
    return [d for d in broken if (d.path, d.line) not in already]


class Session:
    """Builds that remember: a running server rebuilds through one of these.

    A document is re-read only when its file changed; when a change shows on
    no page but the document's own, only that page is rendered; and only files
    whose bytes changed are written.
    """

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self._documents: dict[Path, tuple[Signature | None, Incident]] = {}
        self._known_files: frozenset[str] = frozenset()
        self._last: BuildResult | None = None
        self._env: jinja2.Environment | None = None
        self._shown: dict[str, object] = {}  # incident source → what other pages show of it
        self._fingerprints: dict[str, object] = {}  # report page → everything it shows
        self._page_paths: frozenset[str] = frozenset()  # every HTML page of the last full render
        self._pages_of_archive: object = None
        self._related: Mapping[str, tuple[Incident, ...]] = {}  # the last rebuild's, for an edited page shown ahead
        self._found: dict[PurePosixPath, SourceFile] = {}  # the last rebuild's documents, by path in the content folder
        self._edited: set[str] = set()  # documents `render_edited` read since the last rebuild

    def render_edited(self, paths: Iterable[Path]) -> tuple[Incident, ...] | None:
        """Render and write the report pages of edited documents at once, ahead of `rebuild`.

        Each page shows its neighbours and related incidents as the last rebuild
        had them, so a save shows in the browser in milliseconds whatever the
        archive's size; `rebuild` then brings every page, list and index up to
        date. Returns the incidents read, or None (nothing written) when a path
        is not a document the last rebuild knew.
        """
        if self._last is None:
            return None
        files = [self._found.get(rel) if (rel := self._in_content(path)) else None for path in paths]
        if not files or any(f is None or not f.path.is_file() for f in files):
            return None  # a document came or went: only a full rebuild knows where it belongs
        try:
            read = [(file, signature(file.path.stat()), read_incident(file, self.config, self._known_files))
                    for file in files if file is not None]
        except OSError:
            return None  # a document went while it was read: the rebuild that follows reports it
        last = self._last.loaded
        pages = [render_report_page(incident, last.archive, self.config, (str(f.rel) for f in last.files),
                                    self._related, self._environment())
                 for _, _, incident in read]
        if any(page is None for page in pages):
            return None  # an id changed
        for file, stamp, incident in read:
            self._documents[file.path] = (stamp, incident)
            self._edited.add(incident.source)
        update_site([OutputFile(p.path, p.source, text=p.text) for p in pages if p is not None], self.config.output_dir,
                    prune=False)
        return tuple(incident for _, _, incident in read)

    def _in_content(self, path: Path) -> PurePosixPath | None:
        """`path` (absolute, as a watcher reports it) relative to the content folder, however that was given."""
        try:
            return PurePosixPath(path.resolve().relative_to(self.config.content_dir.resolve()).as_posix())
        except ValueError:
            return None

    def _environment(self) -> jinja2.Environment:
        if self._env is None:
            self._env = make_environment(self.config)
        return self._env

    def rebuild(self, *, templates_changed: bool = False) -> BuildResult:
        """Bring the output folder up to date with the files, rewriting only what changed.

        A bug in reading one document costs that document (`read_incident`); after any exception
        that escapes, the session's memory of the last rebuild may be half updated, so use a new session.
        """
        config = self.config
        problems: list[Diagnostic] = []
        if not config.content_dir.is_dir():
            missing = diag.error("content", f"the content folder {config.content_dir} does not exist")
            return _not_built(Loaded(collect(()), (), (missing,)), [], missing)
        if templates_changed:
            self._env = None
        found, skipped = discover(config.content_dir, display_path(config.content_dir))
        problems += skipped
        self._found = {f.rel: f for f in found if f.is_markdown}
        known = frozenset(str(f.rel) for f in found)
        files_came_or_went = known != self._known_files
        if files_came_or_went:
            self._documents.clear()  # other documents' links to the files may now resolve, or break
            self._known_files = known
        incidents, changed = self._incidents(found, known)
        changed |= self._edited
        self._edited = set()
        archive = collect(incidents)
        loaded = Loaded(archive, tuple(f for f in found if not f.is_markdown), ())
        problems += active_attachments(found)
        problems += attachment_diagnostics(found, config)
        problems += all_incident_diagnostics(archive.incidents)
        whole_site = templates_changed or files_came_or_went or self._last is None
        related = related_incidents(archive)
        shown = {i.source: _shown_elsewhere(i) for i in archive.incidents}
        fingerprints = _report_fingerprints(archive, related)
        only = None if whole_site else self._only(archive, changed, shown, fingerprints)
        try:
            keep = None if only is None else dict.fromkeys(self._page_paths - only)
            pages, files, found = _plan(loaded, config, keep, related)
        except (OutputRefused, RenderError) as exc:
            return _not_built(loaded, problems, exc.diagnostic)
        problems += found
        if only is None:
            problems += _broken_links(pages, (f.path for f in files), archive.incidents, problems)
        elif self._last is not None:
            problems += [d for d in self._last.diagnostics if d.code == "broken-link" and d.path not in changed]
        written = tuple(update_site(files, config.output_dir, prune=True))
        self._shown, self._fingerprints, self._pages_of_archive = shown, fingerprints, _page_set(archive)
        self._related = related
        self._page_paths = frozenset(p.path for p in pages if p.path.endswith(".html"))  # a list may gain a page
        self._last = BuildResult(loaded, tuple(problems), len(written), written_paths=written)
        return self._last

    def _incidents(self, found: Sequence[SourceFile], known: frozenset[str]) -> tuple[list[Incident], set[str]]:
        incidents, changed = [], set()
        seen: set[Path] = set()
        for file in found:
            if not file.is_markdown:
                continue
            seen.add(file.path)
            try:
                stamp: Signature | None = signature(file.path.stat())
            except OSError:
                stamp = None  # gone or unreadable: reading it says which, and it is read again next time
            cached = self._documents.get(file.path)
            if stamp is None or cached is None or cached[0] != stamp:
                incident = read_incident(file, self.config, known)
                self._documents[file.path] = (stamp, incident)
                changed.add(incident.source)
            incidents.append(self._documents[file.path][1])
        for gone in set(self._documents) - seen:
            del self._documents[gone]
        return incidents, changed

    def _only(
        self, archive: Archive, changed: set[str], shown: Mapping[str, object], fingerprints: Mapping[str, object]
    ) -> frozenset[str] | None:
        """The pages that show something that changed; None for all of them.

        A report page shows its incident, its neighbours and its related
        incidents, so it is rendered again when any of those changed in a way
        it shows. Lists, tags, services, follow-ups and stats are rendered again
        when anything they list changed.
        """
        if set(shown) != set(self._shown) or _page_set(archive) != self._pages_of_archive:
            return None  # a document, a tag or a service came or went: the set of pages changes
        pages = {url for url, print_ in fingerprints.items() if self._fingerprints.get(url) != print_}
        if any(self._shown[source] != shown[source] for source in changed):
            pages |= {p for p in self._page_paths if not p.startswith("incidents/")}
        return frozenset(pages)


def _page_set(archive: Archive) -> object:
    """What decides which pages exist: the incidents, tags and services."""
    return (tuple(i.id for i in archive.incidents), frozenset(archive.by_tag), frozenset(archive.by_service))


def _report_fingerprints(archive: Archive, related: Mapping[str, tuple[Incident, ...]]) -> dict[str, object]:
    """Everything a report page shows, per page: when it is unchanged, so is the page."""
    prints: dict[str, object] = {}
    for n, incident in enumerate(archive.incidents):
        older, newer = archive.around(n)
        prints[urls.incident_url(incident)] = (
            incident,
            older and (older.id, older.title),
            newer and (newer.id, newer.title),
            tuple((r.id, r.title, r.date, r.services) for r in related.get(incident.id, ())),
        )
    return prints


def _shown_elsewhere(incident: Incident) -> object:
    """What pages other than an incident's own show of it: when this is unchanged, they need no new render."""
    return (
        incident.id, incident.title, incident.date, incident.severity, incident.services, incident.tags,
        len(incident.unindexed_services), len(incident.unindexed_tags),  # counted in a row's "+N more"
        incident.status, incident.started_at, incident.detected_at, incident.resolved_at, incident.duration_minutes,
        incident.summary, incident.action_items,
        tuple(s.text for s in incident.every_section() if s.key in ("root_cause", "trigger", "fault")),
        tuple((s.key, s.heading, s.filled) for s in incident.every_section()),  # the stats page's data quality
        tuple(sorted({d.code for d in incident.diagnostics})),
    )


def _link_locator(incidents: Sequence[Incident]) -> Locate:
    """Find the line of a report's link in its source, for `broken-link` diagnostics."""
    by_source = {i.source: i for i in incidents}

    def locate(source: str, link: str) -> tuple[str, int | None]:
        incident = by_source.get(source)
        target = link.replace("&amp;", "&").split("#")[0] or link
        for section in incident.every_section() if incident else ():
            offset = section.text.find(target)
            if offset != -1:
                return source, (section.body_line or section.line) + section.text.count("\n", 0, offset)
        return source, None

    return locate


def all_incident_diagnostics(incidents: Sequence[Incident]) -> list[Diagnostic]:
    return [d for incident in incidents for d in incident.diagnostics]


def _static_files(config: SiteConfig) -> list[OutputFile]:
    static = theme_dir(config) / "static"
    found = discover(static)[0] if static.is_dir() else []
    return [OutputFile(urls.static_url(str(f.rel)), f"theme file {f.rel}", copy_from=f.path) for f in found]


def _content_files(files: Iterable[SourceFile], config: SiteConfig) -> list[OutputFile]:
    """Attachments as they are, or the masked copy of those with credentials when the site redacts them."""
    return [OutputFile(urls.file_url(str(f.rel)), f.source, copy_from=None if masked else f.path, pieces=masked)
            for f in files for masked in [masked_copy(f, config)]]


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is inside it, else absolute."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return str(path)
    return "." if str(relative) == "." else relative.as_posix()


def export_paths(paths: Sequence[Path], config: SiteConfig) -> tuple[list[Incident], list[Diagnostic]]:
    """Normalise the Markdown files at `paths` (files or folders) with no site around them."""
    incidents: list[Incident] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if not path.exists():
            problems.append(diag.error("content", f"{path} does not exist"))
            continue
        found, skipped = discover(path, str(path))
        problems += skipped
        if path.is_file():
            siblings = discover(path.parent, str(path.parent))[0]  # what the file's links may point at
            known = frozenset(str(f.rel) for f in siblings)
            incidents += [read_incident(f, config, known) for f in found]
            continue
        incidents += read_incidents(found, config)
    ordered = collect(incidents).incidents
    return list(ordered), problems + all_incident_diagnostics(ordered)
