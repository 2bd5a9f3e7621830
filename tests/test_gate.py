"""`check` and `skip` against real repositories in every state the gate has to handle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, PATIENCE, Cli, git, write
from micromoment.records import load_any_record


def commit_all(repo: Path, message: str = "work") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def started(repo: Path) -> Path:
    """A repository with one commit on main."""
    write(repo / "README.md", "# app\n")
    commit_all(repo, "start")
    return repo


def answer_genai_review(cli: Cli, repo: Path) -> Path:
    """Answer genai-output-review through the answers file (every required item answered yes)."""
    from micromoment.checklists import load_catalog
    from micromoment.locations import find_project

    checklist = load_catalog(find_project(repo)).get("genai-output-review")
    lines = []
    for item in checklist.items:
        if item.ask_if is None:
            lines.append(
                f"{item.id}: {(item.options or ['yes'])[0]!r}" if item.kind == "choice" else f"{item.id}: yes"
            )
    answers = write(repo.parent / "answers.yaml", "\n".join(lines) + "\n")
    result = cli("review", "genai-output-review", "--answers", str(answers), "--subject", "prompt change")
    assert result.exit_code == 0, result.output
    return next((repo / ".micromoment/reviews").glob("*genai-output-review*.yaml"))


def test_nothing_triggered_is_exit_0(cli: Cli, started: Path) -> None:
    write(started / "src/app.py", "print('hi')\n")
    git(started, "add", "-A")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert "Nothing in the staged change calls for a checklist." in result.stdout


def test_a_staged_prompt_without_a_record_is_missing_with_the_fix(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "You are helpful.\n")
    git(started, "add", "-A")
    result = cli("check")
    assert result.exit_code == 1
    assert "genai-output-review (GenAI output review)" in result.stdout
    assert "triggered by: prompts/support.txt" in result.stdout
    assert "fix: micromoment review genai-output-review" in result.stdout
    assert "or: micromoment skip genai-output-review --reason '...'" in result.stdout
    data = json.loads(cli("check", "--json").stdout)
    assert data["ok"] is False
    assert [(v["checklist"], v["paths"], v["covered"]) for v in data["checklists"]] == [
        ("genai-output-review", ["prompts/support.txt"], False)
    ]


def test_a_staged_complete_review_covers_it(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "You are helpful.\n")
    record = answer_genai_review(cli, started)
    git(started, "add", "prompts")
    assert cli("check").exit_code == 1  # the record exists but is not part of the change yet
    git(started, "add", ".micromoment")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert f"covered by .micromoment/reviews/{record.name}" in result.stdout


def test_an_incomplete_review_does_not_cover(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "You are helpful.\n")
    answers = write(started.parent / "partial.yaml", "facts-checked: yes\n")
    assert cli("review", "genai-output-review", "--answers", str(answers)).exit_code == 1
    git(started, "add", "-A")
    assert cli("check").exit_code == 1


def test_skip_records_cover_and_trivial_reasons_are_refused(cli: Cli, started: Path) -> None:
    write(started / "db/migrations/0001_init.sql", "create table notes (body text);\n")
    git(started, "add", "-A")
    for reason in ("", "n/a", "later", "no time"):
        refused = cli("skip", "data-safeguards", "--reason", reason)
        assert refused.exit_code == 2 and "a skip needs a reason" in refused.stderr
    sensitive = cli("skip", "data-safeguards", "--reason", "asked jo.doe@acme-corp.com, she says it is fine")
    assert sensitive.exit_code == 2 and "email address" in sensitive.stderr
    result = cli(
        "skip",
        "data-safeguards",
        "--reason",
        "the table holds only feature flags, no user data",
        "--approver",
        "Dana Lead",
    )
    assert result.exit_code == 0, result.output
    [path] = (started / ".micromoment/reviews").glob("*-data-safeguards-skip-*.yaml")
    record = load_any_record(path)
    assert record.kind == "skip" and record.approver == "Dana Lead" and record.who.name == "Pat Product"
    git(started, "add", "-A")
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    assert "skipped, with a reason, in" in checked.stdout
    assert cli("skip", "nope", "--reason", "this checklist does not exist at all").exit_code == 2
    assert cli("lint").exit_code == 0


def test_base_counts_commits_since_the_merge_base(cli: Cli, started: Path) -> None:
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "You are helpful.\n")
    commit_all(started, "prompt")
    result = cli("check", "--base", "main")
    assert result.exit_code == 1
    assert "since main" in result.stderr
    answer_genai_review(cli, started)
    commit_all(started, "review")
    assert cli("check", "--base", "main").exit_code == 0
    git(started, "checkout", "-q", "main")
    git(started, "merge", "-q", "--ff-only", "feature")
    # On the base branch itself only the staged change counts: nothing is staged.
    on_base = cli("check", "--base", "main")
    assert on_base.exit_code == 0 and "Nothing since main" in on_base.stdout


def test_unknown_ref_says_shallow_clones_need_history(cli: Cli, started: Path) -> None:
    result = cli("check", "--base", "origin/release")
    assert result.exit_code == 2
    assert "unknown ref 'origin/release'" in result.stderr and "fetch-depth: 0" in result.stderr


def test_before_the_first_commit(cli: Cli, repo: Path) -> None:
    write(repo / "prompts/support.txt", "You are helpful.\n")
    git(repo, "add", "-A")
    assert cli("check").exit_code == 1
    assert cli("check", "--base", "main").exit_code == 2  # main does not exist yet
    answer_genai_review(cli, repo)
    git(repo, "add", "-A")
    assert cli("check").exit_code == 0


def test_detached_head(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "You are helpful.\n")
    commit_all(started, "prompt")
    git(started, "checkout", "-q", "--detach", "HEAD")
    assert cli("check", "--base", "HEAD~1").exit_code == 1
    answer_genai_review(cli, started)
    git(started, "add", "-A")
    assert cli("check", "--base", "HEAD~1").exit_code == 0


def test_linked_worktree(cli: Cli, started: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = started.parent / "tree"
    git(started, "worktree", "add", "-q", "-b", "feature", str(tree))
    monkeypatch.chdir(tree)
    write(tree / "prompts/support.txt", "You are helpful.\n")
    git(tree, "add", "-A")
    assert cli("check").exit_code == 1
    answer_genai_review(cli, tree)
    git(tree, "add", "-A")
    assert cli("check").exit_code == 0
    assert cli("check", "--base", "main").exit_code == 0


def test_explicit_files(cli: Cli, started: Path) -> None:
    for name in ("CHANGELOG.md", "docs/x.md", "prompts/a.txt", "prompts/b.txt"):
        write(started / name, "x\n")
    result = cli("check", "--json", "CHANGELOG.md", "docs/x.md")
    assert result.exit_code == 1
    assert {v["checklist"]: v["paths"] for v in json.loads(result.stdout)["checklists"]} == {
        "launch-readiness": ["CHANGELOG.md"]
    }
    assert "in the given files" in cli("check", "CHANGELOG.md").stderr
    assert cli("check", "docs/x.md").exit_code == 0
    assert cli("check", "--staged", "--base", "main").exit_code == 2
    folder = json.loads(cli("check", "--json", "prompts/").stdout)
    assert [(v["checklist"], v["paths"]) for v in folder["checklists"]] == [
        ("genai-output-review", ["prompts/a.txt", "prompts/b.txt"])
    ]
    missing = cli("check", "prompts/does-not-exist.txt")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("micromoment: prompts/does-not-exist.txt: no such file or folder;")


def test_config_extends_replaces_and_switches_off_triggers(cli: Cli, started: Path) -> None:
    write(
        started / ".micromoment/config.yaml",
        "checklists:\n"
        "  genai-output-review: {also_applies_to: ['agents/**']}\n"
        "  data-safeguards: {applies_to: ['warehouse/']}\n"
        "  launch-readiness: {enabled: false}\n",
    )
    commit_all(started, "policy")  # the policy that judges a change is the committed one
    for name in ("agents/router.py", "db/x.sql", "warehouse/t.sql", "CHANGELOG.md"):
        write(started / name, "x\n")
    verdicts = json.loads(
        cli("check", "--json", "agents/router.py", "db/x.sql", "warehouse/t.sql", "CHANGELOG.md").stdout
    )
    triggered = {v["checklist"]: v["paths"] for v in verdicts["checklists"]}
    assert triggered == {"data-safeguards": ["warehouse/t.sql"], "genai-output-review": ["agents/router.py"]}


def test_a_record_of_an_older_checklist_still_covers_with_a_warning(cli: Cli, started: Path) -> None:
    checklist = write(
        started / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    )
    write(started / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    commit_all(started, "policy")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "You are helpful.\n")
    answers = write(started.parent / "a.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    commit_all(started, "prompt and review")
    git(started, "checkout", "-q", "main")
    checklist.write_text(
        checklist.read_text(encoding="utf-8").replace("Models invent things.", "Models make things up."),
        encoding="utf-8",
    )
    commit_all(started, "reword the checklist")
    git(started, "checkout", "-q", "feature")
    git(started, "rebase", "-q", "main")
    result = cli("check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "answered an older version of this checklist; it still counts" in result.stdout


def test_github_step_summary_is_appended(cli: Cli, started: Path, tmp_path: Path) -> None:
    summary = write(tmp_path / "summary.md", "earlier step\n")
    write(started / "prompts/support.txt", "You are helpful.\n")
    git(started, "add", "-A")
    assert cli("check", env={"GITHUB_STEP_SUMMARY": str(summary)}).exit_code == 1
    text = summary.read_text(encoding="utf-8")
    # The verdict first, then what to run, then the details folded.
    assert text == (
        "earlier step\n### ❌ micromoment: 1 of 1 triggered checklist(s) not covered\n\n"
        "To pass, run this and commit what it writes:\n\n```sh\nmicromoment review genai-output-review\n```\n\n"
        "<details><summary>Details</summary>\n\n| checklist | triggered by | status |\n| --- | --- | --- |\n"
        "| genai-output-review | prompts/support.txt | missing: run `micromoment review genai-output-review` |\n"
        "\n</details>\n\n"
    )


def test_outside_a_repository_and_without_git(cli: Cli, outside: Path) -> None:
    result = cli("check")
    assert result.exit_code == 2 and "is not inside a git repository" in result.stderr
    env = {**os.environ, "PATH": str(outside)}  # no git on this PATH
    done = subprocess.run(
        [sys.executable, "-m", "micromoment", "check"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert done.returncode == 2
    assert "git is not installed or not on PATH" in done.stderr and "Traceback" not in done.stderr


def test_a_broken_record_in_the_change_is_named(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "You are helpful.\n")
    record = answer_genai_review(cli, started)
    record.write_text(
        record.read_text(encoding="utf-8").replace("status: complete", "status: finished"), encoding="utf-8"
    )
    git(started, "add", "-A")
    result = cli("check")
    assert result.exit_code == 1
    assert f"INVALID: .micromoment/reviews/{record.name}:" in result.stdout
    assert "status: must be one of complete, incomplete" in result.stdout
    assert f"micromoment lint .micromoment/reviews/{record.name}" in result.stdout


def test_an_unknown_remote_ref_suggests_the_local_branch(cli: Cli, started: Path) -> None:
    for command in (("check", "--base", "origin/main"), ("pr-note", "--base", "origin/main")):
        result = cli(*command)
        assert result.exit_code == 2
        assert result.stderr.strip() == (
            "micromoment: unknown ref 'origin/main': fetch it first, or use the local branch: --base main"
        )
