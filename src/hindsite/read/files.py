"""Stage 1 — read: find the postmortems under a folder, decode them, split off front-matter.

Nothing here interprets the document; it only turns bytes into a `Document`
whose line numbers still point at the file on disk.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..core import diagnostics as diag
from ..core.config import DEFAULT_MAX_DOCUMENT_MB
from ..core.diagnostics import Diagnostic

MARKDOWN_SUFFIXES = (".md", ".markdown")

#: How the names of files editors write beside the real one end: vim swap and backup files, emacs `~` backups,
#: JetBrains and Chrome temporary saves. Besides these, vim's `4913` write test and emacs's `#name#` autosaves;
#: emacs locks (`.#name`) and GNOME's `.goutputstream-` saves are hidden files.
_EDITOR_JUNK_ENDINGS = (
    "~", *(f".sw{letter}" for letter in "abcdefghijklmnopx"), ".tmp", ".bak", ".orig", "___jb_tmp___", "___jb_old___",
    ".crswap",
)


def is_editor_junk(name: str) -> bool:
    """An editor's temporary or backup file, or a hidden file: never content.

    Told by plain prefix and suffix tests, not a regular expression: every file of the content folder is
    asked about on every build. A name's one trailing line break does not hide its ending (`x.tmp\n` is junk).
    """
    stem = name[:-1] if name.endswith("\n") else name
    autosave = len(stem) > 1 and stem[0] == stem[-1] == "#" and "\n" not in stem
    return name.startswith(".") or stem.endswith(_EDITOR_JUNK_ENDINGS) or stem == "4913" or autosave


class SourceFile:
    """A file found under the content folder: its `path`, `rel` (relative to that folder) and `source` (its path as
    shown to the user).

    The paths are kept as text (`path_text`, `rel_text`) and made into path
    objects when first asked for: every build walks the content folder and
    makes each document's key, for thousands of files most of which nothing
    else asks about.
    """

    __slots__ = ("_path", "_rel", "is_markdown", "path_text", "rel_text", "source")

    def __init__(self, path: Path | str, rel: PurePosixPath | str, source: str) -> None:
        self.path_text, self.rel_text, self.source = str(path), str(rel), source
        self.is_markdown = self.rel_text.lower().endswith(MARKDOWN_SUFFIXES)  # asked about many times a build
        self._path = path if isinstance(path, Path) else None
        self._rel = rel if isinstance(rel, PurePosixPath) else None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.path_text)
        return self._path

    @property
    def rel(self) -> PurePosixPath:
        if self._rel is None:
            self._rel = PurePosixPath(self.rel_text)
        return self._rel

    def _fields(self) -> tuple[str, str, str]:
        return self.path_text, self.rel_text, self.source

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceFile) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"SourceFile(path={self.path_text!r}, rel={self.rel_text!r}, source={self.source!r})"

    def __reduce__(self) -> tuple[type[SourceFile], tuple[str, str, str]]:
        return SourceFile, self._fields()


@dataclass(frozen=True, slots=True)
class Document:
    """One decoded postmortem, front-matter split from body.

    `body_line` is the 1-based line of the file on which `body` starts, so a
    position inside the body maps back to the file. `unread_front_matter` is the
    raw text of a front-matter block that could not be used; it is kept so that
    nothing the author wrote is lost. `front_matter_text` is the block as
    written, its fences included, so that it can be rewritten faithfully.
    """

    source: str
    rel: PurePosixPath
    body: str
    body_line: int = 1
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    front_matter_line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)
    unread_front_matter: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    front_matter_text: str = ""  # the block as written, its fences included


def discover(root: Path, shown_root: str | None = None) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every publishable file under `root` (or `root` itself when it is a file), sorted; and a warning per file skipped.

    Hidden files and folders and editor leftovers (swap files, backups) are
    skipped silently. Symbolic links are followed only to files inside `root`:
    a link out of the content folder could publish anything the build can read.
    Named pipes, sockets and devices are never opened (reading a pipe waits
    for a writer forever), and a folder that cannot be listed is reported
    rather than passed over: each is a warning naming it.
    """
    shown = shown_root if shown_root is not None else str(root)
    if root.is_file():
        return [SourceFile(root, PurePosixPath(root.name), shown)], []
    if not root.is_dir():
        kind = _special_kind(root)
        return [], [] if kind is None else [_special_file(kind, shown)]
    real_root = root.resolve()
    found: list[SourceFile] = []
    problems: list[Diagnostic] = []
    prefix = str(PurePosixPath(shown)) if shown else "."
    # Plain strings until a file is kept: an archive of 10,000 documents is walked on every build.
    pending = [(str(root), "")]
    while pending:  # depth first, each folder's files before its subfolders, all in name order
        folder, inside = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            problems.append(_unreadable_folder(exc, _shown_path(prefix, inside)))
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            rel_text = f"{inside}/{name}" if inside else name
            kind = _kind(entry)
            if name.startswith(".") or kind == "gone" or (kind != "folder" and is_editor_junk(name)):
                continue
            if kind == "folder":
                subfolders.append((entry.path, rel_text))
                continue
            source = _shown_path(prefix, rel_text)
            if kind == "file":
                found.append(SourceFile(entry.path, rel_text, source))
                continue
            path = Path(entry.path)
            refusal = _link_refusal(path, real_root) if kind == "link" else None
            if refusal:
                problems.append(diag.warning("symlink", f"{refusal}; it was skipped — copy what it points at into the content folder", source))
                continue
            special = _special_kind(path)
            if special == "a folder":
                continue  # a link to a folder inside: its files are found where they really are
            if special is not None:
                problems.append(_special_file(special, source, linked=kind == "link"))
                continue
            found.append(SourceFile(path, rel_text, source))
        pending += reversed(subfolders)
    return found, problems


