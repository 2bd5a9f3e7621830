"""Safe YAML in (with every value's line and column kept for messages) and tidy YAML out."""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from micromoment.errors import FileProblems, Problem
from micromoment.limits import MAX_YAML_BYTES

# The one place the package picks a YAML loader: the C loader is much faster when PyYAML was
# built with libyaml; both are the *safe* loaders.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits that keep hostile files (alias bombs, deep nesting, huge blobs) cheap to refuse.
MAX_BYTES = MAX_YAML_BYTES
MAX_DEPTH = 64
MAX_VALUES = 200_000
# Numbers in micromoment's files are minutes, counts and versions: 64 bits is plenty, and a
# bound on the text keeps a 5,000-digit literal from costing quadratic time to convert.
MAX_INT = 2**63 - 1
MAX_NUMBER_TEXT = 64

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

PathKey = tuple[str | int, ...]


@dataclass
class Located:
    """Data read from a YAML file, with the position of every value and key in it."""

    data: Any
    path: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the value at `loc`, or of its nearest enclosing value."""
        if key and loc in self.keys:
            return self.keys[loc]
        for end in range(len(loc), -1, -1):
            found = self.values.get(loc[:end])
            if found is not None:
                return found
        return None, None

    def problem(self, loc: PathKey, message: str, *, key: bool = False) -> Problem:
        line, column = self.position(loc, key=key)
        return Problem(self.path, line, column, format_loc(loc), message)


def format_loc(loc: PathKey) -> str:
    """('items', 3, 'kind') -> 'items[3].kind'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _fail(path: str, line: int | None, column: int | None, message: str) -> FileProblems:
    return FileProblems([Problem(path, line, column, "", message)])


def _mark(node: Node | yaml.Event) -> tuple[int, int]:
    mark: Any = node.start_mark  # the composer always sets it
    return mark.line + 1, mark.column + 1


def read_limited(path: Path, limit: int, display: str | Callable[[], str] | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is a FileProblems.

    A folder, a device (a link to /dev/zero) or a named pipe (which would block the read
    forever) is refused before it is opened for reading, and never more than `limit` + 1
    bytes are read, whatever the file claims its size is. `display` (or a function giving it,
    called only when there is a problem) names the file.
    """

    def shown() -> str:
        return (display() if callable(display) else display) or str(path)

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _fail(shown(), None, None, "is a folder, expected a file; move the folder away")
        if not stat.S_ISREG(info.st_mode):
            raise _fail(
                shown(), None, None, "is not a regular file (a device or a pipe?); replace it with a file"
            )
        # O_NONBLOCK: if the file was swapped for a pipe since the check, open must not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise _fail(shown(), None, None, "no such file; check the path") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = "; check its permissions" if isinstance(exc, PermissionError) else ""
        raise _fail(shown(), None, None, f"cannot read: {reason}{hint}") from None
    if len(raw) > limit:
        size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
        raise _fail(shown(), None, None, f"larger than {size}; not a file micromoment writes or reads")
    return raw


def read_yaml(path: Path, display: str | None = None) -> Located:
    """Read and parse one YAML file; every failure is a FileProblems naming the file."""
    shown = display or str(path)
    return parse_yaml(read_limited(path, MAX_BYTES, shown), shown)


def parse_yaml(raw: bytes | str, display: str) -> Located:
    """Parse YAML text from `display` into plain data plus positions, under every limit above.

    Sound text takes the fast path (`yamlfast`), whose positions are found only if asked for
    (a problem to name); anything else is read by `parse_located`, which says where it is wrong.
    """
    from micromoment.yamlfast import UNSURE, LazyLocated, plain_data

    data = plain_data(raw)
    return parse_located(raw, display) if data is UNSURE else LazyLocated(data, display, raw)


def parse_located(raw: bytes | str, display: str) -> Located:
    """The located reader: data and every value's position, or a FileProblems saying where."""
    if len(raw) > MAX_BYTES:
        raise _fail(
            display, None, None, f"larger than {MAX_BYTES // (1024 * 1024)} MiB; not a file micromoment reads"
        )
    _check_shape(raw, display)
    loader = SafeLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _fail(display, 1, None, "is empty; it needs a YAML mapping")
        _check_expansion(node, display)
        return _Builder(display, loader).build(node)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, display) from None
    except yaml.YAMLError as exc:
        raise _reader_problem(exc, raw, display) from None
    finally:
        loader.dispose()


