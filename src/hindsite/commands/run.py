"""What `hindsite check`, `inspect` and `export` run: the build's stages, for a command that publishes nothing.

`check` is the build writing nowhere (every document read, every page
rendered, every link checked); `inspect` reads one document as the build of
its content folder reads it; `export` reads documents with no site around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..build import BuildOptions, Output, all_incident_diagnostics, build, display_path, read_incident, read_incidents
from ..collect.archive import collect
from ..core import diagnostics as diag
from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic
from ..core.model import Incident
from ..read.files import discover
from .scaffold import unset_ci_installs


@dataclass(frozen=True, slots=True)
class Checked:
    """What `check` found: the incidents read, every diagnostic, and what stopped the build (also a diagnostic)."""

    incidents: tuple[Incident, ...]
    diagnostics: tuple[Diagnostic, ...]
    fatal: Diagnostic | None = None


def check_site(config: SiteConfig) -> Checked:
    """The build of the site without the write, and the CI files whose install command is still to be filled in.

    Its diagnostics, and so its exit status, are those `hindsite build` gives
    with the same configuration; only the output folder, which it never looks
    at, cannot stop it.
    """
    result = build(config, BuildOptions(output=Output.NOWHERE))
    unset = unset_ci_installs(config.root, display_path(config.root))
    return Checked(result.loaded.archive.incidents, (*result.diagnostics, *unset), result.fatal)


def check_paths(paths: Sequence[Path], config: SiteConfig) -> Checked:
    """The documents at `paths` read with no site around them: nothing is rendered."""
    incidents, problems = export_paths(paths, config)
    return Checked(tuple(incidents), tuple(problems))


def export_paths(paths: Sequence[Path], config: SiteConfig) -> tuple[list[Incident], list[Diagnostic]]:
    """Normalise the Markdown files at `paths` (files or folders) with no site around them."""
    incidents: list[Incident] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if not path.exists():
            problems.append(diag.error("content", f"{path} does not exist"))
            continue
        found, skipped = discover(path, str(path))
        problems += skipped
        if path.is_file():
            siblings = discover(path.parent, str(path.parent))[0]  # what the file's links may point at
            known = frozenset(str(f.rel) for f in siblings)
            incidents += [read_incident(f, config, known) for f in found]
            continue
        incidents += read_incidents(found, config)
    ordered = collect(incidents).incidents
    return list(ordered), problems + all_incident_diagnostics(ordered)


def inspect_file(file: Path, config: SiteConfig) -> tuple[Incident | None, list[Diagnostic]]:
    """One document as the build reads it: a file inside the content folder among all the folder's files (its
    links may point at any of them), any other alone with its own folder's. None when it could not be read."""
    within = _in_content(file, config)
    if within is None:
        incidents, problems = export_paths([file], config)
        return (incidents[0] if incidents else None), problems
    found, _ = discover(config.content_dir, display_path(config.content_dir))
    source = next((f for f in found if f.rel == within), None)
    if source is None:  # not a file the build reads (a named pipe, a hidden file): read alone, it says why
        incidents, problems = export_paths([file], config)
        return (incidents[0] if incidents else None), problems
    incident = read_incident(source, config, frozenset(str(f.rel) for f in found))
    return incident, list(incident.diagnostics)


def _in_content(file: Path, config: SiteConfig) -> PurePosixPath | None:
    """`file` relative to the content folder, as a build names it; None when it is outside."""
    try:
        return PurePosixPath(file.resolve().relative_to(config.content_dir.resolve()).as_posix())
    except ValueError:
        return None
