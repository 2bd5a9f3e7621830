"""The gate's rules read lightly: each checklist's trigger patterns and the config's settings,
from the policy files' YAML without the models, which is all a commit that triggers nothing needs."""

from __future__ import annotations

import json
import os
from typing import Any

from micromoment.errors import MicromomentError
from micromoment.gate.rules import (
    DEFAULT_POLICY_CHANGES,
    DEFAULT_REVIEWS_DIR,
    POLICY_FILE,
    Rules,
    is_checklist_name,
    normal_folder,
    rules_from_policy,
)
from micromoment.locations import shipped_folder

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


def light_rules(files: dict[str, bytes] | None) -> Rules | None:
    """What triggers each checklist, and the config's settings, read from the policy files' YAML
    without validating them: enough to tell that a change calls for nothing.

    The checklists' titles, versions, content hashes and items are left out (`complete` is
    False): anything triggered is judged by rules the full, validating path builds. None when a
    file does not read as the full path would accept, so that path names the problem.
    """
    from micromoment.yamlio import parse_yaml  # only when the policy changed since it was last read

    if files is None:
        return None
    try:
        config = parse_yaml(files[POLICY_FILE], POLICY_FILE).data if POLICY_FILE in files else {}
        own = _light_checklists({n: d for n, d in files.items() if n != POLICY_FILE}, parse_yaml)
        builtin = _shipped_checklists(parse_yaml)
        if own is None or builtin is None or not _plausible({**builtin, **own}, config):
            return None
        json.dumps(config)  # a date in the config, say: the full path judges it
        return rules_from_policy({**builtin, **own}, config)
    except (MicromomentError, LookupError, TypeError, ValueError):  # TypeError: an id that is a list
        return None


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


def _plausible(own: dict[str, list[str]], config: Any) -> bool:
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
        and isinstance(reviews_dir, str)
        and _inside(reviews_dir)
        and _known_keys(hook, frozenset({"on_missing"}))
        and hook.get("on_missing", "block") in ("block", "warn")
        and (policy_changes is None or policy_changes in own)
        and (base_branch is None or (isinstance(base_branch, str) and bool(base_branch.strip())))
        and isinstance(config.get("require_signed_commits", False), bool)
    )


def _inside(folder: str) -> bool:
    """`config.Config`'s rule for reviews_dir: a folder inside the repository."""
    path = folder.strip()
    return bool(normal_folder(path)) and not path.startswith("/") and ".." not in path.split("/")


def _plausible_policy(policy: object) -> bool:
    """A checklist's entry in the config, as `config.ChecklistPolicy` would take it."""
    if not _known_keys(policy, POLICY_FIELDS):
        return False
    assert isinstance(policy, dict)
    replaced, signoffs = policy.get("applies_to"), policy.get("signoffs", 0)
    return (
        isinstance(policy.get("enabled", True), bool)
        and (replaced is None or _texts(replaced))
        and _texts(policy.get("also_applies_to", []))
        and type(signoffs) is int
        and signoffs >= 0
    )
