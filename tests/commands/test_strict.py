"""`--strict` and error aggregation, end to end through the CLI.

Part one: every warning class documented in docs/diagnostics.md gets a
hand-written fixture that triggers it; `build` must pass without `--strict`
and fail with it, printing the warning both times. The list of classes is
read from the documentation, so documenting a new warning without a fixture
here fails the suite.

Part two: an archive of 100 valid postmortems and 3 broken ones must report
every error (sorted, located), count them, exit 1, and still publish all 103.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli, write_files

DIAGNOSTICS_DOC = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"

#: `path:line: level: code: message`, the line being optional (docs/cli.md).
DIAGNOSTIC_LINE = re.compile(
    r"^(?P<where>.+?)(?::(?P<line>\d+))?: (?P<level>error|warning|info): (?P<code>[a-z][a-z-]*): (?P<message>.+)$"
)


@dataclass(frozen=True, slots=True)
class Printed:
    """One diagnostic as the CLI printed it."""

    where: str
    line: int | None
    level: str
    code: str
    message: str


def printed_diagnostics(stream: str) -> list[Printed]:
    """Every diagnostic line of a CLI stream, in printed order; other lines (the summary) are ignored."""
    found = []
    for text in stream.splitlines():
        match = DIAGNOSTIC_LINE.match(text)
        if match:
            line = int(match["line"]) if match["line"] else None
            found.append(Printed(match["where"], line, match["level"], match["code"], match["message"]))
    return found


# --- the documented warning classes ------------------------------------------------------------------

def documented_levels() -> dict[str, str]:
    """code → level cell, from every table row of docs/diagnostics.md that starts with a `code`."""
    levels = {}
    for text in DIAGNOSTICS_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"`[a-z][a-z-]*`", cells[0]):
            levels[cells[0].strip("`")] = cells[1]
    return levels


def is_warning_class(level: str) -> bool:
    """`warning`, or `info (warning when …)`: the latter fails --strict through its warning case."""
    return level == "warning" or bool(re.search(r"\(warning when\b", level))


DOCUMENTED_WARNINGS = sorted(code for code, level in documented_levels().items() if is_warning_class(level))


# --- hand-written fixtures ---------------------------------------------------------------------------

#: A postmortem that builds with no diagnostic at all (checked by test_clean_fixture_is_clean);
#: each warning fixture changes one thing in it, so that one thing is what gets reported.
CLEAN = """\
---
title: Checkout returned 502s after an edge-proxy config push
date: 2024-03-14
severity: sev2
services: [checkout-api]
started_at: 2024-03-14T09:12:00+00:00
resolved_at: 2024-03-14T09:52:00+00:00
---

## Summary

A bad edge-proxy config push made checkout return 502s for forty minutes.

## Timeline

- 09:12 Config pushed to the edge proxies.
- 09:15 Alerts fired for checkout 502s.
- 09:52 Config rolled back and errors stopped.

## Root cause

The proxy config referenced an upstream pool that did not exist.

## Action items

- [ ] Validate proxy configs before rollout (owner: @ana)
"""

CLEAN_NAME = "content/2024-03-14-checkout.md"


def swap(text: str, old: str, new: str) -> str:
    """`text` with its one `old` replaced; fails loudly if the fixture drifted and `old` is gone."""
    assert text.count(old) == 1, f"fixture text {old!r} should occur once"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `text` holding `needle`: where the fixture put the problem."""
    lines = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(lines) == 1, f"{needle!r} should be on exactly one line"
    return lines[0]


@dataclass(frozen=True, slots=True)
class Case:
    """Files that trigger one warning class, and where that warning must point."""

    files: Mapping[str, str | bytes]
    where: str  # as printed: relative to the site folder, the build's working directory
    line: int | None  # None: the problem is the whole file's (or the site's), so any line or none will do
    config: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)  # symbolic links to make: path → target


def one_file(text: str, needle: str | None, *, name: str = CLEAN_NAME, config: str | None = None) -> Case:
    """A single postmortem whose warning is on the line holding `needle` (None: about the whole file)."""
    return Case({name: text}, name, line_of(text, needle) if needle else None, config)


