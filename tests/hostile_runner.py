"""Runs many `micromoment` commands as forked processes of one interpreter that imported the package once.

Each command is its own process, as `python -m micromoment ARGS` would be: its own folder, stdin
from /dev/null, stdout and stderr to files, the same memory bound, and a time bound after which it
is killed; only the interpreter's start-up and the imports, the same for every command, are shared.

Reads {"time_limit": s, "memory_limit": bytes, "parallel": n, "cases": [{"id", "root", "args"}]} as
JSON on stdin; writes {id: {"returncode", "stdout", "stderr", "seconds"}} as JSON on stdout.
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


def child(root: str, args: list[str], out: Path, err: Path, time_limit: float, memory_limit: int) -> None:
    """In the forked process: become `micromoment ARGS` run in ROOT, and never return."""
    code = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        # The kernel ends a command that runs too long, as the parent's timeout would.
        signal.setitimer(signal.ITIMER_REAL, time_limit)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, out, os.O_WRONLY), (2, err, os.O_WRONLY)):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        os.chdir(root)
        sys.argv = ["micromoment", *args]
        try:
            entry.main()
            code = 0
        except SystemExit as stop:
            # As the interpreter does: None is 0, a number is itself, anything else is printed and 1.
            if stop.code is None or isinstance(stop.code, int):
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def run_all(request: dict[str, Any]) -> dict[str, dict[str, object]]:
    """Forks each case, at most `parallel` at a time, and collects what each wrote and how it ended."""
    cases = list(request["cases"])
    running: dict[int, tuple[str, float, Path, Path]] = {}
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        while cases or running:
            while cases and len(running) < request["parallel"]:
                case = cases.pop(0)
                number = len(results) + len(running)
                out, err = Path(scratch) / f"{number}.out", Path(scratch) / f"{number}.err"
                out.touch()
                err.touch()
                sys.stdout.flush()
                started = time.monotonic()
                pid = os.fork()
                if pid == 0:
                    child(
                        case["root"], case["args"], out, err, request["time_limit"], request["memory_limit"]
                    )
                running[pid] = (case["id"], started, out, err)
            pid, status = os.wait()
            case_id, started, out, err = running.pop(pid)
            seconds = time.monotonic() - started
            code = os.waitstatus_to_exitcode(status)
            stderr = err.read_text(encoding="utf-8", errors="replace")
            if code == -signal.SIGALRM:
                code, stderr = TIMED_OUT, f"timed out after {request['time_limit']} s"
            results[case_id] = {
                "returncode": code,
                "stdout": out.read_text(encoding="utf-8", errors="replace"),
                "stderr": stderr,
                "seconds": seconds,
            }
    return results


if __name__ == "__main__":
    preload()
    answer = run_all(json.load(sys.stdin))
    sys.stdout.write(json.dumps(answer))
