"""`hindsite` as a process: `main` leaves without tearing the interpreter down (`cli._leave`), and still exits with
click's status, its output whole and the handlers registered to run at exit run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeSite

#: The command line as the `hindsite` script starts it, with a handler that says when the exit handlers ran: into
#: a pipe's buffer, which leaving must still flush.
SCRIPT = ("import atexit; atexit.register(lambda: print('exit handlers ran')); "
          "from hindsite.commands.cli import main; main()")

DOCUMENT = "---\ntitle: Queue backlog\ndate: 2024-03-01\n---\n\n## Summary\n\nThe queue backed up.\n"
ACTIVE_ATTACHMENT = "<html><body><script>alert(1)</script></body></html>\n"  # an `unsafe-html` warning


@pytest.mark.parametrize(("args", "status"), [
    (("build",), 0),
    (("build", "--strict"), 1),  # the attachment's warning fails a strict build
    (("build", "--no-such-option"), 2),  # click's usage error
])
def test_the_process_exits_as_click_says_after_its_exit_handlers(
    args: tuple[str, ...], status: int, tmp_path: Path, make_site: MakeSite
) -> None:
    site = make_site(tmp_path, {"content/2024-03-01-queue.md": DOCUMENT, "content/page.html": ACTIVE_ATTACHMENT})
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=site, capture_output=True, text=True, timeout=120)
    assert done.returncode == status, done.stderr
    assert done.stdout.endswith("exit handlers ran\n")
    if status != 2:
        assert "unsafe-html" in done.stderr and (site / "_site" / "index.html").is_file()
    else:
        assert "No such option '--no-such-option'" in done.stderr


@pytest.mark.parametrize(("given", "status", "printed"), [
    ("'gave up'", 1, "gave up\n"),
    ("['a', 'list']", 1, "['a', 'list']\n"),
    ("None", 0, ""),
    ("3", 3, ""),
])
def test_what_is_given_to_exit_is_printed_and_exits_as_sys_exit_would(
    given: str, status: int, printed: str, tmp_path: Path
) -> None:
    script = f"import sys; from hindsite.commands import cli; cli.cli = lambda **_: sys.exit({given}); cli.main()"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (status, printed)
