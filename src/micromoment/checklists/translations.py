"""Translations: a checklist's title, questions, options and guidance in another language, in a
file beside it (`quick.pt-BR.yaml`) keyed by item id. They change what people read, never what
is recorded: records keep the checklist's own item ids, answers and content hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from micromoment.checklists.model import Checklist, load_checklist
from micromoment.errors import FileProblems, Problem
from micromoment.locations import TRANSLATION_NAME, display_path
from micromoment.validation import Slug, StrictModel, Text, validate
from micromoment.yamlio import read_yaml


class ItemText(StrictModel):
    """One item in another language; what is left out is read in the checklist's own words."""

    question: Text | None = None
    guidance: str | None = None
    # Each option as the checklist writes it, in its order, mapped to its translation.
    options: dict[Text, Text] | None = None


class Translation(StrictModel):
    """A checklist in another language."""

    id: Slug  # the id of the checklist translated
    version: Text  # the version translated; a newer checklist makes the translation stale
    title: Text
    description: str | None = None
    items: dict[Slug, ItemText]  # by item id: every item of the checklist


def translations_of(checklist_path: Path) -> list[Path]:
    """The translation files beside a checklist file."""
    named = checklist_path.parent.glob(f"{checklist_path.stem}.*")
    return sorted(p for p in named if TRANSLATION_NAME.search(p.name) and original(p) == checklist_path)


def original(translation_path: Path) -> Path:
    """The checklist file a translation file translates: `quick.pt-BR.yaml` is `quick.yaml`'s."""
    return translation_path.with_name(TRANSLATION_NAME.sub(translation_path.suffix, translation_path.name))


def check_translation(path: Path) -> Translation:
    """The translation file read against the checklist beside it."""
    return load_translation(load_checklist(original(path)), path)


def load_translation(checklist: Checklist, path: Path) -> Translation:
    """A translation of `checklist`, refused with every way it does not match it (stale, an
    item missing or unknown, options not the checklist's in its order), each at its line."""
    located = read_yaml(path, display_path(path))
    translation = validate(Translation, located)
    problems: list[Problem] = []
    if translation.id != checklist.id:
        problems.append(
            located.problem(("id",), f"translates {translation.id!r}; this is {checklist.id!r}'s file")
        )
    if translation.version != checklist.version:
        stale = (
            f"stale: translates version {translation.version} of {checklist.id}, which is now "
            f"version {checklist.version}; translate what changed and set version: {checklist.version!r}"
        )
        problems.append(located.problem(("version",), stale))
    missing = [item.id for item in checklist.items if item.id not in translation.items]
    if missing:
        problems.append(located.problem(("items",), f"no translation of {', '.join(missing)}", key=True))
    for item_id, text in translation.items.items():
        item = checklist.item(item_id)
        if item is None:
            problems.append(
                located.problem(("items", item_id), f"{checklist.id} has no item {item_id!r}", key=True)
            )
        elif text.options is not None and list(text.options) != (item.options or []):
            wanted = ", ".join(item.options or []) or "none (it is not a choice item)"
            message = f"options must be the checklist's, in its order: {wanted}"
            problems.append(located.problem(("items", item_id, "options"), message, key=True))
    if problems:
        raise FileProblems(problems)
    return translation


def translated(fields: dict[str, Any], translation: Translation) -> dict[str, Any]:
    """A checklist as `show --json` prints it, in the translation's words item by item."""
    items = []
    for item in fields["items"]:
        text = translation.items.get(item["id"]) or ItemText()
        options = [(text.options or {}).get(option, option) for option in item.get("options") or []]
        guidance = text.guidance if text.guidance is not None else item.get("guidance", "")
        shown = {**item, "question": text.question or item["question"], "guidance": guidance}
        items.append({**shown, "options": options} if options else shown)
    described = {"description": translation.description} if translation.description is not None else {}
    return {**fields, "title": translation.title, **described, "items": items}
