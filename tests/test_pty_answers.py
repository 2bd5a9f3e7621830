"""One line per answer in a real pseudo-terminal: what is accepted with Enter is kept whatever
stops the review at the prompts that follow, and `?` at those prompts stores nothing."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pexpect
import pytest

from conftest import ended, spawn_micromoment, write
from micromoment.records import load_record
from micromoment.yamlio import read_yaml

TALK = """\
id: talk
title: Talk check
version: "1"
description: Three questions, the second with evidence, for the tests.
items:
  - {id: first, question: First question?, guidance: Look once., owner: team, minutes: 1}
  - {id: second, question: Second question?, guidance: Read the outputs., owner: team, minutes: 1,
     evidence: sample}
  - {id: third, question: Third question?, owner: team, minutes: 1}
"""


@pytest.fixture
def talk(repo: Path) -> Path:
    write(repo / ".micromoment/checklists/talk.yaml", TALK)
    return repo


def reply(child: pexpect.spawn, prompt: str, sent: str) -> None:
    child.expect_exact(prompt)
    child.sendline(sent)


def draft_answers(repo: Path) -> list[tuple[str, str]]:
    [path] = (repo / ".git/micromoment/drafts").glob("*.yaml")
    return [(a["item"], a["answer"]) for a in read_yaml(path).data["answers"]]


def test_answered_yes_throughout_takes_one_line_per_item(mini: Path) -> None:
    child = spawn_micromoment(mini, "review", "mini", "--subject", "x")
    for prompt, sent in (("1-2", "2 -- from the refund form"), ("y / n / na", "y"), ("y / n / na", "y")):
        reply(child, prompt, sent)
    reply(child, "Answer", "Sam")
    reply(child, "Save this review?", "")
    seen = ended(child, 0)
    assert "(optional)" not in seen and "Follow-up" not in seen  # nothing asked beyond the lines
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    record = load_record(path)
    assert [(a.item, a.answer, a.note) for a in record.answers] == [
        ("data-kind", "customer data", "from the refund form"),
        ("data-masked", "yes", None),
        ("facts-checked", "yes", None),
        ("reviewer", "Sam", None),
    ]


# Each kind of prompt that can follow an accepted answer: what the second item is answered with,
# and the prompt the review is stopped at.
STOPS = {
    "follow-up": (["n"], "Follow-up: what needs to happen?", [("first", "yes"), ("second", "no")]),
    "due date": (["n", "fix the prompt", ""], "Due date", [("first", "yes"), ("second", "no")]),
    "reason": (["na"], "Why does it not apply?", [("first", "yes"), ("second", "na")]),
    "evidence": (["y"], "Evidence link (optional)", [("first", "yes"), ("second", "yes")]),
    "skip reason": (["s"], "Why skip it?", [("first", "yes")]),
}


@pytest.mark.parametrize("how", ["ctrl-c", "ctrl-d", "kill -9"])
@pytest.mark.parametrize("kind", [*STOPS, "confirmation"])
def test_a_stop_at_any_prompt_keeps_every_accepted_answer_and_resume_asks_the_rest(
    talk: Path, kind: str, how: str
) -> None:
    child = spawn_micromoment(talk, "review", "talk", "--subject", "x")
    reply(child, "y / n / na", "y")
    if kind == "confirmation":
        reply(child, "Second question?", "y -- read five")
        reply(child, "Evidence link (optional)", "")
        reply(child, "Third question?", "y")
        child.expect_exact("Save this review?")
        expected = [("first", "yes"), ("second", "yes"), ("third", "yes")]
    else:
        sent, prompt, expected = STOPS[kind]
        child.expect_exact("Second question?")
        for line in sent:
            child.sendline(line)
        child.expect_exact(prompt)
    if how in ("ctrl-c", "ctrl-d"):
        if how == "ctrl-c":
            child.sendintr()
        else:
            child.sendeof()
        child.expect_exact("your answers so far are kept in a draft; continue with:")
        child.expect(pexpect.EOF)
    else:
        deadline = time.monotonic() + 60  # the draft is written at once; a loaded machine may lag
        while draft_answers_or_none(talk) != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        child.kill(signal.SIGKILL)
    child.close(force=True)
    assert draft_answers(talk) == expected
    if kind == "due date":  # what and who were kept as each was given
        [path] = (talk / ".git/micromoment/drafts").glob("*.yaml")
        follow_up = read_yaml(path).data["answers"][1]["follow_up"]
        assert (follow_up["action"], follow_up["owner"]) == ("fix the prompt", "team")

    resumed = spawn_micromoment(talk, "review", "--resume")
    resumed.expect_exact(f"talk, {len(expected)} answer")
    # The first question without an answer, or the confirmation when none is left.
    resumed.expect_exact(
        ["item 2 of 3  Second", "item 3 of 3  Third", "Save this review?"][len(expected) - 1]
    )
    resumed.sendintr()
    resumed.expect(pexpect.EOF)
    resumed.close()


def draft_answers_or_none(repo: Path) -> list[tuple[str, str]] | None:
    try:
        return draft_answers(repo)
    except (ValueError, OSError, TypeError, KeyError):  # not written yet, or written meanwhile
        return None


def test_help_at_a_detail_prompt_shows_the_guidance_and_stores_nothing(talk: Path) -> None:
    child = spawn_micromoment(talk, "review", "talk", "--subject", "x")
    reply(child, "y / n / na", "na")
    reply(child, "Why does it not apply? (optional)", "?")
    child.expect_exact("Look once.")  # the item's guidance, and the keys
    child.expect_exact("? help · b back · s skip")
    reply(child, "Why does it not apply? (optional)", "")
    reply(child, "Second question?", "y")
    reply(child, "Evidence link (optional)", "?")
    child.expect_exact("Read the outputs.")
    reply(child, "Evidence link (optional)", "")
    reply(child, "Third question?", "y")
    reply(child, "Save this review?", "y")
    ended(child, 0)
    [path] = (talk / ".micromoment/reviews").glob("*.yaml")
    record = load_record(path)
    assert [(a.item, a.answer, a.note, a.evidence) for a in record.answers] == [
        ("first", "na", None, None),
        ("second", "yes", None, None),
        ("third", "yes", None, None),
    ]
