"""Drafts: every answer saved the moment it is given, under the git directory where it is never committed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import Field

from micromoment.capture.session import ReviewSession, item_fingerprint, still_to_do
from micromoment.checklists import Catalog
from micromoment.clock import utc_now
from micromoment.errors import FileProblems, MicromomentError
from micromoment.files import write_atomic
from micromoment.locations import Project, display_path
from micromoment.records import Answer, ChecklistRef, record_name
from micromoment.validation import Slug, StrictModel, Text, UtcTime, validate
from micromoment.yamlio import dump_yaml, read_yaml

RESUME_COMMAND = "micromoment review --resume"


class Draft(StrictModel):
    """A review not finished yet."""

    kind: Literal["draft"] = "draft"
    schema_version: Literal[1] = 1
    id: Text
    checklist: ChecklistRef
    fingerprints: dict[Slug, str]
    subject: Text
    started_at: UtcTime
    updated_at: UtcTime
    answers: list[Answer]
    # The whole selection a review session was started with, and what of it is recorded;
    # empty in drafts written before a session could span several checklists.
    plan: list[Slug] = Field(default_factory=list, description="Every checklist chosen together, in order.")
    done: list[Slug] = Field(default_factory=list, description="Those of them already recorded.")

    def still_to_do(self) -> list[str]:
        return still_to_do(self.plan, self.done, self.checklist.id)


def drafts_dir(project: Project, git_dir: Path | None, name: str = "drafts") -> Path:
    """Inside .git when there is one (never committed, per work tree); else beside the config."""
    return git_dir / "micromoment" / name if git_dir is not None else project.home / name


def draft_path(folder: Path, session: ReviewSession) -> Path:
    return folder / f"{session.draft_id}.yaml"


def worth_keeping(session: ReviewSession) -> bool:
    """A draft is kept only when resuming it gives something back: answers, or the rest of a
    selection some of which is already recorded."""
    return bool(session.answers or session.done)


def save_draft(folder: Path, session: ReviewSession) -> None:
    draft = Draft(
        id=session.draft_id,
        checklist=ChecklistRef.of(session.checklist),
        fingerprints={item.id: item_fingerprint(item) for item in session.checklist.items},
        subject=session.subject,
        started_at=session.started_at,
        updated_at=utc_now(),
        answers=session.ordered_answers(),
        plan=session.plan,
        done=session.done,
    )
    write_draft(draft_path(folder, session), draft)


def write_draft(path: Path, draft: StrictModel) -> None:
    ignore = path.parent / ".gitignore"
    if not ignore.exists():  # drafts are never for committing, wherever they live
        write_atomic(ignore, "# micromoment drafts: work in progress, never committed\n*\n")
    write_atomic(path, dump_yaml(draft.model_dump(mode="json", by_alias=True, exclude_none=True)))


class StoredDraft(NamedTuple):
    path: Path
    draft: Draft


def list_drafts(folder: Path, warn: Callable[[str], None]) -> list[StoredDraft]:
    """The drafts in `folder`, most recently touched first.

    A draft that cannot be read or is not valid never blocks a review: it is renamed to
    NAME.damaged-TIMESTAMP (kept, no longer a draft), and `warn` says so once all are read.
    """
    found, set_aside = [], []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        if path.name.startswith("."):
            continue
        try:
            found.append(StoredDraft(path, validate(Draft, read_yaml(path, record_name(path)))))
        except FileProblems as exc:
            set_aside.append(_set_aside(path, str(exc.problems[0])))
    # Two drafts touched in the same second are told apart by their files' times.
    found.sort(key=lambda s: (s.draft.updated_at, _mtime(s.path)), reverse=True)
    for message in set_aside:
        warn(message)
    return found


def _set_aside(path: Path, problem: str) -> str:
    """Rename a damaged draft out of the way, kept for a person to look at, and say so;
    `problem` is located: `path:line:column: where: what`."""
    moved_to = path.with_name(f"{path.name}.damaged-{utc_now():%Y%m%dT%H%M%SZ}")
    try:
        path.rename(moved_to)
    except OSError as exc:
        raise MicromomentError(
            f"{problem}; this damaged draft cannot be moved aside ({exc.strerror or exc}); "
            f"move or delete {display_path(path)} to go on"
        ) from None
    return f"{problem}; damaged draft set aside as {display_path(moved_to)}, going on without it"


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed meanwhile (finished in another terminal): sorts last
        return 0


class Resumed(NamedTuple):
    session: ReviewSession
    changed: list[str]  # items whose question changed since the draft: their answers are asked again


def resume(stored: StoredDraft, catalog: Catalog) -> Resumed:
    draft = stored.draft
    checklist = catalog.get(draft.checklist.id)
    session = ReviewSession(
        checklist=checklist,
        subject=draft.subject,
        draft_id=draft.id,
        started_at=draft.started_at,
        plan=draft.plan or [checklist.id],
        done=draft.done,
    )
    current = {item.id: item_fingerprint(item) for item in checklist.items}
    changed = []
    for answer in draft.answers:
        if current.get(answer.item) == draft.fingerprints.get(answer.item):
            session.answers[answer.item] = answer
        else:
            changed.append(answer.item)
    session.prune()  # answers under a changed parent may no longer be asked
    return Resumed(session, changed)


def discard(stored_path: Path) -> None:
    """Remove a finished draft. The record is written by now, so a draft that cannot be removed
    is left to be resumed or deleted by hand rather than failing the review."""
    with contextlib.suppress(OSError):
        stored_path.unlink(missing_ok=True)