def _kind(entry: os.DirEntry[str]) -> str:
    """"folder", "file", "link" or "other" (pipes, sockets, devices), without following links; "gone" if it vanished."""
    try:
        if entry.is_symlink():
            return "link"
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        return "file" if entry.is_file(follow_symlinks=False) else "other"
    except OSError:
        return "gone"  # deleted since the folder was listed: there is nothing to publish


def _shown_path(prefix: str, rel_text: str) -> str:
    if not rel_text:
        return prefix
    return rel_text if prefix == "." else f"{prefix.rstrip('/')}/{rel_text}"


def _special_kind(path: Path) -> str | None:
    """What `path` (followed if a link) is when it is not a regular file, in words; None for a regular file or nothing."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return _kind_in_words(mode)


def _kind_in_words(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _special_file(kind: str, source: str, *, linked: bool = False) -> Diagnostic:
    what = f"this symbolic link points at {kind}" if linked else f"this is {kind}"
    return diag.warning("special-file", f"{what}, not a regular file; it was skipped and never opened — "
                        "remove it, or put the file it stands for in its place", source)


def _unreadable_folder(exc: OSError, source: str) -> Diagnostic:
    return diag.warning("unreadable", f"cannot open this folder ({exc.strerror or exc}); nothing in it is published — "
                        "give the user running hindsite permission to read it (chmod -R u+rX), or move its files out", source)


def _link_refusal(path: Path, real_root: Path) -> str | None:
    """Why the symbolic link `path` is not followed, or None for a link to something inside the content folder."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "this symbolic link is part of a loop"
    except OSError as exc:
        return f"this symbolic link leads nowhere ({exc.strerror})"
    if not target.is_relative_to(real_root):
        return "this symbolic link points outside the content folder"
    return None


