"""Commands about checklists: list, show, schema, import-deon."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from micromoment.checklists import DEFAULT_CHECKLIST
from micromoment.checklists.packs import found_packs
from micromoment.cli.output import out, print_json, say, write_out
from micromoment.cli.params import LangOption
from micromoment.errors import MicromomentError, UnknownChecklist
from micromoment.gate.policy import shipped_stamp
from micromoment.locations import (
    Project,
    display_path,
    find_project,
    is_checklist_name,
    language,
    translation_file,
)
from micromoment.memo import read_memo, write_memo
from micromoment.schemas import SchemaName

if TYPE_CHECKING:  # the models load only when the catalog is read afresh
    from micromoment.checklists import Checklist

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def list_checklists(as_json: JsonOption = False) -> None:
    """List the checklists you can run: built-in ones, installed packs' and your repository's own.

    Repository checklists live in .micromoment/checklists/; one with the id of a pack's or a
    built-in's replaces it (shown as "repo, replaces built-in"), as a pack's replaces a built-in's.
    """
    catalog = shown_catalog(find_project())
    if as_json:
        print_json(
            [
                {
                    "id": entry.fields["id"],
                    "title": entry.fields["title"],
                    "items": len(entry.fields["items"]),
                    "minutes": entry.fields["minutes"],
                    "source": entry.source,
                    "replaces_builtin": entry.replaces == "built-in",
                    "replaces": entry.replaces,
                    "path": display_path(Path(entry.path)),
                }
                for entry in catalog
            ]
        )
        return
    from rich.table import Table  # here: `stats` reads the catalog through this module, and prints no table

    table = Table(title="Checklists", title_justify="left")
    ids = [e.fields["id"] + (" (default)" if e.fields["id"] == DEFAULT_CHECKLIST else "") for e in catalog]
    # Ids are copied into commands: never cut or wrapped; the other columns give way.
    table.add_column("id", style="bold", no_wrap=True, min_width=max(len(shown_id) for shown_id in ids))
    table.add_column("title")
    table.add_column("items", justify="right")
    table.add_column("minutes", justify="right")
    table.add_column("source")
    for entry, shown_id in zip(catalog, ids, strict=True):
        table.add_row(
            shown_id,
            entry.fields["title"],
            str(len(entry.fields["items"])),
            format_minutes(entry.fields["minutes"]),
            f"{entry.source}, replaces {entry.replaces}" if entry.replaces else entry.source,
        )
    out().print(table)
    say("Show one with: micromoment show ID")


def show(
    checklist_id: Annotated[
        str, typer.Argument(metavar="ID", help="The checklist's id, as in micromoment list.")
    ],
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Show one checklist's items: question, owner, minutes, guidance and references."""
    catalog = shown_catalog(find_project())
    entry = next((entry for entry in catalog if entry.fields["id"] == checklist_id), None)
    if entry is None:
        from micromoment.checklists.catalog import unknown_id_message

        raise UnknownChecklist(unknown_id_message(checklist_id, sorted(e.fields["id"] for e in catalog)))
    fields = _in_language(entry, lang or language())
    if as_json:
        print_json({**fields, "source": entry.source, "path": display_path(Path(entry.path))})
        return
    _print_checklist(fields)
    if entry.source.startswith("pack: "):
        say(f"From {entry.source}")


def _in_language(entry: Shown, lang: str | None) -> dict[str, Any]:
    """The checklist in `lang` when it has a translation that matches it; else as written."""
    if not lang or translation_file(Path(entry.path), lang) is None:
        return entry.fields  # read from the memo, without the catalog's models
    from micromoment.checklists import load_catalog
    from micromoment.checklists.translations import read_in

    shown = read_in(load_catalog(find_project()), entry.fields["id"], lang, say)
    return entry.fields if shown is None else {**_fields(shown), "content_hash": entry.fields["content_hash"]}


