"""The root help and the command registry it is drawn from."""

from __future__ import annotations

import inspect
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PATIENCE, Cli
from micromoment.cli.app import COMMANDS, EXAMPLES, command_function, load_command


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_registry_line_is_the_commands_own_first_line(name: str) -> None:
    assert (inspect.getdoc(command_function(name)) or "").splitlines()[0] == COMMANDS[name]


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
    assert lines[3].startswith("Start here: micromoment init sets up this repository, micromoment list")
    assert "Exit codes: 0 ok, 1 findings, 2 bad input or usage, 130 interrupted." in lines
    assert "│ --version  Print the version and exit." in done.stdout
    # Code spans show as Typer's Markdown mode shows them: styled, without backticks.
    assert "Record an explicit, reasoned skip of a checklist; check and the hook accept it." in done.stdout
    assert "`" not in done.stdout
    rows = [done.stdout.index(f"\n│ {name} ") for name in COMMANDS]
    assert rows == sorted(rows)  # every command, in the registry's order


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_commands_help_ends_with_real_examples_that_parse(cli: Cli, name: str) -> None:
    examples = EXAMPLES[name]
    assert 1 <= len(examples) <= 3
    shown = cli(name, "--help", env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    lines = [line.strip() for line in shown.stdout.splitlines() if line.strip()]
    assert lines[-len(examples) - 1 :] == ["Examples:", *examples]
    for example in examples:
        argv = shlex.split(example)
        assert argv[:2] == ["micromoment", *name.split()]
        # The command's own parser takes it: every option exists, every value fits.
        load_command(name).make_context(name, argv[2:])
