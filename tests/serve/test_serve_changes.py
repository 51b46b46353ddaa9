"""`hindsite serve`: which rebuild a batch of changed paths needs (`serve.changes.classify`).

Pure: no file system. Every row names the paths of one batch and the decision expected for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from hindsite.serve.changes import ChangeKind, Changes, Watched, classify

SITE = Path("/srv/site")
CONTENT = SITE / "content"
OVERRIDES = SITE / "overrides"
THEME = Path("/opt/hindsite/templates")
CONFIG = SITE / "site.toml"
OUTPUT = Path("/tmp/hindsite-serve-x/site")

#: The usual layout: output in a temporary folder, away from everything watched.
WATCHED = Watched(CONTENT, (THEME, OVERRIDES), CONFIG, OUTPUT)
#: The output folder inside the content folder (the server must still ignore what it writes itself).
OUTPUT_IN_CONTENT = Watched(CONTENT, (THEME, OVERRIDES), CONFIG, CONTENT / "_site")
#: No site.toml: all defaults.
NO_CONFIG = Watched(CONTENT, (THEME, OVERRIDES), None, OUTPUT)

JUNK_NAMES = [
    ".x.md.swp",  # vim swap file
    "x.md.swp",  # vim swap file with `set directory` tweaks
    "x.md.swx",  # vim's second swap file
    "x.md~",  # vim / emacs backup
    "4913",  # vim's "can I write here" probe
    ".#x.md",  # emacs lock
    "#x.md#",  # emacs auto-save
    "x.md.tmp",  # generic temporary save
    "x.md___jb_tmp___",  # JetBrains safe write
    "x___jb_tmp___",
    "x.md___jb_old___",
    ".goutputstream-ABC",  # GNOME (gedit) atomic save
    "x.md.crswap",  # Chrome file-system access
]

Row = tuple[Sequence[Path], Watched, ChangeKind, set[Path] | None]

ROWS: dict[str, Row] = {
    # --- content --------------------------------------------------------------------------
    "markdown-in-content": ([CONTENT / "a.md"], WATCHED, ChangeKind.CONTENT, {CONTENT / "a.md"}),
    "markdown-in-subfolder": (
        [CONTENT / "2024" / "b.markdown"], WATCHED, ChangeKind.CONTENT, {CONTENT / "2024" / "b.markdown"},
    ),
    "markdown-upper-case-suffix": ([CONTENT / "C.MD"], WATCHED, ChangeKind.CONTENT, {CONTENT / "C.MD"}),
    "image-in-content": ([CONTENT / "graph.png"], WATCHED, ChangeKind.CONTENT, set()),
    "log-in-content-subfolder": ([CONTENT / "2024" / "logs" / "api.log"], WATCHED, ChangeKind.CONTENT, set()),
    "content-subfolder-itself": ([CONTENT / "2024"], WATCHED, ChangeKind.CONTENT, set()),
    "several-documents": (
        [CONTENT / "a.md", CONTENT / "b.md", CONTENT / "graph.png"], WATCHED, ChangeKind.CONTENT,
        {CONTENT / "a.md", CONTENT / "b.md"},
    ),
    # --- templates ------------------------------------------------------------------------
    "theme-template": ([THEME / "base.html"], WATCHED, ChangeKind.TEMPLATE, None),
    "theme-static-file": ([THEME / "static" / "style.css"], WATCHED, ChangeKind.TEMPLATE, None),
    "site-override-template": ([OVERRIDES / "incident.html"], WATCHED, ChangeKind.TEMPLATE, None),
    "site-override-subfolder": ([OVERRIDES / "partials" / "_x.html"], WATCHED, ChangeKind.TEMPLATE, None),
    # --- configuration --------------------------------------------------------------------
    "site-toml": ([CONFIG], WATCHED, ChangeKind.CONFIG, None),
    "site-toml-without-config": ([CONFIG], NO_CONFIG, ChangeKind.NONE, set()),
    "other-file-beside-site-toml": ([SITE / "README.md"], WATCHED, ChangeKind.NONE, set()),
    # --- the widest kind wins -------------------------------------------------------------
    "content-and-template": ([CONTENT / "a.md", OVERRIDES / "incident.html"], WATCHED, ChangeKind.TEMPLATE, None),
    "template-and-content": ([THEME / "base.html", CONTENT / "a.md"], WATCHED, ChangeKind.TEMPLATE, None),
    "content-and-config": ([CONTENT / "a.md", CONFIG], WATCHED, ChangeKind.CONFIG, None),
    "config-first-then-others": (
        [CONFIG, CONTENT / "a.md", OVERRIDES / "x.html", CONTENT / "g.png"], WATCHED, ChangeKind.CONFIG, None,
    ),
    "all-three-config-last": (
        [CONTENT / "a.md", THEME / "base.html", CONFIG], WATCHED, ChangeKind.CONFIG, None,
    ),
    # --- junk next to real changes ----------------------------------------------------------
    "junk-beside-a-real-save": (
        [CONTENT / "x.md.swp", CONTENT / "4913", CONTENT / "x.md", CONTENT / "x.md~"], WATCHED, ChangeKind.CONTENT,
        {CONTENT / "x.md"},
    ),
    "junk-in-overrides": ([OVERRIDES / ".incident.html.swp", OVERRIDES / "4913"], WATCHED, ChangeKind.NONE, set()),
    "junk-site-toml-backup": ([SITE / "site.toml~", SITE / ".site.toml.swp"], WATCHED, ChangeKind.NONE, set()),
    # --- hidden folders -------------------------------------------------------------------
    "git-folder-in-content": ([CONTENT / ".git" / "index"], WATCHED, ChangeKind.NONE, set()),
    "git-objects-in-content": ([CONTENT / ".git" / "objects" / "ab" / "cdef"], WATCHED, ChangeKind.NONE, set()),
    "markdown-in-hidden-folder": ([CONTENT / ".obsidian" / "notes.md"], WATCHED, ChangeKind.NONE, set()),
    "hidden-folder-deeper-down": ([CONTENT / "2024" / ".cache" / "a.md"], WATCHED, ChangeKind.NONE, set()),
    "hidden-folder-itself": ([CONTENT / ".git"], WATCHED, ChangeKind.NONE, set()),
    # --- the output folder ----------------------------------------------------------------
    "output-page": ([OUTPUT / "index.html"], WATCHED, ChangeKind.NONE, set()),
    "output-folder-itself": ([OUTPUT], WATCHED, ChangeKind.NONE, set()),
    "output-inside-content-page": (
        [CONTENT / "_site" / "incidents" / "a.html"], OUTPUT_IN_CONTENT, ChangeKind.NONE, set(),
    ),
    "output-inside-content-copied-markdown-name": (
        [CONTENT / "_site" / "files" / "notes.md"], OUTPUT_IN_CONTENT, ChangeKind.NONE, set(),
    ),
    "output-inside-content-folder-itself": ([CONTENT / "_site"], OUTPUT_IN_CONTENT, ChangeKind.NONE, set()),
    "output-inside-content-beside-real-change": (
        [CONTENT / "_site" / "index.html", CONTENT / "a.md"], OUTPUT_IN_CONTENT, ChangeKind.CONTENT,
        {CONTENT / "a.md"},
    ),
    # --- outside every watched folder -----------------------------------------------------
    "empty-batch": ([], WATCHED, ChangeKind.NONE, set()),
    "unrelated-folder": ([Path("/home/u/notes/a.md")], WATCHED, ChangeKind.NONE, set()),
    "sibling-folder-of-content": ([SITE / "drafts" / "a.md"], WATCHED, ChangeKind.NONE, set()),
    "folder-whose-name-extends-content": ([SITE / "content-old" / "a.md"], WATCHED, ChangeKind.NONE, set()),
    "folder-whose-name-extends-overrides": ([SITE / "overrides2" / "x.html"], WATCHED, ChangeKind.NONE, set()),
    "parent-of-content": ([SITE], WATCHED, ChangeKind.NONE, set()),
}


@pytest.mark.parametrize(("paths", "watched", "kind", "documents"), list(ROWS.values()), ids=list(ROWS))
def test_classify(paths: Sequence[Path], watched: Watched, kind: ChangeKind, documents: set[Path] | None) -> None:
    changes = classify(paths, watched)
    assert isinstance(changes, Changes)
    assert changes.kind is kind
    if documents is not None:
        assert changes.documents == frozenset(documents)


@pytest.mark.parametrize("name", JUNK_NAMES, ids=JUNK_NAMES)
@pytest.mark.parametrize(
    "folder", [CONTENT, CONTENT / "2024", OVERRIDES, THEME], ids=["content", "content-subfolder", "overrides", "theme"]
)
def test_editor_junk_never_counts(name: str, folder: Path) -> None:
    changes = classify([folder / name], WATCHED)
    assert changes == Changes(ChangeKind.NONE, frozenset())


@pytest.mark.parametrize("name", JUNK_NAMES, ids=JUNK_NAMES)
def test_editor_junk_does_not_hide_the_real_file_saved_with_it(name: str) -> None:
    real = CONTENT / "x.md"
    changes = classify([CONTENT / name, real, CONTENT / name], WATCHED)
    assert changes == Changes(ChangeKind.CONTENT, frozenset({real}))


def test_classify_accepts_any_iterable_once() -> None:
    """The server passes a generator; every path in it must still be looked at."""
    paths = iter([CONTENT / "graph.png", CONTENT / "a.md", OVERRIDES / "incident.html"])
    assert classify(paths, WATCHED).kind is ChangeKind.TEMPLATE


def test_kinds_are_ordered_by_how_much_they_invalidate() -> None:
    assert ChangeKind.NONE < ChangeKind.CONTENT < ChangeKind.TEMPLATE < ChangeKind.CONFIG
