"""The pure rules behind a trustworthy PR note: inert record text, shortening, the description section."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from micromoment.forge.sections import SECTION_END, SECTION_START, BrokenSection, upsert_section
from micromoment.records.markdown import ZERO_WIDTH, escape_text, neutralise, shorten

# What a forge would act on, written independently of markdown.py's patterns.
LIVE = [
    re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]"),
    re.compile(
        r"(?i)(?<![a-z0-9_])(?:close[sd]?|closing|fix(?:e[sd])?|fixing|resolve[sd]?|resolving)"
        r"\s*:?\s+(?:issues?\s+)?(?:#\d|gh-\d|[\w.-]+/[\w.-]+#\d|https?://)"
    ),
    re.compile(r"![0-9]|[~%][A-Za-z0-9_\"]"),
    re.compile(r"(?m)^[ \t]*/[A-Za-z]"),
]

# Text made of the pieces that matter, so Hypothesis meets them often and in odd orders.
PIECES = [
    "@", "octocat", "org/team", "fix", "fixes", "Fixed", "fixing", "close", "Closes", "closed", "closing",
    "Resolve", "RESOLVED", "resolves", "resolving", "issue", " ", ":", "\n", "\t",
    "#12", "acme/app#3", "GH-5", "https://github.com/a/b/issues/1", "/close", "/", "!4", "!", "~bug",
    "~", "%", '"', "a", "_", ".", "-", ",", "(", "é", "pat@example.com", "\u00a0", "`", "\\", ZERO_WIDTH,
]  # fmt: skip
texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.text(max_size=40))


@pytest.mark.parametrize(
    ("typed", "inert"),
    [
        ("ask @octocat", "ask @\u200doctocat"),
        ("@org/team", "@\u200dorg/team"),
        ("(cc @a_b, thanks.@dana-x)", "(cc @\u200da_b, thanks.@\u200ddana-x)"),
        ("é@x", "é@\u200dx"),
        ("pat@example.com", "pat@example.com"),
        ("fixes #12", "fixes\u200d #12"),
        ("close #1, FIX #2, Resolve #3", "close\u200d #1, FIX\u200d #2, Resolve\u200d #3"),
        ("closed GH-5 and fixed: a/b#6", "closed\u200d GH-5 and fixed\u200d: a/b#6"),
        ("Closes: acme/app#3", "Closes\u200d: acme/app#3"),
        (
            "RESOLVED https://github.com/acme/app/issues/9",
            "RESOLVED\u200d https://github.com/acme/app/issues/9",
        ),
        ("closing issues #4", "closing\u200d issues #4"),
        ("fix\n#7", "fix\u200d\n#7"),
        ("fix the grounding", "fix the grounding"),
        ("prefixes #12", "prefixes #12"),
        ("see !4, ~bug and %v1", "see !\u200d4, ~\u200dbug and %\u200dv1"),
        ("50 % done!", "50 % done!"),
        ("/close\n  /assign me\na/b", "/\u200dclose\n  /\u200dassign me\na/b"),
    ],
)
def test_neutralise_examples(typed: str, inert: str) -> None:
    assert neutralise(typed) == inert


@given(texts)
def test_neutralise_is_idempotent(text: str) -> None:
    once = neutralise(text)
    assert neutralise(once) == once


@given(texts.filter(lambda text: ZERO_WIDTH not in text))
def test_removing_the_zero_width_characters_restores_the_text(text: str) -> None:
    assert neutralise(text).replace(ZERO_WIDTH, "") == text


@given(texts)
@example("\xa0/close")  # escaping folds the no-break space away and the line starts with the action
def test_nothing_live_survives_neutralising_or_escaping(text: str) -> None:
    inert = neutralise(text)
    for shown in (inert, str(escape_text(inert))):
        for pattern in LIVE:
            assert not pattern.search(shown), (pattern.pattern, shown)


@pytest.mark.parametrize(
    ("text", "limit", "short"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("a" * 11, 10, "a" * 9 + "…"),
        ("word " * 4, 10, "word word…"),
        ("12345 7890abcdef", 10, "12345 789…"),  # the space is too far back to end at
        ("1234567 90abcdef", 10, "1234567…"),
    ],
)
def test_shorten(text: str, limit: int, short: str) -> None:
    assert shorten(text, limit) == short
    assert len(shorten(text, limit)) <= limit


outside = st.text(max_size=30).filter(lambda t: SECTION_START not in t and SECTION_END not in t)
notes = st.text(min_size=1, max_size=30).filter(
    lambda t: SECTION_START not in t and SECTION_END not in t and t.strip()
)


@given(outside, notes)
def test_upserting_twice_equals_upserting_once(body: str, note: str) -> None:
    once = upsert_section(body, note)
    assert upsert_section(once, note) == once
    assert once.count(SECTION_START) == 1 and once.count(SECTION_END) == 1


@given(outside, outside, outside, notes)
def test_text_outside_the_markers_is_unchanged(before: str, old: str, after: str, note: str) -> None:
    body = f"{before}{SECTION_START}{old}{SECTION_END}{after}"
    updated = upsert_section(body, note)
    assert updated == f"{before}{SECTION_START}\n{note.rstrip()}\n{SECTION_END}{after}"


@given(outside, notes)
def test_a_body_without_markers_keeps_all_of_its_text_first(body: str, note: str) -> None:
    assert upsert_section(body, note).startswith(body)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (f"a {SECTION_START} b", f"has 1 start marker {SECTION_START} and 0 end markers {SECTION_END}"),
        (
            f"a {SECTION_END} b {SECTION_START}",
            f"has 1 start marker {SECTION_START} and 1 end marker {SECTION_END} ({SECTION_END} first)",
        ),
        (
            f"{SECTION_START}{SECTION_START}{SECTION_END}",
            f"has 2 start markers {SECTION_START} and 1 end marker {SECTION_END}",
        ),
        (
            f"{SECTION_START}{SECTION_END}{SECTION_END}",
            f"has 1 start marker {SECTION_START} and 2 end markers {SECTION_END}",
        ),
        (f"a {SECTION_END}", f"has 0 start markers {SECTION_START} and 1 end marker {SECTION_END}"),
    ],
)
def test_broken_markers_are_refused(body: str, problem: str) -> None:
    with pytest.raises(BrokenSection) as raised:
        upsert_section(body, "note", "the description")
    assert raised.value.message.startswith(f"the description {problem}, so micromoment cannot tell")
