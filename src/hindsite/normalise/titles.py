"""Titles as authors write them → titles a reader can scan.

A title names what broke: "Postmortem:" prefixes, ticket numbers and a date with its year (the
page shows the incident's beside the title) are cut, and nothing is left dangling where they
were ("… report for").
A title that names nothing ("Postmortem", "0x19. Postmortem", "Acme postmortems") is generic.

A title is text, never HTML: a front-matter title keeps every character its author typed
(`Queue depth < 10 made <OrderService> return 5xx`), and one taken from the body keeps the
words the body shows a reader (`markup.inline_text`), inline code included.
"""

from __future__ import annotations

import re
import unicodedata

from ..core.markup import inline_text, publishable
from .times import BUILT_IN, MONTH, WEEKDAY, scan, scan_dates, scan_range

_PREFIX = re.compile(
    r"^\s*(?:(?:an?|the|my|our)\s+)?(?:(?:incident|outage|security)\s+)?"
    r"(?:post[\s-]?mortem|incident\s+report|incident\s+review|retrospective|rca|root\s+cause\s+analysis)"
    r"(?:\s+report)?\s*(?:[:\-–—|]\s*|\s+(?:for|of|on)\s+(?:the\s+)?)",
    re.I,
)
#: Words that name the kind of document, or nothing at all; a title made only of them says nothing.
_GENERIC_WORDS = {
    "postmortem", "post", "mortem", "post-mortem", "incident", "report", "my", "first", "our", "the", "a", "an",
    "review", "rca", "untitled", "outage", "on", "of", "for", "analysis", "root", "cause", "retrospective",
    "document", "template", "issue", "summary", "project", "task", "readme", "security", "writeup", "write", "up",
    "date", "title", "metadata", "details", "detail", "information", "info", "draft", "n", "tbd", "tbc", "todo",
}
_CONNECTIVES = {"the", "a", "an", "on", "of", "for", "my", "our"}
#: Postmortem as it is misspelt and cut ("Postmorten", "Postmoterm", a first line that lost "Po").
_POSTMORTEM_SPELLING = re.compile(r"\w*mort[ae][mn]|postmo[rt]\w*")
#: The last word of a title that names a collection of them: "Postmortems", "Acme incident reports".
_COLLECTION_NOUNS = {"postmortems", "mortems", "reports", "reviews", "retrospectives", "rcas", "incidents",
                     "writeups", "ups", "analyses", "retros"}
#: A ticket or task number: `INC-4312`, `#1234`, `PM-001`; not `v3.5` or `CVE-2018-17144`.
_IDENTIFIER = re.compile(r"(?<![\w.-])#?[A-Za-z]{0,6}[-_#]?\d+(?![\w.-])")
_NUMBERING = re.compile(r"^\d{1,3}[.)]\s+(?=\w)")
#: A short lead ending in a separator: "Incident: …", "PM-001: …", "1715209000 - …".
_LEAD = re.compile(r"^(?P<lead>[^:|–—]{1,60}?)\s*(?::\s|\s[-–—|]\s|[–—|])\s*(?P<rest>\S.*)$")
#: Words that led into what a cut end took away ("… report for 2020-02-20"), left dangling without it.
_LEADING_WORDS = {"on", "at", "of", "from", "for", "in", "between", "since", "during", "dated", "and", "to", "the", "by"}
_ABBREVIATION_END = re.compile(r"\b(?:inc|ltd|co|corp|etc|al|jr|sr|st|vs)\.$", re.I)
_SEPARATORS = " \t-–—:|,()"


