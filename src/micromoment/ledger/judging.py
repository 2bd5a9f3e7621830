"""A review is held to the checklist version it answered, in the ledger as at the gate.

A record says whether it is complete, but a record can be written by hand. `log`, the report
and the export count a review as complete only when every required item its checklist version
asks has an answer that version accepts: the rule the gate and `lint` apply
(`checklists.answers`). A version the project no longer has cannot be judged, so its records
keep their own word, as `lint` leaves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from micromoment.checklists.answers import ItemRule, held_status, item_rule
from micromoment.errors import MicromomentError
from micromoment.locations import Project

if TYPE_CHECKING:
    from pathlib import Path

    from micromoment.checklists import Catalog
    from micromoment.ledger.model import Summary

# (checklist id, content hash) -> what a complete review of that very version must answer.
Versions = dict[tuple[str, str], list[ItemRule]]


def versions_of_catalog(catalog: Catalog) -> Versions:
    return {
        (entry.checklist.id, entry.checklist.content_hash()): [item_rule(i) for i in entry.checklist.items]
        for entry in catalog
    }


def versions_of_project(root: Path) -> Versions:
    """The project's checklist versions; none when its checklists do not load: `lint` names
    those problems, `log` still lists."""
    from micromoment.checklists import load_catalog

    try:
        catalog = load_catalog(Project(root))
    except MicromomentError:
        return {}
    return versions_of_catalog(catalog)


def judged(
    status: str, checklist: str, content_hash: str, answers: dict[str, str], versions: Versions
) -> tuple[str, tuple[str, ...]]:
    """A review's status as the gate would count it, and the items that make it incomplete."""
    return held_status(status, versions.get((checklist, content_hash)), answers)


def hold_to_checklists(summaries: list[Summary], versions: Versions) -> list[Summary]:
    """The summaries, each review that says complete but is not counted as incomplete."""
    for summary in summaries:
        if summary.status == "complete":  # only a review says complete; a skip's status is "skip"
            given = {a.item: a.answer for a in summary.answers}
            summary.status, summary.unanswered = judged(
                summary.status, summary.checklist, summary.checklist_hash, given, versions
            )
    return summaries
