"""pr-note: the Markdown, posting through stand-in gh / glab, git notes, the size cap, escaping."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import FIXTURES, Cli, git, write
from micromoment.checklists import load_catalog
from micromoment.config import load_config
from micromoment.gitcli import find_repo
from micromoment.locations import Project
from micromoment.markdown import ZERO_WIDTH, restore
from micromoment.prnote import FIELD_CHARS, MARKER, MAX_CHARS, collect, note_view, render_note

HOSTILE = "pipes | `ticks` **bold** <script>alert(1)</script>\n# not a heading [x](javascript:alert(1))"
ALLOWED_HTML = {"<br>", "<details><summary>All answers</summary>", "</details>", MARKER}


@pytest.fixture
def branch(cli: Cli, repo: Path) -> Path:
    """main with one commit; `feature` adds a prompt, a review with a "no", and a skip."""
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    write(repo / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    write(repo / "prompts/support.txt", "You are helpful.\n")
    write(repo / "db/0001.sql", "create table t (x int);\n")
    answers = write(
        repo.parent / "answers.yaml",
        "data-kind: none\nfacts-checked:\n  answer: no\n  note: "
        + json.dumps(HOSTILE)
        + "\n  follow_up: {action: fix the grounding, owner: engineering lead}\n",
    )
    assert cli("review", "mini", "--answers", str(answers), "--subject", "support prompt").exit_code == 0
    assert (
        cli(
            "skip", "data-safeguards", "--reason", "the table holds feature flags only", "--approver", "Dana"
        ).exit_code
        == 0
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "prompt and review")
    return repo


def core_note(limit: int = 10**9, template: str = "pr-note.md.j2") -> str:
    """The note for the current repository against main, straight from the core, with `limit`."""
    repo = find_repo()
    project = Project(Path(repo.root))
    catalog = load_catalog(project)
    change = collect(repo, catalog, load_config(project, catalog), "main")
    return render_note(project, note_view(change, catalog), template, limit)


def html_in(markdown: str) -> set[str]:
    tokens = MarkdownIt("commonmark").enable(["table"]).parse(markdown)
    found = set()
    for token in tokens:
        for child in [token, *(token.children or [])]:
            if child.type in ("html_inline", "html_block"):
                found.update(line.strip() for line in child.content.splitlines() if line.strip())
    return found


def test_the_note_summarises_the_change(cli: Cli, branch: Path) -> None:
    result = cli("pr-note", "--base", "main")
    assert result.exit_code == 0, result.output
    note = result.stdout
    assert note.splitlines()[0] == MARKER
    assert "**2 triggered · 1 covered · 1 skipped · 0 missing**" in note
    assert "### Mini check: support prompt" in note
    assert "Pat Product" in note
    assert "→ follow-up: fix the grounding (owner: engineering lead)" in note
    assert "the table holds feature flags only" in note and "approved by Dana" in note
    head = git(branch, "rev-parse", "HEAD").strip()
    assert f"(../blob/{head}/.micromoment/reviews/" in note
    assert "<details><summary>All answers</summary>" in note
    assert html_in(note) <= ALLOWED_HTML, html_in(note) - ALLOWED_HTML
    rendered = MarkdownIt("commonmark").enable(["table"]).render(note)
    assert "<script" not in rendered and 'href="javascript' not in rendered


def test_missing_checklists_show_the_command(cli: Cli, branch: Path) -> None:
    write(branch / "CHANGELOG.md", "## 1.0\n")
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "release")
    note = cli("pr-note", "--base", "main").stdout
    assert "**missing**: run `micromoment review launch-readiness`" in note


@pytest.fixture
def forge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand-in gh and glab on PATH; returns the state file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("gh", "glab"):
        wrapper = bin_dir / tool
        wrapper.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" "{FIXTURES.parent / "fake_forge.py"}" {tool} "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
    state = tmp_path / "forge.json"
    state.write_text(
        json.dumps(
            {
                "pr": 7,
                "next_id": 100,
                "body": "Author's words.\n\nMore words.",
                "login": "pat",
                "app_login": "github-actions[bot]",
                "comments": [
                    {"id": 1, "body": "LGTM", **by("reviewer")},
                    {"id": 2, "body": "a question", **by("pat")},
                    {"id": 3, "body": "an answer", **by("reviewer")},
                ],
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("FAKE_FORGE_STATE", str(state))
    return state


def by(login: str) -> dict:
    """Who wrote a comment, as GitHub (user.login) and GitLab (author.username) say it."""
    return {"user": {"login": login}, "author": {"username": login}}


def forge_state(state: Path) -> dict:
    return json.loads(state.read_text(encoding="utf-8"))


def set_state(state: Path, **changes: object) -> None:
    current = forge_state(state)
    current.update(changes)
    state.write_text(json.dumps(current), encoding="utf-8")


def edits(state: Path) -> list[list[str]]:
    """The calls that changed something on the forge."""
    writes = ("PATCH", "PUT", "POST", "comment", "edit")
    return [call for call in forge_state(state)["calls"] if any(w in call for w in writes)]


@pytest.mark.parametrize("tool", ["github", "gitlab"])
def test_posting_twice_keeps_one_comment(cli: Cli, branch: Path, forge: Path, tool: str) -> None:
    first = cli("pr-note", "--base", "main", "--post", tool)
    assert first.exit_code == 0, first.output
    assert "added the micromoment" in first.stderr
    write(branch / "more.txt", "x\n")
    second = cli("pr-note", "--base", "main", "--post", tool)
    assert second.exit_code == 0, second.output
    assert "updated the micromoment" in second.stderr
    comments = forge_state(forge)["comments"]
    ours = [c for c in comments if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and len(comments) == 4
    assert [c["body"] for c in comments[:3]] == ["LGTM", "a question", "an answer"]


@pytest.mark.parametrize("tool", ["github", "gitlab"])
def test_body_section_upsert_keeps_the_authors_text(cli: Cli, branch: Path, forge: Path, tool: str) -> None:
    assert cli("pr-note", "--base", "main", "--post", tool, "--target", "body").exit_code == 0
    body = forge_state(forge)["body"]
    assert body.startswith("Author's words.\n\nMore words.\n\n<!-- micromoment:start -->\n")
    assert body.rstrip().endswith("<!-- micromoment:end -->")
    state = forge_state(forge)
    state["body"] = "Edited by the author.\n\n" + body + "\nA line the author added after.\n"
    forge.write_text(json.dumps(state), encoding="utf-8")
    assert cli("pr-note", "--base", "main", "--post", tool, "--target", "body").exit_code == 0
    again = forge_state(forge)["body"]
    assert again.startswith(
        "Edited by the author.\n\nAuthor's words.\n\nMore words.\n\n<!-- micromoment:start -->"
    )
    assert again.endswith("<!-- micromoment:end -->\n\nA line the author added after.\n")
    assert again.count("<!-- micromoment:start -->") == 1


def test_a_named_pull_request(cli: Cli, branch: Path, forge: Path) -> None:
    state = forge_state(forge)
    state["no_pr"] = True
    forge.write_text(json.dumps(state), encoding="utf-8")
    missing = cli("pr-note", "--base", "main", "--post", "github")
    assert (
        missing.exit_code == 2
        and "no pull request for this branch" in missing.stderr
        and "--pr N" in missing.stderr
    )
    assert cli("pr-note", "--base", "main", "--post", "github", "--pr", "7").exit_code == 0
    assert cli("pr-note", "--pr", "7").exit_code == 2


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("logged_out", "gh is not logged in; run gh auth login"),
        ("read_only", "a pull request from a fork gets a read-only token"),
    ],
)
def test_clear_failures(cli: Cli, branch: Path, forge: Path, flag: str, message: str) -> None:
    state = forge_state(forge)
    state[flag] = True
    forge.write_text(json.dumps(state), encoding="utf-8")
    result = cli("pr-note", "--base", "main", "--post", "github")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    if flag == "read_only":
        assert "GITHUB_STEP_SUMMARY" in result.stderr


def test_gh_missing(cli: Cli, branch: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    git_dir = Path(__import__("shutil").which("git") or "/usr/bin/git").parent
    monkeypatch.setenv("PATH", f"{empty}:{git_dir}")
    result = cli("pr-note", "--base", "main", "--post", "github")
    assert result.exit_code == 2 and "gh is not installed" in result.stderr


def test_git_notes_attach_to_head_and_replace(cli: Cli, branch: Path) -> None:
    assert cli("pr-note", "--base", "main", "--git-notes").exit_code == 0
    first = git(branch, "notes", "--ref=micromoment", "show", "HEAD")
    assert first.startswith(MARKER)
    write(branch / "prompts/other.txt", "x\n")
    answers = write(branch.parent / "more.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers), "--subject", "second").exit_code == 0
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "second review")
    git(branch, "notes", "--ref=micromoment", "copy", "HEAD~1", "HEAD")
    assert cli("pr-note", "--base", "main", "--git-notes").exit_code == 0
    replaced = git(branch, "notes", "--ref=micromoment", "show", "HEAD")
    assert replaced.count(MARKER) == 1 and "Mini check: second" in replaced


def test_the_note_is_capped_with_the_summary_whole(cli: Cli, branch: Path) -> None:
    reviews = branch / ".micromoment/reviews"
    [seed] = [p for p in reviews.glob("*-mini-*.yaml")]
    text = seed.read_text(encoding="utf-8").replace("fix the grounding", "fix the grounding " + "x" * 300)
    for index in range(500):
        new_id = f"2026-01-01-mini-{index:04x}"
        (reviews / f"{new_id}.yaml").write_text(text.replace(seed.stem, new_id), encoding="utf-8")
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "many reviews")
    result = cli("pr-note", "--base", "main")
    assert result.exit_code == 0, result.output
    note = result.stdout
    assert len(note) <= MAX_CHARS
    assert note.splitlines()[0] == MARKER
    assert "**2 triggered · 1 covered · 1 skipped · 0 missing** · 501 review(s)" in note
    assert "| Mini check | covered |" in note
    *body, last = note.splitlines()
    shown = note.count("\n### Mini check: ")
    head = git(branch, "rev-parse", "HEAD").strip()
    hidden = [f".micromoment/reviews/2026-01-01-mini-{i:04x}.md" for i in range(shown, shown + 5)]
    assert last == (
        f"**Shortened to fit a comment** (the full note is {len(core_note()):,} characters, the limit 60,000): "
        f"500 long texts cut to {FIELD_CHARS} characters (ending in …); "
        f"the answers of {shown} reviews left out; {501 - shown} whole review sections left out. "
        "Read them in full in the records' files: "
        + ", ".join(f"[{path}](<../blob/{head}/{path}>)" for path in hidden)
        + f" and {501 - 5:,} more, under `.micromoment/reviews/`."
    )
    assert 50 < shown < 501 and "<details>" not in note
    assert body[-1] == ""  # the line stands apart, after a blank line
    assert "fix the grounding " + "x" * (FIELD_CHARS - len("fix the grounding ") - 1) + "…" in note
    assert "the table holds feature flags only" in note  # the skips stay


DRIVE_BY = MARKER + "\nSomeone pasted micromoment's marker into their own comment."


@pytest.mark.parametrize("tool", ["github", "gitlab"])
def test_a_marker_in_someone_elses_comment_is_left_alone(
    cli: Cli, branch: Path, forge: Path, tool: str
) -> None:
    comments = forge_state(forge)["comments"]
    set_state(forge, comments=[*comments, {"id": 4, "body": DRIVE_BY, **by("drive-by")}])
    first = cli("pr-note", "--base", "main", "--post", tool)
    assert first.exit_code == 0, first.output
    assert "added the micromoment" in first.stderr
    second = cli("pr-note", "--base", "main", "--post", tool)
    assert second.exit_code == 0, second.output
    assert "updated the micromoment" in second.stderr
    after = forge_state(forge)["comments"]
    assert [c["id"] for c in after] == [1, 2, 3, 4, 100]
    assert after[3]["body"] == DRIVE_BY
    assert after[4]["body"].startswith(MARKER) and "### Mini check: support prompt" in after[4]["body"]
    edited = {
        call[4].rsplit("/", 1)[1] for call in edits(forge) if call[1] == "api" and call[3] in ("PATCH", "PUT")
    }
    assert edited == {"100"}
    who_asked = [call for call in forge_state(forge)["calls"] if call[1:3] == ["api", "user"]]
    assert len(who_asked) == 2


@pytest.mark.parametrize(
    ("tool", "bot"), [("github", "github-actions[bot]"), ("gitlab", "project_42_bot_9f3a")]
)
def test_in_ci_the_bot_updates_its_own_comment_only(
    cli: Cli, branch: Path, forge: Path, tool: str, bot: str
) -> None:
    comments = forge_state(forge)["comments"]
    set_state(
        forge,
        user_forbidden=True,
        app_login=bot,
        comments=[
            *comments,
            {"id": 4, "body": DRIVE_BY, **by("pat")},
            {"id": 5, "body": MARKER + "\nan older note", **by(bot)},
        ],
    )
    result = cli("pr-note", "--base", "main", "--post", tool)
    assert result.exit_code == 0, result.output
    assert "updated the micromoment" in result.stderr
    after = forge_state(forge)["comments"]
    assert [c["id"] for c in after] == [1, 2, 3, 4, 5]
    assert after[3]["body"] == DRIVE_BY
    assert "### Mini check: support prompt" in after[4]["body"]


BROKEN = {
    "start only": (
        "Intro.\n<!-- micromoment:start -->\nold\nThe author's closing words.\n",
        "has <!-- micromoment:start --> but no <!-- micromoment:end --> after it",
    ),
    "end before start": (
        "<!-- micromoment:end -->\nwords\n<!-- micromoment:start -->\n",
        "has <!-- micromoment:end --> before <!-- micromoment:start -->",
    ),
    "two starts": (
        "<!-- micromoment:start -->\na\n<!-- micromoment:start -->\nb\n<!-- micromoment:end -->\n",
        "has 2 start markers <!-- micromoment:start --> and 1 end marker <!-- micromoment:end -->",
    ),
    "end only": (
        "Text.\n<!-- micromoment:end -->\nMore text.\n",
        "has <!-- micromoment:end --> but no <!-- micromoment:start --> before it",
    ),
}


@pytest.mark.parametrize("shape", BROKEN)
@pytest.mark.parametrize(("tool", "named"), [("github", "pull request #7"), ("gitlab", "merge request !7")])
def test_a_description_with_broken_markers_is_left_unchanged(
    cli: Cli, branch: Path, forge: Path, tool: str, named: str, shape: str
) -> None:
    body, problem = BROKEN[shape]
    set_state(forge, body=body)
    result = cli("pr-note", "--base", "main", "--post", tool, "--target", "body")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"micromoment: the description of {named} {problem}, so micromoment cannot tell which text is its own "
        "and changes nothing; edit it so that one <!-- micromoment:start --> comes before one "
        "<!-- micromoment:end --> around micromoment's section (or delete the markers and the old section), "
        "then run pr-note again\n"
    )
    assert forge_state(forge)["body"] == body
    assert edits(forge) == []
