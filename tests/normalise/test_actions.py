"""Action items in every shape authors write them: one row per form, each fixture written for these tests.

Each row gives the items a reviewer would count, with what the line or cell
states of each — owner, status, ticket, due date — and the group it is listed
under (a bold label above a list, the parent of nested checkboxes). Where the
text does not decide a field, it is empty.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest
from conftest import MakeSite, RunCli

from hindsite.commands.inspect import describe
from hindsite.commands.migrate import differences, migrate_document
from hindsite.core.config import SiteConfig
from hindsite.core.model import Incident
from hindsite.normalise import normalise
from hindsite.read.files import split_front_matter
from hindsite.render.export import dumps

TITLE = "# Cache outage\n\n"
ACTIONS = TITLE + "## Action items\n\n"  # the body starts on line 5
LESSONS = TITLE + "## Lessons learned\n\nCaches need owners.\n\n"  # a table starts on line 7

Item = tuple[str, str | None, str | None, str | None, str | None, str | None, int]


def incident_of(text: str) -> Incident:
    document = split_front_matter(text, "doc.md", PurePosixPath("doc.md"))
    return normalise(document, SiteConfig(root=Path(".")), frozenset())


def items_of(incident: Incident) -> list[Item]:
    """(text, owner, status, link, due, group, line) of each item."""
    return [(i.text, i.owner, i.status, i.link, i.due, i.group, i.line) for i in incident.action_items]


TRAILERS = [
    pytest.param(
        ACTIONS + "- Move counters to their own instance (AUTH-140, Hannah Lindqvist), done\n"
        "- Treat a missing counter as zero (AUTH-141, Daniel Kowalczyk)\n",
        [
            ("Move counters to their own instance (AUTH-140, Hannah Lindqvist), done", "Hannah Lindqvist", "done",
             "AUTH-140", None, None, 5),
            ("Treat a missing counter as zero (AUTH-141, Daniel Kowalczyk)", "Daniel Kowalczyk", None, "AUTH-141",
             None, None, 6),
        ],
        id="ticket-and-name-in-parentheses-then-a-status",
    ),
    pytest.param(
        ACTIONS + "- Treat a missing counter as zero — @hannah, open\n- Rotate the keys - Bo Chen - in progress\n",
        [
            ("Treat a missing counter as zero — @hannah, open", "hannah", "open", None, None, None, 5),
            ("Rotate the keys - Bo Chen - in progress", "Bo Chen", "open", None, None, None, 6),
        ],
        id="dash-trailers",
    ),
    pytest.param(
        ACTIONS + "- Write a runbook. Owner: Sam Reyes. Due 2024-05-01\n- Pin the client version by May 1 (Bo Chen, OPS-13)\n"
        "- Add a dashboard (assignee: Ana; due: 2024-06-30)\n",
        [
            ("Write a runbook. Owner: Sam Reyes. Due 2024-05-01", "Sam Reyes", None, None, "2024-05-01", None, 5),
            ("Pin the client version by May 1 (Bo Chen, OPS-13)", "Bo Chen", None, "OPS-13", "May 1", None, 6),
            ("Add a dashboard (assignee: Ana; due: 2024-06-30)", "Ana", None, None, "2024-06-30", None, 7),
        ],
        id="owner-and-due-labels",
    ),
    pytest.param(
        ACTIONS + "- [DONE] Rotate the keys\n- Done: Drop the old cluster\n- Add a staleness alarm (in progress)\n"
        "- Retire the v1 endpoint, won't do\n- Fix the flaky test ✅\n",
        [
            ("[DONE] Rotate the keys", None, "done", None, None, None, 5),
            ("Done: Drop the old cluster", None, "done", None, None, None, 6),
            ("Add a staleness alarm (in progress)", None, "open", None, None, None, 7),
            ("Retire the v1 endpoint, won't do", None, "dropped", None, None, None, 8),
            ("Fix the flaky test ✅", None, "done", None, None, None, 9),
        ],
        id="statuses-written-before-after-and-in-brackets",
    ),
    pytest.param(
        ACTIONS + "- Switch to an (open source) client\n- Upgrade the driver (Postgres)\n- Tune the pool (timeouts, retries)\n"
        "- Add a canary (PLAT-9, High)\n- Reduce the error rate by 50% before launch\n",
        [
            ("Switch to an (open source) client", None, None, None, None, None, 5),
            ("Upgrade the driver (Postgres)", None, None, None, None, None, 6),
            ("Tune the pool (timeouts, retries)", None, None, None, None, None, 7),
            ("Add a canary (PLAT-9, High)", None, None, "PLAT-9", None, None, 8),
            ("Reduce the error rate by 50% before launch", None, None, None, None, None, 9),
        ],
        id="words-that-decide-nothing-leave-the-fields-empty",
    ),
    pytest.param(
        ACTIONS + "- Document the replay procedure https://wiki.example.test/replay (PAY-604)\n"
        "- Review the TTLs [OPS-7](https://tracker.example.test/OPS-7)\n",
        [
            ("Document the replay procedure https://wiki.example.test/replay (PAY-604)", None, None, "PAY-604", None,
             None, 5),
            ("Review the TTLs [OPS-7](https://tracker.example.test/OPS-7)", None, None,
             "https://tracker.example.test/OPS-7", None, None, 6),
        ],
        id="a-ticket-before-an-unrelated-address",
    ),
]

TABLES = [
    pytest.param(
        LESSONS + "| Follow-up | Who | State | Jira |\n|---|---|---|---|\n"
        "| Add capacity to the checklist | Grace | TODO | OPS-31 |\n| Drop the old cluster | @bo | Won't do | OPS-32 |\n",
        [
            ("Add capacity to the checklist", "Grace", "open", "OPS-31", None, None, 9),
            ("Drop the old cluster", "bo", "dropped", "OPS-32", None, None, 10),
        ],
        id="action-columns-under-a-lessons-heading",
    ),
    pytest.param(
        TITLE + "## Resolution\n\nWe flushed the cache.\n\n| Item | Assignee | Status | Issue | Deadline |\n|---|---|---|---|---|\n"
        "| Pin the client | Bo | In progress | [OPS-13](https://tracker.example.test/OPS-13) | 2024-05-01 |\n"
        "| Add an alert | TBD | Partly | — | |\n",
        [
            ("Pin the client", "Bo", "open", "https://tracker.example.test/OPS-13", "2024-05-01", None, 9),
            ("Add an alert", None, None, None, None, None, 10),
        ],
        id="item-assignee-status-issue-deadline-under-a-resolution-heading",
    ),
    pytest.param(
        ACTIONS + "| Action Item | Priority | Bug | Status |\n|---|---|---|---|\n"
        "| Add tests | P0 | https://tracker.example.test/9 | DONE |\n| Add an alert | P1 | | Closed |\n",
        [
            ("Add tests — P0", None, "done", "https://tracker.example.test/9", None, None, 7),
            ("Add an alert — P1", None, "done", None, None, None, 8),
        ],
        id="a-bug-column-is-the-ticket",
    ),
    pytest.param(
        ACTIONS + "| What | Who | When |\n|---|---|---|\n| Add an alert | Ana | end of May |\n",
        [("Add an alert", "Ana", None, None, "end of May", None, 7)],
        id="any-columns-under-an-action-heading",
    ),
    pytest.param(
        LESSONS + "| Component | Status |\n|---|---|\n| Database | Healthy |\n| Cache | Degraded |\n",
        [],
        id="a-table-without-action-columns-is-not-items",
    ),
    pytest.param(
        TITLE + "## Timeline\n\n| Time | Action | Owner |\n|---|---|---|\n| 10:00 UTC | Rolled back | Ana |\n",
        [],
        id="a-timeline-table-is-events-not-items",
    ),
    pytest.param(
        TITLE + "## Response\n\n| Time | Action | Who |\n|---|---|---|\n| 10:00 UTC | Rolled back | Ana |\n"
        "| 10:20 | Flushed the cache | Bo |\n",
        [],
        id="a-log-of-what-was-done-when-is-not-items",
    ),
]

NESTING = [
    pytest.param(
        ACTIONS + "-\n  Harden the cache\n  - [x] Add a cache-hit alert\n-\n  Pin the client version\n",
        [
            ("Harden the cache", None, None, None, None, None, 6),
            ("Add a cache-hit alert", None, "done", None, None, "Harden the cache", 7),
            ("Pin the client version", None, None, None, None, None, 9),
        ],
        id="a-marker-alone-on-its-line-opens-the-item-written-below-it",
    ),
    pytest.param(
        ACTIONS + "- [ ] Harden the cache\n  - [x] Add a cache-hit alert @ana\n  - [ ] Pin the client version (OPS-12, Bo Chen)\n",
        [
            ("Harden the cache", None, "open", None, None, None, 5),
            ("Add a cache-hit alert @ana", "ana", "done", None, None, "Harden the cache", 6),
            ("Pin the client version (OPS-12, Bo Chen)", "Bo Chen", "open", "OPS-12", None, "Harden the cache", 7),
        ],
        id="nested-checkboxes-are-items-under-their-parent",
    ),
    pytest.param(
        ACTIONS + "- Monitoring:\n  - [x] Add an alert\n  - [ ] Add a dashboard\n- [ ] Write a runbook\n",
        [
            ("Add an alert", None, "done", None, None, "Monitoring", 6),
            ("Add a dashboard", None, "open", None, None, "Monitoring", 7),
            ("Write a runbook", None, "open", None, None, None, 8),
        ],
        id="a-label-over-checkboxes-is-their-group",
    ),
    pytest.param(
        ACTIONS + "- Add a cache-hit alert\n  - at 80% of memory\n  - paging the on-call\n- Pin the client version\n",
        [
            ("Add a cache-hit alert\n- at 80% of memory\n- paging the on-call", None, None, None, None, None, 5),
            ("Pin the client version", None, None, None, None, None, 8),
        ],
        id="sub-bullets-that-detail-an-item-are-part-of-it",
    ),
    pytest.param(
        ACTIONS + "1. Tune the pool: raise the limit.\n2. Improve the runbook :\nAdd the pool checks to the first steps.\n"
        "3. Automated testing:\n— Add config tests.\n— Validate connections daily.\n",
        [
            ("Tune the pool: raise the limit.", None, None, None, None, None, 5),
            ("Improve the runbook :\nAdd the pool checks to the first steps.", None, None, None, None, None, 6),
            ("Automated testing:\n— Add config tests.\n— Validate connections daily.", None, None, None, None, None, 8),
        ],
        id="a-label-followed-by-its-own-text-is-an-item",
    ),
]

GROUPS = [
    pytest.param(
        ACTIONS + "**Short term**\n\n- Add a cache-hit alert\n\n**Long term:**\n\n- Move to a managed cache\n",
        [
            ("Add a cache-hit alert", None, None, None, None, "Short term", 7),
            ("Move to a managed cache", None, None, None, None, "Long term", 11),
        ],
        id="bold-labels-above-lists",
    ),
    pytest.param(
        ACTIONS + "**Prevention:**\n\n- Pin the client version\n",
        [("Pin the client version", None, None, None, None, "Prevention", 7)],
        id="a-bold-label-naming-action-items",
    ),
    pytest.param(
        ACTIONS + "* **Improvements:**\n+ Add a cache-hit alert\n+ Pin the client version\n\nImmediate:\n- Write a runbook\n"
        "\n### Later\n\n- Move to a managed cache\n",
        [
            ("Add a cache-hit alert", None, None, None, None, "Improvements", 6),
            ("Pin the client version", None, None, None, None, "Improvements", 7),
            ("Write a runbook", None, None, None, None, "Immediate", 10),
            ("Move to a managed cache", None, None, None, None, "Later", 14),
        ],
        id="a-label-item-a-label-line-and-a-deeper-heading",
    ),
    pytest.param(
        ACTIONS + "To prevent a recurrence, we will take these steps:\n\n- Add a cache-hit alert\n",
        [("Add a cache-hit alert", None, None, None, None, None, 7)],
        id="an-introducing-sentence-is-not-a-group",
    ),
    pytest.param(
        ACTIONS + "- Short term:\n- Add an alert\n\n1. **Review the runbook**\nWith the on-call team.\n",
        [
            ("Add an alert", None, None, None, None, "Short term", 6),
            ("**Review the runbook**\nWith the on-call team.", None, None, None, None, None, 8),
        ],
        id="a-label-item-groups-the-rest-of-its-list",
    ),
    pytest.param(
        ACTIONS + "**Completed:**\n\n- Rotate the keys\n\n### Immediate actions (done)\n\n- Flush the cache\n\n"
        "**Open questions**\n\n- Should we shard the cache?\n\n**--Later--**\n\n- [ ] Move to a managed cache\n\n"
        "**Closed-loop checks**\n\n- Verify that alerts reach the on-call\n",
        [
            ("Rotate the keys", None, "done", None, None, "Completed", 7),
            ("Flush the cache", None, "done", None, None, "Immediate actions (done)", 11),
            ("Should we shard the cache?", None, None, None, None, "Open questions", 15),
            ("Move to a managed cache", None, "open", None, None, "Later", 19),
            ("Verify that alerts reach the on-call", None, None, None, None, "Closed-loop checks", 23),
        ],
        id="a-group-named-by-a-status-gives-it-to-its-items",
    ),
    pytest.param(
        ACTIONS + "- **Add a cache-hit alert**\n- **Pin the client version**\n\n**Write a runbook**\n",
        [
            ("**Add a cache-hit alert**", None, None, None, None, None, 5),
            ("**Pin the client version**", None, None, None, None, None, 6),
        ],
        id="items-all-in-bold-are-items",
    ),
    pytest.param(
        ACTIONS + "**Add a cache-hit alert**\n\n**Pin the client version**\n",
        [
            ("**Add a cache-hit alert**", None, None, None, None, None, 5),
            ("**Pin the client version**", None, None, None, None, None, 7),
        ],
        id="bare-lines-all-in-bold-are-items",
    ),
    pytest.param(
        ACTIONS + "Types:\n\n* Prevent - stop it happening again.\n* Detect - notice it sooner.\n\n"
        "| Action | Type | Status |\n|---|---|---|\n| Add tests | Prevent | Done |\n| Add an alert | Detect | |\n",
        [
            ("Add tests — Prevent", None, "done", None, None, None, 12),
            ("Add an alert — Detect", None, None, None, None, None, 13),
        ],
        id="a-list-defining-a-tables-values-is-its-legend",
    ),
    pytest.param(
        ACTIONS + "Add a cache-hit alert — @ana\n**Later:**\nMove to a managed cache, done\n[ ] Write a runbook\n",
        [
            ("Add a cache-hit alert — @ana", "ana", None, None, None, None, 5),
            ("Move to a managed cache, done", None, "done", None, None, "Later", 7),
            ("[ ] Write a runbook", None, "open", None, None, "Later", 8),
        ],
        id="bare-lines-under-an-action-heading",
    ),
]


@pytest.mark.parametrize(("text", "items"), TRAILERS + TABLES + NESTING + GROUPS)
def test_action_item_forms(text: str, items: list[Item]) -> None:
    assert items_of(incident_of(text)) == items


#: Mentions that are not a person: a broadcast to a channel; a mention of a name with a space (Notion's `@Hana Novak`).
MENTIONS = [
    pytest.param(ACTIONS + "- Alert on lag — @here\n- Page the DBAs @channel\n- Tell @everyone about the freeze\n",
                 [("Alert on lag — @here", None, None, None, None, None, 5),
                  ("Page the DBAs @channel", None, None, None, None, None, 6),
                  ("Tell @everyone about the freeze", None, None, None, None, None, 7)],
                 id="broadcasts-are-nobody"),
    pytest.param(ACTIONS + "- [ ] Alert on NTP drift @Hana Novak\n",
                 [("Alert on NTP drift @Hana Novak", "Hana Novak", "open", None, None, None, 5)],
                 id="a-full-name-mentioned-at-the-end"),
    pytest.param(ACTIONS + "- Ask @Hana Novak to review the runbook\n",
                 [("Ask @Hana Novak to review the runbook", None, None, None, None, None, 5)],
                 id="a-capitalised-mention-inside-a-sentence-is-unsure"),
    pytest.param(ACTIONS + "- Alert on lag — @hannah, open\n- Ask @bo to review the runbook\n",
                 [("Alert on lag — @hannah, open", "hannah", "open", None, None, None, 5),
                  ("Ask @bo to review the runbook", "bo", None, None, None, None, 6)],
                 id="handles-stay-owners"),
]


@pytest.mark.parametrize(("text", "items"), MENTIONS)
def test_a_mention_names_an_owner_only_where_it_is_a_person(text: str, items: list[Item]) -> None:
    assert items_of(incident_of(text)) == items


#: A status the words state beside a checkbox: the item moves open → done or dropped, and the later state stands.
CHECKBOX_AND_WORDS = [
    pytest.param(ACTIONS + "- [ ] Capacity review each quarter (won't do)\n",
                 [("Capacity review each quarter (won't do)", None, "dropped", None, None, None, 5)],
                 id="an-open-box-beside-wont-do"),
    pytest.param(ACTIONS + "- [x] Capacity review — cancelled, not needed\n",
                 [("Capacity review — cancelled, not needed", None, "dropped", None, None, None, 5)],
                 id="a-ticked-box-beside-cancelled"),
    pytest.param(ACTIONS + "- [ ] Add alerting (done)\n", [("Add alerting (done)", None, "done", None, None, None, 5)],
                 id="an-open-box-beside-done"),
    pytest.param(ACTIONS + "- [x] Add alerting (in progress)\n",
                 [("Add alerting (in progress)", None, "done", None, None, None, 5)], id="a-ticked-box-beside-open-words"),
    pytest.param(ACTIONS + "- [ ] Open the firewall port for the exporter\n",
                 [("Open the firewall port for the exporter", None, "open", None, None, None, 5)],
                 id="a-status-word-in-the-task-is-not-a-status"),
    pytest.param(ACTIONS + "- Capacity review — cancelled, not needed\n",
                 [("Capacity review — cancelled, not needed", None, "dropped", None, None, None, 5)],
                 id="a-status-after-a-dash-with-a-note"),
]


@pytest.mark.parametrize(("text", "items"), CHECKBOX_AND_WORDS)
def test_a_status_written_beside_a_checkbox(text: str, items: list[Item]) -> None:
    assert items_of(incident_of(text)) == items


#: What authors write under an action-items heading when there is nothing to do: no item, the words stay on the page.
NOTHING_TO_DO = [
    pytest.param(ACTIONS + "None.\n", [], id="none-as-a-line"),
    pytest.param(ACTIONS + "- None\n", [], id="none-as-an-entry"),
    pytest.param(ACTIONS + "N/A\n", [], id="not-applicable"),
    pytest.param(ACTIONS + "No action items.\n", [], id="no-action-items"),
    pytest.param(ACTIONS + "_None at this time._\n", [], id="none-at-this-time-in-italics"),
    pytest.param(ACTIONS + "There are no follow-ups; the fix shipped during the incident.\n", [],
                 id="a-sentence-saying-there-are-none"),
    pytest.param(ACTIONS + "- No further action required\n", [], id="no-further-action"),
    pytest.param(
        ACTIONS + "- None of the alerts fired: add one on queue depth\n- No retries on the client: add them\n",
        [("None of the alerts fired: add one on queue depth", None, None, None, None, None, 5),
         ("No retries on the client: add them", None, None, None, None, None, 6)],
        id="items-that-open-with-none-or-no-are-items",
    ),
]


@pytest.mark.parametrize(("text", "items"), NOTHING_TO_DO)
def test_a_statement_that_there_is_nothing_to_do_is_not_an_item(text: str, items: list[Item]) -> None:
    incident = incident_of(text)
    assert items_of(incident) == items
    (section,) = incident.sections_for("action_items")
    assert section.text == text.removeprefix(ACTIONS).strip()


def test_status_cells_are_statuses_not_placeholders() -> None:
    incident = incident_of(LESSONS + "| Action | Owner | Status |\n|---|---|---|\n| Add an alert | Ana | TODO |\n"
                           "| TODO | | |\n")
    assert [(i.text, i.status) for i in incident.action_items] == [("Add an alert", "open")]
    assert [(d.line, d.code) for d in incident.diagnostics if d.code == "placeholder"] == [(10, "placeholder")]


def test_a_one_row_action_table_states_nothing_about_the_incident() -> None:
    """Its Status and Owner columns are the item's, not the incident's status and responders."""
    incident = incident_of(LESSONS + "| Action | Owner | Status |\n|---|---|---|\n| Add an alert | Ana Lima | Done |\n")
    assert [(i.text, i.owner, i.status) for i in incident.action_items] == [("Add an alert", "Ana Lima", "done")]
    assert (incident.status, incident.responders) == (None, ())


def test_the_sections_text_stays_as_written_where_items_are_also_read() -> None:
    text = LESSONS + "| Follow-up | Owner |\n|---|---|\n| Add an alert | Ana |\n"
    (lessons,) = incident_of(text).sections_for("lessons")
    assert lessons.text == "Caches need owners.\n\n| Follow-up | Owner |\n|---|---|\n| Add an alert | Ana |"


def test_the_export_carries_each_items_due_date_and_group() -> None:
    record = json.loads(dumps([incident_of(ACTIONS + "**Short term**\n\n- Add an alert (Ana, due 2024-05-01)\n")]))
    assert record["incidents"][0]["action_items"] == [
        {"text": "Add an alert (Ana, due 2024-05-01)", "owner": "Ana", "status": None, "link": None,
         "due": "2024-05-01", "group": "Short term", "line": 7}]


#: Every form above in one document, as an archive holds them.
MIXED = (
    "---\ntitle: Cache outage\ndate: 2024-03-05\n---\n\n## Lessons learned\n\nCaches need owners.\n\n"
    "| Follow-up | Who | State | Jira |\n|---|---|---|---|\n| Add capacity to the checklist | Grace | TODO | OPS-31 |\n\n"
    "## Action items\n\n**Short term**\n\n- Move counters to their own instance (AUTH-140, Hannah Lindqvist), done\n"
    "- Treat a missing counter as zero — @hannah, open\n- [ ] Harden the cache\n  - [x] Add a cache-hit alert @ana\n"
    "  - [ ] Pin the client version by May 1 (OPS-12, Bo Chen)\n\n**Long term:**\n\n- Monitoring:\n"
    "  - Add a dashboard (owner: Sam; due: 2024-06-30)\n- Write a runbook. Owner: Sam Reyes, won't do\n\n"
    "**Prevention:**\n\n- Alert on evictions (PLAT-203)\n"
)


def migrated(text: str) -> str:
    after, problem = migrate_document(split_front_matter(text, "doc.md", PurePosixPath("doc.md")), SiteConfig(root=Path(".")))
    assert problem is None, problem.format()
    return after


def test_migrate_keeps_every_field_of_every_form_and_a_second_run_changes_nothing() -> None:
    once = migrated(MIXED)
    before, after = incident_of(MIXED), incident_of(once)
    assert differences(before, after) == []
    assert [(i.owner, i.status, i.link, i.due, i.group) for i in after.action_items] == [
        ("Grace", "open", "OPS-31", None, None),
        ("Hannah Lindqvist", "done", "AUTH-140", None, "Short term"),
        ("hannah", "open", None, None, "Short term"),
        (None, "open", None, None, "Short term"),
        ("ana", "done", None, None, "Harden the cache"),
        ("Bo Chen", "open", "OPS-12", "May 1", "Harden the cache"),
        ("Sam", None, None, "2024-06-30", "Monitoring"),
        ("Sam Reyes", "dropped", None, None, "Long term"),
        (None, None, "PLAT-203", None, "Prevention"),
    ]
    assert migrated(once) == once


def test_items_under_any_heading_are_on_the_page_and_the_follow_ups_link_to_them(
    tmp_path: Path, make_site: MakeSite, run_cli: RunCli
) -> None:
    site = make_site(tmp_path, {"content/2024-03-05-cache.md": LESSONS + "| Follow-up | Owner | Status | Due |\n"
                                "|---|---|---|---|\n| Add an alert | Ana | Open | 2024-05-01 |\n\n"
                                "## Action items\n\n**Short term**\n\n- Pin the client\n"}, 'title = "Test archive"\n')
    result = run_cli("build", "--strict", cwd=site)
    assert result.exit_code == 0, result.output
    page = (site / "_site/incidents/2024-03-05-cache.html").read_text(encoding="utf-8")
    assert page.count('id="action-items"') == 1
    lessons = page.split('id="s-lessons"', 1)[1]
    assert "Caches need owners." in lessons and "<td>Add an alert</td>" in lessons.split('id="action-items"', 1)[1]
    assert '<span class="due">due 2024-05-01</span>' in lessons
    assert '<span class="muted group">Short term ·</span> Pin the client' in page.split('id="s-action-items"', 1)[1]
    follow_ups = (site / "_site/follow-ups.html").read_text(encoding="utf-8")
    assert 'href="incidents/2024-03-05-cache.html#action-items"' in follow_ups


# --- the example archive ---------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
TICKET_SHAPED = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")
#: Status words of a cell, as a reader reads them.
CELL_STATUS = {"done": "done", "closed": "done", "complete": "done", "completed": "done", "open": "open",
               "todo": "open", "in progress": "open", "not started": "open"}


def squashed(name: str) -> str:
    """"@hannah.lindqvist" and "Hannah Lindqvist" are one person."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def header_of(lines: list[str], row: int) -> list[str]:
    """The header cells of the table the row at index `row` is in: the line above its delimiter row."""
    at = row
    while not re.fullmatch(r"\s*\|?\s*:?-{3,}.*", lines[at]):
        at -= 1
    return cells_of(lines[at - 1])


