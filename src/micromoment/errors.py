"""The one exception family the core raises; the CLI turns it into a message and an exit code."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the hook's fast path imports this module; pathlib and collections.abc only where needed
    from collections.abc import Iterable
    from pathlib import Path

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class MicromomentError(Exception):
    """Something the user can fix: the message says what is wrong and how to fix it."""

    exit_code = EXIT_BAD_INPUT
    # A located message already starts with `file:line:`, which editors and CI logs link.
    located = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The message as the lines printed to stderr."""
        return [self.message]


class Problem(NamedTuple):
    """One problem in one file, located as precisely as the file allows."""

    path: str
    line: int | None
    column: int | None
    where: str
    message: str

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        return f"{location}: {self.where}: {self.message}" if self.where else f"{location}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return dict(self._asdict())


class FileProblems(MicromomentError):
    """One or more files are invalid; each problem is one `path:line:column: where: what` line."""

    located = True

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UnknownChecklist(MicromomentError):
    """A checklist id that neither the built-ins nor the repository define."""


class NotFound(MicromomentError):
    """A file or folder the command needs does not exist."""


class Refused(MicromomentError):
    """The command would destroy or overwrite something without being told to."""


class Interrupted(MicromomentError):
    """The person stopped (Ctrl-C); what they answered is kept."""

    exit_code = EXIT_INTERRUPTED


# Escape sequences as a whole (CSI `ESC [ ... final`, OSC `ESC ] ... BEL or ESC \\`, two-byte
# `ESC x`), then any single C0 or C1 control, DEL, and the bidi controls that reorder what a
# reader sees (U+202A-U+202E, U+2066-U+2069, marks U+200E, U+200F, U+061C).
_ESCAPE_SEQUENCE = (
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]?"
)
CONTROL_CHARACTERS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_UNPRINTABLE: re.Pattern[str] | None = None


def plural(count: int, word: str) -> str:
    """`1 answer`, `2 answers`: the count and the word, in the right number."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` as safe to print on a terminal: no escape sequences, controls or bidi overrides.

    Newlines and tabs stay, unless `one_line` turns them into spaces. Text from checklists,
    records, file names and arguments goes through here before it reaches a terminal, so a
    crafted title cannot clear the screen, forge a link or reverse what the reader sees.
    """
    global _UNPRINTABLE
    if _UNPRINTABLE is None:
        _UNPRINTABLE = re.compile(f"{_ESCAPE_SEQUENCE}|{CONTROL_CHARACTERS}")
    cleaned = _UNPRINTABLE.sub("", text)
    if not cleaned.isascii() and any("\ud800" <= character <= "\udfff" for character in cleaned):
        # A file name that is not UTF-8 arrives as lone surrogates; a UTF-8 terminal cannot take
        # them, so they are shown as their escapes (`caf\udce9.txt`) rather than crash the print.
        cleaned = cleaned.encode("utf-8", "backslashreplace").decode("utf-8")
    return cleaned.replace("\n", " ").replace("\t", " ") if one_line else cleaned


def report(exc: MicromomentError) -> int:
    """Write the error for a person (one line per problem) and return its exit code.

    The only place errors become text: the CLI and the commit hook's fast path both use it.
    """
    import sys

    prefix = "" if exc.located else "micromoment: "
    for line in exc.lines():
        sys.stderr.write(f"{prefix}{printable(line)}\n")
    return exc.exit_code


LOG_NAME = "micromoment.log"
DEBUG_VARIABLE = "MICROMOMENT_DEBUG"


def unexpected(exc: BaseException, command: str) -> int:
    """The net under every failure: one line for the person, the traceback in a log; exit 2.

    Like `report`, it is used by the CLI and by the hook's fast path, so it imports only the
    standard library. With MICROMOMENT_DEBUG=1 the traceback goes to stderr instead.
    """
    import os
    import sys
    import traceback

    if os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
        traceback.print_exception(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    log = _write_log(command, "".join(traceback.format_exception(exc)))
    where = f"details in {log}" if log else f"run again with {DEBUG_VARIABLE}=1 for details"
    if isinstance(exc, OSError) and exc.filename is not None:
        # A file the command could not read or write: where and why say more than "unexpected".
        message = f"{os.fsdecode(exc.filename)}: {exc.strerror or exc}"
    else:
        message = f"unexpected error in {command}: {type(exc).__name__}: {exc}"
    sys.stderr.write(printable(f"micromoment: {message}; {where}", one_line=True) + "\n")
    return EXIT_BAD_INPUT


def _write_log(command: str, details: str) -> Path | None:
    """Write the log readable by the user alone; None if the user's folder cannot take it.

    The folder is the user's own state folder, `$XDG_STATE_HOME/micromoment` or
    `~/.local/state/micromoment`; never the temp folder, which other users can write: a link
    planted there could turn the log into a write to their file, and the log holds the command line.
    """
    import os
    import platform
    import stat
    import sys
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    try:
        installed = version("micromoment")
    except PackageNotFoundError:  # run from a checkout that was never installed
        installed = "(not installed)"
    text = (
        f"micromoment {installed}, Python {platform.python_version()}, {platform.platform()}\n"
        f"command: {command}\nargv: {sys.argv!r}\n\n{details}"
    )
    state = os.environ.get("XDG_STATE_HOME")
    folder = (Path(state) if state else Path.home() / ".local" / "state") / "micromoment"
    path = folder / LOG_NAME
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return None  # a link, or a folder someone else owns: not the user's own
        folder.chmod(0o700)
        # O_NOFOLLOW: a link in the log's place is refused, not followed; 0600 for a new file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
    except OSError:
        return None
    return path
