"""The full-text search index, split so a search loads only what it needs.

Every word of every incident's page is indexed by prefix shards: `search/t-HEX.js` holds
the words that begin with one pair of letters, each with the places it occurs
in, as `[page, place, count]` postings. `search/r-N.js` holds what a result
shows of page N: its address, title, date, severity, services, and the text
of each place, so the result can quote the passage around the match. A query
loads the shards of its words and the pages it shows — a few files, whatever
the archive's size. Files are scripts rather than JSON so search also works
from disk, where browsers refuse to fetch files.

A place says where in a page a word was found, and so how much it weighs:
`TITLE`, `FACTS` (severity, services, tags, owners of action items),
`SUMMARY` (a summary given in the front-matter: any other is a section's text)
or a section of the page, `section_place(n, heading)`: the text of the nth
section in page order at `2n`, its heading at `2n + 1`. The client ranks
pages by the title first, then headings and facts, then text.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from ..core.model import Incident
from . import urls
from .views import IncidentPage, SectionView, every_view

MANIFEST = "search/index.js"
_TAG = re.compile(r"<[^>]+>")
#: Runs of letters and digits, two or more long: a one-letter run is skipped whole.
_WORD = re.compile(r"[^\W_]{2,}")

#: The places of a page that are not sections (see the module's docstring).
TITLE, FACTS, SUMMARY = -1, -2, -3
#: What a result says a passage came from, for the parts of a page that have no heading.
UNHEADED_LABELS = {"preamble": "Before the first heading", "closing": "Closing remarks"}


def words(text: str) -> list[str]:
    """Lower-case words of two or more letters or digits; the client splits queries the same way."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def shard_key(word: str) -> str:
    """The shard a word lives in: its first two characters, hex-encoded as UTF-8 for a safe file name."""
    return word[:2].encode("utf-8").hex()


def section_place(number: int, heading: bool = False) -> int:
    """The place of the `number`th section of a page (in page order): its text, or its heading."""
    return 2 * number + (1 if heading else 0)


def page_path(number: int) -> str:
    """The file that holds what a result shows of the `number`th page."""
    return f"search/r-{number}.js"


def search_files(pages: Iterable[IncidentPage]) -> Iterator[tuple[str, str]]:
    """(path in the site, text) for each page's file, the word shards and the manifest, one file at a time."""
    # word → page, place, count, page, place, count…, words in the order found. Flat arrays of machine
    # integers: millions of postings take 12 bytes each, and the collector has nothing in them to walk.
    postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
    count = 0
    for number, page in enumerate(pages):
        shown = shown_page(page)
        yield page_path(number), _script("hindsiteSearchReport", str(number), shown)
        for place, text in _places(shown, page):
            for word, times in Counter(words(text)).items():
                postings[word].extend((number, place, times))
        count = number + 1
    shards: dict[str, list[str]] = defaultdict(list)  # shard → its words, in the order found
    for word in postings:
        shards[shard_key(word)].append(word)
    for key, shard_words in shards.items():  # one shard's postings as Python lists at a time
        terms = {word: _triples(postings.pop(word)) for word in shard_words}
        yield f"search/t-{key}.js", _script("hindsiteSearchShard", json.dumps(key), terms)
    manifest = {"version": 3, "documents": count, "shards": sorted(shards)}
    yield MANIFEST, "window.hindsiteSearch = " + _json(manifest) + ";\n"


def shown_page(page: IncidentPage) -> list[object]:
    """What a result shows of a page, and the text of its every place:

    [url, title, date, severity, services, facts as [[label, value]…], summary, sections as [[anchor, label, text]…]]
    """
    sections = [[view.anchor, _label(view), passage_text(view.html)] for view in every_view(page.shown_sections)]
    return [urls.incident_url(page), _nfc(page.title), page.date.isoformat() if page.date else "",
            page.severity or "", list(page.services), _facts(page), _summary(page), sections]


def _places(shown: list[object], page: IncidentPage) -> Iterator[tuple[int, str]]:
    """(place, its text) for every place of a page: the texts `shown_page` gave, and the sections' headings
    as written (the label of a part without one is no one's words)."""
    _, title, _, _, _, facts, summary, sections = shown
    yield TITLE, str(title)
    yield FACTS, " ".join(value for _, value in facts)  # type: ignore[attr-defined]
    yield SUMMARY, str(summary)
    for number, ((_, _, text), view) in enumerate(zip(sections, every_view(page.shown_sections), strict=True)):  # type: ignore[call-overload]
        yield section_place(number), text
        yield section_place(number, heading=True), view.heading


def _facts(incident: Incident) -> list[list[str]]:
    owners = dict.fromkeys(item.owner for item in incident.action_items if item.owner)
    facts = [("Severity", [incident.severity or ""]), ("Services", incident.services), ("Tags", incident.tags),
             ("Owners", list(owners))]
    return [[label, _nfc(", ".join(values))] for label, values in facts if any(values)]


def _summary(incident: Incident) -> str:
    """The summary the page shows above its sections (one given in the front-matter): any other is a section's."""
    given = any(o.field == "summary" and o.how == "front-matter" for o in incident.origins)
    return _nfc(incident.summary) if given else ""


def _label(view: SectionView) -> str:
    return _nfc(view.heading) if view.heading else UNHEADED_LABELS.get(view.key, "")


def passage_text(fragment: str) -> str:
    """The text of an HTML fragment as a result quotes it: tags as spaces, entities decoded, spaces collapsed."""
    return _nfc(" ".join(html.unescape(_TAG.sub(" ", fragment)).split()))


def _nfc(text: str) -> str:
    # The client finds words in this text with the same split as `words`: it must be composed the same way.
    return unicodedata.normalize("NFC", text)


def _triples(flat: array[int]) -> list[tuple[int, int, int]]:
    return list(zip(flat[0::3], flat[1::3], flat[2::3]))


def _script(callback: str, key: str, payload: object) -> str:
    return f"{callback}({key}, {_json(payload)});\n"


def _json(payload: object) -> str:
    # "</" cannot end a script block early when a file is inlined somewhere. Payloads are trees built here:
    # no need to check for cycles.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), check_circular=False).replace("</", "<\\/")
