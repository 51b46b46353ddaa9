"""Hostile bytes and pathological Markdown: each document is published or refused with a diagnostic,
the rest of the archive builds, and no input raises.

How long each of these takes is measured by bench/hostile.py, not asserted here.
"""

from __future__ import annotations

import errno
import html
import importlib
import os
import re
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import MakeSite, RunCli

from hindsite.core.config import load_config
from hindsite.core.diagnostics import Diagnostic, Level
from hindsite.incremental.changed import survey
from hindsite.read import files as read
from hindsite.read.files import SourceFile, discover
from hindsite.read.files import discover as discover_files
from hindsite.serve.session import Session
from hindsite.write import output as write

build_module = importlib.import_module("hindsite.build")  # `hindsite.build` the attribute is the function
from hindsite.commands.cli import cli
from hindsite.write.publish import lock_path

PATHOLOGICAL = {
    "underscores": "a_" * 30_000,
    "brackets": "[" * 20_000,
    "quotes": ">" * 5_000 + " nested",
    "table": "\n".join(["|" + "|".join(f"c{n}" for n in range(10_000)) + "|", "|" + "-|" * 10_000, "|" + "x|" * 10_000]),
    "emphasis": "*a **b " * 5_000,
    "backticks": "`" * 10_000 + "x" + "``" * 5_000,
    "links": "[x](" * 10_000,
    "entities": "&#x" * 20_000,
}


