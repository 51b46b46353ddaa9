"""Table-driven tests of the normaliser: one row per writing style real postmortems use.

Every fixture is a short Markdown snippet written for these tests. Each table
asserts exact values (section keys and headings, ISO instants, counts, lines),
so a row that fails names the style hindsite does not yet read correctly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from hindsite.core.config import SiteConfig
from hindsite.core.model import Incident
from hindsite.normalise import normalise
from hindsite.normalise.sections import section_key
from hindsite.read.files import split_front_matter


def incident_of(text: str, rel: str = "doc.md", config: SiteConfig | None = None) -> Incident:
    document = split_front_matter(text, "doc.md", PurePosixPath(rel))
    return normalise(document, config or SiteConfig(root=Path(".")), frozenset())


def sections_of(incident: Incident) -> list[tuple[str, str, str]]:
    return [(s.key, s.heading, s.text) for s in incident.every_section()]


def events_of(incident: Incident) -> list[tuple[str | None, str | None, str, int]]:
    return [
        (e.at.isoformat() if e.at else None, e.time.isoformat() if e.time else None, e.text, e.line)
        for e in incident.timeline
    ]


def items_of(incident: Incident) -> list[tuple[str, str | None, str | None, str | None, int]]:
    return [(i.text, i.owner, i.status, i.link, i.line) for i in incident.action_items]


def diagnostics_of(incident: Incident, code: str) -> list[tuple[int | None, str]]:
    return [(d.line, d.message) for d in incident.diagnostics if d.code == code]


def plain(value: Any) -> Any:
    """Dates and datetimes as ISO strings, so a table can state them as written."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


TITLE = "# Cache outage\n\n"


# --- 1. heading styles ----------------------------------------------------------------------

HEADING_STYLES = [
    pytest.param(
        TITLE + "## Root cause\n\nA stale cache key.\n",
        [("root_cause", "Root cause", "A stale cache key.")],
        [],
        id="atx",
    ),
    pytest.param(
        TITLE + "Impact\n------\n\nUsers saw errors.\n",
        [("impact", "Impact", "Users saw errors.")],
        [],
        id="setext",
    ),
    pytest.param(
        TITLE + "<h3>Timeline</h3>\n\nWe rolled back.\n",
        [("timeline", "Timeline", "We rolled back.")],
        [],
        id="raw-html-h3",
    ),
    pytest.param(
        TITLE + "**Timeline:**\n\nWe rolled back.\n",
        [("timeline", "Timeline", "We rolled back.")],
        [],
        id="bold-paragraph-with-colon",
    ),
    pytest.param(
        TITLE + "*Timeline (All the times are in EAT time-zone):*\n\nWe rolled back.\n",
        [("timeline", "Timeline (All the times are in EAT time-zone)", "We rolled back.")],
        [],
        id="italic-paragraph-with-zone-note",
    ),
    pytest.param(
        TITLE + "Prices went stale at noon.\n\nRoot Cause and Resolution:\n\nA stale cache key.\n",
        [
            ("summary", "", "Prices went stale at noon."),
            ("root_cause", "Root Cause and Resolution", "A stale cache key."),
        ],
        [],
        id="bare-line-own-paragraph",
    ),
    pytest.param(
        TITLE + "Prices went stale at noon.\n\nRoot Cause and Resolution\n\nA stale cache key.\n",
        [
            ("summary", "", "Prices went stale at noon."),
            ("root_cause", "Root Cause and Resolution", "A stale cache key."),
        ],
        [],
        id="bare-line-without-colon",
    ),
    pytest.param(
        TITLE + "## Summary\n\nPrices went stale at noon.\nShoppers paid old prices.\nRoot Cause and Resolution:\n\n"
        "A stale cache key.\n",
        [
            ("summary", "Summary", "Prices went stale at noon.\nShoppers paid old prices."),
            ("root_cause", "Root Cause and Resolution", "A stale cache key."),
        ],
        [],
        id="bare-line-last-line-of-paragraph",
    ),
    pytest.param(
        TITLE + "## Root cause\n\n- A stale cache key was served from the edge.\nResolution and Recovery\n"
        "- We flushed the cache on every node.\n- We pinned the key version.\n",
        [
            ("root_cause", "Root cause", "- A stale cache key was served from the edge."),
            ("resolution", "Resolution and Recovery", "- We flushed the cache on every node.\n- We pinned the key version."),
        ],
        [],
        id="bare-line-at-the-margin-after-a-list-item",
    ),
    pytest.param(
        TITLE + "## Action items\n\n- Add a cache-hit alert\n<br>\nLessons learned\n- Caches need owners.\n",
        [
            ("action_items", "Action items", "- Add a cache-hit alert\n<br>"),
            ("lessons", "Lessons learned", "- Caches need owners."),
        ],
        [],
        id="bare-line-at-the-margin-after-an-action-item-and-a-break",
    ),
    pytest.param(
        TITLE + "#Impact\n\nUsers saw errors.\n",
        [("impact", "Impact", "Users saw errors.")],
        [],
        id="hash-without-space",
    ),
    pytest.param(
        TITLE + "### 🔎 Root cause\n\nA stale cache key.\n",
        [("root_cause", "🔎 Root cause", "A stale cache key.")],
        [],
        id="emoji-heading",
    ),
    pytest.param(
        TITLE + "## 2. Timeline\n\nWe rolled back.\n",
        [("timeline", "2. Timeline", "We rolled back.")],
        [],
        id="numbered-heading",
    ),
    pytest.param(
        TITLE + "## Impact:\n\nUsers saw errors.\n",
        [("impact", "Impact:", "Users saw errors.")],  # model.md: the heading as written
        [],
        id="atx-trailing-colon",
    ),
    pytest.param(
        TITLE + "* 🔎 Root cause\n\n    A stale cache key was served\n    from the edge nodes.\n",
        [("root_cause", "🔎 Root cause", "A stale cache key was served\nfrom the edge nodes.")],
        [],
        id="notion-labelled-bullet-with-indented-paragraph",
    ),
    pytest.param(
        TITLE + "## Root Cause and Resolution\n\n- **Root Cause:** A stale cache key was served.\n"
        "- **Resolution:** We flushed the cache.\n",
        [
            ("root_cause", "Root Cause and Resolution", "- **Root Cause:** A stale cache key was served."),
            ("resolution", "Resolution", "We flushed the cache."),
        ],
        [],
        id="labelled-bullets-split-combined-section",
    ),
    pytest.param(
        TITLE + "## Issue Summary\n\nCheckout failed for an hour.\n\n* **Impact:**\n  Users saw errors.\n"
        "  About 30% of carts failed.\n",
        [
            ("summary", "Issue Summary", "Checkout failed for an hour."),
            ("impact", "Impact", "Users saw errors.\nAbout 30% of carts failed."),
        ],
        [],
        id="bold-label-bullet-with-lines-below-in-issue-summary",
    ),
    pytest.param(
        TITLE + "## Timeline\n\n### 2018-03-26 10:34\n\nAlert fired for checkout.\n\n### 2018-03-26 10:50\n\n"
        "Cache flushed.\n",
        [(
            "timeline",
            "Timeline",
            "### 2018-03-26 10:34\n\nAlert fired for checkout.\n\n### 2018-03-26 10:50\n\nCache flushed.",
        )],
        [
            ("2018-03-26T10:34:00+00:00", "Alert fired for checkout.", 5),
            ("2018-03-26T10:50:00+00:00", "Cache flushed.", 9),
        ],
        id="timestamp-sub-headings-are-events",
    ),
]


