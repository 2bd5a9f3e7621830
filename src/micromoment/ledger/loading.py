"""The ledger: every record summarised, for log, todo and stats.

Reading thousands of YAML records is the slow part, so each record's summary is kept in a
SQLite database under the git directory (`ledger/store.py`), keyed by the file's size, time
and content hash; only new or changed records are parsed again. The database only ever
costs speed: one that cannot be read, or that holds anything but what this version writes,
is built again.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

from micromoment.errors import FileProblems, Problem
from micromoment.fileread import read_regular
from micromoment.ledger import store
from micromoment.ledger.counting import Tally, count
from micromoment.ledger.model import Summary, summarise
from micromoment.records.listing import record_name, record_names

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves

Warn = Callable[[str], None] | None
FileStamp = tuple[int, int] | None  # size and time in ns; None: the file could not be looked at
Used = TypeVar("Used")


class Parsed(NamedTuple):
    """One record's summary (or its problems) and the hash of the very bytes it was read from."""

    result: Summary | list[Problem]
    digest: str | None


class Job(NamedTuple):
    """One repository to read: its records' folder, its ledger database, its name."""

    folder: Path
    ledger_file: Path | None
    repository: str


class Listed(NamedTuple):
    """A repository's record files by name with their stamps, and what was parsed ahead, by path."""

    stamped: list[tuple[str, FileStamp]]
    ready: dict[Path, Parsed]


def _summarise_file(path: Path) -> Parsed:
    """One record's summary and the hash of its bytes; or its problems."""
    # Problems come back as data: an exception is a poor traveller between processes.
    try:
        # Only when a record is parsed: a warm ledger loads neither the YAML reader nor the model
        # (nor hashlib, which loads OpenSSL: 4 ms of a warm `stats`).
        import hashlib

        from micromoment.fileread import read_limited
        from micromoment.limits import MAX_YAML_BYTES
        from micromoment.records.model import parse_record

        raw = read_limited(path, MAX_YAML_BYTES, lambda: record_name(path))
        digest = hashlib.sha256(raw).hexdigest()
        return Parsed(summarise(path, parse_record(raw, lambda: record_name(path))), digest)
    except FileProblems as exc:
        return Parsed(exc.problems, None)


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


def _stamped(folder: Path) -> list[tuple[str, FileStamp]]:
    """The record files of `folder` (as `record_files` lists them) with their size and time."""
    prefix = str(folder) + os.sep
    stamped: list[tuple[str, FileStamp]] = []
    for name in record_names(folder):
        try:
            # A str path, not a Path: building 10,000 Path objects is a tenth of a warm `stats`.
            info = os.stat(prefix + name)  # noqa: PTH116
        except OSError:
            stamped.append((name, None))
        else:
            stamped.append((name, (info.st_size, info.st_mtime_ns)))
    return stamped


def _digest(path: Path) -> str | None:
    """The hash of a record file whose time changed; None for anything but a regular file of a
    size a record may have (a link to /dev/zero is never read): it is then parsed, and refused."""
    import hashlib

    from micromoment.limits import MAX_YAML_BYTES

    data = read_regular(path, MAX_YAML_BYTES)
    return None if data is None else hashlib.sha256(data).hexdigest()


def load_summaries(
    folder: Path, ledger_file: Path | None, repository: str = "", *, warn: Warn = None
) -> list[Summary]:
    """Every record in `folder`, summarised; unchanged records come from the ledger database.

    With `warn`, a record that cannot be read is named through it and left out; without, the
    damaged records raise FileProblems.
    """
    return _load(Job(folder, ledger_file, repository), warn, Listed(_stamped(folder), {}))


def load_many(jobs: list[Job], warn: Warn = None) -> list[list[Summary]]:
    """Each repository's summaries. The records that need parsing in all of them are parsed
    together, on every core when there are many, so fifty small repositories are read as fast
    as one large one. `warn` as for `load_summaries`; without it, every unreadable record of
    every repository is raised together."""
    problems: list[Problem] = []
    loaded: list[list[Summary]] = []
    for job, listed in _list_all(jobs):
        try:
            loaded.append(_load(job, warn, listed))
        except FileProblems as exc:
            problems += exc.problems
    if problems:
        raise FileProblems(problems)
    return loaded


def count_many(jobs: list[Job], since: dt.date | None, today: dt.date, warn: Warn = None) -> list[Tally]:
    """Each repository's tally for `stats`: its ledger brought up to date, then counted by
    queries, so a warm run makes no summary at all. A repository whose ledger cannot be had is
    summarised and counted in memory by the same queries. `warn` as for `load_many`."""
    problems: list[Problem] = []
    tallies: list[Tally] = []
    for job, listed in _list_all(jobs):
        try:
            tallies.append(_count(job, warn, listed, since, today))
        except FileProblems as exc:
            problems += exc.problems
    if problems:
        raise FileProblems(problems)
    return tallies


def _list_all(jobs: list[Job]) -> list[tuple[Job, Listed]]:
    """Each repository's record files; with several repositories, every record that needs
    parsing in any of them parsed in one batch (on every core when there are many)."""
    stamped = [_stamped(job.folder) for job in jobs]
    ready: dict[Path, Parsed] = {}
    if len(jobs) > 1:
        stale = [path for job, found in zip(jobs, stamped, strict=True) for path in _stale_paths(job, found)]
        ready = dict(zip(stale, _summarise_all(stale), strict=True))
    return [(job, Listed(found, ready)) for job, found in zip(jobs, stamped, strict=True)]


