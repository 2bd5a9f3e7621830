"""Commands that make the work visible: signoff, resolve, todo, log, stats."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from micromoment.cli.output import git_add_line, out, print_json, say, write_out
from micromoment.clock import utc_now
from micromoment.errors import MicromomentError
from micromoment.locations import find_project
from micromoment.records.listing import markdown_path

if TYPE_CHECKING:
    from micromoment.checklists import Catalog
    from micromoment.config import Config
    from micromoment.locations import Project

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable; see docs/stats.md).")]
SinceOption = Annotated[
    str | None, typer.Option(metavar="DATE", help="Only records from this day on (YYYY-MM-DD).")
]
RepoOption = Annotated[
    list[Path] | None,
    typer.Option("--repo", metavar="DIR", help="A repository to include (repeat it); default: this one."),
]
AllowSensitiveOption = Annotated[
    bool, typer.Option(help="Keep a note that looks like it holds secrets or personal data.")
]


class Decision(str, Enum):
    approve = "approve"
    changes_requested = "changes-requested"


class By(str, Enum):
    week = "week"
    month = "month"


def signoff(
    review: Annotated[str, typer.Argument(metavar="REVIEW", help="A record path or id.")],
    decision: Annotated[Decision, typer.Option(help="approve, or changes-requested.")] = Decision.approve,
    note: Annotated[str | None, typer.Option(help="What you looked at, or what should change.")] = None,
    allow_sensitive: AllowSensitiveOption = False,
) -> None:
    """Sign off a review as a second person, with your git identity.

    The review's author cannot sign it (exit 1: a second person is the point). Signing
    again replaces your earlier sign-off. The record's Markdown is rendered again. It keeps a
    digest of what you saw (the answers, the files that call for the checklist): the gate
    counts it while they are unchanged, from a commit that changes nothing but sign-offs.
    """
    from micromoment.git import author_identity
    from micromoment.ledger.accountability import sign_off

    project, catalog, config, path = _record_to_change(review, note, allow_sensitive)
    record = sign_off(project, catalog, path, author_identity(project.root), decision.value, note)
    approvals = sum(1 for s in record.signoffs if s.decision == "approve")
    needed = config.policy(record.checklist.id).signoffs
    say(
        f"signed off {record.id} ({decision.value}); {approvals} approval(s)"
        + (f" of {needed} required" if needed else "")
    )
    say(git_add_line([path, markdown_path(path)], "   # then commit this"))


def resolve(
    review: Annotated[str, typer.Argument(metavar="REVIEW", help="A record path or id.")],
    item: Annotated[str, typer.Argument(metavar="ITEM", help="The item whose follow-up is done.")],
    note: Annotated[str, typer.Option(help="What was done (recorded with your name and the time).")],
    allow_sensitive: AllowSensitiveOption = False,
) -> None:
    """Close a follow-up: records who closed it, when and how, and renders the Markdown again."""
    from micromoment.git import author_identity
    from micromoment.ledger.accountability import resolve_follow_up

    project, catalog, _, path = _record_to_change(review, note, allow_sensitive)
    resolve_follow_up(project, catalog, path, item, note, author_identity(project.root))
    say(f"resolved the follow-up on {item} in {path.stem}")
    say(git_add_line([path, markdown_path(path)], "   # then commit this"))


def _record_to_change(
    review: str, note: str | None, allow_sensitive: bool
) -> tuple[Project, Catalog, Config, Path]:
    """The record a sign-off or a resolution changes, once its note is known to be fit to keep."""
    from micromoment.capture.guard import refuse_sensitive
    from micromoment.checklists import load_catalog
    from micromoment.config import load_config
    from micromoment.records import find_record

    refuse_sensitive(note or "", "the note", allow_sensitive)
    project = find_project()
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    return project, catalog, config, find_record(project, config, review)


def _since(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise MicromomentError(f"--since {text!r}: give a day of the calendar as YYYY-MM-DD") from None


def todo(
    owner: Annotated[str | None, typer.Option(help="Only follow-ups owned by this role or name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the open follow-ups from every review: action, owner, due date, and where they came from."""
    from rich.text import Text

    from micromoment.ledger.loading import load_many, records_place
    from micromoment.ledger.model import open_follow_ups

    [summaries] = load_many([records_place(find_project())], warn=say)
    rows = open_follow_ups(summaries, owner, utc_now().date())
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("no open follow-ups" + (f" for {owner}" if owner else ""))
        return
    console = out()
    console.print(Text("Open follow-ups", style="bold"))
    for row in rows:
        # One block per follow-up: the words wrap as they must, and the command to close it is
        # whole on its own line, ready to copy, whatever the terminal's width.
        due = Text(row["due"] or "no due date", style="bold red" if row["overdue"] else "bold")
        if row["overdue"]:
            due.append(" overdue")
        console.print(Text.assemble(due, " · ", Text(row["owner"])), soft_wrap=True)
        console.print(Text(f"  {row['action']}"))
        console.print(
            Text(f"  micromoment resolve {row['record']} {row['item']} --note '...'", style="dim"),
            soft_wrap=True,
        )
    say(f"{len(rows)} open; close one with the command under it, saying what was done in --note")


