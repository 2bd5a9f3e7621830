"""The ledger's arithmetic, pinned in-process: what a summary counts, what stats, log and todo add
up, overdue follow-ups, periods and `--since` at their boundaries, and the sign-off rate."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import summaries_stats as stats
from micromoment.errors import FileProblems
from micromoment.identity import Person
from micromoment.ledger import loading
from micromoment.ledger.counting import period_of, sample_totals
from micromoment.ledger.model import (
    AnswerEntry,
    FollowUpEntry,
    SignoffEntry,
    Summary,
    log_rows,
    newest_first,
    open_follow_ups,
    summarise,
)
from micromoment.locations import display_path
from micromoment.records import (
    Answer,
    ChecklistRef,
    FollowUp,
    Resolution,
    ReviewRecord,
    SampledOutput,
    SampleRecord,
    SampleSource,
    Signoff,
    SkipRecord,
    sample_counts,
    save_record,
)
from test_ledger_loading import load_summaries

TODAY = dt.date(2026, 11, 22)
UTC = dt.timezone.utc
ANSWERS = ["yes", "no", "na", "skip", "customer data", "a text answer"]


def follow_up(
    due: str | None = None, resolved: bool = False, item: str = "facts", owner: str = "lead"
) -> FollowUpEntry:
    return FollowUpEntry(
        item=item,
        question=f"{item}?",
        action=f"fix {item}",
        owner=owner,
        due=due,
        resolved=resolved,
        resolved_at="2026-11-20T10:00:00Z" if resolved else None,
    )


def summary(
    id: str = "r1",
    *,
    kind: str = "review",
    checklist: str = "quick",
    who: str = "Pat",
    when: str = "2026-11-22T09:00:00Z",
    answers: list[str] | None = None,
    follow_ups: list[FollowUpEntry] | None = None,
    signoffs: list[tuple[str, str]] | None = None,
    repository: str = "",
) -> Summary:
    return Summary(
        path=f".micromoment/reviews/{id}.yaml",
        id=id,
        kind=kind,
        checklist=checklist,
        title=checklist.title(),
        subject=f"subject of {id}",
        who=who,
        email=f"{who.lower()}@example.com",
        when=when,
        status="skip" if kind == "skip" else "complete",
        answers=[
            AnswerEntry(f"item-{n}", f"Question {n}?", answer) for n, answer in enumerate(answers or [])
        ],
        follow_ups=follow_ups or [],
        signoffs=[SignoffEntry(*signoff) for signoff in signoffs or []],
        repository=repository,
    )


def run_stats(summaries: list[Summary], since: dt.date | None = None, by: Any = "week") -> dict[str, Any]:
    return stats(summaries, since, by, ["repo"], TODAY)


# --- one summary -------------------------------------------------------------------------------


def test_a_summary_counts_each_answer_once_and_options_only_as_answers() -> None:
    s = summary(answers=["yes", "no", "no", "na", "skip", "skip", "skip", "customer data", "No", "NO"])
    assert s.counts() == {"yes": 1, "no": 2, "na": 1, "skip": 3, "answers": 7}  # a skip is no answer
    assert summary(answers=[]).counts() == {"yes": 0, "no": 0, "na": 0, "skip": 0, "answers": 0}


def test_the_day_is_the_utc_date_of_the_moment() -> None:
    assert summary(when="2026-11-22T23:59:59Z").day == dt.date(2026, 11, 22)
    assert summary(when="2026-01-01T00:00:00Z").day == dt.date(2026, 1, 1)


def _ref() -> ChecklistRef:
    return ChecklistRef(id="quick", title="Two-minute check", version="1.0", content_hash="abc")


def test_a_review_is_summarised_with_times_in_utc_and_each_follow_up() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    at = dt.datetime(2026, 11, 23, 1, 30, tzinfo=plus_two)  # 2026-11-22T23:30Z: the UTC day is the 22nd
    record = ReviewRecord(
        id="2026-11-22-quick-7f3a",
        checklist=_ref(),
        subject="summaries in the sidebar",
        who=Person(name="Pat Product", email="pat@example.com"),
        started_at=at,
        finished_at=at,
        status="complete",
        answers=[
            Answer(item="data-kind", question="What data?", answer="customer data", answered_at=at),
            Answer(
                item="facts",
                question="Facts checked?",
                answer="no",
                answered_at=at,
                follow_up=FollowUp(action="check ten", owner="eng lead", due=dt.date(2026, 12, 1)),
            ),
            Answer(item="tone", question="Tone?", answer="skip", reason="no outputs yet", answered_at=at),
            Answer(
                item="leaks",
                question="Leaks?",
                answer="no",
                answered_at=at,
                follow_up=FollowUp(
                    action="mask",
                    owner="pm",
                    resolved=Resolution(who=Person(name="Dana"), at=at, note="masked"),
                ),
            ),
        ],
        signoffs=[
            Signoff(who=Person(name="Dana Lead"), at=at, decision="approve"),
            Signoff(who=Person(name="Sam"), at=at, decision="changes-requested"),
        ],
    )
    s = summarise(Path("reviews/x.yaml"), record)
    assert s == Summary(
        path="reviews/x.yaml",
        id="2026-11-22-quick-7f3a",
        kind="review",
        checklist="quick",
        title="Two-minute check",
        subject="summaries in the sidebar",
        who="Pat Product",
        email="pat@example.com",
        when="2026-11-22T23:30:00Z",
        status="complete",
        answers=[
            ("data-kind", "What data?", "customer data"),
            ("facts", "Facts checked?", "no"),
            ("tone", "Tone?", "skip"),
            ("leaks", "Leaks?", "no"),
        ],
        follow_ups=[
            FollowUpEntry("facts", "Facts checked?", "check ten", "eng lead", "2026-12-01", False, None),
            FollowUpEntry("leaks", "Leaks?", "mask", "pm", None, True, "2026-11-22T23:30:00Z"),
        ],
        signoffs=[("Dana Lead", "approve"), ("Sam", "changes-requested")],
        checklist_hash="abc",
    )
    assert s.day == dt.date(2026, 11, 22)


def test_a_skip_is_summarised_with_its_reason_as_subject() -> None:
    at = dt.datetime(2026, 11, 22, 9, 0, 5, tzinfo=UTC)
    record = SkipRecord(
        id="2026-11-22-quick-skip-1a2b",
        checklist=_ref(),
        reason="renames a file only",
        who=Person(name="Pat", email="pat@example.com"),
        at=at,
    )
    assert summarise(Path("s.yaml"), record) == Summary(
        path="s.yaml",
        id="2026-11-22-quick-skip-1a2b",
        kind="skip",
        checklist="quick",
        title="Two-minute check",
        subject="renames a file only",
        who="Pat",
        email="pat@example.com",
        when="2026-11-22T09:00:05Z",
        status="skip",
        reason="renames a file only",
        checklist_hash="abc",
    )


# --- stats: exact figures ------------------------------------------------------------------------


def test_stats_of_a_small_ledger_exactly() -> None:
    records = [
        summary(
            "a",
            who="Pat",
            when="2026-11-16T08:00:00Z",  # Monday of 2026-W47
            answers=["yes", "no", "skip"],
            follow_ups=[follow_up("2026-11-21"), follow_up("2026-11-22", item="tone")],
            signoffs=[("Dana", "approve")],
        ),
        summary(
            "b",
            who="Dana",
            checklist="team-review",
            when="2026-11-22T23:59:59Z",  # Sunday of 2026-W47
            answers=["no", "no", "na"],
            follow_ups=[follow_up("2026-11-01", resolved=True)],
            signoffs=[("Pat", "changes-requested")],
        ),
        summary("c", kind="skip", who="Sam", when="2026-11-23T00:00:00Z"),  # Monday of 2026-W48
        summary("d", who="Pat", when="2026-11-23T10:00:00Z", answers=["skip", "yes"]),
    ]
    result = run_stats(records)
    assert result["schema"] == "micromoment.stats/1"
    assert (result["since"], result["by"], result["repositories"]) == (None, "week", ["repo"])
    assert result["totals"] == {
        "reviews": 3,
        "skips": 1,
        "answers": 6,  # answered items: the two skips are none
        "no": 3,
        "skipped_items": 2,
        "people": 3,
    }
    assert result["periods"] == [
        {"period": "2026-W47", "start": "2026-11-16", "reviews": 2, "skips": 0, "answers": 5, "no": 3},
        {"period": "2026-W48", "start": "2026-11-23", "reviews": 1, "skips": 1, "answers": 1, "no": 0},
    ]
    assert result["checklists"] == [
        {"checklist": "quick", "reviews": 2, "skips": 1, "answers": 3, "no": 1, "skipped_items": 2},
        {"checklist": "team-review", "reviews": 1, "skips": 0, "answers": 3, "no": 2, "skipped_items": 0},
    ]
    assert result["people"] == [
        {"name": "Pat", "reviews": 2, "skips": 0, "answers": 3, "signoffs_given": 1},
        {"name": "Dana", "reviews": 1, "skips": 0, "answers": 3, "signoffs_given": 1},
        {"name": "Sam", "reviews": 0, "skips": 1, "answers": 0, "signoffs_given": 0},
    ]
    assert result["most_no"] == [
        {"checklist": "quick", "item": "item-1", "question": "Question 1?", "count": 1},
        {"checklist": "team-review", "item": "item-0", "question": "Question 0?", "count": 1},
        {"checklist": "team-review", "item": "item-1", "question": "Question 1?", "count": 1},
    ]
    assert result["most_skipped"] == [
        {"checklist": "quick", "item": "item-0", "question": "Question 0?", "count": 1},
        {"checklist": "quick", "item": "item-2", "question": "Question 2?", "count": 1},
    ]
    # due 2026-11-21 is overdue on the 22nd; due the 22nd is not; the resolved one never is.
    assert result["follow_ups"] == {"opened": 3, "resolved": 1, "open": 2, "overdue": 1}
    assert result["signoffs"] == {"reviews": 3, "signed": 1, "rate": 0.333}


def test_most_no_ranks_by_count_then_checklist_and_item_and_keeps_ten() -> None:
    records = [summary(f"r{n}", answers=["no"] * (n + 1)) for n in range(12)]
    # item-k is "no" in every record with more than k answers: 12 - k times.
    ranked = run_stats(records)["most_no"]
    assert [(r["item"], r["count"]) for r in ranked] == [(f"item-{k}", 12 - k) for k in range(10)]
    tie = run_stats(
        [summary("x", checklist="b", answers=["no"]), summary("y", checklist="a", answers=["no"])]
    )
    assert [r["checklist"] for r in tie["most_no"]] == ["a", "b"]
    # the question shown is the one last asked under that item
    late = summary("z", when="2026-11-23T00:00:00Z", answers=["no"])
    late.answers = [AnswerEntry("item-0", "Reworded?", "no")]
    assert run_stats([summary("y", answers=["no"]), late])["most_no"] == [
        {"checklist": "quick", "item": "item-0", "question": "Reworded?", "count": 2}
    ]


def test_the_same_item_skipped_twice_counts_twice_and_every_resolution_counts() -> None:
    records = [
        summary(
            "a", answers=["skip", "skip"], follow_ups=[follow_up(resolved=True), follow_up(resolved=True)]
        ),
        summary("b", answers=["skip"], follow_ups=[follow_up(resolved=True), follow_up("2026-01-01")]),
    ]
    result = run_stats(records)
    assert [(r["item"], r["count"]) for r in result["most_skipped"]] == [("item-0", 2), ("item-1", 1)]
    assert result["follow_ups"] == {"opened": 4, "resolved": 3, "open": 1, "overdue": 1}


def test_times_are_summarised_in_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        at = dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
        record = SkipRecord(
            id="2026-11-22-quick-skip-1a2b",
            checklist=_ref(),
            reason="renames a file only",
            who=Person(name="Pat"),
            at=at,
        )
        assert summarise(Path("s.yaml"), record).when == "2026-11-22T23:30:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_people_rank_by_reviews_then_name_and_signers_count_as_people() -> None:
    records = [
        summary("a", who="Zoe"),
        summary("b", who="Zoe"),
        summary("c", who="Al"),
        summary("d", who="Bo"),
        summary("e", who="Al", kind="skip", signoffs=[]),
        summary("f", who="Cy", signoffs=[("Lee", "approve"), ("Lee", "changes-requested")]),
    ]
    result = run_stats(records)
    assert [(p["name"], p["reviews"], p["skips"], p["signoffs_given"]) for p in result["people"]] == [
        ("Zoe", 2, 0, 0),
        ("Al", 1, 1, 0),
        ("Bo", 1, 0, 0),
        ("Cy", 1, 0, 0),
        ("Lee", 0, 0, 2),
    ]
    assert result["totals"]["people"] == 5


@pytest.mark.parametrize(
    ("signoffs", "signed", "rate"),
    [
        ([[], [], []], 0, 0.0),
        ([[("D", "approve")], [], []], 1, 0.333),
        ([[("D", "approve")], [("E", "approve"), ("F", "approve")], []], 2, 0.667),
        ([[("D", "changes-requested")], [("E", "changes-requested"), ("F", "approve")], []], 1, 0.333),
        ([[("D", "approve")], [("E", "approve")], [("F", "approve")]], 3, 1.0),
    ],
)
def test_the_signoff_rate_is_reviews_with_an_approval_over_reviews(
    signoffs: list[list[tuple[str, str]]], signed: int, rate: float
) -> None:
    records = [summary(f"r{n}", signoffs=pairs) for n, pairs in enumerate(signoffs)]
    records.append(summary("s", kind="skip"))  # a skip is never a review to sign
    assert run_stats(records)["signoffs"] == {"reviews": 3, "signed": signed, "rate": rate}


def test_with_no_reviews_the_rate_is_zero_not_an_error() -> None:
    assert run_stats([])["signoffs"] == {"reviews": 0, "signed": 0, "rate": 0.0}
    assert run_stats([summary("s", kind="skip")])["signoffs"] == {"reviews": 0, "signed": 0, "rate": 0.0}
    empty = run_stats([])
    assert empty["totals"] == {
        "reviews": 0,
        "skips": 0,
        "answers": 0,
        "no": 0,
        "skipped_items": 0,
        "people": 0,
    }
    assert (empty["periods"], empty["checklists"], empty["people"]) == ([], [], [])
    assert empty["follow_ups"] == {"opened": 0, "resolved": 0, "open": 0, "overdue": 0}


# --- periods and --since -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "by", "label", "start"),
    [
        (dt.date(2026, 11, 22), "week", "2026-W47", dt.date(2026, 11, 16)),  # a Sunday
        (dt.date(2026, 11, 23), "week", "2026-W48", dt.date(2026, 11, 23)),  # a Monday
        (dt.date(2026, 1, 1), "week", "2026-W01", dt.date(2025, 12, 29)),  # ISO year starts in December
        (dt.date(2027, 1, 1), "week", "2026-W53", dt.date(2026, 12, 28)),  # and here in the next January
        (dt.date(2026, 3, 2), "week", "2026-W10", dt.date(2026, 3, 2)),
        (dt.date(2026, 11, 30), "month", "2026-11", dt.date(2026, 11, 1)),
        (dt.date(2026, 12, 1), "month", "2026-12", dt.date(2026, 12, 1)),
        (dt.date(2026, 1, 9), "month", "2026-01", dt.date(2026, 1, 1)),
    ],
)
def test_period_labels_and_first_days(day: dt.date, by: Any, label: str, start: dt.date) -> None:
    assert period_of(day, by) == (label, start)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_day_lies_in_the_period_that_starts_on_its_first_day(day: dt.date) -> None:
    label, monday = period_of(day, "week")
    assert monday.weekday() == 0 and 0 <= (day - monday).days < 7
    year, week, _ = day.isocalendar()
    assert label == f"{year}-W{week:02d}"
    label, first = period_of(day, "month")
    assert (first.year, first.month, first.day) == (day.year, day.month, 1)
    assert label == f"{day.year:04d}-{day.month:02d}"


def test_months_group_by_calendar_month() -> None:
    records = [
        summary("a", when="2026-10-31T23:59:59Z", answers=["no"]),
        summary("b", when="2026-11-01T00:00:00Z"),
        summary("c", when="2026-11-30T12:00:00Z", kind="skip"),
    ]
    assert run_stats(records, by="month")["periods"] == [
        {"period": "2026-10", "start": "2026-10-01", "reviews": 1, "skips": 0, "answers": 1, "no": 1},
        {"period": "2026-11", "start": "2026-11-01", "reviews": 1, "skips": 1, "answers": 0, "no": 0},
    ]


def test_since_keeps_its_own_day_and_drops_the_one_before() -> None:
    records = [
        summary("before", when="2026-11-21T23:59:59Z", answers=["no"], follow_ups=[follow_up("2026-01-01")]),
        summary("first", when="2026-11-22T00:00:00Z", answers=["yes"]),
        summary("later", when="2026-11-22T18:00:00Z", kind="skip"),
    ]
    since = dt.date(2026, 11, 22)
    result = run_stats(records, since)
    assert result["since"] == "2026-11-22"
    assert result["totals"] == {
        "reviews": 1,
        "skips": 1,
        "answers": 1,
        "no": 0,
        "skipped_items": 0,
        "people": 1,
    }
    assert result["follow_ups"] == {"opened": 0, "resolved": 0, "open": 0, "overdue": 0}
    assert [r["id"] for r in log_rows(records, since, None)] == ["later", "first"]
    assert [r["id"] for r in log_rows(records, dt.date(2026, 11, 23), None)] == []
    assert [r["id"] for r in log_rows(records, dt.date(2026, 11, 21), None)] == ["later", "first", "before"]
    assert run_stats(records, dt.date(2026, 11, 21))["totals"]["reviews"] == 2


# --- follow-ups: overdue -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "resolved", "overdue"),
    [
        ("2026-11-21", False, True),  # yesterday
        ("2026-11-22", False, False),  # today
        ("2026-11-23", False, False),
        (None, False, False),
        ("2020-01-01", True, False),
        ("2026-11-21", True, False),
    ],
)
def test_overdue_means_open_and_due_before_today(due: str | None, resolved: bool, overdue: bool) -> None:
    records = [summary(follow_ups=[follow_up(due, resolved)])]
    assert run_stats(records)["follow_ups"] == {
        "opened": 1,
        "resolved": int(resolved),
        "open": int(not resolved),
        "overdue": int(overdue),
    }
    rows = open_follow_ups(records, None, TODAY)
    assert [row["overdue"] for row in rows] == ([] if resolved else [overdue])


@given(
    due=st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    resolved=st.booleans(),
)
def test_a_follow_up_is_overdue_exactly_when_open_and_past_due(
    due: dt.date | None, today: dt.date, resolved: bool
) -> None:
    records = [summary(follow_ups=[follow_up(due.isoformat() if due else None, resolved)])]
    expected = not resolved and due is not None and due < today
    assert stats(records, None, "week", [], today)["follow_ups"]["overdue"] == int(expected)
    assert [row["overdue"] for row in open_follow_ups(records, None, today)] == (
        [] if resolved else [expected]
    )


def test_todo_lists_open_follow_ups_soonest_first_and_undated_last() -> None:
    records = [
        summary(
            "r2",
            repository="web",
            follow_ups=[
                follow_up(None, item="b-item", owner="Eng Lead"),
                follow_up("2026-12-01", item="a-item", owner="pm"),
                follow_up("2026-11-01", item="gone", resolved=True),
            ],
        ),
        summary(
            "r1",
            follow_ups=[
                follow_up("2026-12-01", item="z-item"),
                follow_up(None, item="a-item", owner="eng lead"),
            ],
        ),
    ]
    rows = open_follow_ups(records, None, TODAY)
    assert [(r["record"], r["item"], r["due"]) for r in rows] == [
        ("r1", "z-item", "2026-12-01"),
        ("r2", "a-item", "2026-12-01"),
        ("r1", "a-item", None),
        ("r2", "b-item", None),
    ]
    assert rows[1] == {
        "action": "fix a-item",
        "owner": "pm",
        "due": "2026-12-01",
        "overdue": False,
        "record": "r2",
        "item": "a-item",
        "question": "a-item?",
        "checklist": "quick",
        "path": ".micromoment/reviews/r2.yaml",
        "repository": "web",
    }
    assert rows[0]["repository"] is None
    later_record_sooner = [
        summary("r1", follow_ups=[follow_up("2026-12-09", item="a")]),
        summary("r2", follow_ups=[follow_up("2026-12-01", item="b")]),
    ]
    assert [r["record"] for r in open_follow_ups(later_record_sooner, None, TODAY)] == ["r2", "r1"]
    by_owner = open_follow_ups(records, "ENG LEAD", TODAY)
    assert [(r["record"], r["item"]) for r in by_owner] == [("r1", "a-item"), ("r2", "b-item")]
    assert open_follow_ups(records, "eng", TODAY) == []


# --- log ---------------------------------------------------------------------------------------


def test_log_rows_newest_first_filtered_by_checklist() -> None:
    records = [
        summary(
            "a", when="2026-11-20T09:00:00Z", answers=["yes", "no", "skip"], signoffs=[("Dana", "approve")]
        ),
        summary("b", when="2026-11-21T09:00:00Z", kind="skip", checklist="team-review", repository="web"),
        summary("c", when="2026-11-21T09:00:00Z", checklist="team-review"),
    ]
    rows = log_rows(records, None, None)
    assert [r["id"] for r in rows] == ["c", "b", "a"]  # same moment: the greater id first
    assert rows[2] == {
        "date": "2026-11-20T09:00:00Z",
        "id": "a",
        "kind": "review",
        "checklist": "quick",
        "subject": "subject of a",
        "who": "Pat",
        "status": "complete",
        "unanswered": [],
        "counts": {"yes": 1, "no": 1, "na": 0, "skip": 1, "answers": 2},
        "signoffs": [{"who": "Dana", "decision": "approve"}],
        "path": ".micromoment/reviews/a.yaml",
        "repository": None,
    }
    assert (rows[1]["counts"], rows[1]["repository"], rows[1]["status"]) == (None, "web", "skip")
    assert [r["id"] for r in log_rows(records, None, "team-review")] == ["c", "b"]
    assert [r["id"] for r in log_rows(records, None, "quick")] == ["a"]  # after two it leaves out
    assert log_rows(records, None, "launch-readiness") == []


def test_newest_first_orders_by_moment_then_id() -> None:
    records = [
        summary("b", when="2026-11-21T09:00:00Z"),
        summary("a", when="2026-11-21T09:00:01Z"),
        summary("c", when="2026-11-21T09:00:00Z"),
        summary("d", when="2025-12-31T23:59:59Z"),
    ]
    assert [s.id for s in newest_first(records)] == ["a", "c", "b", "d"]


# --- properties --------------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2025, 12, 20), max_value=dt.datetime(2026, 1, 20)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)
summaries_st = st.builds(
    lambda n, kind, checklist, who, when, answers, dues, signers: summary(
        f"r{n}",
        kind=kind,
        checklist=checklist,
        who=who,
        when=when,
        answers=answers if kind == "review" else [],
        follow_ups=[follow_up(due, resolved, item=f"i{k}") for k, (due, resolved) in enumerate(dues)]
        if kind == "review"
        else [],
        signoffs=signers if kind == "review" else [],
    ),
    n=st.integers(0, 999),
    kind=st.sampled_from(["review", "review", "skip"]),
    checklist=st.sampled_from(["quick", "team-review"]),
    who=st.sampled_from(["Pat", "Dana", "Sam"]),
    when=moments,
    answers=st.lists(st.sampled_from(ANSWERS), max_size=6),
    dues=st.lists(
        st.tuples(st.none() | st.sampled_from(["2026-11-21", "2026-11-22", "2026-11-23"]), st.booleans()),
        max_size=3,
    ),
    signers=st.lists(
        st.tuples(st.sampled_from(["Dana", "Lee"]), st.sampled_from(["approve", "changes-requested"])),
        max_size=2,
    ),
)
ADDITIVE = ("reviews", "skips", "answers", "no", "skipped_items")


def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Stats of several disjoint sets, added up as the counts of their union must be."""
    totals = {key: sum(p["totals"][key] for p in parts) for key in ADDITIVE}
    follow_ups = {
        key: sum(p["follow_ups"][key] for p in parts) for key in ("opened", "resolved", "open", "overdue")
    }
    periods: dict[str, Counter[str]] = {}
    for p in parts:
        for row in p["periods"]:
            periods.setdefault((row["period"], row["start"]), Counter()).update(
                {k: row[k] for k in ("reviews", "skips", "answers", "no")}
            )
    signed = sum(p["signoffs"]["signed"] for p in parts)
    return {
        "totals": totals,
        "follow_ups": follow_ups,
        "periods": {key: dict(c) for key, c in periods.items()},
        "signed": signed,
    }


