"""The ledger's answers: log, todo and stats over every record's summary (read by `ledger/loading.py`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Literal

from micromoment.clock import utc_now

# Re-exported: older callers import loading and the summary from here.
from micromoment.ledger.loading import PARALLEL_FROM as PARALLEL_FROM
from micromoment.ledger.loading import load_many as load_many
from micromoment.ledger.loading import load_summaries as load_summaries
from micromoment.ledger.model import FollowUpEntry as FollowUpEntry
from micromoment.ledger.model import Summary as Summary
from micromoment.ledger.model import summarise as summarise

STATS_SCHEMA = "micromoment.stats/1"


def newest_first(summaries: list[Summary]) -> list[Summary]:
    return sorted(summaries, key=lambda s: (s.when, s.id), reverse=True)


def log_rows(summaries: list[Summary], since: dt.date | None, checklist: str | None) -> list[dict[str, Any]]:
    rows = []
    for s in newest_first(summaries):
        if (since and s.day < since) or (checklist and s.checklist != checklist):
            continue
        rows.append(
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
                "signoffs": [{"who": who, "decision": decision} for who, decision in s.signoffs],
                "path": s.path,
                "repository": s.repository or None,
            }
        )
    return rows


def open_follow_ups(summaries: list[Summary], owner: str | None, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for s in summaries:
        for f in s.follow_ups:
            if f.resolved or (owner and f.owner.casefold() != owner.casefold()):
                continue
            rows.append(
                {
                    "action": f.action,
                    "owner": f.owner,
                    "due": f.due,
                    "overdue": bool(f.due and dt.date.fromisoformat(f.due) < today),
                    "record": s.id,
                    "item": f.item,
                    "question": f.question,
                    "checklist": s.checklist,
                    "path": s.path,
                    "repository": s.repository or None,
                }
            )
    return sorted(rows, key=lambda r: (r["due"] is None, r["due"] or "", r["record"], r["item"]))


Period = Literal["week", "month"]


def period_of(day: dt.date, by: Period) -> tuple[str, dt.date]:
    if by == "month":
        return f"{day:%Y-%m}", day.replace(day=1)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", day - dt.timedelta(days=day.weekday())


class _Tally:
    """The counts stats adds up, one record at a time."""

    def __init__(self, by: Period) -> None:
        self.by = by
        self.periods: dict[str, dict[str, Any]] = {}
        self.per_checklist: dict[str, Counter[str]] = defaultdict(Counter)
        self.per_person: dict[str, Counter[str]] = defaultdict(Counter)
        self.no_items: Counter[tuple[str, str]] = Counter()
        self.skipped_items: Counter[tuple[str, str]] = Counter()
        self.questions: dict[tuple[str, str], str] = {}
        self.opened = self.resolved = self.overdue = 0
        self.totals: Counter[str] = Counter()
        self.days: dict[str, tuple[str, dt.date]] = {}
        self.today = utc_now().date()

    def add(self, s: Summary) -> None:
        day = self.days.get(s.when[:10])
        if day is None:  # thousands of records share a few hundred days
            day = self.days[s.when[:10]] = period_of(s.day, self.by)
        label, start = day
        period = self.periods.get(label)
        if period is None:
            period = self.periods[label] = {
                "period": label,
                "start": start.isoformat(),
                "reviews": 0,
                "skips": 0,
                "answers": 0,
                "no": 0,
            }
        no = skip = 0
        for item, question, answer in s.answers:
            if answer == "no":
                no += 1
                self.no_items[(s.checklist, item)] += 1
            elif answer == "skip":
                skip += 1
                self.skipped_items[(s.checklist, item)] += 1
            self.questions[(s.checklist, item)] = question
        answers = len(s.answers)
        self.totals["answers"] += answers
        self.totals["no"] += no
        self.totals["skip"] += skip
        kind = "reviews" if s.kind == "review" else "skips"
        period[kind] += 1
        period["answers"] += answers
        period["no"] += no
        checklist = self.per_checklist[s.checklist]
        checklist[kind] += 1
        checklist["answers"] += answers
        checklist["no"] += no
        checklist["skipped_items"] += skip
        person = self.per_person[s.who]
        person[kind] += 1
        person["answers"] += answers
        for f in s.follow_ups:
            self.opened += 1
            self.resolved += f.resolved
            self.overdue += bool(not f.resolved and f.due and dt.date.fromisoformat(f.due) < self.today)
        for who, _ in s.signoffs:
            self.per_person[who]["signoffs_given"] += 1

    def top(self, counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        return [
            {"checklist": c, "item": i, "question": self.questions[(c, i)], "count": n}
            for (c, i), n in ranked
        ]


def stats(
    summaries: list[Summary], since: dt.date | None, by: Period, repositories: list[str]
) -> dict[str, Any]:
    """The micro-moments ledger as stable JSON (documented in docs/stats.md)."""
    chosen = [s for s in summaries if not since or s.day >= since]
    reviews = [s for s in chosen if s.kind == "review"]
    tally = _Tally(by)
    for s in chosen:
        tally.add(s)
    signed = sum(1 for s in reviews if any(decision == "approve" for _, decision in s.signoffs))
    return {
        "schema": STATS_SCHEMA,
        "since": since.isoformat() if since else None,
        "by": by,
        "repositories": repositories,
        "totals": {
            "reviews": len(reviews),
            "skips": len(chosen) - len(reviews),
            "answers": tally.totals["answers"],
            "no": tally.totals["no"],
            "skipped_items": tally.totals["skip"],
            "people": len(tally.per_person),
        },
        "periods": [tally.periods[k] for k in sorted(tally.periods)],
        "checklists": [
            {"checklist": cid, **{k: c[k] for k in ("reviews", "skips", "answers", "no", "skipped_items")}}
            for cid, c in sorted(tally.per_checklist.items())
        ],
        "people": [
            {"name": name, **{k: c[k] for k in ("reviews", "skips", "answers", "signoffs_given")}}
            for name, c in sorted(tally.per_person.items(), key=lambda kv: (-kv[1]["reviews"], kv[0]))
        ],
        "most_no": tally.top(tally.no_items),
        "most_skipped": tally.top(tally.skipped_items),
        "follow_ups": {
            "opened": tally.opened,
            "resolved": tally.resolved,
            "open": tally.opened - tally.resolved,
            "overdue": tally.overdue,
        },
        "signoffs": {
            "reviews": len(reviews),
            "signed": signed,
            "rate": round(signed / len(reviews), 3) if reviews else 0.0,
        },
    }


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
