"""Loading many repositories' ledgers: the records that need parsing in all of them are parsed together, once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import git, write
from micromoment.ledger import loading
from micromoment.ledger.store import ledger_file
from test_accountability import generate


def repositories(tmp_path: Path) -> list[tuple[Path, Path, str]]:
    jobs = []
    for name, weeks in (("one", [2, 1]), ("two", [3])):
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q")
        generate(repo, weeks)
        jobs.append((repo / ".micromoment/reviews", ledger_file(repo / ".git"), name))
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
