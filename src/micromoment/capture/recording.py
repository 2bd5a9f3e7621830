"""Finishing a review: the guided walk, the record file, its Markdown beside it, and the draft gone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from micromoment.capture.drafts import RESUME_HINT, discard, save_draft
from micromoment.capture.prompts import EndOfInput, Prompter
from micromoment.capture.session import ReviewSession, replace_text, sensitive_texts
from micromoment.capture.walkthrough import resolve_findings, walk
from micromoment.config import Config
from micromoment.errors import Interrupted, MicromomentError, Refused
from micromoment.files import write_atomic
from micromoment.git import GitState
from micromoment.locations import Project
from micromoment.records import (
    GitContext,
    Person,
    ReviewRecord,
    ScanResult,
    new_record_id,
    reviews_dir,
    save_record,
)
from micromoment.records.render import render_review
from micromoment.validation import utc_now


@dataclass(frozen=True)
class Written:
    record: ReviewRecord
    yaml_path: Path
    markdown_path: Path


def write_review(
    project: Project,
    config: Config,
    session: ReviewSession,
    who: Person,
    git: GitContext | None,
    scan: ScanResult,
) -> Written:
    """Write the record under a fresh name (never over another) and render its Markdown."""
    folder = reviews_dir(project, config)
    finished = utc_now()
    for _ in range(50):  # a clash of the short random suffix is rare; try another
        record = session.to_record(
            new_record_id(session.checklist.id, finished.date().isoformat()), who, git, scan, finished
        )
        # Render first: a template error must not leave a record without its Markdown.
        markdown = render_review(project, record, session.checklist)
        try:
            path = save_record(folder, record)
            break
        except Refused:
            continue
    else:  # pragma: no cover - fifty clashes in a row means something else is wrong
        raise Refused(f"could not find a free record name in {folder}")
    markdown_path = path.with_suffix(".md")
    write_atomic(markdown_path, markdown)
    return Written(record, path, markdown_path)


def guided_review(
    project: Project,
    config: Config,
    state: GitState,
    session: ReviewSession,
    who: Person,
    prompter: Prompter,
    drafts_folder: Path,
) -> Written | None:
    """Walk one checklist with a person; the record, or None when they chose not to save (draft kept).

    Every answer is in the draft the moment it is given, so an interruption loses nothing.
    """

    def keep_draft(current: ReviewSession) -> None:
        save_draft(drafts_folder, current)

    try:
        if not walk(session, prompter, keep_draft):
            keep_draft(session)
            return None
        kept = _sensitive_in_terminal(session, prompter)
    except KeyboardInterrupt:
        if session.answers:
            keep_draft(session)
        raise Interrupted(f"interrupted; draft kept — {RESUME_HINT}") from None
    except EndOfInput:
        if session.answers:
            keep_draft(session)
        raise MicromomentError(f"input ended mid-review; draft kept — {RESUME_HINT}") from None
    written = write_review(project, config, session, who, state.context(), ScanResult(kept=kept))
    discard(drafts_folder / f"{session.draft_id}.yaml")
    return written


def _sensitive_in_terminal(session: ReviewSession, prompter: Prompter) -> list[str]:
    kept: set[str] = set()
    for text, findings in sensitive_texts(session):
        new_text, keep = resolve_findings(prompter, text.label, text.text, findings)
        if keep:
            kept.update(f.kind for f in findings)
        elif new_text != text.text:
            replace_text(session, text, new_text)
    return sorted(kept)


def sensitive_refusal(session: ReviewSession, source: str, allow: bool) -> list[str]:
    """Without a terminal: the kinds found (when allowed), or a refusal naming what and where."""
    found = sensitive_texts(session)
    if found and not allow:
        details = "; ".join(
            f"{text.label}: {', '.join(sorted({f.kind for f in findings}))}" for text, findings in found
        )
        raise MicromomentError(
            f"{source}: looks like secrets or personal data ({details}); remove them, "
            "or pass --allow-sensitive to record them anyway"
        )
    return sorted({finding.kind for _, findings in found for finding in findings})
