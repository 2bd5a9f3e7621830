"""Commands that record and show reviews: review, render."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from micromoment.capture.drafts import RESUME_HINT, StoredDraft, drafts_dir, list_drafts, resume
from micromoment.capture.prompts import EndOfInput, Prompter, stdin_prompter
from micromoment.capture.recording import Written, guided_review, sensitive_refusal, write_review
from micromoment.capture.sample_record import Reading, sample_drafts_dir
from micromoment.capture.sample_walk import review_offer
from micromoment.capture.session import ReviewSession, apply_answers_file
from micromoment.capture.walkthrough import choose_checklists, new_draft_id
from micromoment.checklists import Catalog, load_catalog
from micromoment.cli.output import say
from micromoment.config import Config, default_outputs, load_config
from micromoment.errors import EXIT_FINDINGS, MicromomentError
from micromoment.files import write_atomic
from micromoment.gate.policy import checklists_called_for
from micromoment.git import GitState, author_identity
from micromoment.locations import Project, display_path, find_project
from micromoment.records import (
    Person,
    SampleLink,
    ScanResult,
    find_record,
    load_record,
    record_files,
    reviews_dir,
)
from micromoment.records.render import REVIEW_TEMPLATE, render_review
from micromoment.records.samples import link_sample_record
from micromoment.validation import utc_now


def review(
    checklist_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID", help="Checklists to answer (default: offered in a terminal; quick otherwise)."
        ),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(help="What is being reviewed (default: the branch, or the last commit's subject)."),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="A YAML file mapping item ids to answers, for use without a terminal: `id: yes`, or "
            "`id: {answer: no, note: ..., evidence: ..., follow_up: {action: ..., owner: ..., due: 2026-12-31}}`, "
            "or `id: {answer: skip, reason: ...}`.",
        ),
    ] = None,
    resume_draft: Annotated[
        bool, typer.Option("--resume", help="Continue an unfinished review (asks which, if several).")
    ] = False,
    draft_id: Annotated[
        str | None, typer.Option("--draft", metavar="DRAFT", help="With --resume: the draft to continue.")
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="With --answers: refuse (exit 2) rather than record an incomplete review.")
    ] = False,
    allow_sensitive: Annotated[
        bool,
        typer.Option(
            help="Write notes that look like secrets or personal data without asking (they are recorded as kept)."
        ),
    ] = False,
    interactive: Annotated[
        bool, typer.Option(help="Ask on standard input even when it is not a terminal (for scripted input).")
    ] = False,
    sample: Annotated[
        str | None,
        typer.Option(
            metavar="RECORD",
            help="A sample record (micromoment sample) to link as evidence on the items that take one.",
        ),
    ] = None,
) -> None:
    """Walk through checklists and record the answers (YAML + Markdown) in .micromoment/reviews/.

    In a terminal each item is asked in turn: answer y / n / na (or an option's number, or
    text), `s` to skip with a reason, `b` to go back, `?` for the full guidance. Every answer
    is saved to a draft at once; after Ctrl-C, `micromoment review --resume` continues.

    Without a terminal, give --answers FILE. Exit 0 when the record is complete, 1 when
    required items are missing (the record says which), 2 for bad input.
    """
    project = find_project()
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    state = GitState.at(project.root)
    who = author_identity(project.root)
    if answers is not None:
        if resume_draft or draft_id:
            raise MicromomentError("--answers starts a new review; leave out --resume to use it")
        ids = checklist_ids or [config.default_checklist]
        if len(ids) > 1:
            raise MicromomentError(
                "--answers fills one checklist at a time; run micromoment review once per checklist"
            )
        session = ReviewSession(catalog.get(ids[0]), subject or state.default_subject(), new_draft_id())
        apply_answers_file(session, answers)
        if sample is not None:
            _link_sample([session], link_sample_record(project, sample))
        missing = session.missing_required()
        if missing and strict:
            raise MicromomentError(
                f"{display_path(answers)}: no answer for required item(s) {', '.join(missing)}; add them, or drop --strict "
                "to record the review as incomplete"
            )
        kept = sensitive_refusal(session, display_path(answers), allow_sensitive)
        _report(write_review(project, config, session, who, state.context(), ScanResult(kept=kept)))
        raise typer.Exit(EXIT_FINDINGS if missing else 0)

    prompter = stdin_prompter(force=interactive)
    if prompter is None:
        raise MicromomentError(
            "no terminal to ask questions on; record answers with micromoment review ID --answers FILE "
            "(a YAML mapping of item id to answer; micromoment show ID lists the items)"
        )
    folder = drafts_dir(project, state.git_dir)
    try:
        if resume_draft or draft_id:
            sessions = [_resumed_session(prompter, folder, catalog, draft_id)]
        else:
            unfinished = list_drafts(folder)
            if unfinished:
                say(f"{len(unfinished)} unfinished review(s) kept; micromoment review --resume continues one")
            suggested = list(checklists_called_for(catalog, config, state.changed_paths()))
            ids = checklist_ids or choose_checklists(prompter, catalog, suggested, config.default_checklist)
            checklists = [catalog.get(checklist_id) for checklist_id in ids]
            chosen_subject = subject or prompter.ask(
                "Subject of this review", default=state.default_subject()
            )
            sessions = [ReviewSession(checklist, chosen_subject, new_draft_id()) for checklist in checklists]
    except EndOfInput:
        raise MicromomentError("input ended before the review started; nothing was recorded") from None
    _samples_in_terminal(sessions, sample, project, config, state, who, prompter)
    exit_code = 0
    for session in sessions:
        if not _walk_one(project, config, state, session, who, prompter, folder):
            exit_code = EXIT_FINDINGS
    raise typer.Exit(exit_code)


def _samples_in_terminal(
    sessions: list[ReviewSession],
    sample: str | None,
    project: Project,
    config: Config,
    state: GitState,
    who: Person,
    prompter: Prompter,
) -> None:
    """Link the named sample, and let the items that take one draw one on the spot."""
    if sample is not None:
        _link_sample(sessions, link_sample_record(project, sample))
    drafts = sample_drafts_dir(project, state.git_dir)
    reading = Reading(who, state.context(), utc_now())
    offer = review_offer(project, default_outputs(project, config), reading, prompter, drafts)
    for session in sessions:
        session.offer_sample = offer


def _link_sample(sessions: list[ReviewSession], link: SampleLink) -> None:
    """The sample becomes the evidence of every item that takes one; a checklist without such an item is a mistake."""
    linked = [session for session in sessions if session.sample_items()]
    if not linked:
        ids = ", ".join(session.checklist.id for session in sessions)
        raise MicromomentError(
            f"--sample: no item in {ids} takes a sample as evidence (evidence: sample); "
            "name a checklist that has one, e.g. quick or genai-output-review"
        )
    for session in linked:
        session.link_sample(link)


def _walk_one(
    project: Project,
    config: Config,
    state: GitState,
    session: ReviewSession,
    who: Person,
    prompter: Prompter,
    folder: Path,
) -> bool:
    """One checklist in the terminal; True when a complete record was written."""
    written = guided_review(project, config, state, session, who, prompter, folder)
    if written is None:
        say(f"not saved; draft {session.draft_id} kept — {RESUME_HINT}")
        return False
    return _report(written)


def _report(written: Written) -> bool:
    say(f"recorded {display_path(written.yaml_path)} and {display_path(written.markdown_path)}")
    say(f"commit them with the change they are about: git add {display_path(written.yaml_path.parent)}")
    if written.record.status == "incomplete":
        say(f"incomplete: no answer for {', '.join(written.record.missing)}")
        return False
    return True


def _resumed_session(
    prompter: Prompter, folder: Path, catalog: Catalog, draft_id: str | None
) -> ReviewSession:
    drafts = list_drafts(folder)
    if draft_id:
        drafts = [d for d in drafts if d.draft.id == draft_id]
        if not drafts:
            raise MicromomentError(
                f"no draft {draft_id!r}; micromoment review --resume lists the drafts there are"
            )
    if not drafts:
        raise MicromomentError("no unfinished review to resume; start one with micromoment review")
    chosen = drafts[0] if len(drafts) == 1 else _pick_draft(prompter, drafts)
    resumed = resume(chosen, catalog)
    if resumed.changed:
        say(
            f"checklist {chosen.draft.checklist.id} changed since this draft; asking again: {', '.join(resumed.changed)}"
        )
    answered = len(resumed.session.answers)
    say(f"resuming draft {chosen.draft.id}: {chosen.draft.checklist.id}, {answered} answer(s) so far")
    return resumed.session


def _pick_draft(prompter: Prompter, drafts: list[StoredDraft]) -> StoredDraft:
    for number, stored in enumerate(drafts, start=1):
        draft = stored.draft
        prompter.console.print(
            f"  {number}. {draft.checklist.id} — {draft.subject} — {len(draft.answers)} answers, "
            f"last {draft.updated_at:%Y-%m-%d %H:%M} UTC ({draft.id})",
            markup=False,
        )
    while True:
        reply = prompter.ask("Which draft?", default="1")
        if reply.isdigit() and 1 <= int(reply) <= len(drafts):
            return drafts[int(reply) - 1]
        match = [d for d in drafts if d.draft.id == reply]
        if match:
            return match[0]


def render(
    reviews: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REVIEW",
            help="Record paths or ids (default: every record whose Markdown is missing or stale).",
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(help="A template name (from .micromoment/templates/ or the built-ins) or a file path."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write here instead of beside the record; - for stdout. One record only."),
    ] = None,
) -> None:
    """Render the Markdown of review records from their YAML.

    The same record always renders to the same bytes; a team's own review.md.j2 in
    .micromoment/templates/ replaces the built-in one. Templates run in Jinja's sandbox.
    """
    project = find_project()
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    paths = (
        [find_record(project, config, ref) for ref in reviews]
        if reviews
        else list(record_files(reviews_dir(project, config)))
    )
    if out is not None and len(paths) != 1:
        raise MicromomentError(
            "--out takes exactly one record; name it, e.g. micromoment render ID --out FILE"
        )
    changed = 0
    for path in paths:
        record = load_record(path)
        checklist = catalog.get(record.checklist.id) if record.checklist.id in catalog else None
        text = render_review(project, record, checklist, template or REVIEW_TEMPLATE)
        if out is not None and str(out) == "-":
            sys.stdout.write(text)
            return
        target = out or path.with_suffix(".md")
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        write_atomic(target, text)
        changed += 1
        say(f"rendered {display_path(target)}")
    say(
        f"{changed} of {len(paths)} record(s) rendered; the rest were up to date"
        if paths
        else "no records yet"
    )
