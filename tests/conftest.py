"""Shared helpers: small sites written on the fly, and the CLI run in-process."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hindsite.commands.cli import cli

MakeSite = Callable[..., Path]
RunCli = Callable[..., Result]


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` (paths relative to `root`) under `root`, creating folders."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def make_site() -> MakeSite:
    """`make_site(tmp_path, files={"content/a.md": "..."}, config="title = 'x'")` → the site folder.

    Keys of `files` are relative to the site folder (so `content/...`,
    `overrides/...`); `config`, when given, is written as `site.toml`. The
    content folder always exists, even when `files` puts nothing in it.
    """

    def _make(root: Path, files: Mapping[str, str | bytes] | None = None, config: str | None = None) -> Path:
        site = root / "site"
        (site / "content").mkdir(parents=True, exist_ok=True)
        write_files(site, files or {})
        if config is not None:
            (site / "site.toml").write_text(config, encoding="utf-8")
        return site

    return _make


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """`run_cli("build", "--strict", cwd=site)` → click's `Result` (exit_code, stdout, stderr, output).

    The command runs in-process with the working directory changed for the
    duration of the call only. Unexpected exceptions are not caught, so a crash
    fails the test with its traceback instead of looking like exit code 1.
    """

    def _run(*args: str, cwd: Path) -> Result:
        runner = CliRunner()  # click >= 8.2 keeps stdout and stderr apart
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            return runner.invoke(cli, list(args), prog_name="hindsite", catch_exceptions=False)

    return _run
