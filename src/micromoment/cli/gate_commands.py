"""Commands for the gate: check, skip, hook (and hook install / uninstall)."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from micromoment.capture.guard import refuse_sensitive
from micromoment.checklists import load_catalog
from micromoment.cli.hook import main as hook_main
from micromoment.cli.output import git_add_line, line, out, print_json, say
from micromoment.cli.review_commands import NoGitOption, git_or_not
from micromoment.clock import utc_now
from micromoment.config import load_config
from micromoment.errors import EXIT_FINDINGS, MicromomentError
from micromoment.files import write_atomic
from micromoment.forge import ci
from micromoment.gate import change as changes
from micromoment.gate import install as hook_install
from micromoment.gate.coverage import (
    Outcome,
    evaluate,
    invalid_json,
    signoff_hint,
    skip_may_cover,
    skip_problem,
    unanswered_hint,
    verdicts_json,
)
from micromoment.gate.hook import not_read, shown_paths, shown_reasons
from micromoment.git import author_identity, find_repo
from micromoment.locations import display_path, find_project
from micromoment.records import (
    ChecklistRef,
    SkipRecord,
    new_record_id,
    reason_problem,
    reviews_dir,
    save_skip,
)


class Format(str, Enum):
    text = "text"
    github = "github"


FORMAT_HELP = (
    "text, or github: the report with an ::error annotation for each missing checklist at each path "
    "that called for it, and ::warning for records that are not valid and sign-offs that do not count."
)
SARIF_HELP = "Write the findings as SARIF 2.1.0 to FILE, for GitHub code scanning."
CODEQUALITY_HELP = "Write the findings as a GitLab Code Quality report to FILE, for the merge request."


def check(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILES", help="Check these paths as the change; records among them count as given."
        ),
    ] = None,
    staged: Annotated[bool, typer.Option("--staged", help="Check the staged change (the default).")] = False,
    base: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help="Check the commits since the merge-base with REF, plus anything staged (CI: origin/main).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdicts as JSON.")] = False,
    output_format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.text,
    sarif: Annotated[Path | None, typer.Option(metavar="FILE", help=SARIF_HELP)] = None,
    codequality: Annotated[Path | None, typer.Option(metavar="FILE", help=CODEQUALITY_HELP)] = None,
) -> None:
    """Which checklists the change triggers, and whether valid records created in it cover them.

    A checklist is covered by a complete review record of it, or a skip record, created in
    the change: staged, or (on a branch, and with --base) committed since the merge-base.
    Editing an old record does not make it cover new paths. What triggers what, and how many
    sign-offs a review needs, come from the config and checklists as the base has them, and a
    sign-off counts only when its signer committed it. Exit 0 when everything triggered is
    covered, 1 when something is missing or a record in the change is not valid, 2 for bad
    input. With $GITHUB_STEP_SUMMARY set, a Markdown summary is appended there (the verdict,
    what to run, the details folded); with $GITHUB_OUTPUT set, the lines triggered=, covered=,
    missing=, skipped=, invalid= (counts) and verdict= (pass or fail) are appended there.
    """
    if sum(bool(x) for x in (files, staged, base)) > 1:
        raise MicromomentError("choose one of --staged, --base REF or FILES")
    if as_json and output_format is Format.github:
        raise MicromomentError("choose one of --json or --format github: both print to stdout")
    repo = find_repo()
    change = changes.since_base(repo, base) if base else changes.staged(repo, files or None)
    outcome = evaluate(change)
    findings = ci.findings(outcome)
    _report_to_runner(outcome, findings, sarif, codequality)
    if as_json:
        print_json(
            {
                "ok": outcome.ok,
                "checklists": verdicts_json(outcome),
                "invalid_records": invalid_json(outcome),
                "not_read": outcome.change.not_read,
            }
        )
    else:
        for annotation in ci.workflow_commands(findings) if output_format is Format.github else []:
            line(annotation)
        _print_outcome(outcome)
    if not outcome.ok:
        raise typer.Exit(EXIT_FINDINGS)


def _report_to_runner(
    outcome: Outcome, findings: list[ci.Finding], sarif: Path | None, codequality: Path | None
) -> None:
    """The files a CI runner or a later step reads: those asked for, and those its variables name."""
    for path, report in ((sarif, ci.sarif(outcome, findings)), (codequality, ci.codequality(findings))):
        if path is not None:
            write_atomic(path, ci.as_json(report), make_parents=False, to_device=True)
    for variable, what, text in (
        ("GITHUB_STEP_SUMMARY", "the step summary", ci.step_summary(outcome)),
        ("GITHUB_OUTPUT", "the step outputs", ci.step_outputs(outcome)),
    ):
        if os.environ.get(variable):
            ci.append_to(Path(os.environ[variable]), text, what, variable)


def _print_outcome(outcome: Outcome) -> None:
    console = out()

    def show(text: str, style: str | None = None) -> None:
        console.print(text, style=style, soft_wrap=True)

    where = outcome.change.where
    if not outcome.verdicts:
        show(f"Nothing {where} calls for a checklist.")
    for verdict in outcome.verdicts:
        show(f"{verdict.rule.id} ({verdict.rule.title})", "bold")
        show(f"  triggered by: {shown_paths(verdict)}")
        for reason in shown_reasons(verdict):
            show(f"  why: {reason}")
        if verdict.record is not None:
            how = "skipped, with a reason, in" if verdict.record.kind == "skip" else "covered by"
            show(f"  {how} {verdict.record.path}", "green")
            if verdict.outdated:
                show("  (answered an older version of this checklist; it still counts)")
            continue
        hints = signoff_hint(verdict)
        if hints:
            show(f"  MISSING: sign-offs ({verdict.signoffs_counted} of {verdict.rule.signoffs} count)", "red")
            for hint in hints:
                show(f"  {hint}")
            continue
        show("  MISSING: no complete record of it created in this change", "red")
        for hint in unanswered_hint(verdict):
            show(f"  {hint}")
        show(f"  fix: micromoment review {verdict.rule.id}")
        if skip_may_cover(verdict.rule.signoffs):
            show(f"   or: micromoment skip {verdict.rule.id} --reason '...'")
    if skipped := not_read(outcome):
        show(skipped)
    if outcome.change.policy_problem:
        show(f"POLICY DOES NOT LOAD: {outcome.change.policy_problem}", "red")
        show("  fix it before merging (micromoment lint); until then the base's rules apply")
    for record in outcome.invalid:
        show(f"INVALID: {record.problem}", "red")
        show(f"  this record covers nothing until it is fixed: micromoment lint {record.path}")
    if outcome.verdicts:
        gaps = len(outcome.gaps)
        say(
            f"{len(outcome.verdicts) - gaps} of {len(outcome.verdicts)} triggered checklist(s) covered {where}"
        )


def skip(
    checklist_id: Annotated[
        str, typer.Argument(metavar="ID", help="The checklist this change does not need.")
    ],
    reason: Annotated[
        str, typer.Option(help="Why, in words a reviewer can judge (recorded and shown in the PR).")
    ],
    approver: Annotated[str | None, typer.Option(help="Who agreed to the skip, if someone did.")] = None,
    allow_sensitive: Annotated[
        bool, typer.Option(help="Record the reason even if it looks like it holds secrets or personal data.")
    ] = False,
    no_git: NoGitOption = False,
) -> None:
    """Record an explicit, reasoned skip of a checklist; `check` and the hook accept it.

    The skip record lands in the reviews folder; stage it with the change. An empty or
    trivial reason ("n/a", "later") is refused, and so is a checklist the config asks
    sign-offs for (a skip carries none): review that one instead.
    """
    project = find_project()
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    checklist = catalog.get(checklist_id)
    problem = skip_problem(checklist.id, config.policy(checklist.id).signoffs) or reason_problem(
        reason, checklist_id
    )
    if problem:
        raise MicromomentError(problem)
    refuse_sensitive(f"{reason} {approver or ''}", "the reason", allow_sensitive)
    state, in_repo = git_or_not(project, no_git)
    now = utc_now()
    record = SkipRecord(
        id=new_record_id(checklist.id, now.date().isoformat(), kind="skip"),
        checklist=ChecklistRef.of(checklist),
        reason=" ".join(reason.split()),
        approver=approver,
        who=author_identity(project.root),
        at=now,
        git=state.context(),
    )
    path = save_skip(reviews_dir(project, config), record)
    say(f"recorded {display_path(path)}" + ("; stage it with your change:" if in_repo else ""))
    if in_repo:
        say(git_add_line([path]))


def hook(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILES... | install | uninstall",
            help="Changed files (the pre-commit framework passes them), or install / uninstall.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="With install: replace another tool's hook instead of refusing.")
    ] = False,
) -> None:
    """The commit-hook entry, and a plain git hook for teams without the pre-commit framework.

    `micromoment hook [FILES]...` exits 0 at once when the change triggers nothing or every
    triggered checklist has a record in it. Otherwise, with a terminal, it runs the review
    there and stops the commit ("stage .micromoment/ and commit again"); without one (CI,
    MICROMOMENT_NONINTERACTIVE) it says what to run and exits 1 (0 with hook.on_missing: warn).

    `micromoment hook install` writes .git/hooks/pre-commit (honouring core.hooksPath),
    keeping and chaining an existing hook; `micromoment hook uninstall` puts it back.
    """
    words = args or []
    if words[:1] == ["install"]:
        installed = hook_install.install(find_repo(), force=force)
        chained = f"; it runs {installed.chained.name} first" if installed.chained else ""
        say(f"installed {installed.path}{chained}")
        return
    if words[:1] == ["uninstall"]:
        path, restored = hook_install.uninstall(find_repo())
        say(
            f"removed micromoment from {path}"
            + ("; the hook it chained is back in place" if restored else "")
        )
        return
    raise typer.Exit(hook_main(words))
