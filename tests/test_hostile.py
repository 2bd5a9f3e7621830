"""Every place micromoment reads, filled with every kind of broken or hostile content, read by
every command that reads it, as a real process: a clear exit (0, 1 or 2), never a traceback,
a crash or a hang, and a damaged cache never changes an answer."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import FIXTURES, Cli

TIME_LIMIT = 60.0  # seconds for one command: a refusal takes well under one, a hang never ends
MEMORY_LIMIT = 1536 * 1024 * 1024  # address space: an alias bomb that expands dies here, not the machine
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

RECORD = "2026-11-20-mini-0001"
BROKEN = "2026-11-22-broken.yaml"

REVIEW_RECORD = f"""\
kind: review
schema_version: 1
id: {RECORD}
checklist: {{id: mini, title: Mini check, version: "1", content_hash: "sha256:00"}}
subject: refund prompt
who: {{name: Pat Product, email: pat@example.com}}
started_at: '2026-11-20T10:00:00Z'
finished_at: '2026-11-20T10:04:00Z'
answers:
- {{item: data-kind, question: 'What data goes in?', answer: none, answered_at: '2026-11-20T10:01:00Z'}}
- item: facts-checked
  question: Did you check the facts?
  answer: 'no'
  follow_up: {{action: check five outputs, owner: engineering lead, due: 2026-12-01}}
  answered_at: '2026-11-20T10:02:00Z'
status: complete
missing: []
scan: {{ran: true, kept: []}}
"""
SKIP_RECORD = """\
kind: skip
schema_version: 1
id: 2026-11-22-broken
checklist: {id: mini, title: Mini check, version: "1", content_hash: "sha256:00"}
reason: the prompt text did not change at all
who: {name: Pat Product, email: pat@example.com}
at: '2026-11-22T10:00:00Z'
"""
CONFIG = "version: 1\nreviews_dir: .micromoment/reviews\nchecklists:\n  mini: {enabled: true, signoffs: 0}\n"
ANSWERS = "data-kind: none\nfacts-checked: 'yes'\nreviewer: Dana from support\n"
MINI = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
DEON = (FIXTURES / "deon-checklist.yaml").read_text(encoding="utf-8")


# --- the kinds of broken content ------------------------------------------------------------

FOLDER, UNREADABLE, DEVICE = "<folder>", "<unreadable>", "<link to /dev/zero>"


def _bomb(text: str) -> str:
    """Nine levels of nine aliases (9**9 values from ~500 bytes), in `reason:` when there is one."""
    anchors = ['bomb_a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        anchors.append(f"bomb_{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    body = re.sub(r"(?m)^reason: .*$", "reason: *i", text) if "\nreason: " in text else text + "bomb: *i\n"
    return "\n".join(anchors) + "\n" + body


def _replace_or_add(field: str, value: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        pattern = rf"(?m)^(\s*-?\s*){field}: .*$"
        if re.search(pattern, text):
            return re.sub(pattern, rf"\g<1>{field}: {value}", text, count=1)
        return text + f"{field}: {value}\n"

    return change


KINDS: dict[str, Callable[[str], str | bytes]] = {
    "deep-nesting": lambda _: "[" * 50_000 + "]" * 50_000,
    "alias-bomb": _bomb,
    "invalid-date": _replace_or_add("due", "2026-02-30"),
    "date-as-key": lambda text: text + "2026-02-30: a date as a key\n2026-01-01: another\n",
    "hour-25": lambda text: text + "checked_at: 2026-11-22T25:00:00Z\n",
    "huge-int": lambda text: text + "count: " + "9" * 5000 + "\n",
    "not-finite": lambda text: _replace_or_add("minutes", ".inf")(text) + "score: .nan\n",
    "bad-bytes": lambda text: text.encode() + b"note: \xff\xfe\xc3\x28\n",
    "empty": lambda _: b"",
    "top-level-list": lambda _: "- a\n- b\n",
    "top-level-scalar": lambda _: "just some text\n",
    "python-tag": lambda text: text + "pwn: !!python/object/apply:os.system ['touch PWNED']\n",
    "huge-file": lambda text: text + "# " + "x" * (5 * 1024 * 1024) + "\n",
    "folder": lambda _: FOLDER,
    "unreadable": lambda _: UNREADABLE,
    "device": lambda _: DEVICE,
}

# The ledger is a SQLite database: each kind has its database counterpart. `real` is the bytes
# of the database a clean run wrote; edited copies are changed with their CHECKs switched off.
CACHE_KINDS: dict[str, Callable[[bytes, Path], str | bytes]] = {
    "deep-nesting": lambda real, folder: "[" * 50_000 + "]" * 50_000,
    "alias-bomb": lambda real, folder: real[: len(real) // 2],  # a write cut short
    "invalid-date": lambda real, folder: _db_edit(
        real, folder, "UPDATE records SET at = '2026-02-30T10:04:00Z'"
    ),
    "date-as-key": lambda real, folder: _db_edit(
        real, folder, "UPDATE follow_ups SET due = '2026-01-01T00:00'"
    ),
    "hour-25": lambda real, folder: _db_edit(real, folder, "UPDATE records SET at = '2026-11-22T25:00:00Z'"),
    "huge-int": lambda real, folder: _db_edit(real, folder, "PRAGMA user_version = 2147483647"),
    "not-finite": lambda real, folder: _db_edit(
        real,
        folder,
        "DROP TABLE signoffs",
        "CREATE TABLE signoffs (record, seq, who, decision)",
        "INSERT INTO signoffs VALUES ('x', 9e999, 'a', 'b')",
    ),
    "bad-bytes": lambda real, folder: b"\xff\xfe" + real,
    "empty": lambda real, folder: b"",
    "top-level-list": lambda real, folder: "[]",
    "top-level-scalar": lambda real, folder: "{}",
    "python-tag": lambda real, folder: _db_edit(
        real, folder, "INSERT INTO answers VALUES ('mini', 'a', 'Pat', 'x.yaml', 0, 'b', 'yes', '2026-11-22')"
    ),
    "huge-file": lambda real, folder: real + b"x" * (5 * 1024 * 1024),
    "folder": lambda real, folder: FOLDER,
    "unreadable": lambda real, folder: UNREADABLE,
    "device": lambda real, folder: DEVICE,
}


def _db_edit(real: bytes, folder: Path, *statements: str) -> bytes:
    """The real ledger, moved to this repository's folder so only the statements (applied as
    another program could, CHECKs off) are wrong in it."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "ledger.sqlite3"
        path.write_bytes(real)
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA ignore_check_constraints = ON")
        connection.execute("UPDATE meta SET value = ? WHERE key = 'folder'", (str(folder),))
        for statement in statements:
            connection.execute(statement)
        connection.close()
        return path.read_bytes()