def _check_shape(raw: bytes | str, display: str) -> None:
    """Refuse deep nesting from the event stream before composing: libyaml's composer recurses."""
    loader = SafeLoader(raw)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, column = _mark(event)
                    raise _fail(display, line, column, _TOO_DEEP)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            # PyYAML 6.0.4's libyaml stops at its own depth (1,000) while scanning ahead, before
            # the events above reach MAX_DEPTH. Everything before that point nests as deep as
            # needed, so reading just that part names the same place whichever PyYAML is installed.
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            _check_shape(text[: exc.problem_mark.index], display)
            mark = exc.problem_mark
            raise _fail(display, mark.line + 1, mark.column + 1, _TOO_DEEP) from None
        raise _yaml_problem(exc, display) from None
    except yaml.YAMLError as exc:
        raise _reader_problem(exc, raw, display) from None
    finally:
        loader.dispose()


_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels; flatten the file"


def _check_expansion(root: Node, display: str) -> None:
    """Refuse a graph that aliases expand past MAX_VALUES, by counting, before building any of it.

    An alias is the same node object met again, so each distinct node is sized once: a
    500-byte file of nine levels of nine aliases is refused in microseconds, not seconds.
    """
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        sizes[id(node)] = total
        return total

    if size(root) <= MAX_VALUES:
        return
    # Name the value that is too big on its own, as deep as it goes: where the aliases pile up.
    culprit = root
    while (bigger := next((c for c in _children(culprit) if sizes[id(c)] > MAX_VALUES), None)) is not None:
        culprit = bigger
    line, column = _mark(culprit)
    raise _fail(
        display,
        line,
        column,
        f"expands to more than {MAX_VALUES} values (YAML aliases?); write the data out plainly",
    )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [value for _, value in node.value]
    return []


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str) -> FileProblems:
    mark: Any = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        what = f"{exc.context}: {exc.problem}"
    if "expected a single document" in str(exc):
        what = "holds more than one YAML document (a second '---'); keep one"
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return _fail(display, line, column, f"invalid YAML: {what}")


def _reader_problem(exc: yaml.YAMLError, raw: bytes | str, display: str) -> FileProblems:
    """Reader errors (bad bytes, control characters) carry an offset, not a line."""
    position = getattr(exc, "position", None)
    line = None
    if isinstance(position, int):
        before = raw[:position]
        line = (before.count(b"\n") if isinstance(before, bytes) else before.count("\n")) + 1
    reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
    return _fail(display, line, None, f"not readable as UTF-8 YAML text ({reason}); is it a binary file?")


