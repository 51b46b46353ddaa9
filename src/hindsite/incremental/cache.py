"""The build cache: what earlier builds learnt, kept in `.hindsite-cache/` beside site.toml, or in memory by a
running server. What a change invalidates is changed.py's to say; this module only keeps it.

Three things are kept. Each document's `Incident`, under its key (changed.py),
in a file of its own, so an unchanged document is never read again and a build
that needs a few of them reads only those. The last build as a whole: the
key of everything it read, the diagnostics it reported, the size and time of
every file it wrote and what its pages showed, so a build in which nothing
changed does nothing and one in which little changed renders little. And the
links and anchors of its pages, so that the pages it keeps are link-checked too.
Beside them, what the last build worked out from the whole archive and a
change only touches: the related incidents' index, each incident versioned by
its document's key.

They are separate files, so that a build in which nothing changed reads only
the small one, and one that changed a document reads only what it touches. Each carries a checksum; one that is unreadable, corrupt or
written by other code is discarded and rebuilt, never trusted.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from ..collect.related import RelatedIndex
from ..core.diagnostics import Diagnostic
from ..core.version import __version__
from ..write.linkcheck import PageLinks

FOLDER = ".hindsite-cache"
_LAST = "last-build.pickle"  # small: read on every build
_DOCUMENTS = "documents"  # a folder: each document's incident in KEY.pickle, read when first asked for
_TEMPLATES = "templates"  # a folder: the templates compiled, as Jinja keeps them
_SHOWN = "shown.pickle"  # what the last build's pages showed of each document: read only when something changed
_LINKS = "links.pickle"  # each page's links and anchors: read only when some pages are kept
_RELATED = "related.pickle"  # the related incidents' index: read only when something changed
_MAGIC = b"hindsite-cache\n"


@cache
def code_fingerprint() -> str:
    """hindsite's version and the hash of its own source: a cache written by other code is stale."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def digest(*parts: bytes | str) -> str:
    """One hash of several parts, each length-prefixed so that no two lists of parts collide."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.hexdigest()


#: What `os.stat` says of a file that changes whenever its bytes do: size, modification time, inode, change time.
Signature = tuple[int, int, int, int]


def signature(stat: os.stat_result) -> Signature:
    # An editor's atomic save can keep size and mtime; it always makes a new inode and ctime.
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


@dataclass(frozen=True, slots=True)
class Hashes:
    """The digest of each document's bytes, by path in the content folder, with the signature it had when hashed;
    and what every document's key was salted with, and the keys made.

    A signature taken within `RACY_NS` of `taken_ns` is not trusted: on a file
    system with coarse times, a file could change again within the same tick.
    """

    taken_ns: int
    of: Mapping[str, tuple[Signature, str]]
    salt: str = ""
    keys: Mapping[str, str] = field(default_factory=dict)  # each document's key (`changed.document_key`) by `salt`

    RACY_NS = 2_000_000_000

    def known(self, rel: str, current: Signature) -> str | None:
        """The digest of `rel`'s bytes, when it is known and the file cannot have changed since."""
        found = self.of.get(rel)
        if found is None or found[0] != current or current[1] >= self.taken_ns - self.RACY_NS:
            return None
        return found[1]


@dataclass(frozen=True, slots=True)
class PagePrints:
    """Digests of what a build's pages show.

    `render` covers everything but the documents (hindsite, configuration,
    templates, attachments) and each document's id; `reports` what each report page shows (its
    document, its neighbours' titles, its related incidents); `lists` what each
    other page shows (incremental/prints.py).
    """

    render: str
    reports: Mapping[str, str]  # report page → digest
    lists: Mapping[str, str]  # any other page → digest; a page with none is rendered by every build


@dataclass(frozen=True, slots=True)
class LastBuild:
    """A whole build: replayed when its key is unchanged and its output is as it was left."""

    key: str
    incidents: int
    diagnostics: tuple[Diagnostic, ...]
    output: Mapping[str, tuple[int, int]]  # path in the site → (size, mtime_ns) after writing
    hashes: Hashes | None = None  # the documents as the build found them, so the next need not read them all
    pages: PagePrints | None = None  # what its pages showed, so the next renders only pages that would change


