"""Shared fixtures: a real CLI runner and real git repositories kept apart from the developer's own git setup."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pexpect
import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

import micromoment
from micromoment.cli.app import app

FIXTURES = Path(__file__).parent / "fixtures"

# Python keeps micromoment's bytecode, as it does for anyone who installed it: with
# PYTHONDONTWRITEBYTECODE set (some CI images and shells set it), every one of the suite's
# hundreds of `python -m micromoment` processes would compile the package from source again.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Hypothesis: a quick profile while developing, the thorough one in CI (.ci/run sets
# MICROMOMENT_HYPOTHESIS_PROFILE=ci), and a derandomized one under mutation testing, so a
# mutant's verdict does not depend on which examples one run happened to draw.
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile("ci", max_examples=250, deadline=None)
settings.register_profile("mutation", max_examples=40, deadline=None, derandomize=True, database=None)
UNDER_MUTATION = "MUTANT_UNDER_TEST" in os.environ
settings.load_profile(
    os.environ.get("MICROMOMENT_HYPOTHESIS_PROFILE")
    or ("mutation" if UNDER_MUTATION else "ci" if os.environ.get("MICROMOMENT_FULL_TESTS") else "dev")
)


# The files that take longest (real processes, terminals, the pre-commit framework) are handed to
# the workers first: with --dist loadfile a long file handed out last keeps one worker busy while
# the other has nothing left to do. The order of tests within a file does not change.
SLOW_FILES_FIRST = (
    "test_hostile.py",
    "test_hook.py",
    "test_pty.py",
    "test_docs.py",
    "test_pressure.py",
    "test_prnote.py",
    "test_ci.py",
    "test_trust.py",
    "test_sample_pty.py",
    "test_cli.py",
    "test_report.py",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than there are cores. Many tests wait on a real process, a
    terminal or git, and the extra worker uses that time (on two cores: about 55 s, not 59)."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: index for index, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # a stable sort


@pytest.fixture(autouse=True)
def subprocesses_run_this_micromoment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m micromoment` in a subprocess imports the package these tests import.

    Under mutation testing that is mutmut's mutated copy, which the installed (editable) package
    is not; without this, a mistake reachable only through a subprocess would survive. mutmut's
    own bookkeeping runs ("stats", "fail") need its configuration, so only real mutants go through.
    """
    point_subprocesses_here(monkeypatch)


def point_subprocesses_here(monkeypatch: pytest.MonkeyPatch) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if UNDER_MUTATION and mutant not in ("", "stats", "fail", "mutant_generation"):
        package_parent = str(Path(micromoment.__file__).resolve().parents[1])
        monkeypatch.setenv("PYTHONPATH", package_parent)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees git as a fresh machine would: no global or system config, a known identity."""
    isolate_git(monkeypatch, tmp_path_factory.mktemp("home"))


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))  # the checklist cache outside a repository
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "PRE_COMMIT",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        # The developer's terminal is not the tests': widths and colours are set where they matter.
        "COLUMNS",
        "LINES",
        "FORCE_COLOR",
        "NO_COLOR",
        "MICROMOMENT_NONINTERACTIVE",
        "MICROMOMENT_BASE_BRANCH",
        "MICROMOMENT_DEBUG",
        "MICROMOMENT_POSTS_AS",
        "MICROMOMENT_LANG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Pat Product")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "pat@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Pat Product")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "pat@example.com")


@contextmanager
def building_template(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """For a module fixture that builds a repository once for its tests to copy (`copy_repo`):
    a fresh git repository as the current folder, under the same isolated git as every test."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_subprocesses_here(monkeypatch)
        isolate_git(monkeypatch, tmp_path_factory.mktemp("home"))
        root = tmp_path_factory.mktemp(name) / "repo"
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        monkeypatch.chdir(root)
        yield root


