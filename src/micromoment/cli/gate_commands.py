"""Commands for the gate: check, skip, hook (and hook install / uninstall)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from micromoment import hook_install, hookrun
from micromoment.checklists import load_catalog
from micromoment.cli.output import out, print_json, say
from micromoment.config import load_config
from micromoment.errors import EXIT_FINDINGS, MicromomentError
from micromoment.gate import Verdict, evaluate, signoff_hint, verdicts_json
from micromoment.gitcli import branch_paths, find_repo, staged_paths
from micromoment.gitinfo import GitState, author_identity
from micromoment.hook_prompt import shown_paths
from micromoment.locations import Project, display_path, find_project
from micromoment.records import (
    ChecklistRef,
    SkipRecord,
    broken_records,
    new_record_id,
    reason_problem,
    reviews_dir,
    save_skip,
)
from micromoment.scanner import refuse_sensitive
from micromoment.triggers import rules_for
from micromoment.validation import utc_now


def check(
    files: Annotated[
        list[str] | None, typer.Argument(metavar="FILES", help="Check these paths as the change.")
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
) -> None:
    """Which checklists the change triggers, and whether records in the change cover them.

    A checklist is covered by a complete review record of it, or a skip record, that is part
    of the same change. Exit 0 when everything triggered is covered (or nothing is), 1 when
    something is missing, 2 for bad input. With $GITHUB_STEP_SUMMARY set, a Markdown summary
    is appended there.
    """
    if sum(bool(x) for x in (files, staged, base)) > 1:
        raise MicromomentError("choose one of --staged, --base REF or FILES")
    repo = find_repo()
    project = Project(Path(repo.root))
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    rules = rules_for(catalog, config)
    index_reader = hookrun.reader_at(repo, "")
    seen: list[str] = []

    def reader(paths: list[str]) -> Mapping[str, bytes]:
        seen.extend(paths)
        return index_reader(paths)

    if base:
        verdicts = evaluate(rules, branch_paths(repo, base), reader)
    elif files:
        verdicts = evaluate(rules, hookrun.relative_paths(repo, files), reader, lambda: staged_paths(repo))
    else:
        verdicts = evaluate(rules, staged_paths(repo), reader)
    _warn_about_broken_records(Path(repo.root), seen)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with Path(summary_file).open("a", encoding="utf-8") as handle:
            handle.write(step_summary(verdicts))
    gaps = [v for v in verdicts if not v.covered]
    if as_json:
        print_json({"ok": not gaps, "checklists": verdicts_json(verdicts)})
    else:
        _print_verdicts(verdicts, base)
    if gaps:
        raise typer.Exit(EXIT_FINDINGS)


def _warn_about_broken_records(root: Path, paths: list[str]) -> None:
    """A record that does not parse covers nothing; say so instead of letting it look missing."""
    for path, problem in broken_records(root, paths):
        say(f"warning: {problem} — this record covers nothing until it is fixed (micromoment lint {path})")


def _print_verdicts(verdicts: list[Verdict], base: str | None) -> None:
    console = out()

    def line(text: str, style: str | None = None) -> None:
        console.print(text, markup=False, style=style, soft_wrap=True)

    where = f"since {base}" if base else "in the staged change"
    if not verdicts:
        line(f"Nothing {where} calls for a checklist.")
        return
    for verdict in verdicts:
        line(f"{verdict.rule.id} ({verdict.rule.title})", "bold")
        line(f"  triggered by: {shown_paths(verdict)}")
        if verdict.record is not None:
            how = "skipped, with a reason, in" if verdict.record.kind == "skip" else "covered by"
            line(f"  {how} {verdict.record.path}", "green")
            if verdict.outdated:
                line("  (answered an older version of this checklist; it still counts)")
            continue
        line("  MISSING: no complete record of it in this change", "red")
        hint = signoff_hint(verdict)
        if hint:
            line(f"  {hint}")
        line(f"  fix: micromoment review {verdict.rule.id}")
        line(f"   or: micromoment skip {verdict.rule.id} --reason '...'")
    gaps = sum(1 for v in verdicts if not v.covered)
    say(f"{len(verdicts) - gaps} of {len(verdicts)} triggered checklist(s) covered {where}")


def step_summary(verdicts: list[Verdict]) -> str:
    """A Markdown summary for a CI job page."""
    from micromoment.markdown import escape_cell

    if not verdicts:
        return "### micromoment\n\nNothing in this change calls for a checklist.\n\n"
    lines = ["### micromoment", "", "| checklist | triggered by | status |", "| --- | --- | --- |"]
    for verdict in verdicts:
        if verdict.record is None:
            status = f"missing: run `micromoment review {verdict.rule.id}`"
        elif verdict.record.kind == "skip":
            status = f"skipped: {escape_cell(verdict.record.reason)}"
        else:
            status = f"covered by {escape_cell(verdict.record.path)}"
        lines.append(f"| {escape_cell(verdict.rule.id)} | {escape_cell(shown_paths(verdict))} | {status} |")
    return "\n".join(lines) + "\n\n"


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
) -> None:
    """Record an explicit, reasoned skip of a checklist; `check` and the hook accept it.

    The skip record lands in the reviews folder; stage it with the change. An empty or
    trivial reason ("n/a", "later") is refused.
    """
    project = find_project()
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    checklist = catalog.get(checklist_id)
    problem = reason_problem(reason, checklist_id)
    if problem:
        raise MicromomentError(problem)
    refuse_sensitive(f"{reason} {approver or ''}", "the reason", allow_sensitive)
    state = GitState.at(project.root)
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
    say(f"recorded {display_path(path)}; stage it with your change: git add {display_path(path)}")


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
    raise typer.Exit(hookrun.main(words))