class Shown(NamedTuple):
    """A checklist as list and show print it: `fields` as `show --json` has them."""

    fields: dict[str, Any]
    source: str
    path: str
    replaces: str | None


def shown_catalog(project: Project) -> list[Shown]:
    """The catalog as list and show print it. It is kept in the gate's memo under the checklist
    files' names, sizes and times, so that once it has been read, list and show load neither the
    YAML reader nor the models that validate it (most of their time)."""
    git_dir, stamps = project.root / ".git", _stamps(project.checklists_dir)
    memo = str(git_dir) if git_dir.is_dir() and stamps is not None else None
    packs = found_packs(memo) if memo is not None else None  # else the catalog finds them itself
    key = "\n".join([*(stamps or []), *shipped_stamp(packs or [])])
    known = read_memo(memo, "catalog").get(key)
    if isinstance(known, list):
        return [Shown(*entry) for entry in known]
    from micromoment.checklists import load_catalog

    shown = [
        Shown(_fields(entry.checklist), entry.source, str(entry.path.absolute()), entry.replaces)
        for entry in load_catalog(project, packs)  # a broken file is named here, and never remembered
    ]
    if memo is not None:
        write_memo(memo, "catalog", {key: shown})
    return shown


def _stamps(folder: Path) -> list[str] | None:
    """The repository's checklist files by name, size and time; None when one cannot be looked
    at (reading the catalog afresh says why)."""
    try:
        files = sorted(p for p in folder.iterdir() if is_checklist_name(p.name)) if folder.is_dir() else []
        return [f"{path.name} {path.stat().st_size} {path.stat().st_mtime_ns}" for path in files]
    except OSError:
        return None


def _fields(checklist: Checklist) -> dict[str, Any]:
    """The checklist as `show --json` prints it: its own fields, total minutes and content hash."""
    return {
        **checklist.model_dump(mode="json", by_alias=True, exclude_none=True),
        "minutes": checklist.minutes,
        "content_hash": checklist.content_hash(),
    }


def format_minutes(minutes: float) -> str:
    return f"{minutes:g}"


def _print_checklist(checklist: dict[str, Any]) -> None:
    from rich.text import Text

    console = out()

    def indented(text: str, style: str = "") -> None:
        width = max(console.width, 40)
        for paragraph in text.splitlines():
            wrapped = textwrap.fill(paragraph, width=width, initial_indent="   ", subsequent_indent="   ")
            console.print(Text(wrapped, style=style))

    console.print(
        Text.assemble(
            (checklist["title"], "bold"),
            f" ({checklist['id']} {checklist['version']}) · {len(checklist['items'])} items"
            f" · about {format_minutes(checklist['minutes'])} min",
        )
    )
    if checklist.get("description"):
        console.print(Text(checklist["description"].strip()))
    if checklist.get("applies_to"):
        console.print(Text("Triggered by changes to: " + ", ".join(checklist["applies_to"]), style="dim"))
    for number, item in enumerate(checklist["items"], start=1):
        console.print()
        console.print(
            Text.assemble(
                (f"{item.get('number') or number}. {item['question']}", "bold"), (f"  ({item['id']})", "dim")
            )
        )
        indented(" · ".join(_facts(item)), "dim")
        if item.get("evidence") == "sample":
            indented("evidence: a sample of real outputs (micromoment sample)", "dim")
        if guidance := item.get("guidance", "").strip():
            indented(guidance)
        if item.get("references"):
            indented("refs: " + "; ".join(_label(ref) for ref in item["references"]), "dim")


def _facts(item: dict[str, Any]) -> list[str]:
    facts = [f"owner: {item['owner']}", f"{format_minutes(item['minutes'])} min", item["kind"]]
    if item["kind"] == "choice":
        facts.append("options: " + " / ".join(item.get("options") or []))
    if not item["required"]:
        facts.append("optional")
    ask_if = item.get("ask_if")
    if ask_if is not None:
        facts.append(f"asked if {ask_if['item']} is {' or '.join(ask_if['is'])}")
    return facts


