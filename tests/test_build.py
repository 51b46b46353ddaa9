"""End to end: a small site built through the CLI, its pages, links, export and exit codes."""

from __future__ import annotations

import builtins
import errno
import importlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import MakeSite, RunCli

from hindsite import __version__
from hindsite.build import build
from hindsite.core import parallel
from hindsite.core.config import load_config
from hindsite.render.export import SCHEMA_VERSION

build_module = importlib.import_module("hindsite.build")  # `hindsite.build` the attribute is the function

DB_FAILOVER = """---
title: Database failover stalled
date: 2024-03-01
severity: P2
services: [Database, api]
tags: [failover]
started_at: 2024-03-01T08:00:00Z
detected_at: 2024-03-01T08:10:00Z
resolved_at: 2024-03-01T09:30:00Z
---

## Summary

The primary database did not fail over. <script>alert(1)</script>

<a href="https://example.test/" onclick="steal()">dashboard</a> and [bad](javascript:alert(2)).

## Timeline

- 08:00 — replica lagged
- 08:20 — on-call paged

## Action items

- [ ] Schedule a failover drill @erin OPS-1
"""

LEGACY_DNS = """# Lookups failed in eu-west

**Summary**

Resolvers timed out for an hour.

**Root cause**

A firewall rule dropped UDP packets.

**Action items**

- Tune the firewall rule
"""

CDN_IMAGES = """---
title: CDN served broken images
date: 2024-06-09
services: [cdn, database]
tags: [Failover, images]
---

## Summary

Images broke for mobile users. The error rate:

![error graph](graph.png)

See also [the database incident](../2024-03-01-db-failover.md).
"""

PNG = b"\x89PNG\r\n\x1a\nnot really a png"

FILES = {
    "content/2024-03-01-db-failover.md": DB_FAILOVER,
    "content/2023-08-14-dns-lookups.md": LEGACY_DNS,
    "content/2024/2024-06-09-cdn-images.md": CDN_IMAGES,
    "content/2024/graph.png": PNG,
}

TITLES_NEWEST_FIRST = ["CDN served broken images", "Database failover stalled", "Lookups failed in eu-west"]


class Links(HTMLParser):
    """Every href and src of a page, and the text of every link."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[str, str]] = []
        self.link_texts: list[str] = []
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.targets.append((tag, value))
        if tag == "a":
            self._in_link = True
            self.link_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.link_texts[-1] += data


def links_of(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def resolve(page: Path, url: str) -> Path | None:
    """The file a relative URL on `page` points at; None for external links and same-page anchors."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def hrefs_to(page: Path, target: Path) -> list[str]:
    return [url for _, url in links_of(page).targets if resolve(page, url) == target.resolve()]


