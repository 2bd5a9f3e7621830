"""Every command that changes a tracked file ends with the exact `git add` line, and review and
skip refuse to write outside a git repository unless told --no-git."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, write

DANA = {"GIT_AUTHOR_NAME": "Dana Lead", "GIT_AUTHOR_EMAIL": "dana@example.com"}
REASON = "only the README wording changed in this commit"


def test_skip_ends_with_git_add(cli: Cli, repo: Path) -> None:
    result = cli("skip", "quick", "--reason", REASON)
    assert result.exit_code == 0, result.output
    [path] = (repo / ".micromoment/reviews").glob("*-quick-skip-*.yaml")
    assert result.stderr.splitlines() == [
        f"recorded .micromoment/reviews/{path.name}; stage it with your change:",
        f"git add .micromoment/reviews/{path.name}",
    ]


def test_skip_outside_a_repository_stops_and_no_git_records(cli: Cli, outside: Path) -> None:
    refused = cli("skip", "quick", "--reason", REASON)
    assert refused.exit_code == 2
    assert "not inside a git repository" in refused.stderr and "--no-git" in refused.stderr
    assert "git init" in refused.stderr
    assert not (outside / ".micromoment").exists()
    done = cli("skip", "quick", "--reason", REASON, "--no-git")
    assert done.exit_code == 0, done.output
    [path] = (outside / ".micromoment/reviews").glob("*.yaml")
    assert done.stderr.splitlines() == [f"recorded .micromoment/reviews/{path.name}"]


def test_interactive_review_outside_a_repository_stops_before_asking(cli: Cli, outside: Path) -> None:
    result = cli("review", "quick", "--interactive", input="x\n")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr and "Subject" not in result.stderr
    assert not (outside / ".micromoment").exists()


def test_signoff_and_resolve_end_with_git_add(cli: Cli, mini: Path) -> None:
    answers = write(
        mini.parent / "answers.yaml",
        "data-kind: none\nfacts-checked:\n  answer: no\n"
        "  follow_up: {action: add the policy to the grounding docs, owner: engineering lead}\n",
    )
    assert cli("review", "mini", "--answers", str(answers), "--subject", "s").exit_code == 0
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    line = (
        f"git add .micromoment/reviews/{path.name} .micromoment/reviews/{path.stem}.md   # then commit this"
    )
    signed = cli("signoff", path.stem, env=DANA)
    assert signed.exit_code == 0, signed.output
    assert signed.stderr.splitlines()[-1] == line
    resolved = cli("resolve", path.stem, "facts-checked", "--note", "policy page added", env=DANA)
    assert resolved.exit_code == 0, resolved.output
    assert resolved.stderr.splitlines()[-1] == line