def log(
    since: SinceOption = None,
    checklist: Annotated[str | None, typer.Option(metavar="ID", help="Only this checklist.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List reviews and skips, newest first: date, checklist, subject, who, status, counts, sign-offs."""
    from rich.text import Text

    from micromoment.checklists import load_catalog
    from micromoment.ledger.loading import load_many, records_place
    from micromoment.ledger.model import log_rows
    from micromoment.ledger.sources import hold_to_checklists, versions_of_catalog

    project = find_project()
    [summaries] = load_many([records_place(project)], warn=say)
    catalog = load_catalog(project)
    if checklist is not None:
        catalog.require(checklist, also={s.checklist for s in summaries})
    # A review that says complete is shown so only if its checklist version agrees, as the gate counts it.
    rows = log_rows(hold_to_checklists(summaries, versions_of_catalog(catalog)), _since(since), checklist)
    if as_json:
        print_json(rows)
        return
    if not rows:
        say(
            f"no records of {checklist} yet"
            if checklist
            else "no records yet; start with: micromoment review"
        )
        return
    console = out()
    console.print(Text("Reviews and skips, newest first", style="bold"))
    for row in rows:
        # One block per record: the ids whole on the first line, the words free to wrap below.
        signers = ", ".join(f"{s['who']} ({s['decision']})" for s in row["signoffs"])
        heading = f"{row['date'][:10]}  {row['checklist']}  {row['status']}"
        if row["counts"]:
            heading += "  yes/no/na/skip " + "/".join(
                str(row["counts"][k]) for k in ("yes", "no", "na", "skip")
            )
        console.print(Text(heading), soft_wrap=True)
        console.print(
            Text(f"  {row['subject']} — {row['who']}" + (f"; signed off: {signers}" if signers else ""))
        )
        if row["unanswered"]:
            console.print(
                Text(f"  says complete; no answer its checklist accepts: {', '.join(row['unanswered'])}")
            )
        console.print(Text(f"  {row['id']}", style="dim"), soft_wrap=True)


def stats(
    since: SinceOption = None,
    by: Annotated[By, typer.Option(help="Group periods by week or month.")] = By.week,
    as_json: JsonOption = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print a Markdown report with a Mermaid chart GitHub renders.")
    ] = False,
    repo: RepoOption = None,
) -> None:
    """The micro-moments ledger: reviews over time, by checklist and by person.

    Also the items most often answered "no" or skipped, follow-ups opened vs resolved, and
    the sign-off rate. --markdown prints a one-minute report with a Mermaid chart; --json is
    stable and documented in docs/stats.md.
    """
    from micromoment.cli.checklist_commands import shown_catalog
    from micromoment.ledger.counting import frameworks_of, sample_totals, stats_of
    from micromoment.ledger.frameworks import references_of
    from micromoment.ledger.loading import count_many, records_place
    from micromoment.records.samples import samples_dir

    roots: list[Path | None] = list(repo) if repo else [None]
    projects = [find_project(root) for root in roots]
    # Counted by queries over each repository's ledger: a warm run makes no summary at all.
    places = [records_place(project, project.root.name if repo else "") for project in projects]
    day = _since(since)
    tallies = count_many(places, day, utc_now().date(), warn=say)
    shown = [entry.fields for project in projects for entry in shown_catalog(project)]
    data = stats_of(tallies, day, by.value, [project.root.name for project in projects])
    data["frameworks"] = frameworks_of(tallies, references_of(shown))
    data["samples"] = sample_totals([samples_dir(project) for project in projects], day)
    if as_json:
        print_json(data)
        return
    if markdown:
        from micromoment.records.render import render_template

        write_out(render_template(find_project(), "stats.md.j2", {"stats": data}))
        return
    _print_stats(data)


def _print_stats(data: dict[str, Any]) -> None:
    from rich.text import Text

    console = out()
    totals = data["totals"]
    follow_ups = data["follow_ups"]
    console.print(
        Text.assemble(
            ("Reviews ", "bold"),
            f"{totals['reviews']} · skips {totals['skips']} · people {totals['people']} · answers {totals['answers']} "
            f"(no: {totals['no']}) · follow-ups resolved {follow_ups['resolved']}/{follow_ups['opened']} · "
            f"signed off {data['signoffs']['rate']:.0%}",
        )
    )
    samples = data["samples"]
    if samples["samples"]:
        flagged = ", ".join(f"{name} {count}" for name, count in samples["flags"].items() if count)
        console.print(
            Text(
                f"Outputs read {samples['outputs_read']} in {samples['samples']} sample(s) · "
                f"flagged {samples['flagged']}{f' ({flagged})' if flagged else ''}"
            )
        )
    peak = max((p["reviews"] for p in data["periods"]), default=0) or 1
    for period in data["periods"]:
        bar = "█" * max(1, round(28 * period["reviews"] / peak)) if period["reviews"] else ""
        console.print(
            Text.assemble(
                f"{period['period']:>9} ",
                (f"{bar:<28}", "cyan"),
                f" {period['reviews']} reviews, {period['answers']} answers",
            )
        )
    if data["most_no"]:
        console.print(Text("Most often no:", style="bold"))
        for row in data["most_no"][:5]:
            console.print(Text(f"  {row['count']:>4}  {row['question']} ({row['checklist']})"))
