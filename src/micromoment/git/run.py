"""Running git (and gh, glab): the one place micromoment starts a process, with no terminal
prompts, a time limit, and failures turned into messages.

Light on purpose (no GitPython, dataclasses or pathlib): the commit hook imports this on every commit.
"""

from __future__ import annotations

import os

from micromoment.errors import MicromomentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

SHALLOW_HINT = "shallow CI clones need the full history (e.g. actions/checkout with fetch-depth: 0)"


class GitFailed(MicromomentError):
    """git is missing, or refused a command."""


GIT_TIMEOUT_SECONDS = 60
# Environment that keeps git, gh and glab from ever asking a question on a terminal.
NO_PROMPTS = {"GIT_TERMINAL_PROMPT": "0", "GH_PROMPT_DISABLED": "1", "NO_PROMPT": "1"}


class ToolMissing(MicromomentError):
    """The program is not installed or not on PATH."""


class ToolTimedOut(MicromomentError):
    """The program gave no answer within its time limit."""


class Finished:
    """How a program ended: its exit code and what it printed."""

    __slots__ = ("returncode", "stderr", "stdout")

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


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
    """A program started now and finished later: the commit hook starts the git processes it
    will need together, so they run side by side rather than one after another.

    A program that cannot be started says so from `finish`, as `run_tool` would, so a start
    made in case the answer is needed costs nothing when it is not. One that is never finished
    is stopped with `stop`."""

    __slots__ = ("argv", "child", "deadline", "missing", "stdin", "timeout")

    def __init__(
        self,
        program: str,
        args: list[str],
        cwd: str | Path,
        stdin: bytes | None = None,
        timeout: float = GIT_TIMEOUT_SECONDS,
        light: bool | None = None,
    ) -> None:
        import time

        self.argv = [program, *args]
        self.stdin = stdin
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.missing = False
        env = {**os.environ, **NO_PROMPTS}
        self.child: tuple[int, int, int, int] | Any | None = None
        try:
            if _can_spawn() if light is None else light:
                self.child = _start(self.argv, str(cwd), env)
            else:
                import subprocess

                self.child = subprocess.Popen(
                    self.argv,
                    cwd=cwd,
                    stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,  # never a question
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                )
        except FileNotFoundError:
            self.missing = True

    def finish(self) -> Finished:
        """Wait for the program and return how it ended; ToolMissing or ToolTimedOut when it
        could not start or gave no answer in time."""
        import time

        child, self.child = self.child, None
        if self.missing:
            raise ToolMissing(f"{self.argv[0]} is not installed or not on PATH")
        if child is None:
            raise RuntimeError(f"{self.argv[0]} was already finished or stopped")  # a caller's mistake
        if not isinstance(child, tuple):
            import subprocess

            try:
                out, err = child.communicate(self.stdin, timeout=max(self.deadline - time.monotonic(), 0.001))
            except subprocess.TimeoutExpired:
                _end_popen(child)
                raise _timed_out(self.argv[0], self.argv[1:], self.timeout) from None
            except BaseException:
                _end_popen(child)
                raise
            return Finished(child.returncode, out, err)
        pid, writer, out_fd, err_fd = child
        try:
            found = _communicate(writer, [out_fd, err_fd], self.stdin or b"", self.deadline)
        except BaseException:
            _kill(pid)  # as subprocess.run does: a time-out or Ctrl-C leaves no git behind
            raise
        if found is None:
            _kill(pid)
            raise _timed_out(self.argv[0], self.argv[1:], self.timeout)
        _, status = os.waitpid(pid, 0)
        return Finished(os.waitstatus_to_exitcode(status), found[0], found[1])

    def stop(self) -> None:
        """Stop a program whose answer is no longer wanted, and reap it."""
        child, self.child = self.child, None
        if child is None:
            return
        if isinstance(child, tuple):
            for fd in child[1:]:
                os.close(fd)
            _kill(child[0])
        else:
            _end_popen(child)


def _end_popen(child: Any) -> None:
    """Kill a subprocess.Popen child, close its pipes and reap it, as subprocess.run does."""
    child.kill()
    for stream in (child.stdin, child.stdout, child.stderr):
        if stream is not None:
            stream.close()
    child.wait()


def _timed_out(program: str, args: list[str], timeout: float) -> ToolTimedOut:
    return ToolTimedOut(
        f"{program} {' '.join(args[:2])} gave no answer within {timeout:g} s; check the network, try again"
    )


def _can_spawn() -> bool:
    """Whether the light way below may run: POSIX spawning, and no other thread that could see the
    working folder change for the moment it takes (a process without `threading` has none)."""
    import sys

    return hasattr(os, "posix_spawnp") and "threading" not in sys.modules and os.name == "posix"


