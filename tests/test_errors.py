"""The net under every failure: one stderr line, a log with the traceback, exit 2; never a raw traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PATIENCE, Cli, git, run_module
from micromoment.cli import checklist_commands


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom \x1b[2J")


def git_dir(repo: Path) -> Path:
    return Path(git(repo, "rev-parse", "--absolute-git-dir").strip())


def test_an_unexpected_exception_is_one_line_and_a_log(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checklist_commands, "light_catalog", boom)
    result = cli("list")
    assert result.exit_code == 2
    log = git_dir(repo) / "micromoment/micromoment.log"
    assert result.stderr.splitlines() == [
        f"micromoment: unexpected error in list: RuntimeError: boom ; details in {log}"
    ]
    assert result.stdout == ""
    text = log.read_text(encoding="utf-8")
    assert "command: list" in text
    assert "Traceback (most recent call last)" in text
    assert 'raise RuntimeError("boom \\x1b[2J")' in text and text.endswith("RuntimeError: boom \x1b[2J\n")


def test_outside_a_repository_the_log_goes_to_the_user_cache_then_temp(
    cli: Cli, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checklist_commands, "light_catalog", boom)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = cli("list")
    log = tmp_path / "cache/micromoment/micromoment.log"
    assert result.exit_code == 2
    assert result.stderr.endswith(f"; details in {log}\n")
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")

    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temp"))
    result = cli("list")
    assert result.stderr.endswith(f"; details in {tmp_path / 'temp/micromoment/micromoment.log'}\n")


def test_debug_shows_the_traceback_instead(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checklist_commands, "light_catalog", boom)
    result = cli("list", env={"MICROMOMENT_DEBUG": "1"})
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last)")
    assert result.stderr.endswith("RuntimeError: boom \x1b[2J\n")
    assert not (git_dir(repo) / "micromoment/micromoment.log").exists()


def test_ctrl_c_stays_130(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(checklist_commands, "light_catalog", interrupted)
    result = cli("list")
    assert result.exit_code == 130
    assert result.stderr == "micromoment: interrupted\n"


def test_usage_errors_still_pass_through_to_typer(cli: Cli, repo: Path) -> None:
    result = cli("show")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
    assert "unexpected" not in result.stderr


def test_an_unwritable_step_summary_names_the_variable_to_fix(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "/nonexistent/dir/x.md")
    done = run_module(["check", "--staged"], cwd=repo)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "micromoment: /nonexistent/dir/x.md: cannot append the step summary: No such file or directory; "
        "point GITHUB_STEP_SUMMARY at a file in a folder that exists"
    ]


def broken_run(module: str, function: str, error: str, command: str) -> str:
    """A script that runs `micromoment COMMAND` with MODULE.FUNCTION raising ERROR."""
    return (
        f"import sys\nimport {module} as target\n"
        f"def broken(*args, **kwargs): raise {error}\n"
        f"target.{function} = broken\nsys.argv = ['micromoment', '{command}']\n"
        "from micromoment.__main__ import main\nmain()\n"
    )


def run_script(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=PATIENCE, check=False
    )


def test_an_os_error_nobody_expected_is_a_located_line_and_a_log(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = broken_run(
        "micromoment.cli.gate_commands",
        "_print_outcome",
        "FileNotFoundError(2, 'No such file or directory', '/gone/away.md')",
        "check",
    )
    done = run_script(script, repo)
    assert done.returncode == 2
    log = git_dir(repo) / "micromoment/micromoment.log"
    assert done.stderr.splitlines() == [
        f"micromoment: /gone/away.md: No such file or directory; details in {log}"
    ]
    assert "FileNotFoundError" in log.read_text(encoding="utf-8")
    monkeypatch.setenv("MICROMOMENT_DEBUG", "1")
    debug = run_script(script, repo)
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr


def test_the_hook_fast_path_has_the_same_net(repo: Path) -> None:
    done = run_script(
        broken_run("micromoment.gate.hook", "run", "ValueError('no rules today')", "hook"), repo
    )
    assert done.returncode == 2
    log = git_dir(repo) / "micromoment/micromoment.log"
    assert done.stderr.splitlines() == [
        f"micromoment: unexpected error in hook: ValueError: no rules today; details in {log}"
    ]
    assert "Traceback" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["--help"], ["show", "quick"], ["list"]])
def test_a_reader_that_closes_the_pipe_early_gets_no_error(repo: Path, args: list[str]) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "micromoment", *args], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(1)
    reader.stdout.close()  # like `| head -1`
    assert reader.wait(timeout=PATIENCE) in (0, 1)
    stderr = reader.stderr.read()
    assert b"Traceback" not in stderr and b"unexpected" not in stderr and b"Broken" not in stderr
