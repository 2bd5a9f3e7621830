"""The review and the hook in a real pseudo-terminal: Ctrl-C, Ctrl-D and a killed process lose nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from conftest import PATIENCE, answer_item, ended, git, spawn_micromoment, write
from micromoment.records import load_record
from micromoment.yamlio import read_yaml


def answer(child: pexpect.spawn, prompt: str, reply: str) -> None:
    child.expect_exact(prompt)
    child.sendline(reply)


def draft_answers(repo: Path) -> list[str]:
    files = list((repo / ".git/micromoment/drafts").glob("*.yaml"))
    if not files:
        return []
    return [a["item"] for a in read_yaml(files[0]).data["answers"]]


def stop_with(child: pexpect.spawn, stop: str) -> None:
    if stop == "eof":
        child.sendeof()  # Ctrl-D
    else:
        child.sendintr()  # Ctrl-C


def test_a_whole_review_in_a_real_terminal(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini")
    answer(child, "Subject of this review", "Refund prompt")
    answer_item(child, "1-2", "2")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "Answer", "Sam from support")
    answer(child, "Save this review?", "")
    child.expect_exact("recorded .micromoment/reviews/")
    ended(child, 0)
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    record = load_record(path)
    assert record.status == "complete" and record.subject == "Refund prompt"
    assert record.answer("reviewer") is not None


def test_ctrl_c_exits_130_and_keeps_the_draft(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    answer_item(child, "1-2", "1", note="kept")
    child.expect_exact("y / n / na")
    child.sendintr()
    child.expect_exact("micromoment: interrupted; your answers so far are kept in a draft; continue with:")
    child.expect_exact("\r\nmicromoment review --resume\r\n")  # on its own line, ready to copy
    ended(child, 130)
    assert draft_answers(mini) == ["data-kind"]


def test_ctrl_d_at_a_review_prompt_ends_it_with_the_draft_kept(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    answer_item(child, "1-2", "1", note="kept")
    child.expect_exact("y / n / na")
    child.sendeof()
    child.expect_exact("micromoment: input ended; your answers so far are kept in a draft; continue with:")
    child.expect_exact("\r\nmicromoment review --resume\r\n")
    ended(child, 1)
    assert draft_answers(mini) == ["data-kind"]


@pytest.mark.parametrize("stop", ["eof", "intr"])
def test_stopping_before_any_answer_shows_no_resume_command(mini: Path, stop: str) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    child.expect_exact("1-2")
    stop_with(child, stop)
    how = "input ended" if stop == "eof" else "interrupted"
    child.expect_exact(f"micromoment: {how} before any answer; nothing was recorded")
    rest = ended(child, 1 if stop == "eof" else 130)
    assert "--resume" not in rest
    assert not list((mini / ".git/micromoment/drafts").glob("*.yaml"))
    # No hint and no draft agree: resume says there is nothing, rather than promising one.
    again = spawn_micromoment(mini, "review", "--resume")
    again.expect_exact("no unfinished review to resume; start one with micromoment review")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 2


def test_ctrl_c_after_going_back_keeps_a_draft_that_resume_finds(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    answer_item(child, "1-2", "1")
    answer(child, "y / n / na", "b")  # back to the first question; its answer stands until changed
    child.expect_exact("[none]")
    child.sendintr()
    child.expect_exact("micromoment: interrupted; your answers so far are kept in a draft; continue with:")
    ended(child, 130)
    assert draft_answers(mini) == ["data-kind"]
    again = spawn_micromoment(mini, "review", "--resume")
    again.expect_exact("mini, 1 answer so far")
    again.expect_exact("item 3 of 4")  # data-masked is left out after "none", and not renumbered
    again.sendintr()
    again.expect(pexpect.EOF)
    again.close()


TINY = """\
id: tiny
title: Tiny check
version: "1"
description: One question, for the tests.
items:
  - {id: looked, question: Did you look at it?, owner: team, minutes: 1}