def put(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    if content == FOLDER:
        path.mkdir()
        (path / "inside.yaml").write_text("a: 1\n", encoding="utf-8")
    elif content == DEVICE:
        path.symlink_to("/dev/zero")
    elif content == UNREADABLE:
        path.write_text("a: 1\n", encoding="utf-8")
        path.chmod(0)
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


# --- the places and the commands that read them ----------------------------------------------

BASE = "--base=main"
LEDGER = [("log", "--json"), ("todo", "--json"), ("stats", "--json")]
# Where each place is, its valid content, and the commands that read it. Each kind meets each
# place; the commands of a place take turns over the kinds, so every command meets several
# kinds and the whole matrix stays a few dozen processes.
PLACES: dict[str, tuple[str, str, list[tuple[str, ...]]]] = {
    "answers": ("answers.yaml", ANSWERS, [("review", "mini", "--answers", "answers.yaml")]),
    "deon": ("deon.yaml", DEON, [("import-deon", "deon.yaml")]),
    "checklist": (
        ".micromoment/checklists/broken.yaml",
        MINI.replace("id: mini", "id: broken", 1),
        [("list",), ("show", "mini"), ("lint",), ("check", BASE), ("hook", "prompts/x.txt")],
    ),
    "config": (
        ".micromoment/config.yaml",
        CONFIG,
        [("lint",), ("check", BASE), ("log",), ("hook", "prompts/x.txt"), ("stats",)],
    ),
    "record": (f".micromoment/reviews/{BROKEN}", SKIP_RECORD, [*LEDGER, ("lint",)]),
    # Records reached through git (the gate, the hook, the PR note): a separate turn per kind.
    "record-in-git": (
        f".micromoment/reviews/{BROKEN}",
        SKIP_RECORD,
        [("check", BASE), ("hook", "prompts/x.txt"), ("pr-note", BASE)],
    ),
    "cache": (".git/micromoment/ledger.sqlite3", "", LEDGER),
}
# The ledger commands name a damaged record they skip.
NAMED_IN_WARNING = {"log", "todo", "stats"}
# Places that other commands never read share one repository per kind; the others get their own.
REPOSITORY_OF = {"answers": "files", "deon": "files", "record": "files", "record-in-git": "files"}


def expected_exits(place: str, command: str) -> set[int]:
    """Bad input is 2; a record found while scanning many is a warning and the rest is shown
    (0); a damaged cache costs only speed (0, and the same answer)."""
    if place == "record":
        return {2} if command == "lint" else {0}
    if place == "record-in-git":
        return {0, 1, 2}
    if command == "check" and place in ("config", "checklist"):
        # The gate judges a change by the base's policy: a broken policy file on the branch is
        # not read as the rules (it only calls for a policy review), so the verdict stands.
        return {0, 1}
    return {0} if place == "cache" else {2}


@dataclass(frozen=True)
class Case:
    kind: str
    place: str
    command: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.place}-{self.command[0]}"


