"""pr-note: the Markdown, posting through stand-in gh / glab, git notes, the size cap, escaping."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import FIXTURES, Cli, building_template, copy_repo, git, write
from micromoment.checklists import load_catalog
from micromoment.forge.note import FIELD_CHARS, MARKER, MAX_CHARS, collect, note_view, render_note
from micromoment.git import find_repo
from micromoment.locations import Project
from micromoment.records.markdown import ZERO_WIDTH

# Reviews on a branch whose note must be cut: more than fit (about 80 do) in each case; CI uses more.
MANY = 500 if os.environ.get("MICROMOMENT_FULL_TESTS") else 150
HOSTILE = "pipes | `ticks` **bold** <script>alert(1)</script>\n# not a heading [x](javascript:alert(1))"
ALLOWED_HTML = {"<br>", "<details><summary>All answers</summary>", "</details>", MARKER}


@pytest.fixture
def branch(branch_template: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main with one commit; `feature` adds a prompt, a review with a "no", and a skip."""
    return copy_repo(branch_template, repo, monkeypatch)


@pytest.fixture(scope="module")
def branch_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `branch` repository, built once for this file's tests to copy."""
    with building_template(tmp_path_factory, "branch") as repo:
        yield build_branch(Cli(), repo)


def build_branch(cli: Cli, repo: Path) -> Path:
    write(repo / "README.md", "# app\n")
    write(repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    write(repo / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "checkout", "-q", "-b", "feature")
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
    change = collect(repo, "main")
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


def test_without_a_remote_the_note_finds_the_base_as_check_does(cli: Cli, branch: Path) -> None:
    assert git(branch, "remote").strip() == ""  # no origin/main to fall back on
    found = cli("pr-note")
    assert found.exit_code == 0, found.output
    assert found.stdout == cli("pr-note", "--base", "main").stdout
    checked = cli("check")
    assert "(records since main)" in checked.stdout  # the base check and the hook measure from


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
    for index in range(MANY):
        new_id = f"2026-01-01-mini-{index:04x}"
        (reviews / f"{new_id}.yaml").write_text(text.replace(seed.stem, new_id), encoding="utf-8")
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "many reviews")
    result = cli("pr-note", "--base", "main")
    assert result.exit_code == 0, result.output
    note = result.stdout
    assert len(note) <= MAX_CHARS
    assert note.splitlines()[0] == MARKER
    assert f"**2 triggered · 1 covered · 1 skipped · 0 missing** · {MANY + 1} review(s)" in note
    assert "| Mini check | covered |" in note
    *body, last = note.splitlines()
    shown = note.count("\n### Mini check: ")
    head = git(branch, "rev-parse", "HEAD").strip()
    hidden = [f".micromoment/reviews/2026-01-01-mini-{i:04x}.md" for i in range(shown, shown + 5)]
    assert last == (
        f"**Shortened to fit a comment** (the full note is {len(core_note()):,} characters, the limit 60,000): "
        f"{MANY} long texts cut to {FIELD_CHARS} characters (ending in …); "
        f"the answers of {shown} reviews left out; {MANY + 1 - shown} whole review sections left out. "
        "Read them in full in the records' files: "
        + ", ".join(f"[{path}](<../blob/{head}/{path}>)" for path in hidden)
        + f" and {MANY + 1 - 5:,} more, under `.micromoment/reviews/`."
    )
    assert 50 < shown < MANY + 1 and "<details>" not in note
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
def test_when_the_token_may_not_say_who_it_is_a_new_note_is_added_and_none_edited(
    cli: Cli, branch: Path, forge: Path, tool: str, bot: str
) -> None:
    comments = forge_state(forge)["comments"]
    older = {"id": 5, "body": MARKER + "\nan older note", **by(bot)}
    set_state(
        forge,
        user_forbidden=True,
        app_login=bot,
        comments=[*comments, {"id": 4, "body": DRIVE_BY, **by("pat")}, older],
    )
    result = cli("pr-note", "--base", "main", "--post", tool)
    assert result.exit_code == 0, result.output
    assert "added the micromoment" in result.stderr
    after = forge_state(forge)["comments"]
    assert [c["id"] for c in after[:5]] == [1, 2, 3, 4, 5] and len(after) == 6
    assert after[3]["body"] == DRIVE_BY and after[4] == older
    assert "### Mini check: support prompt" in after[5]["body"]


