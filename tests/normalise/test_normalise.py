"""Stage 2 — normalise: headings, sections, titles, times, timelines and action items."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

import hindsite.normalise as normalise_package
import hindsite.normalise.blocks as blocks_module
from hindsite.core.config import SiteConfig, load_config
from hindsite.core.markup import parse, render_markdown
from hindsite.core.model import CLOSING, PREAMBLE, SECTION_KEYS, Incident
from hindsite.normalise import normalise
from hindsite.normalise.sections import section_key
from hindsite.normalise.timeline import split_leading_time
from hindsite.normalise.titles import clean_title, is_generic, title_from_file_name
from hindsite.read.files import split_front_matter

UTC = dt.timezone.utc


def incident_of(text: str, name: str = "2024-05-06-queue.md", config: SiteConfig | None = None) -> Incident:
    rel = PurePosixPath(name)
    document = split_front_matter(text, f"content/{name}", rel)
    return normalise(document, config or SiteConfig(root=Path(".")))


def codes(incident: Incident) -> list[str]:
    return [d.code for d in incident.diagnostics]


def at(*args: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


# --- headings → keys -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Summary", "summary"),
        ("Issue Summary", "summary"),
        ("TL;DR", "summary"),
        ("Executive summary:", "summary"),
        ("📝 Overview", "summary"),
        ("🔥 Impact", "impact"),
        ("Customer impact", "impact"),
        ("1. Timeline", "timeline"),
        ("2) Timeline", "timeline"),
        ("IV. Timeline", "timeline"),
        ("Timeline:", "timeline"),
        ("Timeline (all times UTC)", "timeline"),
        ("**Timeline**", "timeline"),
        ("Sequence of events", "timeline"),
        ("Root Cause", "root_cause"),
        ("Root Cause and Resolution", "root_cause"),
        ("Contributing factors", "root_cause"),
        ("Five whys", "root_cause"),
        ("5 Whys", "root_cause"),
        ("Detection", "detection"),
        ("How was it detected?", "detection"),
        ("Trigger", "trigger"),
        ("Lead-up", "trigger"),
        ("What went wrong", "fault"),
        ("Response", "response"),
        ("Resolution and recovery", "resolution"),
        ("Lessons Learned", "lessons"),
        ("What went well", "lessons"),
        ("Where we got lucky", "lessons"),
        ("Action Items", "action_items"),
        ("✅ Follow-up tasks", "action_items"),
        ("Corrective and Preventative Measures", "action_items"),
        ("Corrective and preventive measures", "action_items"),
        ("Next steps", "action_items"),
        ("Related incidents", "related"),
        ("References", "related"),
        ("Lunch plans", None),
        ("Appendix", None),
        ("Vivid details", None),
        ("🚨", None),
        ("", None),
    ],
)
def test_section_key(heading: str, key: str | None) -> None:
    assert section_key(heading) == key


def test_section_key_aliases_win() -> None:
    aliases = {"Blast radius": "impact", "Summary": "impact"}
    assert section_key("Blast radius:", aliases) == "impact"
    assert section_key("💥 blast RADIUS", aliases) == "impact"
    assert section_key("Summary", aliases) == "impact"
    assert section_key("Blast radius") is None


# --- sections ----------------------------------------------------------------------

QUEUE = """---
title: Queue stalled
date: 2024-05-06
---

Preamble before any heading.

## 1. Summary

Jobs waited for an hour.

## Lunch plans

We ordered pizza.

```text
# not a heading
```

## Timeline

- 09:12 — first alert
- 09:40 — rollback

### Queue graphs

The backlog peaked.

## Action items

- [ ] Add an alert @ana OPS-7
"""


def test_sections_have_keys_headings_and_file_lines() -> None:
    incident = incident_of(QUEUE)
    found = [(s.key, s.heading, s.line) for s in incident.sections]
    assert found == [
        ("preamble", "", 6),
        ("summary", "1. Summary", 8),
        ("other", "Lunch plans", 12),
        ("timeline", "Timeline", 20),
        ("action_items", "Action items", 29),
    ]
    lines = QUEUE.split("\n")
    for section in incident.sections:
        first_text_line = section.text.split("\n")[0]
        if section.heading:
            assert section.heading in lines[section.line - 1]
        else:
            assert lines[section.line - 1] == first_text_line


def test_section_text_is_the_source_and_html_is_rendered() -> None:
    incident = incident_of(QUEUE)
    (lunch,) = [s for s in incident.sections if s.heading == "Lunch plans"]
    assert lunch.text == "We ordered pizza.\n\n```text\n# not a heading\n```"
    assert "<p>We ordered pizza.</p>" in lunch.html
    assert "# not a heading" in lunch.html and "<h1>" not in lunch.html


def test_sub_headings_stay_inside_a_recognised_section() -> None:
    incident = incident_of(QUEUE)
    (timeline,) = incident.sections_for("timeline")
    assert "### Queue graphs" in timeline.text
    assert "The backlog peaked." in timeline.text
    assert not any(s.heading == "Queue graphs" for s in incident.sections)


def test_same_level_unknown_heading_closes_a_recognised_section() -> None:
    incident = incident_of("# Queue\n\n## Impact\n\nSlow.\n\n## Appendix\n\nGraphs.\n")
    assert [(s.key, s.heading) for s in incident.sections] == [("impact", "Impact"), ("other", "Appendix")]


def test_text_without_headings_is_the_summary() -> None:
    incident = incident_of("Queue stalled for an hour.\n\nWe restarted it.\n")
    assert [(s.key, s.heading, s.line) for s in incident.sections] == [("summary", "", 1)]
    assert incident.summary == "Queue stalled for an hour."


def test_bold_pseudo_headings_open_sections() -> None:
    text = "# Queue\n\n**Summary**\n\nIt stalled.\n\n**Root cause:**\n\nA lock.\n\n**Things we noticed:**\n\nMany.\n"
    incident = incident_of(text)
    assert [(s.key, s.heading, s.line) for s in incident.sections] == [
        ("summary", "Summary", 3),
        ("root_cause", "Root cause", 7),
        ("other", "Things we noticed", 11),
    ]


def test_html_headings_open_sections() -> None:
    incident = incident_of("<h2>Impact</h2>\n\nSlow checkouts.\n")
    assert [(s.key, s.heading) for s in incident.sections] == [("impact", "Impact")]


def test_section_aliases_from_config(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('[sections.aliases]\n"What we saw" = "impact"\n', encoding="utf-8")
    config = load_config(tmp_path / "site.toml")
    incident = incident_of("# Queue\n\n## What we saw\n\nSlow.\n", config=config)
    assert [s.key for s in incident.sections] == ["impact"]


def test_section_keys_are_canonical() -> None:
    incident = incident_of(QUEUE)
    assert {s.key for s in incident.every_section()} <= {*SECTION_KEYS, PREAMBLE, CLOSING}


# --- nothing is lost -------------------------------------------------------------------

LEGACY = """# Checkout outage on the west cluster

