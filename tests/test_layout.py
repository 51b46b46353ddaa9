"""The house's floors: each part of the package is a stage, a floor under them or the door above them,
and imports only point down (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hindsite

PACKAGE = Path(hindsite.__file__).parent
_STAGES_BELOW_BUILD = frozenset({"core", "read", "normalise", "collect", "render", "write", "incremental"})
#: What each part may import besides itself. The face (`hindsite/__init__.py`) and `__main__` are
#: above everything; nothing inside the package imports the face.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "read": frozenset({"core"}),
    "normalise": frozenset({"core", "read"}),
    "collect": frozenset({"core"}),
    "render": frozenset({"core", "collect"}),
    "write": frozenset({"core"}),
    "incremental": frozenset({"core", "read", "collect", "render", "write"}),
    "build": _STAGES_BELOW_BUILD,
    "serve": frozenset({"core", "build", "incremental", "read", "render", "write"}),
    "commands": _STAGES_BELOW_BUILD | {"build", "serve"},
}
FACE = {"__init__", "__main__"}


def part_of(path: Path) -> str:
    """`normalise/times.py` → "normalise"; `build.py` → "build"."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_parts(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, part) for every hindsite module `path` imports, relative or absolute, anywhere in the file;
    the part is "__init__" for a name taken from the package face (`from hindsite import __version__`).

    `text` stands in for the file's contents, so the checker itself can be tested.
    """
    source = path.read_text(encoding="utf-8") if text is None else text
    tree = ast.parse(source, filename=str(path))
    rel = list(path.relative_to(PACKAGE).with_suffix("").parts)
    here = rel[:-1]  # the package the module is in (for __init__.py, the package itself)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "hindsite":
                    found.append((node.lineno, names[1] if len(names) > 1 else "__init__"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
            elif node.module and node.module.split(".")[0] == "hindsite":
                base = []
            else:
                continue
            module = (node.module or "").split(".") if node.module else []
            target = base + (module[1:] if node.level == 0 else module)
            if target:
                found.append((node.lineno, target[0]))
                continue
            for alias in node.names:  # `from . import build` names a module; `__version__` is the face's
                is_module = (PACKAGE / f"{alias.name}.py").exists() or (PACKAGE / alias.name).is_dir()
                found.append((node.lineno, alias.name if is_module else "__init__"))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if part_of(p) not in FACE)


def test_every_part_has_its_rule() -> None:
    unplaced = sorted({part_of(p) for p in MODULES} - set(MAY_IMPORT))
    assert unplaced == [], "a new package or top-level module needs its line in MAY_IMPORT and docs/architecture.md"


def test_every_package_says_what_it_owns_and_may_import() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc, f"{init.relative_to(PACKAGE)}: the docstring says what the package may import"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_point_down(path: Path) -> None:
    part = part_of(path)
    allowed = MAY_IMPORT[part] | {part}
    against = [f"line {line}: {part} imports {target}" for line, target in imported_parts(path) if target not in allowed]
    assert against == []


@pytest.mark.parametrize(
    ("where", "text", "parts"),
    [
        ("read/files.py", "from ..render import x\nimport hindsite.commands\nfrom hindsite.write.output import y\n",
         ["render", "commands", "write"]),
        ("read/files.py", "from .. import build, __version__\nfrom ..core import diagnostics as d\n",
         ["build", "__init__", "core"]),
        ("read/files.py", "from . import files\nimport os\nfrom pathlib import Path\n", ["read"]),
        ("normalise/times.py", "from .blocks import B\nfrom ..build import b\nfrom hindsite import x\n",
         ["normalise", "build", "__init__"]),
        ("normalise/__init__.py", "from .times import t\nfrom ..render.export import e\n", ["normalise", "render"]),
        ("build.py", "from . import serve\nfrom .core.model import Incident\n", ["serve", "core"]),
        ("collect/archive.py", "def f():\n    from ..render import late\n", ["render"]),
    ],
)
def test_the_checker_finds_imports(where: str, text: str, parts: list[str]) -> None:
    assert [part for _, part in imported_parts(PACKAGE / where, text)] == parts


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("collect/stats.py", "from ..render.urls import incident_url\n"),  # collect never looks up render
        ("core/model.py", "from ..read.files import Document\n"),  # the floor imports nothing above it
        ("render/views.py", "from .. import __version__\n"),  # the face is for users, not stages
        ("write/output.py", "from ..normalise import normalise\n"),
    ],
)
def test_an_import_against_the_layers_fails(where: str, text: str) -> None:
    part = part_of(PACKAGE / where)
    assert any(target not in MAY_IMPORT[part] | {part} for _, target in imported_parts(PACKAGE / where, text))
