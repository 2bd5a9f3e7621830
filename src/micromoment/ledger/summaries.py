"""The ledger: every record summarised (and cached), for log, todo and stats.

Reading thousands of YAML records is the slow part, so each record's summary is cached
under the git directory, keyed by the file's size and time; only new or changed records
are parsed again. The cache only ever costs speed: a cache that cannot be read, or that
holds anything but what this version writes, is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.files import write_atomic
from micromoment.records import ReviewRecord, SkipRecord, load_any_record, record_files
from micromoment.validation import utc_now
from micromoment.yamlio import read_limited

CACHE_FORMAT = 2  # 2: a checksummed header naming the folder; entries checked field by field
PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves
STATS_SCHEMA = "micromoment.stats/1"
# A summary holds part of its record's text, which JSON escapes to at most 6 bytes per byte
# of the record (\u0000-style), plus its own keys: a cache larger than this many times the
# records, plus the slack, is not one micromoment wrote, and is not read.
CACHE_BYTES_PER_RECORD_BYTE = 6
CACHE_SLACK_BYTES = 1024 * 1024


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


def _summarise_file(path: Path) -> Summary | list[Problem]:
    try:
        return summarise(path, load_any_record(path))
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


def _stamp(path: Path) -> list[int] | None:
    """Size and time of a record file; None when it cannot be looked at (the parse then says why)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def read_cache(cache_file: Path, folder: Path, limit: int) -> dict[str, Any]:
    """The cached entries by file name; empty when the cache is missing, damaged, too large,
    from another version or of another folder. Never raises: a cache only costs speed.

    The file is a header line (format, folder, and a checksum of the rest) and the entries on
    the second line: a cut-short write or a flipped byte fails the checksum, so a damaged
    cache is rebuilt rather than believed.
    """
    try:
        head, _, body = read_limited(cache_file, limit).partition(b"\n")
        header = json.loads(head)
        if (
            not isinstance(header, dict)
            or header.get("format") != CACHE_FORMAT
            or header.get("folder") != str(folder)
            or header.get("sha256") != hashlib.sha256(body).hexdigest()
        ):
            return {}
        records = json.loads(body)
    except (FileProblems, ValueError, RecursionError):
        return {}
    return records if isinstance(records, dict) else {}


def cache_text(folder: Path, records: dict[str, Any]) -> str:
    """What read_cache reads back: the header line, then every entry on one line."""
    body = json.dumps(records, separators=(",", ":"))
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    header = json.dumps({"format": CACHE_FORMAT, "folder": str(folder), "sha256": digest})
    return f"{header}\n{body}"


_TEXT_FIELDS = (
    "path",
    "id",
    "kind",
    "checklist",
    "title",
    "subject",
    "who",
    "email",
    "when",
    "status",
    "reason",
    "repository",
)
_FOLLOW_UP_FIELDS = {f.name for f in fields(FollowUpEntry)}


def _texts(value: Any, size: int) -> bool:
    return isinstance(value, list) and len(value) == size and all(isinstance(v, str) for v in value)


def _is_day(value: Any) -> bool:
    """A due date as todo and stats read it: the whole text a date."""
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_moment(value: Any) -> bool:
    """A `when` as summarise writes it (2026-11-22T10:04:00Z); log and stats read its day."""
    try:
        dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return False
    return True


def _follow_up_from_cache(entry: Any) -> FollowUpEntry | None:
    if not isinstance(entry, dict) or set(entry) != _FOLLOW_UP_FIELDS:
        return None
    texts_ok = all(isinstance(entry[k], str) for k in ("item", "question", "action", "owner"))
    due_ok = entry["due"] is None or _is_day(entry["due"])
    resolved_ok = isinstance(entry["resolved"], bool) and (
        entry["resolved_at"] is None or isinstance(entry["resolved_at"], str)
    )
    return FollowUpEntry(**entry) if texts_ok and due_ok and resolved_ok else None


def summary_from_cache(entry: Any) -> Summary | None:
    """A cached summary exactly as `asdict` wrote it, or None for anything else."""
    if not isinstance(entry, dict) or set(entry) != {f.name for f in fields(Summary)}:
        return None
    if not all(isinstance(entry[name], str) for name in _TEXT_FIELDS) or not _is_moment(entry["when"]):
        return None
    answers, signoffs, raw_follow_ups = entry["answers"], entry["signoffs"], entry["follow_ups"]
    if not (isinstance(answers, list) and all(_texts(a, 3) for a in answers)):
        return None
    if not (isinstance(signoffs, list) and all(_texts(s, 2) for s in signoffs)):
        return None
    if not isinstance(raw_follow_ups, list):
        return None
    follow_ups = [_follow_up_from_cache(f) for f in raw_follow_ups]
    if any(f is None for f in follow_ups):
        return None
    return Summary(
        **{name: entry[name] for name in _TEXT_FIELDS},
        answers=[(a[0], a[1], a[2]) for a in answers],
        signoffs=[(s[0], s[1]) for s in signoffs],
        follow_ups=[f for f in follow_ups if f is not None],
    )


def _cached(hit: Any, stamp: list[int] | None) -> Summary | None:
    if stamp is None or not isinstance(hit, dict) or hit.get("stamp") != stamp:
        return None
    return summary_from_cache(hit.get("summary"))


def load_summaries(
    folder: Path,
    cache_file: Path | None,
    repository: str = "",
    *,
    warn: Callable[[str], None] | None = None,
) -> list[Summary]:
    """Every record in `folder`, summarised; unchanged records come from the cache.

    With `warn`, a record that cannot be read is named through it and left out, so one
    damaged file never hides the rest; without, the damaged records raise FileProblems.
    """
    stamped = [(path, _stamp(path)) for path in record_files(folder)]
    cached: dict[str, Any] = {}
    if cache_file is not None:
        limit = (
            CACHE_BYTES_PER_RECORD_BYTE * sum(stamp[0] for _, stamp in stamped if stamp) + CACHE_SLACK_BYTES
        )
        cached = read_cache(cache_file, folder, limit)
    entries = [(path, stamp, _cached(cached.get(path.name), stamp)) for path, stamp in stamped]
    parsed = iter(_summarise_all([path for path, _, hit in entries if hit is None]))
    fresh: dict[str, Any] = {}
    summaries: list[Summary] = []
    problems: list[Problem] = []
    for path, stamp, hit in entries:
        if hit is not None:
            summary = hit
            fresh[path.name] = cached[path.name]
        else:
            result = next(parsed)
            if isinstance(result, list):
                if warn is None:
                    problems += result
                else:
                    warn(f"{result[0]}; skipped this record, see: micromoment lint {result[0].path}")
                continue
            summary = result
            if stamp is not None:
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
            write_atomic(cache_file, cache_text(folder, fresh))
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
