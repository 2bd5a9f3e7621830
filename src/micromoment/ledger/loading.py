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
from typing import TypeVar

from micromoment.errors import FileProblems, Problem
from micromoment.fileread import read_regular
from micromoment.ledger import store
from micromoment.ledger.counting import Tally, count
from micromoment.ledger.model import Summary, summarise
from micromoment.records.listing import record_name, record_names

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves


Parsed = tuple["Summary | list[Problem]", "str | None"]


def _summarise_file(path: Path) -> Parsed:
    """One record's summary and the hash of the very bytes it was read from; or its problems."""
    # Problems come back as data: an exception is a poor traveller between processes.
    try:
        # Only when a record is parsed: a warm ledger loads neither the YAML reader nor the model
        # (nor hashlib, which loads OpenSSL: 4 ms of a warm `stats`).
        import hashlib

        from micromoment.fileread import read_limited
        from micromoment.limits import MAX_YAML_BYTES
        from micromoment.records.reading import parse_record

        raw = read_limited(path, MAX_YAML_BYTES, lambda: record_name(path))
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
    """The hash of a record file whose time changed; None for anything but a regular file of a
    size a record may have (a link to /dev/zero is never read): it is then parsed, and refused."""
    import hashlib

    from micromoment.limits import MAX_YAML_BYTES

    data = read_regular(path, MAX_YAML_BYTES)
    return None if data is None else hashlib.sha256(data).hexdigest()


# A folder's records by file name with their size and time (None: could not be looked at).
# Names, not paths: building 10,000 Path objects is a tenth of a warm `stats`; only the records
# that must be read get a Path.
Stamped = list[tuple[str, "tuple[int, int] | None"]]
Stale = list[tuple[Path, "tuple[int, int] | None"]]
Job = tuple[Path, "Path | None", str]  # the records' folder, the ledger database, the repository's name
Used = TypeVar("Used")


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
    return _load(folder, ledger_file, repository, warn, _stamped(folder), {})


def load_many(jobs: list[Job], warn: Callable[[str], None] | None = None) -> list[list[Summary]]:
    """Each repository's summaries. The records that need parsing in all of them are parsed
    together, on every core when there are many, so fifty small repositories are read as fast
    as one large one. With `warn`, a record that cannot be read is named through it and
    skipped; without, every such record is raised together."""
    return _each_repository(
        jobs,
        lambda folder, ledger_file, repository, found, ready: _load(
            folder, ledger_file, repository, warn, found, ready
        ),
        list,
    )


def _each_repository(
    jobs: list[Job],
    read: Callable[[Path, Path | None, str, Stamped, dict[Path, Parsed]], Used],
    nothing: Callable[[], Used],
) -> list[Used]:
    """`read` for each repository, after the records that need parsing in any of them were parsed
    together; a repository whose records fail gives `nothing`, and every repository's problems
    are raised together at the end."""
    stamped = [_stamped(folder) for folder, _, _ in jobs]
    ready = _parse_together(jobs, stamped)
    problems: list[Problem] = []
    results = []
    for (folder, ledger_file, repository), found in zip(jobs, stamped, strict=True):
        try:
            results.append(read(folder, ledger_file, repository, found, ready))
        except FileProblems as exc:
            problems += exc.problems
            results.append(nothing())
    if problems:
        raise FileProblems(problems)
    return results


def _parse_together(jobs: list[Job], stamped: list[Stamped]) -> dict[Path, Parsed]:
    """With several repositories, every record that needs parsing in any of them, parsed in one
    batch (on every core when there are many); with one, nothing ahead."""
    if len(jobs) < 2:
        return {}
    stale = [path for job, found in zip(jobs, stamped, strict=True) for path in _stale_paths(job, found)]
    return dict(zip(stale, _summarise_all(stale), strict=True))


def _stamped(folder: Path) -> Stamped:
    """The record files of `folder` (as `record_files` lists them) with their size and time."""
    names = record_names(folder)
    if os.stat not in os.supports_dir_fd:
        return [(name, _stamp(folder / name)) for name in names]
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return [(name, None) for name in names]
    try:
        return [(name, _stamp_at(name, fd)) for name in names]
    finally:
        os.close(fd)


def _stamp_at(name: str, folder_fd: int) -> tuple[int, int] | None:
    try:
        info = os.stat(name, dir_fd=folder_fd)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _stale_paths(job: Job, stamped: Stamped) -> list[Path]:
    """The records of one repository its ledger does not hold unchanged (all, without a ledger)."""
    folder, ledger_file, _ = job
    connection = store.open_ledger(ledger_file, folder) if ledger_file is not None else None
    if connection is None:
        return [folder / name for name, _ in stamped]
    try:
        return [path for path, _ in _changes(folder, stamped, store.stamps(connection))[1]]
    except sqlite3.Error:
        return [folder / name for name, _ in stamped]
    finally:
        connection.close()


