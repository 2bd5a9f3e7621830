"""Translations: a checklist's title, questions, options and guidance in another language, in a
file beside it (`quick.pt-BR.yaml`) keyed by item id. They change what people read, never what
is recorded: records keep the checklist's own item ids, answers and content hash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from micromoment.checklists.catalog import Catalog
from micromoment.checklists.model import Checklist, Item, load_checklist
from micromoment.errors import FileProblems, Problem
from micromoment.locations import TRANSLATION_NAME, display_path, translation_file
from micromoment.validation import Slug, StrictModel, Text, validate
from micromoment.yamlio import Located, read_yaml


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
    """The translation file at `path`, held to `checklist`."""
    return held_to(checklist, read_yaml(path, display_path(path)))


def held_to(checklist: Checklist, located: Located) -> Translation:
    """A translation of `checklist`, refused with every way it does not match it (stale, an
    item missing or unknown, options not the checklist's in its order), each at its line."""
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


def read_in(
    catalog: Catalog, checklist_id: str, lang: str | None, warn: Callable[[str], None] = lambda _: None
) -> Checklist | None:
    """The catalog's checklist in `lang`'s words (its translation, else its base language's:
    pt-BR, then pt), None when it has none. A translation that does not match the checklist is
    set aside (`warn` says why) and the checklist read as written: `lint` names every problem."""
    if not lang or checklist_id not in catalog:
        return None
    entry = catalog.entry(checklist_id)
    found = translation_file(entry.path, lang)
    try:
        return None if found is None else applied(entry.checklist, load_translation(entry.checklist, found))
    except FileProblems as exc:
        warn(f"{exc.problems[0]} (shown as written; micromoment lint lists every problem)")
        return None


def applied(checklist: Checklist, translation: Translation) -> Checklist:
    """`checklist` in the translation's words item by item, its ids, rules and options' order kept."""
    items = []
    for item in checklist.items:
        text = translation.items.get(item.id) or ItemText()
        options = [(text.options or {}).get(option, option) for option in item.options or []]
        guidance = item.guidance if text.guidance is None else text.guidance
        words = {"question": text.question or item.question, "guidance": guidance}
        items.append(item.model_copy(update={**words, "options": options or item.options}))
    described = {"description": translation.description} if translation.description is not None else {}
    return checklist.model_copy(update={"title": translation.title, **described, "items": items})


def answer_in(item: Item, shown: Item, answer: str) -> str:
    """A recorded answer to `item` in the words `shown` (the item translated) reads it in."""
    if item.options and shown.options and answer in item.options:
        return shown.options[item.options.index(answer)]
    return answer
