"""The catalog: every checklist a project can use, from its own folder, the packs found, and
the built-ins, in that order of precedence."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from micromoment.checklists.model import Checklist, load_checklist, load_located
from micromoment.checklists.packs import Pack, found_packs, git_folder
from micromoment.errors import FileProblems, Problem, UnknownChecklist
from micromoment.locations import Project, display_path, is_checklist_name, shipped_dir


@dataclass(frozen=True)
class CatalogEntry:
    path: Path
    # "built-in", "repo", or a pack's label (`pack: acme-genai 1.4.0`)
    source: str
    # The source whose checklist with this id this one replaces, if any.
    replaces: str | None = None
    # A repo or pack checklist is read and checked when the catalog loads; a built-in (named by
    # its file) when first used, so a command that needs one checklist does not read all of them.
    loaded: Checklist | None = None

    @functools.cached_property
    def checklist(self) -> Checklist:
        return self.loaded or load_checklist(self.path)


def checklist_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if is_checklist_name(p.name)) if folder.is_dir() else []


def unknown_id_message(wanted: str, known: list[str]) -> str:
    """`no checklist with id 'quik'; did you mean quick?`, with every id when nothing is close."""
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"available: {', '.join(known)} (run micromoment list)"
    return f"no checklist with id {wanted!r}; {hint}"


class Catalog:
    """Every checklist a project can use: the built-ins, plus or replaced by packs' and the repo's own."""

    def __init__(self, entries: dict[str, CatalogEntry], packs: list[Pack]) -> None:
        self._entries = entries
        self.packs = packs

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


def project_packs(project: Project) -> list[Pack]:
    """The packs installed here and those synced into the project's git directory."""
    return found_packs(git_folder(str(project.root)))


def load_catalog(project: Project, packs: list[Pack] | None = None) -> Catalog:
    """The built-ins, the packs' checklists and `.micromoment/checklists/`; every broken file
    and every id two packs (or two repo files) both offer is reported together."""
    packs = project_packs(project) if packs is None else packs
    entries = {path.stem: _built_in(path) for path in checklist_files(shipped_dir("checklists"))}
    problems: list[Problem] = []
    # Packs rank the same, so two offering one id are a clash, as two repo files are.
    pack_files = [(pack.label, path) for pack in packs for path in checklist_files(Path(pack.folder))]
    for layer_files in (pack_files, [("repo", path) for path in checklist_files(project.checklists_dir)]):
        layer: dict[str, CatalogEntry] = {}
        for source, path in layer_files:
            try:
                checklist, located = load_located(path)
            except FileProblems as exc:
                problems.extend(exc.problems)
                continue
            if checklist.id in layer:
                problems.append(located.problem(("id",), _clash(checklist.id, layer[checklist.id], source)))
                continue
            replaced = entries.get(checklist.id)
            layer[checklist.id] = CatalogEntry(path, source, replaced.source if replaced else None, checklist)
        entries |= layer
    if problems:
        raise FileProblems(problems)
    return Catalog(entries, packs)


@functools.cache
def _built_in(path: Path) -> CatalogEntry:
    """A built-in's entry, one a process: a report over fifty repositories reads each built-in once."""
    return CatalogEntry(path, "built-in")


def _clash(checklist_id: str, other: CatalogEntry, source: str) -> str:
    if source == "repo":
        return f"{checklist_id!r} is also defined in {display_path(other.path)}; give one of them another id"
    return (
        f"{checklist_id!r} is offered by two sources: {source} and {other.source} "
        f"({display_path(other.path)}); uninstall one, or ask the owners of one to rename it"
    )