def additive_view(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "totals": {key: result["totals"][key] for key in ADDITIVE},
        "follow_ups": result["follow_ups"],
        "periods": {
            (row["period"], row["start"]): {k: row[k] for k in ("reviews", "skips", "answers", "no")}
            for row in result["periods"]
        },
        "signed": result["signoffs"]["signed"],
    }


@given(
    st.lists(summaries_st, max_size=8),
    st.lists(st.integers(0, 2), max_size=8),
    st.sampled_from(["week", "month"]),
)
def test_counts_over_a_set_equal_its_parts_added_up(
    records: list[Summary], where: list[int], by: Any
) -> None:
    parts: list[list[Summary]] = [[], [], []]
    for index, record in enumerate(records):
        parts[where[index] if index < len(where) else 0].append(record)
    whole = run_stats(records, by=by)
    assert additive_view(whole) == merged([run_stats(part, by=by) for part in parts])
    assert whole["follow_ups"]["open"] == whole["follow_ups"]["opened"] - whole["follow_ups"]["resolved"]


@given(st.lists(summaries_st, max_size=8))
def test_a_skipped_item_is_never_a_no(records: list[Summary]) -> None:
    answers = [answer for s in records for _, _, answer in s.answers]
    result = run_stats(records)
    assert result["totals"]["no"] == answers.count("no")
    assert result["totals"]["skipped_items"] == answers.count("skip")
    assert result["totals"]["answers"] == len(answers) - answers.count("skip")  # a skip is no answer
    assert sum(r["count"] for r in result["most_no"]) <= answers.count("no")
    for record in records:
        if record.kind == "review":
            record.answers.append(AnswerEntry("extra", "Extra?", "skip"))
    again = run_stats(records)
    reviews = sum(1 for s in records if s.kind == "review")
    assert again["totals"]["no"] == result["totals"]["no"]
    assert again["totals"]["skipped_items"] == result["totals"]["skipped_items"] + reviews


