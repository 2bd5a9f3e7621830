"""The ledger's answers: log, todo and stats over every record's summary (read by `ledger/loading.py`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from micromoment.clock import utc_now
from micromoment.ledger.counting import Period, count, stats_of
from micromoment.ledger.model import Summary
from micromoment.ledger.store import memory_ledger


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


def stats(
    summaries: list[Summary], since: dt.date | None, by: Period, repositories: list[str]
) -> dict[str, Any]:
    """The micro-moments ledger as stable JSON (documented in docs/stats.md), from summaries: the
    same queries as a ledger file's (`ledger/counting.py`), over a database in memory."""
    connection = memory_ledger(summaries)
    try:
        return stats_of([count(connection, since, utc_now().date())], since, by, repositories)
    finally:
        connection.close()


def sample_totals(folders: list[Path], since: dt.date | None) -> dict[str, Any]:
    """Outputs read (micromoment sample) and what was flagged, by category, over the sample records."""
    from micromoment.records.samples import CATEGORIES, load_sample, sample_files

    samples = outputs = 0
    flags: Counter[str] = Counter()
    for folder in folders:
        for path in sample_files(folder):
            record = load_sample(path)
            if since and record.finished_at.date() < since:
                continue
            samples += 1
            outputs += len(record.outputs)
            flags.update(output.category for output in record.outputs if output.category)
    return {
        "samples": samples,
        "outputs_read": outputs,
        "flagged": sum(flags.values()),
        "flags": {category: flags[category] for category in CATEGORIES},
    }
