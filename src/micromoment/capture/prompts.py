"""The one place that asks a person anything: a tiny ask / confirm interface over a text stream."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.text import Text


class EndOfInput(Exception):
    """The input stream closed while a question was waiting."""


class Prompter:
    """Asks on `console` and reads answers line by line from `stream` (stdin, or /dev/tty in a hook)."""

    def __init__(self, console: Console, stream: TextIO) -> None:
        self.console = console
        self.stream = stream

    def ask(self, prompt: str, *, default: str | None = None) -> str:
        """A line of text; the default when the person just presses Enter."""
        shown = Text(prompt, style="bold cyan")
        if default:
            shown.append(f" [{default}]", style="dim")
        shown.append(" ")
        self.console.print(shown, end="")
        self.console.file.flush()
        line = self.stream.readline()
        if not line:
            self.console.print()
            raise EndOfInput
        value = line.rstrip("\r\n").strip()
        return value or (default or "")

    def confirm(self, prompt: str, *, default: bool) -> bool:
        """Yes or no, asked until it is one of them."""
        while True:
            reply = self.ask(f"{prompt} {'[Y/n]' if default else '[y/N]'}").lower()
            if not reply:
                return default
            if reply in ("y", "yes"):
                return True
            if reply in ("n", "no"):
                return False
            self.console.print("Please answer y or n.")


def plural(count: int, word: str) -> str:
    """`1 answer`, `2 answers`: the count and the word, in the right number."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


StreamPrompter = Prompter  # the name the commit hook's terminal knows it by


def stdin_prompter(force: bool = False) -> Prompter | None:
    """A prompter on stdin/stderr when stdin is a terminal (or when asked to read it anyway), else None."""
    if not (force or sys.stdin.isatty()):
        return None
    return Prompter(Console(stderr=True, highlight=False), sys.stdin)
