"""commands.py: `check` is the build without the write, and `inspect` reads a document as the build does."""

from __future__ import annotations

import builtins
import errno
import os
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

ALPHA = """---
title: Alpha
date: 2024-01-01
services: [queue]
---

## Summary

The queue stalled. See [what beta said](2024-01-02-beta.md#LINK) too.
"""

BETA = """---
title: Beta
date: 2024-01-02
---

## Summary

The cache was cold.

## Root cause

A deploy emptied it.
"""

#: Archives on which `check` and `build` must agree: (files, what is given on the command line).
ARCHIVES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "clean": ({"content/2024-01-01-alpha.md": ALPHA.replace("LINK", "s-root-cause"),
               "content/2024-01-02-beta.md": BETA}, ()),
    "broken-anchor": ({"content/2024-01-01-alpha.md": ALPHA.replace("LINK", "no-such-part"),
                       "content/2024-01-02-beta.md": BETA}, ()),
    "template-error": ({"content/2024-01-01-alpha.md": ALPHA.replace("LINK", "s-root-cause"),
                        "content/2024-01-02-beta.md": BETA,
                        "overrides/stats.html": "{% extends 'theme/stats.html' %}{% block main %}{{ no_such_name }}"
                                                "{% endblock %}"}, ()),
    "no-documents": ({"content/notes.txt": "nothing to publish"}, ()),
    "no-content-folder": ({"content/2024-01-02-beta.md": BETA}, ("--content", "elsewhere")),
}


def diagnostic_lines(stderr: str) -> list[str]:
    """The diagnostics a command printed, in order; its summary lines left out."""
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under `folder`: (size, modification time)."""
    return {p.relative_to(folder).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.parametrize("archive", sorted(ARCHIVES))
@pytest.mark.parametrize("strict", [(), ("--strict",)], ids=["lenient", "strict"])
def test_check_fails_exactly_where_build_fails_and_says_the_same(
    archive: str, strict: tuple[str, ...], tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    files, given = ARCHIVES[archive]
    site = make_site(tmp_path, files, 'title = "Agreeing"\n')
    checked = run_cli("check", *given, *strict, cwd=site)
    assert not (site / "_site").exists() and not (site / "._site.lock").exists()  # check writes nothing at all
    assert not (site / ".hindsite-cache").exists()
    built = run_cli("build", *given, *strict, cwd=site)
    assert diagnostic_lines(checked.stderr) == diagnostic_lines(built.stderr)
    assert checked.exit_code == built.exit_code
    if archive == "broken-anchor":
        assert checked.exit_code == (1 if strict else 0)
        [line] = diagnostic_lines(checked.stderr)
        assert "content/2024-01-01-alpha.md" in line and "broken-link" in line and "#no-such-part" in line
    elif archive == "template-error":
        assert checked.exit_code == 1 and "stats.html" in diagnostic_lines(checked.stderr)[0]


def test_check_never_touches_the_output_folder(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    files, _ = ARCHIVES["broken-anchor"]
    site = make_site(tmp_path, files)
    assert run_cli("build", cwd=site).exit_code == 0
    before = tree(site / "_site")
    lock = (site / "._site.lock").stat().st_mtime_ns
    (site / "content" / "2024-01-02-beta.md").write_text(BETA.replace("cold", "colder"), encoding="utf-8")
    assert run_cli("check", "--strict", cwd=site).exit_code == 1
    assert tree(site / "_site") == before
    assert (site / "._site.lock").stat().st_mtime_ns == lock


def test_check_reads_the_folder_given_to_content(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {"drafts/2024-01-01-alpha.md": ALPHA.replace("LINK", "no-such-part"),
                                "drafts/2024-01-02-beta.md": BETA, "content/2024-01-02-beta.md": BETA})
    result = run_cli("check", "--content", "drafts", "--strict", cwd=site)
    assert "Data quality of 2 incidents" in result.stdout
    assert any(line.startswith("drafts/2024-01-01-alpha.md") for line in diagnostic_lines(result.stderr))
    assert result.exit_code == 1


def test_check_takes_paths_or_a_content_folder_not_both(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {"content/2024-01-02-beta.md": BETA})
    result = run_cli("check", "content/2024-01-02-beta.md", "--content", "content", cwd=site)
    assert result.exit_code == 2 and "not both" in result.stderr


def test_an_attachment_only_copying_finds_unreadable_is_reported_by_check_too(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, {"content/2024-01-02-beta.md": BETA, "content/trace.txt": "a trace\n"})
    attachment = site / "content" / "trace.txt"
    real_open = open

    def refusing(file, *args, **kwargs):  # type: ignore[no-untyped-def]  # as chmod 000 would, to anyone but root
        if not isinstance(file, int) and Path(file) == attachment:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    checked, built = run_cli("check", cwd=site), run_cli("build", cwd=site)
    assert diagnostic_lines(checked.stderr) == diagnostic_lines(built.stderr) != []
    assert "content/trace.txt: error: unreadable: " in checked.stderr
    assert checked.exit_code == built.exit_code == 1


# --- inspect --------------------------------------------------------------------------------------------------


NESTED = """---
title: Nested
date: 2024-03-01
---

## Summary

The graph ![graph](../graphs/missing.png) and the log [log](../logs/run.txt).
"""


def test_inspect_reads_a_document_among_its_content_folder_as_the_build_does(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    """A link that climbs out of the document's own folder points into the content folder: the build checks it."""
    site = make_site(tmp_path, {"content/2024/nested.md": NESTED, "content/logs/run.txt": "log"})
    inspected = run_cli("inspect", "content/2024/nested.md", cwd=site)
    built = run_cli("build", cwd=site)
    [reported] = [line for line in diagnostic_lines(built.stderr) if "missing-asset" in line]
    assert "../graphs/missing.png" in reported
    [shown] = [line for line in inspected.stdout.splitlines() if "missing-asset" in line]
    assert reported.split("missing-asset: ", 1)[1] in shown, inspected.stdout


def test_inspect_reads_a_document_in_the_folder_given_to_content(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {"drafts/2024/nested.md": NESTED, "drafts/logs/run.txt": "log"})
    given = run_cli("inspect", "--content", "drafts", "drafts/2024/nested.md", cwd=site)
    alone = run_cli("inspect", "drafts/2024/nested.md", cwd=site)  # outside content/: read with its own folder
    assert [line for line in given.stdout.splitlines() if "missing-asset" in line] != []
    assert [line for line in alone.stdout.splitlines() if "missing-asset" in line] == []
