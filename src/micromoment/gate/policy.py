"""Where the gate's rules come from: the checklists and config, compiled, and read at a commit.

A branch must not change the rules it is judged by, so `check --base` and the hook on a
branch read the config and checklists as the base branch's tip has them, not the work tree.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from micromoment.errors import FileProblems, Problem
from micromoment.fileread import read_regular
from micromoment.gate.light import light_rules, shipped_stamp
from micromoment.gate.rules import (
    POLICY_FILE,
    POLICY_FOLDER,
    ChecklistRule,
    Rules,
    compile_patterns,
    is_checklist_name,
    pattern_needles,
    rules_from_dict,
    triggered,
)
from micromoment.git import Repo, ls_index, ls_tree, read_objects
from micromoment.git.cachefile import MEMO_TAG, memo_path, read_cache, write_cache
from micromoment.locations import Project

if TYPE_CHECKING:
    from collections.abc import Callable

    from micromoment.checklists import Catalog
    from micromoment.config import Config


def patterns_for(checklist_id: str, own: list[str], config: Config) -> list[str]:
    """A checklist's trigger patterns after the config's replace / extend / switch-off."""
    policy = config.policy(checklist_id)
    if not policy.enabled:
        return []
    base = policy.applies_to if policy.applies_to is not None else own
    return [*base, *policy.also_applies_to]


def rules_for(catalog: Catalog, config: Config) -> Rules:
    from micromoment.checklists.answers import item_rule

    checklists = []
    for entry in catalog:
        checklist = entry.checklist
        patterns = patterns_for(checklist.id, checklist.applies_to, config)
        if not patterns and checklist.id != config.policy_changes:
            continue
        checklists.append(
            ChecklistRule(
                id=checklist.id,
                title=checklist.title,
                version=checklist.version,
                content_hash=checklist.content_hash(),
                patterns=compile_patterns(patterns) if patterns else [],
                signoffs=config.policy(checklist.id).signoffs,
                items=[item_rule(item) for item in checklist.items],
                needles=pattern_needles(patterns) if patterns else [],
            )
        )
    return Rules(
        checklists=checklists,
        reviews_dir=config.reviews_dir,
        on_missing=config.hook.on_missing,
        policy_checklist=config.policy_changes if config.policy_changes in catalog else None,
        require_signed_commits=config.require_signed_commits,
        base_branch=config.base_branch,
    )


def build_rules(project: Project) -> Rules:
    from micromoment.checklists import load_catalog
    from micromoment.config import load_config

    catalog = load_catalog(project)
    return rules_for(catalog, load_config(project, catalog))


MAX_POLICY_BYTES = 4 * 1024 * 1024  # the same limit the YAML reader applies to every file


def worktree_rules(root: str, light: bool = False) -> Rules:
    """The rules as the work tree has them (before the first commit); `light`: as `light_rules`
    reads them when it can."""
    if light:
        found = light_rules(lambda: _worktree_files(root), _git_dir_of(root), _worktree_stamps(root))
        if found is not None:
            return found
    from pathlib import Path  # the full path only: the hook's light one has no use for pathlib

    return build_rules(Project(Path(root)))


def rules_at(repo: Repo, commit: str, light: bool = False) -> Rules:
    """The rules as `commit` has them: its config and checklists, with the built-ins of this install."""
    return _rules_of(repo, commit, _policy_entries(repo, commit), light)


def _policy_entries(repo: Repo, commit: str) -> list[tuple[str, str]]:
    """The policy files' blob ids at `commit`, asked of git once a process: the light rules and,
    when a record must be judged, the full ones are both taken from them."""
    key = (repo.root, commit)
    if key not in _ENTRIES:
        _ENTRIES[key] = ls_tree(repo, commit, [POLICY_FILE, POLICY_FOLDER])
    return _ENTRIES[key]


_ENTRIES: dict[tuple[str, str], list[tuple[str, str]]] = {}


def rules_staged(repo: Repo) -> Rules:
    """The rules as the index has them: what the gate would ask for once this change lands."""
    return _rules_of(repo, "the staged change", ls_index(repo, [POLICY_FILE, POLICY_FOLDER]), False)


def _rules_of(repo: Repo, commit: str, entries: list[tuple[str, str]], light: bool) -> Rules:
    entries = [(path, oid) for path, oid in entries if _is_policy_file(path)]
    inputs = [f"{path} {oid}" for path, oid in entries]

    def files() -> dict[str, bytes]:
        blobs = read_objects(repo, [oid for _, oid in entries])
        return {path: blobs.get(oid) or b"" for path, oid in entries}

    if light:
        found = light_rules(files, repo.git_dir, inputs)
        if found is not None:
            return found
    return _remembered_full(repo.git_dir, inputs, lambda: _build_at(commit, files()))


# Full rules kept in the memo: as many sets as light readings.
FULL_MEMO_LIMIT = 32


def _remembered_full(git_dir: str | None, inputs: list[str], build: Callable[[], Rules]) -> Rules:
    """The validated rules built from these inputs, from the gate's memo when they were built
    before: a record on a branch is judged without loading the models that check the policy."""
    path = memo_path(git_dir)
    key = "\n".join([*inputs, *shipped_stamp()])
    remembered = read_cache(path, MEMO_TAG, "rules")
    found = rules_from_dict(remembered.get(key))
    if found is not None:
        return found
    built = build()  # a problem in the policy is raised here, and never remembered
    if path is not None:
        kept = dict(list(remembered.items())[-(FULL_MEMO_LIMIT - 1) :])
        write_cache(path, MEMO_TAG, "rules", {**kept, key: built.as_dict()})
    return built


def _worktree_stamps(root: str) -> list[str]:
    """The work tree's policy files by name, size and time: what the memo of their read is kept under."""
    stamps = ["work tree"]
    for name in _worktree_names(root):
        try:
            info = os.stat(os.path.join(root, name))
        except OSError:
            continue
        stamps.append(f"{name} {info.st_size} {info.st_mtime_ns}")
    return stamps


