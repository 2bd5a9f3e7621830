"""The ledger: every record summarised (and cached), for log, todo and stats.

Reading thousands of YAML records is the slow part, so each record's summary is cached
under the git directory, keyed by the file's size and time; only new or changed records
are parsed again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.files import write_atomic
from micromoment.records import ReviewRecord, SkipRecord, load_any_record, record_files
from micromoment.validation import utc_now

CACHE_FORMAT = 1
PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves
STATS_SCHEMA = "micromoment.stats/1"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class FollowUpEntry:
    item: str
    question: str
    action: str
    owner: str
    due: str | None
    resolved: bool
    resolved_at: str | None


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
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # (item, question, answer)
    follow_ups: list[FollowUpEntry] = field(default_factory=list)
    signoffs: list[tuple[str, str]] = field(default_factory=list)  # (who, decision)
    reason: str = ""
    repository: str = ""

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.when[:10])

    def counts(self) -> dict[str, int]:
        tally = Counter(answer for _, _, answer in self.answers)
        return {
            "yes": tally["yes"],
            "no": tally["no"],
            "na": tally["na"],
            "skip": tally["skip"],
            "answers": len(self.answers),
        }


def summarise(path: Path, record: ReviewRecord | SkipRecord) -> Summary:
    if isinstance(record, SkipRecord):
        return Summary(
            path=str(path),
            id=record.id,
            kind="skip",
            checklist=record.checklist.id,
            title=record.checklist.title,
            subject=record.reason,
            who=record.who.name,
            email=record.who.email,
            when=_iso(record.at),
            status="skip",
            reason=record.reason,
        )
    return Summary(
        path=str(path),
        id=record.id,
        kind="review",
        checklist=record.checklist.id,
        title=record.checklist.title,
        subject=record.subject,
        who=record.who.name,
        email=record.who.email,
        when=_iso(record.finished_at),
        status=record.status,
        answers=[(a.item, a.question, a.answer) for a in record.answers],
        follow_ups=[
            FollowUpEntry(
                item=a.item,
                question=a.question,
                action=a.follow_up.action,
                owner=a.follow_up.owner,
                due=a.follow_up.due.isoformat() if a.follow_up.due else None,
                resolved=a.follow_up.resolved is not None,
                resolved_at=_iso(a.follow_up.resolved.at) if a.follow_up.resolved else None,
            )
            for a in record.answers
            if a.follow_up is not None
        ],
        signoffs=[(s.who.name, s.decision) for s in record.signoffs],
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(path: Path) -> ReviewRecord | SkipRecord:
    """The fast way (C loader straight into the model); the located way only to explain a failure."""
    try:
        data = yaml.load(path.read_bytes(), Loader=_Loader)
        if isinstance(data, dict) and data.get("kind") == "skip":
            return SkipRecord.model_validate(data)
        if isinstance(data, dict) and data.get("kind") == "review":
            return ReviewRecord.model_validate(data)
    except (yaml.YAMLError, ValidationError, ValueError):
        pass
    return load_any_record(path)  # raises FileProblems with lines and columns


def _from_cache(entry: dict[str, Any]) -> Summary:
    entry = dict(entry)
    entry["answers"] = [tuple(a) for a in entry["answers"]]
    entry["signoffs"] = [tuple(s) for s in entry["signoffs"]]
    entry["follow_ups"] = [FollowUpEntry(**f) for f in entry["follow_ups"]]
    return Summary(**entry)


def _summarise_file(path: Path) -> Summary | list[Problem]:
    try:
        return summarise(path, _parse(path))
    except FileProblems as exc:
        return exc.problems


def _summarise_all(paths: list[Path]) -> list[Summary | list[Problem]]:
    """Parse records, on every core when there are many (YAML parsing is the slow part)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [_summarise_file(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_summarise_file, paths, chunksize=256))


