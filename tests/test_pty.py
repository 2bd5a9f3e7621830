"""The review in a real pseudo-terminal: Ctrl-C, and a process killed mid-review, lose nothing."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pexpect

from conftest import answer_item, spawn_micromoment
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
    child.expect_exact("draft kept — resume with micromoment review --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert draft_answers(mini) == ["data-kind"]


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
    resumed.expect_exact("2 answer(s) so far")
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
