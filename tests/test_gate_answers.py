"""A valid record that says `status: complete` covers a change only when its answers complete the
checklist the base has: a record written or trimmed by hand cannot claim what was not answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import Cli, git, run_hook, run_module, write


@pytest.fixture
def reviewed(cli: Cli, repo: Path) -> Path:
    """A prompt change on a branch, with a real, complete genai-output-review record staged."""
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "start")
    git(repo, "checkout", "-q", "-b", "prompt")
    write(repo / "prompts/support.txt", "You are helpful.\n")
    shown = json.loads(cli("show", "genai-output-review", "--json").stdout)
    answers = {
        item["id"]: (item.get("options") or ["yes"])[0] if item["kind"] != "text" else "the support lead"
        for item in shown["items"]
        if not item.get("ask_if")
    }
    answers_file = write(repo.parent / "answers.yaml", yaml.safe_dump(answers))
    made = cli("review", "genai-output-review", "--answers", str(answers_file), "--subject", "prompt")
    assert made.exit_code == 0, made.output
    git(repo, "add", "-A")
    assert cli("check").exit_code == 0
    [record] = (repo / ".micromoment/reviews").glob("*.yaml")
    return record


def rewrite(record: Path, change: dict[str, str | None]) -> None:
    """Edit the record's answers as a person with a text editor would: drop some, alter others."""
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    kept = []
    for answer in data["answers"]:
        if answer["item"] in change:
            if change[answer["item"]] is None:
                continue
            answer["answer"] = change[answer["item"]]
        kept.append(answer)
    data["answers"] = kept
    record.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    git(record.parents[2], "add", "-A")


def test_a_record_trimmed_by_hand_does_not_cover_and_says_which_items(
    cli: Cli, reviewed: Path, repo: Path
) -> None:
    rewrite(reviewed, {"facts-checked": None, "sources-opened": None})
    shown = f".micromoment/reviews/{reviewed.name}"
    linted = cli("lint", shown)
    assert linted.exit_code == 2
    assert linted.stdout.splitlines()[0] == (
        f"{shown}: status: says complete, but facts-checked, sources-opened have no answer that "
        "checklist genai-output-review (version 1.0) accepts; the gate will not count it: answer again "
        "with micromoment review genai-output-review"
    )
    assert cli("lint").stdout.count("says complete, but") == 1  # the whole project, once
    checked = cli("check")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[2:4] == [
        "  MISSING: no complete record of it created in this change",
        f"  {shown} says it is complete, but facts-checked, sources-opened have no answer that the "
        "checklist (version 1.0) accepts",
    ]
    verdict = json.loads(cli("check", "--json").stdout)["checklists"][0]
    assert (verdict["covered"], verdict["unanswered"]) == (
        False,
        {"record": shown, "items": ["facts-checked", "sources-opened"]},
    )
    hooked = run_hook(repo)
    assert hooked.returncode == 1
    assert (
        f"    {shown} says it is complete, but facts-checked, sources-opened have no answer" in hooked.stderr
    )


def test_an_answer_the_item_does_not_accept_is_no_answer(cli: Cli, reviewed: Path, repo: Path) -> None:
    rewrite(reviewed, {"facts-checked": "probably"})
    verdict = json.loads(cli("check", "--json").stdout)["checklists"][0]
    assert verdict["unanswered"]["items"] == ["facts-checked"]
    assert run_hook(repo).returncode == 1
    rewrite(reviewed, {"facts-checked": "no"})  # a real answer, if not a happy one
    assert cli("check").exit_code == 0
    assert cli("lint", f".micromoment/reviews/{reviewed.name}").exit_code == 0
    assert run_hook(repo).returncode == 0


def test_a_checklist_that_needs_signoffs_cannot_be_skipped(cli: Cli, repo: Path) -> None:
    """The base asks a second person to look at genai-output-review: the author alone cannot
    waive that with a skip, by the command or by a skip record written by hand."""
    write(repo / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {signoffs: 1}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "one sign-off")
    git(repo, "checkout", "-q", "-b", "prompt")
    write(repo / "prompts/support.txt", "You are helpful.\n")
    refused = cli("skip", "genai-output-review", "--reason", "only the wording of a greeting changed")
    assert (refused.exit_code, refused.stderr) == (
        2,
        "micromoment: genai-output-review needs 1 approving sign-off(s) from someone other than its author "
        "(signoffs in .micromoment/config.yaml), and a skip carries none, so check would not count it; "
        "review it instead: micromoment review genai-output-review\n",
    )
    assert not (repo / ".micromoment/reviews").exists()
    # The same skip, made where no sign-off is asked for and brought over: valid, but no cover.
    other = repo.parent / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    made = run_module(["skip", "genai-output-review", "--reason", "only the greeting changed"], other)
    assert made.returncode == 0, made.stderr
    [skip] = (other / ".micromoment/reviews").glob("*.yaml")
    moved = write(repo / ".micromoment/reviews" / skip.name, skip.read_text(encoding="utf-8"))
    git(repo, "add", "-A")
    shown = f".micromoment/reviews/{moved.name}"
    checked = cli("check")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[2:5] == [
        "  MISSING: no complete record of it created in this change",
        f"  {shown} is a skip, but genai-output-review needs 1 approving sign-off(s) from someone other "
        "than its author, and a skip carries none: review it instead",
        "  fix: micromoment review genai-output-review",
    ]
    assert "micromoment skip" not in checked.stdout
    assert json.loads(cli("check", "--json").stdout)["checklists"][0]["skip_refused"] == shown
    hooked = run_hook(repo)
    assert hooked.returncode == 1 and "micromoment skip" not in hooked.stderr
