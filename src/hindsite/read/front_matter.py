"""Front-matter: the YAML (`---`) or TOML (`+++`) block at the top of a document, split from the body with the
file's line numbers, its values read as the author wrote them, and its mistakes explained in an author's words.

Apart from files.py so that PyYAML loads with the first document read, not for a build that reads none.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePosixPath
from typing import Any, Protocol

import frontmatter.default_handlers as fm_handlers
import yaml

from ..core import diagnostics as diag
from ..core.diagnostics import Diagnostic
from .files import Document

#: libyaml's parser when PyYAML was built with it (about ten times faster), else the pure-Python one.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _GuardedLoader(_SafeLoader):
    """YAML that keeps what the author wrote.

    Scalars stay strings (YAML 1.1 would turn `14:30` into 870 and `no` into
    False), duplicate keys are errors rather than silently last-wins, and
    aliases are refused, which also makes alias bombs harmless.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_document(self, node: Any) -> Any:
        _refuse_aliases(node)
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain word, not a list or mapping", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice; keep one", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=True)


def _refuse_aliases(root: Any) -> None:
    """Raise at the first node reached twice: only an alias (`*name`) makes one.

    The walk stops there, so it costs one visit per node however far the aliases would expand.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, Any]] = [(root, root)]
    while stack:
        node, holder = stack.pop()
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front-matter; write the value out", holder.start_mark
            )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, node) for item in reversed(node.value)]
        elif isinstance(node, yaml.MappingNode):
            stack += [(part, key) for key, value in reversed(node.value) for part in (value, key)]


class _TomlHandler(fm_handlers.BaseHandler):
    """`+++` TOML front-matter (Hugo, Zola) read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


_YAML = fm_handlers.YAMLHandler()
_TOML = _TomlHandler()
_FENCES = {"---": (_YAML, ("---", "...")), "+++": (_TOML, ("+++",))}


def split_front_matter(
    text: str, source: str, rel: PurePosixPath, problems: list[Diagnostic] | None = None
) -> Document:
    """Split `text` into front-matter and body, keeping file line numbers.

    Only a line of exactly `---` (YAML) or `+++` (TOML), after optional blank
    lines, opens front-matter: a pasted `-----` log line is body text.
    """
    problems = list(problems or [])
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    fence = lines[start].rstrip() if start is not None else ""
    if start is None or fence not in _FENCES:
        return Document(source, rel, text, 1, diagnostics=tuple(problems))
    handler, closers = _FENCES[fence]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        problems.append(
            diag.error(
                "bad-front-matter",
                f"the front-matter opened by {fence!r} is never closed; add a line with {fence!r} after the last key",
                source,
                start + 1,
            )
        )
        return Document(source, rel, text, 1, diagnostics=tuple(problems))

    raw = "\n".join(lines[start + 1 : end])
    body = "\n".join(lines[end + 1 :])
    values, problem = _load_values(handler, raw, source, first_key_line=start + 2)
    if problem is not None:
        problems.append(problem)
        return Document(
            source, rel, body, end + 2, front_matter_line=start + 1, unread_front_matter=raw, diagnostics=tuple(problems)
        )
    key_lines = {
        match.group(1): start + 2 + offset
        for offset, line in enumerate(lines[start + 1 : end])
        if (match := re.match(r"^([^\s:#'\"][^:]*?)\s*[:=]", line))
    }
    written = "\n".join(lines[start : end + 1])
    return Document(source, rel, body, end + 2, values, start + 1, key_lines, diagnostics=tuple(problems),
                    front_matter_text=written)


#: How deeply front-matter may nest lists and mappings, the block itself being the first level. Real
#: front-matter uses three or four; the parsers, and whatever walks the values, go deeper by a call per level.
MAX_FRONT_MATTER_DEPTH = 32


class _TooDeep(Exception):
    """Front-matter nested past `MAX_FRONT_MATTER_DEPTH`; `line` is 0-based in the block, -1 for the opening fence."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _load_values(
    handler: fm_handlers.BaseHandler, raw: str, source: str, *, first_key_line: int
) -> tuple[dict[str, Any], Diagnostic | None]:
    """The front-matter's mapping, or the problem that makes it unusable."""
    try:
        values = _parse(handler, raw)
    except yaml.YAMLError as exc:
        return {}, _yaml_problem(exc, raw, source, first_key_line)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_line(str(exc))
        return {}, diag.error("bad-front-matter", f"invalid TOML front-matter: {exc}; fix it or remove the block",
                              source, first_key_line + line - 1 if line else first_key_line - 1)
    except _TooDeep as exc:
        return {}, _too_deep(source, first_key_line + exc.line)
    except RecursionError:  # the depth limit should make this unreachable; if not, one document pays, not the build
        return {}, _too_deep(source, first_key_line - 1)
    if values is None:
        return {}, None  # empty, or only comments
    if not isinstance(values, dict):
        return {}, diag.error("bad-front-matter", _not_a_mapping(values), source, first_key_line)
    return values, None


