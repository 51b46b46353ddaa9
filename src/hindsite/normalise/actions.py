"""Action items → `ActionItem`s with what each states: owner, status, ticket, due date, and its group.

Items come from an action-items section's lists (nested checkboxes each an item), its tables
(whatever their columns) and, in a section with neither, its lines; under any other heading, from
a table whose columns say it holds action items (`is_action_table`). A field comes from the cell of
its column, or from what the item's words state around the task: `(AUTH-140, Hannah), done`,
`— @hannah, open`, `Owner: Sam`, `due 2024-05-01`, `[x]`. Where nothing decides a field it stays
empty: a name is an owner only beside another field or after a label, never on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from ..core.model import ActionItem
from .located import Block, ListItem, TableRow
from .placeholders import MARKERS, is_unfilled
from .times import MONTH

__all__ = ["is_action_table", "items_from_blocks", "items_from_tables", "status_placeholders"]

# --- the words, as data ---------------------------------------------------------------------------

_DONE = ("done", "complete", "completed", "closed", "fixed", "resolved", "finished", "shipped", "merged", "deployed",
         "implemented", "delivered")
#: Closed without being done: "dropped", not open work any more and not done either (`ActionItem.status`).
_NOT_DOING = ("won't do", "wont do", "won't fix", "wontfix", "will not do", "not doing", "cancelled", "canceled",
              "dropped", "declined", "rejected", "abandoned", "obsolete")
_OPEN = ("open", "todo", "to do", "to-do", "planned", "not started", "in progress", "in-progress", "ongoing", "pending",
         "wip", "started", "in review", "blocked", "backlog", "scheduled", "proposed", "doing", "underway", "under way",
         "not done")
_STATUS_WORDS = {word: "done" for word in _DONE} | {word: "dropped" for word in _NOT_DOING} | {word: "open" for word in _OPEN}
_CHECKED = {"x", "[x]", "✅", "✔", "✔️", "☑", "☑️", "✓", "yes", "y", "true"}
_UNCHECKED = {"[ ]", "☐", "no", "n", "false"}
_STATUS = "|".join(sorted((re.escape(word) for word in _STATUS_WORDS), key=len, reverse=True))
_STATUS_ALONE = re.compile(rf"(?:{_STATUS})", re.I)
_STATUS_FIRST = re.compile(rf"^\s*(?:\[\s*(?P<bracketed>{_STATUS})\s*\]|(?P<labelled>{_STATUS})\s*(?::|\s[-–—]\s))", re.I)
_STATUS_LABEL = re.compile(rf"\bstatus\s*[:=]\s*(?P<word>{_STATUS})(?![\w'])", re.I)
_STATUS_BRACKETED = re.compile(rf"[(\[]\s*(?P<word>{_STATUS})\s*[)\]]", re.I)
_GROUP_STATUS = re.compile(rf"^\s*(?P<word>{_STATUS})\s*(?:$|[(\[:]|[—–-](?:\s|$))", re.I)
_STATUS_LAST = re.compile(rf"(?:[,;:|]|\s[-–—])\s*(?P<word>{_STATUS})\s*[.!]?\s*$", re.I)
#: A status after a spaced dash, with a note after it: "— cancelled, not needed", "- blocked: waiting on the vendor".
_STATUS_AFTER_DASH = re.compile(rf"\s[-–—]\s*(?P<word>{_STATUS})\s*(?:[,;:]|\.(?:\s|$)|$)", re.I)
_DONE_MARKS = ("✅", "✔", "☑")
#: How far along each status is: an item moves from open to done or dropped, never back.
_PROGRESS = {"open": 0, "done": 1, "dropped": 2}

#: Column names by the field they hold; a column takes the first field, in this order, whose name it says.
_COLUMNS = {
    "text": ("action", "action item", "task", "item", "follow up", "followup", "todo", "to do", "remediation",
             "recommendation", "next step", "issue", "description", "what", "title", "improvement", "fix", "measure"),
    "owner": ("owner", "assignee", "assigned", "assigned to", "who", "responsible", "dri", "poc"),
    "status": ("status", "state", "done", "complete", "completed", "progress"),
    "link": ("ticket", "link", "issue", "jira", "url", "reference", "ref", "tracking", "tracker", "bug", "pr",
             "pull request", "card"),
    "due": ("due", "due date", "deadline", "eta", "target", "target date", "when", "by when"),
}
#: Column names that say, under any heading, that a table holds action items.
_ACTION_COLUMNS = ("action", "action item", "task", "item", "follow up", "followup", "todo", "to do", "remediation",
                   "recommendation", "next step")
_FIELDS = ("owner", "status", "link", "due")

#: Words in a cell or a trailer that leave its field empty.
_NOBODY = {"", "-", "—", "–", "?", "??", "n/a", "na", "none", "nobody", "unassigned", "tbd", "tbc", "todo", "unknown",
           "@here", "@channel", "@everyone", "here", "channel", "everyone"}
#: Words that look like a name in a trailer but say how urgent or large a task is.
_NOT_NAMES = {"high", "medium", "low", "critical", "urgent", "major", "minor", "short term", "long term", "mid term",
              "quick win", "small", "large", "optional", "required", "blocker", "nice to have"}

_URL = re.compile(r"https?://[^\s)>\]]+")
_TICKET = re.compile(r"(?<![\w/.=])(?:[A-Z][A-Z0-9]+-\d+|#\d+)\b")
#: Names with a number that are standards, not tickets: UTF-8, SHA-256, ISO-8601, TLS-1…
_NOT_TICKETS = frozenset({"UTF", "ISO", "SHA", "MD", "AES", "RSA", "TLS", "SSL", "HTTP", "IPV", "CVE", "RFC", "GPT",
                          "X", "H", "EC", "P", "T", "W", "COVID", "IEEE", "PEP", "ES", "ECMA", "CP", "LATIN", "WINDOWS"})
_MENTION = re.compile(r"(?<![\w.])@([\w][\w.\-]*\w|\w)")
#: Mentions that notify a channel, not a person who owns the work.
_BROADCASTS = frozenset({"here", "channel", "everyone", "all"})
#: Capitalised words right after a capitalised mention: the rest of a name written with a space (`@Hana Novak`).
_NAME_AFTER_MENTION = re.compile(r"(?:[ \t]+[A-Z][\w'’-]*){1,3}")
#: Where a name ends for certain: the end of the item, a clause's punctuation or a spaced dash.
_NAME_END = re.compile(r"\s*(?:$|[,;)\]]|\.(?:\s|$)|\s[-–—]\s)")
_OWNER_LABEL = re.compile(r"\b(?:owners?|assignee|assigned\s+to|responsible|dri|who)\s*[:=]\s*", re.I)
_OWNER_WORD = re.compile(r"^(?:owners?|assignee|assigned\s+to|responsible|dri)\s*[:=]?\s+", re.I)
_DATE = (rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
         rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}(?:,?\s+\d{{4}})?"
         rf"|Q[1-4](?:\s+\d{{4}})?|end\s+of\s+(?:{MONTH}|Q[1-4]|the\s+\w+|\w+))")
_DUE = re.compile(rf"\b(?:due(?:\s+date)?|by|deadline|eta|target(?:\s+date)?)\s*:?\s*(?P<date>{_DATE})(?![\w/-])", re.I)
_DUE_LABEL = re.compile(r"\b(?:due(?:\s+date)?|deadline|eta|target\s+date)\s*:\s*", re.I)
_DUE_WORD = re.compile(r"^(?:due(?:\s+date)?|by|deadline|eta|target(?:\s+date)?)\s*:?\s+", re.I)
#: What ends a value written after a label: punctuation that ends a clause, a bracket, a spaced dash.
_VALUE_END = re.compile(r"[,;()\[\]|\n]|\.(?:\s|$)|\s[-–—]\s|\s—|—\s")
#: A dash between the task and what the line states about it ("… — @hannah, open"); not a list marker on the next line.
_DASH = re.compile(r"[ \t][-–—][ \t]|[ \t]—|—[ \t]")
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|van|von|de|da|del|der|den|le|la|du|dos|di|bin|al)$")
_HANDLE = re.compile(r"^@?[a-z][\w-]*(?:\.[\w-]+)+$")
_LEGEND_TERM = re.compile(r"^[*_]*(?P<term>[^\s*_:—–-][^:—–*_]{0,30}?)[*_]*\s*(?::|\s[-–—]\s)")
_CLOCK = re.compile(r"\s*(?:\d{4}-\d{1,2}-\d{1,2}[ T])?\d{1,2}[:.h]\d{2}(?!\d)")
_CHECKBOX = re.compile(r"^\[([ xX])\]\s")
_EMPHASIS = re.compile(r"^(\*\*|__)(?P<text>[^*_\n]+?)\1\s*:?\s*$")
_LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")
#: What an author writes where there is nothing to do: "None.", "N/A", "_None at this time._", "No action items.",
#: "There are no follow-ups; …". Not an item; the words stay in the section's text.
_NOTHING_TO_DO = re.compile(
    r"^(?:(?:none|n/?a|nil|nothing)(?:\s+(?:at\s+(?:this|the)\s+(?:time|moment)|so\s+far|yet|for\s+now|needed|required"
    r"|identified|planned))?\s*[.!]?"
    r"|(?:there\s+(?:are|were|is|was)\s+)?no\s+(?:further\s+|additional\s+|new\s+|other\s+|outstanding\s+|open\s+)?"
    r"(?:action\s+items?|actions?|follow[\s-]?ups?(?:\s+(?:items?|actions?|tasks?))?|tasks?|next\s+steps?)\b.*)$",
    re.I | re.S,
)
#: Words of a sentence that introduces a list ("We will take these steps:"), which a group's label does not hold.
_SENTENCE_WORDS = {"we", "our", "us", "i", "following", "these", "this", "below", "will", "should", "were", "was",
                   "that", "which"}


# --- where items are read -------------------------------------------------------------------------

def items_from_blocks(blocks: Sequence[Block], group: str | None = None) -> list[ActionItem]:
    """The items of an action-items section: from its lists and tables, or, when it has neither, from each of its lines.

    `group` is what the section's items are listed under, when it is a part of another action-items section.
    """
    structured = [b for b in blocks if b.kind in ("list", "table")]
    legend = _table_values(b for b in structured if b.kind == "table")
    reader = _Reader(group)
    if not structured:
        reader.line_items([b for b in blocks if b.kind in ("heading", "paragraph")])
        return [item for item in reader.items if _is_task(item.text)]
    for block in blocks:
        if block.kind == "list" and _is_legend(block, legend):
            reader.labelled(group)  # a label above a legend ("Types:") was the legend's
        elif block.kind == "list":
            reader.list_items(block.items)
        elif block.kind == "table":
            reader.add(_table_items(block.rows, reader.current))
        elif block.kind in ("heading", "paragraph"):
            label = _label_of(block)
            if label is not None:
                reader.labelled(label)
    return [item for item in reader.items if _is_task(item.text)]


def items_from_tables(blocks: Sequence[Block]) -> list[ActionItem]:
    """Items written under another heading: the rows of each table whose columns say it holds action items."""
    return [item for block in blocks if is_action_table(block) for item in _table_items(block.rows, None)
            if _is_task(item.text)]


def _is_task(text: str) -> bool:
    """Whether an item's words name work to do: not a placeholder, and not a statement that there is none."""
    return not is_unfilled(text) and not _NOTHING_TO_DO.match(_unmarked(text))


