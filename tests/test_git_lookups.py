"""The hook's cheaper git lookups give the answers the plain git commands give."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import git, write
from micromoment.git import GitFailed, Repo, find_repo, run_git
from micromoment.git.objects import BaseQuestions, _upstream_default, current_branch, find_base
from micromoment.memo import common_dir


def old_default_branch(repo: Repo, configured: str | None) -> str | None:
    """The lookup as it was, one git command per question: the rule the new one must keep."""
    names = [configured] if configured else []
    with contextlib.suppress(GitFailed):
        upstream = run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], repo.root)
        names.append(upstream.decode().strip().removeprefix("refs/remotes/origin/"))
    with contextlib.suppress(GitFailed):
        names.append(run_git(["config", "--get", "init.defaultBranch"], repo.root).decode().strip())
    names += ["main", "master"]
    candidates = []
    for name in dict.fromkeys(n for n in names if n):
        candidates += [f"refs/remotes/origin/{name}", f"refs/heads/{name}"]
    listed = run_git(["for-each-ref", "--format=%(refname)", *candidates], repo.root).decode().split()
    for candidate in candidates:
        if candidate in listed:
            return candidate.removeprefix("refs/remotes/").removeprefix("refs/heads/")
    return None


def rev_parse(repo: Path, name: str) -> str:
    return git(repo, "rev-parse", "--verify", f"{name}^{{commit}}").strip()


@pytest.fixture
def started(repo: Path) -> Path:
    write(repo / "a.txt", "a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    return repo


SETUPS = {
    "plain": [],
    "master only": [["branch", "-m", "main", "master"]],
    "configured": [["branch", "trunk"]],
    "configured missing": [],
    "init.defaultBranch": [["branch", "dev"], ["config", "init.defaultBranch", "dev"]],
    "upstream": [
        ["branch", "develop"],
        ["update-ref", "refs/remotes/origin/develop", "HEAD"],
        ["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop"],
    ],
    "dangling upstream, local branch": [
        ["branch", "develop"],
        ["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop"],
    ],
    "remote main": [["update-ref", "refs/remotes/origin/main", "HEAD"]],
    "tag shadows main": [["commit", "-q", "--allow-empty", "-m", "two"], ["tag", "main", "HEAD~1"]],
    "none": [["branch", "-m", "main", "work"]],
    # With no upstream default, init.defaultBranch is asked only when another branch than main's
    # or master's exists; these are the cases where skipping it could go wrong.
    "init.defaultBranch names the only branch": [["config", "init.defaultBranch", "main"]],
    "init.defaultBranch names no branch": [["config", "init.defaultBranch", "gone"]],
    "init.defaultBranch names master beside main": [
        ["branch", "master"],
        ["config", "init.defaultBranch", "master"],
    ],
    "init.defaultBranch names a remote-only branch": [
        ["update-ref", "refs/remotes/origin/release", "HEAD"],
        ["config", "init.defaultBranch", "release"],
    ],
    "init.defaultBranch names a branch called origin/x": [
        ["branch", "origin/dev"],
        ["config", "init.defaultBranch", "origin/dev"],
    ],
    "init.defaultBranch names the only branch, not main": [
        ["branch", "-m", "main", "work"],
        ["config", "init.defaultBranch", "work"],
    ],
    "another branch, init.defaultBranch unset": [["branch", "feature"]],
    "master beside another branch": [["branch", "-m", "main", "master"], ["branch", "feature"]],
}


@pytest.mark.parametrize("ahead", [False, True], ids=["asked-here", "asked-ahead"])
@pytest.mark.parametrize("setup", list(SETUPS))
def test_find_base_answers_as_the_one_command_per_question_lookup(
    started: Path, setup: str, ahead: bool
) -> None:
    for args in SETUPS[setup]:
        git(started, *args)
    configured = {"configured": "trunk", "configured missing": "nope"}.get(setup)
    repo = find_repo(str(started))
    # The commit hook starts the questions before it knows the configured branch.
    asked = BaseQuestions(str(started), str(started / ".git")) if ahead else None
    found = find_base(repo, configured, asked)
    expected = old_default_branch(repo, configured)
    assert (found[0] if found else None) == expected
    if found is not None:
        name, oid = found
        # The commit id is given only when it is what `rev-parse NAME` resolves to; else None.
        assert oid is None if setup == "tag shadows main" else oid == rev_parse(started, name)


def test_current_branch_reads_head_as_git_does(started: Path, tmp_path: Path) -> None:
    repo = find_repo(str(started))
    assert current_branch(repo) == "main"
    git(started, "switch", "-q", "-c", "feature/x")
    assert current_branch(repo) == "feature/x"
    git(started, "switch", "-q", "--detach")
    assert current_branch(repo) is None
    git(started, "worktree", "add", "-q", "-b", "side", str(tmp_path / "side"))
    assert current_branch(find_repo(str(tmp_path / "side"))) == "side"


def test_find_repo_knows_head_and_names_a_folder_outside_git(started: Path, tmp_path: Path) -> None:
    write(started / "HEAD", "a file named like the ref\n")
    repo = find_repo(str(started))
    assert repo.head_when_found == rev_parse(started, "HEAD")
    # HEAD's .micromoment folder by its id, or "" when HEAD has none: the same process says it.
    assert repo.home_tree == ""
    write(started / ".micromoment/config.yaml", "version: 1\n")
    git(started, "add", "-A")
    git(started, "commit", "-q", "-m", "a config")
    home = git(started, "rev-parse", "HEAD:.micromoment").strip()
    assert find_repo(str(started))[2:] == (rev_parse(started, "HEAD"), home)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    subprocess.run(["git", "init", "-q", str(fresh)], check=True)
    # Before the first commit the one rev-parse says so (None), not "unknown, ask again".
    assert find_repo(str(fresh))[2:] == (None, None)
    plain = tmp_path / "plain-folder"
    plain.mkdir()
    with pytest.raises(GitFailed, match="is not inside a git repository"):
        find_repo(str(plain))


def test_the_memo_keeps_age_order_and_its_sections_and_reads_anything_else_as_empty(tmp_path: Path) -> None:
    from micromoment.memo import MEMO_TAG, read_memo, write_memo

    git_dir = str(tmp_path)
    entries = {"zeta": 1, "alpha": 2}
    assert write_memo(git_dir, "rules", entries) is True
    assert write_memo(git_dir, "packs", {"k": 3}) is True
    assert write_memo(git_dir, "records", {"r": 4}) is True
    assert list(read_memo(git_dir, "rules")) == ["zeta", "alpha"]  # the other section kept
    assert read_memo(git_dir, "packs") == {"k": 3}
    # The records' verdicts live in a file of their own: every commit reads the rules' file.
    assert read_memo(git_dir, "records") == {"r": 4}
    memo = tmp_path / "micromoment" / "memo.json"
    assert "records" not in json.loads(memo.read_text())
    foreign = json.dumps({"format": [MEMO_TAG[0] + 1, MEMO_TAG[1]], "rules": entries})
    for damage in (b"[]", b"\xff", b"[" * 100_000, b'{"rules": {"k": 1}}', foreign.encode()):
        memo.write_bytes(damage)
        assert read_memo(git_dir, "rules") == {}
    assert write_memo(git_dir, "packs", {}) is True  # another format starts afresh
    assert read_memo(git_dir, "rules") == {}
    assert read_memo(None, "rules") == {}
    (tmp_path / "blocked").write_text("a file where a folder should be")
    assert write_memo(str(tmp_path / "blocked"), "e", {}) is False


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_in_place_of_a_small_git_file_is_never_waited_on(tmp_path: Path) -> None:
    """The hook reads `commondir` and the upstream's HEAD itself: a pipe there reads as absent."""
    git_dir = tmp_path / "gitdir"
    (git_dir / "refs" / "remotes" / "origin").mkdir(parents=True)
    os.mkfifo(git_dir / "commondir")
    os.mkfifo(git_dir / "refs" / "remotes" / "origin" / "HEAD")
    assert common_dir(str(git_dir)) == str(git_dir)
    assert _upstream_default(Repo(str(tmp_path), str(git_dir)), {}) == ""
    (git_dir / "commondir").unlink()
    (git_dir / "commondir").write_text("../common\n", encoding="utf-8")
    assert common_dir(str(git_dir)) == str(tmp_path / "common")