@dataclass(frozen=True, slots=True)
class ShownDocument:
    """What the last build showed of one document: enough for a build that renders again only the pages an edit
    touches to know that the others stay right, and to put its diagnostics in their place."""

    path: str  # in the content folder
    key: str  # the document's key (changed.py)
    id: str
    elsewhere: str  # digest of all that pages and data files other than its own page show of it
    anchors: str  # digest of the ids on its page, which links from other pages may point at
    related: tuple[str, ...]  # the ids of its related incidents, most related first
    diagnostics: tuple[Diagnostic, ...]

    def __reduce__(self) -> tuple[type[ShownDocument], tuple[object, ...]]:
        # A build that patches the site reads one of these per document: its fields, not dataclasses' slow state.
        return ShownDocument, (self.path, self.key, self.id, self.elsewhere, self.anchors, self.related, self.diagnostics)


@dataclass(frozen=True, slots=True)
class ShownSite:
    """What the last build's site showed of the archive, beyond `LastBuild`: each document's `ShownDocument` in the
    archive's order, and the diagnostics that are not the documents' own, so that a build that renders only a few
    pages again reports what a full build would, in the same order."""

    documents: tuple[ShownDocument, ...]
    render_key: str  # everything the build read but the documents (changed.py's `render_key`)
    deprecations: tuple[Diagnostic, ...]  # what the templates read that the next release takes away
    problems: tuple[Diagnostic, ...]  # what the writer reported: two files claiming a path, attachments not published
    broken: Mapping[str, tuple[Diagnostic, ...]]  # page → its broken links; pages in the site's order
    links: Mapping[str, PageLinks] = field(default_factory=dict)  # pages rendered since the links file was written


