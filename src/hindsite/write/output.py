"""Stage 5 — write: put the rendered site on disk, safely.

The site is built in a staging folder next to the output and swapped in
only when every file is written (publish.py), so a failed build leaves the last good site.
The writer refuses output folders that would destroy sources, paths that
escape the output, and two files claiming one path.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import unicodedata
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from .publish import KEPT, commit_patch, recover, staging_folder, stops_held, swap_in

#: Written into every output folder; its presence is what allows replacing the folder.
MARKER = ".hindsite-output"



@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the site: `text` to write, `pieces` to write one after another, or `copy_from` a file to copy as it is."""

    path: str
    source: str
    text: str | None = None
    copy_from: Path | None = None
    pieces: Callable[[], Iterable[str | bytes]] | None = None  # a large file, never held whole; text or bytes
    kept: bool = False  # the output folder's file is still right: carried into the new site as it is

    def data(self) -> bytes:
        """The file's bytes, all at once."""
        if self.copy_from is not None:
            return self.copy_from.read_bytes()
        if self.pieces is not None:
            return b"".join(_encoded(piece) for piece in self.pieces())
        return (self.text or "").encode("utf-8")


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

    def admit(self, files: Iterable[OutputFile]) -> Generator[OutputFile, None, None]:
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


@dataclass(frozen=True, slots=True)
class Written:
    """What a writer put in the site, and the files it could not publish (an attachment that vanished or could
    not be read: the rest of the site is written all the same)."""

    paths: list[str]  # every file of the site
    problems: list[Diagnostic]
    rewritten: tuple[str, ...] = ()  # the files `update_site` wrote because their bytes changed


class WriteFailed(Exception):
    """The site could not be written; `diagnostic` says why and what the output folder holds now."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Stopped(BaseException):  # noqa: N818 — a stop, not an error, like KeyboardInterrupt
    """The build was stopped (SIGTERM, Ctrl-C) while it wrote; `message` says what the output folder holds,
    `exit_code` is the stop's."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def write_site(files: Iterable[OutputFile], output: Path, *, timestamp: int | None = None) -> Written:
    """Write `files` into a fresh folder and swap it in place of `output`, keeping `KEPT` entries.

    `files` may be a stream: each is written as it comes and let go.

    A file whose bytes the previous site already has is carried over as a hard
    link rather than written again, so it keeps its time (for rsync, caches and
    `make`-style tools) and unchanged pages cost no disk writes.

    Any failure, an interrupt included, removes the fresh folder and leaves `output`
    as it was: an OSError becomes `WriteFailed`, a stop `Stopped`, each saying so.
    A killed build's leftovers are put right first (`publish.recover`); the caller
    holds `publish.output_lock`. `timestamp` (seconds since 1970, as SOURCE_DATE_EPOCH)
    is given to every file and folder written, so an archive of the site is reproducible too.
    """
    output = output.resolve()
    existed = swapped = False
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        recover(output)
        existed = output.is_dir()
        staging = staging_folder(output)
        written = _stage(files, staging, output if (output / MARKER).is_file() else None, timestamp)
        with stops_held():  # a stop that comes during the swap takes effect once `swapped` tells the truth
            old = swap_in(staging, output)
            swapped = True
    except BaseException as exc:
        if not swapped:
            with contextlib.suppress(OSError):  # what it could not put right, the next build's `recover` will
                recover(output)  # removes the staging folder, and puts back what was moved out of the output
        told = _told(exc, output, existed=existed, swapped=swapped)
        if told is exc:
            raise
        raise told from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return written


def _stage(files: Iterable[OutputFile], staging: Path, previous: Path | None, timestamp: int | None) -> Written:
    paths, problems = [], []
    for file in files:
        problem = _write_one(staging, file, previous)
        if problem is None:
            paths.append(file.path)
        else:
            problems.append(problem)
    (staging / MARKER).write_text("Built by hindsite; this folder is replaced on every build.\n", encoding="utf-8")
    if timestamp is not None:
        _set_times(staging, timestamp)
    return Written(paths, problems)


def _told(exc: BaseException, output: Path, *, existed: bool, swapped: bool) -> BaseException:
    """`exc` as the build reports it: saying what the output folder holds now."""
    if swapped:
        state = f"the new site is in place in {output}"
    elif existed and output.is_dir():
        state = f"the previous site in {output} is unchanged"
    elif existed:
        state = f"the previous site is beside {output}, in a folder named .{output.name}.old-…; the next build puts it back"
    else:
        state = f"nothing was written to {output}"
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        code = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 130
        return Stopped(state, code)
    if isinstance(exc, OSError):
        reason = f"{exc.strerror} ({exc.filename})" if exc.strerror and exc.filename else str(exc)
        return WriteFailed(diag.error("output", f"could not write the site to {output}: {reason}; {state} — free "
                                                "some space or fix the folder's permissions"))
    return exc


