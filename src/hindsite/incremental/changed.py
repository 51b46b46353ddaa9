"""What changed since the last build, and so what a build does again: the one rule for the build cache
(`.hindsite-cache/`, `hindsite build`) and for a running server (`hindsite serve`, which keeps the same cache in
memory). The cache itself is cache.py's; this module only decides. A build
asks `what_changed` at its start, and follows what it answers:

- A document is read again only when its key changed (`survey`): its bytes,
  its path, the set of files in the content folder (its links may now resolve,
  or break), the settings the normaliser reads (`NORMALISER_SETTINGS`: the
  site's title is not one of them), or hindsite's own code.
- A page is rendered again only when what it shows changed (`pages_to_keep`):
  a report page shows its document, its neighbours' ids and titles and its
  related incidents; every other page shows its template context, in which
  an incident stands for what pages other than its own show of it
  (`elsewhere_print`; prints.py).
  Everything else a build reads (templates, attachments, the
  whole configuration, hindsite's code: the `render_key`), or any document's id,
  changing renders every page; so does any edit in a site with templates of
  its own, which may show anything of any incident. A page is kept only while
  the output folder holds it as the last build left it.
- A build that would read exactly what the last one read, into an output
  folder as the last one left it, does nothing (`Changed.replay`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..collect.archive import Archive
from ..collect.related import RelatedIndex, related_incidents
from ..collect.site import Collected
from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic
from ..core.model import WITHHELD, Incident
from ..read.files import SourceFile, read_limited
from ..render import urls
from ..render.theme import theme_dir
from ..write.linkcheck import PageLinks
from ..write.output import MARKER
from .cache import (
    BuildCache,
    Hashes,
    LastBuild,
    PagePrints,
    ShownDocument,
    ShownSite,
    Signature,
    code_fingerprint,
    digest,
    output_state,
    signature,
)
from .prints import ContextPrinter

if TYPE_CHECKING:  # the page views load with the renderer, not on a build with nothing to do
    from ..render.search import EarlierIndex

#: The fields of `SiteConfig` that reading and normalising a document read: a document's key depends on these
#: and no others, so that changing the site's title, say, reads no document again (tests/test_cache.py checks
#: that the normaliser reads nothing else).
NORMALISER_SETTINGS = (
    "timezone", "day_first", "redact", "redact_personal", "max_document_mb", "max_incident_days",
    "max_tags_per_document", "max_services_per_document", "severity", "zones", "services", "section_aliases",
    "required_sections",
)


@dataclass(frozen=True, slots=True)
class Changed:
    """What changed since the last build that `cache` remembers, and so what this build does again. Without a
    cache everything changed: every document is read, every page rendered, and nothing is remembered."""

    cache: BuildCache | None = None
    surveyed: Survey | None = None

    @property
    def keys(self) -> Mapping[str, str] | None:
        """Each document's cache key; None without a cache."""
        return self.surveyed.keys if self.surveyed is not None else None

    def replay(self, output: Path) -> LastBuild | None:
        """The last build, when it read just what this one would and the output folder is as it left it: this
        one then has nothing to do."""
        last = self.cache.last if self.cache is not None else None
        if last is None or self.surveyed is None or last.key != self.surveyed.site_key:
            return None
        intact = left_as_is(output, last)
        if intact and self.surveyed.read_again and self.cache is not None:
            # Documents written just before the last build's survey were read again for their keys; now that
            # their times can be trusted, remember so, or every build with nothing to do would read them again.
            self.cache.keep_hashes(self.surveyed.hashes)
        return last if intact else None

    def related(self, archive: Archive) -> Mapping[str, tuple[Incident, ...]]:
        """Each incident's related incidents. With a cache, its index from the last build brought up to date, which
        scores again only the incidents a change may touch (the choice a fresh index makes), and kept for the next;
        an incident's version is its document's key."""
        if self.cache is None or self.surveyed is None:
            return related_incidents(archive)
        keys = self.surveyed.keys
        versions = {i.id: keys[i.content_path] for i in archive.incidents}
        last = self.cache.related
        index = last.refreshed(archive.incidents, versions)[0] if last is not None else None
        fresh = index or RelatedIndex.build(archive.incidents, versions=versions)
        self.cache.related = fresh
        return fresh.related_in(archive)

    def shown(self, collected: Collected, lists: Mapping[str, tuple[str, Mapping[str, object]]]) -> Shown | None:
        """What the pages of `collected` show (`page_prints`), the list pages' by their templates and contexts
        (`lists`, by path); None without a cache, where nothing needs it."""
        return page_prints(collected, self.surveyed, lists) if self.surveyed is not None else None

    def pages_to_keep(self, shown: Shown | None, config: SiteConfig) -> dict[str, PageLinks]:
        """The pages the last build left that are still right, with their links (`pages_to_keep`)."""
        return pages_to_keep(self.cache, shown.pages, config) if self.cache is not None and shown is not None else {}

    def earlier_index(self, collected: Collected, config: SiteConfig) -> EarlierIndex | None:
        """The search index the last build left, when patching it gives this build's (`earlier_index`)."""
        if self.cache is None or self.surveyed is None:
            return None
        return earlier_index(self.cache, self.surveyed, collected.archive.incidents, config.output_dir)

    def links_to_check(self, pages: Sequence[PageLinks], paths: Collection[str], kept: Collection[str]) -> LinksToCheck:
        """Of a build's `pages`, those whose links it checks, and the broken links of the others as the last build
        found them (`Reported.broken`). Those are the pages it `kept`, when the site has the same files (`paths`) as
        the last build's and every page rendered again has the anchors it had then: nothing a kept page links to
        changed. Otherwise every page is checked."""
        every_page = LinksToCheck(pages, {})
        if self.cache is None or not kept:
            return every_page
        last, shown, before = self.cache.last, self.cache.shown, self.cache.links
        if last is None or shown is None or len(paths) != len(last.output) or not all(p in last.output for p in paths):
            return every_page
        rendered = [page for page in pages if page.path not in kept]
        if any(page.path not in before or before[page.path].ids != page.ids for page in rendered
               if page.path.endswith(".html")):  # the only files with anchors
            return every_page
        return LinksToCheck(rendered, {path: found for path, found in shown.broken.items() if path in kept})

    def remember(
        self, shown: Shown | None, output: Path, paths: Sequence[str], collected: Collected, reported: Reported,
        links: Sequence[PageLinks],
    ) -> str:
        """Keep what a build that wrote `paths` into `output` learnt, for the next one; why the cache could not
        be saved ("" when it was). A file already gone from the output leaves no record."""
        if self.cache is None or self.surveyed is None or shown is None:
            return ""
        state = output_state(output, paths)
        surveyed = self.surveyed
        last = LastBuild(surveyed.site_key, len(collected.archive.incidents), reported.all, state, surveyed.settled(),
                         shown.pages) if state else None
        site = shown_site(collected, surveyed, reported, links, shown.elsewhere) if state else None
        return self.cache.save(surveyed.keys.values(), last, links, site)


