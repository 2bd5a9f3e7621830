"""Where the gate's rules come from: the checklists and config, compiled, and read at a commit.

A branch must not change the rules it is judged by, so `check --base` and the hook on a
branch read the config and checklists as they are at the merge-base, not in the work tree.
"""

from __future__ import annotations

import os

from micromoment.gate.rules import POLICY_FILE, POLICY_FOLDER, ChecklistRule, Pattern, Rules, normal_folder
from micromoment.locations import shipped_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from micromoment.checklists import Catalog
    from micromoment.config import Config
    from micromoment.git import Repo
    from micromoment.locations import Project


def patterns_for(checklist_id: str, own: list[str], config: Config) -> list[str]:
    """A checklist's trigger patterns after the config's replace / extend / switch-off."""
    policy = config.policy(checklist_id)
    if not policy.enabled:
        return []
    base = policy.applies_to if policy.applies_to is not None else own
    return [*base, *policy.also_applies_to]


def compile_patterns(patterns: list[str]) -> list[Pattern]:
    """.gitignore-style patterns as regexes; pathspec knows git's rules, the gate just matches."""
    return [Pattern(regex, include) for _, regex, include in _translated(patterns)]


def pattern_needles(patterns: list[str]) -> list[str]:
    """One needle per include pattern, in `compile_patterns`' order (see `glob_needle`)."""
    return [glob_needle(line) for line, _, include in _translated(patterns) if include]


def _translated(patterns: list[str]) -> list[tuple[str, str, bool]]:
    """(line, regex, include) for each pattern that is not a comment or blank.

    The regexes are pathspec's own for GitIgnoreSpec (its folder mark included), translated but
    not compiled: most commits match no path against them. Tests check the gate's matcher against
    pathspec.GitIgnoreSpec.match_file, so a pathspec release that changes them cannot go unnoticed."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    found = []
    for line in patterns:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
        if include is not None and regex is not None:
            found.append((line, str(regex), bool(include)))
    return found


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


MAX_POLICY_BYTES = 4 * 1024 * 1024  # the same limit the YAML reader applies to every file
# The config's defaults, as `config.Config` has them.
DEFAULT_REVIEWS_DIR = ".micromoment/reviews"
DEFAULT_POLICY_CHANGES = "team-review"
DEFAULT_CHECKLIST = "quick"  # the same as checklists.DEFAULT_CHECKLIST, which loads the model


def light_rules(files: dict[str, bytes] | None, checklists: bool = True) -> Rules | None:
    """What triggers each checklist, and the config's settings, read from the policy files' YAML
    without validating them: enough to tell that a change calls for nothing. With `checklists`
    False, only the config's settings (and no checklist rules): the config alone is read.

    The checklists' titles, versions, content hashes and items are left out (`complete` is
    False): anything triggered is judged by rules the full, validating path builds. None when a
    file does not read as the full path would accept, so that path names the problem.

    The patterns are compiled only when a path gets past their needles, taken from every line
    that is not a comment or blank: a few more needles than the include patterns give (those of
    `!` lines), which only lets a few more paths through to the regexes.
    """
    from micromoment.errors import MicromomentError
    from micromoment.yamlio import parse_yaml

    if files is None:
        return None
    try:
        config = parse_yaml(files[POLICY_FILE], POLICY_FILE).data if POLICY_FILE in files else {}
        if not checklists:
            return _light_rules_of(None, config) if isinstance(config, dict) else None
        own = _light_checklists({n: d for n, d in files.items() if n != POLICY_FILE}, parse_yaml)
        builtin = _light_checklists(_shipped_files(), parse_yaml)
        if own is None or builtin is None or not isinstance(config, dict):
            return None
        return _light_rules_of({**builtin, **own}, config)
    except (MicromomentError, LookupError, TypeError):  # TypeError: an id that is a list, say
        return None


def _shipped_files() -> dict[str, bytes]:
    folder = shipped_folder("checklists")
    files = {}
    for name in sorted(os.listdir(folder)):
        if _is_checklist_name(name):
            with open(os.path.join(folder, name), "rb") as handle:
                files[name] = handle.read()
    return files


def _is_checklist_name(name: str) -> bool:
    """A file `checklists.checklist_files` loads: *.yaml or *.yml, not hidden."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith((".yaml", ".yml")) and not base.startswith(".")


