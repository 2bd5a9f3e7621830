"""Loading many repositories' ledgers: the records that need parsing in all of them are parsed together, once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import git, write
from micromoment.ledger import loading
from micromoment.ledger.store import ledger_file
from test_accountability import generate


def repositories(tmp_path: Path) -> list[loading.Job]:
    jobs = []
    for name, weeks in (("one", [2, 1]), ("two", [3])):
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q")
        generate(repo, weeks)
        jobs.append(loading.Job(repo / ".micromoment/reviews", ledger_file(repo / ".git"), name))
    return jobs


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The names of the records each call to the parser was given."""
    calls: list[list[str]] = []
    real = loading._summarise_all

    def counted(paths: list[Path]) -> list[loading.Parsed]:
        calls.append([path.name for path in paths])
        return real(paths)

    monkeypatch.setattr(loading, "_summarise_all", counted)
    return calls


def test_all_repositories_are_parsed_in_one_batch_then_read_from_their_ledgers(
    tmp_path: Path, parses: list[list[str]]
) -> None:
    jobs = repositories(tmp_path)
    cold = loading.load_many(jobs)
    assert [len(found) for found in cold] == [4, 4]
    assert [{s.repository for s in found} for found in cold] == [{"one"}, {"two"}]
    assert [len(names) for names in parses] == [8, 0, 0]  # one batch; each repository then finds all ready

    parses.clear()
    warm = loading.load_many(jobs)
    assert parses == [[], [], []]  # nothing to parse: the batch, then each repository finds all stored
    assert [[(s.id, s.counts()) for s in found] for found in warm] == [
        [(s.id, s.counts()) for s in found] for found in cold
    ]

    parses.clear()
    first = sorted(jobs[1][0].glob("*.yaml"))[0]
    os.utime(first, ns=(1, 1))  # touched, not changed: no parse
    changed = next(path for path in sorted(jobs[0][0].glob("*.yaml")) if "fix it" in path.read_text("utf-8"))
    write(changed, changed.read_text(encoding="utf-8").replace("fix it", "fix it now"))
    again = loading.load_many(jobs)
    assert parses[0] == [changed.name]
    assert any(f.action == "fix it now" for s in again[0] for f in s.follow_ups)


def test_a_broken_record_in_any_repository_is_named_with_the_others_read(tmp_path: Path) -> None:
    jobs = repositories(tmp_path)
    write(jobs[1][0] / "2026-01-01-broken.yaml", "kind: review\nkind: skip\n")
    warned: list[str] = []
    loaded = loading.load_many(jobs, warn=warned.append)
    assert [len(found) for found in loaded] == [4, 4]
    assert len(warned) == 1
    assert "2026-01-01-broken.yaml:2:1: kind: duplicate key (first at line 1); keep one" in warned[0]


def test_one_repository_through_the_batch_path_is_parsed_cold_and_read_warm(tmp_path: Path) -> None:
    [job] = repositories(tmp_path)[:1]
    cold = loading.load_many([job])
    assert [len(found) for found in cold] == [4]
    assert [[s.id for s in found] for found in loading.load_many([job])] == [[s.id for s in cold[0]]]


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


@pytest.mark.parametrize("folder", [".", "/", "/a/b", "a/b", "/a/b/"])
def test_a_summary_gets_the_path_str_of_folder_and_name_would_give(folder: str) -> None:
    from micromoment.ledger.model import Summary

    summary = Summary(
        path="",
        id="r",
        kind="skip",
        checklist="c",
        title="C",
        subject="s",
        who="w",
        email="e",
        when="2026-11-23T00:00:00Z",
        status="",
        reason="r",
    )
    job = loading.Job(Path(folder), None, "repo")
    [placed] = loading._in_order(job, loading.Listed([("r.yaml", None)], {}), {"r.yaml": summary})
    assert (placed.path, placed.repository) == (str(Path(folder) / "r.yaml"), "repo")


def test_a_record_that_cannot_be_looked_at_has_no_stamp(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    write(folder / "b.yaml", "kind: skip\n")
    write(folder / "a.yaml", "x\n")
    (folder / "c.yaml").symlink_to(folder / "gone.yaml")  # cannot be looked at: no stamp
    stamped = loading._stamped(folder)
    assert [(name, stamp is not None) for name, stamp in stamped] == [
        ("a.yaml", True),
        ("b.yaml", True),
        ("c.yaml", False),
    ]
    assert stamped[0][1] == ((folder / "a.yaml").stat().st_size, (folder / "a.yaml").stat().st_mtime_ns)
    assert loading._stamped(tmp_path / "missing") == []
    assert loading._digest(folder) is None  # a folder (or a device) is never hashed


def test_a_ledger_that_fails_while_asked_what_changed_means_parsing_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    jobs = repositories(tmp_path)
    loading.load_many(jobs)

    def failing(connection: object) -> dict[str, object]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(loading.store, "stamps", failing)
    found = loading.load_many(jobs)
    assert [len(summaries) for summaries in found] == [4, 4]
