"""The gate's memo under the git directory: what it learnt from files, by their blob ids.

One file, `<git-dir>/micromoment/memo.json`, with a section per kind of fact (the verdict on a
record, the trigger rules read from a set of policy files). It only ever costs speed: a missing,
damaged, truncated or foreign file reads as empty, and a write that fails leaves the old file.
Light on purpose: the commit hook uses it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from micromoment import __version__
from micromoment.fileread import read_regular

MEMO_LIMIT = 256 * 1024 * 1024
# A memo written by another version of micromoment, or in another format, is never read.
MEMO_TAG = [4, __version__]


def memo_path(git_dir: str | None) -> str | None:
    return os.path.join(git_dir, "micromoment", "memo.json") if git_dir else None


def read_cache(path: str | None, tag: object, field: str | None = None) -> dict[str, Any]:
    """The `field` section of a memo written with `tag` (the whole memo without one); empty for
    anything else."""
    raw = read_regular(path, MEMO_LIMIT) if path else None  # a pipe in its place is never waited on
    try:
        data = json.loads(raw) if raw is not None else {}
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != tag:
        return {}
    found = data if field is None else data.get(field)
    return found if isinstance(found, dict) else {}


def write_cache(path: str, tag: object, field: str, entries: dict[str, Any]) -> bool:
    """Replace one section in one atomic step, keeping the others; False (and the old file
    kept) when that fails."""
    from pathlib import Path

    from micromoment.files import write_atomic

    # Key order is kept, not sorted: callers keep entries in age order and drop the oldest first.
    text = json.dumps({**read_cache(path, tag), "format": tag, field: entries})
    try:
        write_atomic(Path(path), text + "\n")
    except Exception:  # a memo that cannot be written only costs speed
        return False
    return True