BROKEN = {
    "start only": (
        "Intro.\n<!-- micromoment:start -->\nold\nThe author's closing words.\n",
        "has 1 start marker <!-- micromoment:start --> and 0 end markers <!-- micromoment:end -->",
    ),
    "end before start": (
        "<!-- micromoment:end -->\nwords\n<!-- micromoment:start -->\n",
        "has 1 start marker <!-- micromoment:start --> and 1 end marker <!-- micromoment:end --> (<!-- micromoment:end --> first)",
    ),
    "two starts": (
        "<!-- micromoment:start -->\na\n<!-- micromoment:start -->\nb\n<!-- micromoment:end -->\n",
        "has 2 start markers <!-- micromoment:start --> and 1 end marker <!-- micromoment:end -->",
    ),
    "end only": (
        "Text.\n<!-- micromoment:end -->\nMore text.\n",
        "has 0 start markers <!-- micromoment:start --> and 1 end marker <!-- micromoment:end -->",
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


MENTIONS = "ping @octocat and @acme/security-team; fixes #12, Closes: acme/app#3 and RESOLVED https://github.com/acme/app/issues/9"
GITLAB_REFS = 'see !4, ~bug, ~"needs review" and %"v1.0"; Fixes GH-5; closing issue #6'
QUICK = "/close\n/assign @dana"
LIVE = {
    "mention": re.compile(r"(?<![A-Za-z0-9_`])@[A-Za-z0-9]"),
    "closing": re.compile(
        r"(?i)(?<![a-z0-9_])(?:close[sd]?|closing|fix(?:e[sd])?|fixing|resolve[sd]?|resolving)"
        r"\s*:?\s+(?:issues?\s+)?(?:#\d|gh-\d|[\w.-]+/[\w.-]+#\d|https?://)"
    ),
    "gitlab reference": re.compile(r"![0-9]|[~%][A-Za-z0-9\"]"),
    "quick action": re.compile(r"(?m)^\s*/[a-z]"),
}


def visible_texts(markdown: str) -> list[str]:
    """The text a reader sees in each paragraph, heading or cell, as markdown-it parses it."""
    texts = []
    for token in MarkdownIt("commonmark").enable(["table"]).parse(markdown):
        if token.type != "inline":
            continue
        parts = []
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak") or child.content == "<br>":
                parts.append("\n")
        texts.append("".join(parts))
    return texts


def test_record_text_cannot_notify_close_or_act(cli: Cli, branch: Path) -> None:
    answers = write(
        branch.parent / "loud.yaml",
        "data-kind: none\n"
        + "facts-checked:\n  answer: no\n  note: "
        + json.dumps(MENTIONS)
        + "\n  evidence: https://github.com/acme/app/issues/9\n"
        + "  follow_up: {action: "
        + json.dumps(GITLAB_REFS)
        + ", owner: '@acme/leads'}\n"
        + "reviewer: "
        + json.dumps(QUICK)
        + "\n",
    )
    write(branch / "prompts/loud.txt", "x\n")
    made = cli("review", "mini", "--answers", str(answers), "--subject", "@ghost fixes #1")
    assert made.exit_code == 0, made.output
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "a loud review")
    result = cli("pr-note", "--base", "main", "--git-notes")
    assert result.exit_code == 0, result.output
    note = git(branch, "notes", "--ref=micromoment", "show", "HEAD")
    assert ZERO_WIDTH in note
    texts = visible_texts(note)
    for text in texts:
        for name, pattern in LIVE.items():
            assert not pattern.search(text), (name, text)
    seen = "\n".join(texts).replace(ZERO_WIDTH, "")
    flat = " ".join(seen.split())
    for original in (MENTIONS, GITLAB_REFS, "@acme/leads", "@ghost fixes #1"):
        assert original in flat, original
    assert "/close\n/assign @dana" in seen
    # micromoment's own Markdown is untouched: the marker, the links, the evidence link.
    assert note.startswith(MARKER + "\n")
    assert "<https://github.com/acme/app/issues/9>" in note
    assert ZERO_WIDTH not in "".join(re.findall(r"\]\(([^)]*)\)", note))


def add_reviews(branch: Path, notes: list[str]) -> None:
    for index, note in enumerate(notes):
        write(branch / f"prompts/extra{index}.txt", "x\n")
        answers = write(
            branch.parent / f"extra{index}.yaml",
            "data-kind: none\nfacts-checked:\n  answer: no\n  note: " + json.dumps(note) + "\n",
        )
        result = Cli()("review", "mini", "--answers", str(answers), "--subject", f"extra {index}")
        assert result.exit_code == 0, result.output
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "more reviews")