@pytest.mark.parametrize(("text", "sections", "events"), HEADING_STYLES)
def test_heading_styles(text: str, sections: list[tuple[str, str, str]], events: list[tuple[str, str, int]]) -> None:
    incident = incident_of(text)
    assert incident.title == "Cache outage"
    assert sections_of(incident) == sections
    assert [(e.at.isoformat() if e.at else None, e.text, e.line) for e in incident.timeline] == events


# --- 2. synonyms --------------------------------------------------------------------------

SYNONYMS = [
    ("Issue Summary", "summary"),
    ("Overview", "summary"),
    ("Consequences", "impact"),
    ("Contributing Factors", "root_cause"),
    ("Trigger", "trigger"),
    ("Leadup", "trigger"),
    ("Fault", "fault"),
    ("Key events", "timeline"),
    ("Details of fix", "resolution"),
    ("Corrective and Preventative Measures", "action_items"),
    ("Corrective and Preventive Measures", "action_items"),
    ("Next steps", "action_items"),
    ("Looking forward", "action_items"),
    ("What we're doing about it", "action_items"),
    ("Review actions", "action_items"),
    ("Tasks", "action_items"),
    ("Improvements/Fixes", "action_items"),
    ("Follow-up tasks", "action_items"),
    ("Stats", "impact"),
    ("What went well", "lessons"),
    ("What Went Right", "lessons"),
    ("Things that went right", "lessons"),
    ("What went wrong", "fault"),
    ("Where we got lucky", "lessons"),
    ("Lessons learnt", "lessons"),
    ("Resolution and recovery", "resolution"),
    ("Cause & Resolution", "root_cause"),  # one section for both, named by the first
    ("Detection", "detection"),
    ("Related records", "related"),
    ("Supporting information", "related"),
]


@pytest.mark.parametrize(("heading", "key"), [pytest.param(h, k, id=h) for h, k in SYNONYMS])
def test_synonyms(heading: str, key: str) -> None:
    assert section_key(heading) == key
    incident = incident_of(f"{TITLE}## {heading}\n\nWords written under the heading.\n")
    assert sections_of(incident) == [(key, heading, "Words written under the heading.")]


MITIGATION = "We rolled back the retry change and refunded every duplicate charge within a day."


@pytest.mark.parametrize(
    ("text", "key", "items"),
    [
        pytest.param(f"## Mitigation\n\n{MITIGATION}\n", "resolution", [], id="mitigation-in-prose-is-what-was-done"),
        pytest.param(f"## Mitigation steps taken\n\n{MITIGATION}\n", "resolution", [], id="mitigation-steps-taken"),
        pytest.param(f"## Remediation\n\n{MITIGATION}\n", "resolution", [], id="remediation-in-prose"),
        pytest.param(f"## Summary\n\nCharges were taken twice.\n\n**Mitigation:** {MITIGATION}\n", "resolution", [],
                     id="a-mitigation-label-in-the-summary"),
        pytest.param("## Remediation\n\n### Later\n\n- Add an idempotency key\n- Alert on duplicate charges\n",
                     "action_items", [("Add an idempotency key", None, None, None, 7),
                                      ("Alert on duplicate charges", None, None, None, 8)],
                     id="remediation-listing-follow-ups-is-action-items"),
        pytest.param("## Mitigation\n\n| Action | Owner |\n|---|---|\n| Add an idempotency key | Ana |\n", "action_items",
                     [("Add an idempotency key", "Ana", None, None, 7)], id="mitigation-as-a-table-of-actions"),
        pytest.param("## Corrective actions\n\nAdd an idempotency key to every charge.\n", "action_items",
                     [("Add an idempotency key to every charge.", None, None, None, 5)], id="corrective-actions-in-prose"),
        pytest.param("## Mitigation and future prevention\n\nAdd an idempotency key to every charge.\n", "action_items",
                     [("Add an idempotency key to every charge.", None, None, None, 5)],
                     id="a-heading-that-also-names-prevention"),
    ],
)
def test_a_mitigation_or_remediation_section_is_action_items_only_where_it_lists_them(
    text: str, key: str, items: list[tuple[str, str | None, str | None, str | None, int]]
) -> None:
    incident = incident_of(TITLE + text)
    assert key in [s.key for s in incident.every_section()]
    assert items_of(incident) == items


# --- 3. site aliases ------------------------------------------------------------------------

ALIASED = SiteConfig(root=Path("."), section_aliases={"Customer comms": "impact"})


@pytest.mark.parametrize(
    ("text", "config", "sections"),
    [
        pytest.param(
            TITLE + "## Customer comms\n\nWe emailed every merchant.\n",
            ALIASED,
            [("impact", "Customer comms", "We emailed every merchant.")],
            id="alias-atx",
        ),
        pytest.param(
            TITLE + "**Customer comms:**\n\nWe emailed every merchant.\n",
            ALIASED,
            [("impact", "Customer comms", "We emailed every merchant.")],
            id="alias-bold-paragraph",
        ),
        pytest.param(
            TITLE + "## Customer comms\n\nWe emailed every merchant.\n",
            SiteConfig(root=Path(".")),
            [("other", "Customer comms", "We emailed every merchant.")],
            id="no-alias-without-config",
        ),
        pytest.param(
            TITLE + "## Customer comms\n\nWe emailed every merchant.\n\n## Appendix\n\nGraphs of hit rates.\n",
            ALIASED,
            [
                ("impact", "Customer comms", "We emailed every merchant."),
                ("other", "Appendix", "Graphs of hit rates."),
            ],
            id="unknown-heading-stays-other",
        ),
    ],
)
def test_site_aliases(text: str, config: SiteConfig, sections: list[tuple[str, str, str]]) -> None:
    assert sections_of(incident_of(text, config=config)) == sections


# --- 4. metadata styles -------------------------------------------------------------------

