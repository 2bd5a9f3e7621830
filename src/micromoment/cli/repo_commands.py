"""Commands about the repository's own setup: init and lint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from micromoment.checklists import DEFAULT_CHECKLIST, Catalog, load_catalog
from micromoment.cli.output import line, print_json, say
from micromoment.errors import EXIT_BAD_INPUT, Refused, plural
from micromoment.files import write_atomic
from micromoment.forge.sections import add_pr_template_section
from micromoment.gate.install import install as install_hook
from micromoment.git import find_repo
from micromoment.lint import lint as lint_files
from micromoment.locations import Project, display_path, find_project, shipped_folder


def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Files or folders to check (default: the built-ins and everything in .micromoment/).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
) -> None:
    """Check checklists, config and records: one `file:line:column: where: problem` line each.

    Exit 0 when clean, 2 when there are problems.
    """
    report = lint_files(find_project(), list(paths or []))
    if as_json:
        print_json({"checked": report.checked, "problems": [p.as_json() for p in report.problems]})
    else:
        for problem in report.problems:
            line(str(problem))
    files = plural(len(report.checked), "file")
    if report.problems:
        say(f"{plural(len(report.problems), 'problem')} in {files}")
        raise typer.Exit(EXIT_BAD_INPUT)
    say(f"{files} checked, no problems")


def _scan_proposal(project: Project) -> dict[str, list[str]]:
    """The patterns `micromoment scan` proposes, by the checklist they are for."""
    from micromoment.cli.scan_commands import PROPOSED_FOR, scan_repository

    scanned, patterns = scan_repository(project, [])
    say(
        f"scan: generative AI in {len(scanned.places)} file(s); {len(patterns)} pattern(s) for {PROPOSED_FOR}"
    )
    return {PROPOSED_FOR: patterns} if patterns else {}


NOT_IN_GIT = (
    "this folder is not inside a git repository, so reviews here cannot be committed with your "
    "changes: run git init here (or cd into your repository and run micromoment init there)"
)


def init(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="ID",
            help="Enable only these checklists for triggers (repeatable); the rest are listed, switched off.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing .micromoment/config.yaml.")] = False,
    hook: Annotated[bool, typer.Option("--hook", help="Also install the plain git pre-commit hook.")] = False,
    pr_template: Annotated[
        bool,
        typer.Option(
            "--pr-template", help="Also add a micromoment section to .github/pull_request_template.md."
        ),
    ] = False,
    scan: Annotated[
        bool,
        typer.Option(
            "--scan", help="Also run micromoment scan and write the patterns it proposes into the config."
        ),
    ] = False,
) -> None:
    """Write .micromoment/config.yaml with every setting explained.

    The file is optional: micromoment works with its defaults without it. --hook installs
    the git hook (as micromoment hook install does); --pr-template adds the section that
    micromoment pr-note --target body fills in; --scan looks for generative AI in the
    repository's files and adds the patterns that cover them to genai-output-review's
    also_applies_to.
    """
    project = find_project()
    catalog = load_catalog(project)
    for checklist_id in only or []:
        catalog.entry(checklist_id)  # an unknown id stops here, with the known ones listed
    path = project.config_path
    if path.exists() and not force:
        raise Refused(
            f"{display_path(path)} already exists; keep it, or run micromoment init --force to replace it"
        )
    proposal = _scan_proposal(project) if scan else {}
    write_atomic(path, initial_config_text(catalog, set(only) if only else None, proposal))
    say(f"wrote {display_path(path)}")
    if not (project.root / ".git").exists():
        say(NOT_IN_GIT)
    if hook:
        installed = install_hook(find_repo(str(project.root)))
        say(f"installed {installed.path}")
    if pr_template:
        template = add_pr_template_section(project.root)
        say(
            f"added the micromoment section to {display_path(template)}"
            if template
            else "the PR template already has a micromoment section"
        )
    if not scan:
        say("tip: init --force --scan also covers the files where micromoment scan finds generative AI")
    say("next: micromoment list, then micromoment show quick")


def initial_config_text(
    catalog: Catalog, enabled: set[str] | None = None, also: dict[str, list[str]] | None = None
) -> str:
    """The file `micromoment init` writes (`templates/config.yaml.j2`): every key present, every
    key explained; `also`: the patterns `micromoment scan` proposed, by checklist."""
    import json

    from jinja2 import FileSystemLoader, StrictUndefined

    from micromoment.detect.table import shipped
    from micromoment.records.sandbox import LIMITS, sandbox_class

    def flow(items: list[str]) -> str:
        return json.dumps(items, ensure_ascii=False)

    folder = shipped_folder("templates")
    env = sandbox_class()(LIMITS, {}, loader=FileSystemLoader(folder), undefined=StrictUndefined)
    checklists = [
        {
            "id": entry.checklist.id,
            "enabled": enabled is None or entry.checklist.id in enabled,
            "applies_to": flow(entry.checklist.applies_to),
            "also": flow((also or {}).get(entry.checklist.id, [])),
            "applies_when": flow(entry.checklist.applies_when) if entry.checklist.applies_when else "",
        }
        for entry in catalog
    ]
    values = {
        "default_checklist": DEFAULT_CHECKLIST,
        "checklists": checklists,
        "detectors": shipped()["detectors"],
    }
    text: str = env.budget.render(env.get_template("config.yaml.j2"), values)
    return text + "\n"