class Store:
    """Values by key, kept one file each in a folder of the cache, or in memory only (a running server's).

    A file is read when its value is first asked for; one that cannot be used
    (damaged, or written by other code) is as good as absent, and `problem`
    says so. `save` writes the values added since and removes those no longer
    used.
    """

    def __init__(self, folder: Path | None, on_problem: Callable[[str], None]) -> None:
        self.folder = folder
        self._on_problem = on_problem
        self._values: dict[str, Any] = {}
        self._added: set[str] = set()
        self._files: set[str] | None = None  # the keys with a file, listed once
        self._used: set[str] | None = None  # the keys `keep_only` kept; None: all

    def _listed(self) -> set[str]:
        if self._files is None:
            try:
                names = os.listdir(self.folder) if self.folder is not None else []
            except OSError:
                names = []
            self._files = {name.removesuffix(".pickle") for name in names if name.endswith(".pickle")}
        return self._files

    def __contains__(self, key: object) -> bool:
        return key in self._values or key in self._listed()

    def get(self, key: str) -> Any:
        """The value under `key`; None when there is none, or its file could not be used."""
        if key in self._values:
            return self._values[key]
        if self.folder is None or key not in self._listed():
            return None
        value = _read_file(self.folder / f"{key}.pickle", self._on_problem)
        if value is None:
            self._listed().discard(key)
        else:
            self._values[key] = value
        return value

    def update(self, values: Mapping[str, Any]) -> None:
        self._values.update(values)
        self._added.update(values)

    def keep_only(self, used: Iterable[str]) -> None:
        """Forget every value but those under `used`: the next `save` removes the others' files."""
        self._used = set(used)
        for key in [key for key in self._values if key not in self._used]:
            del self._values[key]

    def save(self) -> None:
        """Write the values added since the last save, and remove the files of those forgotten."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        listed = self._listed()
        for key in sorted(self._added & self._values.keys()):
            _write_file(self.folder / f"{key}.pickle", self._values[key])
            listed.add(key)
        self._added.clear()
        for key in sorted(listed - self._used) if self._used is not None else ():
            (self.folder / f"{key}.pickle").unlink(missing_ok=True)
            listed.discard(key)


@dataclass(slots=True)
class BuildCache:
    """Documents by key, the last build and its pages' links; `problem` says why a cache on disk was discarded."""

    folder: Path | None  # None: kept in this process only (`in_memory`)
    last: LastBuild | None = None
    problem: str = ""
    _documents: Store | None = None
    _links: dict[str, PageLinks] | None = None
    _links_changed: bool = False
    _shown: ShownSite | None = None
    _shown_read: bool = False
    _related: RelatedIndex | None = None
    _related_read: bool = False
    _related_changed: bool = False
    _compiled: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path) -> BuildCache:
        """The cache in `folder`, with its last build read; documents are read when first asked for."""
        cache = cls(folder)
        cache.last = cache._read(_LAST)
        return cache

    @classmethod
    def in_memory(cls) -> BuildCache:
        """An empty cache that lives as long as this object: a running server's, from one rebuild to the next."""
        return cls(None)

    @property
    def documents(self) -> Store:
        """Each document's `Incident` by its key."""
        if self._documents is None:
            self._documents = Store(self.folder / _DOCUMENTS if self.folder else None, self._discarded)
        return self._documents

    @property
    def compiled_templates(self) -> Path | dict[str, bytes]:
        """Where the templates are kept compiled (`render.site.make_environment`): a folder of the cache, or, for a
        cache in memory, a mapping that lives as long as it does."""
        return self.folder / _TEMPLATES if self.folder else self._compiled

    @property
    def links(self) -> dict[str, PageLinks]:
        """The last build's pages as the link check saw them, by path; empty when unknown."""
        if self._links is None:
            self._links = {**(self._read(_LINKS) or {}), **(self.shown.links if self.shown else {})}
        return self._links

    @property
    def shown(self) -> ShownSite | None:
        """What the last build's site showed of each document (None: not known)."""
        if not self._shown_read:
            found = self._read(_SHOWN)
            self._shown, self._shown_read = found if isinstance(found, ShownSite) else None, True
        return self._shown

    @property
    def related(self) -> RelatedIndex | None:
        """The last build's related incidents' index (None: there is none); set it to keep this build's."""
        if not self._related_read:
            found = self._read(_RELATED)
            self._related, self._related_read = found if isinstance(found, RelatedIndex) else None, True
        return self._related

    @related.setter
    def related(self, index: RelatedIndex) -> None:
        self._related, self._related_read, self._related_changed = index, True, True

    def _read(self, name: str) -> Any:
        return _read_file(self.folder / name, self._discarded) if self.folder else None

    def _discarded(self, problem: str) -> None:
        self.problem = problem

    def save(
        self, used: Iterable[str], last: LastBuild | None, links: Iterable[PageLinks] = (), shown: ShownSite | None = None
    ) -> str:
        """Keep the documents under `used` keys (the rest are gone or changed), `last`, its pages' `links` and what
        its site `shown`; on disk, atomically, when the cache has a folder.

        Returns why the cache could not be saved ("" when it was): a cache folder that is a
        file or a broken link, a full disk. Nothing half-written is left, and no last build
        is kept that this one may have made untrue.
        """
        self.documents.keep_only(used)
        self._links = {page.path: page for page in links if page.path.endswith(".html")}
        self._links_changed = True
        return self._keep(last, shown)

    def save_patch(self, used: Iterable[str], last: LastBuild, shown: ShownSite) -> str:
        """`save` after a build that rendered only some pages: their links are in `shown`, and the links file the
        last full build wrote stays as it is."""
        self.documents.keep_only(used)
        if self._links is not None:
            self._links.update(shown.links)
        return self._keep(last, shown)

    def wrote(self, output: Path, paths: Iterable[str]) -> None:
        """Note that `paths` of the output folder were written since the last build, as that build would have them
        (a server shows an edited page ahead of its build), so the folder still counts as that build left it."""
        if self.last is not None:
            state = output_state(output, paths) or {}
            self.last = replace(self.last, output={**self.last.output, **state})

    def keep_hashes(self, hashes: Hashes) -> None:
        """Keep `hashes` as the documents the last build read: the same documents, surveyed again. Not saving them
        costs only reading those documents again next time, so a failure to is not reported."""
        if self.last is None:
            return
        self.last = replace(self.last, hashes=hashes)
        if self.folder is not None:
            try:
                self._write(_LAST, self.last)
            except OSError:
                pass

    def forget_last(self) -> str:
        """Remove the last build's record: before the output folder changes in place (a build stopped halfway then
        leaves nothing that says the folder is as some build left it), or when a save failed after it was replaced.
        Why it could not ("" when it could: not a folder, or not writable)."""
        self.last = None
        if self.folder is None:
            return ""
        try:
            (self.folder / _LAST).unlink(missing_ok=True)
        except OSError as exc:
            return self._unsaved(exc)
        return ""

    def _keep(self, last: LastBuild | None, shown: ShownSite | None) -> str:
        self.last, self._shown, self._shown_read = last, shown, True
        if self.folder is None:
            return ""
        try:
            self._save()
        except OSError as exc:
            self.forget_last()
            return self._unsaved(exc)
        return ""

    def _save(self) -> None:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
        (self.folder / _LAST).unlink(missing_ok=True)  # until the rest is saved, nothing says what the site is
        self.documents.save()
        if self._links_changed:
            self._write(_LINKS, self._links)
            self._links_changed = False
        if self._related_changed:
            self._write(_RELATED, self._related)
        self._write(_SHOWN, self._shown)
        self._write(_LAST, self.last)

    def _unsaved(self, exc: OSError) -> str:
        assert self.folder is not None
        if os.path.lexists(self.folder) and not self.folder.is_dir():
            why = "it is not a folder (a file, or a link to nothing, is in its place)"
            fix = "move that away to use the cache again"
        else:
            why = exc.strerror or str(exc)
            fix = "free some space or fix the folder's permissions"
        return (f"the build cache could not be saved: {why}; the site was written all the same, and the next build "
                f"reads every document again — {fix}")

    def _write(self, name: str, value: object) -> None:
        assert self.folder is not None
        _write_file(self.folder / name, value)


