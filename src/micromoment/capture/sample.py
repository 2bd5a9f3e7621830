"""Drawing a few real model outputs from an eval or log file: JSON Lines, CSV or promptfoo results, streamed."""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from micromoment.capture.guard import redact
from micromoment.capture.sample_files import Format, detect_format, hashed, open_outputs, problem, read_rows
from micromoment.errors import MicromomentError, printable
from micromoment.locations import display_path
from micromoment.records import SampleSource

EXCERPT_CHARS = 160
ID_DEFAULTS = ("id",)
PROMPT_DEFAULTS = ("prompt", "prompt.raw", "input", "question", "vars.question", "vars.input")
OUTPUT_DEFAULTS = ("output", "response.output", "response", "answer", "completion")
_MISSING = object()
# Zero-width characters that hide text on screen, beyond the controls `printable` takes out.
_INVISIBLE = re.compile("[\u200b-\u200d\ufeff]")


class Fields(NamedTuple):
    """Which field of a row names it, holds the prompt and holds the output."""

    id: str | None
    prompt: str | None
    output: str


class Drawn(NamedTuple):
    """One drawn row, with its full prompt and output as clean text."""

    id: str
    line: int
    prompt: str
    output: str


class Draw(NamedTuple):
    source: SampleSource
    seed: int
    n: int
    outputs: list[Drawn]


class DrawRequest(NamedTuple):
    """What to draw: everything that makes a draw reproducible."""

    path: Path
    display: str
    n: int = 5
    seed: int | None = None
    id_field: str | None = None
    prompt_field: str | None = None
    output_field: str | None = None
    where: tuple[str, ...] = ()


