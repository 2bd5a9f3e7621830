"""Reading outputs files row by row, whatever their size: JSON Lines and CSV streamed, promptfoo's document bounded."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

from micromoment.errors import FileProblems, MicromomentError, NotFound, Problem

Format = Literal["jsonl", "csv", "promptfoo"]

MAX_LINE = 16 * 1024 * 1024  # one row bigger than this is not a model output; refuse rather than fill memory
MAX_DOCUMENT = 64 * 1024 * 1024  # promptfoo writes one JSON document; above this, ask for JSON Lines


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
            raise problem(
                display, line, f"a row longer than {MAX_LINE // 2**20} MB; is this a log of outputs?"
            )
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            message = getattr(exc, "msg", str(exc))
            raise problem(
                display, line, f"not valid JSON ({message}); each line must be one JSON object"
            ) from None
        if not isinstance(data, dict):
            raise problem(display, line, "must be a JSON object ({...}), one per line")
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
                raise problem(
                    display,
                    line,
                    f"has {len(values)} fields where the header has {len(header)}; quote commas inside a field",
                )
            yield line, dict(zip(header, values, strict=True))
    except UnicodeDecodeError:
        raise MicromomentError(f"{display}: not UTF-8 text; save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise problem(display, reader.line_num, f"not valid CSV ({exc})") from None


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
        raise problem(
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


def problem(display: str, line: int | None, message: str) -> FileProblems:
    return FileProblems([Problem(display, line, None, "", message)])


def read_rows(
    fmt: Format, handle: BinaryIO, hasher: Any, display: str, size: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "jsonl":
        return _jsonl_rows(handle, hasher, display)
    if fmt == "csv":
        return _csv_rows(handle, hasher, display)
    return _promptfoo_document(handle, hasher, display, size)
