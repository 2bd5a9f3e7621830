"""The ledger: every record summarised, for log, todo, stats, the report and the export.

Reading thousands of YAML records is the slow part, so each record's summary is kept in a
SQLite database under the git directory (`ledger/store.py`), keyed by the file's size and
time; only new or changed records are parsed again. The database only ever costs speed:
one that cannot be used is replaced by one in memory, filled from the records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from micromoment.errors import FileProblems, Problem
from micromoment.git import GitFailed, find_repo
from micromoment.ledger import store
from micromoment.ledger.counting import Tally, count
from micromoment.ledger.model import Summary, summarise
from micromoment.records.listing import record_name, record_names

if TYPE_CHECKING:
    from micromoment.locations import Project

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves

Warn = Callable[[str], None] | None


class Repository(NamedTuple):
    """One repository to read: its records' folder, its ledger database (None outside git), its name."""

    folder: Path
    ledger_file: Path | None
    name: str = ""


class Parsed(NamedTuple):
    """One record's rows in the ledger, or its problems."""

    rows: store.Rows | None
    problems: list[Problem]


def records_place(project: Project, name: str = "") -> Repository:
    """Where a project's records and its ledger are, found cheaply: in a git repository the
    records' folder comes from the gate's rules, kept in its memo, so a warm `stats`, `log` or
    `todo` builds no checklist or config model (and loads no pydantic)."""
    try:
        git_dir = find_repo(str(project.root)).git_dir
    except GitFailed:
        from micromoment.checklists import load_catalog
        from micromoment.config import load_config
        from micromoment.records import reviews_dir

        return Repository(reviews_dir(project, load_config(project, load_catalog(project))), None, name)
    from micromoment.gate.policy import worktree_rules

    folder = project.root / worktree_rules(str(project.root)).reviews_dir
    return Repository(folder, store.ledger_file(git_dir), name)


def load_many(repositories: list[Repository], warn: Warn = None) -> list[list[Summary]]:
    """Each repository's summaries, in file order, each told its path and repository."""
    with _ledgers(repositories, warn) as ledgers:
        return [_in_order(plan, store.read_summaries(connection)) for plan, connection in ledgers]


def count_many(
    repositories: list[Repository], since: dt.date | None, today: dt.date, warn: Warn = None
) -> list[Tally]:
    """Each repository's tally for `stats`, counted by queries: a warm run makes no summary at all."""
    with _ledgers(repositories, warn) as ledgers:
        return [count(connection, since, today) for _, connection in ledgers]


def _in_order(plan: _Plan, summaries: dict[str, Summary]) -> list[Summary]:
    placed = []
    for name in plan.stamps:
        if (summary := summaries.get(name)) is not None:
            summary.path, summary.repository = str(plan.repository.folder / name), plan.repository.name
            placed.append(summary)
    return placed


@contextlib.contextmanager
def _ledgers(repositories: list[Repository], warn: Warn) -> Iterator[list[tuple[_Plan, sqlite3.Connection]]]:
    """Each repository's ledger, brought up to its folder. The records that need parsing in
    all of them are parsed together, on every core when there are many, so fifty small
    repositories are read as fast as one large one. Without `warn`, every unreadable record
    of every repository is raised together."""
    with contextlib.ExitStack() as closing:
        plans = [_open(repository, warn) for repository in repositories]
        for plan in plans:
            closing.callback(plan.connection.close)
        stale = [plan.repository.folder / name for plan in plans for name in plan.to_parse]
        parsed = dict(zip(stale, _parse_all(stale), strict=True))
        problems: list[Problem] = []
        ledgers = []
        for plan in plans:
            try:
                connection = _store(plan, parsed, warn)
            except FileProblems as exc:
                problems += exc.problems
            else:
                closing.callback(connection.close)
                ledgers.append((plan, connection))
        del parsed  # a cold run reads the summaries back: keep no second copy meanwhile
        if problems:
            raise FileProblems(problems)
        yield ledgers


class _Plan(NamedTuple):
    """What bringing one repository's ledger up to its folder takes. Its record files now: each
    name (in file order) with its size and time in ns, or None for a file that could not be
    looked at (it is parsed, and refused, every time)."""

    repository: Repository
    stamps: dict[str, tuple[int, int] | None]
    connection: sqlite3.Connection
    gone: list[str]  # rows to drop: of records gone, or about to be parsed again
    to_parse: list[str]


