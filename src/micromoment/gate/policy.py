"""Where the gate's rules come from: the checklists and config, compiled, cached, and read at a commit.

A branch must not change the rules it is judged by, so `check --base` and the hook on a
branch read the config and checklists as they are at the merge-base, not in the work tree.
"""

from __future__ import annotations

import json
import os

from micromoment import __version__
from micromoment.gate.rules import POLICY_FILE, POLICY_FOLDER, RULES_FORMAT, ChecklistRule, Rules
from micromoment.git.cachefile import read_cache, sha256_hex, write_cache
from micromoment.locations import CONFIG_FILE, HOME_DIR, shipped_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from micromoment.checklists import Catalog
    from micromoment.config import Config
    from micromoment.git import Repo
    from micromoment.locations import Project

CACHE_ENTRIES = 8


def patterns_for(checklist_id: str, own: list[str], config: Config) -> list[str]:
    """A checklist's trigger patterns after the config's replace / extend / switch-off."""
    policy = config.policy(checklist_id)
    if not policy.enabled:
        return []
    base = policy.applies_to if policy.applies_to is not None else own
    return [*base, *policy.also_applies_to]


def compile_patterns(patterns: list[str]) -> list[tuple[str, bool]]:
    """.gitignore-style patterns as (regex, include) pairs; pathspec knows git's rules, the gate just matches."""
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    # The regexes are pathspec's own (its folder mark included); tests check the gate's matcher
    # against pathspec.match_file, so a pathspec release that changes them cannot go unnoticed.
    return [
        (p.regex.pattern, bool(p.include))
        for p in spec.patterns
        if p.include is not None and p.regex is not None
    ]


def pattern_needles(patterns: list[str]) -> list[str]:
    """One needle per include pattern, in `compile_patterns`' order (see `glob_needle`)."""
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return [glob_needle(str(p.pattern)) for p in spec.patterns if p.include and p.regex is not None]


# What ends a run of plain text in a .gitignore-style pattern.
_GLOB_BREAKS = frozenset("*?/\\[] \t!")


def glob_needle(pattern: str) -> str:
    """The longest run of plain text in an include pattern: every path it matches contains it
    ("" when there is no such run).

    Only text outside any `[...]` counts: the part before the first `[` and after the last `]`
    (text between them may sit inside a class). Wildcards, slashes, spaces (git strips trailing
    ones), `!` and backslashes end a run; a character a backslash escapes is plain text, or
    ends a run itself. So a run is always literal text, never more than the pattern demands."""
    first, last = pattern.find("["), pattern.rfind("]")
    outside = [pattern] if first < 0 else [pattern[:first], pattern[last + 1 :] if last > first else ""]
    runs: list[str] = []
    for part in outside:
        run = ""
        for char in part:
            if char in _GLOB_BREAKS:
                runs.append(run)
                run = ""
            else:
                run += char
        runs.append(run)
    return max(runs, key=len)


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


def _shipped_stamp() -> list[Any]:
    """The built-in checklists' names, times and sizes: taken once a process (they are the
    install's own files; the hook needs them twice)."""
    if not _SHIPPED:
        folder = shipped_folder("checklists")
        try:
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                info = entry.stat()
                _SHIPPED.append([entry.name, info.st_mtime_ns, info.st_size])
        except OSError:
            _SHIPPED[:] = [[folder, None]]
    return _SHIPPED


_SHIPPED: list[Any] = []


def _file_stamp(paths: list[str]) -> list[Any]:
    stamp: list[Any] = []
    for path in paths:
        try:
            info = os.stat(path)
            stamp.append([path, info.st_mtime_ns, info.st_size])
        except OSError:
            stamp.append([path, None])
    return stamp


class RulesCache:
    """Compiled rules under the git directory, keyed by exactly what they were built from.

    Any problem reading it (missing, damaged, another format) only means building the rules again.
    """

    def __init__(self, git_dir: str) -> None:
        self.path = os.path.join(git_dir, "micromoment", "rules.json")
        self.entries = _read_once(self.path)

    @staticmethod
    def key(stamp: list[Any]) -> str:
        return sha256_hex(json.dumps(stamp, sort_keys=True).encode())

    def get(self, key: str) -> Rules | None:
        return Rules.from_dict(self.entries.get(key))

    def put(self, key: str, rules: Rules) -> None:
        entries = {k: v for k, v in self.entries.items() if k != key}
        kept = dict(list(entries.items())[-(CACHE_ENTRIES - 1) :])
        kept[key] = rules.as_dict()
        if write_cache(self.path, [RULES_FORMAT, __version__], "entries", kept):
            self.entries = kept


