"""The gate's rules read lightly: each checklist's trigger patterns and the config's settings,
from the policy files' YAML without the models, which is all a commit that triggers nothing needs."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from micromoment import __version__
from micromoment.errors import MicromomentError
from micromoment.gate.rules import (
    POLICY_FILE,
    ChecklistRule,
    Rules,
    glob_needle,
    is_checklist_name,
    normal_folder,
)
from micromoment.git.cachefile import MEMO_TAG, memo_path, read_cache, write_cache
from micromoment.locations import shipped_folder

if TYPE_CHECKING:
    from collections.abc import Callable

# The config's defaults, as `config.Config` has them.
DEFAULT_REVIEWS_DIR = ".micromoment/reviews"
DEFAULT_POLICY_CHANGES = "team-review"
DEFAULT_CHECKLIST = "quick"  # the same as checklists.DEFAULT_CHECKLIST, which loads the model
# The keys `checklists.Checklist` and `config.Config` accept (a test holds them equal): a file
# with any other is refused by the full path, which names it.
CHECKLIST_FIELDS = frozenset({"id", "title", "version", "description", "applies_to", "items"})
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
    }
)
POLICY_FIELDS = frozenset({"enabled", "applies_to", "also_applies_to", "signoffs"})


def light_rules(
    files: Callable[[], dict[str, bytes] | None], git_dir: str | None, inputs: list[str]
) -> Rules | None:
    """What triggers each checklist, and the config's settings, read from the policy files' YAML
    without validating them: enough to tell that a change calls for nothing.

    The checklists' titles, versions, content hashes and items are left out (`complete` is
    False): anything triggered is judged by rules the full, validating path builds. None when a
    file does not read as the full path would accept, so that path names the problem.

    What was read is kept in the gate's memo under `inputs` (the policy files' blob ids, or
    their sizes and times in the work tree) with this install's own checklists: a commit whose
    policy has not changed reads no YAML at all, and loads no YAML reader.

    The patterns are compiled only when a path gets past their needles, taken from every line
    that is not a comment or blank: a few more needles than the include patterns give (those of
    `!` lines), which only lets a few more paths through to the regexes.
    """
    path = memo_path(git_dir)
    key = "\n".join([*inputs, *shipped_stamp()])
    remembered = read_cache(path, MEMO_TAG, "policy")
    known = remembered.get(key)
    if isinstance(known, dict):
        return _light_rules_of(known.get("own"), known.get("config"))
    read = _light_read(files())
    if read is None:
        return None
    if path is not None:
        kept = dict(list(remembered.items())[-(POLICY_MEMO_LIMIT - 1) :])
        write_cache(path, MEMO_TAG, "policy", {**kept, key: read})
    return _light_rules_of(read["own"], read["config"])


# Policy reads kept in the memo: a few branches' worth, the oldest dropped first.
POLICY_MEMO_LIMIT = 32


def _light_read(files: dict[str, bytes] | None) -> dict[str, Any] | None:
    """The checklists' own patterns and the config, as plain data; None when a file does not
    read as the full path would accept it (or as JSON could keep it)."""
    from micromoment.yamlio import parse_yaml  # only when the policy changed since it was last read

    if files is None:
        return None
    try:
        config = parse_yaml(files[POLICY_FILE], POLICY_FILE).data if POLICY_FILE in files else {}
        own = _light_checklists({n: d for n, d in files.items() if n != POLICY_FILE}, parse_yaml)
        builtin = _shipped_checklists(parse_yaml)
        if own is None or builtin is None or not _known_keys(config, CONFIG_FIELDS):
            return None
        read = {"own": {**builtin, **own}, "config": config}
        json.dumps(read)  # a date in the config, say: the full path judges it
        return read
    except (MicromomentError, LookupError, TypeError, ValueError):  # TypeError: an id that is a list
        return None


def shipped_stamp() -> list[str]:
    """This install's own checklists as the memo's key needs them: micromoment's version and
    each file's name, size and time (an editable install changes them without a new version)."""
    folder = shipped_folder("checklists")
    stamp = [__version__]
    for name in sorted(os.listdir(folder)):
        if is_checklist_name(name):
            info = os.stat(os.path.join(folder, name))
            stamp.append(f"{name} {info.st_size} {info.st_mtime_ns}")
    return stamp


def _shipped_checklists(parse_yaml: Any) -> dict[str, list[str]] | None:
    """The built-in checklists' own patterns, read once a process: they are the install's own
    files, and the hook on a branch reads both the work tree's policy and the base's."""
    if not _SHIPPED:
        folder = shipped_folder("checklists")
        files = {}
        for name in sorted(os.listdir(folder)):
            if is_checklist_name(name):
                with open(os.path.join(folder, name), "rb") as handle:
                    files[name] = handle.read()
        _SHIPPED.append(_light_checklists(files, parse_yaml))
    return _SHIPPED[0]


_SHIPPED: list[dict[str, list[str]] | None] = []


def _known_keys(data: object, fields: frozenset[str]) -> bool:
    """A mapping with no key the strict model would refuse as unknown."""
    return isinstance(data, dict) and all(isinstance(key, str) and key in fields for key in data)


def _light_checklists(files: dict[str, bytes], parse_yaml: Any) -> dict[str, list[str]] | None:
    """Checklist id -> its own trigger patterns; None when a file is not a checklist as far as
    they go, or two files share an id."""
    found: dict[str, list[str]] = {}
    for name in sorted(files):
        if not is_checklist_name(name):
            continue
        data = parse_yaml(files[name], name).data
        if not _known_keys(data, CHECKLIST_FIELDS):
            return None
        checklist_id, patterns = data.get("id"), data.get("applies_to", [])
        if not isinstance(checklist_id, str) or checklist_id in found or not _texts(patterns):
            return None
        found[checklist_id] = patterns
    return found


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _light_rules_of(own: Any, config: Any) -> Rules | None:
    """The rules from the checklists' own patterns and the config as YAML gives it."""
    if not isinstance(own, dict) or not all(_texts(v) or v == [] for v in own.values()):
        return None
    if not _known_keys(config, CONFIG_FIELDS):
        return None
    policies = config.get("checklists", {})
    reviews_dir = config.get("reviews_dir", DEFAULT_REVIEWS_DIR)
    hook = config.get("hook", {})
    policy_changes = config.get("policy_changes", DEFAULT_POLICY_CHANGES)
    base_branch = config.get("base_branch")
    signed = config.get("require_signed_commits", False)
    default = config.get("default_checklist", DEFAULT_CHECKLIST)
    if not isinstance(policies, dict):
        return None
    known = set(own)
    if not (
        set(policies) <= known
        and default in known
        and isinstance(reviews_dir, str)
        and _inside(reviews_dir)
        and _known_keys(hook, frozenset({"on_missing"}))
        and hook.get("on_missing", "block") in ("block", "warn")
        and (policy_changes is None or policy_changes in known)
        and (base_branch is None or (isinstance(base_branch, str) and base_branch.strip()))
        and isinstance(signed, bool)
    ):
        return None
    checklists = []
    for checklist_id, own_patterns in sorted(own.items()):
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
        policy_checklist=policy_changes,
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
    if not _known_keys(policy, POLICY_FIELDS):
        return None
    assert isinstance(policy, dict)
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
