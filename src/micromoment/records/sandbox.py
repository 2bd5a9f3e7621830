"""The bounded Jinja sandbox team templates run in: a budget of time, loop iterations, sizes and
digits that every loop, call, operator, method and filter spends from, so a template from the
repository can neither hang a command nor fill its memory."""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RenderLimits:
    """What one render may spend. A team template is code from the repository: it must not hang or fill memory."""

    seconds: float = 10.0
    iterations: int = 100_000  # loop iterations over all loops of one render, nested ones included
    range_items: int = 10_000
    size: int = 1_000_000  # characters or items one string or list operation may produce
    output: int = 1_000_000  # characters of rendered Markdown


LIMITS = RenderLimits()
# A report page lists up to every review of a ledger (`--review-pages`): far more room, still bounded.
PAGE_LIMITS = RenderLimits(
    seconds=60.0, iterations=10_000_000, range_items=1_000_000, size=100_000_000, output=200_000_000
)

# `%5s`, `%.*f`, `{:>80}`: the widths and precisions a format may ask for.
_PERCENT_WIDTHS = re.compile(r"%[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?")
_BRACE_WIDTHS = re.compile(r"\d+")


class TemplateLimit(Exception):
    """Raised inside a render when the template goes over the limit it names; render_template names the file."""


class Budget:
    """The spending of one render: elapsed time and loop iterations, checked as the template runs."""

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.started = time.monotonic()
        self.iterations = 0

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.limits.seconds:
            raise TemplateLimit(f"time limit of {self.limits.seconds:g} seconds")

    def check_size(self, size: int, what: str) -> None:
        if size > self.limits.size:
            raise TemplateLimit(
                f"size limit of {self.limits.size:,} characters or items ({what} would make {size:,})"
            )

    def loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.iterations += 1
            if self.iterations > self.limits.iterations:
                raise TemplateLimit(f"loop limit of {self.limits.iterations:,} iterations")
            if self.iterations % 1024 == 0:
                self.check_time()
            yield item

    def bounded_range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.limits.range_items:
            raise TemplateLimit(f"range limit of {self.limits.range_items:,} items")
        return numbers

    def render(self, template: Any, context: dict[str, Any]) -> str:
        """`template` rendered within a fresh budget, its output bounded too."""
        self.started, self.iterations = time.monotonic(), 0
        parts, size = [], 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > self.limits.output:
                raise TemplateLimit(f"output limit of {self.limits.output:,} characters")
            self.check_time()
            parts.append(chunk)
        return "".join(parts)


# Methods of plain values a template may call: those whose result is no bigger than their
# inputs, and four that pad to a width, checked before they run. Anything else (`to_bytes`,
# `translate`, `expandtabs`, `format_map`, ...) is refused, so no method can be a way around
# the budget.
# fmt: off
_STR_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
    "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace",
    "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind",
    "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
    "swapcase", "title", "upper", "format", "replace", "join", "ljust", "rjust", "center", "zfill",
})
# fmt: on
_SAFE_METHODS = {
    str: _STR_METHODS,
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
    int: frozenset({"bit_length"}),
    float: frozenset({"is_integer"}),
}
# The largest whole number a template may make: printing more digits is refused by Python itself.
MAX_DIGITS = 4000


