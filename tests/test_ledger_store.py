"""The ledger database: rebuilt when damaged, consistent under commands at once, following changes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PATIENCE, Cli, write
from test_accountability import generate, review_with_a_no

LEDGER = ".git/micromoment/ledger.sqlite3"
QUERIES = [("log", "--json"), ("todo", "--json"), ("stats", "--json")]


def outputs(cli: Cli, said: str = "") -> dict[str, object]:
    results = {args[0]: cli(*args) for args in QUERIES}
    for name, result in results.items():
        assert result.exit_code == 0, (name, result.output)
        assert result.stderr == said, (name, result.stderr)
    return {name: json.loads(result.stdout) for name, result in results.items()}


def stored_names(repo: Path) -> set[str]:
    connection = sqlite3.connect(repo / LEDGER)
    try:
        return {name for (name,) in connection.execute("SELECT name FROM records")}
    finally:
        connection.close()


def test_log_todo_and_stats_are_the_same_cold_and_warm(cli: Cli, mini: Path) -> None:
    generate(mini, [2, 1])
    review_with_a_no(cli, mini)
    cold = outputs(cli)
    assert (mini / LEDGER).is_file()
    assert stored_names(mini) == {p.name for p in (mini / ".micromoment/reviews").glob("*.yaml")}
    warm = outputs(cli)
    assert warm == cold
    assert cold["stats"]["totals"]["reviews"] == 4  # type: ignore[index]
    assert len(cold["todo"]) == 4  # type: ignore[arg-type]  # one open follow-up per review


@pytest.mark.parametrize(
    "damage",
    ["deleted", "truncated", "garbage", "folder", "wal-garbage"],
)
def test_the_ledger_is_rebuilt_after_damage(cli: Cli, mini: Path, damage: str) -> None:
    generate(mini, [2])
    clean = outputs(cli)
    path = mini / LEDGER
    raw = path.read_bytes()
    if damage == "deleted":
        path.unlink()
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 3])
    elif damage == "garbage":
        path.write_bytes(b"not a database at all\n" * 100)
    elif damage == "folder":
        path.unlink()
        path.mkdir()
    else:
        path.with_name(path.name + "-wal").write_bytes(b"\x00garbage" * 500)
    said = f"{path}: cannot be used as micromoment's ledger; every record is read afresh\n"
    assert outputs(cli, said if damage == "folder" else "") == clean
    if damage != "folder":
        assert stored_names(mini) == {p.name for p in (mini / ".micromoment/reviews").glob("*.yaml")}
    else:
        assert path.is_dir()  # a folder in its place is left alone; the records are read without it


def test_a_changed_record_is_read_again_and_a_deleted_one_dropped(cli: Cli, mini: Path) -> None:
    generate(mini, [3])
    before = outputs(cli)["stats"]
    records = sorted((mini / ".micromoment/reviews").glob("*.yaml"))
    changed, deleted = records[0], records[1]
    text = changed.read_text(encoding="utf-8")
    assert "answer: 'no'" in text
    changed.write_text(text.replace("answer: 'no'", "answer: 'yes'"), encoding="utf-8")
    deleted.unlink()
    deleted.with_suffix(".md").unlink(missing_ok=True)
    after = outputs(cli)["stats"]
    assert after["totals"]["reviews"] == before["totals"]["reviews"] - 1 == 2  # type: ignore[index]
    assert after["totals"]["no"] == before["totals"]["no"] - 2 == 1  # type: ignore[index]
    assert deleted.name not in stored_names(mini)
    assert stored_names(mini) == {p.name for p in (mini / ".micromoment/reviews").glob("*.yaml")}


def test_two_stats_and_a_review_at_once_leave_a_consistent_ledger(cli: Cli, mini: Path) -> None:
    generate(mini, [40])
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    command = [sys.executable, "-m", "micromoment"]
    running = [
        subprocess.Popen(
            [*command, "stats", "--json"], cwd=mini, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ),
        subprocess.Popen(
            [*command, "stats", "--json"], cwd=mini, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ),
        subprocess.Popen(
            [*command, "review", "mini", "--answers", str(answers), "--subject", "at once"],
            cwd=mini,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ),
    ]
    for index, process in enumerate(running):
        out, err = process.communicate(timeout=PATIENCE)
        assert process.returncode == 0, err.decode()
        assert b"Traceback" not in err
        if index < 2:  # each stats saw the ledger before or after the review, never half of it
            seen = json.loads(out)["totals"]
            assert (seen["reviews"], seen["no"]) in ((40, 40), (41, 40)), seen
    connection = sqlite3.connect(mini / LEDGER)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        orphans = connection.execute(
            "SELECT count(*) FROM answers WHERE record NOT IN (SELECT name FROM records)"
        ).fetchone()
        assert orphans == (0,)
    finally:
        connection.close()
    final = outputs(cli)["stats"]
    assert final["totals"]["reviews"] == 41  # type: ignore[index]
    assert stored_names(mini) == {p.name for p in (mini / ".micromoment/reviews").glob("*.yaml")}
