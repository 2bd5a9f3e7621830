"""The fast YAML path is never looser than the located reader: same data, same types, or it steps aside."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cli, write
from micromoment import yamlio
from micromoment.errors import FileProblems
from micromoment.records import parse_record, record_from
from micromoment.yamlfast import UNSURE, LazyLocated, deeper_than, depth_bound, may_try, plain_data
from micromoment.yamlio import parse_located, parse_yaml
from test_hostile import DEON, KINDS, MINI, REVIEW_RECORD, SKIP_RECORD

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1, 1.0 and True are not the same value)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo == b.tzinfo
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def located_or_refused(raw: bytes | str) -> Any:
    try:
        return parse_located(raw, "f.yaml").data
    except FileProblems:
        return UNSURE


def assert_never_looser(raw: bytes | str) -> Any:
    fast = plain_data(raw)
    located = located_or_refused(raw)
    if fast is not UNSURE:
        assert located is not UNSURE, f"the fast path accepted what the located reader refuses: {raw!r}"
        assert same(fast, located), (raw, fast, located)
    return fast


def nesting_depth(text: str) -> int | None:
    """The deepest collection nesting in `text` from the event stream; None when it does not parse."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return deepest


# --- generated YAML-ish texts, hostile shapes included ------------------------------------------

KEYS = ["a", "b", "kind", "yes", "1", "~", "null", "2026-01-01", "2026-02-30", "<<", "'a'", '"b"', "[a]"]
KEYS += ["{a: b}", "&k a", "*k", "!!str k", "!t k", "? a", "1.5", "R&D", "a b", "-x"]
SCALARS = ["1", "-7", "0x1F", "0o17", "1_000", "1:30", "9" * 70, "9" * 19, str(2**63), str(-(2**63) + 1)]
SCALARS += ["1.5", "1e3", "1.0e+999", ".inf", "-.Inf", ".nan", ".NaN", "0.", "2026-11-22", "2026-02-30"]
SCALARS += [
    "2026-11-22T09:30:00Z",
    "2026-11-22T25:00:00Z",
    "2026-11-22 09:30:00",
    "2026-11-22T10:00:00+99:00",
]
SCALARS += ["yes", "No", "on", "TRUE", "null", "~", "", "'quoted'", '"dq\\n"', "text: colon", "&a 1", "*a"]
SCALARS += ["!!str 5", "!!int '7'", "!!bool maybe", "!!binary aGk=", "!!python/name:os.system", "!x y"]
SCALARS += ["[1, 2]", "{a: 1, a: 2}", "[a: b]", "[[[]]]", "{a: [b, {c: d}]}", "|\n  block\n", "R&D", "a*b"]
SCALARS += ["*bold*", "x # note", "'it''s'", "- - x", "'[1]'", "<<: *a", "'\u2028'", "\t"]
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
small_texts = st.text(alphabet=" \n\t-:[]{},&*!'\"#?|>ab019.~", max_size=60)

plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.dates()
    | st.datetimes(timezones=st.just(dt.timezone.utc)),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """Data dumped as YAML in block, flow or mixed style, sometimes with a list shared (an alias)."""
    value = draw(plain_values)
    if draw(st.booleans()):
        value = {"x": value, "y": value, "z": [value]}  # the same object twice: anchors and aliases
    style = draw(st.sampled_from([False, True, None]))
    return yaml.dump(value, Dumper=yaml.SafeDumper, default_flow_style=style, indent=draw(st.integers(2, 5)))


def nested(depth: int, block: bool) -> str:
    if block:
        return "".join("  " * level + "- \n" for level in range(depth - 1)) + "  " * depth + "x\n"
    return "[" * depth + "]" * depth


deep = st.integers(1, 90).flatmap(lambda n: st.booleans().map(lambda block: nested(n, block)))
texts = line_texts | small_texts | dumped() | deep


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_the_fast_path_gives_the_located_data_or_steps_aside(text: str) -> None:
    assert_never_looser(text)
    assert_never_looser(text.encode("utf-8"))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_the_depth_bound_is_never_below_the_real_depth(text: str) -> None:
    depth = nesting_depth(text)
    if depth is not None:
        assert depth_bound(text) >= depth, text


@given(texts, st.integers(-5, 80))
def test_the_one_search_agrees_with_the_depth_bound(text: str, limit: int) -> None:
    assert deeper_than(text, limit) == (depth_bound(text) > limit)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("a: R&D\n", True),
        ("a: 2*3!\n", True),
        ("a: *b\n", False),
        ("&a x\n", False),
        ("*a", False),
        ("[!t x]\n", False),
    ],
)
def test_only_a_property_in_token_position_costs_the_fast_path(text: str, fast: bool) -> None:
    assert (may_try(text) is not None) == fast


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("base", ["review", "skip", "checklist", "deon"])
def test_the_hostile_corpus_is_refused_by_both_or_read_alike(kind: str, base: str) -> None:
    text = {"review": REVIEW_RECORD, "skip": SKIP_RECORD, "checklist": MINI, "deon": DEON}[base]
    content = KINDS[kind](text)
    if not isinstance(content, (str, bytes)) or content in (
        "<folder>",
        "<unreadable>",
        "<link to /dev/zero>",
    ):
        return
    fast = assert_never_looser(content)
    refused = located_or_refused(content) is UNSURE
    # Each refusal is refused by the located reader, and the fast path steps aside for it.
    assert fast is UNSURE or not refused


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\n",  # an alias
        "a: !!str 5\n",  # a tag
        "a: 1\na: 2\n",  # a duplicate key
        "'1': a\n1: b\n",  # the same key text, quoted or not
        "<<: {a: 1}\n",  # a merge key
        "[a]: 1\n",  # a key that is not a plain value
        "n: " + "9" * 65 + "\n",
        f"n: {2**63}\n",
        "n: .nan\n",
        "n: -.inf\n",
        "d: 2026-02-30\n",
        "t: 2026-11-22T25:00:00Z\n",
        "[" * 65 + "]" * 65,
        "a: 1\r\nb: 2\r\n",  # another line break: the column screen would not see it
        "",
        "---\na: 1\n---\nb: 2\n",
    ],
)
def test_the_fast_path_steps_aside_for_what_needs_a_closer_look(text: str) -> None:
    assert plain_data(text) is UNSURE


