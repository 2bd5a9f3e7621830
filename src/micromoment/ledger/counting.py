"""`stats` as queries: what the ledger database adds up, grouped in SQLite, and the few
hundred grouped rows turned into the stats document (documented in docs/stats.md).

A warm `stats` never builds a summary per record: turning 10,000 records and their 40,000
answers into Python objects was most of its time. The report counts the same ledgers with the
same queries, and a repository whose ledger cannot be written is counted in a ledger in
memory, so there is one way of counting.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

from micromoment.ledger.frameworks import References, framework_section
from micromoment.ledger.store import transaction

STATS_SCHEMA = "micromoment.stats/1"
Period = Literal["week", "month"]

_CHOSEN = "(:since IS NULL OR substr(r.at, 1, 10) >= :since)"
# Records and their answers, "no"s and skipped items (each record carries those counts, written
# with its answers), by kind and by one of day, checklist and person: a few hundred rows at most.
_RECORDS = f"""
SELECT {{}}, r.kind, count(*), sum(r.answers), sum(r.no), sum(r.skipped)
FROM records r WHERE {_CHOSEN} GROUP BY 1, 2
"""
# Each checklist item's "no"s and skips, and its question as the last record (in file order)
# asks it: with a single max(), SQLite takes the bare columns from the row holding the max.
# The answers are stored in this order, each with its record's checklist, person and day.
_ITEMS = """
SELECT checklist, item, question, max(record), sum(answer = 'no'), sum(answer = 'skip')
FROM answers WHERE (:since IS NULL OR day >= :since) GROUP BY checklist, item
"""
# Who answered each item (a skip is not an answer), when last and how often: the frameworks section.
_LOOKED = """
SELECT checklist, item, who, max(day), count(*) FROM answers
WHERE answer != 'skip' AND (:since IS NULL OR day >= :since) GROUP BY 1, 2, 3
"""
_FOLLOW_UPS = f"""
SELECT count(*), coalesce(sum(f.resolved), 0),
       coalesce(sum(f.resolved = 0 AND f.due IS NOT NULL AND f.due < :today), 0)
FROM follow_ups f JOIN records r ON r.name = f.record
WHERE {_CHOSEN}
"""
_SIGNERS = f"""
SELECT s.who, count(*) FROM signoffs s JOIN records r ON r.name = s.record WHERE {_CHOSEN} GROUP BY s.who
"""
_SIGNED = f"""
SELECT count(*) FROM records r
WHERE r.kind = 'review' AND {_CHOSEN}
  AND EXISTS (SELECT 1 FROM signoffs s WHERE s.record = r.name AND s.decision = 'approve')
"""


Counts = tuple[str, str, int, int, int, int]  # day, checklist or person; kind; records, answers, "no"s, skips


class Tally(NamedTuple):
    """What one ledger adds up over the chosen records; tallies of several repositories add up."""

    days: list[Counts]
    checklists: list[Counts]
    people: list[Counts]
    items: list[tuple[str, str, str, int, int]]  # checklist, item, question, "no"s, skips
    follow_ups: tuple[int, int, int]  # opened, resolved, overdue
    signers: list[tuple[str, int]]
    signed: int  # reviews with an approval
    looked: list[tuple[str, str, str, str, int]] = []  # noqa: RUF012 (checklist, item, who, last day, answers)


def count(connection: sqlite3.Connection, since: dt.date | None, today: dt.date) -> Tally:
    """One ledger's tally, read in one snapshot."""
    asked = {"since": since.isoformat() if since else None, "today": today.isoformat()}
    with transaction(connection, "BEGIN"):
        days, checklists, people = (
            connection.execute(_RECORDS.format(key), asked).fetchall()
            for key in ("substr(r.at, 1, 10)", "r.checklist", "r.who")
        )
        return Tally(
            days,
            checklists,
            people,
            items=[(c, i, q, no, skip) for c, i, q, _, no, skip in connection.execute(_ITEMS, asked)],
            follow_ups=connection.execute(_FOLLOW_UPS, asked).fetchone(),
            signers=connection.execute(_SIGNERS, asked).fetchall(),
            signed=connection.execute(_SIGNED, asked).fetchone()[0],
            looked=connection.execute(_LOOKED, asked).fetchall(),
        )


