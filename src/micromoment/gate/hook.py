"""The commit hook's judgement: exit 0 at once when nothing is triggered or everything is covered,
and the text that says what is missing and how to get the commit through.

This is the fast path that runs on every commit, so it imports only the standard library
(the strict record reader loads only for record content it has not judged before). typer,
rich, pydantic, jinja2 and GitPython are loaded only when a person has to be asked or told.
"""

from __future__ import annotations

import os

from micromoment.errors import printable
from micromoment.gate import change as changes
from micromoment.gate.coverage import (
    Outcome,
    Verdict,
    evaluate,
    signoff_hint,
    skip_may_cover,
    unanswered_hint,
)
from micromoment.git.objects import BaseQuestions
from micromoment.git.run import FindingRepo

MAX_PATHS_SHOWN = 3


def check_change(files: list[str]) -> Outcome:
    """The hook's outcome. Paths come from FILES (the pre-commit framework passes them), else
    PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF (a push), else the staged change."""
    here = os.getcwd()
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    # git is asked where the repository is and (for a commit) where the base branch is, both at
    # once. A hook runs in the work tree's top folder, so its `.git` is the likely git directory;
    # a wrong guess costs only a process.
    finding = FindingRepo(here)
    asked = None if from_ref and to_ref else BaseQuestions(here, os.path.join(here, ".git"))
    try:
        repo = finding.repo()
    except BaseException:
        finding.stop()
        if asked is not None:
            asked.stop()
        raise
    if from_ref and to_ref:
        return evaluate(changes.pushed(repo, from_ref, to_ref, files or None))
    return evaluate(changes.staged(repo, files or None, asked))


def shown_paths(verdict: Verdict) -> str:
    shown = ", ".join(
        printable(verdict.shown(path), one_line=True) for path in verdict.paths[:MAX_PATHS_SHOWN]
    )
    more = len(verdict.paths) - MAX_PATHS_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def findings(outcome: Outcome) -> list[str]:
    """What is wrong with the change: checks without a record, and records that are not valid."""
    lines = []
    if outcome.gaps:
        lines.append("micromoment: this change calls for checks that have no record yet:")
    for gap in outcome.gaps:
        lines.append(f"  {gap.rule.id} ({printable(gap.rule.title, one_line=True)}), for {shown_paths(gap)}")
        hints = signoff_hint(gap) + unanswered_hint(gap)
        lines += [f"    {printable(hint, one_line=True)}" for hint in hints]
    if outcome.change.policy_problem:
        lines.append("micromoment: the config or checklists as this change leaves them do not load:")
        lines.append(f"  {printable(outcome.change.policy_problem, one_line=True)}")
        lines.append("  fix it before merging (micromoment lint); until then the base's rules apply")
    if outcome.invalid:
        lines.append("micromoment: these records are not valid, so they cover nothing:")
        lines += [f"  {printable(record.problem, one_line=True)}" for record in outcome.invalid]
    return lines


def ways_forward(outcome: Outcome) -> list[str]:
    """The exact commands that get the commit through, each on its own line under what it does,
    so no line runs past an 80-column terminal and wraps to its first column."""
    lines = ["Ways forward:"]
    if outcome.invalid:
        lines.append("  see every problem in a record, then fix or remove it:")
        lines += [f"    micromoment lint {printable(r.path, one_line=True)}" for r in outcome.invalid]
    to_review = [gap for gap in outcome.gaps if gap.waiting_for_signoffs is None]
    if to_review:
        lines.append("  answer it now, then stage .micromoment/:")
        lines += [f"    micromoment review {gap.rule.id}" for gap in to_review]
        skippable = [gap for gap in to_review if skip_may_cover(gap.rule.signoffs)]
        if skippable:
            lines.append("  or record why this change does not need it:")
            lines += [f"    micromoment skip {gap.rule.id} --reason '...'" for gap in skippable]
    lines.append("  or let this one commit through:")
    lines.append("    SKIP=micromoment git commit ...    (the pre-commit framework)")
    lines.append("    git commit --no-verify ...         (a plain git hook)")
    return lines
