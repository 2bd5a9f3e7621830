"""promptfoo results documents: both layouts, tricky strings, the draw, broken files."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, write
from micromoment.capture.sample_files import hashed, read_rows
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


@pytest.mark.parametrize("layout", ["nested", "top-level"])
@pytest.mark.parametrize("indent", [None, 2])
def test_both_layouts_give_exactly_the_rows_json_load_finds(layout: str, indent: int | None) -> None:
    rows = [row(i) for i in range(13)]
    raw = json.dumps(document(rows, layout), indent=indent, ensure_ascii=indent is None).encode()
    got, digest = streamed(b"\xef\xbb\xbf" + raw + b"\n")
    assert got == list(enumerate(rows, start=1))
    assert digest == hashlib.sha256(b"\xef\xbb\xbf" + raw + b"\n").hexdigest()


@pytest.mark.parametrize("seed", [0, 7, 42, 2026])
def test_a_seed_draws_the_rows_the_whole_document_reading_drew(cli: Cli, repo: Path, seed: int) -> None:
    rows = [row(i) for i in range(60)]
    path = write(repo / "results.json", json.dumps(document(rows, "nested"), indent=2))
    # The draw the reading of the whole document made: every row offered in order to the same reservoir.
    # Algorithm R with the seed's generator: the i-th row takes a kept one's place with probability 4/i.
    rng, kept = random.Random(seed), []
    for index, each in enumerate(json.loads(path.read_text())["results"]["results"], start=1):
        if len(kept) < 4:
            kept.append((index, each))
        elif (slot := rng.randrange(index)) < 4:
            kept[slot] = (index, each)
    expected = [(index, each["response"]["output"]) for index, each in sorted(kept, key=lambda p: p[0])]
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
            "results.json:5: not valid JSON (Unterminated string starting at)",
        ),
        (
            ROWS_AT + "      [1, 2]\n    ]\n  }\n}\n",
            "results.json: results.results[1] must be a JSON object ({...})",
        ),
        (
            ROWS_AT + '      "text"\n    ]\n  }\n}\n',
            "results.json: results.results[1] must be a JSON object",
        ),
        (
            ROWS_AT + "      {oops}\n    ]\n  }\n}\n",
            "results.json:5: not valid JSON (Expecting property name",
        ),
        (
            ROWS_AT + ROW_B + "    ]\n  }\n}\n}\n",
            "results.json:9: not valid JSON (Extra data)",
        ),
        (ROWS_AT + ROW_B + "    ]\n  ]\n}\n", "results.json:7: not valid JSON (Expecting ',' delimiter)"),
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


def test_every_cut_of_a_document_is_refused_and_only_the_whole_one_read() -> None:
    raw = json.dumps(document([row(0), row(1)], "nested"), indent=1).encode()
    for end in range(len(raw)):
        with pytest.raises(MicromomentError):
            streamed(raw[:end])
    assert len(streamed(raw)[0]) == 2


def test_a_document_too_big_to_read_whole_is_refused_with_the_way_forward(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from micromoment.capture import sample_files

    raw = json.dumps(document([row(0)], "nested")).encode()
    monkeypatch.setattr(sample_files, "MAX_WHOLE_DOCUMENT_BYTES", len(raw))
    assert len(streamed(raw)[0]) == 1  # exactly at the limit: read
    monkeypatch.setattr(sample_files, "MAX_WHOLE_DOCUMENT_BYTES", len(raw) - 1)
    with pytest.raises(MicromomentError) as refused:
        streamed(raw)
    assert str(refused.value) == (
        f"results.json: a promptfoo results document over {len(raw) - 1} bytes is too big to read whole; "
        "save the results as CSV (promptfoo eval -o results.csv) and sample that"
    )
