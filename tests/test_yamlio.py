"""The YAML reader: safe, located, and quick to refuse hostile input."""

from __future__ import annotations

import datetime as dt
import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("a: &x [*x]\n", 4),
        ("a: &x {b: *x}\n", 4),
        ("a: &x [&y [*x]]\n", 8),  # the 64th level down is y
        # no alias inside itself, but 40 levels around an alias of 40 levels: the 64th is the 24th of a
        ("a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 40 + "*a" + "]" * 40 + "\n", 30),
    ],
)
def test_nesting_through_aliases_is_bounded_too(text: str, column: int) -> None:
    assert problem_of(text) == f"f.yaml:1:{column}: nested deeper than 64 levels; flatten the file"


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


# One reader for every layout: a record as micromoment writes it and the same record as PyYAML
# writes it (`yaml.safe_dump`, default style: sorted keys, sequences not indented) are read at
# the same speed, to the same data, and refused with the same located words.


def micromoment_text() -> str:
    from micromoment.identity import Person
    from micromoment.records import Answer, ChecklistRef, FollowUp, ReviewRecord, record_text

    when = dt.datetime(2026, 1, 6, 9, 30, tzinfo=dt.timezone.utc)
    checklist = ChecklistRef(
        id="quick", title="Two-minute check", version="1.0", content_hash="sha256:" + "0" * 64
    )
    record = ReviewRecord(
        id="2026-01-06-quick-00001",
        checklist=checklist,
        subject="change 1",
        who=Person(name="Ada", email="ada@example.com"),
        started_at=when,
        finished_at=when,
        answers=[
            Answer(
                item="data-into-tool", question="What data does it send?", answer="internal", answered_at=when
            ),
            Answer(
                item="outputs-looked-at",
                question="Did you read a few real outputs?",
                answer="no",
                answered_at=when,
                note="two answers were off:\nthe dates, and one name",
                follow_up=FollowUp(action="add the policy page", owner="engineering lead"),
            ),
        ],
        status="complete",
    )
    return record_text(record)


MM_TEXT = micromoment_text()
PY_TEXT = yaml.safe_dump(yaml.safe_load(MM_TEXT))
LAYOUTS = pytest.mark.parametrize("host", [MM_TEXT, PY_TEXT], ids=["micromoment", "pyyaml"])


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.lstrip("- ").startswith(start))


def test_both_layouts_read_to_the_same_data_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MM_TEXT.startswith("# A micromoment review record.") and PY_TEXT.startswith(
        "answers:\n- answer: internal\n"
    )
    expected = yamlio.parse_located(MM_TEXT, "r.yaml").data
    assert yamlio.parse_located(PY_TEXT, "r.yaml").data == expected
    assert expected["answers"][1]["note"] == "two answers were off:\nthe dates, and one name"
    assert expected["started_at"] == "2026-01-06T09:30:00Z" and expected["schema_version"] == 1

    def read_again(raw: bytes | str, display: str) -> yamlio.Located:
        raise AssertionError(f"{display} was read twice, though it breaks no rule")

    monkeypatch.setattr(yamlio, "parse_located", read_again)
    for text in (MM_TEXT, PY_TEXT, MM_TEXT.encode(), PY_TEXT.encode()):
        assert parse_yaml(text, "r.yaml").data == expected


def test_positions_are_found_when_first_asked_for() -> None:
    located = parse_yaml(PY_TEXT, "r.yaml")
    assert located.position(("answers", 1, "item")) == (11, 9)
    assert located.position(("answers", 1, "item"), key=True) == (11, 3)
    assert located.position(("answers", 1, "follow_up", "owner")) == (10, 12)
    assert parse_yaml(MM_TEXT, "r.yaml").position(("answers", 1, "item"), key=True) == (21, 3)
    asked: list[str] = []

    def name() -> str:
        asked.append("r.yaml")
        return "r.yaml"

    lazy = parse_yaml(MM_TEXT, name)
    assert asked == []  # a file with no problem is never named
    assert str(lazy.problem(("kind",), "x")) == "r.yaml:2:7: kind: x" and asked == ["r.yaml"]


