"""Accountability: a second person's sign-off on a review, and follow-ups closed by name."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from micromoment.checklists import Catalog
from micromoment.clock import utc_now
from micromoment.errors import EXIT_FINDINGS, MicromomentError, NotFound
from micromoment.files import PartlyWritten, write_together
from micromoment.gate.signoffs import seen_now
from micromoment.git import GitFailed, run_git
from micromoment.identity import Person, same_identity
from micromoment.locations import Project, display_path
from micromoment.records import Resolution, ReviewRecord, Signoff, load_record, record_text
from micromoment.records.listing import markdown_path
from micromoment.records.render import render_review

LOCK_WAIT_SECONDS = 10.0


class NotASecondPerson(MicromomentError):
    """The author tried to sign off their own review."""

    exit_code = EXIT_FINDINGS


def locks_dir(path: Path) -> Path:
    """Where the locks for records in `path`'s folder live: under the git directory, private to the
    clone and never committed; outside a repository, beside the record."""
    folder = path.resolve().parent
    try:
        git_dir = run_git(["rev-parse", "--absolute-git-dir"], folder).decode().strip()
    except (GitFailed, OSError):
        return folder
    return Path(git_dir) / "micromoment" / "locks"


@contextlib.contextmanager
def record_lock(path: Path) -> Iterator[None]:
    """One writer at a time per record, across processes.

    The lock is advisory and the kernel drops it if the process dies, so a crash never leaves a
    record locked. Its file is removed by the holder, still holding it; a waiter that then gets
    the lock on the removed file sees that the name now points elsewhere (or nowhere) and tries
    again, so two processes can never both believe they hold it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: writes stay atomic, just not serialised
        yield
        return
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:20]
    folder = locks_dir(path)
    lock_path = folder / f".{path.stem[:60]}-{name}.lock"
    busy = MicromomentError(
        f"{display_path(path)}: another micromoment command is updating this record; try again"
    )
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = _open_lock_file(lock_path)
        except OSError as exc:
            raise MicromomentError(
                f"{lock_path}: cannot create the lock for {display_path(path)}: {exc.strerror or exc}; "
                "check that folder's permissions"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise busy from None
            time.sleep(0.02)
            continue
        if _still_named(fd, lock_path):
            break
        os.close(fd)  # the holder before us removed this file; lock the one that has the name now
    try:
        yield
    finally:
        # Unlink while holding: a waiter on this file finds it unnamed and starts over.
        with contextlib.suppress(OSError):
            lock_path.unlink()
        os.close(fd)


def _open_lock_file(lock_path: Path) -> int:
    return os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)


def _still_named(fd: int, lock_path: Path) -> bool:
    try:
        named = lock_path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def same_person(a: Person, b: Person) -> bool:
    """The gate's rule: one person by email, or by name under another email."""
    return same_identity(a.name, a.email, b.name, b.email)


def _rewrite(project: Project, catalog: Catalog, path: Path, record: ReviewRecord) -> None:
    """The record and its Markdown, both replaced or neither: the Markdown is rendered first so a
    template error changes nothing, and both files are written in full before either is renamed."""
    checklist = catalog.get(record.checklist.id) if record.checklist.id in catalog else None
    markdown = render_review(project, record, checklist)
    try:
        write_together([(path, record_text(record)), (markdown_path(path), markdown)])
    except PartlyWritten as exc:
        raise MicromomentError(
            f"{display_path(path)} was updated, but its Markdown was not: {exc.failed}; "
            f"once that is fixed, run micromoment render {display_path(path)}"
        ) from None


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
        saw = seen_now(str(project.root), record)
        signoff = Signoff(who=signer, at=utc_now(), decision=decision, note=note or None, saw=saw)
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
