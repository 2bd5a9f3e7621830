"""What log, todo and stats need from one record: its summary; and the rows of log and todo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from micromoment.checklists.answers import count_answers

if TYPE_CHECKING:
    from micromoment.records import ReviewRecord, SkipRecord


class AnswerEntry(NamedTuple):
    item: str
    question: str
    answer: str


class SignoffEntry(NamedTuple):
    who: str
    decision: str


class FollowUpEntry(NamedTuple):
    item: str
    question: str
    action: str
    owner: str
    due: str | None
    resolved: bool
    resolved_at: str | None

    def overdue(self, today: dt.date) -> bool:
        """Open, and due before `today`."""
        return bool(not self.resolved and self.due and dt.date.fromisoformat(self.due) < today)


@dataclass
class Summary:
    """What log, todo and stats need from one record."""

    path: str
    id: str
    kind: str  # review | skip
    checklist: str
    title: str
    subject: str
    who: str
    email: str
    when: str  # ISO 8601, UTC
    status: str  # complete | incomplete | skip
    reason: str = ""
    # The content hash of the checklist version the record answered: what its answers are
    # judged against (see `ledger.sources`).
    checklist_hash: str = ""
    answers: list[AnswerEntry] = field(default_factory=list)
    follow_ups: list[FollowUpEntry] = field(default_factory=list)
    signoffs: list[SignoffEntry] = field(default_factory=list)
    repository: str = ""
    # For a review that says complete: the required items its checklist version asks that have
    # no answer the version accepts. Such a review is counted as incomplete, as the gate counts it.
    unanswered: tuple[str, ...] = ()  # a tuple: ten thousand summaries share the one empty default

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.when[:10])

    def counts(self) -> dict[str, int]:
        counts = count_answers([a.answer for a in self.answers])
        return {
            "yes": counts.yes,
            "no": counts.no,
            "na": counts.na,
            "skip": counts.skipped,
            "answers": counts.answered,
        }


def summarise(path: Path, record: ReviewRecord | SkipRecord) -> Summary:
    # The record model loads only when a record is parsed: a warm ledger never needs pydantic.
    from micromoment.records import SkipRecord

    shared: dict[str, Any] = {
        "path": str(path),
        "id": record.id,
        "checklist": record.checklist.id,
        "title": record.checklist.title,
        "who": record.who.name,
        "email": record.who.email,
        "checklist_hash": record.checklist.content_hash,
    }
    if isinstance(record, SkipRecord):
        when = utc_text(record.at)
        return Summary(
            **shared, kind="skip", subject=record.reason, when=when, status="skip", reason=record.reason
        )
    return Summary(
        **shared,
        kind="review",
        subject=record.subject,
        when=utc_text(record.finished_at),
        status=record.status,
        answers=[AnswerEntry(a.item, a.question, a.answer) for a in record.answers],
        follow_ups=[
            FollowUpEntry(
                item=a.item,
                question=a.question,
                action=a.follow_up.action,
                owner=a.follow_up.owner,
                due=a.follow_up.due.isoformat() if a.follow_up.due else None,
                resolved=a.follow_up.resolved is not None,
                resolved_at=utc_text(a.follow_up.resolved.at) if a.follow_up.resolved else None,
            )
            for a in record.answers
            if a.follow_up is not None
        ],
        signoffs=[SignoffEntry(s.who.name, s.decision) for s in record.signoffs],
    )


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest_first(summaries: list[Summary]) -> list[Summary]:
    return sorted(summaries, key=lambda s: (s.when, s.id), reverse=True)


def log_rows(summaries: list[Summary], since: dt.date | None, checklist: str | None) -> list[dict[str, Any]]:
    return [
        {
            "date": s.when,
            "id": s.id,
            "kind": s.kind,
            "checklist": s.checklist,
            "subject": s.subject,
            "who": s.who,
            "status": s.status,
            # Required items a review that says complete leaves without an accepted answer.
            "unanswered": list(s.unanswered),
            "counts": s.counts() if s.kind == "review" else None,
            "signoffs": [signoff._asdict() for signoff in s.signoffs],
            "path": s.path,
            "repository": s.repository or None,
        }
        for s in newest_first(summaries)
        if not (since and s.day < since) and not (checklist and s.checklist != checklist)
    ]


def open_follow_ups(summaries: list[Summary], owner: str | None, today: dt.date) -> list[dict[str, Any]]:
    rows = [
        {
            "action": f.action,
            "owner": f.owner,
            "due": f.due,
            "overdue": f.overdue(today),
            "record": s.id,
            "item": f.item,
            "question": f.question,
            "checklist": s.checklist,
            "path": s.path,
            "repository": s.repository or None,
        }
        for s in summaries
        for f in s.follow_ups
        if not f.resolved and not (owner and f.owner.casefold() != owner.casefold())
    ]
    return sorted(rows, key=lambda r: (r["due"] is None, r["due"] or "", r["record"], r["item"]))
