"""Where the gate's rules come from: the checklists and config, read at a commit, lightly
(the policy files' YAML without the models, all a commit that triggers nothing needs) or
validated, and remembered in the gate's memo (`gate.memo`) under their blob ids, this
install's checklists and the packs found.

A branch must not change the rules it is judged by, so `check --base` and the hook on a
branch read the config and checklists as the base branch's tip has them, not the work tree.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from micromoment.checklists.packs import Pack, pin_problem
from micromoment.detect.table import plain_detectors
from micromoment.errors import FileProblems, MicromomentError
from micromoment.fileread import read_regular
from micromoment.gate.memo import (
    checklist_names,
    file_stamps,
    found_packs,
    read_memo,
    shipped_stamp,
    write_memo,
)
from micromoment.gate.rules import (
    DEFAULT_POLICY_CHANGES,
    DEFAULT_REVIEWS_DIR,
    POLICY_FILE,
    POLICY_FOLDER,
    Rules,
    memo_of,
    normal_folder,
    rules_from_memo,
    rules_from_policy,
    triggered,
)
from micromoment.git import Repo
from micromoment.git.objects import ls_index, ls_tree, read_objects
from micromoment.limits import MAX_YAML_BYTES
from micromoment.locations import Project, is_checklist_name, shipped_folder

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeGuard

    from micromoment.checklists import Catalog
    from micromoment.config import Config


def rules_for(catalog: Catalog, config: Config) -> Rules:
    """The rules from the validated checklists and config, with what a record of each must cite."""
    from micromoment.checklists.answers import item_rule

    rules = rules_from_policy(
        {e.checklist.id: e.checklist.applies_to for e in catalog},
        config.model_dump(),
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
    from pathlib import Path  # the full path only: the hook's light one has no use for pathlib

    from micromoment.checklists import load_catalog
    from micromoment.config import load_config

    project = Project(Path(root))
    catalog = load_catalog(project, packs)
    return rules_for(catalog, load_config(project, catalog))


def worktree_rules(root: str, light: bool = False) -> Rules:
    """The rules as the work tree has them (before the first commit); `light`: as `light_rules`
    reads them when it can."""
    names = [POLICY_FILE, *(POLICY_FOLDER + n for n in checklist_names(os.path.join(root, POLICY_FOLDER)))]
    # Kept under their sizes and times; only a plain `.git` folder keeps a memo of the work
    # tree's policy (a worktree or a submodule, whose `.git` is a file, does not).
    stamps = ["work tree", *file_stamps(root, names)]
    git_dir = os.path.join(root, ".git")
    return _remembered(
        git_dir if os.path.isdir(git_dir) else None,
        stamps,
        lambda: _worktree_files(root, names),
        lambda packs: _build(root, packs),
        light,
    )


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
    return _remembered(repo.git_dir, inputs, files, lambda packs: _build_at(commit, files(), packs), light)


def _remembered(
    git_dir: str | None,
    inputs: list[str],
    files: Callable[[], dict[str, bytes] | None],
    build: Callable[[list[Pack]], Rules],
    light: bool,
) -> Rules:
    """The rules from one set of policy files (`inputs` name them: blob ids, or sizes and times in
    the work tree) and the packs found: from the memo, so that a commit whose policy has not
    changed reads no YAML and loads no model; else read lightly (`light`) or built by `build`,
    and remembered."""
    packs = found_packs(git_dir)
    key = "\n".join([*inputs, *shipped_stamp(packs)])
    remembered = read_memo(git_dir, "rules")
    found = rules_from_memo(remembered.get(key))
    if found is None or not (light or found.complete):
        found = light_rules(files(), packs) if light else None
        if found is None:
            found = build(packs)  # a problem in the policy is raised here, and never remembered
            for rule in found.checklists:
                rule.patterns  # noqa: B018 (compiled now, so that the memo spares pathspec's import)
        if git_dir is not None:
            kept = dict(list(remembered.items())[-(MEMO_LIMIT - 1) :])
            write_memo(git_dir, "rules", {**kept, key: memo_of(found)})
    return found


def pinned(rules: Rules, git_dir: str | None) -> Rules:
    """The rules the gate judges by, refused when the packs found are not those they pin, so
    that a laptop and CI judge alike (the rules a change is compared with are not refused)."""
    problem = pin_problem(rules.packs, found_packs(git_dir)) if rules.packs is not None else None
    if problem:
        raise MicromomentError(problem)
    return rules


# Sets of rules kept in the memo: a few branches' worth, the oldest dropped first.
MEMO_LIMIT = 32


def _worktree_files(root: str, names: list[str]) -> dict[str, bytes] | None:
    """The work tree's policy files by their path in the repository; None when one cannot be read
    as a plain file (the full path names why)."""
    files: dict[str, bytes] = {}
    for name in names:
        full = os.path.join(root, name)
        if not os.path.lexists(full):
            continue
        data = read_regular(full, MAX_YAML_BYTES)
        if data is None:
            return None
        files[name] = data
    return files


def _build_at(commit: str, files: dict[str, bytes], packs: list[Pack] | None = None) -> Rules:
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


DEFAULT_CHECKLIST = "quick"  # the same as checklists.DEFAULT_CHECKLIST, which loads the model
# The keys `checklists.Checklist` and `config.Config` accept (a test holds them equal): a file
# with any other is refused by the full path, which names it.
CHECKLIST_FIELDS = frozenset({"id", "title", "version", "description", "applies_to", "applies_when", "items"})
CONFIG_FIELDS = frozenset(
    {
        "version",
        "default_checklist",
        "reviews_dir",
        "checklists",
        "hook",
        "policy_changes",
        "require_signed_commits",
        "base_branch",
        "samples",
        "detectors",
        "packs",
    }
)
POLICY_FIELDS = frozenset({"enabled", "applies_to", "also_applies_to", "signoffs", "applies_when"})


def light_rules(files: dict[str, bytes] | None, packs: list[Pack] | None = None) -> Rules | None:
    """What triggers each checklist, and the config's settings, from the policy files' YAML
    unvalidated: enough to tell that a change calls for nothing (`complete` is False; anything
    triggered is judged by the full rules). None when a file does not read as the full path
    would accept, so that path names the problem."""
    from micromoment.yamlio import parse_yaml  # only when the policy changed since it was last read

    if files is None:
        return None
    try:
        config = parse_yaml(files[POLICY_FILE], POLICY_FILE).data if POLICY_FILE in files else {}
        own = _light_checklists({n: d for n, d in files.items() if n != POLICY_FILE})
        builtin = _shipped_checklists(tuple(pack.folder for pack in packs or []))
        if own is None or builtin is None or not _plausible({**builtin, **own}, config):
            return None
        json.dumps(config)  # a date in the config, say: the full path judges it
        both = {**builtin, **own}
        return rules_from_policy(
            {k: v[0] for k, v in both.items()}, config, {k: v[1] for k, v in both.items()}
        )
    except (MicromomentError, LookupError, TypeError, ValueError):  # TypeError: an id that is a list
        return None


@lru_cache(maxsize=2)
def _shipped_checklists(pack_folders: tuple[str, ...]) -> dict[str, tuple[list[str], list[str]]] | None:
    """The built-in checklists' own patterns, replaced by the packs' (two packs offering one id:
    None, so that the full path names both), read once a process: they are the install's own
    files, and the hook on a branch reads both the work tree's policy and the base's."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for folders in ((shipped_folder("checklists"),), pack_folders):
        paths = [os.path.join(folder, name) for folder in folders for name in checklist_names(folder)]
        read = _light_checklists({path: read_regular(path, MAX_YAML_BYTES) or b"" for path in paths})
        if read is None:
            return None
        found |= read
    return found


