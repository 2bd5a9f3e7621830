"""Import a checklist in deon's format (sections of lines) as a micromoment checklist."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pydantic import Field, ValidationError

from micromoment.checklists import Checklist, Item, Reference
from micromoment.checklists.translations import held_to
from micromoment.errors import FileProblems, MicromomentError
from micromoment.locations import display_path
from micromoment.validation import Slug, StrictModel, Text, error_words, validate
from micromoment.yamlio import dump_yaml, parse_yaml, read_yaml

DEON_FRAMEWORK = "deon"
_MAX_SLUG = 48


class DeonLine(StrictModel):
    line_id: Text
    line_summary: Text
    line: Text


class DeonSection(StrictModel):
    title: Text
    section_id: Text
    lines: list[DeonLine] = Field(min_length=1)


class DeonChecklist(StrictModel):
    title: Text
    sections: list[DeonSection] = Field(min_length=1)


def slugify(text: str, fallback: str = "item") -> str:
    """A readable slug from free text: 'Informed consent' -> 'informed-consent'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _MAX_SLUG:
            break
        slug = candidate
    return slug or fallback


def _read(path: Path) -> DeonChecklist:
    located = read_yaml(path, display_path(path))
    if not isinstance(located.data, dict):
        raise FileProblems(
            [located.problem((), "must be a deon checklist: a mapping with title and sections")]
        )
    return validate(DeonChecklist, located)


def import_deon(
    path: Path, *, checklist_id: Slug | None = None, owner: str = "product manager", minutes: float = 5
) -> Checklist:
    """Convert: item ids are slugs of the summaries (kept unique), deon's line ids stay as numbers and references."""
    deon = _read(path)
    try:
        return _convert(deon, checklist_id, owner, minutes)
    except ValidationError as exc:
        # The file was valid deon; what does not fit a micromoment checklist came from the caller.
        raise MicromomentError(
            f"{display_path(path)}: cannot become a micromoment checklist with these settings "
            f"({error_words(exc)}); "
            "give a slug id, a non-empty owner and a positive number of minutes"
        ) from None


def _convert(deon: DeonChecklist, checklist_id: str | None, owner: str, minutes: float) -> Checklist:
    taken: set[str] = set()
    items = []
    for section in deon.sections:
        for line in section.lines:
            item_id = _unique(slugify(line.line_summary), taken)
            items.append(
                Item(
                    id=item_id,
                    number=line.line_id,
                    question=line.line,
                    guidance=f"From the {section.title!r} section ({section.section_id}) of the deon checklist: {line.line_summary}.",
                    owner=owner,
                    minutes=minutes,
                    references=[Reference(framework=DEON_FRAMEWORK, id=line.line_id)],
                )
            )
    return Checklist(
        id=checklist_id or slugify(deon.title, fallback="imported"),
        title=deon.title,
        version="1",
        description=f"Imported from the deon checklist {deon.title!r}; edit owners and minutes to fit your team.",
        items=items,
    )


def import_deon_translation(path: Path, checklist: Checklist) -> str:
    """deon's checklist in another language as the translation of `checklist`, imported from
    deon's own: each line is the item whose number is its line id. The text is held to the
    checklist as `lint` holds a translation file."""
    by_number = {item.number: item.id for item in checklist.items if item.number}
    deon, items = _read(path), {}
    for section in deon.sections:
        for line in section.lines:
            if line.line_id not in by_number:
                raise MicromomentError(
                    f"{display_path(path)}: line {line.line_id} is no item of {checklist.id}; translate the "
                    f"deon checklist {checklist.id} was imported from"
                )
            guidance = f"{section.title} ({section.section_id}): {line.line_summary}."
            items[by_number[line.line_id]] = {"question": line.line, "guidance": guidance}
    fields = {"id": checklist.id, "version": checklist.version, "title": deon.title, "items": items}
    text = dump_yaml(fields)
    held_to(checklist, parse_yaml(text, f"{display_path(path)} as a translation of {checklist.id}"))
    return text


def _unique(slug: str, taken: set[str]) -> str:
    candidate, counter = slug, 2
    while candidate in taken:
        suffix = f"-{counter}"
        candidate = slug[: _MAX_SLUG - len(suffix)].rstrip("-") + suffix
        counter += 1
    taken.add(candidate)
    return candidate
