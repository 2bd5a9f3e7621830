"""Posting the PR note through the gh and glab command-line tools; micromoment never handles a token."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal, NamedTuple

from micromoment.errors import MicromomentError, printable
from micromoment.forge.note import MARKER
from micromoment.forge.sections import upsert_section
from micromoment.git.run import ToolMissing, ToolTimedOut, run_tool

Target = Literal["comment", "body"]
SUMMARY_HINT = 'write it to the job summary instead: micromoment pr-note --out "$GITHUB_STEP_SUMMARY"'


class PostFailed(MicromomentError):
    """gh or glab is missing, not logged in, or refused."""


class Forbidden(PostFailed):
    """The token may not do this (HTTP 403)."""


# A GitHub login or GitLab username as the forges allow them (a GitHub App's ends in "[bot]").
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}(?:\[bot\])?")


_TOOLS = {
    "gh": ("the GitHub CLI (gh)", "gh auth login (in CI: set GH_TOKEN)", "--pr N"),
    "glab": ("the GitLab CLI (glab)", "glab auth login (in CI: set GITLAB_TOKEN)", "--mr N"),
}


def _run(tool: str, args: list[str], cwd: str) -> str:
    name, login, number_flag = _TOOLS[tool]
    try:
        finished = run_tool(tool, args, cwd, timeout=120)
    except ToolMissing:
        raise PostFailed(
            f"{tool} is not installed; install {name}, or save the note with --out FILE and post it yourself"
        ) from None
    except ToolTimedOut:
        raise PostFailed(
            f"{tool} {' '.join(args[:2])} gave no answer within two minutes; check the network, try again"
        ) from None
    stdout = finished.stdout.decode("utf-8", "replace")
    if finished.returncode == 0:
        return stdout
    error = (finished.stderr.decode("utf-8", "replace") or stdout).strip()
    lowered = error.lower()
    if any(word in lowered for word in ("auth login", "not logged", "authentication", "401")):
        raise PostFailed(f"{tool} is not logged in; run {login}")
    if any(
        word in lowered for word in ("no pull requests found", "no open merge request", "no merge request")
    ):
        raise PostFailed(
            f"no pull request for this branch; push it and open one, or name it with {number_flag}"
        )
    if any(word in lowered for word in ("resource not accessible", "403")):
        raise Forbidden(
            f"{tool} may not write to this pull request (a pull request from a fork gets a read-only token); {SUMMARY_HINT}"
        )
    last = error.splitlines()[-1] if error else f"exit {finished.returncode}"
    raise PostFailed(f"{tool} {' '.join(args[:2])} failed: {last}")


def _unexpected(tool: str, text: str, what: str) -> PostFailed:
    shown = printable(text.strip()[:60], one_line=True) or "nothing"
    return PostFailed(
        f"{tool} returned {shown!r} where {what} was expected; "
        f"check {tool}'s version and settings (an alias or a default output format?)"
    )


def _json(tool: str, text: str, what: str) -> Any:
    """Every JSON value gh or glab printed (paginated API output is JSON arrays one after another),
    or a named refusal."""
    decoder, values, position, text = json.JSONDecoder(), [], 0, text.strip()
    try:
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            while position < len(text) and text[position].isspace():
                position += 1
    except ValueError:
        raise _unexpected(tool, text, what) from None
    if len(values) == 1:
        return values[0]
    return [item for value in values for item in (value if isinstance(value, list) else [value])]


def _object(tool: str, text: str, what: str) -> dict[str, Any]:
    value = _json(tool, text, what)
    if not isinstance(value, dict):
        raise _unexpected(tool, text, what)
    return value


def _items(tool: str, text: str, what: str) -> list[dict[str, Any]]:
    value = _json(tool, text, what)
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, dict) for item in items):
        raise _unexpected(tool, text, what)
    return items


def _id(tool: str, value: object, text: str, what: str) -> int:
    """A number from an answer, checked before it goes into a command or an API path."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    raise _unexpected(tool, text, what)


def _account(tool: str, value: object, text: str) -> str:
    if isinstance(value, str) and _ACCOUNT.fullmatch(value):
        return value
    raise _unexpected(tool, text, "an account name")


# Where a command's arguments take the file holding the text to post, written just before it runs.
_FILE = "<file>"


class _Request(NamedTuple):
    """The pull or merge request a note goes to, and the tool that reaches it."""

    tool: str
    label: str  # "pull request #12", "merge request !12"
    note_word: str  # what the forge calls a comment
    cwd: str

    def run(self, args: list[str]) -> str:
        return _run(self.tool, args, self.cwd)

    def run_with_file(self, text: str, args: list[str]) -> None:
        with tempfile.TemporaryDirectory(prefix="micromoment-") as folder:
            path = Path(folder) / "note.md"
            path.write_text(text, encoding="utf-8")
            self.run([arg.replace(_FILE, str(path)) for arg in args])


