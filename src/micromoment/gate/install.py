"""A plain git pre-commit hook for teams without the pre-commit framework."""

from __future__ import annotations

import shlex
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from micromoment.errors import MicromomentError, Refused
from micromoment.fileread import read_regular
from micromoment.files import write_atomic
from micromoment.git import GitFailed, Repo, run_git
from micromoment.limits import MAX_HOOK_SCRIPT_BYTES

MARKER = "# micromoment-managed hook"
HOOK_NAME = "pre-commit"
CHAINED_SUFFIX = ".pre-micromoment"


def hooks_dir(repo: Repo) -> Path:
    """The folder git really runs hooks from: honours core.hooksPath and linked worktrees."""
    raw = run_git(["rev-parse", "--git-path", "hooks"], repo.root).decode().strip()
    return (Path(repo.root) / raw).resolve()


def hook_script(python: str) -> str:
    quoted = shlex.quote(python)
    return f"""#!/bin/sh
{MARKER}: `micromoment hook uninstall` removes it and puts back any hook it chained.
hooks_dir=$(dirname "$0")
if [ -x "$hooks_dir/{HOOK_NAME}{CHAINED_SUFFIX}" ]; then
  "$hooks_dir/{HOOK_NAME}{CHAINED_SUFFIX}" "$@" || exit $?
fi
if [ -x {quoted} ]; then
  exec {quoted} -m micromoment hook
fi
if command -v micromoment >/dev/null 2>&1; then
  exec micromoment hook
fi
echo "micromoment: not installed where this hook expects it; reinstall it, or run: micromoment hook uninstall" >&2
exit 1
"""


@dataclass(frozen=True)
class Installed:
    path: Path
    chained: Path | None


def is_ours(path: Path) -> bool:
    text = read_regular(path, MAX_HOOK_SCRIPT_BYTES)  # a hook script; never a pipe to wait on
    return text is not None and MARKER.encode("utf-8") in text


def _inside_repository(repo: Repo, folder: Path) -> bool:
    common = run_git(["rev-parse", "--git-common-dir"], repo.root).decode().strip()
    owned = [Path(repo.root).resolve(), (Path(repo.root) / common).resolve()]
    return any(folder == root or root in folder.parents for root in owned)


def _hooks_path_setting(repo: Repo) -> str:
    """Which git config sets core.hooksPath ("global", "system", ...), for the message."""
    try:
        shown = run_git(["config", "--show-scope", "--get", "core.hooksPath"], repo.root).decode()
    except GitFailed:  # older git without --show-scope
        return "your git config"
    scope = shown.split("\t", 1)[0].strip()
    return f"your {scope} git config" if scope else "your git config"


def install(repo: Repo, *, force: bool = False) -> Installed:
    """Install the hook where git runs hooks for this repository, chaining one already there.

    A core.hooksPath outside the repository (usually set globally) is a folder every
    repository of the person may share; a hook there would run for all of them, so
    installing there needs --force.
    """
    folder = hooks_dir(repo)
    if not force and not _inside_repository(repo, folder):
        raise Refused(
            f"{folder}: core.hooksPath in {_hooks_path_setting(repo)} points outside this repository, "
            "so a hook installed there would run for every repository that uses it; set a hooks folder "
            "for this repository only (git config --local core.hooksPath .git/hooks), "
            "or run micromoment hook install --force to install there anyway"
        )
    hook = folder / HOOK_NAME
    chained = folder / f"{HOOK_NAME}{CHAINED_SUFFIX}"
    if hook.is_dir():
        raise MicromomentError(f"{hook}: a folder has the hook's name; move it aside and install again")
    if hook.exists() and not is_ours(hook):
        if chained.exists() and not force:
            raise Refused(
                f"{hook} is another tool's hook and {chained.name} already exists; "
                "move one of them aside, or run micromoment hook install --force to replace the hook"
            )
        if not chained.exists():
            _move(hook, chained)  # kept, and run first by ours
    write_atomic(hook, hook_script(sys.executable))
    with _os_step(hook, "make it executable", f"run chmod +x {hook}"):
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return Installed(hook, chained if chained.exists() else None)


@contextmanager
def _os_step(path: Path, doing: str, fix: str = "check the folder's permissions") -> Iterator[None]:
    """A file-system step on a hook, its failure a message that names the file and the fix."""
    try:
        yield
    except OSError as exc:
        raise MicromomentError(f"{path}: cannot {doing}: {exc.strerror or exc}; {fix}") from None


def _move(source: Path, target: Path) -> None:
    with _os_step(source, f"move it to {target.name}"):
        source.rename(target)


def uninstall(repo: Repo) -> tuple[Path, bool]:
    """Remove micromoment's hook and restore a chained one. (path, whether a hook was restored)"""
    folder = hooks_dir(repo)
    hook = folder / HOOK_NAME
    chained = folder / f"{HOOK_NAME}{CHAINED_SUFFIX}"
    if hook.exists() and not is_ours(hook):
        raise Refused(f"{hook} is not micromoment's hook; leaving it as it is")
    with _os_step(hook, "remove it"):
        hook.unlink(missing_ok=True)
    if chained.exists():
        _move(chained, hook)
        return hook, True
    return hook, False
