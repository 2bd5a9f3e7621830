"""Checklists: the strict YAML format, loading with located errors, and the catalog of built-in and repo checklists."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema, field_serializer, field_validator, model_validator

from micromoment.checklists.answers import CONFIRM_ANSWERS
from micromoment.errors import FileProblems, Problem, UnknownChecklist
from micromoment.locations import Project, display_path, shipped_dir
from micromoment.validation import Slug, StrictModel, Text, validate
from micromoment.yamlio import Located, PathKey, read_yaml

ItemKind = Literal["confirm", "choice", "text"]
SCHEMA_HEADER = "# yaml-language-server: $schema=checklist.schema.json\n"


class Reference(StrictModel):
    """A pointer into a published framework, e.g. {framework: owasp-llm, id: LLM02, version: "2025"}."""

    framework: Slug = Field(
        description="Framework slug: nist-ai-rmf, nist-ai-600-1, owasp-llm, eu-ai-act, iso-42001, or your own."
    )
    id: Text = Field(
        description="The identifier inside the framework, e.g. LLM02, MEASURE 2.11, Art. 50(1), A.7.5."
    )
    version: Text | None = Field(
        default=None, description='Edition of the framework, e.g. "2025", "1.0", "2024/1689".'
    )

    @model_validator(mode="after")
    def _owasp_needs_its_year(self) -> Reference:
        if self.framework == "owasp-llm" and not (self.version and re.fullmatch(r"\d{4}", self.version)):
            raise ValueError(
                'an owasp-llm reference needs its edition year, e.g. version: "2025" '
                "(editions renumber the list)"
            )
        return self

    def label(self) -> str:
        return f"{self.framework} {self.id}" + (f" ({self.version})" if self.version else "")


_ONE_OR_MORE_ANSWERS = {
    "anyOf": [
        {"type": "string"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": ["string", "boolean"]}, "minItems": 1},
    ]
}


class AskIf(StrictModel):
    """Ask an item only when an earlier item's answer is one of `is`."""

    item: Slug = Field(description="The id of an earlier item.")
    is_: Annotated[list[Text], WithJsonSchema(_ONE_OR_MORE_ANSWERS)] = Field(
        alias="is", min_length=1, description="The answer, or list of answers, that make this item relevant."
    )

    @field_validator("is_", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # YAML reads a bare `yes`/`no` as a boolean; people mean the answer.
        values = value if isinstance(value, list) else [value]
        return [{True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v for v in values]


class Item(StrictModel):
    """One concrete check: a question, why and how, who owns it, and how long it takes."""

    id: Slug = Field(description="Stable slug; never renumber or reuse it, records cite it.")
    number: Text | None = Field(default=None, description="Optional display number, e.g. A.1.")
    question: Text = Field(description="The question, answerable in minutes.")
    guidance: str = Field(default="", description="Why it matters and how to do it in minutes.")
    owner: Text = Field(description="The role that owns this check, e.g. product manager.")
    minutes: float = Field(gt=0, description="Estimated minutes; 0.5 is fine.")
    kind: ItemKind = Field(
        default="confirm", description="confirm (yes / no / na), choice (one of options) or text."
    )
    options: list[Text] | None = Field(
        default=None, description="The choices, for kind: choice (two or more)."
    )
    required: bool = Field(default=True, description="Whether a complete review needs an answer.")
    ask_if: AskIf | None = Field(default=None, description="Ask only when an earlier item's answer matches.")
    references: list[Reference] = Field(default_factory=list, description="Where this check comes from.")
    evidence: Literal["sample"] | None = Field(
        default=None,
        description="sample: a sample of real outputs read with micromoment sample is this item's evidence; "
        "the review offers to draw one and links it.",
    )

    @model_validator(mode="after")
    def _options_match_kind(self) -> Item:
        if self.kind == "choice":
            if not self.options or len(set(self.options)) < 2:
                raise ValueError("a choice item needs at least two different options")
        elif self.options is not None:
            raise ValueError(f"options are only for kind: choice (this item is kind: {self.kind})")
        return self

    @field_serializer("minutes")
    def _whole_minutes_as_int(self, minutes: float) -> float | int:
        return int(minutes) if float(minutes).is_integer() else minutes

    def answers(self) -> tuple[str, ...]:
        """The answers this item accepts; empty for free text."""
        if self.kind == "confirm":
            return CONFIRM_ANSWERS
        if self.kind == "choice":
            return tuple(self.options or ())
        return ()


class Checklist(StrictModel):
    """A named set of items, and the paths whose changes call for it."""

    id: Slug = Field(description="Stable slug; a repo checklist with a built-in's id replaces it.")
    title: Text
    version: Text = Field(description='Your version label, quoted, e.g. "1.2".')
    description: str = ""
    applies_to: list[Text] = Field(
        default_factory=list,
        description=".gitignore-style patterns of paths whose change triggers this checklist.",
    )
    applies_when: list[Slug] = Field(default_factory=list, description="Detectors whose findings trigger it.")
    items: list[Item] = Field(min_length=1)

    def consistency_problems(self) -> list[tuple[PathKey, str]]:
        """Rules across items: unique ids, ask_if pointing back, patterns that parse. The loader
        checks them after the model (every checklist file comes through it), so each problem is
        located on its own line."""
        problems: list[tuple[PathKey, str]] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(self.items):
            if item.id in seen:
                problems.append(
                    (
                        ("items", index, "id"),
                        f"duplicate item id {item.id!r} (also items[{seen[item.id]}]); ids must be unique",
                    )
                )
            if item.ask_if is not None:
                problems.extend(self._ask_if_problems(index, item.ask_if, seen))
            seen.setdefault(item.id, index)
        for index, pattern in enumerate(self.applies_to):
            message = pattern_problem(pattern)
            if message:
                problems.append((("applies_to", index), message))
        return problems

    def _ask_if_problems(
        self, index: int, ask_if: AskIf, earlier: dict[str, int]
    ) -> list[tuple[PathKey, str]]:
        where: PathKey = ("items", index, "ask_if", "item")
        if ask_if.item not in earlier:
            later = any(item.id == ask_if.item for item in self.items[index:])
            reason = "comes later" if later else "is not an item of this checklist"
            return [(where, f"{ask_if.item!r} {reason}; ask_if must name an earlier item")]
        target = self.items[earlier[ask_if.item]]
        allowed = target.answers()
        if not allowed:
            return [(where, f"{ask_if.item!r} is a text item; ask_if needs a confirm or choice item")]
        bad = [value for value in ask_if.is_ if value not in allowed]
        if bad:
            return [
                (
                    ("items", index, "ask_if", "is"),
                    f"{', '.join(map(repr, bad))} is not an answer of {ask_if.item!r} (one of {', '.join(allowed)})",
                )
            ]
        return []

    @property
    def minutes(self) -> float:
        return sum(item.minutes for item in self.items)

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)

    def content_hash(self) -> str:
        """A fingerprint of everything in the checklist; records cite it to show what was answered."""
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Limits that keep matching linear enough: Python's `re` backtracks, so each `*` or `**` that
# can stretch multiplies the work on a long path (three `*` in one segment take minutes on a
# 4,096-character file name). Every realistic trigger (`prompts/**`, `**/*.prompt.md`,
# `src/**/llm/*.py`) stays well inside them.
MAX_PATTERN_LENGTH = 256
MAX_WILDCARDS = 3  # `*` and `**`, over the whole pattern
MAX_STARS_PER_SEGMENT = 2
MAX_DOUBLE_STARS = 2
# One piece of a pattern: an escaped character, a `[...]` class (its first character may be `]`,
# as in git), or any single character.
_PATTERN_PIECE = re.compile(r"\\.?|\[.[^\]]*\]|.", re.DOTALL)
# `*?*` or `*[ab]*`: with no literal between them the two `*` backtrack against each other.
_TIGHT_STARS = re.compile(r"\*[?\[\]]+\*")


def pattern_problem(pattern: str) -> str | None:
    """Why a .gitignore-style pattern is unusable (does not parse, or could match too slowly), or None."""
    import pathspec  # only the loaders and matchers need it

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except (ValueError, TypeError) as exc:
        return f"not a valid .gitignore-style pattern: {exc}"
    if len(pattern) > MAX_PATTERN_LENGTH:
        return (
            f"pattern {pattern[:40]!r}... is {len(pattern)} characters long (at most {MAX_PATTERN_LENGTH}); "
            "split it into several shorter patterns"
        )
    segments = _wildcard_segments(pattern)
    double = segments.count("**")
    stars = [segment.count("*") for segment in segments if segment != "**"]
    if (
        double > MAX_DOUBLE_STARS
        or max(stars, default=0) > MAX_STARS_PER_SEGMENT
        or double + sum(stars) > MAX_WILDCARDS
        or any(_TIGHT_STARS.search(segment) for segment in segments)
    ):
        return (
            f"pattern {pattern!r} could take minutes to match a long path; use at most two `*` in a "
            "path segment, with a literal character between them, and two `**` and three wildcards "
            "in all: e.g. `*.prompt.md` instead of `*prompt*.*`, or several patterns"
        )
    return None


def _wildcard_segments(pattern: str) -> list[str]:
    """Each `/`-separated segment in wildcards: `**` (a whole segment), or `*`, `?`, `[]` and `x` for a literal."""
    segments = [""]
    for piece in _PATTERN_PIECE.findall(pattern.removeprefix("!")):
        if piece == "/":
            segments.append("")
        elif piece in ("*", "?"):
            segments[-1] += piece
        else:
            segments[-1] += "[]" if piece[0] == "[" and len(piece) > 2 else "x"
    return segments


def format_minutes(minutes: float) -> str:
    return f"{minutes:g}"


def load_checklist(path: Path) -> Checklist:
    """Read one checklist file; every problem in it is reported at once, with line numbers."""
    return _load_located(path)[0]


def _load_located(path: Path) -> tuple[Checklist, Located]:
    located = read_yaml(path, display_path(path))
    if not isinstance(located.data, dict):
        raise FileProblems([located.problem((), "must be a mapping with id, title, version and items")])
    checklist = validate(Checklist, located)
    problems = [located.problem(loc, message) for loc, message in checklist.consistency_problems()]
    if problems:
        raise FileProblems(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return checklist, located


Source = Literal["built-in", "repo"]


@dataclass(frozen=True)
class CatalogEntry:
    path: Path
    source: Source
    replaces_builtin: bool = False
    # A repo checklist is read and checked when the catalog loads; a built-in (named by its file)
    # when first used, so a command that needs one checklist does not read all of them.
    loaded: Checklist | None = None

    @functools.cached_property
    def checklist(self) -> Checklist:
        return self.loaded or load_checklist(self.path)


def checklist_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def unknown_id_message(wanted: str, known: list[str]) -> str:
    """`no checklist with id 'quik'; did you mean quick?`, with every id when nothing is close."""
    import difflib

    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"available: {', '.join(known)} (run micromoment list)"
    return f"no checklist with id {wanted!r}; {hint}"


class Catalog:
    """Every checklist a project can use: the built-ins, plus or replaced by the repo's own."""

    def __init__(self, entries: dict[str, CatalogEntry]) -> None:
        self._entries = entries

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self._entries[checklist_id] for checklist_id in self.ids())

    def __contains__(self, checklist_id: object) -> bool:
        return checklist_id in self._entries

    def ids(self) -> list[str]:
        return sorted(self._entries)

    def entry(self, checklist_id: str) -> CatalogEntry:
        self.require(checklist_id)
        return self._entries[checklist_id]

    def require(self, checklist_id: str | None, also: set[str] | frozenset[str] = frozenset()) -> None:
        """Refuse an id no checklist has, nor `also` (ids records still name): a filter that
        matched nothing because of a typo would look like no work done."""
        if checklist_id is not None and checklist_id not in also and checklist_id not in self._entries:
            raise UnknownChecklist(unknown_id_message(checklist_id, sorted({*self.ids(), *also})))

    def get(self, checklist_id: str) -> Checklist:
        return self.entry(checklist_id).checklist


def load_catalog(project: Project) -> Catalog:
    """The built-ins and `.micromoment/checklists/`; every broken repo file is reported together."""
    builtins = {
        path.stem: CatalogEntry(path, "built-in") for path in checklist_files(shipped_dir("checklists"))
    }
    repo: dict[str, CatalogEntry] = {}
    problems: list[Problem] = []
    for path in checklist_files(project.checklists_dir):
        try:
            checklist, located = _load_located(path)
        except FileProblems as exc:
            problems.extend(exc.problems)
            continue
        previous = repo.get(checklist.id)
        if previous is not None:
            problems.append(
                located.problem(
                    ("id",),
                    f"{checklist.id!r} is also defined in {display_path(previous.path)}; give one of them another id",
                )
            )
            continue
        repo[checklist.id] = CatalogEntry(path, "repo", checklist.id in builtins, checklist)
    if problems:
        raise FileProblems(problems)
    return Catalog(builtins | repo)
