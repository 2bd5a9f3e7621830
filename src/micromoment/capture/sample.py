"""Drawing a few real model outputs from an eval or log file: JSON Lines, CSV or promptfoo results, streamed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from micromoment.capture.guard import redact
from micromoment.errors import FileProblems, MicromomentError, NotFound, Problem
from micromoment.records import SampleSource

Format = Literal["jsonl", "csv", "promptfoo"]

MAX_LINE = 16 * 1024 * 1024  # one row bigger than this is not a model output; refuse rather than fill memory
MAX_DOCUMENT = 64 * 1024 * 1024  # promptfoo writes one JSON document; above this, ask for JSON Lines
EXCERPT_CHARS = 160
ID_DEFAULTS = ("id",)
PROMPT_DEFAULTS = ("prompt", "prompt.raw", "input", "question", "vars.question", "vars.input")
OUTPUT_DEFAULTS = ("output", "response.output", "response", "answer", "completion")
_MISSING = object()
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
# Control characters, and the invisible ones that reorder or hide text on screen.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Fields:
    """Which field of a row names it, holds the prompt and holds the output."""

    id: str | None
    prompt: str | None
    output: str


@dataclass(frozen=True)
class Drawn:
    """One drawn row, with its full prompt and output as clean text."""

    id: str
    line: int
    prompt: str
    output: str


@dataclass(frozen=True)
class Draw:
    source: SampleSource
    seed: int
    n: int
    outputs: list[Drawn]


@dataclass(frozen=True)
class DrawRequest:
    """What to draw: everything that makes a draw reproducible."""

    path: Path
    display: str
    n: int = 5
    seed: int | None = None
    id_field: str | None = None
    prompt_field: str | None = None
    output_field: str | None = None
    where: tuple[str, ...] = ()


def shown_path(root: Path, path: Path) -> str:
    """A path as a record keeps it: relative to the repository when inside it, so it reads the same for all."""
    from micromoment.locations import display_path

    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return display_path(path)


def clean_text(text: str) -> str:
    """Text as it can be shown safely: no terminal escapes, control or direction-changing characters."""
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _INVISIBLE.sub("", text.replace("\t", "    "))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of `text` on one line, with secrets and personal data masked before it is cut."""
    masked = redact(" ".join(clean_text(text).split()))
    return masked if len(masked) <= limit else masked[: limit - 1].rstrip() + "…"


def lookup(row: dict[str, Any], field: str) -> Any:
    """A field's value: an exact key first (CSV headers may hold dots), else a dotted path into objects."""
    if field in row:
        return row[field]
    value: Any = row
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, indent=2)


def field_names(row: dict[str, Any], prefix: str = "", depth: int = 2) -> list[str]:
    names = []
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and depth > 1:
            names += field_names(value, name + ".", depth - 1)
        else:
            names.append(name)
    return names


