"""Accountability: a second person's sign-off on a review, and follow-ups closed by name."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from micromoment.checklists import Catalog
from micromoment.errors import EXIT_FINDINGS, MicromomentError, NotFound
from micromoment.files import write_atomic
from micromoment.gate.signoffs import same_identity
from micromoment.locations import Project, display_path
from micromoment.records import Person, Resolution, ReviewRecord, Signoff, load_record, update_record
from micromoment.records.render import render_review
from micromoment.validation import utc_now

LOCK_WAIT_SECONDS = 10.0


class NotASecondPerson(MicromomentError):
    """The author tried to sign off their own review."""

    exit_code = EXIT_FINDINGS


@contextlib.contextmanager
def record_lock(path: Path) -> Iterator[None]:
    """One writer at a time per record, across processes. The lock is advisory and the
    kernel drops it if the process dies, so a crash never leaves a record locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: writes stay atomic, just not serialised
        yield
        return
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:20]
    lock_path = Path(tempfile.gettempdir()) / f"micromoment-{name}.lock"
    with lock_path.open("a") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MicromomentError(
                        f"{display_path(path)}: another micromoment command is updating this record; try again"
                    ) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def same_person(a: Person, b: Person) -> bool:
    """The gate's rule: one person by email, or by name under another email."""
    return same_identity(a.name, a.email, b.name, b.email)


def _rewrite(project: Project, catalog: Catalog, path: Path, record: ReviewRecord) -> None:
    """The record and its Markdown, both replaced; the Markdown is rendered first so a template
    error changes nothing."""
    checklist = catalog.get(record.checklist.id) if record.checklist.id in catalog else None
    markdown = render_review(project, record, checklist)
    update_record(path, record)
    write_atomic(path.with_suffix(".md"), markdown)


def sign_off(
    project: Project,
    catalog: Catalog,
    path: Path,
    signer: Person,
    decision: Literal["approve", "changes-requested"],
    note: str | None,
) -> ReviewRecord:
    """Add (or replace) the signer's sign-off; the review's author cannot sign their own."""
    with record_lock(path):
        record = load_record(path)
        if same_person(record.who, signer):
            raise NotASecondPerson(
                f"{display_path(path)}: you wrote this review, and a sign-off is a second person's look; "
                f"ask a teammate to run micromoment signoff {record.id}"
            )
        others = [s for s in record.signoffs if not same_person(s.who, signer)]
        signoff = Signoff(who=signer, at=utc_now(), decision=decision, note=note or None)
        updated = record.model_copy(update={"signoffs": [*others, signoff]})
        _rewrite(project, catalog, path, updated)
    return updated


def resolve_follow_up(
    project: Project, catalog: Catalog, path: Path, item_id: str, note: str, who: Person
) -> ReviewRecord:
    """Close the follow-up on `item_id`, recording who closed it, when and how."""
    note = note.strip()
    if not note:
        raise MicromomentError("say what was done: --note 'added the refund policy to the grounding docs'")
    with record_lock(path):
        record = load_record(path)
        answer = record.answer(item_id)
        if answer is None or answer.follow_up is None:
            with_follow_ups = [a.item for a in record.answers if a.follow_up]
            raise NotFound(
                f"{display_path(path)}: item {item_id!r} has no follow-up; "
                + (f"these do: {', '.join(with_follow_ups)}" if with_follow_ups else "this review has none")
            )
        if answer.follow_up.resolved is not None:
            done = answer.follow_up.resolved
            raise MicromomentError(
                f"{display_path(path)}: the follow-up on {item_id!r} was resolved by {done.who.name} on {done.at:%Y-%m-%d}"
            )
        follow_up = answer.follow_up.model_copy(
            update={"resolved": Resolution(who=who, at=utc_now(), note=note)}
        )
        answers = [
            a.model_copy(update={"follow_up": follow_up}) if a.item == item_id else a for a in record.answers
        ]
        updated = record.model_copy(update={"answers": answers})
        _rewrite(project, catalog, path, updated)
    return updated