#: Emphasis and code around words, in pairs: `5*3` and `{{ 7*7 }}` keep their stars.
_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3}|`+)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_EDGE_MARKS = re.compile(r"^[*_`]+(?=\S)|(?<=\S)[*_`]+$")


def plain_title(text: str) -> str:
    """A title as read: Markdown links and emphasis reduced to their words, spaces collapsed; `<` is a character."""
    title = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its words
    title = _EMPHASIS.sub(r"\2", title)
    return _EDGE_MARKS.sub("", " ".join(title.split()))


def clean_title(text: str) -> str:
    """Strip markup, "Postmortem:" prefixes, ticket numbers and dates at either end; keep the words that say what broke."""
    title = _without_decoration(plain_title(text))
    return _without_the_ends(title) or title


def _without_decoration(title: str) -> str:
    """Emoji, bullets and rules before the words; a leading `/`, `.` or `@` is part of them (`/` was blocklisted)."""
    start = 0
    while start < len(title) and (title[start].isspace() or title[start] in "-–—:|,;*•·>#!?=+"
                                  or unicodedata.category(title[start]) in ("So", "Sk", "Cf", "Mn", "Me", "Co")):
        start += 1
    return title[start:]


def _without_the_ends(title: str) -> str:
    for _ in range(6):  # "Postmortem: 2024-03-03: Incident: …": a few leads at most stand before the words
        before = title
        title = _PREFIX.sub("", title, count=1)
        title = _without_generic_lead(_NUMBERING.sub("", title))
        title = _without_leading_date(title)
        if title == before:
            break
    return _without_full_stop(_without_trailing_date(title)).strip(" -–—:|,")


def _without_generic_lead(title: str) -> str:
    """"Incident: X", "PM-001: X", "incident date: 2019-02-20, X", "Incident on 2020-04-15 X" → "X"."""
    lead = _LEAD.match(title)
    if lead and _only_names_the_document(lead.group("lead")):
        return lead.group("rest")
    dates = scan_dates(title)
    if dates and _only_names_the_document(title[: dates[0].start]):
        rest = title[dates[0].end :].lstrip(_SEPARATORS + ".")
        if rest:
            return rest
    return title


def _only_names_the_document(lead: str) -> bool:
    """"Incident", "Outage Postmoterm", "PM-001", "incident date": a lead that names the document, a ticket or a
    field; "The" before "2024-03-03 outage" is not one."""
    words = {word.casefold() for word in re.findall(r"\w+", lead)} - _CONNECTIVES
    return bool(words) and _says_nothing(lead)


def _without_leading_date(title: str) -> str:
    """"2018-02-20, Binder swamped" → "Binder swamped". A day without its year is part of the name the author gave."""
    dates = scan_dates(title)
    if dates and dates[0].year is not None and not title[: dates[0].start].strip(_SEPARATORS):
        rest = title[dates[0].end :].lstrip(_SEPARATORS)
        if rest:
            return rest
    return title


def _without_trailing_date(title: str) -> str:
    """"Outage on January 20, 2024" → "Outage"; "Chain compromised between December 25th and December 30th, 2022"
    → "Chain compromised"; "Downtime on 18th March", without its year, is kept."""
    dates = scan_dates(title)
    if not dates or dates[-1].year is None or title[dates[-1].end :].strip(_SEPARATORS + "."):
        return title
    span = scan_range(title)
    ends_a_range = span is not None and span[1].start <= dates[-1].start < span[1].end
    return _without_dangling(title[: span[0].start if span and ends_a_range else dates[-1].start])


def _without_dangling(title: str) -> str:
    """What is left of a cut end, without the words that led into it or a parenthesis it opened."""
    title = _without_loose_end(title)
    if title.count("(") > title.count(")"):
        title = _without_loose_end(title[: title.rfind("(")])
    return title


def _without_loose_end(title: str) -> str:
    for _ in range(4):  # "… for the", "… between the": a few words at most led into what was cut
        title = title.rstrip(" \t-–—:|,;(")
        head, _, last = title.rpartition(" ")
        if last.casefold() not in _LEADING_WORDS:
            break
        title = head
    return title.rstrip(" \t-–—:|,;(")


def _without_full_stop(title: str) -> str:
    """"Blockchain mainnet stall." → "Blockchain mainnet stall"; "Acme Inc." and "Wait..." keep theirs."""
    if title.endswith(".") and not title.endswith("..") and not _ABBREVIATION_END.search(title) and ". " not in title:
        return title[:-1]
    return title


def title_date(text: str) -> str | None:
    """The date a title states, with its year ("Outage on January 20, 2024", "2018-02-20, Binder swamped")."""
    plain = re.sub(r"[*_`]+", "", text)
    found = next((d for d in scan_dates(plain) if d.year is not None and d.on() is not None), None)
    return plain[found.start : found.end] if found else None


def is_generic(title: str) -> bool:
    """Says nothing about the incident: "Postmortem", "My first postmortem", "0x19. Postmortem", "INC-4312",
    a bare date, or the name of a collection ("Postmortems", "Acme incident reports")."""
    return _says_nothing(title) or _names_a_collection(title)


def _says_nothing(text: str) -> bool:
    for stamp in reversed(scan(text)):
        text = text[: stamp.start] + " " + text[stamp.end :]
    words = re.findall(r"\w+", _IDENTIFIER.sub(" ", text).casefold())
    return all(_generic_word(word) for word in words)


def _generic_word(word: str) -> bool:
    return (word in _GENERIC_WORDS or word.endswith("s") and word[:-1] in _GENERIC_WORDS or word.isdigit()
            or re.fullmatch(r"0x[0-9a-f]+", word) is not None or _POSTMORTEM_SPELLING.fullmatch(word) is not None)


def _names_a_collection(title: str) -> bool:
    words = re.findall(r"\w+", title.casefold())
    if not words or words[-1] not in _COLLECTION_NOUNS:
        return False
    return sum(not _generic_word(word) for word in words[:-1]) <= 3  # "<Company> postmortems"


