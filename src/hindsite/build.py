"""The pipeline, start to end: read → normalise → collect → render → write.

`build` is its table of contents, as Zola's `Site::load` and `Site::build`
are: one short function per stage, each taking the previous stage's value,
everything gathered (`load`) before anything is written. Every command runs
this same build: `hindsite build` writes the site into a new folder swapped in
place of the output folder; `hindsite serve` writes it in place, keeping its
cache in memory (serve/session.py); `hindsite check` writes it nowhere. What a
change since the last build makes it do again is incremental/changed.py's to say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .collect.archive import Archive
from .collect.site import Collected, collect_site
from .core import diagnostics as diag
from .core.config import SiteConfig
from .core.diagnostics import Diagnostic
from .core.model import Incident, Section
from .core.slugs import document_slug
from .incremental.cache import FOLDER as CACHE_FOLDER
from .incremental.cache import BuildCache, collect_reads, output_state
from .incremental.changed import Changed, LinksToCheck, Reported, what_changed
from .read.files import Document, SourceFile, discover, read_document
from .render import urls
from .render.theme import RenderError, theme_dir
from .write.linkcheck import PageLinks, check_pages, less_reported, link_locator, links_of
from .write.output import (
    Claims,
    OutputFile,
    OutputRefused,
    WriteFailed,
    Written,
    check_output_dir,
    patch_site,
    update_site,
    write_nowhere,
    write_site,
)
from .write.publish import LockFailed, OutputBusy, output_lock

if TYPE_CHECKING:  # the page views load with the renderer: see `_plan`
    from .render.search import EarlierIndex
    from .render.site import SitePlan


class Output(Enum):
    """Where a build puts the site it renders."""

    SWAP = "swap"  # a new folder, swapped in place of the output folder whole (`hindsite build`)
    IN_PLACE = "in place"  # the output folder, brought up to date file by file (`hindsite serve`)
    NOWHERE = "nowhere"  # nowhere: every page is rendered and link-checked, nothing is written (`hindsite check`)


def _say_nothing(message: str) -> None:
    pass


@dataclass(frozen=True, slots=True)
class BuildOptions:
    output: Output = Output.SWAP
    force: bool = False  # replace an output folder hindsite did not create
    timestamp: int | None = None  # SOURCE_DATE_EPOCH: the modification time of every file written
    use_cache: bool = False  # read and keep .hindsite-cache/ beside site.toml
    on_wait: Callable[[str], None] = _say_nothing  # told when the build waits for another one to finish


@dataclass(frozen=True, slots=True)
class Loaded:
    """Everything read from the content folder, before any output exists."""

    collected: Collected
    files: tuple[SourceFile, ...]  # non-Markdown files published as they are
    diagnostics: tuple[Diagnostic, ...]
    documents: tuple[SourceFile, ...] = ()  # the Markdown files the incidents were read from

    @property
    def archive(self) -> Archive:
        return self.collected.archive


@dataclass(frozen=True, slots=True)
class BuildResult:
    loaded: Loaded  # empty when `unchanged`
    diagnostics: tuple[Diagnostic, ...]  # every diagnostic of the build, documents' included
    written: int  # files written, 0 when the build stopped before writing or wrote nowhere
    incidents: int | None = None  # how many incidents the site has; None: len(loaded.archive.incidents)
    unchanged: bool = False  # nothing changed since the last build, so nothing was read or written
    fatal: Diagnostic | None = None  # why nothing was written (also among `diagnostics`): shown first
    written_paths: tuple[str, ...] = ()  # what a build in place or a patch wrote (site paths); empty for the others
    patched: bool = False  # only the files an edit touches were written (incremental/patch.py); `loaded` is empty

    @property
    def stopped(self) -> bool:
        """The build stopped before writing: the output folder is as the last build left it."""
        return self.fatal is not None

    @property
    def incident_count(self) -> int:
        return self.incidents if self.incidents is not None else len(self.loaded.archive.incidents)


# --- the table of contents ------------------------------------------------------------------------------------


def build(config: SiteConfig, options: BuildOptions = BuildOptions(), memory: BuildCache | None = None) -> BuildResult:
    """Read, normalise, collect, render and write the site, where `options.output` says.

    `memory` is a cache its caller keeps from one build to the next (a running
    server's); without it, `use_cache` keeps one in `.hindsite-cache/` beside
    site.toml. With either, only what changed is read and rendered again, and a
    build in which nothing changed writes nothing (incremental/changed.py).

    Nothing is written when the content folder is missing or holds no
    documents, the output folder is refused, or a template fails: the result's
    `fatal` says why. One build at a time writes to an output folder: another
    one waits for it, telling `on_wait` so, and gives up after `publish.LOCK_WAIT_SECONDS`.
    """
    refused = _refused(config, options)
    if refused is not None:
        return _not_built(load(config) if config.content_dir.is_dir() else _nothing(config), refused)
    if options.output is Output.NOWHERE:
        return _build(config, options, None)
    try:
        with output_lock(config.output_dir.resolve(), on_wait=options.on_wait):
            return _build(config, options, memory if memory is not None else _disk_cache(config, options))
    except OutputBusy as busy:
        return _not_built(_nothing(config), diag.error("output-busy", str(busy)))
    except LockFailed as failed:
        return _not_built(_nothing(config), diag.error("output", str(failed)))
    finally:
        collect_reads()


def _build(config: SiteConfig, options: BuildOptions, cache: BuildCache | None) -> BuildResult:
    """The stages in order; what did not change since the build `cache` remembers is taken from it, not made again."""
    found, skipped = _discover_content(config)  # read: the content folder's files
    changed = what_changed(cache, found, config, options.timestamp)
    if (last := changed.replay(config.output_dir)) is not None:
        return BuildResult(_nothing(config), last.diagnostics, 0, incidents=last.incidents, unchanged=True)
    read_problems = _reading_problems(found, skipped, config)
    if options.output is not Output.NOWHERE and (patched := _patch(found, read_problems, config, options, changed)):
        return patched  # an edit that shows only on its own pages: those rendered, the rest left as it is
    loaded = _load(found, read_problems, config, changed)  # → normalise → collect
    if not loaded.archive.incidents:
        return _not_built(loaded, _no_documents(config))
    plan = _plan(loaded, config)
    shown = changed.shown(loaded.collected, plan.contexts())
    claims, seen = Claims(), list[PageLinks]()
    compiled = cache.compiled_templates if cache is not None else None
    keep, earlier = changed.pages_to_keep(shown, config), changed.earlier_index(loaded.collected, config)
    files = claims.admit(_site_files(plan, loaded, config, seen, keep, compiled, earlier))  # → render
    try:
        written = _write(files, config, options)  # → write, each page rendered as the writer takes it
    except (RenderError, WriteFailed) as exc:
        return _not_built(loaded, exc.diagnostic, [*_discarded(cache), *claims.problems])
    finally:
        files.close()  # the pages' worker processes end here, whatever happened
    deprecations = theme_deprecations(config)
    problems = [*_problems_of(loaded), *_discarded(cache), *deprecations, *claims.problems, *written.problems]
    to_check = changed.links_to_check(seen, written.paths, keep)
    broken = _broken_links(seen, written.paths, loaded.archive.incidents, problems, to_check)
    problems += [problem for found in broken.values() for problem in found]
    reported = Reported(tuple(problems), tuple(deprecations), (*claims.problems, *written.problems), broken)
    failed = changed.remember(shown, config.output_dir, written.paths, loaded.collected, reported, seen)
    problems += [_unsaved_cache(config, failed)] if failed else []
    count = {Output.SWAP: len(written.paths), Output.IN_PLACE: len(written.rewritten), Output.NOWHERE: 0}[options.output]
    return BuildResult(loaded, tuple(problems), count, written_paths=written.rewritten)


def load(config: SiteConfig) -> Loaded:
    """Read and normalise every document under the content folder and collect the archive: everything a build
    gathers before it renders."""
    if not config.content_dir.is_dir():
        return _nothing(config, diag.error("content", f"the content folder {config.content_dir} does not exist; create "
                                                      "it or set content_dir in site.toml"))
    found, skipped = _discover_content(config)
    loaded = _load(found, _reading_problems(found, skipped, config), config)
    if loaded.archive.incidents:
        return loaded
    empty = diag.error("empty", f"there are no postmortems (.md or .markdown files) under "
                                f"{display_path(config.content_dir)}; check content_dir in site.toml, or the folder "
                                "given to --content")
    return replace(loaded, diagnostics=(*loaded.diagnostics, empty))


def _patch(
    found: Sequence[SourceFile], reported: Sequence[Diagnostic], config: SiteConfig, options: BuildOptions,
    changed: Changed,
) -> BuildResult | None:
    """The build of an edit that other pages do not show (incremental/patch.py): the edited documents read, their
    pages rendered, the search index and the export patched, and those files replaced in the output folder; None
    when the change is not such an edit."""
    from .incremental.patch import plan_patch  # with Jinja and the normaliser: see `_plan`
    known = frozenset(f.rel_text for f in found)
    try:
        patch = plan_patch(changed, found, config, lambda file: read_incident(file, config, known), reported)
    except RenderError:
        return None  # the full build stops at it too, and reports it
    if patch is None or changed.cache is None or changed.surveyed is None:
        return None
    problems = (*patch.documents, *_discarded(changed.cache), *patch.deprecations, *patch.after)
    if changed.cache.forget_last():
        return None  # the cache cannot be written: the full build says so
    try:
        written = patch_site(patch.files, patch.removed, config.output_dir, timestamp=options.timestamp)
    except WriteFailed as exc:
        return BuildResult(_nothing(config), (exc.diagnostic, *problems), 0, incidents=patch.incidents, fatal=exc.diagnostic)
    state = output_state(config.output_dir, [path for path in written.rewritten if path not in patch.removed]) or {}
    failed = patch.remember(changed.cache, changed.surveyed, problems, state)
    problems += (_unsaved_cache(config, failed),) if failed else ()
    return BuildResult(_nothing(config), problems, len(written.rewritten), incidents=patch.incidents,
                       written_paths=written.rewritten, patched=True)


# --- read → normalise → collect ----------------------------------------------------------------------------------


def _discover_content(config: SiteConfig) -> tuple[list[SourceFile], list[Diagnostic]]:
    return discover(config.content_dir, display_path(config.content_dir))


def _reading_problems(
    found: Sequence[SourceFile], skipped: Sequence[Diagnostic], config: SiteConfig
) -> list[Diagnostic]:
    """What reading the content folder reports ahead of the documents' own diagnostics: the files skipped, and
    what the attachments call for."""
    from .normalise.attachments import attachment_diagnostics  # see `normalise_safely`
    return [*skipped, *active_attachments(found), *attachment_diagnostics(found, config)]


def _load(
    found: Sequence[SourceFile], reported: Sequence[Diagnostic], config: SiteConfig, changed: Changed = Changed()
) -> Loaded:
    """The documents among `found` read and normalised (those that did not change taken from the cache) and the
    archive collected; `reported` is what reading the content folder reported (`_reading_problems`)."""
    incidents = read_incidents(found, config, changed.cache, changed.keys)
    return Loaded(collect_site(incidents, config, changed.related), tuple(f for f in found if not f.is_markdown),
                  tuple(reported), tuple(f for f in found if f.is_markdown))


def read_incidents(
    found: Sequence[SourceFile], config: SiteConfig, cache: BuildCache | None = None,
    keys: Mapping[str, str] | None = None,
) -> list[Incident]:
    """Normalise the Markdown files among `found` (the others are what their links may point at).

    Documents the cache holds are not read again; the rest are read in worker processes when there are many.
    """
    known = frozenset(f.rel_text for f in found)
    markdown = [f for f in found if f.is_markdown]
    store = cache.documents if cache is not None and keys is not None else None
    cached: dict[PurePosixPath, Incident] = {}
    if store is not None and keys is not None:
        cached = {f.rel: incident for f in markdown if (incident := store.get(keys[f.rel_text])) is not None}
    todo = [f for f in markdown if f.rel not in cached]
    fresh = dict(zip((f.rel for f in todo), _read_all(todo, config, known), strict=True))
    if store is not None and keys is not None:
        store.update({keys[str(rel)]: incident for rel, incident in fresh.items()})
    return [fresh[f.rel] if f.rel in fresh else cached[f.rel] for f in markdown]


def _read_all(files: Sequence[SourceFile], config: SiteConfig, known: frozenset[str]) -> list[Incident]:
    from .core.parallel import map_in_processes  # multiprocessing loads here: a build with nothing to do reads nothing
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
    from .core.markup import active_parts  # markdown-it and nh3 load here: a build with nothing to do reads nothing
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
    from .normalise import guard_secrets, normalise, without_secrets  # loaded by the first document read, not before
    try:
        return normalise(document, config, known_files)
    except Exception as exc:  # noqa: BLE001 — the document is still published, and the bug reported
        problem = _internal_error(exc, document.source, "could not interpret this document", "it is published as plain text")
        masked, secrets = guard_secrets(document, config)  # the text as published, its credentials masked when asked
        return _unstructured(masked, without_secrets([*masked.diagnostics, *secrets, problem], config))


def _internal_error(exc: Exception, source: str, failed: str, outcome: str) -> Diagnostic:
    import traceback  # loaded only when there is a bug to report
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return diag.error("internal-error", f"hindsite {failed} ({type(exc).__name__}: {exc} at "
                      f"{Path(where.filename).name}:{where.lineno}); {outcome} — please report this", source)


def _unstructured(document: Document, problems: Sequence[Diagnostic]) -> Incident:
    from .core.markup import render_markdown  # see `active_attachments`
    section = Section("other", "", document.body_line, document.body, render_markdown(document.body))
    return Incident(
        id=document_slug(document.rel.name), source=document.source, content_path=str(document.rel),
        title=document.rel.stem, date=None, severity=None, services=(), tags=(), responders=(), status=None,
        started_at=None, detected_at=None, resolved_at=None, duration_minutes=None, summary="",
        sections=(section,), timeline=(), action_items=(), diagnostics=tuple(problems),
    )


# --- render → write ---------------------------------------------------------------------------------------------


def _plan(loaded: Loaded, config: SiteConfig) -> SitePlan:
    """The pages of the site to render (`render.site.plan_site`)."""
    # Jinja and the page plan load here: a build with nothing to do renders nothing.
    from .render.site import plan_site
    return plan_site(loaded.collected, config, (f.rel_text for f in loaded.files))


def _site_files(
    plan: SitePlan, loaded: Loaded, config: SiteConfig, seen: list[PageLinks],
    keep: Mapping[str, PageLinks | None] | None = None, compiled: Path | dict[str, bytes] | None = None,
    earlier: EarlierIndex | None = None,
) -> Iterator[OutputFile]:
    """Every file of the site, pages as they are rendered; each page's links go into `seen` on the way past.

    Pages in `keep` are carried over from the output folder as they are, with the links the last build saw on
    them (None: not known, and not needed because no link check follows); with `earlier`, the search index and
    incidents.json are those patched (`render_site`).
    """
    from .render.site import render_site  # see `_plan`
    keep = keep or {}
    for page in render_site(plan, config, keep=frozenset(keep), compiled=compiled, earlier=earlier):
        known = keep.get(page.path) if page.kept else None
        seen.append(known or links_of(page.path, page.text, page.source))
        yield OutputFile(page.path, page.source, text=page.text, pieces=page.pieces, kept=page.kept)
    yield from _static_files(config)
    yield from _content_files(loaded.files, config)


def theme_deprecations(config: SiteConfig) -> list[Diagnostic]:
    """What the theme's templates read that the next release takes away (render/site.py says which)."""
    from .render.site import theme_deprecations as in_templates  # see `_plan`
    return in_templates(config)


def _static_files(config: SiteConfig) -> list[OutputFile]:
    static = theme_dir(config) / "static"
    found = discover(static)[0] if static.is_dir() else []
    return [OutputFile(urls.static_url(f.rel_text), f"theme file {f.rel}", copy_from=f.path) for f in found]


def _content_files(files: Iterable[SourceFile], config: SiteConfig) -> list[OutputFile]:
    """Attachments as they are, or the masked copy of those with credentials when the site redacts them."""
    from .normalise.attachments import masked_copy  # see `normalise_safely`
    return [OutputFile(urls.file_url(f.rel_text), f.source, copy_from=None if masked else f.path, pieces=masked)
            for f in files for masked in [masked_copy(f, config)]]


def _write(files: Iterator[OutputFile], config: SiteConfig, options: BuildOptions) -> Written:
    """The write stage, to where `options.output` says."""
    if options.output is Output.SWAP:
        return write_site(files, config.output_dir, timestamp=options.timestamp)
    if options.output is Output.IN_PLACE:
        # Every page is rendered before any is written: a template that fails leaves the site as it was.
        return update_site(list(files), config.output_dir, prune=True)
    return write_nowhere(files)


def _broken_links(
    pages: Sequence[PageLinks], paths: Iterable[str], incidents: Sequence[Incident], problems: Sequence[Diagnostic],
    to_check: LinksToCheck,
) -> dict[str, tuple[Diagnostic, ...]]:
    """`broken-link` diagnostics by page, in the pages' order, less those a `missing-asset` already reports on the
    same line: of the pages `to_check` names, found now; of the others, as it says they were found before."""
    ids = {page.path: page.ids for page in pages if page.path.endswith(".html")}
    existing = set(ids) | set(paths) | {page.path for page in pages}
    checked = check_pages(to_check.pages, existing, ids.get, link_locator(incidents))
    found = {**to_check.known, **less_reported(checked, problems)}
    return {page.path: found[page.path] for page in pages if page.path in found}


# --- what stops a build, and what it remembers ------------------------------------------------------------------


def _refused(config: SiteConfig, options: BuildOptions) -> Diagnostic | None:
    """Why nothing may be built: no content folder, or, for a build that writes, an output folder it may not replace."""
    if not config.content_dir.is_dir():
        return diag.error("content", f"the content folder {display_path(config.content_dir)} does not exist; nothing "
                                     f"was built, and {display_path(config.output_dir)} is unchanged — check --content, "
                                     "or content_dir in site.toml")
    if options.output is Output.NOWHERE:
        return None
    try:
        check_output_dir(config.output_dir, content=config.content_dir, site_root=config.root, force=options.force)
    except OutputRefused as exc:
        return exc.diagnostic
    return None


def _no_documents(config: SiteConfig) -> Diagnostic:
    return diag.error("empty", f"there are no postmortems (.md or .markdown files) under "
                               f"{display_path(config.content_dir)}; nothing was built, and "
                               f"{display_path(config.output_dir)} is unchanged — check --content, or content_dir in "
                               "site.toml")


def _nothing(config: SiteConfig, *problems: Diagnostic) -> Loaded:
    """What a build that read nothing loaded."""
    return Loaded(collect_site((), config), (), problems)


def _problems_of(loaded: Loaded) -> list[Diagnostic]:
    """What reading the content folder reported, and each document's own diagnostics."""
    return [*loaded.diagnostics, *all_incident_diagnostics(loaded.archive.incidents)]


def _not_built(loaded: Loaded, fatal: Diagnostic, more: Sequence[Diagnostic] = ()) -> BuildResult:
    return BuildResult(loaded, (fatal, *_problems_of(loaded), *more), 0, fatal=fatal)


def _disk_cache(config: SiteConfig, options: BuildOptions) -> BuildCache | None:
    return BuildCache.open(config.root / CACHE_FOLDER) if options.use_cache and options.output is Output.SWAP else None


def _discarded(cache: BuildCache | None) -> list[Diagnostic]:
    """Why the cache on disk was not used, when it was damaged or written by other code."""
    return [diag.info("cache", cache.problem)] if cache is not None and cache.problem else []


def _unsaved_cache(config: SiteConfig, failed: str) -> Diagnostic:
    """The cache could not be saved (`failed` says why); the site was written all the same."""
    root = display_path(config.root)
    where = CACHE_FOLDER if root == "." else f"{root}/{CACHE_FOLDER}"  # not resolved: it may be a link to nowhere
    return diag.warning("cache", failed, where)


def all_incident_diagnostics(incidents: Sequence[Incident]) -> list[Diagnostic]:
    return [d for incident in incidents for d in incident.diagnostics]


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is inside it, else absolute."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return str(path)
    return "." if str(relative) == "." else relative.as_posix()