@dataclass(frozen=True, slots=True)
class Reported:
    """What a build reported, in the order it reports it, with the parts a build that renders few pages redoes."""

    all: tuple[Diagnostic, ...]
    deprecations: tuple[Diagnostic, ...]  # what the templates read that the next release takes away
    written: tuple[Diagnostic, ...]  # what the writer reported (`ShownSite.problems`)
    broken: Mapping[str, tuple[Diagnostic, ...]]  # page → its broken links, reported last, in the pages' order


@dataclass(frozen=True, slots=True)
class LinksToCheck:
    """The pages whose links a build checks, and the broken links of its other pages, found by an earlier build."""

    pages: Sequence[PageLinks]
    known: Mapping[str, tuple[Diagnostic, ...]]  # page → its broken links


def left_as_is(output: Path, last: LastBuild) -> bool:
    """Whether the output folder holds every file as the build `last` left it (by size and time)."""
    return (output / MARKER).is_file() and output_state(output, last.output) == last.output


def what_changed(
    cache: BuildCache | None, found: Sequence[SourceFile], config: SiteConfig, timestamp: int | None
) -> Changed:
    """The files `found` against what `cache` remembers of the last build (`survey`)."""
    if cache is None:
        return Changed()
    return Changed(cache, survey(found, config, cache.last.hashes if cache.last else None, timestamp))


