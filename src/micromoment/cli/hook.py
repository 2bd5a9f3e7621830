"""The commit hook's entry: judge the change, and when something is missing hand over to
`cli.hook_terminal`, which asks through the terminal or says what to run.

This runs on every commit, so it imports only what judging a change needs: no typer, rich,
pydantic, pathlib or datetime, and the terminal side only when a person has to be asked.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from micromoment.errors import FileProblems, printable, report
from micromoment.git.objects import BaseQuestions
from micromoment.git.run import FindingRepo

if TYPE_CHECKING:
    from micromoment.gate.coverage import Outcome


def check_change(files: list[str]) -> Outcome | None:
    """The hook's outcome; None when nothing in the change can call for a checklist. Paths come
    from FILES (the pre-commit framework passes them), else PRE_COMMIT_FROM_REF /
    PRE_COMMIT_TO_REF (a push), else the staged change."""
    here = os.getcwd()
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    # git is asked where the repository is and (for a commit) where the base branch is, both at
    # once, and the gate loads while it answers. A hook runs in the work tree's top folder, so
    # its `.git` is the likely git directory; a wrong guess costs only a process.
    finding = FindingRepo(here)
    asked = None if from_ref and to_ref else BaseQuestions(here, os.path.join(here, ".git"))
    try:
        from micromoment.gate import change as changes

        repo = finding.repo()
    except BaseException:
        finding.stop()
        if asked is not None:
            asked.stop()
        raise
    if from_ref and to_ref:
        change = changes.pushed(repo, from_ref, to_ref, files or None)
    else:
        change = changes.staged(repo, files or None, asked)
    if changes.calls_for_nothing(change):
        if change.base_records is not None:
            change.base_records.stop()  # a listing never wanted
        return None
    from micromoment.gate.coverage import evaluate  # only what can call for something is judged

    return evaluate(change)


def main(files: list[str]) -> int:
    """The hook's exit code; errors and Ctrl-C are the caller's to say (`__main__`, or the typer app)."""
    try:
        outcome = check_change(files)
    except FileProblems as exc:  # a broken config or checklist: say how to fix it, and how to get by
        from micromoment.gate.hook import bypass

        code = report(exc)
        sys.stderr.write(
            f"micromoment: fix these and commit again (micromoment lint checks them)\n"
            f"  or let this one commit through: {bypass()}\n"
        )
        return code
    if outcome is None:
        return 0
    for verdict in outcome.verdicts:
        if verdict.outdated and verdict.record:
            sys.stderr.write(
                f"micromoment: {printable(verdict.record.path, one_line=True)} answered an older version of "
                f"{verdict.rule.id}; it still counts, but the checklist has changed since\n"
            )
    if outcome.ok:
        return 0
    # The slow path: a person must be asked or told.
    from micromoment.cli.hook_terminal import handle_missing

    return handle_missing(outcome)