METADATA_STYLES = [
    pytest.param(
        TITLE + "| Severity | Critical |\n|---|---|\n| Date | 2024-03-03 |\n| Affected services | api, db |\n",
        "doc.md",
        {"severity": "sev1", "date": "2024-03-03", "services": ("api", "db")},
        {"severity": ("table", 3), "date": ("table", 5), "services": ("table", 6)},
        id="key-value-table-header-row-is-data",
    ),
    pytest.param(
        TITLE + "Severity: Major\nDate: 2024-03-03\n\nCheckout failed.\n",
        "doc.md",
        {"severity": "sev2", "date": "2024-03-03"},
        {"severity": ("line", 3), "date": ("line", 4)},
        id="key-value-lines",
    ),
    pytest.param(
        TITLE + "- **Duration:** 10:00 - 11:30 UTC, March 3, 2024\n- **Severity:** Minor\n",
        "doc.md",
        {
            "started_at": "2024-03-03T10:00:00+00:00",
            "resolved_at": "2024-03-03T11:30:00+00:00",
            "duration_minutes": 90,
            "date": "2024-03-03",
            "severity": "sev3",
        },
        {"started_at": ("bullet", 3), "resolved_at": ("bullet", 3), "severity": ("bullet", 4)},
        id="bold-duration-bullet-with-range",
    ),
    pytest.param(
        TITLE + "Duration: 2h (detection took 35m)\n",
        "doc.md",
        {"duration_minutes": 120},
        {"duration_minutes": ("line", 3)},
        id="a-duration-with-an-aside-of-another-length",
    ),
    pytest.param(
        TITLE + "Duration: Unknown (at least 2h)\n",
        "doc.md",
        {"duration_minutes": None},
        {"duration_minutes": None},
        id="a-bound-is-no-duration",
    ),
    pytest.param(
        TITLE + "Duration: The outage lasted 90 minutes, from 10:00 AM to 11:30 AM on 14/02/2024 (EAT)\n",
        "doc.md",
        {"started_at": "2024-02-14T10:00:00+03:00", "resolved_at": "2024-02-14T11:30:00+03:00", "duration_minutes": 90},
        {"started_at": ("line", 3), "resolved_at": ("line", 3)},
        id="duration-line-with-a-zone-after-the-date",
    ),
    pytest.param(
        TITLE + "* **Duration:**\n  10:00 - 11:30 UTC, March 3, 2024\n* **Severity:** Minor\n",
        "doc.md",
        {
            "started_at": "2024-03-03T10:00:00+00:00",
            "resolved_at": "2024-03-03T11:30:00+00:00",
            "duration_minutes": 90,
            "severity": "sev3",
        },
        {"started_at": ("bullet", 3), "resolved_at": ("bullet", 3), "severity": ("bullet", 5)},
        id="bold-duration-bullet-value-on-next-line",
    ),
    pytest.param(
        TITLE + "- Duration:\n  - Start: 2024-03-03 10:00 UTC\n  - End: 2024-03-03 11:30 UTC\n",
        "doc.md",
        {"started_at": "2024-03-03T10:00:00+00:00", "resolved_at": "2024-03-03T11:30:00+00:00", "duration_minutes": 90},
        {"started_at": ("bullet", 4), "resolved_at": ("bullet", 5)},
        id="nested-start-end-bullets",
    ),
    pytest.param(
        TITLE + "Start: 2024-03-03 10:00 UTC\nTime to detection: 15 minutes\n",
        "doc.md",
        {"started_at": "2024-03-03T10:00:00+00:00", "detected_at": "2024-03-03T10:15:00+00:00"},
        {"started_at": ("line", 3), "detected_at": ("line", 4)},
        id="time-to-detection",
    ),
    pytest.param(
        TITLE + "Start: 2024-03-03 10:00 UTC\nTime to resolve: 1h 30m\n",
        "doc.md",
        {"duration_minutes": 90, "resolved_at": "2024-03-03T11:30:00+00:00"},
        {"duration_minutes": ("line", 4)},
        id="time-to-resolve",
    ),
    pytest.param(
        TITLE + "## Severity\n\n**Critical** - Complete or major outage affecting most customers.\n\n## Impact\n\nAll down.\n",
        "doc.md",
        {"severity": "sev1"},
        {"severity": ("line", 5)},
        id="a-section-headed-severity-opening-with-its-level",
    ),
    pytest.param(
        TITLE + "### Severity\n\nSEV-2 (customers saw errors for an hour)\n",
        "doc.md",
        {"severity": "sev2"},
        {"severity": ("line", 5)},
        id="a-severity-heading-over-a-level-and-an-aside",
    ),
    pytest.param(
        TITLE + "## Priority\n\nHigh\n",
        "doc.md",
        {"severity": "sev2"},
        {"severity": ("line", 5)},
        id="a-priority-heading-over-a-level",
    ),
    pytest.param(
        TITLE + "## Responders\n\n- @ana\n- Bo Lee (incident commander)\n\n## Impact\n\nAll down.\n",
        "doc.md",
        {"responders": ("ana", "Bo Lee")},
        {"responders": ("bullet", 5)},
        id="a-responders-section-listing-people",
    ),
    pytest.param(
        TITLE + "## People involved\n\nAna Silva, Bo Lee and Cy\n",
        "doc.md",
        {"responders": ("Ana Silva", "Bo Lee", "Cy")},
        {"responders": ("line", 5)},
        id="a-people-involved-section-naming-them-on-one-line",
    ),
    pytest.param(
        TITLE + "Affected services: api, db\n",
        "doc.md",
        {"services": ("api", "db")},
        {"services": ("line", 3)},
        id="affected-services-list",
    ),
    pytest.param(
        TITLE + "Responders: @[Ana Silva](mention://user/1) @[Bo Lee](mention://user/2)\n",
        "doc.md",
        {"responders": ("Ana Silva", "Bo Lee")},
        {"responders": ("line", 3)},
        id="responders-app-mentions",
    ),
    pytest.param(
        "---\nseverity: minor\n---\n" + TITLE + "| Severity | Critical |\n|---|---|\n| Date | 2024-03-03 |\n",
        "doc.md",
        {"severity": "sev3", "date": "2024-03-03"},
        {"severity": ("front-matter", 2), "date": ("table", 8)},
        id="front-matter-beats-body-table",
    ),
    pytest.param(
        TITLE + "Checkout failed.\n",
        "2024-02-03-x.md",
        {"date": "2024-02-03"},
        {"date": ("file-name", None)},
        id="file-name-date-prefix",
    ),
    pytest.param(
        "# Checkout outage on March 3, 2024\n\nCheckout failed.\n",
        "doc.md",
        {"date": "2024-03-03", "title": "Checkout outage"},
        {"date": ("title", 1)},
        id="date-in-title-line",
    ),
    pytest.param(
        TITLE + "On March 3, 2024 checkout failed for an hour.\n",
        "doc.md",
        {"date": "2024-03-03"},
        {"date": ("prose", None)},
        id="date-only-in-prose",
    ),
]


@pytest.mark.parametrize(
    ("line", "severity"),
    [
        pytest.param("Severity: initially P3, upgraded to P1 at 10:40", None, id="a-level-that-changed"),
        pytest.param("Severity: Not major, only a handful of users were affected", None, id="a-level-denied"),
        pytest.param("Priority: low-latency path affected", None, id="a-word-that-holds-a-level"),
        pytest.param("Severity: Major (customer-facing)", "sev2", id="a-level-and-an-aside"),
        pytest.param("Severity: SEV-2 - partial outage", "sev2", id="a-level-and-a-dash"),
        pytest.param("Severity: High, customers affected", "sev2", id="a-level-and-a-clause"),
        pytest.param("Severity: 2", "sev2", id="a-number-on-the-scale"),
        pytest.param("**Severity:** Critical.", "sev1", id="a-bold-label"),
    ],
)
def test_a_severity_line_states_a_level_only_where_its_value_opens_with_one(line: str, severity: str | None) -> None:
    incident = incident_of(TITLE + line + "\n")
    assert incident.severity == severity