def record_md(branch: Path, subject: str) -> str:
    [path] = [
        p
        for p in (branch / ".micromoment/reviews").glob("*.yaml")
        if f"subject: {subject}\n" in p.read_text()
    ]
    return path.relative_to(branch).with_suffix(".md").as_posix()


def test_one_huge_field_is_shortened_on_its_own(cli: Cli, branch: Path) -> None:
    add_reviews(branch, ["word " * 20_000, "a short note"])
    result = cli("pr-note", "--base", "main")
    assert result.exit_code == 0, result.output
    note = result.stdout
    assert len(note) <= MAX_CHARS
    for subject in ("support prompt", "extra 0", "extra 1"):
        assert f"\n### Mini check: {subject}\n" in note
    assert note.count("<details><summary>All answers</summary>") == 3
    cut_to = "word " * 59 + "word…"  # 300 characters, ended at a word
    assert len(cut_to) == FIELD_CHARS and f"— {cut_to} (no follow-up recorded)" in note
    path = record_md(branch, "extra 0")
    head = git(branch, "rev-parse", "HEAD").strip()
    assert note.splitlines()[-1] == (
        f"**Shortened to fit a comment** (the full note is {len(core_note()):,} characters, the limit 60,000): "
        f"1 long text cut to 300 characters (ending in …). "
        f"Read them in full in the records' files: [{path}](<../blob/{head}/{path}>), under `.micromoment/reviews/`."
    )


