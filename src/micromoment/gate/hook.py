"""What the commit hook says when a change is not covered: what is missing, and the exact
commands that get the commit through."""

from __future__ import annotations

import os

from micromoment.errors import printable
from micromoment.gate.coverage import (
    Outcome,
    Verdict,
    signoff_hint,
    skip_may_cover,
    unanswered_hint,
)
from micromoment.messages import _

MAX_PATHS_SHOWN = 3


def shown_paths(verdict: Verdict) -> str:
    shown = ", ".join(
        printable(verdict.shown(path), one_line=True) for path in verdict.paths[:MAX_PATHS_SHOWN]
    )
    more = len(verdict.paths) - MAX_PATHS_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def shown_reasons(verdict: Verdict) -> list[str]:
    """Why the content detectors call for it, `path:line: what (detector)`, capped and counted like paths."""
    shown = [printable(f.reason(), one_line=True) for f in verdict.reasons[:MAX_PATHS_SHOWN]]
    more = len(verdict.reasons) - MAX_PATHS_SHOWN
    return shown + ([f"(+{more} more)"] if more > 0 else [])


def not_read(outcome: Outcome) -> str | None:
    """The files the content detectors did not read, with why, capped and counted like paths."""
    skipped = outcome.change.not_read
    if not skipped:
        return None
    named = [
        f"{printable(path, one_line=True)} ({why})" for path, why in list(skipped.items())[:MAX_PATHS_SHOWN]
    ]
    more = len(skipped) - MAX_PATHS_SHOWN
    return "not read for generative AI: " + ", ".join(named) + (f" (+{more} more)" if more > 0 else "")


def findings(outcome: Outcome) -> list[str]:
    """What is wrong with the change: checks without a record, and records that are not valid."""
    lines = []
    if outcome.gaps:
        lines.append(_("micromoment: this change calls for checks that have no record yet:"))
    for gap in outcome.gaps:
        lines.append(f"  {gap.rule.id} ({printable(gap.rule.title, one_line=True)}), for {shown_paths(gap)}")
        lines += [f"    why: {reason}" for reason in shown_reasons(gap)]
        hints = signoff_hint(gap) + unanswered_hint(gap)
        lines += [f"    {printable(hint, one_line=True)}" for hint in hints]
    if outcome.change.policy_problem:
        lines.append("micromoment: the config or checklists as this change leaves them do not load:")
        lines.append(f"  {printable(outcome.change.policy_problem, one_line=True)}")
        lines.append("  fix it before merging (micromoment lint); until then the base's rules apply")
    if outcome.invalid:
        lines.append(_("micromoment: these records are not valid, so they cover nothing:"))
        lines += [f"  {printable(record.problem, one_line=True)}" for record in outcome.invalid]
    return lines


def ways_forward(outcome: Outcome) -> list[str]:
    """The exact commands that get the commit through, each on its own line under what it does,
    so no line runs past an 80-column terminal and wraps to its first column."""
    lines = [_("Ways forward:")]
    if outcome.invalid:
        lines.append("  " + _("see every problem in a record, then fix or remove it:"))
        lines += [f"    micromoment lint {printable(r.path, one_line=True)}" for r in outcome.invalid]
    to_review = [gap for gap in outcome.gaps if gap.waiting_for_signoffs is None]
    if to_review:
        lines.append("  " + _("answer it now, then stage .micromoment/:"))
        lines += [f"    micromoment review {gap.rule.id}" for gap in to_review]
        skippable = [gap for gap in to_review if skip_may_cover(gap.rule.signoffs)]
        if skippable:
            lines.append("  " + _("or record why this change does not need it:"))
            lines += [f"    micromoment skip {gap.rule.id} --reason '...'" for gap in skippable]
    return [*lines, "  " + _("or let this one commit through:"), f"    {bypass()}"]


def bypass() -> str:
    """The commit that gets past this check, as what runs the hook allows: the pre-commit
    framework (which sets PRE_COMMIT) skips one hook by id; a plain git hook only all of them."""
    if os.environ.get("PRE_COMMIT"):
        return "SKIP=micromoment git commit ..."
    return "git commit --no-verify ..."
