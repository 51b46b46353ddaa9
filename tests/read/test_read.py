"""Stage 1 — read: decoding, front-matter splitting with file line numbers, discovery."""

from __future__ import annotations

import errno
import os
import re
import signal
import socket
import tomllib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hindsite.core.diagnostics import Level
from hindsite.read import files as read
from hindsite.read.files import Document, SourceFile, decode, discover, read_document, split_front_matter
from hindsite.read.front_matter import MAX_FRONT_MATTER_DEPTH

REL = PurePosixPath("2024-05-06-queue.md")


def split(text: str) -> Document:
    return split_front_matter(text, "content/queue.md", REL)


def codes(document: Document) -> list[tuple[str, int | None]]:
    return [(d.code, d.line) for d in document.diagnostics]


# --- front-matter that is read --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "front_matter", "body", "body_line"),
    [
        pytest.param(
            "---\ntitle: Queue stalled\nseverity: sev2\n---\n# Queue\n",
            {"title": "Queue stalled", "severity": "sev2"},
            "# Queue\n",
            5,
            id="yaml",
        ),
        pytest.param(
            "---\nat: 14:30\nrollback: no\nmode: 0777\nversion: 1.10\nday: 2024-05-06\nflag: yes\n---\nx",
            {"at": "14:30", "rollback": "no", "mode": "0777", "version": "1.10", "day": "2024-05-06", "flag": "yes"},
            "x",
            9,
            id="scalars-stay-strings",
        ),
        pytest.param(
            "---\nservices: [queue, billing]\nnothing: ~\n---\n",
            {"services": ["queue", "billing"], "nothing": None},
            "",
            5,
            id="list-and-null",
        ),
        pytest.param("---\n---\nbody\n", {}, "body\n", 3, id="empty-block"),
        pytest.param("---\ntitle: A\n...\nbody\n", {"title": "A"}, "body\n", 4, id="yaml-document-end"),
        pytest.param(
            "\n\n---\ntitle: After blanks\n---\nbody\n", {"title": "After blanks"}, "body\n", 6, id="blank-lines-first"
        ),
        pytest.param(
            "+++\ntitle = 'Toml'\nseverity = \"sev3\"\n+++\nbody\n",
            {"title": "Toml", "severity": "sev3"},
            "body\n",
            5,
            id="toml",
        ),
    ],
)
def test_front_matter_is_split(text: str, front_matter: dict[str, Any], body: str, body_line: int) -> None:
    document = split(text)
    assert dict(document.front_matter) == front_matter
    assert document.body == body
    assert document.body_line == body_line
    assert document.diagnostics == ()
    assert document.unread_front_matter == ""


def test_key_lines_point_at_the_file() -> None:
    document = split("\n---\ntitle: A\nservices:\n  - queue\nseverity: sev1\n---\nbody")
    assert document.front_matter_line == 2
    assert dict(document.key_lines) == {"title": 3, "services": 4, "severity": 6}


def test_toml_values_keep_their_types_for_the_normaliser() -> None:
    document = split("+++\ndate = 2024-05-06\ntags = ['a', 'b']\n+++\n")
    assert str(document.front_matter["date"]) == "2024-05-06"
    assert document.front_matter["tags"] == ["a", "b"]


