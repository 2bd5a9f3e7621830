"""How many git processes the commit hook starts: each one is most of a plain commit's wait.

Some run side by side, so the log's order is not fixed: the tests compare which commands ran."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cli, git, write


@pytest.fixture
def counted(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose `git` is a wrapper that logs each call's arguments and runs the real git."""
    real = shutil.which("git")
    assert real
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "git-calls.log"
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
        "MICROMOMENT_NONINTERACTIVE": "1",
    }
    return env, log


def hook_calls(repo: Path, counted: tuple[dict[str, str], Path], expect: int = 0) -> list[str]:
    env, log = counted
    log.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "micromoment", "hook"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == expect, done.stderr
    return log.read_text(encoding="utf-8").splitlines()


def warm(repo: Path, counted: tuple[dict[str, str], Path]) -> list[str]:
    hook_calls(repo, counted)  # the first run builds the rules cache
    return hook_calls(repo, counted)


def commands(calls: list[str]) -> list[str]:
    """The git commands run, in a fixed order: the ones started together finish in any order."""
    return sorted(call.split()[0] for call in calls)


def test_before_the_first_commit_one_diff_gives_paths_and_records(
    repo: Path, counted: tuple[dict[str, str], Path]
) -> None:
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    calls = warm(repo, counted)
    # One rev-parse finds the repository and learns there is no HEAD yet; one diff of the index
    # gives both the paths and the records. (The base branch's for-each-ref starts beside the
    # rev-parse, before anyone knows it will not be needed.)
    assert commands(calls) == ["diff", "for-each-ref", "rev-parse"], calls


def test_a_plain_commit_on_the_base_branch_starts_three_git_processes(
    repo: Path, counted: tuple[dict[str, str], Path]
) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    calls = warm(repo, counted)
    # With main the only branch, init.defaultBranch could not change the base: it is not asked.
    assert commands(calls) == ["diff", "for-each-ref", "rev-parse"], calls


def test_a_plain_commit_on_a_branch_starts_four(repo: Path, counted: tuple[dict[str, str], Path]) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "switch", "-q", "-c", "feature")
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "work")
    write(repo / "src/more.py", "print('more')\n")
    git(repo, "add", "-A")
    calls = warm(repo, counted)
    # Two branches and no upstream default: init.defaultBranch may name either, so it is asked.
    assert commands(calls) == ["config", "diff", "for-each-ref", "rev-parse"], calls


def on_branch(repo: Path) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "switch", "-q", "-c", "feature")


def test_a_branch_covered_by_a_committed_skip_reads_the_records_diff(
    cli: Cli, repo: Path, counted: tuple[dict[str, str], Path]
) -> None:
    on_branch(repo)
    write(repo / "db/migrations/0001_init.sql", "create table flags (name text);\n")
    result = cli("skip", "data-safeguards", "--reason", "the table holds only feature flags, no user data")
    assert result.exit_code == 0, result.output
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "flags, with a skip")
    write(repo / "db/migrations/0002_more.sql", "alter table flags add column on_by_default bool;\n")
    git(repo, "add", "-A")
    calls = warm(repo, counted)
    # The verdict on each record's blob id is cached: a repeat commit diffs, and reads no blob.
    assert commands(calls) == ["config", "diff", "diff", "for-each-ref", "rev-parse"], calls
    # Without the verdicts, the records committed on the branch are read: sizes, then contents.
    (repo / ".git/micromoment/records.json").unlink()
    unjudged = hook_calls(repo, counted)
    assert commands(unjudged) == [
        "cat-file",
        "cat-file",
        "config",
        "diff",
        "diff",
        "for-each-ref",
        "rev-parse",
    ], unjudged
    # A record whose blob the cache has not judged is read: the verdict is by blob id, not path.
    [record] = (repo / ".micromoment/reviews").glob("*.yaml")
    write(record, record.read_text(encoding="utf-8").replace("no user data", "no personal data"))
    git(repo, "add", "-A")
    changed = hook_calls(repo, counted)
    assert commands(changed).count("cat-file") == 2, changed


def test_a_bad_record_committed_on_the_branch_still_stops_a_plain_commit(
    repo: Path, counted: tuple[dict[str, str], Path]
) -> None:
    on_branch(repo)
    write(repo / ".micromoment/reviews/2026-01-05-quick-0001.yaml", "id: [not a record\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "a broken record")
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    hook_calls(repo, counted, expect=1)
    calls = hook_calls(repo, counted, expect=1)
    assert commands(calls)[-5:] == ["config", "diff", "diff", "for-each-ref", "rev-parse"], calls
