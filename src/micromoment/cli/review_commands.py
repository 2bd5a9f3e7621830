"""The review command: walk through checklists and record the answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from micromoment.capture.drafts import RESUME_COMMAND, StoredDraft, drafts_dir, list_drafts, resume
from micromoment.capture.guard import allowed_kinds, sensitive
from micromoment.capture.prompts import Prompter, stdin_prompter
from micromoment.capture.recording import ReviewRun, Written, guided_selection, write_review
from micromoment.capture.sample_record import Reading, sample_drafts_dir
from micromoment.capture.sample_walk import review_offer
from micromoment.capture.session import ReviewSession, answers_name, apply_answers_file, person_texts
from micromoment.capture.walkthrough import choose_checklists, new_draft_id
from micromoment.checklists import Catalog, load_catalog
from micromoment.checklists.translations import read_in
from micromoment.cli.output import err, git_add_line, say
from micromoment.cli.params import LangOption
from micromoment.clock import utc_now
from micromoment.config import default_outputs, load_config
from micromoment.errors import EXIT_FINDINGS, MicromomentError, plural
from micromoment.gate.policy import checklists_called_for
from micromoment.git import GitState, author_identity
from micromoment.locations import Project, display_path, find_project, language
from micromoment.messages import _
from micromoment.records import SampleLink, ScanResult
from micromoment.records.samples import describe, link_sample_record

ChecklistIds = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="ID", help="Checklists to answer (default: offered in a terminal; quick otherwise)."
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(help="What is being reviewed (default: the branch; on the main branch, the changed paths)."),
]
AnswersOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="A YAML file (- for standard input) mapping item ids to answers, for use without a terminal: `id: yes`, or "
        "`id: {answer: no, note: ..., evidence: ..., follow_up: {action: ..., owner: ..., due: 2026-12-31}}`, "
        "or `id: {answer: skip, reason: ...}`.",
    ),
]
ResumeOption = Annotated[
    bool, typer.Option("--resume", help="Continue an unfinished review (asks which, if several).")
]
DraftOption = Annotated[
    str | None, typer.Option("--draft", metavar="DRAFT", help="With --resume: the draft to continue.")
]
StrictOption = Annotated[
    bool, typer.Option(help="With --answers: refuse (exit 2) rather than record an incomplete review.")
]
AllowSensitiveOption = Annotated[
    bool,
    typer.Option(
        help="Write notes that look like secrets or personal data without asking (they are recorded as kept)."
    ),
]
InteractiveOption = Annotated[
    bool, typer.Option(help="Ask on standard input even when it is not a terminal (for scripted input).")
]
NoGitOption = Annotated[
    bool, typer.Option("--no-git", help="Record outside a git repository, with no git context in the record.")
]
SampleOption = Annotated[
    str | None,
    typer.Option(
        metavar="RECORD",
        help="A sample record (micromoment sample) to link as evidence on the items that take one.",
    ),
]


def review(
    checklist_ids: ChecklistIds = None,
    subject: SubjectOption = None,
    answers: AnswersOption = None,
    resume_draft: ResumeOption = False,
    draft_id: DraftOption = None,
    strict: StrictOption = False,
    allow_sensitive: AllowSensitiveOption = False,
    interactive: InteractiveOption = False,
    no_git: NoGitOption = False,
    sample: SampleOption = None,
    lang: LangOption = None,
) -> None:
    """Walk through checklists and record the answers (YAML + Markdown) in .micromoment/reviews/.

    In a terminal each item is asked in turn: answer y / n / na (or an option's number or the
    start of its name, or text), `s` to skip with a reason, `b` to go back (Enter keeps the
    earlier answer), `?` for the full guidance. Every answer is saved to a draft at once;
    after Ctrl-C, `micromoment review --resume` continues with every checklist not yet recorded.

    Without a terminal, give --answers FILE. Exit 0 when the record is complete, 1 when
    required items are missing (the record says which), 2 for bad input.
    """
    project = find_project()
    catalog = load_catalog(project)
    config = load_config(project, catalog, pinned=True)
    for checklist_id in checklist_ids or []:
        catalog.require(checklist_id)  # a typo is named before anything else is asked or checked
    state, in_repo = git_or_not(project, no_git)
    run = ReviewRun(project, config, state, author_identity(project.root), lang or language())
    if answers is not None:
        if resume_draft or draft_id:
            raise MicromomentError("--answers starts a new review; leave out --resume to use it")
        session = _answers_session(run, catalog, checklist_ids or [config.default_checklist], subject)
        written = _from_file(run, session, answers, strict, allow_sensitive, sample)
        _stage_hint([written], in_repo)
        raise typer.Exit(0 if written.record.status == "complete" else EXIT_FINDINGS)
    if (prompter := stdin_prompter(force=interactive)) is None:
        raise MicromomentError(
            "no terminal to ask questions on; record answers with micromoment review ID --answers FILE "
            "(a YAML mapping of item id to answer; micromoment show ID lists the items)"
        )
    prompter.console = err()  # questions and titles come from files: print them terminal-safe
    # With --no-git inside a repository, drafts still belong under .git, never in the work tree.
    folder = drafts_dir(project, GitState.at(project.root).git_dir if no_git and in_repo else state.git_dir)
    try:
        if resume_draft or draft_id:
            session = _resumed_session(prompter, folder, catalog, draft_id)
        else:
            session = _new_session(prompter, folder, catalog, run, checklist_ids, subject)
    except EOFError:
        say("input ended before the review started; nothing was recorded")
        raise typer.Exit(EXIT_FINDINGS) from None
    offer_samples([session], sample, run, prompter)
    raise typer.Exit(_walk_selection(run, catalog, session, prompter, folder, in_repo))


def _answers_session(run: ReviewRun, catalog: Catalog, ids: list[str], subject: str | None) -> ReviewSession:
    """The one checklist an answers file fills, read in the run's language for its Markdown."""
    if len(ids) > 1:
        raise MicromomentError(
            "--answers fills one checklist at a time; run micromoment review once per checklist"
        )
    read_as = read_in(catalog, ids[0], run.lang, say)
    return ReviewSession(
        catalog.get(ids[0]), subject or run.state.default_subject(), new_draft_id(), read_as=read_as
    )


