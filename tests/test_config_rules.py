"""The config's rules, pinned directly: where records may go, what a policy defaults to, and the
messages for settings that name checklists that do not exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import write
from micromoment.checklists import load_catalog
from micromoment.config import (
    ChecklistPolicy,
    Config,
    config_problems,
    initial_config_text,
    load_config,
    read_config,
    read_config_file,
)
from micromoment.errors import FileProblems
from micromoment.locations import Project


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("./x/", "x"),
        ("x", "x"),
        (" records ", "records"),
        ("a/./b/", "a/b"),
        (".micromoment/reviews", ".micromoment/reviews"),
        ("..records", "..records"),
    ],
)
def test_reviews_dir_is_kept_as_git_names_it(written: str, kept: str) -> None:
    assert Config(reviews_dir=written).reviews_dir == kept


@pytest.mark.parametrize("written", ["..", "../x", "a/../b", "/srv/records", ".", "./", " . "])
def test_reviews_dir_outside_the_repository_is_refused(written: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Config(reviews_dir=written)
    [error] = raised.value.errors()
    assert error["loc"] == ("reviews_dir",)
    assert "must be a folder inside the repository, e.g. .micromoment/reviews" in error["msg"]


def test_defaults() -> None:
    config = Config()
    assert (config.version, config.default_checklist, config.reviews_dir) == (
        1,
        "quick",
        ".micromoment/reviews",
    )
    assert (config.policy_changes, config.require_signed_commits, config.base_branch) == (
        "team-review",
        False,
        None,
    )
    assert config.hook.on_missing == "block"
    policy = config.policy("anything")
    assert (policy.enabled, policy.applies_to, policy.also_applies_to, policy.signoffs) == (True, None, [], 0)
    with pytest.raises(ValidationError):
        ChecklistPolicy(signoffs=-1)
    assert ChecklistPolicy(signoffs=0).signoffs == 0


def test_problems_name_each_unknown_checklist_and_bad_pattern(repo: Path) -> None:
    path = write(
        repo / ".micromoment/config.yaml",
        "default_checklist: nope\n"
        "policy_changes: gone\n"
        "checklists:\n"
        "  missing: {}\n"
        "  quick:\n"
        "    applies_to: ['ok/', '!']\n"
        "    also_applies_to: ['fine', '!']\n",
    )
    project = Project(repo)
    catalog = load_catalog(project)
    config, located = read_config_file(path)
    known = ", ".join(catalog.ids())
    problems = [(p.line, p.message) for p in config_problems(config, located, catalog)]
    assert problems[:3] == [
        (1, f"no checklist 'nope'; use one of {known}"),
        (2, f"no checklist 'gone'; use one of {known}"),
        (4, f"no checklist 'missing'; use one of {known}"),
    ]
    invalid = "not a valid .gitignore-style pattern: Invalid git pattern: '!'"
    assert problems[3:] == [(6, invalid), (7, invalid)]
    with pytest.raises(FileProblems) as raised:
        load_config(project, catalog)
    assert len(raised.value.problems) == 5


def test_no_file_means_the_defaults_and_a_list_is_refused(repo: Path) -> None:
    project = Project(repo)
    config, located = read_config(project)
    assert located is None and config == Config()
    write(repo / ".micromoment/config.yaml", "- a\n- b\n")
    with pytest.raises(FileProblems) as raised:
        read_config(project)
    assert "must be a mapping of settings (see micromoment init)" in str(raised.value)
    write(repo / ".micromoment/config.yaml", "policy_changes: null\n")
    assert load_config(project, load_catalog(project)).policy_changes is None


def test_the_initial_config_says_what_the_defaults_say(repo: Path) -> None:
    project = Project(repo)
    catalog = load_catalog(project)
    text = initial_config_text(catalog, enabled={"quick"})
    path = write(repo / ".micromoment/config.yaml", text)
    config, located = read_config_file(path)
    assert config_problems(config, located, catalog) == []
    assert [c for c, policy in config.checklists.items() if policy.enabled] == ["quick"]
    assert sorted(config.checklists) == sorted(catalog.ids())
    assert all(p.signoffs == 0 and p.also_applies_to == [] for p in config.checklists.values())
    everything = write(repo / "all.yaml", initial_config_text(catalog))
    assert all(p.enabled for p in read_config_file(everything)[0].checklists.values())
    assert text.endswith("on_missing: block  # block: stop the commit; warn: let it through with a warning\n")
