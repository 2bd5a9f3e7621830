"""Reading outputs files row by row: JSON Lines and CSV streamed, whatever their size; a promptfoo document whole."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Literal

from micromoment.errors import FileProblems, MicromomentError, NotFound, Problem
from micromoment.limits import MAX_NUMBER_TEXT, MAX_OUTPUT_ROW_BYTES, MAX_WHOLE_DOCUMENT_BYTES, size_text

Format = Literal["jsonl", "csv", "promptfoo"]
Rows = Iterator[tuple[int, dict[str, Any]]]

CHUNK = 1024 * 1024
# Where promptfoo puts its rows: newer versions nest them in the summary, older ones list them at the top.
PROMPTFOO_ROWS = (("results", "results"), ("results",))


class HostileJson(ValueError):
    """JSON that parses only at a cost no outputs file needs: nesting past the interpreter's
    recursion limit, or a number of more than MAX_NUMBER_TEXT characters."""


def _number(convert: Callable[[str], Any], text: str) -> Any:
    if len(text) > MAX_NUMBER_TEXT:
        raise HostileJson(f"a number {len(text):,} characters long; model outputs hold small numbers")
    return convert(text)


_NUMBERS: dict[str, Any] = {"parse_int": partial(_number, int), "parse_float": partial(_number, float)}


def _decode_whole(raw: bytes) -> Any:
    """json.loads, refusing hostile shapes as a HostileJson."""
    try:
        return json.loads(raw, **_NUMBERS)
    except RecursionError:
        raise HostileJson("nested too deep; model outputs are not nested hundreds of levels") from None


def problem(display: str, line: int | None, message: str) -> FileProblems:
    return FileProblems([Problem(display, line, None, "", message)])


GZIP_MAGIC = b"\x1f\x8b"
# What a file that holds no outputs most often is, known by its first bytes, so it is named as that.
_NOT_OUTPUTS = {
    b"PK\x03\x04": "a zip archive",
    b"PAR1": "a Parquet file",
    b"BZh": "a bzip2 file",
    b"\xfd7zXZ\x00": "an xz file",
    b"\x28\xb5\x2f\xfd": "a zstd file",
    b"SQLite format 3\x00": "an SQLite database",
    b"%PDF": "a PDF",
}
# A gzip stream that is cut short or damaged fails with any of these while it is read.
GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def open_outputs(path: Path, display: str) -> BinaryIO:
    """The outputs file's bytes, decompressed when it is gzip (`.jsonl.gz`, `.csv.gz`: known by
    its first bytes, whatever its name); a file of another known kind is named as what it is."""
    with path.open("rb") as probe:
        magic = probe.read(16)
    if magic.startswith(GZIP_MAGIC):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    what = next((what for start, what in _NOT_OUTPUTS.items() if magic.startswith(start)), None)
    if what is not None:
        raise MicromomentError(
            f"{display}: {what}, not outputs micromoment reads; give JSON Lines, CSV or promptfoo "
            "results, as they are or gzip-compressed"
        )
    return path.open("rb")


def detect_format(path: Path, display: str) -> Format:
    """JSON Lines, a promptfoo results document, or CSV, from the content rather than the name."""
    try:
        with open_outputs(path, display) as handle:
            first = _next_line(handle)
            start = first.lstrip(b"\xef\xbb\xbf").lstrip()
            if not start:
                raise MicromomentError(
                    f"{display}: the file is empty; point at a file with model outputs in it"
                )
            if start[:1] == b"[":
                raise MicromomentError(
                    f"{display}: a JSON list is not a format micromoment samples; write one JSON object per line (JSON Lines)"
                )
            if start[:1] != b"{":
                return "csv"
            try:
                data = _decode_whole(first)
            except HostileJson:
                return "jsonl"  # one line, whole but hostile: the row reader names it with its line
            except ValueError:
                return "promptfoo"  # a JSON document spread over many lines
            # A results document on one line is one only when nothing follows it; a log whose rows
            # happen to carry a results list has more rows below.
            return "promptfoo" if _rows_in(data) and not _next_line(handle) else "jsonl"
    except FileNotFoundError:
        raise NotFound(f"{display}: no such file; name an eval results or log file") from None
    except GZIP_ERRORS:
        raise _damaged(display) from None
    except OSError as exc:
        raise MicromomentError(f"{display}: cannot read: {exc.strerror or exc}") from None


def _next_line(handle: BinaryIO) -> bytes:
    lines = iter(partial(handle.readline, MAX_OUTPUT_ROW_BYTES), b"")
    return next((line for line in lines if line.strip()), b"")


def _rows_in(document: Any) -> tuple[str, list[Any]] | None:
    """Where promptfoo keeps the rows of a results document, and the rows; None when it has none."""
    for path in PROMPTFOO_ROWS:
        rows = document
        for key in path:
            rows = rows.get(key) if isinstance(rows, dict) else None
        if isinstance(rows, list):
            return ".".join(path), rows
    return None


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


def hashed(handle: BinaryIO, hasher: Any) -> BinaryIO:
    """`handle`, with every byte read from it fed to `hasher`."""
    return io.BufferedReader(_Hashing(handle, hasher), CHUNK)


def read_rows(fmt: Format, handle: BinaryIO, display: str) -> Rows:
    """Each row with its line (its position in a promptfoo document); the file is read to its end."""
    try:
        yield from {"jsonl": _jsonl_rows, "csv": _csv_rows, "promptfoo": _promptfoo_rows}[fmt](
            handle, display
        )
    except GZIP_ERRORS:
        raise _damaged(display) from None


def _damaged(display: str) -> MicromomentError:
    return MicromomentError(f"{display}: a gzip file that is damaged or cut short; compress it again")


def _jsonl_rows(handle: BinaryIO, display: str) -> Rows:
    line = 0
    while raw := handle.readline(MAX_OUTPUT_ROW_BYTES + 1):
        line += 1
        if len(raw) > MAX_OUTPUT_ROW_BYTES:
            raise problem(
                display,
                line,
                f"a row longer than {MAX_OUTPUT_ROW_BYTES // 2**20} MB; is this a log of outputs?",
            )
        if not raw.strip():
            continue
        try:
            data = _decode_whole(raw)
        except HostileJson as exc:
            raise problem(display, line, str(exc)) from None
        except ValueError as exc:
            message = getattr(exc, "msg", str(exc))
            raise problem(
                display, line, f"not valid JSON ({message}); each line must be one JSON object"
            ) from None
        if not isinstance(data, dict):
            raise problem(display, line, "must be a JSON object ({...}), one per line")
        yield line, data


def _csv_rows(handle: BinaryIO, display: str) -> Rows:
    reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
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


def _promptfoo_rows(handle: BinaryIO, display: str) -> Rows:
    # A results document is read whole: unlike a log, it is one JSON value, and json reads it in C.
    data = handle.read(MAX_WHOLE_DOCUMENT_BYTES + 1)
    if len(data) > MAX_WHOLE_DOCUMENT_BYTES:
        raise MicromomentError(
            f"{display}: a promptfoo results document over {size_text(MAX_WHOLE_DOCUMENT_BYTES)} is too big "
            "to read whole; save the results as CSV (promptfoo eval -o results.csv) and sample that"
        )
    try:
        document = _decode_whole(data)
    except HostileJson as exc:
        raise problem(display, None, str(exc)) from None
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(exc.doc.rstrip())
        message = "the document ends early; was the file cut off?" if cut else exc.msg
        raise problem(display, exc.lineno, f"not valid JSON ({message})") from None
    except UnicodeDecodeError:
        raise MicromomentError(f"{display}: not UTF-8 text; JSON files are UTF-8") from None
    found = _rows_in(document)
    if found is None:
        raise MicromomentError(
            f"{display}: not a promptfoo results file (no results.results or results list) and not JSON Lines; "
            "give promptfoo eval -o results.json output, JSON Lines or CSV"
        )
    name, rows = found
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise problem(display, None, f"{name}[{index}] must be a JSON object ({{...}})")
        yield index + 1, row