def is_action_table(block: Block) -> bool:
    """A table of action items wherever it is: a task column (Action, Task, Item, Follow-up…) beside an owner,
    status, ticket or due column, or a weaker name for the task (Issue, Description…) beside an owner and a status or
    ticket column; not a log of what was done when."""
    if block.kind != "table" or len(block.rows) < 2 or _is_log(block.rows[1:]):
        return False
    header = block.rows[0].cells
    roles = _column_roles(header, named_only=True)
    if "text" not in roles:
        return False
    task = _words(header[roles.index("text")])
    fields = [role for role in roles if role in _FIELDS]
    if any(_says(task, name) for name in _ACTION_COLUMNS):
        return bool(fields)
    return "owner" in fields and ("status" in fields or "link" in fields)


def _is_log(rows: Sequence[TableRow]) -> bool:
    """A record of what was done when (`| 10:00 UTC | Rolled back | Ana |`): most rows open with a clock time."""
    timed = sum(1 for row in rows if row.cells and _CLOCK.match(row.cells[0]))
    return timed * 2 > len(rows)


def status_placeholders(blocks: Sequence[Block], *, any_table: bool) -> Counter[int]:
    """For each table row, how many of its status cells hold a word that also marks a placeholder ("TODO").

    There it is the item's status, written as teams write it, not a gap in a template. `any_table`:
    every table of the blocks holds items (an action-items section), not only those `is_action_table` finds.
    """
    found: Counter[int] = Counter()
    for block in blocks:
        if block.kind != "table" or len(block.rows) < 2 or not (any_table or is_action_table(block)):
            continue
        roles = _column_roles(block.rows[0].cells)
        for row in block.rows[1:]:
            found[row.line] += sum(1 for role, cell in zip(roles, row.cells) if role == "status"
                                   and MARKERS.fullmatch(cell.strip()) and _cell_status(cell) is not None)
    return +found


