"""The review and the hook in a real pseudo-terminal: Ctrl-C, Ctrl-D and a killed process lose nothing."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pexpect
import pytest

from conftest import answer_item, git, spawn_micromoment, write
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
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
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
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert draft_answers(mini) == ["data-kind"]


def test_ctrl_d_at_a_review_prompt_ends_it_with_the_draft_kept(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    answer_item(child, "1-2", "1", note="kept")
    child.expect_exact("y / n / na")
    child.sendeof()
    child.expect_exact("micromoment: input ended; your answers so far are kept in a draft; continue with:")
    child.expect_exact("\r\nmicromoment review --resume\r\n")
    child.expect(pexpect.EOF)
    rest = child.before or ""
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in rest
    assert draft_answers(mini) == ["data-kind"]


@pytest.mark.parametrize("stop", ["eof", "intr"])
def test_stopping_before_any_answer_shows_no_resume_command(mini: Path, stop: str) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    child.expect_exact("1-2")
    stop_with(child, stop)
    how = "input ended" if stop == "eof" else "interrupted"
    child.expect_exact(f"micromoment: {how} before any answer; nothing was recorded")
    child.expect(pexpect.EOF)
    rest = child.before or ""
    child.close()
    assert child.exitstatus == (1 if stop == "eof" else 130)
    assert "--resume" not in rest and "Traceback" not in rest
    assert not (mini / ".git/micromoment/drafts").exists() or draft_answers(mini) == []


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
    child.expect(pexpect.EOF)
    rest = child.before or ""
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in rest
    assert not (staged_prompt / ".git/micromoment/drafts").exists()


def test_ctrl_c_at_the_hooks_question_is_an_interrupt(staged_prompt: Path) -> None:
    child = spawn_micromoment(staged_prompt, "hook")
    child.expect_exact("Answer them now?")
    child.sendintr()
    child.expect_exact("micromoment: interrupted; nothing was recorded")
    child.expect(pexpect.EOF)
    rest = child.before or ""
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in rest and "--resume" not in rest


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
    child.expect(pexpect.EOF)
    rest = child.before or ""
    child.close()
    assert child.exitstatus == (1 if stop == "eof" else 130)
    assert "Traceback" not in rest
    assert draft_answers(staged_prompt) == ["data-kind"]
    assert not (staged_prompt / ".micromoment/reviews").exists()


def test_killed_mid_review_then_resumed_loses_no_answer(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "Refund prompt")
    answer_item(child, "1-2", "2", note="first note")
    answer_item(child, "y / n / na", "y")
    child.expect_exact("Did you check the facts")
    deadline = time.monotonic() + 10
    while draft_answers(mini) != ["data-kind", "data-masked"] and time.monotonic() < deadline:
        time.sleep(0.05)
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert draft_answers(mini) == ["data-kind", "data-masked"]
    assert not (mini / ".micromoment/reviews").exists()

    resumed = spawn_micromoment(mini, "review", "--resume")
    resumed.expect_exact("2 answers so far")
    answer_item(resumed, "y / n / na", "n")
    answer(resumed, "Record a follow-up", "n")
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
