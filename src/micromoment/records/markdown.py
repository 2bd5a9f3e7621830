"""Escaping for text people typed: it stays text in Markdown, and a forge acts on none of it."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

# Characters that start Markdown or GFM syntax mid-line (< > & become entities), and the
# ones that matter only at the start of a line; escaping just these keeps records readable.
# A run of one marker counts as a whole: "###" opens a heading, "---" is a rule and, under a
# line, "--" or "==" makes that line a heading.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^(\s*)(#+|-+|\++|=+|\d{1,9}[.)])(?=\s|$)")
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"'`\\]+$")


def escape_text(value: object) -> Markup:
    """Inline text: no emphasis, links, code, HTML or line breaks can come out of it."""
    text = " ".join(str(value).split())
    escaped = _INLINE_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))
    return Markup(_LINE_START.sub(_escape_line_start, escaped))


def _escape_line_start(match: re.Match[str]) -> str:
    marker = match.group(2)  # "#", "---", ... or "12." / "3)": its last character takes the backslash
    return match.group(1) + marker[:-1] + "\\" + marker[-1]


def escape_cell(value: object) -> Markup:
    """Text for a table cell: like escape_text, with the person's line breaks kept as <br>."""
    lines = [escape_text(line) for line in str(value).splitlines()]
    return Markup("<br>".join(line for line in lines if line))


def link(value: object) -> Markup:
    """A plain http(s) address becomes a link; anything else is shown as escaped text."""
    text = str(value).strip()
    return Markup(f"<{text}>") if _SAFE_URL.match(text) else escape_text(text)


def block_text(value: object) -> Markup:
    """A paragraph of text: escaped, with its line breaks kept."""
    return Markup("  \n".join(escape_text(line) for line in str(value).splitlines() if line.strip()))


# Making record text inert where a forge would act on it (a PR comment, a PR or MR
# description, a git note a forge shows). A zero-width joiner after the character that
# triggers the forge breaks its pattern, renders as nothing and joins no words, so the text
# reads exactly as typed and removing ZERO_WIDTH gives back the original.
ZERO_WIDTH = "\u200d"
# A mention is `@` after anything but an ASCII letter, digit or underscore on both GitHub
# and GitLab (an e-mail address stays an address): @name, @org/team, @group/subgroup, @all.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9_])")
# GitLab references a bare character starts, with or without a project before it:
# !12 (merge request), %milestone or %"a milestone", ~label or ~"a label".
_GITLAB_REFERENCE = re.compile("!(?=[0-9])|[%~](?=[^\\s\u200d])")
# Closing keywords as GitHub and GitLab read them (any case): the keyword, an optional
# colon, whitespace (escaping folds any run of it into one space), optionally "issue(s)",
# then a reference: #12, GH-12, owner/repo#12, group/subgroup/project#12, an issue URL, or
# a JIRA-style KEY-12 (GitLab).
_CLOSING = re.compile(
    r"(?<![A-Za-z0-9_])"
    r"(?i:close[sd]?|closing|fix(?:e[sd])?|fixing|resolve[sd]?|resolving|implement(?:s|ed|ing)?)"
    r"(?=:?\s+(?i:issues?\s+)?"
    r"(?:#[0-9]|(?i:gh)-[0-9]|[\w.-]+(?:/[\w.-]+)+#[0-9]|(?i:https?)://|[A-Z][A-Z0-9_]+-[0-9]))"
)
# GitLab runs /close, /merge, /assign ... when a line of a comment or description starts with one.
# Any space before it counts (a no-break space too: escaping folds every kind away).
_QUICK_ACTION = re.compile(r"^([^\S\n]*)/(?=[A-Za-z])", re.MULTILINE)


def neutralise(value: str) -> str:
    """Record text that cannot mention anyone, close an issue or run a quick action, yet reads the same.

    Idempotent, and taking the ZERO_WIDTH joiners out gives back text that had none.
    """
    text = _MENTION.sub("@" + ZERO_WIDTH, value)
    text = _GITLAB_REFERENCE.sub(lambda match: match.group(0) + ZERO_WIDTH, text)
    text = _CLOSING.sub(lambda match: match.group(0) + ZERO_WIDTH, text)
    return _QUICK_ACTION.sub(lambda match: match.group(1) + "/" + ZERO_WIDTH, text)


def is_web_address(value: object) -> bool:
    """A plain http(s) address, the kind `link` turns into a link."""
    return bool(_SAFE_URL.match(str(value).strip()))


def shorten(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, ending in `…`, at a word boundary when one is near."""
    if len(value) <= limit:
        return value
    head = value[: limit - 1]
    if not value[limit - 1].isspace():  # the cut falls inside a word
        space = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        if space >= limit * 3 // 4:  # a word boundary close to the limit reads better than half a word
            head = head[:space]
    return head.rstrip() + "…"
