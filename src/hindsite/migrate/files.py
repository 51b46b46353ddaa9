"""Files: reading documents to migrate, writing them back, and what the command prints."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import diagnostics as diag
from ..config import SiteConfig
from ..diagnostics import Diagnostic, Level
from ..read import SourceFile, decode, discover, read_document
from .canonical import migrate_document

# --- files -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Migration:
    """One document: its text as read, its canonical text, and why it could not be migrated, if it could not."""

    source: str  # the path as shown to the user
    path: Path
    before: str
    after: str  # equal to `before` when the document is left as it is
    original: bytes = b""
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def changed(self) -> bool:
        """Whether migrating rewrites the file (its text, or only its encoding or line ends)."""
        return not self.failed and self.after.encode("utf-8") != self.original


def migrate_paths(paths: Sequence[Path], config: SiteConfig) -> tuple[list[Migration], list[Diagnostic]]:
    """Migrate the Markdown files at `paths` (files, or folders searched for them); nothing is written.

    Returns the migrations, and a warning for each symbolic link that was not followed.
    """
    seen: set[Path] = set()
    migrations: list[Migration] = []
    skipped: list[Diagnostic] = []
    for path in paths:
        found, refused = discover(path, str(path))
        skipped += refused
        for file in found:
            if file.is_markdown and file.path.resolve() not in seen:
                seen.add(file.path.resolve())
                migrations.append(migrate_file(file, config))
    return migrations, skipped


def write_migrations(migrations: Sequence[Migration]) -> list[Migration]:
    """Rewrite every file that changes; a file that could not be written carries the reason."""
    written = []
    for migration in migrations:
        problem = write_migration(migration) if migration.changed else None
        written.append(replace(migration, diagnostics=(problem,)) if problem else migration)
    return written


def migrate_file(file: SourceFile, config: SiteConfig) -> Migration:
    """Read one document and work out its canonical form, checked to normalise to the same record."""
    document = read_document(file, config.max_document_bytes)
    errors = tuple(d for d in document.diagnostics if d.level is Level.ERROR)
    if errors:
        return Migration(file.source, file.path, "", "", diagnostics=errors)
    try:
        original = file.path.read_bytes()
    except OSError as exc:
        problem = diag.error("unreadable", f"cannot read the file: {exc.strerror}; check its permissions", file.source)
        return Migration(file.source, file.path, "", "", diagnostics=(problem,))
    text = decode(original, file.source)[0]
    unchanged = Migration(file.source, file.path, text, text, original)
    if not text.strip():
        return unchanged  # an empty file has nothing to migrate
    after, problem = migrate_document(document, config)
    if problem is not None:
        return replace(unchanged, diagnostics=(problem,))
    return replace(unchanged, after=after)


def write_migration(migration: Migration) -> Diagnostic | None:
    """Replace the file with its canonical text atomically (a temporary file beside it, then a rename).

    A file that changed since it was read is left alone. A symbolic link stays
    a link: the file it points at is replaced.
    """
    target = migration.path.resolve()
    try:
        if target.read_bytes() != migration.original:
            return diag.error("unwritable", "the file changed while it was being migrated; it was left as it is — run migrate again",
                              migration.source)
        mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        return _unwritable(migration, exc)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(migration.after)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return _unwritable(migration, exc)
    return None


def _unwritable(migration: Migration, exc: OSError) -> Diagnostic:
    return diag.error("unwritable", f"could not rewrite the file ({exc.strerror or exc}); it is unchanged — "
                      "check the folder's permissions and free space", migration.source)


def unified_diff(migration: Migration) -> str:
    """The change as a unified diff (`--- a/PATH`, `+++ b/PATH`); a note when only the encoding or line ends change."""
    before, after = migration.before.splitlines(keepends=True), migration.after.splitlines(keepends=True)
    lines = list(difflib.unified_diff(before, after, f"a/{migration.source}", f"b/{migration.source}"))
    if not lines and migration.changed:
        return f"--- a/{migration.source}\n+++ b/{migration.source}\n# the text is the same; the file is saved again as UTF-8 with \\n line ends\n"
    return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)


def summary(migrations: Sequence[Migration], *, written: bool) -> str:
    """One line: how many documents change (or would), how many are already canonical, how many could not be migrated."""
    changed = sum(m.changed for m in migrations)
    failed = sum(m.failed for m in migrations)
    canonical = len(migrations) - changed - failed
    verb = "rewritten" if written else "would change"
    line = f"{_count(changed, 'document')} {verb}, {canonical} already canonical, {failed} could not be migrated"
    return line + ("" if written or not changed else "; run again with --write to rewrite them")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
