"""Credentials and personal data that people paste into postmortems.

`find_secrets` reports where they are (never what they are); `redact` masks
them in the text that gets published, keeping line breaks so every line
number still points at the source file, which is never changed.

Every search here is linear in the text: patterns have bounded repetitions
and start only at distinctive prefixes, findings are merged in one sweep, and
lines are counted once, so an 8,000-line log costs what reading it costs.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

#: Spans (start, end) of one kind of secret in a text.
Finder = Callable[[str], Iterator[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    find: Finder


def _matches(
    pattern: str, group: int | str = 0, accept: Callable[[re.Match[str]], bool] | None = None, needs: tuple[str, ...] = (),
) -> Finder:
    """A finder for a regular expression; `group` is the part of the match that is the secret.

    `needs`: words, casefolded, one of which every match holds (a case-insensitive pattern matches a letter to its
    capital, 's' to 'ſ' and 'k' to 'K', which `casefold` turns into the letter): a text without any is not searched,
    as a case-insensitive search tries every character of the text.
    """
    compiled = re.compile(pattern)

    def find(text: str) -> Iterator[tuple[int, int]]:
        if needs and not _holds_any(text, needs):
            return
        for match in compiled.finditer(text):
            if accept is None or accept(match):
                yield match.span(group)

    return find


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    folded = _casefolded(text)
    return any(word in folded for word in words)


@functools.lru_cache(maxsize=4)
def _casefolded(text: str) -> str:
    return text.casefold()  # once per text for all the finders that ask


# --- private keys -------------------------------------------------------------

_KEY_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
_BEGIN = re.compile(rf"-----BEGIN {_KEY_LABEL}-----")
_END = re.compile(rf"-----END {_KEY_LABEL}-----")
#: A newline, or the two characters `\n` of a key pasted inside a JSON string.
_NEWLINE = r"(?:\r?\n[ \t>]*|\\n)"
#: After BEGIN, when no END follows: headers (`Proc-Type: 4,ENCRYPTED`), then base64 runs separated by
#: newlines or spaces, up to a blank line or anything that is not base64. Possessive: no backtracking.
_KEY_BODY = re.compile(
    rf"(?:{_NEWLINE}[A-Za-z][A-Za-z0-9-]{{0,40}}: [^\n\\]{{0,200}})*+"
    rf"(?:(?:{_NEWLINE}|[ \t]+)[A-Za-z0-9+/]{{1,8192}}+={{0,2}})*+"
)
#: The largest key worth waiting for an END line for (a PGP key with subkeys is under 16 KiB).
_KEY_REACH = 32_768


def _private_keys(text: str) -> Iterator[tuple[int, int]]:
    """From BEGIN to its END; without an END (cut off when pasted), to the end of the base64 block."""
    if "PRIVATE KEY" not in text:
        return
    ends = [m.span() for m in _END.finditer(text)]
    end_starts = [start for start, _ in ends]
    begins = [m.span() for m in _BEGIN.finditer(text)]
    for n, (start, header_end) in enumerate(begins):
        next_begin = begins[n + 1][0] if n + 1 < len(begins) else len(text)
        at = bisect.bisect_left(end_starts, header_end)
        if at < len(ends) and ends[at][0] < next_begin and ends[at][0] - header_end <= _KEY_REACH:
            yield start, ends[at][1]
        else:
            body = _KEY_BODY.match(text, header_end)
            yield start, body.end() if body else header_end


# --- passwords and keys assigned to a name ------------------------------------

#: `password: x`, `"password": "x"`, `'password' => 'x'`, `DB_PASSWORD=x`, `**Password:** x`. The
#: name is matched from its last word on (a prefix would cost a try at every character), and its opening
#: quote, if any, is looked for behind it.
_ASSIGNED = re.compile(
    r"(?i)(?:password|passwd|passphrase|pwd|secret(?:[_-]?key)?|api[_-]?key|access[_-]?(?:key|token)|auth[_-]?token|token)"
    r"(?P<close>[\"']?)(?:\*\*|__)?[ \t]*(?P<op>=>|[:=])(?:\*\*|__)?[ \t]*"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]{4,256})(?P=quote)|(?P<bare>[^\s;\"',]{6,256}))"
)
_NAME_BEFORE = re.compile(r"[\w.-]{0,40}$")
#: Values that stand for a secret rather than being one: references, paths, masks, placeholders.
_NOT_A_VALUE = re.compile(
    r"(?i)^(?:[$%<{\[*/~]|\.{1,2}/|[a-z][a-z0-9+.-]*://|(.)\1*$|"
    r"(?:\d{4}-\d\d-\d\d|\d{1,2}:\d\d)[T \d:.]*(?:z|[+-]\d\d:?\d\d)?$|"
    r"(?:redacted|removed|hidden|masked|none|null|nil|undefined|true|false|required|optional|example|placeholder)\b)"
)
#: A character ordinary words do not have: what sets `password: hunter22!` apart from `Password: rotated`.
_UNWORDLIKE = re.compile(r"[^A-Za-z\-._'’]")


def _is_assigned_secret(match: re.Match[str]) -> bool:
    """Whether the value looks like a credential rather than prose or a reference to one.

    In code (a quoted name or value, `=`, `=>`) any value counts; after a bare
    `name:`, as in YAML or a sentence, only one with a digit or a symbol does,
    so "Password: rotated" and "token: see the vault" stay prose.
    """
    value = match.group("quoted") or match.group("bare") or ""
    if _NOT_A_VALUE.match(value):
        return False
    in_code = _quoted_name(match) or bool(match.group("quote")) or match.group("op") != ":"
    return in_code or bool(_UNWORDLIKE.search(value))


def _quoted_name(match: re.Match[str]) -> bool:
    """Whether the name is quoted (`"db_password":`), as keys are in JSON and Python."""
    close = match.group("close")
    if not close:
        return False
    start = match.start()
    name = _NAME_BEFORE.search(match.string, max(0, start - 40), start)
    opening = name.start() if name else start
    return opening > 0 and match.string[opening - 1] == close


def _assigned_value(match: re.Match[str]) -> tuple[int, int]:
    return match.span("quoted") if match.group("quoted") is not None else match.span("bare")


#: Every name `_ASSIGNED` reads holds one of these.
_ASSIGNED_NAMES = ("pass", "pwd", "secret", "key", "token")


def _assigned(text: str) -> Iterator[tuple[int, int]]:
    if not _holds_any(text, _ASSIGNED_NAMES):
        return
    for match in _ASSIGNED.finditer(text):
        if _is_assigned_secret(match):
            yield _assigned_value(match)

# Token prefixes are matched wherever they stand, glued to a letter, `=`, `"` or `_`
# (`tokenghp_…`, `KEY=AIza…`): those are the shapes pasted configuration has.
SECRETS: tuple[Kind, ...] = (
    Kind("private key", _private_keys),
    Kind("AWS access key", _matches(r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}(?![0-9A-Z])")),
    Kind("AWS secret key", _matches(
        r"(?i)aws_?secret(?:_access)?_?key[\"']?[ \t]*(?:=>|[:=])[ \t]*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1,
        needs=("aws",))),
    Kind("GitHub token", _matches(r"gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}")),
    Kind("Slack token", _matches(r"xox[abpors]-[A-Za-z0-9-]{10,255}")),
    Kind("Slack webhook", _matches(r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,255}")),
    Kind("Google API key", _matches(r"AIza[0-9A-Za-z_-]{35}")),
    # A digit in the tail keeps `disk_live_migration_finished_today` prose.
    Kind("Stripe key", _matches(r"(?:sk|rk)_live_(?=[0-9A-Za-z]{0,254}[0-9])[0-9A-Za-z]{20,255}")),
    Kind("JSON web token", _matches(r"eyJ(?<![\w-]eyJ)[A-Za-z0-9_-]{8,8192}+\.eyJ[A-Za-z0-9_-]{8,8192}+\.[A-Za-z0-9_-]{8,8192}+")),
    Kind("bearer token", _matches(r"(?i)(?<![a-z])bearer[ \t]+([A-Za-z0-9._~+/-]{20,4096}+=*)", 1, needs=("bearer",))),
    Kind("password in a URL", _matches(r"://(?<=[A-Za-z0-9+.-]://)[^\s:/@]{1,256}:([^\s@/]{1,256})@", 1)),
    Kind("password", _assigned),
)
PERSONAL: tuple[Kind, ...] = (
    Kind("e-mail address", _matches(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b",
                                    needs=("@",))),
    Kind("phone number", _matches(r"(?<![\w/.:-])\+?\d{1,3}[ .-]?\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){2,3}(?![\w/.:-])")),
)


SECRET_KINDS = frozenset(kind.name for kind in SECRETS)


@dataclass(frozen=True, slots=True)
class Found:
    kind: str
    start: int
    end: int


def find_secrets(text: str, *, personal: bool = False) -> list[Found]:
    """Every secret (and, with `personal`, every e-mail address and phone number), in text order.

    Where two findings overlap they become one covering both, named by the
    kind listed first (a GitHub token given as a password is a GitHub token):
    masking the union never leaves part of either in the text.
    """
    kinds = SECRETS + (PERSONAL if personal else ())
    spans = sorted((start, rank, end) for rank, kind in enumerate(kinds) for start, end in kind.find(text) if start < end)
    merged: list[tuple[int, int, int]] = []  # (start, end, rank)
    for start, rank, end in spans:
        if merged and start < merged[-1][1]:
            first, last, best = merged[-1]
            merged[-1] = (first, max(last, end), min(best, rank))
        else:
            merged.append((start, end, rank))
    return [Found(kinds[rank].name, start, end) for start, end, rank in merged]


def lines_of(text: str, found: Iterable[Found], first_line: int) -> Iterator[tuple[int, str]]:
    """(line, kind) of each finding, `found` in text order; newlines are counted once, as the findings pass."""
    line, counted_to = first_line, 0
    for item in found:
        line += text.count("\n", counted_to, item.start)
        counted_to = item.start
        yield line, item.kind


def redact(text: str, found: Iterable[Found]) -> str:
    """`text` with each finding (in text order) replaced by `[redacted KIND]`, line breaks kept."""
    pieces, at = [], 0
    for item in found:
        pieces.append(text[at : item.start])
        pieces.append(f"[redacted {item.kind}]" + "\n" * text.count("\n", item.start, item.end))
        at = item.end
    pieces.append(text[at:])
    return "".join(pieces)


def mask(text: str, *, personal: bool = False) -> str:
    """`text` with every secret (and, with `personal`, personal data) masked."""
    found = find_secrets(text, personal=personal)
    return redact(text, found) if found else text


# --- long texts, a block at a time ---------------------------------------------

#: How far past a cut a finding may reach and still be found whole: more than any key or token is long.
_OVERLAP = 2 * _KEY_REACH


def scan_blocks(blocks: Iterable[str], *, personal: bool = False) -> Iterator[tuple[str, list[Found]]]:
    """`find_secrets` over a text given in blocks, never holding more than a block and an overlap.

    Yields consecutive pieces of the text, together the whole of it, each
    with its findings (positions within the piece). A finding is taken from
    a window only when it starts before the last `_OVERLAP` characters, so
    it is seen whole; the rest of the window is scanned again with the next block.
    """
    pending = ""
    for block in blocks:
        pending += block
        if len(pending) <= 2 * _OVERLAP:
            continue
        cut = pending.rfind("\n", 0, len(pending) - _OVERLAP) + 1 or len(pending) - _OVERLAP
        found = find_secrets(pending, personal=personal)
        settled = [f for f in found if f.start < cut]
        if settled:
            cut = max(cut, settled[-1].end)
        yield pending[:cut], settled
        pending = pending[cut:]
    if pending:
        yield pending, find_secrets(pending, personal=personal)