@LAYOUTS
@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        (
            "subject: change 1",
            "subject: 2026-02-30",
            10,
            "subject: '2026-02-30' is not a real date or time (day is out of range for month); write a date as "
            "YYYY-MM-DD or a time as 2026-11-22T09:30:00Z, or quote it if it is text",
        ),
        (
            "answer: internal",
            "answer: 2026-01-01",
            11,
            "answers[0].answer: must be text (put it in quotes if it looks like a number, date or yes/no)",
        ),
        ("status: complete", "status: done", 9, "status: must be one of complete, incomplete"),
        (
            "name: Ada",
            "name: Ada\n  nickname: A",
            3,
            "who.nickname: unknown field; remove it or check its spelling",
        ),
        (
            "kind: review",
            "kind: review\nkind: skip",
            1,
            "kind: duplicate key (first at line {first}); keep one",
        ),
    ],
)
def test_a_record_made_invalid_the_same_way_names_the_same_problem(
    host: str, old: str, new: str, column: int, words: str
) -> None:
    from micromoment.records import record_from

    text = host.replace(old, new, 1)
    changed = new.splitlines()[-1].strip()
    with pytest.raises(FileProblems) as caught:
        record_from(parse_yaml(text, "r.yaml"))
    assert [str(p) for p in caught.value.problems] == [
        f"r.yaml:{line_of(text, changed)}:{column}: " + words.format(first=line_of(host, old))
    ]


def node_count(text: str) -> int:
    def size(node: yaml.Node) -> int:
        if isinstance(node, yaml.SequenceNode):
            return 1 + sum(map(size, node.value))
        if isinstance(node, yaml.MappingNode):
            return 1 + sum(size(k) + size(v) for k, v in node.value)
        return 1

    return size(yaml.compose(text, Loader=yaml.SafeLoader))


@LAYOUTS
@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (
            "extra: !!set {x, y}",
            8,
            "extra: YAML tag !!set is not allowed; micromoment reads plain YAML only (remove the tag)",
        ),
        (
            "extra: [!!binary aGk=]",
            9,
            "extra[0]: YAML tag !!binary is not allowed; micromoment reads plain YAML only (remove the tag)",
        ),
        ("extra: {<<: {x: 1}}", 9, "extra: merge keys (<<) are not supported; write the keys out"),
        ("extra: {? [a] : b}", 11, "a mapping key must be a plain value"),
        ("kind: skip", 1, "kind: duplicate key (first at line {first}); keep one"),
        ("extra: {1: a, '1': b}", 15, "extra.1: duplicate key (first at line {here}); keep one"),
        (
            "extra: 2026-02-30",
            8,
            "extra: '2026-02-30' is not a real date or time (day is out of range for month); write a date as "
            "YYYY-MM-DD or a time as 2026-11-22T09:30:00Z, or quote it if it is text",
        ),
        (
            "extra: !!bool maybe",
            8,
            "extra: 'maybe' is not true or false; write true or false, or quote it if it is text",
        ),
        (
            "extra: !!int x",
            8,
            "extra: 'x' is not a number; write digits such as 5 or 0.5, or quote it if it is text",
        ),
        ("extra: [1, .inf]", 12, "extra[1]: .inf is not a finite number; write a number such as 5 or 0.5"),
        ("extra: .nan", 8, "extra: .nan is not a finite number; write a number such as 5 or 0.5"),
        ("extra: " + "9" * 65, 8, "extra: number 999999999999... is too long; micromoment numbers are small"),
        (f"extra: -{2**63}", 8, "extra: number -92233720368... is too large; micromoment numbers are small"),
        ("extra: " + "[" * 64 + "]" * 64, 71, "nested deeper than 64 levels; flatten the file"),
    ],
)
def test_every_rule_is_refused_with_its_place_in_either_layout(
    host: str, line: str, column: int, words: str
) -> None:
    text = host + line + "\n"
    here = len(host.splitlines()) + 1
    expected = f"f.yaml:{here}:{column}: " + words.format(first=line_of(host, "kind: "), here=here)
    assert problem_of(text) == expected
    assert problem_of(text.encode()) == expected