def _load(
    folder: Path,
    ledger_file: Path | None,
    repository: str,
    warn: Callable[[str], None] | None,
    stamped: Stamped,
    ready: dict[Path, Parsed],
) -> list[Summary]:
    """One repository's summaries; `ready` holds records already parsed, by path."""

    def read(connection: sqlite3.Connection) -> list[Summary]:
        """Unchanged records from the database, the others parsed and stored."""
        summaries = _refresh(connection, folder, stamped, warn, ready)
        if len(summaries) < len(stamped):  # a cold run keeps only what it parsed: no second copy
            stored = store.read_summaries(connection)
            names = {name for name, _ in stamped}
            summaries.update({name: stored[name] for name in names - summaries.keys() if name in stored})
        return _in_order(folder, stamped, summaries, repository)

    found = _with_ledger(ledger_file, folder, read)
    if found is not None:
        return found
    _say_no_ledger(ledger_file, warn)
    parsed = _parse([(folder / name, stamp) for name, stamp in stamped], warn, ready)
    return _in_order(folder, stamped, {name: summary for name, (_, summary) in parsed.items()}, repository)


def _say_no_ledger(ledger_file: Path | None, warn: Callable[[str], None] | None) -> None:
    """Once per repository and command: the state folder is unusable, so the command runs without it."""
    if warn is not None and ledger_file is not None:
        warn(f"{ledger_file}: cannot be used as micromoment's ledger; every record is read afresh")


def _with_ledger(
    ledger_file: Path | None, folder: Path, use: Callable[[sqlite3.Connection], Used]
) -> Used | None:
    """What `use` makes of the ledger database, built afresh once when it is damaged; None when
    there is no ledger to be had (then the records are read without one)."""
    for _ in range(2):
        connection = store.open_ledger(ledger_file, folder) if ledger_file is not None else None
        if connection is None:
            return None
        try:
            return use(connection)
        except store.Damaged:
            connection.close()
            store.remove(ledger_file)  # type: ignore[arg-type]  # it was opened, so it is set
        except sqlite3.Error:
            return None  # a ledger failing mid-way (a full disk, a lock held too long) only costs speed
        finally:
            connection.close()
    return None


def _changes(
    folder: Path, stamped: Stamped, known: dict[str, store.Stamp]
) -> tuple[list[tuple[str, store.Stamp]], Stale]:
    """Records only touched (same content, new time: a checkout, a copy), and records to parse."""
    touched: list[tuple[str, store.Stamp]] = []
    stale: Stale = []
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


def _refresh(
    connection: sqlite3.Connection,
    folder: Path,
    stamped: Stamped,
    warn: Callable[[str], None] | None,
    ready: dict[Path, Parsed],
) -> dict[str, Summary]:
    """Bring the database up to the folder: drop records that are gone, parse and store the new
    and changed ones; their summaries, by file name."""
    known = store.stamps(connection)
    touched, stale = _changes(folder, stamped, known)
    parsed = _parse(stale, warn, ready)
    names = {name for name, _ in stamped}
    stale_names = {path.name for path, _ in stale}
    gone = [name for name in known if name not in names or name in stale_names]
    fresh = [(name, stamp, summary) for name, (stamp, summary) in parsed.items() if stamp is not None]
    if gone or touched or fresh:
        store.refresh(connection, gone, touched, fresh)
    return {name: summary for name, (_, summary) in parsed.items()}


def count_many(
    jobs: list[Job], since: dt.date | None, today: dt.date, warn: Callable[[str], None] | None = None
) -> list[Tally]:
    """Each repository's tally for `stats`: its ledger brought up to date, then counted by
    queries, so a warm run makes no summary at all. A repository whose ledger cannot be had is
    summarised and counted in memory by the same queries. `warn` as for `load_many`."""
    return _each_repository(
        jobs,
        lambda folder, ledger_file, repository, found, ready: _count(
            folder, ledger_file, repository, warn, found, ready, since, today
        ),
        Tally,
    )


def _count(
    folder: Path,
    ledger_file: Path | None,
    repository: str,
    warn: Callable[[str], None] | None,
    stamped: Stamped,
    ready: dict[Path, Parsed],
    since: dt.date | None,
    today: dt.date,
) -> Tally:
    def refreshed(connection: sqlite3.Connection) -> Tally:
        _refresh(connection, folder, stamped, warn, ready)
        return count(connection, since, today)

    found = _with_ledger(ledger_file, folder, refreshed)
    if found is not None:
        return found
    _say_no_ledger(ledger_file, warn)
    in_memory = store.memory_ledger(_load(folder, None, repository, warn, stamped, ready))
    try:
        return count(in_memory, since, today)
    finally:
        in_memory.close()


def _parse(
    stale: Stale, warn: Callable[[str], None] | None, ready: dict[Path, Parsed]
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


def _in_order(
    folder: Path, stamped: Stamped, summaries: dict[str, Summary], repository: str
) -> list[Summary]:
    """The summaries in file order, each told its path (as str(folder / name) gives it) and repository."""
    base = str(folder)
    prefix = "" if base == "." else base.rstrip(os.sep) + os.sep  # what str(folder / name) starts with
    result = []
    for name, _ in stamped:
        summary = summaries.get(name)
        if summary is not None:
            summary.path = prefix + name
            summary.repository = repository
            result.append(summary)
    return result