@dataclass(frozen=True, slots=True)
class Survey:
    """The content folder as a build finds it, in the terms the last build is compared in."""

    keys: Mapping[str, str]  # each document, by its path in the content folder → its cache key
    hashes: Hashes  # what the keys were made from, for the next survey
    render_key: str  # everything but the documents (`render_key`)
    site_key: str  # everything the build reads: when it is the last build's, so is the site
    read_again: int = 0  # documents read to make their keys: not as the last survey saw them, or too new to tell
    paths: Mapping[str, str] = field(default_factory=dict)  # each document's path in the content folder → on disk
    max_bytes: int = 0  # how much of a document reading it sees (`content_digest`)

    def settled(self) -> Hashes:
        """The documents' hashes as the end of a build finds them, for the next survey.

        A document written within `Hashes.RACY_NS` of this survey could be
        written again without its times changing, so the next survey would have
        to read it again; a build that took longer than that reads those again
        now, once (an archive copied just before a cold build is thousands of
        them). One that changed meanwhile gets its new digest, so the next build
        reads it again: its key then differs from the one this build used.
        """
        now = time.time_ns()
        if now - self.hashes.taken_ns < Hashes.RACY_NS:
            return self.hashes  # too soon: they would be as new as ever
        then = self.hashes.of
        fresh = {rel: _hash_of(self.paths[rel], rel, None, self.max_bytes)[:2]
                 for rel, (signature_then, _) in then.items()
                 if rel in self.paths and signature_then[1] >= self.hashes.taken_ns - Hashes.RACY_NS}
        if not fresh:
            return self.hashes
        keys = {rel: key for rel, key in self.hashes.keys.items() if rel not in fresh or fresh[rel][1] == then[rel][1]}
        return Hashes(now, {**then, **fresh}, self.hashes.salt, keys)


def survey(found: Sequence[SourceFile], config: SiteConfig, earlier: Hashes | None, timestamp: int | None) -> Survey:
    """The key of each document among `found`; a document whose file is as `earlier` saw it is not read, and its key
    is not made again when nothing it is salted with changed either."""
    taken_ns = time.time_ns()
    salt = key_salt(found, config)
    made = earlier.keys if earlier is not None and earlier.salt == salt else {}
    documents = [f for f in found if f.is_markdown]
    hashes, keys, read_again = {}, {}, 0
    for f in documents:
        current, content, known = _hash_of(f.path_text, f.rel_text, earlier, config.max_document_bytes)
        hashes[f.rel_text] = (current, content)
        keys[f.rel_text] = (made.get(f.rel_text) if known else None) or document_key(salt, f, content)
        read_again += not known
    paths = {f.rel_text: f.path_text for f in documents}
    rendered = render_key(config, found, timestamp)
    return Survey(keys, Hashes(taken_ns, hashes, salt, keys), rendered, digest(rendered, *sorted(keys.values())),
                  read_again, paths, config.max_document_bytes)


def key_salt(found: Sequence[SourceFile], config: SiteConfig) -> str:
    """What every document's key is salted with: hindsite's code, the settings the normaliser reads, and the set
    of files in the content folder (a document's links may point at any of them), by the paths a build shows
    (`SourceFile.source`), which every key holds: the same salt, the same key for the same bytes."""
    settings = repr([(name, getattr(config, name)) for name in NORMALISER_SETTINGS])
    return digest(code_fingerprint(), settings, digest(*sorted(f.source for f in found)))


