"""Records as flat tables (reviews, answers, follow-ups, sign-offs) in JSON Lines, CSV or Parquet.

The columns are a contract (docs/warehouse.md): new columns may be added at the end,
existing ones keep their name, type and meaning. Times are UTC ISO 8601 in text formats
and UTC timestamps in Parquet; days are YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from micromoment.checklists.answers import count_answers, held_status
from micromoment.errors import MicromomentError
from micromoment.files import write_atomic
from micromoment.ledger.model import utc_text
from micromoment.ledger.sources import Source
from micromoment.locations import display_path
from micromoment.records import AnyRecord, ReviewRecord, SkipRecord, load_any_record, record_files

ColumnType = Literal["string", "integer", "boolean", "timestamp", "date"]
Row = dict[str, Any]

_RECORD = ["repository", "record_id", "checklist_id"]
COLUMNS: dict[str, list[str]] = {
    "reviews": [
        *_RECORD,
        *("checklist_version", "checklist_title", "checklist_hash", "kind", "status", "subject", "reason"),
        *("approver", "author", "author_email", "started_at", "recorded_at", "branch", "commit", "dirty"),
        *("answers", "yes", "no", "na", "skipped", "follow_ups", "approvals", "path"),
    ],
    "answers": [
        *_RECORD,
        *("checklist_version", "author", "position", "item_id", "question", "answer", "note"),
        *("skip_reason", "evidence", "answered_at", "has_follow_up"),
    ],
    "followups": [
        *_RECORD,
        *("author", "recorded_at", "item_id", "question", "action", "owner", "due", "status"),
        *("resolved_by", "resolved_at", "resolution_note"),
    ],
    "signoffs": [*_RECORD, "author", "signer", "signer_email", "decision", "signed_at", "note"],
}
# A column's type by its name, the same in every table; any other column is a string.
TYPES: dict[str, ColumnType] = {
    **dict.fromkeys(("started_at", "recorded_at", "answered_at", "resolved_at", "signed_at"), "timestamp"),
    **dict.fromkeys(
        ("answers", "yes", "no", "na", "skipped", "follow_ups", "approvals", "position"), "integer"
    ),
    **dict.fromkeys(("dirty", "has_follow_up"), "boolean"),
    "due": "date",
}


def _record_row(source: Source, path: Path, record: AnyRecord, base: Row) -> Row:
    git = record.git
    row: Row = {
        **base,
        "checklist_version": record.checklist.version,
        "checklist_title": record.checklist.title,
        "checklist_hash": record.checklist.content_hash,
        "kind": record.kind,
        "author_email": record.who.email,
        "branch": git.branch if git else None,
        "commit": git.head if git else None,
        "dirty": git.dirty if git else None,
        "path": path.relative_to(source.project.root).as_posix(),
    }
    if isinstance(record, SkipRecord):
        return {
            **row,
            "status": "skip",
            "reason": record.reason,
            "approver": record.approver,
            "recorded_at": utc_text(record.at),
            **dict.fromkeys(("answers", "yes", "no", "na", "skipped", "follow_ups", "approvals"), 0),
        }
    counts = count_answers([a.answer for a in record.answers])  # as the record's Markdown and stats count
    # Held to its checklist version as the gate holds it: a hand-written "complete" is not enough.
    version = source.versions.get((record.checklist.id, record.checklist.content_hash))
    status, _ = held_status(record.status, version, {a.item: a.answer for a in record.answers})
    return {
        **row,
        "status": status,
        "subject": record.subject,
        "started_at": utc_text(record.started_at),
        "recorded_at": utc_text(record.finished_at),
        "answers": counts.answered,
        **{name: getattr(counts, name) for name in ("yes", "no", "na", "skipped")},
        "follow_ups": sum(1 for a in record.answers if a.follow_up),
        "approvals": sum(1 for s in record.signoffs if s.decision == "approve"),
    }


def _detail_rows(table: str, base: Row, record: ReviewRecord) -> Iterator[Row]:
    if table == "answers":
        for position, a in enumerate(record.answers, start=1):
            yield {
                **base,
                "checklist_version": record.checklist.version,
                "position": position,
                "item_id": a.item,
                "question": a.question,
                "answer": a.answer,
                "note": a.note,
                "skip_reason": a.reason,
                "evidence": a.evidence,
                "answered_at": utc_text(a.answered_at),
                "has_follow_up": a.follow_up is not None,
            }
    elif table == "followups":
        for a in record.answers:
            if (f := a.follow_up) is None:
                continue
            done = f.resolved
            yield {
                **base,
                "recorded_at": utc_text(record.finished_at),
                "item_id": a.item,
                "question": a.question,
                "action": f.action,
                "owner": f.owner,
                "due": f.due.isoformat() if f.due else None,
                "status": "resolved" if done else "open",
                "resolved_by": done.who.name if done else None,
                "resolved_at": utc_text(done.at) if done else None,
                "resolution_note": done.note if done else None,
            }
    else:
        for s in record.signoffs:
            yield {
                **base,
                "signer": s.who.name,
                "signer_email": s.who.email,
                "decision": s.decision,
                "signed_at": utc_text(s.at),
                "note": s.note,
            }


def rows(sources: list[Source], table: str) -> Iterator[Row]:
    """Every row of `table`, repository by repository, records in file order; every column present."""
    names = COLUMNS[table]
    for source in sources:
        # Every record in full, in file order: for what summaries leave out (notes, commits, versions).
        for path in record_files(source.place.folder):
            record = load_any_record(path)
            base = {
                "repository": source.name,
                "record_id": record.id,
                "checklist_id": record.checklist.id,
                "author": record.who.name,
            }
            if table == "reviews":
                found: Iterator[Row] = iter([_record_row(source, path, record, base)])
            elif isinstance(record, ReviewRecord):
                found = _detail_rows(table, base, record)
            else:
                continue
            for row in found:
                yield {name: row.get(name) for name in names}


def export_table(sources: list[Source], table: str, format: str, out: Path) -> int:
    """Write `table` to `out` in `format` in one atomic step; the number of rows written."""
    if out.exists() and not out.is_file():
        # A folder, or a named pipe with no reader that would keep the command waiting forever.
        raise MicromomentError(
            f"{display_path(out)}: is not a regular file; give a file name, e.g. --out {table}.{format}"
        )
    if format == "parquet":
        return _write_parquet(list(rows(sources, table)), table, out)
    count, text = table_text(sources, table, format)
    write_atomic(out, text)
    return count


def table_text(sources: list[Source], table: str, format: str) -> tuple[int, str]:
    """`table` as JSON Lines or CSV text (`--out -`), and its number of rows."""
    if format == "parquet":
        raise MicromomentError("--format parquet is binary; write it to a file, e.g. --out answers.parquet")
    found = list(rows(sources, table))
    buffer = io.StringIO()
    if format == "csv":
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS[table])
        writer.writerows(
            ["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row.values()]
            for row in found
        )
    else:
        buffer.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in found)
    return len(found), buffer.getvalue()


def _write_parquet(found: list[Row], table: str, out: Path) -> int:
    try:
        import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise MicromomentError(
            "--format parquet needs pyarrow: pip install 'micromoment[parquet]' (or use --format jsonl or csv)"
        ) from None
    types = {
        "string": pa.string(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "timestamp": pa.timestamp("s", tz="UTC"),
        "date": pa.date32(),
    }
    columns = COLUMNS[table]
    stored = [types[TYPES.get(name, "string")] for name in columns]
    # Times and days are in the rows as text (UTC ISO 8601): Arrow reads them into its own types.
    read = [pa.string() if kind in (types["timestamp"], types["date"]) else kind for kind in stored]
    values = {name: [row[name] for row in found] for name in columns}
    data = pa.table(values, schema=pa.schema(zip(columns, read, strict=True)))
    data = data.cast(pa.schema(zip(columns, stored, strict=True)))
    temp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(data, temp)
        temp.replace(out)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise MicromomentError(f"{display_path(out)}: cannot write: {exc.strerror or exc}") from None
    return len(found)