def _stale_paths(job: Job, stamped: list[tuple[str, FileStamp]]) -> list[Path]:
    """The records of one repository its ledger does not hold unchanged (all, without a ledger)."""
    connection = store.open_ledger(job.ledger_file, job.folder) if job.ledger_file is not None else None
    if connection is None:
        return [job.folder / name for name, _ in stamped]
    try:
        return [path for path, _ in _changes(job.folder, stamped, store.stamps(connection))[1]]
    except sqlite3.Error:
        return [job.folder / name for name, _ in stamped]
    finally:
        connection.close()


def _with_ledger(job: Job, warn: Warn, use: Callable[[sqlite3.Connection], Used]) -> Used | None:
    """What `use` makes of the repository's ledger, built afresh once when it holds what this
    version would not write; None when there is none to be had (then the records are read
    without one, and `warn` is told so)."""
    for _ in range(2 if job.ledger_file is not None else 0):
        connection = store.open_ledger(job.ledger_file, job.folder)  # type: ignore[arg-type]  # set
        if connection is None:
            break
        try:
            return use(connection)
        except store.Damaged:
            connection.close()
            store.remove(job.ledger_file)  # type: ignore[arg-type]  # it was opened, so it is set
        except sqlite3.Error:
            break  # a ledger failing mid-way (a full disk, a lock held too long) only costs speed
        finally:
            connection.close()
    if warn is not None and job.ledger_file is not None:
        warn(f"{job.ledger_file}: cannot be used as micromoment's ledger; every record is read afresh")
    return None


def _load(job: Job, warn: Warn, listed: Listed) -> list[Summary]:
    """One repository's summaries: unchanged records from its ledger, the others parsed and stored."""

    def read(connection: sqlite3.Connection) -> list[Summary]:
        summaries = _refresh(connection, job.folder, listed, warn)
        if len(summaries) < len(listed.stamped):  # a cold run keeps only what it parsed: no second copy
            stored = store.read_summaries(connection)
            names = {name for name, _ in listed.stamped}
            summaries.update({name: stored[name] for name in names - summaries.keys() if name in stored})
        return _in_order(job, listed, summaries)

    found = _with_ledger(job, warn, read)
    if found is not None:
        return found
    parsed = _parse([(job.folder / name, stamp) for name, stamp in listed.stamped], warn, listed.ready)
    return _in_order(job, listed, {name: summary for name, (_, summary) in parsed.items()})


def _count(job: Job, warn: Warn, listed: Listed, since: dt.date | None, today: dt.date) -> Tally:
    """One repository's tally: its ledger refreshed and counted, or its summaries counted in memory."""

    def refreshed(connection: sqlite3.Connection) -> Tally:
        _refresh(connection, job.folder, listed, warn)
        return count(connection, since, today)

    found = _with_ledger(job, warn, refreshed)
    if found is not None:
        return found
    in_memory = store.memory_ledger(_load(job._replace(ledger_file=None), warn, listed))
    try:
        return count(in_memory, since, today)
    finally:
        in_memory.close()


def _changes(
    folder: Path, stamped: list[tuple[str, FileStamp]], known: dict[str, store.Stamp]
) -> tuple[list[tuple[str, store.Stamp]], list[tuple[Path, FileStamp]]]:
    """Records only touched (same content, new time: a checkout, a copy), and records to parse."""
    touched: list[tuple[str, store.Stamp]] = []
    stale: list[tuple[Path, FileStamp]] = []
    for name, stamp in stamped:
        hit = known.get(name)
        if stamp is not None and hit is not None:
            if hit[:2] == stamp:
                continue
            digest = _digest(folder / name)
            if digest is not None and hit[2] == digest:
                touched.append((name, (*stamp, digest)))
                continue
        stale.append((folder / name, stamp))
    return touched, stale


def _refresh(connection: sqlite3.Connection, folder: Path, listed: Listed, warn: Warn) -> dict[str, Summary]:
    """Bring the database up to the folder: drop records that are gone, parse and store the new
    and changed ones; their summaries, by file name."""
    known = store.stamps(connection)
    touched, stale = _changes(folder, listed.stamped, known)
    parsed = _parse(stale, warn, listed.ready)
    names = {name for name, _ in listed.stamped}
    stale_names = {path.name for path, _ in stale}
    gone = [name for name in known if name not in names or name in stale_names]
    fresh = [(name, stamp, summary) for name, (stamp, summary) in parsed.items() if stamp is not None]
    if gone or touched or fresh:
        store.refresh(connection, gone, touched, fresh)
    return {name: summary for name, (_, summary) in parsed.items()}


def _parse(
    stale: list[tuple[Path, FileStamp]], warn: Warn, ready: dict[Path, Parsed]
) -> dict[str, tuple[store.Stamp | None, Summary]]:
    """The records given, parsed (in parallel when many) unless `ready` holds them, by file name
    with the stamp to store them under; a record that cannot be read is warned about and left
    out, or, without `warn`, raised."""
    problems: list[Problem] = []
    parsed: dict[str, tuple[store.Stamp | None, Summary]] = {}
    todo = [path for path, _ in stale if path not in ready]
    more = dict(zip(todo, _summarise_all(todo), strict=True))
    for path, stamp in stale:
        result, digest = ready[path] if path in ready else more[path]
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


def _in_order(job: Job, listed: Listed, summaries: dict[str, Summary]) -> list[Summary]:
    """The summaries in file order, each told its path (as str(folder / name) gives it) and repository."""
    base = str(job.folder)
    prefix = "" if base == "." else base.rstrip(os.sep) + os.sep  # what str(folder / name) starts with
    result = []
    for name, _ in listed.stamped:
        summary = summaries.get(name)
        if summary is not None:
            summary.path = prefix + name
            summary.repository = job.repository
            result.append(summary)
    return result