"""


def test_two_checklists_ctrl_c_then_resume_finishes_both(mini: Path) -> None:
    write(mini / ".micromoment/checklists/tiny.yaml", TINY)
    child = spawn_micromoment(mini, "review")
    answer(child, "Checklists (ids or numbers", "mini tiny")
    answer(child, "Subject of this review", "Two at once")
    answer_item(child, "1-2", "1")
    child.expect_exact("y / n / na")
    child.sendintr()
    child.expect_exact("micromoment: interrupted; your answers so far are kept in a draft; continue with:")
    ended(child, 130)

    resumed = spawn_micromoment(mini, "review", "--resume")
    resumed.expect_exact("resuming draft")
    resumed.expect_exact("mini, 1 answer so far; then tiny")
    answer_item(resumed, "y / n / na", "y")
    answer_item(resumed, "Answer", "Sam")
    answer(resumed, "Save this review?", "y")
    resumed.expect_exact("Tiny check")
    resumed.sendintr()  # before tiny's first answer: mini is recorded, tiny is kept for later
    resumed.expect_exact("micromoment: interrupted; tiny still to answer; kept in a draft; continue with:")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 130

    last = spawn_micromoment(mini, "review", "--resume")
    last.expect_exact("tiny, 0 answers so far")
    answer_item(last, "y / n / na", "y")
    answer(last, "Save this review?", "y")
    last.expect_exact("git add .micromoment/reviews/")
    last.expect(pexpect.EOF)
    last.close()
    assert last.exitstatus == 0
    records = [load_record(path) for path in sorted((mini / ".micromoment/reviews").glob("*.yaml"))]
    assert sorted((r.checklist.id, r.subject, r.status) for r in records) == [
        ("mini", "Two at once", "complete"),
        ("tiny", "Two at once", "complete"),
    ]
    assert not list((mini / ".git/micromoment/drafts").glob("*.yaml"))


def test_back_shows_the_earlier_answer_and_enter_keeps_it(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    answer_item(child, "1-2", "2", note="kept note")
    child.expect_exact("item 2 of 4")
    answer(child, "y / n / na", "b")
    child.expect_exact("item 1 of 4")
    answer(child, "[customer data -- kept note]", "")  # Enter: the answer, and its note, stay
    child.expect_exact("item 2 of 4")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "Answer", "Sam")
    answer(child, "Save this review?", "y")
    ended(child, 0)
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    kind = load_record(path).answer("data-kind")
    assert kind is not None and (kind.answer, kind.note) == ("customer data", "kept note")


@pytest.fixture
def staged_prompt(mini: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose staged change calls for the mini checklist, with a terminal to ask on."""
    for name in ("CI", "MICROMOMENT_NONINTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    write(mini / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "micromoment setup")
    write(mini / "prompts/support.txt", "You are helpful.\n")
    git(mini, "add", "prompts")
    return mini


def test_ctrl_d_at_the_hooks_question_is_a_no(staged_prompt: Path) -> None:
    child = spawn_micromoment(staged_prompt, "hook")
    child.expect_exact("Answer them now?")
    child.sendeof()
    child.expect_exact("micromoment review mini")
    child.expect_exact("git commit --no-verify")
    ended(child, 1)
    assert not (staged_prompt / ".git/micromoment/drafts").exists()


def test_ctrl_c_at_the_hooks_question_is_an_interrupt(staged_prompt: Path) -> None:
    child = spawn_micromoment(staged_prompt, "hook")
    child.expect_exact("Answer them now?")
    child.sendintr()
    child.expect_exact("micromoment: interrupted; nothing was recorded")
    rest = ended(child, 130)
    assert "--resume" not in rest


@pytest.mark.parametrize("stop", ["eof", "intr"])
def test_stopping_mid_review_in_the_hook_keeps_the_draft(staged_prompt: Path, stop: str) -> None:
    child = spawn_micromoment(staged_prompt, "hook")
    child.expect_exact("Answer them now?")
    child.sendline("y")
    child.expect_exact("Subject of this review")
    child.sendline("support prompt")
    answer_item(child, "1-2", "2")
    child.expect_exact("y / n / na")
    stop_with(child, stop)
    how = "input ended" if stop == "eof" else "interrupted"
    child.expect_exact(f"micromoment: {how}; your answers so far are kept in a draft; continue with:")
    child.expect_exact("\r\nmicromoment review --resume\r\n")
    ended(child, 1 if stop == "eof" else 130)
    assert draft_answers(staged_prompt) == ["data-kind"]
    assert not (staged_prompt / ".micromoment/reviews").exists()


def test_the_plain_hook_offers_a_kept_draft_through_dev_tty(staged_prompt: Path) -> None:
    from conftest import Cli

    cli = Cli()
    stopped = cli("review", "mini", "--subject", "support prompt", "--interactive", input="2 -- first\n")
    assert stopped.exit_code == 1  # input ended after one answer: the draft is kept
    assert cli("hook", "install").exit_code == 0
    child = pexpect.spawn(
        "git",
        ["commit", "-m", "prompt"],
        cwd=str(staged_prompt),
        encoding="utf-8",
        timeout=PATIENCE,
        dimensions=(50, 120),
    )
    answer(child, "Answer them now?", "y")
    child.expect_exact("A review of mini is kept in a draft: 'support prompt', 1 answer, last ")
    answer(child, "Continue it? [Y/n]", "")
    child.expect_exact("item 2 of 4")  # data-kind is answered already
    answer_item(child, "y / n / na", "y")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "Answer", "Sam")
    answer(child, "Save this review?", "y")
    child.expect_exact("stage .micromoment/ and commit again:")
    child.expect_exact("git add .micromoment/reviews/")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0  # the commit stops so the record can be staged
    [path] = (staged_prompt / ".micromoment/reviews").glob("*.yaml")
    kind = load_record(path).answer("data-kind")
    assert kind is not None and (kind.answer, kind.note) == ("customer data", "first")
    assert not list((staged_prompt / ".git/micromoment/drafts").glob("*.yaml"))