def offer_samples(
    sessions: list[ReviewSession], sample: str | None, run: ReviewRun, prompter: Prompter
) -> None:
    """Link the named sample, and let the items that take one draw one on the spot."""
    project = run.project
    if sample is not None:
        _link_sample(sessions, link_sample_record(project, sample))
    drafts = sample_drafts_dir(project, run.state.git_dir)
    reading = Reading(run.who, run.state.context(), utc_now())
    offer = review_offer(project, default_outputs(project, run.config), reading, prompter, drafts)
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


def _from_file(
    run: ReviewRun,
    session: ReviewSession,
    answers: Path,
    strict: bool,
    allow_sensitive: bool,
    sample: str | None,
) -> Written:
    """The review from an answers file, recorded."""
    for warning in apply_answers_file(session, answers):
        say(warning)
    if sample is not None:
        link = link_sample_record(run.project, sample)
        _link_sample([session], link)
        for item_id in session.yes_despite_flags():
            say(
                f"{answers_name(answers)}: {item_id} is answered yes, but its evidence flagged outputs "
                f"({describe(link)}); check that the answer still holds"
            )
    missing = session.missing_required()
    if missing and strict:
        raise MicromomentError(
            f"{answers_name(answers)}: no answer for required item(s) {', '.join(missing)}; add them, or drop --strict "
            "to record the review as incomplete"
        )
    # Without a terminal: the kinds found (when allowed), or a refusal naming what and where.
    kept = allowed_kinds(sensitive(person_texts(session)), answers_name(answers), "looks", allow_sensitive)
    # From a file, no time was spent answering here: the record says none rather than "1 min".
    written = write_review(run, session, ScanResult(kept=kept), timed=False)
    _report(written)
    return written


