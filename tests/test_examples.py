"""The shipped examples parse, and every micromoment command and option they use exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
import yaml

from conftest import Cli
from micromoment.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHELL_KEYS = {"run", "script", "before_script", "after_script"}
# The CI files that call micromoment themselves; the others use the action or the component.
CALLERS = {"action.yml", "template.yml", "micromoment-fork-gate.yml", "micromoment-fork-post.yml"}


def shell_lines(data: object) -> list[str]:
    """The shell commands in a CI file: `run:` / `script:` values, one command per line or `||` part."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SHELL_KEYS:
                texts = value if isinstance(value, list) else [value]
                joined = "\n".join(str(t) for t in texts).replace("\\\n", " ")
                found += [part for line in joined.splitlines() for part in line.split("||")]
            else:
                found += shell_lines(value)
    elif isinstance(data, list):
        for value in data:
            found += shell_lines(value)
    return found


def commands_in(lines: list[str]) -> list[tuple[str, list[str]]]:
    calls = []
    for line in lines:
        match = re.search(r"(?:^|\s)micromoment ([a-z][a-z-]*)(.*)$", line.strip())
        if match:
            calls.append((match.group(1), re.findall(r"(?<!\S)--[a-z][a-z-]*", match.group(2))))
    return calls


def options_of(command: str) -> set[str]:
    group = typer.main.get_command(app)
    found = group.commands[command]  # type: ignore[attr-defined]
    return {opt for param in found.params for opt in param.opts}


@pytest.mark.parametrize(
    "path",
    [*sorted(EXAMPLES.rglob("*.yml")), ROOT / "action.yml", ROOT / "templates/micromoment/template.yml"],
    ids=lambda p: p.name,
)
def test_example_ci_files_parse_and_call_real_commands(path: Path) -> None:
    data = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert all(isinstance(document, dict) for document in data)
    calls = commands_in(shell_lines(data))
    assert bool(calls) == (path.name in CALLERS)
    for name, flags in calls:
        assert name in typer.main.get_command(app).commands, name  # type: ignore[attr-defined]
        assert set(flags) <= options_of(name), (name, set(flags) - options_of(name))


def test_the_pr_template_holds_the_section_pr_note_fills(cli: Cli, repo: Path) -> None:
    template = (EXAMPLES / "github/pull_request_template.md").read_text(encoding="utf-8")
    assert "<!-- micromoment:start -->" in template and "<!-- micromoment:end -->" in template
    for name, flags in commands_in(re.findall(r"`([^`]+)`", template)):
        assert set(flags) <= options_of(name)
    result = cli("init", "--pr-template", "--hook")
    assert result.exit_code == 0, result.output
    written = (repo / ".github/pull_request_template.md").read_text(encoding="utf-8")
    assert written.count("<!-- micromoment:start -->") == 1
    assert (repo / ".git/hooks/pre-commit").exists()
    assert cli("init", "--force", "--pr-template").exit_code == 0
    assert (repo / ".github/pull_request_template.md").read_text(encoding="utf-8") == written
