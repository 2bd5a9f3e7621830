"""The config file `micromoment init` writes: every commented key, uncommented, is a valid setting
with the default it names, and each checklist's own patterns are shown as written; and the file
`samples.outputs` names."""

from __future__ import annotations

import os
import re
from pathlib import Path

from conftest import FIXTURES, write
from micromoment.checklists import load_catalog
from micromoment.cli.repo_commands import initial_config_text
from micromoment.config import Config, default_outputs, load_config
from micromoment.locations import Project

COMMENTED_KEY = re.compile(r"^(\s*)# ([a-z_]+): (.*)$")
KEYS = {*Config.model_fields, "applies_to"}


def uncommented(text: str) -> str:
    """The file with every commented-out setting made one (an explanation stays a comment)."""
    lines = []
    for line in text.splitlines():
        match = COMMENTED_KEY.match(line)
        lines.append(f"{match[1]}{match[2]}: {match[3]}" if match and match[2] in KEYS else line)
    return "\n".join(lines) + "\n"


def test_every_commented_key_is_a_setting_with_its_default(repo: Path) -> None:
    mini = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    write(
        repo / ".micromoment/checklists/mini.yaml",
        mini.replace('["prompts/"]', '["prompts/", "docs/größe/**"]'),
    )
    project = Project(repo)
    catalog = load_catalog(project)
    text = initial_config_text(catalog)
    assert (
        '    # applies_to: ["prompts/", "docs/größe/**"]  # its own patterns' in text
    )  # as typed, not \\u-escaped
    settings = uncommented(text)
    assert [
        line.strip()
        for line in settings.splitlines()
        if line.strip().startswith(("policy", "require", "base"))
    ] == [
        "policy_changes: team-review",
        "require_signed_commits: false",
        "base_branch: main",
    ]
    write(repo / ".micromoment/config.yaml", settings)
    config = load_config(project, catalog)
    default = Config()
    assert (config.policy_changes, config.require_signed_commits, config.base_branch) == (
        default.policy_changes,
        default.require_signed_commits,
        "main",
    )
    for entry in catalog:
        assert config.policy(entry.checklist.id).applies_to == list(entry.checklist.applies_to)
    assert config.policy("mini").applies_to == ["prompts/", "docs/größe/**"]


def test_samples_outputs_names_a_file_or_the_newest_match(tmp_path: Path) -> None:
    project = Project(tmp_path)

    def outputs(pattern: str | None) -> Path | None:
        return default_outputs(project, Config.model_validate({"samples": {"outputs": pattern}}))

    assert outputs(None) is None
    write(tmp_path / "evals/run-a.jsonl", "{}\n")
    write(tmp_path / "evals/run-b.jsonl", "{}\n")
    write(tmp_path / "evals/run-c.jsonl/inner.txt", "a folder that matches the glob\n")
    assert outputs("evals/run-a.jsonl") == tmp_path / "evals/run-a.jsonl"
    assert outputs("evals/run-x.jsonl") is None
    assert outputs("evals") is None  # a folder is not an outputs file
    assert outputs("evals/*.csv") is None
    for name, seconds in (("run-a.jsonl", 300), ("run-b.jsonl", 200)):
        os.utime(tmp_path / "evals" / name, ns=(seconds * 10**9, seconds * 10**9))
    assert outputs("evals/run-*.jsonl") == tmp_path / "evals/run-a.jsonl"  # the newest
    assert outputs("evals/run-[b]*") == tmp_path / "evals/run-b.jsonl"
    assert outputs("evals/run-?.jsonl") == tmp_path / "evals/run-a.jsonl"
    assert outputs("evals/run-[a]?json*") == tmp_path / "evals/run-a.jsonl"  # every wildcard at once
    os.utime(tmp_path / "evals/run-b.jsonl", ns=(300 * 10**9, 300 * 10**9))
    assert outputs("evals/run-*.jsonl") == tmp_path / "evals/run-b.jsonl"  # same time: the later name