Written in a hurry, before any section heading.

Some context paragraph about checkout.

**Timeline**

- 10:02 — payments erroring
- 10:15 — failover started

## Mystery meat

Unknown section words: zebra quokka.

```bash
# not a heading
echo "kept verbatim"
```

## Lessons

> Quoted lesson about pagers.

| Col one | Col two |
|---|---|
| cell-a | cell-b |

Footnote here[^1].

[^1]: The footnote body.
"""


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.mark.parametrize(
    ("text", "name"),
    [(LEGACY, "checkout-west.md"), (QUEUE, "2024-05-06-queue.md")],
)
def test_every_word_of_the_body_survives(text: str, name: str) -> None:
    document = split_front_matter(text, f"content/{name}", PurePosixPath(name))
    incident = normalise(document, SiteConfig(root=Path(".")))
    kept = " ".join([incident.title, *(f"{s.heading}\n{s.text}" for s in incident.every_section())])
    kept_words = words(kept)
    missing = [w for w in words(document.body) if w not in kept_words]
    assert missing == []
    # and in order, section by section, without duplication of the body
    assert len(words(kept)) >= len(words(document.body))


@pytest.mark.parametrize("line_end", ["\r", "\r\n"])
def test_a_body_with_carriage_returns_reads_as_with_newlines(line_end: str) -> None:
    """`read` converts line ends; a caller that hands `normalise` a body straight from elsewhere gets the same."""
    text = "# Queue stalled\n\nErrors rose.\n\n## Impact\n\nCheckout was down.\n"
    expected = incident_of(text)
    incident = incident_of(text.replace("\n", line_end))
    assert incident.title == expected.title
    assert incident.sections == expected.sections


def test_legacy_document_structure() -> None:
    incident = incident_of(LEGACY, "checkout-west.md")
    assert incident.title == "Checkout outage on the west cluster"
    keys = [(s.key, s.heading) for s in incident.sections]
    assert ("timeline", "Timeline") in keys
    assert ("other", "Mystery meat") in keys
    assert ("lessons", "Lessons") in keys
    (mystery,) = [s for s in incident.sections if s.heading == "Mystery meat"]
    assert "# not a heading" in mystery.text
    assert 'echo "kept verbatim"' in mystery.text


def test_unread_front_matter_is_kept_as_a_section() -> None:
    incident = incident_of("---\ntitle: A\ntitle: B\n---\n# Queue\n\nBody words.\n")
    assert "bad-front-matter" in codes(incident)
    (raw,) = [s for s in incident.sections if s.heading == "Front-matter (not read)"]
    assert "title: A" in raw.text and "title: B" in raw.text
    assert raw.line == 1
    assert incident.title == "Queue"


# --- titles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("Postmortem: Checkout down", "Checkout down"),
        ("Post-mortem - Checkout down", "Checkout down"),
        ("Incident report: Search slow (2024-01-02)", "Search slow"),
        ("Incident Review | DNS failures", "DNS failures"),
        ("Retrospective: API errors, Jan 5th, 2024", "API errors"),
        ("Search slow - 2024-01-02", "Search slow"),
        ("Checkout down on 2024-01-02", "Checkout down"),
        ("Queue stalled 3/4/2024", "Queue stalled"),
        ("**Checkout** `down`", "Checkout down"),
        ("🔥 Checkout down", "Checkout down"),
        ("Checkout 2024-01-02 rollout broke", "Checkout 2024-01-02 rollout broke"),
        ("Postmortem", "Postmortem"),
    ],
)
def test_clean_title(written: str, clean: str) -> None:
    assert clean_title(written) == clean


@pytest.mark.parametrize(
    ("stem", "title"),
    [("2024-03-14-checkout-502s", "Checkout 502s"), ("db_failover", "Db failover"), ("2024-03-14", "2024-03-14"),
     ("2024-03-14-red\x1b[31m-alert\x07", "Red[31m alert")],
)
def test_title_from_file_name(stem: str, title: str) -> None:
    assert title_from_file_name(stem) == title


@pytest.mark.parametrize("title", [
    "Queue depth < 10 made <OrderService> return 5xx",
    "Fix <b>bold</b> claims in the <script>banner</script>",
    "Costs &amp; fees, a -> b",
])
def test_a_front_matter_title_is_text_kept_as_written(title: str) -> None:
    incident = incident_of(f"---\ntitle: '{title}'\n---\n\n## Summary\n\nIt broke.\n")
    assert incident.title == title
    assert incident.title_as_written == ""


@pytest.mark.parametrize(("heading", "title"), [
    ("Queue depth < 10 made <OrderService> return 5xx", "Queue depth < 10 made <OrderService> return 5xx"),
    ("The <b>API</b> fell over", "The API fell over"),
    ("Costs &amp; fees rose, `<br>` in a log", "Costs & fees rose, <br> in a log"),
    ("**Checkout** and [billing](billing.md) down", "Checkout and billing down"),
])
def test_a_title_from_a_heading_keeps_the_words_the_heading_shows(heading: str, title: str) -> None:
    assert incident_of(f"# {heading}\n\n## Summary\n\nIt broke.\n").title == title


def test_title_from_first_h1() -> None:
    incident = incident_of("# Postmortem: Queue stalled\n\n## Summary\n\nIt stalled.\n", "queue.md")
    assert incident.title == "Queue stalled"
    assert not any(s.heading.endswith("Queue stalled") for s in incident.sections)
    assert [(o.field, o.how, o.line) for o in incident.origins if o.field == "title"] == [("title", "heading", 1)]


@pytest.mark.parametrize(
    "heading", ["DNS resolution errors", "Checkout response times degraded", "Login impact from a bad deploy"]
)
def test_opening_h1_is_the_title_even_when_it_contains_a_section_word(heading: str) -> None:
    """Keyword rules are for section headings; a document's opening H1 above `##` sections is its title."""
    text = f"# {heading}\n\n## Summary\n\nResolvers timed out for an hour.\n\n## Root cause\n\nA firewall rule.\n"
    incident = incident_of(text, "2023-08-14-outage.md")
    assert incident.title == heading
    assert [(s.key, s.heading) for s in incident.sections] == [("summary", "Summary"), ("root_cause", "Root cause")]