def detect_format(path: Path, display: str) -> Format:
    """JSON Lines, a promptfoo results document, or CSV, from the content rather than the name."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(MAX_LINE)
            while first and not first.strip():
                first = handle.readline(MAX_LINE)
    except FileNotFoundError:
        raise NotFound(f"{display}: no such file; name an eval results or log file") from None
    except OSError as exc:
        raise MicromomentError(f"{display}: cannot read: {exc.strerror or exc}") from None
    start = first.lstrip(b"\xef\xbb\xbf").lstrip()
    if not start:
        raise MicromomentError(f"{display}: the file is empty; point at a file with model outputs in it")
    if start[:1] == b"[":
        raise MicromomentError(
            f"{display}: a JSON list is not a format micromoment samples; write one JSON object per line (JSON Lines)"
        )
    if start[:1] != b"{":
        return "csv"
    try:
        data = json.loads(first)
    except ValueError:
        return "promptfoo"  # a JSON document spread over many lines
    return "promptfoo" if isinstance(data, dict) and _promptfoo_rows(data) is not None else "jsonl"


def _promptfoo_rows(document: dict[str, Any]) -> list[Any] | None:
    results = document.get("results")
    rows = results.get("results") if isinstance(results, dict) else None
    return rows if isinstance(rows, list) else None


class _Hashing(io.RawIOBase):
    """A binary stream that hashes every byte read through it, so the file is read once."""

    def __init__(self, raw: BinaryIO, hasher: Any) -> None:
        self.raw = raw
        self.hasher = hasher

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self.hasher.update(memoryview(buffer)[:count])
        return int(count or 0)


def _jsonl_rows(handle: BinaryIO, hasher: Any, display: str) -> Iterator[tuple[int, dict[str, Any]]]:
    line = 0
    while raw := handle.readline(MAX_LINE + 1):
        line += 1
        hasher.update(raw)
        if len(raw) > MAX_LINE:
            raise _problem(
                display, line, f"a row longer than {MAX_LINE // 2**20} MB; is this a log of outputs?"
            )
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            message = getattr(exc, "msg", str(exc))
            raise _problem(
                display, line, f"not valid JSON ({message}); each line must be one JSON object"
            ) from None
        if not isinstance(data, dict):
            raise _problem(display, line, "must be a JSON object ({...}), one per line")
        yield line, data


def _csv_rows(handle: BinaryIO, hasher: Any, display: str) -> Iterator[tuple[int, dict[str, Any]]]:
    text = io.TextIOWrapper(io.BufferedReader(_Hashing(handle, hasher)), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if not header:
            raise MicromomentError(f"{display}: no header row; CSV files need one naming the fields")
        seen = reader.line_num
        for values in reader:
            line, seen = seen + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise _problem(
                    display,
                    line,
                    f"has {len(values)} fields where the header has {len(header)}; quote commas inside a field",
                )
            yield line, dict(zip(header, values, strict=True))
    except UnicodeDecodeError:
        raise MicromomentError(f"{display}: not UTF-8 text; save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise _problem(display, reader.line_num, f"not valid CSV ({exc})") from None


def _promptfoo_document(
    handle: BinaryIO, hasher: Any, display: str, size: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    if size > MAX_DOCUMENT:
        raise MicromomentError(
            f"{display}: a {size / 2**20:.0f} MB JSON document is more than micromoment reads whole "
            f"({MAX_DOCUMENT // 2**20} MB); write the results as JSON Lines (promptfoo eval -o results.jsonl) and sample that"
        )
    raw = handle.read()
    hasher.update(raw)
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise _problem(
            display, getattr(exc, "lineno", None), f"not valid JSON ({getattr(exc, 'msg', exc)})"
        ) from None
    rows = _promptfoo_rows(document) if isinstance(document, dict) else None
    if rows is None:
        raise MicromomentError(
            f"{display}: not a promptfoo results file (no results.results list) and not JSON Lines; "
            "give promptfoo eval -o results.json output, JSON Lines or CSV"
        )
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise MicromomentError(f"{display}: results.results[{index - 1}] must be a JSON object")
        yield index, row


def _problem(display: str, line: int | None, message: str) -> FileProblems:
    return FileProblems([Problem(display, line, None, "", message)])


def parse_where(conditions: tuple[str, ...]) -> list[tuple[str, str]]:
    parsed = []
    for condition in conditions:
        field, equals, value = condition.partition("=")
        if not equals or not field.strip():
            raise MicromomentError(f"--where {condition!r}: write FIELD=VALUE, e.g. --where vars.lang=en")
        parsed.append((field.strip(), value))
    return parsed


def resolve_fields(request: DrawRequest, first: dict[str, Any], line: int) -> Fields:
    """The named fields, checked against the first row; unnamed ones from the usual names."""
    available = ", ".join(field_names(first)[:30])

    def named(field: str, option: str) -> str:
        if lookup(first, field) is _MISSING:
            raise MicromomentError(
                f"{request.display}: no field {field!r} in the rows (line {line} has: {available}); "
                f"name one of those with {option}"
            )
        return field

    def guessed(candidates: tuple[str, ...]) -> str | None:
        for field in candidates:
            value = lookup(first, field)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return field
        return None

    output = (
        named(request.output_field, "--output-field") if request.output_field else guessed(OUTPUT_DEFAULTS)
    )
    if output is None:
        raise MicromomentError(
            f"{request.display}: no output field found (looked for {', '.join(OUTPUT_DEFAULTS)}; "
            f"line {line} has: {available}); name it with --output-field FIELD"
        )
    prompt = (
        named(request.prompt_field, "--prompt-field") if request.prompt_field else guessed(PROMPT_DEFAULTS)
    )
    row_id = named(request.id_field, "--id-field") if request.id_field else guessed(ID_DEFAULTS)
    return Fields(id=row_id, prompt=prompt, output=output)


def draw(request: DrawRequest) -> Draw:
    """`n` rows drawn uniformly from the file in one streamed pass (reservoir sampling), reproducibly by seed.

    Memory holds the n rows kept so far and one row being read, whatever the file's size.
    """
    if request.n < 1:
        raise MicromomentError("-n must be 1 or more: how many outputs to read")
    seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
    fmt = detect_format(request.path, request.display)
    where = parse_where(request.where)
    rng = random.Random(seed)
    kept: list[tuple[int, dict[str, Any]]] = []
    fields: Fields | None = None
    rows = matched = 0
    hasher = hashlib.sha256()
    size = request.path.stat().st_size
    with request.path.open("rb") as handle:
        for line, row in _rows(fmt, handle, hasher, request.display, size):
            rows += 1
            if fields is None:
                fields = resolve_fields(request, row, line)
            if where and not _meets(row, where):
                continue
            if lookup(row, fields.output) is _MISSING:
                raise _problem(
                    request.display,
                    line,
                    f"no field {fields.output!r} in this row; every row needs its output",
                )
            matched += 1
            # Algorithm R: after k rows, row i replaces a kept one with probability k/i.
            if len(kept) < request.n:
                kept.append((line, row))
            else:
                slot = rng.randrange(matched)
                if slot < request.n:
                    kept[slot] = (line, row)
    if fields is None:
        raise MicromomentError(
            f"{request.display}: no rows in the file; point at a file with model outputs in it"
        )
    if not kept:
        raise MicromomentError(
            f"{request.display}: none of its {rows} rows meet {' and '.join(request.where)}; check the field and value"
        )
    source = SampleSource(
        path=request.display,
        format=fmt,
        size=size,
        sha256=hasher.hexdigest(),
        rows=rows,
        matched=matched,
        id_field=fields.id,
        prompt_field=fields.prompt,
        output_field=fields.output,
        where=list(request.where),
    )
    return Draw(source, seed, request.n, _drawn(sorted(kept, key=lambda pair: pair[0]), fields, fmt))


def _meets(row: dict[str, Any], where: list[tuple[str, str]]) -> bool:
    for field, wanted in where:
        value = lookup(row, field)
        if value is _MISSING or as_text(value) != wanted:
            return False
    return True


def _rows(
    fmt: Format, handle: BinaryIO, hasher: Any, display: str, size: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "jsonl":
        return _jsonl_rows(handle, hasher, display)
    if fmt == "csv":
        return _csv_rows(handle, hasher, display)
    return _promptfoo_document(handle, hasher, display, size)


def _drawn(kept: list[tuple[int, dict[str, Any]]], fields: Fields, fmt: Format) -> list[Drawn]:
    prefix = "row" if fmt == "promptfoo" else "line"
    named = []
    for line, row in kept:
        value = lookup(row, fields.id) if fields.id else _MISSING
        name = as_text(value).strip() if value is not _MISSING and value is not None else ""
        prompt = lookup(row, fields.prompt) if fields.prompt else _MISSING
        named.append(
            Drawn(
                id=clean_text(name) or f"{prefix}-{line}",
                line=line,
                prompt="" if prompt is _MISSING else clean_text(as_text(prompt)),
                output=clean_text(as_text(lookup(row, fields.output))),
            )
        )
    counts: dict[str, int] = {}
    for drawn in named:
        counts[drawn.id] = counts.get(drawn.id, 0) + 1
    # Two drawn rows with one id could not be told apart in a judgements file.
    return [
        Drawn(f"{d.id}@{prefix}-{d.line}", d.line, d.prompt, d.output) if counts[d.id] > 1 else d
        for d in named
    ]


def draw_json(result: Draw) -> dict[str, Any]:
    """The draw as `--json` prints it: masked excerpts only, so it is safe to paste anywhere."""
    return {
        "source": result.source.model_dump(mode="json"),
        "seed": result.seed,
        "n": result.n,
        "outputs": [
            {"id": d.id, "line": d.line, "prompt": excerpt(d.prompt), "output": excerpt(d.output)}
            for d in result.outputs
        ],
    }