def test_records_as_micromoment_writes_them_take_the_fast_path() -> None:
    for text in (REVIEW_RECORD, SKIP_RECORD, MINI):
        fast = plain_data(text.encode())
        assert fast is not UNSURE
        assert same(fast, parse_located(text, "f.yaml").data)


def test_keys_numbers_dates_and_the_bounds_match_exactly() -> None:
    top = 2**63 - 1
    text = f"1: a\nyes: {top}\n~: -{top}\nd: 2026-11-22\nt: 2026-11-22T09:30:00Z\nf: 0.5\nn: ~\nb: on\n"
    fast = plain_data(text)
    assert same(fast, parse_located(text, "f.yaml").data)
    assert fast == {
        "1": "a",
        "yes": top,
        "~": -top,
        "d": dt.date(2026, 11, 22),
        "t": dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.timezone.utc),
        "f": 0.5,
        "n": None,
        "b": True,
    }
    assert plain_data("a: " + "0" * 63 + "7\n") == {"a": 7}  # 64 characters, as the located reader
    assert plain_data("a: " + "0" * 64 + "7\n") is UNSURE  # 65


def test_the_value_count_includes_keys_as_the_located_reader_does(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: [1, 2]\nb: x\n"  # root, key a, the list and its 2 items, key b, x: 7 values
    monkeypatch.setattr(yamlio, "MAX_VALUES", 7)
    assert plain_data(text) == {"a": [1, 2], "b": "x"}
    assert located_or_refused(text) == {"a": [1, 2], "b": "x"}
    monkeypatch.setattr(yamlio, "MAX_VALUES", 6)
    assert plain_data(text) is UNSURE
    assert located_or_refused(text) is UNSURE


def test_the_depth_screen_is_exact_at_the_limit() -> None:
    assert depth_bound("a: 1\n") == 2
    assert depth_bound("- - x\n") == 2 * (4 + 1)
    assert depth_bound("a: [b: {c: d}]\n") == 2 + 2 + 1
    # 64 brackets are fine for the located reader but their bound (128 + 2) is over: step aside.
    assert may_try("[" * 31 + "]" * 31) is not None  # 2 + 62 = 64
    assert may_try("[" * 32 + "]" * 32) is None  # 66


def test_a_record_the_fast_path_declines_is_reported_by_the_located_reader() -> None:
    broken = REVIEW_RECORD.replace("subject: refund prompt\n", "subject: refund prompt\nsubject: again\n")
    with pytest.raises(FileProblems) as caught:
        parse_record(broken.encode(), "r.yaml")
    assert str(caught.value.problems[0]) == "r.yaml:6:1: subject: duplicate key (first at line 5); keep one"
    invalid = REVIEW_RECORD.replace("status: complete", "status: finished")
    with pytest.raises(FileProblems) as caught:
        parse_record(invalid.encode(), "r.yaml")
    with pytest.raises(FileProblems) as located:
        record_from(parse_located(invalid, "r.yaml"))
    assert [str(p) for p in caught.value.problems] == [str(p) for p in located.value.problems]
    assert str(caught.value.problems[0]) == "r.yaml:16:9: status: must be one of complete, incomplete"


def test_a_record_read_fast_equals_the_record_read_with_positions() -> None:
    for text in (REVIEW_RECORD, SKIP_RECORD):
        assert parse_record(text.encode(), "r.yaml") == record_from(parse_located(text, "r.yaml"))


def test_log_names_a_record_with_a_duplicate_key_by_line_and_column(cli: Cli, mini: Path) -> None:
    reviews = mini / ".micromoment" / "reviews"
    write(reviews / "2026-11-20-mini-0001.yaml", REVIEW_RECORD)
    write(reviews / "2026-11-22-broken.yaml", SKIP_RECORD.replace("kind: skip\n", "kind: skip\nkind: skip\n"))
    result = cli("log", "--json")
    assert result.exit_code == 0, result.output
    assert "2026-11-20-mini-0001" in result.stdout
    assert "2026-11-22-broken.yaml:2:1: kind: duplicate key (first at line 1); keep one" in result.output


def test_positions_of_a_fast_read_are_found_when_asked_for_and_match() -> None:
    fast = parse_yaml(REVIEW_RECORD, "r.yaml")
    located = parse_located(REVIEW_RECORD, "r.yaml")
    assert isinstance(fast, LazyLocated) and not isinstance(located, LazyLocated)
    assert "values" not in vars(fast)  # nothing located until a problem needs it
    assert (
        fast.position(("answers", 1, "follow_up", "due"))
        == located.position(("answers", 1, "follow_up", "due"))
        == (14, 73)
    )
    assert fast.values == located.values and fast.keys == located.keys
    assert same(fast.data, located.data)
    assert not isinstance(parse_yaml("a: &x 1\nb: *x\n", "f.yaml"), LazyLocated)