def test_details_go_before_sections_and_the_line_counts_them(branch: Path) -> None:
    # Notes long enough that one review's answers outweigh the line that says they were cut.
    add_reviews(branch, ["first " * 40, "second " * 35])
    full = core_note()
    assert "Shortened" not in full and full.count("<details>") == 3
    subjects = re.findall(r"^### Mini check: (.+)$", full, re.MULTILINE)
    assert sorted(subjects) == ["extra 0", "extra 1", "support prompt"]
    head = git(branch, "rev-parse", "HEAD").strip()
    one_less = core_note(limit=len(full) - 1)
    path = record_md(branch, subjects[-1])
    assert one_less.count("<details>") == 2 and one_less.count("\n### Mini check: ") == 3
    assert f"### Mini check: {subjects[-1]}" in one_less.split("</details>")[-1]  # the last lost its answers
    assert one_less.splitlines()[-1] == (
        f"**Shortened to fit a comment** (the full note is {len(full):,} characters, the limit {len(full) - 1:,}): "
        f"the answers of 1 review left out. "
        f"Read them in full in the records' files: [{path}](<../blob/{head}/{path}>), under `.micromoment/reviews/`."
    )
    assert len(one_less) <= len(full) - 1
    # Room for the summary, the skips and some review sections, but for no answers.
    half = core_note(limit=len(full) * 3 // 5)
    assert len(half) <= len(full) * 3 // 5
    shown = re.findall(r"^### Mini check: (.+)$", half, re.MULTILINE)
    assert shown == subjects[: len(shown)] and 0 < len(shown) < 3 and "<details>" not in half
    gone = [
        f"[{p}](<../blob/{head}/{p}>)" for p in map(lambda s: record_md(branch, s), subjects[len(shown) :])
    ]
    kept = [f"[{p}](<../blob/{head}/{p}>)" for p in map(lambda s: record_md(branch, s), shown)]
    assert half.splitlines()[-1] == (
        f"**Shortened to fit a comment** (the full note is {len(full):,} characters, the limit {len(full) * 3 // 5:,}): "
        f"the answers of {len(shown)} review{'s' if len(shown) > 1 else ''} left out; "
        f"{3 - len(shown)} whole review section{'s' if 3 - len(shown) > 1 else ''} left out. "
        f"Read them in full in the records' files: {', '.join(gone + kept)}, under `.micromoment/reviews/`."
    )


@pytest.mark.parametrize(
    ("opener", "closer"), [("<details><summary>Background</summary>", "</details>"), ("```text", "```")]
)
def test_a_note_that_will_not_shrink_is_cut_between_blocks(
    branch: Path, tmp_path: Path, opener: str, closer: str
) -> None:
    template = write(
        tmp_path / "long.md.j2",
        MARKER
        + "\n"
        + opener
        + "\n\n{% for i in range(300) %}\nParagraph {{ i }} says a good deal more.\n\n{% endfor %}\n"
        + closer
        + "\n",
    )
    full = core_note(template=str(template))
    note = core_note(limit=3000, template=str(template))
    assert len(full) > 3000 >= len(note)
    last = note.splitlines()[-1]
    match = re.fullmatch(
        rf"\*\*Shortened to fit a comment\*\* \(the full note is {len(full):,} characters, the limit 3,000\): "
        r"the last ([0-9,]+) characters left out\. Read them in full in the records' files: .*",
        last,
    )
    assert match, last
    kept = len(full) - int(match.group(1).replace(",", ""))
    assert note[:kept] == full[:kept] and full[kept : kept + 2] == "\n\n"  # cut at a blank line
    assert note[:kept].endswith("says a good deal more.")
    closing = "\n\n</details>" if closer == "</details>" else "\n```"
    assert note[kept:] == closing + "\n\n" + last + "\n"
    html = MarkdownIt("commonmark").render(note)
    assert html.rstrip().endswith("under <code>.micromoment/reviews/</code>.</p>")


def test_a_skip_of_a_checklist_not_called_for_is_listed_apart(cli: Cli, branch: Path) -> None:
    reason = "no release in this change, only the support prompt"
    assert cli("skip", "launch-readiness", "--reason", reason).exit_code == 0
    git(branch, "add", "-A")
    git(branch, "commit", "-q", "-m", "an extra skip")
    note = cli("pr-note", "--base", "main").stdout
    assert "**2 triggered · 1 covered · 1 skipped · 0 missing**" in note
    skipped, others = (
        note.index("### Skipped checklists"),
        note.index("### Other skips recorded in this change"),
    )
    assert skipped < note.index("the table holds feature flags only") < others
    assert note.index(f"Launch readiness: {reason}") > others
    review_link = next(line for line in note.splitlines() if line.startswith("| Mini check |"))
    assert review_link.endswith(".md) |")  # the readable Markdown, not the YAML


def test_the_configured_reviews_folder_reaches_the_links_and_the_cut_line(cli: Cli, repo: Path) -> None:
    write(repo / "README.md", "# app\n")
    write(repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    write(
        repo / ".micromoment/config.yaml",
        "reviews_dir: docs/reviews\nchecklists:\n  genai-output-review: {enabled: false}\n",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo / "prompts/support.txt", "You are helpful.\n")
    answers = write(repo.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers), "--subject", "support prompt").exit_code == 0
    [record] = (repo / "docs/reviews").glob("*.yaml")
    record.rename(record.with_suffix(".yml"))  # a record by the other suffix reads the same
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "prompt and review")
    head = git(repo, "rev-parse", "HEAD").strip()
    markdown = f"docs/reviews/{record.stem}.md"
    full = core_note()
    assert f"(../blob/{head}/{markdown})" in full
    cut = core_note(limit=len(full) - 1)
    assert cut.splitlines()[-1].endswith(
        f"Read them in full in the records' files: [{markdown}](<../blob/{head}/{markdown}>), under `docs/reviews/`."
    )


def test_the_note_reads_the_reviews_in_the_language_asked(cli: Cli, branch: Path) -> None:
    write(
        branch / ".micromoment/checklists/mini.pt-BR.yaml", (FIXTURES / "mini.pt-BR.yaml").read_text("utf-8")
    )
    note = cli("pr-note", "--base", "main", "--lang", "pt-BR").stdout
    assert "### Checagem mínima: support prompt" in note
    assert "- Você conferiu os fatos em cinco respostas?" in note  # the "no", in the words read
    assert cli("pr-note", "--base", "main", env={"MICROMOMENT_LANG": "pt-BR"}).stdout == note
    assert "### Mini check: support prompt" in cli("pr-note", "--base", "main").stdout
