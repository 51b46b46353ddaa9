"""A running server's builds: `hindsite build`'s own, writing in place, with the build cache kept in memory.

`rebuild` is `build.build` itself: the same stages, and the same rule for what
a change makes it read and render again (incremental/changed.py), as `hindsite build`
with its cache. The one thing a server does besides is to show an edited
document's page at once (`render_edited`), before that build brings the rest of
the site up to date.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import jinja2

from ..build import BuildOptions, BuildResult, Loaded, Output, build, read_incident
from ..core.config import SiteConfig
from ..core.model import Incident
from ..incremental.cache import BuildCache
from ..incremental.changed import content_digest, document_key
from ..render.site import make_environment, render_incident_page
from ..write.output import OutputFile, update_site


class Session:
    """Builds that remember: a running server rebuilds through one of these.

    A document is read again only when its file changed; a page is rendered
    again only when something it shows changed; and only files whose bytes
    changed are written.
    """

    def __init__(self, config: SiteConfig, memory: BuildCache | None = None) -> None:
        self.config = config
        self.memory = memory if memory is not None else BuildCache.in_memory()
        self._loaded: Loaded | None = None  # the last build's, for the pages shown ahead of the next one
        self._env: jinja2.Environment | None = None

    def reconfigured(self, config: SiteConfig) -> Session:
        """A session for a changed site.toml that remembers what this one read: only documents whose reading
        the change affects are read again."""
        return Session(config, self.memory)

    def rebuild(self, *, templates_changed: bool = False) -> BuildResult:
        """Bring the output folder up to date with the files, rewriting only what changed.

        A bug in reading one document costs that document (`read_incident`); after any exception
        that escapes, use a new session, to be safe.
        """
        if templates_changed:
            self._env = None
        result = build(self.config, BuildOptions(output=Output.IN_PLACE), self.memory)
        if not result.unchanged and not result.stopped and not result.patched:
            self._loaded = result.loaded  # a patch loads no archive: the last one still places every page
        return result

    def render_edited(self, paths: Iterable[Path]) -> tuple[Incident, ...] | None:
        """Render and write the report pages of edited documents at once, ahead of `rebuild`.

        Each page shows its neighbours and related incidents as the last rebuild
        had them, so a save shows in the browser in milliseconds whatever the
        archive's size; `rebuild` then brings every page, list and index up to
        date. Returns the incidents read, or None (nothing written) when a path
        is not a document the last rebuild knew.
        """
        last = self._loaded
        salt = self.memory.last.hashes.salt if self.memory.last and self.memory.last.hashes else ""
        if last is None or not salt:
            return None
        documents = {f.rel: f for f in last.documents}
        files = [documents.get(rel) if (rel := self._in_content(path)) else None for path in paths]
        if not files or any(f is None or not f.path.is_file() for f in files):
            return None  # a document came or went: only a full rebuild knows where it belongs
        known = frozenset(str(f.rel) for f in (*last.documents, *last.files))
        try:  # its key first, then the incident: an edit in between is read again by the rebuild, never missed
            read = [(document_key(salt, file, content_digest(file.path, self.config.max_document_bytes)),
                     read_incident(file, self.config, known))
                    for file in files if file is not None]
        except OSError:
            return None  # a document went while it was read: the rebuild that follows reports it
        published = [str(f.rel) for f in last.files]
        pages = [render_incident_page(incident, last.archive, self.config, published, last.collected.related,
                                      self._environment())
                 for _, incident in read]
        if any(page is None for page in pages):
            return None  # an id changed
        self.memory.documents.update(dict(read))  # so the rebuild does not read them again
        written = update_site([OutputFile(p.path, p.source, text=p.text) for p in pages if p is not None],
                              self.config.output_dir, prune=False)
        self.memory.wrote(self.config.output_dir, written.rewritten)  # the build that follows may patch the rest
        return tuple(incident for _, incident in read)

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
