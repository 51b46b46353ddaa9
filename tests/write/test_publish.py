"""Putting a site in place: whole at every instant, whatever kills the build; one build at a time; readable by others.

Builds run as real processes here. A build is stopped at a named step of the swap
by `publish.reached`, replaced in the child process (a seam, not a race): SIGKILL
for a crash, SIGSTOP for a build that holds the output while another starts.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

from hindsite.write import publish
from hindsite.write.output import MARKER, OutputFile, write_site
from hindsite.write.publish import KEPT, lock_path

#: `python -c HALT STEP SIGNAL SWAP ARGS...`: hindsite ARGS, sending itself SIGNAL when the swap reaches STEP.
#: SWAP is "exchange" (one step, where the system has it) or "renames" (two renames, as where it has not).
HALT = """
import os, signal, sys
from hindsite.write import publish
from hindsite.commands.cli import main
step, stop, swap = sys.argv[1], getattr(signal, sys.argv[2]), sys.argv[3]
publish.reached = lambda name: os.kill(os.getpid(), stop) if name == step else None
if swap == "renames":
    publish.exchange = lambda first, second: False
sys.argv = ["hindsite", *sys.argv[4:]]
main()
"""

GOOD = {
    "content/a.md": "# Queue stalled\n\nThe queue stalled.\n",
    "content/b.md": "# Disk full\n\nThe disk filled.\n",
    "content/graph.png": b"\x89PNG\r\n",
}
PUBLISHING = {".git/HEAD": "ref: refs/heads/gh-pages\n", "CNAME": "incidents.example.test\n", ".nojekyll": ""}


def halted(site: Path, step: str, stop: str, swap: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", HALT, step, stop, swap, *args], cwd=site, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def hindsite(site: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "hindsite", *args], cwd=site, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def rebuilt(site: Path) -> int:
    """The exit status of the next build, run to its end."""
    return subprocess.run([sys.executable, "-m", "hindsite", "build", "--no-cache"], cwd=site, capture_output=True,
                          timeout=300).returncode


def site_files(output: Path) -> dict[str, bytes]:
    """The site's own files: what a build writes, without what a publishing set-up keeps."""
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*"))
            if p.is_file() and p.relative_to(output).parts[0] not in KEPT}


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if ".building-" in p.name or ".old-" in p.name)


def publishing_files(output: Path) -> dict[str, str]:
    return {name: (output / name).read_text(encoding="utf-8") for name in PUBLISHING}


