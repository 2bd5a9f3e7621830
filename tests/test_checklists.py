"""Checklist models and loading: what is accepted, and exactly where problems are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from micromoment.checklists import Checklist, load_catalog, load_checklist
from micromoment.errors import FileProblems, UnknownChecklist
from micromoment.locations import find_project

VALID = """\
id: prompt-check
title: Prompt check
version: "1.0"
description: A small check.
applies_to: ["prompts/"]
items:
  - id: data-kind
    question: What data goes in?
    guidance: Look at one prompt.
    owner: product manager
    minutes: 0.5
    kind: choice
    options: [none, customer data]
    references:
      - {framework: owasp-llm, id: LLM02, version: "2025"}
  - id: data-masked
    question: Did you mask it?
    owner: product manager
    minutes: 1
    ask_if: {item: data-kind, is: customer data}
  - id: reviewer
    question: Who reviewed it?
    owner: team
    minutes: 2
    kind: text
    required: false
"""


def load_text(tmp_path: Path, text: str) -> Checklist:
    return load_checklist(write(tmp_path / "x.yaml", text))


def problems_for(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileProblems) as caught:
        load_text(tmp_path, text)
    return [str(p) for p in caught.value.problems]


def test_a_valid_checklist_loads_with_defaults(tmp_path: Path) -> None:
    checklist = load_text(tmp_path, VALID)
    assert [item.id for item in checklist.items] == ["data-kind", "data-masked", "reviewer"]
    masked = checklist.items[1]
    assert masked.kind == "confirm" and masked.required and masked.references == []
    assert masked.ask_if is not None and masked.ask_if.is_ == ["customer data"]
    assert checklist.minutes == 3.5
    assert checklist.items[0].answers() == ("none", "customer data")


def test_bare_yes_in_ask_if_means_the_answer(tmp_path: Path) -> None:
    text = VALID.replace("    kind: choice\n    options: [none, customer data]\n", "").replace(
        "is: customer data", "is: yes"
    )
    checklist = load_text(tmp_path, text)
    assert checklist.items[1].ask_if is not None and checklist.items[1].ask_if.is_ == ["yes"]


def test_field_errors_name_line_column_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        VALID.replace("    kind: text\n", "    kind: essay\n")
        .replace("minutes: 1\n", "minutes: 0\n")
        .replace("    required: false\n", "    required: false\n    colour: blue\n")
    )
    assert problems_for(tmp_path, text, monkeypatch) == [
        "x.yaml:19:14: items[1].minutes: must be greater than 0",
        "x.yaml:25:11: items[2].kind: must be one of confirm, choice, text",
        "x.yaml:27:5: items[2].colour: unknown field; remove it or check its spelling",
    ]


def test_missing_and_wrongly_typed_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = VALID.replace('version: "1.0"', "version: 1.0").replace("    owner: team\n", "")
    assert problems_for(tmp_path, text, monkeypatch) == [
        "x.yaml:3:10: version: must be text (put it in quotes if it looks like a number, date or yes/no)",
        "x.yaml:21:5: items[2].owner: is required but missing",
    ]


def test_choice_items_need_two_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for options in ("[only]", "[same, same]"):
        text = VALID.replace("options: [none, customer data]", f"options: {options}")
        assert problems_for(tmp_path, text, monkeypatch) == [
            "x.yaml:7:5: items[0]: a choice item needs at least two different options"
        ]


def test_slugs_and_owasp_years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = VALID.replace("- id: reviewer", "- id: Reviewer_1").replace('version: "2025"}', "}")
    assert problems_for(tmp_path, text, monkeypatch) == [
        "x.yaml:15:9: items[0].references[0]: an owasp-llm reference needs its edition year, "
        'e.g. version: "2025" (editions renumber the list)',
        "x.yaml:21:9: items[2].id: must be a slug: lowercase letters and digits joined by single hyphens, "
        "e.g. data-in-prompts",
    ]


def test_cross_item_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        VALID.replace("- id: reviewer", "- id: data-kind").replace(
            "ask_if: {item: data-kind, is: customer data}", "ask_if: {item: reviewer-x, is: 'no'}"
        )
        + "    ask_if: {item: data-masked, is: maybe}\n"
        + "  - id: late\n    question: Q?\n    owner: team\n    minutes: 1\n    ask_if: {item: later, is: 'yes'}\n"
        + "  - id: later\n    question: Q?\n    owner: team\n    minutes: 1\n"
    )
    assert problems_for(tmp_path, text, monkeypatch) == [
        "x.yaml:20:20: items[1].ask_if.item: 'reviewer-x' is not an item of this checklist; ask_if must name an earlier item",
        "x.yaml:21:9: items[2].id: duplicate item id 'data-kind' (also items[0]); ids must be unique",
        "x.yaml:27:37: items[2].ask_if.is: 'maybe' is not an answer of 'data-masked' (one of yes, no, na)",
        "x.yaml:32:20: items[3].ask_if.item: 'later' comes later; ask_if must name an earlier item",
    ]


def test_ask_if_cannot_hang_on_a_text_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        VALID
        + "  - id: after\n    question: Q?\n    owner: team\n    minutes: 1\n    ask_if: {item: reviewer, is: x}\n"
    )
    assert problems_for(tmp_path, text, monkeypatch) == [
        "x.yaml:31:20: items[3].ask_if.item: 'reviewer' is a text item; ask_if needs a confirm or choice item"
    ]


def test_options_only_on_choice_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = VALID.replace("    kind: text\n", "    kind: text\n    options: [a, b]\n")
    assert problems_for(tmp_path, text, monkeypatch) == [
        "x.yaml:21:5: items[2]: options are only for kind: choice (this item is kind: text)"
    ]


def test_a_checklist_needs_items_and_must_be_a_mapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert problems_for(tmp_path, "id: x\ntitle: X\nversion: '1'\nitems: []\n", monkeypatch) == [
        "x.yaml:4:8: items: must not be empty"
    ]
    assert problems_for(tmp_path, "- just\n- a list\n", monkeypatch) == [
        "x.yaml:1:1: must be a mapping with id, title, version and items"
    ]


def test_content_hash_is_stable_and_tracks_every_change(tmp_path: Path) -> None:
    first = load_text(tmp_path, VALID).content_hash()
    assert first == load_text(tmp_path, "# a comment changes nothing\n" + VALID).content_hash()
    assert first.startswith("sha256:") and len(first) == 7 + 64
    assert (
        first
        != load_text(tmp_path, VALID.replace("Look at one prompt.", "Look at two prompts.")).content_hash()
    )


def test_repo_checklists_add_to_and_replace_builtins(repo: Path) -> None:
    write(repo / ".micromoment/checklists/prompt-check.yaml", VALID)
    write(repo / ".micromoment/checklists/quick.yml", VALID.replace("id: prompt-check", "id: quick"))
    catalog = load_catalog(find_project())
    assert catalog.entry("prompt-check").source == "repo"
    quick = catalog.entry("quick")
    assert quick.source == "repo" and quick.replaces == "built-in"
    assert quick.checklist.title == "Prompt check"
    assert catalog.entry("team-review").source == "built-in"
    with pytest.raises(UnknownChecklist, match="no checklist with id 'nope'; available: data-safeguards"):
        catalog.entry("nope")


def test_a_builtin_is_named_by_its_file_and_read_when_used(repo: Path) -> None:
    # The catalog names each built-in by its file's stem without reading it: the two must agree.
    entries = list(load_catalog(find_project()))
    assert [entry.path.stem for entry in entries] == [entry.checklist.id for entry in entries]
    assert [entry.source for entry in entries] == ["built-in"] * 5


def test_two_repo_files_with_one_id_are_reported(repo: Path) -> None:
    write(repo / ".micromoment/checklists/a.yaml", VALID)
    write(repo / ".micromoment/checklists/b.yaml", VALID)
    with pytest.raises(FileProblems) as caught:
        load_catalog(find_project())
    assert [str(p) for p in caught.value.problems] == [
        ".micromoment/checklists/b.yaml:1:5: id: 'prompt-check' is also defined in "
        ".micromoment/checklists/a.yaml; give one of them another id"
    ]
