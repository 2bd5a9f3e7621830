"""A guarded fast path beside the located YAML reader, for readers that need no positions.

`plain_data` gives exactly the data `yamlio.parse_yaml` would (same types, same limits) or
UNSURE, never anything looser: cheap screens on the raw text decide whether the fast path
may run at all, the C composer builds the node graph, and one lean walk turns it into plain
data under the located builder's rules. On any doubt or any problem it steps aside, and the
caller asks the located reader, which refuses with the line, column and fix. So every
problem is still reported by one piece of code.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from micromoment import yamlio
from micromoment.yamlio import _SCALAR_TAGS, _YAML, Located, PathKey, SafeLoader


class _Unsure:
    """The fast path declined: ask the located reader."""

    def __repr__(self) -> str:
        return "UNSURE"


UNSURE: Final = _Unsure()


class LazyLocated(Located):
    """Data read on the fast path; the positions are found by the located reader if a problem
    needs them, which gives the same data (the fast path is never looser), so they match."""

    def __init__(self, data: Any, path: str, raw: bytes | str) -> None:
        self.data, self.path, self._raw = data, path, raw

    def __getattr__(self, name: str) -> dict[PathKey, tuple[int, int]]:
        # Only called for what __init__ left unset: the two position tables.
        if name not in ("values", "keys"):
            raise AttributeError(name)
        found = yamlio.parse_located(self._raw, self.path)
        self.values, self.keys = found.values, found.keys
        return found.values if name == "values" else found.keys


# An anchor, alias or tag can only start a token: at a line's start, after blanks, after an
# indicator, or right after a flow bracket, comma or quote. Text such as "R&D" or "a*b" stays
# on the fast path; "*bold*" merely costs the slow one.
_PROPERTY_CHAR = re.compile(r"[&*!]")
_TOKEN_BEFORE = frozenset(" \t\n\r[]{},:?-\"'")
# Line breaks other than "\n" (YAML 1.1 also breaks lines at NEL, LS and PS) and a byte-order
# mark would make the line prefixes below measure the wrong columns.
_ODD_BREAKS = re.compile("[\r\x85\u2028\u2029\ufeff]")
# The start of each line up to its first character that cannot be indentation or a block
# indicator: a block collection can only begin inside it or right after it.
_PREFIX = re.compile(r"^[ \t?:\-]*", re.MULTILINE)

_SEQ, _MAP, _STR, _NULL, _BOOL = (_YAML + t for t in ("seq", "map", "str", "null", "bool"))
_INT, _FLOAT, _TIMESTAMP = _YAML + "int", _YAML + "float", _YAML + "timestamp"


class _Loader(SafeLoader):  # type: ignore[misc,valid-type]  # the C or the Python safe loader
    """The same safe loader, minus per-node Python work that cannot change its result.

    The composer asks the resolver for every node's tag. SafeLoader resolves by path only
    when path resolvers are registered (it has none), so the path bookkeeping is skipped,
    a quoted scalar is always text, and a plain scalar's tag depends only on its text, so
    the answer is kept for the short texts that recur from record to record.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        if self.yaml_path_resolvers:
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        if self.yaml_path_resolvers:
            super().ascend_resolver()

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if not implicit[0]:
            return _STR
        known = _TAGS.get(value)
        if known is None:
            known = super().resolve(kind, value, implicit)
            if len(value) <= _KEPT_TEXT:
                if len(_TAGS) >= _KEPT_TAGS:
                    _TAGS.clear()
                _TAGS[value] = known
        return known


_KEPT_TEXT, _KEPT_TAGS = 40, 4096
_TAGS: dict[str, str] = {}


def depth_bound(text: str) -> int:
    """An upper bound on how deeply collections nest in `text`, from line prefixes and brackets.

    In block style a nested collection starts further right than its parent, except a
    sequence that is a mapping's value, which may start at the key's column: so the column
    grows at least every second level, and the block depth is at most twice the widest line
    prefix plus one. Each '[' adds at most two levels (a sequence and a one-pair mapping
    such as [a: b] inside it), each '{' one.
    """
    widest = max(map(len, _PREFIX.findall(text)))
    return 2 * (widest + 1) + 2 * text.count("[") + text.count("{")


