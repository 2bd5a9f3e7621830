"""Record locks: on the record itself, leaving nothing behind, and never held by two at once."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import write
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
