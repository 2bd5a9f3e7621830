"""The config's rules, pinned directly: where records may go, what a policy defaults to, and the
messages for settings that name checklists that do not exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import write
from micromoment.checklists import load_catalog
from micromoment.cli.repo_commands import initial_config_text
from micromoment.config import (
    ChecklistPolicy,
    Config,
    config_problems,
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
        "version: 1\n"
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
    invalid = "not a valid .gitignore-style pattern: Invalid git pattern: '!'"
    problems = [
        (p.path, p.line, p.column, p.where, p.message) for p in config_problems(config, located, catalog)
    ]
    shown = ".micromoment/config.yaml"
    assert problems == [
        (shown, 2, 20, "default_checklist", f"no checklist 'nope'; use one of {known}"),
        (shown, 3, 17, "policy_changes", f"no checklist 'gone'; use one of {known}"),
        (shown, 5, 3, "checklists.missing", f"no checklist 'missing'; use one of {known}"),
        (shown, 7, 25, "checklists.quick.applies_to[1]", invalid),
        (shown, 8, 31, "checklists.quick.also_applies_to[1]", invalid),
    ]
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
    assert (
        str(raised.value)
        == ".micromoment/config.yaml:1:1: must be a mapping of settings (see micromoment init)"
    )
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
    lines = text.splitlines()
    assert lines[:10] == [
        "# micromoment settings for this repository. Check them with: micromoment lint",
        "",
        "# Format version of this file.",
        "version: 1",
        "# The checklist `micromoment review` runs when you name none.",
        "default_checklist: quick",
        "# Where review records are written, relative to the repository root. Commit this folder.",
        "reviews_dir: .micromoment/reviews",
        "# Per checklist: whether changes trigger it, on which paths, and how many sign-offs it needs.",
        "checklists:",
    ]
    quick = lines.index("  quick:")
    assert lines[quick + 1 : quick + 5] == [
        "    enabled: true  # false: changes never trigger it; run it by hand",
        "    # applies_to: []  # its own patterns; uncomment and edit to replace them",
        "    also_applies_to: []  # .gitignore-style patterns added to the checklist's own",
        "    signoffs: 0  # sign-offs by a second person before a review counts",
    ]
    assert (
        lines[lines.index("  team-review:") + 1]
        == "    enabled: false  # false: changes never trigger it; run it by hand"
    )
    hook = lines.index("hook:")
    assert lines[hook - 1 : hook + 2] == [
        "# The commit hook, when a change triggers a check that has no record.",
        "hook:",
        "  on_missing: block  # block: stop the commit; warn: let it through with a warning",
    ]
    samples = lines.index("samples:")
    assert lines[samples : samples + 2] == ["samples:", "  outputs: null  # e.g. evals/results-*.jsonl"]
    assert lines[-6:] == [
        "detectors:",
        "  model-call: {enabled: true, patterns: []}  # a call to, an import of, or an endpoint of a model SDK or gateway",
        "  model-name: {enabled: true, patterns: []}  # a model's name in a string (gpt-*, o1/o3/o4-*, claude-*, "
        "gemini-*, llama*, mistral*, ...), and a change of it",
        "  settings: {enabled: true, patterns: []}  # generation settings next to a model call (temperature, top_p, "
        "max_tokens, seed, response_format, tools and functions given to a model)",
        "  system-message: {enabled: true, patterns: []}  # system or developer messages written inline (role "
        "system, system=, SystemMessage)",
        "  # our-gateway: {description: our model gateway, patterns: ['acme_llm\\.complete\\(']}",
    ]
    assert all(d.enabled and not d.patterns for d in config.detectors.values()) and len(config.detectors) == 4
    genai = lines.index("  genai-output-review:")
    assert lines[genai + 5] == (
        '    # applies_when: ["model-call", "model-name", "settings", "system-message"]  # its own detectors; '
        "uncomment and edit to replace them"
    )
    assert text.endswith("\n")


def test_a_skip_is_refused_exactly_where_signoffs_are_asked() -> None:
    from micromoment.config import ChecklistPolicy, Config
    from micromoment.gate.coverage import skip_problem

    config = Config(checklists={"a": ChecklistPolicy(signoffs=1), "b": ChecklistPolicy(signoffs=0)})

    def problem(checklist_id: str) -> str | None:
        return skip_problem(checklist_id, config.policy(checklist_id).signoffs)

    assert problem("b") is None and problem("unnamed") is None
    assert problem("a") == (
        "a needs 1 approving sign-off(s) from someone other than its author (signoffs in "
        ".micromoment/config.yaml), and a skip carries none, so check would not count it; "
        "review it instead: micromoment review a"
    )