def deeper_than(text: str, limit: int) -> bool:
    """depth_bound(text) > limit, found with one search for a line prefix that is too wide."""
    room = (limit - 2 * text.count("[") - text.count("{")) // 2  # the narrowest prefix too wide
    if room < 1:
        return True
    return _wide_prefix(room).search("\n" + text) is not None


@functools.cache
def _wide_prefix(width: int) -> re.Pattern[str]:
    # Starting with a newline lets the regex engine skip to each line's start at C speed.
    return re.compile(rf"\n[ \t?:\-]{{{width}}}")


def may_try(raw: bytes | str) -> str | None:
    """The text when the screens let the fast path run, else None."""
    # The limits are read from the located reader each time: the two can never disagree.
    if len(raw) > yamlio.MAX_BYTES:
        return None
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        return None
    if "\r" in text or (not text.isascii() and _ODD_BREAKS.search(text)):
        return None
    for found in _PROPERTY_CHAR.finditer(text):
        at = found.start()
        if at == 0 or text[at - 1] in _TOKEN_BEFORE:
            return None
    # The bound keeps both the depth rule and libyaml's recursive composer safe.
    if deeper_than(text, yamlio.MAX_DEPTH):
        return None
    return text


def plain_data(raw: bytes | str) -> Any:
    """The data `parse_yaml(raw, ...)` would give, or UNSURE when the located reader must decide."""
    if may_try(raw) is None:
        return UNSURE
    loader = _Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return UNSURE
        walk = _Walk(loader)
        data = walk.value(node)
        return UNSURE if walk.count > walk.max_values else data
    except Exception:  # any problem at all: the located reader finds it and says where
        return UNSURE
    finally:
        loader.dispose()


class _Declined(Exception):
    """Something the located builder would refuse, or might: it will say what."""


class _Walk:
    """The located builder's rules, without positions: tags, keys, the value count, numbers."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        # Keys count too: the located reader's expansion check sizes keys and values alike.
        self.count = 0
        self.max_values = yamlio.MAX_VALUES
        self.max_text, self.max_int = yamlio.MAX_NUMBER_TEXT, yamlio.MAX_INT

    def value(self, node: Node) -> Any:
        self.count += 1
        if self.count > self.max_values:
            raise _Declined
        kind, tag = type(node), node.tag
        if kind is ScalarNode:
            return self.scalar(node, tag)  # type: ignore[arg-type]
        if kind is SequenceNode and tag == _SEQ:
            return [self.value(child) for child in node.value]
        if kind is MappingNode and tag == _MAP:
            return self.mapping(node)  # type: ignore[arg-type]
        raise _Declined

    def mapping(self, node: MappingNode) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            # A key is its text, whatever it resolves to (see the located builder).
            if type(key_node) is not ScalarNode or key_node.tag not in _SCALAR_TAGS:
                raise _Declined
            key = key_node.value
            if key in result:
                raise _Declined
            if type(value_node) is ScalarNode and value_node.tag == _STR:
                self.count += 2  # the key and its text, counted at the next collection or the end
                result[key] = value_node.value
            else:
                self.count += 1
                result[key] = self.value(value_node)
        return result

    def scalar(self, node: ScalarNode, tag: str) -> Any:
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self.loader.construct_yaml_bool(node)
        if tag in (_INT, _FLOAT):
            if len(node.value) > self.max_text:
                raise _Declined
            if tag == _INT:
                number = self.loader.construct_yaml_int(node)
                if abs(number) > self.max_int:
                    raise _Declined
                return number
            real = self.loader.construct_yaml_float(node)
            if not math.isfinite(real):
                raise _Declined
            return real
        if tag == _TIMESTAMP:
            return self.loader.construct_yaml_timestamp(node)
        raise _Declined