def _read_file(path: Path, on_problem: Callable[[str], None]) -> Any:
    """What `_write_file` wrote at `path`; None when there is no such file, or it cannot be used (`on_problem` is
    told why)."""
    try:
        with path.open("rb") as stream:
            return _decode(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ImportError) as exc:
        on_problem(f"the build cache {path} could not be used ({exc}); it was rebuilt")
        return None


def _write_file(path: Path, value: object) -> None:
    """Write `value` as `_decode` reads it, pickled straight into the file: a large archive's documents are never one
    string in memory (the checksum, which comes first, is written last). A failure leaves no temporary file."""
    handle, temporary = tempfile.mkstemp(prefix=".write-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(_MAGIC + b"0" * _CHECKSUM_LENGTH + b"\n")
            hashing = _Hashing(stream)
            pickle.dump((code_fingerprint(), value), hashing, protocol=pickle.HIGHEST_PROTOCOL)
            stream.seek(len(_MAGIC))
            stream.write(hashing.hashed.hexdigest().encode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_CHECKSUM_LENGTH = 64  # a SHA-256 in hex


class _Hashing:
    """A stream that hashes what is written through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.hashed = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hashed.update(data)
        return self.stream.write(data)


@contextmanager
def _set_aside() -> Iterator[None]:
    """Unpickle with the cyclic garbage collector paused, and keep what was made out of its passes until
    `collect_reads`: a cache holds hundreds of thousands of objects, none of them garbage, and each pass would go
    through them all again (a tenth of a one-edit build's time at 10,000 documents)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def collect_reads() -> None:
    """Let the garbage collector pass through what reading the cache set aside (`_set_aside`) again: at the end of
    a build, so that a process that builds again (a server, a test run) collects them when they become garbage."""
    gc.unfreeze()


def _decode(stream: BinaryIO) -> Any:
    """What `_write` wrote to `stream`: checked against its checksum, then unpickled from the file, never held whole."""
    if stream.read(len(_MAGIC)) != _MAGIC:
        raise ValueError("not a hindsite cache")
    checksum = stream.read(_CHECKSUM_LENGTH + 1)
    start = stream.tell()
    hashed = hashlib.sha256()
    while block := stream.read(1 << 20):
        hashed.update(block)
    if hashed.hexdigest().encode() + b"\n" != checksum:
        raise ValueError("its checksum does not match: the file is damaged")
    stream.seek(start)
    with _set_aside():
        code, value = pickle.load(stream)  # noqa: S301 — our own file, checksummed
    return value if code == code_fingerprint() else None  # None: written by other code, stale but not an error


def output_state(output: Path, paths: Iterable[str]) -> dict[str, tuple[int, int]] | None:
    """(size, mtime_ns) of each of `paths` under `output`; None when one is missing."""
    folder = os.fspath(output)
    state = {}
    for path in paths:
        try:
            stat = os.stat(f"{folder}/{path}")  # text, not a Path per file: a site has tens of thousands of files
        except OSError:
            return None
        state[path] = (stat.st_size, stat.st_mtime_ns)
    return state