NAMED_BY_THE_KIND = ("Date: 2024-03-05\nSeverity: SEV-2\n## Summary\nA bad release made checkout return 500s.\n"
                     "## Root cause\nA null pointer in the tax module.\n")


@pytest.mark.parametrize(
    ("heading", "keys"),
    [
        pytest.param("Root Cause Analysis", ["preamble", "summary", "root_cause"], id="root-cause-analysis"),
        pytest.param("Root Cause Analysis (RCA)", ["preamble", "summary", "root_cause"], id="with-its-abbreviation"),
        pytest.param("Incident Summary", ["preamble", "summary", "root_cause"], id="a-summary-above-the-summary"),
        pytest.param("Post-Incident Review", ["preamble", "summary", "root_cause"], id="post-incident-review"),
    ],
)
def test_an_opening_heading_naming_the_kind_of_document_is_its_title(heading: str, keys: list[str]) -> None:
    """Above sections of their own, "# Root Cause Analysis" names the document, as "# Incident Report" does."""
    incident = incident_of(f"# {heading}\n{NAMED_BY_THE_KIND}")
    assert [s.key for s in incident.sections] == keys
    assert incident.title == "A bad release made checkout return 500s"
    assert incident.title_as_written == heading
    assert (str(incident.date), incident.severity) == ("2024-03-05", "sev2")


def test_an_opening_section_heading_over_other_sections_stays_a_section() -> None:
    incident = incident_of("# Summary\n\nA bad release broke checkout.\n\n## Impact\n\nNo checkouts.\n")
    assert [(s.key, [c.key for c in s.children]) for s in incident.sections] == [("summary", ["impact"])]


def test_title_from_front_matter_wins_and_a_different_h1_is_kept() -> None:
    incident = incident_of("---\ntitle: 'Postmortem: Queue stalled'\n---\n# Workers froze\n\nText.\n", "q.md")
    assert incident.title == "Queue stalled"
    assert any(s.heading == "Workers froze" for s in incident.sections)


def test_h1_repeating_the_front_matter_title_is_consumed() -> None:
    incident = incident_of("---\ntitle: Queue stalled\n---\n# Queue stalled\n\nText.\n", "q.md")
    assert incident.title == "Queue stalled"
    assert [s.heading for s in incident.sections] == [""]


def test_title_from_file_name_only_for_an_empty_document() -> None:
    incident = incident_of("", "2024-05-06-worker-oom.md")
    assert incident.title == "Worker oom"


def test_a_document_with_text_is_never_titled_by_its_file_name() -> None:
    incident = incident_of("Just a paragraph.\n", "097__someone__0x19-postmortem_README.md")
    assert incident.title == "Just a paragraph"


# --- titles as a reviewer names the incident ----------------------------------------------

