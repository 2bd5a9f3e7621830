"""Where output goes: reports to stdout, human messages to stderr, JSON on request; all of it terminal-safe."""

from __future__ import annotations

import json
import os
import re
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from micromoment.errors import MicromomentError, printable
from micromoment.git import stage_refusal
from micromoment.locations import display_path

# rich loads only when something is drawn: `stats --json` and other JSON output never pay for it.
if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

# JSON already escapes C0 controls; these would still print raw with ensure_ascii=False.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def out() -> Console:
    """Reports (tables, records) on stdout. Piped, they are as wide as they need to be: a file or
    another program should get whole lines, not a table cut to an imaginary 80-column screen."""
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return _console(False, 1000 if piped else None, os.environ.get("COLUMNS"))


def err() -> Console:
    """Messages for the person at the keyboard, on stderr."""
    return _console(True, None, os.environ.get("COLUMNS"))


@cache
def _console(stderr: bool, width: int | None, columns: str | None) -> Console:
    # One console per setting: the width a console measured is kept, so a changed COLUMNS (a test,
    # an embedding program) gets its own console rather than the first one's width.
    from micromoment.capture.prompts import SafeConsole

    # Nothing micromoment prints is markup, and much of it comes from files: it prints as written.
    return SafeConsole(stderr=stderr, highlight=False, markup=False, width=width)


def say(message: str) -> None:
    """A plain message line on stderr: paths and user text print as written, minus controls.

    Written straight, not through rich: a line is not wrapped, has no markup and no emoji codes,
    so rich would add nothing but its import to commands that only say what they did."""
    sys.stderr.write(printable(message) + "\n")


def git_add_line(paths: list[Path], comment: str = "") -> str:
    """The exact command that stages what was just written, or, when git would not stage it
    (a sparse checkout without .micromoment/, an ignore rule), why and what to do instead."""
    shown = " ".join(display_path(path) for path in paths)
    try:
        refusal = stage_refusal(str(paths[0].parent), [str(path) for path in paths])
    except MicromomentError:
        refusal = None  # no git to ask: the command itself will say what it needs
    return f"git will not stage {shown}: {refusal}" if refusal else f"git add {shown}{comment}"


def line(text: str) -> None:
    """One plain line on stdout, for output that tools parse (e.g. `file:line: message`)."""
    sys.stdout.write(printable(text, one_line=True) + "\n")


def write_out(text: str) -> None:
    """A document (Markdown, YAML) on stdout: exact when piped or redirected, terminal-safe on a terminal."""
    sys.stdout.write(printable(text) if sys.stdout.isatty() else text)


def print_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
