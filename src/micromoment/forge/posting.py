"""Posting the PR note through the gh and glab command-line tools; micromoment never handles a token."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from micromoment.errors import MicromomentError
from micromoment.forge.note import MARKER
from micromoment.forge.sections import upsert_section
from micromoment.git.run import Finished, ToolMissing, ToolTimedOut, run_tool

Target = Literal["comment", "body"]
SUMMARY_HINT = 'write it to the job summary instead: micromoment pr-note --out "$GITHUB_STEP_SUMMARY"'


class PostFailed(MicromomentError):
    """gh or glab is missing, not logged in, or refused."""


class Forbidden(PostFailed):
    """The token may not do this (HTTP 403)."""


# The account GITHUB_TOKEN posts as in GitHub Actions; that app token may not read /user.
GITHUB_ACTIONS_LOGIN = "github-actions[bot]"
# The bot user behind a GitLab project or group access token: project_<id>_bot_<hash>
# (project_<id>_bot<n> on older GitLab). Only that project's or group's maintainers can make one.
GITLAB_BOT = re.compile(r"(?:project|group)_[0-9]+_bot(?:_[0-9a-f]+|[0-9]*)")


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
    done = _Text(finished)
    if done.returncode == 0:
        return done.stdout
    error = (done.stderr or done.stdout).strip()
    lowered = error.lower()
    if "auth login" in lowered or "not logged" in lowered or "authentication" in lowered or "401" in lowered:
        raise PostFailed(f"{tool} is not logged in; run {login}")
    if (
        "no pull requests found" in lowered
        or "no open merge request" in lowered
        or "no merge request" in lowered
    ):
        raise PostFailed(
            f"no pull request for this branch; push it and open one, or name it with {number_flag}"
        )
    if "resource not accessible" in lowered or "403" in lowered:
        raise Forbidden(
            f"{tool} may not write to this pull request (a pull request from a fork gets a read-only token); {SUMMARY_HINT}"
        )
    last = error.splitlines()[-1] if error else f"exit {done.returncode}"
    raise PostFailed(f"{tool} {' '.join(args[:2])} failed: {last}")


class _Text:
    """A finished gh or glab run, its output as text."""

    def __init__(self, finished: Finished) -> None:
        self.returncode = finished.returncode
        self.stdout = finished.stdout.decode("utf-8", "replace")
        self.stderr = finished.stderr.decode("utf-8", "replace")


def _json_values(text: str) -> Iterator[Any]:
    """Paginated API output is JSON arrays one after another; read them all."""
    decoder = json.JSONDecoder()
    position = 0
    text = text.strip()
    while position < len(text):
        value, position = decoder.raw_decode(text, position)
        yield value
        while position < len(text) and text[position].isspace():
            position += 1


def _items(text: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for value in _json_values(text):
        items += value if isinstance(value, list) else [value]
    return items


@contextmanager
def _body_file(text: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="micromoment-") as folder:
        path = Path(folder) / "note.md"
        path.write_text(text, encoding="utf-8")
        yield str(path)


def _github_login(cwd: str) -> str:
    """The account gh posts as: the token's own login, or the Actions bot when its app token may not ask."""
    try:
        return _run("gh", ["api", "user", "--jq", ".login"], cwd).strip()
    except Forbidden:
        return GITHUB_ACTIONS_LOGIN


def _is_gitlab_poster(who: str | None) -> Callable[[str], bool]:
    """A test for the account glab posts as: the token's own user, or its access-token bot in CI."""
    if who is not None:
        return lambda username: username == who
    return lambda username: bool(GITLAB_BOT.fullmatch(username))


def _gitlab_user(cwd: str) -> str | None:
    try:
        return str(json.loads(_run("glab", ["api", "user"], cwd))["username"])
    except Forbidden:
        return None


def post_github(note: str, cwd: str, pr: int | None, target: Target) -> str:
    """Upsert the note as one PR comment (or the PR body's micromoment section); returns what was done.

    Only a comment written by the account that posts is ever edited: anyone can paste the
    marker into a comment of their own."""
    number = pr or int(json.loads(_run("gh", ["pr", "view", "--json", "number"], cwd))["number"])
    if target == "body":
        body = json.loads(_run("gh", ["pr", "view", str(number), "--json", "body"], cwd)).get("body") or ""
        updated = upsert_section(body, note, f"the description of pull request #{number}")
        if updated == body:
            return f"pull request #{number}: description already up to date"
        with _body_file(updated) as path:
            _run("gh", ["pr", "edit", str(number), "--body-file", path], cwd)
        return f"pull request #{number}: updated the micromoment section of the description"
    login = _github_login(cwd)
    comments = _items(
        _run("gh", ["api", f"repos/{{owner}}/{{repo}}/issues/{number}/comments", "--paginate"], cwd)
    )
    existing = next(
        (
            c
            for c in comments
            if str(c.get("body", "")).startswith(MARKER) and _author(c, "user", "login") == login
        ),
        None,
    )
    with _body_file(note) as path:
        if existing is not None:
            _run(
                "gh",
                [
                    "api",
                    "-X",
                    "PATCH",
                    f"repos/{{owner}}/{{repo}}/issues/comments/{existing['id']}",
                    "-F",
                    f"body=@{path}",
                ],
                cwd,
            )
            return f"pull request #{number}: updated the micromoment comment"
        _run("gh", ["pr", "comment", str(number), "--body-file", path], cwd)
    return f"pull request #{number}: added the micromoment comment"


def _author(item: dict[str, Any], key: str, field: str) -> str | None:
    author = item.get(key)
    return str(author[field]) if isinstance(author, dict) and field in author else None


def post_gitlab(note: str, cwd: str, mr: int | None, target: Target) -> str:
    """The same for a GitLab merge request, through glab."""
    number = mr or int(json.loads(_run("glab", ["mr", "view", "--output", "json"], cwd))["iid"])
    api = f"projects/:id/merge_requests/{number}"
    if target == "body":
        description = (
            json.loads(_run("glab", ["mr", "view", str(number), "--output", "json"], cwd)).get("description")
            or ""
        )
        updated = upsert_section(description, note, f"the description of merge request !{number}")
        if updated == description:
            return f"merge request !{number}: description already up to date"
        with _body_file(updated) as path:
            _run("glab", ["api", "-X", "PUT", api, "-F", f"description=@{path}"], cwd)
        return f"merge request !{number}: updated the micromoment section of the description"
    ours = _is_gitlab_poster(_gitlab_user(cwd))
    notes = _items(_run("glab", ["api", f"{api}/notes", "--paginate"], cwd))
    existing = next(
        (
            n
            for n in notes
            if str(n.get("body", "")).startswith(MARKER)
            and not n.get("system")
            and ours(_author(n, "author", "username") or "")
        ),
        None,
    )
    with _body_file(note) as path:
        if existing is not None:
            _run("glab", ["api", "-X", "PUT", f"{api}/notes/{existing['id']}", "-F", f"body=@{path}"], cwd)
            return f"merge request !{number}: updated the micromoment note"
        _run("glab", ["api", "-X", "POST", f"{api}/notes", "-F", f"body=@{path}"], cwd)
    return f"merge request !{number}: added the micromoment note"
