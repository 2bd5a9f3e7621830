"""The gate's trigger matcher agrees with pathspec's own .gitignore matching, negations included."""

from __future__ import annotations

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from micromoment.gate.policy import compile_patterns
from micromoment.gate.rules import ChecklistRule

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
    return ChecklistRule("x", "X", "1", "sha256:0", compile_patterns(lines))


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns(), min_size=1, max_size=4), st.lists(PATHS, min_size=1, max_size=6))
def test_the_gate_matches_what_pathspec_matches(lines: list[str], paths: list[str]) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    rule = rule_of(lines)
    for path in paths:
        assert rule.matches(path) == spec.match_file(path), (lines, path)


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