@pytest.mark.parametrize(
    ("text", "severity", "line"),
    [
        pytest.param("Priority: P2\nSeverity: Minor\n", "sev3", 4, id="priority-written-first"),
        pytest.param("Severity: Minor\nPriority: P2\n", "sev3", 3, id="severity-written-first"),
        pytest.param("| Priority | Severity |\n|---|---|\n| P1 | Sev 3 |\n", "sev3", 5, id="a-row-under-both-labels"),
        pytest.param("Priority: P2\n\n| Severity | Minor |\n|---|---|\n| Date | 2024-03-01 |\n", "sev3", 5,
                     id="severity-in-a-table-priority-on-a-line"),
        pytest.param("| Priority | P1 |\n|---|---|\n| Date | 2024-03-01 |\n\nSeverity: Minor\n", "sev3", 7,
                     id="priority-in-a-table-severity-on-a-line"),
        pytest.param("Priority: P2\nDate: 2024-03-01\n", "sev2", 3, id="priority-alone-still-states-a-level"),
    ],
)
def test_a_stated_severity_wins_over_a_priority_whatever_the_order(text: str, severity: str, line: int) -> None:
    incident = incident_of(TITLE + text)
    assert incident.severity == severity
    assert [(o.how, o.line) for o in incident.origins if o.field == "severity"][0][1] == line


@pytest.mark.parametrize(
    "section",
    [
        pytest.param("It was first rated minor, then raised to critical once checkout failed.\n", id="a-sentence"),
        pytest.param("Not critical. Only internal dashboards were slow.\n", id="a-level-denied"),
        pytest.param("Initially Low, raised to High once checkout failed.\n", id="two-levels-in-a-line"),
        pytest.param("**Critical** - Complete outage\n**Major** - Partial outage\n", id="a-legend-in-lines"),
        pytest.param("**Critical** - Complete outage\n\n- **Major** - Partial outage\n", id="a-legend-and-a-list"),
        pytest.param("To be confirmed.\n", id="not-yet-known"),
        pytest.param("v1.2 rollout; customers saw errors\n", id="no-level"),
    ],
)
def test_a_severity_heading_over_no_single_level_states_none_and_warns_of_nothing(section: str) -> None:
    incident = incident_of(TITLE + "## Severity\n\n" + section)
    assert incident.severity is None
    assert [d.code for d in incident.diagnostics if d.code == "unknown-severity"] == []


@pytest.mark.parametrize(
    "section",
    [
        pytest.param("## Responders\n\nThe on-call engineer paged the database team.\n", id="a-sentence"),
        pytest.param("## Responders\n\n- Ana restarted the service after the page fired\n", id="an-item-that-is-a-sentence"),
        pytest.param("## Responders\n\n- [Ana](https://people.example/ana)\n", id="a-link"),
        pytest.param("## Responders\n\nThese people:\n\n- Ana\n", id="more-than-a-list"),
        pytest.param("## Authors\n\n- Ana Silva\n", id="the-authors-wrote-it"),
        pytest.param("## Owners\n\n- Ana Silva\n", id="owners-own-follow-ups"),
        pytest.param("## Responders\n\n- Comms: Bo Lee\n- Scribe - Cy Diaz\n", id="roles-and-names"),
    ],
)
def test_a_section_that_is_more_than_a_list_of_responders_names_none(section: str) -> None:
    assert incident_of(TITLE + section).responders == ()


@pytest.mark.parametrize(
    ("text", "responders"),
    [
        pytest.param("Author: Ana Silva\n", (), id="author"),
        pytest.param("Authors: Ana Silva, Bo Lee\n", (), id="authors"),
        pytest.param("* **Authors**: Ana Silva, Bo Lee\n* **Severity**: Minor\n", (), id="a-bold-authors-bullet"),
        pytest.param("| Authors | Severity |\n|---|---|\n| Ana Silva | Minor |\n", (), id="an-authors-column"),
        pytest.param("Authors: Ana Silva\nResponders: Bo Lee, Cy Diaz\n", ("Bo Lee", "Cy Diaz"),
                     id="responders-beside-the-authors"),
        pytest.param("Incident commander: Bo Lee\n", ("Bo Lee",), id="an-incident-commander"),
    ],
)
def test_the_authors_of_the_document_are_not_its_responders(text: str, responders: tuple[str, ...]) -> None:
    assert incident_of(TITLE + text).responders == responders


@pytest.mark.parametrize(
    ("line", "services"),
    [
        pytest.param("Affected services: None (internal tooling only)", (), id="none-with-an-aside"),
        pytest.param("Affected services: none directly; internal CI only", (), id="none-directly"),
        pytest.param("Affected systems: 3 of 5 regions", (), id="a-share-of-regions"),
        pytest.param("Services: ~40% of API traffic", (), id="a-share-of-traffic"),
        pytest.param("Services: all customer-facing services", (), id="all-of-them"),
        pytest.param("Services: Checkout (web and mobile), partially Search", ("Checkout", "Search"),
                     id="names-with-an-aside-and-a-qualifier"),
        pytest.param("Affected services: api, db and the billing worker", ("api", "db", "the billing worker"),
                     id="names-in-a-list"),
        pytest.param("Services: Sentry (hosted)", ("Sentry",), id="a-name-with-an-aside"),
    ],
)
def test_services_are_names_not_sentences(line: str, services: tuple[str, ...]) -> None:
    assert incident_of(TITLE + line + "\n").services == services


@pytest.mark.parametrize(("text", "rel", "values", "origins"), METADATA_STYLES)
def test_metadata_styles(
    text: str, rel: str, values: Mapping[str, Any], origins: Mapping[str, tuple[str, int | None]]
) -> None:
    incident = incident_of(text, rel)
    assert {name: plain(getattr(incident, name)) for name in values} == dict(values)
    found = {o.field: (o.how, o.line) for o in incident.origins}
    assert {name: found.get(name) for name in origins} == dict(origins)


# --- 6. zone rules --------------------------------------------------------------------------

DATED = "---\ndate: 2024-03-03\n---\n" + TITLE
NAIROBI = SiteConfig(root=Path("."), timezone="Africa/Nairobi")