def encoding_case() -> Case:
    # Windows-1252 "é": a file saved by an old editor, otherwise plain ASCII.
    text = swap(CLEAN, "for forty minutes.", "for forty minutes, caf\u00e9 orders included.")
    return Case({CLEAN_NAME: text.encode("cp1252")}, CLEAN_NAME, line_of(text, "caf\u00e9"))


def unknown_field_case() -> Case:
    # A typo close to a known field is a warning; an unrelated extra field would only be info.
    return one_file(swap(CLEAN, "severity: sev2", "sevrity: sev2"), "sevrity:")


def bad_time_case() -> Case:
    return one_file(swap(CLEAN, "started_at: 2024-03-14T09:12:00+00:00", "started_at: half past nine"), "started_at:")


def ambiguous_date_case() -> Case:
    # Front-matter without a date, so the body's `Date:` line is what dates the incident.
    text = swap(CLEAN, "date: 2024-03-14\n", "")
    text = swap(text, "## Summary\n", "## Summary\n\nDate: 03/04/2024\n")
    return one_file(text, "Date: 03/04/2024")


def unknown_severity_case() -> Case:
    return one_file(swap(CLEAN, "severity: sev2", "severity: catastrophic"), "severity:")


def no_date_case() -> Case:
    # No date anywhere: not in front-matter, times, title, file name or prose.
    text = swap(CLEAN, "date: 2024-03-14\n", "")
    text = swap(text, "started_at: 2024-03-14T09:12:00+00:00\n", "")
    text = swap(text, "resolved_at: 2024-03-14T09:52:00+00:00\n", "")
    return one_file(text, None, name="content/checkout.md")


def duration_mismatch_case() -> Case:
    # Start and end are 40 minutes apart; the stated duration says three hours.
    text = swap(CLEAN, "resolved_at: 2024-03-14T09:52:00+00:00\n",
                "resolved_at: 2024-03-14T09:52:00+00:00\nduration: 3h\n")
    return one_file(text, "duration: 3h")


def conflicting_times_case() -> Case:
    # The front-matter starts the incident at 09:12; the summary states another start.
    text = swap(CLEAN, "for forty minutes.\n", "for forty minutes.\n\n**Start:** 2024-03-14 10:12 UTC\n")
    return one_file(text, "**Start:**")


def implausible_duration_case() -> Case:
    text = swap(CLEAN, "resolved_at: 2024-03-14T09:52:00+00:00\n", "duration: 90 days\n")
    return one_file(text, "duration: 90 days")


def implausible_time_case() -> Case:
    # Stated to start at 10:00, with no stated end: the timeline's "rolled back" at 09:52 cannot be the end.
    text = swap(CLEAN, "started_at: 2024-03-14T09:12:00+00:00\nresolved_at: 2024-03-14T09:52:00+00:00\n",
                "started_at: 2024-03-14T10:00:00+00:00\n")
    return one_file(text, "09:52 Config rolled back")


def untimed_timeline_case() -> Case:
    text = swap(swap(swap(CLEAN, "- 09:12 Config", "- Config"), "- 09:15 Alerts", "- Alerts"), "- 09:52 Config", "- Then config")
    return one_file(text, "- Config pushed")


def zone_season_case() -> Case:
    # 14 March 2024 is after the United States moved to summer time: Pacific clocks showed PDT, not PST.
    text = swap(swap(swap(CLEAN, "09:12:00+00:00", "09:12:00-08:00"), "09:52:00+00:00", "09:52:00-08:00"),
                "- 09:12 Config", "- 09:12 PST Config")
    return one_file(text, "09:12 PST Config")


def timeline_order_case() -> Case:
    text = swap(CLEAN, "- 09:15 Alerts fired", "- 08:15 Alerts fired")
    return one_file(text, "08:15 Alerts fired")


def placeholder_case() -> Case:
    text = swap(CLEAN, "## Root cause\n", "## Impact\n\n[TODO]\n\n## Root cause\n")
    return one_file(text, "[TODO]")


def missing_section_case() -> Case:
    # CLEAN has no impact section; requiring one is what makes its absence a warning.
    return one_file(CLEAN, None, config='[sections]\nrequired = ["summary", "impact"]\n')


def missing_asset_case() -> Case:
    text = swap(CLEAN, "for forty minutes.\n", "for forty minutes.\n\n![Error rate](images/error-rate.png)\n")
    return one_file(text, "images/error-rate.png")