# The cache as last read in this process, by its file's identity: one commit's hook asks it twice
# (the work tree's rules, then the policy commit's), and reads the file once.
_LAST_READ: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def _read_once(path: str) -> dict[str, Any]:
    try:
        info = os.stat(path)
    except OSError:
        return {}
    identity = (info.st_ino, info.st_mtime_ns, info.st_size)
    known = _LAST_READ.get(path)
    if known is not None and known[0] == identity:
        return known[1]
    entries = read_cache(path, [RULES_FORMAT, __version__], "entries", 16 * 1024 * 1024)
    _LAST_READ[path] = (identity, entries)
    return entries


def worktree_rules(root: str, git_dir: str) -> Rules:
    """The rules as the work tree has them (before the first commit, and for `base_branch`)."""
    home = os.path.join(root, HOME_DIR)
    own = os.path.join(home, "checklists")
    try:
        files = sorted(entry.path for entry in os.scandir(own))
    except OSError:
        files = []
    stamp = ["worktree", _shipped_stamp(), _file_stamp([os.path.join(home, CONFIG_FILE), own, *files])]
    cache = RulesCache(git_dir)
    key = cache.key(stamp)
    rules = cache.get(key)
    if rules is None:
        from pathlib import Path

        from micromoment.locations import Project

        rules = build_rules(Project(Path(root)))
        cache.put(key, rules)
    return rules


def rules_at(repo: Repo, commit: str) -> Rules:
    """The rules as `commit` has them: its config and checklists, with the built-ins of this install."""
    entries = _policy_files_at(repo, commit)
    stamp = ["commit", _shipped_stamp(), sorted(entries)]
    cache = RulesCache(repo.git_dir)
    key = cache.key(stamp)
    rules = cache.get(key)
    if rules is None:
        rules = _build_at(repo, commit, entries)
        cache.put(key, rules)
    return rules


def _policy_files_at(repo: Repo, commit: str) -> list[tuple[str, str]]:
    """(path, blob id) of the policy files at `commit`; remembered by commit id when that is what
    `commit` is, since a commit's files never change."""
    from micromoment.git import ls_tree
    from micromoment.git.memo import Memo

    is_id = len(commit) in (40, 64) and all(c in "0123456789abcdef" for c in commit)
    memo = Memo(repo.git_dir) if is_id else None
    known = memo.get("policy-files", commit) if memo else None
    if isinstance(known, list) and all(isinstance(e, list) and len(e) == 2 for e in known):
        return [(str(path), str(oid)) for path, oid in known]
    entries = ls_tree(repo, commit, [POLICY_FILE, POLICY_FOLDER])
    if memo:
        memo.put("policy-files", commit, [list(entry) for entry in entries])
    return entries


def rules_staged(repo: Repo) -> Rules:
    """The rules as the index has them: what the gate would ask for once this change lands."""
    from micromoment.git import ls_index

    return _build_at(repo, "the staged change", ls_index(repo, [POLICY_FILE, POLICY_FOLDER]))


def _build_at(repo: Repo, commit: str, entries: list[tuple[str, str]]) -> Rules:
    """Lay the commit's policy files out in a scratch folder and load them the usual way."""
    import tempfile
    from pathlib import Path

    from micromoment.errors import FileProblems, Problem
    from micromoment.git import read_objects
    from micromoment.locations import Project

    blobs = read_objects(repo, [oid for _, oid in entries])
    with tempfile.TemporaryDirectory(prefix="micromoment-policy-") as scratch:
        root = Path(scratch)
        for path, oid in entries:
            if path == POLICY_FILE or (
                path.startswith(POLICY_FOLDER) and "/" not in path[len(POLICY_FOLDER) :]
            ):
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blobs.get(oid) or b"")
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
    from micromoment.gate.rules import triggered

    return triggered(rules_for(catalog, config), paths)