def _known_keys(data: object, fields: frozenset[str]) -> TypeGuard[dict[str, Any]]:
    """A mapping with no key the strict model would refuse as unknown."""
    return isinstance(data, dict) and all(isinstance(key, str) and key in fields for key in data)


def _light_checklists(files: dict[str, bytes]) -> dict[str, tuple[list[str], list[str]]] | None:
    """Checklist id -> its own trigger patterns and detectors; None when a file is not a checklist
    as far as they go, or two files share an id."""
    from micromoment.yamlio import parse_yaml

    found: dict[str, tuple[list[str], list[str]]] = {}
    for name in sorted(files):
        if not is_checklist_name(name):
            continue
        data = parse_yaml(files[name], name).data
        if not _known_keys(data, CHECKLIST_FIELDS):
            return None
        checklist_id, patterns = data.get("id"), data.get("applies_to", [])
        when = data.get("applies_when", [])
        if (
            not isinstance(checklist_id, str)
            or checklist_id in found
            or not _texts(patterns)
            or not _texts(when)
        ):
            return None
        found[checklist_id] = (patterns, when)
    return found


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _plausible(own: dict[str, Any], config: Any) -> bool:
    """Whether the config, as YAML gives it, holds nothing `config.Config` would refuse that
    the rules depend on."""
    if not _known_keys(config, CONFIG_FIELDS):
        return False
    policies, hook = config.get("checklists", {}), config.get("hook", {})
    reviews_dir = config.get("reviews_dir", DEFAULT_REVIEWS_DIR)
    policy_changes = config.get("policy_changes", DEFAULT_POLICY_CHANGES)
    base_branch = config.get("base_branch")
    return (
        isinstance(policies, dict)
        and set(policies) <= set(own)
        and all(_plausible_policy(policy) for policy in policies.values())
        and config.get("default_checklist", DEFAULT_CHECKLIST) in own
        # `config.Config`'s rule for reviews_dir: a folder inside the repository.
        and isinstance(reviews_dir, str)
        and bool(normal_folder(reviews_dir.strip()))
        and not reviews_dir.strip().startswith("/")
        and ".." not in reviews_dir.strip().split("/")
        and _known_keys(hook, frozenset({"on_missing"}))
        and hook.get("on_missing", "block") in ("block", "warn")
        and (policy_changes is None or policy_changes in own)
        and (base_branch is None or (isinstance(base_branch, str) and bool(base_branch.strip())))
        and isinstance(config.get("require_signed_commits", False), bool)
        and plain_detectors(config.get("detectors", {}))
        and "packs" not in config  # pins are judged by the full path, and then remembered
    )


def _plausible_policy(policy: object) -> bool:
    """A checklist's entry in the config, as `config.ChecklistPolicy` would take it."""
    if not _known_keys(policy, POLICY_FIELDS):
        return False
    replaced, signoffs = policy.get("applies_to"), policy.get("signoffs", 0)
    return (
        isinstance(policy.get("enabled", True), bool)
        and (replaced is None or _texts(replaced))
        and _texts(policy.get("also_applies_to", []))
        and type(signoffs) is int
        and signoffs >= 0
        and (policy.get("applies_when") is None or _texts(policy["applies_when"]))
    )


def checklists_called_for(catalog: Catalog, config: Config, paths: list[str]) -> dict[str, list[str]]:
    """Checklist id -> the paths that call for it, by the same rule as the gate's."""
    return triggered(rules_for(catalog, config), paths)