@given(
    st.lists(summaries_st, max_size=8),
    st.dates(min_value=dt.date(2025, 12, 19), max_value=dt.date(2026, 1, 21)),
)
def test_since_keeps_exactly_the_records_of_that_day_or_later(records: list[Summary], since: dt.date) -> None:
    kept = [s for s in records if s.when[:10] >= since.isoformat()]
    assert additive_view(run_stats(records, since)) == additive_view(run_stats(kept))
    assert sorted(r["id"] for r in log_rows(records, since, None)) == sorted(s.id for s in kept)


# --- reading the records folder ----------------------------------------------------------------


def _review(id: str, day: str, answers: list[str]) -> ReviewRecord:
    at = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00")
    return ReviewRecord(
        id=id,
        checklist=_ref(),
        subject=f"subject of {id}",
        who=Person(name="Pat", email="pat@example.com"),
        started_at=at,
        finished_at=at,
        status="complete",
        answers=[
            Answer(
                item=f"item-{n}",
                question=f"Q{n}?",
                answer=a,
                reason="later" if a == "skip" else None,
                answered_at=at,
            )
            for n, a in enumerate(answers)
        ],
    )


@pytest.mark.parametrize("with_ledger", [False, True])
def test_records_are_read_in_file_order_with_their_path_and_repository(
    tmp_path: Path, with_ledger: bool
) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    save_record(folder, _review("2026-11-21-quick-bbbb", "2026-11-21", ["no", "skip"]))
    save_record(folder, _review("2026-11-20-quick-aaaa", "2026-11-20", ["yes"]))
    (folder / "notes.md").write_text("not a record\n", encoding="utf-8")
    ledger_file = tmp_path / "git" / "ledger.sqlite3" if with_ledger else None
    for _ in range(2):  # cold, then warm from the database when there is one
        found = load_summaries(folder, ledger_file, "web")
        assert [(s.id, s.path, s.repository, s.counts()["answers"]) for s in found] == [
            ("2026-11-20-quick-aaaa", str(folder / "2026-11-20-quick-aaaa.yaml"), "web", 1),
            ("2026-11-21-quick-bbbb", str(folder / "2026-11-21-quick-bbbb.yaml"), "web", 1),
        ]
    assert (ledger_file is not None) == (tmp_path / "git" / "ledger.sqlite3").is_file()


