"""Which files in a folder are records, and how a command line and a problem name one. Light
(standard library only): a warm ledger lists the records, and the commit hook judges paths,
without loading the record model."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from micromoment.errors import NotFound
from micromoment.locations import display_path

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import TypeVar

    _RecordPath = TypeVar("_RecordPath", str, Path)

RECORD_SUFFIXES = (".yaml", ".yml")


def is_record_name(name: str) -> bool:
    """Whether a file of this name in the reviews folder is a record. The one rule every command
    and the gate apply: YAML by either suffix, and not hidden (a hidden file is an editor's or a
    tool's; micromoment never names a record so)."""
    return name.endswith(RECORD_SUFFIXES) and not name.startswith(".")


def is_record_path(path: str, reviews_dir: str) -> bool:
    """Whether `path` (relative to the repository, with `/`) is a record: directly in the
    reviews folder, and named as `is_record_name` says."""
    folder, _, name = path.rpartition("/")
    return folder == reviews_dir.rstrip("/") and is_record_name(name)


def markdown_path(record: _RecordPath) -> _RecordPath:
    """Where a record's readable Markdown sits: beside it, under the same name."""
    if isinstance(record, str):
        return next((record.removesuffix(s) for s in RECORD_SUFFIXES if record.endswith(s)), record) + ".md"
    return record.with_name(markdown_path(record.name))


def named_record(path: Path) -> Path | None:
    """The record a path given on the command line names: the file itself, or the record beside
    a Markdown file; None when it names no existing record or Markdown file."""
    if not path.exists():
        return None
    if path.suffix in RECORD_SUFFIXES:
        return path
    if path.suffix != ".md":
        return None
    beside = [path.with_suffix(suffix) for suffix in RECORD_SUFFIXES]
    return next((p for p in beside if p.exists()), beside[0])


def find_named(folder: Path, ref: str, noun: str, how: str) -> Path:
    """The record `ref` names on a command line: by its path, its id, or the start or the end of
    one id (its random suffix, `b052`, is enough when no other id ends so).
    `noun` and `how` word the refusal: what kind of record, and how to name one."""
    from pathlib import Path

    named = named_record(Path(ref))
    if named is not None:
        return named
    matches = (
        [p for p in record_files(folder) if p.stem.startswith(ref) or p.stem.endswith(ref)] if ref else []
    )
    exact = [p for p in matches if p.stem == ref]
    if exact or len(matches) == 1:
        return (exact or matches)[0]
    if matches:
        shown = ", ".join(p.stem for p in matches[:5]) + (
            f" (+{len(matches) - 5} more)" if len(matches) > 5 else ""
        )
        raise NotFound(f"{ref}: ambiguous: it could be {shown}; give more of the id")
    raise NotFound(f"{ref}: no such {noun} in {display_path(folder)} ({how})")


def record_files(folder: Path) -> Iterator[Path]:
    """The record files in `folder`, in name order."""
    yield from (folder / name for name in record_names(folder))


def record_names(folder: Path) -> list[str]:
    """The names of the record files in `folder`, in order; no folder (or none readable): none."""
    try:  # scandir and sorting names: a glob sorting Paths costs a tenth of a second per 10,000
        return sorted(e.name for e in os.scandir(folder) if is_record_name(e.name))
    except OSError:  # no folder, a file in its place, no permission: no records
        return []


def not_records(folder: Path) -> list[Path]:
    """YAML files in `folder` that are not records (hidden ones): the gate and every command pass
    them over, so `lint` names them rather than let someone think they count."""
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(RECORD_SUFFIXES))
    except OSError:
        return []
    return [folder / name for name in names if not is_record_name(name)]


def record_name(path: Path) -> str:
    """A record file as problems name it: by its folder and own name, so a record that is a link
    (say, to /dev/zero) is reported under the name the person sees, not the link's target."""
    from pathlib import Path

    return str(Path(display_path(path.parent)) / path.name)
