"""`micromoment review --answers`: the scriptable path, the record it writes, and what it refuses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PATIENCE, Cli, git, write
from micromoment.records import load_record


def records(repo: Path) -> list[Path]:
    return sorted((repo / ".micromoment/reviews").glob("*.yaml"))


def test_bare_yes_and_no_are_answers_and_the_record_is_complete(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: customer data\ndata-masked: yes\nfacts-checked: no\n")
    result = cli("review", "mini", "--answers", str(answers), "--subject", "Refund bot prompt")
    assert result.exit_code == 0, result.output
    [path] = records(mini)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-mini-[0-9a-f]{4}\.yaml", path.name)
    assert (
        f"recorded .micromoment/reviews/{path.name} and .micromoment/reviews/{path.stem}.md" in result.stderr
    )
    record = load_record(path)
    assert record.status == "complete" and record.missing == []
    assert [(a.item, a.answer) for a in record.answers] == [
        ("data-kind", "customer data"),
        ("data-masked", "yes"),
        ("facts-checked", "no"),
    ]
    assert record.subject == "Refund bot prompt"
    assert record.checklist.id == "mini" and record.checklist.content_hash.startswith("sha256:")
    assert record.who.name == "Pat Product" and record.who.email == "pat@example.com"
    assert record.git is not None and record.git.branch == "main" and record.git.head is None
    assert record.scan.ran
    assert path.with_suffix(".md").exists()
    assert cli("lint").exit_code == 0


def test_long_form_answers_with_notes_follow_ups_and_skips(cli: Cli, mini: Path) -> None:
    answers = write(
        mini / "answers.yaml",
        """\
data-kind: none
facts-checked:
  answer: no
  note: two of five answers invented a refund window
  evidence: https://example.org/eval/42
  follow_up: {action: add refund policy to the grounding docs, owner: engineering lead, due: 2026-12-15}
