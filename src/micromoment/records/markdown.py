"""Escaping for text people typed, so it stays text wherever it lands in Markdown."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

# Characters that start Markdown or GFM syntax mid-line (< > & become entities), and the
# ones that matter only at the start of a line; escaping just these keeps records readable.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^(\s*)([#+=-]|\d{1,9}[.)])(?=\s|$)")
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"'`\\]+$")


def escape_text(value: object) -> Markup:
    """Inline text: no emphasis, links, code, HTML or line breaks can come out of it."""
    text = " ".join(str(value).split())
    escaped = _INLINE_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))
    return Markup(_LINE_START.sub(_escape_line_start, escaped))


def _escape_line_start(match: re.Match[str]) -> str:
    marker = match.group(2)  # "#", "-", ... or "12." / "3)": the punctuation is what needs the backslash
    return match.group(1) + marker[:-1] + "\\" + marker[-1]


def escape_cell(value: object) -> Markup:
    """Text for a table cell: like escape_text, with the person's line breaks kept as <br>."""
    lines = [escape_text(line) for line in str(value).splitlines()]
    return Markup("<br>".join(line for line in lines if line))


def link(value: object) -> Markup:
    """A plain http(s) address becomes a link; anything else is shown as escaped text."""
    text = str(value).strip()
    if _SAFE_URL.match(text):
        return Markup(f"<{text}>")
    return escape_text(text)


def block_text(value: object) -> Markup:
    """A paragraph of text: escaped, with its line breaks kept."""
    return Markup("  \n".join(escape_text(line) for line in str(value).splitlines() if line.strip()))