def test_killed_mid_review_then_resumed_loses_no_answer(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "Refund prompt")
    answer_item(child, "1-2", "2", note="first note")
    answer_item(child, "y / n / na", "y")
    child.expect_exact("Did you check the facts")
    deadline = time.monotonic() + 60  # the draft is written at once; a loaded machine may lag
    while draft_answers(mini) != ["data-kind", "data-masked"] and time.monotonic() < deadline:
        time.sleep(0.05)
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert draft_answers(mini) == ["data-kind", "data-masked"]
    assert not (mini / ".micromoment/reviews").exists()

    resumed = spawn_micromoment(mini, "review", "--resume")
    resumed.expect_exact("2 answers so far")
    answer_item(resumed, "y / n / na", "n")
    answer(resumed, "Follow-up: what needs to happen? (Enter: none)", "")
    answer_item(resumed, "Answer", "Sam")
    answer(resumed, "Save this review?", "y")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 0
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    record = load_record(path)
    assert [(a.item, a.answer) for a in record.answers] == [
        ("data-kind", "customer data"),
        ("data-masked", "yes"),
        ("facts-checked", "no"),
        ("reviewer", "Sam"),
    ]
    kind = record.answer("data-kind")
    assert kind is not None and kind.note == "first note"


def test_the_hooks_git_add_line_at_60_columns_pastes_back_and_stages_both_files(staged_prompt: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "micromoment", "hook"],
        cwd=str(staged_prompt),
        encoding="utf-8",
        timeout=PATIENCE,
        dimensions=(40, 60),
    )
    answer(child, "Answer them now?", "y")
    answer(child, "Subject of this review", "support prompt")
    answer_item(child, "1-2", "1")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "Answer", "Sam")
    answer(child, "Save this review?", "y")
    child.expect_exact("stage .micromoment/ and commit again:\r\n")
    child.expect_exact("\r\n")  # the command ends where its line does, however long it is
    pasted = child.before or ""
    child.expect(pexpect.EOF)
    child.close()
    assert pasted.startswith("git add .micromoment/reviews/") and len(pasted) > 60
    subprocess.run(["sh", "-c", pasted], cwd=staged_prompt, check=True)
    staged = git(staged_prompt, "diff", "--cached", "--name-only", ".micromoment").split()
    [record] = [path for path in staged if path.endswith(".yaml")]
    assert staged == [record.removesuffix(".yaml") + ".md", record]
