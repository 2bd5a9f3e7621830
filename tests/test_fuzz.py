"""Property-based fuzzing of every reader: the answer is valid data or a micromoment error that
names the file and line — never a traceback, never an exit code other than 0, 1 or 2."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, Cli
from conftest import summaries_stats as stats
from micromoment.capture.session import ReviewSession, apply_answers_file
from micromoment.checklists import load_checklist
from micromoment.checklists.deon import import_deon
from micromoment.config import read_config_file
from micromoment.errors import FileProblems, MicromomentError
from micromoment.ledger.model import Summary, log_rows, open_follow_ups
from micromoment.locations import Project, shipped_dir
from micromoment.records import load_any_record
from micromoment.records.render import TemplateError, render_template
from test_ledger_loading import load_summaries

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = [
    "\x00",
    "\ufeff",
    "\u202e",
    "\u200f",
    "\t",
    ": ",
    "- ",
    "&a ",
    "*a",
    "!!python/object/apply:os.system ['true']",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "#",
    "\n  ",
    "<<: *a",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "\\",
    "\r\n",
    "😀",
    "x" * 5000,
    "[" * 200,
    "1e999",
    "-.inf",
    "~",
    "yes",
    "2026-13-45",
    "0x1F",
    "?",
    "|",
    ">",
]

SAMPLE_RECORD = """\
kind: review
schema_version: 1
id: 2026-11-22-mini-0001
checklist: {id: mini, title: Mini check, version: "1", content_hash: "sha256:00"}
subject: refund prompt
who: {name: Pat Product, email: pat@example.com}
started_at: '2026-11-22T10:00:00Z'
finished_at: '2026-11-22T10:04:00Z'
answers:
- {item: data-kind, question: 'What data goes in?', answer: none, answered_at: '2026-11-22T10:01:00Z'}
- item: facts-checked
  question: Did you check the facts?
  answer: 'no'
  follow_up: {action: fix it, owner: engineering lead, due: 2026-12-01}
  answered_at: '2026-11-22T10:02:00Z'