def secret_case() -> Case:
    # AWS's own documentation example key: the shape of a real one, valid for nothing.
    text = swap(CLEAN, "for forty minutes.\n", "for forty minutes.\n\nThe push ran as AKIAIOSFODNN7EXAMPLE.\n")
    return one_file(text, "AKIAIOSFODNN7EXAMPLE")


def unscanned_case() -> Case:
    # A text attachment over the scan limit, lowered to 1 MB so the fixture stays small.
    log = "2024-03-14T09:12:00Z INFO request served\n" * 30_000
    return Case({CLEAN_NAME: CLEAN, "content/files/app.log": log}, "content/files/app.log", None,
                config="max_attachment_scan_mb = 1\n")


def cache_case() -> Case:
    # A file where the build cache's folder should be: the site is built without a cache.
    return Case({CLEAN_NAME: CLEAN, ".hindsite-cache": "notes\n"}, ".hindsite-cache", None)


def empty_document_case() -> Case:
    # A file created for a postmortem nobody wrote yet, beside a finished one.
    return Case({CLEAN_NAME: CLEAN, "content/2024-03-15-draft.md": ""}, "content/2024-03-15-draft.md", None)


def unsafe_html_case() -> Case:
    text = swap(CLEAN, "for forty minutes.\n", "for forty minutes.\n\n<button onclick=\"retry()\">Retry</button>\n")
    return one_file(text, "onclick")


def control_character_case() -> Case:
    # A log line pasted with its terminal colour codes.
    text = swap(CLEAN, "for forty minutes.\n", "for forty minutes.\n\nThe proxy logged \x1b[31mupstream missing\x1b[0m.\n")
    return one_file(text, "upstream missing")


def broken_link_case() -> Case:
    # An in-page link to a heading the document does not have.
    text = swap(CLEAN, "for forty minutes.\n", "for forty minutes.\n\nSee [the graph](#error-rate-graph).\n")
    return one_file(text, "#error-rate-graph")


def symlink_case() -> Case:
    # A link that once pointed at a shared drive: the link is listed, what it pointed at is not.
    return Case({CLEAN_NAME: CLEAN}, "content/shared-notes.md", None, links={"content/shared-notes.md": "/nonexistent/notes.md"})


def too_deep_case() -> Case:
    # A checklist whose items each sit inside the one before, 40 deep: the 32nd is 64 levels down.
    nested = "\n".join("  " * depth + f"- step {depth}" for depth in range(40))
    return one_file(swap(CLEAN, "## Root cause\n", f"## Response\n\n{nested}\n\n## Root cause\n"), "- step 31")


def too_many_tags_case() -> Case:
    return one_file(swap(CLEAN, "services: [checkout-api]", "services: [checkout-api]\ntags: [edge, config, proxy]"),
                    "tags:", config="max_tags_per_document = 2\n")


def too_many_services_case() -> Case:
    return one_file(swap(CLEAN, "services: [checkout-api]", "services: [checkout-api, edge-proxy]"), "services:",
                    config="max_services_per_document = 1\n")


def deprecated_case() -> Case:
    # An override written for 0.1, reading the incident page through `report`.
    override = '{% extends "theme/incident.html" %}\n{% block title %}{{ report.incident.title }}{% endblock %}\n'
    return Case({CLEAN_NAME: CLEAN, "overrides/incident.html": override}, "overrides/incident.html", 2)


CASES: Mapping[str, Callable[[], Case]] = {
    "encoding": encoding_case,
    "unknown-field": unknown_field_case,
    "bad-time": bad_time_case,
    "ambiguous-date": ambiguous_date_case,
    "unknown-severity": unknown_severity_case,
    "no-date": no_date_case,
    "duration-mismatch": duration_mismatch_case,
    "timeline-order": timeline_order_case,
    "conflicting-times": conflicting_times_case,
    "implausible-duration": implausible_duration_case,
    "implausible-time": implausible_time_case,
    "untimed-timeline": untimed_timeline_case,
    "zone-season": zone_season_case,
    "placeholder": placeholder_case,
    "missing-section": missing_section_case,
    "missing-asset": missing_asset_case,
    "secret": secret_case,
    "unscanned": unscanned_case,
    "empty-document": empty_document_case,
    "unsafe-html": unsafe_html_case,
    "control-character": control_character_case,
    "broken-link": broken_link_case,
    "cache": cache_case,
    "symlink": symlink_case,
    "too-deep": too_deep_case,
    "too-many-tags": too_many_tags_case,
    "too-many-services": too_many_services_case,
    "deprecated": deprecated_case,
}


