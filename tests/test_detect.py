"""Content triggers: the detectors against the labelled corpus, and through the real hook, check,
PR note, scan and init, in real repositories."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Cli, git, run_hook, write
from micromoment.detect.match import Detectors, findings_in_diff
from micromoment.detect.table import builtin_ids, detection_table, regex_problem

CORPUS = Path(__file__).parent / "detect" / "corpus.yaml"
DOCS = Path(__file__).parent.parent / "docs" / "detection.md"

APP = """from openai import OpenAI

client = OpenAI()


def answer(question):
    # One call per question; the support prompt lives in prompts/support.txt.
    with open("prompts/support.txt") as handle:
        prompt = handle.read()
    messages = [{"role": "user", "content": prompt + question}]
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages,
    )
    return response.choices[0].message.content
"""


def commit_all(repo: Path, message: str = "work") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def app(repo: Path) -> Path:
    """The small app of the issue: a prompt file and a model call in app.py, committed on main."""
    write(repo / "prompts/support.txt", "You are a helpful support agent.\n")
    write(repo / "app.py", APP)
    commit_all(repo, "start")
    return repo


def switch_model(repo: Path) -> None:
    write(repo / "app.py", APP.replace('model="gpt-4o-mini"', 'model="gpt-4.1"'))
    git(repo, "add", "-A")


MODEL_SWITCH = "app.py:12: model name changed: gpt-4o-mini -> gpt-4.1 (model-name)"


# --- the corpus ---------------------------------------------------------------------------


def corpus_patch(case: dict[str, Any]) -> str:
    lines = {
        key: [line for line in (case.get(key) or "").split("\n") if line]
        for key in ("context", "before", "after")
    }
    body = (
        [" " + x for x in lines["context"]]
        + ["-" + x for x in lines["before"]]
        + ["+" + x for x in lines["after"]]
    )
    old, new = len(lines["context"]) + len(lines["before"]), len(lines["context"]) + len(lines["after"])
    name = case["file"]
    return (
        f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n@@ -10,{old} +10,{new} @@\n"
        + "\n".join(body)
        + "\n"
    )


def found_by_gate(detectors: Detectors, case: dict[str, Any]) -> set[str]:
    """The detectors that find the case as the gate reads it: files in no known language, and
    vendored or generated ones, are never read."""
    languages, skipped = detectors.sorted_out([case["file"]])
    if case["file"] not in languages or skipped:
        return set()
    return {finding.detector for finding in findings_in_diff(detectors, corpus_patch(case))[0]}


def test_the_corpus_measures_as_docs_detection_md_says() -> None:
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    detectors = Detectors(detection_table({}, set(builtin_ids())) or {})
    positives, negatives = corpus["should_trigger"], corpus["should_not_trigger"]
    assert len(positives) >= 80 and len(negatives) >= 50
    languages = {detectors.language(case["file"]) for case in positives}
    assert languages == {"python", "javascript", "go", "java", "config"}
    misses = [c for c in positives if c["expect"] not in found_by_gate(detectors, c)]
    alarms = [c for c in negatives if found_by_gate(detectors, c)]
    detected = len(positives) - len(misses)
    assert detected / len(positives) >= 0.95
    assert len(alarms) / len(negatives) <= 0.05
    docs = DOCS.read_text(encoding="utf-8")
    measured = (
        f"{detected} of {len(positives)} detected ({100 * detected / len(positives):.1f}%); "
        f"{len(alarms)} false alarms in {len(negatives)} look-alikes ({100 * len(alarms) / len(negatives):.1f}%)"
    )
    assert measured in docs, measured
    for case in misses + alarms:
        assert f"`{case['file']}`: `{case['after']}`" in docs, case


def test_no_built_in_pattern_can_take_exponential_time() -> None:
    table = detection_table({}, set(builtin_ids())) or {}
    for spec in table["detectors"].values():
        for _, pattern, source, _ in spec["patterns"]:
            problem = regex_problem(pattern)  # the length limit is for a team's one-line patterns
            assert source and (problem is None or "characters long" in problem), pattern
    assert "repeats a group" in (regex_problem(r"(a+)+$") or "")


def test_matching_a_long_hostile_line_stays_linear() -> None:
    detectors = Detectors(detection_table({}, set(builtin_ids())) or {})
    hostile = '"' + "gpt-" * 50_000 + " temperature=" + "(" * 50_000
    patch = f"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,0 +1,1 @@\n+{hostile}\n"
    findings, _ = findings_in_diff(detectors, patch)  # returns at once; a backtracking blow-up would not
    assert findings == []


# --- through the real hook, check and the PR note --------------------------------------------


def test_the_model_switch_stops_the_commit_naming_its_line(app: Path) -> None:
    switch_model(app)
    done = run_hook(app)
    assert done.returncode == 1
    assert "  genai-output-review (GenAI output review), for app.py\n" in done.stderr
    assert f"    why: {MODEL_SWITCH}\n" in done.stderr


def test_check_base_names_the_line_in_text_json_and_the_pr_note(cli: Cli, app: Path) -> None:
    git(app, "switch", "-q", "-c", "feature")
    switch_model(app)
    commit_all(app, "a newer model")
    text = cli("check", "--base", "main")
    assert text.exit_code == 1
    assert f"  triggered by: app.py\n  why: {MODEL_SWITCH}\n" in text.stdout
    verdict = json.loads(cli("check", "--base", "main", "--json").stdout)["checklists"][0]
    assert verdict["checklist"] == "genai-output-review"
    assert verdict["reasons"] == [
        {
            "path": "app.py",
            "line": 12,
            "detector": "model-name",
            "found": "model name changed: gpt-4o-mini -> gpt-4.1",
            "reason": MODEL_SWITCH,
        }
    ]
    note = cli("pr-note", "--base", "main").stdout
    assert "\nWhy:\n" in note and "GenAI output review: app.py:12: model name changed:" in note


def test_a_typescript_file_adding_new_openai(cli: Cli, app: Path) -> None:
    write(app / "web/src/ai.ts", 'import OpenAI from "openai";\n\nconst openai = new OpenAI();\n')
    git(app, "add", "-A")
    verdict = json.loads(cli("check", "--json").stdout)["checklists"][0]
    assert [r["reason"] for r in verdict["reasons"]] == [
        'web/src/ai.ts:1: model SDK: from "openai" (model-call)',
        "web/src/ai.ts:3: model SDK: new OpenAI( (model-call)",
    ]


def test_a_yaml_config_changing_temperature(cli: Cli, repo: Path) -> None:
    write(repo / "config/app.yaml", "llm:\n  model: gpt-4o-mini\n  temperature: 0.2\nport: 8080\n")
    commit_all(repo, "start")
    write(repo / "config/app.yaml", "llm:\n  model: gpt-4o-mini\n  temperature: 0.7\nport: 8080\n")
    git(repo, "add", "-A")
    result = cli("check")
    assert result.exit_code == 1
    assert "  why: config/app.yaml:3: generation setting: temperature: 0.7 (settings)\n" in result.stdout


def test_look_alikes_trigger_nothing(cli: Cli, repo: Path) -> None:
    write(repo / "README.md", "# shop\n")
    commit_all(repo, "start")
    write(
        repo / "weather.py",
        'def today(reading):\n    temperature = reading["temp_c"]\n    return temperature\n',
    )
    write(repo / "shop/models.py", "class Order(models.Model):\n    max_tokens = 3\n")
    write(repo / "docs/whats-new.md", "- The summariser now uses gpt-4o with temperature 0.2.\n")
    write(repo / "team.py", "# Thanks to Claude for the review.\n")
    write(repo / "vendor/openai/client.py", "client = OpenAI()\n")
    git(repo, "add", "-A")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Nothing in the staged change calls for a checklist.\n"
        "not read for generative AI: vendor/openai/client.py (vendored)\n"
    )


def test_a_detector_switched_off_on_the_base_does_not_apply_when_the_branch_turns_it_on(
    cli: Cli, app: Path
) -> None:
    write(app / ".micromoment/config.yaml", "detectors:\n  model-name: {enabled: false}\n")
    commit_all(app, "no model-name detector")
    git(app, "switch", "-q", "-c", "feature")
    write(app / ".micromoment/config.yaml", "detectors:\n  model-name: {enabled: true}\n")
    switch_model(app)
    commit_all(app, "model switch, and the detector back on")
    verdicts = json.loads(cli("check", "--base", "main", "--json").stdout)["checklists"]
    # Only the policy change itself calls for a checklist: the base's rules do not see the model.
    assert [(v["checklist"], v["paths"], v["reasons"]) for v in verdicts] == [
        ("team-review", [".micromoment/config.yaml"], [])
    ]


def test_a_teams_own_detector_and_bad_patterns(cli: Cli, app: Path) -> None:
    write(
        app / ".micromoment/config.yaml",
        "checklists:\n  genai-output-review:\n    applies_when: [gateway]\n"
        "detectors:\n  gateway: {description: our model gateway, patterns: ['acme_llm\\.complete\\(']}\n",
    )
    commit_all(app, "our gateway")
    write(app / "svc.py", "reply = acme_llm.complete(prompt)\n")
    switch_model(app)  # model-name is not among the detectors the config names now
    verdict = json.loads(cli("check", "--json").stdout)["checklists"][0]
    assert [r["reason"] for r in verdict["reasons"]] == [
        "svc.py:1: our model gateway: acme_llm.complete( (gateway)"
    ]
    write(app / ".micromoment/config.yaml", "detectors:\n  model-name: {patterns: ['(a+)+b']}\n")
    lint = cli("lint")
    assert lint.exit_code == 2
    assert "repeats a group that holds a repetition" in lint.stdout
    write(app / ".micromoment/config.yaml", "checklists:\n  quick: {applies_when: [no-such]}\n")
    assert "no detector 'no-such'; use one of model-call, model-name" in cli("lint").stdout
    # A team's own checklist naming a detector nobody defines is named too, by its file.
    write(app / ".micromoment/config.yaml", "version: 1\n")
    mini = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    write(app / ".micromoment/checklists/mini.yaml", mini + "applies_when: [no-such]\n")
    done = cli("check")
    assert done.exit_code == 2
    assert ".micromoment/checklists/mini.yaml: applies_when: no detector 'no-such'" in done.stderr


# --- scan and init --scan --------------------------------------------------------------------


def test_scan_lists_places_masks_secrets_and_proposes_patterns(cli: Cli, app: Path) -> None:
    write(
        app / "keys.py",
        'import anthropic\nclient = anthropic.Anthropic(api_key="sk-ant-api03-' + "x7Kq" * 20 + '")\n',
    )
    write(app / "node_modules/openai/index.js", "const openai = new OpenAI();\n")
    result = cli("scan")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "app.py\n"
        "  1: model-call: from openai import OpenAI\n"
        "  3: model-call: client = OpenAI()\n"
        "  11: model-call: response = client.chat.completions.create(\n"
        '  12: model-name: model="gpt-4o-mini",\n'
        "keys.py\n"
        "  1: model-call: import anthropic\n"
        '  2: model-call: client = anthropic.Anthropic(api_key="[redacted '
    )
    assert "sk-ant" not in result.stdout
    assert result.stdout.endswith(
        "not read: node_modules/openai/index.js (vendored)\n"
        "proposed for genai-output-review (also_applies_to in .micromoment/config.yaml):\n"
        "  - /app.py\n"
        "  - /keys.py\n"
    )
    data = json.loads(cli("scan", "app.py", "--json").stdout)
    assert data["also_applies_to"] == ["/app.py"] and data["not_read"] == {}
    assert data["files"][0]["findings"][3] == {
        "line": 12,
        "detector": "model-name",
        "found": "model name: gpt-4o-mini",
        "excerpt": 'model="gpt-4o-mini",',
    }


def test_init_writes_the_scans_proposal_and_it_covers_the_files(cli: Cli, app: Path) -> None:
    result = cli("init", "--scan")
    assert result.exit_code == 0, result.output
    config = (app / ".micromoment/config.yaml").read_text(encoding="utf-8")
    assert '    also_applies_to: ["/app.py"]' in config
    assert cli("lint").exit_code == 0
    commit_all(app, "micromoment set up")
    # A change no detector sees (the comment above the call) is now called for by the path.
    write(app / "app.py", APP.replace("One call per question", "One call for each question"))
    git(app, "add", "-A")
    verdict = json.loads(cli("check", "--json").stdout)["checklists"][0]
    assert (verdict["checklist"], verdict["paths"], verdict["reasons"]) == (
        "genai-output-review",
        ["app.py"],
        [],
    )
    assert "proposed for" not in cli("scan").stdout


def test_scan_help_is_complete(cli: Cli) -> None:
    text = cli("scan", "--help").stdout
    for words in ("PATH", "--json", "masked", "also_applies_to", "init --scan"):
        assert words in text


def test_a_file_too_large_or_binary_is_said_not_to_be_read(cli: Cli, app: Path) -> None:
    write(app / "big.py", "import openai\n" + "x = 1\n" * 200_000)
    write(app / "plain_big.py", "x = 1\n" * 200_000)  # no keyword: nothing to read it for
    (app / "blob.py").write_bytes(b"\0openai" * 10)
    git(app, "add", "-A")
    result = cli("check")
    assert re.search(
        r"not read for generative AI: (big\.py \(too large\), blob\.py \(binary\)|blob\.py \(binary\), big\.py \(too large\))",
        result.stdout,
    ), result.stdout
    assert subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=app).returncode == 1


def test_files_with_the_same_content_are_each_named(cli: Cli, app: Path) -> None:
    # git reads one diff for files alike before and after; each copy is still named, with its
    # own line, and a copy that was edited from other content has its own diff.
    client = "from openai import OpenAI\n\nclient = OpenAI()\n"
    write(app / "edited/client.py", "# the client comes later\n")
    commit_all(app, "a placeholder")
    for path in ("one/client.py", "two/client.py", "edited/client.py"):
        write(app / path, client)
    for path in ("one/blob.py", "two/blob.py"):
        (app / path).write_bytes(b"\0openai" * 10)
    git(app, "add", "-A")
    result = cli("check", "--json")
    verdict = json.loads(result.stdout)["checklists"][0]
    assert [r["reason"] for r in verdict["reasons"]] == [
        f"{folder}/client.py:{line}: model SDK: {found} (model-call)"
        for folder in ("edited", "one", "two")
        for line, found in ((1, "from openai"), (3, "OpenAI("))
    ]
    assert "not read for generative AI: one/blob.py (binary), two/blob.py (binary)" in cli("check").stdout


def test_the_same_content_in_another_language_is_read_as_that_language(cli: Cli, repo: Path) -> None:
    settings = "llm:\n  model: gpt-4o-mini\n  temperature: 0.7\n"
    write(repo / "app.go", settings)  # not Go: nothing there for the detectors
    write(repo / "app.yaml", settings)
    git(repo, "add", "-A")
    assert "  why: app.yaml:3: generation setting: temperature: 0.7 (settings)\n" in cli("check").stdout


def test_generated_and_vendored_files_are_known_by_their_ending_or_folder(cli: Cli, repo: Path) -> None:
    write(repo / "README.md", "# shop\n")
    commit_all(repo, "start")
    client = "from openai import OpenAI\nclient = OpenAI()\n"
    for path in ("api/chat_pb2.py", "web/__generated__/client.py", "lib/node_modules/x/index.py"):
        write(repo / path, client)
    write(repo / "src/vendors.py", client)  # a name holding "vendor" is no vendored folder
    write(repo / "api/chat_pb2.py.bak.py", client)  # the ending is the file's own, not a part of it
    git(repo, "add", "-A")
    result = cli("check")
    assert result.stdout.splitlines()[-1] == (
        "not read for generative AI: api/chat_pb2.py (generated), lib/node_modules/x/index.py (vendored), "
        "web/__generated__/client.py (generated)"
    )
    assert "why: src/vendors.py:1:" in result.stdout and "why: api/chat_pb2.py.bak.py:1:" in result.stdout
