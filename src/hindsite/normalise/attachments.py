"""Credentials in attachments: the content folder's files that are not Markdown (a pasted `app.log`, a `.json`).

A text attachment is scanned like a document's body: each credential is a
`secret` warning at its line, and with `redact` the site publishes a masked
copy instead of the file. Text is told by content, not by name: no NUL byte,
few control bytes and no known binary signature in the first 8 KB; it is read
as UTF-8 when its first megabyte is UTF-8, else as Windows-1252, as documents are. Files are read a block at a time, so a
large log is never held whole, and scanned up to `max_attachment_scan_mb`;
binary files (images, archives, PDFs) and larger ones are published as they are.
"""

from __future__ import annotations

import codecs
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import diagnostics as diag
from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic
from ..read.files import SourceFile
from .guard import masked_findings, secret_warning
from .secrets import SECRET_KINDS, lines_of, redact, scan_blocks

BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Scan:
    """What scanning one attachment found: its warnings, whether its copy is masked, and how it was decoded."""

    diagnostics: tuple[Diagnostic, ...] = ()
    masked: bool = False
    encoding: str = ""  # "" when the file is not scanned (binary, too large, unreadable)


def attachment_diagnostics(files: Sequence[SourceFile], config: SiteConfig) -> list[Diagnostic]:
    """The `secret` warnings (and `unscanned` ones for text too large to scan) of every attachment among `files`."""
    return [d for file in files if not file.is_markdown for d in scan_attachment(file, config).diagnostics]


def masked_copy(file: SourceFile, config: SiteConfig) -> Callable[[], Iterator[str]] | None:
    """The attachment's text with its credentials masked, block by block, or None when it is published as it is."""
    scan = scan_attachment(file, config)
    if not scan.masked:
        return None
    return lambda: (redact(piece, masked_findings(found, config))
                    for piece, found in scan_blocks(_blocks(file.path, scan.encoding), personal=config.redact_personal))


def scan_attachment(file: SourceFile, config: SiteConfig) -> Scan:
    try:
        stat = file.path.stat()
    except OSError:
        return Scan()  # copying it reports the problem
    limit = config.max_attachment_scan_mb
    return _scan(file, stat.st_size, stat.st_mtime_ns, stat.st_ino, config.redact, config.redact_personal, limit)


@functools.lru_cache(maxsize=4096)
def _scan(file: SourceFile, size: int, mtime_ns: int, inode: int, redact_on: bool, personal: bool, limit_mb: int) -> Scan:
    """Memoised by the file's size, time and inode: a server's rebuild does not read unchanged attachments again.

    Scanning costs about 0.3 s a megabyte, so the limit keeps a stray dump from slowing every build.
    """
    encoding = _encoding(file.path)
    if encoding is None:
        return Scan()
    if size > limit_mb * 1048576:
        return Scan((diag.warning(
            "unscanned", f"this text attachment is {size / 1048576:.1f} MB, over the {limit_mb} MB hindsite scans for "
            "credentials (max_attachment_scan_mb in site.toml); it is published as it is, even with redact — "
            "check it by hand, trim or split it, or raise the limit", file.source),))
    try:
        return _scanned(file, encoding, redact_on, personal)
    except OSError:
        return Scan()


def _scanned(file: SourceFile, encoding: str, redact_on: bool, personal: bool) -> Scan:
    problems: list[Diagnostic] = []
    masks, line = False, 1
    for piece, found in scan_blocks(_blocks(file.path, encoding), personal=personal):
        secrets = [f for f in found if f.kind in SECRET_KINDS]
        problems += [secret_warning(kind, file.source, at, redacted=redact_on) for at, kind in lines_of(piece, secrets, line)]
        masks = masks or any(redact_on or f.kind not in SECRET_KINDS for f in found)
        line += piece.count("\n")
    return Scan(tuple(problems), masks, encoding)


#: How common binary formats start, for the few whose first bytes may hold no NUL.
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"\x89PNG", b"\xff\xd8\xff",
                 b"GIF8", b"RIFF", b"\x7fELF", b"OggS", b"ID3", b"fLaC")
_HEAD = 8192


def _encoding(path: Path) -> str | None:
    """"utf-8" or "cp1252" for text; None for binary data: a known format, or NUL or many control bytes at the start.

    Only the first 8 KB of a binary file is read, so an archive of screenshots costs little on every build.
    """
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
            if _looks_binary(head):
                return None
            head += stream.read(BLOCK - _HEAD)
            whole = len(head) < BLOCK
    except OSError:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _looks_binary(head: bytes) -> bool:
    controls = sum(byte < 32 and byte not in b"\t\n\r\f" for byte in head)
    return b"\0" in head or head.startswith(_BINARY_MAGIC) or controls > len(head) // 10


def _blocks(path: Path, encoding: str) -> Iterator[str]:
    """The file's text a block at a time; a later byte that is not UTF-8 becomes U+FFFD rather than stopping the scan."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            yield decoder.decode(block)
    yield decoder.decode(b"", final=True)