def _parse(handler: fm_handlers.BaseHandler, raw: str) -> Any:
    """The block's values, its nesting checked before parsing (both parsers go a call deeper per level) and
    after (TOML's dotted keys, `a.b.c = 1`, nest without a bracket)."""
    if handler is _YAML:
        _check_yaml_depth(raw)
        values = handler.load(raw, Loader=_GuardedLoader)
    else:
        _check_toml_depth(raw)
        values = handler.load(raw)
    if _depth(values) > MAX_FRONT_MATTER_DEPTH:
        raise _TooDeep(-1)
    return values


def _check_yaml_depth(raw: str) -> None:
    """Raise `_TooDeep` at the list or mapping that nests too deep; libyaml's event stream is read without recursion."""
    depth = 0
    for event in yaml.parse(raw, Loader=_SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                raise _TooDeep(event.start_mark.line if event.start_mark is not None else -1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


#: What TOML nesting depends on: strings and comments (whose brackets are text), brackets, line ends.
_TOML_NESTING = re.compile(r""""{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*|[][{}\n]""")


def _check_toml_depth(raw: str) -> None:
    """Raise `_TooDeep` at the `[` or `{` that nests too deep (the block being the first level)."""
    depth, line = 1, 0
    for match in _TOML_NESTING.finditer(raw):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                raise _TooDeep(line)
        elif token in ("]", "}"):
            depth = max(1, depth - 1)
        else:
            line += token.count("\n")


def _depth(value: Any) -> int:
    """How many lists and mappings deep `value` goes, counted without recursion; stops once past the limit."""
    deepest = 0
    pending = [(value, 1)]
    while pending and deepest <= MAX_FRONT_MATTER_DEPTH:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            pending += [(child, level + 1) for child in children]
    return deepest


def _too_deep(source: str, line: int) -> Diagnostic:
    return diag.error(
        "bad-front-matter",
        f"the front-matter nests lists or mappings more than {MAX_FRONT_MATTER_DEPTH} levels deep here, which no "
        "postmortem needs; flatten the value, or put it in quotes to keep it as text — the body is published without it",
        source, line)


def _not_a_mapping(values: Any) -> str:
    if isinstance(values, str) and re.match(r"[^\s:]+:[^\s:/]", values):
        return ("front-matter must be 'key: value' lines, and YAML needs a space after the colon (title: A, not title:A); "
                "add it, or remove the block")
    return f"front-matter must be 'key: value' lines, not a {_yaml_kind(values)}; fix it or remove the block"


# --- YAML mistakes, in words ---------------------------------------------------------------------


def _yaml_problem(exc: yaml.YAMLError, raw: str, source: str, first_line: int) -> Diagnostic:
    """A YAML error at the line to fix, saying what is wrong and what to do in an author's words rather than
    the parser's ("while scanning a quoted scalar ... found unexpected end of stream")."""
    line, detail = _explain_yaml(exc, raw)
    return diag.error("bad-front-matter", f"invalid YAML front-matter: {detail}; the body is published without it",
                      source, first_line + line)


def _explain_yaml(exc: yaml.YAMLError, raw: str) -> tuple[int, str]:
    """(0-based line in the block, what is wrong and what to do) for the common mistakes; the parser's words otherwise."""
    lines = raw.split("\n")
    context, problem = str(getattr(exc, "context", "") or ""), str(getattr(exc, "problem", "") or "")
    opened: _Mark | None = getattr(exc, "context_mark", None)
    found: _Mark | None = getattr(exc, "problem_mark", None) or opened
    line = found.line if found is not None else 0
    text = lines[line] if line < len(lines) else ""
    if "quoted scalar" in context and "end of stream" in problem and opened is not None:
        quote = _char_at(lines, opened, '"')
        return opened.line, (f"the {quote} opened on this line is never closed; end the value with {quote} as well, "
                             f"or remove the opening {quote}")
    if "escape" in problem:
        return line, ("a backslash inside double quotes starts an escape YAML does not know; write \\\\ for a backslash, "
                      "or put the value in single quotes")
    if "tab" in problem or _char_at(lines, found, "") == "\t":
        return line, "this line is indented with a tab, and YAML allows only spaces; replace the tab with spaces"
    if "cannot start any token" in problem or context in ("while scanning an alias", "while scanning an anchor"):
        char = _char_at(lines, opened if context.endswith(("alias", "anchor")) else found, "this character")
        return line, f"a value cannot start with {char} in YAML; put the whole value in quotes: {_quoted(text)}"
    if "mapping values are not allowed" in problem and found is not None:
        if found.column == _first_colon(text):
            return line, ("this line is indented more than the line above it, so YAML reads it as the rest of that "
                          "line's value; line it up with the field above")
        return line, f"the value holds ': ', which YAML reads as the start of another field; put the value in quotes: {_quoted(text)}"
    if "expected ':'" in problem and opened is not None:
        return opened.line, ("this line has no ':' after a field name; write it as 'name: value', or indent it to continue "
                             "the value above")
    if "flow" in context and opened is not None:
        bracket = _char_at(lines, opened, "[")
        closer = "}" if bracket == "{" else "]"
        return opened.line, (f"the {bracket} opened on this line is never closed; end it with {closer}, or put the "
                             f"value in quotes if the {bracket} is part of the text")
    if "block" in context and found is not None:
        return _after_quote(raw, lines, found) or (line, "this line does not line up with the lines above it; indent the "
                                                  "entries of one list or mapping by the same number of spaces")
    return line, _parser_words(context, problem, str(exc))


def _after_quote(raw: str, lines: list[str], found: Any) -> tuple[int, str] | None:
    """The explanation when the parser stumbled right after a quoted value: text after its closing quote, or a
    quote left open that a later line's quote closed."""
    quoted = _last_quoted_before(raw, lines, (found.line, found.column))
    if quoted is None:
        return None
    start, end, quote = quoted.start_mark, quoted.end_mark, quoted.style
    if start.line < end.line:
        closing = lines[end.line].strip()[:40]
        return start.line, (f"the {quote} opened on this line is not closed on it, so the next {end.line - start.line} "
                            f"line(s) are read as part of this value, up to the {quote} in {closing!r}; end the value "
                            f"with {quote} on this line")
    if quote == "'":
        return start.line, ("the value goes on after its closing '; if the ' is an apostrophe, write it twice ('') "
                            'or put the whole value in double quotes ("…")')
    return start.line, ("the value goes on after its closing \"; put the whole value in single quotes ('…') to keep "
                        "the quotes as text, or remove them")


def _last_quoted_before(raw: str, lines: list[str], position: tuple[int, int]) -> Any:
    """The last quoted scalar token of `raw` that ends at `position` (line, column), or None."""
    last = None
    try:
        for token in yaml.scan(raw, Loader=_SafeLoader):
            if (token.start_mark.line, token.start_mark.column) >= position:
                break
            last = token
    except yaml.YAMLError:
        pass
    if isinstance(last, yaml.ScalarToken) and last.style in ("'", '"'):
        end = (last.end_mark.line, last.end_mark.column)
        return last if end <= position and not lines[end[0]][end[1]:position[1]].strip() else None
    return None


class _Mark(Protocol):
    """Where PyYAML found something (its pure-Python and libyaml marks alike): 0-based line and column."""

    line: int
    column: int


def _char_at(lines: list[str], mark: _Mark | None, default: str) -> str:
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return default
    return lines[mark.line][mark.column]


def _first_colon(line: str) -> int | None:
    match = re.search(r":(\s|$)", line)
    return match.start() if match else None


def _quoted(line: str) -> str:
    """`line` (`name: value`) with its value quoted, as the fix to show."""
    match = re.match(r"\s*((?:- )?[^:]*?:)\s+(.*?)\s*$", line)
    if match is None:
        return '"…"'
    name, value = match.groups()
    if '"' in value:
        doubled = value.replace("'", "''")
        return f"{name} '{doubled}'"
    escaped = value.replace("\\", "\\\\")
    return f'{name} "{escaped}"'


def _parser_words(context: str, problem: str, whole: str) -> str:
    """The parser's own account, for mistakes the explanations above do not cover."""
    if context and "constructor" in context:
        context = ""
    if problem.startswith("could not determine a constructor"):
        problem = f"the tag {problem.split()[-1]} is not allowed; remove it"
    reason = problem or whole
    return f"{context}, {reason}" if context else reason


def _yaml_kind(value: Any) -> str:
    names: dict[type, str] = {list: "list", str: "plain text"}
    return names.get(type(value), type(value).__name__)


def _toml_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
