"""The gate's trigger rules, pinned directly: which paths call for which checklist, what is a
record, what is policy, and that the policy read once is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromoment.config import Config
from micromoment.errors import FileProblems
from micromoment.gate.policy import _build_at, _remembered
from micromoment.gate.rules import (
    POLICY_FILE,
    ChecklistRule,
    Rules,
    compile_patterns,
    is_policy_path,
    normal_folder,
    rules_from_policy,
    triggered,
)
from micromoment.locations import shipped_folder
from micromoment.records.listing import is_record_path


def rule(id: str, *patterns: str, signoffs: int = 0) -> ChecklistRule:
    return ChecklistRule(id, list(patterns), signoffs, id.title(), "1", f"sha256:{id}")


def rules(
    *checklists: ChecklistRule, reviews_dir: str = ".micromoment/reviews", policy: str | None = None
) -> Rules:
    return Rules(list(checklists), reviews_dir, policy_checklist=policy)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("./x/", "x"),
        ("x", "x"),
        ("./a/./b//", "a/b"),
        ("a\\b", "a/b"),
        (".micromoment/reviews", ".micromoment/reviews"),
        ("", ""),
    ],
)
def test_a_folder_is_named_as_git_names_it(written: str, normal: str) -> None:
    assert normal_folder(written) == normal


@pytest.mark.parametrize(
    ("path", "is_policy"),
    [
        (".micromoment/config.yaml", True),
        (".micromoment/checklists/mine.yaml", True),
        (".micromoment/checklists/", True),
        (".micromoment/config.yml", False),
        (".micromoment/checklistsx.yaml", False),
        (".micromoment/reviews/a.yaml", False),
        ("app/.micromoment/config.yaml", False),
    ],
)
def test_what_counts_as_policy(path: str, is_policy: bool) -> None:
    assert is_policy_path(path) is is_policy


@pytest.mark.parametrize(
    ("path", "is_record"),
    [
        ("records/2026-11-22-quick-ab12.yaml", True),
        ("records/a.yml", True),
        ("records/a.md", False),
        ("records/sub/a.yaml", False),
        ("recordsa.yaml", False),
        ("other/records/a.yaml", False),
        ("records.yaml", False),
    ],
)
def test_what_counts_as_a_record_path(path: str, is_record: bool) -> None:
    assert is_record_path(path, normal_folder("./records/")) is is_record


def test_micromoments_own_files_and_records_never_trigger() -> None:
    paths = [
        ".micromoment/config.yaml",
        "records/a.yaml",
        "recordsx/a.yaml",
        ".micromoment",
        "src/.micromoment/x",
        "app.py",
    ]
    assert triggered(rules(rule("all", "*"), reviews_dir="records"), paths) == {
        "all": ["recordsx/a.yaml", ".micromoment", "src/.micromoment/x", "app.py"]
    }


def test_triggered_lists_each_checklist_with_its_paths_in_the_rules_order() -> None:
    gate = rules(
        rule("prompts", "prompts/", "*.prompt"), rule("data", "db/**/*.sql"), rule("never", "nothing/")
    )
    paths = ["db/m/1.sql", "prompts/a.txt", "x.prompt", "src/app.py", "db/readme.md"]
    found = triggered(gate, paths)
    assert found == {"prompts": ["prompts/a.txt", "x.prompt"], "data": ["db/m/1.sql"]}
    assert list(found) == ["prompts", "data"]


def test_an_exclude_pattern_takes_a_path_back_and_a_later_include_gives_it_again() -> None:
    gate = rules(rule("prompts", "prompts/", "!prompts/*.md", "prompts/keep.md"))
    paths = ["prompts/a.txt", "prompts/notes.md", "prompts/keep.md", "prompts/sub/deep.md"]
    assert triggered(gate, paths) == {"prompts": ["prompts/a.txt", "prompts/keep.md", "prompts/sub/deep.md"]}
    only_excludes = rules(rule("none", "!prompts/"))
    assert triggered(only_excludes, paths) == {}


def test_a_match_on_the_path_itself_beats_one_through_its_folder() -> None:
    # "docs/" matches docs/x.md through its folder; "!*.md" matches the file itself, so it wins.
    assert rule("docs", "docs/", "!*.md").matches("docs/x.md") is False
    assert rule("docs", "docs/", "!*.md").matches("docs/x.txt") is True
    # The other way round: the file's own include beats the folder's exclude.
    assert rule("docs", "*.md", "!docs/").matches("docs/x.md") is True
    assert rule("docs", "*.md", "!docs/").matches("docs/x.txt") is False
    assert rule("empty").matches("anything") is False
    # Two matches through the folder only: the later pattern wins, as in .gitignore.
    assert rule("docs", "docs/", "!docs/").matches("docs/x.md") is False
    assert rule("docs", "!docs/", "docs/").matches("docs/x.md") is True


def test_the_defaults_of_a_rule_and_of_the_rules() -> None:
    plain = ChecklistRule("a", [])
    assert plain.signoffs == 0
    gate = Rules([plain], "records")
    assert (gate.on_missing, gate.policy_checklist, gate.require_signed_commits, gate.base_branch) == (
        "block",
        None,
        False,
        None,
    )
    assert Rules([], "records", base_branch="trunk").base_branch == "trunk"
    assert triggered(rules(rule("team-review"), policy="team-review"), [".micromoment/config.yaml"]) == {}


def test_a_policy_change_calls_for_the_policy_checklist_with_the_policy_paths() -> None:
    gate = rules(rule("team-review"), rule("prompts", "prompts/"), policy="team-review")
    paths = ["prompts/a.txt", ".micromoment/config.yaml", ".micromoment/checklists/x.yaml", "records/r.yaml"]
    assert triggered(gate, paths, policy_changed=True) == {
        "team-review": [".micromoment/config.yaml", ".micromoment/checklists/x.yaml"],
        "prompts": ["prompts/a.txt"],
    }
    assert triggered(gate, paths, policy_changed=False) == {"prompts": ["prompts/a.txt"]}
    other = rules(rule("team-review", "*.txt"), policy="team-review")
    assert triggered(other, paths, policy_changed=True) == {
        "team-review": ["prompts/a.txt", ".micromoment/config.yaml", ".micromoment/checklists/x.yaml"]
    }
    assert triggered(rules(rule("team-review"), policy=None), paths, policy_changed=True) == {}


def test_config_replaces_extends_and_switches_off_patterns() -> None:
    config = Config.model_validate(
        {
            "checklists": {
                "a": {"applies_to": ["new/"]},
                "b": {"also_applies_to": ["more/"]},
                "c": {"enabled": False, "also_applies_to": ["more/"]},
                "d": {"applies_to": [], "also_applies_to": ["only/"]},
            }
        }
    )
    own = ["own/", "*.prompt"]
    gate = rules_from_policy(dict.fromkeys(["a", "b", "c", "d", "unconfigured"], own), config)
    assert {r.id: r.lines for r in gate.checklists} == {
        "a": ["new/"],
        "b": ["own/", "*.prompt", "more/"],
        "d": ["only/"],  # c is switched off: it wants no path, so it is left out
        "unconfigured": own,
    }


def test_compiled_patterns_keep_their_sense_and_drop_comments_and_blanks() -> None:
    compiled = compile_patterns(["# a comment", "", "prompts/", "!prompts/x"])
    assert [include for _, include in compiled] == [True, False]


def test_rules_with_no_include_pattern_want_no_path_however_many() -> None:
    gate = rules(rule("team-review"), rule("off", "!everything/"))
    for count in (1, 100):
        assert triggered(gate, [f"src/m{n}.py" for n in range(count)]) == {}


OWN_CHECKLIST = (
    (Path(shipped_folder("checklists")) / "quick.yaml").read_bytes().replace(b"id: quick", b"id: mine")
)
POLICY = {
    POLICY_FILE: b"""reviews_dir: ./records/
