"""A plain git pre-commit hook for teams without the pre-commit framework."""

from __future__ import annotations

import shlex
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from micromoment.errors import MicromomentError, Refused
from micromoment.fileread import read_regular
from micromoment.files import write_atomic
from micromoment.git import Repo, run_git
from micromoment.limits import MAX_HOOK_SCRIPT_BYTES

MARKER = "# micromoment-managed hook"
HOOK_NAME = "pre-commit"
CHAINED_SUFFIX = ".pre-micromoment"


def hooks_dir(repo: Repo) -> tuple[Path, bool]:
    """The folder git really runs hooks from (core.hooksPath and linked worktrees honoured), and
    whether it is inside this repository."""
    asked = ["rev-parse", "--git-path", "hooks", "--git-common-dir"]
    hooks, common = run_git(asked, repo.root).decode().splitlines()
    root = Path(repo.root)
    folder, owned = (root / hooks).resolve(), [root.resolve(), (root / common).resolve()]
    return folder, any(folder == root or root in folder.parents for root in owned)


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


class Installed(NamedTuple):
    path: Path
    chained: Path | None


def is_ours(path: Path) -> bool:
    text = read_regular(path, MAX_HOOK_SCRIPT_BYTES)  # a hook script; never a pipe to wait on
    return text is not None and MARKER.encode("utf-8") in text


def install(repo: Repo, *, force: bool = False) -> Installed:
    """Install the hook where git runs hooks for this repository, chaining one already there.

    A core.hooksPath outside the repository (usually set globally) is a folder every
    repository of the person may share; a hook there would run for all of them, so
    installing there needs --force.
    """
    folder, inside = hooks_dir(repo)
    if not force and not inside:
        raise Refused(
            f"{folder}: core.hooksPath (git config --show-origin core.hooksPath) points outside this "
            "repository, so a hook installed there would run for every repository that uses it; set a hooks "
            "folder for this repository only (git config --local core.hooksPath .git/hooks), or run "
            "micromoment hook install --force to install there anyway"
        )
    hook = folder / HOOK_NAME
    chained = folder / f"{HOOK_NAME}{CHAINED_SUFFIX}"
    if hook.is_dir():
        raise MicromomentError(f"{hook}: a folder has the hook's name; move it aside and install again")
    if hook.exists() and not is_ours(hook) and chained.exists() and not force:
        raise Refused(
            f"{hook} is another tool's hook and {chained.name} already exists; "
            "move one of them aside, or run micromoment hook install --force to replace the hook"
        )
    with _os_step(hook):
        if hook.exists() and not is_ours(hook) and not chained.exists():
            hook.rename(chained)  # kept, and run first by ours
        write_atomic(hook, hook_script(sys.executable))
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return Installed(hook, chained if chained.exists() else None)


@contextmanager
def _os_step(path: Path) -> Iterator[None]:
    """File-system steps on a hook, a failure a message that names the file and the fix."""
    try:
        yield
    except OSError as exc:
        raise MicromomentError(
            f"{path}: {exc.strerror or exc}; check the hooks folder's permissions"
        ) from None


def uninstall(repo: Repo) -> tuple[Path, bool]:
    """Remove micromoment's hook and restore a chained one. (path, whether a hook was restored)"""
    folder, _ = hooks_dir(repo)
    hook = folder / HOOK_NAME
    chained = folder / f"{HOOK_NAME}{CHAINED_SUFFIX}"
    if hook.exists() and not is_ours(hook):
        raise Refused(f"{hook} is not micromoment's hook; leaving it as it is")
    with _os_step(hook):
        hook.unlink(missing_ok=True)
        if chained.exists():
            chained.rename(hook)
            return hook, True
    return hook, False
