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
        "2",  # data-kind: customer data, one line
        "?",
        "b",  # data-masked appears; read its guidance, then go back
        "1",  # data-kind again: none, so data-masked is no longer asked
        "n -- two answers were wrong",
        "fix the grounding docs",
        "",
        DUE,  # facts-checked: no, its note on the same line, then the follow-up
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
    script = lines("9", "customer DATA", "maybe", "y", "y", "Sam", "y")
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
        input=lines("2 -- a note", "y"),
    )
    assert first.exit_code == 1  # stopped, not bad input: the review is simply not done
    assert first.stderr.endswith(
        "micromoment: input ended; your answers so far are kept in a draft; continue with:\n"
        "micromoment review --resume\n"
    )
    assert not (mini / ".micromoment/reviews").exists()
    [draft] = drafts(mini)
    assert "data-masked" in draft.read_text(encoding="utf-8")
    resumed = cli("review", "--resume", "--interactive", input=lines("y", "Sam", "y"))
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
    assert cli("review", "mini", "--subject", "x", "--interactive", input=lines("2", "y")).exit_code == 1
    checklist = mini / ".micromoment/checklists/mini.yaml"
    checklist.write_text(
        checklist.read_text(encoding="utf-8").replace(
            "Did you mask the customer data?", "Did you mask or drop the customer data?"
        ),
        encoding="utf-8",
    )
    result = cli("review", "--resume", "--interactive", input=lines("n", "", "y", "Sam", "y"))
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
        assert cli("review", "mini", "--subject", subject, "--interactive", input=lines("1")).exit_code == 1
    assert len(drafts(mini)) == 2
    result = cli("review", "--resume", "--interactive", input=lines("2", "y", "Sam", "y"))
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
        input=lines("1", "y", "Sam", "n"),
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
            "y",  # the first item; the input then ends, which is enough here
        ),
    )
    assert "suggested by your changes" in result.stderr
    assert "[genai-output-review mini]" in result.stderr  # the default reply picks the suggested ones
    assert "Mini check" in result.stderr and "GenAI output review" in result.stderr


def test_sensitive_text_in_a_terminal_can_be_redacted(cli: Cli, mini: Path) -> None:
    script = lines("1", "y -- call 415-555-0100 about it", "Sam", "y", "r")
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert "facts-checked note looks like it holds: phone number" in result.stderr
    facts = load_record(the_record(mini)).answer("facts-checked")
    assert facts is not None and facts.note == "call [redacted phone number] about it"


def test_the_counter_prefixes_and_words_the_walk_through_accepts(cli: Cli, mini: Path) -> None:
    script = lines(
        "cust",  # the start of "customer data"
        "y",
        "b",  # back from facts-checked to data-masked: Enter keeps "yes"
        "",
        "n",  # facts-checked, asked again after walking forward
        "",  # no follow-up
        "y",  # a text item wants words
        "Sam",
        "y",
    )
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    counters = [line.split("  ")[0] for line in result.stderr.splitlines() if line.startswith("item ")]
    # Back goes to 2 and forward again to 3; a refused reply does not move the counter.
    assert counters == [
        "item 1 of 4",
        "item 2 of 4",
        "item 3 of 4",
        "item 2 of 4",
        "item 3 of 4",
        "item 4 of 4",
    ]
    assert "y / n / na [yes]" in result.stderr  # back shows the earlier answer as the default
    assert "this item asks for words, not just 'y'" in result.stderr
    record = load_record(the_record(mini))
    assert [(a.item, a.answer) for a in record.answers] == [
        ("data-kind", "customer data"),
        ("data-masked", "yes"),
        ("facts-checked", "no"),
        ("reviewer", "Sam"),
    ]


def test_ruling_out_a_follow_up_says_so_and_the_count_drops_by_it(cli: Cli, mini: Path) -> None:
    script = lines("1", "y", "Sam", "y")
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert "1 follow-up question is left out after this answer." in result.stderr
    counters = [line.split("  ")[0] for line in result.stderr.splitlines() if line.startswith("item ")]
    assert counters == ["item 1 of 4", "item 3 of 4", "item 4 of 4"]  # each item keeps its number


def test_a_past_due_date_is_confirmed_or_entered_again(cli: Cli, mini: Path) -> None:
    script = lines("1", "n", "fix it", "", "2020-01-31", "n", "2020-01-31", "y")
    script += lines("Sam", "y")
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("2020-01-31 is in the past; keep it? [y/N]") == 2
    facts = load_record(the_record(mini)).answer("facts-checked")
    assert facts is not None and facts.follow_up is not None and str(facts.follow_up.due) == "2020-01-31"


def test_the_summary_is_one_line_per_item_and_the_header_spans_the_terminal(cli: Cli, mini: Path) -> None:
    long_note = "a long note that goes on and on about the five outputs that were read " * 2
    script = lines(f"2 -- {long_note}", "y", f"n -- {long_note}", "", "Sam", "y")
    for width in (80, 120):
        result = cli(
            "review", "mini", "--subject", "x", "--interactive", input=script, env={"COLUMNS": str(width)}
        )
        assert result.exit_code == 0, result.output
        out = result.stderr.splitlines()
        assert len(out[0]) == width and out[0].startswith("╭")  # the header box
        # Scripted input is not echoed, so the title shares its line with the last prompts.
        start = next(n for n, line in enumerate(out) if "Mini check: your answers" in line)
        end = next(n for n, line in enumerate(out) if line.startswith("Save this review?"))
        table = out[start + 1 : end]
        assert len(table) == 1 + 4  # the column names, then one line per item
        assert all(len(line) <= width for line in table)
        assert table[1].split()[:5] == ["1", "What", "data", "goes", "in?"] and table[1].rstrip().endswith(
            "…"
        )


def test_editing_sensitive_text_shows_the_text_being_edited(cli: Cli, mini: Path) -> None:
    script = lines("1", "y -- call 415-555-0100 about it", "Sam", "y", "e", "call the team")
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    assert "The text now:\ncall 415-555-0100 about it\nNew text (Enter keeps it as it is)" in result.stderr
    facts = load_record(the_record(mini)).answer("facts-checked")
    assert facts is not None and facts.note == "call the team"


def test_choosing_two_checklists_records_both_and_ends_with_one_git_add(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/checklists/tiny.yaml", TINY)
    script = lines("mini tiny", "Two at once", "1", "y", "Sam", "y", "y", "y")
    result = cli("review", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    paths = sorted((mini / ".micromoment/reviews").glob("*.yaml"))
    assert sorted(p.name.split("-")[3] for p in paths) == ["mini", "tiny"]
    out = result.stderr.splitlines()
    assert out[-2] == "commit them with the change they are about:"
    named = out[-1].removeprefix("git add ").split()
    assert sorted(named) == sorted(
        f".micromoment/reviews/{p.name}" for path in paths for p in (path, path.with_suffix(".md"))
    )
    assert drafts(mini) == []


TINY = """\
id: tiny
title: Tiny check
version: "1"
description: One question, for the tests.
items:
  - {id: looked, question: Did you look at it?, owner: team, minutes: 1}
"""