# --- lists and lines ------------------------------------------------------------------------------

class _Reader:
    """Items in the order they are written, each with the group it is listed under.

    A label (a bold line, a line ending in a colon, a heading) is the group of what follows
    it, until the next label. A list item that is only a label is the group of the items
    after it in its list, and, as the list's last item, of the next list
    (`* **Improvements:**` above a `+` list).
    """

    def __init__(self, group: str | None) -> None:
        self.group = group
        self.carried: str | None = None  # the label that ended the last list, over the next one
        self.items: list[ActionItem] = []

    @property
    def current(self) -> str | None:
        return self.carried or self.group

    def labelled(self, label: str | None) -> None:
        """A label outside a list, or the section's own group again when `label` is None."""
        self.group, self.carried = label, None

    def add(self, items: Iterable[ActionItem]) -> None:
        self.items.extend(items)

    def list_items(self, items: Sequence[ListItem]) -> None:
        group, self.carried = self.current, None
        alone = [_label_text(item.text.strip()) if item.checked is None and not item.children else None for item in items]
        for n, item in enumerate(items):
            label = _label_text(_own_text(item)) if item.checked is None else None
            if alone[n] is not None and _heads(item.text, alone[n + 1 :], len(items)):
                group = alone[n]  # "- **Short term:**" alone: a label over the items after it
                self.carried = group if n == len(items) - 1 else None
            elif label is not None and item.children:
                self.add(_nested(item.children, label))
            elif item.text.strip():
                self.add(_with_children(item, group))

    def line_items(self, blocks: Sequence[Block]) -> None:
        """In a section with no list or table, each line is an item; a label line (or a heading inside the section)
        is the group of those after it."""
        lines = [(block.start + offset, line.strip() if block.kind == "paragraph" else f"{_plain_label(line)}:")
                 for block in blocks for offset, line in enumerate(block.inline.split("\n"))]
        labels = [_label_text(text) for _, text in lines]
        for n, (number, text) in enumerate(lines):
            label = labels[n]
            if label is not None and _heads(text, labels[n + 1 :], len(lines)):
                self.group = label
            elif text and not text.endswith(":") and not (text.startswith("(") and text.endswith(")")):
                checkbox = _CHECKBOX.match(text)  # "[x] Add an alert": a checkbox written without a list marker
                checked = None if checkbox is None else checkbox.group(1) != " "
                self.add([_item(text, number, checked, self.group)])