# --- a title from a sentence ------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'(\[])")  # "Sept. 18th" goes on
_SENTENCE_LABEL = re.compile(r"^(?P<label>[^:]{1,30}):\s+(?=\S)")
#: Words that can stand around a date or a time in a phrase that says only when.
_WHEN_WORD = re.compile(
    rf"(?:on|at|from|to|between|and|around|about|approx(?:imately|\.)?|roughly|circa|close|near|by|in|during|since"
    rf"|until|till|of|the|this|early|late|morning|afternoon|evening|night|midnight|noon|hours?|hrs|local|time"
    rf"|{WEEKDAY}|{MONTH})(?!\w)",
    re.I,
)
#: Words a sentence's subject starts with, where a phrase of time ends without a comma ("On May 3 we …").
_SUBJECT_WORDS = {"we", "i", "our", "my", "it", "its", "they", "their", "there", "this", "that", "these", "those",
                  "the", "a", "an", "all", "some", "many", "several", "most", "one", "each", "every", "no", "both",
                  "users", "customers"}
_READ_AT_MOST = 600  # characters of a sentence: a phrase of time and a clause are far shorter
_LOOSE_END_WORDS = r"the|a|an|of|to|in|on|at|for|and|or|with|by|from|that|which|our|was|were|is|are|as"


def title_from_text(text: str, limit: int = 90) -> str:
    """A title from prose (Markdown): its first sentence that says more than when, cut to a clause at a word
    boundary; "" when no sentence of four words or more does."""
    plain = inline_text(re.sub(r"^[ \t]*(?:[#>][ \t]*)+", "", text, flags=re.M))
    for sentence in _SENTENCE_END.split(plain):
        said = _after_when(_after_label(sentence.strip()[:_READ_AT_MOST].rstrip(".!?")))
        if len(said.split()) >= 4:
            return _capitalised(_clause(said, limit))
    return ""


def _capitalised(title: str) -> str:
    """"shoppers saw stale prices" → "Shoppers saw stale prices"; "iOS", "eBay" and "v2" stay as written."""
    first = re.match(r"[^\W\d_]+(?=\s|$)", title)
    return title[:1].upper() + title[1:] if first and first.group().islower() else title


def _after_label(sentence: str) -> str:
    """"Root cause: a bad config" → "a bad config"."""
    label = _SENTENCE_LABEL.match(sentence)
    return sentence[label.end() :] if label and len(label.group("label").split()) <= 4 else sentence


def _after_when(sentence: str) -> str:
    """"On May 3, 2024, from 10:00 to 11:30 UTC, checkout failed" → "Checkout failed"; "" when the sentence says
    only when it was. A phrase of time ends at a comma or where the subject starts."""
    stamps = {stamp.start: stamp.end for stamp in scan(sentence)}
    at = cut = 0
    while True:
        at = len(sentence) - len(sentence[at:].lstrip(" ,;:()~-–—"))
        word = re.match(r"\(?([^\s(),;]+)\)?", sentence[at:])
        if at in stamps:
            at = cut = stamps[at]
        elif cut and word and (BUILT_IN.named(word.group(1)) is not None or _is_a_year(word.group(1))):
            # "(UTC)" after the time, ", 2021" after the day
            at = cut = at + word.end()
        elif (filler := _WHEN_WORD.match(sentence, at)) is not None:
            at = filler.end()
        else:
            break
    if not cut:
        return sentence
    rest = sentence[cut:].lstrip(" ,;:)~-–—")
    if not rest.strip(" .!?"):
        return ""
    subject = re.match(r"[\w']+", rest)
    ends_at_a_comma = sentence[cut : len(sentence) - len(rest)].strip()
    if not ends_at_a_comma and not (subject and subject.group().casefold() in _SUBJECT_WORDS):
        return sentence  # "The 10:00 deploy broke checkout": the time is part of what is said
    return rest


def _is_a_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit()


def _clause(sentence: str, limit: int) -> str:
    clause = ""
    for part in re.split(r"(,\s|;\s|\s[-–—]\s)", sentence)[::2]:
        clause = f"{clause}, {part}" if clause else part
        if len(clause) >= 25:
            break
    if clause.count("(") > clause.count(")"):
        clause = clause[: clause.rfind("(")].rstrip(" ,;")
    if len(clause) <= limit:
        return clause
    cut = clause[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:")
    return re.sub(rf"(?:\s+(?:{_LOOSE_END_WORDS}))+$", "", cut, flags=re.I) + "…"


def title_from_file_name(name: str) -> str:
    """`2024-03-14-checkout-502s.md` → "Checkout 502s"; `README.md` → "README". Control characters are left out."""
    stem = re.sub(r"(\.(md|markdown|erb|html|txt))+$", "", publishable(name), flags=re.I)
    words = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", stem)
    words = re.sub(r"[-_]+", " ", words).strip()
    return words[:1].upper() + words[1:] if words else stem

