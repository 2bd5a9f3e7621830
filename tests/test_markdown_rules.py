"""Markdown escaping pinned down: what people typed renders as exactly that text, and nothing more."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from micromoment.records.markdown import block_text, escape_cell, escape_text, is_web_address, link

# GitHub's Markdown as far as escaping is concerned: CommonMark, tables and ~~strikethrough~~.
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])

# Pieces that start Markdown syntax, so Hypothesis meets them often, at line starts and in runs.
PIECES = [
    "#", "##", "-", "--", "---", "+", "=", "===", "*", "_", "`", "```", "~", "~~", "|", "[", "]", "(", ")",
    "!", "<", ">", "&", "&amp;", "&#65;", "\\", "1.", "12)", "1234567890.", " ", "  ", "\t", "\n", "a", "b c",
    "<b>", "<!--", "http://x.io", ":", "'", '"', "é",
]  # fmt: skip
texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=10).map("".join), st.text(max_size=30))


def _shown(text: str) -> str:
    """Text as Markdown shows it: CommonMark replaces NUL with U+FFFD, whatever the escaping."""
    return text.replace("\x00", "\ufffd")


def _inline_text(tokens: list[Token]) -> list[str]:
    """The text of each paragraph, or a description of the first token that is not plain text."""
    out: list[str] = []
    for token in tokens:
        if token.type in {"paragraph_open", "paragraph_close"}:
            continue
        if token.type != "inline":
            return [f"block {token.type}"]
        parts = []
        for child in token.children or []:
            if child.type == "text":
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append("\n")
            else:
                return [f"inline {child.type}"]
        out.append("".join(parts))
    return out


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("plain words", "plain words"),
        ("  spaced\tout\nover lines  ", "spaced out over lines"),
        ("a*b_c`d[e]f|g~h\\i", "a\\*b\\_c\\`d\\[e\\]f\\|g\\~h\\\\i"),
        ("<b> & </b>", "&lt;b&gt; &amp; &lt;/b&gt;"),
        ('"quoted"', '"quoted"'),
        ("# title", "\\# title"),
        ("### title", "##\\# title"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("=", "\\="),
        ("---", "--\\-"),
        ("-- -", "-\\- -"),
        ("1. first", "1\\. first"),
        ("12) twelfth", "12\\) twelfth"),
        ("123456789. nine digits", "123456789\\. nine digits"),
        ("1234567890. ten digits", "1234567890. ten digits"),
        ("1.5 litres", "1.5 litres"),
        ("#hashtag", "#hashtag"),
        ("-5 degrees", "-5 degrees"),
        ("a - b", "a - b"),
        ("", ""),
        (42, "42"),
    ],
)
def test_escape_text_examples(typed: object, escaped: str) -> None:
    assert str(escape_text(typed)) == escaped


@given(texts)
@example("---")
@example("### heading")
@example("-- -")
def test_escaped_text_renders_as_exactly_the_text(text: str) -> None:
    typed = _shown(" ".join(text.split()))
    tokens = GFM.parse(str(escape_text(text)))
    assert _inline_text(tokens) == ([typed] if typed else [])


@given(texts)
@example("a\n---")
@example("a\n===")
@example("a\n--")
def test_a_block_renders_as_its_lines(text: str) -> None:
    lines = [_shown(" ".join(line.split())) for line in text.splitlines() if line.strip()]
    tokens = GFM.parse(str(block_text(text)))
    assert _inline_text(tokens) == (["\n".join(lines)] if lines else [])


@given(texts)
@example("a\n---")
def test_a_cell_stays_in_its_cell(text: str) -> None:
    cell = str(escape_cell(text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert cell == "<br>".join(str(escape_text(line)) for line in lines if line)
    table = GFM.parse(f"| a | b |\n| --- | --- |\n| {cell} | end |\n")
    cells = [t for t in table if t.type == "inline"]
    assert [c.content for c in cells[:2]] == ["a", "b"]
    assert cells[3].content == "end"  # the typed text ended no cell early
    assert all(child.type in {"text", "html_inline"} for child in cells[2].children or [])
    html = [child.content for child in cells[2].children or [] if child.type == "html_inline"]
    assert html == ["<br>"] * cell.count("<br>")


def test_escape_cell_examples() -> None:
    assert str(escape_cell("one\n\n  two *x*  \nthree")) == "one<br>two \\*x\\*<br>three"
    assert str(escape_cell("\n\n")) == ""
    assert str(escape_cell("a|b")) == "a\\|b"


def test_block_text_examples() -> None:
    assert str(block_text("first  line\n\n   \n# second")) == "first line  \n\\# second"
    assert str(block_text(" \n ")) == ""
    assert str(block_text("one")) == "one"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("https://example.com/a?b=1#c", "<https://example.com/a?b=1#c>"),
        ("  http://example.com  ", "<http://example.com>"),
        ("HTTPS://example.com", "HTTPS://example.com"),
        ("ftp://example.com", "ftp://example.com"),
        ("https://", "https://"),
        ("https://a b", "https://a b"),
        ("https://a>b", "https://a&gt;b"),
        ("https://a<b", "https://a&lt;b"),
        ("https://a|b", "https://a\\|b"),
        ('https://a"b', 'https://a"b'),
        ("https://a'b", "https://a'b"),
        ("https://a`b", "https://a\\`b"),
        ("https://a\\b", "https://a\\\\b"),
        ("see https://example.com", "see https://example.com"),
        ("https://example.com and more", "https://example.com and more"),
        ("*bold*", "\\*bold\\*"),
    ],
)
def test_link(typed: str, shown: str) -> None:
    assert str(link(typed)) == shown
    assert is_web_address(typed) is shown.startswith("<")


@given(texts)
@example("http://x.io[")  # kept as an address, which CommonMark percent-encodes
def test_a_link_is_a_working_link_or_plain_text(text: str) -> None:
    shown = str(link(text))
    children = [child for t in GFM.parse(shown) if t.type == "inline" for child in t.children or []]
    if is_web_address(text):
        assert [c.type for c in children] == ["link_open", "text", "link_close"]
        # The address itself, as CommonMark percent-encodes it (`[` is %5B): the same resource.
        assert children[0].attrs["href"] == GFM.normalizeLink(text.strip())
    else:
        assert all(c.type in {"text", "softbreak"} for c in children)


@pytest.mark.parametrize(
    ("text", "limit", "short"),
    [
        ("aaaaaaaa\nbbbbbb", 11, "aaaaaaaa…"),  # a line break is a word boundary
        ("aaaaaaaa\tbbbbbb", 11, "aaaaaaaa…"),  # and so is a tab
        ("a bbbbbb cccc", 11, "a bbbbbb…"),  # the last boundary, not the first
        ("a\nbbbbbb\ncccc", 11, "a\nbbbbbb…"),
        ("a\tbbbbbb\tcccc", 11, "a\tbbbbbb…"),
        ("abcdefg i jk", 10, "abcdefg i…"),  # the cut falls on a space: nothing is half a word
        ("aaaaaaaaaaaaa bbbbbbbbbb", 20, "aaaaaaaaaaaaa bbbbb…"),  # 13 < 20 * 3 // 4: too far back
        ("aaaaaaaaaaaaaaa bbbbbbbb", 20, "aaaaaaaaaaaaaaa…"),  # 15: near enough
        ("  abcdefghij", 6, "  abc…"),  # leading spaces are the person's
        ("abcd   efghij", 8, "abcd…"),  # spaces before the ellipsis go
    ],
)
def test_shorten_at_word_boundaries(text: str, limit: int, short: str) -> None:
    from micromoment.records.markdown import shorten

    assert shorten(text, limit) == short


@given(st.text(max_size=40), st.integers(min_value=1, max_value=40))
def test_shorten_keeps_a_prefix_within_the_limit(text: str, limit: int) -> None:
    from micromoment.records.markdown import shorten

    short = shorten(text, limit)
    if len(text) <= limit:
        assert short == text
    else:
        assert len(short) <= limit and short.endswith("…")
        assert text.startswith(short[:-1]) and short[:-1] == short[:-1].rstrip()
