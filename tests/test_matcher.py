"""The gate's trigger matcher agrees with pathspec's own .gitignore matching, negations included,
with the needles that turn most paths away before any regex is compiled."""

from __future__ import annotations

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromoment.gate.rules import ChecklistRule, glob_needle

SEGMENTS = st.sampled_from(
    ["prompts", "evals", "src", "a", "b.txt", "x.jsonl", "llm", "data", "Docs", "v1.2"]
)
PATHS = st.lists(SEGMENTS, min_size=1, max_size=5).map("/".join)
PATTERN_PARTS = st.sampled_from(
    ["prompts", "evals", "src", "a", "*", "**", "*.txt", "x.*", "llm", "?", "data"]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(PATTERN_PARTS, min_size=1, max_size=4))
    text = "/".join(parts)
    if draw(st.booleans()):
        text = "/" + text
    if draw(st.booleans()):
        text += "/"
    return ("!" if draw(st.integers(0, 3)) == 0 else "") + text


def rule_of(lines: list[str]) -> ChecklistRule:
    return ChecklistRule("x", lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns(), min_size=1, max_size=4), st.lists(PATHS, min_size=1, max_size=6))
def test_the_gate_matches_what_pathspec_matches(lines: list[str], paths: list[str]) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    rule = rule_of(lines)
    for path in paths:
        assert rule.matches(path) == spec.match_file(path), (lines, path)
    # Many paths at once: the same verdicts, in the order given.
    assert rule.matching(paths, "\n".join(paths)) == [p for p in paths if spec.match_file(p)]


# Characters that mean something in a pattern, and plain ones, in any order: classes, escapes,
# negations, stray brackets and trailing spaces included.
AWKWARD = st.text(alphabet="ab.c/*?[]!\\ -^", min_size=1, max_size=12)
AWKWARD_PATHS = st.text(alphabet="ab.c/[]!\\ -^*?", min_size=1, max_size=14)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re's note on some of pathspec's regexes
@settings(max_examples=1500, deadline=None)
@given(AWKWARD, st.lists(AWKWARD_PATHS, min_size=1, max_size=8))
def test_every_path_a_pattern_matches_holds_its_needle(pattern: str, paths: list[str]) -> None:
    """The needle is a promise: a path without it cannot match, so it may be turned away unread."""
    try:
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception:  # not a pattern pathspec accepts: the checklist's own check refuses it
        return
    for compiled in spec.patterns:
        if not compiled.include or compiled.regex is None:
            continue
        needle = glob_needle(pattern)
        for path in paths:
            if compiled.regex.search(path.strip("/")):
                assert needle in path.strip("/"), (pattern, needle, path)


def test_needles_are_the_longest_plain_text_outside_any_class() -> None:
    assert [
        glob_needle(p)
        for p in (
            "**/*.csv",
            "prompts/",
            "db/migrations/**",
            "[Cc]hangelog*",
            "[!]b]cd",
            "a\\*bc",
            "x]y[z",
            "**",
            "notes  ",
            "\\!important",
            # A class's own text is never a needle: not when it is the longest run, not after
            # a `[` inside a class, not when the class holds a `]`, and not its last letter.
            "[abcdef]x",
            "[x[yz]w",
            "[]abc]x",
            "[abc]x",
        )
    ] == [
        ".csv",
        "prompts",
        "migrations",
        "hangelog",
        "cd",
        "bc",
        "x",
        "",
        "notes",
        "important",
        "x",
        "w",
        "x",
        "x",
    ]
    # One per pattern, in order, a negation's too; none for a comment or a blank.
    assert rule_of(["*.csv", "!keep.csv", "# evals", "", "evals/"]).needles == [".csv", "keep.csv", "evals"]


def test_exact_cases() -> None:
    rule = rule_of(["prompts/**", "!prompts/README.md", "**/*.prompt.md"])
    assert [
        rule.matches(p) for p in ("prompts/a.txt", "prompts/README.md", "docs/x.prompt.md", "docs/x.md")
    ] == [
        True,
        False,
        True,
        False,
    ]
    assert rule_of([]).matches("anything") is False
    assert rule_of(["/evals/"]).matches("evals/run.jsonl") is True
    assert rule_of(["/evals/"]).matches("src/evals/run.jsonl") is False
