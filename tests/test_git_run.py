"""run_tool and run_git, the one way micromoment starts git, gh and glab: output and exit codes
come back whole, stdin is never a terminal, a time limit holds, and a missing program or a
refusal is a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromoment.git.run import GitFailed, Started, ToolMissing, ToolTimedOut, run_git, run_tool


def test_output_and_exit_codes_come_back_whole(repo: Path) -> None:
    done = run_tool("sh", ["-c", "printf out; printf err >&2; exit 3"], repo)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"out", b"err")
    assert run_tool("sh", ["-c", "kill -9 $$"], repo).returncode == -9


def test_large_input_and_output_pass_through_whole(repo: Path) -> None:
    data = b"".join(b"line %d of many\n" % n for n in range(40_000))  # far more than a pipe holds
    done = run_tool("cat", [], repo, stdin=data)
    assert (done.returncode, done.stdout, done.stderr) == (0, data, b"")
    # A reader that stops early: what it printed still comes back, and nothing hangs.
    assert run_tool("head", ["-c", "5"], repo, stdin=data).stdout == data[:5]


def test_stdin_is_closed_never_a_terminal_and_the_folder_is_the_one_given(tmp_path: Path) -> None:
    here = Path.cwd()
    done = run_tool("sh", ["-c", "cat; pwd"], tmp_path)  # `cat` would wait on a terminal
    assert done.stdout.decode().strip() == str(tmp_path.resolve())
    assert Path.cwd() == here


def test_prompts_are_off_in_the_child(repo: Path) -> None:
    done = run_tool("sh", ["-c", 'echo "$GIT_TERMINAL_PROMPT $GH_PROMPT_DISABLED $NO_PROMPT"'], repo)
    assert done.stdout == b"0 1 1\n"


def test_a_program_past_its_time_limit_is_stopped(repo: Path) -> None:
    with pytest.raises(
        ToolTimedOut,
        match=r"^sh -c echo started; exec sleep 30 gave no answer within 0.2 s; check the network",
    ):
        run_tool("sh", ["-c", "echo started; exec sleep 30"], repo, timeout=0.2)


def test_a_missing_program_and_a_refusal_are_messages(repo: Path) -> None:
    with pytest.raises(ToolMissing, match=r"^no-such-program-here is not installed or not on PATH$"):
        run_tool("no-such-program-here", [], repo)
    with pytest.raises(GitFailed, match=r"^git rev-parse --verify failed: fatal: Needed a single revision$"):
        run_git(["rev-parse", "--verify", "no-such-ref"], repo)
    assert run_git(["cat-file", "--batch-check"], repo, stdin=b"HEAD\n") == b"HEAD missing\n"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_child_gets_sigpipe_back(repo: Path) -> None:
    """Python ignores SIGPIPE; a git it starts must not, or it would write on into a reader that
    has gone instead of stopping."""
    found = run_tool("sh", ["-c", "grep '^SigIgn:' /proc/self/status"], repo)
    ignored = int(found.stdout.split()[1], 16)
    assert ignored & (1 << (13 - 1)) == 0  # SIGPIPE is 13 on Linux


def test_programs_started_together_each_give_their_own_answer(repo: Path) -> None:
    first = Started("sh", ["-c", "sleep 0.2; echo first"], repo)
    second = Started("sh", ["-c", "echo second >&2; exit 4"], repo)
    assert second.finish() == (4, b"", b"second\n")
    assert first.finish() == (0, b"first\n", b"")


def test_a_program_no_longer_wanted_is_stopped(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran-on"
    started = Started("sh", ["-c", f"sleep 5; touch {marker}"], repo)
    started.stop()
    started.stop()  # twice is harmless
    with pytest.raises(RuntimeError, match="already finished or stopped"):
        started.finish()
    assert not marker.exists()


def test_a_program_that_cannot_start_says_so_when_its_answer_is_asked(repo: Path) -> None:
    started = Started("no-such-program-here", [], repo)  # no error yet
    with pytest.raises(ToolMissing, match=r"^no-such-program-here is not installed or not on PATH$"):
        started.finish()