def page_text(site: Path, incident_id: str) -> str:
    page = (site / "_site" / "incidents" / f"{incident_id}.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_is_published_with_its_words(make_site: MakeSite, run_cli: RunCli, tmp_path: Path, name: str) -> None:
    body = f"---\ntitle: Pathological {name}\ndate: 2024-01-02\n---\n\nbeforeword\n\n{PATHOLOGICAL[name]}\n\nafterword\n"
    site = make_site(tmp_path, {f"content/{name}.md": body})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.stderr
    text = page_text(site, name)
    assert "beforeword" in text and "afterword" in text


def test_deeply_nested_quotes_keep_the_innermost_words(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/quotes.md": "# Deep\n\n" + ">" * 5_000 + " innermostword\n"})
    run_cli("build", cwd=site)
    assert "innermostword" in page_text(site, "quotes")


def test_lists_nested_too_deeply_are_published_flat_with_a_warning_at_their_line(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    nested = "\n".join("  " * depth + f"- word{depth}" for depth in range(200))
    site = make_site(tmp_path, {"content/deep.md": f"---\ntitle: Deep\ndate: 2024-01-02\n---\n\n{nested}\n\nafterword\n"})
    result = run_cli("build", cwd=site)
    (warning,) = [line for line in result.stderr.splitlines() if ": too-deep: " in line]
    first_flat = 6 + 31  # the body starts on line 6; the 32nd item is 64 levels down
    assert warning.startswith(f"content/deep.md:{first_flat}: warning: too-deep: lists and quotes nest deeper than 64 levels")
    words = page_text(site, "deep").split()
    assert [f"word{n}" for n in range(200) if f"word{n}" not in words] == [] and "afterword" in words


# --- one document never makes a site that grows with its square ------------------------------------

def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in (site / "_site").rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def empty_site_size(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The size of a site of one short document: what every site holds whatever its documents."""
    site = tmp_path_factory.mktemp("baseline") / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "case.md").write_text("---\ntitle: Case\ndate: 2024-01-02\n---\n\nBody.\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        assert CliRunner().invoke(cli, ["build", "-q"], catch_exceptions=False).exit_code == 0
    return site_size(site)


#: (front-matter, body, the names the incident's page must show)
MANY = {
    "2,000 tags": ("tags: [" + ", ".join(f"tag-{n}" for n in range(2_000)) + "]\n", "Body.",
                   {f"tag-{n}" for n in range(2_000)}),
    "50,000 action items": ("", "## Action items\n\n" + "\n".join(f"- [ ] Fix task-{n} (owner: @person-{n})" for n in range(50_000)),
                            {f"{kind}-{n}" for kind in ("task", "person") for n in range(50_000)}),
}


@pytest.mark.parametrize("case", MANY)
def test_one_document_makes_a_site_linear_in_its_size_and_keeps_every_name(
        make_site: MakeSite, run_cli: RunCli, tmp_path: Path, empty_site_size: int, case: str) -> None:
    front_matter, body, words = MANY[case]
    source = f"---\ntitle: Case\ndate: 2024-01-02\n{front_matter}---\n\n{body}\n"
    site = make_site(tmp_path, {"content/case.md": source})
    run_cli("build", "-q", cwd=site)
    assert site_size(site) - empty_site_size < 50 * len(source.encode())
    assert words - set(re.findall(r"[\w-]+", page_text(site, "case"))) == set()


def test_a_50_mb_pasted_log_is_refused_and_the_rest_builds(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    line = "2024-03-14T09:12:00.123Z ERROR [pool-7] connection reset by peer after 30000ms\n"
    log = "# Everything we saw\n\n```\n" + line * (50_000_000 // len(line)) + "```\n"
    site = make_site(tmp_path, {"content/huge.md": log, "content/small.md": "# Small outage\n\nA queue stalled.\n"})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert re.search(r"^content/huge\.md: error: too-large: the file is 47\.\d MB", result.stderr, re.M)
    assert "A queue stalled" in page_text(site, "small")


def test_the_size_limit_is_configurable(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/log.md": "# Log\n\n```\n" + "line\n" * 300_000 + "```\n"}, config="max_document_mb = 1\n")
    assert "too-large" in run_cli("build", cwd=site).stderr
    (site / "site.toml").write_text("max_document_mb = 2\n", encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0 and "too-large" not in result.stderr


def test_broken_bytes_each_get_their_diagnostic_and_the_rest_builds(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/picture.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        "content/blank.md": b"",
        "content/nul-bytes.md": b"# Nul\n\nwritten\x00word\n",
        "content/windows.md": "# Caf\u00e9 menu\r\n\r\nThe caf\u00e9 \u2013 down.\r".encode("cp1252"),
        "content/mac.md": b"# Old Mac\r\rcarriage\rreturns\r",
        "content/fine.md": "# Fine\n\nAll good.\n",
    })
    result = run_cli("build", cwd=site)
    found = {tuple(line.split(": ")[:3]) for line in result.stderr.splitlines() if ": " in line}
    assert ("content/picture.md", "error", "binary") in found
    assert ("content/blank.md", "warning", "empty-document") in found
    assert ("content/nul-bytes.md:3", "warning", "encoding") in found
    assert ("content/windows.md:1", "warning", "encoding") in found
    assert "All good." in page_text(site, "fine")
    assert "The caf\u00e9 \u2013 down." in page_text(site, "windows")
    assert "carriage" in page_text(site, "mac") and "returns" in page_text(site, "mac")
    assert "written\ufffdword" in page_text(site, "nul-bytes")


# --- every file is its own failure ---------------------------------------------------------------

DEEP = {
    "content/deep-toml.md": "+++\ntitle = 'Deep TOML'\ntags = " + "[" * 500 + "]" * 500 + "\n+++\n\nbodyword toml\n",
    "content/deep-yaml.md": "---\ntitle: Deep YAML\ntags: " + "[" * 250 + "]" * 250 + "\n---\n\nbodyword yaml\n",
    "content/fine.md": "# Fine\n\nAll good.\n",
}


@pytest.mark.parametrize(
    "command",
    [("build",), ("check",), ("export", "content"), ("inspect", "content/deep-yaml.md"), ("migrate", "content")],
    ids=lambda command: command[0],
)
def test_deeply_nested_front_matter_costs_only_its_block_in_every_command(
    make_site: MakeSite, run_cli: RunCli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    site = make_site(tmp_path, DEEP)
    result = run_cli(*command, cwd=site)  # a RecursionError would fail the test with its traceback
    assert re.search(r"content/deep-yaml\.md:3: error: bad-front-matter: .*more than 32 levels deep", result.output)
    if command[0] != "inspect":
        assert re.search(r"content/deep-toml\.md:3: error: bad-front-matter: .*more than 32 levels deep", result.output)
    if command[0] == "build":
        assert "bodyword yaml" in page_text(site, "deep-yaml") and "bodyword toml" in page_text(site, "deep-toml")
        assert "All good." in page_text(site, "fine")


def test_deeply_nested_front_matter_costs_only_its_block_in_the_preview(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, DEEP, config="")
    monkeypatch.chdir(site)
    result = Session(load_config(site / "site.toml", output_dir=site / "_preview")).rebuild()
    assert sorted((d.path, d.code) for d in result.diagnostics if d.level is Level.ERROR) == [
        ("content/deep-toml.md", "bad-front-matter"), ("content/deep-yaml.md", "bad-front-matter")]
    assert result.incident_count == 3


SPECIAL_FILES = """
import os, socket, sys
from hindsite.commands.cli import main
os.mkfifo("content/pipe.md")
os.mkfifo("content/pipe.html")
with socket.socket(socket.AF_UNIX) as server:
    server.bind("content/socket.md")
sys.argv = ["hindsite", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("command", ["build", "check"])
def test_named_pipes_and_sockets_are_reported_and_never_opened(make_site: MakeSite, tmp_path: Path, command: str) -> None:
    site = make_site(tmp_path, {"content/fine.md": "# Fine\n\nAll good.\n", "content/graph.png": b"\x89PNG\r\n"})
    # in a process of its own, so that a build waiting on a pipe fails the test instead of hanging it
    done = subprocess.run([sys.executable, "-c", SPECIAL_FILES, command], cwd=site, capture_output=True, text=True, timeout=120)
    warned = sorted(line.split(": ")[0] for line in done.stderr.splitlines() if ": warning: special-file:" in line)
    assert warned == ["content/pipe.html", "content/pipe.md", "content/socket.md"], done.stderr
    assert done.returncode == 0, done.stderr
    if command == "build":
        assert "All good." in page_text(site, "fine")
        assert (site / "_site" / "files" / "graph.png").is_file()


def test_inspect_of_a_named_pipe_says_what_it_is(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    os.mkfifo(site / "content" / "pipe.md")
    result = run_cli("inspect", "content/pipe.md", cwd=site)
    assert result.exit_code == 1
    assert "content/pipe.md: warning: special-file: this is a named pipe" in result.stderr


def with_a_deleted_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """List a document that is deleted before it is read, as if someone removed it while the site was building."""
    def discover_and_lose_one(root: Path, shown_root: str | None = None) -> tuple[list[SourceFile], list[Diagnostic]]:
        found, problems = discover(root, shown_root)
        if root.name != "content":
            return found, problems
        gone = SourceFile(root / "deleted.md", PurePosixPath("deleted.md"), f"{shown_root}/deleted.md")
        return sorted([*found, gone], key=lambda f: str(f.rel)), problems

    monkeypatch.setattr(build_module, "discover", discover_and_lose_one)


def test_a_document_deleted_during_the_build_is_reported_and_the_rest_builds(
    make_site: MakeSite, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, {"content/fine.md": "# Fine\n\nAll good.\n"})
    with_a_deleted_document(monkeypatch)
    result = run_cli("build", cwd=site)
    assert "content/deleted.md: error: vanished: the file was deleted or renamed while the site was being built" in result.stderr
    assert "All good." in page_text(site, "fine")


def test_a_document_deleted_during_a_preview_rebuild_is_reported(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, {"content/fine.md": "# Fine\n\nAll good.\n"}, config="")
    monkeypatch.chdir(site)
    with_a_deleted_document(monkeypatch)
    result = Session(load_config(site / "site.toml", output_dir=site / "_preview")).rebuild()  # raised FileNotFoundError
    assert [(d.path, d.code) for d in result.diagnostics if d.level is Level.ERROR] == [("content/deleted.md", "vanished")]


def test_a_failure_while_reading_one_document_costs_only_that_document(
    make_site: MakeSite, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, {"content/fine.md": "# Fine\n\nAll good.\n", "content/trips.md": "# Trips\n\nA bug.\n"})
    split = read.split_front_matter

    def trip_on_one(text: str, source: str, *args: Any) -> Any:
        if source.endswith("trips.md"):
            raise ValueError("a bug in reading")
        return split(text, source, *args)

    monkeypatch.setattr(read, "split_front_matter", trip_on_one)
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert re.search(r"content/trips\.md: error: internal-error: hindsite could not read this document "
                     r"\(ValueError: a bug in reading at test_hostile_input\.py:\d+\)", result.stderr)
    assert "All good." in page_text(site, "fine")


def test_the_cache_survey_reads_no_more_of_a_huge_document_than_the_limit(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/fine.md": "# Fine\n"}, config="max_document_mb = 1\n")
    with open(site / "content" / "huge.md", "wb") as huge:
        huge.truncate(64 * 1048576)  # sparse: 64 MB that take no room on disk, but would in memory
    config = load_config(site / "site.toml")
    tracemalloc.start()
    surveyed = survey(discover_files(config.content_dir)[0], config, None, None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(surveyed.keys) == 2
    assert peak < 8 * 1048576


# --- what the sanitiser removes is reported -------------------------------------------------------

REMOVED = {
    "script-block": ("<script>alert(1)</script>", "<script>"),
    "handler-inline": ('Call <b onclick="steal()">ops</b> now.', "the onclick attribute"),
    "javascript-link": ("See [the runbook](javascript:alert(1)).", "a link to a javascript: URL"),
    "vbscript-in-img-with-tab": ('<img src="vb\tscript:msgbox(1)">', "a vbscript: URL"),
    "data-html-href": ('<a href="data:text/html,<script>x</script>">x</a>', "a data: URL"),
    "iframe": ('<iframe src="https://example.test/"></iframe>', "<iframe>"),
    "form": ('<form action="https://example.test/"><input></form>', "<form>"),
    "inline-svg": ("<svg><text>drawn words</text></svg>", "<svg>"),
    "meta-refresh": ('<meta http-equiv="refresh" content="0;url=https://example.test/">', "<meta>"),
}

KEPT = {
    "fenced-code": "```html\n<script>alert(1)</script>\n```",
    "inline-code": "Never write `<script>` into a page.",
    "harmless-markup": '<div class="note"><b>Bold</b> and <a href="https://example.test/">a link</a></div>',
    "app-link": "Ping [the channel](slack://channel?id=C1).",
    "relative-image": "![graph](graph.png)",
}


def build_one(make_site: MakeSite, run_cli: RunCli, tmp_path: Path, body: str) -> tuple[str, list[str]]:
    text = f"---\ntitle: Raw HTML\ndate: 2024-01-02\n---\n\n## Summary\n\n{body}\n"
    site = make_site(tmp_path, {"content/raw.md": text, "content/graph.png": b"\x89PNG\r\n"})
    result = run_cli("build", cwd=site)
    return text, [line for line in result.stderr.splitlines() if ": warning: unsafe-html:" in line]


@pytest.mark.parametrize("case", REMOVED)
def test_what_the_sanitiser_removes_is_reported_at_its_line(make_site: MakeSite, run_cli: RunCli, tmp_path: Path, case: str) -> None:
    body, named = REMOVED[case]
    text, found = build_one(make_site, run_cli, tmp_path, body)
    (warning,) = found
    line = text.split("\n").index(body.split("\n")[0]) + 1
    assert warning.startswith(f"content/raw.md:{line}: warning: unsafe-html: removed from the published page: {named}")


@pytest.mark.parametrize("case", KEPT)
def test_code_and_harmless_markup_are_not_reported(make_site: MakeSite, run_cli: RunCli, tmp_path: Path, case: str) -> None:
    assert build_one(make_site, run_cli, tmp_path, KEPT[case])[1] == []


def test_attached_pages_with_scripts_are_reported(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/a.md": "# A\n\n![diagram](diagram.svg) and [export](export.html)\n",
        "content/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
        "content/export.html": "<html><body><p>Dashboard</p><img src=x onerror=alert(1)></body></html>",
    })
    result = run_cli("build", cwd=site)
    found = [line for line in result.stderr.splitlines() if "unsafe-html" in line]
    assert found == [
        "content/export.html: warning: unsafe-html: this attachment contains the onerror attribute; it is published "
        "as it is, and a browser that opens it runs it as part of the site — remove them, or serve files/ with "
        "'Content-Security-Policy: sandbox' (docs/security.md)"
    ]


# --- paths and links out of the content folder ------------------------------------------------------

SECRET = "outside-secret-7f3a"


def snapshot(root: Path, but: Path) -> dict[str, bytes]:
    """Every file under `root` except the output folder `but`, and the build cache and the lock file beside it."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.is_symlink() and not p.is_relative_to(but)
            and not p.is_relative_to(but.parent / ".hindsite-cache") and p != lock_path(but)}


def published_text(output: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in output.rglob("*") if p.is_file())


def test_symlinks_out_of_the_content_folder_are_skipped_with_a_warning(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# Secret\n\n{SECRET}\n", encoding="utf-8")
    (outside / "notes").mkdir()
    (outside / "notes" / "more.md").write_text(f"# More\n\n{SECRET}\n", encoding="utf-8")
    site = make_site(tmp_path, {"content/real.md": "# Real\n\nA real postmortem.\n"})
    content = site / "content"
    (content / "linked.md").symlink_to(outside / "secret.md")
    (content / "linked-folder").symlink_to(outside / "notes", target_is_directory=True)
    (content / "loop-a.md").symlink_to(content / "loop-b.md")
    (content / "loop-b.md").symlink_to(content / "loop-a.md")
    (content / "dangling.md").symlink_to(content / "gone.md")
    (content / "inside.md").symlink_to(content / "real.md")
    result = run_cli("build", cwd=site)
    warned = sorted(line.split(": ")[0] for line in result.stderr.splitlines() if ": warning: symlink:" in line)
    assert warned == ["content/dangling.md", "content/linked-folder", "content/linked.md", "content/loop-a.md", "content/loop-b.md"]
    assert SECRET not in published_text(site / "_site")
    assert "A real postmortem." in page_text(site, "inside")  # a link to a file inside the content folder is fine


def test_references_that_climb_out_never_read_or_write_outside(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_text(SECRET, encoding="utf-8")
    body = "\n\n".join([
        "# Climbing", "![a](../../secret.png)", "![b](/etc/passwd)", "![c](C:\\Windows\\win.ini)",
        "[d](file:///etc/passwd)", "![e](..%2F..%2Fsecret.png)", '<img src="../../../secret.png">',
        "[f](\\\\server\\share\\x.png)",
    ])
    site = make_site(tmp_path, {"content/climb.md": body, "content/back\\slash.png": b"png", "content/aux.png": b"png"})
    before = snapshot(tmp_path, site / "_site")
    result = run_cli("build", cwd=site)
    assert snapshot(tmp_path, site / "_site") == before  # nothing written anywhere but the output folder
    output = (site / "_site").resolve()
    assert all(p.resolve().is_relative_to(output) for p in output.rglob("*"))
    assert SECRET not in published_text(output)
    assert "content/back\\slash.png: error: output: refusing to write" in result.stderr
    assert (output / "files" / "aux.png").is_file()


# --- the output folder ------------------------------------------------------------------------------

GOOD = {"content/a.md": "# Queue stalled\n\nThe queue stalled.\n", "content/b.md": "# Disk full\n\nThe disk filled.\n"}


def site_bytes(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if ".building-" in p.name or ".old-" in p.name)


def test_a_foreign_output_folder_is_refused_unless_forced(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {**GOOD, "public/CNAME": "incidents.example.test\n", "public/old.html": "another tool"})
    refused = run_cli("build", "-o", "public", cwd=site)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert (site / "public" / "old.html").read_text(encoding="utf-8") == "another tool"
    forced = run_cli("build", "-o", "public", "--force", cwd=site)
    assert forced.exit_code == 0, forced.stderr
    assert not (site / "public" / "old.html").exists()
    assert (site / "public" / "CNAME").read_text(encoding="utf-8") == "incidents.example.test\n"
    assert "The queue stalled." in (site / "public" / "incidents" / "a.html").read_text(encoding="utf-8")


def test_a_broken_template_leaves_the_previous_site_byte_identical(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, GOOD)
    assert run_cli("build", cwd=site).exit_code == 0
    before = site_bytes(site / "_site")
    (site / "content" / "a.md").write_text("# Changed\n\nChanged.\n", encoding="utf-8")
    (site / "overrides").mkdir()
    (site / "overrides" / "incident.html").write_text("{% extends 'base.html' %}{% block content %}{{ broken(", encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1 and ": error: template:" in result.stderr
    assert site_bytes(site / "_site") == before
    assert leftovers(site) == []


def test_a_full_disk_leaves_the_previous_site_and_says_so(make_site: MakeSite, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path, GOOD)
    run_cli("build", cwd=site)
    before = site_bytes(site / "_site")
    (site / "content" / "a.md").write_text("# Changed\n\nChanged.\n", encoding="utf-8")
    written: list[str] = []
    real_write = write._write_one

    def fill_up(staging: Path, file: write.OutputFile, previous: Path | None) -> None:
        if len(written) == 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / file.path))
        written.append(file.path)
        real_write(staging, file, previous)

    monkeypatch.setattr(write, "_write_one", fill_up)
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert "error: output: could not write the site" in result.stderr and "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert site_bytes(site / "_site") == before
    assert leftovers(site) == []


KILL_ON_FIFTH_FILE = """
import os, signal, sys
from hindsite.write import output as write
from hindsite.commands.cli import main
real, count = write._write_one, [0]
def write_one(staging, file, previous):
    count[0] += 1
    if count[0] == 5:
        os.kill(os.getpid(), signal.SIGTERM)
    real(staging, file, previous)
write._write_one = write_one
sys.argv = ["hindsite", "build"]
main()
"""


def test_a_terminated_build_leaves_the_previous_site_and_no_temporary_folder(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, GOOD)
    run_cli("build", cwd=site)
    before = site_bytes(site / "_site")
    (site / "content" / "a.md").write_text("# Changed\n\nChanged.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", KILL_ON_FIFTH_FILE], cwd=site, capture_output=True, text=True, timeout=120)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert f"Stopped: the previous site in {(site / '_site').resolve()} is unchanged." in done.stderr
    assert site_bytes(site / "_site") == before
    assert leftovers(site) == []