def _weight(value: Any) -> int:
    """Characters or items a value stands for: a list counts the text it holds, one level deep."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        return len(value) + sum(len(item) for item in value if isinstance(item, str))
    return 0


def _check_number(value: Any) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_DIGITS * 3.33:
        raise TemplateLimit(f"number limit of {MAX_DIGITS:,} digits")


def _check_method(budget: Budget, method: Any, args: tuple[Any, ...]) -> None:
    """The size a growing str method would make, checked before it runs."""
    text, name = method.__self__, method.__name__
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        budget.check_size(args[0], f"`{name}`")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        times = text.count(args[0]) if args[0] else len(text) + 1
        budget.check_size(len(text) + times * len(args[1]), "`replace`")
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        size = sum(len(item) for item in args[0] if isinstance(item, str))
        budget.check_size(size + len(text) * len(args[0]), "`join`")


def _check_operands(budget: Budget, operator: str, left: Any, right: Any) -> None:
    """What `left operator right` would make, checked before Python spends the time making it."""
    budget.check_time()
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                budget.check_size(_weight(sequence) * times, "a `*`")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        if right * math.log10(abs(left)) > MAX_DIGITS:
            raise TemplateLimit(f"number limit of {MAX_DIGITS:,} digits")
    elif operator == "%" and isinstance(left, str):
        _check_percent_widths(budget, left)


def sandbox_class() -> Any:
    """The sandbox, bounded: loops, ranges, calls, operators and formats all spend from one budget."""
    from jinja2 import nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def __init__(self, limits: RenderLimits, filters: dict[str, Any], **options: Any) -> None:
            self.budget = Budget(limits)
            super().__init__(**options)
            self.filters.update(filters)
            _bound_filters(self)  # the filters given too: each one's result spends from the budget
            self.globals.update(range=self.budget.bounded_range, micromoment_bounded_loop=self.budget.loop)

        def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
            tree = super()._parse(source, name, filename)
            # Every {% for %} iterates through the budget, whatever it loops over.
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Call(
                    nodes.Name("micromoment_bounded_loop", "load"), [loop.iter], [], None, None
                )
            return tree

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            for kind, allowed in _SAFE_METHODS.items():
                if isinstance(obj, kind) and callable(value) and attr not in allowed:
                    return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            __self.budget.check_time()
            if isinstance(getattr(__obj, "__self__", None), str):
                _check_method(__self.budget, __obj, args)
            result = super().call(__context, __obj, *args, **kwargs)
            __self.budget.check_size(_weight(result), "a call")
            return result

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _check_operands(self.budget, operator, left, right)
            result = super().call_binop(context, operator, left, right)
            self.budget.check_size(_weight(result), f"a `{operator}`")
            _check_number(result)
            return result

        # A string's format methods are checked when reached, by name or by subscript: Jinja's own
        # hook for them differs between releases.
        def getattr(self, obj: Any, attribute: str) -> Any:
            _check_brace_widths(self.budget, obj, attribute)
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            _check_brace_widths(self.budget, obj, argument)
            return super().getitem(obj, argument)

    return BoundedSandbox


def _check_brace_widths(budget: Budget, text: Any, name: Any) -> None:
    from string import Formatter

    if not isinstance(text, str) or name not in ("format", "format_map"):
        return
    budget.check_time()
    for _, _, spec, _ in Formatter().parse(text):
        if spec and "{" in spec:
            raise TemplateLimit(
                "size limit: widths taken from arguments (`{:{}}`) are not allowed; write the width"
            )
        for width in _BRACE_WIDTHS.findall(spec or ""):
            budget.check_size(int(width), "a format width")


def _check_percent_widths(budget: Budget, text: str) -> None:
    for match in _PERCENT_WIDTHS.finditer(text):
        for width in match.groups():
            if width == "*":
                raise TemplateLimit("size limit: `%*` widths are not allowed in templates; write the width")
            if width:
                budget.check_size(int(width), "a format width")


def _bound_filters(env: Any) -> None:
    """Filters that can make a huge string from a small one check the size first."""
    budget: Budget = env.budget  # the environment's one budget, started afresh by each render
    original = {name: env.filters[name] for name in ("center", "indent", "format", "join")}

    def center(value: Any, width: int = 80) -> Any:
        budget.check_size(int(width), "`center`")
        return original["center"](value, width)

    def indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        pad = len(width) if isinstance(width, str) else int(width)
        budget.check_size(pad * (str(value).count("\n") + 1) + len(str(value)), "`indent`")
        return original["indent"](value, width, *args, **kwargs)

    def format_(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_percent_widths(budget, str(value))
        return original["format"](value, *args, **kwargs)

    def join(context: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        budget.check_size(sum(len(str(item)) for item in items) + len(d) * len(items), "`join`")
        return original["join"](context, items, d, attribute)

    from jinja2 import pass_eval_context

    env.filters.update(center=center, indent=indent, format=format_, join=pass_eval_context(join))
    # Any other filter can grow what it is given only by a bounded factor (`replace`, `urlencode`):
    # checking what each one returns keeps a chain of them within the budget.
    for name, function in env.filters.items():
        env.filters[name] = _size_checked(function, budget)
    # lipsum(n) writes n paragraphs in one call that no time check can interrupt.
    env.globals.pop("lipsum", None)


def _size_checked(function: Any, budget: Budget) -> Any:
    @functools.wraps(function)  # keeps Jinja's pass_context marks
    def checked(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        budget.check_size(_weight(result), "a filter")
        _check_number(result)
        return result

    return checked
