"""Reading a sample in a real pseudo-terminal: flags, going back, paging, Ctrl-C and resuming."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pexpect

from conftest import PATIENCE, Cli, answer_item, ended, git, spawn_micromoment, write
from micromoment.records import load_record
from micromoment.records.samples import load_sample

KEYS = "o ok · f flag · ? help · b back · s skip"


def outputs_file(repo: Path) -> Path:
    rows = [
        {
            "id": "a",
            "prompt": "Refund window?",
            "output": "It is [bold]30 days[/bold] \x1b[31mfrom delivery.",
        },
        {"id": "b", "prompt": "Where is the policy?", "output": "See https://example.invalid/refunds-policy"},
        {"id": "c", "prompt": "List the steps", "output": "\n".join(f"step {i}" for i in range(1, 61))},
    ]
    return write(repo / "evals/run.jsonl", "".join(json.dumps(row) + "\n" for row in rows))


def reply(child: pexpect.spawn, expected: str, sent: str) -> None:
    child.expect_exact(expected)
    child.sendline(sent)


def test_reading_flagging_going_back_and_paging(repo: Path) -> None:
    outputs_file(repo)
    child = spawn_micromoment(repo, "sample", "evals/run.jsonl", "-n", "3", "--seed", "1")
    child.expect_exact("Output 1/3  ·  a  ·  line 1")
    # Markup in an output is text: shown as typed, never styled; escape codes never reach the terminal.
    child.expect_exact("It is [bold]30 days[/bold] from delivery.")
    reply(child, KEYS, "?")
    child.expect_exact("invented source or link")
    reply(child, KEYS, "o")
    child.expect_exact("Output 2/3")
    reply(child, KEYS, "2")
    reply(child, "Note: what is wrong (optional)", "the link does not exist")
    child.expect_exact("Output 3/3")
    child.expect_exact("-- line 24 of 60: Enter for more, s skips to the verdict --")
    child.sendline("")
    child.expect_exact("step 48")
    reply(child, "-- line 48 of 60", "s")
    reply(child, KEYS, "b")
    child.expect_exact("Output 2/3")
    reply(child, KEYS, "f")
    reply(child, "Category 1-6", "1")
    reply(child, "Note: what is wrong (optional)", "no such page")
    child.expect_exact("Output 3/3")
    reply(child, "Enter for more", "s")
    reply(child, KEYS, "o")
    reply(child, "Save this sample?", "y")
    child.expect_exact("read 3 outputs from evals/run.jsonl: 1 wrong fact")
    ended(child, 0)
    assert "\x1b[31mfrom" not in (child.before or "")
    [path] = (repo / ".micromoment/samples").glob("*.yaml")
    record = load_sample(path)
    assert [(o.id, o.verdict, o.category, o.note) for o in record.outputs] == [
        ("a", "ok", None, None),
        ("b", "flag", "wrong-fact", "no such page"),
        ("c", "ok", None, None),
    ]
    assert record.outputs[0].output == "It is [bold]30 days[/bold] from delivery."
    assert not (repo / ".git/micromoment/sample-drafts/current.yaml").exists()


def test_back_shows_the_stored_verdict_and_note_and_enter_keeps_them(repo: Path) -> None:
    rows = [{"id": "a", "output": "See https://example.invalid/refunds"}, {"id": "b", "output": "30 days."}]
    write(repo / "evals/run.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    child = spawn_micromoment(repo, "sample", "evals/run.jsonl", "-n", "2", "--seed", "1")
    child.expect_exact("Read 2 outputs from evals/run.jsonl")
    reply(child, KEYS, "2 -- the link does not exist")  # verdict and note on one line
    child.expect_exact("Output 2/2")
    reply(child, KEYS, "b")
    child.expect_exact("Output 1/2")
    reply(child, "[2 -- the link does not exist]", "")  # the default: Enter keeps both
    child.expect_exact("Output 2/2")
    reply(child, KEYS, "o")
    reply(child, "Save this sample?", "y")
    ended(child, 0)
    [path] = (repo / ".micromoment/samples").glob("*.yaml")
    first = load_sample(path).outputs[0]
    assert (first.verdict, first.category, first.note) == (
        "flag",
        "invented-source",
        "the link does not exist",
    )


def test_ctrl_c_keeps_a_draft_and_resume_draws_the_same_rows(repo: Path) -> None:
    rows = "".join(json.dumps({"id": f"r{i}", "output": f"answer {i}"}) + "\n" for i in range(1, 41))
    write(repo / "evals/run.jsonl", rows)
    child = spawn_micromoment(repo, "sample", "evals/run.jsonl", "-n", "2", "--seed", "9")
    child.expect_exact("Output 1/2")
    reply(child, KEYS, "3")
    reply(child, "Note: what is wrong (optional)", "rude")
    child.expect_exact("Output 2/2")
    child.expect_exact(KEYS)
    child.sendintr()
    child.expect_exact("draft kept — resume with micromoment sample --resume")
    ended(child, 130)
    assert not (repo / ".micromoment/samples").exists()
    assert (repo / ".git/micromoment/sample-drafts/current.yaml").exists()

    resumed = spawn_micromoment(repo, "sample", "--resume")
    resumed.expect_exact("Output 2/2")
    resumed.expect_exact(KEYS)
    resumed.sendline("o")
    reply(resumed, "Save this sample?", "")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 0
    [path] = (repo / ".micromoment/samples").glob("*.yaml")
    record = load_sample(path)
    assert record.seed == 9 and len(record.outputs) == 2
    assert record.started_at <= record.finished_at  # times are kept to the second
    first, second = record.outputs
    assert (first.verdict, first.category, first.note) == ("flag", "harmful", "rude")
    assert second.verdict == "ok"
    assert not (repo / ".git/micromoment/sample-drafts/current.yaml").exists()


def test_the_guided_review_draws_a_sample_where_an_item_takes_one(repo: Path) -> None:
    write(repo / "evals/run.jsonl", json.dumps({"id": "only", "output": "Refunds take 60 days."}) + "\n")
    child = spawn_micromoment(repo, "review", "quick", "--subject", "refund prompt")
    answer_item(child, "1-3", "1")
    child.expect_exact("d draws a few real outputs to read now, linked as evidence")
    reply(child, "y / n / na", "d")
    reply(child, "Outputs file to read from", "evals/run.jsonl")
    child.expect_exact("Output 1/1  ·  only")
    reply(child, KEYS, "1")
    reply(child, "Note: what is wrong (optional)", "it is 30 days")
    reply(child, "Save this sample?", "y")
    child.expect_exact("Evidence: read 1 output from evals/run.jsonl: 1 wrong fact")
    answer_item(child, "y / n / na", "n")
    reply(child, "Follow-up: what needs to happen?", "")
    answer_item(child, "y / n / na", "y")
    reply(child, "Save this review?", "y")
    child.expect_exact("recorded .micromoment/reviews/")
    ended(child, 0)
    [sample_path] = (repo / ".micromoment/samples").glob("*.yaml")
    [review_path] = (repo / ".micromoment/reviews").glob("*.yaml")
    looked = load_record(review_path).answer("outputs-looked-at")
    assert looked is not None and looked.answer == "no" and looked.sample is not None
    assert looked.sample.record == f".micromoment/samples/{sample_path.name}"
    assert looked.sample.flags == {"wrong-fact": 1}
    markdown = review_path.with_suffix(".md").read_text(encoding="utf-8")
    assert "- read 1 output from evals/run.jsonl: 1 wrong fact (sample record:" in markdown


READ_CHECK = """\
id: read-check
title: Read check
version: "1"
applies_to: ["prompts/"]
items:
  - id: outputs-read
    question: Did you read a few real outputs?
    owner: product manager
    minutes: 2
    evidence: sample
