"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from micromoment.errors import MicromomentError, Refused
from micromoment.locations import display_path

# What to do about the OS faults a person can fix; the rest fall back to the system's own words.
_FIXES = {
    errno.ENOSPC: "free some space and run the command again",
    errno.EDQUOT: "free some space (the disk quota is used up) and run the command again",
    errno.EACCES: "check the folder's permissions",
    errno.EPERM: "check the folder's permissions",
    errno.EROFS: "the file system is read-only; write somewhere else",
    errno.ENAMETOOLONG: "use a shorter file name",
    errno.ENOTDIR: "a file stands where a folder is expected; move it or pick another path",
    errno.EISDIR: "a folder has that name; give a file path instead",
}


class WriteFailed(MicromomentError):
    """A file could not be written; the message names the path, the reason and the fix."""

    def __init__(self, path: Path, reason: str, fix: str = "") -> None:
        super().__init__(f"{shown(path)}: cannot write: {reason}" + (f"; {fix}" if fix else ""))


def shown(path: Path) -> str:
    """The path as the person would type it, even when the folder around it is in trouble."""
    try:
        return display_path(path)
    except (OSError, ValueError):
        return str(path)


def _failed(path: Path, exc: OSError | ValueError) -> WriteFailed:
    if isinstance(exc, ValueError):  # a NUL byte in the name: the OS refuses it before trying
        return WriteFailed(path, "the file name holds a character files cannot have", "pick another name")
    return WriteFailed(path, exc.strerror or str(exc), _FIXES.get(exc.errno or 0, ""))


def _current_umask() -> int:
    """The process's umask. Linux shows it without changing it; elsewhere set and restore it at once."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode open() gives a new file: 0666 less the umask."""
    return 0o666 & ~_current_umask()


def new_folder_mode() -> int:
    """The mode mkdir() gives a new folder: 0777 less the umask (a temp folder gets 0700)."""
    return 0o777 & ~_current_umask()


@dataclass
class Staged:
    """A file's new content, written and synced beside it, waiting for one rename to take its place."""

    path: Path
    temp: Path

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.temp.unlink(missing_ok=True)


def stage(path: Path, text: str, *, make_parents: bool = True) -> Staged:
    """Write `text` into a synced temp file in `path`'s folder, with the mode the file will keep.

    A new file gets the mode open() would give it (the umask decides); a file being replaced
    keeps its own. Every fault a person can fix (missing folder, full disk, a folder in the
    file's place, no permission) is a WriteFailed naming the path and the fix.
    """
    try:
        target = path.resolve() if path.is_symlink() else path  # a link is written through, as open() would
        current = target.stat()
    except (FileNotFoundError, NotADirectoryError):
        current = None  # a new file; a missing or odd folder is told apart below
    except (OSError, ValueError) as exc:
        raise _failed(path, exc) from None
    if current is not None and stat.S_ISDIR(current.st_mode):
        raise WriteFailed(path, "a folder has that name", "give a file path instead, or move the folder")
    if current is not None and not stat.S_ISREG(current.st_mode):
        raise WriteFailed(path, "not a regular file", "give the path of a file")
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise WriteFailed(path, f"{shown(folder)} is not a folder", "pick a path inside a folder")
    if not make_parents and not folder.is_dir():
        raise WriteFailed(
            path, f"the folder {shown(folder)} does not exist", f"create it (mkdir -p {shown(folder)}) first"
        )
    mode = new_file_mode() if current is None else stat.S_IMODE(current.st_mode)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A short prefix: a long name plus the random part must still fit the file system's limit.
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=".tmp", dir=folder)
    except (OSError, ValueError) as exc:
        raise _failed(path, exc) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _failed(path, exc) from None
    return Staged(target, temp)


def commit(staged: Staged, *, overwrite: bool = True) -> None:
    """Put a staged file in place with one rename (or a hard link, which never replaces a name)."""
    path = staged.path
    try:
        if overwrite:
            staged.temp.replace(path)
        else:
            try:
                os.link(staged.temp, path)
            except FileExistsError:
                raise Refused(f"{shown(path)}: already exists; micromoment never overwrites it") from None
        _sync_folder(path.parent)
    except OSError as exc:
        raise _failed(path, exc) from None
    finally:
        staged.discard()


def write_atomic(
    path: Path, text: str, *, overwrite: bool = True, make_parents: bool = True, to_device: bool = False
) -> None:
    """Write `text` to `path` through a synced temp file in the same folder.

    With overwrite=False the final step is a hard link, which fails if the name exists,
    so two writers racing for one name can never clobber each other. With
    make_parents=False a missing folder is an error rather than created (an output path
    a person typed: a typo should not grow folders). With to_device (an output path a person
    typed: /dev/stdout, a named pipe they read from) a device or pipe is written to rather
    than replaced; micromoment's own files (records, caches, drafts) never pass it, so a pipe
    put in their place is replaced by the file, never waited on.
    """
    if overwrite and to_device and _is_special(path):
        try:
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            raise _failed(path, exc) from None
        return
    commit(stage(path, text, make_parents=make_parents), overwrite=overwrite)


def _is_special(path: Path) -> bool:
    """A device, pipe or socket (/dev/stdout, a named pipe): written to, never replaced by a file."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class PartlyWritten(MicromomentError):
    """Some files of a set are in place and the rest are not; says which."""

    def __init__(self, written: list[Path], failed: WriteFailed, pending: list[Path]) -> None:
        self.written = written
        self.failed = failed
        self.pending = pending
        super().__init__(str(failed))


def write_together(files: Sequence[tuple[Path, str]]) -> None:
    """Write files that belong together (a record and its Markdown): all of them, or none.

    Every file is staged (written and synced) before any takes its place, so a full disk or a
    folder in a file's place changes nothing. Only a rename failing between two renames can
    leave some in place; that is a PartlyWritten naming what landed and what did not.
    """
    staged: list[Staged] = []
    try:
        for path, text in files:
            staged.append(stage(path, text))
    except BaseException:
        for done in staged:
            done.discard()
        raise
    written: list[Path] = []
    try:
        for index, one in enumerate(staged):
            try:
                commit(one)
            except WriteFailed as exc:
                if not written:
                    raise
                raise PartlyWritten(written, exc, [s.path for s in staged[index:]]) from None
            written.append(one.path)
    finally:
        for one in staged:
            one.discard()


def read_existing(path: Path) -> str | None:
    """An output file's current text, to skip rewriting what is already there; None when absent
    or not readable as text (it is then simply replaced)."""
    try:
        if not path.is_file():  # reading a pipe or a device would wait, or take what is not ours
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _sync_folder(folder: Path) -> None:
    """Persist the rename itself; not every platform lets a folder be opened for this."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