def document_key(salt: str, file: SourceFile, content: str) -> str:
    """The cache key of a document whose bytes have the digest `content` (`content_digest`)."""
    return digest(salt, file.source, file.rel_text, content)


def content_digest(path: Path, max_bytes: int) -> str:
    """A digest of all that reading a document sees: its size and no more than `max_bytes + 1` of its bytes."""
    data, size = read_limited(path, max_bytes)
    return digest(str(size), data)


def _hash_of(path: str, rel: str, earlier: Hashes | None, max_bytes: int) -> tuple[Signature, str, bool]:
    """The file's signature and its `content_digest`, taken from `earlier` when the file is as it saw it; and
    whether it was."""
    try:
        current = signature(os.stat(path))
    except OSError:
        return (0, 0, 0, 0), "", False  # reading it reports the problem
    known = earlier.known(rel, current) if earlier else None
    if known is not None:
        return current, known, True
    try:
        return current, content_digest(Path(path), max_bytes), False
    except OSError:
        return current, "", False


def render_key(config: SiteConfig, found: Sequence[SourceFile], timestamp: int | None) -> str:
    """Everything a build reads but the documents: other files (by signature), templates, the whole configuration,
    hindsite's code, and the time given to the files written."""
    others = [f"{f.rel_text}\0{_signature_of(f.path)}" for f in found if not f.is_markdown]
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


@dataclass(frozen=True, slots=True)
class Shown:
    """What a build's pages show (`pages`, kept for the next build), and what other pages show of each incident."""

    pages: PagePrints
    elsewhere: Mapping[str, str]  # incident id → `elsewhere_print`


def page_prints(
    collected: Collected, surveyed: Survey, lists: Mapping[str, tuple[str, Mapping[str, object]]]
) -> Shown:
    """What each report page, and each other page (by its template and context in `lists`), shows: a document's
    key stands for all it says, and an incident on another page for what such pages show of it (`elsewhere_print`)."""
    archive, ordered = collected.archive, collected.archive.incidents
    reports = {
        urls.incident_url(incident): report_print(incident, surveyed.keys[incident.content_path],
                                                  archive.around(n), collected.related.get(incident.id, ()))
        for n, incident in enumerate(ordered)
    }
    # A report links to other documents by their ids: any id that changes, every page is rendered.
    ids = digest(surveyed.render_key, *(f"{i.content_path}\0{i.id}" for i in ordered))
    elsewhere = {incident.id: elsewhere_print(incident) for incident in ordered}
    printer = ContextPrinter(elsewhere)
    printed = {path: printer.page(template, context) for path, (template, context) in lists.items()}
    return Shown(PagePrints(ids, reports, {path: print_ for path, print_ in printed.items() if print_ is not None}),
                 elsewhere)


def report_print(
    incident: Incident, key: str, around: tuple[Incident | None, Incident | None], related: Sequence[Incident]
) -> str:
    """What an incident's page shows: its document (by key), its neighbours' ids and titles, its related incidents."""
    def shown_of(neighbour: Incident | None) -> str:
        return "" if neighbour is None else f"{neighbour.id}\0{neighbour.title}"

    return digest(incident.id, key, *(shown_of(i) for i in around),
                  repr([(r.id, r.title, r.date, r.services) for r in related]))


def elsewhere_print(incident: Incident) -> str:
    """A digest of all that pages and data files other than the incident's own page, its search file and its
    record in incidents.json show of it (`_shown_elsewhere`, and the table's responders)."""
    return digest(repr(_shown_elsewhere(incident)), repr(incident.responders))


def anchors_print(page: PageLinks | None) -> str:
    """A digest of the anchors of a page, which links on other pages may point at."""
    return digest(*sorted(page.ids)) if page is not None else ""


