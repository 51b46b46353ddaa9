"""The full-text search index, split so a search loads only what it needs.

Every word of every incident's page (title, summary, each section) is indexed
by prefix shards: `search/t-HEX.js` holds the words that begin with one pair of
letters, with the incidents and sections they occur in; `search/d-N.js` holds
the titles and section anchors of a block of incidents. A query loads the
shards of its words and the document blocks of its results — a few files,
whatever the archive's size. Files are scripts rather than JSON so search
also works from disk, where browsers refuse to fetch files.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from . import urls
from .views import IncidentPage, every_view

MANIFEST = "search/index.js"
DOCS_PER_FILE = 500
_TAG = re.compile(r"<[^>]+>")
#: Runs of letters and digits, two or more long: a one-letter run is skipped whole.
_WORD = re.compile(r"[^\W_]{2,}")

#: Where a word was found, beside the numbered sections: the weights the client gives them.
TITLE, SUMMARY = -1, -2


def words(text: str) -> list[str]:
    """Lower-case words of two or more letters or digits; the client splits queries the same way."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def shard_key(word: str) -> str:
    """The shard a word lives in: its first two characters, hex-encoded as UTF-8 for a safe file name."""
    return word[:2].encode("utf-8").hex()


def search_files(pages: Iterable[IncidentPage]) -> Iterator[tuple[str, str]]:
    """(path in the site, text) for the word shards, the document blocks and the manifest, one file at a time."""
    # word → incident, place, count, incident, place, count…, words in the order found. Flat arrays of machine
    # integers: millions of postings take 12 bytes each, and the collector has nothing in them to walk.
    postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
    documents = []
    for number, incident in enumerate(pages):
        sections = tuple(every_view(incident.shown_sections))
        documents.append([
            urls.incident_url(incident), incident.title, incident.date.isoformat() if incident.date else "",
            incident.severity or "", list(incident.services), incident.summary[:240],
            [[section.anchor, section.heading, section.key] for section in sections],
        ])
        places = [(TITLE, incident.title), (SUMMARY, incident.summary)]
        places += [(index, f"{section.heading} {_text_of(section.html)}") for index, section in enumerate(sections)]
        for place, text in places:
            for word, count in Counter(words(text)).items():
                postings[word].extend((number, place, count))
    shards: dict[str, list[str]] = defaultdict(list)  # shard → its words, in the order found
    for word in postings:
        shards[shard_key(word)].append(word)
    for key, shard_words in shards.items():  # one shard's postings as Python lists at a time
        terms = {word: _triples(postings.pop(word)) for word in shard_words}
        yield f"search/t-{key}.js", _script("hindsiteSearchShard", json.dumps(key), terms)
    for start in range(0, len(documents), DOCS_PER_FILE):
        block = start // DOCS_PER_FILE
        yield f"search/d-{block}.js", _script("hindsiteSearchDocs", str(block), documents[start : start + DOCS_PER_FILE])
    manifest = {"version": 2, "documents": len(documents), "perFile": DOCS_PER_FILE, "shards": sorted(shards)}
    yield MANIFEST, "window.hindsiteSearch = " + _json(manifest) + ";\n"


def _triples(flat: array[int]) -> list[tuple[int, int, int]]:
    return list(zip(flat[0::3], flat[1::3], flat[2::3]))


def _text_of(fragment: str) -> str:
    """The text of an HTML fragment, its tags as spaces. Runs of spaces are left: `words` skips them anyway."""
    return html.unescape(_TAG.sub(" ", fragment))


def _script(callback: str, key: str, payload: object) -> str:
    return f"{callback}({key}, {_json(payload)});\n"


def _json(payload: object) -> str:
    # "</" cannot end a script block early when a file is inlined somewhere. Payloads are trees built here:
    # no need to check for cycles.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), check_circular=False).replace("</", "<\\/")
