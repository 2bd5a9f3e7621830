"""Runs `micromoment` commands as processes forked from one interpreter that imported the package once.

Each command is its own process, as `python -m micromoment ARGS` would be: its own session (no
controlling terminal), folder and environment, stdin from /dev/null, stdout and stderr to files,
an optional memory bound, and a time bound after which the kernel ends it. Only the interpreter's
start-up and the imports, the same for every command, are shared: a quarter to half a second of
CPU each. Tests whose point is start-up itself (imports, `python -m`, the installed script,
signals, terminals) start real interpreters instead.

    python forked.py batch   reads {"time_limit", "memory_limit", "parallel", "cases": [{"id",
                             "root", "args"}]} as JSON on stdin; writes {id: outcome} on stdout
    python forked.py serve   reads one JSON request a line ({"args", "cwd", "env", "time_limit"})
                             and answers each with one outcome line

An outcome is {"returncode", "stdout", "stderr", "seconds"}; a command that ran out of time has
returncode -999.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import resource
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import micromoment
import micromoment.__main__ as entry

TIMED_OUT = -999


def preload() -> None:
    """Import every module a command might import lazily, so each fork starts with them loaded."""
    for module in pkgutil.walk_packages(micromoment.__path__, "micromoment."):
        # An optional extra that is not installed is left to the command, which says so.
        with contextlib.suppress(ImportError):
            importlib.import_module(module.name)


@dataclass(frozen=True)
class Command:
    args: list[str]
    cwd: str
    time_limit: float
    memory_limit: int | None = None
    env: dict[str, str] | None = None


def child(command: Command, out: Path, err: Path) -> None:
    """In the forked process: become `micromoment ARGS`, and never return."""
    code = 1
    try:
        os.setsid()  # a new session has no controlling terminal: /dev/tty cannot be opened
        if command.memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (command.memory_limit, command.memory_limit))
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, command.time_limit)
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, out, os.O_WRONLY),
            (2, err, os.O_WRONLY),
        ):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        # The parent's stdin object may hold buffered bytes of its own input; start afresh on fd 0.
        sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)  # noqa: SIM115
        if command.env is not None:
            os.environ.clear()
            os.environ.update(command.env)
        os.chdir(command.cwd)
        sys.argv = ["micromoment", *command.args]
        code = _main()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _main() -> int:
    """`micromoment.__main__.main()`, ended as the interpreter would end it."""
    try:
        entry.main()
    except SystemExit as stop:
        # As the interpreter does: None is 0, a number is itself, anything else is printed and 1.
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def start(command: Command, scratch: Path, number: int) -> tuple[int, Path, Path]:
    """Forks one command; its pid and the files its output goes to."""
    out, err = scratch / f"{number}.out", scratch / f"{number}.err"
    out.touch()
    err.touch()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        child(command, out, err)
    return pid, out, err


def outcome(status: int, started: float, out: Path, err: Path, time_limit: float) -> dict[str, object]:
    code = os.waitstatus_to_exitcode(status)
    stderr = err.read_text(encoding="utf-8", errors="replace")
    if code == -signal.SIGALRM:
        code, stderr = TIMED_OUT, f"timed out after {time_limit} s"
    return {
        "returncode": code,
        "stdout": out.read_text(encoding="utf-8", errors="replace"),
        "stderr": stderr,
        "seconds": time.monotonic() - started,
    }


def batch(request: dict[str, Any]) -> dict[str, dict[str, object]]:
    """Forks each case, at most `parallel` at a time, and collects what each wrote and how it ended."""
    cases = list(request["cases"])
    running: dict[int, tuple[str, float, Path, Path]] = {}
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        while cases or running:
            while cases and len(running) < request["parallel"]:
                case = cases.pop(0)
                command = Command(case["args"], case["root"], request["time_limit"], request["memory_limit"])
                started = time.monotonic()
                pid, out, err = start(command, Path(scratch), len(results) + len(running))
                running[pid] = (case["id"], started, out, err)
            pid, status = os.wait()
            case_id, started, out, err = running.pop(pid)
            results[case_id] = outcome(status, started, out, err, request["time_limit"])
    return results


def serve() -> None:
    """Answers one request a line, one command at a time, until stdin closes."""
    for number, line in enumerate(sys.stdin):
        request = json.loads(line)
        command = Command(request["args"], request["cwd"], request["time_limit"], env=request["env"])
        with tempfile.TemporaryDirectory() as scratch:
            started = time.monotonic()
            pid, out, err = start(command, Path(scratch), number)
            _, status = os.waitpid(pid, 0)
            answer = outcome(status, started, out, err, command.time_limit)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    preload()
    if sys.argv[1:] == ["batch"]:
        sys.stdout.write(json.dumps(batch(json.load(sys.stdin))))
    elif sys.argv[1:] == ["serve"]:
        serve()
    else:
        sys.exit("usage: forked.py batch|serve")
