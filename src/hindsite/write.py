"""Stage 5 — write: put the rendered site on disk, safely.

The site is built in a temporary folder next to the output and swapped in
only when every file is written, so a failed build leaves the last good site.
The writer refuses output folders that would destroy sources, paths that
escape the output, and two files claiming one path.
"""

from __future__ import annotations

import filecmp
import glob
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import diagnostics as diag
from .diagnostics import Diagnostic

#: Written into every output folder; its presence is what allows replacing the folder.
MARKER = ".hindsite-output"

#: What a publishing set-up keeps in the output folder (a gh-pages checkout, a custom domain), carried into every new site.
KEPT = (".git", "CNAME", ".nojekyll")


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the site: `text` to write, `pieces` to write one after another, or `copy_from` a file to copy as it is."""

    path: str
    source: str
    text: str | None = None
    copy_from: Path | None = None
    pieces: Callable[[], Iterable[str]] | None = None  # a large file, never held whole
    kept: bool = False  # the output folder's file is still right: carried into the new site as it is

    def data(self) -> bytes:
        """The file's bytes, all at once."""
        if self.copy_from is not None:
            return self.copy_from.read_bytes()
        return "".join(self.pieces()).encode("utf-8") if self.pieces is not None else (self.text or "").encode("utf-8")


