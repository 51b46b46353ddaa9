"""Files: reading documents to migrate, writing them back, and what the command prints.

Source files are sacred (docs/security.md): a file is rewritten only when it
was read as UTF-8, exactly; it keeps its byte-order mark, its line ends and
its permissions; it is replaced in one rename, never through a symbolic link
that leads out of the folder it was found in; and nothing is written without
`--write`.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...core import diagnostics as diag
from ...core.config import SiteConfig
from ...core.diagnostics import Diagnostic, Level
from ...read.files import SourceFile, discover, read_document
from .canonical import migrate_document

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Migration:
    """One document: its text as read, its canonical text, and why it could not be migrated, if it could not.

    `folder` is the real folder the file was found in (or under): a symbolic
    link is replaced only while it leads to a file inside it. `bom` and
    `newline` are the file's own, kept when it is written.
    """

    source: str  # the path as shown to the user, control characters escaped
    path: Path
    before: str
    after: str  # equal to `before` when the document is left as it is
    original: bytes = b""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    folder: Path | None = None
    bom: bool = False
    newline: str = "\n"

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def held_back(self) -> bool:
        """Whether it was left as it is for a doubt in its reading, which `--force` would write."""
        return any(d.code == "migrate-doubt" for d in self.diagnostics)

    @property
    def encoded(self) -> bytes:
        """The migrated text as the file's bytes: UTF-8, with the byte-order mark and the line ends the file had."""
        return (_BOM if self.bom else b"") + self.after.replace("\n", self.newline).encode("utf-8")

    @property
    def changed(self) -> bool:
        """Whether migrating rewrites the file (its text, or only its mixed line ends)."""
        return not self.failed and self.encoded != self.original


def migrate_paths(
    paths: Sequence[Path], config: SiteConfig, *, force: bool = False
) -> tuple[list[Migration], list[Diagnostic]]:
    """Migrate the Markdown files at `paths` (files, or folders searched for them); nothing is written.

    With `force`, a document whose reading holds a doubt is migrated too (`migrate_document`).

    Returns the migrations, and a warning for each symbolic link that was not
    followed: under a folder, one that leads out of it (as in a build); given
    as a file, one that leads out of the folder it is in.
    """
    seen: set[Path] = set()
    migrations: list[Migration] = []
    skipped: list[Diagnostic] = []
    for path in paths:
        folder = (path if path.is_dir() else path.parent).resolve()
        found, refused = discover(path, str(path))
        skipped += [replace(problem, path=printable(problem.path)) for problem in refused]
        for file in found:
            file = SourceFile(file.path, file.rel, printable(file.source))
            if not file.path.resolve().is_relative_to(folder):
                skipped.append(diag.warning("symlink", "this symbolic link points outside its folder; it was skipped — "
                                            "migrate the file it points at where it is", file.source))
            elif file.is_markdown and file.path.resolve() not in seen:
                seen.add(file.path.resolve())
                migrations.append(replace(migrate_file(file, config, force=force), folder=folder))
    return migrations, skipped


def write_migrations(migrations: Sequence[Migration]) -> list[Migration]:
    """Rewrite every file that changes; a file that could not be written carries the reason."""
    written = []
    for migration in migrations:
        problem = write_migration(migration) if migration.changed else None
        written.append(replace(migration, diagnostics=(problem,)) if problem else migration)
    return written


def migrate_file(file: SourceFile, config: SiteConfig, *, force: bool = False) -> Migration:
    """Read one document and work out its canonical form, checked to normalise to the same record.

    With `force`, a document whose reading holds a doubt is migrated too.
    """
    document = read_document(file, config.max_document_bytes)
    errors = tuple(d for d in document.diagnostics if d.level is Level.ERROR)
    if errors:
        return Migration(file.source, file.path, "", "", diagnostics=errors)
    try:
        original = file.path.read_bytes()
    except OSError as exc:
        unreadable = diag.error("unreadable", f"cannot read the file: {exc.strerror}; check its permissions", file.source)
        return Migration(file.source, file.path, "", "", diagnostics=(unreadable,))
    refusal = encoding_refusal(original, file.source)
    if refusal is not None:
        return Migration(file.source, file.path, "", "", original, (refusal,))
    bom = original.startswith(_BOM)
    data = original[len(_BOM) :] if bom else original
    newline = "\r\n" if b"\r\n" in data and data.count(b"\r\n") == data.count(b"\n") else "\n"
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    unchanged = Migration(file.source, file.path, text, text, original, bom=bom, newline=newline)
    if not text.strip():
        return unchanged  # an empty file has nothing to migrate
    after, problem = migrate_document(document, config, force=force)
    if problem is not None:
        return replace(unchanged, diagnostics=(problem,))
    return replace(unchanged, after=after)


# --- what is not written -----------------------------------------------------------

#: Encodings named in the advice on converting a file, tried in this order: the first that reads it is the example.
_ENCODINGS = (("SHIFT_JIS", "shift_jis"), ("GBK", "gbk"), ("WINDOWS-1252", "cp1252"))


