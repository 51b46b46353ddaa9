"""Hostile bytes and pathological Markdown: each document is published or refused with a diagnostic,
the rest of the archive builds, and no input raises.

How long each of these takes is measured by bench/hostile.py, not asserted here.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

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