@pytest.fixture
def published(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A site with a published build and a gh-pages checkout's files in its output, and a document edited since;
    with the site's own files before the edit and after it."""
    site = make_site(tmp_path, GOOD)
    assert run_cli("build", "--no-cache", cwd=site).exit_code == 0
    before = site_files(site / "_site")
    for name, text in PUBLISHING.items():
        (site / "_site" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "_site" / name).write_text(text, encoding="utf-8")
    (site / "content" / "a.md").write_text("# Queue stalled\n\nThe queue stalled again.\n", encoding="utf-8")
    assert run_cli("build", "--no-cache", "-o", str(tmp_path / "edited"), cwd=site).exit_code == 0
    return site, before, site_files(tmp_path / "edited")


# --- a build killed at any step -------------------------------------------------------------------------


@pytest.mark.parametrize(("swap", "step"), [
    ("exchange", "staged"), ("exchange", "kept"), ("exchange", "swapped"),
    ("renames", "staged"), ("renames", "kept"), ("renames", "swapped"),
])
def test_a_build_killed_during_the_swap_leaves_a_whole_site_and_the_next_keeps_git_and_cname(
    published: tuple[Path, dict[str, bytes], dict[str, bytes]], swap: str, step: str
) -> None:
    site, before, after = published
    killed = halted(site, step, "SIGKILL", swap, "build", "--no-cache")
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert site_files(site / "_site") == (after if step == "swapped" else before)  # old or new, never a mix
    assert rebuilt(site) == 0
    assert site_files(site / "_site") == after
    assert publishing_files(site / "_site") == PUBLISHING
    assert leftovers(site) == []


def test_a_build_killed_between_two_renames_has_its_old_site_put_back_by_the_next(
    published: tuple[Path, dict[str, bytes], dict[str, bytes]]
) -> None:
    site, before, after = published
    killed = halted(site, "retired", "SIGKILL", "renames", "build", "--no-cache")
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert not (site / "_site").exists()  # the one instant without a site, where the system has no exchange
    publish.recover((site / "_site").resolve())
    assert site_files(site / "_site") == before and publishing_files(site / "_site") == PUBLISHING
    assert rebuilt(site) == 0
    assert site_files(site / "_site") == after and publishing_files(site / "_site") == PUBLISHING
    assert leftovers(site) == []


@pytest.mark.parametrize("step", ["staged", "kept", "swapped"])
def test_a_build_terminated_during_the_swap_finishes_it_and_says_so(
    published: tuple[Path, dict[str, bytes], dict[str, bytes]], step: str
) -> None:
    site, _, after = published
    stopped = halted(site, step, "SIGTERM", "renames", "build", "--no-cache")
    _, err = stopped.communicate(timeout=300)
    assert stopped.returncode == 128 + signal.SIGTERM
    assert f"Stopped: the new site is in place in {(site / '_site').resolve()}." in err
    assert site_files(site / "_site") == after and publishing_files(site / "_site") == PUBLISHING


# --- one build at a time ------------------------------------------------------------------------------


def test_a_second_build_waits_for_the_first_and_both_publish_a_whole_site(
    make_site: MakeSite, run_cli: RunCli, tmp_path: Path
) -> None:
    site = make_site(tmp_path, GOOD)
    assert run_cli("build", "--no-cache", "-o", str(tmp_path / "reference"), cwd=site).exit_code == 0
    first = halted(site, "staged", "SIGSTOP", "exchange", "build", "--no-cache")
    _, status = os.waitpid(first.pid, os.WUNTRACED)  # until the first build, its site staged, stops itself
    assert os.WIFSTOPPED(status)
    second = hindsite(site, "build", "--no-cache")
    try:
        said = second.stderr.readline()  # the second's first word, or nothing if it ran to its end
        assert said.startswith("hindsite: waiting for another build (process "), said
        assert f"process {first.pid})" in said and second.poll() is None
    finally:
        os.kill(first.pid, signal.SIGCONT)
    first.communicate(timeout=300)
    second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0
    assert site_files(site / "_site") == site_files(tmp_path / "reference")
    assert leftovers(site) == []


def test_a_build_gives_up_waiting_for_a_stuck_one_and_writes_nothing(
    make_site: MakeSite, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, GOOD)
    assert run_cli("build", cwd=site).exit_code == 0
    before = site_files(site / "_site")
    stuck = halted(site, "staged", "SIGSTOP", "exchange", "build", "--no-cache")
    try:
        os.waitpid(stuck.pid, os.WUNTRACED)
        monkeypatch.setattr(publish, "LOCK_WAIT_SECONDS", 0.3)
        result = run_cli("build", "--no-cache", cwd=site)
    finally:
        stuck.kill()
        stuck.communicate(timeout=60)
    assert result.exit_code == 1
    (problem,) = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert problem.startswith(f"<site>: error: output-busy: another build (process {stuck.pid}) has been writing to ")
    assert "Open " not in result.stderr
    assert site_files(site / "_site") == before


def test_the_lock_is_a_file_beside_the_output_never_in_the_site(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, GOOD)
    assert run_cli("build", cwd=site).exit_code == 0
    assert lock_path((site / "_site").resolve()) == site / "._site.lock"
    assert (site / "._site.lock").is_file()
    assert not any("lock" in p.name for p in (site / "_site").rglob("*"))


# --- permissions -------------------------------------------------------------------------------------------


def modes(output: Path) -> set[tuple[str, int]]:
    return {("folder" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode)) for p in [output, *output.rglob("*")]}


@pytest.mark.parametrize(("umask", "folders", "files"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_the_site_has_the_permissions_the_umask_gives(tmp_path: Path, umask: int, folders: int, files: int) -> None:
    attachment = tmp_path / "graph.png"
    attachment.write_bytes(b"PNG")
    attachment.chmod(0o600)  # an attachment's own permissions are not published
    site = [OutputFile("index.html", "index", text="home"), OutputFile("files/graph.png", "graph", copy_from=attachment),
            OutputFile("incidents.json", "export", pieces=lambda: ["[", "]"])]
    previous = os.umask(0o077)
    try:
        write_site(site, tmp_path / "out")  # a build under a stricter umask, whose files are unchanged next time
        os.umask(umask)
        write_site(site, tmp_path / "out")
    finally:
        os.umask(previous)
    assert modes(tmp_path / "out") == {("folder", folders), ("file", files)}
    assert (tmp_path / "out" / MARKER).is_file()