STALE = "The checkout cache served stale prices for two hours, so carts showed old totals.\n"
STALE_TITLE = "The checkout cache served stale prices for two hours"
CACHE = "Checkout cache served stale prices"


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        pytest.param("crates.io incident report for 2024-02-20", "crates.io incident report", id="no-dangling-for"),
        pytest.param("Cache poisoned between December 25th and December 30th, 2022", "Cache poisoned", id="date-range"),
        pytest.param("Disk filled up (the morning of 3/4/2024)", "Disk filled up", id="date-in-an-aside"),
        pytest.param("Search downtime on 18th March", "Search downtime on 18th March", id="day-without-year-kept"),
        pytest.param("Incident on 2024-04-15 - Ingress TLS expired", "Ingress TLS expired", id="incident-on-date"),
        pytest.param("Incident on 2024-04-15 Ingress TLS expired", "Ingress TLS expired", id="incident-on-date-no-dash"),
        pytest.param("incident date: 2024-02-20, kubectl logs unavailable", "kubectl logs unavailable", id="date-field"),
        pytest.param("Incident: 2024-02-24: Billing swamped by webhooks", "Billing swamped by webhooks",
                     id="incident-field-and-date"),
        pytest.param("PM-007: Deploys stuck behind a lock", "Deploys stuck behind a lock", id="ticket-number"),
        pytest.param("1715209000 - Bridge messenger misconfigured", "Bridge messenger misconfigured", id="epoch-number"),
        pytest.param("1. Queue stalled on the west cluster.", "Queue stalled on the west cluster", id="numbered"),
        pytest.param("Outage Postmoterm: Replica lag", "Replica lag", id="misspelt-prefix"),
        pytest.param("stmortem: The great proxy mishap of 2024", "The great proxy mishap of 2024", id="cut-prefix"),
        pytest.param("`/` was added to the blocklist", "/ was added to the blocklist", id="inline-code-kept"),
    ],
)
def test_clean_title_cuts_without_a_dangling_word(written: str, clean: str) -> None:
    assert clean_title(written) == clean


@pytest.mark.parametrize(
    "title",
    ["0x11. Postmortem", "0x19-postmortem", "0x19 Postmorten", "Postmortems", "Acme incident reports",
     "Post-mortems", "INC-4312", "PM-001", "Metadata", "Title:"],
)
def test_titles_that_name_nothing_are_generic(title: str) -> None:
    assert is_generic(title)


@pytest.mark.parametrize(
    ("text", "title", "as_written", "generic"),
    [
        pytest.param(f"# Checkout slow\n\nIncident: {CACHE}\n\n## Summary\n\n{STALE}", CACHE, "Checkout slow", False,
                     id="body-field-over-heading"),
        pytest.param(f"# Acme postmortems\n\n## {CACHE}\n\n{STALE}", CACHE, "Acme postmortems", True,
                     id="own-h2-under-archive-h1"),
        pytest.param(f"# Postmortems\n\n## 03/Mar/2024\n### 1. {CACHE}\n\n{STALE}", CACHE, "Postmortems", True,
                     id="own-h3-under-archive-h1-and-date"),
        pytest.param(f"# My first postmortem\n\n## Outage postmortem: {CACHE}\n\n### Summary\n\n{STALE}", CACHE,
                     "My first postmortem", True, id="own-h2-under-generic-h1"),
        pytest.param(f"***Instructions:***\n\n1. *Replace the text in brackets.*\n2. *Delete this block.*\n\n"
                     f"# Incident: 2024-03-03: {CACHE}\n\n## Summary\n\n{STALE}", CACHE,
                     f"Incident: 2024-03-03: {CACHE}", False, id="past-a-bold-label-and-its-list"),
        pytest.param(f"# Title:\n### {CACHE}\n\n# Timeline\n\n- 09:10 alert\n", CACHE, "", False,
                     id="empty-title-label-then-heading"),
        pytest.param("## Owner: @ana\n## Involved:\n- @bo\n## Call recording:\n\n# Overview\n\n"
                     f"On March 3, 2024, {STALE[0].lower()}{STALE[1:]}", STALE_TITLE, "", False,
                     id="past-field-headings-to-the-summary"),
        pytest.param(f"# Postmortem\n\n## Issue summary\n\n- **Duration:** 09:00 to 11:00 UTC\n\n{STALE}", STALE_TITLE,
                     "Postmortem", True, id="bold-duration-label-is-not-the-title"),
        pytest.param(f"**Date:**\n\n## Summary\n\n{STALE}", STALE_TITLE, "", False, id="bold-date-label-first"),
        pytest.param(f"---\ntitle: Postmortem\n---\n# {CACHE}\n\n## Summary\n\n{STALE}", CACHE, "Postmortem", True,
                     id="heading-under-a-generic-front-matter-title"),
        pytest.param("# Incident report\n\n## Who's on point\n\n| Role | Name |\n|---|---|\n| Lead | Ana |\n\n"
                     f"## Summary\n\n- **Duration:** from 09:00 to 11:00 UTC\n\n{STALE}", STALE_TITLE, "Incident report", True,
                     id="a-part-beside-the-sections-is-not-the-title"),
        pytest.param(f"# `/` added to the blocklist\n\n## Team\n\n- Name: Ana Silva\n\n## Summary\n\n{STALE}",
                     "/ added to the blocklist", "", False, id="a-name-field-may-be-a-person"),
    ],
)
def test_the_incident_is_named_by_its_own_heading(text: str, title: str, as_written: str, generic: bool) -> None:
    incident = incident_of(text)
    assert incident.title == title
    assert incident.title_as_written == as_written
    assert ("generic-title" in codes(incident)) == generic


