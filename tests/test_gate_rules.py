"""The gate's trigger rules, pinned directly: which paths call for which checklist, what is a
record, what is policy, and the cached form of the rules that must round-trip exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micromoment.gate.policy import compile_patterns, pattern_needles, patterns_for
from micromoment.gate.rules import (
    FEW_PATHS,
    ChecklistRule,
    Rules,
    is_policy_path,
    normal_folder,
    rules_to_json,
    triggered,
    triggering_paths,
)


def rule(id: str, *patterns: str, signoffs: int = 0, needles: bool = True) -> ChecklistRule:
    """A rule as the cache holds it (with its needles), or as older callers build it (without)."""
    return ChecklistRule(
        id,
        id.title(),
        "1",
        f"sha256:{id}",
        compile_patterns(list(patterns)),
        signoffs,
        needles=pattern_needles(list(patterns)) if needles else None,
    )


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
    assert Rules([], written).reviews_dir == normal


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
    assert Rules([], "./records/").is_record_path(path) is is_record


def test_micromoments_own_files_and_records_never_trigger() -> None:
    paths = [
        ".micromoment/config.yaml",
        "records/a.yaml",
        "recordsx/a.yaml",
        ".micromoment",
        "src/.micromoment/x",
        "app.py",
    ]
    assert triggering_paths(Rules([], "records"), paths) == [
        "recordsx/a.yaml",
        ".micromoment",
        "src/.micromoment/x",
        "app.py",
    ]


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
    plain = ChecklistRule("a", "A", "1", "h", [])
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


def test_the_cached_form_is_written_with_sorted_keys() -> None:
    rule = ChecklistRule("a", "A", "1", "h", [("x", True)], 2, needles=["x"])
    text = rules_to_json(Rules([rule], "r", base_branch="b"))
    assert text == (
        '{"base_branch": "b", "checklists": [{"content_hash": "h", "id": "a", "items": [], "needles": ["x"], '
        '"patterns": [["x", true]], "signoffs": 2, "title": "A", "version": "1"}], "on_missing": "block", '
        '"policy_checklist": null, "require_signed_commits": false, "reviews_dir": "r"}'
    )


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


def test_a_rule_is_found_by_its_id() -> None:
    first, second = rule("a", "x"), rule("b", "y")
    gate = rules(first, second)
    assert gate.rule("b") is second
    assert gate.rule("a") is first
    assert gate.rule("c") is None


def test_config_replaces_extends_and_switches_off_patterns() -> None:
    from micromoment.config import Config

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
    assert patterns_for("a", own, config) == ["new/"]
    assert patterns_for("b", own, config) == ["own/", "*.prompt", "more/"]
    assert patterns_for("c", own, config) == []
    assert patterns_for("d", own, config) == ["only/"]
    assert patterns_for("unconfigured", own, config) == own


def test_compiled_patterns_keep_their_sense_and_drop_comments_and_blanks() -> None:
    compiled = compile_patterns(["# a comment", "", "prompts/", "!prompts/x"])
    assert [include for _, include in compiled] == [True, False]


# The cached form of the rules: what `as_dict` writes must come back exactly, and nothing else may.

slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
texts = st.text(max_size=20)


@st.composite
def checklist_rules(draw: st.DrawFn) -> ChecklistRule:
    patterns = draw(st.lists(st.tuples(texts, st.booleans()), max_size=4))
    includes = sum(1 for _, include in patterns if include)
    return ChecklistRule(
        id=draw(slugs),
        title=draw(texts),
        version=draw(texts),
        content_hash=draw(texts),
        patterns=patterns,
        signoffs=draw(st.integers(min_value=0, max_value=5)),
        needles=draw(st.none() | st.lists(texts, min_size=includes, max_size=includes)),
    )


all_rules = st.builds(
    Rules,
    checklists=st.lists(checklist_rules(), max_size=4),
    reviews_dir=st.lists(slugs, min_size=1, max_size=3).map("/".join),
    on_missing=st.sampled_from(["block", "warn"]),
    policy_checklist=st.none() | slugs,
    require_signed_commits=st.booleans(),
    base_branch=st.none() | texts,
)


def cached(gate: Rules) -> Any:
    return json.loads(rules_to_json(gate))


@given(all_rules)
def test_the_cached_form_round_trips(gate: Rules) -> None:
    back = Rules.from_dict(cached(gate))
    assert back is not None
    assert rules_to_json(back) == rules_to_json(gate)
    assert [(c.id, c.patterns, c.signoffs, c.needles) for c in back.checklists] == [
        (c.id, c.patterns, c.signoffs, c.needles) for c in gate.checklists
    ]


@given(all_rules, st.data())
def test_a_cached_form_missing_any_key_is_rebuilt(gate: Rules, data: st.DataObject) -> None:
    raw = cached(gate)
    del raw[data.draw(st.sampled_from(sorted(raw)))]
    assert Rules.from_dict(raw) is None


@given(all_rules.filter(lambda g: bool(g.checklists)), st.data())
def test_a_cached_checklist_missing_or_adding_a_key_is_rebuilt(gate: Rules, data: st.DataObject) -> None:
    raw = cached(gate)
    entry = raw["checklists"][data.draw(st.integers(0, len(raw["checklists"]) - 1))]
    if data.draw(st.booleans()):
        del entry[data.draw(st.sampled_from(sorted(entry)))]
    else:
        entry["extra"] = 1
    assert Rules.from_dict(raw) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda raw: raw.update(extra=True),
        lambda raw: raw.update(reviews_dir="./records/"),
        lambda raw: raw.update(require_signed_commits="yes"),
        lambda raw: raw.update(on_missing=1),
        lambda raw: raw.update(base_branch=2),
        lambda raw: raw["checklists"][0].update(title=3),
        lambda raw: raw["checklists"][0].update(signoffs="1"),
        lambda raw: raw["checklists"][0].update(patterns=[["x"]]),
        lambda raw: raw["checklists"][0].update(patterns=[[1, True]]),
        # A needle too few would turn paths away that the missing one's pattern matches.
        lambda raw: raw["checklists"][0].update(needles=[]),
        lambda raw: raw["checklists"][0].update(needles=["x", "y"]),
        lambda raw: raw["checklists"][0].update(needles=[1]),
        lambda raw: raw["checklists"][0].update(needles="x"),
        lambda raw: raw.update(checklists=None),
    ],
)
def test_a_cached_form_with_a_wrong_value_is_rebuilt(change: Any) -> None:
    raw = cached(rules(rule("a", "x/"), reviews_dir="records"))
    assert Rules.from_dict(raw) is not None
    change(raw)
    assert Rules.from_dict(raw) is None


@pytest.mark.parametrize("raw", [None, [], "rules", 4, {}])
def test_anything_but_a_cached_form_is_rebuilt(raw: Any) -> None:
    assert Rules.from_dict(raw) is None


_SEGMENTS = st.sampled_from(["prompts", "data", "src", "a.csv", "x.prompt", "keep", "b.txt", "eval", "deep"])
_PATTERNS = st.sampled_from(
    ["prompts/", "*.csv", "!keep/*.csv", "**/*.prompt", "data/**", "!data/keep", "eval/*.txt", "src/deep/"]
)


@given(
    st.lists(st.lists(_PATTERNS, min_size=1, max_size=4), min_size=1, max_size=3),
    st.lists(st.lists(_SEGMENTS, min_size=1, max_size=4).map("/".join), max_size=12),
)
def test_the_one_search_before_the_rules_drops_no_path_a_rule_wants(
    pattern_sets: list[list[str]], paths: list[str]
) -> None:
    """`triggered` first drops paths that no include pattern of any rule matches: the verdicts
    are exactly those of asking every rule about every path."""
    gate = rules(*(rule(f"c{n}", *patterns) for n, patterns in enumerate(pattern_sets)))
    expected = {
        r.id: hits
        for r in gate.checklists
        if (hits := [p for p in triggering_paths(gate, paths) if r.matches(p)])
    }
    assert triggered(gate, paths) == expected


@pytest.mark.parametrize("needles", [True, False], ids=["with-needles", "without"])
def test_a_few_paths_and_many_are_sifted_alike(needles: bool) -> None:
    """Up to FEW_PATHS paths each rule's needles sift them; past it one combined regex does.
    Either way a path is judged by its rule's own patterns, so the verdicts are the same."""
    gate = rules(
        rule("data", "**/*.csv", "!fixtures/**", needles=needles),
        rule("prompts", "prompts/", "[Pp]rompt*.md", needles=needles),
        rule("team-review", needles=needles),  # no patterns: it wants no path
    )
    wanted = ["data/users.csv", "fixtures/a.csv", "prompts/a.txt", "Prompts.md", "src/app.py"]
    few = wanted + [f"src/m{n}.py" for n in range(FEW_PATHS - len(wanted))]
    many = [*few, "src/one-more.py"]
    assert (len(few), len(many)) == (FEW_PATHS, FEW_PATHS + 1)
    expected = {"data": ["data/users.csv"], "prompts": ["prompts/a.txt", "Prompts.md"]}
    assert triggered(gate, few) == triggered(gate, many) == expected


def test_the_needle_search_finds_any_needle_or_stands_aside() -> None:
    from micromoment.gate.rules import _any_needle

    search = _any_needle(rules(rule("a", "**/*.csv", "evals/"), rule("b", "prompts/"), rule("none")))
    assert search is not None
    assert [bool(search.search(p)) for p in ("x/a.csv", "src/evals/x", "prompts", "src/app.py", "csv")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    # A pattern with no plain text (`*`) or a rule built without needles: no search, every path goes on.
    assert _any_needle(rules(rule("a", "**/*.csv"), rule("b", "*"))) is None
    assert _any_needle(rules(rule("a", "**/*.csv"), rule("b", "x/", needles=False))) is None
    assert _any_needle(rules(rule("none"))) is None


@pytest.mark.parametrize("needles", [True, False], ids=["with-needles", "without"])
def test_rules_with_no_include_pattern_want_no_path_however_many(needles: bool) -> None:
    gate = rules(rule("team-review", needles=needles), rule("off", "!everything/", needles=needles))
    for count in (1, FEW_PATHS + 1):
        assert triggered(gate, [f"src/m{n}.py" for n in range(count)]) == {}
