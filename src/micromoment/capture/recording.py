"""Finishing a review: the guided walk, the draft, and a record written with its Markdown beside it
(a sample's too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from micromoment.capture.drafts import RESUME_COMMAND, discard, draft_path, save_draft, worth_keeping
from micromoment.capture.guard import sensitive
from micromoment.capture.prompts import Prompter
from micromoment.capture.session import ReviewSession, person_texts
from micromoment.capture.walkthrough import settle_in_terminal, walk
from micromoment.checklists import Catalog
from micromoment.checklists.translations import read_in
from micromoment.clock import utc_now
from micromoment.config import Config
from micromoment.errors import EXIT_FINDINGS, EXIT_INTERRUPTED, MicromomentError, Refused
from micromoment.files import WriteFailed, commit, stage
from micromoment.git import GitState
from micromoment.identity import Person
from micromoment.locations import Project, display_path
from micromoment.records import (
    ReviewRecord,
    SampleRecord,
    ScanResult,
    new_record_id,
    reviews_dir,
    save_record,
)
from micromoment.records.listing import markdown_path
from micromoment.records.render import render_review


class ReviewStopped(MicromomentError):
    """The person stopped mid-review (Ctrl-C, or the end of input); what they answered is in a draft."""

    # Prints its own lines, so the resume command stands alone on one, ready to copy.
    located = True

    def __init__(self, message: str, *, exit_code: int, draft_kept: bool) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.draft_kept = draft_kept

    def lines(self) -> list[str]:
        return [f"micromoment: {self.message}", *([RESUME_COMMAND] if self.draft_kept else [])]


def _stopped(how: str, exit_code: int, session: ReviewSession, folder: Path) -> ReviewStopped:
    """A review stopped by `how` ("interrupted", "input ended"): its draft saved when it holds
    something to resume, else none left behind (an answer taken back with `b` may have left an
    earlier one); the message says which."""
    if not worth_keeping(session):
        discard(draft_path(folder, session))
        message = f"{how} before any answer; nothing was recorded"
        return ReviewStopped(message, exit_code=exit_code, draft_kept=False)
    save_draft(folder, session)
    if session.answers:
        kept = "your answers so far are kept in a draft"
    else:
        kept = f"{', '.join([session.checklist.id, *session.still_to_do()])} still to answer; kept in a draft"
    return ReviewStopped(f"{how}; {kept}; continue with:", exit_code=exit_code, draft_kept=True)


class ReviewRun(NamedTuple):
    """What every record of one review run shares: the project and its settings, the git state
    each record carries, and the person answering."""

    project: Project
    config: Config
    state: GitState
    who: Person
    # The language the walk-through and the Markdown are read in (None: as written).
    lang: str | None


R = TypeVar("R", ReviewRecord, SampleRecord)


@dataclass(frozen=True)
class WrittenRecord(Generic[R]):
    record: R
    yaml_path: Path
    markdown_path: Path


Written = WrittenRecord[ReviewRecord]


def write_new(
    folder: Path, named: Callable[[], tuple[R, str]], save: Callable[[Path, R], Path], finish: str
) -> WrittenRecord[R]:
    """Write a record under a fresh name (never over another) and its Markdown: both, or neither.

    `named` gives the record under a new name, with its Markdown. The Markdown is staged
    (written and synced beside its final name) before the record is created, so a template
    error or a full disk leaves nothing; if its last rename still fails, the record just
    created is taken back. `finish` says how to write the Markdown when even that fails.
    """
    for _ in range(50):  # a clash of the short random suffix is rare; try another
        record, markdown = named()
        staged = stage(markdown_path(folder / f"{record.id}.yaml"), markdown)
        try:
            path = save(folder, record)
        except Refused:
            staged.discard()
            continue
        except BaseException:
            staged.discard()
            raise
        break
    else:  # pragma: no cover - fifty clashes in a row means something else is wrong
        raise Refused(f"could not find a free record name in {folder}")
    try:
        commit(staged)
    except WriteFailed as exc:
        try:
            path.unlink()
        except OSError:
            raise MicromomentError(
                f"{display_path(path)} was recorded, but not its Markdown: {exc}; once that is fixed, "
                + finish.format(display_path(path))
            ) from None
        raise MicromomentError(f"{exc}; nothing was recorded") from None
    return WrittenRecord(record, path, staged.path)


def write_review(run: ReviewRun, session: ReviewSession, scan: ScanResult, *, timed: bool = True) -> Written:
    git = run.state.context()
    finished = utc_now()
    if not timed:  # answers from a file took no time here; the record shows none spent
        session.started_at = finished

    def named() -> tuple[ReviewRecord, str]:
        record_id = new_record_id(session.checklist.id, finished.date().isoformat())
        record = session.to_record(record_id, run.who, git, scan, finished)
        return record, render_review(run.project, record, session.checklist, session.read_as)

    return write_new(reviews_dir(run.project, run.config), named, save_record, "run micromoment render {}")


def guided_selection(
    run: ReviewRun,
    catalog: Catalog,
    session: ReviewSession,
    prompter: Prompter,
    drafts_folder: Path,
    on_written: Callable[[Written], None],
) -> bool:
    """Walk the session's checklist, then every other one chosen with it; False when the person
    chose not to save one (its draft, which also names the checklists still to do, is kept)."""
    session.read_as = read_in(catalog, session.checklist.id, run.lang, prompter.console.print)
    while (written := guided_review(run, session, prompter, drafts_folder)) is not None:
        rest = session.still_to_do()
        if not rest:
            discard(draft_path(drafts_folder, session))
            on_written(written)
            return True
        # The same draft now holds the next checklist, so a stop before its first answer
        # still leaves the rest of the selection to resume.
        following = ReviewSession(
            catalog.get(rest[0]),
            session.subject,
            session.draft_id,
            plan=session.plan,
            done=[*session.done, session.checklist.id],
            offer_sample=session.offer_sample,
            read_as=read_in(catalog, rest[0], run.lang, prompter.console.print),
        )
        if session.sample is not None:  # a sample read for one checklist is evidence for the next too
            following.link_sample(session.sample)
        session = following
        save_draft(drafts_folder, session)
        on_written(written)
    return False


def guided_review(
    run: ReviewRun, session: ReviewSession, prompter: Prompter, drafts_folder: Path
) -> Written | None:
    """Walk one checklist with a person; the record, or None when they chose not to save (draft kept).

    Every answer is in the draft the moment it is given, so an interruption loses nothing. The
    draft is left for the caller, who knows whether more checklists follow.
    """
    try:
        if not walk(session, prompter, partial(save_draft, drafts_folder)):
            save_draft(drafts_folder, session)
            return None
        kept = settle_in_terminal(prompter, sensitive(person_texts(session)))
    except KeyboardInterrupt:
        raise _stopped("interrupted", EXIT_INTERRUPTED, session, drafts_folder) from None
    except EOFError:  # Ctrl-D is the person stopping, like declining to save: the review is not done (1).
        raise _stopped("input ended", EXIT_FINDINGS, session, drafts_folder) from None
    try:
        return write_review(run, session, ScanResult(kept=kept))
    except MicromomentError as exc:
        if not draft_path(drafts_folder, session).is_file():
            raise
        raise ReviewStopped(
            f"{exc.message}; your answers are kept in a draft; once that is fixed, continue with:",
            exit_code=exc.exit_code,
            draft_kept=True,
        ) from None