def _label(reference: dict[str, Any]) -> str:
    """As Reference.label: `owasp-llm LLM02 (2025)`."""
    version = reference.get("version")
    return f"{reference['framework']} {reference['id']}" + (f" ({version})" if version else "")


def schema(
    name: Annotated[
        SchemaName, typer.Argument(help="Which file's schema: checklist, config, review or sample.")
    ] = SchemaName.checklist,
) -> None:
    """Print the JSON Schema of a checklist, config, review or sample file, for editors and tools.

    Save it next to your files and point the YAML language server at it:
    micromoment schema checklist > .micromoment/checklists/checklist.schema.json
    """
    from micromoment.schemas import json_schema

    print_json(json_schema(name))


def import_deon(
    file: Annotated[Path, typer.Argument(help="A checklist in deon's YAML format (title, sections, lines).")],
    checklist_id: Annotated[
        str | None, typer.Option("--id", help="The new checklist's id (default: a slug of its title).")
    ] = None,
    owner: Annotated[str, typer.Option(help="The owner role given to every item.")] = "product manager",
    minutes: Annotated[float, typer.Option(help="The minutes estimate given to every item.", min=0.1)] = 5,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Write here instead of printing, e.g. .micromoment/checklists/ID.yaml."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
    translation_of: Annotated[
        str | None,
        typer.Option(
            metavar="ID",
            help="FILE is deon's checklist translated: write it as checklist ID's translation, to keep "
            "beside it as ID.LANG.yaml.",
        ),
    ] = None,
) -> None:
    """Convert a deon-format checklist into a micromoment checklist.

    Item ids become slugs of deon's line summaries; deon's line ids stay as display
    numbers and as references. Owners and minutes are the same for every item: edit them.
    With --translation-of ID, deon's checklist in another language becomes the translation of
    checklist ID (imported from deon's own), each line matched to an item by its line id.
    """
    from micromoment.checklists import SCHEMA_HEADER, deon
    from micromoment.files import write_atomic
    from micromoment.validation import Slug
    from micromoment.validation import Text as NonBlank
    from micromoment.yamlio import dump_yaml

    _check_option("--id", Slug, checklist_id, f"try --id {deon.slugify(checklist_id or '', 'my-checklist')}")
    _check_option(
        "--owner", NonBlank, owner, "name the role that owns the items, e.g. --owner 'product manager'"
    )
    _check_option("--minutes", _minutes(), minutes, "give the minutes each item takes, e.g. --minutes 5")
    if translation_of is not None:
        from micromoment.checklists import load_catalog

        checklist = load_catalog(find_project()).get(translation_of)
        text = deon.import_deon_translation(file, checklist)
    else:
        checklist = deon.import_deon(file, checklist_id=checklist_id, owner=owner, minutes=minutes)
        fields = checklist.model_dump(mode="json", by_alias=True, exclude_none=True)
        text = dump_yaml(fields, header=SCHEMA_HEADER)
    if out_path is None:
        write_out(text)
        return
    # Its own folder is micromoment's to create; elsewhere a missing folder is likely a typo.
    inside_home = find_project().home.resolve() in out_path.resolve().parents
    write_atomic(out_path, text, overwrite=force, make_parents=inside_home, to_device=True)
    say(
        f"wrote {display_path(out_path)} ({len(checklist.items)} items); check it with: micromoment lint {display_path(out_path)}"
    )


def _minutes() -> Any:
    from pydantic import Field

    return Annotated[float, Field(gt=0)]


def _check_option(option: str, kind: Any, value: object, fix: str) -> None:
    """An option's value under the rule its field has in a checklist file, in the same words."""
    from micromoment.validation import value_problem

    if value is None:
        return
    if problem := value_problem(kind, value):
        raise MicromomentError(f"{option} {value!r}: {problem}; {fix}")