UNDER_THE_NOTES = f"# {CACHE}\n\nDate: 2024-01-03\n\n## Summary\n\n{STALE}\n## Action items\n\n- Warm the cache.\n"


@pytest.mark.parametrize(
    ("above", "title", "keys"),
    [
        pytest.param("Status: FINAL", CACHE, ["preamble", "summary", "action_items"], id="a-status-line"),
        pytest.param("Last updated: 2024-01-08", CACHE, ["preamble", "summary", "action_items"], id="last-updated"),
        pytest.param("Confidential — internal use only.", CACHE, ["preamble", "summary", "action_items"],
                     id="a-confidentiality-note"),
        pytest.param("> Draft, do not share", CACHE, ["preamble", "summary", "action_items"], id="a-quoted-draft-note"),
        pytest.param("[[_TOC_]]", CACHE, ["preamble", "summary", "action_items"], id="a-gitlab-table-of-contents"),
        pytest.param("[TOC]", CACHE, ["preamble", "summary", "action_items"], id="a-table-of-contents-marker"),
        pytest.param("Status: FINAL\n\nOwner: Ana", CACHE, ["preamble", "summary", "action_items"], id="two-notes"),
        pytest.param('<div class="page-metadata">Created by Ana Lima, last modified on Jan 08, 2024</div>', CACHE,
                     ["preamble", "summary", "action_items"], id="an-html-export's-metadata"),
        pytest.param("The checkout cache served stale prices for two hours after a deploy emptied it, and shoppers "
                     "were charged the old prices.", STALE_TITLE, ["preamble", "other"], id="prose-is-not-a-note"),
    ],
)
def test_notes_above_the_opening_heading_do_not_hide_the_title(above: str, title: str, keys: list[str]) -> None:
    incident = incident_of(f"{above}\n\n{UNDER_THE_NOTES}")
    assert incident.title == title
    assert [s.key for s in incident.sections] == keys
    if title == CACHE:  # the heading is the title, not a line of the notes' section as well
        assert CACHE not in incident.sections[0].text and above.split()[-1] in incident.sections[0].text


def test_an_html_heading_under_a_note_is_the_title() -> None:
    incident = incident_of(f"<p>Status: FINAL</p>\n<h1>{CACHE}</h1>\n<h2>Summary</h2>\n<p>{STALE.strip()}</p>\n")
    assert incident.title == CACHE
    assert [s.key for s in incident.sections] == ["preamble", "summary"]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        pytest.param("## Summary\n\nOn March 3, 2024, from 09:10 to 11:05 UTC, the checkout cache served stale prices.\n",
                     "The checkout cache served stale prices", id="leading-date-and-range"),
        pytest.param("## Summary\n\nOn 03/04/24 between ~09:10 and 11:05 PM PST the checkout cache served stale prices.\n",
                     "The checkout cache served stale prices", id="time-phrase-without-comma"),
        pytest.param(f"## Summary\n\nMonday, March 4, 2024.\n\n{STALE}", STALE_TITLE, id="a-sentence-saying-only-when"),
        pytest.param("## Summary\n\nIn the morning of Sept. 18th, 2024, two of our sites went down after a DNS change.\n",
                     "Two of our sites went down after a DNS change", id="abbreviated-month-is-no-sentence-end"),
        pytest.param("## Summary\n\nAt approximately 09:15:04 Monday May 10th (UTC), 2021, an attacker edited the wiki.\n",
                     "An attacker edited the wiki", id="zone-and-year-after-the-time"),
        pytest.param("## Summary\n\n- **Problem:** shoppers saw stale prices at checkout\n- **Duration:** two hours\n",
                     "Shoppers saw stale prices at checkout", id="a-labelled-value"),
        pytest.param("Issue Summary:\n  On the 12th of August 2023, between 6:21pm and 7:30pm West Africa Time.\n"
                     "My virtual machine froze and lost its network connection.\n",
                     "My virtual machine froze and lost its network connection", id="never-the-file-name"),
        pytest.param("`/` was added to the URL blocklist, so every result showed a warning.\n",
                     "/ was added to the URL blocklist", id="inline-code-in-a-sentence"),
        pytest.param(f"# `/` added to the URL blocklist\n\n## Summary\n\n{STALE}", "/ added to the URL blocklist",
                     id="inline-code-in-a-heading"),
    ],
)
def test_a_title_from_a_sentence_says_what_broke(text: str, title: str) -> None:
    assert incident_of(text, "097__someone__0x19-postmortem_README.md").title == title


@pytest.mark.parametrize(
    ("text", "title", "as_written"),
    [
        pytest.param(f"https://blog.example.com/posts/checkout\n<br>\n\n\nPostmortem: {CACHE}<br>\n<br>\nIssue Summary\n"
                     f"{STALE}", CACHE, f"Postmortem: {CACHE}", id="after-a-link-and-breaks"),
        pytest.param(f"{CACHE}\nIssue Summary\n{STALE}Timeline\n09:10 UTC: alert fired\n", CACHE, "",
                     id="above-bare-headings"),
        pytest.param(f"stmortem: {CACHE} of 2024\nIssue Summary\n{STALE}", f"{CACHE} of 2024",
                     f"stmortem: {CACHE} of 2024", id="a-cut-first-line"),
    ],
)
def test_a_line_standing_alone_at_the_top_is_the_title(text: str, title: str, as_written: str) -> None:
    incident = incident_of(text)
    assert incident.title == title
    assert incident.title_as_written == as_written


