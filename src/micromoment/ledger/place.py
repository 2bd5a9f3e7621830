"""Where a project's records are and where its ledger database lives, found cheaply.

In a git repository the records' folder comes from the gate's rules, which are cached under
the git directory by the exact checklist and config files they were built from: a warm
`stats`, `log` or `todo` then builds no checklist or config model (and loads no pydantic).
When those files changed, the rules are built again, with the same checks and messages as
reading the config in full.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from micromoment.git import GitFailed, find_repo
from micromoment.ledger.store import ledger_file

if TYPE_CHECKING:
    from micromoment.locations import Project


def records_place(project: Project) -> tuple[Path, Path | None]:
    """(the records' folder, the ledger database); no database outside a repository."""
    try:
        git_dir = find_repo(str(project.root)).git_dir
    except GitFailed:
        from micromoment.checklists import load_catalog
        from micromoment.config import load_config
        from micromoment.records import reviews_dir

        return reviews_dir(project, load_config(project, load_catalog(project))), None
    from micromoment.gate.policy import worktree_rules

    return project.root / worktree_rules(str(project.root), light=True).reviews_dir, ledger_file(git_dir)
