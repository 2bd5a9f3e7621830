"""The memo: facts worked out once and kept under the git directory by what they were
worked out from (blob ids, or files' names, sizes and times), so that a commit, `list` or
`render` need not work them out again. It only costs speed: a missing, damaged or foreign file
reads as empty, and one that cannot be written is left as it was.

`memo.json` keeps a section per kind of fact (the rules read from a policy, the packs found,
the catalog as `list` shows it); the records' verdicts, one per record on a branch, have their
own file, `verdicts.json`, so that a commit reading its rules does not parse them.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from micromoment import __version__
from micromoment.fileread import read_regular

MEMO_BYTES = 256 * 1024 * 1024
# A memo written by another version of micromoment, or in another format, is never read.
MEMO_TAG = [6, __version__]


def _memo(git_dir: str | None, section: str) -> tuple[str, dict[str, Any]]:
    """The memo file that keeps `section`, and its sections, parsed once a process for each version of the file."""
    name = "verdicts.json" if section == "records" else "memo.json"
    path = os.path.join(git_dir, "micromoment", name) if git_dir else ""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return path, {}
    return path, _parsed(path, info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=2)
def _parsed(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    raw = read_regular(path, MEMO_BYTES)  # a pipe in its place is never waited on
    try:
        data = json.loads(raw) if raw is not None else {}
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == MEMO_TAG else {}


def read_memo(git_dir: str | None, section: str) -> dict[str, Any]:
    """One section of the memo; empty for anything else."""
    found = _memo(git_dir, section)[1].get(section)
    return found if isinstance(found, dict) else {}


def write_memo(git_dir: str, section: str, entries: dict[str, Any]) -> bool:
    """Replace one section in one atomic step, keeping the others; False (and the old file
    kept) when that fails."""
    # Only when something new is remembered: a commit the memo answers never needs them.
    from pathlib import Path

    from micromoment.files import write_atomic

    path, sections = _memo(git_dir, section)
    # Key order is kept, not sorted: callers keep entries in age order and drop the oldest first.
    text = json.dumps({**sections, "format": MEMO_TAG, section: entries})
    try:
        write_atomic(Path(path), text + "\n")
    except Exception:  # a memo that cannot be written only costs speed
        return False
    return True


def common_dir(git_dir: str) -> str:
    """The git directory that holds the refs and the synced packs: a linked worktree's
    `commondir` points to it."""
    found = (read_regular(os.path.join(git_dir, "commondir"), 4096) or b"").decode("utf-8", "replace").strip()
    return os.path.normpath(os.path.join(git_dir, found)) if found else git_dir


def stamps(root: str, names: list[str]) -> list[str]:
    """Each file's name, size and time, for those that exist: what a memo's key says of files
    that have no blob id."""
    found = []
    for name in names:
        try:
            info = os.stat(os.path.join(root, name))
        except OSError:
            continue
        found.append(f"{name} {info.st_size} {info.st_mtime_ns}")
    return found
