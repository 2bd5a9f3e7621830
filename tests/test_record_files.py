"""What a record file is, decided once: `check`, `lint`, `log` and `stats` agree on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli, git, write

REASON = "the table holds only feature flags, no user data"


@pytest.fixture
def skipped(cli: Cli, repo: Path) -> Path:
    """A repository whose staged change calls for data-safeguards, and a skip record of it
    (not staged yet), at the path returned."""
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    write(repo / "db/migrations/0001_init.sql", "create table flags (name text);\n")
    assert cli("skip", "data-safeguards", "--reason", REASON).exit_code == 0
    [path] = (repo / ".micromoment/reviews").glob("*-data-safeguards-skip-*.yaml")
    return path


def _stats_skips(cli: Cli) -> int:
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["totals"]["skips"])


def _logged(cli: Cli) -> list[str]:
    result = cli("log", "--json")
    assert result.exit_code == 0, result.output
    return [entry["checklist"] for entry in json.loads(result.stdout)]


def test_a_yml_record_counts_everywhere(cli: Cli, repo: Path, skipped: Path) -> None:
    renamed = skipped.rename(skipped.with_suffix(".yml"))
    git(repo, "add", "-A")
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    assert f"skipped, with a reason, in .micromoment/reviews/{renamed.name}" in checked.stdout
    linted = cli("lint")
    assert linted.exit_code == 0, linted.output
    assert _stats_skips(cli) == 1
    assert _logged(cli) == ["data-safeguards"]


def test_a_hidden_file_counts_nowhere_and_lint_names_it(cli: Cli, repo: Path, skipped: Path) -> None:
    hidden = skipped.rename(skipped.with_name("." + skipped.name))
    git(repo, "add", "-A")
    checked = cli("check")
    assert checked.exit_code == 1, checked.output
    assert "fix: micromoment review data-safeguards" in checked.stdout
    linted = cli("lint")
    assert linted.exit_code == 2  # lint: problems found
    assert (
        f".micromoment/reviews/{hidden.name}: not a record: micromoment and the commit gate pass over "
        "hidden files; rename it without the leading dot, or remove it"
    ) in linted.stdout + linted.stderr
    assert _stats_skips(cli) == 0
    assert _logged(cli) == []


def test_an_invalid_yml_record_fails_check_and_lint_alike(cli: Cli, repo: Path, skipped: Path) -> None:
    broken = write(skipped.with_name("broken.yml"), "kind: skip\n")
    git(repo, "add", "-A")
    checked = cli("check")
    assert checked.exit_code == 1, checked.output
    assert f".micromoment/reviews/{broken.name}" in checked.stdout + checked.stderr
    linted = cli("lint")
    assert linted.exit_code == 2  # lint: problems found
    assert f".micromoment/reviews/{broken.name}" in linted.stdout + linted.stderr