# --- front-matter that is refused -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "in_message"),
    [
        pytest.param("---\ntitle: A\nseverity: sev1\ntitle: B\n---\nbody\n", 4, "'title' appears twice", id="duplicate-key"),
        pytest.param("\n---\ntitle: A\n\ntitle: B\n---\nbody\n", 5, "appears twice", id="duplicate-key-after-blank"),
        pytest.param("---\nbase: &b queue\nservice: *b\n---\nbody\n", 3, "aliases", id="alias"),
        pytest.param("---\ntitle: A\nrun: !!python/object:os.system ls\n---\nbody\n", 3, "not allowed", id="python-tag"),
        pytest.param("---\n- queue\n- billing\n---\nbody\n", 2, "not a list", id="list-not-mapping"),
        pytest.param("---\njust a sentence\n---\nbody\n", 2, "key: value", id="text-not-mapping"),
        pytest.param("---\ntitle: [queue\n---\nbody\n", 2, "invalid YAML", id="bad-yaml"),
        pytest.param("+++\ntitle = 'A'\nseverity = = 1\n+++\nbody\n", 3, "invalid TOML", id="bad-toml"),
    ],
)
def test_bad_front_matter_is_an_error_at_the_file_line(text: str, line: int, in_message: str) -> None:
    document = split(text)
    assert codes(document) == [("bad-front-matter", line)]
    (problem,) = document.diagnostics
    assert problem.level is Level.ERROR
    assert problem.path == "content/queue.md"
    assert in_message in problem.message
    # nothing the author wrote is lost: the block is kept raw and the body is published
    assert dict(document.front_matter) == {}
    assert document.unread_front_matter.strip() != ""
    assert document.unread_front_matter in text
    assert document.body == "body\n"
    assert text.endswith(document.body)
    assert document.body_line == text.split("\n").index("body") + 1


BILLION_LAUGHS = "---\n" + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
) + "---\nbody\n"


def test_an_alias_bomb_is_refused_at_its_first_alias_without_expanding(tmp_path: Path) -> None:
    tracemalloc.start()
    document = split(BILLION_LAUGHS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert codes(document) == [("bad-front-matter", 3)]  # `b: &b [*a, …]`, the first alias
    assert peak < 5_000_000  # expanded, the nine levels would be 9**9 strings


def test_python_tag_is_never_constructed() -> None:
    document = split("---\nx: !!python/object/apply:builtins.print ['pwned']\n---\n")
    assert codes(document) == [("bad-front-matter", 2)]


# --- front-matter nested deeper than anyone writes ----------------------------------


def nested(opening: str, inner: str, closing: str, depth: int) -> str:
    return opening * depth + inner + closing * depth


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("---\ntitle: A\na: " + nested("[", "", "]", 250) + "\n---\nbody\n", 3, id="yaml-flow-lists"),
        pytest.param("---\ntitle: A\na: " + nested("{b: ", "x", "}", 200) + "\n---\nbody\n", 3, id="yaml-flow-mappings"),
        pytest.param("---\ntitle: A\na:\n  " + "- " * 300 + "x\n---\nbody\n", 4, id="yaml-block-lists"),
        pytest.param("+++\ntitle = 'A'\na = " + nested("[", "", "]", 500) + "\n+++\nbody\n", 3, id="toml-arrays"),
        pytest.param("+++\ntitle = 'A'\na = " + nested("{b = ", "1", "}", 500) + "\n+++\nbody\n", 3, id="toml-tables"),
        pytest.param("+++\ntitle = 'A'\n" + "a." * 5000 + "b = 1\n+++\nbody\n", 1, id="toml-dotted-keys"),
        pytest.param("+++\ntitle = 'A'\n[" + "a." * 5000 + "b]\nc = 1\n+++\nbody\n", 1, id="toml-table-header"),
    ],
)
def test_front_matter_nested_past_the_limit_is_refused_and_the_body_kept(text: str, line: int) -> None:
    document = split(text)
    assert codes(document) == [("bad-front-matter", line)]
    assert f"more than {MAX_FRONT_MATTER_DEPTH} levels deep" in document.diagnostics[0].message
    assert dict(document.front_matter) == {}
    assert document.unread_front_matter in text and document.unread_front_matter.startswith(("title", "a"))
    assert document.body == "body\n"


@pytest.mark.parametrize(
    ("fence", "assign", "item"),
    [pytest.param("---", ": ", "[{b: x}]", id="yaml"), pytest.param("+++", " = ", "[{b = 'x'}]", id="toml")],
)
def test_front_matter_may_nest_up_to_the_limit(fence: str, assign: str, item: str) -> None:
    def document_nesting(levels: int) -> Document:  # the block is the first level, `item` adds two
        return split(f"{fence}\na{assign}{nested('[', item, ']', levels - 3)}\n{fence}\nbody\n")

    deepest = document_nesting(MAX_FRONT_MATTER_DEPTH)
    assert deepest.diagnostics == ()
    value = deepest.front_matter["a"]
    for _ in range(MAX_FRONT_MATTER_DEPTH - 3):
        (value,) = value
    assert value == [{"b": "x"}]
    assert codes(document_nesting(MAX_FRONT_MATTER_DEPTH + 1)) == [("bad-front-matter", 2)]