def encoding_refusal(data: bytes, source: str) -> Diagnostic | None:
    """Why these bytes are not rewritten (not UTF-8, or NUL bytes in them), with how to convert them; None when they may be.

    Read another way, such a file is published with its characters guessed
    (docs/diagnostics.md, `encoding`); rewritten from that guess, it would be
    garbled for good.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _not_utf8(source, 1, "the file is UTF-16", "UTF-16")
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        readable = [name for name, codec in _ENCODINGS if _reads_as(body, codec)]
        also = f"; it reads without error as {' and as '.join(readable)}" if readable else ""
        what = f"the file is not UTF-8 (byte 0x{body[exc.start]:02X} on this line is no part of a UTF-8 character{also})"
        return _not_utf8(source, line, what, readable[0] if readable else "ISO-8859-1")
    if b"\0" in body:
        line = body[: body.index(b"\0")].count(b"\n") + 1
        command = f"tr -d '\\000' < {shlex.quote(source)} > {shlex.quote(source + '.new')}"
        return diag.error("not-utf8", f"the file holds NUL bytes, from this line on; migrate rewrites only text, so it was "
                          f"left as it is — remove them first (`{command}`, then replace the file with the new one) "
                          "and run migrate again", source, line)
    return None


def _reads_as(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _not_utf8(source: str, line: int, what: str, example: str) -> Diagnostic:
    command = f"iconv -f {example} -t UTF-8 {shlex.quote(source)} > {shlex.quote(source + '.new')}"
    return diag.error("not-utf8", f"{what}; migrate rewrites only UTF-8 files, so it was left as it is — convert it first, "
                      f"naming the encoding it was saved in (`{command}`, then replace the file with the new one), "
                      "or open it in your editor and save it as UTF-8", source, line)


# --- writing -------------------------------------------------------------------------

def write_migration(migration: Migration) -> Diagnostic | None:
    """Replace the file with its canonical bytes atomically: a temporary file beside it, synced, then one rename.

    The file keeps its permissions. A file that changed since it was read is
    left alone. A symbolic link stays a link: the file it points at is
    replaced, and only while that file is inside the migration's folder.
    """
    try:
        target = migration.path.resolve(strict=True)
        if migration.folder is not None and not target.is_relative_to(migration.folder):
            return diag.error("unwritable", "the file is now a symbolic link that leads out of its folder; it was left as it is",
                              migration.source)
        if target.read_bytes() != migration.original:
            return diag.error("unwritable", "the file changed while it was being migrated; it was left as it is — run migrate again",
                              migration.source)
        mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        return _unwritable(migration, exc)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(migration.encoded)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return _unwritable(migration, exc)
    _sync_folder(target.parent)
    return None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; where a folder cannot be opened to sync it (Windows), the rename stands as it is."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _unwritable(migration: Migration, exc: OSError) -> Diagnostic:
    return diag.error("unwritable", f"could not rewrite the file ({exc.strerror or exc}); it is unchanged — "
                      "check the folder's permissions and free space", migration.source)


# --- what is printed ---------------------------------------------------------------

#: Characters that would drive a terminal or reorder what it shows: C0 and C1 controls, DEL, bidirectional overrides.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, lines: bool = False) -> str:
    """`text` with every control character escaped (`\\x1b`, `\\u202e`), so printing it cannot act on a terminal.

    Tabs and (with `lines`) line ends stay as they are.
    """
    escaped = _HIDDEN.sub(lambda match: _escape(match.group(0)), text)
    return escaped if lines else escaped.replace("\t", "\\t").replace("\n", "\\n")


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unified_diff(migration: Migration) -> str:
    """The change as a unified diff (`--- a/PATH`, `+++ b/PATH`), control characters escaped; a note when only line ends change."""
    before, after = _lines(migration.before), _lines(migration.after)
    lines = list(difflib.unified_diff(before, after, f"a/{migration.source}", f"b/{migration.source}"))
    if not lines and migration.changed:
        return (f"--- a/{migration.source}\n+++ b/{migration.source}\n"
                f"# the text is the same; the file is saved again with {migration.newline!r} line ends throughout\n")
    shown = [printable(line, lines=True) for line in lines]
    return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in shown)


def _lines(text: str) -> list[str]:
    """Lines with their `\\n`, split at `\\n` only: a form feed or U+2028 inside a line is no line end in Markdown."""
    parts = text.split("\n")
    return [f"{part}\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def summary(migrations: Sequence[Migration], *, written: bool) -> str:
    """One line: how many documents change (or would), how many are already canonical, how many were held back for a
    doubt (only when some were), how many could not be migrated."""
    changed = sum(m.changed for m in migrations)
    held = sum(m.held_back for m in migrations)
    failed = sum(m.failed for m in migrations) - held
    canonical = len(migrations) - changed - held - failed
    verb = "rewritten" if written else "would change"
    doubts = f", {held} held back for a doubt (settle it, or use --force)" if held else ""
    line = f"{_count(changed, 'document')} {verb}, {canonical} already canonical{doubts}, {failed} could not be migrated"
    return line + ("" if written or not changed else "; run again with --write to rewrite them")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
