"""The sharded search index: what the browser's search script relies on."""

from __future__ import annotations

import json

from hindsite.model import Incident, Section
from hindsite.search import DOCS_PER_FILE, SUMMARY, TITLE, search_files, shard_key, words
from hindsite.views import report_view


def incident(number: int, title: str, root_cause: str) -> Incident:
    section = Section("root_cause", "Root cause", 3, root_cause, f"<p>{root_cause}</p>")
    return Incident(
        id=f"i{number}", source=f"i{number}.md", content_path=f"i{number}.md", title=title, date=None, severity=None,
        services=(), tags=(), responders=(), status=None, started_at=None, detected_at=None, resolved_at=None,
        duration_minutes=None, summary=f"Summary {number}", sections=(section,), timeline=(), action_items=(),
        diagnostics=(),
    )


def files_for(incidents: list[Incident]) -> dict[str, str]:
    reports = [report_view(i, previous=None, next=None, related=(), source_url="", rewrite=lambda h: h) for i in incidents]
    return search_files(reports)


def payload(text: str) -> object:
    return json.loads(text[text.index(", ") + 2 : text.rindex(")")])


def test_words_are_lower_case_runs_of_letters_and_digits() -> None:
    assert words("Checkout-API returned 502s; ÉTÉ x") == ["checkout", "api", "returned", "502s", "été"]


def test_shard_keys_are_file_name_safe() -> None:
    assert shard_key("checkout") == "6368"
    assert shard_key("été") == "c3a974"  # two characters, UTF-8 bytes in hex


def test_each_word_points_at_its_report_and_section() -> None:
    files = files_for([incident(0, "Disk full", "A stale replication slot kept WAL"), incident(1, "DNS", "Resolver limit")])
    terms = payload(files[f"search/t-{shard_key('replication')}.js"])
    assert terms["replication"] == [[0, 0, 1]]  # type: ignore[index]
    title_terms = payload(files[f"search/t-{shard_key('disk')}.js"])
    assert [0, TITLE, 1] in title_terms["disk"]  # type: ignore[index]
    summary_terms = payload(files[f"search/t-{shard_key('summary')}.js"])
    assert sorted(p[0] for p in summary_terms["summary"] if p[1] == SUMMARY) == [0, 1]  # type: ignore[index]


def test_documents_are_split_into_blocks() -> None:
    many = [incident(n, f"Incident {n}", "cause") for n in range(DOCS_PER_FILE + 3)]
    files = files_for(many)
    first, second = payload(files["search/d-0.js"]), payload(files["search/d-1.js"])
    assert len(first) == DOCS_PER_FILE and len(second) == 3  # type: ignore[arg-type]
    manifest = json.loads(files["search/index.js"].split(" = ", 1)[1].rstrip().rstrip(";"))
    assert manifest["documents"] == DOCS_PER_FILE + 3 and manifest["perFile"] == DOCS_PER_FILE


def test_script_text_cannot_close_a_script_block() -> None:
    files = files_for([incident(0, "Bad </script><script>alert(1)</script>", "x")])
    assert all("</script>" not in text for text in files.values())