def _heads(text: str, labels_after: Sequence[str | None], count: int) -> bool:
    """Whether a label heads the entries after it: it ends in a colon, stands alone, or an entry that is not a label
    follows it. Entries all written in bold (`- **Add an alert**`) are items, not labels over nothing."""
    return text.rstrip().rstrip("*_").rstrip().endswith(":") or count == 1 or any(label is None for label in labels_after)


def _with_children(item: ListItem, group: str | None) -> list[ActionItem]:
    """An item, and the sub-tasks listed under it when they are checkboxes (each its own item, the item their group).

    Sub-items without checkboxes are details of the item: part of its text, not items.
    """
    if not item.children or not any(child.checked is not None for child in item.children):
        return [_item(item.text.strip(), item.line, item.checked, group)]
    own = _own_text(item)
    return [_item(own, item.line, item.checked, group), *_nested(item.children, _plain_label(own))]


def _nested(children: Sequence[ListItem], group: str) -> list[ActionItem]:
    found: list[ActionItem] = []
    for child in children:
        label = _label_text(_own_text(child)) if child.checked is None else None
        if label is not None and child.children:
            found += _nested(child.children, label)
        elif child.text.strip():
            found += _with_children(child, group)
    return found


def _own_text(item: ListItem) -> str:
    """The item's text before its first sub-item."""
    if not item.children:
        return item.text.strip()
    return "\n".join(item.text.split("\n")[: item.children[0].line - item.line]).strip()


