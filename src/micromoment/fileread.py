"""Reading a file whose kind micromoment cannot vouch for (a record, a cache, a template),
without waiting and without running out of memory: only a regular file, opened without
blocking (a named pipe put in its place never makes the read wait), never more than a limit.
Light: the standard library only (until there is a problem to name), for the warm paths of
list, render and stats."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

from micromoment.limits import size_text

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def read_regular(path: Path | str, limit: int) -> bytes | None:
    """The bytes of a regular file of at most `limit` bytes; None for anything else: no such
    file, a folder, a device or a pipe (also one swapped in after a check), a file too big, or
    one that cannot be read. The caller's full path then says what is wrong, if anything."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        with os.fdopen(fd, "rb") as handle:  # closes fd
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            # Sized to the file: a read sized to the limit allocates megabytes for every record.
            data = handle.read(min(info.st_size, limit) + 1)
            if len(data) > info.st_size:  # it grew since: the rest, up to the limit
                data += handle.read(limit - len(data) + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None


def read_limited(path: Path, limit: int, display: str | Callable[[], str] | None = None) -> bytes:
    """`read_regular`, for a file that must be there: anything else is a FileProblems saying
    what is wrong and what to do. `display` (or a function giving it, called only when there
    is a problem) names the file."""
    data = read_regular(path, limit)
    if data is not None:
        return data
    from micromoment.errors import FileProblems, Problem

    shown = (display() if callable(display) else display) or str(path)
    raise FileProblems([Problem(shown, None, None, "", _unreadable(path, limit))])


def _unreadable(path: Path, limit: int) -> str:
    """Why `read_regular` gave nothing, asked again: the file may have changed since, as it may
    between any check and a read."""
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode):
            os.close(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except FileNotFoundError:
        return "no such file; check the path"
    except OSError as exc:
        hint = "; check its permissions" if isinstance(exc, PermissionError) else ""
        return f"cannot read: {exc.strerror or exc}{hint}"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, expected a file; move the folder away"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a device or a pipe?); replace it with a file"
    if info.st_size <= limit:
        return "cannot read it whole; check the disk and try again"
    return f"larger than {size_text(limit)}; not a file micromoment writes or reads"