def copy_repo(template: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The template's working tree, history, index and caches at ROOT (replacing what is there),
    as the current folder: the same repository as building it again, at a copy's cost."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(template, root, symlinks=True)
    monkeypatch.chdir(root)
    return root


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real, empty git repository as the current folder."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    yield root


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plain folder that is not in any git repository, as the current folder."""
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


class Cli:
    """Runs the real typer app in-process, as `micromoment ARGS`."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def mini(repo: Path) -> Path:
    """The repository with the short `mini` test checklist installed."""
    write(repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    return repo


# How long a test waits for an event (a prompt, a process ending) before it fails. Generous: a
# run that works passes as soon as the event comes, and a machine busy with other jobs may lag.
PATIENCE = 180


def spawn_micromoment(repo: Path, *args: str) -> pexpect.spawn:
    """`python -m micromoment ARGS` in a real pseudo-terminal."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "micromoment", *args],
        cwd=str(repo),
        encoding="utf-8",
        timeout=PATIENCE,
        dimensions=(50, 120),
    )


def ended(child: pexpect.spawn, code: int) -> str:
    """Wait for a pty session to end, check its exit code and that it showed no traceback, and
    give back what it printed after the last thing a test waited for."""
    child.expect(pexpect.EOF)
    rest: str = child.before or ""
    child.close()
    assert child.exitstatus == code, rest
    assert "Traceback" not in rest
    return rest


def answer_item(child: pexpect.spawn, prompt: str, reply: str, note: str = "") -> None:
    """In a pty walk-through: answer at `prompt` on one line, with `note` after `--` when given."""
    child.expect_exact(prompt)
    child.sendline(f"{reply} -- {note}" if note else reply)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


_MODULES_AT_EXIT = (
    "import sys, json, atexit, os\n"
    "atexit.register(lambda: print(json.dumps(sorted(sys.modules))))\n"
    # The commit hook ends without the interpreter's teardown, so atexit never runs there.
    "_exit = os._exit\n"
    "os._exit = lambda code: (print(json.dumps(sorted(sys.modules)), flush=True), _exit(code))\n"
    "sys.argv = ['micromoment', *{args!r}]\n"
    "from micromoment.__main__ import main\n"
    "main()\n"
)


def modules_at_exit(repo: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    """`micromoment ARGS` in its own process and session (no terminal, as in CI): its exit code
    and every module it had loaded when it ended."""
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AT_EXIT.format(args=list(args))],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        start_new_session=True,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    return done.returncode, set(json.loads(lines[-1]))


def run_module(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """`python -m micromoment ARGS` in a real subprocess (with `env` added to the environment)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "micromoment", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=PATIENCE,
        **kwargs,
    )  # type: ignore[call-overload, no-any-return]


def run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    """The commit hook as its own process with no terminal to ask on, as in CI or a GUI client."""
    return run_module(["hook"], repo, env={"MICROMOMENT_NONINTERACTIVE": "1"})


_server: subprocess.Popen[str] | None = None
_server_path: str | None = None


@atexit.register
def stop_server() -> None:
    """Ends fork_micromoment's server, if one runs: closing its stdin ends it."""
    global _server
    if _server is not None:
        _server.communicate()
        _server = None


def fork_micromoment(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`micromoment ARGS` as its own process, in a new session (no terminal), forked from a server
    that imported micromoment once (tests/forked.py): for tests that need a fresh process's output
    and exit code, not its start-up."""
    global _server, _server_path
    if _server_path != os.environ.get("PYTHONPATH"):
        # Under mutation testing the package to import is set per run (PYTHONPATH): start afresh.
        stop_server()
    if _server is None or _server.poll() is not None:
        _server_path = os.environ.get("PYTHONPATH")
        _server = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("forked.py")), "serve"],
            cwd=Path(__file__).parent,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
    assert _server.stdin is not None and _server.stdout is not None
    request = {
        "args": list(args),
        "cwd": str(cwd),
        "env": dict(os.environ if env is None else env),
        "time_limit": 60.0,
    }
    _server.stdin.write(json.dumps(request) + "\n")
    _server.stdin.flush()
    answer = json.loads(_server.stdout.readline())
    return subprocess.CompletedProcess(
        ["micromoment", *args], answer["returncode"], answer["stdout"], answer["stderr"]
    )


def summaries_stats(
    summaries: Sequence[Any], since: Any, by: Any, repositories: list[str], today: Any
) -> Any:
    """The stats document for summaries, counted as `stats` counts a ledger file's records: stored
    in a ledger (in memory), then queried."""
    from micromoment.ledger import store
    from micromoment.ledger.counting import count, stats_of

    connection = store.memory_ledger()
    named = [(f"{n:06d}", summary) for n, summary in enumerate(summaries)]
    store.refresh(connection, [], [(name, store.Stamp(0, 0), store.rows_of(name, s)) for name, s in named])
    try:
        return stats_of([count(connection, since, today)], since, by, repositories)
    finally:
        connection.close()
