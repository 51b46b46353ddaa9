"""Stage 1 — read: find the postmortems under a folder, decode them, split off front-matter.

Nothing here interprets the document; it only turns bytes into a `Document`
whose line numbers still point at the file on disk.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter.default_handlers as fm_handlers
import yaml

from . import diagnostics as diag
from .config import DEFAULT_MAX_DOCUMENT_MB
from .diagnostics import Diagnostic

MARKDOWN_SUFFIXES = (".md", ".markdown")

#: Files editors write beside the real one: vim swap and backup files and its `4913` write test,
#: emacs locks and `~` backups, JetBrains and Chrome temporary saves.
_EDITOR_JUNK = re.compile(
    r"(^\.#|^#.*#$|~$|\.sw[a-p]$|\.swx$|^4913$|\.tmp$|\.bak$|\.orig$|___jb_(tmp|old)___$|\.crswap$|^\.goutputstream-)"
)


def is_editor_junk(name: str) -> bool:
    """An editor's temporary or backup file, or a hidden file: never content."""
    return name.startswith(".") or bool(_EDITOR_JUNK.search(name))


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found under the content folder. `rel` is relative to that folder."""

    path: Path
    rel: PurePosixPath
    source: str  # the path as shown to the user

    @property
    def is_markdown(self) -> bool:
        return self.rel.name.lower().endswith(MARKDOWN_SUFFIXES)


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
    front_matter_text: str = ""


def discover(root: Path, shown_root: str | None = None) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every publishable file under `root` (or `root` itself when it is a file), sorted; and a warning per skipped link.

    Hidden files and folders and editor leftovers (swap files, backups) are
    skipped. Symbolic links are followed only to files inside `root`: a link
    out of the content folder could publish anything the build can read.
    """
    shown = shown_root if shown_root is not None else str(root)
    if root.is_file():
        return [SourceFile(root, PurePosixPath(root.name), shown)], []
    real_root = root.resolve()
    found: list[SourceFile] = []
    problems: list[Diagnostic] = []
    prefix = str(PurePosixPath(shown)) if shown else "."
    top = str(root)
    # Plain strings until a file is kept: an archive of 10,000 documents is walked on every build.
    for folder, subfolders, files in os.walk(top):  # never descends into linked folders
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        linked_folders = [d for d in subfolders if os.path.islink(os.path.join(folder, d))]
        inside = folder[len(top):].strip(os.sep).replace(os.sep, "/")
        for name in sorted(files + linked_folders):
            if is_editor_junk(name):
                continue
            path = Path(folder, name)
            rel_text = f"{inside}/{name}" if inside else name
            rel = PurePosixPath(rel_text)
            source = rel_text if prefix == "." else f"{prefix.rstrip('/')}/{rel_text}"
            if os.path.islink(path):
                refusal = _link_refusal(path, real_root)
                if refusal:
                    problems.append(diag.warning("symlink", f"{refusal}; it was skipped — copy what it points at into the content folder", source))
                    continue
                if path.is_dir():
                    continue  # its files are found where they really are
            found.append(SourceFile(path, rel, source))
    return found, problems


def _link_refusal(path: Path, real_root: Path) -> str | None:
    """Why the symbolic link `path` is not followed, or None for a link to a file inside the content folder."""
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


def read_document(file: SourceFile, max_bytes: int = DEFAULT_MAX_DOCUMENT_MB * 1048576) -> Document:
    """Decode `file` and split its front-matter; problems become diagnostics, never exceptions.

    A file that is too large or is not text yields a document with no body and an error.
    """
    try:
        size = file.path.stat().st_size
        data = b"" if size > max_bytes else file.path.read_bytes()
    except OSError as exc:
        problem = diag.error("unreadable", f"cannot read the file: {exc.strerror}; check its permissions", file.source)
        return Document(file.source, file.rel, "", diagnostics=(problem,))
    refusal = _refusal(data, size, max_bytes, file.source)
    if refusal is not None:
        return Document(file.source, file.rel, "", diagnostics=(refusal,))
    text, problems = decode(data, file.source)
    if not text.strip():
        problems.append(diag.warning("empty-document", "the file is empty; write the postmortem or delete the file", file.source))
    return split_front_matter(text, file.source, file.rel, problems)