@pytest.mark.parametrize(
    ("text", "config", "expected"),
    [
        pytest.param(
            DATED + "## Timeline\n\nAll times in CET.\n\n| Time | Event |\n|---|---|\n| 10:00 | Alert fired |\n"
            "| 10:20 | Cache flushed |\n",
            None,
            [("2024-03-03T10:00:00+01:00", "10:00:00+01:00"), ("2024-03-03T10:20:00+01:00", "10:20:00+01:00")],
            id="all-times-in-cet-paragraph-before-table",
        ),
        pytest.param(
            DATED + "All times in CET.\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| 10:00 | Alert fired |\n"
            "| 10:20 | Cache flushed |\n",
            None,
            [("2024-03-03T10:00:00+01:00", "10:00:00+01:00"), ("2024-03-03T10:20:00+01:00", "10:20:00+01:00")],
            id="all-times-in-cet-paragraph-before-timeline-heading",
        ),
        pytest.param(
            DATED + "## Timeline (PST)\n\n- 10:00 Alert fired\n- 10:20 Cache flushed\n",
            None,
            [("2024-03-03T10:00:00-08:00", "10:00:00-08:00"), ("2024-03-03T10:20:00-08:00", "10:20:00-08:00")],
            id="zone-in-timeline-heading",
        ),
        pytest.param(
            DATED + "## Timeline\n\n| Date and Time in CET | Event |\n|---|---|\n| 2024-03-03 10:00 | Alert fired |\n"
            "| 2024-03-03 10:20 | Cache flushed |\n",
            None,
            [("2024-03-03T10:00:00+01:00", "10:00:00+01:00"), ("2024-03-03T10:20:00+01:00", "10:20:00+01:00")],
            id="zone-in-table-header",
        ),
        pytest.param(
            DATED + "## Timeline\n\n- 10:00 Alert fired\n- 10:20 Cache flushed\n",
            NAIROBI,
            [("2024-03-03T10:00:00+03:00", "10:00:00+03:00"), ("2024-03-03T10:20:00+03:00", "10:20:00+03:00")],
            id="site-timezone-for-times-without-zone",
        ),
        pytest.param(
            DATED + "## Timeline (PST)\n\n- 10:00 Alert fired\n- 19:20 UTC Cache flushed\n- 11:40 Customers told\n",
            NAIROBI,
            [
                ("2024-03-03T10:00:00-08:00", "10:00:00-08:00"),
                ("2024-03-03T19:20:00+00:00", "19:20:00+00:00"),
                ("2024-03-03T11:40:00-08:00", "11:40:00-08:00"),
            ],
            id="explicit-zone-on-a-line-overrides-section-zone",
        ),
        pytest.param(
            DATED + "All times are UTC+3\n\n## Timeline\n\n- 10:00 Alert fired\n- 10:20 Cache flushed\n",
            None,
            [("2024-03-03T10:00:00+03:00", "10:00:00+03:00"), ("2024-03-03T10:20:00+03:00", "10:20:00+03:00")],
            id="a-statement-of-an-offset-from-utc",
        ),
    ],
)
def test_zone_rules(text: str, config: SiteConfig | None, expected: list[tuple[str, str]]) -> None:
    incident = incident_of(text, config=config)
    # `time` keeps its offset (model.md: "the clock time with offset (14:05+03:00)").
    assert [(at, time) for at, time, _, _ in events_of(incident)] == expected


# --- 7. timeline event sources --------------------------------------------------------------

TIMELINE = DATED + "## Timeline\n\n"  # the timeline body starts on line 8


