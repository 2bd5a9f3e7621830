"""Records and their validation, pinned in-process through the readers every command uses: each
rule's exact message and place, what is written and how, and how a record is found."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micromoment.checklists import load_catalog
from micromoment.config import Config
from micromoment.errors import FileProblems, NotFound, Refused
from micromoment.identity import Person
from micromoment.locations import Project, find_project
from micromoment.records import (
    TEMP_IGNORE,
    Answer,
    ChecklistRef,
    ReviewRecord,
    SampledOutput,
    SkipRecord,
    find_record,
    load_any_record,
    load_record,
    new_record_id,
    parse_record,
    reason_problem,
    record_files,
    record_text,
    reviews_dir,
    sample_counts,
    save_record,
    save_skip,
)
from micromoment.records.listing import is_record_path, markdown_path, not_records

AT = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.timezone.utc)
REVIEW = """\
kind: review
schema_version: 1
id: 2026-11-22-quick-7f3a
checklist:
  id: quick
  title: Two-minute check
  version: '1.0'
  content_hash: abc123
subject: summaries in the sidebar
who:
  name: Pat Product
  email: pat@example.com
started_at: '2026-11-22T09:00:00Z'
finished_at: '2026-11-22T09:30:00Z'
answers:
- item: facts-checked
  question: Did someone check the facts?
  answer: 'no'
  follow_up:
    action: check ten outputs
    owner: engineering lead
    due: '2026-12-01'
  answered_at: '2026-11-22T09:10:00Z'
- item: tone
  question: Is the tone right?
  answer: skip
  reason: no outputs yet
  answered_at: '2026-11-22T09:20:00Z'
status: complete
signoffs:
- who:
    name: Dana Lead
  at: '2026-11-22T10:00:00Z'
  decision: approve