def _item(text: str, line: int, checked: bool | None, group: str | None) -> ActionItem:
    """An item of a list or a line; a group named by a status ("Done:", "Outstanding:") is the status of its items."""
    stated = _stated(text)
    status = _later_status(stated.status, None if checked is None else ("done" if checked else "open"))
    if status is None and group is not None:
        status = _group_status(group)
    return ActionItem(text, stated.owner, status, stated.link, line, stated.due, group)


def _later_status(written: str | None, box: str | None) -> str | None:
    """The status of an item whose words and checkbox may both state one: the later of the two, since the other is
    the one its author did not update (`- [ ] Add alerting (done)` is done; `- [x] … — cancelled` is dropped; a box
    cannot say dropped)."""
    stated = [status for status in (written, box) if status is not None]
    return max(stated, key=_PROGRESS.__getitem__) if stated else None


def _group_status(group: str) -> str | None:
    """The status a group's name gives its items: "Done", "Completed:", "Immediate actions (completed)",
    "In progress (next 2 weeks)"; not "Open questions" or "Closed-loop checks"."""
    named = _GROUP_STATUS.match(group.replace("’", "'")) or _STATUS_BRACKETED.search(group.replace("’", "'"))
    return _STATUS_WORDS[next(g for g in named.groups() if g).casefold()] if named else None


def _label_of(block: Block) -> str | None:
    """The group label a block is: a heading inside the section, or a paragraph whose last line is a label."""
    if block.kind == "heading":
        return _plain_label(block.inline) or None
    last = block.inline.strip().split("\n")[-1]
    return _label_text(last.strip())


def _label_text(text: str) -> str | None:
    """`**Short term**`, `**Prevention:**`, `Immediate:`: a short line that names a group; None for a task or a sentence."""
    if "\n" in text:
        return None
    emphasised = _EMPHASIS.match(text)
    bare = emphasised.group("text") if emphasised else text
    if emphasised is None and not text.rstrip().endswith(":"):
        return None
    label = _plain_label(bare)
    words = set(re.findall(r"[\w']+", label.casefold()))
    if not label or len(label.split()) > 8 or re.search(r"[.!?]\s", label) or words & _SENTENCE_WORDS:
        return None
    return label


def _plain_label(text: str) -> str:
    """A label's words: without markup, link targets, a trailing colon or rules around it (`--Tasks--`)."""
    return _unmarked(_LINK_TEXT.sub(r"\1", text)).rstrip(":").strip(" -–—=#:")


def _table_values(tables: Iterable[Block]) -> set[str]:
    return {cell.strip().casefold() for table in tables for row in table.rows[1:] for cell in row.cells if cell.strip()}


def _is_legend(block: Block, values: set[str]) -> bool:
    """A list defining the words a table of the section uses (`* Prevent - stop it happening again`): its legend."""
    if len(block.items) < 2 or not values:
        return False
    terms = [_LEGEND_TERM.match(item.text) for item in block.items]
    return all(term is not None and term.group("term").strip().casefold() in values for term in terms)


# --- tables ---------------------------------------------------------------------------------------

def _table_items(rows: Sequence[TableRow], group: str | None) -> Iterator[ActionItem]:
    if len(rows) < 2:
        return
    roles = _column_roles(rows[0].cells)
    for row in rows[1:]:
        cells = dict(zip(roles, row.cells))
        text = cells.get("text") or next((c for c in row.cells if c.strip()), "")
        if not text.strip():
            continue  # an unfilled template row
        stated = _stated(text)
        extras = [c for role, c in zip(roles, row.cells) if role == "" and c.strip()]
        yield ActionItem(
            " — ".join([text, *extras]) if extras else text,
            _cell_owner(cells["owner"]) if "owner" in cells else stated.owner,
            _cell_status(cells.get("status", "")) or stated.status,
            _cell_link(cells["link"]) if "link" in cells else _link(" ".join(row.cells)),
            row.line,
            _cell_value(cells["due"]) if "due" in cells else stated.due,
            group,
        )


def _column_roles(header: Sequence[str], *, named_only: bool = False) -> list[str]:
    """The field each column holds ("" for none); without a task column, the first unnamed one holds the task."""
    roles: list[str] = []
    for cell in header:
        words = _words(cell)
        role = next((r for r, names in _COLUMNS.items() if r not in roles and any(_says(words, n) for n in names)), "")
        roles.append(role)
    if "text" not in roles and roles and not named_only:
        roles[roles.index("") if "" in roles else 0] = "text"
    return roles


