"""`hindsite migrate`: legacy postmortems → canonical Markdown that reads back as the same incident."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from collections import Counter
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest
import yaml
from conftest import RunCli

import hindsite.commands.migrate.canonical as canonical_module
from hindsite.commands.migrate import (
    differences,
    doubt_refusal,
    migrate_document,
    migrate_paths,
    words,
    write_migrations,
)
from hindsite.core.config import SiteConfig
from hindsite.core.diagnostics import Diagnostic
from hindsite.core.model import SECTION_KEYS, SECTION_LABELS, WITHHELD, Incident
from hindsite.normalise import normalise
from hindsite.normalise.sections import section_key
from hindsite.normalise.times import Context, Zone, read_range
from hindsite.read.files import Document, split_front_matter

SHARED = Path(__file__).resolve().parents[3] / "shared"
CONFIG = SiteConfig(root=Path("."))

# --- legacy styles, written for these tests ----------------------------------------

BOLD_PSEUDO_HEADINGS = """\
**Postmortem: Checkout outage on March 14, 2024**

**Issue Summary:**
Checkout returned errors for 45 minutes.
Severity: Major

**Timeline (EAT):**
10:05 PM - Alert fired for **checkout** latency
10:20 PM - On-call engineer paged the payments team
10:50 PM - Rolled back the release, checkout recovered

**Root Cause:**
A connection pool limit was lowered in the release.

**Corrective and Preventative Measures:**
Raise the pool limit again @maria
Add an alert on pool saturation (done)

**Closing thoughts:**

Thanks to everyone who helped.
"""

EMOJI_HEADINGS_AND_TABLE = """\
# 🚨 Search index corrupted

### 📋 Overview

