"""The ledger: every record summarised, for log, todo and stats.

Reading thousands of YAML records is the slow part, so each record's summary is kept in a
SQLite database under the git directory (`ledger/store.py`), keyed by the file's size, time
and content hash; only new or changed records are parsed again. The database only ever
costs speed: one that cannot be read, or that holds anything but what this version writes,
is built again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from micromoment.errors import FileProblems, Problem
from micromoment.ledger import store

# Re-exported: older callers import the summary from here.
from micromoment.ledger.model import FollowUpEntry as FollowUpEntry
from micromoment.ledger.model import Summary as Summary
from micromoment.ledger.model import summarise as summarise
from micromoment.records import parse_record, record_files, record_name
from micromoment.validation import utc_now
from micromoment.yamlio import MAX_BYTES, read_limited

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves
STATS_SCHEMA = "micromoment.stats/1"


Parsed = tuple["Summary | list[Problem]", "str | None"]


def _summarise_file(path: Path) -> Parsed:
    """One record's summary and the hash of the very bytes it was read from; or its problems."""
    # Problems come back as data: an exception is a poor traveller between processes.
    try:
        raw = read_limited(path, MAX_BYTES, lambda: record_name(path))
        digest = hashlib.sha256(raw).hexdigest()
        return summarise(path, parse_record(raw, lambda: record_name(path))), digest
    except FileProblems as exc:
        return exc.problems, None


def _summarise_all(paths: list[Path]) -> list[Parsed]:
    """Parse records, on every core when there are many (YAML parsing is the slow part)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [_summarise_file(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    # A few large chunks per worker: each chunk is one round trip of paths out, summaries back.
    chunk = max(64, len(paths) // (workers * 4) + 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_summarise_file, paths, chunksize=chunk))


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and time of a record file; None when it cannot be looked at (the parse then says why)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


Stamped = list[tuple[Path, "tuple[int, int] | None"]]


def load_summaries(
    folder: Path,
    ledger_file: Path | None,
    repository: str = "",
    *,
    warn: Callable[[str], None] | None = None,
) -> list[Summary]:
    """Every record in `folder`, summarised; unchanged records come from the ledger database.

    With `warn`, a record that cannot be read is named through it and left out, so one
    damaged file never hides the rest; without, the damaged records raise FileProblems.
    """
    stamped: Stamped = [(path, _stamp(path)) for path in record_files(folder)]
    for _ in range(2):
        connection = store.open_ledger(ledger_file, folder) if ledger_file is not None else None
        if connection is None:
            break
        try:
            return _in_order(stamped, _from_ledger(connection, stamped, warn), repository)
        except store.Damaged:
            connection.close()
            store.remove(ledger_file)  # type: ignore[arg-type]  # it was opened, so it is set
        except sqlite3.Error:
            break  # a ledger failing mid-way (a full disk, a lock held too long) only costs speed
        finally:
            connection.close()
    parsed = _parse(stamped, warn)
    return _in_order(stamped, {name: summary for name, (_, summary) in parsed.items()}, repository)


def _from_ledger(
    connection: sqlite3.Connection, stamped: Stamped, warn: Callable[[str], None] | None
) -> dict[str, Summary]:
    """Summaries by file name: unchanged records from the database, the others parsed and stored."""
    known = store.stamps(connection)
    touched: list[tuple[str, store.Stamp]] = []
    stale: Stamped = []
    for path, stamp in stamped:
        hit = known.get(path.name)
        if stamp is not None and hit is not None:
            if hit[:2] == stamp:
                continue
            digest = _digest(path)
            if digest is not None and hit[2] == digest:  # touched, not changed (a checkout, a copy)
                touched.append((path.name, (*stamp, digest)))
                continue
        stale.append((path, stamp))
    parsed = _parse(stale, warn)
    names = {path.name for path, _ in stamped}
    stale_names = {path.name for path, _ in stale}
    gone = [name for name in known if name not in names or name in stale_names]
    fresh = [(name, stamp, summary) for name, (stamp, summary) in parsed.items() if stamp is not None]
    if gone or touched or fresh:
        store.refresh(connection, gone, touched, fresh)
    summaries = {name: summary for name, (_, summary) in parsed.items()}
    if len(summaries) < len(stamped):  # a cold run keeps only what it parsed: no second copy
        stored = store.read_summaries(connection)
        summaries.update({name: stored[name] for name in names - summaries.keys() if name in stored})
    return summaries


def _parse(
    stale: Stamped, warn: Callable[[str], None] | None
) -> dict[str, tuple[store.Stamp | None, Summary]]:
    """The records given, parsed (in parallel when many), by file name with the stamp to store
    them under; a record that cannot be read is warned about and left out, or, without `warn`,
    raised."""
    problems: list[Problem] = []
    parsed: dict[str, tuple[store.Stamp | None, Summary]] = {}
    results = _summarise_all([path for path, _ in stale])
    for (path, stamp), (result, digest) in zip(stale, results, strict=True):
        if isinstance(result, list):
            if warn is None:
                problems += result
            else:
                warn(f"{result[0]}; skipped this record, see: micromoment lint {result[0].path}")
            continue
        parsed[path.name] = ((*stamp, digest) if stamp is not None and digest else None, result)
    if problems:
        raise FileProblems(problems)
    return parsed


def _in_order(stamped: Stamped, summaries: dict[str, Summary], repository: str) -> list[Summary]:
    """The summaries in file order, each told its path and repository."""
    result = []
    for path, _ in stamped:
        summary = summaries.get(path.name)
        if summary is not None:
            summary.path = str(path)
            summary.repository = repository
            result.append(summary)
    return result


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