@pytest.mark.parametrize(
    ("text", "events", "order_lines"),
    [
        pytest.param(
            TIMELINE + "- 09:12 — Alert fired for checkout\n- 09:30 — Cache flushed\n",
            [
                ("2024-03-03T09:12:00+00:00", "09:12:00+00:00", "Alert fired for checkout", 8),
                ("2024-03-03T09:30:00+00:00", "09:30:00+00:00", "Cache flushed", 9),
            ],
            [],
            id="list-items",
        ),
        pytest.param(
            TIMELINE + "| Date | Time | Event |\n|---|---|---|\n| 2024-03-03 | 23:50 | Deploy started |\n"
            "| 2024-03-04 | 00:10 | Alert fired |\n",
            [
                ("2024-03-03T23:50:00+00:00", "23:50:00+00:00", "Deploy started", 10),
                ("2024-03-04T00:10:00+00:00", "00:10:00+00:00", "Alert fired", 11),
            ],
            [],
            id="table-with-date-and-time-columns",
        ),
        pytest.param(
            TIMELINE + "09:12 Alert fired for checkout and the\nerror rate climbed to 30%.\n"
            "09:30 Cache flushed by the on-call.\n09:45 Error rate back to normal.\n",
            [
                ("2024-03-03T09:12:00+00:00", "09:12:00+00:00",
                 "Alert fired for checkout and the error rate climbed to 30%.", 8),
                ("2024-03-03T09:30:00+00:00", "09:30:00+00:00", "Cache flushed by the on-call.", 10),
                ("2024-03-03T09:45:00+00:00", "09:45:00+00:00", "Error rate back to normal.", 11),
            ],
            [],
            id="time-first-lines-in-one-paragraph",
        ),
        pytest.param(
            TIMELINE + "- **Issue detected:** 10:15 PM\n- **Root cause found:** 10:40 PM\n"
            "- **Service restored:** 11:05 PM\n",
            [
                ("2024-03-03T22:15:00+00:00", "22:15:00+00:00", "Issue detected", 8),
                ("2024-03-03T22:40:00+00:00", "22:40:00+00:00", "Root cause found", 9),
                ("2024-03-03T23:05:00+00:00", "23:05:00+00:00", "Service restored", 10),
            ],
            [],
            id="label-colon-time-bullets",
        ),
        pytest.param(
            TIMELINE + "### 09:12\n\nAlert fired for checkout.\n\n### 09:30 UTC\n\nCache flushed.\n",
            [
                ("2024-03-03T09:12:00+00:00", "09:12:00+00:00", "Alert fired for checkout.", 8),
                ("2024-03-03T09:30:00+00:00", "09:30:00+00:00", "Cache flushed.", 12),
            ],
            [],
            id="timestamp-sub-headings",
        ),
        pytest.param(
            TIMELINE + "- 23:50 — Deploy started\n- 00:10 — Errors began\n- 00:40 — Rolled back\n",
            [
                ("2024-03-03T23:50:00+00:00", "23:50:00+00:00", "Deploy started", 8),
                ("2024-03-04T00:10:00+00:00", "00:10:00+00:00", "Errors began", 9),
                ("2024-03-04T00:40:00+00:00", "00:40:00+00:00", "Rolled back", 10),
            ],
            [],
            id="day-rollover",
        ),
        pytest.param(
            TIMELINE + "- 11:40 latency climbs\n- 12:10 failover\n- 1:05 cause found\n- 1:30 restored\n",
            [
                ("2024-03-03T11:40:00+00:00", "11:40:00+00:00", "latency climbs", 8),
                ("2024-03-03T12:10:00+00:00", "12:10:00+00:00", "failover", 9),
                ("2024-03-03T13:05:00+00:00", "13:05:00+00:00", "cause found", 10),
                ("2024-03-03T13:30:00+00:00", "13:30:00+00:00", "restored", 11),
            ],
            [],
            id="a-12-hour-clock-past-noon-without-pm",
        ),
        pytest.param(
            TIMELINE + "- 22:30 deploy\n- 1:10 errors\n",
            [
                ("2024-03-03T22:30:00+00:00", "22:30:00+00:00", "deploy", 8),
                ("2024-03-04T01:10:00+00:00", "01:10:00+00:00", "errors", 9),
            ],
            [],
            id="a-24-hour-clock-past-midnight-with-one-digit",
        ),
        pytest.param(
            TIMELINE + "- 09:00 deploy\n- 13:00 errors\n- 2:00 paged\n",
            [
                ("2024-03-03T09:00:00+00:00", "09:00:00+00:00", "deploy", 8),
                ("2024-03-03T13:00:00+00:00", "13:00:00+00:00", "errors", 9),
                ("2024-03-04T02:00:00+00:00", "02:00:00+00:00", "paged", 10),
            ],
            [],
            id="a-timeline-that-writes-24-hour-times-rolls-over",
        ),
        pytest.param(
            TIMELINE + "- 11:40 AM deploy\n- 12:10 PM errors\n- 1:05 AM paged\n",
            [
                ("2024-03-03T11:40:00+00:00", "11:40:00+00:00", "deploy", 8),
                ("2024-03-03T12:10:00+00:00", "12:10:00+00:00", "errors", 9),
                ("2024-03-04T01:05:00+00:00", "01:05:00+00:00", "paged", 10),
            ],
            [],
            id="a-written-am-is-kept",
        ),
        pytest.param(
            TIMELINE + "- 10:00 — Deploy started\n- 09:40 — Alert fired\n- 10:30 — Rolled back\n",
            [
                ("2024-03-03T10:00:00+00:00", "10:00:00+00:00", "Deploy started", 8),
                ("2024-03-03T09:40:00+00:00", "09:40:00+00:00", "Alert fired", 9),
                ("2024-03-03T10:30:00+00:00", "10:30:00+00:00", "Rolled back", 10),
            ],
            [9],
            id="out-of-order-kept-and-reported",
        ),
        pytest.param(
            TIMELINE + "| Date | Time (PST) | Event |\n|---|---|---|\n| 3/3 | 11:55 PM | batch starts |\n"
            "| 3/4 | 12:20 AM | alert fires |\n| 3/5 | 9:00 AM | fix deployed |\n",
            [
                ("2024-03-03T23:55:00-08:00", "23:55:00-08:00", "batch starts", 10),
                ("2024-03-04T00:20:00-08:00", "00:20:00-08:00", "alert fires", 11),
                ("2024-03-05T09:00:00-08:00", "09:00:00-08:00", "fix deployed", 12),
            ],
            [],
            id="a-column-of-month-and-day-beside-the-time",
        ),
        pytest.param(
            TIMELINE + "| Date | Time | Event |\n|---|---|---|\n| 3/4 | 09:00 | alert fires |\n",
            [(None, "09:00:00+00:00", "alert fires", 10)],
            [],
            id="a-day-column-nothing-orders-dates-nothing",
        ),
        pytest.param(
            TIMELINE + "| Step | Time | Event |\n|---|---|---|\n| 3/4 | 09:00 | alert fires |\n",
            [("2024-03-03T09:00:00+00:00", "09:00:00+00:00", "3/4 — alert fires", 10)],
            [],
            id="a-fraction-in-another-column-is-no-day",
        ),
        pytest.param(
            TIMELINE + "1. 09:10 Alert fired\n2. 09:18 Host checked:\n\n   ```\n   $ date\n"
            "   Sun Mar 3 06:02:11 UTC 2024\n   ```\n\n3. 09:40 Resolved\n",
            [
                ("2024-03-03T09:10:00+00:00", "09:10:00+00:00", "Alert fired", 8),
                ("2024-03-03T09:18:00+00:00", "09:18:00+00:00", "Host checked:", 9),
                ("2024-03-03T09:40:00+00:00", "09:40:00+00:00", "Resolved", 16),
            ],
            [],
            id="a-fence-inside-a-loose-item-quotes-code",
        ),
        pytest.param(
            TIMELINE + "- 09:10 Alert fired\n- 09:18 Log excerpt:\n  ```\n  06:02:11 kernel: disk full\n  ```\n"
            "- 09:40 Resolved\n",
            [
                ("2024-03-03T09:10:00+00:00", "09:10:00+00:00", "Alert fired", 8),
                ("2024-03-03T09:18:00+00:00", "09:18:00+00:00", "Log excerpt:", 9),
                ("2024-03-03T09:40:00+00:00", "09:40:00+00:00", "Resolved", 13),
            ],
            [],
            id="a-fence-inside-a-tight-item-quotes-code",
        ),
        pytest.param(
            TIMELINE + "- 09:10 Alert fired\n- 09:18 Paged\n  06:02 a wrapped entry that lost its marker\n",
            [
                ("2024-03-03T09:10:00+00:00", "09:10:00+00:00", "Alert fired", 8),
                ("2024-03-03T09:18:00+00:00", "09:18:00+00:00", "Paged", 9),
                ("2024-03-03T06:02:00+00:00", "06:02:00+00:00", "a wrapped entry that lost its marker", 10),
            ],
            [10],
            id="a-later-line-of-an-item-outside-a-fence-is-still-an-event",
        ),
        pytest.param(
            TITLE + "## Timeline\n\n- 09:12 — Alert fired\n- 9:30 PM — Cache flushed\n",
            [
                (None, "09:12:00+00:00", "Alert fired", 5),
                (None, "21:30:00+00:00", "Cache flushed", 6),
            ],
            [],
            id="no-date-anywhere",
        ),
    ],
)
def test_timeline_sources(
    text: str, events: list[tuple[str | None, str, str, int]], order_lines: list[int]
) -> None:
    incident = incident_of(text)
    assert events_of(incident) == events
    assert [line for line, _ in diagnostics_of(incident, "timeline-order")] == order_lines


# --- 8. action items -----------------------------------------------------------------------

ACTIONS = TITLE + "## Action items\n\n"  # the body starts on line 5