def _set_times(folder: Path, timestamp: int) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):  # a folder's time is set after its files'
        os.utime(path, (timestamp, timestamp))
    os.utime(folder, (timestamp, timestamp))


def _write_one(staging: Path, file: OutputFile, previous: Path | None) -> Diagnostic | None:
    """Write `file` into the staging folder; a diagnostic when it is an attachment that could not be read."""
    target = staging / file.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if file.kept:
        _carry(previous / file.path if previous else None, target)
        return None
    if file.pieces is not None:
        _write_pieces(target, file.pieces(), previous / file.path if previous else None)
        return None
    data = None if file.copy_from is not None else (file.text or "").encode("utf-8")
    if previous is not None and _unchanged(previous / file.path, file.copy_from, data, _file_mode(staging)):
        try:
            os.link(previous / file.path, target)  # the same file, not a copy: its time and inode stay
            return None
        except OSError:
            pass  # a file system without hard links: write it
    if file.copy_from is not None:
        return _copy_in(file, target)
    target.write_bytes(data or b"")
    return None


def _copy_in(file: OutputFile, target: Path | None) -> Diagnostic | None:
    """Copy an attachment into the site (or, with no `target`, only read it through, as a copy would). Its being
    gone or unreadable is the attachment's problem, reported against it; a failure to write is the output
    folder's, and raised."""
    assert file.copy_from is not None
    try:
        source = open(file.copy_from, "rb")  # noqa: SIM115 — closed below; builtin open, so tests can refuse it
    except OSError as exc:
        return _unpublished(file, exc)
    with source, (target.open("wb") if target is not None else contextlib.nullcontext()) as copy:
        while True:
            try:
                block = source.read(1 << 20)
            except OSError as exc:
                if copy is not None and target is not None:
                    copy.close()
                    target.unlink()
                return _unpublished(file, exc)
            if not block:
                return None
            if copy is not None:
                copy.write(block)


def _unpublished(file: OutputFile, exc: OSError) -> Diagnostic:
    """An attachment that could not be read, so it is not published."""
    if isinstance(exc, FileNotFoundError):
        return diag.error("vanished", "this file was deleted while the site was being built, so it is not "
                                      "published; build again", file.source)
    return diag.error("unreadable", f"this file could not be read ({exc.strerror or exc}), so it is not published; "
                                    "check its permissions", file.source)


def _file_mode(folder: Path) -> int:
    """The permissions a file created now gets, from those the umask gave `folder` (created the same way)."""
    return folder.stat().st_mode & 0o666


def _carry(old: Path | None, target: Path) -> None:
    """The previous site's file, as it is: linked when the file system can, copied when not."""
    if old is None or old.is_symlink() or not old.is_file():
        raise FileNotFoundError(2, "a page kept from the previous site is not in it", str(old or target.name))
    try:
        os.link(old, target)
    except OSError:
        shutil.copyfile(old, target)


def _write_pieces(target: Path, pieces: Iterable[str | bytes], old: Path | None) -> None:
    """Write piece by piece; then, if the previous site has the same bytes, keep its file instead."""
    with target.open("wb") as stream:
        for piece in pieces:
            stream.write(_encoded(piece))
    if old is not None and _unchanged(old, target, None, target.stat().st_mode & 0o777):
        carried = target.with_name(f".{target.name}.previous")
        try:
            os.link(old, carried)
        except OSError:
            return  # a file system without hard links: the file just written stays
        os.replace(carried, target)


def _encoded(piece: str | bytes) -> bytes:
    return piece if isinstance(piece, bytes) else piece.encode("utf-8")


def _unchanged(old: Path, copy_from: Path | None, data: bytes | None, mode: int) -> bool:
    """Whether the previous site's `old` already holds these bytes, with the permissions a new file would get."""
    try:
        if old.is_symlink() or not old.is_file() or old.stat().st_mode & 0o777 != mode:
            return False
        if copy_from is not None:
            return filecmp.cmp(copy_from, old, shallow=False)
        return old.stat().st_size == len(data or b"") and old.read_bytes() == data
    except OSError:
        return False