def load_summaries(folder: Path, cache_file: Path | None, repository: str = "") -> list[Summary]:
    """Every record in `folder`, summarised; unchanged records come from the cache."""
    cached: dict[str, Any] = {}
    if cache_file is not None:
        try:
            raw = json.loads(cache_file.read_text(encoding="utf-8"))
            if raw.get("format") == CACHE_FORMAT:
                cached = raw.get("records", {})
        except (OSError, ValueError):
            cached = {}
    entries: list[tuple[Path, list[int], dict[str, Any] | None]] = []
    for path in record_files(folder):
        info = path.stat()
        stamp = [info.st_size, info.st_mtime_ns]
        hit = cached.get(path.name)
        entries.append((path, stamp, hit if hit is not None and hit.get("stamp") == stamp else None))
    parsed = iter(_summarise_all([path for path, _, hit in entries if hit is None]))
    fresh: dict[str, Any] = {}
    summaries: list[Summary] = []
    problems: list[Problem] = []
    for path, stamp, hit in entries:
        if hit is not None:
            summary = _from_cache(hit["summary"])
            fresh[path.name] = hit
        else:
            result = next(parsed)
            if isinstance(result, list):
                problems += result
                continue
            summary = result
            fresh[path.name] = {"stamp": stamp, "summary": asdict(summary)}
        summary.path = str(path)
        summary.repository = repository
        summaries.append(summary)
    if problems:
        raise FileProblems(problems)
    changed = fresh.keys() != cached.keys() or any(fresh[name] is not cached[name] for name in fresh)
    if cache_file is not None and changed:
        # A cache that cannot be written only costs speed.
        with contextlib.suppress(MicromomentError, OSError):
            write_atomic(
                cache_file, json.dumps({"format": CACHE_FORMAT, "records": fresh}, separators=(",", ":"))
            )
    return summaries


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


def stats(
    summaries: list[Summary], since: dt.date | None, by: Period, repositories: list[str]
) -> dict[str, Any]:
    """The micro-moments ledger as stable JSON (documented in docs/stats.md)."""
    chosen = [s for s in summaries if not since or s.day >= since]
    reviews = [s for s in chosen if s.kind == "review"]
    periods: dict[str, dict[str, Any]] = {}
    per_checklist: dict[str, Counter[str]] = defaultdict(Counter)
    per_person: dict[str, Counter[str]] = defaultdict(Counter)
    no_items: Counter[tuple[str, str]] = Counter()
    skipped_items: Counter[tuple[str, str]] = Counter()
    questions: dict[tuple[str, str], str] = {}
    opened = resolved = overdue = 0
    today = utc_now().date()
    for s in chosen:
        label, start = period_of(s.day, by)
        period = periods.setdefault(
            label,
            {"period": label, "start": start.isoformat(), "reviews": 0, "skips": 0, "answers": 0, "no": 0},
        )
        counts = s.counts()
        period["reviews" if s.kind == "review" else "skips"] += 1
        period["answers"] += counts["answers"]
        period["no"] += counts["no"]
        checklist = per_checklist[s.checklist]
        checklist["reviews" if s.kind == "review" else "skips"] += 1
        checklist["answers"] += counts["answers"]
        checklist["no"] += counts["no"]
        checklist["skipped_items"] += counts["skip"]
        person = per_person[s.who]
        person["reviews" if s.kind == "review" else "skips"] += 1
        person["answers"] += counts["answers"]
        for item, question, answer in s.answers:
            key = (s.checklist, item)
            questions[key] = question
            if answer == "no":
                no_items[key] += 1
            elif answer == "skip":
                skipped_items[key] += 1
        for f in s.follow_ups:
            opened += 1
            resolved += f.resolved
            overdue += bool(not f.resolved and f.due and dt.date.fromisoformat(f.due) < today)
        for who, _ in s.signoffs:
            per_person[who]["signoffs_given"] += 1
    signed = sum(1 for s in reviews if any(decision == "approve" for _, decision in s.signoffs))

    def top(counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        return [
            {"checklist": c, "item": i, "question": questions[(c, i)], "count": n} for (c, i), n in ranked
        ]

    return {
        "schema": STATS_SCHEMA,
        "since": since.isoformat() if since else None,
        "by": by,
        "repositories": repositories,
        "totals": {
            "reviews": len(reviews),
            "skips": len(chosen) - len(reviews),
            "answers": sum(s.counts()["answers"] for s in chosen),
            "no": sum(s.counts()["no"] for s in chosen),
            "skipped_items": sum(s.counts()["skip"] for s in chosen),
            "people": len(per_person),
        },
        "periods": [periods[k] for k in sorted(periods)],
        "checklists": [
            {"checklist": cid, **{k: c[k] for k in ("reviews", "skips", "answers", "no", "skipped_items")}}
            for cid, c in sorted(per_checklist.items())
        ],
        "people": [
            {"name": name, **{k: c[k] for k in ("reviews", "skips", "answers", "signoffs_given")}}
            for name, c in sorted(per_person.items(), key=lambda kv: (-kv[1]["reviews"], kv[0]))
        ],
        "most_no": top(no_items),
        "most_skipped": top(skipped_items),
        "follow_ups": {"opened": opened, "resolved": resolved, "open": opened - resolved, "overdue": overdue},
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
