"""What a review's Markdown, PR note and report show: a record turned into plain data, once."""

from __future__ import annotations

import math
from typing import Any

from micromoment.checklists import Checklist, Item, format_minutes
from micromoment.checklists.answers import count_answers, held_status, is_asked, item_rule
from micromoment.checklists.translations import answer_in
from micromoment.records.listing import markdown_path
from micromoment.records.model import ReviewRecord
from micromoment.records.samples import describe


def review_view(
    record: ReviewRecord, checklist: Checklist | None, shown: Checklist | None = None
) -> dict[str, Any]:
    """Everything a review template shows, computed once, in plain data; in the words of `shown`
    (the checklist translated) where it has them, when the record answered this very version."""
    items = (
        {item.id: (number, item) for number, item in enumerate(checklist.items, start=1)} if checklist else {}
    )
    # Held to the checklist version it answered, as the gate and the ledger hold it: a record
    # trimmed by hand that still says "complete" shows as incomplete, with the items it lacks.
    same_version = checklist is not None and checklist.content_hash() == record.checklist.content_hash
    words = {item.id: item for item in shown.items} if shown is not None and same_version else {}
    rows, follow_ups, skips = _answer_rows(record, items, words)
    references = _references(rows, items)
    elapsed = (record.finished_at - record.started_at).total_seconds() / 60
    git = record.git
    status, unanswered = held_status(
        record.status,
        [item_rule(item) for item in checklist.items] if checklist is not None and same_version else None,
        {answer.item: answer.answer for answer in record.answers},
    )
    return {
        "record": record.model_dump(mode="json", by_alias=True),
        "status": status,
        "unanswered": list(unanswered),
        "title": f"{shown.title if shown and words else record.checklist.title}: {record.subject}",
        "finished": record.finished_at.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": (git.head or "")[:12] if git else "",
        "branch": git.branch if git else None,
        "dirty": bool(git and git.dirty),
        "rows": rows,
        "summary": {
            **count_answers([answer.answer for answer in record.answers])._asdict(),
            # A record written from an answers file took no time here (started = finished): say nothing.
            "minutes": format_minutes(max(1, math.ceil(elapsed))) if elapsed > 0 else None,
        },
        "follow_ups": follow_ups,
        "skips": skips,
        "missing": [
            {
                "number": items[i][0] if i in items else "-",
                "question": (words.get(i) or items[i][1]).question if i in items else i,
            }
            for i in record.missing
        ],
        "references": [{"label": label, "numbers": numbers} for label, numbers in references.items()],
        # Questions an earlier answer made not apply: named, so the numbers passed over are explained.
        "left_out": [
            {"number": item.number or str(number), "question": (words.get(item.id) or item).question}
            for number, item in items.values()
            if not is_asked(item_rule(item), {a.item: a.answer for a in record.answers})
        ],
        "checklist_changed": checklist is not None and not same_version,
        "content_hash": record.checklist.content_hash.removeprefix("sha256:")[:12],
        "signoffs": [
            {"who": s.who.name, "decision": s.decision, "on": s.at.strftime("%Y-%m-%d"), "note": s.note}
            for s in record.signoffs
        ],
        "samples": _samples(record),
    }


def _samples(record: ReviewRecord) -> list[dict[str, Any]]:
    """Each sample of outputs the answers rest on, once: what was read and what was wrong."""
    seen: dict[str, dict[str, Any]] = {}
    for answer in record.answers:
        if answer.sample is not None and answer.sample.record not in seen:
            link = answer.sample
            seen[link.record] = {
                "summary": describe(link),
                "record": link.record,
                "markdown": markdown_path(link.record),
                "read": link.read,
                "flags": dict(link.flags),
            }
    return list(seen.values())


def _answer_rows(
    record: ReviewRecord, items: dict[str, tuple[int, Item]], words: dict[str, Item]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per answer, and the follow-ups and skipped items among them (in `words`' words)."""
    rows, follow_ups, skips = [], [], []
    for answer in record.answers:
        number, item = items.get(answer.item, (None, None))
        label = (item.number if item and item.number else str(number)) if number else "-"
        shown = words.get(answer.item)
        question = shown.question if shown else answer.question
        given = answer_in(item, shown, answer.answer) if item and shown else answer.answer
        rows.append(
            {
                "number": label,
                "item": answer.item,
                "question": question,
                "answer": "skipped" if answer.skipped else given,
                "note": answer.reason if answer.skipped else answer.note,
                "evidence": answer.evidence,
                "sample": describe(answer.sample) if answer.sample else None,
                "owner": item.owner if item else None,
            }
        )
        if answer.skipped:
            skips.append({"number": label, "question": question, "reason": answer.reason})
        if answer.follow_up:
            done = answer.follow_up.resolved
            follow_ups.append(
                {
                    "number": label,
                    "question": question,
                    "action": answer.follow_up.action,
                    "owner": answer.follow_up.owner,
                    "due": answer.follow_up.due.isoformat() if answer.follow_up.due else None,
                    "resolved": {"who": done.who.name, "on": done.at.strftime("%Y-%m-%d"), "note": done.note}
                    if done
                    else None,
                }
            )
    return rows, follow_ups, skips


def _references(rows: list[dict[str, Any]], items: dict[str, tuple[int, Item]]) -> dict[str, list[str]]:
    """Each framework reference, with the numbers of the answered items that cite it."""
    references: dict[str, list[str]] = {}
    for row in rows:
        found = items.get(str(row["item"]))
        for reference in found[1].references if found else []:
            references.setdefault(reference.label(), []).append(str(row["number"]))
    return references
