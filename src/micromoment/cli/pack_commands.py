"""Commands about packs: pack new, pack sync."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from micromoment.cli.output import say
from micromoment.errors import MicromomentError
from micromoment.locations import display_path, find_project


class PackAction(str, Enum):
    new = "new"
    sync = "sync"


def pack(
    action: Annotated[
        PackAction,
        typer.Argument(metavar="ACTION", help="new: write a ready pack; sync: fetch the git packs."),
    ],
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="The new pack's name, e.g. acme-genai.")
    ] = None,
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Where `pack new` writes the pack (default: ./NAME).")
    ] = None,
) -> None:
    """Make a pack of checklists to share (pack new NAME), or fetch the config's git packs (pack sync).

    A pack is a Python package whose entry point in the group micromoment.checklists names the
    package holding its checklists; install it like any other. Git packs are listed under packs:
    in .micromoment/config.yaml with their pinned commit; sync fetches them into the git directory.
    """
    if action is PackAction.sync:
        from micromoment.checklists import load_catalog
        from micromoment.config import read_config
        from micromoment.packs.sync import sync_packs

        project = find_project()
        done = sync_packs(project, read_config(project)[0])
        for line in done or ["no git packs in the config: nothing to sync"]:
            say(line)
        load_catalog(project)  # the synced checklists are read now, so a broken one is named at once
        return
    from micromoment.packs.scaffold import new_pack
    from micromoment.validation import Slug, value_problem

    problem = "give the pack's name" if name is None else value_problem(Slug, name)
    if name is None or problem:
        raise MicromomentError(f"pack new {name or 'NAME'}: {problem}; e.g. micromoment pack new acme-genai")
    folder = folder or Path(name)
    written = new_pack(name, folder)
    say(f"wrote {len(written)} files in {display_path(folder)}; try it: pip install -e ./{name}")
