"""The one place that asks a person anything: a tiny ask / confirm interface over a text stream,
on a console that prints text from files and people without the escape sequences hidden in it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RichCast
from rich.segment import Segment
from rich.text import Text

from micromoment.errors import printable


class SafeConsole(Console):
    """A rich Console that never passes escape sequences or controls from text to the terminal.

    Every renderable (tables, Text, plain strings) ends up as segments here, so cleaning the
    segments' text is the one place that covers them all; rich's own styling travels in the
    segments' styles and control segments and is left alone.
    """

    def render(
        self, renderable: ConsoleRenderable | RichCast | str, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


@dataclass
class Prompter:
    """Asks on `console` and reads answers line by line from `stream` (stdin, or /dev/tty in a hook)."""

    console: Console
    stream: TextIO

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
            raise EOFError  # as input() does when the stream closes mid-question
        return line.strip() or (default or "")

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


def stdin_prompter(force: bool = False) -> Prompter | None:
    """A prompter on stdin/stderr when stdin is a terminal (or when asked to read it anyway), else None."""
    if not (force or sys.stdin.isatty()):
        return None
    return Prompter(SafeConsole(stderr=True, highlight=False), sys.stdin)