def test_a_recursion_error_while_parsing_costs_only_the_front_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(text: str) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(tomllib, "loads", too_deep)
    document = split("+++\ntitle = 'A'\n+++\nbody\n")
    assert codes(document) == [("bad-front-matter", 1)]
    assert document.body == "body\n"


# --- YAML mistakes are explained in an author's words ----------------------------------

PARSER_WORDS = ("scanning", "parsing", "token", "scalar", "end of stream", "did not find", "expected <")


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        pytest.param('---\ntitle: "Checkout 502s\nseverity: sev2\ndate: 2024-01-02\n---\nbody\n', 2,
                     'the " opened on this line is never closed', id="unclosed-double-quote"),
        pytest.param("---\nseverity: sev2\ntitle: 'Checkout 502s\ndate: 2024-01-02\n---\nbody\n", 3,
                     "the ' opened on this line is never closed", id="unclosed-single-quote"),
        pytest.param('---\ntitle: "Checkout 502s\nseverity: sev2\nsummary: "Payments failed"\n---\nbody\n', 2,
                     'the " opened on this line is not closed on it, so the next 2 line(s)', id="quote-closed-lines-later"),
        pytest.param('---\ntitle: "Checkout" returned 502s\n---\nbody\n', 2,
                     'the value goes on after its closing "', id="text-after-closing-quote"),
        pytest.param("---\ntitle: 'Checkout can't pay'\n---\nbody\n", 2, "if the ' is an apostrophe", id="apostrophe"),
        pytest.param("---\ntitle: A\nservices:\n\t- checkout\n---\nbody\n", 4, "indented with a tab", id="tab"),
        pytest.param("---\ntitle: A\nservices:\n  - checkout\n\t- cart\n---\nbody\n", 5, "indented with a tab",
                     id="tab-inside-a-list"),
        pytest.param("---\ntitle: Checkout: 502s on pay\nseverity: sev2\n---\nbody\n", 2,
                     'put the value in quotes: title: "Checkout: 502s on pay"', id="colon-in-value"),
        pytest.param("---\ntitle: A\n  severity: sev2\n---\nbody\n", 3, "indented more than the line above it",
                     id="indented-too-far"),
        pytest.param("---\nservices:\n  - checkout\n - cart\n---\nbody\n", 4, "does not line up", id="list-misaligned"),
        pytest.param("---\ntitle: A\nthe checkout was down\nseverity: sev2\n---\nbody\n", 3,
                     "no ':' after a field name", id="line-without-colon"),
        pytest.param("---\ntitle: @oncall paged twice\n---\nbody\n", 2,
                     'cannot start with @ in YAML; put the whole value in quotes: title: "@oncall paged twice"',
                     id="reserved-character"),
        pytest.param("---\ntitle: *Checkout* down\n---\nbody\n", 2, "cannot start with * in YAML", id="asterisk"),
        pytest.param('---\nrunbook: "C:\\ops\\pay"\n---\nbody\n', 2, "backslash inside double quotes", id="bad-escape"),
        pytest.param("---\nservices: [checkout, cart\nseverity: sev2\n---\nbody\n", 2,
                     "the [ opened on this line is never closed; end it with ]", id="unclosed-bracket"),
        pytest.param("---\ntitle:Checkout\nseverity:sev2\n---\nbody\n", 2, "needs a space after the colon",
                     id="no-space-after-colon"),
    ],
)
def test_yaml_mistakes_are_explained_at_the_line_to_fix(text: str, line: int, says: str) -> None:
    document = split(text)
    assert codes(document) == [("bad-front-matter", line)]
    message = document.diagnostics[0].message
    assert says in message
    assert not [word for word in PARSER_WORDS if word in message]
    assert document.body == "body\n"


