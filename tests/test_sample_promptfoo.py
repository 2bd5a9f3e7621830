"""promptfoo results documents read as a stream: both layouts, tricky strings, chunk edges, broken files."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Cli, write
from micromoment.capture import sample_files
from micromoment.capture.sample import Reservoir
from micromoment.capture.sample_files import JsonRows, hashed, read_rows
from micromoment.errors import MicromomentError

# Text that trips a scanner which does not track strings and escapes.
TRICKY = [
    'a "quoted" ] } word',
    "braces { [ ",
    "back\\slash\\",
    "\\u005d not an escape",
    "é ü 😀 \u2028",
    "]}],",
]


def row(i: int) -> dict[str, Any]:
    return {
        "testIdx": i,
        "prompt": {"raw": f"question {i} {TRICKY[i % len(TRICKY)]}"},
        "vars": {"note": TRICKY[(i + 1) % len(TRICKY)], "lang": "en" if i % 2 else "de"},
        "response": {"output": f"answer {i}"},
    }


def document(rows: list[Any], layout: str) -> dict[str, Any]:
    """A results document with keys before the rows whose values and names hold brackets and escapes."""
    noise = {"prompts": [{"raw": t, "label": "[{"} for t in TRICKY], 'odd "key" ]': TRICKY, "n": -1.5e3}
    if layout == "nested":
        return {"evalId": "e]}", **noise, "results": {**noise, "version": 3, "results": rows, "stats": {}}}
    return {"version": 1, **noise, "results": rows, "table": {"head": TRICKY, "body": [[1, None, True]]}}


def streamed(raw: bytes) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    hasher = hashlib.sha256()
    rows = list(read_rows("promptfoo", hashed(io.BytesIO(raw), hasher), "results.json"))
    return rows, hasher.hexdigest()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few characters, so rows, strings, escapes and numbers are cut at every place."""
    monkeypatch.setattr(sample_files, "CHUNK", 5)


@pytest.mark.parametrize("layout", ["nested", "top-level"])
@pytest.mark.parametrize("indent", [None, 2])
def test_both_layouts_stream_exactly_the_rows_json_load_finds(
    small_chunks: None, layout: str, indent: int | None
) -> None:
    rows = [row(i) for i in range(13)]
    raw = json.dumps(document(rows, layout), indent=indent, ensure_ascii=indent is None).encode()
    got, digest = streamed(b"\xef\xbb\xbf" + raw + b"\n")
    assert got == list(enumerate(rows, start=1))
    assert digest == hashlib.sha256(b"\xef\xbb\xbf" + raw + b"\n").hexdigest()


JSON_VALUES = st.recursive(
    st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@given(
    rows=st.lists(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4), max_size=6),
    layout=st.sampled_from(["nested", "top-level"]),
    chunk=st.integers(1, 40),
    ascii_only=st.booleans(),
)
def test_any_rows_stream_as_json_loads_reads_them_whatever_the_chunk_size(
    rows: list[dict[str, Any]], layout: str, chunk: int, ascii_only: bool
) -> None:
    raw = json.dumps(document(rows, layout), ensure_ascii=ascii_only).encode()
    original = sample_files.CHUNK
    sample_files.CHUNK = chunk
    try:
        got, digest = streamed(raw)
    finally:
        sample_files.CHUNK = original
    expected = json.loads(raw)["results"]
    expected = expected["results"] if layout == "nested" else expected
    assert got == list(enumerate(expected, start=1))
    assert digest == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("seed", [0, 7, 42, 2026])
def test_a_seed_draws_the_rows_the_whole_document_reading_drew(cli: Cli, repo: Path, seed: int) -> None:
    rows = [row(i) for i in range(60)]
    path = write(repo / "results.json", json.dumps(document(rows, "nested"), indent=2))
    # The draw the reading of the whole document made: every row offered in order to the same reservoir.
    reservoir = Reservoir(4, random.Random(seed))
    for index, each in enumerate(json.loads(path.read_text())["results"]["results"], start=1):
        reservoir.offer((index, each))
    expected = [
        (index, each["response"]["output"]) for index, each in sorted(reservoir.kept, key=lambda p: p[0])
    ]
    result = cli("sample", str(path), "-n", "4", "--seed", str(seed), "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [(o["line"], o["output"]) for o in shown["outputs"]] == expected
    assert shown["source"]["rows"] == 60 and shown["source"]["format"] == "promptfoo"
    assert shown["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_older_layout_on_one_line_is_detected_but_a_log_of_such_rows_stays_json_lines(
    cli: Cli, repo: Path
) -> None:
    one = write(repo / "old.json", json.dumps(document([row(1), row(2)], "top-level")) + "\n")
    shown = cli("sample", str(one), "--json", "--seed", "1")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["source"]["format"] == "promptfoo"
    assert [o["output"] for o in json.loads(shown.stdout)["outputs"]] == ["answer 1", "answer 2"]
    log_rows = [{"output": f"out {i}", "results": [i]} for i in range(3)]
    log = write(repo / "log.jsonl", "".join(json.dumps(r) + "\n" for r in log_rows))
    logged = cli("sample", str(log), "--json", "--seed", "1")
    assert logged.exit_code == 0, logged.output
    assert json.loads(logged.stdout)["source"]["format"] == "jsonl"
    assert json.loads(logged.stdout)["source"]["rows"] == 3


ROWS_AT = '{\n  "results": {\n    "results": [\n      {"response": {"output": "a"}},\n'
ROW_B = '      {"response": {"output": "b"}}\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ROWS_AT, "results.json:5: not valid JSON (the document ends early; was the file cut off?)"),
        (
            ROWS_AT + '      {"response": {"output": "b',
            "results.json:5: not valid JSON (a string is not closed; was the file cut off?)",
        ),
        (
            ROWS_AT + "      [1, 2]\n    ]\n  }\n}\n",
            "results.json:5: results.results[1] must be a JSON object ({...})",
        ),
        (
            ROWS_AT + '      "text"\n    ]\n  }\n}\n',
            "results.json:5: results.results[1] must be a JSON object",
        ),
        (
            ROWS_AT + "      {oops}\n    ]\n  }\n}\n",
            "results.json:5: not valid JSON (Expecting property name",
        ),
        (
            ROWS_AT + ROW_B + "    ]\n  }\n}\n}\n",
            "results.json:9: not valid JSON (more text after the end of the document)",
        ),
        (ROWS_AT + ROW_B + "    ]\n  ]\n}\n", "results.json:7: not valid JSON (expected , or })"),
        (
            '{\n  "results": {"stats": {"n": 1,}, "results": []}\n}\n',
            "results.json:2: not valid JSON (Expecting property",
        ),
        ('{\n  "results": {"results": [\n', "results.json:3: not valid JSON (the document ends early"),
        ('{\n  "results": {"results": {"a": 1}}\n}\n', "results.json: not a promptfoo results file"),
        (
            '{\n  "results": 3\n}\n',
            "results.json: not a promptfoo results file (no results.results or results list)",
        ),
    ],
)
def test_a_broken_document_exits_2_naming_the_file_and_the_line(
    cli: Cli, repo: Path, text: str, message: str
) -> None:
    result = cli("sample", str(write(repo / "results.json", text)), "--json")
    assert result.exit_code == 2, result.output
    assert result.stderr.removeprefix("micromoment: ").startswith(message), result.stderr
    assert "Traceback" not in result.output