def cases() -> list[Case]:
    found = []
    for index, kind in enumerate(KINDS):
        for place, (_, _, commands) in PLACES.items():
            found.append(Case(kind, place, commands[index % len(commands)]))
    return found


CASES = cases()


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    root: Path


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT_", "GITHUB_"))}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Pat Product",
        GIT_AUTHOR_EMAIL="pat@example.com",
        GIT_COMMITTER_NAME="Pat Product",
        GIT_COMMITTER_EMAIL="pat@example.com",
        PYTHONIOENCODING="utf-8",
        MICROMOMENT_NONINTERACTIVE="1",
    )
    return env


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def micromoment(root: Path, args: tuple[str, ...], env: dict[str, str]) -> Run:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "micromoment", *args],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIME_LIMIT,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        return Run(-999, "", f"timed out after {TIME_LIMIT} s", time.monotonic() - started, root)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started, root)


def sh(root: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def make_base(root: Path, env: dict[str, str]) -> None:
    """main holds the policy; the branch `feature` adds a prompt and records for it."""
    root.mkdir()
    sh(root, env, "init", "-q", "-b", "main")
    put(root / ".micromoment/checklists/mini.yaml", MINI)
    put(root / ".micromoment/config.yaml", CONFIG)
    sh(root, env, "add", "-A")
    sh(root, env, "commit", "-q", "-m", "policy")
    sh(root, env, "checkout", "-q", "-b", "feature")
    put(root / "prompts/x.txt", "You are a helpful refund assistant.\n")
    put(root / f".micromoment/reviews/{RECORD}.yaml", REVIEW_RECORD)
    put(root / f".micromoment/reviews/{BROKEN}", SKIP_RECORD)
    put(root / "answers.yaml", ANSWERS)
    put(root / "deon.yaml", DEON)
    sh(root, env, "add", "-A")
    sh(root, env, "commit", "-q", "-m", "a prompt and its records")


def break_place(case: Case, root: Path, real_cache: bytes, env: dict[str, str]) -> None:
    where, valid, _ = PLACES[case.place]
    path = root / where
    if case.place == "cache":
        put(path, CACHE_KINDS[case.kind](real_cache, (root / ".micromoment/reviews").resolve()))
        return
    put(path, KINDS[case.kind](valid))
    if case.place == "record-in-git":
        # Commit what git can hold (not a folder's emptiness, not an unreadable file), so the
        # gate and the PR note read the broken record from git as in CI; else it stays in the tree.
        subprocess.run(["git", "add", "-A"], cwd=root, env=env, capture_output=True)
        subprocess.run(["git", "commit", "-q", "-m", "broken record"], cwd=root, env=env, capture_output=True)


def _relative(text: str, root: Path) -> str:
    """Output with the repository's own path and name (which differ from copy to copy) taken out."""
    text = text.replace(str(root.resolve()), "ROOT").replace(str(root), "ROOT")
    return text.replace(f'"{root.name}"', '"ROOT"')


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run | dict[str, str]]:
    """Every case run once, several at a time (each is a real process waiting mostly on startup)."""
    top = tmp_path_factory.mktemp("hostile")
    home = top / "home"
    home.mkdir()
    env = git_env(home)
    base = top / "base"
    make_base(base, env)
    clean = top / "clean"
    shutil.copytree(base, clean, symlinks=True)
    expected = {}
    for args in LEDGER:  # the first run writes the cache every damaged one stands in for
        run = micromoment(clean, args, env)
        assert run.returncode == 0, run.stderr
        expected[args[0]] = _relative(run.stdout, clean)
    real_cache = (clean / ".git/micromoment/ledger.sqlite3").read_bytes()
    assert b"SQLite format 3" in real_cache[:16], "the clean run kept no ledger"

    chosen = [case for case in CASES if not (case.kind == "unreadable" and IS_ROOT)]
    roots: dict[str, Path] = {}
    for case in chosen:  # build each broken repository once, before any command runs
        name = f"{case.kind}-{REPOSITORY_OF.get(case.place, case.place)}"
        if name not in roots:
            roots[name] = top / name
            shutil.copytree(base, roots[name], symlinks=True)
        break_place(case, roots[name], real_cache, env)
    where = {case.id: roots[f"{case.kind}-{REPOSITORY_OF.get(case.place, case.place)}"] for case in chosen}
    alone = own_processes(chosen)
    forked = [case for case in chosen if case not in alone]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(lambda case: micromoment(where[case.id], case.command, env), alone)
        results: dict[str, Run | dict[str, str]] = dict(forked_runs(forked, where, env, top))
        results.update(zip([c.id for c in alone], done, strict=True))
    results["clean"] = expected
    return results