def cells_of(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def stated_by(line: str, lines: list[str], row: int) -> dict[str, str]:
    """What a line states of its item, read by simple rules of its own: a table row's cells under their column's name;
    a list item's checkbox, `@handle`, `(TICKET-1, Name)` and `, done` trailers, and its last ticket-shaped token."""
    stated: dict[str, str] = {}
    if line.lstrip().startswith("|"):
        for name, cell in zip(header_of(lines, row), cells_of(line), strict=True):
            column = name.casefold()
            if "owner" in column and cell:
                stated["owner"] = cell
            elif "status" in column and cell.casefold() in CELL_STATUS:
                stated["status"] = CELL_STATUS[cell.casefold()]
            elif "ticket" in column and cell:
                stated["ticket"] = cell
        return stated
    words = re.sub(r"`[^`]*`", "", line)
    checkbox = re.match(r"\s*[-*+]\s+\[([ xX])\]", words)
    if checkbox:
        stated["status"] = "open" if checkbox.group(1) == " " else "done"
    trailing = re.search(r"\),\s*(done|open)\s*$", words)
    if trailing:
        stated["status"] = trailing.group(1)
    handle = re.search(r"@([\w.]+\w)", words)
    named = re.search(r"\([A-Z][A-Z0-9]+-\d+, ([^)@]+)\)", words)
    if handle or named:
        stated["owner"] = handle.group(1) if handle else named.group(1)
    tickets = TICKET_SHAPED.findall(words)
    if tickets:
        stated["ticket"] = tickets[-1]
    return stated


def test_every_item_of_the_example_archive_has_the_owner_ticket_and_status_its_line_states(run_cli: RunCli) -> None:
    result = run_cli("export", "content", "--json", cwd=REPO)
    assert result.exit_code == 0, result.output
    checked: Counter[str] = Counter()
    wrong = []
    for record in json.loads(result.stdout)["incidents"]:
        lines = (REPO / record["source"]).read_text(encoding="utf-8").split("\n")
        for item in record["action_items"]:
            stated = stated_by(lines[item["line"] - 1], lines, item["line"] - 1)
            got = {"owner": squashed(item["owner"] or ""), "status": item["status"], "ticket": item["link"] or ""}
            for field, value in stated.items():
                checked[field] += 1
                expected = squashed(value) if field == "owner" else value
                if (expected not in got[field]) if field == "ticket" else (got[field] != expected):
                    wrong.append(f"{record['source']}:{item['line']}: {field} {got[field]!r}, the line says {value!r}")
    assert wrong == []
    assert all(checked[field] for field in ("owner", "status", "ticket")), checked  # the rules above found something


def test_inspect_names_each_items_fields() -> None:
    text = "\n".join(describe(incident_of(ACTIONS + "**Short term**\n\n- Add an alert (Ana, due 2024-05-01)\n")))
    assert "      7  Add an alert (Ana, due 2024-05-01)   (owner: Ana, due: 2024-05-01, group: Short term)" in text