| Severity | Critical |
|----|----|
| Affected services | search, indexer |
| Date | 2024-02-01 |
| Responders | @[Ana Lima](mention://abc/user/1) Bo Chen |

### ⏱️ Incident timeline

!!Detail the incident using timestamps.!!

* 09:12 Indexer crashed on a malformed document
* 09:40 Search returned empty results; support tickets arrived

### ⛑️ Postmortem report

* 🔎 Root cause

  A parser upgrade accepted documents the indexer could not store.
* 🤔 Lessons learned

  !!Describe what you learned.!!

### ✅ Follow-up tasks

| Issue | Owner | Status |
|----|----|----|
| Validate documents before indexing | Bo Chen | Done |
| Alert on empty result rates | Ana Lima | Open |
"""

HTML_HEADINGS_AND_LOOSE_LINES = """\
<h1>POSTMORTEM</h1>

Written by the platform team.

<h3>Issue Summary:</h3>

Duration of Outage: 12:00 PM - 2:00 PM UTC, on January 20th, 2023.

<h3>Timeline:</h3>

12:05 PM UTC - The issue was detected by monitoring.
12:30 PM UTC - The team found a bug in the application layer.
2:00 PM UTC - The fix was deployed and the application recovered.

<h3>Tasks:</h3>

Add regression tests before every deployment.
Watch the application logs more closely.
"""

TIMESTAMP_HEADINGS_AND_UNKNOWN_SECTION = """\
# 2018-02-26, Build pods evicted

## Summary

Build pods were evicted when a node ran out of disk; see the [dashboard].

## Timeline

All times in PST

### 2018-02-26 10:34

Alerts for disk pressure on node pool B.

### 10:50

Old images pruned; builds resumed.

- TBD: who pruned them

## Appendix: commands run

    kubectl get nodes

[dashboard]: https://grafana.example.com/d/builds
"""

STYLES = {
    "bold-pseudo-headings": BOLD_PSEUDO_HEADINGS,
    "emoji-headings-and-table": EMOJI_HEADINGS_AND_TABLE,
    "html-headings-and-loose-lines": HTML_HEADINGS_AND_LOOSE_LINES,
    "timestamp-headings-and-unknown-section": TIMESTAMP_HEADINGS_AND_UNKNOWN_SECTION,
}


MONTH_FIRST = SiteConfig(root=Path("."), day_first=False)


def read(text: str, name: str = "outage.md") -> tuple[Incident, object]:
    document = split_front_matter(text, f"content/{name}", PurePosixPath(name))
    return normalise(document, CONFIG), document


def migrate(text: str, name: str = "outage.md", config: SiteConfig = CONFIG, *, force: bool = False) -> str:
    document = split_front_matter(text, f"content/{name}", PurePosixPath(name))
    after, problem = migrate_document(document, config, force=force)
    assert problem is None, problem.format()
    return after


def refusal(text: str, name: str = "outage.md", config: SiteConfig = CONFIG) -> Diagnostic:
    """Why migrate leaves `text` as it is; the test fails when it would migrate it."""
    document = split_front_matter(text, f"content/{name}", PurePosixPath(name))
    after, problem = migrate_document(document, config)
    assert after == "" and problem is not None, "migrated"
    return problem


def front_matter(text: str) -> dict[str, object]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if match is None:
        return {}
    return yaml.load(match.group(1), Loader=yaml.BaseLoader)  # every value as text, as hindsite reads it


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.M)


def lost_words(before: str, after: str) -> set[str]:
    """Words of `before` missing from `after`, whatever their case; HTML tags are markup, not words."""
    def counted(text: str) -> Counter[str]:
        return Counter(word.casefold() for word in words(re.sub(r"</?\w+[^>]*>", " ", text)))

    return set(counted(before) - counted(after))


# --- canonical shape -------------------------------------------------------------------

def test_bold_pseudo_headings_become_canonical_sections_with_explicit_times() -> None:
    after = migrate(BOLD_PSEUDO_HEADINGS)
    # As written: the page shows the title cleaned. The severity is stated on a line of its own; the date and times
    # are only worked out (from the title and the timeline), so the document goes on giving them.
    assert front_matter(after) == {"title": "Postmortem: Checkout outage on March 14, 2024", "severity": "sev2"}
    assert headings(after) == [
        "Summary (Issue Summary)", "Timeline (EAT)", "Root cause", "Action items (Corrective and Preventative Measures)",
        "Closing thoughts",
    ]
    assert "- 22:05 UTC+03:00 — Alert fired for **checkout** latency\n" in after
    assert "- Raise the pool limit again @maria\n- [x] Add an alert on pool saturation (done)\n" in after


def test_emoji_headings_keep_their_table_notes_and_mentions() -> None:
    after = migrate(EMOJI_HEADINGS_AND_TABLE)
    fields = front_matter(after)
    assert fields["services"] == ["search", "indexer"] and fields["responders"] == ["Ana Lima", "Bo Chen"]
    assert fields["severity"] == "sev1" and fields["date"] == "2024-02-01"
    assert headings(after) == [
        "Summary (📋 Overview)", "Timeline (⏱️ Incident timeline)", "⛑️ Postmortem report",
        "Action items (✅ Follow-up tasks)",
    ]
    # The labelled bullets are parts of the report they were written in: they stay under it, one level deeper.
    assert "## ⛑️ Postmortem report\n\n### Root cause\n\nA parser upgrade" in after
    assert "### Lessons learned\n\n!!Describe what you learned.!!\n\n## Action items" in after
    assert "- 2024-02-01 09:12 UTC — Indexer crashed on a malformed document" in after
    assert "!!Detail the incident using timestamps.!!" in after  # a template note stays: the page still says "not filled in"
    assert "@[Ana Lima](mention://abc/user/1)" in after
    assert "| Validate documents before indexing | Bo Chen | Done |" in after  # a table of items reads back with owners


def test_html_headings_keep_the_preamble_first_and_turn_loose_lines_into_items() -> None:
    after = migrate(HTML_HEADINGS_AND_LOOSE_LINES)
    body = after.split("---\n", 2)[2]
    assert body.lstrip().startswith("Written by the platform team.")
    assert headings(after) == ["Summary (Issue Summary)", "Timeline", "Action items (Tasks)"]
    assert "- 2023-01-20 14:00 UTC — The fix was deployed and the application recovered." in after
    assert "- Add regression tests before every deployment.\n- Watch the application logs more closely." in after
    assert front_matter(after)["title"] == "POSTMORTEM"


def test_timestamp_headings_become_items_and_an_unknown_heading_stays() -> None:
    after = migrate(TIMESTAMP_HEADINGS_AND_UNKNOWN_SECTION)
    assert headings(after) == ["Summary", "Timeline", "Appendix: commands run"]
    assert "- 2018-02-26 10:34 UTC-08:00\n\n  Alerts for disk pressure on node pool B." in after
    # 10:50 takes its day from the heading before it, as it did: its line writes none.
    assert "- 10:50 UTC-08:00\n\n  Old images pruned; builds resumed.\n\n  - TBD: who pruned them" in after
    assert "    kubectl get nodes" in after and "[dashboard]: https://grafana.example.com/d/builds" in after


def test_section_order_is_canonical() -> None:
    text = "# Outage\n\n## Action items\n\n- Fix it\n\n## Notes\n\nSome notes.\n\n## Impact\n\nUsers waited.\n\n## Summary\n\nIt broke.\n"
    assert headings(migrate(text)) == ["Summary", "Impact", "Action items", "Notes"]


def test_a_heading_with_no_words_still_opens_a_section_of_its_own() -> None:
    # `###` alone opens a section as any heading does; it is not text before the first heading, which stays on top.
    text = ("# Disk full\n\nNotes up front.\n\n## Why\n\n- The disk filled up\n\n###\n\n- Nobody watched it\n\n"
            "## Root cause\n\nNo alert on disk space.\n")
    after = migrate(text)
    assert headings(after) == ["Summary", "Root cause", "Why"]  # the text up front is the summary
    assert "## Why\n\n- The disk filled up\n\n### Other\n\n- Nobody watched it" in after  # under `## Why`, as written


def test_a_timeline_written_as_a_table_becomes_items_with_its_cells_in_order() -> None:
    text = ("# Disk full\n\n## Timeline\n\nAll times in CET.\n\n| Time | Event | Who |\n|---|---|---|\n"
            "| 2020-01-20 13:50 | Node reports no space left | Ana |\n| 2020-01-22 10:39 | Pod killed | Bo |\n")
    after = migrate(text)
    assert "- 2020-01-20 13:50 UTC+01:00 — Node reports no space left — Ana\n" in after
    assert "All times in CET." in after
    assert lost_words(text, after) == {"time", "event", "who"}  # a table's column names are all it loses


def test_each_label_reads_back_as_its_key() -> None:
    assert set(SECTION_LABELS) == set(SECTION_KEYS)
    for key in SECTION_KEYS:
        expected = None if key == "other" else key
        assert section_key(SECTION_LABELS[key]) == expected


def test_a_title_hindsite_made_up_is_not_written() -> None:
    text = "## Summary\n\nOn 08/24/17 between 12:00 and 1:40 PM PDT the certificate expired.\n\n## Timeline\n\n1:00 PM PDT: detected\n"
    assert "title" not in front_matter(migrate(text))


@pytest.mark.parametrize(
    ("text", "body_starts"),
    [
        pytest.param("# Acme postmortems\n\n## Checkout cache served stale prices\n\n## Timeline\n\n"
                     "- 2024-03-03 09:10 UTC alert fired\n\n## Summary\n\nCarts showed old totals for two hours.\n",
                     "# Checkout cache served stale prices\n\n## Summary", id="own-heading-under-an-archive-heading"),
        pytest.param("***Instructions:***\n\n1. *Replace the text in brackets.*\n\n"
                     "# Incident: Checkout cache served stale prices\n\n## Summary\n\nCarts showed old totals.\n",
                     "***Instructions:***\n\n1. *Replace the text in brackets.*\n\n# Incident: Checkout cache",
                     id="own-heading-past-a-bold-label"),
        pytest.param("***Instructions:***\n\n1. *Replace the text in brackets.*\n\n"
                     "## Incident: Checkout cache served stale prices\n\nCarts showed old totals.\n\n### Timeline\n\n"
                     "- 2024-03-03 09:10 UTC alert fired\n\n### Root cause\n\nA warmer skipped invalidation.\n",
                     "***Instructions:***\n\n1. *Replace the text in brackets.*\n\n# Incident: Checkout cache",
                     id="own-heading-one-level-above-the-sections-written-at-its-level"),
    ],
)
def test_a_title_read_from_a_heading_below_the_first_stays_read_from_it(text: str, body_starts: str) -> None:
    """The heading stays first, under the headings before it as written, and is read as the title again."""
    after = migrate(text)
    assert after.split("---\n", 2)[-1].lstrip().startswith(body_starts)
    again = split_front_matter(after, "content/outage.md", PurePosixPath("outage.md"))
    assert normalise(again, CONFIG).title == "Checkout cache served stale prices"
    assert migrate(after) == after


# --- the author's front-matter ----------------------------------------------------------

YAML_FRONT_MATTER = """\
---
# reviewed by the SRE guild on 2024-03-20
title: Queue stalled
people:            # who was on call
  - name: Ana
    role: incident commander
  - name: Bo
    role: scribe
links:
  dashboard: https://grafana.example.com/d/queue
  ticket: OPS-12
keywords: [kafka, lag]
---

## Summary

The queue stalled for an hour.

- **Severity:** Major
"""

TOML_FRONT_MATTER = """\
+++
# moved from the old wiki
title = "Queue stalled"
date = 2024-03-14

[extra]
team = "payments"   # owns the queue

[[extra.links]]
name = "dashboard"
url = "https://grafana.example.com/d/queue"
+++

## Summary

The queue stalled for an hour.

- **Severity:** Major
"""


def test_the_authors_yaml_front_matter_is_kept_as_written_and_what_the_body_states_comes_first() -> None:
    after = migrate(YAML_FRONT_MATTER)
    block = YAML_FRONT_MATTER.split("---\n")[1]
    assert after.startswith("---\nseverity: sev2\n" + block + "---\n")  # comments, nesting and key order as they were
    fields = yaml.safe_load(block)
    assert fields["people"][0] == {"name": "Ana", "role": "incident commander"} and fields["links"]["ticket"] == "OPS-12"
    assert migrate(after) == after


def test_a_toml_front_matter_stays_toml_with_its_tables_arrays_and_comments() -> None:
    # Zola and Hugo read the same files: the block keeps its language; what the body states is added as TOML keys.
    after = migrate(TOML_FRONT_MATTER)
    block = TOML_FRONT_MATTER.split("+++\n")[1]
    assert after.startswith('+++\nseverity = "sev2"\n' + block + "+++\n")
    fields = tomllib.loads(after.split("+++\n")[1])
    assert fields["severity"] == "sev2" and fields["extra"]["links"] == [
        {"name": "dashboard", "url": "https://grafana.example.com/d/queue"}]
    assert migrate(after) == after


def test_an_ambiguous_front_matter_date_is_rewritten_in_place_and_nothing_else() -> None:
    text = "---\ntitle: Queue stalled\ndate: 05/04/2020   # from the ticket\nteam: payments\n---\n\nThe queue stalled.\n"
    after = migrate(text, config=MONTH_FIRST)
    # Read month first, as the site says; the comment after it and the other keys stay.
    assert after.startswith("---\ntitle: Queue stalled\ndate: 2020-05-04   # from the ticket\nteam: payments\n---\n")
    assert not [d for d in read(after)[0].diagnostics if d.code == "ambiguous-date"]


def test_an_ambiguous_date_nothing_decides_is_held_back_and_with_force_left_as_written() -> None:
    text = "---\ntitle: Queue stalled\ndate: 05/04/2020\n---\n\nThe queue stalled.\n"
    problem = refusal(text)
    assert (problem.code, problem.line) == ("migrate-doubt", 3) and "ambiguous-date: '05/04/2020' could be" in problem.message
    assert front_matter(migrate(text, force=True))["date"] == "05/04/2020"


def test_an_ambiguous_date_in_a_toml_front_matter_stays_as_written() -> None:
    text = '+++\ntitle = "Queue stalled"\ndate = "05/04/2020"\n+++\n\nThe queue stalled.\n'
    assert migrate(text, config=MONTH_FIRST).startswith(text.split("\n\n")[0] + "\n\n")


def test_a_front_matter_title_keeps_its_characters_whatever_the_normaliser_makes_of_it() -> None:
    text = "---\ntitle: Queue depth < 10 made <OrderService> return 5xx\n---\n\n## Summary\n\nOrders failed.\n"
    assert migrate(text).startswith("---\ntitle: Queue depth < 10 made <OrderService> return 5xx\n")


def test_a_title_heading_moves_to_the_front_matter_in_the_authors_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    # A reading that drops `<OrderService>` as if it were a tag must not decide what is written.
    real = canonical_module.normalise

    def lossy(document: Document, config: SiteConfig) -> Incident:
        incident = real(document, config)
        return replace(incident, title=re.sub(r"<[^>]*>", "", incident.title), title_as_written="Queue depth return 5xx")

    monkeypatch.setattr(canonical_module, "normalise", lossy)
    after = migrate("# Queue depth < 10 made <OrderService> return **5xx**\n\n## Summary\n\nOrders failed.\n")
    assert front_matter(after)["title"] == "Queue depth < 10 made <OrderService> return **5xx**"


def test_a_site_that_redacts_still_migrates_the_source_unmasked() -> None:
    text = "# Leak\n\n## Summary\n\nThe key AKIAIOSFODNN7EXAMPLE was pasted in chat.\n"
    document = split_front_matter(text, "content/leak.md", PurePosixPath("leak.md"))
    after, problem = migrate_document(document, replace(CONFIG, redact=True))
    assert problem is None and "AKIAIOSFODNN7EXAMPLE" in after


def test_a_title_that_would_lose_words_is_not_written_though_it_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Written from a reading that took `<OrderService>` for a tag, the title would read back as that same reading: only
    # the text shows what went. The heading stays the title, as the author wrote it.
    monkeypatch.setattr(canonical_module, "title_as_written", lambda block: "Queue depth return 5xx")
    after = migrate("# Queue depth < 10 made <OrderService> return 5xx\n\n## Summary\n\nOrders failed.\n")
    assert after.startswith("# Queue depth < 10 made <OrderService> return 5xx\n\n## Summary\n")


def test_a_front_matter_value_that_would_change_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    written = canonical_module.front_matter_block
    monkeypatch.setattr(canonical_module, "front_matter_block", lambda *args: written(*args).replace("OPS-12", "OPS 12"))
    document = split_front_matter(YAML_FRONT_MATTER, "content/q.md", PurePosixPath("q.md"))
    after, problem = migrate_document(document, CONFIG)
    assert after == "" and problem is not None and problem.code == "round-trip"
    assert "the front-matter field 'links' would change from {'dashboard': " in problem.message


def test_a_window_written_without_its_year_is_migrated_as_read_on_the_prose_year() -> None:
    # "22:30 UTC on March 2 to …" takes its year from the prose; stated up front, it reads the same.
    text = ("# Queue outages\n\nThe queue stalled twice; the last time on March 3, 2024.\n\n"
            "- **Duration:** 22:30 UTC on March 2 to 05:39 UTC on March 3 (7 hours 9 minutes)\n")
    after = migrate(text)
    assert front_matter(after) == {"title": "Queue outages", "date": "2024-03-02", "started_at": "2024-03-02T22:30:00+00:00",
                                   "resolved_at": "2024-03-03T05:39:00+00:00", "duration": "429"}
    assert differences(read(text)[0], read(after)[0]) == []


# --- nothing lost, round trip, idempotence ---------------------------------------

@pytest.mark.parametrize("text", STYLES.values(), ids=list(STYLES))
def test_every_word_of_the_body_is_kept(text: str) -> None:
    after = migrate(text)
    # Only a 12-hour clock written again as a 24-hour one loses anything: its "PM" and hour.
    assert all(word.isdigit() or word == "pm" for word in lost_words(text, after)), lost_words(text, after)


@pytest.mark.parametrize("text", STYLES.values(), ids=list(STYLES))
def test_the_migrated_document_is_the_same_record(text: str) -> None:
    before, _ = read(text)
    again, _ = read(migrate(text))
    assert differences(before, again) == []


@pytest.mark.parametrize("text", STYLES.values(), ids=list(STYLES))
def test_migrating_twice_changes_nothing(text: str) -> None:
    once = migrate(text)
    assert migrate(once) == once


def test_an_action_list_that_would_read_differently_as_a_checklist_stays_as_written() -> None:
    # As lines of a paragraph each is an item, its checkbox among its words; as list items, `[x]` would be a checkbox
    # apart from the item's words.
    text = "# Outage\n\n## Action items\n\nRaise the limit @maria\n[x] Add an alert\n"
    after = migrate(text)
    assert "Raise the limit @maria\n[x] Add an alert" in after
    before, _ = read(text)
    assert differences(before, read(after)[0]) == []


# --- what "the same record" catches --------------------------------------------------

def test_differences_notice_every_part_of_the_record() -> None:
    before, _ = read(BOLD_PSEUDO_HEADINGS)
    event, item, section = before.timeline[0], before.action_items[0], before.sections[0]
    later = event.at + dt.timedelta(minutes=1)  # type: ignore[operator]
    changes = {
        "severity": replace(before, severity="sev1"),
        "start": replace(before, started_at=before.started_at.astimezone(dt.UTC)),  # type: ignore[union-attr]
        "event time": replace(before, timeline=(replace(event, at=later), *before.timeline[1:])),
        "event text": replace(before, timeline=(replace(event, text="Alert fired"), *before.timeline[1:])),
        "owner": replace(before, action_items=(replace(item, owner="ana"), *before.action_items[1:])),
        "status": replace(before, action_items=(replace(item, status="done"), *before.action_items[1:])),
        "section words": replace(before, sections=(replace(section, text="Checkout errors."), *before.sections[1:])),
        "section key": replace(before, sections=(replace(section, key="impact"), *before.sections[1:])),
        "extra": replace(before, extra=(("team", "payments"),)),
    }
    for name, changed in changes.items():
        assert differences(before, changed), name


def test_the_timeline_may_lose_only_written_times_and_column_names() -> None:
    before, _ = read(HTML_HEADINGS_AND_LOOSE_LINES)
    timeline = next(s for s in before.sections if s.key == "timeline")
    moved = [replace(s, text=s.text.replace("by monitoring", "")) if s is timeline else s for s in before.sections]
    assert differences(before, replace(before, sections=tuple(moved))) == ["the timeline section 'Timeline:' would lose by, monitoring"]


# --- what the round trip needed from the normaliser --------------------------------

def test_a_stated_time_to_detect_counts_from_a_start_the_timeline_gives() -> None:
    text = ("# Node down\n\n## Timeline\n\n- 2020-10-06 07:00 Maintenance started\n- 2020-10-06 12:00 All healthy, resolved\n\n"
            "## Stats\n\n- Time to detection: 1h\n- Time to recovery: 4h\n")
    incident, _ = read(text)
    utc = dt.UTC
    assert incident.detected_at == dt.datetime(2020, 10, 6, 8, 0, tzinfo=utc)
    assert incident.resolved_at == dt.datetime(2020, 10, 6, 12, 0, tzinfo=utc)  # the timeline's own resolution wins
    assert incident.duration_minutes == 240
    assert {o.field for o in incident.origins} >= {"detected_at"} and "time_to_detect" not in {o.field for o in incident.origins}


def test_a_range_whose_end_has_no_date_ends_on_its_start_day() -> None:
    start, end = read_range("August 5, 2023, 09:00 AM - 11:30 AM (UTC)", Context(Zone("UTC", dt.UTC))) or (None, None)
    assert start and start.at == dt.datetime(2023, 8, 5, 9, 0, tzinfo=dt.UTC)
    assert end and end.at == dt.datetime(2023, 8, 5, 11, 30, tzinfo=dt.UTC)


# --- every real document ------------------------------------------------------------------

def real_documents() -> list[Path]:
    return [p for folder in ("seeds", "corpus") for p in sorted((SHARED / folder).glob("*.md")) if p.name != "README.md"]


#: What marks a doubt in a reading, besides a withheld fact (docs/migrate.md, "Doubts").
DOUBTS = {"ambiguous-date", "implausible-time", "implausible-duration", "conflicting-times", "zone-season", "write-up-date"}


def holds_a_doubt(incident: Incident) -> bool:
    return any(d.code in DOUBTS for d in incident.diagnostics) or any(o.kind == WITHHELD for o in incident.origins)


def test_real_documents_round_trip_and_migrate_once() -> None:
    """Every document of ../shared migrates to the same record, and its migrated form is already canonical.

    A document whose reading holds a doubt, and only such a document, is held back (a `migrate-doubt` error); it is
    checked as `--force` migrates it. A document the tool refuses otherwise must say why (a `round-trip` error); no
    more than one in fifty may be refused so.
    """
    documents = real_documents()
    assert documents, "../shared is missing; CI provides it"
    refused, held, broken = [], [], []
    for path in documents:
        text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        document = split_front_matter(text, path.name, PurePosixPath(path.name))
        before = normalise(document, CONFIG)
        after, problem = migrate_document(document, CONFIG)
        force = holds_a_doubt(before)
        if force:
            assert problem is not None and problem.code == "migrate-doubt", path.name
            held.append(path.name)
            after, problem = migrate_document(document, CONFIG, force=True)
        if problem is not None:
            assert problem.code == "round-trip", problem.format()
            refused.append(path.name)
            continue
        again = split_front_matter(after, path.name, PurePosixPath(path.name))
        found = differences(before, normalise(again, CONFIG))
        if found:
            broken.append(f"{path.name}: {found[0]}")
        elif migrate_document(again, CONFIG, force=force) != (after, None):
            broken.append(f"{path.name}: migrating it again changes it")
    assert broken == []
    assert held, "no real document holds a doubt: the check above checked nothing"
    assert len(refused) * 50 <= len(documents), refused


# --- the command -----------------------------------------------------------------------------

def copy_documents(target: Path) -> Path:
    target.mkdir()
    for path in real_documents():
        (target / path.name).write_bytes(path.read_bytes())
    return target


MISSING_INFORMATION = {"no-date", "missing-section", "placeholder", "missing-asset", "empty-document", "unknown-severity",
                       "untimed-timeline"}
#: What the source itself says and only its author can settle; migrate keeps it as it is.
#: A date that could be read either way, a typo in a year, facts that contradict each other: hindsite does not guess.
THE_AUTHORS_TO_SETTLE = {"timeline-order", "duration-mismatch", "secret", "unsafe-html", "unknown-field", "generic-title",
                         "ambiguous-date", "bad-time", "conflicting-times", "implausible-time", "implausible-duration",
                         "zone-season", "write-up-date", "control-character"}
#: How a document is written: what migrate is for. None of these may remain.
FORMAT_TROUBLE = {"bad-front-matter", "encoding", "internal-error", "binary", "too-large", "unreadable", "duplicate-id"}


def test_migrate_write_then_check_strict_reports_only_what_the_sources_lack(tmp_path: Path, run_cli: RunCli) -> None:
    copy = copy_documents(tmp_path / "archive")
    before = run_cli("check", "--format", "json", str(copy), cwd=tmp_path)
    result = run_cli("migrate", str(copy), "--write", cwd=tmp_path)
    refused = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert all(": error: round-trip: " in line or ": error: migrate-doubt: " in line for line in refused)
    assert result.exit_code == (1 if refused else 0)
    assert result.stdout == ""  # --write without --diff prints no diff
    assert re.search(r"^\d+ documents rewritten, \d+ already canonical, (\d+ held back for a doubt \(settle it, or use "
                     r"--force\), )?\d+ could not be migrated$", result.stderr, re.M)
    after = run_cli("check", "--strict", "--format", "json", str(copy), cwd=tmp_path)
    codes = Counter(d["code"] for d in json.loads(after.stdout)["diagnostics"])
    assert not set(codes) & FORMAT_TROUBLE
    assert set(codes) <= MISSING_INFORMATION | THE_AUTHORS_TO_SETTLE, codes
    by_file = Counter((d["path"], d["code"]) for d in json.loads(before.stdout)["diagnostics"])
    assert Counter((d["path"], d["code"]) for d in json.loads(after.stdout)["diagnostics"]) <= by_file  # nothing new
    again = run_cli("migrate", str(copy), cwd=tmp_path)
    assert again.stdout == "" and re.search(r"^0 documents would change", again.stderr, re.M)


def test_migrate_shows_a_diff_and_writes_nothing_without_write(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "outage.md"
    path.write_text(HTML_HEADINGS_AND_LOOSE_LINES, encoding="utf-8")
    result = run_cli("migrate", "outage.md", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("--- a/outage.md\n+++ b/outage.md\n@@ ")
    assert "+## Timeline\n" in result.stdout and "-<h3>Timeline:</h3>\n" in result.stdout
    assert "1 document would change, 0 already canonical, 0 could not be migrated" in result.stderr
    assert path.read_text(encoding="utf-8") == HTML_HEADINGS_AND_LOOSE_LINES


def test_migrate_write_with_diff_rewrites_in_place_and_prints_the_diff(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "outage.md"
    path.write_text(BOLD_PSEUDO_HEADINGS, encoding="utf-8")
    path.chmod(0o640)
    result = run_cli("migrate", "--write", "--diff", str(tmp_path), cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith("--- a/")
    assert path.read_text(encoding="utf-8") == migrate(BOLD_PSEUDO_HEADINGS)
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outage.md"]  # no temporary file left behind
    assert "1 document rewritten" in result.stderr


def test_a_file_that_cannot_be_read_is_reported_and_the_others_are_migrated(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "good.md").write_text(HTML_HEADINGS_AND_LOOSE_LINES, encoding="utf-8")
    (tmp_path / "picture.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nBody.\n", encoding="utf-8")
    result = run_cli("migrate", str(tmp_path), "--write", cwd=tmp_path)
    assert result.exit_code == 1
    assert re.search(r"picture\.md: error: binary: ", result.stderr)
    assert re.search(r"broken\.md:2: error: bad-front-matter: ", result.stderr)
    assert "1 document rewritten, 0 already canonical, 2 could not be migrated" in result.stderr
    assert (tmp_path / "good.md").read_text(encoding="utf-8").startswith("---\n")
    assert (tmp_path / "broken.md").read_text(encoding="utf-8").startswith("---\ntitle: [unclosed")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and link under `folder`: its bytes (a link's target) and modification time."""
    return {
        str(path.relative_to(folder)): (str(os.readlink(path)).encode() if path.is_symlink() else path.read_bytes(),
                                        path.lstat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_symlink() or path.is_file()
    }


JAPANESE = "# 障害報告: 注文サービス停止\n\n## 概要\n\n注文サービスが45分間停止しました。\n"
CHINESE = "# 故障报告：订单服务中断\n\n## 摘要\n\n订单服务中断了45分钟。\n"
NOT_UTF8 = {
    "shift-jis": (JAPANESE.encode("shift_jis"), "iconv -f SHIFT_JIS -t UTF-8 archive/notes.md > archive/notes.md.new", 1),
    "gbk": (CHINESE.encode("gbk"), "iconv -f GBK -t UTF-8 archive/notes.md > archive/notes.md.new", 1),
    "bytes-windows-1252-leaves-undefined": (b"# Caf\xe9 outage\n\n## Summary\n\nThe \x81 and \x8d bytes.\n",
                                            "iconv -f ISO-8859-1 -t UTF-8", 1),
    "utf-16": (HTML_HEADINGS_AND_LOOSE_LINES.encode("utf-16"), "iconv -f UTF-16 -t UTF-8", 1),
    "nul-bytes": (b"# Outage\n\n## Summary\n\nThe log said \x00\x00 here.\n", "tr -d '\\000' < archive/notes.md", 5),
}


@pytest.mark.parametrize(("data", "advice", "line"), NOT_UTF8.values(), ids=list(NOT_UTF8))
def test_a_file_not_read_as_utf8_is_left_alone_with_how_to_convert_it(
    tmp_path: Path, run_cli: RunCli, data: bytes, advice: str, line: int
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notes.md").write_bytes(data)
    (archive / "good.md").write_text(HTML_HEADINGS_AND_LOOSE_LINES, encoding="utf-8")
    before = snapshot(archive)
    shown = run_cli("migrate", "archive", cwd=tmp_path)
    assert shown.exit_code == 1 and snapshot(archive) == before  # without --write nothing is written, refused or not
    result = run_cli("migrate", "--write", "archive", cwd=tmp_path)
    assert result.exit_code == 1
    assert f"archive/notes.md:{line}: error: not-utf8: " in result.stderr and advice in result.stderr
    assert "save it as UTF-8" in result.stderr or "remove them first" in result.stderr
    assert (archive / "notes.md").read_bytes() == data
    assert (archive / "good.md").read_text(encoding="utf-8") == migrate(HTML_HEADINGS_AND_LOOSE_LINES)
    assert "1 document rewritten, 0 already canonical, 1 could not be migrated" in result.stderr


def test_a_file_keeps_its_byte_order_mark_and_its_crlf_line_ends(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "outage.md"
    path.write_bytes(b"\xef\xbb\xbf" + BOLD_PSEUDO_HEADINGS.replace("\n", "\r\n").encode("utf-8"))
    assert run_cli("migrate", "--write", "outage.md", cwd=tmp_path).exit_code == 0
    written = path.read_bytes()
    assert written == b"\xef\xbb\xbf" + migrate(BOLD_PSEUDO_HEADINGS).replace("\n", "\r\n").encode("utf-8")
    again = run_cli("migrate", "outage.md", cwd=tmp_path)
    assert again.stdout == "" and "0 documents would change, 1 already canonical" in again.stderr


def test_a_symbolic_link_is_followed_only_to_a_file_inside_its_folder(tmp_path: Path, run_cli: RunCli) -> None:
    archive, elsewhere = tmp_path / "archive", tmp_path / "elsewhere"
    (archive / "real").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_text(BOLD_PSEUDO_HEADINGS, encoding="utf-8")
    (archive / "real" / "inside.md").write_text(BOLD_PSEUDO_HEADINGS, encoding="utf-8")
    (archive / "out.md").symlink_to(elsewhere / "secret.md")
    (archive / "in.md").symlink_to(archive / "real" / "inside.md")
    result = run_cli("migrate", "--write", "archive/out.md", "archive/in.md", cwd=tmp_path)
    assert "archive/out.md: warning: symlink: this symbolic link points outside its folder" in result.stderr
    assert (elsewhere / "secret.md").read_text(encoding="utf-8") == BOLD_PSEUDO_HEADINGS
    assert (archive / "in.md").is_symlink()  # a link inside the folder stays a link; the file it points at is migrated
    assert (archive / "real" / "inside.md").read_text(encoding="utf-8") == migrate(BOLD_PSEUDO_HEADINGS)


def test_a_file_turned_into_a_link_out_of_its_folder_before_the_write_is_left_alone(tmp_path: Path) -> None:
    archive, elsewhere = tmp_path / "archive", tmp_path / "elsewhere"
    archive.mkdir()
    elsewhere.mkdir()
    (archive / "outage.md").write_text(BOLD_PSEUDO_HEADINGS, encoding="utf-8")
    (elsewhere / "twin.md").write_text(BOLD_PSEUDO_HEADINGS, encoding="utf-8")  # the same bytes, so "changed" cannot tell
    migrations, _ = migrate_paths([archive], CONFIG)
    (archive / "outage.md").unlink()
    (archive / "outage.md").symlink_to(elsewhere / "twin.md")
    (written,) = write_migrations(migrations)
    assert [d.code for d in written.diagnostics] == ["unwritable"]
    assert (elsewhere / "twin.md").read_text(encoding="utf-8") == BOLD_PSEUDO_HEADINGS


def test_names_and_text_that_would_drive_a_terminal_are_printed_escaped(tmp_path: Path, run_cli: RunCli) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "evil\x1b]0;owned\x07.md").write_text(
        BOLD_PSEUDO_HEADINGS.replace("A connection pool", "\x1b[31mA\x1b[0m connection pool"), encoding="utf-8")
    (archive / "bad\x9b2J.md").write_text("---\ntitle: [unclosed\n---\n\nBody.\n", encoding="utf-8")
    result = run_cli("migrate", "archive", cwd=tmp_path)
    assert "--- a/archive/evil\\x1b]0;owned\\x07.md\n" in result.stdout
    assert "\\x1b[31mA\\x1b[0m connection pool" in result.stdout
    assert "archive/bad\\x9b2J.md:2: error: bad-front-matter: " in result.stderr
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout + result.stderr)


def test_a_canonical_document_is_left_alone(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "outage.md").write_text(migrate(EMOJI_HEADINGS_AND_TABLE), encoding="utf-8")
    before = os.stat(tmp_path / "outage.md").st_mtime_ns
    result = run_cli("migrate", "--write", "outage.md", cwd=tmp_path)
    assert result.exit_code == 0 and "0 documents rewritten, 1 already canonical" in result.stderr
    assert os.stat(tmp_path / "outage.md").st_mtime_ns == before


@pytest.mark.parametrize("arguments", [[], ["missing.md"], ["--frobnicate", "outage.md"]], ids=["no path", "no such file", "bad option"])
def test_usage_mistakes_exit_2(tmp_path: Path, run_cli: RunCli, arguments: list[str]) -> None:
    (tmp_path / "outage.md").write_text("# Outage\n\nIt broke.\n", encoding="utf-8")
    assert run_cli("migrate", *arguments, cwd=tmp_path).exit_code == 2


def test_help_explains_the_command(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("migrate", "--help", cwd=tmp_path)
    assert "--write" in result.output and "--diff" in result.output and "same incident" in result.output
    assert "hindsite migrate" in run_cli("--help", cwd=tmp_path).output


# --- doubts: what migrate does not write for good without --force -------------------------------------------------

#: A derived end that contradicts the stated start: hindsite leaves it out (withheld).
WITHHELD_END = """\
---
title: Queue stalled
started_at: 2024-03-14T10:00:00+00:00
---

## Summary

The queue stalled.

## Timeline

- 2024-03-14 09:00 UTC — Alert fired for queue depth
- 2024-03-14 09:40 UTC — Consumers restarted, service restored
"""

#: 05/04/2020 reads either way, and nothing in the document or the site says which.
UNDECIDED_DATE = """\
# Queue stalled

## Summary

On 05/04/2020 the queue stalled for an hour.
"""

#: PST on a summer date: read as written, with a warning, until someone says which was meant.
ZONE_OUT_OF_SEASON = """\
# Queue stalled

## Summary

The queue stalled on July 14, 2024.

## Timeline

- 10:00 PST — Alert fired for queue depth
- 10:40 PST — Consumers restarted, service restored
"""

#: Both times are stated, and the end is before the start: both are kept, with a warning.
CONFLICTING_TIMES = """\
---
title: Queue stalled
started_at: 2024-03-14T10:00:00+00:00
resolved_at: 2024-03-14T09:00:00+00:00
---

## Summary

The queue stalled.
"""

DOUBTFUL = {
    "withheld-end": (WITHHELD_END, 13, "implausible-time"),
    "undecided-date": (UNDECIDED_DATE, 5, "ambiguous-date"),
    "zone-out-of-season": (ZONE_OUT_OF_SEASON, 9, "zone-season"),
    "conflicting-times": (CONFLICTING_TIMES, 4, "conflicting-times"),
}


@pytest.mark.parametrize(("text", "line", "doubt"), DOUBTFUL.values(), ids=list(DOUBTFUL))
def test_a_reading_that_holds_a_doubt_is_held_back_naming_the_doubt_and_its_line(text: str, line: int, doubt: str) -> None:
    problem = refusal(text)
    assert (problem.code, problem.level.value, problem.line) == ("migrate-doubt", "error", line)
    assert f"holds a doubt ({doubt}: " in problem.message and "--force" in problem.message


def test_a_withheld_fact_is_a_doubt_even_where_no_diagnostic_names_it() -> None:
    incident, _ = read(WITHHELD_END)
    withheld = next(o for o in incident.origins if o.kind == WITHHELD)
    problem = doubt_refusal(replace(incident, diagnostics=()))
    assert problem is not None and (problem.code, problem.line) == ("migrate-doubt", withheld.line)
    assert "holds a doubt (the end worked out from the timeline is left out: contradicts the start (front-matter, line 3))" \
        in problem.message


def test_a_held_back_document_points_at_each_of_its_other_doubts() -> None:
    text = CONFLICTING_TIMES.replace("The queue stalled.", "The queue stalled.\n\n## Timeline\n\n- 2024-07-14 09:30 PST — Alert fired")
    problem = refusal(text)
    assert problem.line == 4 and problem.message.startswith("this document's reading holds a doubt (conflicting-times: ")
    # PST in July, and the detection this event gives, after the stated end: two more, both on line 13.
    assert "), and 2 more (line 13); " in problem.message


@pytest.mark.parametrize(("text", "line", "doubt"), DOUBTFUL.values(), ids=list(DOUBTFUL))
def test_migrate_leaves_a_doubtful_document_byte_identical_and_migrates_a_clean_one_beside_it(
    tmp_path: Path, run_cli: RunCli, text: str, line: int, doubt: str
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "doubtful.md").write_text(text, encoding="utf-8")
    (archive / "clean.md").write_text(HTML_HEADINGS_AND_LOOSE_LINES, encoding="utf-8")
    before = snapshot(archive)
    shown = run_cli("migrate", "archive", cwd=tmp_path)
    assert shown.exit_code == 1 and snapshot(archive) == before
    assert "--- a/archive/clean.md\n" in shown.stdout and "doubtful.md" not in shown.stdout
    assert f"archive/doubtful.md:{line}: error: migrate-doubt: this document's reading holds a doubt ({doubt}: " in shown.stderr
    result = run_cli("migrate", "--write", "archive", cwd=tmp_path)
    assert result.exit_code == 1
    assert f"archive/doubtful.md:{line}: error: migrate-doubt: " in result.stderr
    assert (archive / "doubtful.md").read_bytes() == before["doubtful.md"][0]
    assert (archive / "clean.md").read_text(encoding="utf-8") == migrate(HTML_HEADINGS_AND_LOOSE_LINES)
    assert ("1 document rewritten, 0 already canonical, 1 held back for a doubt (settle it, or use --force), "
            "0 could not be migrated\n") in result.stderr


@pytest.mark.parametrize("text", [text for text, _, _ in DOUBTFUL.values()], ids=list(DOUBTFUL))
def test_force_writes_a_doubtful_document_as_it_is_read_and_migrating_it_again_changes_nothing(
    tmp_path: Path, run_cli: RunCli, text: str
) -> None:
    path = tmp_path / "outage.md"
    path.write_text(text, encoding="utf-8")
    result = run_cli("migrate", "--write", "--force", "outage.md", cwd=tmp_path)
    assert result.exit_code == 0 and "1 document rewritten, 0 already canonical, 0 could not be migrated" in result.stderr
    written = path.read_text(encoding="utf-8")
    assert written == migrate(text, force=True) != text
    again = run_cli("migrate", "--force", "outage.md", cwd=tmp_path)
    assert again.stdout == "" and "0 documents would change, 1 already canonical, 0 could not be migrated" in again.stderr


def test_what_hindsite_worked_out_is_stated_up_front_only_with_force() -> None:
    after = migrate(BOLD_PSEUDO_HEADINGS, force=True)
    assert front_matter(after) == {
        "title": "Postmortem: Checkout outage on March 14, 2024", "date": "2024-03-14", "severity": "sev2",
        "started_at": "2024-03-14T22:05:00+03:00", "detected_at": "2024-03-14T22:05:00+03:00",
        "resolved_at": "2024-03-14T22:50:00+03:00", "duration": "45",
    }
    assert "- 2024-03-14 22:05 UTC+03:00 — Alert fired for **checkout** latency\n" in after


def test_a_time_counted_from_a_stated_length_is_not_written_as_stated() -> None:
    # "Time to detection: 1h" is stated; the detection an hour after the timeline's start is hindsite's sum.
    text = ("---\ntitle: Node down\ndate: 2020-10-06\n---\n\n## Timeline\n\n- 2020-10-06 07:00 Maintenance started\n"
            "- 2020-10-06 12:00 All healthy, resolved\n\n## Stats\n\n- Time to detection: 1h\n")
    assert "detected_at" not in front_matter(migrate(text))
    assert front_matter(migrate(text, force=True))["detected_at"] == "2020-10-06T08:00:00+00:00"


def test_an_event_gets_the_day_its_line_does_not_write_only_from_a_stated_date() -> None:
    # The first date of the prose dates the incident: a reading, which the timeline's lines go on taking, not stating.
    timeline = "## Timeline\n\n10:00 UTC: alert fired\n10:30 UTC: queue drained\n"
    from_prose = f"# Queue stalled\n\n## Summary\n\nOn March 3, 2024 the queue stalled.\n\n{timeline}"
    assert "- 10:00 UTC — alert fired\n- 10:30 UTC — queue drained\n" in migrate(from_prose)
    stated = f"---\ndate: 2024-03-03\n---\n\n# Queue stalled\n\n{timeline}"
    assert "- 2024-03-03 10:00 UTC — alert fired\n- 2024-03-03 10:30 UTC — queue drained\n" in migrate(stated)