def shown_site(
    collected: Collected, surveyed: Survey, reported: Reported, links: Sequence[PageLinks], elsewhere: Mapping[str, str]
) -> ShownSite:
    """What a build's site showed of each document (`elsewhere`: by incident id, what other pages show of it), for a
    next build that renders only what an edit touches."""
    pages = {page.path: page for page in links}
    documents = tuple(
        ShownDocument(
            path=incident.content_path, key=surveyed.keys[incident.content_path], id=incident.id,
            elsewhere=elsewhere[incident.id], anchors=anchors_print(pages.get(urls.incident_url(incident))),
            related=tuple(r.id for r in collected.related.get(incident.id, ())), diagnostics=incident.diagnostics,
        )
        for incident in collected.archive.incidents
    )
    return ShownSite(documents, surveyed.render_key, reported.deprecations, reported.written, reported.broken)


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
        tuple(sorted(o.field for o in incident.origins if o.kind == WITHHELD)),  # the figures' "left out" counts
    )


def pages_to_keep(cache: BuildCache, prints: PagePrints, config: SiteConfig) -> dict[str, PageLinks]:
    """The pages of the last build that would come out the same, with their links; the rest are rendered.

    A page is kept when what it shows is unchanged (a page that lists the
    archive, whose context cannot be printed, never is), and only while the
    output folder holds it as the last build left it.
    """
    last, output = cache.last, config.output_dir
    before = last.pages if last is not None else None
    if last is None or before is None or before.render != prints.render or not builtin_pages(config):
        return {}
    if not (output / MARKER).is_file():
        return {}
    links = cache.links
    kept = {url for url, print_ in prints.reports.items() if before.reports.get(url) == print_}
    kept |= {path for path, print_ in prints.lists.items() if before.lists.get(path) == print_}
    return {path: links[path] for path in sorted(kept) if path in links and _as_left(output, path, last)}


#: Beyond this many changed pages, a fresh search index is quicker than a patched one.
MOST_SEARCH_CHANGES = 64


def earlier_index(cache: BuildCache, surveyed: Survey, incidents: Sequence[Incident], output: Path) -> EarlierIndex | None:
    """The search index the last build left in `output`, with the earlier version of each page that changed since:
    when the archive has the same documents in the same order (so each page keeps its number), nothing but the
    documents changed, at most `MOST_SEARCH_CHANGES` of them did, and every file of the index, and the export, is
    as that build left it. A page's part of the index, and its record in the export, are made from its incident
    alone (`render.site.searched_page`, `render.export.compact_record`)."""
    from ..render.search import EarlierIndex  # with the page views: see `_plan` in build.py
    last = cache.last
    shown = cache.shown if last is not None else None  # not read from the cache when there is no build to patch
    if last is None or shown is None or shown.render_key != surveyed.render_key or len(shown.documents) != len(incidents):
        return None
    changed: dict[int, Incident] = {}
    for number, (then, incident) in enumerate(zip(shown.documents, incidents, strict=True)):
        if then.path != incident.content_path or then.id != incident.id:
            return None
        if then.key != surveyed.keys[incident.content_path]:
            earlier = cache.documents.get(then.key)
            if not isinstance(earlier, Incident) or len(changed) == MOST_SEARCH_CHANGES:
                return None
            changed[number] = earlier
    files = tuple(path for path in last.output if path.startswith("search/"))
    read = (*files, urls.INCIDENTS_JSON)  # the export is patched alike (`render.export.patched_pieces`)
    if not (output / MARKER).is_file() or output_state(output, read) != {path: last.output.get(path) for path in read}:
        return None
    return EarlierIndex(output, files, changed)


def builtin_pages(config: SiteConfig) -> bool:
    """Whether every page comes from the built-in theme, whose templates show no more than `page_prints` covers;
    a site's own templates may show anything of any incident, so all their pages are rendered again."""
    overrides = config.templates_dir.is_dir() and any(p.suffix == ".html" for p in config.templates_dir.rglob("*"))
    return config.theme == "default" and not overrides


def _as_left(output: Path, path: str, last: LastBuild) -> bool:
    """Whether the output folder's `path` is the file the last build wrote there."""
    return output_state(output, [path]) == {path: last.output.get(path)}
