"""Where the gate's rules come from: the checklists and config, compiled, and read at a commit.

A branch must not change the rules it is judged by, so `check --base` and the hook on a
branch read the config and checklists as the base branch's tip has them, not the work tree.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from micromoment import __version__
from micromoment.errors import FileProblems, Problem
from micromoment.fileread import read_regular
from micromoment.gate.light import light_rules
from micromoment.gate.rules import (
    POLICY_FILE,
    POLICY_FOLDER,
    Rules,
    is_checklist_name,
    memo_of,
    rules_from_memo,
    rules_from_policy,
    triggered,
)
from micromoment.git import Repo, ls_index, ls_tree, read_objects
from micromoment.git.cachefile import MEMO_TAG, memo_path, read_cache, write_cache
from micromoment.locations import Project, shipped_folder

if TYPE_CHECKING:
    from collections.abc import Callable

    from micromoment.checklists import Catalog
    from micromoment.config import Config


def rules_for(catalog: Catalog, config: Config) -> Rules:
    """The rules from the validated checklists and config, with what a record of each must cite."""
    from micromoment.checklists.answers import item_rule

    own = {entry.checklist.id: entry.checklist.applies_to for entry in catalog}
    rules = rules_from_policy(own, config.model_dump())
    checklists = [catalog.get(rule.id) for rule in rules.checklists]
    return rules._replace(
        checklists=[
            rule._replace(
                title=checklist.title,
                version=checklist.version,
                content_hash=checklist.content_hash(),
                items=[item_rule(item) for item in checklist.items],
            )
            for rule, checklist in zip(rules.checklists, checklists, strict=True)
        ]
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
    names = [POLICY_FILE]
    folder = os.path.join(root, POLICY_FOLDER)
    if os.path.isdir(folder):
        names += [POLICY_FOLDER + name for name in sorted(os.listdir(folder)) if is_checklist_name(name)]
    # Kept under their sizes and times; only a plain `.git` folder keeps a memo of the work
    # tree's policy (a worktree or a submodule, whose `.git` is a file, does not).
    stamps = ["work tree", *_stamps(root, names)]
    git_dir = os.path.join(root, ".git")
    return _remembered(
        git_dir if os.path.isdir(git_dir) else None,
        stamps,
        lambda: _worktree_files(root, names),
        lambda: _build_worktree(root),
        light,
    )


def _build_worktree(root: str) -> Rules:
    from pathlib import Path  # the full path only: the hook's light one has no use for pathlib

    return build_rules(Project(Path(root)))


def rules_at(repo: Repo, commit: str, light: bool = False) -> Rules:
    """The rules as `commit` has them: its config and checklists, with the built-ins of this install."""
    key = (repo.root, commit)
    if key not in _ENTRIES:  # asked of git once a process: the light rules and the full ones share them
        _ENTRIES[key] = ls_tree(repo, commit, [POLICY_FILE, POLICY_FOLDER])
    return _rules_of(repo, commit, _ENTRIES[key], light)


_ENTRIES: dict[tuple[str, str], list[tuple[str, str]]] = {}


def rules_staged(repo: Repo) -> Rules:
    """The rules as the index has them: what the gate would ask for once this change lands."""
    return _rules_of(repo, "the staged change", ls_index(repo, [POLICY_FILE, POLICY_FOLDER]), False)


def _rules_of(repo: Repo, commit: str, entries: list[tuple[str, str]], light: bool) -> Rules:
    # The config, or a file directly in the checklists folder (what the catalog reads).
    entries = [
        (path, oid)
        for path, oid in entries
        if path == POLICY_FILE or (path.startswith(POLICY_FOLDER) and "/" not in path[len(POLICY_FOLDER) :])
    ]

    def files() -> dict[str, bytes]:
        blobs = read_objects(repo, [oid for _, oid in entries])
        return {path: blobs.get(oid) or b"" for path, oid in entries}

    inputs = [f"{path} {oid}" for path, oid in entries]
    return _remembered(repo.git_dir, inputs, files, lambda: _build_at(commit, files()), light)


def _remembered(
    git_dir: str | None,
    inputs: list[str],
    files: Callable[[], dict[str, bytes] | None],
    build: Callable[[], Rules],
    light: bool,
) -> Rules:
    """The rules from one set of policy files (`inputs` name them: blob ids, or sizes and times in
    the work tree): from the gate's memo when it has them; else read lightly (`light`, and the
    files read plainly) or built by `build`, validating, and remembered.

    A commit whose policy has not changed reads no YAML and loads no model; a record on a branch
    is judged without loading the models that check the policy."""
    path, key = memo_path(git_dir), "\n".join([*inputs, *_shipped_stamp()])
    remembered = read_cache(path, MEMO_TAG, "rules")
    found = rules_from_memo(remembered.get(key))
    if found is not None and (light or found.complete):
        return found
    found = light_rules(files()) if light else None
    if found is None:
        found = build()  # a problem in the policy is raised here, and never remembered
        for rule in found.checklists:
            rule.patterns  # noqa: B018 (compiled now, so that the memo spares pathspec's import)
    if path is not None:
        kept = dict(list(remembered.items())[-(MEMO_LIMIT - 1) :])
        write_cache(path, MEMO_TAG, "rules", {**kept, key: memo_of(found)})
    return found


# Sets of rules kept in the memo: a few branches' worth, the oldest dropped first.
MEMO_LIMIT = 32


def _shipped_stamp() -> list[str]:
    """This install's own checklists as the memo's key needs them: micromoment's version and
    each file's name, size and time (an editable install changes them without a new version)."""
    folder = shipped_folder("checklists")
    names = [name for name in sorted(os.listdir(folder)) if is_checklist_name(name)]
    return [__version__, *_stamps(folder, names)]


def _stamps(root: str, names: list[str]) -> list[str]:
    stamps = []
    for name in names:
        try:
            info = os.stat(os.path.join(root, name))
        except OSError:
            continue
        stamps.append(f"{name} {info.st_size} {info.st_mtime_ns}")
    return stamps


def _worktree_files(root: str, names: list[str]) -> dict[str, bytes] | None:
    """The work tree's policy files by their path in the repository; None when one cannot be read
    as a plain file (the full path names why)."""
    files: dict[str, bytes] = {}
    for name in names:
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
    import tempfile  # the full path only: the hook's light one has no use for it
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
