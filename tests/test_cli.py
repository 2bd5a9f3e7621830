"""Every foundation command through the real CLI."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import Cli, fork_micromoment, run_module, write
from micromoment import __version__


def test_list_shows_builtins_with_counts(cli: Cli, repo: Path) -> None:
    result = cli("list")
    assert result.exit_code == 0, result.output
    for checklist_id in (
        "quick",
        "data-safeguards",
        "team-review",
        "genai-output-review",
        "launch-readiness",
    ):
        assert checklist_id in result.stdout
    assert "quick (default)" in result.stdout
    assert "built-in" in result.stdout


def test_list_json_marks_repo_overrides(cli: Cli, repo: Path) -> None:
    assert cli("list", "--json").exit_code == 0  # what an earlier run read is not what is shown now
    builtin_quick = (Path(__file__).parents[1] / "checklists/quick.yaml").read_text(encoding="utf-8")
    write(
        repo / ".micromoment/checklists/quick.yaml",
        builtin_quick.replace("title: Two-minute check", "title: Our quick check"),
    )
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["quick"]["source"] == "repo" and rows["quick"]["replaces_builtin"] is True
    assert rows["quick"]["title"] == "Our quick check"
    assert rows["team-review"]["source"] == "built-in"
    assert rows["quick"]["items"] == 4 and rows["quick"]["minutes"] == 2
    assert json.loads(cli("show", "quick", "--json").stdout)["title"] == "Our quick check"


def test_show_prints_items_with_owner_guidance_and_references(cli: Cli, outside: Path) -> None:
    result = cli("show", "genai-output-review")
    assert result.exit_code == 0, result.output
    assert "owner: product manager" in result.stdout
    assert "owasp-llm LLM09 (2025)" in result.stdout
    assert "Mata v. Avianca" in result.stdout


def test_show_json_is_the_checklist(cli: Cli, outside: Path) -> None:
    result = cli("show", "quick", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "quick" and data["source"] == "built-in"
    assert data["content_hash"].startswith("sha256:")
    item = data["items"][1]
    assert {"id", "question", "guidance", "owner", "minutes", "kind", "required", "references"} <= set(item)
    assert item["ask_if"]["is"]


def test_unknown_id_is_exit_2_with_the_known_ids(cli: Cli, outside: Path) -> None:
    result = cli("show", "nope")
    assert result.exit_code == 2
    assert "no checklist with id 'nope'; available: data-safeguards" in result.stderr
    assert "Traceback" not in result.output


def test_a_broken_repo_checklist_stops_list_with_its_location(cli: Cli, repo: Path) -> None:
    assert cli("list").exit_code == 0
    write(repo / ".micromoment/checklists/broken.yaml", "id: broken\ntitle: [oops\n")
    result = cli("list")
    assert result.exit_code == 2
    assert result.stderr.startswith(".micromoment/checklists/broken.yaml:3:1: invalid YAML")
    assert cli("show", "quick").exit_code == 2


def test_lint_default_is_clean_then_reports_each_problem(cli: Cli, repo: Path) -> None:
    result = cli("lint")
    assert result.exit_code == 0, result.output
    assert "15 files checked, no problems" in result.stderr  # the built-ins and their translations
    write(
        repo / ".micromoment/checklists/ours.yaml",
        "id: ours\ntitle: Ours\nversion: '1'\nitems:\n  - id: a\n    question: Q?\n    owner: team\n    minutes: -1\n    kind: list\n",
    )
    write(repo / ".micromoment/config.yaml", "default_checklist: nope\nhook: {on_missing: shrug}\n")
    result = cli("lint")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        ".micromoment/checklists/ours.yaml:8:14: items[0].minutes: must be greater than 0",
        ".micromoment/checklists/ours.yaml:9:11: items[0].kind: must be one of confirm, choice, text",
        ".micromoment/config.yaml:2:20: hook.on_missing: must be one of block, warn",
    ]
    assert "3 problems in 17 files" in result.stderr


def test_lint_checks_config_against_the_catalog(cli: Cli, repo: Path) -> None:
    write(
        repo / ".micromoment/config.yaml",
        "default_checklist: nope\nchecklists:\n  quick: {signoffs: 1}\n  ghost: {enabled: false}\n",
    )
    result = cli("lint", ".micromoment/config.yaml", "--json")
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["where"]) for p in problems] == [(1, "default_checklist"), (4, "checklists.ghost")]
    assert "no checklist 'ghost'; use one of data-safeguards" in problems[1]["message"]


def test_lint_named_paths_and_folders(cli: Cli, repo: Path) -> None:
    write(repo / "lists/a.yaml", "not: a checklist\n")
    write(repo / "lists/sub/b.yml", "id: b\n")
    result = cli("lint", "lists", "missing.yaml")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert "lists/a.yaml:1:1: not: unknown field; remove it or check its spelling" in lines
    assert "lists/a.yaml:1:1: id: is required but missing" in lines
    assert "lists/sub/b.yml:1:1: title: is required but missing" in lines
    assert lines[-1] == "missing.yaml: no such file; check the path"


def test_schema_prints_json_schema(cli: Cli, outside: Path) -> None:
    for name, key in (("checklist", "items"), ("config", "hook")):
        result = cli("schema", name)
        assert result.exit_code == 0, result.output
        schema = json.loads(result.stdout)
        assert key in schema["properties"] and schema["additionalProperties"] is False
    assert cli("schema", "bogus").exit_code == 2


def test_init_writes_a_commented_config_that_lints_clean(cli: Cli, repo: Path) -> None:
    result = cli("init", "--only", "genai-output-review")
    assert result.exit_code == 0, result.output
    assert "not inside a git repository" not in result.stderr  # it is
    text = (repo / ".micromoment/config.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and not line.rstrip().endswith(":"):
            key = line.split(":")[0].strip()
            previous = text.splitlines()[text.splitlines().index(line) - 1]
            assert "#" in line or previous.lstrip().startswith("#"), f"key {key!r} has no comment"
    assert "  genai-output-review:\n    enabled: true" in text
    assert "  team-review:\n    enabled: false" in text
    assert cli("lint").exit_code == 0


def test_init_refuses_to_overwrite_without_force(cli: Cli, repo: Path) -> None:
    assert cli("init").exit_code == 0
    config = repo / ".micromoment/config.yaml"
    config.write_text("# ours\nversion: 1\n", encoding="utf-8")
    result = cli("init")
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert config.read_text(encoding="utf-8") == "# ours\nversion: 1\n"
    assert cli("init", "--force").exit_code == 0
    assert "default_checklist: quick" in config.read_text(encoding="utf-8")


def test_init_outside_a_git_repository_says_so_and_what_to_run(cli: Cli, outside: Path) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        "wrote .micromoment/config.yaml",
        "this folder is not inside a git repository, so reviews here cannot be committed with your "
        "changes: run git init here (or cd into your repository and run micromoment init there)",
    ]


def test_init_refuses_unknown_ids(cli: Cli, repo: Path) -> None:
    result = cli("init", "--only", "nope")
    assert result.exit_code == 2 and "no checklist with id 'nope'" in result.stderr
    assert not (repo / ".micromoment/config.yaml").exists()


def test_usage_errors_are_exit_2(cli: Cli) -> None:
    assert cli("no-such-command").exit_code == 2
    assert cli("list", "--bogus").exit_code == 2


def test_python_dash_m_works_like_the_script(tmp_path: Path) -> None:
    result = run_module(["--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"micromoment {__version__}"
    listed = run_module(["list", "--json"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 5


def test_ids_people_copy_are_whole_at_80_columns_and_when_piped(cli: Cli, mini: Path) -> None:
    import os

    answers = write(
        mini / "a.yaml",
        "data-kind: customer data\ndata-masked:\n  answer: no\n  follow_up: {action: mask it, owner: data lead, due: 2026-01-01}\nfacts-checked: yes\n",
    )
    assert cli("review", "mini", "--answers", str(answers), "--subject", "s").exit_code == 0
    [record] = (mini / ".micromoment/reviews").glob("*.yaml")
    for columns in ("80", None):
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        env.pop("COLUMNS", None)
        if columns:
            env["COLUMNS"] = columns
        for command in ("todo", "log", "list"):
            # Each its own process, its output to a file (no terminal to measure): as when piped.
            done = fork_micromoment([command], mini, env=env)
            assert done.returncode == 0, done.stderr
            assert "…" not in done.stdout, (command, columns, done.stdout)
            expected = {
                "todo": [record.stem, "data-masked"],
                "log": ["mini"],
                "list": ["genai-output-review"],
            }
            for whole in expected[command]:
                assert whole in done.stdout, (command, columns, done.stdout)
            if columns:
                assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_every_help_reads_as_typed_at_80_columns(cli: Cli) -> None:
    from micromoment.cli.app import COMMANDS

    names = sorted(COMMANDS)
    assert {"check", "review", "pr-note", "signoff", "report", "sample"} <= set(names)
    for name in ["", *names]:
        result = cli(*([name] if name else []), "--help", env={"COLUMNS": "80", "TERM": "dumb"})
        assert result.exit_code == 0, (name, result.output)
        text = result.stdout
        assert "<bool>" not in text, (name, text)
        # Values read as TEXT, N, PATH...: never Python's type names or a range as `x>=0`.
        assert not re.search(r"<(str|int|float|path|list\[)|\bx[<>]=", text, re.IGNORECASE), (name, text)
        assert "{" not in text.splitlines()[1], (name, text)  # the usage line: REVIEW, not {REVIEW}
        assert " --no-allow" not in text and "no-interactive" not in text, (name, text)
        assert max(len(line) for line in text.splitlines()) <= 80, name
        if name == "signoff":  # choices are shown whole, wrapped between them if need be
            lines = [line for line in text.splitlines() if "changes-req" in line or "approve |" in line]
            assert all("changes-requested" in line for line in lines if "changes-req" in line), text
            assert len(lines) >= 2, text


def test_show_marks_the_item_a_sample_of_outputs_answers(cli: Cli, outside: Path) -> None:
    result = cli("show", "quick")
    assert result.exit_code == 0, result.output
    # One block per item; a long question may wrap, so the id is looked for anywhere in it.
    marked = [block for block in result.stdout.split("\n\n") if "evidence:" in block]
    assert len(marked) == 1 and "(outputs-looked-at)" in marked[0], marked
    assert "\n   evidence: a sample of real outputs (micromoment sample)\n" in marked[0] + "\n"


@pytest.mark.parametrize(
    "args",
    [
        ("log", "--checklist", "quik"),
        ("show", "quik"),
        ("review", "quik"),
        ("skip", "quik", "--reason", "only the README wording changed here"),
    ],
)
def test_a_mistyped_checklist_id_is_named_with_the_nearest(
    cli: Cli, repo: Path, args: tuple[str, ...]
) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == "micromoment: no checklist with id 'quik'; did you mean quick?\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("stats", "--by", "year"), "'year' is not one of 'week', 'month'"),
        (("signoff", "x", "--decision", "ok"), "'ok' is not one of 'approve', 'changes-requested'"),
        (("pr-note", "--post", "bitbucket"), "'bitbucket' is not one of 'github', 'gitlab'"),
        (("sample", "o.jsonl", "--count", "abc"), "'abc' is not a whole number"),
        (("sample", "o.jsonl", "--count", "0"), "0 is less than 1, the least it can be"),
        (("import-deon", "x.yaml", "--minutes", "abc"), "'abc' is not a number"),
        (("report", "--html", "site", "--review-pages", "-1"), "-1 is less than 0, the least it can be"),
    ],
)
def test_a_wrong_choice_is_named_in_micromoments_words(
    cli: Cli, repo: Path, args: tuple[str, ...], said: str
) -> None:
    result = cli(*args, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert said in result.output and "Value error" not in result.output, result.output


@pytest.mark.parametrize(
    ("args", "closed", "code", "stderr"),
    [
        (
            ("review", "quick"),
            0,
            2,
            "micromoment: no terminal to ask questions on; record answers with micromoment review ID --answers "
            "FILE (a YAML mapping of item id to answer; micromoment show ID lists the items)\n",
        ),
        (("list",), 1, 0, "Show one with: micromoment show ID\n"),
        (("show", "quik"), 1, 2, None),  # the problem still reaches stderr; stdout goes nowhere
    ],
)
def test_a_closed_standard_stream_is_not_a_crash(
    repo: Path, args: tuple[str, ...], closed: int, code: int, stderr: str | None
) -> None:
    """`micromoment ... <&-` or `>&-`: Python sees no stream at all; micromoment reads end of
    input or writes nowhere, and says what it would have said, with its usual exit code."""
    done = run_module(args, repo, preexec_fn=lambda: os.close(closed))
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    if stderr is not None:
        assert done.stderr == stderr
    else:
        assert done.stderr.startswith("micromoment: no checklist with id 'quik'")
