"""Startup stays cheap: which modules `--help` and `list` load, and the registry's help lines."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PATIENCE, modules_at_exit
from micromoment.cli.app import COMMANDS


def loaded(repo: Path, *args: str) -> set[str]:
    code, modules = modules_at_exit(repo, *args)
    assert code == 0, args
    return modules


def review_mini(repo: Path, answers: str) -> None:
    """A real review of the `mini` checklist, recorded by its own process."""
    answers_file = repo / "answers.yaml"
    answers_file.write_text(answers, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "micromoment",
            "review",
            "mini",
            "--answers",
            str(answers_file),
            "--subject",
            "s",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr


def test_help_loads_no_command_module_and_nothing_heavy(repo: Path) -> None:
    modules = loaded(repo, "--help")
    assert not {m for m in modules if m.startswith("micromoment.cli.") and m.endswith("_commands")}
    for heavy in (
        "pydantic",
        "jinja2",
        "git",
        "yaml",
        "micromoment.checklists",
        "typer.rich_utils",
        "pygments",
    ):
        assert heavy not in modules, heavy


def test_list_loads_neither_jinja2_nor_gitpython_nor_other_commands(repo: Path) -> None:
    modules = loaded(repo, "list")
    assert "micromoment.cli.checklist_commands" in modules
    for heavy in ("jinja2", "git", "micromoment.cli.review_commands", "micromoment.cli.gate_commands"):
        assert heavy not in modules, heavy


def test_list_and_show_with_a_fresh_cache_load_no_pydantic_jinja2_gitpython_or_yaml(repo: Path) -> None:
    cold = loaded(repo, "list")
    assert "pydantic" in cold  # the first run validates every checklist and writes the cache
    assert (repo / ".git" / "micromoment" / "checklists.json").is_file()
    for args in (["list"], ["show", "quick"]):
        warm = loaded(repo, *args)
        for heavy in ("pydantic", "jinja2", "git", "yaml", "micromoment.checklists.model"):
            assert heavy not in warm, (args, heavy)
        assert "micromoment.checklists.cache" in warm


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_registry_line_is_the_commands_own_first_line(name: str) -> None:
    module, function, line = COMMANDS[name]
    callback = getattr(importlib.import_module(f"micromoment.cli.{module}"), function)
    assert (inspect.getdoc(callback) or "").splitlines()[0] == line


def test_root_help_drawn_without_typers_help_module_reads_as_before(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "micromoment", "--help"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "100", "TERM": "dumb"},
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert lines[1] == "Usage: micromoment [OPTIONS] COMMAND [ARGS]..."
    assert "Exit codes: 0 ok, 1 findings, 2 bad input or usage, 130 interrupted." in lines
    assert "│ --version  Print the version and exit." in done.stdout
    # Code spans show as Typer's Markdown mode shows them: styled, without backticks.
    assert "Record an explicit, reasoned skip of a checklist; check and the hook accept it." in done.stdout
    assert "`" not in done.stdout
    rows = [done.stdout.index(f"\n│ {name} ") for name in COMMANDS]
    assert rows == sorted(rows)  # every command, in the registry's order


def test_a_warm_render_loads_no_pydantic_jinja2_yaml_or_gitpython(mini: Path) -> None:
    review_mini(mini, "data-kind: none\nfacts-checked: yes\n")
    [record] = (mini / ".micromoment/reviews").glob("*.yaml")
    cold = loaded(mini, "render", record.stem, "--out", "-")
    assert "jinja2" in cold  # the first run renders in full and fills the cache
    for args in (["render", record.stem, "--out", "-"], ["render"], ["render", str(record)]):
        warm = loaded(mini, *args)
        for heavy in ("pydantic", "jinja2", "yaml", "git", "micromoment.records.model", "micromoment.config"):
            assert heavy not in warm, (args, heavy)
        assert "micromoment.records.render_cache" in warm


def test_warm_stats_log_and_todo_load_no_pydantic_yaml_or_gitpython(mini: Path) -> None:
    """With the gate's rules cached and every record in the ledger, the ledger commands are
    queries: no checklist, config or record model is built, and no YAML is read."""
    review_mini(mini, "data-kind: none\nfacts-checked: 'no'\n")
    cold = loaded(mini, "stats", "--json")
    assert {"pydantic", "yaml", "micromoment.records.model"} <= cold  # the first run parses the record
    # log holds each review to its checklist version: its first run validates the checklists
    # once for the light catalog, which `list` and `show` share.
    assert "pydantic" in loaded(mini, "log", "--json")
    for args in (["stats", "--json"], ["stats", "--by", "month"], ["log", "--json"], ["todo", "--json"]):
        warm = loaded(mini, *args)
        for heavy in (
            "pydantic",
            "yaml",
            "jinja2",
            "git",
            "micromoment.records.model",
            "micromoment.checklists.model",
            "micromoment.config",
        ):
            assert heavy not in warm, (args, heavy)
        assert "micromoment.ledger.store" in warm
        if args[0] != "log":  # log's light catalog hashes the checklist files
            assert "hashlib" not in warm, args  # OpenSSL: only parsing a record needs it
        if "--json" in args and args[0] == "stats":
            assert "rich" not in warm  # JSON is written as it is: nothing drawn, no rich