BILLING = "The nightly billing export failed for two days after a schema change, and invoices went out late."


@pytest.mark.parametrize(
    ("first", "title", "summary"),
    [
        pytest.param("Billing export failure", "Billing export failure", BILLING, id="sentence-case"),
        pytest.param("Billing Export Failure", "Billing Export Failure", BILLING, id="title-case"),
        pytest.param("The export failed.", "The nightly billing export failed for two days after a schema change",
                     "The export failed.", id="a-sentence-is-no-title-line"),
    ],
)
def test_the_first_line_of_a_document_of_bare_lines_is_its_title(first: str, title: str, summary: str) -> None:
    incident = incident_of(f"{first}\n\n{BILLING}\n\nROOT CAUSE\n\nA column was renamed.\n\nACTION ITEMS\n\n"
                           "- Check the schema before exporting.\n")
    assert incident.title == title
    assert incident.summary == summary
    assert [s.key for s in incident.sections] == ["summary", "root_cause", "action_items"]


# --- metadata and times -------------------------------------------------------------------


def test_front_matter_times_with_offsets() -> None:
    incident = incident_of(
        "---\nstarted_at: 2024-05-06T23:40:00+02:00\ndetected_at: 2024-05-06T23:50:00+02:00\n"
        "resolved_at: 2024-05-06T22:25:00Z\n---\nx\n",
        "queue.md",
    )
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert incident.started_at == at(2024, 5, 6, 23, 40, tz=plus2)
    assert incident.started_at is not None and incident.started_at.utcoffset() == dt.timedelta(hours=2)
    assert incident.detected_at == at(2024, 5, 6, 21, 50)
    assert incident.resolved_at == at(2024, 5, 6, 22, 25)
    assert incident.duration_minutes == 45
    assert incident.time_to_detect_minutes == 10
    assert incident.date == dt.date(2024, 5, 6)


def test_front_matter_times_without_offset_use_the_site_timezone(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    config = load_config(tmp_path / "site.toml")
    incident = incident_of(
        "---\nstarted_at: 2024-01-15 09:00\nresolved_at: 2024-07-15 09:30\n---\nx\n", "q.md", config=config
    )
    assert incident.started_at is not None and incident.resolved_at is not None
    assert incident.started_at.utcoffset() == dt.timedelta(hours=1)  # CET in January
    assert incident.resolved_at.utcoffset() == dt.timedelta(hours=2)  # CEST in July
    assert incident.started_at == at(2024, 1, 15, 8, 0)


@pytest.mark.parametrize(
    ("started", "resolved", "minutes"),
    [
        ("2024-05-06T10:00:00Z", "2024-05-06T11:30:00Z", 90),
        ("2024-05-06T23:00:00+00:00", "2024-05-07T01:15:00+00:00", 135),
        ("2024-05-06 10:00 UTC", "2024-05-06 13:00 EAT", 0),
        ("2024-05-06T10:00:00Z", "2024-05-06T09:00:00Z", None),
    ],
)
def test_duration_minutes(started: str, resolved: str, minutes: int | None) -> None:
    incident = incident_of(f"---\nstarted_at: '{started}'\nresolved_at: '{resolved}'\n---\nx\n", "q.md")
    assert incident.duration_minutes == minutes


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("SEV-1", "sev1"), ("Critical", "sev1"), ("P2", "sev2"), ("major", "sev2"), ("'3'", "sev3"), ("low", "sev4")],
)
def test_severity_aliases(written: str, canonical: str) -> None:
    incident = incident_of(f"---\nseverity: {written}\n---\nx\n")
    assert incident.severity == canonical
    assert "unknown-severity" not in codes(incident)


def test_unknown_severity_warns_at_its_line_and_keeps_the_value() -> None:
    incident = incident_of("---\ntitle: Q\nseverity: apocalyptic\n---\nx\n")
    assert incident.severity is None
    (problem,) = [d for d in incident.diagnostics if d.code == "unknown-severity"]
    assert problem.line == 3 and problem.level.value == "warning"
    assert "'apocalyptic'" in problem.message
    assert ("severity", "apocalyptic") in incident.extra


def test_bad_time_warns() -> None:
    incident = incident_of("---\nstarted_at: sometime after lunch\n---\nx\n")
    assert incident.started_at is None
    assert [(d.code, d.line) for d in incident.diagnostics] == [("bad-time", 2)]


def test_a_yes_or_no_under_a_time_key_says_whether_not_when() -> None:
    # Status pages write `resolved: true` beside the time in another key; it is shown as written, not reported as a bad time.
    incident = incident_of("---\nresolved: true\nresolvedWhen: 2021-04-19T21:12:00Z\n---\nx\n")
    assert not [d for d in incident.diagnostics if d.code == "bad-time"]
    assert ("resolved", "true") in incident.extra and incident.status == "resolved"
    assert incident.resolved_at is not None and incident.resolved_at.isoformat() == "2021-04-19T21:12:00+00:00"