def _github_login(cwd: str) -> str | None:
    """The account gh posts as, or None when its token may not ask (an app's, such as Actions')
    and MICROMOMENT_POSTS_AS does not say (the action sets github-actions[bot] for its own token)."""
    try:
        text = _run("gh", ["api", "user", "--jq", ".login"], cwd)
    except Forbidden:
        declared = os.environ.get("MICROMOMENT_POSTS_AS")
        if declared and not _ACCOUNT.fullmatch(declared):
            raise PostFailed(
                f"MICROMOMENT_POSTS_AS is {printable(declared, one_line=True)!r}, not an account name; "
                "set it to the login the token posts as, such as github-actions[bot]"
            ) from None
        return declared or None
    return _account("gh", text.strip(), text)


def _ours(item: dict[str, Any], poster: str | None, key: str, field: str) -> bool:
    """A note with the marker is ours to edit only if the account that posts wrote it; an account
    that cannot be known edits nothing (anyone could have written a note with the marker)."""
    return (
        poster is not None
        and str(item.get("body", "")).startswith(MARKER)
        and _author(item, key, field) == poster
    )


def post_github(note: str, cwd: str, pr: int | None, target: Target) -> str:
    """Upsert the note as one PR comment (or the PR body's micromoment section); returns what was done.

    Only a comment written by the account that posts is ever edited: anyone can paste the
    marker into a comment of their own. When gh may not say who that is, a new comment is added."""
    if pr is None:
        text = _run("gh", ["pr", "view", "--json", "number"], cwd)
        pr = _id("gh", _object("gh", text, "the pull request").get("number"), text, "its number")
    request = _Request("gh", f"pull request #{pr}", "comment", cwd)
    if target == "body":
        text = request.run(["pr", "view", str(pr), "--json", "body"])
        body = _object("gh", text, "the pull request").get("body")
        return _upsert_description(request, note, body, text, ["pr", "edit", str(pr), "--body-file", _FILE])
    login = _github_login(cwd)
    text = request.run(["api", f"repos/{{owner}}/{{repo}}/issues/{pr}/comments", "--paginate"])
    comments = _items("gh", text, "the comments as JSON")
    existing = next((c for c in comments if _ours(c, login, "user", "login")), None)
    if existing is None:
        return _post_note(request, note, ["pr", "comment", str(pr), "--body-file", _FILE], "added")
    comment_id = _id("gh", existing.get("id"), text, "a comment id")
    comment = f"repos/{{owner}}/{{repo}}/issues/comments/{comment_id}"
    return _post_note(request, note, ["api", "-X", "PATCH", comment, "-F", f"body=@{_FILE}"], "updated")


def post_gitlab(note: str, cwd: str, mr: int | None, target: Target) -> str:
    """The same for a GitLab merge request, through glab."""
    if mr is None:
        text = _run("glab", ["mr", "view", "--output", "json"], cwd)
        mr = _id("glab", _object("glab", text, "the merge request").get("iid"), text, "its number")
    request = _Request("glab", f"merge request !{mr}", "note", cwd)
    api = f"projects/:id/merge_requests/{mr}"
    if target == "body":
        text = request.run(["mr", "view", str(mr), "--output", "json"])
        description = _object("glab", text, "the merge request").get("description")
        edit = ["api", "-X", "PUT", api, "-F", f"description=@{_FILE}"]
        return _upsert_description(request, note, description, text, edit)
    try:
        text = request.run(["api", "user"])
        user = _account("glab", _object("glab", text, "the user as JSON").get("username"), text)
    except Forbidden:
        user = None
    text = request.run(["api", f"{api}/notes", "--paginate"])
    notes = _items("glab", text, "the notes as JSON")
    existing = next((n for n in notes if not n.get("system") and _ours(n, user, "author", "username")), None)
    if existing is None:
        add = ["api", "-X", "POST", f"{api}/notes", "-F", f"body=@{_FILE}"]
        return _post_note(request, note, add, "added")
    note_id = _id("glab", existing.get("id"), text, "a note id")
    edit = ["api", "-X", "PUT", f"{api}/notes/{note_id}", "-F", f"body=@{_FILE}"]
    return _post_note(request, note, edit, "updated")


def _upsert_description(request: _Request, note: str, current: object, text: str, edit: list[str]) -> str:
    """Put the note in the description's micromoment section with `edit`, unless it is there already."""
    if not isinstance(current or "", str):
        raise _unexpected(request.tool, text, "its description")
    body = str(current or "")
    updated = upsert_section(body, note, f"the description of {request.label}")
    if updated == body:
        return f"{request.label}: description already up to date"
    request.run_with_file(updated, edit)
    return f"{request.label}: updated the micromoment section of the description"


def _post_note(request: _Request, note: str, args: list[str], done: str) -> str:
    """Add micromoment's comment, or edit it, with the tool's `args`; say what was `done`."""
    request.run_with_file(note, args)
    return f"{request.label}: {done} the micromoment {request.note_word}"


def _author(item: dict[str, Any], key: str, field: str) -> str | None:
    author = item.get(key)
    return str(author[field]) if isinstance(author, dict) and field in author else None
