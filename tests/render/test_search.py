"""The sharded search index: what the browser's search script relies on."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from hindsite.core.model import ActionItem, Incident, Origin, Section
from hindsite.render import urls
from hindsite.render.search import (
    FACTS,
    MANIFEST,
    SUMMARY,
    TITLE,
    UNHEADED_LABELS,
    _json,
    _script,
    page_path,
    search_files,
    section_place,
    shard_key,
    words,
)
from hindsite.render.views import IncidentPage, incident_page


def incident(number: int, title: str, root_cause: str) -> Incident:
    section = Section("root_cause", "Root cause", 3, root_cause, f"<p>{root_cause}</p>")
    return Incident(
        id=f"i{number}", source=f"i{number}.md", content_path=f"i{number}.md", title=title, date=None, severity=None,
        services=(), tags=(), responders=(), status=None, started_at=None, detected_at=None, resolved_at=None,
        duration_minutes=None, summary=f"Summary {number}", sections=(section,), timeline=(), action_items=(),
        diagnostics=(),
    )


def files_for(incidents: list[Incident]) -> dict[str, str]:
    pages = [incident_page(i, previous=None, next=None, related=(), source_url="", rewrite=lambda h: h) for i in incidents]
    return dict(search_files(pages))


def payload(text: str) -> object:
    return json.loads(text[text.index(", ") + 2 : text.rindex(")")])


def test_words_are_lower_case_runs_of_letters_and_digits() -> None:
    assert words("Checkout-API returned 502s; ÉTÉ x") == ["checkout", "api", "returned", "502s", "été"]


def test_shard_keys_are_file_name_safe() -> None:
    assert shard_key("checkout") == "6368"
    assert shard_key("été") == "c3a974"  # two characters, UTF-8 bytes in hex


def test_each_word_points_at_its_report_and_place() -> None:
    files = files_for([incident(0, "Disk full", "A stale replication slot kept WAL"), incident(1, "DNS", "Resolver limit")])
    terms = payload(files[f"search/t-{shard_key('replication')}.js"])
    assert terms["replication"] == [[0, section_place(0), 1]]  # type: ignore[index]
    title_terms = payload(files[f"search/t-{shard_key('disk')}.js"])
    assert [0, TITLE, 1] in title_terms["disk"]  # type: ignore[index]
    heading_terms = payload(files[f"search/t-{shard_key('root')}.js"])
    assert sorted(heading_terms["root"]) == [[0, section_place(0, heading=True), 1], [1, section_place(0, heading=True), 1]]  # type: ignore[index]


def test_severity_services_tags_and_owners_are_facts_to_search() -> None:
    item = ActionItem("Add an alert", "dana-ops", "open", None, 9)
    tagged = replace(incident(0, "Disk full", "WAL"), severity="sev1", services=("postgres-main",), tags=("storage",),
                     action_items=(item, replace(item, text="Again")))
    files = files_for([tagged])
    for word in ("sev1", "postgres", "main", "storage", "dana", "ops"):
        assert [0, FACTS, 1] in payload(files[f"search/t-{shard_key(word)}.js"])[word], word  # type: ignore[index]
    facts = payload(files[page_path(0)])[5]  # type: ignore[index]
    assert facts == [["Severity", "sev1"], ["Services", "postgres-main"], ["Tags", "storage"], ["Owners", "dana-ops"]]


def test_each_report_file_holds_the_text_a_result_quotes_with_its_section() -> None:
    written = replace(incident(0, "Disk full", ""), sections=(
        Section("preamble", "", 1, "All times UTC", "<p>All times UTC</p>"),
        Section("root_cause", "Why it broke", 3, "x", "<p>A <em>stale</em> slot &amp; WAL</p><p>Next</p>",
                children=(Section("other", "Details", 5, "y", "<p>Deeper</p>"),)),
    ))
    shown = payload(files_for([written])[page_path(0)])
    url, title, date, severity, services, facts, summary, sections = shown  # type: ignore[misc]
    assert (url, title, date, severity, services, facts, summary) == ("incidents/i0.html", "Disk full", "", "", [], [], "")
    assert sections == [["s-preamble", "Before the first heading", "All times UTC"],
                        ["s-root-cause", "Why it broke", "A stale slot & WAL Next"], ["s-details", "Details", "Deeper"]]


def test_a_summary_is_its_own_place_only_when_the_front_matter_gives_it() -> None:
    derived = incident(0, "Derived", "cause")
    given = replace(incident(1, "Given", "cause"), origins=(Origin("summary", "front-matter", 2),))
    files = files_for([derived, given])
    assert [payload(files[page_path(n)])[6] for n in (0, 1)] == ["", "Summary 1"]  # type: ignore[index]
    assert payload(files[f"search/t-{shard_key('summary')}.js"])["summary"] == [[1, SUMMARY, 1]]  # type: ignore[index]


def test_the_manifest_counts_the_reports_and_lists_the_shards() -> None:
    files = files_for([incident(n, f"Incident {n}", "cause") for n in range(3)])
    manifest = json.loads(files["search/index.js"].split(" = ", 1)[1].rstrip().rstrip(";"))
    assert manifest["documents"] == 3
    assert sorted(path for path in files if path.startswith("search/r-")) == [page_path(n) for n in range(3)]
    assert manifest["shards"] == sorted(path[len("search/t-"):-3] for path in files if path.startswith("search/t-"))


def test_script_text_cannot_close_a_script_block() -> None:
    files = files_for([incident(0, "Bad </script><script>alert(1)</script>", "x")])
    assert all("</script>" not in text for text in files.values())


def counted_word_by_word(pages: list[IncidentPage]) -> dict[str, str]:
    """The index as it was first written: each word counted in turn, each place's text with its spaces tidied."""

    def plain_words(text: str) -> list[str]:
        return [w for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()) if len(w) >= 2]

    def plain_text(fragment: str) -> str:
        return unicodedata.normalize("NFC", " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()))

    postings: dict[str, dict[str, list[list[int]]]] = defaultdict(dict)
    files = {}
    for number, incident in enumerate(pages):
        views = [view for top in incident.shown_sections for view in top.walk()]
        facts = [[label, ", ".join(values)] for label, values in (("Severity", [incident.severity or ""]),
                 ("Services", incident.services), ("Tags", incident.tags)) if any(values)]
        files[f"search/r-{number}.js"] = _script("hindsiteSearchReport", str(number), [
            urls.incident_url(incident), unicodedata.normalize("NFC", incident.title), "", "", [], facts, "",
            [[view.anchor, unicodedata.normalize("NFC", view.heading) or UNHEADED_LABELS.get(view.key, ""),
              plain_text(view.html)] for view in views],
        ])
        places = [(TITLE, incident.title), (FACTS, ""), (SUMMARY, "")]
        for index, view in enumerate(views):
            places += [(2 * index, plain_text(view.html)), (2 * index + 1, view.heading)]
        for place, text in places:
            counts: dict[str, int] = defaultdict(int)
            for word in plain_words(text):
                counts[word] += 1
            for word, count in counts.items():
                postings[shard_key(word)].setdefault(word, []).append([number, place, count])
    files |= {f"search/t-{key}.js": _script("hindsiteSearchShard", json.dumps(key), dict(sorted(terms.items())))
              for key, terms in postings.items()}  # a shard's words sorted, so that a patched shard is a fresh one
    manifest = {"version": 3, "documents": len(pages), "shards": sorted(postings)}
    files[MANIFEST] = "window.hindsiteSearch = " + _json(manifest) + ";\n"
    return files


#: Words, case, accents to compose (e + U+0301), final sigmas, spaces of every kind, entities and tags.
_BITS = st.sampled_from([
    "disk", "Full", "a", "x1", "été", "e\u0301", "\u0301", "ΟΔΟΣ", "Σ", "ß", "İ", "東京", "_", "-", "'", "’", " ", "  ",
    "\n", "\t", "\u00a0", "\u2003", "\u3000", "&amp;", "&nbsp;", "&#x301;", "&eacute;", "&", ";", "<p>", "</p>",
    "<a href=\"x\">", "<br>", "<", ">",
])
_TEXT = st.lists(_BITS, max_size=12).map("".join)


@st.composite
def incident_pages(draw: st.DrawFn) -> list[IncidentPage]:
    made = []
    for number in range(draw(st.integers(1, 4))):
        texts = draw(st.lists(_TEXT, max_size=3))
        sections = tuple(Section("other", draw(_TEXT), n, text, text) for n, text in enumerate(texts))
        written = replace(incident(number, draw(_TEXT), ""), summary=draw(_TEXT), sections=sections)
        made.append(incident_page(written, previous=None, next=None, related=(), source_url="", rewrite=lambda h: h))
    return made


@settings(max_examples=400)
@given(incident_pages())
def test_the_index_is_the_one_counting_word_by_word_gives(pages: list[IncidentPage]) -> None:
    files = dict(search_files(pages))
    expected = counted_word_by_word(pages)
    assert list(files) == list(expected)
    assert files == expected


@given(_TEXT)
def test_words_skip_one_letter_runs_whole(text: str) -> None:
    assert words(text) == [w for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()) if len(w) >= 2]
