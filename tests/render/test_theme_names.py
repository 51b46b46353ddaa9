"""The incident page's template variable is `incident`: the incident and what its page shows.

`report` was the page's name for what it shows until 0.1; it now means a period's
report only. Themes that still read `report` on the incident page keep working
for this release, with one `deprecated` warning per template that does, naming
the template, its line and what to write instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import MakeSite, RunCli
from test_strict import printed_diagnostics

from hindsite.core.config import load_config
from hindsite.serve.session import Session

DOCUMENT = """\
---
title: Database failover stalled
date: 2024-03-01
severity: sev2
services: [api]
---

## Summary

The failover stalled.

## Timeline

- 2024-03-01 08:00 UTC — replica lagged
- 2024-03-01 09:30 UTC — resolved

## Action items

- [ ] Schedule a failover drill @erin
"""

FILES = {"content/2024-03-01-db.md": DOCUMENT}
PAGE = "_site/incidents/2024-03-01-db.html"

#: A theme written for 0.1: what the page shows, read through `report`.
OLD_NAMES = """\
{% extends "theme/incident.html" %}
{% block main %}
<p class="old-date">{{ report.date.text }}</p>
<ul class="old-sections">{% for section in report.sections %}<li>{{ section.heading }}</li>{% endfor %}</ul>
<p class="old-events">{{ report.timeline | length }} events, {{ report.action_items | length }} item</p>
{{ super() }}
{% endblock %}
"""

#: The same, through `incident`.
NEW_NAMES = """\
{% extends "theme/incident.html" %}
{% block main %}
<p class="old-date">{{ incident.date_fact.text }}</p>
<ul class="old-sections">{% for section in incident.shown_sections %}<li>{{ section.heading }}</li>{% endfor %}</ul>
<p class="old-events">{{ incident.shown_timeline | length }} events, {{ incident.shown_action_items | length }} item</p>
{{ super() }}
{% endblock %}
"""

SHOWN = ('<p class="old-date">2024-03-01</p>\n<ul class="old-sections"><li>Summary</li><li>Timeline</li>'
         '<li>Action items</li></ul>\n<p class="old-events">2 events, 1 item</p>')


def deprecations(stderr: str) -> list[tuple[str, int | None, str, str]]:
    return [(p.where, p.line, p.level, p.message) for p in printed_diagnostics(stderr) if p.code == "deprecated"]


def test_a_theme_that_reads_report_still_works_and_is_told_what_to_write(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    site = make_site(tmp_path, {**FILES, "overrides/incident.html": OLD_NAMES})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.stderr
    assert SHOWN in (site / PAGE).read_text(encoding="utf-8")
    [(where, line, level, message)] = deprecations(result.stderr)  # once, however many pages use it
    assert (where, line, level) == ("overrides/incident.html", 3, "warning")
    for old, new in (("report.date", "incident.date_fact"), ("report.sections", "incident.shown_sections"),
                     ("report.timeline", "incident.shown_timeline"),
                     ("report.action_items", "incident.shown_action_items")):
        assert f"{new} for {old}" in message
    assert "report.related" not in message  # only what the template reads
    assert run_cli("build", "--strict", cwd=site).exit_code == 1


def test_the_new_names_show_the_same_and_warn_of_nothing(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, {**FILES, "overrides/incident.html": NEW_NAMES})
    result = run_cli("build", "--strict", "--verbose", cwd=site)
    assert result.exit_code == 0, result.stderr
    assert SHOWN in (site / PAGE).read_text(encoding="utf-8")
    assert deprecations(result.stderr) == []


def test_the_built_in_theme_reads_no_old_name(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    site = make_site(tmp_path, FILES)
    result = run_cli("build", "--strict", "--verbose", cwd=site)
    assert result.exit_code == 0, result.stderr
    assert deprecations(result.stderr) == []


def test_a_shared_template_the_page_includes_is_named(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    # An override of the timeline partial from 0.1: the built-in page includes it, so it is part of the page.
    partial = "<ol>\n{% for event in (events if events is defined else report.timeline) %}<li>{{ event.when }}</li>{% endfor %}</ol>\n"
    site = make_site(tmp_path, {**FILES, "overrides/_timeline.html": partial})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.stderr
    [(where, line, _, message)] = deprecations(result.stderr)
    assert (where, line) == ("overrides/_timeline.html", 2)
    assert "incident.shown_timeline for report.timeline" in message


def test_a_period_report_is_still_report(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    # `report` on a period's page is that period's report: using it there is no old name.
    period = '{% extends "theme/period.html" %}\n{% block title %}{{ report.period.label }} (own){% endblock %}\n'
    site = make_site(tmp_path, {**FILES, "overrides/period.html": period})
    result = run_cli("build", "--strict", cwd=site)
    assert result.exit_code == 0, result.stderr
    assert "<title>2024-Q1 (own)</title>" in (site / "_site/reports/2024-q1.html").read_text(encoding="utf-8")


def test_a_running_server_warns_too(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {**FILES, "overrides/incident.html": OLD_NAMES}, 'title = "x"\n')
    config = load_config(site / "site.toml")
    result = Session(config).rebuild()
    assert [d.code for d in result.diagnostics if d.code == "deprecated"] == ["deprecated"]
    assert dt.date(2024, 3, 1).isoformat() in (site / PAGE).read_text(encoding="utf-8")