def own_processes(chosen: list[Case]) -> list[Case]:
    """The first case of each command runs as `python -m micromoment` from scratch, start-up
    included; the rest fork from one interpreter that imported micromoment (forked.py)."""
    firsts = {case.command[0]: case for case in reversed(chosen)}
    return [case for case in chosen if case in firsts.values()]


def forked_runs(chosen: list[Case], where: dict[str, Path], env: dict[str, str], top: Path) -> dict[str, Run]:
    """Each case as its own process forked from one that imported micromoment once: the same
    command, folder, memory and time bounds as `micromoment()`, without a start-up per case."""
    request = {
        "time_limit": TIME_LIMIT,
        "memory_limit": MEMORY_LIMIT,
        "parallel": 3,
        "cases": [{"id": c.id, "root": str(where[c.id]), "args": list(c.command)} for c in chosen],
    }
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("forked.py")), "batch"],
        input=json.dumps(request),
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=TIME_LIMIT * len(chosen),
    )
    answers = json.loads(done.stdout)
    return {c.id: Run(root=where[c.id], **answers[c.id]) for c in chosen}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_broken_content_gets_a_clear_exit(case: Case, runs: dict[str, Run | dict[str, str]]) -> None:
    if case.kind == "unreadable" and IS_ROOT:
        pytest.skip("root reads any file, so nothing is unreadable")
    run = runs[case.id]
    assert isinstance(run, Run)
    shown = f"micromoment {' '.join(case.command)} -> {run.returncode}\n{run.stderr[-2000:]}"
    assert run.returncode >= 0, shown  # never killed by a signal (a segfault is -11)
    assert run.returncode in expected_exits(case.place, case.command[0]), shown
    assert "Traceback" not in run.stderr, shown
    assert run.seconds < TIME_LIMIT, shown
    assert not (run.root / "PWNED").exists(), "a python tag ran code"
    if run.returncode == 2:
        # One clear line per problem, naming what to fix: the file, or the command's own words.
        assert run.stderr.strip(), shown
        assert all(len(line) < 1000 for line in run.stderr.splitlines()), shown
    if case.place == "record" and case.command[0] in NAMED_IN_WARNING:
        assert BROKEN in run.stderr and "micromoment lint" in run.stderr, shown
    read_by_command = not (case.command[0] == "check" and case.place in ("checklist", "config"))
    if (case.place in ("answers", "deon", "checklist", "config") and read_by_command) or (
        case.place == "record" and case.command[0] == "lint"
    ):
        assert Path(PLACES[case.place][0]).name in run.stdout + run.stderr, shown  # lint reports on stdout


