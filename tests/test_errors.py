"""The net under every failure: one stderr line, a log with the traceback, exit 2; never a raw traceback."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PATIENCE, Cli, run_module
from micromoment.cli import checklist_commands


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom \x1b[2J")


def state_log() -> Path:
    """Where the log goes in a test: under the test's own HOME (tests/conftest.py sets it)."""
    return Path(os.environ["HOME"]) / ".local/state/micromoment/micromoment.log"


def test_an_unexpected_exception_is_one_line_and_a_log(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checklist_commands, "find_project", boom)
    result = cli("list")
    assert result.exit_code == 2
    log = state_log()
    assert result.stderr.splitlines() == [
        f"micromoment: unexpected error in list: RuntimeError: boom ; details in {log}"
    ]
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert result.stdout == ""
    text = log.read_text(encoding="utf-8")
    assert "command: list" in text
    assert "Traceback (most recent call last)" in text
    assert 'raise RuntimeError("boom \\x1b[2J")' in text and text.endswith("RuntimeError: boom \x1b[2J\n")


def test_the_log_goes_to_the_users_own_state_folder_or_nowhere(
    cli: Cli, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checklist_commands, "find_project", boom)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    result = cli("list")
    log = tmp_path / "state/micromoment/micromoment.log"
    assert result.exit_code == 2
    assert result.stderr.endswith(f"; details in {log}\n")
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")

    # A folder that cannot be made: no log anywhere else (never the shared temp folder)
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "not-a-folder"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temp"))
    result = cli("list")
    assert result.stderr.endswith("; run again with MICROMOMENT_DEBUG=1 for details\n")
    assert not (tmp_path / "temp").exists()


def test_a_link_planted_in_the_logs_place_is_not_followed(
    cli: Cli, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checklist_commands, "find_project", boom)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "state/micromoment").mkdir(parents=True)
    (tmp_path / "state/micromoment/micromoment.log").symlink_to(victim)
    result = cli("list")
    assert result.exit_code == 2
    assert result.stderr.endswith("; run again with MICROMOMENT_DEBUG=1 for details\n")
    assert victim.read_text(encoding="utf-8") == "keep me\n"

    # A state folder that is itself a link to someone else's folder is not the user's own either
    (tmp_path / "state/micromoment/micromoment.log").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "linked"))
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked/micromoment").symlink_to(elsewhere)
    result = cli("list")
    assert result.stderr.endswith("; run again with MICROMOMENT_DEBUG=1 for details\n")
    assert list(elsewhere.iterdir()) == []


def test_debug_shows_the_traceback_instead(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checklist_commands, "find_project", boom)
    result = cli("list", env={"MICROMOMENT_DEBUG": "1"})
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last)")
    assert result.stderr.endswith("RuntimeError: boom \x1b[2J\n")
    assert not state_log().exists()


def test_ctrl_c_stays_130(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(checklist_commands, "find_project", interrupted)
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
    log = state_log()
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
        broken_run("micromoment.cli.hook", "check_change", "ValueError('no rules today')", "hook"), repo
    )
    assert done.returncode == 2
    log = state_log()
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


@pytest.mark.parametrize(("command", "stream"), [("check", "stdout"), ("hook", "stderr")])
def test_a_gate_whose_reader_is_gone_never_passes(repo: Path, command: str, stream: str) -> None:
    # The change calls for a review; the verdict's reader closes its end before it is written.
    (repo / "prompts").mkdir()
    (repo / "prompts/support.txt").write_text("Answer kindly.\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    gate = subprocess.Popen(
        [sys.executable, "-m", "micromoment", command],
        cwd=repo,
        env={**os.environ, "MICROMOMENT_NONINTERACTIVE": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if stream == "stdout" else subprocess.DEVNULL,
        stderr=subprocess.PIPE if stream == "stderr" else subprocess.DEVNULL,
    )
    getattr(gate, stream).close()
    assert gate.wait(timeout=PATIENCE) == 1


@pytest.fixture(scope="module")
def another_user() -> Iterator[str]:
    """A second user on this machine, made for the test and removed after it (root only)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("needs root and useradd to make a second user")
    name = f"mmplanter{os.getpid()}"
    subprocess.run(["useradd", "--no-create-home", name], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.mark.parametrize("plant", ["the state folder", "a log in their folder", "a log in a loose folder"])
def test_a_link_another_user_planted_is_not_followed(
    cli: Cli, outside: Path, monkeypatch: pytest.MonkeyPatch, another_user: str, plant: str
) -> None:
    monkeypatch.setattr(checklist_commands, "find_project", boom)
    shared = Path(tempfile.mkdtemp())  # a folder every user may write to, as a shared temp folder is
    try:
        shared.chmod(0o1777)
        state = shared / "micromoment"
        if plant == "a log in a loose folder":
            state.mkdir(mode=0o777)  # the user's own folder, left writable by everyone
            state.chmod(0o777)

        def as_them(*command: str) -> None:
            subprocess.run(command, check=True, user=another_user, cwd=shared)

        as_them("mkdir", "theirs")
        as_them("sh", "-c", "printf 'their own\\n' > theirs/micromoment.log")
        if plant == "the state folder":
            as_them("ln", "-s", str(shared / "theirs"), str(state))
        else:
            if plant == "a log in their folder":
                as_them("mkdir", str(state))
            as_them("ln", "-s", str(shared / "theirs/micromoment.log"), str(state / "micromoment.log"))
        result = cli("list", env={"XDG_STATE_HOME": str(shared)})
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            "micromoment: unexpected error in list: RuntimeError: boom ; "
            "run again with MICROMOMENT_DEBUG=1 for details"
        ]
        theirs = shared / "theirs/micromoment.log"
        assert theirs.read_text(encoding="utf-8") == "their own\n"
        assert theirs.stat().st_uid == pwd.getpwnam(another_user).pw_uid
        assert sorted(p.name for p in (shared / "theirs").iterdir()) == ["micromoment.log"]
        assert (state if plant == "the state folder" else state / "micromoment.log").is_symlink()
    finally:
        shutil.rmtree(shared)
