"""Sign-offs, follow-ups, log and stats: the work made visible, with numbers that add up."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import Cli, git, write
from micromoment.identity import Person
from micromoment.records import (
    Answer,
    ChecklistRef,
    FollowUp,
    ReviewRecord,
    SkipRecord,
    load_record,
    save_record,
    save_skip,
)

DANA = {"GIT_AUTHOR_NAME": "Dana Lead", "GIT_AUTHOR_EMAIL": "dana@example.com"}


def review_with_a_no(cli: Cli, repo: Path, due: str = "2026-12-01") -> Path:
    answers = write(
        repo.parent / "answers.yaml",
        f"data-kind: none\nfacts-checked:\n  answer: no\n  note: two answers were wrong\n"
        f"  follow_up: {{action: add the policy to the grounding docs, owner: engineering lead, due: {due}}}\n",
    )
    assert cli("review", "mini", "--answers", str(answers), "--subject", "refund prompt").exit_code == 0
    return next((repo / ".micromoment/reviews").glob("*.yaml"))


def test_a_second_person_signs_off_and_the_author_cannot(cli: Cli, mini: Path) -> None:
    path = review_with_a_no(cli, mini)
    own = cli("signoff", path.stem)
    assert own.exit_code == 1
    assert "a sign-off is a second person's look" in own.stderr
    signed = cli("signoff", path.stem, "--note", "read the five answers myself", env=DANA)
    assert signed.exit_code == 0, signed.output
    record = load_record(path)
    [signoff] = record.signoffs
    assert (signoff.who.name, signoff.who.email, signoff.decision) == (
        "Dana Lead",
        "dana@example.com",
        "approve",
    )
    assert signoff.note == "read the five answers myself"
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Sign-offs" in markdown and "Dana Lead: approve on" in markdown
    again = cli("signoff", str(path), "--decision", "changes-requested", env=DANA)
    assert again.exit_code == 0
    assert [s.decision for s in load_record(path).signoffs] == ["changes-requested"]  # replaced, not added
    assert cli("signoff", "no-such-record", env=DANA).exit_code == 2


def test_required_signoffs_gate_check_and_say_who_may_sign(cli: Cli, mini: Path) -> None:
    write(
        mini / ".micromoment/config.yaml",
        "checklists:\n  mini: {signoffs: 1}\n  genai-output-review: {enabled: false}\n",
    )
    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "start")
    git(mini, "checkout", "-q", "-b", "feature")
    write(mini / "prompts/support.txt", "hi\n")
    path = review_with_a_no(cli, mini)
    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "prompt and review")
    waiting = cli("check", "--base", "main")
    assert waiting.exit_code == 1
    assert "MISSING: sign-offs (0 of 1 count)" in waiting.stdout
    assert (
        f"is complete but needs 1 more approving sign-off(s) from someone other than Pat Product: "
        f"they run micromoment signoff {path.stem} and commit it themselves"
    ) in waiting.stdout
    assert cli("signoff", path.stem, env=DANA).exit_code == 0
    git(mini, "add", "-A")
    git(mini, "-c", "user.name=Dana Lead", "-c", "user.email=dana@example.com", "commit", "-q", "-m", "sign")
    # The commit's author comes from the environment the tests set; Dana commits as herself.
    git(mini, "commit", "-q", "--amend", "--no-edit", "--author", "Dana Lead <dana@example.com>")
    covered = cli("check", "--base", "main")
    assert covered.exit_code == 0, covered.output


def test_follow_ups_are_listed_resolved_and_gone(cli: Cli, mini: Path) -> None:
    path = review_with_a_no(cli, mini, due="2020-01-31")
    listed = cli("todo", "--json")
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.stdout)
    assert row["action"] == "add the policy to the grounding docs" and row["owner"] == "engineering lead"
    assert row["overdue"] is True and row["record"] == path.stem and row["item"] == "facts-checked"
    assert "overdue" in cli("todo").stdout
    assert json.loads(cli("todo", "--owner", "legal", "--json").stdout) == []
    no_follow_up = cli("resolve", path.stem, "data-kind", "--note", "x")
    assert no_follow_up.exit_code == 2
    assert "item 'data-kind' has no follow-up; these do: facts-checked" in no_follow_up.stderr
    blank = cli("resolve", path.stem, "facts-checked", "--note", "  ")
    assert blank.exit_code == 2 and "say what was done" in blank.stderr
    done = cli(
        "resolve", path.stem, "facts-checked", "--note", "policy page added to the grounding docs", env=DANA
    )
    assert done.exit_code == 0, done.output
    follow_up = load_record(path).answer("facts-checked").follow_up  # type: ignore[union-attr]
    assert follow_up is not None and follow_up.resolved is not None
    assert (follow_up.resolved.who.name, follow_up.resolved.who.email, follow_up.resolved.note) == (
        "Dana Lead",
        "dana@example.com",
        "policy page added to the grounding docs",
    )
    assert "resolved by Dana Lead on" in path.with_suffix(".md").read_text(encoding="utf-8")
    assert json.loads(cli("todo", "--json").stdout) == []
    twice = cli("resolve", path.stem, "facts-checked", "--note", "again")
    assert twice.exit_code == 2 and "was resolved by Dana Lead" in twice.stderr


def generate(repo: Path, reviews_per_week: list[int]) -> None:
    """Records with known numbers: per review two yes, one no (with a follow-up), one skip."""
    folder = repo / ".micromoment/reviews"
    ref = ChecklistRef(id="mini", title="Mini check", version="1", content_hash="sha256:" + "0" * 64)
    start = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.timezone.utc)  # a Monday: ISO week 41
    people = [
        Person(name="Pat Product", email="pat@example.com"),
        Person(name="Sam Builder", email="sam@example.com"),
    ]
    count = 0
    for week, reviews in enumerate(reviews_per_week):
        for index in range(reviews):
            when = start + dt.timedelta(weeks=week, hours=index)
            answers = [
                Answer(item="data-kind", question="What data goes in?", answer="none", answered_at=when),
                Answer(
                    item="facts-checked",
                    question="Did you check the facts?",
                    answer="no",
                    answered_at=when,
                    follow_up=FollowUp(action="fix it", owner="engineering lead"),
                ),
                Answer(
                    item="reviewer",
                    question="Who else looked?",
                    answer="skip",
                    reason="nobody free this week",
                    answered_at=when,
                ),
                Answer(item="data-masked", question="Masked?", answer="yes", answered_at=when),
            ]
            record = ReviewRecord(
                id=f"2026-10-{count:04d}",
                checklist=ref,
                subject=f"change {count}",
                who=people[count % 2],
                started_at=when,
                finished_at=when,
                answers=answers,
                status="complete",
            )
            save_record(folder, record)
            count += 1
    save_skip(
        folder,
        SkipRecord(
            id="2026-10-skip",
            checklist=ref,
            reason="docs only, nothing for the model",
            who=people[0],
            at=start + dt.timedelta(days=1),
        ),
    )


def test_log_and_stats_count_what_is_there(cli: Cli, mini: Path) -> None:
    generate(mini, [3, 0, 5])
    log = json.loads(cli("log", "--json").stdout)
    assert len(log) == 9 and log[0]["date"] > log[-1]["date"]  # newest first
    assert log[0]["counts"] == {"yes": 1, "no": 1, "na": 0, "skip": 1, "answers": 3}  # a skip is no answer
    assert len(json.loads(cli("log", "--json", "--since", "2026-10-19").stdout)) == 5
    assert json.loads(cli("log", "--json", "--checklist", "quick").stdout) == []
    data = json.loads(cli("stats", "--json").stdout)
    assert data["schema"] == "micromoment.stats/1"
    assert data["totals"] == {
        "reviews": 8,
        "skips": 1,
        "answers": 24,
        "no": 8,
        "skipped_items": 8,
        "people": 2,
    }
    assert [(p["period"], p["reviews"], p["skips"]) for p in data["periods"]] == [
        ("2026-W41", 3, 1),
        ("2026-W43", 5, 0),
    ]
    assert data["checklists"] == [
        {"checklist": "mini", "reviews": 8, "skips": 1, "answers": 24, "no": 8, "skipped_items": 8}
    ]
    assert data["most_no"][0] == {
        "checklist": "mini",
        "item": "facts-checked",
        "question": "Did you check the facts?",
        "count": 8,
    }
    assert data["most_skipped"][0] == {
        "checklist": "mini",
        "item": "reviewer",
        "question": "Who else looked?",
        "count": 8,
    }
    assert data["follow_ups"] == {"opened": 8, "resolved": 0, "open": 8, "overdue": 0}
    assert data["signoffs"] == {"reviews": 8, "signed": 0, "rate": 0.0}
    assert {p["name"]: p["reviews"] for p in data["people"]} == {"Pat Product": 4, "Sam Builder": 4}
    monthly = json.loads(cli("stats", "--json", "--by", "month").stdout)
    assert [(p["period"], p["reviews"]) for p in monthly["periods"]] == [("2026-10", 8)]
    assert cli("stats").exit_code == 0
    wrong = cli("stats", "--since", "yesterday")
    assert (wrong.exit_code, wrong.stderr) == (
        2,
        "micromoment: --since 'yesterday': give a day of the calendar as YYYY-MM-DD\n",
    )
    no_such_day = cli("stats", "--since", "2026-02-30")
    assert (no_such_day.exit_code, no_such_day.stderr) == (
        2,
        "micromoment: --since '2026-02-30': give a day of the calendar as YYYY-MM-DD\n",
    )


def test_the_markdown_report_renders(cli: Cli, mini: Path) -> None:
    generate(mini, [2, 1])
    report = cli("stats", "--markdown").stdout
    tokens = MarkdownIt("commonmark").enable(["table"]).parse(report)
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"] and "bar [2, 1]" in fences[0].content
    assert sum(1 for t in tokens if t.type == "table_open") == 2
    assert len(report.splitlines()) < 40  # a leader reads it in a minute


def test_two_repositories_add_up(cli: Cli, tmp_path: Path, mini: Path) -> None:
    generate(mini, [2])
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    generate(other, [3])
    data = json.loads(cli("stats", "--json", "--repo", str(mini), "--repo", str(other)).stdout)
    assert data["totals"]["reviews"] == 5 and data["repositories"] == ["repo", "other"]


def test_the_ledger_cache_is_used_and_follows_changes(cli: Cli, mini: Path) -> None:
    generate(mini, [2])
    first = json.loads(cli("stats", "--json").stdout)
    cache = mini / ".git/micromoment/ledger.sqlite3"
    assert cache.exists()
    assert json.loads(cli("stats", "--json").stdout) == first
    path = review_with_a_no(cli, mini)
    assert cli("signoff", path.stem, env=DANA).exit_code == 0
    assert json.loads(cli("stats", "--json").stdout)["signoffs"]["signed"] == 1


def test_many_records_are_parsed_on_every_core_with_the_same_result(
    cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from micromoment.ledger import loading

    generate(mini, [4, 3])
    serial = json.loads(cli("stats", "--json").stdout)
    (mini / ".git/micromoment/ledger.sqlite3").unlink()
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)
    assert json.loads(cli("stats", "--json").stdout) == serial
    broken = mini / ".micromoment/reviews/2026-10-0001.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("status: complete", "status: done"), encoding="utf-8"
    )
    result = cli("stats", "--json")
    # One damaged record is named and left out; it never hides the others.
    assert result.exit_code == 0, result.output
    assert "2026-10-0001.yaml:" in result.stderr and "status" in result.stderr
    assert json.loads(result.stdout)["totals"]["reviews"] == serial["totals"]["reviews"] - 1
