"""The hook's light start-up: run_tool's way of starting a program (posix_spawn, no subprocess
module) gives the same output, exit code, folder, closed stdin and time limit as subprocess.run,
and the cache keys' sha256 without hashlib are hashlib's."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import git, modules_at_exit, write
from micromoment.git import run as run_module
from micromoment.git.cachefile import sha256_hex
from micromoment.git.run import Finished, GitFailed, Started, ToolMissing, ToolTimedOut, run_git, run_tool

posix_only = pytest.mark.skipif(not hasattr(os, "posix_spawnp"), reason="POSIX spawning only")
# Both ways of starting a program: the light one the hook takes, and subprocess where threads run.
both_ways = pytest.mark.parametrize(
    "light", [pytest.param(True, marks=posix_only, id="posix_spawn"), pytest.param(False, id="subprocess")]
)


@given(st.binary(max_size=300))
def test_the_light_sha256_is_hashlibs(data: bytes) -> None:
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


@pytest.fixture
def light(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_tool takes the light way even though pytest has threads of its own."""
    monkeypatch.setattr(run_module, "_can_spawn", lambda: True)


def spawned(argv: list[str], cwd: Path, stdin: bytes | None = None, timeout: float = 30) -> Finished:
    return Started(argv[0], argv[1:], cwd, stdin, timeout, light=True).finish()


@posix_only
def test_output_and_exit_codes_are_what_subprocess_gives(repo: Path) -> None:
    write(repo / "a.txt", "a\n")
    git(repo, "add", "-A")
    for argv in (
        ["git", "rev-parse", "--show-toplevel"],
        ["git", "diff", "--cached", "--name-status"],
        ["git", "rev-parse", "--verify", "no-such-ref"],
        ["sh", "-c", "printf out; printf err >&2; exit 3"],
    ):
        mine = spawned(argv, repo)
        theirs = subprocess.run(argv, cwd=repo, capture_output=True, stdin=subprocess.DEVNULL)
        assert (mine.returncode, mine.stdout, mine.stderr) == (
            theirs.returncode,
            theirs.stdout,
            theirs.stderr,
        ), argv
    assert spawned(["sh", "-c", "exit 3"], repo).returncode == 3
    assert spawned(["sh", "-c", "kill -9 $$"], repo).returncode == -9


@posix_only
def test_large_input_and_output_pass_through_whole(repo: Path) -> None:
    data = b"".join(b"line %d of many\n" % n for n in range(40_000))  # far more than a pipe holds
    done = spawned(["cat"], repo, stdin=data)
    assert done.returncode == 0 and done.stdout == data and done.stderr == b""
    # A reader that stops early: what it printed still comes back, and nothing hangs.
    assert spawned(["head", "-c", "5"], repo, stdin=data).stdout == data[:5]


@posix_only
def test_stdin_is_closed_never_a_terminal_and_the_folder_is_the_one_given(repo: Path, tmp_path: Path) -> None:
    here = Path.cwd()
    done = spawned(["sh", "-c", "cat; pwd"], tmp_path)
    assert done.stdout.decode().strip() == str(tmp_path.resolve())
    assert Path.cwd() == here


@both_ways
def test_a_program_past_its_time_limit_is_stopped(repo: Path, light: bool) -> None:
    started = Started("sh", ["-c", "echo started; exec sleep 30"], repo, timeout=0.2, light=light)
    with pytest.raises(
        ToolTimedOut, match=r"^sh -c echo started; exec sleep 30 gave no answer within 0.2 s;"
    ):
        started.finish()


@posix_only
def test_a_missing_program_and_a_refusal_are_messages(light: None, repo: Path) -> None:
    with pytest.raises(ToolMissing, match="no-such-program-here is not installed or not on PATH"):
        run_tool("no-such-program-here", [], repo)
    with pytest.raises(GitFailed, match="git rev-parse --verify failed: fatal: Needed a single revision"):
        run_git(["rev-parse", "--verify", "no-such-ref"], repo)
    assert run_git(["cat-file", "--batch-check"], repo, stdin=b"HEAD\n") == b"HEAD missing\n"


def test_the_hook_runs_git_without_loading_subprocess(repo: Path) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    for _ in range(2):  # the second run is the warm one every commit sees
        code, modules = modules_at_exit(repo, "hook")
        assert code == 0
    assert "micromoment.git.run" in modules
    for heavy in ("subprocess", "threading", "hashlib", "_hashlib"):
        assert heavy not in modules, heavy


@posix_only
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_child_gets_sigpipe_back_as_subprocess_gives_it(repo: Path) -> None:
    """Python ignores SIGPIPE; a git started the light way must not, or it would write on into a
    reader that has gone instead of stopping."""
    found = spawned(["sh", "-c", "grep '^SigIgn:' /proc/self/status"], repo)
    ignored = int(found.stdout.split()[1], 16)
    assert ignored & (1 << (13 - 1)) == 0  # SIGPIPE is 13 on Linux


@both_ways
def test_programs_started_together_each_give_their_own_answer(repo: Path, light: bool) -> None:
    first = Started("sh", ["-c", "sleep 0.2; echo first"], repo, light=light)
    second = Started("sh", ["-c", "echo second >&2; exit 4"], repo, light=light)
    later = second.finish()
    assert (later.returncode, later.stdout, later.stderr) == (4, b"", b"second\n")
    done = first.finish()
    assert (done.returncode, done.stdout, done.stderr) == (0, b"first\n", b"")


@both_ways
def test_a_program_no_longer_wanted_is_stopped_and_reaped(repo: Path, light: bool, tmp_path: Path) -> None:
    marker = tmp_path / "ran-on"
    started = Started("sh", ["-c", f"sleep 5; touch {marker}"], repo, light=light)
    started.stop()
    started.stop()  # twice is harmless
    with pytest.raises(RuntimeError, match="already finished or stopped"):
        started.finish()
    assert not marker.exists()
    if light:
        child = run_module.Started("true", [], repo, light=True)
        pid = child.child[0] if isinstance(child.child, tuple) else 0
        child.stop()
        with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
            os.waitpid(pid, os.WNOHANG)


@both_ways
def test_a_program_that_cannot_start_says_so_when_its_answer_is_asked(repo: Path, light: bool) -> None:
    started = Started("no-such-program-here", [], repo, light=light)  # no error yet
    with pytest.raises(ToolMissing, match="no-such-program-here is not installed or not on PATH"):
        started.finish()