"""


def test_the_commit_hook_offers_the_configured_outputs_file(cli: Cli, repo: Path) -> None:
    write(repo / ".micromoment/checklists/read-check.yaml", READ_CHECK)
    write(
        repo / ".micromoment/config.yaml",
        "checklists:\n  genai-output-review: {enabled: false}\nsamples:\n  outputs: evals/*.jsonl\n",
    )
    write(repo / "evals/run.jsonl", json.dumps({"id": "one", "output": "Refunds take 30 days."}) + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    assert cli("hook", "install").exit_code == 0
    write(repo / "prompts/support.txt", "You are helpful.\n")
    git(repo, "add", "prompts")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MICROMOMENT_NONINTERACTIVE")}
    child = pexpect.spawn(
        "git",
        ["commit", "-m", "prompt"],
        cwd=str(repo),
        env=env,
        encoding="utf-8",
        timeout=PATIENCE,
        dimensions=(50, 120),
    )
    reply(child, "Answer them now?", "y")
    reply(child, "Subject of this review", "support prompt")
    child.expect_exact("d draws a few real outputs to read now, linked as evidence")
    reply(child, "y / n / na", "d")
    child.expect_exact("Outputs file to read from")
    reply(child, "[evals/run.jsonl]", "")
    child.expect_exact("Output 1/1  ·  one")
    reply(child, KEYS, "o")
    reply(child, "Save this sample?", "y")
    child.expect_exact("Evidence: read 1 output from evals/run.jsonl: none flagged")
    answer_item(child, "y / n / na", "y")
    reply(child, "Save this review?", "y")
    child.expect_exact("stage .micromoment/ and commit again")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0
    [review_path] = (repo / ".micromoment/reviews").glob("*.yaml")
    answer = load_record(review_path).answer("outputs-read")
    assert answer is not None and answer.sample is not None and answer.sample.read == 1
    git(repo, "add", ".micromoment")
    assert subprocess.run(["git", "commit", "-q", "-m", "prompt"], cwd=repo, env=env).returncode == 0


def test_a_review_linked_to_a_sample_with_leaks_asks_whether_the_answer_still_holds(
    cli: Cli, repo: Path
) -> None:
    rows = [{"id": f"r{n}", "output": f"the card on file is 4111 {n}"} for n in range(1, 4)]
    write(repo / "evals/run.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    judged = write(repo.parent / "judged.yaml", "r1: {flag: leaks-data}\nr2: {flag: leaks-data}\nr3: ok\n")
    drawn = cli("sample", "evals/run.jsonl", "-n", "3", "--judgments", str(judged))
    assert drawn.exit_code == 0, drawn.output
    [sample_path] = (repo / ".micromoment/samples").glob("*.yaml")
    child = spawn_micromoment(repo, "review", "quick", "--subject", "x", "--sample", sample_path.stem)
    answer_item(child, "1-3", "1")  # no data goes in: the masking question is left out
    child.expect_exact("read 3 outputs from evals/run.jsonl: 2 leaks of personal or secret data")
    child.expect_exact("Does your answer still hold after what it found? Enter: no")
    reply(child, "y / n / na", "")  # the default is no
    reply(child, "Follow-up: what needs to happen?", "stop logging card numbers")
    reply(child, "Who owns it", "")
    reply(child, "Due date", "")
    answer_item(child, "y / n / na", "y")
    reply(child, "Save this review?", "y")
    ended(child, 0)
    [review_path] = (repo / ".micromoment/reviews").glob("*.yaml")
    looked = load_record(review_path).answer("outputs-looked-at")
    assert looked is not None and looked.answer == "no" and looked.sample is not None
    assert looked.sample.flags == {"leaks-data": 2}
    assert looked.follow_up is not None and looked.follow_up.action == "stop logging card numbers"


def test_a_skipped_output_is_asked_again_once_the_others_are_judged(repo: Path) -> None:
    rows = [{"id": "a", "output": "first answer"}, {"id": "b", "output": "second answer"}]
    write(repo / "evals/run.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    child = spawn_micromoment(repo, "sample", "evals/run.jsonl", "-n", "2", "--seed", "1")
    child.expect_exact("Output 1/2  ·  a")
    reply(child, KEYS, "s")
    child.expect_exact("Output 2/2  ·  b")
    reply(child, KEYS, "o")
    child.expect_exact("Output 1/2  ·  a")  # the skipped one, now that the rest is judged
    reply(child, KEYS, "1 -- wrong")
    reply(child, "Save this sample?", "y")
    ended(child, 0)
    [path] = (repo / ".micromoment/samples").glob("*.yaml")
    assert [(o.id, o.verdict, o.note) for o in load_sample(path).outputs] == [
        ("a", "flag", "wrong"),
        ("b", "ok", None),
    ]
