"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from micromoment.errors import MicromomentError, Refused


def write_atomic(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` to `path` through a synced temp file in the same folder.

    With overwrite=False the final step is a hard link, which fails if the name exists,
    so two writers racing for one name can never clobber each other.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise MicromomentError(
            f"{path}: cannot write: {exc.strerror or exc}; check the folder's permissions"
        ) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            temp.replace(path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise Refused(f"{path}: already exists; micromoment never overwrites it") from None
            finally:
                temp.unlink(missing_ok=True)
        _sync_folder(path.parent)
    except OSError as exc:
        raise MicromomentError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        temp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Persist the rename itself; not every platform lets a folder be opened for this."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
