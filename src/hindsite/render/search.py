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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

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
    # word → page, place, count, page, place, count…, pages in order. Flat arrays of machine integers: millions of
    # postings take 12 bytes each, and the collector has nothing in them to walk.
    postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
    count = 0
    for number, page in enumerate(pages):
        text, found = page_postings(number, page)
        yield page_path(number), text
        for word, flat in found.items():
            postings[word].extend(flat)
        count = number + 1
    shards: dict[str, list[str]] = defaultdict(list)  # shard → its words
    for word in postings:
        shards[shard_key(word)].append(word)
    for key, shard_words in shards.items():  # one shard's postings as Python lists at a time
        terms = {word: _triples(postings.pop(word)) for word in sorted(shard_words)}
        yield shard_path(key), _script("hindsiteSearchShard", json.dumps(key), terms)
    yield MANIFEST, _manifest(count, shards)


def page_postings(number: int, page: IncidentPage) -> tuple[str, dict[str, list[int]]]:
    """The `number`th page's file, and its postings: word → page, place, count, page, place, count…, its places
    in the page's order."""
    shown = shown_page(page)
    found: dict[str, list[int]] = defaultdict(list)
    for place, text in _places(shown, page):
        for word, times in Counter(words(text)).items():
            found[word].extend((number, place, times))
    return _script("hindsiteSearchReport", str(number), shown), dict(found)


@dataclass(frozen=True, slots=True)
class EarlierIndex:
    """The search index the last build left in the folder `site`, when the archive has the same pages in the same
    order: its `files` (paths in the site), and the earlier version of each page that changed since, by number.
    The export in `site` is as that build left it too, and is patched alike (`render.export.patched_pieces`)."""

    site: Path
    files: tuple[str, ...]
    changed: Mapping[int, Incident]


@dataclass(frozen=True, slots=True)
class SearchPatch:
    """The search files that change when some pages do: their new texts, and those that go."""

    files: dict[str, str]
    removed: tuple[str, ...]


def search_patch(site: Path, before: Mapping[int, IncidentPage], after: Mapping[int, IncidentPage]) -> SearchPatch:
    """The files of the search index in the folder `site` (as `search_files` wrote them) that change when the pages
    numbered in `before` become those in `after` (the same numbers: no page comes, goes or moves).

    Only the shards of words whose postings changed are read and written again,
    and the manifest only when a shard comes or goes. Each word's postings are
    in the order a fresh index has them: pages in order, a page's places in its
    own order; a shard's words are sorted. So the files are those `search_files`
    would write for the pages as they are now.
    """
    old = {n: page_postings(n, page)[1] for n, page in before.items()}
    files, new = {}, {}
    for n, page in after.items():
        files[page_path(n)], new[n] = page_postings(n, page)
    moved = {word for n in new for word in old.get(n, {}).keys() | new[n].keys() if old.get(n, {}).get(word) != new[n].get(word)}
    by_shard: dict[str, list[str]] = defaultdict(list)
    for word in moved:
        by_shard[shard_key(word)].append(word)
    manifest = json.loads(_payload((site / MANIFEST).read_text(encoding="utf-8")))
    shards, removed = set(manifest["shards"]), []
    for key, shard_words in sorted(by_shard.items()):
        entries = _shard_entries(site / shard_path(key)) if key in shards else {}
        for word in shard_words:
            postings = entries.get(word, "[]")[1:-1]
            for n in sorted(new):
                postings = _with_page(postings, n, new[n].get(word, []))
            entries[word] = f"[{postings}]"
            if not postings:
                del entries[word]
        if entries:
            files[shard_path(key)] = _shard_script(key, entries)
            shards.add(key)
        else:
            removed.append(shard_path(key))
            shards.discard(key)
    if shards != set(manifest["shards"]):
        files[MANIFEST] = _manifest(manifest["documents"], shards)
    return SearchPatch(files, tuple(removed))


def shard_path(key: str) -> str:
    return f"search/t-{key}.js"


def _manifest(documents: int, shards: Iterable[str]) -> str:
    return "window.hindsiteSearch = " + _json({"version": 3, "documents": documents, "shards": sorted(shards)}) + ";\n"


def _payload(script: str) -> str:
    """The JSON a search file's script passes on: after the callback's first argument (or `=`), before `);`."""
    start = script.index("{")
    end = script.rindex("}") + 1
    return script[start:end]


def _shard_entries(path: Path) -> dict[str, str]:
    """A shard file's words, each with its postings as the file's text has them (`[[page,place,count],…]`).

    The postings stay text: a common word's run to megabytes, and a patch
    changes a few of its entries (`_with_page`). A word is letters and digits
    (`words`) and postings are digits, commas and brackets, so `]],"` is found
    only between two words' entries.
    """
    payload = _payload(path.read_text(encoding="utf-8"))
    if payload == "{}":
        return {}
    entries = {}
    for entry in payload[2:-3].split(']],"'):  # {"word":[[…]],"word":[[…]]}
        word, _, postings = entry.partition('":')
        entries[word] = postings + "]]"
    return entries


def _with_page(postings: str, page: int, flat: list[int]) -> str:
    """A word's postings as a shard's text has them, without the outer brackets (`[page,place,count],…`, by page),
    with the entries of page `page` replaced by `flat` (page, place, count, page, place, count…, in the page's
    order; [] for none). Nothing else is decoded: a common word has an entry on nearly every page."""
    start, end = _first_entry_of(postings, page), _first_entry_of(postings, page + 1)
    entries = ",".join(f"[{n},{place},{count}]" for n, place, count in _triples(array("i", flat)))
    return ",".join(part for part in (postings[:start].removesuffix(","), entries, postings[end:]) if part)


def _first_entry_of(postings: str, page: int) -> int:
    """Where the first entry of page `page` or a later one starts in `postings` (see `_with_page`), or its length.

    A binary search over the text: `[` starts an entry and nothing else, and the entries are by page.
    """
    def entry_after(position: int) -> int:
        found = postings.find("[", position)
        return len(postings) if found < 0 else found

    def at_or_after(position: int) -> bool:
        entry = entry_after(position)
        return entry == len(postings) or int(postings[entry + 1:postings.index(",", entry)]) >= page

    low, high = 0, len(postings)
    while low < high:
        middle = (low + high) // 2
        if at_or_after(middle):
            high = middle
        else:
            low = middle + 1
    return entry_after(low)


def _shard_script(key: str, entries: Mapping[str, str]) -> str:
    """A shard's file, as `search_files` writes it, from its words' postings as text: the words sorted."""
    payload = ",".join(f'"{word}":{entries[word]}' for word in sorted(entries))
    return f"hindsiteSearchShard({json.dumps(key)}, {{{payload}}});\n"


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
