"""Action-item sections → `ActionItem`s with owner, status and link when written."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..model import ActionItem
from .blocks import Block, TableRow
from .placeholders import is_unfilled

_URL = re.compile(r"https?://[^\s)>\]]+")
_TICKET = re.compile(r"(?<![\w/.=])(?:[A-Z][A-Z0-9]+-\d+|#\d+)\b")
#: Names with a number that are standards, not tickets: UTF-8, SHA-256, ISO-8601, TLS-1…
_NOT_TICKETS = frozenset({"UTF", "ISO", "SHA", "MD", "AES", "RSA", "TLS", "SSL", "HTTP", "IPV", "CVE", "RFC", "GPT",
                          "X", "H", "EC", "P", "T", "W", "COVID", "IEEE", "PEP", "ES", "ECMA", "CP", "LATIN", "WINDOWS"})
_MENTION = re.compile(r"(?<![\w.])@([\w][\w.\-]*\w|\w)")
_OWNER_NOTE = re.compile(r"\(\s*owner\s*:\s*([^)]+)\)", re.I)
_STATUS_WORDS = {
    "done": "done", "complete": "done", "completed": "done", "closed": "done", "fixed": "done",
    "resolved": "done", "finished": "done",
    "open": "open", "todo": "open", "to do": "open", "planned": "open", "not started": "open",
    "in progress": "open", "ongoing": "open", "pending": "open", "wip": "open",
}
_HEADER_ROLES = {
    "text": ("action", "task", "item", "description", "issue", "what", "follow", "todo", "title"),
    "owner": ("owner", "assignee", "who", "responsible", "assigned"),
    "status": ("status", "state", "done"),
    "link": ("ticket", "link", "issue", "jira", "url", "reference", "tracking"),
}


def items_from_blocks(blocks: Sequence[Block]) -> list[ActionItem]:
    """Items from lists and tables; when a section has neither, each bare line of its paragraphs is one."""
    structured = [b for b in blocks if b.kind in ("list", "table")]
    items: list[ActionItem] = []
    for block in structured or blocks:
        if block.kind == "list":
            items.extend(_list_items(block))
        elif block.kind == "table":
            items.extend(_table_items(block.rows))
        elif block.kind == "paragraph":
            items.extend(_line_items(block))
    return [item for item in items if not is_unfilled(item.text)]


def _list_items(block: Block) -> Iterator[ActionItem]:
    for item in block.items:
        text = item.text.strip()
        if not text or _is_group_label(text):
            continue
        status = None if item.checked is None else ("done" if item.checked else "open")
        yield ActionItem(text, _owner(text), status or _status_in(text), _link(text), item.line)


def _line_items(block: Block) -> Iterator[ActionItem]:
    for offset, line in enumerate(block.inline.split("\n")):
        text = line.strip()
        if not text or text.endswith(":") or (text.startswith("(") and text.endswith(")")):
            continue
        yield ActionItem(text, _owner(text), _status_in(text), _link(text), block.start + offset)


def _status_in(text: str) -> str | None:
    """A status written into the item: "(done)", "[completed]", "Status: in progress", "✅"."""
    if "✅" in text or "✔" in text:
        return "done"
    match = re.search(r"(?:status\s*:\s*|[(\[])\s*(done|completed?|closed|fixed|resolved|open|todo|to do|in progress|ongoing|pending|planned)\s*[)\]]?", text, re.I)
    return _STATUS_WORDS.get(match.group(1).casefold()) if match else None


def _is_group_label(text: str) -> bool:
    """`**Improvements/Fixes:**` (with or without sub-items) is a label over tasks, not a task."""
    first, _, rest = text.partition("\n")
    label = first.strip()
    if not label.rstrip("*_ ").endswith(":"):
        return False
    return bool(rest.strip()) or bool(re.fullmatch(r"(\*\*|__)?[^*_]{1,60}?:?(\*\*|__)?:?", label))


def _owner(text: str) -> str | None:
    note = _OWNER_NOTE.search(text)
    if note:
        return note.group(1).strip()
    mention = _MENTION.search(text)
    return mention.group(1) if mention else None


def _link(text: str) -> str | None:
    url = _URL.search(text)
    if url:
        return url.group(0)
    tickets = [t for t in _TICKET.findall(text) if t.split("-")[0] not in _NOT_TICKETS]
    return tickets[-1] if tickets else None  # "(owner, PLAT-231)" at the end is the usual place


def _table_items(rows: Sequence[TableRow]) -> Iterator[ActionItem]:
    if len(rows) < 2:
        return
    roles = _column_roles(rows[0].cells)
    for row in rows[1:]:
        cells = dict(zip(roles, row.cells))
        text = cells.get("text") or next((c for c in row.cells if c.strip()), "")
        if not text.strip():
            continue  # an unfilled template row
        status = _status(cells.get("status", ""))
        link = cells.get("link") or _link(" ".join(row.cells))
        owner = cells.get("owner") or _owner(text)
        extras = [c for role, c in zip(roles, row.cells) if role == "" and c.strip()]
        full_text = " — ".join([text, *extras]) if extras else text
        yield ActionItem(full_text, owner or None, status, link or None, row.line)


def _column_roles(header: Sequence[str]) -> list[str]:
    roles: list[str] = []
    for cell in header:
        words = cell.casefold()
        role = next(
            (r for r, names in _HEADER_ROLES.items() if r not in roles and any(n in words for n in names)), ""
        )
        roles.append(role)
    if "text" not in roles and roles:
        first_free = roles.index("") if "" in roles else 0
        roles[first_free] = "text"
    return roles


def _status(text: str) -> str | None:
    words = text.strip().casefold().strip("*_ ")
    if words in ("x", "[x]", "✅", "✔", "yes", "y"):
        return "done"
    return _STATUS_WORDS.get(words)