hook: {on_missing: warn}
base_branch: trunk
checklists:
  genai-output-review: {also_applies_to: ['notes/']}
  data-safeguards: {enabled: false}
  mine: {applies_to: ['src/**/*.py', '!src/vendor/*.py'], signoffs: 2}
""",
    ".micromoment/checklists/mine.yaml": OWN_CHECKLIST,
}
PATHS = ["src/app.py", "src/vendor/x.py", "notes/plan.txt", "prompts/a.txt", "db/migrations/1.sql", "x"]


def test_the_configured_rules_are_exactly_these() -> None:
    built = _build_at("policy", POLICY)
    assert triggered(built, PATHS) == {
        "genai-output-review": ["notes/plan.txt", "prompts/a.txt"],
        "mine": ["src/app.py"],
    }
    assert (built.reviews_dir, built.on_missing, built.base_branch) == ("records", "warn", "trunk")
    assert [(r.id, r.signoffs) for r in built.checklists if r.id == "mine"] == [("mine", 2)]


def test_a_policy_read_once_is_remembered_by_its_inputs_and_read_again_when_they_change(
    tmp_path: Path,
) -> None:
    git_dir = str(tmp_path / "git")
    reads: list[str] = []

    def remembered(text: bytes, inputs: str) -> Rules:
        def build() -> Rules:
            reads.append("read")
            return _build_at("policy", {POLICY_FILE: text})

        return _remembered(git_dir, [inputs], build)

    first = remembered(b"reviews_dir: notes/reviews\n", "config 1")
    again = remembered(b"reviews_dir: elsewhere\n", "config 1")
    assert reads == ["read"]  # the same inputs: the memo answers, no file is read
    assert again.reviews_dir == first.reviews_dir == "notes/reviews"
    assert again.checklists[0].items == first.checklists[0].items != []
    changed = remembered(b"reviews_dir: elsewhere\n", "config 2")
    assert reads == ["read", "read"] and changed.reviews_dir == "elsewhere"
    # A problem is never remembered: the policy is read again, and the problem named again.
    for _ in range(2):
        with pytest.raises(FileProblems):
            remembered(b"reviews_dir: [1]\n", "config 3")
    assert reads == ["read"] * 4
