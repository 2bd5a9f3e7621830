"""The guided walk-through driven through the real CLI with scripted input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import Cli, write
from micromoment.records import load_record


# Far enough ahead that it is never a past date, which would be asked about.
DUE = (dt.date.today() + dt.timedelta(days=400)).isoformat()


def lines(*answers: str) -> str:
    return "".join(f"{answer}\n" for answer in answers)


def the_record(repo: Path) -> Path:
    [path] = sorted((repo / ".micromoment/reviews").glob("*.yaml"))
    return path


def drafts(repo: Path) -> list[Path]:
    return sorted((repo / ".git/micromoment/drafts").glob("*.yaml"))


def test_back_skip_help_and_ask_if(cli: Cli, mini: Path) -> None:
    script = lines(
        "2",
        "",
        "",  # data-kind: customer data, no note, no evidence
        "?",
        "b",  # data-masked appears; read its guidance, then go back
        "1",
        "",
        "",  # data-kind again: none, so data-masked is no longer asked
        "n",
        "two answers were wrong",
        "",
        "y",
        "fix the grounding docs",
        "",
        DUE,  # facts-checked: no + follow-up
        "s",
        "",
        "nobody outside the team this week",  # reviewer: skip; an empty reason is asked again
        "y",  # save
    )
    result = cli("review", "mini", "--subject", "Refund prompt", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert "Mini check" in result.stderr and "about 7 min" in result.stderr
    assert "Replace names with placeholders." in result.stderr  # `?` showed the guidance
    assert "References: nist-ai-600-1 Data Privacy (2024)" in result.stderr
    record = load_record(the_record(mini))
    assert [(a.item, a.answer) for a in record.answers] == [
        ("data-kind", "none"),
        ("facts-checked", "no"),
        ("reviewer", "skip"),
    ]
    facts = record.answer("facts-checked")
    assert facts is not None and facts.note == "two answers were wrong"
    assert (
        facts.follow_up is not None and facts.follow_up.owner == "engineering lead"
    )  # the item's owner by default
    assert str(facts.follow_up.due) == DUE
    assert "A skip is recorded with its reason; please say in a few words why." in result.stderr
    reviewer = record.answer("reviewer")
    assert reviewer is not None and reviewer.reason == "nobody outside the team this week"
    assert record.status == "complete"
    assert drafts(mini) == []  # the draft goes once the record is written


def test_invalid_answers_are_asked_again(cli: Cli, mini: Path) -> None:
    script = lines("9", "customer DATA", "", "", "maybe", "y", "", "", "y", "", "", "Sam", "", "", "y")
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert "'9' is not an answer to this item; use one of 'none', 'customer data'" in result.stderr
    assert "'maybe' is not an answer to this item; use yes, no or na" in result.stderr
    record = load_record(the_record(mini))
    assert [(a.item, a.answer) for a in record.answers] == [
        ("data-kind", "customer data"),
        ("data-masked", "yes"),
        ("facts-checked", "yes"),
        ("reviewer", "Sam"),
    ]


def test_input_ending_mid_review_keeps_a_draft_that_resumes_with_nothing_lost(cli: Cli, mini: Path) -> None:
    first = cli(
        "review",
        "mini",
        "--subject",
        "Refund prompt",
        "--interactive",
        input=lines("2", "a note", "", "y", "", ""),
    )
    assert first.exit_code == 1  # stopped, not bad input: the review is simply not done
    assert first.stderr.endswith(
        "micromoment: input ended; your answers so far are kept in a draft; continue with:\n"
        "micromoment review --resume\n"
    )
    assert not (mini / ".micromoment/reviews").exists()
    [draft] = drafts(mini)
    assert "data-masked" in draft.read_text(encoding="utf-8")
    resumed = cli("review", "--resume", "--interactive", input=lines("y", "", "", "Sam", "", "", "y"))
    assert resumed.exit_code == 0, resumed.output
    assert "resuming draft" in resumed.stderr and "mini, 2 answers so far" in resumed.stderr
    record = load_record(the_record(mini))
    assert record.subject == "Refund prompt"
    assert [(a.item, a.answer, a.note) for a in record.answers] == [
        ("data-kind", "customer data", "a note"),
        ("data-masked", "yes", None),
        ("facts-checked", "yes", None),
        ("reviewer", "Sam", None),
    ]
    assert drafts(mini) == []


def test_a_draft_against_an_older_checklist_asks_changed_items_again(cli: Cli, mini: Path) -> None:
    assert (
        cli(
            "review", "mini", "--subject", "x", "--interactive", input=lines("2", "", "", "y", "", "")
        ).exit_code
        == 1
    )
    checklist = mini / ".micromoment/checklists/mini.yaml"
    checklist.write_text(
        checklist.read_text(encoding="utf-8").replace(
            "Did you mask the customer data?", "Did you mask or drop the customer data?"
        ),
        encoding="utf-8",
    )
    result = cli(
        "review", "--resume", "--interactive", input=lines("n", "", "", "n", "y", "", "", "Sam", "", "", "y")
    )
    assert result.exit_code == 0, result.output
    assert "checklist mini changed since this draft; asking again: data-masked" in result.stderr
    assert "Did you mask or drop the customer data?" in result.stderr
    record = load_record(the_record(mini))
    masked = record.answer("data-masked")
    assert (
        masked is not None
        and masked.answer == "no"
        and masked.question == "Did you mask or drop the customer data?"
    )
    kind = record.answer("data-kind")
    assert kind is not None and kind.answer == "customer data"  # unchanged items keep their answers


def test_several_drafts_ask_which_one(cli: Cli, mini: Path) -> None:
    for subject in ("first", "second"):
        assert (
            cli("review", "mini", "--subject", subject, "--interactive", input=lines("1", "", "")).exit_code
            == 1
        )
    assert len(drafts(mini)) == 2
    result = cli("review", "--resume", "--interactive", input=lines("2", "y", "", "", "Sam", "", "", "y"))
    assert result.exit_code == 0, result.output
    assert "Which draft?" in result.stderr
    assert load_record(the_record(mini)).subject == "first"  # most recent first, so 2 is the older one
    assert cli("review", "--resume", "--draft", "nope", "--interactive", input="").exit_code == 2


def test_resume_without_drafts_says_so(cli: Cli, mini: Path) -> None:
    result = cli("review", "--resume", "--interactive", input="")
    assert result.exit_code == 2 and "no unfinished review to resume" in result.stderr


def test_declining_to_save_keeps_the_draft(cli: Cli, mini: Path) -> None:
    result = cli(
        "review",
        "mini",
        "--subject",
        "x",
        "--interactive",
        input=lines("1", "", "", "y", "", "", "Sam", "", "", "n"),
    )
    assert result.exit_code == 1
    assert "not saved; draft" in result.stderr
    assert len(drafts(mini)) == 1 and not (mini / ".micromoment/reviews").exists()
    again = cli("review", "mini", "--subject", "y", "--interactive", input="")
    assert "1 unfinished review kept; micromoment review --resume continues one" in again.stderr


def test_no_id_offers_checklists_and_suggests_what_the_changes_trigger(cli: Cli, mini: Path) -> None:
    write(mini / "prompts/support.txt", "You are a helpful support agent.\n")
    result = cli(
        "review",
        "--interactive",
        input=lines(
            "",
            "My subject",
            "1",
            "",
            "",
            "y",
            "",
            "",
            "",
            "y",
            "y",
            "",
            "",
            "y",
            "",
            "",
            "y",
            "",
            "",
            "y",
            "",
            "",
            "y",
        ),
    )
    assert "suggested by your changes" in result.stderr
    assert "[genai-output-review mini]" in result.stderr  # the default reply picks the suggested ones
    assert "Mini check" in result.stderr and "GenAI output review" in result.stderr


def test_sensitive_text_in_a_terminal_can_be_redacted(cli: Cli, mini: Path) -> None:
    script = lines("1", "", "", "y", "call 415-555-0100 about it", "", "Sam", "", "", "y", "r")
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert "facts-checked note looks like it holds: phone number" in result.stderr
    facts = load_record(the_record(mini)).answer("facts-checked")
    assert facts is not None and facts.note == "call [redacted phone number] about it"
