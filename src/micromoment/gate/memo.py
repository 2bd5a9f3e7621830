"""The gate's memo, `<git-dir>/micromoment/memo.json`: a section per kind of fact (the rules
read from a set of policy files, the verdict on a record, the catalog as `list` shows it, the
packs installed), and what its keys are made of. It only ever costs speed: a missing, damaged,
truncated or foreign file reads as empty, and a write that fails leaves the old file."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from micromoment import __version__
from micromoment.checklists.packs import Pack, installed_packs, one_of_each, synced_packs
from micromoment.detect.table import rules_file_stamp
from micromoment.fileread import read_regular
from micromoment.git.objects import common_dir
from micromoment.locations import is_checklist_name, shipped_folder

MEMO_BYTES = 256 * 1024 * 1024
# A memo written by another version of micromoment, or in another format, is never read.
MEMO_TAG = [5, __version__]


def shipped_stamp(packs: list[Pack]) -> list[str]:
    """This install's own checklists and the packs' as the memo's key needs them: micromoment's
    version, each pack's, and each file's name, size and time (an editable install changes them
    without a new version)."""
    stamps = [__version__, rules_file_stamp()]
    for folder, label in [(shipped_folder("checklists"), ""), *((p.folder, p.label) for p in packs)]:
        stamps += [f"{label} {folder}", *file_stamps(folder, checklist_names(folder))]
    return stamps


def found_packs(git_dir: str | None) -> list[Pack]:
    """The packs installed and synced. The installed ones are remembered under the times of the
    import path's folders (installing or removing a distribution changes them), so that a commit
    does not load importlib.metadata to find them."""
    here = os.getcwd()
    key = "\n".join(file_stamps("", [folder for folder in sys.path if folder and folder != here]))
    try:
        installed = [Pack(*map(str, pack)) for pack in read_memo(git_dir, "packs")[key]]
    except (LookupError, TypeError):
        installed = list(installed_packs())
        if git_dir is not None:
            write_memo(git_dir, "packs", {key: installed})
    return one_of_each(installed + synced_packs(common_dir(git_dir) if git_dir else None))


def _memo(git_dir: str | None) -> dict[str, Any]:
    path = os.path.join(git_dir, "micromoment", "memo.json") if git_dir else None
    raw = read_regular(path, MEMO_BYTES) if path else None  # a pipe in its place is never waited on
    try:
        data = json.loads(raw) if raw is not None else {}
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == MEMO_TAG else {}


def read_memo(git_dir: str | None, section: str) -> dict[str, Any]:
    """One section of the memo; empty for anything else."""
    found = _memo(git_dir).get(section)
    return found if isinstance(found, dict) else {}


def write_memo(git_dir: str, section: str, entries: dict[str, Any]) -> bool:
    """Replace one section in one atomic step, keeping the others; False (and the old file
    kept) when that fails."""
    from pathlib import Path

    from micromoment.files import write_atomic

    # Key order is kept, not sorted: callers keep entries in age order and drop the oldest first.
    text = json.dumps({**_memo(git_dir), "format": MEMO_TAG, section: entries})
    try:
        write_atomic(Path(git_dir, "micromoment", "memo.json"), text + "\n")
    except Exception:  # a memo that cannot be written only costs speed
        return False
    return True


def checklist_names(folder: str) -> list[str]:
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return [name for name in names if is_checklist_name(name)]


def file_stamps(root: str, names: list[str]) -> list[str]:
    stamps = []
    for name in names:
        try:
            info = os.stat(os.path.join(root, name))
        except OSError:
            continue
        stamps.append(f"{name} {info.st_size} {info.st_mtime_ns}")
    return stamps
