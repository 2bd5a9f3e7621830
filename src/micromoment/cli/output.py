"""Where output goes: reports to stdout, human messages to stderr, JSON on request."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import Any

from rich.console import Console


@cache
def out() -> Console:
    """Reports (tables, records) on stdout."""
    return Console(highlight=False)


@cache
def err() -> Console:
    """Messages for the person at the keyboard, on stderr."""
    return Console(stderr=True, highlight=False)


def say(message: str) -> None:
    """A plain message line on stderr (no markup: paths and user text print as written)."""
    err().print(message, markup=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
