"""Text from files and arguments reaches the terminal without escape sequences, controls or bidi overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, PATIENCE, Cli, answer_item, git, spawn_micromoment, write
from micromoment.errors import printable

# YAML double-quoted escapes: clear screen, a forged hyperlink, carriage return, C1 CSI, bidi override.
EVIL_TITLE = r'"Evil\e[2J title\r \e]8;;http://x.test\e\\link\e]8;;\e\\ \u202Egnp \x9b31mend"'
CLEAN_TITLE = "Evil title link gnp end"
EVIL_QUESTION = r'"Did you\e[31m check\u2066 it?\a"'
CLEAN_QUESTION = "Did you check it?"
UNSAFE = ("\x1b", "\r", "\x07", "\x9b", "\u202e", "\u2066")


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Consoles 200 columns wide, so a table never wraps the strings the tests look for (a changed
    COLUMNS gets consoles of its own)."""
    monkeypatch.setenv("COLUMNS", "200")
    yield


def evil_checklist(repo: Path) -> Path:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Mini check", f"title: {EVIL_TITLE}")
    text = text.replace("question: Did you check the facts in five outputs?", f"question: {EVIL_QUESTION}")
    return write(repo / ".micromoment/checklists/mini.yaml", text)


def cells(output: str) -> set[str]:
    """Every table cell's text, as printed."""
    return {cell.strip() for line in output.splitlines() for cell in line.split("│")}


def assert_clean(output: str) -> None:
    for char in UNSAFE:
        assert char not in output, f"{char!r} reached the terminal"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[2Jb", "ab"),
        ("x\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\y", "xclicky"),
        ("osc\x1b]0;title\x07end", "oscend"),
        ("r\rs\x00\x7f", "rs"),
        ("c1\x9b31mz\x85", "c1z"),
        ("bidi\u202egnp.exe\u2066\u200f", "bidignp.exe"),
        ("keeps\nnew\tlines é 中 ✓", "keeps\nnew\tlines é 中 ✓"),
    ],
)
def test_printable_strips_sequences_and_controls(raw: str, clean: str) -> None:
    assert printable(raw) == clean
    assert printable(raw, one_line=True) == clean.replace("\n", " ").replace("\t", " ")


@given(st.text())
def test_printable_output_has_nothing_a_terminal_would_act_on(text: str) -> None:
    cleaned = printable(text)
    assert all(char.isprintable() or char in "\n\t" or not _is_control(char) for char in cleaned)
    assert printable(cleaned) == cleaned
    assert "\n" not in printable(text, one_line=True)


def _is_control(char: str) -> bool:
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or char in "\u061c\u200e\u200f"
        or 0x202A <= code <= 0x202E
        or (0x2066 <= code <= 0x2069)
    )


def test_list_and_show_print_cleaned_titles_and_questions(cli: Cli, repo: Path, wide: None) -> None:
    evil_checklist(repo)
    listed = cli("list")
    assert listed.exit_code == 0, listed.output
    assert_clean(listed.output)
    assert CLEAN_TITLE in cells(listed.stdout)
    shown = cli("show", "mini")
    assert shown.exit_code == 0, shown.output
    assert_clean(shown.output)
    assert CLEAN_TITLE in shown.stdout
    assert f"3. {CLEAN_QUESTION}" in shown.stdout


def test_log_and_todo_print_cleaned_subjects_and_follow_ups(cli: Cli, repo: Path, wide: None) -> None:
    write(repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    answers = write(
        repo / "answers.yaml",
        "data-kind: none\nfacts-checked:\n  answer: no\n"
        '  follow_up: {action: "Fix\\e[2J it\\u202E", owner: "Sam\\r\\x9b"}\n',
    )
    subject = "Launch\x1b[2J\u202e now\r"
    result = cli("review", "mini", "--answers", str(answers), "--subject", subject)
    assert result.exit_code == 0, result.output
    logged = cli("log")
    assert logged.exit_code == 0, logged.output
    assert_clean(logged.output)
    assert "Launch now — Pat Product" in cells(logged.stdout)
    todo = cli("todo")
    assert todo.exit_code == 0, todo.output
    assert_clean(todo.output)
    lines = [line.strip() for line in todo.stdout.splitlines()]
    assert lines[1] == "no due date · Sam" and lines[2] == "Fix it"


def test_lint_flags_control_characters_at_their_place(cli: Cli, repo: Path) -> None:
    evil_checklist(repo)
    result = cli("lint")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        ".micromoment/checklists/mini.yaml:3:8: title: contains the control character U+001B; remove it "
        "(escape sequences and bidi controls change what a terminal shows)",
        ".micromoment/checklists/mini.yaml:26:15: items[2].question: contains the control character U+001B; "
        "remove it (escape sequences and bidi controls change what a terminal shows)",
    ]


def test_lint_allows_paragraphs_only_where_they_are_meant(cli: Cli, repo: Path) -> None:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    write(
        repo / ".micromoment/checklists/mini.yaml", text.replace("title: Mini check", 'title: "Two\\nlines"')
    )
    result = cli("lint", ".micromoment/checklists/mini.yaml")
    assert result.exit_code == 2
    assert result.stdout == (
        ".micromoment/checklists/mini.yaml:3:8: title: contains the control character U+000A; remove it "
        "(escape sequences and bidi controls change what a terminal shows)\n"
    )
    write(repo / ".micromoment/checklists/mini.yaml", text)  # its guidance has a line break: fine
    assert cli("lint", ".micromoment/checklists/mini.yaml").exit_code == 0


def test_the_hook_prints_cleaned_titles_and_file_names(repo: Path) -> None:
    evil_checklist(repo)
    write(repo / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    write(repo / "prompts/a\x1b[2Jb\u202e.txt", "hello\n")
    git(repo, "add", "-A")
    done = subprocess.run(
        [sys.executable, "-m", "micromoment", "hook"],
        cwd=repo,
        env={**os.environ, "MICROMOMENT_NONINTERACTIVE": "1"},
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        start_new_session=True,
    )
    assert done.returncode == 1, done.stderr
    assert_clean(done.stderr)
    assert f"  mini ({CLEAN_TITLE}), for prompts/ab.txt" in done.stderr.splitlines()


def test_json_output_escapes_what_json_leaves_raw(cli: Cli, repo: Path) -> None:
    evil_checklist(repo)
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    assert "\\u202e" in result.stdout and "\\u009b" in result.stdout


def test_a_walk_through_and_a_rendered_record_in_a_real_terminal_are_clean(repo: Path) -> None:
    evil_checklist(repo)
    child = spawn_micromoment(repo, "review", "mini")
    child.expect_exact("Subject of this review")
    child.sendline("Refund prompt")
    answer_item(child, "1-2", "1")
    child.expect_exact(CLEAN_QUESTION)  # the question, cleaned, right before its prompt
    answer_item(child, "y / n / na", "y")
    answer_item(child, "Answer", "Sam")
    child.expect_exact("Save this review?")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before if isinstance(child.before, str) else ""
    assert child.exitstatus == 0, shown
    [record] = (repo / ".micromoment/reviews").glob("*.yaml")
    rendered = spawn_micromoment(repo, "render", record.stem, "--out", "-")
    rendered.expect(pexpect.EOF)
    rendered.close()
    assert rendered.exitstatus == 0
    text = rendered.before.replace("\r\n", "\n")  # the terminal's own line ends
    assert "Refund prompt" in text
    assert_clean(text)