def problems_of(printed: list[Printed]) -> list[Printed]:
    """Errors and warnings: what a build without --verbose reports (info is hidden)."""
    return [p for p in printed if p.level in ("error", "warning")]


def assert_reports_only(printed: list[Printed], code: str, case: Case) -> None:
    """The build reported `code` as a warning where the fixture put it, and nothing else."""
    problems = problems_of(printed)
    assert problems, "no diagnostic printed"
    assert {(p.level, p.code) for p in problems} == {("warning", code)}, problems
    located = [p for p in problems if p.where == case.where and (case.line is None or p.line == case.line)]
    assert located, f"expected a {code} warning at {case.where}:{case.line}, got {problems}"


def test_clean_fixture_is_clean(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    # Every warning fixture is CLEAN plus one change; if CLEAN itself warned, the cases would prove nothing.
    site = make_site(tmp_path, {CLEAN_NAME: CLEAN})
    result = run_cli("build", "--strict", "--verbose", cwd=site)
    assert printed_diagnostics(result.stderr) == []
    assert result.exit_code == 0, result.stderr


def test_every_documented_warning_has_a_strict_fixture() -> None:
    # A warning documented without a fixture, or a fixture for a code no longer documented as a warning.
    assert DOCUMENTED_WARNINGS, f"no warning codes parsed from {DIAGNOSTICS_DOC}"
    assert set(CASES) == set(DOCUMENTED_WARNINGS)


@pytest.mark.parametrize("code", DOCUMENTED_WARNINGS)
def test_strict_fails_on_warning(code: str, tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    assert code in CASES, f"{code} is documented as a warning but has no fixture in CASES"
    case = CASES[code]()
    site = make_site(tmp_path, case.files, case.config)
    for link, target in case.links.items():
        (site / link).symlink_to(target)

    lenient = run_cli("build", cwd=site)
    assert_reports_only(printed_diagnostics(lenient.stderr), code, case)
    assert lenient.exit_code == 0, f"a warning alone must not fail a build without --strict:\n{lenient.stderr}"

    strict = run_cli("build", "--strict", cwd=site)
    assert_reports_only(printed_diagnostics(strict.stderr), code, case)
    assert problems_of(printed_diagnostics(strict.stderr)) == problems_of(printed_diagnostics(lenient.stderr))
    assert strict.exit_code == 1, f"--strict must fail on {code}:\n{strict.stderr}"


# --- error aggregation over a real-sized archive --------------------------------------------------------

VALID_COUNT = 100
SERVICES = ("checkout-api", "payments", "search", "edge-proxy", "auth")
SEVERITIES = ("sev1", "sev2", "sev3", "sev4")


def valid_postmortem(n: int) -> tuple[str, str]:
    """(path, text) of the n-th generated postmortem: front-matter, a few sections, a short timeline."""
    day = dt.date(2023, 1, 2) + dt.timedelta(days=3 * n)
    service = SERVICES[n % len(SERVICES)]
    text = f"""\
---
title: {service} latency rose after change {n}
date: {day}
severity: {SEVERITIES[n % len(SEVERITIES)]}
services: [{service}]
tags: [deploy]
---

## Summary

Change {n} slowed {service} until it was rolled back.

## Timeline

- 10:00 Change {n} rolled out to {service}.
- 10:20 Latency alert fired.
- 10:45 Change rolled back.

## Root cause

Change {n} doubled the work done per request in {service}.

## Action items

- [ ] Load-test changes to {service} before rollout (owner: @team-{service})
"""
    return f"content/{day}-change-{n:03}.md", text


@dataclass(frozen=True, slots=True)
class Broken:
    """A broken postmortem and the error it must produce."""

    path: str
    code: str
    line: int | None  # None: nothing in the file to point at (it could not be read, or the problem is a name)
    text: str | bytes


# "Payments: queue…" is a mapping inside a plain scalar: the most common YAML mistake in a title.
BAD_YAML = """\
---
title: Payments: queue backed up for an hour
date: 2024-05-02
severity: sev2
---

## Summary

The payments queue backed up for an hour.
"""

# A tag named `index` would take the page of the list of all tags.
INDEX_TAG = """\
---
title: Slow order lookups after a dropped database index
date: 2023-11-20
severity: sev3
services: [orders]
tags: [postgres, index]
---

## Summary

Order lookups took seconds after a migration dropped an index.
"""

BROKEN = (
    Broken("content/2024-05-02-payments-queue.md", "bad-front-matter", line_of(BAD_YAML, "title: Payments:"), BAD_YAML),
    # In a subfolder, so that sorted output differs from the order files are found in (root files first).
    # A screenshot saved under the postmortem's name.
    Broken("content/2019/2019-06-02-dns-outage.md", "binary", None, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
    Broken("content/2023-11-20-slow-orders.md", "tag-collision", None, INDEX_TAG),
)


def write_archive(site: Path) -> list[str]:
    """Write the 100 valid and 3 broken postmortems under `site`; return every postmortem's path."""
    valid = dict(valid_postmortem(n) for n in range(VALID_COUNT))
    write_files(site, valid)
    write_files(site, {b.path: b.text for b in BROKEN})
    return [*valid, *(b.path for b in BROKEN)]


@dataclass(frozen=True, slots=True)
class Archive:
    site: Path
    sources: list[str]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    # Written once for the module: the build, check and check --format json tests only read it.
    site = tmp_path_factory.mktemp("archive")
    return Archive(site, write_archive(site))


def expected_errors() -> list[tuple[str, str, int | None]]:
    """(path, code, line) of every error, in the documented order: by path, then line."""
    return sorted(((b.path, b.code, b.line) for b in BROKEN), key=lambda e: (e[0], e[2] or 0))


def assert_errors_reported(printed: list[Printed]) -> None:
    """Exactly the three errors, each at its file (and line, where there is one), sorted."""
    problems = problems_of(printed)
    assert [(p.where, p.code) for p in problems] == [(path, code) for path, code, _ in expected_errors()], problems
    assert all(p.level == "error" for p in problems), problems
    for problem, (_, _, line) in zip(problems, expected_errors()):
        if line is not None:
            assert problem.line == line, problem


def test_build_reports_every_error_and_publishes_everything(archive: Archive, run_cli: RunCli) -> None:
    result = run_cli("build", cwd=archive.site)
    assert_errors_reported(printed_diagnostics(result.stderr))

    lines = result.stderr.splitlines()
    summaries = [n for n, text in enumerate(lines) if text.startswith("Built ")]
    assert len(summaries) == 1, result.stderr
    summary = lines[summaries[0]]
    total = VALID_COUNT + len(BROKEN)
    assert re.fullmatch(rf"Built {total} incidents into .+; {len(BROKEN)} errors, 0 warnings\.", summary), summary
    last_diagnostic = max(n for n, text in enumerate(lines) if DIAGNOSTIC_LINE.match(text))
    assert summaries[0] > last_diagnostic, "the summary comes after every diagnostic"
    assert result.exit_code == 1

    assert_site_has_every_incident(archive.site / "_site", archive.sources)


def assert_site_has_every_incident(output: Path, sources: list[str]) -> None:
    """A report page and an incidents.json record for every postmortem, the broken ones included."""
    records = json.loads((output / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    assert sorted(r["source"] for r in records) == sorted(sources)
    for record in records:
        assert (output / record["url"]).is_file(), record["url"]
    assert len(list((output / "incidents").glob("*.html"))) == len(sources)


def test_check_reports_every_error(archive: Archive, run_cli: RunCli) -> None:
    result = run_cli("check", cwd=archive.site)
    assert_errors_reported(printed_diagnostics(result.stderr))
    assert f"Data quality of {len(archive.sources)} incidents" in result.stdout
    assert result.exit_code == 1


def test_check_json_reports_every_error(archive: Archive, run_cli: RunCli) -> None:
    result = run_cli("check", "--format", "json", cwd=archive.site)
    report = json.loads(result.stdout)
    printed = [Printed(d["path"], d["line"], d["level"], d["code"], d["message"]) for d in report["diagnostics"]]
    assert_errors_reported(printed)
    assert report["quality"]["incidents"] == len(archive.sources)
    assert result.exit_code == 1