"""
SKIP_TEXT = """\
kind: skip
id: 2026-11-22-quick-skip-1a2b
checklist: {id: quick, title: Two-minute check, version: '1.0', content_hash: abc123}
reason: renames the prompt file only
who: {name: Pat Product}
at: '2026-11-22T09:00:00Z'
"""


def problems(text: str) -> list[str]:
    with pytest.raises(FileProblems) as raised:
        parse_record(text.encode(), "r.yaml")
    return [str(p) for p in raised.value.problems]


def edited(old: str, new: str, text: str = REVIEW) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_a_valid_review_and_skip_read_back_exactly() -> None:
    record = parse_record(REVIEW.encode(), "r.yaml")
    assert isinstance(record, ReviewRecord)
    assert (record.id, record.checklist.version, record.status, record.missing) == (
        "2026-11-22-quick-7f3a",
        "1.0",
        "complete",
        [],
    )
    assert [(a.item, a.answer, a.skipped) for a in record.answers] == [
        ("facts-checked", "no", False),
        ("tone", "skip", True),
    ]
    facts = record.answer("facts-checked")
    assert facts is not None and facts.follow_up is not None
    assert (facts.follow_up.owner, facts.follow_up.due) == ("engineering lead", dt.date(2026, 12, 1))
    assert record.answer("tone") is record.answers[1]
    assert record.answer("missing-item") is None
    assert [(s.who.name, s.decision) for s in record.signoffs] == [("Dana Lead", "approve")]
    skip = parse_record(SKIP_TEXT.encode(), "s.yaml")
    assert isinstance(skip, SkipRecord)
    assert (skip.reason, skip.who.name, skip.at) == (
        "renames the prompt file only",
        "Pat Product",
        AT.replace(minute=0),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a list\n", ["r.yaml:1:1: must be a record: a mapping with kind: review or kind: skip"]),
        ("just text\n", ["r.yaml:1:1: must be a record: a mapping with kind: review or kind: skip"]),
        (REVIEW.replace("kind: review\n", ""), ["r.yaml:1:1: kind: must be one of review, skip"]),
        (edited("kind: review", "kind: sample"), ["r.yaml:1:7: kind: must be one of review, skip"]),
        (edited("kind: review", "kind: Review"), ["r.yaml:1:7: kind: must be one of review, skip"]),
    ],
)
def test_what_is_not_a_record_says_what_one_is(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unknown keys, at every level
        (
            "subject: summaries",
            "colour: red\nsubject: summaries",
            "r.yaml:9:1: colour: unknown field; remove it or check its spelling",
        ),
        (
            "    owner: engineering lead",
            "    owner: engineering lead\n    priority: high",
            "r.yaml:22:5: answers[0].follow_up.priority: unknown field; remove it or check its spelling",
        ),
        (
            "  decision: approve",
            "  decision: approve\n  weight: 2",
            "r.yaml:35:3: signoffs[0].weight: unknown field; remove it or check its spelling",
        ),
        # ids and versions
        (
            "id: quick",
            "id: Quick Check",
            "r.yaml:5:7: checklist.id: must be a slug: lowercase letters and digits joined by single hyphens, e.g. data-in-prompts",
        ),
        (
            "- item: tone",
            "- item: tone--2",
            "r.yaml:24:9: answers[1].item: must be a slug: lowercase letters and digits joined by single hyphens, e.g. data-in-prompts",
        ),
        ("id: 2026-11-22-quick-7f3a", "id: '  '", "r.yaml:3:5: id: must not be empty"),
        (
            "  version: '1.0'",
            "  version: 1.0",
            "r.yaml:7:12: checklist.version: must be text (put it in quotes if it looks like a number, date or yes/no)",
        ),
        ("  version: '1.0'", "  version: ''", "r.yaml:7:12: checklist.version: must not be empty"),
        ("schema_version: 1", "schema_version: 2", "r.yaml:2:17: schema_version: must be one of 1"),
        # answers: a YAML no is false, not the text the record keeps
        (
            "  answer: 'no'",
            "  answer: no",
            "r.yaml:18:11: answers[0].answer: must be text (put it in quotes if it looks like a number, date or yes/no)",
        ),
        ("  answer: 'no'", "  answer: ' '", "r.yaml:18:11: answers[0].answer: must not be empty"),
        (
            "  reason: no outputs yet",
            "  reason: '  '",
            "r.yaml:24:3: answers[1]: a skipped item needs its reason",
        ),
        ("  reason: no outputs yet\n", "", "r.yaml:24:3: answers[1]: a skipped item needs its reason"),
        # follow-ups: owner and date
        (
            "    owner: engineering lead",
            "    owner: ''",
            "r.yaml:21:12: answers[0].follow_up.owner: must not be empty",
        ),
        (
            "    owner: engineering lead\n",
            "",
            "r.yaml:20:5: answers[0].follow_up.owner: is required but missing",
        ),
        (
            "    due: '2026-12-01'",
            "    due: '2026-02-30'",
            "r.yaml:22:10: answers[0].follow_up.due: must be a date like 2026-12-31",
        ),
        (
            "    due: '2026-12-01'",
            "    due: next week",
            "r.yaml:22:10: answers[0].follow_up.due: must be a date like 2026-12-31",
        ),
        (
            "    action: check ten outputs",
            "    action: '\t'",
            "r.yaml:20:13: answers[0].follow_up.action: must not be empty",
        ),
        # times
        (
            "finished_at: '2026-11-22T09:30:00Z'",
            "finished_at: '2026-11-22T09:30:00'",
            "r.yaml:14:14: finished_at: must carry a time zone, e.g. 2026-11-22T09:30:00Z",
        ),
        (
            "finished_at: '2026-11-22T09:30:00Z'",
            "finished_at: half past nine",
            "r.yaml:14:14: finished_at: must be a time like 2026-11-22T09:30:00Z",
        ),
        # sign-offs and status
        (
            "  decision: approve",
            "  decision: lgtm",
            "r.yaml:34:13: signoffs[0].decision: must be one of approve, changes-requested",
        ),
        ("status: complete", "status: done", "r.yaml:29:9: status: must be one of complete, incomplete"),
        (
            "status: complete",
            "status: complete\nmissing: [tone]",
            "r.yaml:1:1: status must be incomplete exactly when required items are missing",
        ),
        (
            "status: complete",
            "status: incomplete",
            "r.yaml:1:1: status must be incomplete exactly when required items are missing",
        ),
        (
            "who:\n  name: Pat Product\n  email: pat@example.com\n",
            "",
            "r.yaml:1:1: who: is required but missing",
        ),
    ],
)
def test_each_rule_of_a_review_names_the_place_and_the_fix(old: str, new: str, expected: str) -> None:
    assert problems(edited(old, new)) == [expected]


def test_an_incomplete_review_names_what_is_missing() -> None:
    record = parse_record(
        edited("status: complete", "status: incomplete\nmissing: [reviewer]").encode(), "r.yaml"
    )
    assert isinstance(record, ReviewRecord) and record.missing == ["reviewer"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("reason: renames the prompt file only", "reason: ''", "s.yaml:4:9: reason: must not be empty"),
        (
            "at: '2026-11-22T09:00:00Z'",
            "at: '2026-11-22'",
            "s.yaml:6:5: at: must carry a time zone, e.g. 2026-11-22T09:30:00Z",
        ),
        (
            "who: {name: Pat Product}",
            "who: {name: Pat, role: pm}",
            "s.yaml:5:18: who.role: unknown field; remove it or check its spelling",
        ),
        (
            "kind: skip",
            "kind: skip\nanswers: []",
            "s.yaml:2:1: answers: unknown field; remove it or check its spelling",
        ),
    ],
)
def test_each_rule_of_a_skip(old: str, new: str, expected: str) -> None:
    with pytest.raises(FileProblems) as raised:
        parse_record(edited(old, new, SKIP_TEXT).encode(), "s.yaml")
    assert [str(p) for p in raised.value.problems] == [expected]


def test_every_problem_is_listed_in_file_order() -> None:
    text = edited("  decision: approve", "  decision: lgtm", edited("status: complete", "status: done"))
    assert problems(edited("id: quick", "id: Quick", text)) == [
        "r.yaml:5:7: checklist.id: must be a slug: lowercase letters and digits joined by single hyphens, "
        "e.g. data-in-prompts",
        "r.yaml:29:9: status: must be one of complete, incomplete",
        "r.yaml:34:13: signoffs[0].decision: must be one of approve, changes-requested",
    ]


# --- the other model rules ---------------------------------------------------------------------


def test_an_answer_needs_a_reason_only_when_skipped() -> None:
    with pytest.raises(ValueError, match="a skipped item needs its reason"):
        Answer(item="x", question="Q?", answer="skip", reason=" \n", answered_at=AT)
    kept = Answer(item="x", question="Q?", answer="skip", reason=" r", answered_at=AT)
    assert kept.skipped and kept.reason == " r"
    plain = Answer(item="x", question="Q?", answer="Skip", answered_at=AT)  # an option's text, not a skip
    assert not plain.skipped


def test_a_sampled_output_has_a_category_exactly_when_flagged() -> None:
    message = "a flagged output needs a category, and an ok one has none"
    with pytest.raises(ValueError, match=message):
        SampledOutput(id="a", line=1, output="o", verdict="flag")
    with pytest.raises(ValueError, match=message):
        SampledOutput(id="a", line=1, output="o", verdict="ok", category="harmful")
    assert SampledOutput(id="a", line=1, output="o", verdict="flag", category="harmful").category == "harmful"
    assert SampledOutput(id="a", line=1, output="o", verdict="ok").category is None


def test_sample_counts_keep_every_category_in_order() -> None:
    outputs = [
        SampledOutput(id=str(n), line=n + 1, output="o", verdict="flag" if c else "ok", category=c)  # type: ignore[arg-type]
        for n, c in enumerate([None, "harmful", None, "other", "harmful"])
    ]
    counts = sample_counts(outputs)
    assert list(counts.items()) == [
        ("ok", 2),
        ("wrong-fact", 0),
        ("invented-source", 0),
        ("harmful", 2),
        ("leaks-data", 0),
        ("off-policy", 0),
        ("other", 1),
    ]


@pytest.mark.parametrize(
    ("reason", "thin"),
    [
        ("n/a", True),
        ("Not needed.", True),
        ("  NO   TIME! ", True),
        ("renames a file", False),  # 14 characters, three words
        ("renames file", True),  # two words
        ("a b cdefghij", False),  # exactly 12 characters and three words
        ("a b cdefghi", True),  # 11 characters
        ("a  b   cdefghi", True),  # spaces collapse before counting
        ("nothing to see here at all", False),
    ],
)
def test_a_skip_reason_must_be_one_someone_else_can_judge(reason: str, thin: bool) -> None:
    problem = reason_problem(reason, "team-review")
    if thin:
        assert problem == (
            "a skip needs a reason someone else can judge: say in a few words why this change does not need "
            "team-review, e.g. --reason 'renames the prompt file; its text is unchanged'"
        )
    else:
        assert problem is None


@pytest.mark.parametrize(
    "word", ["n/a", "na", "none", "skip", "skipped", "later", "todo", "wip", "not needed", "nothing"]
)
def test_each_trivial_reason_is_refused_however_written(word: str) -> None:
    assert reason_problem(f"  {word.upper()}!. ", "quick") is not None
    assert reason_problem(word, "quick") is not None


@given(st.text(alphabet="abc .!", max_size=30))
def test_a_reason_is_judged_by_its_words_not_its_spacing(reason: str) -> None:
    assert reason_problem(reason, "quick") == reason_problem(" ".join(reason.split()), "quick")


def test_record_ids_name_the_day_checklist_and_kind() -> None:
    assert re.fullmatch(r"2026-11-22-quick-[0-9a-f]{4}", new_record_id("quick", "2026-11-22"))
    assert re.fullmatch(r"2026-11-22-quick-skip-[0-9a-f]{4}", new_record_id("quick", "2026-11-22", "skip"))
    assert len({new_record_id("quick", "2026-11-22") for _ in range(50)}) > 1


def test_a_checklist_is_referred_to_by_id_title_version_and_hash(repo: Path) -> None:
    checklist = load_catalog(find_project(repo)).get("quick")
    ref = ChecklistRef.of(checklist)
    assert (ref.id, ref.title, ref.version, ref.content_hash) == (
        "quick",
        checklist.title,
        checklist.version,
        checklist.content_hash(),
    )


# --- writing -----------------------------------------------------------------------------------


def _record(id: str = "2026-11-22-quick-7f3a") -> ReviewRecord:
    record = parse_record(REVIEW.encode(), "r.yaml")
    assert isinstance(record, ReviewRecord)
    return record.model_copy(update={"id": id})


def test_a_record_is_written_once_with_its_header_and_no_empty_fields(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    path = save_record(folder, _record())
    assert path == folder / "2026-11-22-quick-7f3a.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# A micromoment review record. Change it only through micromoment commands.\nkind: review\n"
    )
    assert "null" not in text and "note:" not in text and "git:" not in text
    assert load_any_record(path) == _record()
    assert (folder / ".gitignore").read_text(encoding="utf-8") == TEMP_IGNORE
    assert record_text(_record()) == text
    with pytest.raises(Refused) as raised:
        save_record(folder, _record())
    assert str(raised.value) == f"{path}: already exists; micromoment never overwrites it"
    assert path.read_text(encoding="utf-8") == text
    (folder / ".gitignore").write_text("mine\n", encoding="utf-8")
    save_record(folder, _record("2026-11-22-quick-0000"))
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "mine\n"  # the team's own is kept


def test_a_skip_is_written_with_its_own_header(tmp_path: Path) -> None:
    skip = parse_record(SKIP_TEXT.encode(), "s.yaml")
    assert isinstance(skip, SkipRecord)
    path = save_skip(tmp_path, skip)
    assert path == tmp_path / "2026-11-22-quick-skip-1a2b.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# A micromoment skip record. Change it only through micromoment commands.\nkind: skip\n"
    )
    assert "approver" not in text
    assert load_any_record(path) == skip
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == TEMP_IGNORE
    with pytest.raises(Refused) as raised:
        save_skip(tmp_path, skip)
    assert str(raised.value) == f"{path}: already exists; micromoment never overwrites it"


# --- reading and finding -----------------------------------------------------------------------


def test_a_record_file_is_named_by_its_folder_and_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "reviews"
    folder.mkdir()
    target = tmp_path / "elsewhere.yaml"
    target.write_text("kind: nope\n", encoding="utf-8")
    (folder / "r.yaml").symlink_to(target)
    with pytest.raises(FileProblems) as raised:
        load_any_record(folder / "r.yaml")
    assert [str(p) for p in raised.value.problems] == [
        "reviews/r.yaml:1:7: kind: must be one of review, skip"
    ]


def test_load_record_refuses_a_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "s.yaml"
    path.write_text(SKIP_TEXT, encoding="utf-8")
    with pytest.raises(NotFound) as raised:
        load_record(path)
    assert str(raised.value) == "s.yaml is a skip record, not a review"
    assert isinstance(load_any_record(path), SkipRecord)


def test_record_files_are_the_visible_yaml_files_in_name_order(tmp_path: Path) -> None:
    assert list(record_files(tmp_path / "missing")) == []
    for name in ["b.yaml", "a.yaml", ".hidden.yaml", ".a.yaml.tmp", "c.md", "d.yml", "e.yaml.bak"]:
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    assert [p.name for p in record_files(tmp_path)] == ["a.yaml", "b.yaml", "d.yml"]
    assert not_records(tmp_path) == [tmp_path / ".hidden.yaml"]
    (tmp_path / "file.yaml").unlink(missing_ok=True)
    assert list(record_files(tmp_path / "a.yaml")) == []  # a file is not a folder of records


@pytest.mark.parametrize(
    ("path", "is_record"),
    [
        ("docs/reviews/a.yaml", True),
        ("docs/reviews/a.yml", True),
        ("docs/reviews/.a.yaml", False),
        ("docs/reviews/a.md", False),
        ("docs/reviews/sub/a.yaml", False),
        ("docs/reviews", False),
        ("docs/reviews.yaml", False),
        ("other/docs/reviews/a.yaml", False),
    ],
)
def test_the_gate_sees_the_records_every_command_lists(path: str, is_record: bool) -> None:
    assert is_record_path(path, "docs/reviews") is is_record
    assert is_record_path(path, "docs/reviews/") is is_record


def test_a_records_markdown_sits_beside_it_whichever_suffix() -> None:
    assert markdown_path("r/2026-mini-ab12.yaml") == "r/2026-mini-ab12.md"
    assert markdown_path("r/2026-mini-ab12.yml") == "r/2026-mini-ab12.md"
    assert markdown_path("r.v2/x.yaml") == "r.v2/x.md"
    assert markdown_path(Path("r/x.yml")) == Path("r/x.md")


@pytest.fixture
def found(repo: Path) -> tuple[Project, Config, Path]:
    project = find_project(repo)
    config = Config()
    folder = reviews_dir(project, config)
    assert folder == repo / ".micromoment" / "reviews"
    folder.mkdir(parents=True)
    for id in ["2026-11-22-quick-7f3a", "2026-11-22-quick-7f3b", "2026-11-23-team-review-0000"]:
        save_record(folder, _record(id))
    return project, config, folder


def test_a_record_is_found_by_path_id_or_unique_prefix(found: tuple[Project, Config, Path]) -> None:
    project, config, folder = found
    full = folder / "2026-11-23-team-review-0000.yaml"
    full.with_suffix(".md").write_text("# the rendered record\n", encoding="utf-8")
    assert find_record(project, config, "2026-11-23-team-review-0000") == full
    assert find_record(project, config, "2026-11-23") == full
    assert find_record(project, config, str(full.with_suffix(".md"))) == full
    assert find_record(project, config, str(full)) == full
    other = folder / "2026-11-24-quick-9a9a.yml"  # a record by the other suffix is found the same ways
    other.write_text("kind: review\n", encoding="utf-8")
    assert find_record(project, config, str(other)) == other
    assert find_record(project, config, "2026-11-24-quick-9a9a") == other
    assert find_record(project, config, "2026-11-24") == other
    other.with_suffix(".md").write_text("# the rendered record\n", encoding="utf-8")
    assert find_record(project, config, str(other.with_suffix(".md"))) == other
    assert find_record(project, config, "2026-11-22-quick-7f3b") == folder / "2026-11-22-quick-7f3b.yaml"
    # As git names commits by a short hash: the random end of an id, when no other id ends so.
    assert find_record(project, config, "7f3b") == folder / "2026-11-22-quick-7f3b.yaml"
    assert find_record(project, config, "0000") == full


@pytest.mark.parametrize(
    ("ref", "fits"),
    [
        ("2026-11-22-quick-7f3", ["2026-11-22-quick-7f3a", "2026-11-22-quick-7f3b"]),  # a start
        ("f3", ["2026-11-25-quick-aaf3", "2026-11-26-quick-bbf3"]),  # an end
    ],
)
def test_a_ref_several_records_fit_is_ambiguous_and_names_them(
    found: tuple[Project, Config, Path], ref: str, fits: list[str]
) -> None:
    project, config, folder = found
    for id in ("2026-11-25-quick-aaf3", "2026-11-26-quick-bbf3"):
        save_record(folder, _record(id))
    with pytest.raises(NotFound) as raised:
        find_record(project, config, ref)
    assert str(raised.value) == f"{ref}: ambiguous: it could be {', '.join(fits)}; give more of the id"


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("2026-11-24", "no such record"),
        ("", "no such record"),
        ("missing.yaml", "no such record"),
    ],
)
def test_an_ambiguous_or_unknown_record_is_explained(
    found: tuple[Project, Config, Path], ref: str, hint: str
) -> None:
    project, config, _ = found
    with pytest.raises(NotFound) as raised:
        find_record(project, config, ref)
    assert str(raised.value) == (
        f"{ref}: {hint} in .micromoment/reviews (name a record by its path or its file name without .yaml)"
    )


def test_person_email_defaults_to_empty() -> None:
    assert Person(name="Pat").email == ""