def test_unknown_zone_abbreviation_is_a_diagnostic_not_a_python_warning() -> None:
    """A zone the table does not know must not be silently replaced by the site's zone."""
    incident = incident_of("---\nstarted_at: 2024-05-06 10:00 QQT\n---\nx\n")
    problems = [d for d in incident.diagnostics if d.line == 2 and "QQT" in d.message]
    assert [d.level.value for d in problems] == ["warning"]


def test_no_date_warns() -> None:
    incident = incident_of("# Queue\n\nNo dates anywhere.\n", "queue.md")
    assert incident.date is None
    (problem,) = [d for d in incident.diagnostics if d.code == "no-date"]
    assert problem.level.value == "warning" and problem.line == 1


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("2024-05-06-queue.md", dt.date(2024, 5, 6)),
        ("2023-12-31.md", dt.date(2023, 12, 31)),
        ("2024-02-30-bad.md", None),
        ("20240506-queue.md", dt.date(2024, 5, 6)),
        ("queue-2024-05-06.md", dt.date(2024, 5, 6)),
        ("2021-10_2021-10-31-storm.md", dt.date(2021, 10, 31)),
        ("06192022-attack.md", dt.date(2022, 6, 19)),
        ("04-03-2026-portal.md", None),
        ("queue-12345678.md", None),
    ],
)
def test_date_from_file_name(name: str, date: dt.date | None) -> None:
    incident = incident_of("Text.\n", name)
    assert incident.date == date
    assert ("no-date" in codes(incident)) is (date is None)


@pytest.mark.parametrize(
    ("written", "day_first", "expected"),
    [
        ("05/04/2024", False, dt.date(2024, 5, 4)),
        ("05/04/2024", True, dt.date(2024, 4, 5)),
        ("13/04/2024", False, dt.date(2024, 4, 13)),
        ("2024-04-05", True, dt.date(2024, 4, 5)),
    ],
)
def test_front_matter_date_honours_day_first(written: str, day_first: bool, expected: dt.date) -> None:
    """site.toml's day_first decides how 05/04/2024 reads, in the front-matter as in the body."""
    config = SiteConfig(root=Path("."), day_first=day_first)
    incident = incident_of(f"---\ndate: {written}\n---\nx\n", "q.md", config=config)
    assert incident.date == expected


def test_front_matter_date_wins_over_file_name() -> None:
    incident = incident_of("---\ndate: 2024-05-07\n---\nx\n", "2024-05-06-queue.md")
    assert incident.date == dt.date(2024, 5, 7)


def test_lists_and_other_fields() -> None:
    incident = incident_of(
        "---\nservices: [queue, billing, queue]\ntag: capacity, workers\nresponders: Ana\nstatus: resolved\n"
        "summary: Jobs waited.\nrunbook: https://example.test/rb\n---\nx\n"
    )
    assert incident.services == ("queue", "billing")
    assert incident.tags == ("capacity", "workers")
    assert incident.responders == ("Ana",)
    assert incident.status == "resolved"
    assert incident.summary == "Jobs waited."
    assert ("runbook", "https://example.test/rb") in incident.extra


# --- timeline ----------------------------------------------------------------------------

TIMELINE = """---
date: 2024-05-06
---
## Timeline

- 23:12 — first alert fired
- 23:40 – rolled back the deploy
- 00:05 — queue drained
- 2024-05-07 01:30 — all clear
"""


def test_timeline_events_on_the_incident_date_with_midnight_rollover() -> None:
    incident = incident_of(TIMELINE, "queue.md")
    assert [(e.at, e.text, e.line) for e in incident.timeline] == [
        (at(2024, 5, 6, 23, 12), "first alert fired", 6),
        (at(2024, 5, 6, 23, 40), "rolled back the deploy", 7),
        (at(2024, 5, 7, 0, 5), "queue drained", 8),
        (at(2024, 5, 7, 1, 30), "all clear", 9),
    ]
    assert "timeline-order" not in codes(incident)


