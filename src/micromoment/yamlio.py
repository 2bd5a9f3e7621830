"""Safe YAML in (with every value's line and column kept for messages) and tidy YAML out."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from micromoment.errors import FileProblems, Problem
from micromoment.fileread import read_limited
from micromoment.limits import MAX_DEPTH, MAX_INT, MAX_NUMBER_TEXT, MAX_VALUES, MAX_YAML_BYTES, size_text

# The one place the package picks a YAML loader: the C loader is much faster when PyYAML was
# built with libyaml; both are the *safe* loaders.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

PathKey = tuple[str | int, ...]
# Where each value and each mapping key starts: (line, column), both from 1.
Positions = tuple[dict[PathKey, tuple[int, int]], dict[PathKey, tuple[int, int]]]


@dataclass
class Located:
    """Data read from a YAML file, with the position of every value and key in it.

    Positions are found by the located reader when first asked for (a problem to name): most
    files have none, and reading them with positions costs twice as much.
    """

    data: Any
    display: str | Callable[[], str]  # or a function giving it, called only when there is a problem
    raw: bytes | str
    positions: Positions | None = None

    @cached_property
    def path(self) -> str:
        """The file as problems name it."""
        return self.display() if callable(self.display) else self.display

    @cached_property
    def _found(self) -> Positions:
        # The fast read followed the same rules, so the located one reads the same data.
        return self.positions or parse_located(self.raw, self.path)._found

    @property
    def values(self) -> dict[PathKey, tuple[int, int]]:
        return self._found[0]

    @property
    def keys(self) -> dict[PathKey, tuple[int, int]]:
        return self._found[1]

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


def read_yaml(path: Path, display: str | None = None) -> Located:
    """Read and parse one YAML file; every failure is a FileProblems naming the file."""
    shown = display or str(path)
    return parse_yaml(read_limited(path, MAX_YAML_BYTES, shown), shown)


def parse_yaml(raw: bytes | str, display: str | Callable[[], str]) -> Located:
    """Parse YAML text into plain data plus positions, under every rule and limit above.

    `display` (or a function giving it, called only when there is a problem to name) names the
    file. Most files break no rule and have no alias: they are read once, without positions,
    which are found when first asked for. Anything else is read again by `parse_located`.
    """
    try:
        return Located(_read(raw, "", located=False)[0], display, raw)
    except (_Locate, FileProblems, UnicodeDecodeError):
        return parse_located(raw, display() if callable(display) else display)


def parse_located(raw: bytes | str, display: str) -> Located:
    """The located reader: data and every value's position, or a FileProblems saying where."""
    data, positions = _read(raw, display, located=True)
    return Located(data, display, raw, positions)


class _Locate(Exception):
    """The read without positions met what only the located reader checks: deep nesting, aliases."""


def _read(raw: bytes | str, display: str, *, located: bool) -> tuple[Any, Positions]:
    if len(raw) > MAX_YAML_BYTES:
        raise _fail(
            display, None, None, f"larger than {size_text(MAX_YAML_BYTES)}; not a file micromoment reads"
        )
    if located:
        _check_shape(raw, display)
    elif _may_nest_too_deep(raw.decode("utf-8") if isinstance(raw, bytes) else raw):
        raise _Locate
    loader = SafeLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _fail(display, 1, None, "is empty; it needs a YAML mapping")
        if located:
            _check_expansion(node, display)
        builder = _Builder(display, loader, located=located)
        return builder.value(node, ()), (builder.values, builder.keys)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, display) from None
    except yaml.YAMLError as exc:
        raise _reader_problem(exc, raw, display) from None
    finally:
        loader.dispose()


def _may_nest_too_deep(text: str) -> bool:
    """Whether collections in `text` might nest deeper than MAX_DEPTH, by a bound never below
    the real depth, so the exact count over the events is needed only past it.

    A block collection starts within or right after its line's leading blanks and indicators
    (`- `, `? `, `: `), and further right than its parent, except a sequence that is a mapping's
    value: so block depth is at most twice the widest such prefix, plus two. Each '[' opens at
    most two levels (a sequence and a one-pair mapping such as [a: b] in it), each '{' one.
    """
    if "\r" in text or (not text.isascii() and any(c in text for c in "\x85\u2028\u2029\ufeff")):
        return True  # other line breaks (and a byte-order mark) would hide a line's true prefix
    widest = max(len(prefix) for prefix in re.findall(r"^[ \t?:\-]*", text, re.MULTILINE))
    return 2 * (widest + 1) + 2 * text.count("[") + text.count("{") > MAX_DEPTH


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
                    raise _fail(display, *_mark(event), _TOO_DEEP)
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
        sizes[id(node)] = 1  # met again inside itself: the builder refuses that as nested too deep
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
    while bigger := next(
        (c for c in _children(culprit) if MAX_VALUES < sizes[id(c)] < sizes[id(culprit)]), None
    ):
        culprit = bigger
    words = f"expands to more than {MAX_VALUES} values (YAML aliases?); write the data out plainly"
    raise _fail(display, *_mark(culprit), words)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [value for _, value in node.value]
    return []


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str) -> FileProblems:
    mark: Any = exc.problem_mark or exc.context_mark
    what = ": ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
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


