"""Validate located YAML data against a strict model; report each error as `file:line:col: where: what`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from micromoment.errors import FileProblems, Problem
from micromoment.yamlio import Located, PathKey

ModelT = TypeVar("ModelT", bound=BaseModel)

_WORDS_BY_KIND = {
    "string_type": "must be text (put it in quotes if it looks like a number, date or yes/no)",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list (one '- ' entry per line)",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "missing": "is required but missing",
    "date_type": "must be a date like 2026-12-31",
    "date_from_datetime_parsing": "must be a date like 2026-12-31",
    "datetime_type": "must be a time like 2026-12-31T09:00:00Z",
    "finite_number": "must be a finite number, such as 5 or 0.5",
    "dict_key_type": "keys must be text",
    "extra_forbidden": "unknown field; remove it or check its spelling",
    "string_pattern_mismatch": "must be a slug: lowercase letters and digits joined by single hyphens, "
    "e.g. data-in-prompts",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    # Filled in from the error's context.
    "string_too_long": "is too long (at most {max_length} characters)",
    "greater_than": "must be greater than {gt:g}",
    "greater_than_equal": "must be at least {ge:g}",
}


def validate(model: type[ModelT], located: Located) -> ModelT:
    """Build `model` from `located.data` or raise FileProblems listing every error."""
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise FileProblems(problems_from(exc, located)) from None


def value_problem(kind: Any, value: Any) -> str | None:
    """Why `value` is not a valid `kind` (a field type such as Slug or Text), in micromoment's words; or None.

    For values that come from somewhere other than a file (a command-line option), so the
    person reads the same words a file would give them.
    """
    try:
        TypeAdapter(kind, config=StrictModel.model_config).validate_python(value)
    except ValidationError as exc:
        return error_words(exc)
    return None


def error_words(exc: ValidationError) -> str:
    """Every error of `exc` in micromoment's words (not pydantic's), joined by '; '."""
    words = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"] if isinstance(part, (str, int)))
        words.append(f"{where}: {_message(error)}" if where else _message(error))
    return "; ".join(words)


def problems_from(exc: ValidationError, located: Located, prefix: PathKey = ()) -> list[Problem]:
    """Each pydantic error as a located problem; `prefix` is where the validated value sits in the file."""
    problems = []
    for error in exc.errors(include_url=False):
        loc: PathKey = prefix + tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        loc = _data_path(loc, located)
        kind = error["type"]
        problems.append(located.problem(loc, _message(error), key=kind == "extra_forbidden"))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


_BRANCH_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


def _data_path(loc: PathKey, located: Located) -> PathKey:
    """Keep the keys that are in the file (plus a missing field's own name), dropping the
    branch names pydantic adds for unions and validators (`str`, `function-after[...]`)."""
    kept: list[str | int] = []
    for index, part in enumerate(loc):
        candidate = (*kept, part)
        is_last = index == len(loc) - 1
        if (
            candidate in located.values
            or candidate in located.keys
            or (is_last and isinstance(part, str) and "[" not in part and part not in _BRANCH_NAMES)
        ):
            kept.append(part)
    return tuple(kept)


def _message(error: Any) -> str:
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in _WORDS_BY_KIND:
        return _WORDS_BY_KIND[kind].format(**ctx)
    return str(error["msg"])


class StrictModel(BaseModel):
    """The base of every model read from a file: unknown keys and loose types are errors."""

    # allow_inf_nan=False: no estimate, count or score in micromoment is infinite or not a number.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, AfterValidator(_not_blank)]


def _parse_time(value: Any) -> Any:
    # Records store times as ISO 8601 text; YAML may hand them back as text or as datetime.
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be a time like 2026-11-22T09:30:00Z") from None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        raise ValueError("must carry a time zone, e.g. 2026-11-22T09:30:00Z")
    return value


def _time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be a date like 2026-12-31") from None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


UtcTime = Annotated[dt.datetime, BeforeValidator(_parse_time), PlainSerializer(_time_text, return_type=str)]
Day = Annotated[
    dt.date, BeforeValidator(_parse_day), PlainSerializer(lambda d: d.isoformat(), return_type=str)
]
