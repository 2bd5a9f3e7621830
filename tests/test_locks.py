"""Record locks: under the git directory, removed after use, and never held by two at once."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from conftest import write
from micromoment.ledger import accountability
from micromoment.ledger.accountability import locks_dir, record_lock


def test_a_lock_lives_under_the_git_dir_and_is_gone_afterwards(repo: Path) -> None:
    path = write(repo / ".micromoment/reviews/2026-11-22-quick-0d56.yaml", "x\n")
    folder = repo / ".git/micromoment/locks"
    assert locks_dir(path) == folder.resolve()
    with record_lock(path):
        [held] = folder.iterdir()
        assert held.name.startswith(".2026-11-22-quick-0d56-") and held.name.endswith(".lock")
    assert list(folder.iterdir()) == []


def test_outside_a_repository_the_lock_sits_beside_the_record_and_is_removed(outside: Path) -> None:
    path = write(outside / "reviews/r.yaml", "x\n")
    with record_lock(path):
        assert [p.name.endswith(".lock") for p in (outside / "reviews").iterdir() if p.name != "r.yaml"] == [
            True
        ]
    assert [p.name for p in (outside / "reviews").iterdir()] == ["r.yaml"]


def test_a_waiter_that_locks_a_removed_lock_file_tries_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the unlink opens: a waiter opened the file, the holder removed it and let go, the
    waiter's lock now succeeds on a file nobody else can see. It must start over on the name."""
    path = write(repo / ".micromoment/reviews/r.yaml", "x\n")
    real_open = accountability._open_lock_file
    opened: list[Path] = []

    def open_then_lose_the_name(lock_path: Path) -> int:
        fd = real_open(lock_path)
        if not opened:
            lock_path.unlink()  # what the previous holder does just after this open
        opened.append(lock_path)
        return fd

    monkeypatch.setattr(accountability, "_open_lock_file", open_then_lose_the_name)
    with record_lock(path):
        assert len(opened) == 2  # it let go of the unnamed file and locked the named one
        [held] = (repo / ".git/micromoment/locks").iterdir()
        assert held == opened[1]
        other = os.open(held, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):  # the file under the name is the one held
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
    assert list((repo / ".git/micromoment/locks").iterdir()) == []


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
    assert list((repo / ".git/micromoment/locks").iterdir()) == []
