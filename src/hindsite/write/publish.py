"""Put a finished site where the last one was, so that the output folder always holds a whole site.

A build writes its site into a staging folder beside the output and then swaps
it in. On Linux the swap is one step (renameat2 with RENAME_EXCHANGE): at every
instant the output path holds the old site or the new one, whatever kills the
process. Where the exchange is missing (other systems, file systems that refuse
it) the swap is two renames, and a build killed between them leaves the old site
beside the output, from where the next build puts it back (`recover`) before
anything else.

What a publishing set-up keeps in the output folder (`KEPT`: a gh-pages
checkout's `.git`, `CNAME`, `.nojekyll`) moves from the old site into the new
one just before the swap. A build killed after moving them leaves them in its
staging folder, and `recover` moves them back: they are never deleted.

A build that changes only a few files (a patch) writes each beside its target,
then notes in a journal beside the output what it is about to rename and remove,
and does it (`commit_patch`); a build killed in the middle leaves the journal, and
the next build completes it before anything else (`recover`). For those few
milliseconds a reader may find some files new and others old; never half a file.

A polite stop (SIGTERM, Ctrl-C) that arrives during the swap, or a patch's
renames, takes effect when they are over. One build at a time writes to an output folder: `output_lock`
holds a lock on a file beside it.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import secrets
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks of this kind
    _FLOCK = False
else:
    _FLOCK = True

#: What a publishing set-up keeps in the output folder (a gh-pages checkout, a custom domain), carried into every new site.
KEPT = (".git", "CNAME", ".nojekyll")

#: How long a build waits for another build writing to the same output folder before it gives up.
LOCK_WAIT_SECONDS = 600.0


def _no_step(step: str) -> None:
    pass


#: Called with the name of each step of `swap_in` as it is reached ("staged", "kept", "retired", "swapped"):
#: tests replace it to stop the process at that very point.
reached: Callable[[str], None] = _no_step


class OutputBusy(Exception):
    """Another build kept the output folder locked for longer than the wait allowed."""


class LockFailed(Exception):
    """The lock file beside the output folder could not be made (the folder holding it is not writable, say)."""


def staging_folder(output: Path) -> Path:
    """A new, empty folder beside `output` to build the next site in."""
    return _fresh_folder(output.parent, _staging_prefix(output))


def _staging_prefix(output: Path) -> str:
    return f".{output.name}.building-"


def _retired_prefix(output: Path) -> str:
    return f".{output.name}.old-"


def lock_path(output: Path) -> Path:
    """The lock file of `output`: beside it, never inside the site."""
    return output.parent / f".{output.name}.lock"


def _fresh_folder(parent: Path, prefix: str) -> Path:
    """A new folder named `prefix` and random letters, with the permissions the umask gives.

    Not `tempfile.mkdtemp`, whose folders are private (0700): this one becomes the
    published site, which a web server running as another user must read.
    """
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(6)}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


# --- one build at a time ------------------------------------------------------------------------------


@contextmanager
def output_lock(
    output: Path, *, wait: float | None = None, on_wait: Callable[[str], None] = lambda message: None
) -> Iterator[None]:
    """Hold the lock of `output` for the block; while another build holds it, say so through `on_wait` and wait
    up to `wait` seconds (`LOCK_WAIT_SECONDS` by default), then raise `OutputBusy`.

    The lock is the operating system's (flock), so it goes with the process that
    holds it, however that process ends. On a file system that cannot lock (some
    network mounts), and on Windows, the block runs unlocked.
    """
    if not _FLOCK:
        yield
        return
    path = lock_path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise LockFailed(f"could not make the lock file {path} beside the output folder ({exc.strerror or exc}); "
                         "nothing was written — fix the permissions of the folder that holds the output") from exc
    try:
        if not _try_lock(handle):
            on_wait(f"waiting for {_holder(handle)}, which is writing to {output}, to finish")
            _wait_for_lock(handle, output, LOCK_WAIT_SECONDS if wait is None else wait)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)  # for the message of a build that waits
        yield
    finally:
        os.close(handle)  # releases the lock


def _try_lock(handle: int) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
            return True  # a file system without locks: go on unlocked
        raise
    return True


def _wait_for_lock(handle: int, output: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while not _try_lock(handle):
        if time.monotonic() >= deadline:
            raise OutputBusy(
                f"{_holder(handle)} has been writing to {output} for more than {wait:.0f} seconds; wait for it to "
                f"finish, or stop it, and build again"
            )
        time.sleep(0.1)


def _holder(handle: int) -> str:
    """The build that holds the lock, as far as its lock file says."""
    written = os.pread(handle, 32, 0).decode("ascii", errors="replace").strip()
    return f"another build (process {written})" if written.isdigit() else "another build"


# --- the swap ----------------------------------------------------------------------------------------------


def swap_in(staging: Path, output: Path) -> Path | None:
    """Put the finished site in `staging` where `output` is, carrying `KEPT` entries into it; returns the folder that
    now holds the old site, for the caller to remove (None when there was none). Call it inside `stops_held`.

    On failure (an OSError) the previous site is put back as it was, `KEPT`
    entries included, and `staging` is removed, before the error is raised.
    """
    reached("staged")
    try:
        _carry_kept(output, staging)
        reached("kept")
        old = _swap(staging, output)
    except OSError:
        recover(output)
        raise
    reached("swapped")
    return old


def _carry_kept(output: Path, staging: Path) -> None:
    for name in KEPT:
        if os.path.lexists(output / name):
            os.rename(output / name, staging / name)


def _return_kept(folder: Path, output: Path) -> None:
    """Move `KEPT` entries found in `folder` back into `output`, where it lacks them."""
    if not output.is_dir() or output.is_symlink():
        return
    for name in KEPT:
        if os.path.lexists(folder / name) and not os.path.lexists(output / name):
            os.rename(folder / name, output / name)


def _swap(staging: Path, output: Path) -> Path | None:
    """Put `staging` at `output`; returns the folder now holding the old site, None when there was none."""
    if not os.path.lexists(output):
        os.rename(staging, output)
        return None
    if exchange(staging, output):
        return staging
    retired = _fresh_folder(output.parent, _retired_prefix(output))
    os.rename(output, retired / "site")
    reached("retired")
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(retired / "site", output)  # should this fail too, the next build's `recover` puts it back
        raise
    return retired


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False when the system or file system cannot (nothing was done)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@cache
def _renameat2() -> Callable[..., int] | None:
    """Linux's renameat2, from the C library; None elsewhere, or in a C library without it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


