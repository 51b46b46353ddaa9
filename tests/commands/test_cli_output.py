"""What the command line prints says what it means, whatever a file is named: GitHub annotations that no name can
steer, terminal lines that no escape sequence can rewrite, and JSON that parses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

from hindsite.commands.cli import _github_annotation
from hindsite.core.diagnostics import Diagnostic, Level

#: A file name that tries everything: a workflow command on a line of its own, forged properties, an escape
#: sequence that clears the screen, a bidirectional override, and GitHub's own escapes.
HOSTILE_NAME = "2024-05-01-a\n::error file=x.md::forged,line=1,title=x:y %0A \x1b[2J\x1b[31m \u202e evil.md"
PLACEHOLDER_DOCUMENT = "---\ndate: 2024-05-01\n---\n\n## Summary\n\n!!Write the summary!!\n"


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as GitHub's runner reads it: `::name k=v,k=v::data`, then each part unescaped."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line

    def unescape(text: str, property: bool) -> str:
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if property else [])
        for escaped, character in [*pairs, ("%25", "%")]:
            text = text.replace(escaped, character)
        return text

    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {key: unescape(value, True) for key, value in properties.items()}, unescape(match.group(3), False)


@pytest.mark.parametrize("path", [
    "content/a.md",
    "content/a.md,line=1,title=x",
    "content/a\n::error file=x.md::forged",
    "content/a\r\nb:c%2C%0A.md",
])
def test_a_file_name_cannot_add_a_property_or_a_command_to_an_annotation(path: str) -> None:
    message = "line one\nline two: 100% sure, really\r"
    line = _github_annotation(Diagnostic("placeholder", Level.WARNING, message, path, 7))
    assert "\n" not in line and "\r" not in line
    assert parse_workflow_command(line) == ("warning", {"file": path, "line": "7", "title": "placeholder"}, message)


def test_an_annotation_shows_escape_sequences_instead_of_sending_them() -> None:
    line = _github_annotation(Diagnostic("secret", Level.ERROR, "a \x1b[31mred\x1b[0m word", "content/\x1b[2Ja.md"))
    assert "\x1b" not in line
    assert parse_workflow_command(line) == ("error", {"file": "content/\\x1b[2Ja.md", "title": "secret"},
                                            "a \\x1b[31mred\\x1b[0m word")


@pytest.fixture
def hostile_site(tmp_path: Path, make_site: MakeSite) -> Path:
    return make_site(tmp_path, {f"content/{HOSTILE_NAME}": PLACEHOLDER_DOCUMENT})


def test_check_prints_one_harmless_line_per_diagnostic(hostile_site: Path, run_cli: RunCli) -> None:
    result = run_cli("check", cwd=hostile_site)
    lines = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(lines) == 1, result.stderr
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202e]", result.stderr.replace("\n", ""))
    assert lines[0].startswith("content/2024-05-01-a\\n::error file=x.md::forged,line=1,title=x:y %0A "
                               "\\x1b[2J\\x1b[31m \\u202e evil.md:7: warning: placeholder: ")


def test_check_for_github_prints_one_annotation_naming_the_file(hostile_site: Path, run_cli: RunCli) -> None:
    result = run_cli("check", "--format", "github", cwd=hostile_site)
    (line,) = result.stdout.splitlines()
    kind, properties, _ = parse_workflow_command(line)
    assert (kind, properties["line"], properties["title"]) == ("warning", "7", "placeholder")
    assert properties["file"] == "content/" + HOSTILE_NAME.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")


@pytest.mark.parametrize("name", [HOSTILE_NAME, "2024-05-01-b\udcff.md"], ids=["hostile", "not-utf-8"])
@pytest.mark.parametrize("command", [("check", "--format", "json"), ("export", "content", "--json", "-q")])
def test_json_output_parses_and_keeps_the_name(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli, command: tuple[str, ...], name: str
) -> None:
    """A name that is not UTF-8 (a byte Python holds as a lone surrogate) comes out as its `\\u` escape."""
    site = make_site(tmp_path, {f"content/{name}": PLACEHOLDER_DOCUMENT})
    document = json.loads(run_cli(*command, cwd=site).stdout_bytes.decode("utf-8"))
    records = document["diagnostics"] if "diagnostics" in document else document["incidents"]
    assert [record["path" if "diagnostics" in document else "source"] for record in records] == [f"content/{name}"]


def test_export_lists_each_incident_on_one_harmless_line(hostile_site: Path, run_cli: RunCli) -> None:
    (line,) = run_cli("export", "content", "-q", cwd=hostile_site).stdout.splitlines()
    assert "\\x1b[2J" in line and "\x1b" not in line
