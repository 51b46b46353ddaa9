"""Inline Markdown: plain words take a shortcut past the parser, and must come out exactly as the parser's way."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hindsite.core.config import SiteConfig
from hindsite.core.markup import DEEPEST, PARSER, inline_text, parse, render_inline, render_markdown, sanitise, text_of
from hindsite.normalise import normalise
from hindsite.read.files import discover, read_document

SHARED = Path(__file__).resolve().parents[3] / "shared"


def parsed_inline(text: str) -> str:
    """What `render_inline` gives when it parses every text."""
    return sanitise(PARSER.renderInline(text)) if text.strip() else ""


def check(text: str) -> None:
    assert render_inline(text) == parsed_inline(text)
    assert inline_text(text) == text_of(parsed_inline(text))


#: What tends to differ between the parser's way and a shortcut: quotes, spaces of every kind, punctuation
#: that starts no syntax on its own, characters the sanitiser writes as entities, controls, astral characters.
_TRICKY = (
    " \t\u00a0\u2000\u2028\u2029\u3000\u200b\ufeff\x0b\x0c\x1c\x85"
    "\"'!^#$%+-=@{}:|()./,;?"
    "aZ09éß東😀\ufffe\uffff\U0010ffff"
    "\\`*_~[]<>&\n\r\x00\x01\x7f\x9f"
)


@settings(max_examples=3000)
@given(st.text(st.sampled_from(_TRICKY), max_size=24))
@example('  a "b" c\'d  ')
@example("x\u00a0y\tz")
@example("a ! [b] ^[c] &amp; <i>")
def test_inline_shortcut_gives_what_the_parser_gives(text: str) -> None:
    check(text)


@settings(max_examples=3000)
@given(st.text(max_size=40))
def test_inline_shortcut_gives_what_the_parser_gives_for_any_text(text: str) -> None:
    check(text)


def _real_entries(folder: Path) -> list[str]:
    texts = []
    files, _ = discover(folder)
    for file in files:
        if file.is_markdown and file.rel.name != "README.md":
            incident = normalise(read_document(file), SiteConfig(root=folder))
            texts += [event.text for event in incident.timeline] + [item.text for item in incident.action_items]
    return texts


@pytest.mark.parametrize("name", ["seeds", "corpus"])
def test_inline_shortcut_gives_what_the_parser_gives_for_real_entries(name: str) -> None:
    if not (SHARED / name).is_dir():
        pytest.skip("../shared is missing; CI provides it")
    texts = _real_entries(SHARED / name)
    assert len(texts) > 20
    for text in texts:
        check(text)


# --- tags that name no HTML element -------------------------------------------------------------

@pytest.mark.parametrize(("markdown", "words"), [
    ("Queue depth < 10 made <OrderService> return 5xx", "Queue depth < 10 made <OrderService> return 5xx"),
    ("The List<Order> was empty", "The List<Order> was empty"),
    ("<OrderService/> and </OrderService> too", "<OrderService/> and </OrderService> too"),
    ("<order-service id=1> retried", "<order-service id=1> retried"),
    ("<OrderService>\n\nafter", "<OrderService> after"),  # a line of its own: an HTML block
    ("<div>\n<PaymentGateway> timed out\n</div>", "<PaymentGateway> timed out"),
])
def test_a_tag_that_names_no_html_element_reads_as_written(markdown: str, words: str) -> None:
    assert text_of(render_markdown(markdown)) == words


def test_html_elements_stay_markup_around_words_in_angle_brackets() -> None:
    html = render_markdown("<b>bold</b> <OrderService> <font color=red>red</font> <script>alert(1)</script>end")
    assert html == "<p><b>bold</b> &lt;OrderService&gt; red end</p>\n"


def test_an_image_on_a_line_of_its_own_shows_its_words() -> None:
    """The alt text of an image written on its own line after a list item's words is on the page, not only in an
    attribute; an image inside a sentence (a badge) is left as it is."""
    html = render_markdown("- 04:00 - the nodes rolled.\n![Rollout of the nodes](r.png)\n\nA ![badge](b.svg) inline.\n")
    assert '<span class="image-caption">Rollout of the nodes</span>' in html
    assert "badge</span>" not in html

# --- nesting deeper than the parser allows is flattened, never dropped ------------------------------

def nested_chain(depth: int, kinds: str) -> str:
    """`depth` lines, each opening a container inside the one before: `kinds` cycles through quote (`>`),
    bullet (`-`, `*`, `+`), numbered (`1`, `)`) and tab-indented bullet (`t`); word N sits at depth N."""
    lines, prefix = [], ""
    for depth_now in range(depth):
        kind = kinds[depth_now % len(kinds)]
        if kind == ">":
            lines.append(f"{prefix}> word{depth_now}")
            prefix += "> "
        elif kind in "-*+":
            lines.append(f"{prefix}{kind} word{depth_now}")
            prefix += "  "
        elif kind in "1)":
            marker = "1." if kind == "1" else "1)"  # only a list that starts at 1 may interrupt a paragraph
            lines.append(f"{prefix}{marker} word{depth_now}")
            prefix += " " * (len(marker) + 1)
        else:
            lines.append(f"{prefix}-\tword{depth_now}")
            prefix += "\t"
    return "\n".join(lines) + "\n\nafterword\n"


SHAPES = {"bullets": "-", "numbered": "1", "quotes and lists": ">->1", "quotes, lists and tabs": ">*1)+t>>-"}


@pytest.mark.parametrize("depth", [60, 200, 1000])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_word_of_deeply_nested_markdown_reaches_the_page(shape: str, depth: int) -> None:
    words = set(text_of(render_markdown(nested_chain(depth, SHAPES[shape]))).split())
    assert [f"word{n}" for n in range(depth) if f"word{n}" not in words] == []
    assert "afterword" in words


def test_nesting_at_the_limit_is_flattened_and_told_once_with_its_first_line() -> None:
    deepest_item = DEEPEST // 2 - 1  # a list item is two levels: its list and itself
    parsed = parse("intro\n\n" + nested_chain(200, "-"))
    assert parsed.too_deep == (2 + deepest_item, 200 - deepest_item)  # (first line, lines flattened)
    assert parse(nested_chain(deepest_item, "-")).too_deep is None