def test_every_cut_of_a_document_is_refused_and_only_the_whole_one_read(small_chunks: None) -> None:
    raw = json.dumps(document([row(0), row(1)], "nested"), indent=1).encode()
    for end in range(len(raw)):
        with pytest.raises(MicromomentError):
            streamed(raw[:end])
    assert len(streamed(raw)[0]) == 2


def test_a_row_over_the_bound_is_refused_by_its_position(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sample_files, "MAX_LINE", 2**20)
    monkeypatch.setattr(sample_files, "CHUNK", 64 * 1024)
    rows = [row(0), {"response": {"output": "x" * (2**20 + 10)}}, row(2)]
    path = write(repo / "results.json", json.dumps(document(rows, "nested"), indent=2))
    result = cli("sample", str(path), "--json")
    assert result.exit_code == 2, result.output
    # The row's "{" opens two lines above its output.
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1) if '"xxxx' in text) - 2
    assert result.stderr.strip() == (
        f"results.json:{line}: results.results[1] is longer than 1 MB; "
        "is this a results file of model outputs?"
    )


def test_a_value_outside_the_rows_larger_than_the_bound_is_walked_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sample_files, "CHUNK", 256)
    table = {"head": TRICKY, "body": [["cell " + str(i) + " ]}", i] for i in range(400)]}
    doc = {"results": {"results": [row(0)], "table": table}, "after": "[{"}
    raw = json.dumps(doc).encode()
    hasher = hashlib.sha256()
    stream = JsonRows(hashed(io.BytesIO(raw), hasher), "results.json", 1000)
    assert list(stream.rows()) == [(1, row(0))]
    assert hasher.hexdigest() == hashlib.sha256(raw).hexdigest()
    broken = raw.replace(b'"cell 300 ]}", 300', b'"cell 300 ]}" 300')
    stream = JsonRows(io.BytesIO(broken), "results.json", 1000)
    with pytest.raises(MicromomentError, match=r"results\.json:1: not valid JSON \(Expecting ',' delimiter"):
        list(stream.rows())
    huge = json.dumps({"results": {"results": [], "note": "y" * 5000}}).encode()
    stream = JsonRows(io.BytesIO(huge), "results.json", 1000)
    with pytest.raises(MicromomentError, match="a value is longer than"):
        list(stream.rows())


def walk(raw: bytes, max_value: int = 1000) -> list[tuple[int, dict[str, Any]]]:
    return list(JsonRows(io.BytesIO(raw), "results.json", max_value).rows())


def test_only_the_first_rows_array_at_the_key_path_is_read(small_chunks: None) -> None:
    # A big object walked member by member still follows no key path: its inner results list is not the rows.
    config = {"results": [{"response": {"output": "not a row"}}], "pad": ["p" * 50] * 30}
    doc = {"config": config, "results": {"results": [row(0)], "results2": [row(5)]}}
    assert walk(json.dumps(doc).encode()) == [(1, row(0))]
    twice = b'{"results": {"results": [{"a": 1}], "results": [{"b": 2}]}}'
    assert walk(twice) == [(1, {"a": 1})]


def test_a_row_that_is_not_an_object_is_named_by_its_own_line_after_the_buffer_moved_on(
    small_chunks: None,
) -> None:
    raw = json.dumps(document([row(0), row(1), ["not", "an", "object"]], "nested"), indent=2).encode()
    line = raw.decode().splitlines().index('        "not",')  # the list's "[" is the line before
    with pytest.raises(
        MicromomentError, match=rf"^results\.json:{line}: results\.results\[2\] must be a JSON object"
    ):
        walk(raw)