def update_site(files: Iterable[OutputFile], output: Path, *, prune: bool) -> Written:
    """Bring `output` up to date in place, rewriting only files whose bytes changed.

    For a running server: each file is replaced atomically, untouched files
    keep their times (cheap for reload and rsync), `kept` files are left as they
    are, and with `prune` files no longer part of the site are removed. The
    result's `rewritten` are the files written.
    """
    output = output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    (output / MARKER).write_text("Built by hindsite; this folder is replaced on every build.\n", encoding="utf-8")
    expected = {MARKER}
    paths, problems, rewritten = [], [], []
    for file in files:
        if file.kept:
            expected.add(file.path)
            paths.append(file.path)
            continue
        try:
            data = file.data()
        except OSError as exc:
            problems.append(_unpublished(file, exc))  # what `write_site` says of an attachment it cannot copy
            continue
        expected.add(file.path)
        paths.append(file.path)
        target = output / file.path
        if _holds(target, data):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.hindsite-tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        rewritten.append(file.path)
    if prune:
        _remove_all_but(output, expected)
    return Written(paths, problems, tuple(rewritten))


def patch_site(
    files: Mapping[str, bytes | Callable[[Path], None]], removed: Iterable[str], output: Path, *, timestamp: int | None
) -> Written:
    """Replace a few files of `output` and remove `removed`: what a build that rendered only what an edit touches
    writes (`files`: each path's bytes, or what writes them at the path given).

    Every file is written beside its target first; a failure or a stop then
    removes them and leaves the site as it was. Then they are renamed over their
    targets in one go (`publish.commit_patch`), which a stop waits for and the
    next build completes if a kill interrupts it. A file whose bytes are already
    there is left alone. `timestamp` is given to every file written and the
    folders they are in. The caller holds `publish.output_lock`.
    """
    output = output.resolve()
    recover(output)
    written: list[tuple[str, str]] = []
    try:
        for path, data in files.items():
            target = output / path
            if isinstance(data, bytes) and _holds(target, data):
                continue
            beside = PurePosixPath(path).with_name(f".{PurePosixPath(path).name}.hindsite-new").as_posix()
            written.append((beside, path))
            if isinstance(data, bytes):
                (output / beside).write_bytes(data)
            else:
                data(output / beside)
            if timestamp is not None:
                os.utime(output / beside, (timestamp, timestamp))
    except BaseException as exc:
        for beside, _ in written:
            (output / beside).unlink(missing_ok=True)
        told = _told(exc, output, existed=True, swapped=False)
        if told is exc:
            raise
        raise told from exc
    gone = [path for path in removed if os.path.lexists(output / path)]
    commit_patch(output, written, gone)
    changed = [path for _, path in written] + gone
    if timestamp is not None:
        _set_folder_times(output, changed, timestamp)
    return Written(list(files), [], tuple(changed))


def _set_folder_times(output: Path, paths: Iterable[str], timestamp: int) -> None:
    """Give every folder above `paths`, up to `output`, the time `timestamp`: a rename in a folder changes its time."""
    folders = {output} | {parent for path in paths for parent in (output / path).parents if parent.is_relative_to(output)}
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        os.utime(folder, (timestamp, timestamp))


def _holds(target: Path, data: bytes) -> bool:
    """Whether the file at `target` already holds `data`: then it is left alone, keeping its time."""
    return target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data


def write_nowhere(files: Iterable[OutputFile]) -> Written:
    """Go through `files` as `write_site` would, writing nothing: pages and data files are made, attachments read
    through, so the result (and its problems) is what writing them would give. What `hindsite check` does."""
    paths, problems = [], []
    for file in files:
        problem = None
        if file.pieces is not None:
            problem = _made(file)
        elif file.copy_from is not None and not file.kept:
            problem = _copy_in(file, None)
        if problem is None:
            paths.append(file.path)
        else:
            problems.append(problem)
    return Written(paths, problems)


def _made(file: OutputFile) -> Diagnostic | None:
    """Make a file that comes in pieces, and let them go; an attachment's masked copy may fail to read it."""
    assert file.pieces is not None
    try:
        for _ in file.pieces():
            pass
    except OSError as exc:
        return _unpublished(file, exc)
    return None


def _remove_all_but(output: Path, expected: set[str]) -> None:
    for folder, subfolders, names in os.walk(output, topdown=False):
        for name in names:
            path = Path(folder) / name
            if path.relative_to(output).as_posix() not in expected:
                path.unlink()
        if Path(folder) != output and not any(Path(folder).iterdir()):
            Path(folder).rmdir()
