"""export: records as tables a warehouse reads, checked by reading them back with DuckDB and csv."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from conftest import Cli, run_module, write
from micromoment.ledger.export import COLUMNS
from micromoment.locations import display_path
from test_report import HOSTILE, make_repositories, repo_args

TABLES = ("reviews", "answers", "followups", "signoffs")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    """Every table in every format from the two repositories of the report tests, and their stats."""
    top = tmp_path_factory.mktemp("export")
    mp = pytest.MonkeyPatch()
    home = top / "home"
    home.mkdir()
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        mp.setenv(f"GIT_{role}_NAME", "Pat Product")
        mp.setenv(f"GIT_{role}_EMAIL", "pat@example.com")
    try:
        cli = Cli()
        repos = make_repositories(cli, top)
        for table in TABLES:
            for fmt in ("jsonl", "csv", "parquet"):
                done = cli(
                    "export",
                    "--table",
                    table,
                    "--format",
                    fmt,
                    "--out",
                    str(top / f"{table}.{fmt}"),
                    *repo_args(repos),
                )
                assert done.exit_code == 0, done.output
        yield top, json.loads(cli("stats", "--json", *repo_args(repos)).stdout)
    finally:
        mp.undo()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_duckdb_reads_the_same_numbers_as_stats(exported: tuple[Path, dict[str, object]], fmt: str) -> None:
    top, figures = exported
    db = duckdb.connect()
    reader = {"jsonl": "read_json_auto", "csv": "read_csv_auto", "parquet": "read_parquet"}[fmt]
    for table in TABLES:
        db.execute(f"create view {table} as select * from {reader}('{top / f'{table}.{fmt}'}')")

    def one(sql: str) -> object:
        row = db.execute(sql).fetchone()
        assert row is not None
        return row[0]

    totals, follow, signed = figures["totals"], figures["follow_ups"], figures["signoffs"]  # type: ignore[index]
    assert one("select count(*) from reviews where kind = 'review'") == totals["reviews"] == 4
    assert one("select count(*) from reviews where kind = 'skip'") == totals["skips"] == 1
    assert one("select count(*) from answers where answer != 'skip'") == totals["answers"] == 9
    assert one("select sum(answers) from reviews") == totals["answers"]  # one count, whatever the table
    assert one("select count(*) from answers where answer = 'no'") == totals["no"] == 2
    assert one("select count(*) from answers where answer = 'skip'") == totals["skipped_items"] == 1
    people = "select count(*) from (select author from reviews union select signer from signoffs)"
    assert one(people) == totals["people"] == 2
    assert one("select count(*) from followups") == follow["opened"] == 2
    assert one("select count(*) from followups where status = 'open'") == follow["open"] == 2
    overdue = "select count(*) from followups where status = 'open' and due < current_date"
    assert one(overdue) == follow["overdue"] == 1
    rate = (
        "select round(count(distinct record_id) filter (where decision = 'approve') * 1.0"
        " / (select count(*) from reviews where kind = 'review'), 3) from signoffs"
    )
    assert float(one(rate)) == signed["rate"] == 0.25  # type: ignore[arg-type]
    assert one("select count(distinct repository) from reviews") == 2
    assert str(one("select max(recorded_at)::varchar from reviews")).startswith("20")


def test_csv_keeps_commas_quotes_and_newlines(exported: tuple[Path, dict[str, object]]) -> None:
    top, _ = exported
    with (top / "answers.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS["answers"]
    [hostile] = [row for row in rows if row["note"] == HOSTILE]
    assert (hostile["item_id"], hostile["answer"], hostile["has_follow_up"]) == (
        "facts-checked",
        "no",
        "true",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", hostile["answered_at"]), hostile["answered_at"]


def test_jsonl_rows_have_every_documented_column_in_order(exported: tuple[Path, dict[str, object]]) -> None:
    top, _ = exported
    for table in TABLES:
        lines = (top / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == {"reviews": 5, "answers": 10, "followups": 2, "signoffs": 2}[table], table
        for line in lines:
            assert list(json.loads(line)) == COLUMNS[table]
    followups = [
        json.loads(line) for line in (top / "followups.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert sorted((f["owner"], f["due"], f["status"]) for f in followups) == [
        ("data lead", "2999-01-01", "open"),
        ("engineering lead", "2020-01-06", "open"),
    ]
    signoffs = [
        json.loads(line) for line in (top / "signoffs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert sorted((s["repository"], s["signer"], s["decision"]) for s in signoffs) == [
        ("alpha", "Dana Lead", "approve"),
        ("beta", "Dana Lead", "changes-requested"),
    ]
    reviews = [json.loads(line) for line in (top / "reviews.jsonl").read_text(encoding="utf-8").splitlines()]
    committed = [r for r in reviews if r["repository"] == "alpha" and r["kind"] == "review"]
    assert [(r["branch"], r["checklist_version"]) for r in committed] == [("main", "1"), ("main", "1")]


def test_parquet_without_pyarrow_says_how_to_get_it(
    cli: Cli, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails, as when it is not installed
    done = cli("export", "--table", "reviews", "--format", "parquet", "--out", str(tmp_path / "r.parquet"))
    assert done.exit_code == 2
    assert done.output.strip().splitlines() == [
        "micromoment: --format parquet needs pyarrow: pip install 'micromoment[parquet]' (or use --format jsonl or csv)"
    ]
    assert not (tmp_path / "r.parquet").exists()


def test_bad_output_and_unknown_table_are_refused(cli: Cli, mini: Path, tmp_path: Path) -> None:
    unknown = cli("export", "--table", "people", "--format", "csv", "--out", str(tmp_path / "x"))
    assert unknown.exit_code == 2
    assert "'people' is not one of 'reviews', 'answers', 'followups', 'signoffs'" in " ".join(
        unknown.output.replace("│", " ").split()
    )
    assert not (tmp_path / "x").exists()
    folder = cli("export", "--table", "reviews", "--format", "csv", "--out", str(tmp_path))
    assert folder.exit_code == 2
    assert folder.output.strip().splitlines() == [
        f"micromoment: {display_path(tmp_path)}: is not a regular file; give a file name, e.g. --out reviews.csv"
    ]
    empty = cli("export", "--table", "reviews", "--format", "csv", "--out", str(tmp_path / "e.csv"))
    assert empty.exit_code == 0
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS["reviews"])]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_named_pipe_is_refused_at_once_and_left_a_pipe(mini: Path, tmp_path: Path, fmt: str) -> None:
    pipe = tmp_path / "out"
    os.mkfifo(pipe)
    # A real process with a bound: a write that waited for a reader would end in TimeoutExpired.
    done = run_module(["export", "--table", "reviews", "--format", fmt, "--out", str(pipe)], cwd=mini)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"micromoment: {pipe}: is not a regular file; give a file name, e.g. --out reviews.{fmt}"
    ]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_markdown_stats_and_export_count_one_record_alike(cli: Cli, mini: Path) -> None:
    answers = mini / "answers.yaml"
    answers.write_text(
        "data-kind: customer data\ndata-masked: na\n"
        "facts-checked: {answer: no, follow_up: {action: check them, owner: team}}\n"
        "reviewer: {answer: skip, reason: nobody free}\n",
        encoding="utf-8",
    )
    assert cli("review", "mini", "--answers", str(answers), "--subject", "x").exit_code == 0
    [markdown] = (mini / ".micromoment/reviews").glob("*.md")
    counts = next(
        line for line in markdown.read_text(encoding="utf-8").splitlines() if " answered · " in line
    )
    assert counts == "3 answered · 0 yes · 1 no · 1 n/a · 1 skipped"
    totals = json.loads(cli("stats", "--json").stdout)["totals"]
    assert (totals["answers"], totals["no"], totals["skipped_items"]) == (3, 1, 1)
    out = mini / "reviews.jsonl"
    assert cli("export", "--table", "reviews", "--format", "jsonl", "--out", str(out)).exit_code == 0
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row[name] for name in ("answers", "yes", "no", "na", "skipped", "follow_ups")] == [
        3,
        0,
        1,
        1,
        1,
        1,
    ]


def test_export_out_dash_writes_the_table_to_standard_output(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers), "--subject", "x").exit_code == 0
    filed = mini / "answers.csv"
    assert cli("export", "--table", "answers", "--format", "csv", "--out", str(filed)).exit_code == 0
    shown = cli("export", "--table", "answers", "--format", "csv", "--out", "-")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == filed.read_text(encoding="utf-8") and shown.stdout.count("\n") == 3
    assert not (mini / "-").exists()
    binary = cli("export", "--table", "answers", "--format", "parquet", "--out", "-")
    assert binary.exit_code == 2
    assert "--format parquet is binary; write it to a file" in binary.stderr
