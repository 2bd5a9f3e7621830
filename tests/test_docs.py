"""The docs match the program: every console example runs for real, and init writes what the README promises."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml

from conftest import Cli

ROOT = Path(__file__).resolve().parent.parent


def examples_module() -> ModuleType:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        spec = importlib.util.spec_from_file_location("make_examples", ROOT / "docs/make_examples.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # Its dataclasses look their module up by name while they are made.
        sys.modules["make_examples"] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "docs"))


def test_every_console_block_names_a_scenario_there_is() -> None:
    examples = examples_module()
    pages = examples.doc_files()
    assert ROOT / "README.md" in pages and ROOT / "docs/tutorial.md" not in pages
    blocks = [block for page in pages for block in examples.find_blocks(page)]
    console = [block for block in blocks if block.lang == "console"]
    assert len(console) >= 10
    assert examples.unmarked(blocks) == []


def test_a_console_block_without_a_scenario_is_named(tmp_path: Path) -> None:
    examples = examples_module()
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```console\n$ micromoment list\n```\n\n<!-- run: no-such -->\n```console\n$ x\n```\n"
        "\n<!-- run: built-ins -->\n```console\n$ micromoment list\n```\n",
        encoding="utf-8",
    )
    examples.ROOT = tmp_path
    problems = examples.unmarked(examples.find_blocks(page))
    assert len(problems) == 2
    assert problems[0] == "page.md:3: a console block without `<!-- run: SCENARIO -->` above it"
    assert problems[1].startswith("page.md:8: no scenario 'no-such'; known: built-ins, ")


def test_an_elided_output_keeps_the_lines_shown_around_the_dots() -> None:
    command = examples_module().Command
    real = [f"line {n}" for n in range(1, 11)]
    head_tail = command.parse(["$ x", "a", "b", "...", "z"])[0]
    assert (head_tail.head, head_tail.tail) == (2, 1)
    assert head_tail.shape(real) == ["line 1", "line 2", "...", "line 10"]
    only_tail = command.parse(["$ x", "...", "y", "z"])[0]
    assert only_tail.shape(real) == ["...", "line 9", "line 10"]
    assert command.parse(["$ x", "..."])[0].shape(real) == ["..."]
    # An output no longer than the lines shown is shown whole, with no dots.
    assert head_tail.shape(real[:3]) == real[:3]
    assert command.parse(["$ x", "a"])[0].shape(real) == real


def test_the_examples_match_real_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs/make_examples.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_init_writes_a_commented_applies_to_that_works_when_uncommented(repo: Path, cli: Cli) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    config = repo / ".micromoment/config.yaml"
    text = config.read_text(encoding="utf-8")
    assert '    # applies_to: ["prompts/", "*.prompt",' in text
    for key in ("policy_changes: team-review", "require_signed_commits: false", "base_branch: main"):
        assert f"\n# {key}\n" in text
    assert "applies_to" not in yaml.safe_load(text)["checklists"]["genai-output-review"]
    config.write_text(
        text.replace(
            '    # applies_to: ["prompts/", "*.prompt",', '    applies_to: ["prompts/", "*.prompt",'
        ),
        encoding="utf-8",
    )
    loaded = yaml.safe_load(config.read_text(encoding="utf-8"))["checklists"]["genai-output-review"]
    assert loaded["applies_to"][:2] == ["prompts/", "*.prompt"]
    assert cli("lint").exit_code == 0
    (repo / "prompts").mkdir()
    (repo / "prompts/refunds.txt").write_text("Quote the amount.\n", encoding="utf-8")
    checked = cli("check", "prompts/refunds.txt")
    assert checked.exit_code == 1 and "genai-output-review" in checked.output


def test_a_commit_id_that_is_all_digits_still_gets_its_stand_in(repo: Path) -> None:
    """About one abbreviated commit id in a hundred is all digits: the examples once showed a
    real one, and changed from run to run. A number that names no commit stays as it is."""
    examples_module()  # puts docrun where the examples import it from
    from docrun import Normaliser

    tree = (
        subprocess.run(["git", "mktree"], cwd=repo, input=b"", capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    for attempt in range(2000):
        made = subprocess.run(
            ["git", "commit-tree", tree, "-m", f"attempt {attempt}"],
            cwd=repo,
            capture_output=True,
            check=True,
        )
        commit = made.stdout.decode().strip()
        if commit[:7].isdigit():
            break
    else:
        raise AssertionError("no all-digit commit id in 2,000 tries")
    shown = Normaliser(repo, "2026-11-22")(f"{commit[:7]} added it; 1234567 answers")
    assert commit[:7] not in shown
    assert shown.endswith(" added it; 1234567 answers")
