"""Trigger patterns are refused when `re` could backtrack on them for minutes; accepted ones match fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import FIXTURES, Cli, git, write
from micromoment.checklists import MAX_PATTERN_LENGTH, pattern_problem
from micromoment.gate.rules import ChecklistRule

PATHOLOGICAL = "a*a*a*a*a*a*a*a*a*a*a*b"
REALISTIC = [
    "prompts/**",
    "**/*.prompt.md",
    "src/**/llm/*.py",
    "evals/**/*.jsonl",
    "!docs/**",
    "prompts/",
    "*.py",
    "**/*_test_*.py",
    "a**b",
    r"\*literal\*stars\*everywhere",
    "[*][*][*]a*b",
]


@pytest.mark.parametrize("pattern", REALISTIC)
def test_realistic_patterns_are_accepted(pattern: str) -> None:
    assert pattern_problem(pattern) is None


SLOW = (
    "could take minutes to match a long path; use at most two `*` in a path segment, with a literal "
    "character between them, and two `**` and three wildcards in all: e.g. `*.prompt.md` instead of "
    "`*prompt*.*`, or several patterns"
)


@pytest.mark.parametrize(
    "pattern", [PATHOLOGICAL, "x/a*b*c*d", "**/x/**/y/**/z", "**/a*/**/b*", "src/*?*.py", "*[0-9]*"]
)
def test_slow_patterns_are_refused_with_the_rules_and_a_rewrite(pattern: str) -> None:
    assert pattern_problem(pattern) == f"pattern {pattern!r} {SLOW}"


def test_the_limits_sit_exactly_at_their_numbers() -> None:
    assert pattern_problem("a*b*c") is None
    assert pattern_problem("a*b*c*d") is not None
    assert pattern_problem("**/a/**/b") is None
    assert pattern_problem("**/a/**/b/**") is not None
    assert pattern_problem("**/a*b*c") is None  # three wildcards
    assert pattern_problem("**/a*/**/b") is None
    assert pattern_problem("*a?*") is None  # a literal keeps the two `*` apart
    assert pattern_problem("x" * MAX_PATTERN_LENGTH) is None
    assert pattern_problem("x" * (MAX_PATTERN_LENGTH + 1)) == (
        f"pattern {'x' * 40!r}... is {MAX_PATTERN_LENGTH + 1} characters long (at most 256); "
        "split it into several shorter patterns"
    )


# The worst patterns the limits accept, each with a path built to make its regex backtrack.
WORST_ACCEPTED = [
    ("?*a*/**/x", "a" * 2000 + "/a" * 1048),
    ("*a*/**/x", "a" * 2000 + "/a" * 1048),
    ("**/a*/**/b", "a/" * 2048),
    ("**/b/**/c", "/b" * 2048),
    ("a*a*b", "a" * 4096),
    ("**/a*a*b", "a" * 4096),
    ("**/*a*/x", ("a" * 63 + "/") * 64),
    ("**/?*a*?", ("a" * 63 + "/") * 64),
]


@pytest.mark.parametrize(("pattern", "path"), WORST_ACCEPTED)
def test_the_worst_accepted_patterns_match_a_4096_character_path_quickly(pattern: str, path: str) -> None:
    assert pattern_problem(pattern) is None
    assert len(path) == 4096
    rule = ChecklistRule("x", [pattern])
    started = time.perf_counter()
    rule.matches(path)
    assert time.perf_counter() - started < 10  # a pathological pattern takes minutes


def test_the_pathological_pattern_would_have_hung_the_matcher() -> None:
    # What the limit prevents: three `*` in one segment cost far more than two, even on an 800-character name.
    rule = ChecklistRule("x", ["a*a*a*b"])
    started = time.perf_counter()
    rule.matches("a" * 800)
    assert time.perf_counter() - started > 0.005


def _checklist_with(pattern: str) -> str:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    return text.replace('applies_to: ["prompts/"]', f'applies_to: ["prompts/", "{pattern}"]')


def test_lint_refuses_a_pathological_checklist_pattern_at_its_line(cli: Cli, repo: Path) -> None:
    write(repo / ".micromoment/checklists/mini.yaml", _checklist_with(PATHOLOGICAL))
    result = cli("lint")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f".micromoment/checklists/mini.yaml:6:26: applies_to[1]: pattern {PATHOLOGICAL!r} {SLOW}"
    ]


def test_lint_refuses_a_pathological_config_pattern(cli: Cli, repo: Path) -> None:
    write(
        repo / ".micromoment/config.yaml",
        f"checklists:\n  quick:\n    also_applies_to: ['{PATHOLOGICAL}']\n    applies_to: ['**/x/**/y/**/z']\n",
    )
    result = cli("lint", ".micromoment/config.yaml")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert [line.split(": ", 2)[:2] for line in lines] == [
        [".micromoment/config.yaml:4:18", "checklists.quick.applies_to[0]"],
        [".micromoment/config.yaml:3:23", "checklists.quick.also_applies_to[0]"],
    ]
    assert lines[0].endswith(f"pattern '**/x/**/y/**/z' {SLOW}")


@pytest.mark.parametrize("command", [["list"], ["check", "--staged"]])
def test_loading_refuses_the_pattern_before_matching_anything(
    cli: Cli, repo: Path, command: list[str]
) -> None:
    write(repo / ".micromoment/checklists/mini.yaml", _checklist_with(PATHOLOGICAL))
    write(repo / ("a" * 200 + ".txt"), "x\n")
    git(repo, "add", "-A")
    started = time.perf_counter()
    result = cli(*command)
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2
    assert result.stderr.startswith(".micromoment/checklists/mini.yaml:6:26: applies_to[1]: pattern ")
    assert "Traceback" not in result.output
