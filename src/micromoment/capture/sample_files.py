"""Reading outputs files row by row, whatever their size: JSON Lines, CSV and promptfoo's document all streamed."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Literal

from micromoment.errors import FileProblems, MicromomentError, NotFound, Problem
from micromoment.limits import MAX_NUMBER_TEXT, MAX_OUTPUT_ROW_BYTES

Format = Literal["jsonl", "csv", "promptfoo"]
Rows = Iterator[tuple[int, dict[str, Any]]]

MAX_LINE = MAX_OUTPUT_ROW_BYTES  # names of this module, so a test can lower them
CHUNK = 1024 * 1024
# Where promptfoo puts its rows: newer versions nest them in the summary, older ones list them at the top.
PROMPTFOO_ROWS = (("results", "results"), ("results",))
_SPACE = re.compile(r"[ \t\r\n]*")
_LOOKAHEAD = 16  # more than the longest token a cut can leave unreadable: "-Infinity", a \uXXXX escape
_TOO_DEEP = "nested too deep; model outputs are not nested hundreds of levels"


class HostileJson(ValueError):
    """JSON that parses only at a cost no outputs file needs: nesting past the interpreter's
    recursion limit, or a number of more than MAX_NUMBER_TEXT characters."""


def _number(convert: Callable[[str], Any], text: str) -> Any:
    if len(text) > MAX_NUMBER_TEXT:
        raise HostileJson(f"a number {len(text):,} characters long; model outputs hold small numbers")
    return convert(text)


_NUMBERS: dict[str, Any] = {"parse_int": partial(_number, int), "parse_float": partial(_number, float)}
_DECODER = json.JSONDecoder(**_NUMBERS)


def _decode_whole(raw: bytes) -> Any:
    """json.loads, refusing hostile shapes as a HostileJson."""
    try:
        return json.loads(raw, **_NUMBERS)
    except RecursionError:
        raise HostileJson(_TOO_DEEP) from None


def problem(display: str, line: int | None, message: str) -> FileProblems:
    return FileProblems([Problem(display, line, None, "", message)])


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
        data = _decode_whole(first)
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


def hashed(handle: BinaryIO, hasher: Any) -> BinaryIO:
    """`handle`, with every byte read from it fed to `hasher`."""
    return io.BufferedReader(_Hashing(handle, hasher), CHUNK)


def read_rows(fmt: Format, handle: BinaryIO, display: str) -> Rows:
    """Each row with its line (its position in a promptfoo document); the file is read to its end."""
    if fmt == "jsonl":
        return _jsonl_rows(handle, display)
    if fmt == "csv":
        return _csv_rows(handle, display)
    return _promptfoo_rows(handle, display)


def _jsonl_rows(handle: BinaryIO, display: str) -> Rows:
    line = 0
    while raw := handle.readline(MAX_LINE + 1):
        line += 1
        if len(raw) > MAX_LINE:
            raise problem(
                display, line, f"a row longer than {MAX_LINE // 2**20} MB; is this a log of outputs?"
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
    document = JsonRows(handle, display, MAX_LINE)
    yield from document.rows()
    if document.found is None:
        raise MicromomentError(
            f"{display}: not a promptfoo results file (no results.results or results list) and not JSON Lines; "
            "give promptfoo eval -o results.json output, JSON Lines or CSV"
        )


class JsonRows:
    """One pass over a JSON object: the rows of the first array at one of PROMPTFOO_ROWS, each decoded alone.

    Memory holds one chunk and one value being decoded. Everything outside the rows is still
    checked as JSON: small values are decoded and dropped, values larger than `max_value`
    are walked member by member, so a malformed document is reported wherever it breaks.
    """

    def __init__(self, handle: BinaryIO, display: str, max_value: int) -> None:
        self.handle = handle
        self.display = display
        self.max_value = max_value
        self.found: tuple[str, ...] | None = None
        self.buf = ""
        self.pos = 0
        self.line = 1  # the line of buf[0]: lines are counted only as text leaves the buffer
        self.dropped = 0  # characters read and dropped before buf[0]
        self.eof = False
        self._text = codecs.getincrementaldecoder("utf-8-sig")()

    def rows(self) -> Rows:
        """Each row with its 1-based position; the whole file has been read when this ends."""
        try:
            if self._peek() != "{":
                raise self._invalid("a results file is one JSON object, starting with {")
            self.pos += 1
            yield from self._members(())
            if self._peek() is not None:
                raise self._invalid("more text after the end of the document")
        except RecursionError:
            raise MicromomentError(f"{self.display}: nested too deeply to be a results file") from None

    def _elements(self, closing: str) -> Iterator[int]:
        """After an opening bracket: the index of each element as the reader stands at it."""
        if self._peek() == closing:
            self.pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            if self._take("," + closing) == closing:
                return

    def _members(self, path: tuple[str, ...] | None) -> Rows:
        for _ in self._elements("}"):
            if self._peek() != '"':
                raise self._invalid("expected a quoted key")
            key = self._value("a key")
            self._take(":")
            yield from self._member(None if path is None else (*path, key))

    def _member(self, path: tuple[str, ...] | None) -> Rows:
        first = self._peek()
        if path is not None and self.found is None:
            if first == "[" and path in PROMPTFOO_ROWS:
                self.found = path
                self.pos += 1
                yield from self._rows(".".join(path))
                return
            if first == "{" and any(
                len(rows) > len(path) and rows[: len(path)] == path for rows in PROMPTFOO_ROWS
            ):
                self.pos += 1
                yield from self._members(path)
                return
        self._skip()

    def _rows(self, name: str) -> Rows:
        for index in self._elements("]"):
            self._peek()
            start = self.dropped + self.pos
            row = self._value(f"{name}[{index}]")
            if not isinstance(row, dict):
                # Decoding may have read on, but the row's own text is still in the buffer.
                raise self._problem(f"{name}[{index}] must be a JSON object ({{...}})", start - self.dropped)
            yield index + 1, row

    def _skip(self) -> None:
        """Step over one value outside the rows, checking it is JSON without holding all of it."""
        first = self._peek()
        whole, _ = self._decode()
        if whole:
            return
        if first not in ("{", "["):
            raise self._too_long("a value")
        self.pos += 1
        if first == "{":
            for _ in self._members(None):
                pass  # with no path to follow, a skipped object yields no rows
        else:
            for _ in self._elements("]"):
                self._skip()

    def _value(self, what: str) -> Any:
        whole, value = self._decode()
        if not whole:
            raise self._too_long(what)
        return value

    def _decode(self) -> tuple[bool, Any]:
        """(True, the value at pos), or (False, None) when it runs past `max_value` characters."""
        if self._peek() is None:
            raise self._ended()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise self._problem(_TOO_DEEP) from None
            except HostileJson as exc:
                raise self._problem(str(exc)) from None
            except json.JSONDecodeError as exc:
                unfinished = exc.msg.startswith("Unterminated string")
                # A value cut by the end of the buffer fails within a few characters of that end
                # ("tru", "\u00") or at an open string; failing well before it, the JSON is broken.
                if self.eof or (not unfinished and exc.pos + _LOOKAHEAD <= len(self.buf)):
                    message = "a string is not closed; was the file cut off?" if unfinished else exc.msg
                    raise self._problem(f"not valid JSON ({message})", exc.pos) from None
            else:
                if end - self.pos > self.max_value:
                    return False, None
                # A number near the end of the buffer may go on in the next chunk: "15" of "15",
                # or of "15.5" cut after "15." or "15e+", which decode as 15 with the rest left over.
                room = 3 if isinstance(value, (int, float)) else 0
                if self.eof or end + room < len(self.buf):
                    self.pos = end
                    return True, value
            if len(self.buf) - self.pos > self.max_value:
                return False, None
            self._fill()

    def _peek(self) -> str | None:
        """The next character after white space, or None at the end of the file."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]  # * always matches
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return None

    def _take(self, chars: str) -> str:
        char = self._peek()
        if char is None:
            raise self._ended()
        if char not in chars:
            raise self._invalid(f"expected {' or '.join(chars)}")
        self.pos += 1
        return char

    def _fill(self) -> bool:
        """Read one more chunk, dropping the text already consumed; False at the end of the file."""
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        try:
            text = self._text.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise MicromomentError(f"{self.display}: not UTF-8 text; JSON files are UTF-8") from None
        self.eof = not chunk
        self.line += self.buf.count("\n", 0, self.pos)
        self.dropped += self.pos
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        return bool(text) or not self.eof

    def _problem(self, message: str, at: int | None = None) -> FileProblems:
        """A problem on the line of `at` in the buffer (where the reader stands, by default)."""
        line = self.line + self.buf.count("\n", 0, self.pos if at is None else at)
        return problem(self.display, line, message)

    def _invalid(self, message: str) -> FileProblems:
        return self._problem(f"not valid JSON ({message})")

    def _ended(self) -> FileProblems:
        return self._problem("not valid JSON (the document ends early; was the file cut off?)", len(self.buf))

    def _too_long(self, what: str) -> FileProblems:
        return self._problem(
            f"{what} is longer than {self.max_value // 2**20} MB; is this a results file of model outputs?"
        )
