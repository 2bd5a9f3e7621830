"""A sign-off covers what its signer saw: the answers and the triggering files as they were,
given in a commit that changes nothing but sign-offs. Judged through `check --base main`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import Cli, git, write

PAT = ("Pat Product", "pat@example.com")
DANA = ("Dana Lead", "dana@example.com")
SAM = ("Sam Second", "sam@example.com")


def commit_as(repo: Path, who: tuple[str, str], message: str) -> str:
    """Commit everything as `who`, author and committer alike; the commit's short id."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
    }
    git(repo, "add", "-A")
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=repo, check=True, env=env)
    return git(repo, "rev-parse", "HEAD").strip()[:10]


def sign(cli: Cli, record: Path, who: tuple[str, str]) -> str:
    """`micromoment signoff` as `who`, committed by them."""
    signed = cli("signoff", record.stem, env={"GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1]})
    assert signed.exit_code == 0, signed.output
    return commit_as(Path(record.parents[2]), who, f"{who[0]} signs off")


@pytest.fixture
def reviewed(cli: Cli, mini: Path) -> Path:
    """main asks one sign-off on `mini`; on `feature`, Pat's prompt and his review, with a follow-up."""
    write(
        mini / ".micromoment/config.yaml",
        "checklists:\n  mini: {signoffs: 1}\n  genai-output-review: {enabled: false}\n",
    )
    write(mini / "README.md", "# app\n")
    commit_as(mini, PAT, "policy")
    git(mini, "checkout", "-q", "-b", "feature")
    write(mini / "prompts/support.txt", "Answer refund questions.\n")
    answers = write(
        mini.parent / "answers.yaml",
        "data-kind: none\nfacts-checked:\n  answer: no\n  note: two answers were wrong\n"
        "  follow_up: {action: add the policy to the grounding docs, owner: engineering lead}\n",
    )
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    commit_as(mini, PAT, "prompt and review")
    [record] = (mini / ".micromoment/reviews").glob("*.yaml")
    return record


def refusal(cli: Cli, record: Path) -> str:
    """Why `check --base main` does not count Dana's sign-off, as its text output says it."""
    result = cli("check", "--base", "main")
    assert result.exit_code == 1, result.output
    prefix = "  the sign-off by Dana Lead <dana@example.com> does not count: "
    [line] = [line for line in result.stdout.splitlines() if line.startswith(prefix)]
    return line.removeprefix(prefix)


def counted(cli: Cli) -> int:
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    [verdict] = json.loads(result.stdout)["checklists"]
    assert verdict["signoffs_not_counted"] == []
    return int(verdict["signoffs_counted"])


def look_again(record: Path) -> str:
    return (
        f"a sign-off covers what its signer saw: ask them to look again (micromoment signoff {record.stem})"
    )


def test_an_edit_to_the_answers_after_the_signoff_is_named(cli: Cli, reviewed: Path) -> None:
    sign(cli, reviewed, DANA)
    assert counted(cli) == 1
    text = reviewed.read_text(encoding="utf-8")
    reviewed.write_text(text.replace("two answers were wrong", "all answers were right"), encoding="utf-8")
    edited = commit_as(reviewed.parents[2], PAT, "a kinder note")
    named = f".micromoment/reviews/{reviewed.name}"
    assert (
        refusal(cli, reviewed)
        == f"the answers in {named} changed after it, in {edited}; {look_again(reviewed)}"
    )


def test_an_edit_to_the_prompt_after_the_signoff_is_named(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    sign(cli, reviewed, DANA)
    write(repo / "prompts/support.txt", "Answer refund questions. Promise anything.\n")
    edited = commit_as(repo, PAT, "one more sentence")
    write(repo / "README.md", "# app, described\n")
    commit_as(repo, PAT, "a later commit that leaves the prompt alone")
    assert (
        refusal(cli, reviewed) == f"prompts/support.txt changed after it, in {edited}; {look_again(reviewed)}"
    )
    # A new prompt file the signer never saw is named too, staged or committed.
    git(repo, "reset", "-q", "--hard", "HEAD~2")
    write(repo / "prompts/extra.txt", "Also answer billing questions.\n")
    git(repo, "add", "-A")
    assert refusal(cli, reviewed) == (
        f"prompts/extra.txt changed after it, in the commit being made; {look_again(reviewed)}"
    )


def test_a_resolved_follow_up_and_a_second_signoff_leave_it_standing(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    sign(cli, reviewed, DANA)
    resolved = cli("resolve", reviewed.stem, "facts-checked", "--note", "added the refund policy")
    assert resolved.exit_code == 0, resolved.output
    commit_as(repo, PAT, "the follow-up is done")
    assert counted(cli) == 1
    sign(cli, reviewed, SAM)
    assert counted(cli) == 2


def test_a_rebase_onto_a_newer_main_keeps_it(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    sign(cli, reviewed, DANA)
    git(repo, "checkout", "-q", "main")
    # main moves on, in a prompt of its own too: the branch does not change that one.
    write(repo / "prompts/other.txt", "Greet the customer.\n")
    commit_as(repo, PAT, "main moves on")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    assert counted(cli) == 1


def test_a_signoff_cherry_picked_onto_other_prompt_content_does_not_count(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    given = git(repo, "rev-parse", "HEAD").strip()
    sign(cli, reviewed, DANA)
    signed = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "other", "main")
    write(repo / "prompts/support.txt", "Answer refund questions. Refund everything.\n")
    git(repo, "checkout", given, "--", ".micromoment/reviews")
    commit_as(repo, PAT, "another prompt, the same review")
    git(repo, "cherry-pick", signed)
    picked = git(repo, "rev-parse", "HEAD").strip()[:10]
    assert refusal(cli, reviewed) == (
        f"it was given on other content than {picked} holds (carried over by a cherry-pick or an "
        f"amend); {look_again(reviewed)}"
    )


def test_an_amended_signoff_commit_that_adds_prompt_text_does_not_count(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    sign(cli, reviewed, DANA)
    write(repo / "prompts/support.txt", "Answer refund questions. Never mention fees.\n")
    git(repo, "commit", "-q", "--no-verify", "--amend", "--no-edit", "-a")
    amended = git(repo, "rev-parse", "HEAD").strip()[:10]
    assert refusal(cli, reviewed) == (
        f"{amended} added it and also changes prompts/support.txt; a sign-off counts from a commit "
        "that changes nothing but sign-offs"
    )


def test_a_signoff_that_records_nothing_seen_does_not_count(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    sign(cli, reviewed, DANA)
    text = reviewed.read_text(encoding="utf-8")
    reviewed.write_text("\n".join(line for line in text.splitlines() if "saw:" not in line) + "\n")
    git(repo, "commit", "-q", "--no-verify", "--amend", "--no-edit", "-a")
    assert refusal(cli, reviewed) == f"it does not record what the signer saw; {look_again(reviewed)}"


def test_a_signoff_commit_that_also_edits_the_record_does_not_count(cli: Cli, reviewed: Path) -> None:
    repo = reviewed.parents[2]
    assert (
        cli("signoff", reviewed.stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}).exit_code
        == 0
    )
    text = reviewed.read_text(encoding="utf-8")
    [subject] = [line for line in text.splitlines() if line.startswith("subject: ")]
    reviewed.write_text(text.replace(subject, "subject: something else"), encoding="utf-8")
    signed = commit_as(repo, DANA, "Dana signs off, and retitles the review")
    assert refusal(cli, reviewed) == (
        f"{signed} added it and also changes .micromoment/reviews/{reviewed.name} beyond its sign-offs; "
        "a sign-off counts from a commit that changes nothing but sign-offs"
    )
