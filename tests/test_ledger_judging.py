"""The ledger holds a review to the checklist version it answered, as the gate and lint do: a
record that says `complete` but was trimmed by hand is counted as incomplete in log, the
report and the export, and names the items it leaves unanswered."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import Cli, git, write
from micromoment.checklists.answers import ItemRule, held_status
from micromoment.ledger.model import AnswerEntry, Summary
from micromoment.ledger.sources import Versions, hold_to_checklists

# A confirm item, a choice item, an optional text item, and one asked only after "yes".
ITEMS: list[ItemRule] = [
    ItemRule("facts", True, "confirm", [], None, []),
    ItemRule("data", True, "choice", ["public", "personal"], None, []),
    ItemRule("notes", False, "text", [], None, []),
    ItemRule("how", True, "text", [], "facts", ["yes"]),
]
VERSIONS = {("quick", "sha256:v1"): ITEMS}


def judged(
    status: str, checklist: str, content_hash: str, answers: dict[str, str], versions: Versions
) -> tuple[str, tuple[str, ...]]:
    return held_status(status, versions.get((checklist, content_hash)), answers)


def test_a_complete_review_stays_complete_only_when_its_version_agrees() -> None:
    full = {"facts": "yes", "data": "public", "how": "read ten answers"}
    assert judged("complete", "quick", "sha256:v1", full, VERSIONS) == ("complete", ())
    # A required item with no answer, or with one its kind does not accept.
    assert judged("complete", "quick", "sha256:v1", {"facts": "yes", "how": "read"}, VERSIONS) == (
        "incomplete",
        ("data",),
    )
    assert judged("complete", "quick", "sha256:v1", {**full, "data": "secret"}, VERSIONS) == (
        "incomplete",
        ("data",),
    )
    assert judged("complete", "quick", "sha256:v1", {**full, "how": "y"}, VERSIONS) == (
        "incomplete",
        ("how",),
    )
    # An item asked only after "yes" is not missing after "no"; a skip answers anything.
    assert judged("complete", "quick", "sha256:v1", {"facts": "no", "data": "public"}, VERSIONS) == (
        "complete",
        (),
    )
    assert judged("complete", "quick", "sha256:v1", {"facts": "skip", "data": "skip"}, VERSIONS) == (
        "complete",
        (),
    )


def test_what_cannot_be_judged_keeps_its_own_word() -> None:
    hollow: dict[str, str] = {}
    # Another version of the checklist, or one this project does not have: not judged.
    assert judged("complete", "quick", "sha256:v0", hollow, VERSIONS) == ("complete", ())
    assert judged("complete", "other", "sha256:v1", hollow, VERSIONS) == ("complete", ())
    # Only a claim of completeness is judged: an incomplete review and a skip stay what they are.
    assert judged("incomplete", "quick", "sha256:v1", hollow, VERSIONS) == ("incomplete", ())
    assert judged("skip", "quick", "sha256:v1", hollow, VERSIONS) == ("skip", ())


def summary(id: str, kind: str, status: str, answers: list[tuple[str, str, str]]) -> Summary:
    return Summary(
        path=f"{id}.yaml",
        id=id,
        kind=kind,
        checklist="quick",
        title="Quick",
        subject="s",
        who="Pat",
        email="pat@example.com",
        when="2026-11-20T09:00:00Z",
        status=status,
        answers=[AnswerEntry(*answer) for answer in answers],
        checklist_hash="sha256:v1",
    )


def test_summaries_that_say_complete_are_held_to_their_version() -> None:
    answered = [("facts", "Facts?", "no"), ("data", "Data?", "public")]
    held = hold_to_checklists(
        [
            summary("whole", "review", "complete", answered),
            summary("hollow", "review", "complete", answered[:1]),
            summary("skip", "skip", "skip", []),
        ],
        VERSIONS,
    )
    assert [(s.id, s.status, s.unanswered) for s in held] == [
        ("whole", "complete", ()),
        ("hollow", "incomplete", ("data",)),
        ("skip", "skip", ()),
    ]


def test_a_hand_trimmed_record_shows_as_incomplete_in_log_report_and_export(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    shown = json.loads(cli("show", "quick", "--json").stdout)
    answers = {
        item["id"]: (item.get("options") or ["yes"])[0] if item["kind"] != "text" else "the support lead"
        for item in shown["items"]
        if not item.get("ask_if")
    }
    answers_file = write(tmp_path / "answers.yaml", yaml.safe_dump(answers))
    for subject in ("whole", "hollow"):
        made = cli("review", "quick", "--answers", str(answers_file), "--subject", subject)
        assert made.exit_code == 0, made.output
    hollow = next(
        p
        for p in (repo / ".micromoment/reviews").glob("*.yaml")
        if yaml.safe_load(p.read_text(encoding="utf-8"))["subject"] == "hollow"
    )
    data = yaml.safe_load(hollow.read_text(encoding="utf-8"))
    first = data["answers"][0]["item"]
    data["answers"] = data["answers"][1:]  # still says complete
    assert data["status"] == "complete"
    hollow.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    git(repo, "add", "-A")

    rows = {row["subject"]: row for row in json.loads(cli("log", "--json").stdout)}
    assert (rows["whole"]["status"], rows["whole"]["unanswered"]) == ("complete", [])
    assert (rows["hollow"]["status"], rows["hollow"]["unanswered"]) == ("incomplete", [first])
    # A warm ledger says the same: the judgement is made on every read, not stored.
    assert {row["subject"]: row for row in json.loads(cli("log", "--json").stdout)} == rows
    human = cli("log").stdout
    assert f"  says complete; no answer its checklist accepts: {first}" in human.splitlines()
    assert human.count("says complete;") == 1

    out = tmp_path / "reviews.jsonl"
    assert cli("export", "--table", "reviews", "--format", "jsonl", "--out", str(out)).exit_code == 0
    exported = {row["subject"]: row["status"] for row in map(json.loads, out.read_text().splitlines())}
    assert exported == {"whole": "complete", "hollow": "incomplete"}

    site = tmp_path / "site"
    assert cli("report", "--html", str(site)).exit_code == 0
    page = (site / "reviews.html").read_text(encoding="utf-8")
    assert page.count("<td>incomplete</td>") == 1 and page.count("<td>complete</td>") == 1
    said = f"(it says complete, but has no answer its checklist accepts for: {first})"
    [own_page] = [p for p in (site / "reviews").rglob("*.html") if hollow.stem in p.name]
    assert f"<li><strong>Status:</strong> incomplete {said}</li>" in own_page.read_text(encoding="utf-8")

    # Its Markdown, rendered again, says so too; the whole one still says complete.
    assert cli("render", hollow.stem, "--out", str(tmp_path / "hollow.md")).exit_code == 0
    assert (
        f"- **Status:** incomplete {said}"
        in (tmp_path / "hollow.md").read_text(encoding="utf-8").splitlines()
    )
    whole = next(p for p in hollow.parent.glob("*.yaml") if p != hollow)
    assert cli("render", whole.stem, "--out", str(tmp_path / "whole.md")).exit_code == 0
    assert "- **Status:** complete" in (tmp_path / "whole.md").read_text(encoding="utf-8").splitlines()


def test_the_pull_request_note_shows_a_trimmed_record_as_incomplete(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "start")
    git(repo, "checkout", "-q", "-b", "work")
    shown = json.loads(cli("show", "quick", "--json").stdout)
    answers = {
        item["id"]: (item.get("options") or ["yes"])[0] if item["kind"] != "text" else "the support lead"
        for item in shown["items"]
        if not item.get("ask_if")
    }
    made = cli("review", "quick", "--answers", str(write(tmp_path / "a.yaml", yaml.safe_dump(answers))))
    assert made.exit_code == 0, made.output
    [record] = (repo / ".micromoment/reviews").glob("*.yaml")
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["answers"] = data["answers"][1:]  # still says complete
    record.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "a trimmed record")
    note = cli("pr-note", "--base", "main")
    assert note.exit_code == 0, note.output
    [line] = [
        line for line in note.stdout.splitlines() if " · incomplete · " in line or " · complete · " in line
    ]
    assert " · incomplete · " in line
