"""Packs: a pack made by `pack new`, installed into the test's own import path and found by its
entry point; two packs offering one id; versions pinned by the base's config; git packs synced
at a pinned tag."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PATIENCE, git, modules_at_exit, run_module, write


def new_pack(tmp_path: Path, name: str, version: str) -> Path:
    """`micromoment pack new NAME`, at `version`."""
    folder = tmp_path / "packs" / name
    done = run_module(["pack", "new", name, "--dir", str(folder)], tmp_path)
    assert done.returncode == 0, done.stderr
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"'))
    return folder


def install(pack: Path, site: Path) -> None:
    """What installing the pack's wheel leaves on the import path: its package, and its
    distribution's metadata with the entry points its pyproject declares."""
    pyproject = (pack / "pyproject.toml").read_text()
    name, version = (re.search(rf'^{key} = "(.+)"$', pyproject, re.M)[1] for key in ("name", "version"))  # type: ignore[index]
    group, point = re.search(r'^\[project\.entry-points\."(.+)"\]\n(.+)$', pyproject, re.M).groups()  # type: ignore[union-attr]
    for old in site.glob(f"{name.replace('-', '_')}-*.dist-info"):
        shutil.rmtree(old)
    for package in (pack / "src").iterdir():
        shutil.copytree(package, site / package.name, dirs_exist_ok=True)
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    write(info / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    unquoted = point.replace('"', "")
    write(info / "entry_points.txt", f"[{group}]\n{unquoted}\n")


def micromoment(repo: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_module(list(args), repo, env={"PYTHONPATH": str(site), "MICROMOMENT_NONINTERACTIVE": "1"})


def hook(repo: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micromoment", "hook"],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(site), "MICROMOMENT_NONINTERACTIVE": "1"},
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        start_new_session=True,
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


def started(repo: Path, config: str = "") -> None:
    write(repo / "README.md", "# app\n")
    if config:
        write(repo / ".micromoment/config.yaml", config)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")


def test_a_pack_made_by_pack_new_is_found_listed_shown_and_used_by_the_gate(
    repo: Path, tmp_path: Path, site: Path
) -> None:
    pack = new_pack(tmp_path, "acme-genai", "1.4.0")
    assert sorted(str(p.relative_to(pack)) for p in pack.rglob("*") if p.is_file()) == [
        "pyproject.toml",
        "src/acme_genai/__init__.py",
        "src/acme_genai/acme-genai.yaml",
        "tests/test_pack.py",
    ]
    install(pack, site)
    own_test = subprocess.run(  # the test the pack ships: micromoment lint on its checklists
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "tests"],
        cwd=pack,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert own_test.returncode == 0, own_test.stdout + own_test.stderr
    started(repo)

    listed = micromoment(repo, site, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    row = next(row for row in json.loads(listed.stdout) if row["id"] == "acme-genai")
    assert row["source"] == "pack: acme-genai 1.4.0"
    assert row["replaces"] is None
    assert row["path"] == str(site / "acme_genai/acme-genai.yaml")
    shown = micromoment(repo, site, "show", "acme-genai")
    assert shown.returncode == 0, shown.stderr
    assert "Is a named person responsible" in shown.stdout
    assert shown.stderr == "From pack: acme-genai 1.4.0\n"

    write(repo / "prompts/welcome.txt", "Say hello.\n")
    git(repo, "add", "-A")
    done = hook(repo, site)
    assert done.returncode == 1, done.stderr
    assert "acme-genai" in done.stderr
    checked = micromoment(repo, site, "check", "--json")
    assert checked.returncode == 1, checked.stderr
    assert [c["checklist"] for c in json.loads(checked.stdout)["checklists"]] == [
        "acme-genai",
        "genai-output-review",
    ]


def test_two_packs_offering_one_id_are_named_as_a_conflict(repo: Path, tmp_path: Path, site: Path) -> None:
    first = new_pack(tmp_path, "acme-genai", "1.4.0")
    second = new_pack(tmp_path, "other-pack", "2.0.0")
    (second / "src/other_pack/other-pack.yaml").rename(second / "src/other_pack/copy.yaml")
    shutil.copy(first / "src/acme_genai/acme-genai.yaml", second / "src/other_pack/copy.yaml")
    install(first, site)
    install(second, site)
    started(repo)
    listed = micromoment(repo, site, "list")
    assert listed.returncode == 2
    assert listed.stderr.count("\n") == 1, listed.stderr
    assert (
        f"{site / 'other_pack/copy.yaml'}:1:5: id: 'acme-genai' is offered by two sources: "
        f"pack: other-pack 2.0.0 and pack: acme-genai 1.4.0 ({site / 'acme_genai/acme-genai.yaml'}); "
        "uninstall one, or ask the owners of one to rename it"
    ) in listed.stderr


PINNED = "packs:\n  acme-genai: {{version: '{version}'}}\n"


def test_a_version_the_base_does_not_pin_is_refused_by_check_the_hook_and_review(
    repo: Path, tmp_path: Path, site: Path
) -> None:
    pack = new_pack(tmp_path, "acme-genai", "1.4.0")
    install(pack, site)
    started(repo, PINNED.format(version="1.4.0"))
    git(repo, "switch", "-q", "-c", "feature")
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    assert hook(repo, site).returncode == 0  # as pinned: the gate judges, and nothing is triggered

    (tmp_path / "newer").mkdir()
    new_pack(tmp_path / "newer", "acme-genai", "1.5.0")
    install(tmp_path / "newer/packs/acme-genai", site)
    refusal = (
        "micromoment: the config pins pack acme-genai at 1.4.0, but 1.5.0 is installed; "
        "run: pip install 'acme-genai==1.4.0'\n"
    )
    done = hook(repo, site)  # the memo of what is installed notices the new version
    assert (done.returncode, done.stderr) == (2, refusal)
    checked = micromoment(repo, site, "check", "--base", "main")
    assert (checked.returncode, checked.stderr) == (2, refusal)
    answers = write(tmp_path / "answers.yaml", "owner-named: yes\n")
    reviewed = micromoment(repo, site, "review", "acme-genai", "--answers", str(answers))
    assert (reviewed.returncode, reviewed.stderr) == (2, refusal)

    # The branch cannot pin itself out of it: the gate reads the base's config.
    write(repo / ".micromoment/config.yaml", PINNED.format(version="1.5.0"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "pin the new pack")
    checked = micromoment(repo, site, "check", "--base", "main")
    assert (checked.returncode, checked.stderr) == (2, refusal)
    assert micromoment(repo, site, "log").returncode == 0  # only the gate and review refuse

    # With the base's version installed, the branch's new pin is a policy change like any other.
    install(pack, site)
    checked = micromoment(repo, site, "check", "--base", "main", "--json")
    assert checked.returncode == 1, checked.stderr
    assert [c["checklist"] for c in json.loads(checked.stdout)["checklists"]] == ["team-review"]
    checked = micromoment(repo, site, "check", "--base", "main")
    assert "POLICY DOES NOT LOAD" not in checked.stdout + checked.stderr


def test_a_pack_the_config_does_not_pin_is_refused(repo: Path, tmp_path: Path, site: Path) -> None:
    install(new_pack(tmp_path, "acme-genai", "1.4.0"), site)
    started(repo, "packs: {}\n")
    checked = micromoment(repo, site, "check")
    assert checked.returncode == 2
    assert checked.stderr == (
        "micromoment: pack: acme-genai 1.4.0 is not pinned under packs: in the config, so the gate "
        "would judge differently elsewhere; pin it there, or run: pip uninstall acme-genai\n"
    )


def policy_repository(tmp_path: Path) -> tuple[Path, str]:
    """A team's git repository of checklists, tagged v1: its path and the tagged commit."""
    origin = tmp_path / "team-policy"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    checklist = (Path(__file__).parent / "fixtures/mini.yaml").read_text(encoding="utf-8")
    write(origin / "team-mini.yaml", checklist.replace("id: mini", "id: team-mini", 1))
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "v1")
    git(origin, "tag", "v1")
    return origin, git(origin, "rev-parse", "HEAD").strip()


def test_a_git_pack_is_synced_at_its_pinned_tag_and_refused_when_the_tag_moves(
    repo: Path, tmp_path: Path, site: Path
) -> None:
    origin, commit = policy_repository(tmp_path)
    started(repo, f"packs:\n  team-policy: {{git: '{origin}', tag: v1, commit: {commit}}}\n")
    checked = micromoment(repo, site, "check")
    assert (checked.returncode, checked.stderr) == (
        2,
        f"micromoment: the config pins pack team-policy at {commit}, but it is not there; "
        "run: micromoment pack sync\n",
    )
    synced = micromoment(repo, site, "packs", "sync")
    assert (synced.returncode, synced.stderr) == (0, f"team-policy: synced v1 {commit} from {origin}\n")
    listed = micromoment(repo, site, "list", "--json")
    row = next(row for row in json.loads(listed.stdout) if row["id"] == "team-mini")
    assert row["source"] == "pack: team-policy v1"
    assert micromoment(repo, site, "check").returncode == 0

    write(origin / "team-mini.yaml", "id: team-mini\n")
    git(origin, "commit", "-q", "-am", "moved")
    git(origin, "tag", "-f", "v1")
    moved = git(origin, "rev-parse", "HEAD").strip()
    synced = micromoment(repo, site, "pack", "sync")
    assert synced.returncode == 2
    assert synced.stderr == (
        f"micromoment: pack team-policy: tag v1 of {origin} now points at {moved}, not at the pinned "
        f"commit {commit}; a moved tag is a policy change: if the pack's owners meant it, pin the new "
        "commit in .micromoment/config.yaml and have that change reviewed\n"
    )
    assert micromoment(repo, site, "check").returncode == 0  # the synced copy is as pinned still


def test_the_hook_finds_installed_packs_from_its_memo_without_importlib_metadata(repo: Path) -> None:
    started(repo)
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    env = {**os.environ, "MICROMOMENT_NONINTERACTIVE": "1"}
    first, second = (modules_at_exit(repo, "hook", env=env) for _ in range(2))
    assert (first[0], second[0]) == (0, 0)
    assert "importlib.metadata" in first[1]
    assert "importlib.metadata" not in second[1]


def test_the_packs_of_each_environment_are_remembered_for_list_as_for_the_hook(
    repo: Path, site: Path
) -> None:
    # The pre-commit framework's environment and a person's alternate: neither forgets the
    # other's. (The first `list` loads it all the same: pydantic's plugin loader imports it.)
    started(repo)
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    plain = {**os.environ, "MICROMOMENT_NONINTERACTIVE": "1"}
    other = {**plain, "PYTHONPATH": str(site)}
    runs = [(env, command) for env in (plain, other, plain, other) for command in ("hook", "list")]
    loaded = ["importlib.metadata" in modules_at_exit(repo, command, env=env)[1] for env, command in runs]
    assert loaded == [True, True, True, False, False, False, False, False]


def test_the_gate_follows_an_installed_packs_files_when_they_change(
    repo: Path, tmp_path: Path, site: Path
) -> None:
    install(new_pack(tmp_path, "acme-genai", "1.4.0"), site)
    started(repo)
    write(repo / "src/app.py", "print('hi')\n")
    git(repo, "add", "-A")
    assert hook(repo, site).returncode == 0  # its rules now in the memo
    installed = site / "acme_genai/acme-genai.yaml"
    installed.write_text(installed.read_text().replace('["prompts/**"]', '["src/**"]'))
    done = hook(repo, site)
    assert done.returncode == 1
    assert "acme-genai" in done.stderr


def test_pack_new_and_pack_sync_say_what_is_wrong(repo: Path, tmp_path: Path, site: Path) -> None:
    unnamed = micromoment(repo, site, "pack", "new")
    assert (unnamed.returncode, unnamed.stderr) == (
        2,
        "micromoment: pack new NAME: give the pack's name; e.g. micromoment pack new acme-genai\n",
    )
    taken = micromoment(repo, site, "pack", "new", "acme", "--dir", str(repo))
    assert (taken.returncode, taken.stderr) == (
        2,
        f"micromoment: {repo} already exists; name a new folder with --dir\n",
    )
    nothing = micromoment(repo, site, "pack", "sync")
    assert (nothing.returncode, nothing.stderr) == (0, "no git packs in the config: nothing to sync\n")
    outside = micromoment(tmp_path, site, "pack", "sync")
    assert (outside.returncode, outside.stderr) == (
        2,
        "micromoment: packs are synced into the git directory; run micromoment pack sync in a git repository\n",
    )
    # A URL that reads like an option is a URL to git, never a command it runs.
    planted = tmp_path / "ran"
    write(
        repo / ".micromoment/config.yaml",
        f"packs:\n  evil:\n    git: '--upload-pack=touch {planted}'\n    commit: {'a' * 40}\n",
    )
    refused = micromoment(repo, site, "pack", "sync")
    assert refused.returncode == 2 and refused.stderr.startswith("micromoment: git fetch -q failed: ")
    assert not planted.exists()
