"""The commit hook: its fast path, the plain git hook, the pre-commit framework, and /dev/tty prompts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import FIXTURES, PATIENCE, Cli, ended, git, modules_at_exit, write

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"typer", "rich", "pydantic", "jinja2", "git", "click", "gettext"}


def no_terminal_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "MICROMOMENT_NONINTERACTIVE": "1", **extra}


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # A new session has no controlling terminal: /dev/tty cannot be opened, as in CI.
    return subprocess.run(
        list(args),
        cwd=repo,
        env=env or no_terminal_env(),
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,
    )


@pytest.fixture
def started(repo: Path) -> Path:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def with_mini(repo: Path) -> None:
    """A short checklist in place of the built-in prompt review, so a full walk-through stays short."""
    write(repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    write(repo / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    git(repo, "add", ".micromoment")
    git(repo, "commit", "-q", "-m", "micromoment setup")


def test_the_fast_path_loads_no_heavy_modules(started: Path) -> None:
    write(started / "src/app.py", "print('hi')\n")
    git(started, "add", "-A")
    # The first commit after a policy change reads the policy in full; every later one reads the memo.
    assert run(started, sys.executable, "-m", "micromoment", "hook").returncode == 0
    code, names = modules_at_exit(started, "hook", env=no_terminal_env())
    assert code == 0
    modules = {name.split(".")[0] for name in names}
    assert not modules & HEAVY, modules & HEAVY


def on_branch(repo: Path) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "switch", "-q", "-c", "feature")


def test_a_broken_config_that_stops_a_commit_ends_with_the_fix_and_the_bypass(repo: Path) -> None:
    write(repo / ".micromoment/config.yaml", "checklists:\n  quick: {enabled: maybe}\n")
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "src")
    done = run(repo, sys.executable, "-m", "micromoment", "hook")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        ".micromoment/config.yaml:2:20: checklists.quick.enabled: must be true or false",
        "micromoment: fix these and commit again (micromoment lint checks them)",
        "  or let this one commit through: git commit --no-verify ...",
    ]
    framework = run(
        repo, sys.executable, "-m", "micromoment", "hook", env={**no_terminal_env(), "PRE_COMMIT": "1"}
    )
    assert (
        framework.stderr.splitlines()[-1]
        == "  or let this one commit through: SKIP=micromoment git commit ..."
    )


def test_a_bad_record_committed_on_the_branch_stops_every_plain_commit(repo: Path) -> None:
    on_branch(repo)
    write(repo / ".micromoment/reviews/2026-01-05-quick-0001.yaml", "id: [not a record\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "a broken record")
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    for _ in range(2):  # the second run is the warm one every later commit sees
        done = run(repo, sys.executable, "-m", "micromoment", "hook")
        assert done.returncode == 1, done.stderr
        assert ".micromoment/reviews/2026-01-05-quick-0001.yaml" in done.stderr


def test_a_config_change_changes_what_the_hook_asks_for(started: Path) -> None:
    write(started / "notes/plan.txt", "x\n")
    git(started, "add", "-A")
    assert run(started, sys.executable, "-m", "micromoment", "hook").returncode == 0
    write(
        started / ".micromoment/config.yaml",
        "checklists:\n  genai-output-review: {also_applies_to: ['notes/']}\n",
    )
    git(started, "add", ".micromoment")
    git(started, "commit", "-q", "-m", "policy", "--no-verify")
    write(started / "notes/plan.txt", "y\n")
    git(started, "add", "-A")
    blocked = run(started, sys.executable, "-m", "micromoment", "hook")
    assert blocked.returncode == 1
    assert "  genai-output-review (GenAI output review), for notes/plan.txt" in blocked.stderr.splitlines()


def test_plain_git_hook_blocks_then_passes(cli: Cli, started: Path) -> None:
    result = cli("hook", "install")
    assert result.exit_code == 0, result.output
    write(started / "prompts/support.txt", "You are helpful.\n")
    git(started, "add", "-A")
    blocked = run(started, "git", "commit", "-m", "change the prompt")  # bounded: a wait would time out
    assert blocked.returncode == 1
    assert "genai-output-review (GenAI output review), for prompts/support.txt" in blocked.stderr
    assert "micromoment review genai-output-review" in blocked.stderr
    assert "micromoment skip genai-output-review --reason" in blocked.stderr
    assert git(started, "rev-list", "--count", "HEAD").strip() == "1"
    assert (
        cli(
            "skip", "genai-output-review", "--reason", "typo fix in the prompt, no behaviour change"
        ).exit_code
        == 0
    )
    git(started, "add", ".micromoment")
    passed = run(started, "git", "commit", "-m", "change the prompt")
    assert passed.returncode == 0, passed.stderr
    assert git(started, "rev-list", "--count", "HEAD").strip() == "2"


def test_the_hook_speaks_spanish_with_micromoment_lang_es(started: Path) -> None:
    write(started / "prompts/support.txt", "Eres de ayuda.\n")
    git(started, "add", "-A")
    done = run(
        started, sys.executable, "-m", "micromoment", "hook", env=no_terminal_env(MICROMOMENT_LANG="es")
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert "micromoment: este cambio pide revisiones que todavía no tienen registro:" in lines
    assert (
        lines[lines.index("Cómo seguir:") + 1]
        == "  respóndela ahora, y luego agrega .micromoment/ con git add:"
    )
    assert lines[-2:] == ["  o deja pasar este commit:", "    git commit --no-verify ..."]


def test_warn_policy_lets_the_commit_through(started: Path) -> None:
    write(started / ".micromoment/config.yaml", "hook: {on_missing: warn}\n")
    git(started, "add", "-A")
    git(started, "commit", "-q", "-m", "policy")
    write(started / "prompts/support.txt", "You are helpful.\n")
    git(started, "add", "-A")
    done = run(started, sys.executable, "-m", "micromoment", "hook")
    assert done.returncode == 0
    assert "hook.on_missing is warn, so the commit goes ahead" in done.stderr


def test_a_partial_commit_uses_its_own_index(cli: Cli, started: Path) -> None:
    assert cli("hook", "install").exit_code == 0
    write(started / "prompts/support.txt", "v1\n")
    write(started / "src/app.py", "v1\n")
    git(started, "add", "-A")
    git(started, "commit", "-q", "--no-verify", "-m", "both")
    write(started / "prompts/support.txt", "v2\n")
    write(started / "src/app.py", "v2\n")
    # Nothing staged; `git commit PATH` builds a temporary index (GIT_INDEX_FILE) for the hook.
    assert run(started, "git", "commit", "-m", "code only", "src/app.py").returncode == 0
    blocked = run(started, "git", "commit", "-m", "prompt only", "prompts/support.txt")
    assert blocked.returncode == 1
    assert (
        "  genai-output-review (GenAI output review), for prompts/support.txt" in blocked.stderr.splitlines()
    )


def test_install_chains_an_existing_hook_and_uninstall_restores_it(cli: Cli, started: Path) -> None:
    hooks = started / ".git/hooks"
    foreign = write(hooks / "pre-commit", "#!/bin/sh\necho foreign-hook-ran >&2\nexit 0\n")
    foreign.chmod(0o755)
    assert cli("hook", "install").exit_code == 0
    assert (
        (hooks / "pre-commit.pre-micromoment")
        .read_text(encoding="utf-8")
        .startswith("#!/bin/sh\necho foreign")
    )
    write(started / "src/app.py", "x\n")
    git(started, "add", "-A")
    done = run(started, "git", "commit", "-m", "code")
    assert done.returncode == 0 and "foreign-hook-ran" in done.stderr
    assert cli("hook", "install").exit_code == 0  # again: still one chain, not two
    assert not (hooks / "pre-commit.pre-micromoment.pre-micromoment").exists()
    assert cli("hook", "uninstall").exit_code == 0
    assert (hooks / "pre-commit").read_text(encoding="utf-8").startswith("#!/bin/sh\necho foreign")
    assert not (hooks / "pre-commit.pre-micromoment").exists()


def test_install_refuses_to_clobber_two_foreign_hooks_without_force(cli: Cli, started: Path) -> None:
    hooks = started / ".git/hooks"
    write(hooks / "pre-commit", "#!/bin/sh\nexit 0\n").chmod(0o755)
    write(hooks / "pre-commit.pre-micromoment", "#!/bin/sh\nexit 0\n").chmod(0o755)
    refused = cli("hook", "install")
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert cli("hook", "install", "--force").exit_code == 0
    assert "micromoment-managed" in (hooks / "pre-commit").read_text(encoding="utf-8")
    uninstall_foreign = cli("hook", "uninstall")
    assert uninstall_foreign.exit_code == 0


def test_install_honours_core_hooks_path(cli: Cli, started: Path) -> None:
    git(started, "config", "core.hooksPath", ".githooks")
    result = cli("hook", "install")
    assert result.exit_code == 0, result.output
    assert (started / ".githooks/pre-commit").exists()
    assert not (started / ".git/hooks/pre-commit").exists()
    write(started / "prompts/a.txt", "x\n")
    git(started, "add", "prompts")
    assert run(started, "git", "commit", "-m", "prompt").returncode == 1
    assert cli("hook", "uninstall").exit_code == 0
    assert not (started / ".githooks/pre-commit").exists()


def test_hook_files_argument_and_push_refs(started: Path) -> None:
    env = no_terminal_env()
    write(started / "prompts/a.txt", "hi\n")
    done = run(started, sys.executable, "-m", "micromoment", "hook", "prompts/a.txt", env=env)
    assert done.returncode == 1  # the framework passed a prompt file; nothing covers it
    assert "  genai-output-review (GenAI output review), for prompts/a.txt" in done.stderr.splitlines()
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "CHANGELOG.md", "## 1.0\n")
    git(started, "add", "-A")
    git(started, "commit", "-q", "-m", "release notes")
    pushed = run(
        started,
        sys.executable,
        "-m",
        "micromoment",
        "hook",
        env={**env, "PRE_COMMIT_FROM_REF": "main", "PRE_COMMIT_TO_REF": "feature"},
    )
    assert pushed.returncode == 1
    assert "  launch-readiness (Launch readiness), for CHANGELOG.md" in pushed.stderr.splitlines()


@pytest.fixture
def hook_repo(tmp_path: Path) -> Path:
    """micromoment's own source as a git repository the pre-commit framework can install from."""
    source = tmp_path / "micromoment-src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("src", "checklists", "templates", "locale"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "snapshot")
    return source