status: complete
missing: []
scan: {ran: true, kept: []}
"""
SAMPLE_SKIP = """\
kind: skip
schema_version: 1
id: 2026-11-22-mini-skip-0001
checklist: {id: mini, title: Mini check, version: "1", content_hash: "sha256:00"}
reason: the prompt text did not change
who: {name: Pat Product}
at: '2026-11-22T10:00:00Z'
"""
SAMPLE_CONFIG = "version: 1\nreviews_dir: .micromoment/reviews\nchecklists:\n  quick: {enabled: true, signoffs: 1, also_applies_to: ['x/']}\nhook: {on_missing: warn}\n"
SAMPLE_ANSWERS = "data-kind: customer data\ndata-masked: yes\nfacts-checked: {answer: no, note: hm, follow_up: {action: a, owner: b}}\nreviewer: {answer: skip, reason: later today}\n"

SEEDS = {
    "checklist": (shipped_dir("checklists") / "quick.yaml").read_text(encoding="utf-8"),
    "mini": (FIXTURES / "mini.yaml").read_text(encoding="utf-8"),
    "record": SAMPLE_RECORD,
    "skip": SAMPLE_SKIP,
    "config": SAMPLE_CONFIG,
    "answers": SAMPLE_ANSWERS,
    "deon": (FIXTURES / "deon-checklist.yaml").read_text(encoding="utf-8"),
}


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    """A seed file with a few random edits: cuts, insertions of nasty text, swapped lines."""
    text = seed
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        operation = draw(st.sampled_from(["truncate", "insert", "delete", "swap", "replace_value"]))
        at = draw(st.integers(min_value=0, max_value=len(text)))
        if operation == "truncate":
            text = text[:at]
        elif operation == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=20))) + text[at:]
        elif operation == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=40)) :]
        elif operation == "swap":
            lines = text.splitlines(keepends=True)
            if len(lines) > 1:
                i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
                text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                key = lines[i].split(":", 1)[0]
                value = draw(
                    st.one_of(
                        st.sampled_from(["[]", "{}", "null", "7", "-1", "true", "''", "[1, [2]]", "{a: b}"]),
                        st.text(max_size=10).map(json.dumps),
                    )
                )
                lines[i] = f"{key}: {value}\n"
                text = "".join(lines)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"])) + raw
    return raw


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)


def assert_clean_failure(error: MicromomentError, name: str) -> None:
    """A failure a person can act on: each line names the file and a line number."""
    if isinstance(error, FileProblems):
        assert error.problems
        for problem in error.problems:
            assert problem.path.endswith(name), str(problem)
            assert problem.line is not None and problem.line >= 1, str(problem)
    else:
        assert name in error.message, error.message


def read_with(reader: str, path: Path) -> None:
    if reader in ("checklist", "mini"):
        load_checklist(path)
    elif reader in ("record", "skip"):
        load_any_record(path)
    elif reader == "config":
        read_config_file(path)
    elif reader == "deon":
        import_deon(path)
    else:
        mini = load_checklist(FIXTURES / "mini.yaml")
        apply_answers_file(ReviewSession(mini, "s", "d"), path)


def check_reader(reader: str, raw: bytes, folder: Path) -> None:
    path = folder / "fuzzed.yaml"
    path.write_bytes(raw)
    try:
        read_with(reader, path)
    except MicromomentError as error:
        assert_clean_failure(error, "fuzzed.yaml")


@FUZZ
@given(data=st.data())
def test_mutated_files_never_crash_a_reader(tmp_path: Path, data: st.DataObject) -> None:
    reader = data.draw(st.sampled_from(sorted(SEEDS)))
    check_reader(reader, data.draw(mutated(SEEDS[reader])), tmp_path)


@FUZZ
@given(reader=st.sampled_from(sorted(SEEDS)), value=yaml_values)
def test_wrong_types_at_every_level_never_crash_a_reader(tmp_path: Path, reader: str, value: object) -> None:
    check_reader(reader, yaml.safe_dump(value, allow_unicode=True).encode(), tmp_path)


@FUZZ
@given(reader=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_each_field_replaced_by_any_value(tmp_path: Path, reader: str, data: st.DataObject) -> None:
    document = yaml.safe_load(SEEDS[reader])
    assert isinstance(document, dict)
    path: list[object] = []
    node: object = document
    while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
        key = data.draw(
            st.sampled_from(sorted(node, key=str) if isinstance(node, dict) else list(range(len(node))))
        )
        path.append(key)
        node = node[key]  # type: ignore[index]
    if path:
        parent: object = document
        for key in path[:-1]:
            parent = parent[key]  # type: ignore[index]
        parent[path[-1]] = data.draw(yaml_values)  # type: ignore[index]
    check_reader(reader, yaml.safe_dump(document, allow_unicode=True).encode(), tmp_path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.text(max_size=200)
    | st.sampled_from(
        [
            "{{",
            "{% if %}",
            "{{ view.__class__ }}",
            "{{ view.rows[99] }}",
            "{% for x in y %}",
            "{{ 'a' * 10**9 }}",
            "{{ ((" * 300 + "1" + "))" * 300 + " }}",
        ]
    )
)
def test_team_templates_never_crash_rendering(tmp_path: Path, body: str) -> None:
    project = Project(tmp_path)
    (tmp_path / ".micromoment/templates").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".micromoment/templates/fuzz.md.j2").write_text(body, encoding="utf-8")
    try:
        render_template(project, "fuzz.md.j2", {"view": {"rows": [], "record": {"subject": "s"}}})
    except TemplateError as error:
        assert "fuzz.md.j2:" in error.message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_lint_through_the_cli_exits_0_or_2(cli: Cli, tmp_path: Path, data: st.DataObject) -> None:
    reader = data.draw(st.sampled_from(["checklist", "mini", "config"]))
    name = "config.yaml" if reader == "config" else "list.yaml"
    path = tmp_path / name
    path.write_bytes(data.draw(mutated(SEEDS[reader])))
    result = cli("lint", str(path))
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output


def test_the_seeds_themselves_are_valid(tmp_path: Path) -> None:
    for reader, text in SEEDS.items():
        path = tmp_path / "seed.yaml"
        path.write_text(text, encoding="utf-8")
        read_with(reader, path)


def test_duplicate_keys_at_depth_are_reported_not_merged(tmp_path: Path) -> None:
    path = tmp_path / "fuzzed.yaml"
    path.write_text(
        SEEDS["mini"].replace("    owner: team\n", "    owner: team\n    owner: legal\n"), encoding="utf-8"
    )
    try:
        load_checklist(path)
    except FileProblems as error:
        assert "duplicate key (first at line" in str(error)
    else:
        raise AssertionError("a duplicate key was merged silently")


LEDGER_FUZZ = settings(FUZZ, max_examples=60)  # each example reads two records and writes a cache


def _ledger_folder(root: Path) -> Path:
    folder = root / "reviews"
    folder.mkdir(exist_ok=True)
    (folder / "2026-11-22-mini-0001.yaml").write_text(SAMPLE_RECORD, encoding="utf-8")
    (folder / "2026-11-22-mini-skip-0001.yaml").write_text(SAMPLE_SKIP, encoding="utf-8")
    return folder


def _answers(summaries: list[Summary]) -> list[dict[str, object]]:
    """What log, todo and stats would print, so a summary that breaks them fails here."""
    today = dt.date(2026, 11, 23)
    return [
        {"log": log_rows(summaries, None, None)},
        {"todo": open_follow_ups(summaries, None, today)},
        {"stats": stats(summaries, None, "week", [], today)},
    ]


def _edit_ledger(ledger_path: Path, *statements: str) -> None:
    """Change the ledger as another program could: with its CHECK constraints switched off."""
    connection = sqlite3.connect(ledger_path, isolation_level=None)
    connection.execute("PRAGMA ignore_check_constraints = ON")
    for statement in statements:
        connection.execute(statement)
    connection.close()


def test_a_stored_summary_is_believed_while_its_file_is_unchanged(tmp_path: Path) -> None:
    folder, db = _ledger_folder(tmp_path), tmp_path / "ledger.sqlite3"
    clean = load_summaries(folder, db)
    _edit_ledger(
        db, "UPDATE records SET subject = 'from the ledger' WHERE name = '2026-11-22-mini-0001.yaml'"
    )
    assert [s.subject for s in load_summaries(folder, db)] == ["from the ledger", clean[1].subject]
    # a new time: read again
    record = folder / "2026-11-22-mini-0001.yaml"
    os.utime(record, ns=(record.stat().st_atime_ns, record.stat().st_mtime_ns + 10**9))
    assert [s.subject for s in load_summaries(folder, db)] == [s.subject for s in clean]


@LEDGER_FUZZ
@given(data=st.data())
def test_a_damaged_ledger_file_gives_the_same_answer(tmp_path: Path, data: st.DataObject) -> None:
    """Cut short, garbage put in front or in place, or its header bytes flipped: the ledger is built again."""
    folder, db = _ledger_folder(tmp_path), tmp_path / "ledger.sqlite3"
    db.unlink(missing_ok=True)
    clean = _answers(load_summaries(folder, None))
    load_summaries(folder, db)
    raw = db.read_bytes()
    damage = data.draw(st.sampled_from(["cut", "flip-header", "prefix", "replace"]))
    at = data.draw(st.integers(min_value=0, max_value=len(raw)))
    if damage == "cut":
        raw = raw[: at % 4096]
    elif damage == "flip-header":
        at %= 100
        raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1 :]
    elif damage == "prefix":
        raw = data.draw(st.binary(min_size=1, max_size=20)) + raw
    else:
        raw = json.dumps(data.draw(yaml_values)).encode()
    db.write_bytes(raw)
    assert _answers(load_summaries(folder, db)) == clean
    assert _answers(load_summaries(folder, db)) == clean  # and the rebuilt ledger serves it


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE records SET at = '2026-02-30T10:04:00Z'",  # no such day
        "UPDATE records SET at = '2026-11-22T25:04:00Z'",  # no such hour
        "UPDATE records SET at = '2026-11-22'",
        "UPDATE records SET kind = 'other'",
        "UPDATE follow_ups SET due = '2026-12-01x'",
        "UPDATE follow_ups SET due = '2026-02-30'",
        "UPDATE follow_ups SET resolved = 2",
        "INSERT INTO answers VALUES ('mini', 'a', 'Pat', 'gone.yaml', 0, 'b', 'yes', '2026-11-22')",  # rows of no record
        "DROP TABLE signoffs",
        "DROP INDEX answers_of_record",
        "CREATE TABLE extra (x)",
        "PRAGMA user_version = 99",
        "PRAGMA application_id = 1",
        "UPDATE meta SET value = '/elsewhere' WHERE key = 'folder'",
    ],
)
def test_a_ledger_holding_what_this_version_never_writes_is_built_again(
    tmp_path: Path, statement: str
) -> None:
    folder, db = _ledger_folder(tmp_path), tmp_path / "ledger.sqlite3"
    clean = _answers(load_summaries(folder, None))
    load_summaries(folder, db)
    _edit_ledger(db, statement)
    assert _answers(load_summaries(folder, db)) == clean
    _edit_ledger(db, "UPDATE records SET subject = 'stored'")  # the rebuilt ledger is the one read now
    assert {s.subject for s in load_summaries(folder, db)} == {"stored"}
