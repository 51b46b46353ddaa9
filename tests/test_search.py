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

from hindsite import urls
from hindsite.model import Incident, Section
from hindsite.search import DOCS_PER_FILE, MANIFEST, SUMMARY, TITLE, _json, _script, search_files, shard_key, words
from hindsite.views import IncidentPage, incident_page


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


def test_each_word_points_at_its_incident_and_section() -> None:
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




def counted_word_by_word(pages: list[IncidentPage]) -> dict[str, str]:
    """The index as it was first written: each word counted in turn, each section's text with its spaces tidied."""

    def plain_words(text: str) -> list[str]:
        return [w for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()) if len(w) >= 2]

    def plain_text(fragment: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    postings: dict[str, dict[str, list[list[int]]]] = defaultdict(dict)
    documents = []
    for number, incident in enumerate(pages):
        documents.append([
            urls.incident_url(incident), incident.title, incident.date.isoformat() if incident.date else "",
            incident.severity or "", list(incident.services), incident.summary[:240],
            [[section.anchor, section.heading, section.key] for section in incident.shown_sections],
        ])
        places = [(TITLE, incident.title), (SUMMARY, incident.summary)]
        places += [(index, f"{section.heading} {plain_text(section.html)}") for index, section in enumerate(incident.shown_sections)]
        for place, text in places:
            counts: dict[str, int] = defaultdict(int)
            for word in plain_words(text):
                counts[word] += 1
            for word, count in counts.items():
                postings[shard_key(word)].setdefault(word, []).append([number, place, count])
    files = {f"search/t-{key}.js": _script("hindsiteSearchShard", json.dumps(key), terms) for key, terms in postings.items()}
    for start in range(0, len(documents), DOCS_PER_FILE):
        block = start // DOCS_PER_FILE
        files[f"search/d-{block}.js"] = _script("hindsiteSearchDocs", str(block), documents[start : start + DOCS_PER_FILE])
    manifest = {"version": 2, "documents": len(documents), "perFile": DOCS_PER_FILE, "shards": sorted(postings)}
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
