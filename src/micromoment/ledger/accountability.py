"""Accountability: a second person's sign-off on a review, and follow-ups closed by name."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from micromoment.checklists import Catalog
from micromoment.checklists.translations import read_in
from micromoment.clock import utc_now
from micromoment.errors import EXIT_FINDINGS, MicromomentError, NotFound
from micromoment.files import PartlyWritten, write_together
from micromoment.gate.signoffs import seen_now
from micromoment.identity import Person, same_identity
from micromoment.locations import Project, display_path, language
from micromoment.records import Resolution, ReviewRecord, Signoff, load_record, record_text
from micromoment.records.listing import markdown_path
from micromoment.records.render import render_review

LOCK_WAIT_SECONDS = 10.0


class NotASecondPerson(MicromomentError):
    """The author tried to sign off their own review."""

    exit_code = EXIT_FINDINGS


@contextlib.contextmanager
def record_lock(path: Path) -> Iterator[None]:
    """One writer at a time per record, across processes: an advisory lock on the record's own file.

    The kernel drops it if the process dies, so a crash never leaves a record locked, and there is
    no lock file to leave behind. The holder replaces the record; a waiter that then gets the lock
    on the replaced file sees that the name now points elsewhere and tries again on the new one, so
    two processes can never both believe they hold it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: writes stay atomic, just not serialised
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    fd = None
    while True:
        try:
            opened = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # NONBLOCK: a pipe never waits
        except OSError:  # nothing to lock: reading the record says what is wrong with it
            break
        try:
            fcntl.flock(opened, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(opened)
            if time.monotonic() > deadline:
                raise MicromomentError(
                    f"{display_path(path)}: another micromoment command is updating this record; try again"
                ) from None
            time.sleep(0.02)
            continue
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(path.stat(), os.fstat(opened)):  # still the file with the record's name
                fd = opened
                break
        os.close(opened)  # the holder before us replaced this file; lock the one that has the name now
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _rewrite(project: Project, catalog: Catalog, path: Path, record: ReviewRecord) -> ReviewRecord:
    """The record and its Markdown, both replaced or neither (the record is returned): the Markdown is
    rendered first so a template error changes nothing, and both files are written in full before
    either is renamed."""
    checklist = catalog.get(record.checklist.id) if record.checklist.id in catalog else None
    markdown = render_review(project, record, checklist, read_in(catalog, record.checklist.id, language()))
    try:
        write_together([(path, record_text(record)), (markdown_path(path), markdown)])
    except PartlyWritten as exc:
        raise MicromomentError(
            f"{display_path(path)} was updated, but its Markdown was not: {exc.failed}; "
            f"once that is fixed, run micromoment render {display_path(path)}"
        ) from None
    return record


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
        if same_identity(record.who.name, record.who.email, signer.name, signer.email):
            raise NotASecondPerson(
                f"{display_path(path)}: you wrote this review, and a sign-off is a second person's look; "
                f"ask a teammate to run micromoment signoff {record.id}"
            )
        others = [
            s
            for s in record.signoffs
            if not same_identity(s.who.name, s.who.email, signer.name, signer.email)
        ]
        signoff = Signoff(
            who=signer,
            at=utc_now(),
            decision=decision,
            note=note or None,
            saw=seen_now(str(project.root), record),
        )
        return _rewrite(project, catalog, path, record.model_copy(update={"signoffs": [*others, signoff]}))


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
        return _rewrite(project, catalog, path, record.model_copy(update={"answers": answers}))
