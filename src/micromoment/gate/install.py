"""A plain git pre-commit hook for teams without the pre-commit framework."""

from __future__ import annotations

import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from micromoment.errors import Refused
from micromoment.files import write_atomic
from micromoment.git import Repo, run_git

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
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(repo: Repo, *, force: bool = False) -> Installed:
    folder = hooks_dir(repo)
    hook = folder / HOOK_NAME
    chained = folder / f"{HOOK_NAME}{CHAINED_SUFFIX}"
    if hook.exists() and not is_ours(hook):
        if chained.exists() and not force:
            raise Refused(
                f"{hook} is another tool's hook and {chained.name} already exists; "
                "move one of them aside, or run micromoment hook install --force to replace the hook"
            )
        if not chained.exists():
            hook.rename(chained)  # kept, and run first by ours
    write_atomic(hook, hook_script(sys.executable))
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return Installed(hook, chained if chained.exists() else None)


def uninstall(repo: Repo) -> tuple[Path, bool]:
    """Remove micromoment's hook and restore a chained one. (path, whether a hook was restored)"""
    folder = hooks_dir(repo)
    hook = folder / HOOK_NAME
    chained = folder / f"{HOOK_NAME}{CHAINED_SUFFIX}"
    if hook.exists() and not is_ours(hook):
        raise Refused(f"{hook} is not micromoment's hook; leaving it as it is")
    hook.unlink(missing_ok=True)
    if chained.exists():
        chained.rename(hook)
        return hook, True
    return hook, False
