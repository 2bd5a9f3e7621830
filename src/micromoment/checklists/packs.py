"""Packs: checklists shared across repositories, as installed packages (an entry point in the
group `micromoment.checklists` names the package holding them) or git repositories that
`micromoment pack sync` copied. Standard library only, as the commit hook asks."""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from typing import Any, NamedTuple

from micromoment.errors import MicromomentError
from micromoment.fileread import read_regular
from micromoment.memo import common_dir, read_memo, stamps, write_memo

GROUP = "micromoment.checklists"
# Under the git directory (the common one, shared by worktrees): one folder per synced pack,
# holding the repository's files at the pinned commit and, in STATE, where they came from.
SYNCED = os.path.join("micromoment", "packs")
STATE = ".micromoment-pack.json"


class Pack(NamedTuple):
    """One pack: where its checklist files (and optional `templates/`) are, and which version."""

    name: str
    version: str  # the installed distribution's version, or the synced commit
    folder: str
    git: str = ""  # a synced pack's repository
    tag: str = ""  # the tag it was synced at, if any

    @property
    def label(self) -> str:
        """How `list` and `show` name it: `pack: acme-genai 1.4.0`."""
        shown = (self.tag or self.version[:12]) if self.git else self.version
        return f"pack: {self.name} {shown}"


@lru_cache(maxsize=1)
def installed_packs() -> tuple[Pack, ...]:
    """Every installed pack, looked up once a process (rendering many records asks for the
    packs' templates each time); importlib.metadata loads only here."""
    from importlib.metadata import entry_points
    from importlib.util import find_spec

    found = []
    for point in sorted(entry_points(group=GROUP), key=lambda point: point.name):
        try:  # a top-level package is located, not run
            spec = find_spec(point.value)
        except (ImportError, ValueError):
            spec = None
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        version = point.dist.version if point.dist is not None else ""
        if not folders:
            raise MicromomentError(
                f"pack {point.name} {version}: its entry point names {point.value!r}, which is not an "
                "importable package; reinstall the pack, or ask its owners to fix its entry point"
            )
        found.append(Pack(point.name, version, folders[0]))
    return tuple(found)


def found_packs(git_dir: str | None) -> list[Pack]:
    """The packs installed and synced (into the repository whose git directory is `git_dir`, when
    given). The installed ones are remembered in its memo under the times of the import path's
    folders (installing or removing a distribution changes them), so that a commit, `list` or
    `render` does not load importlib.metadata to find them."""
    here = os.getcwd()
    key = "\n".join(stamps("", [folder for folder in sys.path if folder and folder != here]))
    remembered = read_memo(git_dir, "packs")
    try:
        installed = [Pack(*map(str, pack)) for pack in remembered[key]]
    except (LookupError, TypeError):
        installed = list(installed_packs())
        if git_dir is not None:  # a few environments' worth: the hook's own, a person's, an editor's
            write_memo(git_dir, "packs", {**dict(list(remembered.items())[-3:]), key: installed})
    return one_of_each(installed + synced_packs(common_dir(git_dir) if git_dir else None))


def synced_packs(common_git_dir: str | None) -> list[Pack]:
    """The packs `micromoment pack sync` copied into the git directory."""
    top = os.path.join(common_git_dir, SYNCED) if common_git_dir else ""
    found = []
    for name in sorted(os.listdir(top)) if os.path.isdir(top) else []:
        raw = read_regular(os.path.join(top, name, STATE), 64 * 1024)
        try:
            state = json.loads(raw or b"null")
            found.append(Pack(name, state["commit"], os.path.join(top, name), state["git"], state["tag"]))
        except (ValueError, LookupError, TypeError):
            continue  # half-written or foreign: the pin check asks for a sync
    return found


def git_folder(root: str) -> str | None:
    """The git directory of the work tree at `root` (a worktree's `.git` file points to its
    own); None outside git."""
    own = os.path.join(root, ".git")
    if not os.path.isdir(own):
        text = (read_regular(own, 4096) or b"").decode("utf-8", "replace")
        if not text.startswith("gitdir:"):
            return None
        own = os.path.join(root, text.removeprefix("gitdir:").strip())
    return own


def pin_problem(pins: dict[str, Any] | None, packs: list[Pack]) -> str | None:
    """How the packs found differ from those the config pins (`packs:` as plain data), with the
    command that fixes it; None when they agree, or when the config pins none."""
    if pins is None:
        return None
    found = {pack.name: pack for pack in packs}
    for name, pin in sorted(pins.items()):
        pack, wanted = found.get(name), pin.get("commit") or pin.get("version")
        fix = "micromoment pack sync" if pin.get("git") else f"pip install '{name}=={wanted}'"
        if pack is None or pack.version != wanted or bool(pack.git) != bool(pin.get("git")):
            now = f"{pack.version} is {'synced' if pack.git else 'installed'}" if pack else "it is not there"
            return f"the config pins pack {name} at {wanted}, but {now}; run: {fix}"
    for pack in packs:
        if pack.name not in pins:
            fix = "micromoment pack sync" if pack.git else f"pip uninstall {pack.name}"
            return (
                f"{pack.label} is not pinned under packs: in the config, so the gate would judge "
                f"differently elsewhere; pin it there, or run: {fix}"
            )
    return None


def one_of_each(packs: list[Pack]) -> list[Pack]:
    """The packs, refused when two share a name (an installed one and a synced one, say)."""
    named: dict[str, Pack] = {}
    for pack in packs:
        if pack.name in named:
            raise MicromomentError(
                f"two packs are named {pack.name}: {named[pack.name].folder} and {pack.folder}; "
                "uninstall one, or remove it from packs: in the config and run micromoment pack sync"
            )
        named[pack.name] = pack
    return packs
