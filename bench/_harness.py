"""Shared helpers for the benches: scratch git repositories and interleaved timing."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

MICROMOMENT = [sys.executable, "-m", "micromoment"]
PYTHON_PASS = [sys.executable, "-c", "pass"]

# Benches see git as a fresh machine does, and never a terminal to prompt on. Python may keep
# its bytecode, as it does for anyone who installed micromoment: without it every run compiles
# micromoment's own modules again, which no user pays for (deon's venv keeps its bytecode too).
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "MICROMOMENT_NONINTERACTIVE": "1",
}


def script_command() -> list[str]:
    """The installed `micromoment` script when there is one (what a hook runs), else python -m."""
    found = shutil.which("micromoment", path=str(Path(sys.executable).parent))
    return [found] if found else MICROMOMENT


def git(repo: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, input=stdin)


@contextmanager
def scratch_repo(name: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=f"micromoment-bench-{name}-"))
    try:
        git(folder, "init", "-q", "-b", "main")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_files(repo: Path, paths: Sequence[str], text: str = "x\n") -> None:
    for path in paths:
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def commit_all(repo: Path, message: str = "bench") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


def micromoment(repo: Path, *args: str) -> None:
    """`micromoment ARGS` in `repo`, to set the scene (a record, a skip); it must succeed."""
    subprocess.run([*MICROMOMENT, *args], cwd=repo, env=ENV, check=True, capture_output=True)


def run(command: Sequence[str], cwd: Path, expect: int | None = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - started
    if expect is not None and done.returncode != expect:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def interleaved_medians(
    cases: dict[str, tuple[Sequence[str], Path, int | None]], runs: int
) -> dict[str, float]:
    """Median wall time per case, running the cases in turn so machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for command, cwd, expect in cases.values():
        run(command, cwd, expect)  # warm caches (the hook builds its rules cache on first use)
    for _ in range(runs):
        for name, (command, cwd, expect) in cases.items():
            times[name].append(run(command, cwd, expect))
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, value: str, target: str, ok: bool) -> None:
    print(f"{title} | {value} | {target} | {'ok' if ok else 'MISSED'}")
