"""How a command's parameters read and parse: Typer's defaults adjusted so help reads the way
people type, and plain values skip the pydantic coercion that would load pydantic for every run."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._coercion import PassThroughRuntimeParam  # loaded with typer.core already


def flags_as_flags(command: Any, ctx: Any) -> None:
    """Help that reads the way people type: Typer shows a flag's type as `<bool>`, as if the flag
    took a value (`--git-notes true` then fails), and a required argument as `{ID}` in the usage
    line. A flag gets no type column, and an argument its plain name (optional ones in [ ])."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
            if param.default is False:
                # `--no-allow-sensitive` says what not giving the flag already says, and takes a
                # help column of its own at 80 columns.
                param.secondary_opts = []
                param.show_default = False
        if param.param_type_name == "argument" and hasattr(param, "_usage_display_name"):
            param._usage_display_name = _usage_name(param)
        _readable_type(param, ctx)


# What a value is, in the words a help page uses, instead of Python's type names.
# A Path names a file (FILE) unless it says otherwise: DIR for a folder, PATH for either.
_VALUE_WORDS = {"str": "TEXT", "int": "N", "float": "NUMBER", "Path": "FILE", "path": "FILE"}


def _readable_type(param: Any, ctx: Any) -> None:
    """Typer labels a value with Python's type (`<str>`, `<list[Path]>`, `<int range> [x>=0]`);
    a product manager reads TEXT, PATH..., `N [at least 0]`, and choices without brackets. An
    argument's name already says what it is, so it gets no label at all."""
    if getattr(param, "is_flag", False) or not hasattr(param, "display_type_rich"):
        return
    if param.param_type_name == "argument":
        param.display_type_rich = lambda ctx: None
    elif param.metavar is None:
        descriptor = getattr(param, "type_descriptor", None)
        label = param.display_type(ctx).strip("<>").removesuffix(" range")
        if descriptor is not None and descriptor.is_choice:
            label = label.replace("|", " | ")  # so a narrow column wraps between choices, not in one
        elif descriptor is not None:
            inner = label.removeprefix("list[").removesuffix("]")
            label = _VALUE_WORDS.get(inner, inner.upper()) + ("..." if inner != label else "")
        param.metavar = label
    if hasattr(param, "_get_number_range_help_str"):  # options have a least value, none a most
        param._get_number_range_help_str = lambda: None if param.min is None else f"at least {param.min}"


def help_flag_as_bool(command: Any, ctx: Any) -> None:
    """Typer's own --help flag defaults to None, which it coerces through pydantic on every run;
    as False it is taken as the bool it is, and a command with only flags never loads pydantic."""
    option = command.get_help_option(ctx)
    if option is not None and option.default is None:
        option.default = False


def plain_strings(command: Any) -> None:
    """A `str`, `Path`, enum, number, list of those, or any of them or None needs no more than
    str(), Path(), int() or the enum's own lookup, but Typer builds a pydantic adapter for it,
    which loads pydantic (most of `micromoment show ID`'s time, and of a warm `render`'s or
    `stats`'). Such a parameter gets a coercion that does just that, as the adapter would, and
    says a wrong value in micromoment's words."""
    for param in command.params:
        descriptor: Any = getattr(param, "type_descriptor", None)
        info = getattr(descriptor, "parameter_info", None)
        if info is None or info.parser is not None or getattr(param, "_runtime_param", "missing") is not None:
            continue
        convert = _converter(descriptor.annotation, info)
        if convert is not None:
            param._runtime_param = LightRuntimeParam(
                annotation=descriptor.annotation, parameter_info=info, convert=convert
            )


@dataclass(frozen=True)
class LightRuntimeParam(PassThroughRuntimeParam):
    """What pydantic's adapter does with what the command line gives (None never reaches it)."""

    convert: Callable[[Any], Any]

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        return self.convert(value)


def _converter(annotation: Any, info: Any) -> Any:
    """A function that turns one command-line value into `annotation` (at least the option's
    min), or None for a type this light path does not take (dates, files: Typer's
    adapter does those)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str:
        return str
    if annotation in (int, float):
        return lambda value: _number(annotation, value, info)
    if annotation is Path:
        return lambda value: value if isinstance(value, Path) else Path(value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return lambda value: _member(annotation, value)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return _converter(next(arg for arg in args if arg is not type(None)), info)  # None never gets here
    if origin is list and len(args) == 1 and (item := _converter(args[0], info)) is not None:
        return lambda value: [item(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    return None


def _number(kind: type[float], value: Any, info: Any) -> float:
    """A whole number or a number, at least the option's least, said in micromoment's words."""
    try:
        number = kind(value)  # inf and nan pass, as with Typer's own: a command that minds says why
    except (TypeError, ValueError):
        raise typer.BadParameter(
            f"{value!r} is not a {'whole number' if kind is int else 'number'}"
        ) from None
    if info.min is not None and number < info.min:
        raise typer.BadParameter(f"{value} is less than {info.min}, the least it can be")
    return number


def _member(enum: Any, value: Any) -> Any:
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in enum)
        raise typer.BadParameter(f"{value!r} is not one of {choices}") from None


def _usage_name(param: Any) -> Any:
    def name() -> str:
        shown = param.display_name_raw if param.required else f"[{param.display_name_raw}]"
        return shown + ("..." if param.nargs != 1 else "")

    return name


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Read it in this language, e.g. pt-BR (default: MICROMOMENT_LANG, the locale)."
    ),
]