@pytest.mark.parametrize("with_ledger", [False, True])
def test_a_damaged_record_is_named_and_left_out_or_raised(tmp_path: Path, with_ledger: bool) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "2026-11-19-quick-bad0.yaml").write_text("kind: review\nid: [\n", encoding="utf-8")
    save_record(folder, _review("2026-11-20-quick-aaaa", "2026-11-20", ["yes"]))
    (folder / "2026-11-21-quick-bad1.yaml").write_text("kind: skip\n", encoding="utf-8")
    save_record(folder, _review("2026-11-22-quick-bbbb", "2026-11-22", ["no"]))
    ledger_file = tmp_path / "ledger.sqlite3" if with_ledger else None
    warnings: list[str] = []
    found = load_summaries(folder, ledger_file, warn=warnings.append)
    assert [s.id for s in found] == ["2026-11-20-quick-aaaa", "2026-11-22-quick-bbbb"]
    assert [s.repository for s in found] == ["", ""]
    bad = [
        f"{display_path(folder)}/2026-11-19-quick-bad0.yaml",
        f"{display_path(folder)}/2026-11-21-quick-bad1.yaml",
    ]
    assert len(warnings) == 2
    for warning, path in zip(warnings, bad, strict=True):
        assert warning.startswith(f"{path}:")
        assert warning.endswith(f"; skipped this record, see: micromoment lint {path}")
    with pytest.raises(FileProblems) as raised:
        load_summaries(folder, ledger_file)
    assert sorted({p.path for p in raised.value.problems}) == bad