@pytest.mark.parametrize("kind", list(CACHE_KINDS))
def test_a_damaged_cache_never_changes_an_answer(kind: str, runs: dict[str, Run | dict[str, str]]) -> None:
    if kind == "unreadable" and IS_ROOT:
        pytest.skip("root reads any file, so nothing is unreadable")
    case = next(c for c in CASES if c.kind == kind and c.place == "cache")
    run = runs[case.id]
    clean = runs["clean"]
    assert isinstance(run, Run) and isinstance(clean, dict)
    assert run.returncode == 0, run.stderr
    # A cache problem is not the person's problem; a ledger that cannot be replaced (a folder in
    # its place) is said once, since every command then pays for reading each record afresh.
    notice = "/.git/micromoment/ledger.sqlite3: cannot be used as micromoment's ledger; every record is read afresh"
    allowed = ("", f"{run.root}{notice}\n") if kind == "folder" else ("",)
    assert run.stderr in allowed, run.stderr
    assert _relative(run.stdout, run.root) == clean[case.command[0]]


def test_the_matrix_covers_every_kind_place_and_command() -> None:
    assert len(KINDS) >= 12 and set(CACHE_KINDS) == set(KINDS)
    for place, (_, _, commands) in PLACES.items():
        assert {c.kind for c in CASES if c.place == place} == set(KINDS), place
        assert {c.command for c in CASES if c.place == place} == set(commands), place


# --- readers reached in-process: drafts, command-line options, lint's verdict on numbers -------


@pytest.mark.parametrize(
    "kind", ["deep-nesting", "alias-bomb", "invalid-date", "bad-bytes", "empty", "folder", "device"]
)
def test_a_damaged_draft_is_named_never_a_traceback(cli: Cli, mini: Path, kind: str) -> None:
    draft = mini / ".git/micromoment/drafts/2026-11-22-mini-ab12.yaml"
    put(draft, KINDS[kind]("kind: draft\nschema_version: 1\nid: 2026-11-22-mini-ab12\n"))
    result = cli("review", "--resume", "--interactive", input="\n")
    assert result.exit_code == 2, result.output
    assert ".git/micromoment/drafts/2026-11-22-mini-ab12.yaml" in result.stderr, result.stderr
    assert (
        "damaged draft set aside as .git/micromoment/drafts/2026-11-22-mini-ab12.yaml.damaged-"
        in result.stderr
    )
    assert result.stderr.splitlines()[-1] == (
        "micromoment: no unfinished review to resume; start one with micromoment review"
    )
    assert not draft.exists() and len(list(draft.parent.glob(f"{draft.name}.damaged-*"))) == 1


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (
            ["--id", "Bad_ID"],
            "micromoment: --id 'Bad_ID': must be a slug: lowercase letters and digits joined by single "
            "hyphens, e.g. data-in-prompts; try --id bad-id",
        ),
        (
            ["--owner", ""],
            "micromoment: --owner '': must not be empty; name the role that owns the items, "
            "e.g. --owner 'product manager'",
        ),
        (
            ["--owner", "   "],
            "micromoment: --owner '   ': must not be empty; name the role that owns the items, "
            "e.g. --owner 'product manager'",
        ),
        (
            ["--minutes", "inf"],
            "micromoment: --minutes inf: must be a finite number, such as 5 or 0.5; "
            "give the minutes each item takes, e.g. --minutes 5",
        ),
    ],
)
def test_import_deon_options_are_checked_in_our_words(
    cli: Cli, repo: Path, option: list[str], expected: str
) -> None:
    result = cli("import-deon", str(FIXTURES / "deon-checklist.yaml"), *option)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == expected
    assert result.stdout == ""


def test_a_good_id_still_imports(cli: Cli, repo: Path) -> None:
    result = cli(
        "import-deon", str(FIXTURES / "deon-checklist.yaml"), "--id", "launch-ethics", "--owner", "data lead"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# yaml-language-server") and "id: launch-ethics" in result.stdout


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "1.0e+999"])
def test_lint_refuses_minutes_that_are_not_a_number(cli: Cli, mini: Path, value: str) -> None:
    path = mini / ".micromoment/checklists/mini.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index("    minutes: 1") + 1
    path.write_text(text.replace("    minutes: 1\n", f"    minutes: {value}\n", 1), encoding="utf-8")
    result = cli("lint", str(path))
    assert result.exit_code == 2, result.output
    assert (
        f".micromoment/checklists/mini.yaml:{line}:14: items[0].minutes: {value} is not a finite number"
        in result.stdout
    )
