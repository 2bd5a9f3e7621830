"""The rows of one array inside a JSON document of any size, found by key path and decoded one at a time."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.limits import MAX_NUMBER_TEXT

CHUNK = 1024 * 1024
_SPACE = re.compile(r"[ \t\r\n]*")
_UNFINISHED_STRING = "Unterminated string"
_LOOKAHEAD = 16  # more than the longest token a cut can leave unreadable: "-Infinity", a \uXXXX escape


class HostileJson(ValueError):
    """JSON that parses only at a cost no outputs file needs: nesting past the interpreter's
    recursion limit, or a number of more than MAX_NUMBER_TEXT characters. `msg` says which."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


def _bounded(convert: Any) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_TEXT:
            raise HostileJson(f"a number {len(text):,} characters long; model outputs hold small numbers")
        return convert(text)

    return parse


_NUMBERS = {"parse_int": _bounded(int), "parse_float": _bounded(float)}
_DECODER = json.JSONDecoder(**_NUMBERS)
_TOO_DEEP = "nested too deep; model outputs are not nested hundreds of levels"


def decode_json(text: str, start: int = 0) -> tuple[Any, int]:
    """One JSON value from `text` at `start` and where it ends; hostile shapes are a HostileJson."""
    try:
        return _DECODER.raw_decode(text, start)
    except RecursionError:
        raise HostileJson(_TOO_DEEP) from None


def decode_whole(raw: str | bytes) -> Any:
    """json.loads, with the same bounds as decode_json."""
    try:
        return json.loads(raw, **_NUMBERS)
    except RecursionError:
        raise HostileJson(_TOO_DEEP) from None


class JsonRows:
    """One pass over a JSON object: the rows of the first array at one of `paths`, each decoded alone.

    Memory holds one chunk and one value being decoded. Everything outside the rows is still
    checked as JSON: small values are decoded and dropped, values larger than `max_value`
    are walked member by member, so a malformed document is reported wherever it breaks.
    """

    def __init__(
        self, handle: BinaryIO, hasher: Any, display: str, paths: tuple[tuple[str, ...], ...], max_value: int
    ) -> None:
        self.handle = handle
        self.hasher = hasher
        self.display = display
        self.paths = paths
        self.max_value = max_value
        self.found: tuple[str, ...] | None = None
        self.buf = ""
        self.pos = 0
        self.line = 1  # the line of buf[0]: lines are counted only as text leaves the buffer
        self.dropped = 0  # characters read and dropped before buf[0]
        self.eof = False
        self._text = codecs.getincrementaldecoder("utf-8-sig")()

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each row with its 1-based position; the whole file has been read (and hashed) when this ends."""
        try:
            self._space()
            if self._peek() != "{":
                raise self._invalid("a results file is one JSON object, starting with {")
            self.pos += 1
            yield from self._members(())
            self._space()
            if self._peek() is not None:
                raise self._invalid("more text after the end of the document")
        except RecursionError:
            raise MicromomentError(f"{self.display}: nested too deeply to be a results file") from None

    def _members(self, prefix: tuple[str, ...] | None) -> Iterator[tuple[int, dict[str, Any]]]:
        self._space()
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            self._space()
            if self._peek() != '"':
                raise self._invalid("expected a quoted key")
            key = self._value("a key")
            self._space()
            self._expect(":")
            self._space()
            yield from self._member(None if prefix is None else (*prefix, key))
            self._space()
            if self._next_in(",}") == "}":
                return

    def _member(self, path: tuple[str, ...] | None) -> Iterator[tuple[int, dict[str, Any]]]:
        first = self._peek()
        if path is not None and self.found is None:
            if first == "[" and path in self.paths:
                self.found = path
                self.pos += 1
                yield from self._rows(".".join(path))
                return
            if first == "{" and any(len(p) > len(path) and p[: len(path)] == path for p in self.paths):
                self.pos += 1
                yield from self._members(path)
                return
        self._skip()

    def _rows(self, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
        self._space()
        if self._peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            self._space()
            start = self.dropped + self.pos
            row = self._value(f"{name}[{index}]")
            if not isinstance(row, dict):
                # Decoding may have read on, but the row's own text is still in the buffer.
                line = self._line_at(start - self.dropped)
                raise self._problem(line, f"{name}[{index}] must be a JSON object ({{...}})")
            index += 1
            yield index, row
            self._space()
            if self._next_in(",]") == "]":
                return

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
            return
        self._space()
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            self._space()
            self._skip()
            self._space()
            if self._next_in(",]") == "]":
                return

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
                value, end = decode_json(self.buf, self.pos)
            except HostileJson as exc:
                raise self._problem(self._line_at(self.pos), exc.msg) from None
            except json.JSONDecodeError as exc:
                unfinished = exc.msg.startswith(_UNFINISHED_STRING)
                # A value cut by the end of the buffer fails within a few characters of that end
                # ("tru", "\u00") or at an open string; failing well before it, the JSON is broken.
                if self.eof or (not unfinished and exc.pos + _LOOKAHEAD <= len(self.buf)):
                    message = "a string is not closed; was the file cut off?" if unfinished else exc.msg
                    raise self._problem(self._line_at(exc.pos), f"not valid JSON ({message})") from None
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

    def _space(self) -> None:
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]  # * always matches
            if self.pos < len(self.buf) or not self._fill():
                return

    def _peek(self) -> str | None:
        while self.pos >= len(self.buf):
            if not self._fill():
                return None
        return self.buf[self.pos]

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise self._invalid(f"expected {char}")
        self.pos += 1

    def _next_in(self, chars: str) -> str:
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
        self.hasher.update(chunk)
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

    def _line_at(self, index: int) -> int:
        return self.line + self.buf.count("\n", 0, index)

    def _problem(self, line: int, message: str) -> FileProblems:
        return FileProblems([Problem(self.display, line, None, "", message)])

    def _invalid(self, message: str) -> FileProblems:
        return self._problem(self._line_at(self.pos), f"not valid JSON ({message})")

    def _ended(self) -> FileProblems:
        return self._problem(
            self._line_at(len(self.buf)), "not valid JSON (the document ends early; was the file cut off?)"
        )

    def _too_long(self, what: str) -> FileProblems:
        return self._problem(
            self._line_at(self.pos),
            f"{what} is longer than {self.max_value // 2**20} MB; is this a results file of model outputs?",
        )