def _light_checklists(files: dict[str, bytes], parse_yaml: Any) -> dict[str, list[str]] | None:
    """Checklist id -> its own trigger patterns; None when a file is not a checklist as far as
    they go, or two files share an id."""
    found: dict[str, list[str]] = {}
    for name in sorted(files):
        if not _is_checklist_name(name):
            continue
        data = parse_yaml(files[name], name).data
        if not isinstance(data, dict):
            return None
        checklist_id, patterns = data.get("id"), data.get("applies_to", [])
        if not isinstance(checklist_id, str) or checklist_id in found or not _texts(patterns):
            return None
        found[checklist_id] = patterns
    return found


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _light_rules_of(own: dict[str, list[str]] | None, config: dict[str, Any]) -> Rules | None:
    """The rules from the checklists' own patterns (None: not read, so no checklist rules and
    no check of the ids the config names) and the config as YAML gives it."""
    policies = config.get("checklists", {})
    reviews_dir = config.get("reviews_dir", DEFAULT_REVIEWS_DIR)
    hook = config.get("hook", {})
    policy_changes = config.get("policy_changes", DEFAULT_POLICY_CHANGES)
    base_branch = config.get("base_branch")
    signed = config.get("require_signed_commits", False)
    default = config.get("default_checklist", DEFAULT_CHECKLIST)
    if not isinstance(policies, dict):
        return None
    known = set(own) if own is not None else {*policies, default, policy_changes}
    if not (
        set(policies) <= known
        and default in known
        and isinstance(reviews_dir, str)
        and _inside(reviews_dir)
        and isinstance(hook, dict)
        and hook.get("on_missing", "block") in ("block", "warn")
        and (policy_changes is None or policy_changes in known)
        and (base_branch is None or (isinstance(base_branch, str) and base_branch.strip()))
        and isinstance(signed, bool)
    ):
        return None
    checklists = []
    for checklist_id, own_patterns in sorted((own or {}).items()):
        policy = policies.get(checklist_id, {})
        patterns = _light_patterns(own_patterns, policy)
        if patterns is None:
            return None
        if not patterns and checklist_id != policy_changes:
            continue
        checklists.append(
            ChecklistRule(
                id=checklist_id,
                title=checklist_id,
                version="",
                content_hash="",
                patterns=None,
                signoffs=policy.get("signoffs", 0),
                needles=[glob_needle(line) for line in patterns if line and not line.startswith("#")],
                lines=patterns,
            )
        )
    return Rules(
        checklists=checklists,
        reviews_dir=reviews_dir,
        on_missing=hook.get("on_missing", "block"),
        policy_checklist=policy_changes if own is not None else None,
        require_signed_commits=signed,
        base_branch=base_branch,
        complete=False,
    )


def _inside(folder: str) -> bool:
    """`config.Config`'s rule for reviews_dir: a folder inside the repository."""
    path = folder.strip()
    return bool(normal_folder(path)) and not path.startswith("/") and ".." not in path.split("/")


def _light_patterns(own: list[str], policy: object) -> list[str] | None:
    """`patterns_for` over the config's entry as YAML gives it; None when it is not as expected."""
    if not isinstance(policy, dict):
        return None
    enabled = policy.get("enabled", True)
    replaced = policy.get("applies_to")
    added = policy.get("also_applies_to", [])
    signoffs = policy.get("signoffs", 0)
    if not (
        isinstance(enabled, bool)
        and (replaced is None or _texts(replaced))
        and _texts(added)
        and type(signoffs) is int
        and signoffs >= 0
    ):
        return None
    if not enabled:
        return []
    return [*(own if replaced is None else replaced), *added]


def worktree_rules(root: str, light: bool = False) -> Rules:
    """The rules as the work tree has them (before the first commit); `light`: as `light_rules`
    reads them when it can."""
    from pathlib import Path

    from micromoment.locations import Project

    if light:
        found = light_rules(_worktree_files(root))
        if found is not None:
            return found
    return build_rules(Project(Path(root)))


def worktree_settings(root: str) -> Rules:
    """The work tree's config settings (`base_branch`, `reviews_dir`), from the config alone when
    `light_rules` can read it, else from the full rules; no checklist rules come with them."""
    from micromoment.fileread import read_regular

    path = os.path.join(root, POLICY_FILE)
    data = read_regular(path, MAX_POLICY_BYTES) if os.path.lexists(path) else b""
    found = light_rules(
        {} if data == b"" else None if data is None else {POLICY_FILE: data}, checklists=False
    )
    return found if found is not None else worktree_rules(root)


def rules_at(repo: Repo, commit: str, light: bool = False) -> Rules:
    """The rules as `commit` has them: its config and checklists, with the built-ins of this install."""
    from micromoment.git import ls_tree

    return _rules_of(repo, commit, ls_tree(repo, commit, [POLICY_FILE, POLICY_FOLDER]), light)


def rules_staged(repo: Repo) -> Rules:
    """The rules as the index has them: what the gate would ask for once this change lands."""
    from micromoment.git import ls_index

    return _rules_of(repo, "the staged change", ls_index(repo, [POLICY_FILE, POLICY_FOLDER]), False)


def _rules_of(repo: Repo, commit: str, entries: list[tuple[str, str]], light: bool) -> Rules:
    from micromoment.git import read_objects

    blobs = read_objects(repo, [oid for _, oid in entries])
    files = {path: blobs.get(oid) or b"" for path, oid in entries if _is_policy_file(path)}
    if light:
        found = light_rules(files)
        if found is not None:
            return found
    return _build_at(commit, files)


def _is_policy_file(path: str) -> bool:
    """The config, or a file directly in the checklists folder (what the catalog reads)."""
    return path == POLICY_FILE or (path.startswith(POLICY_FOLDER) and "/" not in path[len(POLICY_FOLDER) :])


def _worktree_files(root: str) -> dict[str, bytes] | None:
    """The work tree's policy files by their path in the repository; None when one cannot be read
    as a plain file (the full path names why)."""
    from micromoment.fileread import read_regular

    folder = os.path.join(root, POLICY_FOLDER)
    names = [POLICY_FILE]
    if os.path.isdir(folder):
        names += [POLICY_FOLDER + name for name in os.listdir(folder) if _is_checklist_name(name)]
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
    import tempfile
    from pathlib import Path

    from micromoment.errors import FileProblems, Problem
    from micromoment.locations import Project

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
    from micromoment.gate.rules import triggered

    return triggered(rules_for(catalog, config), paths)