@pytest.fixture
def built(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> Path:
    site = make_site(tmp_path, FILES, 'title = "Test archive"\n')
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.output
    assert "error" not in result.stderr.split("Built")[0]
    return site / "_site"


def test_build_succeeds_and_reports(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, FILES, 'title = "Test archive"\n')
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.output
    assert "Built 3 incidents into _site/" in result.stderr
    assert "0 errors, 2 warnings" in result.stderr  # the script and the onclick the summary tries to slip in
    assert result.stderr.count(": warning: unsafe-html:") == 2
    assert result.stdout == ""


def test_index_lists_every_title_newest_first(built: Path) -> None:
    index = links_of(built / "index.html")
    titles = [t.strip() for t in index.link_texts if t.strip() in TITLES_NEWEST_FIRST]
    assert titles == TITLES_NEWEST_FIRST


def test_incident_pages_exist_at_the_exported_urls(built: Path) -> None:
    export = json.loads((built / "incidents.json").read_text(encoding="utf-8"))
    records = {r["title"]: r for r in export["incidents"]}
    assert sorted(records) == sorted(TITLES_NEWEST_FIRST)
    for title, record in records.items():
        page = built / record["url"]
        assert page.is_file(), record["url"]
        assert title in page.read_text(encoding="utf-8")
        assert hrefs_to(built / "index.html", page), f"index does not link to {record['url']}"
    assert records["Database failover stalled"]["url"] == "incidents/2024-03-01-db-failover.html"


def test_tag_and_service_pages_link_back(built: Path) -> None:
    db = built / "incidents" / "2024-03-01-db-failover.html"
    cdn = built / "incidents" / "2024-06-09-cdn-images.html"
    dns = built / "incidents" / "2023-08-14-dns-lookups.html"
    database = built / "services" / "database.html"
    assert sorted(p.name for p in (built / "services").iterdir()) == ["api.html", "cdn.html", "database.html", "index.html"]
    assert hrefs_to(database, db) and hrefs_to(database, cdn) and not hrefs_to(database, dns)
    failover = built / "tags" / "failover.html"
    assert sorted(p.name for p in (built / "tags").iterdir()) == ["failover.html", "images.html", "index.html"]
    assert hrefs_to(failover, db) and hrefs_to(failover, cdn)
    assert hrefs_to(built / "tags" / "index.html", failover)
    assert hrefs_to(built / "services" / "index.html", database)
    assert hrefs_to(db, database) and hrefs_to(db, failover)
    assert hrefs_to(cdn, database)


def test_no_broken_internal_links(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) >= 10
    broken = []
    checked = 0
    for page in pages:
        for tag, url in links_of(page).targets:
            target = resolve(page, url)
            if target is None:
                continue
            assert not url.startswith("/"), f"{page.relative_to(built)} has a root-absolute link {url}"
            checked += 1
            if not target.is_file() or not target.is_relative_to(built.resolve()):
                broken.append(f"{page.relative_to(built)}: <{tag}> {url}")
    assert broken == []
    assert checked > 50


def test_image_is_copied_and_referenced(built: Path) -> None:
    copied = built / "files" / "2024" / "graph.png"
    assert copied.read_bytes() == PNG
    cdn = built / "incidents" / "2024-06-09-cdn-images.html"
    images = [url for tag, url in links_of(cdn).targets if tag == "img"]
    assert [resolve(cdn, url) for url in images] == [copied.resolve()]


def test_links_between_documents_point_at_incident_pages(built: Path) -> None:
    cdn = built / "incidents" / "2024-06-09-cdn-images.html"
    assert hrefs_to(cdn, built / "incidents" / "2024-03-01-db-failover.html")
    assert ".md" not in " ".join(url for _, url in links_of(cdn).targets)


def test_raw_html_does_not_reach_pages(built: Path) -> None:
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "alert(" not in text, page
        assert not re.search(r"\son\w+\s*=", text, re.I), page  # the word may appear in a diagnostic, never as an attribute
        assert not re.search(r"(?:href|src)\s*=\s*[\"']?\s*javascript:", text, re.I), page
    db = (built / "incidents" / "2024-03-01-db-failover.html").read_text(encoding="utf-8")
    assert "The primary database did not fail over." in db
    assert ">dashboard</a>" in db


def test_legacy_document_sections_on_its_page(built: Path) -> None:
    page = (built / "incidents" / "2023-08-14-dns-lookups.html").read_text(encoding="utf-8")
    for words in ("Resolvers timed out for an hour.", "A firewall rule dropped UDP packets.", "Tune the firewall rule"):
        assert words in page
    assert re.search(r"<h1>\s*Lookups failed in eu-west\s*</h1>", page)


REQUIRED_FIELDS = {
    "id", "source", "url", "title", "date", "severity", "services", "tags", "responders", "status",
    "started_at", "detected_at", "resolved_at", "duration_minutes", "summary",
    "sections", "timeline", "action_items", "diagnostics",
}


def test_incidents_json_has_every_field(built: Path) -> None:
    export = json.loads((built / "incidents.json").read_text(encoding="utf-8"))
    assert export["schema_version"] == SCHEMA_VERSION
    assert isinstance(export["schema_version"], int)
    assert [r["title"] for r in export["incidents"]] == TITLES_NEWEST_FIRST
    for record in export["incidents"]:
        assert REQUIRED_FIELDS <= set(record), REQUIRED_FIELDS - set(record)
        for section in record["sections"]:
            assert {"key", "heading", "line", "text", "html"} <= set(section)
        for event in record["timeline"]:
            assert {"at", "text", "line"} <= set(event)
        for item in record["action_items"]:
            assert {"text", "owner", "status", "link", "line"} <= set(item)
        for problem in record["diagnostics"]:
            assert {"code", "level", "line", "message"} <= set(problem)
    db = next(r for r in export["incidents"] if r["id"] == "2024-03-01-db-failover")
    assert db["source"] == "content/2024-03-01-db-failover.md"
    assert db["date"] == "2024-03-01"
    assert db["severity"] == "sev2"
    assert db["services"] == ["Database", "api"]
    assert db["tags"] == ["failover"]
    assert db["responders"] == [] and db["status"] is None
    assert db["started_at"] == "2024-03-01T08:00:00+00:00"
    assert db["detected_at"] == "2024-03-01T08:10:00+00:00"
    assert db["resolved_at"] == "2024-03-01T09:30:00+00:00"
    assert db["duration_minutes"] == 90
    assert db["summary"].startswith("The primary database did not fail over.")
    assert [s["key"] for s in db["sections"]] == ["summary", "timeline", "action_items"]
    assert [s["line"] for s in db["sections"]] == [12, 18, 23]
    assert [(e["at"], e["text"], e["line"]) for e in db["timeline"]] == [
        ("2024-03-01T08:00:00+00:00", "replica lagged", 20),
        ("2024-03-01T08:20:00+00:00", "on-call paged", 21),
    ]
    assert [(a["text"], a["owner"], a["status"], a["link"], a["line"]) for a in db["action_items"]] == [
        ("Schedule a failover drill @erin OPS-1", "erin", "open", "OPS-1", 25)
    ]
    assert [(d["code"], d["line"]) for d in db["diagnostics"]] == [("unsafe-html", 14), ("unsafe-html", 16)]


# --- templates ------------------------------------------------------------------------


def test_site_template_override_extends_the_theme(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    override = (
        '{% extends "theme/incident.html" %}\n'
        '{% block head %}<meta name="hindsite-test" content="override-marker-7f3a">{% endblock %}\n'
    )
    site = make_site(tmp_path, {**FILES, "overrides/incident.html": override})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.output
    for page in (site / "_site" / "incidents").iterdir():
        text = page.read_text(encoding="utf-8")
        assert "override-marker-7f3a" in text
        assert "replica lagged" in text or "Resolvers timed out" in text or "Images broke" in text
    assert "override-marker-7f3a" not in (site / "_site" / "index.html").read_text(encoding="utf-8")


def test_undefined_template_variable_names_file_and_line(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    override = '{% extends "theme/incident.html" %}\n{% block head %}\n<meta content="{{ incidnet.title }}">\n{% endblock %}\n'
    site = make_site(tmp_path, {**FILES, "overrides/incident.html": override})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if ": error: template: " in line]
    assert len(lines) == 1
    assert re.match(r"^.*overrides/incident\.html:3: error: template: .*'incidnet' is undefined", lines[0]), lines[0]
    assert not (site / "_site").exists()


def test_template_syntax_error_names_file_and_line(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {**FILES, "overrides/tag.html": "{% extends 'base.html' %}\n{% block main %}{% endblok %}\n"})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(r"overrides/tag\.html:2: error: template: ", result.stderr), result.stderr


# --- exit codes and diagnostics -----------------------------------------------------------


def test_strict_fails_on_a_warning_but_writes_the_site(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {"content/dns-lookups.md": LEGACY_DNS})
    relaxed = run_cli("build", cwd=site)
    assert relaxed.exit_code == 0
    assert "content/dns-lookups.md:1: warning: no-date: " in relaxed.stderr
    (site / "_site" / "index.html").unlink()
    strict = run_cli("build", "--strict", cwd=site)
    assert strict.exit_code == 1
    assert "content/dns-lookups.md:1: warning: no-date: " in strict.stderr
    assert (site / "_site" / "index.html").is_file()
    assert (site / "_site" / "incidents" / "dns-lookups.html").is_file()


def test_bad_front_matter_fails_but_the_rest_is_published(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    broken = "---\ntitle: Cache meltdown\ntitle: Cache meltdown again\n---\n\n## Summary\n\nThe cache melted quietly.\n"
    site = make_site(tmp_path, {**FILES, "content/2024-02-02-cache.md": broken})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert re.search(r"^content/2024-02-02-cache\.md:3: error: bad-front-matter: .+", result.stderr, re.M), result.stderr
    page = site / "_site" / "incidents" / "2024-02-02-cache.html"
    assert "The cache melted quietly." in page.read_text(encoding="utf-8")
    for name in ("2024-03-01-db-failover", "2023-08-14-dns-lookups", "2024-06-09-cdn-images"):
        assert (site / "_site" / "incidents" / f"{name}.html").is_file()
    export = json.loads((site / "_site" / "incidents.json").read_text(encoding="utf-8"))
    assert len(export["incidents"]) == 4


def test_bad_site_toml_prints_every_problem(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, FILES, 'titel = "x"\ntimezone = "Nowhere/Special"\ntheme = 3\n')
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if ": error: config: " in line]
    assert len(problems) == 3
    assert [re.search(r"site\.toml:(\d+):", p).group(1) for p in problems] == ["1", "2", "3"]  # type: ignore[union-attr]
    assert "did you mean 'title'?" in result.stderr
    assert "3 problem" in result.stderr
    assert not (site / "_site").exists()
    assert "Traceback" not in result.output


def test_output_folder_that_is_not_ours_is_refused(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {**FILES, "public/keep.txt": "mine"})
    result = run_cli("build", "--output", "public", cwd=site)
    assert result.exit_code == 1
    assert ": error: output: " in result.stderr
    assert (site / "public" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_version(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.exit_code == 0
    assert __version__ in result.stdout
    assert "hindsite" in result.stdout


def test_export_json(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, FILES)
    result = run_cli("export", "content", "--json", cwd=site)
    assert result.exit_code == 0, result.output
    export = json.loads(result.stdout)
    assert export["schema_version"] == SCHEMA_VERSION
    assert [r["title"] for r in export["incidents"]] == TITLES_NEWEST_FIRST
    assert not (site / "_site").exists()


def test_export_lines(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, FILES)
    result = run_cli("export", "content/2024-03-01-db-failover.md", cwd=site)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2024-03-01  sev2   Database failover stalled  (content/2024-03-01-db-failover.md)"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("build", "--no-such-option"),
        ("build", "--config", "missing.toml"),
        ("no-such-command",),
        ("export",),
        ("export", "missing-folder"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, run_cli: RunCli, args: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.output


def test_missing_content_folder(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("build", "--content", "nowhere", cwd=tmp_path)
    assert result.exit_code == 1
    assert ": error: content: " in result.stderr


# --- a mistake never costs the published site ------------------------------------------------


def site_bytes(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("content", ["contnet", "notes"])
def test_a_content_folder_that_is_missing_or_has_no_postmortems_leaves_the_site_as_it_was(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli, content: str
) -> None:
    site = make_site(tmp_path, {**FILES, "notes/README.txt": "postmortems are in content/\n"})
    assert run_cli("build", cwd=site).exit_code == 0
    before = site_bytes(site / "_site")
    result = run_cli("build", "--content", content, cwd=site)
    assert result.exit_code == 1
    (fatal,) = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert f"<site>: error: {'content' if content == 'contnet' else 'empty'}: " in fatal
    assert content in fatal and "nothing was built, and _site is unchanged" in fatal and "--content" in fatal
    assert "Open " not in result.stderr
    assert site_bytes(site / "_site") == before


def test_a_template_that_raises_names_its_line_and_leaves_the_site_as_it_was(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    site = make_site(tmp_path, FILES)
    assert run_cli("build", cwd=site).exit_code == 0
    before = site_bytes(site / "_site")
    override = '{% extends "theme/incident.html" %}\n{% block head %}\n{{ 1/0 }}\n{% endblock %}\n'
    (site / "overrides").mkdir()
    (site / "overrides" / "incident.html").write_text(override, encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert re.search(r"overrides/incident\.html:3: error: template: the template raised ZeroDivisionError", result.stderr)
    assert "Open " not in result.stderr
    assert site_bytes(site / "_site") == before


def test_a_template_that_raises_in_a_worker_process_is_a_diagnostic_too(
    tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    documents = {f"content/2024-01-{n % 28 + 1:02d}-outage-{n}.md": f"# Outage {n}\n\nIt broke.\n"
                 for n in range(parallel.PARALLEL_FROM)}
    override = '{% extends "theme/incident.html" %}\n{% block head %}{{ incident.id|length / 0 }}{% endblock %}\n'
    site = make_site(tmp_path, {**documents, "overrides/incident.html": override}, config="")
    result = build(load_config(site / "site.toml"))
    assert result.fatal is not None and result.fatal.code == "template"
    assert "the template raised ZeroDivisionError" in result.fatal.message and result.fatal.line == 2
    assert not (site / "_site").exists()


def test_why_nothing_was_written_is_printed_before_what_the_documents_say(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    override = '{% extends "theme/incident.html" %}\n{% block head %}{{ incidnet.title }}{% endblock %}\n'
    site = make_site(tmp_path, {**FILES, "overrides/incident.html": override, "site.toml": ""})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("build", "-c", str(site / "site.toml"), cwd=elsewhere)  # documents' paths are absolute, sorted first
    printed = [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]
    assert len(printed) > 1
    assert ": error: template: " in printed[0], printed


@pytest.mark.parametrize("what", ["vanished", "unreadable"])
def test_an_attachment_that_cannot_be_read_is_its_own_error_and_the_rest_is_published(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    site = make_site(tmp_path, {**FILES, "content/2024/trace.txt": "a trace\n"})
    attachment = site / "content" / "2024" / "trace.txt"
    if what == "vanished":  # deleted after the content folder was listed
        real_discover = build_module.discover

        def listed_then_deleted(root: Path, shown: str | None = None):  # type: ignore[no-untyped-def]
            found = real_discover(root, shown)
            attachment.unlink(missing_ok=True)
            return found

        monkeypatch.setattr(build_module, "discover", listed_then_deleted)
    else:  # as a file without read permission is to anyone but root, which the tests may run as
        real_open = open

        def refusing(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not isinstance(file, int) and Path(file) == attachment:  # an int is a descriptor, opened already
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing)
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (problem,) = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert problem.startswith(f"content/2024/trace.txt: error: {what}: this file ")
    assert "output" not in problem
    assert (site / "_site" / "index.html").is_file() and (site / "_site" / "files" / "2024" / "graph.png").is_file()
    assert not (site / "_site" / "files" / "2024" / "trace.txt").exists()
