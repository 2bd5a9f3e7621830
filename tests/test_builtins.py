"""The five built-in checklists: valid, complete, and triggered by the paths teams expect."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pathspec
import pytest

from micromoment.checklists import Checklist, checklist_files, load_checklist
from micromoment.detect.table import builtin_ids
from micromoment.locations import shipped_dir
from micromoment.schemas import SchemaName, json_schema
from micromoment.yamlio import read_yaml

BUILTIN_IDS = {"quick", "data-safeguards", "team-review", "genai-output-review", "launch-readiness"}
KNOWN_FRAMEWORKS = {"nist-ai-rmf", "nist-ai-600-1", "owasp-llm", "eu-ai-act", "iso-42001", "mitre-atlas"}
FILES = checklist_files(shipped_dir("checklists"))


def builtins() -> dict[str, Checklist]:
    return {path.stem: load_checklist(path) for path in FILES}


def test_exactly_the_five_builtins_ship_and_ids_match_file_names() -> None:
    loaded = builtins()
    assert set(loaded) == BUILTIN_IDS
    assert all(stem == checklist.id for stem, checklist in loaded.items())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_item_is_complete(path: Path) -> None:
    checklist = load_checklist(path)
    assert checklist.description.strip()
    for item in checklist.items:
        assert len(item.guidance.strip()) > 40, item.id
        assert item.owner and item.minutes > 0, item.id
        assert item.references, f"{item.id} has no reference"
        assert {ref.framework for ref in item.references} <= KNOWN_FRAMEWORKS, item.id


def test_the_builtins_name_only_builtin_detectors() -> None:
    """The config checks the detectors a team's checklists name; the built-ins are not read for it."""
    named = {detector for checklist in builtins().values() for detector in checklist.applies_when}
    assert named and named <= set(builtin_ids())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_points_editors_at_the_schema_and_matches_it(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=checklist.schema.json\n"
    )
    jsonschema.validate(read_yaml(path).data, json_schema(SchemaName.checklist))


def test_the_published_schema_file_is_current() -> None:
    published = json.loads((shipped_dir("checklists") / "checklist.schema.json").read_text(encoding="utf-8"))
    assert published == json_schema(SchemaName.checklist), (
        "regenerate: micromoment schema checklist > checklists/checklist.schema.json"
    )


def test_quick_is_a_two_minute_check() -> None:
    quick = builtins()["quick"]
    assert 3 <= len(quick.items) <= 5
    assert 1.5 <= quick.minutes <= 3


def test_follow_ups_hang_on_earlier_answers() -> None:
    loaded = builtins()
    assert any(item.ask_if for item in loaded["data-safeguards"].items)
    assert any(item.ask_if for item in loaded["quick"].items)


def matches(checklist: Checklist, path: str) -> bool:
    return pathspec.GitIgnoreSpec.from_lines(checklist.applies_to).match_file(path)


@pytest.mark.parametrize(
    ("checklist_id", "path"),
    [
        ("genai-output-review", "prompts/support-agent.txt"),
        ("genai-output-review", "services/chat/prompts/system.md"),
        ("genai-output-review", "assistant.prompt.md"),
        ("genai-output-review", "evals/refunds.jsonl"),
        ("genai-output-review", "config/model_config.yaml"),
        ("data-safeguards", "db/migrations/0042_add_notes.sql"),
        ("data-safeguards", "data/customers.csv"),
        ("data-safeguards", "api/schemas/user.schema.json"),
        ("data-safeguards", "src/search/vector_store.py"),
        ("launch-readiness", "CHANGELOG.md"),
        ("launch-readiness", ".goreleaser.yaml"),
    ],
)
def test_default_triggers(checklist_id: str, path: str) -> None:
    assert matches(builtins()[checklist_id], path)


@pytest.mark.parametrize("path", ["README.md", "src/app/main.py", "tests/test_x.py", "docs/guide.md"])
def test_ordinary_code_triggers_nothing(path: str) -> None:
    assert not [c.id for c in builtins().values() if c.applies_to and matches(c, path)]