def test_through_the_real_pre_commit_framework(started: Path, hook_repo: Path, tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    write(
        started / ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: micromoment\n",
    )
    # pip skips compiling the hook environment's bytecode (a third of its install time); Python
    # compiles what the hook imports when it runs.
    env = no_terminal_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PIP_COMPILE="0")
    installed = run(started, pre_commit, "install", env=env)
    assert installed.returncode == 0, installed.stderr
    git(started, "add", ".pre-commit-config.yaml")
    write(started / "prompts/support.txt", "You are helpful.\n")
    git(started, "add", "-A")
    blocked = run(started, "git", "commit", "-m", "prompt", env=env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    output = blocked.stdout + blocked.stderr
    assert "micromoment checks" in output and "Failed" in output
    assert "micromoment review genai-output-review" in output
    skipped = run(
        started,
        sys.executable,
        "-m",
        "micromoment",
        "skip",
        "genai-output-review",
        "--reason",
        "wording only, the model sees the same instructions",
        env=env,
    )
    assert skipped.returncode == 0, skipped.stderr
    git(started, "add", ".micromoment")
    passed = run(started, "git", "commit", "-m", "prompt", env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout + passed.stderr
    # --all-files passes every tracked file; the skip record is among them, so it counts.
    everything = run(started, pre_commit, "run", "--all-files", env=env)
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert "Passed" in everything.stdout


def test_the_hook_asks_through_dev_tty(cli: Cli, started: Path) -> None:
    with_mini(started)
    assert cli("hook", "install").exit_code == 0
    write(started / "prompts/support.txt", "You are helpful.\n")
    git(started, "add", "-A")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MICROMOMENT_NONINTERACTIVE")}
    # stdin is not what the hook reads: the pre-commit framework closes it; /dev/tty is the pty here.
    child = pexpect.spawn(
        "git",
        ["commit", "-m", "prompt"],
        cwd=str(started),
        env=env,
        encoding="utf-8",
        timeout=PATIENCE,
        dimensions=(50, 120),
    )
    child.expect_exact("Answer them now?")
    child.sendline("y")
    child.expect_exact("Subject of this review")
    child.sendline("support prompt")
    for prompt, reply in [
        ("1-2", "1"),
        ("y / n / na", "y"),
        ("Answer", "Sam"),
        ("Save this review?", "y"),
    ]:
        child.expect_exact(prompt)
        child.sendline(reply)
    child.expect_exact("stage .micromoment/ and commit again")
    ended(child, 1)  # like a formatter: the commit stops so the record can be staged
    assert git(started, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(started, "status", "--porcelain", ".micromoment").startswith("??")  # never staged by the hook
    git(started, "add", ".micromoment")
    assert run(started, "git", "commit", "-m", "prompt").returncode == 0