#: How the first bytes of common binary files start, to name what was given a `.md` name.
_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"%PDF": "a PDF",
          b"PK\x03\x04": "a ZIP archive (or a Word or Excel file)", b"\x1f\x8b": "a gzip archive", b"\x7fELF": "a program"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class SpecialFile(OSError):
    """A path that was to be read as a file is a named pipe, a socket, a device or a folder; `kind` says which."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


#: Opening a named pipe waits for a writer unless told not to; opening a terminal must not make it the build's
#: controlling terminal. Both can only happen when a file is swapped for one after the folder was listed.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def read_limited(path: Path, max_bytes: int) -> tuple[bytes, int]:
    """The bytes of the regular file at `path`, at most `max_bytes + 1` of them, and its size as the file system says.

    Nothing is read when the size is over `max_bytes`; when it is not, reading
    still stops one byte past the limit, so a file that grows while it is read,
    or whose size the file system understates (as in /proc), costs no more than
    the limit. Raises `SpecialFile` for anything but a regular file, without
    reading from it, and OSError when the file cannot be opened or read.
    """
    handle = os.open(path, _OPEN_FLAGS)
    with open(handle, "rb") as file:
        status = os.fstat(handle)
        kind = _kind_in_words(status.st_mode)
        if kind is not None:
            raise SpecialFile(kind)
        if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(handle, True)
        if status.st_size > max_bytes:
            return b"", status.st_size
        return _read_at_most(file, max_bytes + 1, status.st_size), status.st_size


def _read_at_most(file: BinaryIO, limit: int, expected: int) -> bytes:
    """Up to `limit` bytes of `file`; one read of the size stat gave (and a byte more) for a file that kept still."""
    data = file.read(min(expected, limit - 1) + 1)
    if len(data) > expected:  # the file is longer than stat said: read on, to the limit
        data += file.read(limit - len(data))
    return data


def read_document(file: SourceFile, max_bytes: int = DEFAULT_MAX_DOCUMENT_MB * 1048576) -> Document:
    """Decode `file` and split its front-matter; problems become diagnostics, never exceptions.

    A file that is too large, is not text, vanished since it was found, or is
    not a regular file yields a document with no body and an error.
    """
    try:
        data, size = read_limited(file.path, max_bytes)
    except OSError as exc:
        return Document(file.source, file.rel, "", diagnostics=(_not_read(exc, file.source),))
    refusal = _refusal(data, size, max_bytes, file.source)
    if refusal is not None:
        return Document(file.source, file.rel, "", diagnostics=(refusal,))
    text, problems = decode(data, file.source)
    if not text.strip():
        problems.append(diag.warning("empty-document", "the file is empty; write the postmortem or delete the file", file.source))
    return split_front_matter(text, file.source, file.rel, problems)


def _not_read(exc: OSError, source: str) -> Diagnostic:
    """Why a file found in the content folder could not be read."""
    if isinstance(exc, SpecialFile):
        return diag.error("special-file", f"this is {exc.kind}, not a regular file; it was not read — "
                          "put the file it stands for in its place", source)
    if isinstance(exc, FileNotFoundError):
        return diag.error("vanished", "the file was deleted or renamed while the site was being built; "
                          "nothing of it is published — build again", source)
    return diag.error("unreadable", f"cannot read the file: {exc.strerror or exc}; check its permissions", source)


def _refusal(data: bytes, size: int, max_bytes: int, source: str) -> Diagnostic | None:
    """Why these bytes are not read as a postmortem, or None when they are."""
    if size > max_bytes or len(data) > max_bytes:
        stated = f"{size / 1048576:.1f} MB, over" if size > max_bytes else "over"
        return diag.error(
            "too-large",
            f"the file is {stated} the limit of {max_bytes / 1048576:g} MB for a document; "
            "move pasted logs into their own files beside it and link to them (they are published as they are), "
            "or raise max_document_mb in site.toml",
            source,
        )
    if _looks_binary(data):
        kind = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), "binary data")
        return diag.error(
            "binary",
            f"the file is not text (it looks like {kind}); give it its real extension so it is published as a file, "
            "or replace it with the Markdown it was meant to be",
            source,
        )
    return None


def _looks_binary(data: bytes) -> bool:
    """A known binary format, or NUL bytes among many control characters or in bytes that are not UTF-8 or UTF-16."""
    if data.startswith(tuple(_MAGIC)):
        return True
    sample = data[:8192]
    if b"\0" not in sample or sample.startswith(_UTF16_BOMS):
        return False
    controls = sum(byte < 32 and byte not in b"\t\n\r\f" for byte in sample)
    if controls > len(sample) // 10:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def decode(data: bytes, source: str) -> tuple[str, list[Diagnostic]]:
    """Bytes → text with `\\n` line ends.

    UTF-8 (with or without BOM) is expected; UTF-16 with a BOM (PowerShell's
    default) is read as such, anything else as Windows-1252, and both are
    reported. NUL characters, which no text contains, become U+FFFD and are reported.
    """
    problems: list[Diagnostic] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(_UTF16_BOMS):
        text = data.decode("utf-16", errors="replace")
        problems.append(diag.warning("encoding", "the file is UTF-16; it was read as such — save it as UTF-8", source, 1))
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            text = data.decode("cp1252", errors="replace")
            problems.append(
                diag.warning(
                    "encoding",
                    "the file is not valid UTF-8; it was read as Windows-1252 — save it as UTF-8 to be sure of every character",
                    source,
                    line,
                )
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        problems.append(diag.warning("encoding", "the file contains NUL characters; they are shown as \ufffd — remove them", source, line))
        text = text.replace("\0", "\ufffd")
    return text, problems


def split_front_matter(
    text: str, source: str, rel: PurePosixPath, problems: list[Diagnostic] | None = None
) -> Document:
    """Split `text` into front-matter and body, keeping file line numbers (read/front_matter.py)."""
    from . import front_matter  # PyYAML loads with the first document read: a build that reads none never needs it
    return front_matter.split_front_matter(text, source, rel, problems)
