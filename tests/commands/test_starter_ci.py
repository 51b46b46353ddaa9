"""The CI files `hindsite init` writes, run for real: they install hindsite from where `--install` says and build.

hindsite's wheel is built from this tree and served from a PEP 503 "simple" package index on 127.0.0.1, as a
team's own index would serve it; dependencies come from the index pip is set up with, as on a CI runner. The
commands of each CI file then run in a new virtual environment, with nothing of this one on the PATH; only
the steps that need GitHub itself (`uses:` actions: checkout, setup-python, the Pages upload) are left out.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import RunCli

from hindsite import __version__

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 300  # for one command: pip may have to download the dependencies


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def package_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a package index on 127.0.0.1 that serves hindsite's wheel, built from this tree."""
    root = tmp_path_factory.mktemp("index")
    project = root / "simple" / "hindsite"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(project), str(REPO)],
                   check=True, timeout=TIMEOUT, capture_output=True)
    [wheel] = project.glob("hindsite-*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (project / "index.html").write_text(
        f'<!DOCTYPE html>\n<html><body><a href="{wheel.name}#sha256={digest}">{wheel.name}</a></body></html>\n')
    (root / "simple" / "index.html").write_text('<!DOCTYPE html>\n<html><body><a href="hindsite/">hindsite</a></body></html>\n')
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def new_archive(tmp_path: Path, run_cli: RunCli, package_index: str) -> Path:
    archive = tmp_path / "archive"
    result = run_cli("init", str(archive), "--install", f"hindsite=={__version__} --extra-index-url {package_index}",
                     cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    return archive


def clean_environment(venv: Path) -> dict[str, str]:
    """The environment of a CI job whose `python` is `venv`'s: this test's own environment is not on the PATH."""
    ours = {Path(sys.executable).parent, Path(sys.prefix) / "bin"}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) not in ours]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    return env


def run_ci_commands(commands: list[str], archive: Path, env: Mapping[str, str]) -> None:
    """Each command as a CI runner's shell runs it (GitHub's default: bash -eo pipefail), in the archive's folder."""
    for command in commands:
        ran = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command], cwd=archive,
                             env=dict(env), capture_output=True, text=True, timeout=TIMEOUT, check=False)
        assert ran.returncode == 0, f"{command}\n--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"


@pytest.fixture(scope="module")
def pristine_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with nothing but pip, made once: each test runs CI in a copy of its own."""
    venv = tmp_path_factory.mktemp("pristine") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT, capture_output=True)
    return venv


def new_venv(pristine: Path, tmp_path: Path) -> Path:
    venv = tmp_path / "ci-python"
    shutil.copytree(pristine, venv, symlinks=True)  # a venv finds its prefix from where its python is
    assert not list(venv.glob("lib/python*/site-packages/hindsite*"))
    return venv


def assert_installed_from_this_tree(venv: Path) -> None:
    [installed] = venv.glob("lib/python*/site-packages/hindsite/__init__.py")
    assert installed.read_bytes() == (REPO / "src" / "hindsite" / "__init__.py").read_bytes()


def test_the_github_workflow_installs_hindsite_from_the_given_index_and_builds_the_site(
    package_index: str, pristine_venv: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    archive = new_archive(tmp_path, run_cli, package_index)
    workflow = yaml.safe_load((archive / ".github/workflows/hindsite.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    commands = [step["run"] for step in steps if "run" in step]
    assert [step["uses"].split("@")[0] for step in steps if "run" not in step] == [
        "actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact"]
    assert commands[0] == f"python -m pip install hindsite=={__version__} --extra-index-url {package_index}"

    venv = new_venv(pristine_venv, tmp_path)
    run_ci_commands(commands, archive, clean_environment(venv))
    assert_installed_from_this_tree(venv)
    assert (archive / "_site" / "index.html").is_file()
    assert list((archive / "_site" / "incidents").glob("*.html"))


def test_the_gitlab_pipeline_installs_hindsite_from_the_given_index_and_builds_the_site(
    package_index: str, pristine_venv: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    archive = new_archive(tmp_path, run_cli, package_index)
    pipeline = yaml.safe_load((archive / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    commands = [*pipeline["default"]["before_script"], *pipeline["check"]["script"], *pipeline["pages"]["script"]]
    assert commands[0] == f"python -m pip install hindsite=={__version__} --extra-index-url {package_index}"

    venv = new_venv(pristine_venv, tmp_path)
    run_ci_commands(commands, archive, clean_environment(venv))
    assert_installed_from_this_tree(venv)
    assert (archive / "public" / "index.html").is_file()