def test_a_damaged_ledger_is_built_again_with_the_same_answer(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    save_record(folder, _review("2026-11-20-quick-aaaa", "2026-11-20", ["no", "yes"]))
    ledger_file = tmp_path / "ledger.sqlite3"
    clean = load_summaries(folder, ledger_file)
    connection = sqlite3.connect(ledger_file)
    connection.execute("PRAGMA ignore_check_constraints = ON")
    connection.execute("UPDATE records SET at = '2026-02-30T09:00:00Z'")  # a day no record holds
    connection.commit()
    connection.close()
    assert load_summaries(folder, ledger_file) == clean
    assert load_summaries(folder, ledger_file) == clean


def test_a_ledger_failing_mid_way_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    save_record(folder, _review("2026-11-20-quick-aaaa", "2026-11-20", ["no", "yes"]))
    ledger_file = tmp_path / "ledger.sqlite3"
    clean = load_summaries(folder, ledger_file)

    def locked(connection: Any) -> dict[str, Any]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(loading.store, "stamps", locked)
    assert load_summaries(folder, ledger_file) == clean


def test_sample_totals_count_outputs_and_flags_since_a_day(tmp_path: Path) -> None:
    folder = tmp_path / "samples"
    folder.mkdir()

    def sample(id: str, day: str, categories: list[str | None]) -> SampleRecord:
        at = dt.datetime.fromisoformat(f"{day}T23:59:59+00:00")
        outputs = [
            SampledOutput(
                id=f"line-{n + 1}", line=n + 1, output="text", verdict="flag" if c else "ok", category=c
            )  # type: ignore[arg-type]
            for n, c in enumerate(categories)
        ]
        return SampleRecord(
            id=id,
            who=Person(name="Pat"),
            started_at=at,
            finished_at=at,
            source=SampleSource(
                path="out.jsonl", format="jsonl", size=1, sha256="x", rows=9, matched=9, output_field="o"
            ),
            seed=1,
            n=len(categories),
            outputs=outputs,
            counts=sample_counts(outputs),
        )

    save_record(folder, sample("s1", "2026-11-21", ["harmful", None, "harmful"]))
    save_record(folder, sample("s2", "2026-11-22", [None, "other", None, "wrong-fact"]))
    zeros = {
        "wrong-fact": 0,
        "invented-source": 0,
        "harmful": 0,
        "leaks-data": 0,
        "off-policy": 0,
        "other": 0,
    }
    assert sample_totals([folder, tmp_path / "none"], None) == {
        "samples": 2,
        "outputs_read": 7,
        "flagged": 4,
        "flags": {**zeros, "harmful": 2, "other": 1, "wrong-fact": 1},
    }
    assert sample_totals([folder], dt.date(2026, 11, 22)) == {
        "samples": 1,
        "outputs_read": 4,
        "flagged": 2,
        "flags": {**zeros, "other": 1, "wrong-fact": 1},
    }
    assert sample_totals([folder], dt.date(2026, 11, 23))["samples"] == 0


def test_the_tallies_of_several_repositories_add_up_item_by_item() -> None:
    """stats --repo A --repo B: every count is the sum of both, people and items met in either,
    a later repository's wording of a question wins, and ties in the top lists go by name."""
    from micromoment.ledger.counting import Tally, stats_of

    first = Tally(
        days=[("2026-11-16", "review", 2, 6, 2, 1)],
        checklists=[("quick", "review", 2, 6, 2, 1)],
        people=[("Pat", "review", 2, 6, 2, 1)],
        items=[("quick", "zeta", "Zeta, first words?", 1, 1), ("quick", "alpha", "Alpha?", 1, 0)],
        follow_ups=(2, 1, 1),
        signers=[("Dana", 1)],
        signed=1,
    )
    second = Tally(
        days=[("2026-11-17", "review", 1, 3, 1, 0), ("2026-11-17", "skip", 1, 0, 0, 0)],
        checklists=[("quick", "review", 1, 3, 1, 0), ("quick", "skip", 1, 0, 0, 0)],
        people=[("Pat", "review", 1, 3, 1, 0), ("Sam", "skip", 1, 0, 0, 0)],
        items=[
            ("quick", "zeta", "Zeta, later words?", 0, 1),
            ("quick", "beta", "Beta?", 1, 0),
            ("quick", "alpha", "Alpha?", 1, 0),
        ],
        follow_ups=(1, 0, 0),
        signers=[("Dana", 2)],
        signed=1,
    )
    data = stats_of([first, second], None, "week", ["a", "b"])
    assert data["totals"] == {
        "reviews": 3,
        "skips": 1,
        "answers": 9,
        "no": 3,
        "skipped_items": 1,
        "people": 3,
    }
    assert data["periods"] == [
        {"period": "2026-W47", "start": "2026-11-16", "reviews": 3, "skips": 1, "answers": 9, "no": 3}
    ]
    assert data["people"] == [
        {"name": "Pat", "reviews": 3, "skips": 0, "answers": 9, "signoffs_given": 0},
        {"name": "Dana", "reviews": 0, "skips": 0, "answers": 0, "signoffs_given": 3},
        {"name": "Sam", "reviews": 0, "skips": 1, "answers": 0, "signoffs_given": 0},
    ]
    # Most first; a tie by name, whatever order the repositories listed them in.
    assert [(r["item"], r["question"], r["count"]) for r in data["most_no"]] == [
        ("alpha", "Alpha?", 2),
        ("beta", "Beta?", 1),
        ("zeta", "Zeta, later words?", 1),
    ]
    assert [(r["item"], r["count"]) for r in data["most_skipped"]] == [("zeta", 2)]
    assert data["follow_ups"] == {"opened": 3, "resolved": 1, "open": 2, "overdue": 1}
    assert data["signoffs"] == {"reviews": 3, "signed": 2, "rate": 0.667}