@LAYOUTS
def test_the_value_limit_counts_keys_and_values_in_either_layout(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = node_count(host)
    monkeypatch.setattr(yamlio, "MAX_VALUES", count)
    assert parse_yaml(host, "f.yaml").data == yamlio.parse_located(MM_TEXT, "f.yaml").data
    monkeypatch.setattr(yamlio, "MAX_VALUES", count - 1)
    root = line_of(host, "answers:" if host is PY_TEXT else "kind:")
    words = f"expands to more than {count - 1} values (YAML aliases?); write the data out plainly"
    assert problem_of(host) == f"f.yaml:{root}:1: {words}"


@LAYOUTS
def test_aliases_are_expanded_into_copies_in_either_layout(host: str) -> None:
    data = parse_yaml(host + "extra: &x [1, {a: b}]\nmore: *x\n", "f.yaml").data
    assert data["extra"] == data["more"] == [1, {"a": "b"}]
    assert data["extra"] is not data["more"]  # changing one must not change the other


_KEYS = st.text(max_size=8)
_PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-yamlio.MAX_INT, yamlio.MAX_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=st.just(dt.timezone.utc)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


def typed(value: object) -> object:
    """The value with every type spelt out: True, 1 and 1.0 are equal in Python, not in a file."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


@settings(max_examples=300, deadline=None)
@given(_PLAIN)
def test_plain_data_dumped_by_pyyaml_reads_back_as_it_was(data: object) -> None:
    text = yaml.safe_dump(data)
    assert typed(parse_yaml(text, "f.yaml").data) == typed(data)
    assert typed(yamlio.parse_located(text, "f.yaml").data) == typed(data)


# Reading once without positions is never looser than the located reader: on texts of every
# shape, hostile ones included, both give the same data (and positions), or both refuse.

KEYS = [
    "a",
    "kind",
    "yes",
    "1",
    "~",
    "2026-02-30",
    "<<",
    "'a'",
    "[a]",
    "{a: b}",
    "&k a",
    "*k",
    "!!str k",
    "? a",
    "R&D",
]
SCALARS = [
    "1",
    "0x1F",
    "1:30",
    "9" * 70,
    str(2**63),
    "1e3",
    "1.0e+999",
    ".inf",
    ".nan",
    "2026-11-22",
    "2026-02-30",
]
SCALARS += [
    "2026-11-22T09:30:00Z",
    "2026-11-22T10:00:00+99:00",
    "yes",
    "~",
    "",
    "'q'",
    '"dq\\n"',
    "&a 1",
    "*a",
]
SCALARS += ["!!str 5", "!!bool maybe", "!!binary aGk=", "!x y", "[1, 2]", "{a: 1, a: 2}", "[a: b]", "[[[]]]"]
SCALARS += ["|\n  block\n", "*bold*", "x # note", "- - x", "<<: *a", "'\u2028'", "\t", "a\rb: c"]
PREFIXES = ["", "- ", "- - ", "? ", ": ", "-\t", "- ? "]

line = st.builds(
    lambda indent, prefix, key, scalar, form: (
        " " * indent + prefix + (f"{key}: {scalar}" if form == 0 else scalar if form == 1 else f"{key}:")
    ),
    st.integers(0, 8),
    st.sampled_from(PREFIXES),
    st.sampled_from(KEYS),
    st.sampled_from(SCALARS),
    st.integers(0, 2),
)
line_texts = st.lists(line, min_size=1, max_size=12).map(lambda lines: "\n".join(lines) + "\n")
small_texts = st.text(alphabet=" \n\r\t-:[]{},&*!'\"#?|>ab019.~", max_size=60)


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """Plain data as PyYAML dumps it in block, flow or mixed style, sometimes with a shared list."""
    value = draw(_PLAIN)
    if draw(st.booleans()):
        value = {"x": value, "y": value, "z": [value]}  # the same object thrice: an anchor and aliases
    style = draw(st.sampled_from([False, True, None]))
    return yaml.safe_dump(value, default_flow_style=style, indent=draw(st.integers(2, 5)))


def nested(depth: int, block: bool) -> str:
    if block:
        return "".join("  " * level + "- \n" for level in range(depth - 1)) + "  " * depth + "x\n"
    return "[" * depth + "]" * depth


deep = st.integers(1, 90).flatmap(lambda n: st.booleans().map(lambda block: nested(n, block)))


def outcome(read: Callable[[bytes | str, str], yamlio.Located], raw: bytes | str) -> object:
    try:
        located = read(raw, "f.yaml")
    except FileProblems as exc:
        return [str(problem) for problem in exc.problems]
    return typed(located.data), located.values, located.keys


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_texts | small_texts | dumped() | deep)
def test_reading_once_gives_what_the_located_reader_gives(text: str) -> None:
    for raw in (text, text.encode()):
        assert outcome(parse_yaml, raw) == outcome(yamlio.parse_located, raw)
