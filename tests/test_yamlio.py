"""The YAML reader: safe, located, and quick to refuse hostile input."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from micromoment import yamlio
from micromoment.errors import FileProblems
from micromoment.yamlio import dump_yaml, parse_yaml, read_limited, read_yaml


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
    # libyaml's own limit (PyYAML 6.0.4) fires at 1,000 levels; micromoment names level 65, on every version.
    depth = 50_000
    deep = "f.yaml:1:65: nested deeper than 64 levels; flatten the file"
    assert problem_of("[" * depth + "]" * depth) == deep
    assert problem_of("a: " + "{b: " * depth + "1" + "}" * depth) == deep.replace(
        ":65:", ":256:"
    )  # the 64th "{b: " opens level 65
    block = "".join(" " * level + "a:\n" for level in range(2_000)) + " " * 2_000 + "b: 1\n"
    assert problem_of(block) == "f.yaml:65:65: nested deeper than 64 levels; flatten the file"


def test_nesting_at_the_limit_is_read() -> None:
    data = parse_yaml("[" * 64 + "]" * 64, "f.yaml").data
    for _ in range(63):
        data = data[0]
    assert data == []
    assert problem_of("[" * 65 + "]" * 65) == "f.yaml:1:65: nested deeper than 64 levels; flatten the file"


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "due: 2026-02-30\n",
            "f.yaml:1:6: due: '2026-02-30' is not a real date or time (day is out of range for month); "
            "write a date as YYYY-MM-DD or a time as 2026-11-22T09:30:00Z, or quote it if it is text",
        ),
        (
            "at: 2026-11-22T25:00:00Z\n",
            "f.yaml:1:5: at: '2026-11-22T25:00:00Z' is not a real date or time (hour must be in 0..23); "
            "write a date as YYYY-MM-DD or a time as 2026-11-22T09:30:00Z, or quote it if it is text",
        ),
        (
            "at: 2026-11-22T10:00:00+99:00\n",
            "f.yaml:1:5: at: '2026-11-22T10:00:00+99:00' is not a real date or time (no such date or time); "
            "write a date as YYYY-MM-DD or a time as 2026-11-22T09:30:00Z, or quote it if it is text",
        ),
        (
            "a:\n  - !!bool maybe\n",
            "f.yaml:2:5: a[0]: 'maybe' is not true or false; write true or false, or quote it if it is text",
        ),
        (
            "n: !!int x\n",
            "f.yaml:1:4: n: 'x' is not a number; write digits such as 5 or 0.5, or quote it if it is text",
        ),
        (
            "minutes: .inf\n",
            "f.yaml:1:10: minutes: .inf is not a finite number; write a number such as 5 or 0.5",
        ),
        (
            "x: {minutes: -.Inf}\n",
            "f.yaml:1:14: x.minutes: -.Inf is not a finite number; write a number such as 5 or 0.5",
        ),
        ("score: .nan\n", "f.yaml:1:8: score: .nan is not a finite number; write a number such as 5 or 0.5"),
        (
            "big: 1.0e+999\n",
            "f.yaml:1:6: big: 1.0e+999 is not a finite number; write a number such as 5 or 0.5",
        ),
        (
            "n: " + "9" * 5000 + "\n",
            "f.yaml:1:4: n: number 999999999999... is too long; micromoment numbers are small",
        ),
        (
            "n: 0x" + "f" * 5000 + "\n",
            "f.yaml:1:4: n: number 0xffffffffff... is too long; micromoment numbers are small",
        ),
        (
            f"n: {2**63}\n",
            "f.yaml:1:4: n: number 922337203685... is too large; micromoment numbers are small",
        ),
    ],
)
def test_dates_and_numbers_that_cannot_be_are_located_problems(text: str, expected: str) -> None:
    assert problem_of(text) == expected


def test_the_number_bounds_are_inclusive() -> None:
    top = 2**63 - 1
    assert parse_yaml(f"a: {top}\nb: -{top}\n", "f.yaml").data == {"a": top, "b": -top}
    assert parse_yaml("a: " + "0" * 63 + "7\n", "f.yaml").data == {"a": 7}  # 64 characters
    assert "is too long" in problem_of("a: " + "0" * 64 + "7\n")  # 65
    assert "is too large" in problem_of(f"a: -{top + 1}\n")


def test_keys_are_always_their_text() -> None:
    located = parse_yaml("1: a\nyes: b\n2026-02-30: c\n2026-01-01: d\n1.5: e\n~: f\n", "f.yaml")
    assert located.data == {"1": "a", "yes": "b", "2026-02-30": "c", "2026-01-01": "d", "1.5": "e", "~": "f"}
    assert all(isinstance(key, str) for key in located.data)
    assert problem_of("1: a\n'1': b\n") == "f.yaml:2:1: 1: duplicate key (first at line 1); keep one"


def test_depth_limit_is_exact() -> None:
    assert parse_yaml("[" * 64 + "]" * 64, "f.yaml").data is not None
    assert problem_of("[" * 65 + "]" * 65) == "f.yaml:1:65: nested deeper than 64 levels; flatten the file"


def test_alias_expansion_is_counted_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # root + key a + [1, 2] (3) + key b + the alias, sized once: 3 more = 9 values
    text = "a: &x [1, 2]\nb: *x\n"
    monkeypatch.setattr(yamlio, "MAX_VALUES", 9)
    assert parse_yaml(text, "f.yaml").data == {"a": [1, 2], "b": [1, 2]}
    monkeypatch.setattr(yamlio, "MAX_VALUES", 8)
    assert (
        problem_of(text)
        == "f.yaml:1:1: expands to more than 8 values (YAML aliases?); write the data out plainly"
    )


def test_the_alias_bomb_is_named_where_it_piles_up() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    started = time.monotonic()
    message = problem_of("\n".join(lines) + "\nreason: *i\n")
    assert time.monotonic() - started < 10  # expanding 9**6 values would take far longer
    # f is the first list too big on its own: 9**6 values
    assert message.startswith("f.yaml:6:4: expands to more than 200000 values")


def test_read_limited_allows_exactly_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a" * 10)
    assert read_limited(path, 10) == b"a" * 10
    with pytest.raises(FileProblems) as caught:
        read_limited(path, 9)
    assert str(caught.value) == f"{path}: larger than 9 bytes; not a file micromoment writes or reads"


def test_devices_and_pipes_are_refused_without_reading_them(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(FileProblems) as caught:
        read_yaml(link, "zero.yaml")
    assert (
        str(caught.value) == "zero.yaml: is not a regular file (a device or a pipe?); replace it with a file"
    )
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(FileProblems, match="is not a regular file"):
        read_yaml(pipe)  # without the check this would wait for a writer forever


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_names_the_permissions(tmp_path: Path) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(FileProblems) as caught:
        read_yaml(path, "locked.yaml")
    assert str(caught.value) == "locked.yaml: cannot read: Permission denied; check its permissions"
