"""The ledger database: one SQLite file under the git directory holding every record's summary.

One row per record (its file's size and time, and what log, todo and stats
read), and rows per answer, follow-up and sign-off. A refresh writes in one transaction in
WAL mode, so two commands at once never see half a refresh. The database only ever costs
speed: one that cannot be opened, holds another schema, or holds a value this version would
not have written is deleted and built again from the records.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from micromoment.checklists.answers import count_answers
from micromoment.ledger.model import AnswerEntry, FollowUpEntry, SignoffEntry, Summary

# 2: the checklist version each record answered; 3: what stats counts, at hand; 4: days checked in SQL;
# 5: a record is known by its size and time alone; 6: a record's answers count as count_answers counts;
# 7: answers kept in the order stats groups them
SCHEMA_VERSION = 7
APPLICATION_ID = 0x6D6D6C67  # "mmlg": a file that is not this ledger is never taken for it
LEDGER_NAME = "ledger.sqlite3"
BUSY_MS = 10_000  # a second command waits this long for another's refresh to commit

# A time or a day in exactly its one shape, on a day the calendar has: '+0 days' makes SQLite carry
# 30 February over into March, so it differs from what was stored. IS: a NULL from them is a failure.
_MOMENT = "strftime('%Y-%m-%dT%H:%M:%SZ', {0}, '+0 days') IS {0}"
_DAY = "date({0}, '+0 days') IS {0}"
TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    "CREATE TABLE records (name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, "
    "id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('review', 'skip')), "
    "checklist TEXT NOT NULL, title TEXT NOT NULL, subject TEXT NOT NULL, who TEXT NOT NULL, "
    f"email TEXT NOT NULL, at TEXT NOT NULL CHECK ({_MOMENT.format('at')}), status TEXT NOT NULL, "
    "reason TEXT NOT NULL, checklist_hash TEXT NOT NULL, "
    "answers INTEGER NOT NULL, no INTEGER NOT NULL, skipped INTEGER NOT NULL) STRICT",
    # Answers are kept in the order `stats` groups them, so it counts 40,000 without sorting them;
    # the index, which holds what log and todo read, finds a record's answers in order.
    "CREATE TABLE answers (checklist TEXT NOT NULL, item TEXT NOT NULL, who TEXT NOT NULL, "
    "record TEXT NOT NULL, seq INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, "
    "day TEXT NOT NULL, PRIMARY KEY (checklist, item, who, record, seq)) STRICT, WITHOUT ROWID",
    "CREATE INDEX answers_of_record ON answers (record, seq, question, answer)",
    "CREATE TABLE follow_ups (record TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL, "
    "question TEXT NOT NULL, action TEXT NOT NULL, owner TEXT NOT NULL, "
    f"due TEXT CHECK (due IS NULL OR {_DAY.format('due')}), "
    "resolved INTEGER NOT NULL CHECK (resolved IN (0, 1)), "
    f"resolved_at TEXT CHECK (resolved_at IS NULL OR {_MOMENT.format('resolved_at')}), "
    "PRIMARY KEY (record, seq)) STRICT",
    "CREATE TABLE signoffs (record TEXT NOT NULL, seq INTEGER NOT NULL, who TEXT NOT NULL, "
    "decision TEXT NOT NULL, PRIMARY KEY (record, seq)) STRICT",
)
# The CHECK constraints again, when the ledger is opened: a file edited with the checks switched off
# (PRAGMA ignore_check_constraints) still never reaches log, todo or stats. And what the
# constraints cannot say: no row of a record that is gone.
_READ_CHECKS = (
    *(
        f"SELECT 1 FROM {t} WHERE record NOT IN (SELECT name FROM records) LIMIT 1"
        for t in ("answers", "follow_ups", "signoffs")
    ),
    f"SELECT 1 FROM records WHERE NOT ({_MOMENT.format('at')}) OR kind NOT IN ('review', 'skip') LIMIT 1",
    f"SELECT 1 FROM follow_ups WHERE NOT (due IS NULL OR {_DAY.format('due')}) "
    f"OR NOT (resolved_at IS NULL OR {_MOMENT.format('resolved_at')}) OR resolved NOT IN (0, 1) LIMIT 1",
)


class Stamp(NamedTuple):
    """What a record's file was when its summary was stored."""

    size: int
    mtime_ns: int


class Damaged(Exception):
    """The database holds something this version would not have written."""


def ledger_file(git_dir: str | Path) -> Path:
    return Path(git_dir) / "micromoment" / LEDGER_NAME