@pytest.mark.parametrize(
    ("text", "items"),
    [
        pytest.param(
            ACTIONS + "- [ ] Add a cache-hit alert\n- [x] Pin the cache client version\n",
            [
                ("Add a cache-hit alert", None, "open", None, 5),
                ("Pin the cache client version", None, "done", None, 6),
            ],
            id="checkbox-list",
        ),
        pytest.param(
            ACTIONS + "| Action | Owner | Status | Ticket |\n|---|---|---|---|\n"
            "| Add a cache-hit alert | Ana | Open | OPS-12 |\n| Pin the client | Bo | Done | OPS-13 |\n",
            [
                ("Add a cache-hit alert", "Ana", "open", "OPS-12", 7),
                ("Pin the client", "Bo", "done", "OPS-13", 8),
            ],
            id="table-action-owner-status-ticket",
        ),
        pytest.param(
            ACTIONS + "| Task | Assignee | State | Link |\n|---|---|---|---|\n"
            "| Add a cache-hit alert | Ana | In progress | https://tracker.example.test/OPS-12 |\n"
            "| Pin the client | Bo | Completed | https://tracker.example.test/OPS-13 |\n",
            [
                ("Add a cache-hit alert", "Ana", "open", "https://tracker.example.test/OPS-12", 7),
                ("Pin the client", "Bo", "done", "https://tracker.example.test/OPS-13", 8),
            ],
            id="table-task-assignee-state-link",
        ),
        pytest.param(
            ACTIONS + "Add a cache-hit alert\nPin the cache client version\nWrite a runbook for flushes\n",
            [
                ("Add a cache-hit alert", None, None, None, 5),
                ("Pin the cache client version", None, None, None, 6),
                ("Write a runbook for flushes", None, None, None, 7),
            ],
            id="bare-lines-without-a-list",
        ),
        pytest.param(
            ACTIONS + "- Add a cache-hit alert @ana\n- Pin the client version (owner: Sam)\n",
            [
                ("Add a cache-hit alert @ana", "ana", None, None, 5),
                ("Pin the client version (owner: Sam)", "Sam", None, None, 6),
            ],
            id="owner-mention-and-owner-note",
        ),
        pytest.param(
            ACTIONS + "- Write a runbook ABC-123\n- Review the TTLs #123\n"
            "- Move to a managed cache https://tracker.example.test/browse/OPS-9\n",
            [
                ("Write a runbook ABC-123", None, None, "ABC-123", 5),
                ("Review the TTLs #123", None, None, "#123", 6),
                ("Move to a managed cache https://tracker.example.test/browse/OPS-9", None, None,
                 "https://tracker.example.test/browse/OPS-9", 7),
            ],
            id="ticket-issue-and-url-links",
        ),
        pytest.param(
            ACTIONS + "**Improvements/Fixes:**\n\n- Add a cache-hit alert\n- Pin the client version\n\n"
            "Tasks to address the issue:\n\n- Write a runbook\n",
            [
                ("Add a cache-hit alert", None, None, None, 7),
                ("Pin the client version", None, None, None, 8),
                ("Write a runbook", None, None, None, 12),
            ],
            id="group-labels-are-not-items",
        ),
        pytest.param(
            ACTIONS + "| Action | Owner | Status | Ticket |\n|---|---|---|---|\n"
            "| Add a cache-hit alert | Ana | Open | OPS-12 |\n| | | | |\n|  |  |  |  |\n",
            [("Add a cache-hit alert", "Ana", "open", "OPS-12", 7)],
            id="unfilled-table-rows-are-not-items",
        ),
    ],
)
def test_action_item_styles(text: str, items: list[tuple[str, str | None, str | None, str | None, int]]) -> None:
    assert items_of(incident_of(text)) == items


# --- 9. placeholders ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "filled", "found"),
    [
        pytest.param(
            DATED + "## Impact\n\n!!Describe the impact on users!!\n\n## Root cause\n\nA stale key.\n",
            "impact", False, [(8, "!!Describe the impact on users!!")],
            id="template-note",
        ),
        pytest.param(
            TITLE + "## Impact\n\n[TODO]\n\n## Root cause\n\nA stale key.\n",
            "impact", False, [(5, "[TODO]")],
            id="bracketed-todo",
        ),
        pytest.param(TITLE + "## Impact\n\nTBD\n", "impact", False, [(5, "TBD")], id="tbd"),
        pytest.param(
            TITLE + "## Impact\n\nXXX users were affected.\n", "impact", True, [(5, "XXX")],
            id="xxx-inside-a-sentence",
        ),
        pytest.param(TITLE + "## Impact\n\n<fill in>\n", "impact", False, [(5, "<fill in>")], id="fill-in"),
        pytest.param(
            TITLE + "## Summary\n\nCheckout failed.\n\nTime to detection: ?\n",
            "summary", True, [(7, "Time to detection: ?")],
            id="label-question-mark",
        ),
        pytest.param(
            TITLE + "## Action items\n\n| Action | Owner | Status |\n|---|---|---|\n| | | |\n",
            "action_items", False, [(7, "| | | |")],
            id="unfilled-table",
        ),
    ],
)
def test_placeholders(text: str, key: str, filled: bool, found: list[tuple[int, str]]) -> None:
    incident = incident_of(text)
    problems = diagnostics_of(incident, "placeholder")
    assert [line for line, _ in problems] == [line for line, _ in found]
    for (_, message), (_, marker) in zip(problems, found):
        assert f"{marker!r}" in message
    (section,) = incident.sections_for(key)
    assert section.filled is filled


def test_template_notes_never_reach_section_text() -> None:
    text = (
        TITLE
        + "## Summary\n\n!!One paragraph on what happened!!\nPrices went stale. !!Add the numbers!!\n\n"
        "## Impact\n\n!!Describe the impact on users,\nin one or two sentences!!\n\n"
        "## Root cause\n\n- Stale key !!link the commit!!\n"
    )
    incident = incident_of(text)
    assert [(s.key, s.filled) for s in incident.sections] == [("summary", True), ("impact", False), ("root_cause", True)]
    for section in incident.sections:
        assert "!!" not in section.text
        assert "!!" not in section.html
        assert "Describe" not in section.text and "commit" not in section.text
    assert [line for line, _ in diagnostics_of(incident, "placeholder")] == [5, 6, 10, 15]


@pytest.mark.parametrize(
    ("line", "attribute", "empty"),
    [
        pytest.param("Severity: TBD", "severity", None, id="severity"),
        pytest.param("Duration: TBD", "duration_minutes", None, id="duration"),
        pytest.param("Responders: TBD", "responders", (), id="responders"),
        pytest.param("Start: TBD", "started_at", None, id="start"),
        pytest.param("Affected services: TBD", "services", (), id="services"),
    ],
)
def test_tbd_metadata_value_is_not_a_value(line: str, attribute: str, empty: Any) -> None:
    incident = incident_of(f"{TITLE}{line}\n\nCheckout failed.\n")
    assert getattr(incident, attribute) == empty
    assert [(d.code, d.line) for d in incident.diagnostics if d.code != "no-date"] == [("placeholder", 3)]


# --- 10. titles ---------------------------------------------------------------------------

SUMMARY = "## Summary\n\nThe checkout cache served stale prices for two hours, so carts showed old totals.\n"
CLAUSE = "The checkout cache served stale prices for two hours"


