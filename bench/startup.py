"""`micromoment --help` against `python -c pass`, and `micromoment render` of a 40-item review.

No targets were set for these; they show what a person waits for at the prompt.
"""

from __future__ import annotations

import datetime as dt
import sys

from _harness import MICROMOMENT, PYTHON_PASS, interleaved_medians, scratch_repo, script_command

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def forty_item_review(repo_root: object) -> str:
    from pathlib import Path

    from micromoment.identity import Person
    from micromoment.records import Answer, ChecklistRef, FollowUp, ReviewRecord, record_text

    root = Path(str(repo_root))
    items = "".join(
        f"  - id: item-{n}\n    question: Is safeguard {n} in place for this feature?\n"
        f"    guidance: Why it matters, and how to check it in minutes.\n    owner: team\n    minutes: 2\n"
        f"    references:\n      - {{framework: owasp-llm, id: LLM0{n % 9 + 1}, version: '2025'}}\n"
        for n in range(1, 41)
    )
    checklists = root / ".micromoment" / "checklists"
    checklists.mkdir(parents=True)
    (checklists / "forty.yaml").write_text(
        f'id: forty\ntitle: Forty items\nversion: "1"\nitems:\n{items}', encoding="utf-8"
    )
    when = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    answers = [
        Answer(
            item=f"item-{n}",
            question=f"Is safeguard {n} in place for this feature?",
            answer="no" if n % 5 == 0 else "yes",
            note=f"looked at it | with *care* ({n})",
            evidence=f"https://example.org/evidence/{n}",
            answered_at=when,
            follow_up=FollowUp(action=f"fix safeguard {n}", owner="team") if n % 5 == 0 else None,
        )
        for n in range(1, 41)
    ]
    record = ReviewRecord(
        id="2026-01-05-forty-0001",
        checklist=ChecklistRef(id="forty", title="Forty items", version="1", content_hash="sha256:0"),
        subject="a big review",
        who=Person(name="Bench"),
        started_at=when,
        finished_at=when,
        answers=answers,
        status="complete",
    )
    reviews = root / ".micromoment" / "reviews"
    reviews.mkdir(parents=True)
    (reviews / f"{record.id}.yaml").write_text(record_text(record), encoding="utf-8")
    return record.id


def main() -> None:
    with scratch_repo("startup") as repo:
        record_id = forty_item_review(repo)
        medians = interleaved_medians(
            {
                "baseline": (PYTHON_PASS, repo, 0),
                "help": ([*script_command(), "--help"], repo, 0),
                "render": ([*MICROMOMENT, "render", record_id, "--out", "-"], repo, 0),
            },
            RUNS,
        )
    base = medians["baseline"]
    print(
        f"micromoment --help | {medians['help'] / base:.1f}x python -c pass ({medians['help'] * 1000:.0f} ms) | no target | - "
    )
    print(
        f"render a 40-item review | {medians['render'] * 1000:.0f} ms ({medians['render'] / base:.0f}x python -c pass) | no target | -"
    )


if __name__ == "__main__":
    main()
