"""The terminal a review is taken on: a rich Console that prints text from files and people
without the escape sequences or control characters hidden in it."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RichCast
from rich.segment import Segment

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