def test_timeline_uses_the_site_timezone(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('timezone = "Africa/Nairobi"\n', encoding="utf-8")
    incident = incident_of(TIMELINE, "queue.md", config=load_config(tmp_path / "site.toml"))
    first = incident.timeline[0].at
    assert first is not None and first.utcoffset() == dt.timedelta(hours=3)


def test_timeline_with_explicit_zone() -> None:
    incident = incident_of("---\ndate: 2024-05-06\n---\n## Timeline\n\n- 10:00 EAT — paged\n", "q.md")
    assert incident.timeline[0].at == at(2024, 5, 6, 7, 0)
    assert incident.timeline[0].text == "paged"


def test_timeline_without_a_date_keeps_events_untimed() -> None:
    incident = incident_of("# Queue\n\n## Timeline\n\n- 10:00 — paged\n- Later — fixed\n", "queue.md")
    assert [(e.at, e.text) for e in incident.timeline] == [(None, "paged"), (None, "Later — fixed")]


def test_timeline_order_warning() -> None:
    text = "---\ndate: 2024-05-06\n---\n## Timeline\n\n- 10:00 — deploy\n- 09:30 — alert\n- 10:30 — fixed\n"
    incident = incident_of(text, "queue.md")
    problems = [d for d in incident.diagnostics if d.code == "timeline-order"]
    assert [(d.line, d.level.value) for d in problems] == [(7, "warning")]
    assert "09:30" in problems[0].message and "10:00" in problems[0].message
    assert [e.text for e in incident.timeline] == ["deploy", "alert", "fixed"]


def test_timeline_from_a_table() -> None:
    text = "---\ndate: 2024-05-06\n---\n## Timeline\n\n| Time | Event |\n|---|---|\n| 09:12 | paged |\n| 09:30 | fixed |\n"
    incident = incident_of(text, "queue.md")
    assert [(e.at, e.text, e.line) for e in incident.timeline] == [
        (at(2024, 5, 6, 9, 12), "paged", 8),
        (at(2024, 5, 6, 9, 30), "fixed", 9),
    ]


@pytest.mark.parametrize(
    ("line", "split"),
    [
        ("09:12 — paged", ("09:12", "paged")),
        ("09:12: paged", ("09:12", "paged")),
        ("**09:12** paged", ("09:12", "paged")),
        ("10:00 UTC alert fired", ("10:00 UTC", "alert fired")),
        ("10:00 PM: rollback", ("10:00 PM", "rollback")),
        ("2024-05-06 10:00 EAT: paged", ("2024-05-06 10:00 EAT", "paged")),
        ("10:00 Deploy started", ("10:00", "Deploy started")),
        ("10:00 DB down", ("10:00", "DB down")),
        ("10:00 Alert fired", ("10:00", "Alert fired")),
        ("10:00 start of the rollback", ("10:00", "start of the rollback")),
        ("10:00 ok to proceed", ("10:00", "ok to proceed")),
        ("Later that day", None),
    ],
)
def test_split_leading_time(line: str, split: tuple[str, str] | None) -> None:
    assert split_leading_time(line) == split


def test_timeline_event_text_keeps_a_short_first_word() -> None:
    text = "---\ndate: 2024-05-06\n---\n## Timeline\n\n- 09:12 Alert fired for the queue\n"
    (event,) = incident_of(text, "q.md").timeline
    assert event.text == "Alert fired for the queue"
    assert event.at == at(2024, 5, 6, 9, 12)


# --- action items -------------------------------------------------------------------------


def test_action_items_from_a_checkbox_list() -> None:
    text = """# Queue

## Action items

- [ ] Add a backlog alert @ana.m OPS-123
- [x] Raise the worker limit (owner: Bo Lee) https://tracker.example.test/T-9
- Document the runbook #42
"""
    items = incident_of(text, "q.md").action_items
    assert [(i.text, i.owner, i.status, i.link, i.line) for i in items] == [
        ("Add a backlog alert @ana.m OPS-123", "ana.m", "open", "OPS-123", 5),
        ("Raise the worker limit (owner: Bo Lee) https://tracker.example.test/T-9", "Bo Lee", "done",
         "https://tracker.example.test/T-9", 6),
        ("Document the runbook #42", None, None, "#42", 7),
    ]


def test_action_items_from_a_table() -> None:
    text = """# Queue

## Follow-up tasks

| Action | Owner | Status | Ticket |
|---|---|---|---|
| Add a backlog alert | ana | Done | OPS-1 |
| Raise the worker limit | bo | in progress | OPS-2 |
| Write the runbook | | | |
| | | | |
"""
    items = incident_of(text, "q.md").action_items
    assert [(i.text, i.owner, i.status, i.link, i.line) for i in items] == [
        ("Add a backlog alert", "ana", "done", "OPS-1", 7),
        ("Raise the worker limit", "bo", "open", "OPS-2", 8),
        ("Write the runbook", None, None, None, 9),
    ]


def test_group_labels_are_not_action_items() -> None:
    """The label is the group of the items under it, not an item; nor are they lost with it."""
    text = "# Queue\n\n## Action items\n\n- Fixes:\n  - [ ] Add alert\n- [ ] Tune limits\n"
    items = incident_of(text, "q.md").action_items
    assert [(i.text, i.group) for i in items] == [("Add alert", "Fixes"), ("Tune limits", None)]


PARSE_ONCE = """---
title: Queue stalled
date: 2024-05-06
---

## Summary

The queue **stalled** for [an hour](https://example.test/).

## Timeline

- 09:12 UTC alerts fired
- 09:40 UTC worker restarted

## Action items

| Action | Owner |
|---|---|
| Add a queue-depth alert | @ana |

## Lessons learned

<details><summary>Raw notes</summary>Kept as written.</details>
"""


def test_a_document_is_parsed_once_and_its_sections_rendered_from_those_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    texts: list[str] = []

    def counting_parse(text: str, references: Any = None) -> Any:
        texts.append(text)
        return parse(text, references)

    monkeypatch.setattr(normalise_package, "parse", counting_parse)
    monkeypatch.setattr(blocks_module, "parse", counting_parse)
    incident = normalise(split_front_matter(PARSE_ONCE, "q.md", PurePosixPath("q.md")), SiteConfig(root=Path(".")), frozenset())
    assert len(texts) == 1  # the whole body, nothing more
    assert [s.key for s in incident.sections] == ["summary", "timeline", "action_items", "lessons"]
    for section in incident.sections:  # the same HTML as rendering the section's own text
        assert section.html.rstrip("\n") == render_markdown(section.text).rstrip("\n")
