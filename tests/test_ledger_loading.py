"""Loading many repositories' ledgers: the records that need parsing in all of them are parsed together, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git, write
from micromoment.ledger import loading
from micromoment.ledger.model import Summary
from micromoment.ledger.store import ledger_file
from test_accountability import generate


def load_summaries(
    folder: Path, ledger_file: Path | None, name: str = "", *, warn: loading.Warn = None
) -> list[Summary]:
    """One repository's summaries, as every command reads them."""
    return loading.load_many([loading.Repository(folder, ledger_file, name)], warn)[0]


def repositories(tmp_path: Path) -> list[loading.Repository]:
    jobs = []
    for name, weeks in (("one", [2, 1]), ("two", [3])):
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q")
        generate(repo, weeks)
        jobs.append(loading.Repository(repo / ".micromoment/reviews", ledger_file(repo / ".git"), name))
    return jobs


def test_all_repositories_are_read_cold_then_warm_from_their_ledgers(tmp_path: Path) -> None:
    jobs = repositories(tmp_path)
    cold = loading.load_many(jobs)
    assert [len(found) for found in cold] == [4, 4]
    assert [{s.repository for s in found} for found in cold] == [{"one"}, {"two"}]
    assert all(job.ledger_file is not None and job.ledger_file.is_file() for job in jobs)
    warm = loading.load_many(jobs)
    assert warm == cold

    changed = next(path for path in sorted(jobs[0][0].glob("*.yaml")) if "fix it" in path.read_text("utf-8"))
    write(changed, changed.read_text(encoding="utf-8").replace("fix it", "fix it now"))
    again = loading.load_many(jobs)
    assert any(f.action == "fix it now" for s in again[0] for f in s.follow_ups)
    assert again[1] == warm[1]


def test_a_broken_record_in_any_repository_is_named_with_the_others_read(tmp_path: Path) -> None:
    jobs = repositories(tmp_path)
    write(jobs[1][0] / "2026-01-01-broken.yaml", "kind: review\nkind: skip\n")
    warned: list[str] = []
    loaded = loading.load_many(jobs, warn=warned.append)
    assert [len(found) for found in loaded] == [4, 4]
    assert len(warned) == 1
    assert "2026-01-01-broken.yaml:2:1: kind: duplicate key (first at line 1); keep one" in warned[0]


def test_a_folder_named_like_a_record_is_named_as_the_person_sees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Problems name a record by its folder as shown (relative to here) and its own name."""
    from micromoment.errors import FileProblems
    from micromoment.locations import display_path
    from micromoment.records import load_any_record

    jobs = repositories(tmp_path)
    bad = [folder / "2026-10-12-mini-dir.yaml" for folder, _, _ in jobs]
    for path in bad:
        path.mkdir()
    monkeypatch.chdir(tmp_path)
    shown = [f"{display_path(path.parent)}/{path.name}" for path in bad]
    assert shown[0] == "one/.micromoment/reviews/2026-10-12-mini-dir.yaml"
    expected = [f"{name}: is a folder, expected a file; move the folder away" for name in shown]
    warned: list[str] = []
    found = loading.load_many(jobs, warn=warned.append)
    assert [len(summaries) for summaries in found] == [4, 4]
    assert warned == [
        f"{line}; skipped this record, see: micromoment lint {name}"
        for line, name in zip(expected, shown, strict=True)
    ]
    with pytest.raises(FileProblems) as raised:  # without warn: every repository's problem, together
        loading.load_many(jobs)
    assert [str(problem) for problem in raised.value.problems] == expected
    with pytest.raises(FileProblems) as one:
        load_any_record(bad[0])
    assert [str(problem) for problem in one.value.problems] == expected[:1]


def test_a_repository_without_a_ledger_is_read_in_the_same_batch(tmp_path: Path) -> None:
    """A folder outside git has no ledger database: its records are parsed with the others."""
    jobs = repositories(tmp_path)
    without = [jobs[0]._replace(ledger_file=None), jobs[1]]
    found = loading.load_many(without)
    assert [len(summaries) for summaries in found] == [4, 4]
    assert [len(summaries) for summaries in loading.load_many(without)] == [4, 4]


def test_a_record_that_cannot_be_looked_at_is_named_on_every_run(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "2026-11-20-quick-gone.yaml").symlink_to(folder / "nowhere.yaml")
    for _ in range(2):  # never stored: it is looked at again, and named again
        warned: list[str] = []
        assert load_summaries(folder, tmp_path / "ledger.sqlite3", warn=warned.append) == []
        assert len(warned) == 1 and "2026-11-20-quick-gone.yaml" in warned[0]


def test_a_ledger_that_fails_while_written_is_replaced_by_one_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk mid-refresh only costs speed: every record is read, and that is said once."""
    import sqlite3

    jobs = repositories(tmp_path)
    clean = loading.load_many(jobs)
    changed = next(path for path in sorted(jobs[0][0].glob("*.yaml")) if "fix it" in path.read_text("utf-8"))
    write(changed, changed.read_text(encoding="utf-8").replace("fix it", "fix it now"))
    real = loading.store.refresh

    def full_disk(connection: sqlite3.Connection, *rows: object) -> None:
        if connection.execute("PRAGMA database_list").fetchone()[2]:  # a file, not one in memory
            raise sqlite3.OperationalError("database or disk is full")
        real(connection, *rows)  # type: ignore[arg-type]

    monkeypatch.setattr(loading.store, "refresh", full_disk)
    warned: list[str] = []
    found = loading.load_many(jobs, warn=warned.append)
    assert [len(summaries) for summaries in found] == [4, 4]
    assert any(f.action == "fix it now" for s in found[0] for f in s.follow_ups)
    assert found[1] == clean[1]
    assert warned == [
        f"{jobs[0].ledger_file}: cannot be used as micromoment's ledger; every record is read afresh"
    ]