def period_of(day: dt.date, by: Period) -> tuple[str, dt.date]:
    if by == "month":
        return f"{day:%Y-%m}", day.replace(day=1)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", day - dt.timedelta(days=day.weekday())


def stats_of(
    tallies: list[Tally], since: dt.date | None, by: Period, repositories: list[str]
) -> dict[str, Any]:
    """The stats document from the tallies of one or more repositories, in the order given (a
    later repository's wording of a question wins, as a later record's does)."""
    periods = _grouped(
        (r for t in tallies for r in t.days), lambda day: period_of(dt.date.fromisoformat(day), by)
    )
    per_checklist = _grouped(row for t in tallies for row in t.checklists)
    per_person = _grouped(row for t in tallies for row in t.people)
    totals = sum(per_checklist.values(), Counter[str]())
    for who, given in (row for t in tallies for row in t.signers):
        per_person[who]["signoffs_given"] += given
    opened, resolved, overdue = (sum(t.follow_ups[n] for t in tallies) for n in range(3))
    signed = sum(t.signed for t in tallies)
    reviews = totals["reviews"]
    return {
        "schema": STATS_SCHEMA,
        "since": since.isoformat() if since else None,
        "by": by,
        "repositories": repositories,
        "totals": {**_pick(totals, *_EVERY_COUNT), "people": len(per_person)},
        "periods": [
            {"period": label, "start": start.isoformat(), **_pick(c, "reviews", "skips", "answers", "no")}
            for (label, start), c in sorted(periods.items())
        ],
        "checklists": [
            {"checklist": cid, **_pick(c, *_EVERY_COUNT)} for cid, c in sorted(per_checklist.items())
        ],
        "people": [
            {"name": name, **_pick(c, "reviews", "skips", "answers", "signoffs_given")}
            for name, c in sorted(per_person.items(), key=lambda kv: (-kv[1]["reviews"], kv[0]))
        ],
        **_most_often(tallies),
        "follow_ups": {"opened": opened, "resolved": resolved, "open": opened - resolved, "overdue": overdue},
        "signoffs": {
            "reviews": reviews,
            "signed": signed,
            "rate": round(signed / reviews, 3) if reviews else 0.0,
        },
    }


_EVERY_COUNT = ("reviews", "skips", "answers", "no", "skipped_items")


def _pick(counter: Counter[str], *names: str) -> dict[str, int]:
    return {name: counter[name] for name in names}


def _grouped(rows: Iterable[Counts], group: Callable[[str], Any] = str) -> dict[Any, Counter[str]]:
    """The counts of the rows added up by the group of their first column."""
    grouped: dict[Any, Counter[str]] = defaultdict(Counter)
    for key, kind, records, answers, no, skipped in rows:
        counter = grouped[group(key)]
        counter["reviews" if kind == "review" else "skips"] += records
        counter.update(answers=answers, no=no, skipped_items=skipped)
    return grouped


def frameworks_of(tallies: list[Tally], references: References) -> list[dict[str, Any]]:
    """The stats document's frameworks section, from the tallies and the items' references."""
    return framework_section([row for t in tallies for row in t.looked], references)


def _most_often(tallies: list[Tally]) -> dict[str, list[dict[str, Any]]]:
    """The ten items most often answered "no", and most often skipped."""
    questions: dict[tuple[str, str], str] = {}
    no_items: Counter[tuple[str, str]] = Counter()
    skipped_items: Counter[tuple[str, str]] = Counter()
    for checklist, item, question, no, skip in (row for t in tallies for row in t.items):
        questions[(checklist, item)] = question
        no_items[(checklist, item)] += no
        skipped_items[(checklist, item)] += skip

    def top(counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
        ranked = sorted((+counter).items(), key=lambda kv: (-kv[1], kv[0]))[:10]  # +: only counts above 0
        return [
            {"checklist": c, "item": i, "question": questions[(c, i)], "count": n} for (c, i), n in ranked
        ]

    return {"most_no": top(no_items), "most_skipped": top(skipped_items)}


def sample_totals(folders: list[Path], since: dt.date | None) -> dict[str, Any]:
    """Outputs read (micromoment sample) and what was flagged, by category, over the sample records."""
    from micromoment.records.listing import record_files
    from micromoment.records.samples import CATEGORIES, load_sample

    samples = outputs = 0
    flags: Counter[str] = Counter()
    for folder in folders:
        for path in record_files(folder):
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
