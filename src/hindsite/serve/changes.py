"""Which kind of rebuild a batch of changed paths needs. Pure: paths in, a decision out.

The kinds are ordered by how much they invalidate: a content change
re-reads only the documents that changed, a template change re-renders
without re-reading content, a configuration change rebuilds everything.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..read.files import MARKDOWN_SUFFIXES, is_editor_junk


class ChangeKind(enum.IntEnum):
    NONE = 0
    CONTENT = 1  # documents or their files changed
    TEMPLATE = 2  # the theme or the site's templates changed
    CONFIG = 3  # site.toml changed: everything is rebuilt


@dataclass(frozen=True, slots=True)
class Watched:
    """The places a running server watches, and the output folder it must ignore."""

    content: Path
    templates: tuple[Path, ...]
    config: Path | None
    output: Path


@dataclass(frozen=True, slots=True)
class Changes:
    kind: ChangeKind
    documents: frozenset[Path]  # changed, added or removed Markdown files (for CONTENT)


def classify(paths: Iterable[Path], watched: Watched) -> Changes:
    """The widest kind of change among `paths`; junk, hidden files and the output never count."""
    kind = ChangeKind.NONE
    documents: set[Path] = set()
    for path in paths:
        if is_editor_junk(path.name) or _inside(path, watched.output):
            continue
        if watched.config is not None and path == watched.config:
            kind = max(kind, ChangeKind.CONFIG)
        elif any(_inside(path, folder) for folder in watched.templates):
            kind = max(kind, ChangeKind.TEMPLATE)
        elif _inside(path, watched.content):
            if _hidden_below(path, watched.content):
                continue
            kind = max(kind, ChangeKind.CONTENT)
            if path.name.lower().endswith(MARKDOWN_SUFFIXES):
                documents.add(path)
    return Changes(kind, frozenset(documents))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _hidden_below(path: Path, folder: Path) -> bool:
    """A file in a hidden folder (`.git/…`) is not content, whatever it is called."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)