reviewer: {answer: skip, reason: nobody outside the team is free this week}
""",
    )
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    record = load_record(records(mini)[0])
    facts = record.answer("facts-checked")
    assert facts is not None and facts.follow_up is not None
    assert facts.follow_up.owner == "engineering lead" and str(facts.follow_up.due) == "2026-12-15"
    assert facts.evidence == "https://example.org/eval/42"
    reviewer = record.answer("reviewer")
    assert reviewer is not None and reviewer.skipped and reviewer.reason
    assert record.answer("data-masked") is None  # not asked: data-kind is none
    markdown = records(mini)[0].with_suffix(".md").read_text(encoding="utf-8")
    assert "add refund policy to the grounding docs" in markdown
    assert "nobody outside the team is free this week" in markdown


def test_every_problem_in_an_answers_file_is_listed_and_nothing_is_written(cli: Cli, mini: Path) -> None:
    answers = write(
        mini / "answers.yaml",
        "data-kind: none\ndata-masked: yes\nfacts-checked: maybe\nreviewr: Sam\nreviewer: {answer: skip}\n",
    )
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "answers.yaml:3:16: facts-checked: 'maybe' is not an answer to this item; use yes, no or na",
        "answers.yaml:4:1: reviewr: no item 'reviewr' in checklist 'mini' (micromoment show mini lists them)",
        "answers.yaml:5:11: reviewer: skip needs a reason: {answer: skip, reason: ...}",
    ]
    assert records(mini) == []


def test_answers_from_standard_input_with_dash(cli: Cli, mini: Path) -> None:
    """`--answers -` reads the answers from standard input (a script's heredoc, a pipe)."""
    result = cli(
        "review",
        "mini",
        "--answers",
        "-",
        input="data-kind: customer data\ndata-masked: yes\nfacts-checked: no\n",
    )
    assert result.exit_code == 0, result.output
    [path] = records(mini)
    assert [(a.item, a.answer) for a in load_record(path).answers] == [
        ("data-kind", "customer data"),
        ("data-masked", "yes"),
        ("facts-checked", "no"),
    ]
    bad = cli("review", "mini", "--answers", "-", input="facts-checked: maybe\n")
    assert (bad.exit_code, bad.stderr.splitlines()[0]) == (
        2,
        "standard input:1:16: facts-checked: 'maybe' is not an answer to this item; use yes, no or na",
    )
    strict = cli("review", "mini", "--answers", "-", "--strict", input="data-kind: none\n")
    assert strict.exit_code == 2
    assert strict.stderr.startswith(
        "micromoment: standard input: no answer for required item(s) facts-checked"
    )
    assert len(records(mini)) == 1  # only the first review was recorded


def test_missing_required_answers_make_an_incomplete_record_and_exit_1(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: customer data\n")
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 1, result.output
    assert "incomplete: no answer for data-masked, facts-checked" in result.stderr
    record = load_record(records(mini)[0])
    assert record.status == "incomplete" and record.missing == ["data-masked", "facts-checked"]
    assert "Not answered yet" in records(mini)[0].with_suffix(".md").read_text(encoding="utf-8")


def test_strict_refuses_an_incomplete_review(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: none\n")
    result = cli("review", "mini", "--answers", str(answers), "--strict")
    assert result.exit_code == 2
    assert "no answer for required item(s) facts-checked" in result.stderr
    assert records(mini) == []


def test_sensitive_notes_are_refused_without_a_terminal_unless_allowed(cli: Cli, mini: Path) -> None:
    answers = write(
        mini / "answers.yaml",
        "data-kind: none\nfacts-checked: {answer: yes, note: 'ask jo.doe@acme-corp.com, key AKIAIOSFODNN7EXAMPLE'}\n",
    )
    refused = cli("review", "mini", "--answers", str(answers))
    assert refused.exit_code == 2
    assert "facts-checked note: AWS access key ID, email address" in refused.stderr
    assert "--allow-sensitive" in refused.stderr
    assert records(mini) == []
    allowed = cli("review", "mini", "--answers", str(answers), "--allow-sensitive")
    assert allowed.exit_code == 0, allowed.output
    record = load_record(records(mini)[0])
    assert record.scan.kept == ["AWS access key ID", "email address"]


def test_without_a_terminal_or_answers_it_exits_2_at_once(cli: Cli, mini: Path) -> None:
    result = cli("review", "mini")
    assert result.exit_code == 2
    assert "no terminal to ask questions on" in result.stderr and "--answers FILE" in result.stderr


def test_a_real_process_with_closed_stdin_never_waits(mini: Path) -> None:
    # A wait for input would end in TimeoutExpired; micromoment answers at once.
    result = subprocess.run(
        [sys.executable, "-m", "micromoment", "review"],
        cwd=mini,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--answers" in result.stderr


def test_default_checklist_and_default_subject(cli: Cli, repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "Tune the refund prompt")
    answers = write(
        repo / "answers.yaml",
        "data-into-tool: none or public data only\noutputs-looked-at: true\nfuller-checklist-decided: true\n",
    )
    result = cli("review", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    record = load_record(records(repo)[0])
    assert record.checklist.id == "quick"
    # On main the last commit names work already done; what changed says what is under review.
    assert record.subject == "review of answers.yaml"
    assert record.git is not None and record.git.head is not None and len(record.git.head) == 40


def test_git_context_detached_head_remote_without_credentials_and_author_env(cli: Cli, mini: Path) -> None:
    git(mini, "commit", "-q", "--allow-empty", "-m", "first")
    head = git(mini, "rev-parse", "HEAD").strip()
    git(mini, "checkout", "-q", "--detach")
    git(mini, "remote", "add", "origin", "https://someone:ghp_secret123@git.example.com/team/app.git")
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    env = {"GIT_AUTHOR_NAME": "Robin Reviewer", "GIT_AUTHOR_EMAIL": "robin@example.com"}
    result = cli("review", "mini", "--answers", str(answers), env=env)
    assert result.exit_code == 0, result.output
    record = load_record(records(mini)[0])
    assert record.git is not None
    assert record.git.branch is None and record.git.detached_at == head and record.git.head == head
    assert record.git.remote == "https://git.example.com/team/app.git"
    assert record.git.dirty  # answers.yaml and .micromoment/ are untracked
    assert (record.who.name, record.who.email) == ("Robin Reviewer", "robin@example.com")
    assert "ghp_secret123" not in records(mini)[0].read_text(encoding="utf-8")


def test_outside_a_git_repository_review_stops_unless_told_no_git(cli: Cli, outside: Path) -> None:
    answers = write(
        outside / "answers.yaml",
        "data-into-tool: none or public data only\noutputs-looked-at: yes\nfuller-checklist-decided: yes\n",
    )
    refused = cli("review", "--answers", str(answers), "--subject", "demo")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        "micromoment: not inside a git repository, so a record here could not be committed with your "
        "change; run git init first (or cd into your repository), or pass --no-git to record without git context"
    ]
    assert not (outside / ".micromoment").exists()
    result = cli("review", "--answers", str(answers), "--subject", "demo", "--no-git")
    assert result.exit_code == 0, result.output
    record = load_record(next((outside / ".micromoment/reviews").glob("*.yaml")))
    assert record.git is None
    assert "git add" not in result.stderr  # there is no repository to add it to


def test_answers_to_questions_an_ask_if_rules_out_are_ignored_with_a_warning(cli: Cli, mini: Path) -> None:
    answers = write(
        mini / "answers.yaml", "data-kind: none\ndata-masked: yes\nfacts-checked: yes\nreviewer: Sam\n"
    )
    result = cli("review", "mini", "--answers", str(answers), "--subject", "s")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "answers.yaml:2:1: data-masked: not needed: asked only when data-kind is 'customer data'; "
        "this answer is ignored"
    )
    record = load_record(records(mini)[0])
    assert [a.item for a in record.answers] == ["data-kind", "facts-checked", "reviewer"]


def test_a_text_item_needs_words_not_a_bare_yes_or_no(cli: Cli, mini: Path) -> None:
    for bare in ("y", "no"):
        answers = write(mini / "answers.yaml", f"data-kind: none\nfacts-checked: yes\nreviewer: {bare}\n")
        result = cli("review", "mini", "--answers", str(answers), "--subject", "s")
        assert result.exit_code == 2
        said = bare if bare == "y" else "no"  # YAML reads `no` as false, turned back into "no"
        assert result.stderr.splitlines() == [
            f"answers.yaml:3:11: reviewer: this item asks for words, not just {said!r}; "
            "answer a few words (not just yes or no)"
        ]
    assert records(mini) == []


def test_an_answers_run_records_no_time_spent_and_ends_with_git_add(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    result = cli("review", "mini", "--answers", str(answers), "--subject", "s")
    assert result.exit_code == 0, result.output
    [path] = records(mini)
    record = load_record(path)
    assert record.started_at == record.finished_at
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    assert "0 skipped\n" in markdown and "min spent" not in markdown
    assert result.stderr.splitlines()[-1] == (
        f"git add .micromoment/reviews/{path.name} .micromoment/reviews/{path.stem}.md"
    )


def test_reviews_folder_is_configurable_and_records_never_collide(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/config.yaml", "reviews_dir: docs/ai-reviews\n")
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    for _ in range(5):
        assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    written = sorted((mini / "docs/ai-reviews").glob("*.yaml"))
    assert len(written) == 5 and len({p.name for p in written}) == 5


def test_unknown_checklist_and_mixed_options(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "a: yes\n")
    assert "no checklist with id 'nope'" in cli("review", "nope", "--answers", str(answers)).stderr
    both = cli("review", "mini", "quick", "--answers", str(answers))
    assert both.exit_code == 2 and "one checklist at a time" in both.stderr
    missing = cli("review", "mini", "--answers", "nowhere.yaml")
    assert missing.exit_code == 2 and "nowhere.yaml: no such file" in missing.stderr


def test_lint_checks_records_too(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    [path] = records(mini)
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: complete", "status: finished"), encoding="utf-8"
    )
    result = cli("lint")
    assert result.exit_code == 2
    assert (
        f".micromoment/reviews/{path.name}" in result.stdout
        and "status: must be one of complete, incomplete" in result.stdout
    )
    assert cli("lint", str(path)).exit_code == 2


def test_review_schema_is_published(cli: Cli, outside: Path) -> None:
    result = cli("schema", "review")
    assert result.exit_code == 0
    assert '"answers"' in result.stdout and '"content_hash"' in result.stdout


def test_without_git_on_path_the_record_has_no_git_context(mini: Path, tmp_path: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    env = {**os.environ, "PATH": str(tmp_path)}  # a repository, but no git program to ask
    done = subprocess.run(
        [sys.executable, "-m", "micromoment", "review", "mini", "--answers", str(answers), "--subject", "s"],
        cwd=mini,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    record = load_record(records(mini)[0])
    assert record.git is None and record.who.name == "Pat Product"


def test_run_from_a_subfolder_with_its_own_micromoment_folder_the_record_lands_at_the_top(
    cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = mini / "services/chat"
    write(sub / ".micromoment/config.yaml", "default_checklists: [quick]\n")
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n")
    monkeypatch.chdir(sub)
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    assert len(list((mini / ".micromoment/reviews").glob("*.yaml"))) == 1
    assert not (sub / ".micromoment/reviews").exists()
    # the gate, run from the same subfolder, finds it where the review put it
    assert cli("log", "--json").stdout.count('"mini"') == 1


def test_a_record_git_will_not_stage_is_said_at_once_with_the_fix(cli: Cli, repo: Path) -> None:
    write(repo / "app/main.py", "print('hi')\n")
    write(repo / ".micromoment/reviews/.keep", "")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    git(repo, "sparse-checkout", "set", "app")
    skipped = cli("skip", "quick", "--reason", "a copy change with no model in it")
    assert skipped.exit_code == 0, skipped.output
    [path] = (repo / ".micromoment/reviews").glob("*.yaml")
    assert skipped.stderr.splitlines()[-1] == (
        f"git will not stage .micromoment/reviews/{path.name}: it is outside this sparse checkout; "
        "run git sparse-checkout add .micromoment, then stage it"
    )
    git(repo, "sparse-checkout", "disable")
    path.unlink()
    write(repo / ".gitignore", ".micromoment/reviews/\n")
    ignored = cli("skip", "quick", "--reason", "a copy change with no model in it")
    [path] = (repo / ".micromoment/reviews").glob("*.yaml")
    assert ignored.stderr.splitlines()[-1] == (
        f"git will not stage .micromoment/reviews/{path.name}: "
        "a .gitignore rule ignores it; remove the rule, or stage it with git add -f"
    )
    (repo / ".gitignore").unlink()
    staged = cli("skip", "quick", "--reason", "another copy change with no model in it")
    assert staged.stderr.splitlines()[-1].startswith("git add .micromoment/reviews/")
