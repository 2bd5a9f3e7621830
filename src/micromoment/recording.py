"""Finishing a review: the record file, its Markdown beside it, and the draft gone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from micromoment.config import Config
from micromoment.errors import Refused
from micromoment.files import write_atomic
from micromoment.gitinfo import GitContext, Person
from micromoment.locations import Project
from micromoment.records import ReviewRecord, ScanResult, new_record_id, reviews_dir, save_record
from micromoment.render import render_review
from micromoment.review import ReviewSession
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