class _Builder:
    """Turns a composed node graph into plain data, refusing anything that is not plain YAML."""

    def __init__(self, display: str, loader: yaml.SafeLoader) -> None:
        self.located = Located(data=None, path=display)
        self.loader = loader
        self.count = 0

    def build(self, node: Node) -> Located:
        self.located.data = self._value(node, ())
        return self.located

    def _refuse(self, node: Node, message: str) -> FileProblems:
        line, column = _mark(node)
        return FileProblems([Problem(self.located.path, line, column, format_loc(()), message)])

    def _value(self, node: Node, loc: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            line, column = _mark(node)
            raise _fail(
                self.located.path,
                line,
                column,
                f"expands to more than {MAX_VALUES} values (YAML aliases?); write the data out plainly",
            )
        self.located.values.setdefault(loc, _mark(node))
        if isinstance(node, ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self._tag_problem(node, loc)
            return self._scalar(node, loc)
        if isinstance(node, SequenceNode):
            if node.tag != _YAML + "seq":
                raise self._tag_problem(node, loc)
            return [self._value(child, (*loc, index)) for index, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _YAML + "map":
                raise self._tag_problem(node, loc)
            return self._mapping(node, loc)
        raise self._tag_problem(node, loc)  # pragma: no cover - the composer makes only these three

    def _mapping(self, node: MappingNode, loc: PathKey) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _YAML + "merge":
                raise self._value_problem(
                    key_node, loc, "merge keys (<<) are not supported; write the keys out"
                )
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                raise self._refuse(key_node, "a mapping key must be a plain value")
            # Every key micromoment reads names something (a field, an item id, a checklist id):
            # `yes:`, `1:` or `2026-01-01:` as a key means its text, never a boolean, number or date.
            key: str = key_node.value
            line, column = _mark(key_node)
            if key in first_seen:
                message = f"duplicate key (first at line {first_seen[key]}); keep one"
                raise self._value_problem(key_node, (*loc, key), message)
            first_seen[key] = line
            key_loc: PathKey = (*loc, key)
            self.located.keys[key_loc] = (line, column)
            result[key] = self._value(value_node, (*loc, key))
        return result

    def _scalar(self, node: ScalarNode, loc: PathKey) -> Any:
        """A plain value; dates that do not exist, huge or non-finite numbers are located problems."""
        number = node.tag in (_YAML + "int", _YAML + "float")
        if number and len(node.value) > MAX_NUMBER_TEXT:
            raise self._value_problem(
                node, loc, f"number {node.value[:12]}... is too long; micromoment numbers are small"
            )
        try:
            value = self.loader.construct_object(node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.YAMLError) as exc:
            raise self._value_problem(node, loc, _construct_message(node, exc)) from None
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and abs(value) > MAX_INT:
            raise self._value_problem(
                node, loc, f"number {node.value[:12]}... is too large; micromoment numbers are small"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise self._value_problem(
                node, loc, f"{node.value} is not a finite number; write a number such as 5 or 0.5"
            )
        return value

    def _value_problem(self, node: Node, loc: PathKey, message: str) -> FileProblems:
        line, column = _mark(node)
        return FileProblems([Problem(self.located.path, line, column, format_loc(loc), message)])

    def _tag_problem(self, node: Node, loc: PathKey) -> FileProblems:
        tag = node.tag.replace(_YAML, "!!")
        message = f"YAML tag {tag} is not allowed; micromoment reads plain YAML only (remove the tag)"
        return self._value_problem(node, loc, message)


def _construct_message(node: ScalarNode, exc: Exception) -> str:
    """Why a scalar that looks like a date, time or number is not one, and what to write."""
    shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
    if node.tag == _YAML + "timestamp":
        # Python's own words are short and clear for a day or hour out of range; not for the rest.
        text = str(exc) if isinstance(exc, ValueError) else ""
        detail = text if 0 < len(text) <= 40 else "no such date or time"
        return (
            f"{shown!r} is not a real date or time ({detail}); write a date as YYYY-MM-DD or a time as "
            "2026-11-22T09:30:00Z, or quote it if it is text"
        )
    if node.tag in (_YAML + "int", _YAML + "float"):
        return f"{shown!r} is not a number; write digits such as 5 or 0.5, or quote it if it is text"
    if node.tag == _YAML + "bool":
        return f"{shown!r} is not true or false; write true or false, or quote it if it is text"
    return f"{shown!r} cannot be read as {node.tag.replace(_YAML, '!!')}; remove the tag or quote the value"


class _TidyDumper(yaml.SafeDumper):
    """Block style, multi-line text as literal blocks, keys in the order given."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar(_YAML + "str", value, style="|")
    return dumper.represent_scalar(_YAML + "str", value)


_TidyDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, header: str = "") -> str:
    """Deterministic YAML text: same data, same bytes, ending in a newline."""
    body = yaml.dump(
        data,
        Dumper=_TidyDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=88,
    )
    return header + body