def _open(repository: Repository, warn: Warn) -> _Plan:
    """The repository's ledger and what it lacks; one in memory when its file cannot be had."""
    stamps = _stamps_now(repository)
    if repository.ledger_file is not None:
        connection = store.open_ledger(repository.ledger_file, repository.folder)
        if connection is not None:
            try:
                return _plan(repository, stamps, connection, store.stamps(connection))
            except sqlite3.Error:  # a lock held too long only costs speed
                connection.close()
        _cannot_use(repository, warn)
    return _plan(repository, stamps, store.memory_ledger(), {})


def _cannot_use(repository: Repository, warn: Warn) -> None:
    if warn is not None:
        warn(f"{repository.ledger_file}: cannot be used as micromoment's ledger; every record is read afresh")


def _stamps_now(repository: Repository) -> dict[str, tuple[int, int] | None]:
    prefix = str(repository.folder) + os.sep
    stamps: dict[str, tuple[int, int] | None] = {}
    for name in record_names(repository.folder):
        try:
            # A str path, not a Path: building 10,000 Path objects is a tenth of a warm `stats`.
            info = os.stat(prefix + name)  # noqa: PTH116
        except OSError:
            stamps[name] = None
        else:
            stamps[name] = (info.st_size, info.st_mtime_ns)
    return stamps


def _plan(
    repository: Repository,
    stamps: dict[str, tuple[int, int] | None],
    connection: sqlite3.Connection,
    known: dict[str, store.Stamp],
) -> _Plan:
    to_parse = [name for name, stamp in stamps.items() if stamp is None or known.get(name) != stamp]
    parsing = set(to_parse)
    gone = [name for name in known if name not in stamps or name in parsing]
    return _Plan(repository, stamps, connection, gone, to_parse)


def _store(plan: _Plan, parsed: dict[Path, Parsed], warn: Warn) -> sqlite3.Connection:
    """The plan carried out: the ledger holds every record of the folder that can be read."""
    fresh: list[tuple[str, store.Stamp, store.Rows]] = []
    problems: list[Problem] = []
    for name in plan.to_parse:
        path = plan.repository.folder / name
        rows, found = parsed.get(path) or _parse(path)
        if rows is None:
            if warn is None:
                problems += found
            else:
                warn(f"{found[0]}; skipped this record, see: micromoment lint {found[0].path}")
            continue
        # A file that could not be looked at has a stamp no file has: it is read again next time.
        fresh.append((name, store.Stamp(*(plan.stamps[name] or (-1, -1))), rows))
    if problems:
        raise FileProblems(problems)
    try:
        if plan.gone or fresh:
            store.refresh(plan.connection, plan.gone, fresh)
    except sqlite3.Error:  # a ledger failing mid-way (a full disk) only costs speed
        plan.connection.close()
        _cannot_use(plan.repository, warn)
        in_memory = _plan(plan.repository, plan.stamps, store.memory_ledger(), {})
        # What was worth saying about these records has been said once already.
        return _store(in_memory, parsed, lambda _: None)
    return plan.connection


def _parse(path: Path) -> Parsed:
    # Problems come back as data: an exception is a poor traveller between processes.
    try:
        # Only when a record is parsed: a warm ledger loads neither the YAML reader nor the model.
        from micromoment.fileread import read_limited
        from micromoment.limits import MAX_YAML_BYTES
        from micromoment.records.model import parse_record

        raw = read_limited(path, MAX_YAML_BYTES, lambda: record_name(path))
        return Parsed(
            store.rows_of(path.name, summarise(path, parse_record(raw, lambda: record_name(path)))), []
        )
    except FileProblems as exc:
        return Parsed(None, exc.problems)


def _parse_all(paths: list[Path]) -> list[Parsed]:
    """Parse records, on every core when there are many (YAML parsing is the slow part)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [_parse(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    # A few large chunks per worker: each chunk is one round trip of paths out, summaries back.
    chunk = max(64, len(paths) // (workers * 4) + 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_parse, paths, chunksize=chunk))
