"""`hindsite` as a process: `main` leaves without tearing the interpreter down (`cli._leave`), and still exits with
click's status, its output whole and the handlers registered to run at exit run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeSite

#: The command line as the `hindsite` script starts it, with a handler that says when the exit handlers ran.
SCRIPT = ("import atexit; atexit.register(lambda: print('exit handlers ran', flush=True)); "
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


def test_a_message_given_to_exit_is_printed_and_exits_with_one(tmp_path: Path) -> None:
    script = "import sys; from hindsite.commands import cli; cli.cli = lambda **_: sys.exit('gave up'); cli.main()"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (1, "gave up\n")