def _refusal(data: bytes, size: int, max_bytes: int, source: str) -> Diagnostic | None:
    """Why these bytes are not read as a postmortem, or None when they are."""
    if size > max_bytes:
        return diag.error(
            "too-large",
            f"the file is {size / 1048576:.1f} MB, over the limit of {max_bytes / 1048576:g} MB for a document; "
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


# --- front-matter -----------------------------------------------------------

#: libyaml's parser when PyYAML was built with it (about ten times faster), else the pure-Python one.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _GuardedLoader(_SafeLoader):
    """YAML that keeps what the author wrote.

    Scalars stay strings (YAML 1.1 would turn `14:30` into 870 and `no` into
    False), duplicate keys are errors rather than silently last-wins, and
    aliases are refused, which also makes alias bombs harmless.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_document(self, node: Any) -> Any:
        _refuse_aliases(node)
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain word, not a list or mapping", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice; keep one", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=True)


def _refuse_aliases(root: Any) -> None:
    """Raise at the first node reached twice: only an alias (`*name`) makes one.

    The walk stops there, so it costs one visit per node however far the aliases would expand.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, Any]] = [(root, root)]
    while stack:
        node, holder = stack.pop()
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front-matter; write the value out", holder.start_mark
            )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, node) for item in reversed(node.value)]
        elif isinstance(node, yaml.MappingNode):
            stack += [(part, key) for key, value in reversed(node.value) for part in (value, key)]


class _TomlHandler(fm_handlers.BaseHandler):
    """`+++` TOML front-matter (Hugo, Zola) read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


_YAML = fm_handlers.YAMLHandler()
_TOML = _TomlHandler()
_FENCES = {"---": (_YAML, ("---", "...")), "+++": (_TOML, ("+++",))}


def split_front_matter(
    text: str, source: str, rel: PurePosixPath, problems: list[Diagnostic] | None = None
) -> Document:
    """Split `text` into front-matter and body, keeping file line numbers.

    Only a line of exactly `---` (YAML) or `+++` (TOML), after optional blank
    lines, opens front-matter: a pasted `-----` log line is body text.
    """
    problems = list(problems or [])
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    fence = lines[start].rstrip() if start is not None else ""
    if start is None or fence not in _FENCES:
        return Document(source, rel, text, 1, diagnostics=tuple(problems))
    handler, closers = _FENCES[fence]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        problems.append(
            diag.error(
                "bad-front-matter",
                f"the front-matter opened by {fence!r} is never closed; add a line with {fence!r} after the last key",
                source,
                start + 1,
            )
        )
        return Document(source, rel, text, 1, diagnostics=tuple(problems))

    raw = "\n".join(lines[start + 1 : end])
    body = "\n".join(lines[end + 1 :])
    values, problem = _load_values(handler, raw, source, first_key_line=start + 2)
    if problem is not None:
        problems.append(problem)
        return Document(
            source, rel, body, end + 2, front_matter_line=start + 1, unread_front_matter=raw, diagnostics=tuple(problems)
        )
    key_lines = {
        match.group(1): start + 2 + offset
        for offset, line in enumerate(lines[start + 1 : end])
        if (match := re.match(r"^([^\s:#'\"][^:]*?)\s*[:=]", line))
    }
    written = "\n".join(lines[start : end + 1])
    return Document(source, rel, body, end + 2, values, start + 1, key_lines, diagnostics=tuple(problems), front_matter_text=written)


def _load_values(
    handler: fm_handlers.BaseHandler, raw: str, source: str, *, first_key_line: int
) -> tuple[dict[str, Any], Diagnostic | None]:
    """The front-matter's mapping, or the problem that makes it unusable."""
    try:
        values = handler.load(raw, Loader=_GuardedLoader) if handler is _YAML else handler.load(raw)
    except yaml.YAMLError as exc:
        return {}, _yaml_problem(exc, source, first_key_line)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_line(str(exc))
        return {}, diag.error("bad-front-matter", f"invalid TOML front-matter: {exc}; fix it or remove the block",
                              source, first_key_line + line - 1 if line else first_key_line - 1)
    if values is None:
        return {}, None  # empty, or only comments
    if not isinstance(values, dict):
        return {}, diag.error("bad-front-matter", f"front-matter must be 'key: value' lines, not a {_yaml_kind(values)}; "
                              "fix it or remove the block", source, first_key_line)
    return values, None


def _yaml_problem(exc: yaml.YAMLError, source: str, first_line: int) -> Diagnostic:
    context_mark = getattr(exc, "context_mark", None)
    # An unclosed [ or { is noticed lines later; the line that opened it is the one to fix.
    opened = context_mark is not None and "flow" in str(getattr(exc, "context", ""))
    mark = context_mark if opened else getattr(exc, "problem_mark", None) or context_mark
    line = first_line + mark.line if mark is not None else first_line
    reason = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context and "constructor" in context:
        context = None
    if str(reason).startswith("could not determine a constructor"):
        reason = f"the tag {getattr(exc, 'problem', '').split()[-1]} is not allowed; remove it"
    detail = f"{context}, {reason}" if context else str(reason)
    if opened:
        bracket = "[" if "sequence" in str(context) else "{"
        detail = f"the {bracket} on this line is never closed ({reason})"
    return diag.error("bad-front-matter", f"invalid YAML front-matter: {detail}; the body is published without it", source, line)


def _yaml_kind(value: Any) -> str:
    return {list: "list", str: "plain text"}.get(type(value), type(value).__name__)


def _toml_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