def _words(text: str) -> str:
    """A column name's words, padded: "Follow-up" → " follow up "."""
    return f" {' '.join(re.sub(r'[^0-9a-z]+', ' ', text.casefold()).split())} "


def _says(words: str, name: str) -> bool:
    return f" {name} " in words or f" {name}s " in words


def _cell_text(cell: str) -> str:
    """A cell's words without markup: `**Done**` → "Done", `[Ana](mention://1)` → "Ana"."""
    return _unmarked(_LINK_TEXT.sub(r"\1", cell).replace("~~", ""))


def _cell_value(cell: str) -> str | None:
    text = _cell_text(cell)
    return None if text.casefold() in _NOBODY else text


def _cell_owner(cell: str) -> str | None:
    text = _cell_value(cell)
    return (text.lstrip("@") or None) if text else None


def _cell_status(cell: str) -> str | None:
    """A status cell: a status word ("In progress", "Won't do"), maybe followed by a note, or a check mark."""
    text = _cell_text(cell).replace("’", "'").strip()
    folded = text.casefold()
    if folded in _CHECKED or text.startswith(_DONE_MARKS):
        return "done"
    if folded in _UNCHECKED:
        return "open"
    match = _STATUS_ALONE.match(text)
    if match and not re.match(r"[\w']", text[match.end() : match.end() + 1]):
        return _STATUS_WORDS[match.group(0).casefold()]
    return None


def _cell_link(cell: str) -> str | None:
    """A ticket cell: its address, else its ticket, else the cell when it is one word (`INC0012345`)."""
    url = _URL.search(cell)
    if url:
        return url.group(0)
    tickets = _tickets(cell)
    if tickets:
        return tickets[-1]
    text = _cell_value(cell)
    return text if text and " " not in text else None


# --- what a line states ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Stated:
    owner: str | None = None
    status: str | None = None
    link: str | None = None
    due: str | None = None


def _stated(text: str) -> _Stated:
    """Owner, status, ticket and due date as the words of an item state them; None where they do not decide."""
    trailer = _trailer(text)
    owner = _labelled_owner(text) or trailer.owner or _first_mention(text)
    status = _status_in(text) or trailer.status
    due = _due(text) or trailer.due
    return _Stated(owner, status, trailer.link or _link(text), due)


def _trailer(text: str) -> _Stated:
    """The fields written after the task: in parentheses at the end, after a spaced dash, or after commas.

    `(AUTH-140, Hannah Lindqvist), done`, `— @hannah, open`, `- Bo Chen - in progress`, `, owner Sam, due May 1`.
    A name counts as the owner only where the trailer states another field too.
    """
    status = _STATUS_LAST.search(text.rstrip())
    body = (text.rstrip()[: status.start()] if status else text).rstrip(" ,;.")
    parts: list[str] = []
    if body.endswith(")") and "(" in body:
        parts = _split_parts(body[body.rindex("(") + 1 : -1])
    else:
        segments = re.split(_DASH, body)
        if len(segments) > 1:
            parts = [part for segment in segments[1:] for part in _split_parts(segment)]
        else:
            parts = _split_parts(body)[1:]
    fields = _fields_of(parts, evidence=status is not None)
    return replace(fields, status=_STATUS_WORDS[status.group("word").casefold()]) if status else fields