@contextmanager
def stops_held() -> Iterator[None]:
    """SIGTERM and SIGINT that arrive during the block take effect after it, so a swap is never left halfway.

    Only the main thread can set signal handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    handlers = {}
    for stop in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(stop) is not None:  # None: a handler Python did not install, which it cannot restore
            handlers[stop] = signal.signal(stop, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        for stop, handler in handlers.items():
            signal.signal(stop, handler)
        for signum in held:
            signal.raise_signal(signum)


# --- after a crash --------------------------------------------------------------------------------------


def commit_patch(output: Path, renames: Sequence[tuple[str, str]], removals: Sequence[str]) -> None:
    """Rename each written file (site paths: written, target) over its target and remove `removals`, noting it first
    in a journal beside `output`, so that a build killed halfway is completed by the next (`recover`)."""
    journal = _journal(output)
    journal.write_text(json.dumps({"rename": renames, "remove": removals}), encoding="utf-8")
    with stops_held():
        _roll_forward(output, journal)


def _journal(output: Path) -> Path:
    return output.parent / f".{output.name}.patching"


def _roll_forward(output: Path, journal: Path) -> None:
    """Do what the journal says a patch was doing, where it is not done yet, then remove the journal."""
    planned = json.loads(journal.read_text(encoding="utf-8"))
    for written, target in planned["rename"]:
        if os.path.lexists(output / written):
            os.replace(output / written, output / target)
    for removed in planned["remove"]:
        (output / removed).unlink(missing_ok=True)
    journal.unlink()


def recover(output: Path) -> None:
    """Put right what an interrupted build left beside `output`, then remove its folders.

    A patch killed halfway is completed. A build killed between the two renames
    of a swap left no output folder: the old site is put back. `KEPT` entries left
    in a staging folder go back into the output when it lacks them. Run under
    `output_lock`, before anything else touches the output; the folders of a build
    still running would be taken for leftovers.
    """
    journal = _journal(output)
    if journal.is_file():
        try:
            _roll_forward(output, journal)
        except (OSError, ValueError, KeyError, TypeError):
            journal.unlink(missing_ok=True)  # it cannot be completed: the next full build replaces the whole site
    staged = _leftovers(output, _staging_prefix(output))
    retired = _leftovers(output, _retired_prefix(output))
    if not os.path.lexists(output):
        old_site = next((folder / "site" for folder in retired if (folder / "site").is_dir()), None)
        if old_site is not None:
            os.rename(old_site, output)
    for folder in (*staged, *(folder / "site" for folder in retired)):
        _return_kept(folder, output)
    for folder in (*staged, *retired):
        shutil.rmtree(folder, ignore_errors=True)


def _leftovers(output: Path, prefix: str) -> list[Path]:
    found = output.parent.glob(f"{glob.escape(prefix)}*")
    return sorted(folder for folder in found if folder.is_dir() and not folder.is_symlink())
