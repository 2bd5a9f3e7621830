"""Reading a file whose kind micromoment cannot vouch for (a record, a cache, a template),
without waiting and without running out of memory: only a regular file, opened without
blocking (a named pipe put in its place never makes the read wait), never more than a limit.
Light: the standard library only, for the warm paths of list, render and stats."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data if len(data) <= limit else None