def _split_parts(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def _fields_of(parts: Sequence[str], *, evidence: bool) -> _Stated:
    """Fields from the parts of a trailer, read from its end while each part is a field or a name.

    `evidence`: the trailer states a field beside these parts (a status after them), so a name among them is the owner.
    """
    fields = _Stated()
    names: list[str] = []
    for part in reversed(parts):
        field = _field(part)
        if field is None:
            break
        kind, value = field
        if kind == "name":
            names.append(value)
            continue
        evidence = True
        if getattr(fields, kind) is None:
            fields = replace(fields, **{kind: value})
    if fields.owner is None and evidence and len(names) == 1:
        fields = replace(fields, owner=names[0])
    return fields


def _field(part: str) -> tuple[str, str] | None:
    """What one part of a trailer is: ("link"|"status"|"owner"|"due"|"name", value), or None for other words."""
    text = _unmarked(part)
    folded = text.replace("’", "'").casefold()
    if folded in _STATUS_WORDS:
        return "status", _STATUS_WORDS[folded]
    if _URL.fullmatch(text) or _tickets(text)[:1] == [text]:
        return "link", text
    mention = _MENTION.fullmatch(text)
    if mention:
        person = _person(text, mention)
        return ("owner", person) if person else None
    owner = _OWNER_WORD.match(text)
    if owner and _unmarked(text[owner.end() :]):
        return "owner", _unmarked(text[owner.end() :]).lstrip("@")
    due = _DUE_WORD.match(text)
    if due and re.fullmatch(_DATE, text[due.end() :].strip(), re.I):
        return "due", text[due.end() :].strip()
    if _is_name(text):
        return "name", text
    return None


def _is_name(text: str) -> bool:
    """A person's or a team's name: up to four capitalised words ("Hannah Lindqvist", "SRE team"), or a handle."""
    words = text.split()
    if not words or len(words) > 4 or text.casefold() in _NOT_NAMES or re.search(r"\d", text):
        return False
    if len(words) == 1 and _HANDLE.match(text):
        return True
    return words[0][:1].isupper() and all(_NAME_WORD.match(w) or w.casefold() in ("team", "squad") for w in words)


def _labelled_owner(text: str) -> str | None:
    """`Owner: Sam Reyes.`, `(assignee: Ana)`, `Who: @bo`: the value after the label, up to where the clause ends."""
    label = _OWNER_LABEL.search(text)
    if label is None:
        return None
    value = _value_after(text, label.end()).lstrip("@")
    return value if value and len(value.split()) <= 4 and value.casefold() not in _NOBODY else None


def _value_after(text: str, start: int) -> str:
    end = _VALUE_END.search(text, start)
    return _unmarked(text[start : end.start() if end else len(text)])


def _unmarked(text: str) -> str:
    """Words without emphasis and code marks; an underscore inside a word (`jonas_f`) is a character of it."""
    return " ".join(re.sub(r"(?<!\w)_+|_+(?!\w)|[*`]+", "", text).split())


def _first_mention(text: str) -> str | None:
    mention = _MENTION.search(text)
    return _person(text, mention) if mention else None


def _person(text: str, mention: re.Match[str]) -> str | None:
    """The person a mention names: `@hannah`; `@Hana Novak` where the name runs to the end of the item or a clause
    (Notion writes names with their spaces); None for a broadcast (`@here`) or where the name's end is unsure
    (`@Hana Novak to review …`)."""
    name = mention.group(1)
    if name.casefold() in _BROADCASTS:
        return None
    following = _NAME_AFTER_MENTION.match(text, mention.end()) if name[:1].isupper() else None
    if following is None:
        return name
    if not _NAME_END.match(text, following.end()):
        return None
    return " ".join([name, *following.group(0).split()])


def _due(text: str) -> str | None:
    """`due 2024-05-01`, `by May 1`, `Deadline: end of Q2`: the date as written."""
    labelled = _DUE_LABEL.search(text)
    if labelled:
        value = _value_after(text, labelled.end())
        if value and value.casefold() not in _NOBODY:
            return value
    due = _DUE.search(text)
    return " ".join(due.group("date").split()) if due else None


def _status_in(text: str) -> str | None:
    """A status the item writes: "[DONE] …", "Done: …", "Status: in progress", "(done)", "…, won't do", "✅"."""
    if any(mark in text for mark in _DONE_MARKS):
        return "done"
    text = text.replace("’", "'")
    for pattern in (_STATUS_FIRST, _STATUS_LABEL, _STATUS_BRACKETED, _STATUS_LAST, _STATUS_AFTER_DASH):
        match = pattern.search(text)
        if match:
            word = next(group for group in match.groups() if group)
            return _STATUS_WORDS[word.casefold()]
    return None


def _tickets(text: str) -> list[str]:
    return [t for t in _TICKET.findall(text) if t.split("-")[0] not in _NOT_TICKETS]


def _link(text: str) -> str | None:
    """The item's ticket: an address naming it, else the ticket ("(owner, PLAT-231)" at the end is the usual place),
    else an address."""
    tickets = _tickets(text)
    urls = _URL.findall(text)
    if tickets:
        number = re.escape(tickets[-1].lstrip("#"))
        return next((url for url in urls if re.search(rf"(?<![\w-]){number}(?!\w)", url)), tickets[-1])
    return urls[0] if urls else None
