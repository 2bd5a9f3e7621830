"""Running git (and gh, glab): the one place micromoment starts a process, with no terminal
prompts, a time limit, and failures turned into messages.

Light on purpose (no GitPython, dataclasses or pathlib): the commit hook imports this on every commit.
"""

from __future__ import annotations

import os
import subprocess

from micromoment.errors import MicromomentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

SHALLOW_HINT = "shallow CI clones need the full history (e.g. actions/checkout with fetch-depth: 0)"


class GitFailed(MicromomentError):
    """git is missing, or refused a command."""


GIT_TIMEOUT_SECONDS = 60


def run_git(args: list[str], cwd: str | Path, stdin: bytes | None = None) -> bytes:
    """Every git command micromoment runs: no terminal prompts, a time limit, errors as messages."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,  # git never waits on a question
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except FileNotFoundError:
        raise GitFailed("git is not installed or not on PATH; install git and try again") from None
    except subprocess.TimeoutExpired:
        raise GitFailed(
            f"git {' '.join(args[:2])} gave no answer within {GIT_TIMEOUT_SECONDS} s; try again"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(f"git {' '.join(args[:2])} failed: {message[-1] if message else done.returncode}")
    return done.stdout


class Repo:
    """A git work tree: its top folder and its own git directory (a linked worktree has its own)."""

    __slots__ = ("git_dir", "root")

    def __init__(self, root: str, git_dir: str) -> None:
        self.root = root
        self.git_dir = git_dir

    def __repr__(self) -> str:
        return f"Repo({self.root!r}, {self.git_dir!r})"


def find_repo(cwd: str | None = None) -> Repo:
    cwd = cwd or os.getcwd()
    try:
        out = run_git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd).decode().splitlines()
    except GitFailed as exc:
        if "not a git repository" in exc.message:
            raise GitFailed(
                f"{cwd} is not inside a git repository; run this in your project's work tree (or git init first)"
            ) from None
        raise
    return Repo(out[0], out[1])


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
