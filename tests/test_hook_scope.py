"""hook install never reaches beyond this repository unless told to: a global core.hooksPath is refused."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import Cli, git, write


def test_a_global_hooks_path_is_refused_then_accepted_with_force(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-hooks"
    # The fixtures point GIT_CONFIG_GLOBAL at a file of this test's own: the developer's config stays out.
    git(repo, "config", "--global", "core.hooksPath", str(shared))
    assert Path(os.environ["GIT_CONFIG_GLOBAL"]).read_text(encoding="utf-8").count("hooksPath") == 1
    refused = cli("hook", "install")
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"micromoment: {shared}: core.hooksPath (git config --show-origin core.hooksPath) points outside this "
        "repository, so a hook installed there would run for every repository that uses it; set a hooks "
        "folder for this repository only (git config --local core.hooksPath .git/hooks), or run micromoment "
        "hook install --force to install there anyway\n"
    )
    assert not shared.exists() and not (repo / ".git/hooks/pre-commit").exists()

    forced = cli("hook", "install", "--force")
    assert forced.exit_code == 0, forced.output
    assert "micromoment-managed" in (shared / "pre-commit").read_text(encoding="utf-8")


def test_a_local_override_of_a_global_hooks_path_installs_in_the_repository(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    git(repo, "config", "--global", "core.hooksPath", str(tmp_path / "shared-hooks"))
    git(repo, "config", "--local", "core.hooksPath", ".git/hooks")
    result = cli("hook", "install")
    assert result.exit_code == 0, result.output
    assert (repo / ".git/hooks/pre-commit").exists()
    assert not (tmp_path / "shared-hooks").exists()


def test_init_hook_refuses_a_global_hooks_path_too(cli: Cli, repo: Path, tmp_path: Path) -> None:
    git(repo, "config", "--global", "core.hooksPath", str(tmp_path / "shared-hooks"))
    result = cli("init", "--hook")
    assert result.exit_code == 2
    assert "would run for every repository that uses it" in result.stderr
    assert (repo / ".micromoment/config.yaml").exists()  # what was already written stays


def test_a_new_hook_follows_the_umask_and_is_executable(cli: Cli, repo: Path) -> None:
    old = os.umask(0o022)
    try:
        assert cli("hook", "install").exit_code == 0
    finally:
        os.umask(old)
    assert (repo / ".git/hooks/pre-commit").stat().st_mode & 0o777 == 0o755


def test_a_folder_in_the_hooks_place_is_a_message(cli: Cli, repo: Path) -> None:
    write(repo / ".git/hooks/pre-commit/keep", "")
    result = cli("hook", "install")
    assert result.exit_code == 2
    assert result.stderr == (
        f"micromoment: {(repo / '.git/hooks/pre-commit').resolve()}: a folder has the hook's name; "
        "move it aside and install again\n"
    )