def git_or_not(project: Project, no_git: bool) -> tuple[GitState, bool]:
    """The git state to record (none with --no-git), and whether the project is in a repository.

    Outside one, stop: records there cannot be committed, so `git add` would mislead.
    """
    real = GitState.at(project.root)
    # A .git folder with no git program to ask is still a repository: record without context.
    in_repo = real.repo is not None or (project.root / ".git").exists()
    if not in_repo and not no_git:
        raise MicromomentError(
            "not inside a git repository, so a record here could not be committed with your change; "
            "run git init first (or cd into your repository), or pass --no-git to record without git context"
        )
    return (GitState(None) if no_git else real), in_repo


def _new_session(
    prompter: Prompter,
    folder: Path,
    catalog: Catalog,
    run: ReviewRun,
    checklist_ids: list[str] | None,
    subject: str | None,
) -> ReviewSession:
    config, state = run.config, run.state
    if unfinished := list_drafts(folder, say):
        say(f"{plural(len(unfinished), 'unfinished review')} kept; micromoment review --resume continues one")
    suggested = list(checklists_called_for(catalog, config, state.changed_paths()))
    ids = checklist_ids or choose_checklists(prompter, catalog, suggested, config.default_checklist)
    checklists = [catalog.get(checklist_id) for checklist_id in dict.fromkeys(ids)]
    chosen_subject = subject or prompter.ask(_("Subject of this review"), default=state.default_subject())
    return ReviewSession(
        checklists[0], chosen_subject, new_draft_id(), plan=[checklist.id for checklist in checklists]
    )


def _walk_selection(
    run: ReviewRun, catalog: Catalog, session: ReviewSession, prompter: Prompter, folder: Path, in_repo: bool
) -> int:
    """Every checklist of the session in turn; the exit code. The `git add` line comes last."""
    written: list[Written] = []

    def recorded(result: Written) -> None:
        written.append(result)
        _report(result)

    try:
        saved = guided_selection(run, catalog, session, prompter, folder, recorded)
    except MicromomentError:
        _stage_hint(written, in_repo)
        raise
    if not saved:
        say(f"not saved; draft {session.draft_id} kept with your answers; continue with:")
        say(RESUME_COMMAND)
    _stage_hint(written, in_repo)
    complete = saved and all(result.record.status == "complete" for result in written)
    return 0 if complete else EXIT_FINDINGS


def _report(written: Written) -> None:
    say(f"recorded {display_path(written.yaml_path)} and {display_path(written.markdown_path)}")
    if written.record.status == "incomplete":
        say(f"incomplete: no answer for {', '.join(written.record.missing)}")


def _stage_hint(written: list[Written], in_repo: bool) -> None:
    """The exact command that stages what was just written, as the last line."""
    if written and in_repo:
        paths = [path for result in written for path in (result.yaml_path, result.markdown_path)]
        say("commit them with the change they are about:")
        say(git_add_line(paths))


def _resumed_session(
    prompter: Prompter, folder: Path, catalog: Catalog, draft_id: str | None
) -> ReviewSession:
    drafts = list_drafts(folder, say)
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
    later = resumed.session.still_to_do()
    say(
        f"resuming draft {chosen.draft.id}: {chosen.draft.checklist.id}, {plural(answered, 'answer')} so far"
        + (f"; then {', '.join(later)}" if later else "")
    )
    return resumed.session


def _pick_draft(prompter: Prompter, drafts: list[StoredDraft]) -> StoredDraft:
    for number, stored in enumerate(drafts, start=1):
        draft = stored.draft
        prompter.console.print(
            f"  {number}. {', '.join([draft.checklist.id, *draft.still_to_do()])} — {draft.subject} — "
            f"{plural(len(draft.answers), 'answer')}, "
            f"last {draft.updated_at:%Y-%m-%d %H:%M} UTC ({draft.id})"
        )
    while True:
        reply = prompter.ask("Which draft?", default="1")
        if reply.isdigit() and 1 <= int(reply) <= len(drafts):
            return drafts[int(reply) - 1]
        if (named := next((d for d in drafts if d.draft.id == reply), None)) is not None:
            return named
