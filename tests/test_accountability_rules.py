"""Sign-offs and resolved follow-ups, pinned in-process: who may sign, what replaces what, and the
exact message for each refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from micromoment.checklists import load_catalog
from micromoment.errors import MicromomentError, NotFound
from micromoment.identity import Person, same_identity
from micromoment.ledger.accountability import (
    NotASecondPerson,
    resolve_follow_up,
    sign_off,
)
from micromoment.locations import Project
from micromoment.records import Answer, ChecklistRef, FollowUp, ReviewRecord, load_record, save_record

PAT = Person(name="Pat Product", email="pat@example.com")
DANA = Person(name="Dana Lead", email="dana@example.com")
WHEN = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def saved(repo: Path) -> Path:
    answers = [
        Answer(item="data-kind", question="What data?", answer="none", answered_at=WHEN),
        Answer(
            item="facts-checked",
            question="Facts?",
            answer="no",
            answered_at=WHEN,
            follow_up=FollowUp(action="fix it", owner="engineering lead"),
        ),
        Answer(
            item="reviewer",
            question="Who looked?",
            answer="no",
            answered_at=WHEN,
            follow_up=FollowUp(action="ask Sam", owner="product manager"),
        ),
    ]
    record = ReviewRecord(
        id="2026-11-22-mini-ab12",
        checklist=ChecklistRef(id="mini", title="Mini", version="1", content_hash="sha256:" + "0" * 64),
        subject="refund prompt",
        who=PAT,
        started_at=WHEN,
        finished_at=WHEN,
        answers=answers,
        status="complete",
    )
    return save_record(repo / ".micromoment/reviews", record)


def test_same_person_by_email_or_by_name() -> None:
    assert same_identity(PAT.name, PAT.email, "Someone", "PAT@example.com")
    assert same_identity(PAT.name, PAT.email, "pat  product", "other@example.org")
    assert not same_identity(PAT.name, PAT.email, DANA.name, DANA.email)


def test_the_author_may_not_sign_and_a_second_person_replaces_their_own_signoff(
    mini: Path, saved: Path
) -> None:
    project = Project(mini)
    catalog = load_catalog(project)
    with pytest.raises(NotASecondPerson) as raised:
        sign_off(project, catalog, saved, Person(name="P. P.", email="Pat@Example.com"), "approve", None)
    assert raised.value.exit_code == 1
    assert str(raised.value) == (
        ".micromoment/reviews/2026-11-22-mini-ab12.yaml: you wrote this review, and a sign-off is a second "
        "person's look; ask a teammate to run micromoment signoff 2026-11-22-mini-ab12"
    )
    sam = Person(name="Sam Builder", email="sam@example.com")
    sign_off(project, catalog, saved, sam, "approve", "read every answer")
    sign_off(project, catalog, saved, DANA, "approve", "looked")
    sign_off(
        project, catalog, saved, Person(name="Dana Lead", email="DANA@example.com"), "changes-requested", None
    )
    signoffs = load_record(saved).signoffs
    assert [(s.who.name, s.decision, s.note) for s in signoffs] == [
        ("Sam Builder", "approve", "read every answer"),
        ("Dana Lead", "changes-requested", None),
    ]
    sign_off(project, catalog, saved, sam, "approve", "")
    assert [(s.who.name, s.note) for s in load_record(saved).signoffs] == [
        ("Dana Lead", None),
        ("Sam Builder", None),
    ]
    markdown = saved.with_suffix(".md").read_text(encoding="utf-8")
    assert "Dana Lead: changes-requested on" in markdown
    # Rendered against the checklist it answered, which has changed since (its hash differs).
    assert "checklist mini 1 (sha256 000000000000), since changed" in markdown


def test_a_follow_up_is_resolved_once_with_who_and_how(repo: Path, saved: Path) -> None:
    project = Project(repo)
    catalog = load_catalog(project)
    with pytest.raises(MicromomentError) as blank:
        resolve_follow_up(project, catalog, saved, "facts-checked", "  ", DANA)
    assert str(blank.value) == "say what was done: --note 'added the refund policy to the grounding docs'"
    with pytest.raises(NotFound) as none:
        resolve_follow_up(project, catalog, saved, "data-kind", "done", DANA)
    assert str(none.value) == (
        ".micromoment/reviews/2026-11-22-mini-ab12.yaml: item 'data-kind' has no follow-up; these do: facts-checked, reviewer"
    )
    updated = resolve_follow_up(project, catalog, saved, "facts-checked", "  policy added  ", DANA)
    follow_up = updated.answer("facts-checked").follow_up  # type: ignore[union-attr]
    assert follow_up is not None and follow_up.resolved is not None
    assert (follow_up.resolved.who, follow_up.resolved.note) == (DANA, "policy added")
    assert load_record(saved) == updated
    others = [a for a in updated.answers if a.item != "facts-checked"]
    assert [(a.item, a.follow_up and a.follow_up.resolved) for a in others] == [
        ("data-kind", None),
        ("reviewer", None),
    ]
    with pytest.raises(MicromomentError) as twice:
        resolve_follow_up(project, catalog, saved, "facts-checked", "again", PAT)
    day = follow_up.resolved.at.strftime("%Y-%m-%d")
    assert str(twice.value) == (
        f".micromoment/reviews/2026-11-22-mini-ab12.yaml: the follow-up on 'facts-checked' was resolved "
        f"by Dana Lead on {day}"
    )


def test_a_review_without_follow_ups_says_so(repo: Path, saved: Path) -> None:
    project = Project(repo)
    record = load_record(saved)
    bare = record.model_copy(
        update={
            "id": "2026-11-22-mini-cd34",
            "answers": [a.model_copy(update={"follow_up": None}) for a in record.answers],
        }
    )
    path = save_record(saved.parent, bare)
    with pytest.raises(NotFound) as none:
        resolve_follow_up(project, load_catalog(project), path, "reviewer", "done", DANA)
    assert str(none.value) == (
        ".micromoment/reviews/2026-11-22-mini-cd34.yaml: item 'reviewer' has no follow-up; this review has none"
    )