def _default_in_child() -> tuple[int, ...]:
    """Python ignores SIGPIPE (and SIGXFSZ); a child gets the default back, as subprocess gives
    it (restore_signals), so git stops when its reader goes away. Taken from the C module:
    `signal` itself loads enum, a good part of what the light start-up saves."""
    import _signal  # type: ignore[import-not-found, unused-ignore]

    return tuple(getattr(_signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(_signal, name))


def _start(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[int, int, int, int]:
    """Spawn with stdin, stdout and stderr on pipes: (pid, stdin to write, stdout and stderr to read).
    posix_spawn takes no folder, so the parent steps into `cwd` for the spawn and straight back."""
    pipes = [os.pipe(), os.pipe(), os.pipe()]  # each end is closed when the child execs
    here = os.open(".", os.O_RDONLY)
    try:
        os.chdir(cwd)
        try:
            actions = [(os.POSIX_SPAWN_DUP2, pipes[0][0], 0), (os.POSIX_SPAWN_DUP2, pipes[1][1], 1)]
            actions.append((os.POSIX_SPAWN_DUP2, pipes[2][1], 2))
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsigdef=_default_in_child())
        finally:
            os.fchdir(here)
    except BaseException:
        for pair in pipes:
            os.close(pair[0])
            os.close(pair[1])
        raise
    finally:
        os.close(here)
    for fd in (pipes[0][0], pipes[1][1], pipes[2][1]):
        os.close(fd)
    return pid, pipes[0][1], pipes[1][0], pipes[2][0]


def _communicate(writer: int, readers: list[int], data: bytes, deadline: float) -> list[bytes] | None:
    """Feed `data` to the child's stdin and close it (it never waits on a terminal), while reading
    every reader to its end; None when the deadline passes first. Closes every descriptor given."""
    import select
    import time

    pending, chunks = memoryview(data), {fd: bytearray() for fd in readers}
    poller = select.poll()
    for fd in readers:
        poller.register(fd, select.POLLIN)
    if pending:
        os.set_blocking(writer, False)
        poller.register(writer, select.POLLOUT)
    else:
        os.close(writer)
    open_fds = len(readers) + (1 if pending else 0)
    try:
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for fd, _ in poller.poll(left * 1000):
                if fd == writer:
                    try:
                        pending = pending[os.write(writer, pending[: 64 * 1024]) :]
                    except BrokenPipeError:  # git stopped reading: what it printed still counts
                        pending = pending[:0]
                    if not pending:
                        poller.unregister(writer)
                        os.close(writer)
                        open_fds -= 1
                    continue
                chunk = os.read(fd, 64 * 1024)
                chunks[fd] += chunk
                if not chunk:
                    poller.unregister(fd)
                    open_fds -= 1
    finally:
        for fd in readers:
            os.close(fd)
        if pending:
            os.close(writer)
    return [bytes(chunks[fd]) for fd in readers]


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def run_git(args: list[str], cwd: str | Path, stdin: bytes | None = None) -> bytes:
    """Every git command micromoment runs; a refusal is a GitFailed naming the command."""
    return StartedGit(args, cwd, stdin).output()


class StartedGit:
    """A git command started now, its output asked for later (see `Started`)."""

    __slots__ = ("args", "started")

    def __init__(self, args: list[str], cwd: str | Path, stdin: bytes | None = None) -> None:
        self.args = args
        self.started = Started("git", args, cwd, stdin)

    def output(self) -> bytes:
        """What git printed; GitFailed naming the command when it refused or could not run."""
        try:
            done = self.started.finish()
        except ToolMissing:
            raise GitFailed("git is not installed or not on PATH; install git and try again") from None
        except ToolTimedOut as exc:
            raise GitFailed(exc.message) from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitFailed(
                f"git {' '.join(self.args[:2])} failed: {message[-1] if message else done.returncode}"
            )
        return done.stdout

    def stop(self) -> None:
        self.started.stop()


# A Repo whose HEAD was not read when it was found.
HEAD_UNKNOWN = "?"


class Repo:
    """A git work tree: its top folder and its own git directory (a linked worktree has its own).

    `head_when_found` is HEAD's commit id as `find_repo` saw it (None before the first commit),
    so the commit hook, which runs right after, need not ask git again."""

    __slots__ = ("git_dir", "head_when_found", "root")

    def __init__(self, root: str, git_dir: str, head_when_found: str | None = HEAD_UNKNOWN) -> None:
        self.root = root
        self.git_dir = git_dir
        self.head_when_found = head_when_found

    def __repr__(self) -> str:
        return f"Repo({self.root!r}, {self.git_dir!r})"


def find_repo(cwd: str | None = None) -> Repo:
    return FindingRepo(cwd).repo()


class FindingRepo:
    """`find_repo`'s git process, started now and answered by `repo()`: the commit hook starts it
    before loading the rest of the gate, which then loads while git works."""

    __slots__ = ("cwd", "started")

    def __init__(self, cwd: str | None = None) -> None:
        self.cwd = cwd or os.getcwd()
        # One process for the top folder, the git directory and HEAD. Before the first commit HEAD
        # does not resolve: `--verify --quiet` then exits 1 with the two folders and nothing on
        # stderr, which is all `head_commit` would learn (None).
        asked = ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--verify", "--quiet", "HEAD^{commit}"]
        self.started = Started("git", asked, self.cwd)

    def repo(self) -> Repo:
        try:
            done = self.started.finish()
        except (ToolMissing, ToolTimedOut):
            done = Finished(128, b"", b"")
        lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
        if done.returncode == 0 and len(lines) == 3 and len(lines[2]) in (40, 64):
            return Repo(lines[0], lines[1], lines[2])
        if done.returncode == 1 and len(lines) == 2 and not done.stderr:
            return Repo(lines[0], lines[1], None)
        # Anything else: the folders are asked for alone, so git's own messages stay the same.
        try:
            out = (
                run_git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], self.cwd)
                .decode()
                .splitlines()
            )
        except GitFailed as exc:
            if "not a git repository" in exc.message:
                raise GitFailed(
                    f"{self.cwd} is not inside a git repository; run this in your project's work tree "
                    "(or git init first)"
                ) from None
            raise
        return Repo(out[0], out[1])

    def stop(self) -> None:
        self.started.stop()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
