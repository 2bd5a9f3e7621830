"""Record locks: on the record itself, leaving nothing behind, and never held by two at once."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from conftest import write
from micromoment.errors import MicromomentError
from micromoment.ledger import accountability
from micromoment.ledger.accountability import record_lock


def test_a_lock_leaves_nothing_behind_in_a_repository_or_outside_one(repo: Path, outside: Path) -> None:
    for folder in (repo / ".micromoment/reviews", outside / "reviews"):
        path = write(folder / "2026-11-22-quick-0d56.yaml", "x\n")
        with record_lock(path):
            assert [p.name for p in folder.iterdir()] == [path.name]
        assert [p.name for p in folder.iterdir()] == [path.name]
    assert not (repo / ".git/micromoment/locks").exists()


def test_many_writers_never_hold_one_record_at_once(repo: Path) -> None:
    path = write(repo / ".micromoment/reviews/r.yaml", "0\n")
    inside = 0
    most = 0
    guard = threading.Lock()

    def bump() -> None:
        nonlocal inside, most
        for _ in range(25):
            with record_lock(path):
                with guard:
                    inside += 1
                    most = max(most, inside)
                count = int(path.read_text(encoding="utf-8"))
                path.write_text(f"{count + 1}\n", encoding="utf-8")
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_text(encoding="utf-8") == "150\n"
    assert most == 1


def test_a_holder_that_never_lets_go_ends_the_wait_in_one_line(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(repo / ".micromoment/reviews/r.yaml", "0\n")
    monkeypatch.setattr(accountability, "LOCK_WAIT_SECONDS", 0.2)
    held = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another command, stuck while it holds the record
        with pytest.raises(MicromomentError) as stopped, record_lock(path):
            pass
        assert str(stopped.value) == (
            ".micromoment/reviews/r.yaml: another micromoment command is updating this record; try again"
        )
    finally:
        os.close(held)
    with record_lock(path):  # let go: the next one gets it at once
        pass
