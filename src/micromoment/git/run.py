"""Running git (and gh, glab): the one place micromoment starts a process, with no terminal
prompts, a time limit, and failures turned into messages.
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import TYPE_CHECKING, NamedTuple

from micromoment.errors import MicromomentError
from micromoment.locations import HOME_DIR

if TYPE_CHECKING:
    from pathlib import Path

SHALLOW_HINT = "shallow CI clones need the full history (e.g. actions/checkout with fetch-depth: 0)"


class GitFailed(MicromomentError):
    """git is missing, or refused a command."""


GIT_TIMEOUT_SECONDS = 60
# Environment that keeps git, gh and glab from ever asking a question on a terminal.
NO_PROMPTS = {"GIT_TERMINAL_PROMPT": "0", "GH_PROMPT_DISABLED": "1", "NO_PROMPT": "1"}
# History as committed: replace refs and grafts are local, and would let anyone with the
# repository rewrite who authored a commit (a sign-off's proof) or what it changed.
AS_COMMITTED = {"GIT_NO_REPLACE_OBJECTS": "1", "GIT_GRAFT_FILE": os.devnull + "/none"}


class ToolMissing(MicromomentError):
    """The program is not installed or not on PATH."""


class ToolTimedOut(MicromomentError):
    """The program gave no answer within its time limit."""


class Finished(NamedTuple):
    """How a program ended: its exit code and what it printed."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run_tool(
    program: str,
    args: list[str],
    cwd: str | Path,
    stdin: bytes | None = None,
    timeout: float = GIT_TIMEOUT_SECONDS,
) -> Finished:
    """Run git, gh or glab: no terminal stdin, prompts off, a time limit. A non-zero exit is the
    caller's to interpret; a missing program or a time-out is a message."""
    return Started(program, args, cwd, stdin, timeout).finish()


class Started:
    """A program started now and finished later, so that the hook's git processes run side by
    side. One that cannot start says so from `finish`, as `run_tool` would, so a start made in
    case the answer is needed costs nothing when it is not; `stop` ends one never finished."""

    def __init__(
        self,
        program: str,
        args: list[str],
        cwd: str | Path,
        stdin: bytes | None = None,
        timeout: float = GIT_TIMEOUT_SECONDS,
    ) -> None:
        self.argv = [program, *args]
        self.stdin = stdin
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.missing = False
        self.child: subprocess.Popen[bytes] | None = None
        try:
            self.child = subprocess.Popen(
                self.argv,
                cwd=cwd,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,  # never a question
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, **NO_PROMPTS, **(AS_COMMITTED if program == "git" else {})},
            )
        except FileNotFoundError:
            self.missing = True

    def finish(self) -> Finished:
        """Wait for the program and return how it ended; ToolMissing or ToolTimedOut when it
        could not start or gave no answer in time."""
        child, self.child = self.child, None
        if self.missing:
            raise ToolMissing(f"{self.argv[0]} is not installed or not on PATH")
        if child is None:
            raise RuntimeError(f"{self.argv[0]} was already finished or stopped")  # a caller's mistake
        try:
            out, err = child.communicate(self.stdin, timeout=max(self.deadline - time.monotonic(), 0.001))
        except subprocess.TimeoutExpired:
            _end(child)
            raise ToolTimedOut(
                f"{self.argv[0]} {' '.join(self.argv[1:3])} gave no answer within {self.timeout:g} s; "
                "check the network, try again"
            ) from None
        except BaseException:
            _end(child)  # as subprocess.run does: a Ctrl-C leaves no git behind
            raise
        return Finished(child.returncode, out, err)

    def output(self) -> bytes:
        """What git printed; GitFailed naming the command when it refused or could not run."""
        try:
            done = self.finish()
        except ToolMissing:
            raise GitFailed("git is not installed or not on PATH; install git and try again") from None
        except ToolTimedOut as exc:
            raise GitFailed(exc.message) from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitFailed(
                f"git {' '.join(self.argv[1:3])} failed: {message[-1] if message else done.returncode}"
            )
        return done.stdout

    def stop(self) -> None:
        """Stop a program whose answer is no longer wanted, and reap it."""
        child, self.child = self.child, None
        if child is not None:
            _end(child)


def _end(child: subprocess.Popen[bytes]) -> None:
    with child:  # leaving closes its pipes and reaps it
        child.kill()


def run_git(args: list[str], cwd: str | Path, stdin: bytes | None = None) -> bytes:
    """Every git command micromoment runs; a refusal is a GitFailed naming the command."""
    return Started("git", args, cwd, stdin).output()


# A Repo whose HEAD was not read when it was found.
HEAD_UNKNOWN = "?"


class Repo(NamedTuple):
    """A git work tree: its top folder, its own git directory (a linked worktree has its own),
    and HEAD's commit id as `find_repo` saw it (None before the first commit), so the commit
    hook, which runs right after, need not ask git again; with it, the id of HEAD's
    `.micromoment` folder ("" when it has none; None when not asked), which stands for every
    policy file in it."""

    root: str
    git_dir: str
    head_when_found: str | None = HEAD_UNKNOWN
    home_tree: str | None = None


def find_repo(cwd: str | None = None) -> Repo:
    return FindingRepo(cwd).repo()


class FindingRepo(Started):
    """`find_repo`'s git process, started now and answered by `repo()`: the commit hook starts it
    before loading the rest of the gate, which then loads while git works."""

    def __init__(self, cwd: str | None = None) -> None:
        self.cwd = cwd or os.getcwd()
        # One process for the top folder, the git directory, HEAD and HEAD's `.micromoment` folder.
        # git prints what it resolves in order and echoes the first name it cannot resolve: the
        # folder's name when HEAD has no such folder, HEAD's own before the first commit.
        asked = ["rev-parse", "--show-toplevel", "--absolute-git-dir", "HEAD^{commit}", f"HEAD:{HOME_DIR}"]
        super().__init__("git", asked, self.cwd)

    def repo(self) -> Repo:
        try:
            done = self.finish()
        except (ToolMissing, ToolTimedOut):
            done = Finished(128, b"", b"")
        lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) >= 3 and _is_object_id(lines[2]):
            if done.returncode == 0 and len(lines) == 4 and _is_object_id(lines[3]):
                return Repo(*lines)
            if lines[3:] == [f"HEAD:{HOME_DIR}"]:
                return Repo(lines[0], lines[1], lines[2], "")
        if lines[2:] == ["HEAD^{commit}"]:
            return Repo(lines[0], lines[1], None)
        # Anything else: the folders are asked for alone, so git's own messages stay the same.
        try:
            folders = ["rev-parse", "--show-toplevel", "--absolute-git-dir"]
            out = run_git(folders, self.cwd).decode().splitlines()
        except GitFailed as exc:
            if "not a git repository" in exc.message:
                raise GitFailed(
                    f"{self.cwd} is not inside a git repository; run this in your project's work tree "
                    "(or git init first)"
                ) from None
            raise
        return Repo(out[0], out[1])


def _is_object_id(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
