"""The repositories a report or an export reads: each with its checklists, its records and their summaries.

A review is held to the checklist version it answered, as at the gate. A record says whether
it is complete, but a record can be written by hand: `log`, the report and the export count a
review as complete only when every required item its checklist version asks has an answer
that version accepts (`checklists.answers`, the rule the gate and `lint` apply). A version the
project no longer has cannot be judged, so its records keep their own word, as `lint` leaves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from micromoment.checklists import Catalog, load_catalog
from micromoment.checklists.answers import ItemRule, held_status, item_rule
from micromoment.errors import MicromomentError
from micromoment.ledger.loading import Repository, load_many, records_place
from micromoment.ledger.model import Summary
from micromoment.locations import Project, display_path, find_project

# (checklist id, content hash) -> what a complete review of that very version must answer.
Versions = dict[tuple[str, str], list[ItemRule]]


def versions_of_catalog(catalog: Catalog) -> Versions:
    return {
        (entry.checklist.id, entry.checklist.content_hash()): [item_rule(i) for i in entry.checklist.items]
        for entry in catalog
    }


def hold_to_checklists(summaries: list[Summary], versions: Versions) -> list[Summary]:
    """The summaries, each review that says complete but is not counted as incomplete."""
    for s in summaries:
        if s.status == "complete":  # only a review says complete; a skip's status is "skip"
            given = {a.item: a.answer for a in s.answers}
            s.status, s.unanswered = held_status(
                s.status, versions.get((s.checklist, s.checklist_hash)), given
            )
    return summaries


@dataclass
class Source:
    """One repository: a unique name (also its folder in a report), where its records are, and their summaries."""

    name: str
    project: Project
    catalog: Catalog
    place: Repository  # its records' folder and ledger
    versions: Versions  # the checklist versions its reviews are held to
    summaries: list[Summary]


def _safe_name(text: str) -> str:
    # Names become folder names in a report: keep them to characters every file system accepts.
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-") or "repository"


def load_sources(repos: list[Path] | None) -> list[Source]:
    """The current project, or every repository given (each once, named uniquely by its folder)."""
    roots: list[Path | None] = list(repos) if repos else [None]
    sources: list[Source] = []
    places: list[Repository] = []
    for root in roots:
        if root is not None and not root.is_dir():
            raise MicromomentError(f"--repo {display_path(root)}: no such folder; give a repository's folder")
        project = find_project(root)
        if any(source.project.root == project.root for source in sources):
            continue
        catalog = load_catalog(project)
        name = base = _safe_name(project.root.name)
        number = 1
        while any(source.name == name for source in sources):
            number += 1
            name = f"{base}-{number}"
        places.append(records_place(project, name))
        sources.append(Source(name, project, catalog, places[-1], versions_of_catalog(catalog), []))
    for source, summaries in zip(sources, load_many(places), strict=True):
        source.summaries = hold_to_checklists(summaries, source.versions)
    return sources