class OutputRefused(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def check_output_dir(output: Path, *, content: Path, site_root: Path, force: bool = False) -> None:
    """Raise `OutputRefused` when replacing `output` could destroy or republish something.

    `force` allows replacing a folder hindsite did not create; nothing allows the rest.
    """
    output = output.resolve()
    content = content.resolve()

    def refuse(why: str) -> None:
        raise OutputRefused(diag.error("output", f"refusing to write the site to {output}: {why}; choose another output folder"))

    if output == Path(output.anchor) or output == Path.home().resolve():
        refuse("it is the file-system root or your home folder")
    for folder in (content, site_root.resolve()):
        if folder.is_relative_to(output):
            refuse(f"replacing it would delete {folder}")
    if output.is_relative_to(content):
        refuse(f"it is inside the content folder {content}, so the site would be read back as content")
    if output.exists() and not output.is_dir():
        refuse("it is a file")
    if not force and output.is_dir() and any(p.name not in KEPT for p in output.iterdir()) and not (output / MARKER).exists():
        refuse(f"it is a folder hindsite did not create (it has no {MARKER} file); replacing it would delete what is "
               f"in it — use --force to replace it anyway (keeping {', '.join(KEPT)})")


class Claims:
    """Each path of the site goes to the first file that claims it; `problems` names every later claim.

    Paths are compared as macOS and Windows file systems do: ignoring case,
    and with accented letters composed (`é` typed one way or the other is one name).
    """

    def __init__(self) -> None:
        self._claimed: dict[str, str] = {}  # path as a file system compares it → the source of the file that has it
        self.problems: list[Diagnostic] = []

    def admit(self, files: Iterable[OutputFile]) -> Iterator[OutputFile]:
        """The files that may be written, as they come: a site of any size passes through without being held."""
        for file in files:
            if self._admits(file):
                yield file

    def _admits(self, file: OutputFile) -> bool:
        if not _is_safe(file.path):
            self.problems.append(diag.error("output", f"refusing to write {file.path!r}: it is not a plain path inside the site; rename the file without backslashes or control characters", file.source))
            return False
        key = unicodedata.normalize("NFC", file.path).casefold()
        if key in self._claimed:
            self.problems.append(diag.error(
                "output-collision",
                f"{file.path} is produced by both {self._claimed[key]} and {file.source}; rename one so each page has its own path",
                file.source,
            ))
            return False
        self._claimed[key] = file.source
        return True


def _is_safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts and "\\" not in path and "\0" not in path


def write_site(files: Iterable[OutputFile], output: Path, *, timestamp: int | None = None) -> list[str]:
    """Write `files` into a fresh folder and swap it in place of `output`, keeping `KEPT` entries; returns their paths.

    `files` may be a stream: each is written as it comes and let go.

    A file whose bytes the previous site already has is carried over as a hard
    link rather than written again, so it keeps its time (for rsync, caches and
    `make`-style tools) and unchanged pages cost no disk writes.

    Any failure, an interrupt included, removes the fresh folder and leaves `output`
    as it was; folders a killed build left behind are removed by the next one.
    `timestamp` (seconds since 1970, as SOURCE_DATE_EPOCH) is given to every file
    and folder written, so an archive of the site is reproducible too.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(output)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(output), dir=output.parent))
    previous = output if (output / MARKER).is_file() else None
    paths = []
    try:
        for file in files:
            _write_one(staging, file, previous)
            paths.append(file.path)
        (staging / MARKER).write_text("Built by hindsite; this folder is replaced on every build.\n", encoding="utf-8")
        if timestamp is not None:
            _set_times(staging, timestamp)
        for name in KEPT:
            if (output / name).exists() or (output / name).is_symlink():
                os.rename(output / name, staging / name)
        _swap(staging, output)
        return paths
    except BaseException:
        for name in KEPT:  # put back what was carried over before the swap failed
            if (staging / name).exists() and not (output / name).exists():
                os.rename(staging / name, output / name)
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _set_times(folder: Path, timestamp: int) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):  # a folder's time is set after its files'
        os.utime(path, (timestamp, timestamp))
    os.utime(folder, (timestamp, timestamp))


def _staging_prefix(output: Path) -> str:
    return f".{output.name}.building-"


def _retired_prefix(output: Path) -> str:
    return f".{output.name}.old-"


def _remove_leftovers(output: Path) -> None:
    """Folders of a build that was killed before it could clean up."""
    for prefix in (_staging_prefix(output), _retired_prefix(output)):
        for leftover in output.parent.glob(f"{glob.escape(prefix)}*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)


def _write_one(staging: Path, file: OutputFile, previous: Path | None) -> None:
    target = staging / file.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if file.kept:
        _carry(previous / file.path if previous else None, target)
        return
    if file.pieces is not None:
        _write_pieces(target, file.pieces(), previous / file.path if previous else None)
        return
    data = None if file.copy_from is not None else (file.text or "").encode("utf-8")
    if previous is not None and _unchanged(previous / file.path, file.copy_from, data):
        try:
            os.link(previous / file.path, target)  # the same file, not a copy: its time and inode stay
            return
        except OSError:
            pass  # a file system without hard links: write it
    if file.copy_from is not None:
        shutil.copyfile(file.copy_from, target)
    else:
        target.write_bytes(data or b"")


def _carry(old: Path | None, target: Path) -> None:
    """The previous site's file, as it is: linked when the file system can, copied when not."""
    if old is None or old.is_symlink() or not old.is_file():
        raise FileNotFoundError(2, "a page kept from the previous site is not in it", str(old or target.name))
    try:
        os.link(old, target)
    except OSError:
        shutil.copyfile(old, target)


def _write_pieces(target: Path, pieces: Iterable[str], old: Path | None) -> None:
    """Write piece by piece; then, if the previous site has the same bytes, keep its file instead."""
    with target.open("wb") as stream:
        for piece in pieces:
            stream.write(piece.encode("utf-8"))
    if old is not None and _unchanged(old, target, None):
        carried = target.with_name(f".{target.name}.previous")
        try:
            os.link(old, carried)
        except OSError:
            return  # a file system without hard links: the file just written stays
        os.replace(carried, target)


def _unchanged(old: Path, copy_from: Path | None, data: bytes | None) -> bool:
    """Whether the previous site's `old` already holds these bytes."""
    try:
        if old.is_symlink() or not old.is_file():
            return False
        if copy_from is not None:
            return filecmp.cmp(copy_from, old, shallow=False)
        return old.stat().st_size == len(data or b"") and old.read_bytes() == data
    except OSError:
        return False


def _swap(staging: Path, output: Path) -> None:
    if not output.exists():
        os.rename(staging, output)
        return
    retired = Path(tempfile.mkdtemp(prefix=_retired_prefix(output), dir=output.parent))
    os.rename(output, retired / "site")
    try:
        os.rename(staging, output)
    except BaseException:
        os.rename(retired / "site", output)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def update_site(files: Iterable[OutputFile], output: Path, *, prune: bool) -> list[str]:
    """Bring `output` up to date in place, rewriting only files whose bytes changed.

    For a running server: each file is replaced atomically, untouched files
    keep their times (cheap for reload and rsync), `kept` files are left as they
    are, and with `prune` files no longer part of the site are removed. Returns
    the paths written.
    """
    output = output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    (output / MARKER).write_text("Built by hindsite; this folder is replaced on every build.\n", encoding="utf-8")
    expected = {MARKER}
    written = []
    for file in files:
        expected.add(file.path)
        if file.kept:
            continue
        data = file.data()
        target = output / file.path
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.hindsite-tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        written.append(file.path)
    if prune:
        _remove_all_but(output, expected)
    return written


def _remove_all_but(output: Path, expected: set[str]) -> None:
    for folder, subfolders, names in os.walk(output, topdown=False):
        for name in names:
            path = Path(folder) / name
            if path.relative_to(output).as_posix() not in expected:
                path.unlink()
        if Path(folder) != output and not any(Path(folder).iterdir()):
            Path(folder).rmdir()
