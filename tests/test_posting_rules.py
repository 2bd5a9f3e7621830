"""Posting the PR note, pinned in-process: what each gh / glab failure is told as, how paginated
output is read, whose comment is ever edited, and the exact calls each upsert makes.

The stand-in sits at the one seam every gh / glab run goes through (`run_tool`); the end-to-end
tests in tests/test_prnote.py drive the same code through stand-in programs on PATH."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micromoment.errors import MicromomentError
from micromoment.forge import posting
from micromoment.forge.note import MARKER
from micromoment.forge.posting import (
    SUMMARY_HINT,
    Forbidden,
    PostFailed,
    post_github,
    post_gitlab,
)
from micromoment.forge.sections import SECTION_END, SECTION_START
from micromoment.git.run import Finished, ToolMissing, ToolTimedOut

NOTE = f"{MARKER}\n## micromoment\nAll checks recorded.\n"


class Forge:
    """Answers gh / glab calls from a script, and keeps each call with any file it was handed."""

    def __init__(self, answers: dict[str, Finished | Exception]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []
        self.files: list[str] = []

    def __call__(self, tool: str, args: list[str], cwd: str, timeout: float) -> Finished:
        assert (cwd, timeout) == ("/the/repo", 120)
        call = [tool, *args]
        self.calls.append(call)
        for arg in args:  # the body files are gone once posting returns: read them now
            if "@" in arg and arg.split("@", 1)[1].endswith("note.md"):
                self.files.append(Path(arg.split("@", 1)[1]).read_text(encoding="utf-8"))
            elif arg.endswith("note.md"):
                self.files.append(Path(arg).read_text(encoding="utf-8"))
        key = " ".join(call)
        for prefix in sorted(self.answers, key=len, reverse=True):
            if key.startswith(prefix):
                answer = self.answers[prefix]
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return ok("")


def ok(stdout: str | bytes) -> Finished:
    return Finished(0, stdout.encode() if isinstance(stdout, str) else stdout, b"")


def failed(stderr: str, stdout: str = "", code: int = 1) -> Finished:
    return Finished(code, stdout.encode(), stderr.encode())


@pytest.fixture
def forge(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, Finished | Exception]], Forge]:
    def install(answers: dict[str, Finished | Exception]) -> Forge:
        stand_in = Forge(answers)
        monkeypatch.setattr(posting, "run_tool", stand_in)
        return stand_in

    return install


# --- what a failure is told as -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "answer", "expected", "kind"),
    [
        (
            "gh",
            failed("To get started with GitHub CLI, please run:  gh auth login"),
            "gh is not logged in; run gh auth login (in CI: set GH_TOKEN)",
            PostFailed,
        ),
        (
            "gh",
            failed("You are not logged into any GitHub hosts."),
            "gh is not logged in; run gh auth login (in CI: set GH_TOKEN)",
            PostFailed,
        ),
        (
            "glab",
            failed("ERROR: Authentication required"),
            "glab is not logged in; run glab auth login (in CI: set GITLAB_TOKEN)",
            PostFailed,
        ),
        (
            "gh",
            failed("HTTP 401: Bad credentials"),
            "gh is not logged in; run gh auth login (in CI: set GH_TOKEN)",
            PostFailed,
        ),
        (
            "gh",
            failed('no pull requests found for branch "x"'),
            "no pull request for this branch; push it and open one, or name it with --pr N",
            PostFailed,
        ),
        (
            "glab",
            failed('no open merge request available for "x"'),
            "no pull request for this branch; push it and open one, or name it with --mr N",
            PostFailed,
        ),
        (
            "glab",
            failed("No Merge Request found"),
            "no pull request for this branch; push it and open one, or name it with --mr N",
            PostFailed,
        ),
        (
            "gh",
            failed("HTTP 403: Resource not accessible by integration"),
            f"gh may not write to this pull request (a pull request from a fork gets a read-only token); {SUMMARY_HINT}",
            Forbidden,
        ),
        (
            "gh",
            failed("GraphQL: Resource not accessible by integration (addComment)"),
            f"gh may not write to this pull request (a pull request from a fork gets a read-only token); {SUMMARY_HINT}",
            Forbidden,
        ),
        (
            "glab",
            failed("403 Forbidden"),
            f"glab may not write to this pull request (a pull request from a fork gets a read-only token); {SUMMARY_HINT}",
            Forbidden,
        ),
        ("gh", failed("first line\nthe last line  \n"), "gh pr view failed: the last line", PostFailed),
        ("gh", failed("", stdout="only on stdout"), "gh pr view failed: only on stdout", PostFailed),
        ("gh", failed("  \n", code=3), "gh pr view failed: exit 3", PostFailed),
        (
            "gh",
            failed("gh auth login needed; HTTP 403"),
            "gh is not logged in; run gh auth login (in CI: set GH_TOKEN)",
            PostFailed,
        ),
        (
            "gh",
            ToolMissing("gh"),
            "gh is not installed; install the GitHub CLI (gh), or save the note with --out FILE and post it yourself",
            PostFailed,
        ),
        (
            "glab",
            ToolMissing("glab"),
            "glab is not installed; install the GitLab CLI (glab), or save the note with --out FILE and post it yourself",
            PostFailed,
        ),
        (
            "gh",
            ToolTimedOut("gh"),
            "gh pr view gave no answer within two minutes; check the network, try again",
            PostFailed,
        ),
    ],
)
def test_each_failure_is_told_with_what_to_do(
    forge: Callable[..., Forge],
    tool: str,
    answer: Finished | Exception,
    expected: str,
    kind: type[PostFailed],
) -> None:
    forge({tool: answer})
    with pytest.raises(PostFailed) as raised:
        posting._run(tool, ["pr", "view", "--json", "number"], "/the/repo")
    assert str(raised.value) == expected
    assert type(raised.value) is kind


def test_output_is_read_as_utf8_and_bad_bytes_do_not_stop_it(forge: Callable[..., Forge]) -> None:
    forge({"gh": Finished(0, "größe\n".encode() + b"\xff", b"")})
    assert posting._run("gh", ["api", "user"], "/the/repo") == "größe\n\ufffd"
    forge({"gh": Finished(1, b"", b"broken \xff")})
    with pytest.raises(PostFailed) as raised:
        posting._run("gh", ["api", "user"], "/the/repo")
    assert str(raised.value) == "gh api user failed: broken \ufffd"


# --- reading paginated output ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("", []),
        ("  \n", []),
        ("[]", []),
        ('[{"id": 1}, {"id": 2}][{"id": 3}]', [{"id": 1}, {"id": 2}, {"id": 3}]),
        ('[{"id": 1}]\n\n [{"id": 2}]\n', [{"id": 1}, {"id": 2}]),
        ('{"id": 7}', [{"id": 7}]),
        ('[][{"id": 1}][]', [{"id": 1}]),
    ],
)
def test_pages_of_json_are_read_back_to_back(text: str, items: list[dict[str, int]]) -> None:
    assert posting._items("gh", text, "the comments") == items


@given(
    st.lists(
        st.lists(st.fixed_dictionaries({"id": st.integers(0, 99), "body": st.text(max_size=5)}), max_size=3),
        max_size=4,
    ),
    st.lists(st.sampled_from(["", " ", "\n", "\t", "\r\n"]), min_size=5, max_size=5),
)
def test_any_pages_with_any_spacing_read_as_their_items_in_order(
    pages: list[list[dict[str, Any]]], gaps: list[str]
) -> None:
    text = "".join(gaps[n % len(gaps)] + json.dumps(page) for n, page in enumerate(pages)) + gaps[-1]
    assert posting._items("gh", text, "the comments") == [item for page in pages for item in page]


# --- whose comment is ours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown", "what"),
    [
        ("<html>Sign in</html>", "'<html>Sign in</html>'", "the pull request"),
        ('{"number": "12; rm"}', '\'{"number": "12; rm"}\'', "its number"),
        ('{"number": true}', "'{\"number\": true}'", "its number"),
        ('{"number": -3}', "'{\"number\": -3}'", "its number"),
        ("[1, 2]", "'[1, 2]'", "the pull request"),
        ("", "'nothing'", "the pull request"),
    ],
)
def test_an_answer_that_is_not_what_was_asked_for_is_named(
    forge: Callable[..., Forge], text: str, shown: str, what: str
) -> None:
    forge({"gh pr view --json number": ok(text)})
    with pytest.raises(PostFailed) as raised:
        post_github(NOTE, "/the/repo", None, "comment")
    assert str(raised.value) == (
        f"gh returned {shown} where {what} was expected; check gh's version and settings "
        "(an alias or a default output format?)"
    )


@pytest.mark.parametrize("bad_id", ['"5/../../orgs/x"', "true", "0", "1.5", "null"])
def test_a_comment_id_is_checked_before_it_goes_into_an_api_path(
    forge: Callable[..., Forge], bad_id: str
) -> None:
    comments = f'[{{"id": {bad_id}, "body": {json.dumps(NOTE)}, "user": {{"login": "pat"}}}}]'
    stand_in = forge({"gh api user": ok("pat\n"), COMMENTS: ok(comments)})
    with pytest.raises(PostFailed, match="where a comment id was expected"):
        post_github(NOTE, "/the/repo", 12, "comment")
    assert not [call for call in stand_in.calls if "PATCH" in call]


def test_an_account_name_that_is_no_name_is_refused(forge: Callable[..., Forge]) -> None:
    forge({"gh api user": ok("pat\x1b[2J\n"), COMMENTS: ok("[]")})
    with pytest.raises(PostFailed, match="where an account name was expected"):
        post_github(NOTE, "/the/repo", 12, "comment")


@pytest.mark.parametrize(
    ("item", "author"),
    [
        ({"user": {"login": "pat"}}, "pat"),
        ({"user": {"login": 7}}, "7"),
        ({"user": {"name": "pat"}}, None),
        ({"user": "pat"}, None),
        ({"author": {"login": "pat"}}, None),
        ({}, None),
    ],
)
def test_the_author_of_a_comment(item: dict[str, Any], author: str | None) -> None:
    assert posting._author(item, "user", "login") == author


# --- GitHub --------------------------------------------------------------------------------------

COMMENTS = "gh api repos/{owner}/{repo}/issues/12/comments --paginate"


def comment(id: int, login: str, body: str) -> dict[str, Any]:
    return {"id": id, "user": {"login": login}, "body": body}


def test_github_adds_a_comment_when_none_of_ours_has_the_marker(forge: Callable[..., Forge]) -> None:
    comments = [
        comment(1, "mallory", NOTE),  # someone else pasted the marker
        comment(2, "pat", f"quoting: {MARKER}"),  # ours, but the marker is not at the start
    ]
    stand_in = forge(
        {
            "gh pr view --json number": ok('{"number": 12}'),
            "gh api user": ok("pat\n"),
            COMMENTS: ok(json.dumps(comments[:1]) + json.dumps(comments[1:])),
        }
    )
    assert (
        post_github(NOTE, "/the/repo", None, "comment") == "pull request #12: added the micromoment comment"
    )
    body_file = stand_in.calls[-1][-1]
    assert stand_in.calls == [
        ["gh", "pr", "view", "--json", "number"],
        ["gh", "api", "user", "--jq", ".login"],
        ["gh", "api", "repos/{owner}/{repo}/issues/12/comments", "--paginate"],
        ["gh", "pr", "comment", "12", "--body-file", body_file],
    ]
    assert stand_in.files == [NOTE]
    assert not Path(body_file).exists()  # the temporary file is removed


def test_github_updates_the_first_comment_of_ours(forge: Callable[..., Forge]) -> None:
    comments = [comment(1, "mallory", NOTE), comment(5, "pat", NOTE + "old"), comment(9, "pat", NOTE)]
    stand_in = forge({"gh api user": ok("pat"), COMMENTS: ok(json.dumps(comments))})
    assert (
        post_github(NOTE, "/the/repo", 12, "comment") == "pull request #12: updated the micromoment comment"
    )
    assert stand_in.calls[0] == ["gh", "api", "user", "--jq", ".login"]  # a named PR is not looked up
    assert stand_in.calls[-1][:-1] == [
        "gh",
        "api",
        "-X",
        "PATCH",
        "repos/{owner}/{repo}/issues/comments/5",
        "-F",
    ]
    assert stand_in.calls[-1][-1].startswith("body=@")
    assert stand_in.files == [NOTE]
    assert len(stand_in.calls) == 3


def test_when_gh_may_not_say_who_posts_a_new_comment_is_added(forge: Callable[..., Forge]) -> None:
    comments = [comment(3, "pat", NOTE), comment(4, "github-actions[bot]", NOTE)]
    stand_in = forge(
        {
            "gh api user": failed("HTTP 403: Resource not accessible by integration"),
            COMMENTS: ok(json.dumps(comments)),
        }
    )
    assert post_github(NOTE, "/the/repo", 12, "comment") == "pull request #12: added the micromoment comment"
    assert stand_in.calls[-1][:4] == ["gh", "pr", "comment", "12"]
    assert not [call for call in stand_in.calls if "PATCH" in call]


def test_github_description_section_is_upserted_or_left(forge: Callable[..., Forge]) -> None:
    stand_in = forge({"gh pr view 12 --json body": ok('{"body": null}')})
    assert (
        post_github(NOTE, "/the/repo", 12, "body")
        == "pull request #12: updated the micromoment section of the description"
    )
    section = f"{SECTION_START}\n{NOTE.rstrip()}\n{SECTION_END}"
    assert stand_in.calls[0] == ["gh", "pr", "view", "12", "--json", "body"]
    assert stand_in.calls[1][:4] == ["gh", "pr", "edit", "12"]
    assert stand_in.calls[1][4] == "--body-file"
    assert stand_in.files == [section + "\n"]
    written = stand_in.files[0]
    stand_in = forge({"gh pr view 12 --json body": ok(json.dumps({"body": written}))})
    assert post_github(NOTE, "/the/repo", 12, "body") == "pull request #12: description already up to date"
    assert len(stand_in.calls) == 1


# --- GitLab --------------------------------------------------------------------------------------

NOTES = "glab api projects/:id/merge_requests/4/notes --paginate"


def note(id: int, username: str, body: str, system: bool = False) -> dict[str, Any]:
    return {"id": id, "author": {"username": username}, "body": body, "system": system}


def test_gitlab_adds_a_note_when_none_of_ours_has_the_marker(forge: Callable[..., Forge]) -> None:
    notes = [note(1, "pat", NOTE, system=True), note(2, "mallory", NOTE), note(3, "pat", "no marker")]
    stand_in = forge(
        {
            "glab mr view --output json": ok('{"iid": 4}'),
            "glab api user": ok('{"username": "pat"}'),
            NOTES: ok(json.dumps(notes)),
        }
    )
    assert post_gitlab(NOTE, "/the/repo", None, "comment") == "merge request !4: added the micromoment note"
    assert stand_in.calls[:3] == [
        ["glab", "mr", "view", "--output", "json"],
        ["glab", "api", "user"],
        ["glab", "api", "projects/:id/merge_requests/4/notes", "--paginate"],
    ]
    assert stand_in.calls[3][:-1] == [
        "glab",
        "api",
        "-X",
        "POST",
        "projects/:id/merge_requests/4/notes",
        "-F",
    ]
    assert stand_in.calls[3][-1].startswith("body=@")
    assert stand_in.files == [NOTE]


def test_gitlab_updates_our_note_and_edits_none_when_the_poster_is_unknown(
    forge: Callable[..., Forge],
) -> None:
    notes = [note(2, "mallory", NOTE), note(6, "pat", NOTE), note(8, "project_9_bot_ab12", NOTE)]
    stand_in = forge({"glab api user": ok('{"username": "pat"}'), NOTES: ok(json.dumps(notes))})
    assert post_gitlab(NOTE, "/the/repo", 4, "comment") == "merge request !4: updated the micromoment note"
    assert stand_in.calls[-1][:-1] == [
        "glab",
        "api",
        "-X",
        "PUT",
        "projects/:id/merge_requests/4/notes/6",
        "-F",
    ]
    assert stand_in.calls[-1][-1].startswith("body=@")
    assert stand_in.files == [NOTE]
    # A project's bot may be another project's: when glab may not say who posts, nothing is edited
    stand_in = forge({"glab api user": failed("403 Forbidden"), NOTES: ok(json.dumps(notes))})
    assert post_gitlab(NOTE, "/the/repo", 4, "comment") == "merge request !4: added the micromoment note"
    assert stand_in.calls[-1][:5] == ["glab", "api", "-X", "POST", "projects/:id/merge_requests/4/notes"]


def test_gitlab_description_section_is_upserted_or_left(forge: Callable[..., Forge]) -> None:
    stand_in = forge({"glab mr view 4 --output json": ok('{"description": "Fixes the sidebar."}')})
    assert (
        post_gitlab(NOTE, "/the/repo", 4, "body")
        == "merge request !4: updated the micromoment section of the description"
    )
    assert stand_in.calls[1][:-1] == ["glab", "api", "-X", "PUT", "projects/:id/merge_requests/4", "-F"]
    assert stand_in.calls[1][-1].startswith("description=@")
    written = stand_in.files[0]
    assert written == f"Fixes the sidebar.\n\n{SECTION_START}\n{NOTE.rstrip()}\n{SECTION_END}\n"
    stand_in = forge({"glab mr view 4 --output json": ok(json.dumps({"description": written}))})
    assert post_gitlab(NOTE, "/the/repo", 4, "body") == "merge request !4: description already up to date"
    assert len(stand_in.calls) == 1


@pytest.mark.parametrize(
    ("post", "view", "key", "where"),
    [
        (post_github, "gh pr view 12 --json body", "body", "the description of pull request #12"),
        (post_gitlab, "glab mr view 12 --output json", "description", "the description of merge request !12"),
    ],
)
def test_a_description_with_broken_markers_is_named_and_left(
    forge: Callable[..., Forge], post: Callable[..., str], view: str, key: str, where: str
) -> None:
    stand_in = forge({view: ok(json.dumps({key: f"mine\n{SECTION_END}\n"}))})
    with pytest.raises(MicromomentError) as raised:
        post(NOTE, "/the/repo", 12, "body")
    assert str(raised.value).startswith(
        f"{where} has 0 start markers {SECTION_START} and 1 end marker {SECTION_END}, so micromoment cannot tell"
    )
    assert len(stand_in.calls) == 1  # nothing written


def test_an_empty_gitlab_description_gets_the_section_alone(forge: Callable[..., Forge]) -> None:
    stand_in = forge({"glab mr view 4 --output json": ok('{"description": null}')})
    post_gitlab(NOTE, "/the/repo", 4, "body")
    assert stand_in.files == [f"{SECTION_START}\n{NOTE.rstrip()}\n{SECTION_END}\n"]
