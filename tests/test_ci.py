"""micromoment in CI: the GitHub Action run step by step as a runner would, the GitLab component, the
annotations, SARIF and Code Quality files, the step outputs, and the fork-safe recipe."""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import FIXTURES, Cli, building_template, copy_repo, git, write
from micromoment import __version__
from micromoment.forge.note import MARKER
from micromoment.records.markdown import ZERO_WIDTH

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
COMPONENT = ROOT / "templates/micromoment/template.yml"
EXAMPLES = ROOT / "examples"
FORGE = Path(__file__).resolve().parent / "fake_forge.py"


def vendored_schema(name: str) -> dict[str, Any]:
    """A schema check-jsonschema ships (GitHub's from SchemaStore, GitLab's from GitLab)."""
    folder = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((folder / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def problems(schema: dict[str, Any], data: object) -> list[str]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def load(path: Path) -> Any:
    """YAML as GitHub and GitLab read it (1.2: `on:` is a key, not true), as check-jsonschema does."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


# --- The files, against the published schemas ---------------------------------------------------


def test_the_action_is_valid_and_checks_nothing_it_does_not_need() -> None:
    schema = vendored_schema("github-actions.json")
    action = load(ACTION)
    assert problems(schema, action) == []
    assert problems(schema, {**action, "runs": {"using": "composite", "steps": [{"run": "x"}]}}), (
        "the schema catches a run step without a shell"
    )
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "base",
        "note",
        "python-version",
        "version",
        "annotations",
        "sarif",
        "token",
    }
    assert set(action["outputs"]) == {"triggered", "covered", "missing", "skipped", "invalid", "verdict"}
    # No input is spliced into a script, where a crafted value would run as code: they go through env.
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


@pytest.mark.parametrize("path", sorted((EXAMPLES / "github").glob("*.yml")), ids=lambda p: p.name)
def test_the_github_workflows_are_valid(path: Path) -> None:
    assert problems(vendored_schema("github-workflows.json"), load(path)) == []


def test_the_gitlab_component_is_valid_and_in_gitlab_s_layout() -> None:
    schema = vendored_schema("gitlab-ci.json")
    from ruamel.yaml import YAML

    header, jobs = YAML(typ="safe", pure=True).load_all(COMPONENT.read_text(encoding="utf-8"))
    assert problems(schema, header) == [] and problems(schema, jobs) == []
    assert problems(schema, {"spec": {"inputs": {"stage": {"default": 1, "kind": "x"}}}}), "the schema bites"
    assert list(header) == ["spec"]
    assert set(header["spec"]["inputs"]) == {"stage", "base", "note", "version", "image"}
    assert header["spec"]["inputs"]["version"]["default"] == __version__
    # A component must not set what belongs to the pipeline that includes it.
    assert not {"default", "variables", "stages", "include", "workflow"} & set(jobs)
    assert jobs["micromoment"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert problems(schema, load(EXAMPLES / "gitlab/gitlab-ci.yml")) == []


def test_every_version_pinned_is_this_release() -> None:
    pins = []
    for path in [*EXAMPLES.rglob("*.yml"), ROOT / "README.md", ROOT / "docs/github.md"]:
        text = path.read_text(encoding="utf-8")
        pins += re.findall(r"OWNER/micromoment@v([0-9][^\s\"]*)", text)
        pins += re.findall(r"micromoment/micromoment@([0-9][^\s\"]*)", text)
        pins += re.findall(r"micromoment==([0-9][^\s\"]*)", text)
    assert len(pins) >= 6 and set(pins) == {__version__}


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        (
            "README.md",
            [
                "examples/github/micromoment-fork-gate.yml",
                "examples/github/micromoment-fork-post.yml",
                "examples/github/micromoment.yml",
                "examples/gitlab/gitlab-ci.yml",
            ],
        ),
        ("docs/github.md", ["examples/github/micromoment-code-scanning.yml"]),
    ],
)
def test_the_pages_show_the_real_ci_files(page: str, shown: list[str]) -> None:
    """Each block under `<!-- copy: PATH -->` is that file, whole."""
    text = (ROOT / page).read_text(encoding="utf-8")
    copies = re.findall(r"<!-- copy: (\S+) -->\n```ya?ml\n(.*?)```\n", text, re.DOTALL)
    assert sorted(path for path, _ in copies) == shown
    for path, block in copies:
        assert block == (ROOT / path).read_text(encoding="utf-8"), path


# --- The action's steps, run as a runner runs them ----------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


def evaluate(text: str, context: dict[str, Any]) -> str:
    """`${{ a.b.c }}` as the runner fills it in: the value at that path, or empty."""

    def value(match: re.Match[str]) -> str:
        found: Any = context
        for key in match.group(1).split("."):
            found = found.get(key, "") if isinstance(found, dict) else ""
        return str(found)

    return EXPRESSION.sub(value, text)


class Runner:
    """The parts of a GitHub runner a composite action's `run:` steps see: the env it sets, a
    fresh $GITHUB_OUTPUT per step read back into `steps.ID.outputs`, bash -eo pipefail."""

    def __init__(self, tmp: Path, workspace: Path, event: dict[str, Any], github: dict[str, Any]) -> None:
        self.tmp = tmp
        self.workspace = workspace
        (tmp / "runner").mkdir(exist_ok=True)
        self.summary = tmp / "runner/summary.md"
        self.summary.touch()
        event_path = tmp / "runner/event.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        self.github = {**github, "event": event, "action_path": str(ROOT), "token": "ghs_app_token"}
        self.env = {
            **os.environ,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_BASE_REF": github.get("base_ref", ""),
            "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_ACTION_PATH": str(ROOT),
            "RUNNER_TEMP": str(tmp / "runner"),
        }
        self.stdout: list[str] = []

    def steps(
        self, steps: list[dict[str, Any]], inputs: dict[str, str], cwd: Path
    ) -> tuple[int, dict[str, Any]]:
        """Runs each step in order; after one fails, only those with `if: always()`. micromoment's own
        action runs as `action`; other `uses:` steps are skipped (setup-python: the Python running the
        tests is there; download-artifact: the artifact is where the test left it)."""
        runner = {"temp": self.env["RUNNER_TEMP"]}
        context: dict[str, Any] = {"inputs": inputs, "github": self.github, "steps": {}, "runner": runner}
        failed = 0
        for number, step in enumerate(steps):
            if failed and "always()" not in str(step.get("if", "")):
                continue
            step_id = step.get("id", f"step{number}")
            if step.get("uses", "").startswith("OWNER/micromoment@"):
                code, outputs = self.action(
                    {k: evaluate(str(v), context) for k, v in step.get("with", {}).items()}
                )
                context["steps"][step_id] = {"outputs": outputs}
                failed = failed or code
                continue
            if "run" not in step:
                continue
            output = self.tmp / f"runner/output-{len(self.stdout)}"
            output.touch()
            env = {name: evaluate(str(value), context) for name, value in step.get("env", {}).items()}
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env={**self.env, **env, "GITHUB_OUTPUT": str(output)},
                capture_output=True,
                text=True,
            )
            self.stdout.append(done.stdout)
            pairs = [line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines()]
            context["steps"][step_id] = {"outputs": dict(pairs)}
            failed = failed or done.returncode
        return failed, context

    def action(self, given: dict[str, str]) -> tuple[int, dict[str, str]]:
        """The action with these inputs: its exit, and its outputs as the workflow sees them."""
        action = load(ACTION)
        defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        inputs = {name: evaluate(value, {"github": self.github}) for name, value in defaults.items()}
        code, context = self.steps(action["runs"]["steps"], {**inputs, **given}, self.workspace)
        outputs = {name: evaluate(spec["value"], context) for name, spec in action["outputs"].items()}
        return code, outputs


def standins(folder: Path, state: dict[str, Any]) -> Path:
    """gh (the fake forge) and pip (which records what it was asked to install) on PATH."""
    folder.mkdir()
    (folder / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FORGE}" gh "$@"\n', encoding="utf-8")
    (folder / "pip").write_text(f'#!/bin/sh\necho "$@" >> "{folder}/pip-calls"\n', encoding="utf-8")
    for tool in ("gh", "pip"):
        (folder / tool).chmod(0o755)
    state_file = folder / "forge.json"
    state_file.write_text(json.dumps(state), encoding="utf-8")
    return state_file


@pytest.fixture(scope="module")
def origin_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository whose `feature` branch changes a prompt (mini, not reviewed) and a migration
    (data-safeguards, skipped with a reason)."""
    with building_template(tmp_path_factory, "origin") as repo:
        cli = Cli()
        write(repo / "README.md", "# app\n")
        write(
            repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
        )
        write(repo / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "start")
        git(repo, "checkout", "-q", "-b", "feature")
        write(repo / "prompts/support.txt", "You are helpful.\n")
        write(repo / "db/0001.sql", "create table flags (x int);\n")
        assert cli("skip", "data-safeguards", "--reason", "the table holds feature flags only").exit_code == 0
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "a prompt and a table")
        yield repo


@pytest.fixture
def pull_request(origin_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What actions/checkout leaves: a shallow, detached checkout of the pull request's head, with
    origin (a bare copy of the repository) to fetch the base from."""
    source = copy_repo(origin_template, tmp_path / "source", monkeypatch)
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(origin))
    checkout = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", str(checkout))
    git(checkout, "checkout", "-q", "--detach")
    monkeypatch.chdir(checkout)
    return checkout


PR_EVENT = {
    "action": "synchronize",
    "number": 7,
    "pull_request": {"number": 7, "head": {"sha": "0" * 40}, "base": {"ref": "main"}},
    "repository": {"full_name": "acme/app", "default_branch": "main"},
}
GITHUB = {"event_name": "pull_request", "base_ref": "main", "repository": "acme/app"}
FORGE_STATE = {"pr": 7, "next_id": 100, "login": "pat", "app_login": "github-actions[bot]", "comments": []}


def runner_for(checkout: Path, tmp_path: Path, **state: Any) -> tuple[Runner, Path]:
    bin_dir = tmp_path / "bin"
    state_file = standins(bin_dir, {**FORGE_STATE, **state})
    runner = Runner(tmp_path, checkout, PR_EVENT, GITHUB)
    runner.env.update(
        PATH=f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}", FAKE_FORGE_STATE=str(state_file)
    )
    return runner, state_file


def test_the_action_on_a_pull_request(pull_request: Path, tmp_path: Path) -> None:
    # The workflow's own token, which may not ask who it is and posts as github-actions[bot].
    runner, state_file = runner_for(pull_request, tmp_path, user_forbidden=True)
    code, outputs = runner.action({})
    assert code == 1, runner.stdout
    assert outputs == {
        "triggered": "2",
        "covered": "0",
        "missing": "1",
        "skipped": "1",
        "invalid": "0",
        "verdict": "fail",
    }
    # Installed from the action's own checkout: `@v1` runs the code of that tag.
    assert (tmp_path / "bin/pip-calls").read_text().split() == [
        "install", "--disable-pip-version-check", "--quiet", str(ROOT)
    ]  # fmt: skip
    gate = runner.stdout[2]
    assert gate.splitlines()[0] == (
        "::error file=prompts/support.txt,title=mini%3A Mini check%2C not covered::no complete record "
        "of mini (Mini check) was created in this change; run: micromoment review mini, "
        "or: micromoment skip mini --reason '...'"
    )
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith(
        "### ❌ micromoment: 1 of 2 triggered checklist(s) not covered\n\n"
        "To pass, run this and commit what it writes:\n\n```sh\nmicromoment review mini\n```\n\n<details>"
    )
    state = json.loads(state_file.read_text(encoding="utf-8"))
    [comment] = state["comments"]
    assert comment["user"] == {"login": "github-actions[bot]"}
    assert comment["body"] == Cli()("pr-note", "--base", "origin/main").stdout
    assert state["calls"][-1][:5] == ["gh", "pr", "comment", "7", "--body-file"]

    # The author reviews it and pushes: the same comment is updated, and the gate passes.
    answers = write(tmp_path / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert Cli()("review", "mini", "--answers", str(answers)).exit_code == 0  # in the checkout
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-q", "-m", "reviewed")
    git(pull_request, "push", "-q", "origin", "HEAD:refs/heads/feature")
    code, outputs = runner.action({"annotations": "false"})
    assert code == 0, runner.stdout
    assert (outputs["covered"], outputs["missing"], outputs["verdict"]) == ("1", "0", "pass")
    assert "::" not in runner.stdout[-3]  # annotations off
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert len(state["comments"]) == 1 and "PATCH" in state["calls"][-1]
    assert state["comments"][0]["body"] == Cli()("pr-note", "--base", "origin/main").stdout
    assert runner.summary.read_text(encoding="utf-8").count("### ✅ micromoment: 2 of 2 triggered") == 1


def test_the_action_on_a_fork_falls_back_to_the_job_summary(pull_request: Path, tmp_path: Path) -> None:
    runner, state_file = runner_for(pull_request, tmp_path, read_only=True)
    code, outputs = runner.action({"sarif": str(tmp_path / "out.sarif")})
    assert (code, outputs["verdict"]) == (1, "fail")
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.count(MARKER) == 1 and summary.index("### ❌ micromoment") < summary.index(MARKER)
    assert json.loads(state_file.read_text(encoding="utf-8"))["comments"] == []
    assert json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_the_action_checks_its_inputs(pull_request: Path, tmp_path: Path) -> None:
    runner, _ = runner_for(pull_request, tmp_path)
    code, outputs = runner.action({"note": "comments", "annotations": "yes", "version": "latest"})
    assert code == 2 and outputs["verdict"] == ""
    assert runner.stdout[0].splitlines() == [
        "::error title=micromoment input::note: 'comments' is not one of comment, body, summary, none",
        "::error title=micromoment input::annotations: 'yes' is not true or false",
        "::error title=micromoment input::version: 'latest' is not a release such as 0.1.0 "
        "(or empty for the action's own code)",
    ]
    assert not (tmp_path / "bin/pip-calls").exists(), "nothing installed after a bad input"


def test_the_action_on_push_gates_against_the_default_branch(pull_request: Path, tmp_path: Path) -> None:
    runner, state_file = runner_for(pull_request, tmp_path)
    runner.github = {**runner.github, "event_name": "push", "base_ref": ""}
    runner.env.update(GITHUB_EVENT_NAME="push", GITHUB_BASE_REF="")
    runner.github["event"] = {"repository": {"default_branch": "main"}, "ref": "refs/heads/feature"}
    code, outputs = runner.action({"version": __version__})
    assert (code, outputs["missing"], outputs["skipped"]) == (1, "1", "1")
    assert (tmp_path / "bin/pip-calls").read_text().split()[-1] == f"micromoment=={__version__}"
    # No pull request to post on: the note goes to the job summary.
    assert json.loads(state_file.read_text(encoding="utf-8"))["comments"] == []
    assert runner.summary.read_text(encoding="utf-8").count(MARKER) == 1


# --- The fork-safe recipe -----------------------------------------------------------------------


def test_the_fork_recipe_posts_the_saved_note_reading_nothing_of_the_pull_request(
    pull_request: Path, tmp_path: Path
) -> None:
    gate = load(EXAMPLES / "github/micromoment-fork-gate.yml")
    post = load(EXAMPLES / "github/micromoment-fork-post.yml")
    assert gate["permissions"] == {"contents": "read"}
    assert post["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert list(post["on"]) == ["workflow_run"]
    post_steps = post["jobs"]["post"]["steps"]
    assert not [s for s in post_steps if "checkout" in s.get("uses", "")], "the writer checks out nothing"

    runner, state_file = runner_for(pull_request, tmp_path, head_sha="c0ffee" * 6 + "c0fe")
    # The pull request's own run: the gate fails (mini has no record), and the note is kept all the same.
    assert runner.steps(gate["jobs"]["gate"]["steps"], {}, pull_request)[0] == 1, runner.stdout
    artifact = tmp_path / "runner/micromoment-note"
    note = (artifact / "note.md").read_text(encoding="utf-8")
    assert note.startswith(MARKER) and (artifact / "pr-number").read_text() == "7\n"

    # The pull request's tree is gone before the writer runs: it cannot read what is not there.
    shutil.rmtree(pull_request)
    empty = tmp_path / "post-workspace"
    empty.mkdir()
    runner.github = {**runner.github, "event_name": "workflow_run"}
    runner.github["event"] = {"workflow_run": {"head_sha": "c0ffee" * 6 + "c0fe", "id": 5}}
    code, _ = runner.steps(post_steps, {}, empty)
    assert code == 0, runner.stdout
    [comment] = json.loads(state_file.read_text(encoding="utf-8"))["comments"]
    assert comment["body"] == note
    assert (tmp_path / "bin/pip-calls").read_text().split()[-1] == f"micromoment=={__version__}"

    # A forged artifact: its mentions are made inert; a number for another pull request is refused.
    (artifact / "note.md").write_text(MARKER + "\n@everyone merge this, closes #1\n", encoding="utf-8")
    assert runner.steps(post_steps, {}, empty)[0] == 0
    [comment] = json.loads(state_file.read_text(encoding="utf-8"))["comments"]
    assert comment["body"] == MARKER + f"\n@{ZERO_WIDTH}everyone merge this, closes{ZERO_WIDTH} #1\n"
    runner.github["event"] = {"workflow_run": {"head_sha": "f" * 40, "id": 5}}
    code, _ = runner.steps(post_steps, {}, empty)
    assert code == 1 and "::error::pull request #7 is not the one the gate ran on" in runner.stdout[-1]


def test_pr_note_from_file_refuses_what_is_not_a_note(cli: Cli, outside: Path) -> None:
    plain = write(outside / "note.md", "hello\n")
    result = cli("pr-note", "--post", "github", "--pr", "7", "--from-file", str(plain))
    assert result.exit_code == 2
    assert result.stderr == (
        f"micromoment: {plain}: does not start with {MARKER}; pass the file pr-note --out wrote\n"
    )
    result = cli("pr-note", "--post", "github", "--from-file", str(plain))
    assert result.exit_code == 2 and "--from-file goes with --post and the number" in result.stderr


# --- The formats, with exact values -------------------------------------------------------------

CODE_QUALITY_SCHEMA = {
    # The fields GitLab documents as required in a Code Quality report (it publishes no schema).
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
BAD_RECORD = ".micromoment/reviews/2026-11-22-mini-bad.yaml"


@pytest.fixture
def many(mini: Path) -> Path:
    """Thirteen prompts that call for mini, none reviewed, and a record that is not valid."""
    write(mini / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "start")
    for number in range(12):
        write(mini / f"prompts/p{number:02}.txt", "You are helpful.\n")
    write(mini / "prompts/odd, name: 100%.txt", "odd\n")
    write(mini / BAD_RECORD, "# by hand\nkind: review\nstatus: finished\n")
    git(mini, "add", "-A")
    return mini


def test_annotations_are_capped_as_github_caps_them(cli: Cli, many: Path, tmp_path: Path) -> None:
    outputs = write(tmp_path / "outputs", "earlier=1\n")
    result = cli("check", "--format", "github", env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 1, result.output
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    message = (
        "no complete record of mini (Mini check) was created in this change; run: micromoment review mini, "
        "or: micromoment skip mini --reason '...'"
    )
    # Paths in git's order; a comma, colon or percent sign in a property is encoded.
    assert (
        commands[0]
        == f"::error file=prompts/odd%2C name%3A 100%25.txt,title=mini%3A Mini check%2C not covered::{message}"
    )
    assert [c.split(",", 1)[0] for c in commands[1:10]] == [
        f"::error file=prompts/p{n:02}.txt" for n in range(9)
    ]
    [warning] = [c for c in commands if c.startswith("::warning")]
    assert warning.startswith(
        f"::warning file={BAD_RECORD},line=2,title=not a valid record%3A it covers nothing::"
    )
    assert commands[-1] == (
        "::notice title=micromoment::3 more error(s) not shown here; the job summary lists every one"
    )
    assert len(commands) == 12
    assert outputs.read_text() == (
        "earlier=1\ntriggered=1\ncovered=0\nmissing=1\nskipped=0\ninvalid=1\nverdict=fail\n"
    )
    assert result.stdout.splitlines()[12] == "mini (Mini check)"  # the report follows, as without --format


def test_sarif_and_code_quality_files(cli: Cli, many: Path, tmp_path: Path) -> None:
    sarif, quality = tmp_path / "out.sarif", tmp_path / "quality.json"
    with open(os.fsencode(many / "prompts") + b"/z-caf\xe9.txt", "wb") as handle:  # noqa: PTH123 - not UTF-8
        handle.write(b"a name that is not UTF-8\n")
    git(many, "add", "-A")
    result = cli("check", "--sarif", str(sarif), "--codequality", str(quality))
    assert result.exit_code == 1, result.output
    data = json.loads(sarif.read_text(encoding="utf-8"))
    schema = json.loads((FIXTURES / "schemas/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert problems(schema, data) == []
    assert problems(schema, {**data, "version": "2.0"}), "the schema bites"
    [run] = data["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["mini", "micromoment/invalid-record"]
    assert run["automationDetails"] == {"id": "micromoment/"}
    results = run["results"]
    assert len(results) == 15
    assert (
        results[13]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "prompts/z-caf%E9.txt"
    )
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "prompts/odd%2C%20name%3A%20100%25.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1},
    }
    assert (results[-1]["ruleIndex"], results[-1]["level"]) == (1, "warning")
    assert results[-1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}

    issues = json.loads(quality.read_text(encoding="utf-8"))
    assert problems(CODE_QUALITY_SCHEMA, issues) == []
    assert problems(CODE_QUALITY_SCHEMA, [{**issues[0], "severity": "high"}]), "the schema bites"
    assert len({i["fingerprint"] for i in issues}) == len(issues) == 15
    assert issues[13]["location"]["path"] == "prompts/z-caf\udce9.txt"  # JSON's escape for the byte
    assert issues[1]["location"] == {"path": "prompts/p00.txt", "lines": {"begin": 1}}
    assert (issues[1]["check_name"], issues[1]["severity"]) == ("mini", "major")
    assert (issues[-1]["check_name"], issues[-1]["severity"]) == ("micromoment/invalid-record", "minor")
    annotated = cli("check", "--format", "github", env={"PYTHONIOENCODING": "utf-8"})
    assert annotated.exit_code == 1 and "::notice title=micromoment::4 more error(s)" in annotated.stdout
    # The same change gives the same fingerprints: GitLab compares them between pipelines.
    assert cli("check", "--codequality", str(tmp_path / "again.json")).exit_code == 1
    assert json.loads((tmp_path / "again.json").read_text(encoding="utf-8")) == issues


def test_nothing_triggered_passes_with_zero_counts(cli: Cli, mini: Path, tmp_path: Path) -> None:
    outputs, summary, sarif = tmp_path / "outputs", tmp_path / "summary.md", tmp_path / "out.sarif"
    write(mini / "src/app.py", "print(1)\n")
    git(mini, "add", "-A")
    env = {"GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    result = cli("check", "--format", "github", "--sarif", str(sarif), env=env)
    assert result.exit_code == 0, result.output
    assert "::" not in result.stdout
    assert outputs.read_text() == "triggered=0\ncovered=0\nmissing=0\nskipped=0\ninvalid=0\nverdict=pass\n"
    assert summary.read_text() == "### ✅ micromoment: nothing in this change calls for a checklist\n\n"
    assert json.loads(sarif.read_text())["runs"][0]["results"] == []


def test_json_and_github_format_are_one_or_the_other(cli: Cli, mini: Path) -> None:
    result = cli("check", "--json", "--format", "github")
    assert result.exit_code == 2
    assert result.stderr == "micromoment: choose one of --json or --format github: both print to stdout\n"


def test_posts_as_names_the_account_a_token_may_not_ask_about(
    cli: Cli, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bot, pasted = {"login": "github-actions[bot]"}, {"login": "pat"}
    comments = [
        {"id": 1, "body": MARKER + "\npasted by a person", "user": pasted},
        {"id": 2, "body": MARKER + "\nthe last run's note", "user": bot},
    ]
    state_file = standins(bin_dir, {**FORGE_STATE, "user_forbidden": True, "comments": comments})
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_FORGE_STATE", str(state_file))
    note = write(outside / "note.md", MARKER + "\nthis run's note\n")
    args = ("pr-note", "--post", "github", "--pr", "7", "--from-file", str(note))
    result = cli(*args, env={"MICROMOMENT_POSTS_AS": "github-actions[bot]"})
    assert result.exit_code == 0, result.output
    assert result.stderr == "pull request #7: updated the micromoment comment\n"
    assert json.loads(state_file.read_text(encoding="utf-8"))["comments"] == [
        comments[0],
        {"id": 2, "body": MARKER + "\nthis run's note\n", "user": bot},
    ]
    result = cli(*args, env={"MICROMOMENT_POSTS_AS": "a b"})
    assert result.exit_code == 2
    assert result.stderr == (
        "micromoment: MICROMOMENT_POSTS_AS is 'a b', not an account name; "
        "set it to the login the token posts as, such as github-actions[bot]\n"
    )
