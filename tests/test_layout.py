"""Imports point one way: a stage may use the stages before it, never those after it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hindsite

PACKAGE = Path(hindsite.__file__).parent
#: Pipeline order (docs/architecture.md). `paths` is a leaf helper with no hindsite
#: imports, used by normalise and render, so it sits with the other leaves; so does `parallel`.
STAGES = (
    "diagnostics", "model", "slugs", "paths", "parallel", "formats", "config", "scaffold", "markup", "read", "normalise",
    "archive", "stats", "reports", "related", "collect", "urls", "export", "migrate", "views", "search", "charts", "feeds", "render",
    "inspect", "linkcheck", "publish", "write", "cache", "incremental", "build", "commands", "serve", "cli",
)
EXEMPT = {"__init__", "__main__"}


def stage_of(path: Path) -> str:
    """`normalise/times.py` → "normalise"; `archive.py` → "archive"."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def module_parts(path: Path) -> list[str]:
    """The dotted name of a module inside the package, as parts: `normalise/times.py` → ["normalise", "times"]."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_stages(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, stage) for every hindsite module `path` imports, relative or absolute, anywhere in the file.

    `text` stands in for the file's contents, so the checker itself can be tested.
    """
    source = path.read_text(encoding="utf-8") if text is None else text
    tree = ast.parse(source, filename=str(path))
    is_package = path.name == "__init__.py"
    here = module_parts(path) if is_package else module_parts(path)[:-1]
    found: list[tuple[int, str]] = []

    def add(line: int, parts: list[str]) -> None:
        if parts:  # an empty path is the package itself (`from . import __version__`)
            found.append((line, parts[0]))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "hindsite":
                    add(node.lineno, names[1:])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else list(here)
            elif node.module and node.module.split(".")[0] == "hindsite":
                base = []
            else:
                continue
            module = (node.module or "").split(".") if node.module else []
            if node.level == 0:
                module = module[1:]
            target = base + module
            if target:
                add(node.lineno, target)
            else:
                for alias in node.names:  # `from . import urls` names a module; `__version__` does not
                    if (PACKAGE / f"{alias.name}.py").exists() or (PACKAGE / alias.name).is_dir():
                        add(node.lineno, [alias.name])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem not in EXEMPT)


def test_every_module_has_a_stage() -> None:
    unplaced = sorted({stage_of(p) for p in MODULES} - set(STAGES))
    assert unplaced == [], "add new modules to STAGES in this test, in pipeline order"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_point_backwards(path: Path) -> None:
    stage = stage_of(path)
    assert stage in STAGES, f"{stage} is not in STAGES"
    position = STAGES.index(stage)
    later = [
        f"line {line}: {stage} imports {target}"
        for line, target in imported_stages(path)
        if target in STAGES and STAGES.index(target) > position
    ]
    assert later == []


@pytest.mark.parametrize(
    ("where", "text", "stages"),
    [
        ("read.py", "from .render import x\nimport hindsite.cli\nfrom hindsite.write import y\n", ["render", "cli", "write"]),
        ("read.py", "from . import urls, __version__\nfrom . import diagnostics as d\n", ["urls", "diagnostics"]),
        ("read.py", "import os\nfrom pathlib import Path\n", []),
        ("normalise/times.py", "from .blocks import B\nfrom ..build import b\nfrom .. import cli\n", ["normalise", "build", "cli"]),
        ("normalise/__init__.py", "from .times import t\nfrom ..export import e\n", ["normalise", "export"]),
        ("archive.py", "def f():\n    from .render import late\n", ["render"]),
    ],
)
def test_the_checker_finds_imports(where: str, text: str, stages: list[str]) -> None:
    assert [stage for _, stage in imported_stages(PACKAGE / where, text)] == stages
