"""Where the gate's rules come from: the checklists and config, read at a commit, validated,
and remembered in the gate's memo, so that a commit whose policy has not changed reads no YAML
and loads no model (the first commit after a policy change pays for the full read, once). The
packs installed and synced count as policy too: the memo's key names them.

The memo (`micromoment.memo`) keeps the rules read from a set of policy files under their blob
ids; the packs found and the records' verdicts (`seen`) have sections of their own.

A branch must not change the rules it is judged by, so `check --base` and the hook on a
branch read the config and checklists as the base branch's tip has them, not the work tree.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from micromoment import __version__
from micromoment.checklists.packs import Pack, found_packs, pin_problem
from micromoment.detect.table import RULES_FILE
from micromoment.errors import FileProblems, MicromomentError
from micromoment.gate.rules import (
    POLICY_FILE,
    POLICY_FOLDER,
    Rules,
    memo_of,
    rules_from_memo,
    rules_from_policy,
    triggered,
)
from micromoment.git import Repo
from micromoment.git.objects import ls_index, ls_tree, read_objects
from micromoment.locations import HOME_DIR, Project, is_checklist_name, shipped_folder
from micromoment.memo import read_memo, stamps, write_memo

if TYPE_CHECKING:
    from collections.abc import Callable

    from micromoment.checklists import Catalog
    from micromoment.config import Config


def rules_for(catalog: Catalog, config: Config) -> Rules:
    """The rules from the validated checklists and config, with what a record of each must cite."""
    from micromoment.checklists.answers import item_rule

    rules = rules_from_policy(
        {e.checklist.id: e.checklist.applies_to for e in catalog},
        config,
        {e.checklist.id: e.checklist.applies_when for e in catalog},
    )
    for index, rule in enumerate(rules.checklists):
        checklist = catalog.get(rule.id)
        rules.checklists[index] = rule._replace(
            title=checklist.title,
            version=checklist.version,
            content_hash=checklist.content_hash(),
            items=[item_rule(item) for item in checklist.items],
        )
    return rules


def _build(root: str, packs: list[Pack] | None = None) -> Rules:
    """The rules of the policy files under `root` and the packs, validated."""
    from pathlib import Path  # only when the policy is read: a commit the memo answers never needs it

    from micromoment.checklists import load_catalog
    from micromoment.config import load_config

    project = Project(Path(root))
    catalog = load_catalog(project, packs)
    return rules_for(catalog, load_config(project, catalog))


def worktree_rules(root: str) -> Rules:
    """The rules as the work tree has them (before the first commit)."""
    names = [POLICY_FILE, *(POLICY_FOLDER + n for n in _checklist_names(os.path.join(root, POLICY_FOLDER)))]
    # Kept under their sizes and times; only a plain `.git` folder keeps a memo of the work
    # tree's policy (a worktree or a submodule, whose `.git` is a file, does not).
    inputs = ["work tree", *stamps(root, names)]
    git_dir = os.path.join(root, ".git")
    return _remembered(git_dir if os.path.isdir(git_dir) else None, inputs, lambda packs: _build(root, packs))


def rules_at(repo: Repo, commit: str) -> Rules:
    """The rules as `commit` has them: its config and checklists, with the built-ins of this install."""
    if commit == repo.head_when_found and repo.home_tree is not None:
        # HEAD's `.micromoment` folder, by its id, stands for every policy file in it: its files
        # are listed (and read) only when the memo does not know that folder yet.
        home = f"{HOME_DIR} {repo.home_tree or 'none'}"
        return _remembered(
            repo.git_dir, [home], lambda _packs: _rules_of(repo, commit, _listed(repo, commit))
        )
    return _rules_of(repo, commit, _listed(repo, commit))


def _listed(repo: Repo, commit: str) -> list[tuple[str, str]]:
    key = (repo.root, commit)
    if key not in _ENTRIES:  # asked of git once a process
        _ENTRIES[key] = ls_tree(repo, commit, [POLICY_FILE, POLICY_FOLDER])
    return _ENTRIES[key]


_ENTRIES: dict[tuple[str, str], list[tuple[str, str]]] = {}


def rules_staged(repo: Repo) -> Rules:
    """The rules as the index has them: what the gate would ask for once this change lands."""
    return _rules_of(repo, "the staged change", ls_index(repo, [POLICY_FILE, POLICY_FOLDER]))


def _rules_of(repo: Repo, commit: str, entries: list[tuple[str, str]]) -> Rules:
    # The config, or a file directly in the checklists folder (what the catalog reads).
    entries = [
        (path, oid)
        for path, oid in entries
        if path == POLICY_FILE or (path.startswith(POLICY_FOLDER) and "/" not in path[len(POLICY_FOLDER) :])
    ]

    def build(packs: list[Pack]) -> Rules:
        blobs = read_objects(repo, [oid for _, oid in entries])
        return _build_at(commit, {path: blobs.get(oid) or b"" for path, oid in entries}, packs)

    return _remembered(repo.git_dir, [f"{path} {oid}" for path, oid in entries], build)


def _remembered(git_dir: str | None, inputs: list[str], build: Callable[[list[Pack]], Rules]) -> Rules:
    """The rules from one set of policy files (`inputs` name them: blob ids, or sizes and times in
    the work tree) and the packs found: from the memo, else built by `build`, and remembered."""
    packs = found_packs(git_dir)
    key = "\n".join([*inputs, *shipped_stamp(packs)])
    remembered = read_memo(git_dir, "rules")
    found = rules_from_memo(remembered.get(key))
    if found is not None:
        return found
    found = build(packs)  # a problem in the policy is raised here, and never remembered
    for rule in found.checklists:
        rule.patterns  # noqa: B018 (compiled now, so that the memo spares pathspec's import)
    if git_dir is not None:
        kept = dict(list(remembered.items())[-(MEMO_LIMIT - 1) :])
        write_memo(git_dir, "rules", {**kept, key: memo_of(found)})
    return found


# Sets of rules kept in the memo: a few branches' worth, the oldest dropped first.
MEMO_LIMIT = 32


def pinned(rules: Rules, git_dir: str | None) -> Rules:
    """The rules the gate judges by, refused when the packs found are not those they pin, so
    that a laptop and CI judge alike (the rules a change is compared with are not refused)."""
    problem = pin_problem(rules.packs, found_packs(git_dir)) if rules.packs is not None else None
    if problem:
        raise MicromomentError(problem)
    return rules


def shipped_stamp(packs: list[Pack]) -> list[str]:
    """This install's own checklists and detector rules, and the packs', as the memo's key needs them: micromoment's
    version, each pack's, and each file's name, size and time (an editable install changes them
    without a new version)."""
    found = [__version__, *stamps("", [RULES_FILE])]
    for folder, label in [(shipped_folder("checklists"), ""), *((p.folder, p.label) for p in packs)]:
        found += [f"{label} {folder}", *stamps(folder, _checklist_names(folder))]
    return found


def _checklist_names(folder: str) -> list[str]:
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return [name for name in names if is_checklist_name(name)]


def _build_at(commit: str, files: dict[str, bytes], packs: list[Pack] | None = None) -> Rules:
    """Lay the commit's policy files out in a scratch folder and load them the usual way."""
    import tempfile  # only when the policy is read, as above
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="micromoment-policy-") as scratch:
        root = Path(scratch)
        for path, data in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            return _build(scratch, packs)
        except FileProblems as exc:
            # Each problem named at the commit (`abc123def456:.micromoment/config.yaml`), not the scratch folder.
            at = f"{commit[:12] if ' ' not in commit else commit}:"
            because = " (the gate reads the policy as the base has it; fix it there)"
            named = [
                p._replace(path=p.path.replace(scratch + os.sep, at, 1), message=p.message + because)
                for p in exc.problems
            ]
            raise FileProblems(named) from None


def checklists_called_for(catalog: Catalog, config: Config, paths: list[str]) -> dict[str, list[str]]:
    """Checklist id -> the paths that call for it, by the same rule as the gate's."""
    return triggered(rules_for(catalog, config), paths)