def test_unterminated_block_keeps_everything_as_body() -> None:
    text = "---\ntitle: Never closed\n\n# Queue stalled\n\nIt stalled.\n"
    document = split(text)
    assert codes(document) == [("bad-front-matter", 1)]
    assert "never closed" in document.diagnostics[0].message
    assert document.body == text
    assert document.body_line == 1
    assert dict(document.front_matter) == {}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-----\n2024-05-06 10:00 worker started\n-----\n", id="pasted-log-rule"),
        pytest.param("# Title\n\n---\n\ntext\n---\n", id="hr-later"),
        pytest.param("", id="empty"),
        pytest.param("\n\n\n", id="blank"),
        pytest.param("++++\nx\n++++\n", id="four-plus"),
    ],
)
def test_no_front_matter(text: str) -> None:
    document = split(text)
    assert document.diagnostics == ()
    assert document.body == text
    assert document.body_line == 1
    assert dict(document.front_matter) == {}
    assert document.front_matter_line is None


def test_fence_with_trailing_spaces_still_opens_front_matter() -> None:
    document = split("--- \ntitle: A\n---  \nbody")
    assert dict(document.front_matter) == {"title": "A"}
    assert document.body == "body"
    assert document.body_line == 4


# --- decoding --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(b"a\r\nb\r\n", "a\nb\n", id="crlf"),
        pytest.param(b"a\rb\r", "a\nb\n", id="lone-cr"),
        pytest.param(b"a\r\n\rb\n", "a\n\nb\n", id="mixed"),
        pytest.param(b"\xef\xbb\xbf# Title\n", "# Title\n", id="bom"),
        pytest.param("caf\u00e9 \u2014 ok\n".encode(), "caf\u00e9 \u2014 ok\n", id="utf8"),
    ],
)
def test_decode(data: bytes, text: str) -> None:
    decoded, problems = decode(data, "a.md")
    assert decoded == text
    assert problems == []


def test_windows_1252_is_decoded_with_a_warning() -> None:
    data = b"# Outage\n\nThe caf\xe9 \x93menu\x94 service \x96 down.\n"
    text, problems = decode(data, "content/menu.md")
    assert text == "# Outage\n\nThe caf\u00e9 \u201cmenu\u201d service \u2013 down.\n"
    (problem,) = problems
    assert (problem.code, problem.level, problem.line, problem.path) == ("encoding", Level.WARNING, 3, "content/menu.md")


def source_file(path: Path) -> SourceFile:
    return SourceFile(path, PurePosixPath(path.name), f"content/{path.name}")


def test_read_document_with_bom_and_crlf_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "2024-05-06-queue.md"
    path.write_bytes(b"\xef\xbb\xbf\r\n---\r\ntitle: Queue\r\n---\r\n\r\n## Summary\r\n")
    document = read_document(source_file(path))
    assert document.diagnostics == ()
    assert dict(document.front_matter) == {"title": "Queue"}
    assert dict(document.key_lines) == {"title": 3}
    assert document.body_line == 5
    assert document.body.split("\n").index("## Summary") + document.body_line == 6


def test_read_document_cp1252_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "menu.md"
    path.write_bytes(b"---\ntitle: Caf\xe9 menu\n---\nbody\n")
    document = read_document(source_file(path))
    assert dict(document.front_matter) == {"title": "Caf\u00e9 menu"}
    assert codes(document) == [("encoding", 2)]


def test_body_line_maps_body_positions_to_file_lines() -> None:
    text = "---\ntitle: A\nseverity: sev2\n---\n\nIntro.\n\n## Timeline\n"
    document = split(text)
    file_lines = text.split("\n")
    for offset, line in enumerate(document.body.split("\n")):
        assert file_lines[document.body_line - 1 + offset] == line