_SMALL = "micromoment numbers are small"
# The node kind each plain tag may have; every other tag is refused.
_PLAIN_KINDS: dict[str, type[Node]] = {tag: ScalarNode for tag in _SCALAR_TAGS}
_PLAIN_KINDS.update({_YAML + "seq": SequenceNode, _YAML + "map": MappingNode})


class _Builder:
    """Turns a composed node graph into plain data, refusing anything that is not plain YAML.

    `located` keeps every value's and key's position. Without it, the graph was not checked for
    aliases, so a collection met twice (an alias: expanding it is counted by the located reader)
    stops the build; anything refused is named by the located reader.
    """

    def __init__(self, display: str, loader: yaml.SafeLoader, *, located: bool) -> None:
        self.path = display
        self.loader = loader
        self.located = located
        self.values: dict[PathKey, tuple[int, int]] = {}
        self.keys: dict[PathKey, tuple[int, int]] = {}
        self.met: set[int] = set()
        self.count = 0

    def value(self, node: Node, loc: PathKey) -> Any:
        self.count += 1  # keys count too, as in the expansion check
        if self.located:
            self.values.setdefault(loc, _mark(node))
        elif self.count > MAX_VALUES:
            raise _Locate
        kind = _PLAIN_KINDS.get(node.tag)
        if kind is not type(node):
            tag = node.tag.replace(_YAML, "!!")
            words = f"YAML tag {tag} is not allowed; micromoment reads plain YAML only (remove the tag)"
            raise self._problem(node, loc, words)
        if kind is ScalarNode:
            return self._scalar(node, loc)  # type: ignore[arg-type]
        if len(loc) >= MAX_DEPTH:  # only through aliases: the events were counted before composing
            raise _fail(self.path, *_mark(node), _TOO_DEEP)
        if not self.located:
            if id(node) in self.met:
                raise _Locate
            self.met.add(id(node))
        if kind is SequenceNode:
            return [self.value(child, (*loc, index)) for index, child in enumerate(node.value)]
        return self._mapping(node, loc)  # type: ignore[arg-type]

    def _mapping(self, node: MappingNode, loc: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            self.count += 1
            if key_node.tag == _YAML + "merge":
                raise self._problem(key_node, loc, "merge keys (<<) are not supported; write the keys out")
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                raise self._problem(key_node, (), "a mapping key must be a plain value")
            # Every key micromoment reads names something (a field, an item id, a checklist id):
            # `yes:`, `1:` or `2026-01-01:` as a key means its text, never a boolean, number or date.
            key: str = key_node.value
            key_loc: PathKey = (*loc, key)
            if key in first_seen:
                message = f"duplicate key (first at line {_mark(first_seen[key])[0]}); keep one"
                raise self._problem(key_node, key_loc, message)
            first_seen[key] = key_node
            if self.located:
                self.keys[key_loc] = _mark(key_node)
            result[key] = self.value(value_node, key_loc)
        return result

    def _scalar(self, node: ScalarNode, loc: PathKey) -> Any:
        """A plain value; dates that do not exist, huge or non-finite numbers are located problems."""
        if node.tag == _YAML + "str":
            return node.value
        if node.tag in (_YAML + "int", _YAML + "float") and len(node.value) > MAX_NUMBER_TEXT:
            raise self._problem(node, loc, f"number {node.value[:12]}... is too long; {_SMALL}")
        try:
            value = self.loader.yaml_constructors[node.tag](self.loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.YAMLError) as exc:
            raise self._problem(node, loc, _construct_message(node, exc)) from None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise self._problem(node, loc, f"number {node.value[:12]}... is too large; {_SMALL}")
        if isinstance(value, float) and not math.isfinite(value):
            words = f"{node.value} is not a finite number; write a number such as 5 or 0.5"
            raise self._problem(node, loc, words)
        return value

    def _problem(self, node: Node, loc: PathKey, message: str) -> FileProblems:
        return FileProblems([Problem(self.path, *_mark(node), format_loc(loc), message)])


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
    return dumper.represent_scalar(_YAML + "str", value, style="|" if "\n" in value else None)


_TidyDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, header: str = "") -> str:
    """Deterministic YAML text: same data, same bytes, ending in a newline."""
    return header + yaml.dump(
        data, Dumper=_TidyDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=88
    )