def _git_dir_of(root: str) -> str | None:
    """The work tree's git directory when it is the plain `.git` folder (a worktree or a
    submodule, whose `.git` is a file, keeps no memo of its work tree's policy)."""
    folder = os.path.join(root, ".git")
    return folder if os.path.isdir(folder) else None


def _is_policy_file(path: str) -> bool:
    """The config, or a file directly in the checklists folder (what the catalog reads)."""
    return path == POLICY_FILE or (path.startswith(POLICY_FOLDER) and "/" not in path[len(POLICY_FOLDER) :])


def _worktree_names(root: str) -> list[str]:
    folder = os.path.join(root, POLICY_FOLDER)
    names = [POLICY_FILE]
    if os.path.isdir(folder):
        names += [POLICY_FOLDER + name for name in sorted(os.listdir(folder)) if is_checklist_name(name)]
    return names


def _worktree_files(root: str) -> dict[str, bytes] | None:
    """The work tree's policy files by their path in the repository; None when one cannot be read
    as a plain file (the full path names why)."""
    files: dict[str, bytes] = {}
    for name in _worktree_names(root):
        full = os.path.join(root, name)
        if not os.path.lexists(full):
            continue
        data = read_regular(full, MAX_POLICY_BYTES)
        if data is None:
            return None
        files[name] = data
    return files


def _build_at(commit: str, files: dict[str, bytes]) -> Rules:
    """Lay the commit's policy files out in a scratch folder and load them the usual way."""
    import tempfile  # the full path only, like pathlib
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="micromoment-policy-") as scratch:
        root = Path(scratch)
        for path, data in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            return build_rules(Project(root))
        except FileProblems as exc:
            shown = commit[:12] if " " not in commit else commit
            prefix = str(root) + os.sep
            raise FileProblems(
                [
                    Problem(
                        f"{shown}:{p.path[len(prefix) :]}" if p.path.startswith(prefix) else p.path,
                        p.line,
                        p.column,
                        p.where,
                        f"{p.message} (the gate reads the policy as the base has it; fix it there)",
                    )
                    for p in exc.problems
                ]
            ) from None


def checklists_called_for(catalog: Catalog, config: Config, paths: list[str]) -> dict[str, list[str]]:
    """Checklist id -> the paths that call for it, by the same rule as the gate's."""
    return triggered(rules_for(catalog, config), paths)