def shown_path(root: Path, path: Path) -> str:
    """A path as a record keeps it: relative to the repository when inside it, so it reads the same for all."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return display_path(path)


def clean_text(text: str) -> str:
    """Text as it can be shown safely: no terminal escapes, control or direction-changing characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _INVISIBLE.sub("", printable(text))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of `text` on one line, with secrets and personal data masked before it is cut."""
    masked = redact(" ".join(clean_text(text).split()))
    return masked if len(masked) <= limit else masked[: limit - 1].rstrip() + "…"


def lookup(row: dict[str, Any], field: str) -> Any:
    """A field's value: an exact key first (CSV headers may hold dots), else a dotted path into objects."""
    if field in row:
        return row[field]
    value: Any = row
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def as_text(value: Any) -> str:
    """A value as text: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


def field_names(row: dict[str, Any], prefix: str = "", depth: int = 2) -> list[str]:
    names = []
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and depth > 1:
            names += field_names(value, name + ".", depth - 1)
        else:
            names.append(name)
    return names


def parse_where(conditions: tuple[str, ...]) -> list[tuple[str, str]]:
    parsed = []
    for condition in conditions:
        field, equals, value = condition.partition("=")
        if not equals or not field.strip():
            raise MicromomentError(f"--where {condition!r}: write FIELD=VALUE, e.g. --where vars.lang=en")
        parsed.append((field.strip(), value))
    return parsed


def resolve_fields(request: DrawRequest, first: dict[str, Any], line: int) -> Fields:
    """The named fields, checked against the first row; unnamed ones from the usual names."""
    available = ", ".join(field_names(first)[:30])

    def chosen(name: str | None, option: str, usual: tuple[str, ...]) -> str | None:
        if not name:  # the first of the usual names that holds a plain value
            return next((field for field in usual if _plain(lookup(first, field))), None)
        if lookup(first, name) is _MISSING:
            raise MicromomentError(
                f"{request.display}: no field {name!r} in the rows (line {line} has: {available}); "
                f"name one of those with {option}"
            )
        return name

    output = chosen(request.output_field, "--output-field", OUTPUT_DEFAULTS)
    if output is None:
        raise MicromomentError(
            f"{request.display}: no output field found (looked for {', '.join(OUTPUT_DEFAULTS)}; "
            f"line {line} has: {available}); name it with --output-field FIELD"
        )
    prompt = chosen(request.prompt_field, "--prompt-field", PROMPT_DEFAULTS)
    return Fields(id=chosen(request.id_field, "--id-field", ID_DEFAULTS), prompt=prompt, output=output)


def _plain(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def draw(request: DrawRequest) -> Draw:
    """`n` rows drawn uniformly from the file in one streamed pass (reservoir sampling), reproducibly by seed.

    Memory holds the n rows kept so far and one row being read, whatever the file's size.
    """
    if request.n < 1:
        raise MicromomentError("-n must be 1 or more: how many outputs to read")
    seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
    fmt = detect_format(request.path, request.display)
    where = parse_where(request.where)
    rng = random.Random(seed)
    kept: list[tuple[int, dict[str, Any]]] = []
    fields: Fields | None = None
    rows = matched = 0
    hasher = hashlib.sha256()
    size = request.path.stat().st_size
    with open_outputs(request.path, request.display) as handle:
        for line, row in read_rows(fmt, hashed(handle, hasher), request.display):
            rows += 1
            fields = fields or resolve_fields(request, row, line)
            if where and not _meets(row, where):
                continue
            if lookup(row, fields.output) is _MISSING:
                message = f"no field {fields.output!r} in this row; every row needs its output"
                raise problem(request.display, line, message)
            matched += 1
            # Algorithm R: the i-th row takes a kept one's place with probability n/i, which keeps
            # every row equally likely.
            if len(kept) < request.n:
                kept.append((line, row))
            elif (slot := rng.randrange(matched)) < request.n:
                kept[slot] = (line, row)
    if fields is None:
        raise MicromomentError(
            f"{request.display}: no rows in the file; point at a file with model outputs in it"
        )
    if not kept:
        raise MicromomentError(
            f"{request.display}: none of its {rows} rows meet {' and '.join(request.where)}; check the field and value"
        )
    source = SampleSource(
        path=request.display,
        format=fmt,
        size=size,
        sha256=hasher.hexdigest(),
        rows=rows,
        matched=matched,
        id_field=fields.id,
        prompt_field=fields.prompt,
        output_field=fields.output,
        where=list(request.where),
    )
    return Draw(source, seed, request.n, _drawn(sorted(kept, key=lambda pair: pair[0]), fields, fmt))


def _meets(row: dict[str, Any], where: list[tuple[str, str]]) -> bool:
    values = [(lookup(row, field), wanted) for field, wanted in where]
    return all(value is not _MISSING and as_text(value) == wanted for value, wanted in values)


def _drawn(kept: list[tuple[int, dict[str, Any]]], fields: Fields, fmt: Format) -> list[Drawn]:
    prefix = "row" if fmt == "promptfoo" else "line"
    named = []
    for line, row in kept:
        value = lookup(row, fields.id) if fields.id else _MISSING
        name = as_text(value).strip() if value is not _MISSING and value is not None else ""
        prompt = lookup(row, fields.prompt) if fields.prompt else _MISSING
        named.append(
            Drawn(
                id=clean_text(name) or f"{prefix}-{line}",
                line=line,
                prompt="" if prompt is _MISSING else clean_text(as_text(prompt)),
                output=clean_text(as_text(lookup(row, fields.output))),
            )
        )
    counts = Counter(drawn.id for drawn in named)
    # Two drawn rows with one id could not be told apart in a judgements file.
    return [d._replace(id=f"{d.id}@{prefix}-{d.line}") if counts[d.id] > 1 else d for d in named]


LEAK_MASK = "[masked whole: flagged as a leak of personal or secret data]"


def excerpts(drawn: Drawn, leak: bool) -> tuple[str, str]:
    """A drawn row's prompt and output as records and `--json` show them: masked excerpts, or,
    for a row its reader flagged as a leak, masked whole, since the guard may not know the
    secret's form."""
    if leak:
        return (LEAK_MASK if drawn.prompt else "", LEAK_MASK)
    return excerpt(drawn.prompt), excerpt(drawn.output)


def draw_json(result: Draw, leaks: set[str]) -> dict[str, Any]:
    """The draw as `--json` prints it: masked excerpts only, so it is safe to paste anywhere;
    `leaks` are the rows a recorded sample of the same file flagged as a leak."""
    outputs = []
    for d in result.outputs:
        prompt, output = excerpts(d, d.id in leaks)
        outputs.append({"id": d.id, "line": d.line, "prompt": prompt, "output": output})
    return {
        "source": result.source.model_dump(mode="json"),
        "seed": result.seed,
        "n": result.n,
        "outputs": outputs,
    }