def test_unreadable_file_is_an_error_not_an_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.md"
    path.write_text("# Locked\n", encoding="utf-8")

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)  # tests run as root, whom chmod 000 does not stop
    document = read_document(source_file(path))
    assert codes(document) == [("unreadable", None)]
    assert "Permission denied" in document.diagnostics[0].message
    assert document.body == ""


def test_a_file_deleted_after_it_was_found_is_reported_as_vanished(tmp_path: Path) -> None:
    document = read_document(source_file(tmp_path / "deleted-meanwhile.md"))
    assert codes(document) == [("vanished", None)]
    assert "build again" in document.diagnostics[0].message
    assert document.body == ""


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Turn a read that would wait forever into a failure after ten seconds."""
    def fail(signum: int, frame: Any) -> None:
        raise TimeoutError("the read did not return")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.usefixtures("no_hang")
def test_a_named_pipe_where_a_document_was_found_is_refused_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "swapped.md"
    os.mkfifo(path)  # as if the file had been replaced by a pipe after the folder was listed
    document = read_document(source_file(path))
    assert codes(document) == [("special-file", None)]
    assert "a named pipe" in document.diagnostics[0].message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "a PNG image", id="png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF", id="pdf-without-nul"),
        pytest.param(bytes(range(256)) * 40, "binary data", id="random-bytes"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive", id="docx"),
    ],
)
def test_binary_file_with_a_markdown_name_is_an_error_not_text(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "screenshot.md"
    path.write_bytes(data)
    document = read_document(source_file(path))
    assert codes(document) == [("binary", None)]
    assert kind in document.diagnostics[0].message
    assert document.body == ""


def test_a_few_nul_bytes_in_text_are_replaced_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "log.md"
    path.write_bytes(b"# Outage\n\nThe worker wrote \x00\x00 into the log.\n")
    document = read_document(source_file(path))
    assert codes(document) == [("encoding", 3)]
    assert document.body == "# Outage\n\nThe worker wrote \ufffd\ufffd into the log.\n"


def test_utf16_with_a_bom_is_read_as_utf16_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "powershell.md"
    path.write_bytes("# Caf\u00e9 outage\r\n\r\nQueue stalled.\r\n".encode("utf-16"))
    document = read_document(source_file(path))
    assert codes(document) == [("encoding", 1)]
    assert document.body == "# Caf\u00e9 outage\n\nQueue stalled.\n"


def test_latin1_file_is_read_with_its_accents(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("# R\u00e9seau coup\u00e9\n\nna\u00efve \u00bd\n".encode("latin-1"))
    document = read_document(source_file(path))
    assert codes(document) == [("encoding", 1)]
    assert document.body == "# R\u00e9seau coup\u00e9\n\nna\u00efve \u00bd\n"


def test_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_bytes(b"\n  \n")
    assert codes(read_document(source_file(path))) == [("empty-document", None)]


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pasted-log.md"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(read, "_read_at_most", lambda *args: pytest.fail("a refused file must not be read"))
    document = read_document(source_file(path), max_bytes=1024)
    assert codes(document) == [("too-large", None)]
    assert "max_document_mb" in document.diagnostics[0].message


def test_a_file_longer_than_its_stated_size_is_read_no_further_than_the_limit() -> None:
    maps = Path("/proc/self/maps")  # the file system says 0 bytes; it holds a line per mapped library, kilobytes
    assert maps.stat().st_size == 0 and len(maps.read_bytes()) > 2048
    document = read_document(SourceFile(maps, PurePosixPath("maps.md"), "content/maps.md"), max_bytes=1024)
    assert codes(document) == [("too-large", None)]
    assert document.diagnostics[0].message.startswith("the file is over the limit of")
    assert document.body == ""


# --- discover --------------------------------------------------------------------


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def test_discover_skips_hidden_and_editor_junk_and_sorts(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "c.md", "a.md", "B.markdown", "graph.png",
        ".hidden.md", ".#a.md", "a.md~", "a.md.swp", "b.md.swo", "4913", "#a.md#", "x.tmp", "a.md.bak",
        ".git/HEAD.md", ".obsidian/notes.md",
        "2023/z.md", "2023/m.md", "2023/.m.md.swp", "2023/img/chart.svg",
    )
    found, _ = discover(tmp_path, "content")
    rels = [str(f.rel) for f in found]
    assert sorted(rels) == sorted(
        ["B.markdown", "a.md", "c.md", "graph.png", "2023/m.md", "2023/z.md", "2023/img/chart.svg"]
    )
    # deterministic: within each folder, names come in sorted order
    for folder in {str(PurePosixPath(r).parent) for r in rels}:
        in_folder = [r for r in rels if str(PurePosixPath(r).parent) == folder]
        assert in_folder == sorted(in_folder)
    assert {f.source for f in found} == {f"content/{r}" for r in rels}
    assert {str(f.rel): f.is_markdown for f in found} == {
        "B.markdown": True,
        "a.md": True,
        "c.md": True,
        "graph.png": False,
        "2023/m.md": True,
        "2023/z.md": True,
        "2023/img/chart.svg": False,
    }


def test_discover_order_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    touch(first, "b.md", "a.md", "c.md")
    touch(second, "c.md", "a.md", "b.md")
    assert [f.rel for f in discover(first)[0]] == [f.rel for f in discover(second)[0]] == [
        PurePosixPath("a.md"),
        PurePosixPath("b.md"),
        PurePosixPath("c.md"),
    ]


@pytest.mark.parametrize("name", ["POSTMORTEM.MD", "x.Markdown", "y.md"])
def test_markdown_suffixes_any_case(tmp_path: Path, name: str) -> None:
    touch(tmp_path, name)
    (found,), _ = discover(tmp_path)
    assert found.is_markdown


def test_discover_a_single_file(tmp_path: Path) -> None:
    touch(tmp_path, "one.md")
    (found,), _ = discover(tmp_path / "one.md", "one.md")
    assert found.rel == PurePosixPath("one.md")
    assert found.source == "one.md"


def test_discover_skips_pipes_sockets_and_links_to_them_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "fine.md", "notes/fine.md")
    os.mkfifo(tmp_path / "pipe.md")
    os.mkfifo(tmp_path / "notes" / "pipe.html")
    monkeypatch.chdir(tmp_path)  # a socket's path must be short
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("socket.md")
    (tmp_path / "link.md").symlink_to("pipe.md")
    found, problems = discover(tmp_path, "content")
    assert [str(f.rel) for f in found] == ["fine.md", "notes/fine.md"]
    assert [(d.code, d.level, d.path) for d in problems] == [
        ("special-file", Level.WARNING, "content/link.md"),
        ("special-file", Level.WARNING, "content/pipe.md"),
        ("special-file", Level.WARNING, "content/socket.md"),
        ("special-file", Level.WARNING, "content/notes/pipe.html"),
    ]
    assert "symbolic link points at a named pipe" in problems[0].message
    assert "this is a socket" in problems[2].message


def test_discover_of_a_named_pipe_given_by_name_reports_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    found, problems = discover(tmp_path / "pipe.md", "pipe.md")
    assert found == []
    assert [(d.code, d.path) for d in problems] == [("special-file", "pipe.md")]


def test_a_folder_that_cannot_be_listed_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "a.md", "2023/locked/b.md", "2023/open/c.md")
    listable = os.scandir

    def scandir(path: Any) -> Any:  # tests run as root, whom chmod 000 does not stop
        if os.path.basename(path) == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return listable(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, problems = discover(tmp_path, "content")
    assert [str(f.rel) for f in found] == ["a.md", "2023/open/c.md"]
    assert [(d.code, d.level, d.path) for d in problems] == [("unreadable", Level.WARNING, "content/2023/locked")]
    assert "Permission denied" in problems[0].message and "chmod" in problems[0].message


def tricky_tree(root: Path, outside: Path) -> None:
    """A content folder with every kind of entry `discover` decides about."""
    touch(root, "a.md", "B.markdown", "with space.md", "ünïcode.md", "back\\slash.md", "x.png",
          ".hidden.md", ".drafts/inside.md", "a.md~", "#a.md#", "4913", "a.md.swp",
          "2023/z.md", "2023/m.md", "2023/q1/deep.md", "junk.bak/kept.md", "2023/.git/HEAD")
    (root / os.fsdecode(b"caf\xe9.md")).write_text("x", encoding="utf-8")  # a name that is not UTF-8
    touch(outside, "secret.md")
    (root / "inside-link.md").symlink_to(root / "a.md")
    (root / "folder-link").symlink_to(root / "2023", target_is_directory=True)
    (root / "out-link.md").symlink_to(outside / "secret.md")
    (root / "dangling.md").symlink_to(root / "gone.md")


#: What `discover` finds in `tricky_tree`, in order: each folder's files by name, then its folders.
TRICKY_FOUND = ["B.markdown", "a.md", "back\\slash.md", os.fsdecode(b"caf\xe9.md"), "inside-link.md", "with space.md",
                "x.png", "ünïcode.md", "2023/m.md", "2023/z.md", "2023/q1/deep.md", "junk.bak/kept.md"]


@pytest.mark.parametrize(("root_given", "shown_root", "prefix"), [
    ("content", "content", "content/"), ("content", "./content/", "content/"), ("content", ".", ""),
    ("content", "", ""), ("content/", None, "content/"), (".", None, ""),
])
def test_discover_of_a_tricky_tree_finds_each_file_once_in_order_with_its_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_given: str, shown_root: str | None, prefix: str
) -> None:
    tricky_tree(tmp_path / "content", tmp_path / "outside")
    monkeypatch.chdir(tmp_path / "content" if root_given == "." else tmp_path)
    root = Path(root_given)
    found, problems = discover(root, shown_root)
    assert [(f.path, f.rel, f.source, f.is_markdown) for f in found] == [
        (root / rel, PurePosixPath(rel), prefix + rel, not rel.endswith((".png", ".svg"))) for rel in TRICKY_FOUND
    ]
    assert [type(f.path) for f in found] == [type(root)] * len(found)
    assert [(d.code, d.path, d.message.split(";")[0]) for d in problems] == [
        ("symlink", prefix + "dangling.md", "this symbolic link leads nowhere (No such file or directory)"),
        ("symlink", prefix + "out-link.md", "this symbolic link points outside the content folder"),
    ]


#: The rule for editors' leftovers, as a pattern: what `is_editor_junk` must agree with.
EDITOR_JUNK = re.compile(
    r"(^\.#|^#.*#$|~$|\.sw[a-p]$|\.swx$|^4913$|\.tmp$|\.bak$|\.orig$|___jb_(tmp|old)___$|\.crswap$|^\.goutputstream-)"
)
NAME_PIECES = ["a", "md", ".", "#", "~", "\n", "sw", "swp", "swq", "swx", "4913", "tmp", "bak", "orig", "___jb_tmp___",
               "_old___", "crswap", "goutputstream-", " ", "é"]


@pytest.mark.parametrize(("name", "junk"), [
    ("a.md", False), ("notes.markdown", False), ("a.md~", True), (".a.md.swp", True), ("a.md.swa", True),
    ("a.md.swq", False), ("a.swx", True), ("4913", True), ("49134", False), ("#a.md#", True), ("#", False),
    ("#a\nb#", False), ("a.tmp\n", True), ("a.tmp\n\n", False), ("x.bak", True), ("x.orig", True),
    ("a.md___jb_tmp___", True), ("a.md___jb_old___", True), ("a.crswap", True), (".#a.md", True),
    (".goutputstream-XYZ", True), ("tmp", False), ("a.TMP", False), ("4913\n", True), ("##\n", True),
])
def test_editor_junk_by_name(name: str, junk: bool) -> None:
    assert read.is_editor_junk(name) is junk


@given(st.lists(st.sampled_from(NAME_PIECES), max_size=6).map("".join))
def test_editor_junk_agrees_with_its_rule_on_any_name(name: str) -> None:
    assert read.is_editor_junk(name) == (name.startswith(".") or bool(EDITOR_JUNK.search(name)))
