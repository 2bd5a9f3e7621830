"""The YAML reader: safe, located, and quick to refuse hostile input."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from micromoment.errors import FileProblems
from micromoment.yamlio import dump_yaml, parse_yaml, read_yaml


def problem_of(text: str | bytes) -> str:
    with pytest.raises(FileProblems) as caught:
        parse_yaml(text, "f.yaml")
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_values_keep_their_line_and_column() -> None:
    located = parse_yaml("id: x\nitems:\n  - id: a\n    kind: text\n", "f.yaml")
    assert located.data == {"id": "x", "items": [{"id": "a", "kind": "text"}]}
    assert located.position(("items", 0, "kind")) == (4, 11)
    assert located.position(("items", 0, "kind"), key=True) == (4, 5)
    # a missing key is placed at its nearest enclosing value
    assert located.position(("items", 0, "owner")) == (3, 5)


def test_python_tags_are_refused_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
    assert "YAML tag !!python/object/apply:os.system is not allowed" in problem_of(text)
    assert not marker.exists()


def test_other_non_plain_tags_are_refused() -> None:
    assert problem_of("a: !!set {x, y}\n").startswith("f.yaml:1:4: a: YAML tag !!set")
    assert "!custom" in problem_of("a: !custom 3\n")


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    started = time.monotonic()
    tracemalloc.start()
    try:
        message = problem_of("\n".join(lines) + "\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "expands to more than" in message
    assert time.monotonic() - started < 5  # generous: it must not expand 9**9 values
    assert peak < 64 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_deep_nesting_is_refused_before_the_parser_recurses() -> None:
    depth = 50_000
    assert "nested deeper than 64 levels" in problem_of("[" * depth + "]" * depth)


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    assert (
        problem_of("id: a\ntitle: t\nid: b\n") == "f.yaml:3:1: id: duplicate key (first at line 1); keep one"
    )


def test_merge_keys_are_refused() -> None:
    assert "merge keys (<<) are not supported" in problem_of("base: &b {x: 1}\nother:\n  <<: *b\n")


def test_syntax_errors_carry_line_and_column() -> None:
    assert problem_of("id: x\ntitle: [unclosed\n").startswith("f.yaml:3:1: invalid YAML:")


def test_several_documents_are_refused() -> None:
    assert "more than one YAML document" in problem_of("a: 1\n---\nb: 2\n")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "f.yaml:1: is empty"),
        (b"# only a comment\n", "f.yaml:1: is empty"),
        (b"\x00\x01\x02binary", "not readable as UTF-8 YAML text"),
        (b"a: \xff\xfe\n", "not readable as UTF-8 YAML text"),
    ],
)
def test_empty_and_binary_input(raw: bytes, expected: str) -> None:
    assert expected in problem_of(raw)


def test_a_byte_order_mark_is_fine() -> None:
    assert parse_yaml("\ufeffa: 1\n".encode(), "f.yaml").data == {"a": 1}


def test_read_yaml_names_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(FileProblems, match="no such file"):
        read_yaml(tmp_path / "missing.yaml")
    with pytest.raises(FileProblems, match="is a folder"):
        read_yaml(tmp_path)


def test_dump_is_deterministic_and_uses_blocks_for_multiline_text() -> None:
    data = {"b": "one line", "a": "first\nsecond\n", "c": [1, 2]}
    text = dump_yaml(data)
    assert text == dump_yaml(data)
    assert text.splitlines()[0] == "b: one line"  # keys keep their order
    assert "a: |\n  first\n  second\n" in text
    assert text.endswith("\n")
    assert parse_yaml(text, "x").data == data
