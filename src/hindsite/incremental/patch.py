"""A build that renders again only what an edit touches, and leaves the rest of the site as the last build left it.

When every document that changed since the last build kept its path, its id,
and all that other pages and the data files show of it (`ShownDocument.elsewhere`),
and nothing else changed (no file came or went, no template, setting or
attachment changed), the site differs from the last one in those documents'
pages, their search files and their records in incidents.json, and nowhere
else. Then a build reads those documents and the few it shows beside them
(neighbours, related incidents) from the cache, renders their pages, patches
the search index and the export, checks the links of the pages it rendered and
of those that link to an anchor they lost or gained, and reports what a full
build would, in the same order (`ShownSite`). The archive is not collected,
and no other page is rendered.

`plan_patch` says whether a change is such a change, and if so, what to write;
anything it cannot vouch for (a file of the cache that is gone, a record it
cannot find in the export) makes it answer None, and the build does the full
work instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic
from ..core.model import Incident
from ..read.files import SourceFile
from ..render import urls
from ..render.export import compact_record, record_spans
from ..render.search import search_patch
from ..render.site import make_environment, render_page_among, searched_page
from ..write.linkcheck import PageLinks, check_pages, less_reported, link_locator, links_into, links_of
from .cache import BuildCache, LastBuild, ShownDocument, ShownSite
from .changed import Changed, Survey, anchors_print, builtin_pages, elsewhere_print, left_as_is, report_print

#: Beyond this many edited documents, the full build (which reads them in parallel) is quicker.
MOST_EDITS = 64

#: Writes a file of the site at the path given (the export, spliced from the last build's).
Writer = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class Patch:
    """What a build that renders only what an edit touches writes, and what it reports: a full build reports
    `documents`, then why the cache was discarded (the build knows), then `deprecations` and `after`."""

    files: Mapping[str, bytes | Writer]  # site path → its new bytes, or what writes it
    removed: tuple[str, ...]  # site paths the site no longer has (search shards left empty)
    documents: tuple[Diagnostic, ...]  # what reading the content folder and the documents reported
    after: tuple[Diagnostic, ...]  # what the writer and the link check reported
    deprecations: tuple[Diagnostic, ...]  # what the templates read that the next release takes away, as last time
    incidents: int
    _site: ShownSite
    _reports: Mapping[str, str]  # page → what it shows (`report_print`), for the pages rendered
    _last: LastBuild  # the build this one patches

    def remember(self, cache: BuildCache, surveyed: Survey, problems: tuple[Diagnostic, ...],
                 state: Mapping[str, tuple[int, int]]) -> str:
        """Keep this build in `cache`, its files now as `state` says; why the cache could not be saved ("" when it
        was)."""
        last = self._last
        assert last.pages is not None
        output = {path: state.get(path, known) for path, known in last.output.items() if path not in self.removed}
        output.update({path: stat for path, stat in state.items() if path not in output})
        prints = replace(last.pages, reports={**last.pages.reports, **self._reports})
        record = LastBuild(surveyed.site_key, self.incidents, problems, output, surveyed.settled(), prints)
        return cache.save_patch(surveyed.keys.values(), record, self._site)


def plan_patch(
    changed: Changed, found: Sequence[SourceFile], config: SiteConfig, read: Callable[[SourceFile], Incident],
    reported_first: Sequence[Diagnostic],
) -> Patch | None:
    """The patch that brings the output folder from the last build to this one, or None when the change is not
    one a patch can make (see the module's docstring). `reported_first` is what reading the content folder
    reported, which a build reports before the documents' own diagnostics. Writes nothing."""
    cache, surveyed = changed.cache, changed.surveyed
    if cache is None or surveyed is None or not _patchable(cache, surveyed, config):
        return None
    shown = cache.shown
    assert shown is not None
    position = {d.path: n for n, d in enumerate(shown.documents)}
    markdown = [f for f in found if f.is_markdown]
    if len(markdown) != len(shown.documents) or any(f.rel_text not in position for f in markdown):
        return None
    edits = sorted((position[f.rel_text], f) for f in markdown if surveyed.keys[f.rel_text] != shown.documents[position[f.rel_text]].key)
    if not edits or len(edits) > MOST_EDITS or cache.last is None or not left_as_is(config.output_dir, cache.last):
        return None
    fresh = {n: _read_once(cache, surveyed.keys[file.rel_text], file, read) for n, file in edits}
    for n, incident in fresh.items():
        if incident.id != shown.documents[n].id or elsewhere_print(incident) != shown.documents[n].elsewhere:
            return None
    return _Patcher(cache, shown, config, found, fresh, surveyed.keys).patch(reported_first)


def _read_once(cache: BuildCache, key: str, file: SourceFile, read: Callable[[SourceFile], Incident]) -> Incident:
    """The incident of a document at this version: the cache's when it has it (a server reads a saved document
    ahead of the build), else read, and kept so that a full build after this reads it no more."""
    found = cache.documents.get(key)
    if isinstance(found, Incident):
        return found
    incident = read(file)
    cache.documents.update({key: incident})
    return incident


def _patchable(cache: BuildCache, surveyed: Survey, config: SiteConfig) -> bool:
    """Whether the last build is known well enough, and nothing but documents changed since."""
    last = cache.last
    if last is None or last.pages is None or last.hashes is None or last.hashes.salt != surveyed.hashes.salt:
        return False
    shown = cache.shown
    return shown is not None and shown.render_key == surveyed.render_key and builtin_pages(config)


class _Lost(Exception):
    """The cache no longer holds an incident the patch needs: the build does the full work instead."""


class _Patcher:
    """The pages, search files, export and diagnostics of a patch, sharing the incidents they load."""

    def __init__(
        self, cache: BuildCache, shown: ShownSite, config: SiteConfig, found: Sequence[SourceFile],
        fresh: Mapping[int, Incident], keys: Mapping[str, str],
    ) -> None:
        self.cache, self.shown, self.config = cache, shown, config
        self.published = frozenset(f.rel_text for f in found if not f.is_markdown)
        self.fresh, self.keys = fresh, keys
        self.by_id = {d.id: n for n, d in enumerate(shown.documents)}
        self.by_path = {d.path: n for n, d in enumerate(shown.documents)}
        self.by_source = {f.source: self.by_path[f.rel_text] for f in found if f.rel_text in self.by_path}

    def incident(self, n: int) -> Incident:
        """The `n`th incident of the archive as this build has it: read again, or as the cache keeps it."""
        return self.fresh[n] if n in self.fresh else self.stored(self.shown.documents[n])

    def stored(self, document: ShownDocument) -> Incident:
        found = self.cache.documents.get(document.key)
        if not isinstance(found, Incident):
            raise _Lost(document.path)
        return found

    def around(self, n: int) -> tuple[Incident | None, Incident | None]:
        """The incidents just older and just newer than the `n`th (`Archive.around`)."""
        count = len(self.shown.documents)
        return (self.incident(n + 1) if n + 1 < count else None, self.incident(n - 1) if n > 0 else None)

    def patch(self, reported_first: Sequence[Diagnostic]) -> Patch | None:
        try:
            return self._patch(reported_first)
        except _Lost:
            return None

    def _patch(self, reported_first: Sequence[Diagnostic]) -> Patch | None:
        was = {n: self.stored(self.shown.documents[n]) for n in self.fresh}
        rendered = self.pages()
        export = self.export(was)
        if export is None:
            return None
        try:
            search = search_patch(self.config.output_dir, {n: searched_page(old) for n, old in was.items()},
                                  {n: searched_page(incident) for n, incident in self.fresh.items()})
        except (OSError, ValueError):
            return None  # the search files are not as the last build wrote them: the full build makes them again
        files: dict[str, bytes | Writer] = {path: text.encode("utf-8") for path, (text, _, _) in rendered.items()}
        files.update({path: text.encode("utf-8") for path, text in search.files.items()})
        files[urls.INCIDENTS_JSON] = export
        links = {path: page_links for path, (_, page_links, _) in rendered.items()}
        documents = list(self.shown.documents)
        for n, incident in self.fresh.items():
            documents[n] = replace(documents[n], key=self.keys[incident.content_path],
                                   anchors=anchors_print(links[urls.incident_url(incident)]),
                                   diagnostics=incident.diagnostics)
        own = (*reported_first, *(d for document in documents for d in document.diagnostics))
        broken = self.broken(links, own)
        site = replace(self.shown, documents=tuple(documents), broken=broken, links={**self.shown.links, **links})
        reports = {path: report for path, (_, _, report) in rendered.items()}
        after = (*self.shown.problems, *(d for found in broken.values() for d in found))
        assert self.cache.last is not None
        return Patch(files, search.removed, own, after, self.shown.deprecations, len(documents), site, reports,
                     self.cache.last)

    def pages(self) -> dict[str, tuple[str, PageLinks, str]]:
        """Each edited document's page: its text, its links, and what it shows (`report_print`)."""
        env = make_environment(self.config, self.cache.compiled_templates)
        known = _KnownDocuments(self)
        pages = {}
        for n, incident in self.fresh.items():
            around = self.around(n)
            if any(other not in self.by_id for other in self.shown.documents[n].related):
                raise _Lost(incident.content_path)
            related = tuple(self.incident(self.by_id[other]) for other in self.shown.documents[n].related)
            page = render_page_among(incident, around, related, self.config, self.published, known, env)
            key = self.keys[incident.content_path]
            pages[page.path] = (page.text, links_of(page.path, page.text, page.source),
                                report_print(incident, key, around, related))
        return pages

    def export(self, was: Mapping[int, Incident]) -> Writer | None:
        """What writes incidents.json with the edited records in place of the old ones, or None when the last
        build's file does not hold them where it should."""
        old_path = self.config.output_dir / urls.INCIDENTS_JSON
        spans = record_spans(old_path, [(compact_record(old), compact_record(self.fresh[n])) for n, old in sorted(was.items())])
        if spans is None:
            return None

        def write(target: Path) -> None:
            with old_path.open("rb") as source, target.open("wb") as out:
                at = 0
                for start, end, new in spans:
                    _copy(source, out, at, start - at)
                    out.write(new)
                    at = end
                _copy(source, out, at, old_path.stat().st_size - at)

        return write

    def broken(self, links: Mapping[str, PageLinks], problems: Sequence[Diagnostic]) -> dict[str, tuple[Diagnostic, ...]]:
        """The broken links of the site: the last build's, but for the pages rendered again, and the pages that link
        to an anchor of a page whose anchors changed, which are checked again."""
        recheck = dict(links)
        for n, incident in self.fresh.items():
            path = urls.incident_url(incident)
            if anchors_print(links[path]) != self.shown.documents[n].anchors:
                recheck.update({page.path: page for page in links_into(self.cache.links.values(), path)
                                if page.path not in links})
        existing = self.cache.last.output if self.cache.last is not None else {}

        def ids_of(path: str) -> frozenset[str] | None:
            page = links.get(path) or self.cache.links.get(path)
            return page.ids if page is not None else None

        incidents = [self.incident(self.by_source[page.source]) for page in recheck.values() if page.source in self.by_source]
        found = less_reported(check_pages(recheck.values(), existing, ids_of, link_locator(incidents)), problems)
        broken = {page: found_there for page, found_there in self.shown.broken.items() if page not in recheck}
        broken.update(found)
        order = {path: n for n, path in enumerate(existing)}
        return dict(sorted(broken.items(), key=lambda item: order.get(item[0], len(order))))


def _copy(source: BinaryIO, out: BinaryIO, offset: int, count: int) -> None:
    """Copy `count` bytes of `source` from `offset` to the end of `out`; in the kernel where it can."""
    out.flush()
    try:
        while count > 0:
            sent = os.sendfile(out.fileno(), source.fileno(), offset, count)
            if sent == 0:
                raise OSError("the file ended early")
            offset, count = offset + sent, count - sent
        out.seek(0, os.SEEK_END)
        return
    except (AttributeError, OSError):
        out.seek(0, os.SEEK_END)  # no sendfile between files here: read and write the rest
    source.seek(offset)
    while count > 0 and (block := source.read(min(count, 1 << 22))):
        out.write(block)
        count -= len(block)


class _KnownDocuments(Mapping[str, Incident]):
    """The archive's documents by content path, each read from the cache only when a link points at it."""

    def __init__(self, patcher: _Patcher) -> None:
        self.patcher = patcher

    def __getitem__(self, path: str) -> Incident:
        n = self.patcher.by_path.get(path)
        if n is None:
            raise KeyError(path)
        return self.patcher.incident(n)

    def __contains__(self, path: object) -> bool:
        return path in self.patcher.by_path

    def __iter__(self) -> Iterator[str]:
        return iter(self.patcher.by_path)

    def __len__(self) -> int:
        return len(self.patcher.by_path)
