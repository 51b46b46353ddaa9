"""A module's `_private` names are its own, and a package's modules are reached through its face.

No module imports another's private name (`from .times import _clock`), nor
reads one through the other module (`times._clock`). `migrate` writes a
document back as the normaliser reads it, through the names the normaliser's
package face lists (`hindsite.normalise.__all__`), never through the modules
behind it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hindsite
import hindsite.normalise

PACKAGE = Path(hindsite.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(text: str) -> list[str]:
    """Private names `text` takes from other modules: imported by name, or read from an imported module."""
    tree = ast.parse(text)
    modules: set[str] = set()  # names bound to imported modules in this file
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                           if alias.name.split(".")[0] == "hindsite")
        elif isinstance(node, ast.ImportFrom):
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"line {node.lineno}: from {source} import {alias.name}")
                elif source.startswith(".") or source.split(".")[0] == "hindsite":
                    modules.add(alias.asname or alias.name)  # `from . import urls`: maybe a module
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _is_private(node.attr)
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def normaliser_modules_used(text: str, here: list[str]) -> list[str]:
    """The modules inside `normalise/` that a file at package path `here` (its folders) imports from."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = here[: len(here) - node.level + 1] + (node.module or "").split(".")
            else:
                parts = (node.module or "").split(".")[1:] if (node.module or "").startswith("hindsite.") else []
            parts = [part for part in parts if part]
            if parts[:1] == ["normalise"] and len(parts) > 1:
                found.append(f"line {node.lineno}: {'.'.join(parts)}")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: {alias.name}" for alias in node.names
                      if alias.name.startswith("hindsite.normalise.")]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_takes_another_modules_private_names(path: Path) -> None:
    assert private_uses(path.read_text(encoding="utf-8")) == []


MIGRATE = sorted((PACKAGE / "commands" / "migrate").glob("*.py"))
assert MIGRATE, "migrate's modules moved: say where"


@pytest.mark.parametrize("path", MIGRATE, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_migrate_reads_documents_through_the_normalisers_face(path: Path) -> None:
    assert normaliser_modules_used(path.read_text(encoding="utf-8"), ["migrate"]) == []


def test_the_face_lists_what_it_offers() -> None:
    missing = [name for name in hindsite.normalise.__all__ if not hasattr(hindsite.normalise, name)]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("from .times import _clock, scan\n", ["line 1: from .times import _clock"]),
        ("from ..normalise.sections import _Splitter\n", ["line 1: from ..normalise.sections import _Splitter"]),
        ("from hindsite.read.files import _SafeLoader\n", ["line 1: from hindsite.read.files import _SafeLoader"]),
        ("from . import times\ntimes._clock(1)\n", ["line 2: times._clock"]),
        ("import hindsite.build as build\nbuild._plan()\n", ["line 2: build._plan"]),
        ("from .times import __doc__, scan\nself._own = 1\nimport os\nos._exit(0)\n", []),  # dunders, own, the stdlib's
    ],
)
def test_the_checker_finds_private_names(text: str, found: list[str]) -> None:
    assert private_uses(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("from ..normalise import normalise, parse_blocks\n", []),
        ("from ..normalise.sections import section_key\n", ["line 1: normalise.sections"]),
        ("from hindsite.normalise.times import scan\n", ["line 1: normalise.times"]),
        ("import hindsite.normalise.blocks\n", ["line 1: hindsite.normalise.blocks"]),
        ("from .record import words\n", []),
    ],
)
def test_the_checker_finds_modules_behind_the_face(text: str, found: list[str]) -> None:
    assert normaliser_modules_used(text, ["migrate"]) == found