@pytest.mark.parametrize(
    ("text", "title", "as_written", "generic"),
    [
        pytest.param(
            "# Postmortem: Checkout cache served stale prices\n\n" + SUMMARY,
            "Checkout cache served stale prices", "Postmortem: Checkout cache served stale prices", False,
            id="postmortem-colon-prefix",
        ),
        pytest.param(
            "# Incident Postmortem Report: Checkout cache served stale prices\n\n" + SUMMARY,
            "Checkout cache served stale prices", "Incident Postmortem Report: Checkout cache served stale prices",
            False, id="incident-postmortem-report-prefix",
        ),
        pytest.param(
            "# Post-Mortem — Checkout cache served stale prices\n\n" + SUMMARY,
            "Checkout cache served stale prices", "Post-Mortem — Checkout cache served stale prices", False,
            id="post-mortem-dash-prefix",
        ),
        pytest.param(
            "# Checkout cache served stale prices (March 3, 2024)\n\n" + SUMMARY,
            "Checkout cache served stale prices", "Checkout cache served stale prices (March 3, 2024)", False,
            id="trailing-date-in-parentheses",
        ),
        pytest.param(
            "# Checkout cache served stale prices - 2024-03-03\n\n" + SUMMARY,
            "Checkout cache served stale prices", "Checkout cache served stale prices - 2024-03-03", False,
            id="trailing-iso-date",
        ),
        pytest.param(
            "# Postmortem\n\n| Incident | Stale prices in checkout |\n|---|---|\n| Severity | Major |\n\n" + SUMMARY,
            "Stale prices in checkout", "Postmortem", True,
            id="generic-replaced-by-incident-table-field",
        ),
        pytest.param(
            "# Postmortem\n\nIncident: Stale prices in checkout\n\n" + SUMMARY,
            "Stale prices in checkout", "Postmortem", True,
            id="generic-replaced-by-incident-line",
        ),
        pytest.param("# POSTMORTEM\n\n" + SUMMARY, CLAUSE, "POSTMORTEM", True, id="upper-case-generic-summary-clause"),
        pytest.param(
            "# My first postmortem\n\n" + SUMMARY, CLAUSE, "My first postmortem", True, id="my-first-postmortem"
        ),
        pytest.param("# 2024-03-03\n\n" + SUMMARY, CLAUSE, "2024-03-03", True, id="bare-date"),
        pytest.param(
            "---\ntitle: Postmortem\n---\n" + SUMMARY, CLAUSE, "Postmortem", True, id="generic-front-matter-title"
        ),
    ],
)
def test_titles(text: str, title: str, as_written: str, generic: bool) -> None:
    incident = incident_of(text)
    assert incident.title == title
    assert incident.title_as_written == as_written
    title_line = 2 if text.startswith("---") else 1
    assert [line for line, _ in diagnostics_of(incident, "generic-title")] == ([title_line] if generic else [])


# --- 11. nothing lost ---------------------------------------------------------------------

TRICKY = """# Postmortem: Checkout cache served stale prices on March 3, 2024

| Severity | Critical |
|---|---|
| Responders | @[Ana Silva](mention://user/1), Bo |
| Affected services | checkout, pricing |

**Issue Summary:**
Shoppers saw yesterday's prices after a deploy.
Root Cause and Resolution:

- **Root Cause:** The cache warmer skipped invalidation.
- **Resolution:** We flushed every pricing shard.

* 🔎 Contributing factors

    Nobody owned the warmer job.

#Impact
!!Describe customer impact here!!
Roughly 4% of carts were mispriced.

<h3>Timeline (PST)</h3>

09:12 Alert fired for pricing drift and
the pager woke Ana.
09:40 Rollback finished.

### 2024-03-03 10:05

Cache flushed manually.

## Action items

- [ ] Add a staleness alarm @ana OPS-77
- [x] Document the warmer [runbook](https://wiki.example.test/warmer-guide)

Tasks to address the issue:

| Task | Assignee | State | Link |
|---|---|---|---|
| Audit pricing jobs | Bo | Open | OPS-78 |
| | | | |

## Appendix

Hit-rate graphs live in Grafana.
"""


def long_words(text: str) -> list[str]:
    without_notes = re.sub(r"!!.*?!!", " ", text, flags=re.S)
    without_targets = re.sub(r"\]\([^)]*\)", "]", without_notes)
    return re.findall(r"[^\W\d_]{4,}", without_targets)


def test_tricky_document_loses_no_word() -> None:
    incident = incident_of(TRICKY)
    kept = " ".join(
        [incident.title, incident.title_as_written, *(f"{s.heading}\n{s.text}" for s in incident.every_section())]
    )
    kept_words = set(re.findall(r"[^\W\d_]+", kept))
    missing = sorted({w for w in long_words(TRICKY) if w not in kept_words})
    assert missing == []
    assert "!!" not in kept and "Describe" not in kept
    # and the styles were recognised on the way
    assert [(s.key, s.heading) for s in incident.every_section()] == [
        ("preamble", ""),  # a table of facts before the first heading: not the summary
        ("summary", "Issue Summary"),
        ("root_cause", "Root Cause and Resolution"),
        ("resolution", "Resolution"),
        ("root_cause", "🔎 Contributing factors"),
        ("impact", "Impact"),
        ("timeline", "Timeline (PST)"),
        ("action_items", "Action items"),
        ("action_items", "Tasks to address the issue"),
        ("other", "Appendix"),
    ]
    assert incident.title == "Checkout cache served stale prices"
    assert incident.severity == "sev1"
    assert incident.responders == ("Ana Silva", "Bo")
    assert incident.services == ("checkout", "pricing")
    assert [(e.at.isoformat() if e.at else None, e.text) for e in incident.timeline] == [
        ("2024-03-03T09:12:00-08:00", "Alert fired for pricing drift and the pager woke Ana."),
        ("2024-03-03T09:40:00-08:00", "Rollback finished."),
        ("2024-03-03T10:05:00-08:00", "Cache flushed manually."),
    ]
    assert [(i.text, i.owner, i.status, i.link) for i in incident.action_items] == [
        ("Add a staleness alarm @ana OPS-77", "ana", "open", "OPS-77"),
        ("Document the warmer [runbook](https://wiki.example.test/warmer-guide)", None, "done",
         "https://wiki.example.test/warmer-guide"),
        ("Audit pricing jobs", "Bo", "open", "OPS-78"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "day_first", "read_as", "warned"),
    [
        pytest.param("date", "03/04/2024", None, None, True, id="undecided-is-left-out-and-reported"),
        pytest.param("date", "03/04/2024", False, dt.date(2024, 3, 4), False, id="site-says-month-first"),
        pytest.param("date", "03/04/2024", True, dt.date(2024, 4, 3), False, id="site-says-day-first"),
        pytest.param("date", "13/04/2024", None, dt.date(2024, 4, 13), False, id="settled-by-its-numbers"),
        pytest.param("date", "2024-03-04", None, dt.date(2024, 3, 4), False, id="iso"),
        pytest.param("started_at", "03/04/2024 09:12 UTC", None, None, True, id="undecided-start"),
        pytest.param("started_at", "03/04/2024 09:12 UTC", False, dt.date(2024, 3, 4), False, id="decided-start"),
    ],
)
def test_ambiguous_front_matter_dates_are_read_and_reported(
    field: str, value: str, day_first: bool | None, read_as: dt.date | None, warned: bool
) -> None:
    """A numeric date that could be either way round is read as the site says; with no setting and no other
    date in the document to decide, it is left out and `ambiguous-date` names its line."""
    incident = incident_of(f"---\ntitle: Queue\n{field}: {value}\n---\n\nBody.\n",
                           config=SiteConfig(root=Path("."), day_first=day_first))
    assert incident.date == read_as
    assert [line for line, _ in diagnostics_of(incident, "ambiguous-date")] == ([3] if warned else [])
