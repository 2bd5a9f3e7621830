"""Reading outputs files row by row, whatever their size: JSON Lines, CSV and promptfoo's document all streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

from micromoment.capture.json_stream import HostileJson, JsonRows, decode_whole
from micromoment.errors import FileProblems, MicromomentError, NotFound, Problem
from micromoment.limits import MAX_OUTPUT_ROW_BYTES

Format = Literal["jsonl", "csv", "promptfoo"]

MAX_LINE = MAX_OUTPUT_ROW_BYTES  # a name of this module, so a test can lower it
# Where promptfoo puts its rows: newer versions nest them in the summary, older ones list them at the top.
PROMPTFOO_ROWS = (("results", "results"), ("results",))


def detect_format(path: Path, display: str) -> Format:
    """JSON Lines, a promptfoo results document, or CSV, from the content rather than the name."""
    try:
        with path.open("rb") as handle:
            first = _next_line(handle)
            fmt = _format_of(first, display)
            if fmt == "promptfoo?":
                # A top-level results list on one line is promptfoo's older layout only when nothing
                # follows it; a log whose rows happen to carry a results list has more rows below.
                return "jsonl" if _next_line(handle) else "promptfoo"
            return fmt
    except FileNotFoundError:
        raise NotFound(f"{display}: no such file; name an eval results or log file") from None
    except OSError as exc:
        raise MicromomentError(f"{display}: cannot read: {exc.strerror or exc}") from None


def _next_line(handle: BinaryIO) -> bytes:
    line = handle.readline(MAX_LINE)
    while line and not line.strip():
        line = handle.readline(MAX_LINE)
    return line


def _format_of(first: bytes, display: str) -> Format | Literal["promptfoo?"]:
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
        data = decode_whole(first)
    except HostileJson:
        return "jsonl"  # one line, whole but hostile: the row reader names it with its line
    except ValueError:
        return "promptfoo"  # a JSON document spread over many lines
    results = data.get("results") if isinstance(data, dict) else None
    if isinstance(results, dict) and isinstance(results.get("results"), list):
        return "promptfoo"
    return "promptfoo?" if isinstance(results, list) else "jsonl"


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
            data = decode_whole(raw)
        except HostileJson as exc:
            raise problem(display, line, exc.msg) from None
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


def _promptfoo_document(handle: BinaryIO, hasher: Any, display: str) -> Iterator[tuple[int, dict[str, Any]]]:
    stream = JsonRows(handle, hasher, display, PROMPTFOO_ROWS, MAX_LINE)
    yield from stream.rows()
    if stream.found is None:
        raise MicromomentError(
            f"{display}: not a promptfoo results file (no results.results or results list) and not JSON Lines; "
            "give promptfoo eval -o results.json output, JSON Lines or CSV"
        )


def problem(display: str, line: int | None, message: str) -> FileProblems:
    return FileProblems([Problem(display, line, None, "", message)])


def read_rows(
    fmt: Format, handle: BinaryIO, hasher: Any, display: str, size: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "jsonl":
        return _jsonl_rows(handle, hasher, display)
    if fmt == "csv":
        return _csv_rows(handle, hasher, display)
    return _promptfoo_document(handle, hasher, display)