def remove(path: Path) -> None:
    """The database and its WAL files; a symlink is removed, never what it points to."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):  # best effort: a ledger that cannot go is not used
            part.unlink()


def _connect(path: Path, folder: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; only speed at stake
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            _create(connection, folder)
        _check_schema(connection, folder)
    except BaseException:
        connection.close()
        raise
    return connection


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    connection.execute(begin)
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _create(connection: sqlite3.Connection, folder: Path) -> None:
    with transaction(connection):
        # Another command may have created it while this one waited for the lock. Tables of
        # something else make a CREATE fail, or differ from ours when the schema is checked.
        if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
            for statement in TABLES:
                connection.execute(statement)
            connection.execute("INSERT INTO meta VALUES ('folder', ?)", (str(folder),))
            connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _check_schema(connection: sqlite3.Connection, folder: Path) -> None:
    """Damaged unless this is this version's ledger of `folder`, holding only what a refresh writes."""
    found = (
        connection.execute("PRAGMA user_version").fetchone()[0],
        connection.execute("PRAGMA application_id").fetchone()[0],
        connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall(),
        connection.execute("SELECT value FROM meta WHERE key = 'folder'").fetchone(),
    )
    if found != (SCHEMA_VERSION, APPLICATION_ID, [(sql,) for sql in TABLES], (str(folder),)):
        raise Damaged("not this version's ledger of this folder")
    for check in _READ_CHECKS:
        if connection.execute(check).fetchone() is not None:
            raise Damaged(f"a value this version does not write: {check}")


def open_ledger(path: Path, folder: Path) -> sqlite3.Connection | None:
    """The ledger for `folder`, built afresh when damaged; None when it cannot be had at all
    (a folder in its place, a read-only git directory): the records are then read without it."""
    if path.is_dir():
        return None
    for _ in range(2):
        try:
            if path.is_symlink() or (path.exists() and not path.is_file()):
                remove(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            return _connect(path, folder)
        except (sqlite3.Error, Damaged, OSError):
            remove(path)
    return None


def memory_ledger() -> sqlite3.Connection:
    """An empty ledger in memory: what the records are counted in when no file can be used."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    for statement in TABLES:
        connection.execute(statement)
    return connection


def stamps(connection: sqlite3.Connection) -> dict[str, Stamp]:
    return {row[0]: Stamp(*row[1:]) for row in connection.execute("SELECT name, size, mtime_ns FROM records")}


_DETAILS = ("answers", "follow_ups", "signoffs")
# A record's row (but for its file's name, size and time), and its rows in each of _DETAILS.
Rows = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def refresh(connection: sqlite3.Connection, gone: list[str], fresh: list[tuple[str, Stamp, Rows]]) -> None:
    """In one transaction: drop the records that are gone or are stored again, and store the
    rows of new or changed records."""
    # One statement per table, each run over every row: a cold run stores 10,000 records.
    tables = {
        "records": [(name, *stamp, *rows[0]) for name, stamp, rows in fresh],
        **{t: [row for *_, rows in fresh for row in rows[n]] for n, t in enumerate(_DETAILS, start=1)},
    }
    with transaction(connection):
        for table in tables:
            column = "name" if table == "records" else "record"
            connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(name,) for name in gone])
        for table, rows in tables.items():
            if rows:
                connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


def rows_of(name: str, s: Summary) -> Rows:
    """The rows of record file `name` in each table. Plain tuples: the processes that parse
    records hand them back for a fifth of what pickling the summaries costs."""
    counts = count_answers([a.answer for a in s.answers])
    record = (s.id, s.kind, s.checklist, s.title, s.subject, s.who, s.email, s.when, s.status, s.reason)
    return (
        (*record, s.checklist_hash, counts.answered, counts.no, counts.skipped),
        # Each answer with its record's checklist, person and day: `stats` counts items without a join.
        [(s.checklist, a.item, s.who, name, n, *a[1:], s.when[:10]) for n, a in enumerate(s.answers)],
        [(name, n, *f) for n, f in enumerate(s.follow_ups)],
        [(name, n, *signoff) for n, signoff in enumerate(s.signoffs)],
    )


def read_summaries(connection: sqlite3.Connection) -> dict[str, Summary]:
    """Every stored summary by file name, read in one snapshot."""
    with transaction(connection, "BEGIN"):
        summaries = {
            row[0]: Summary("", *row[1:])  # the columns in the order of Summary's fields
            for row in connection.execute(
                "SELECT name, id, kind, checklist, title, subject, who, email, at, status, reason, checklist_hash "
                "FROM records"
            )
        }
        for record, item, question, answer in connection.execute(
            "SELECT record, item, question, answer FROM answers ORDER BY record, seq"
        ):
            summaries[record].answers.append(AnswerEntry(item, question, answer))
        for record, item, question, action, owner, due, resolved, resolved_at in connection.execute(
            "SELECT record, item, question, action, owner, due, resolved, resolved_at FROM follow_ups "
            "ORDER BY record, seq"
        ):
            entry = FollowUpEntry(item, question, action, owner, due, bool(resolved), resolved_at)
            summaries[record].follow_ups.append(entry)
        for record, who, decision in connection.execute(
            "SELECT record, who, decision FROM signoffs ORDER BY record, seq"
        ):
            summaries[record].signoffs.append(SignoffEntry(who, decision))
    return summaries
