"""Which checklists a change calls for: changed paths matched against each checklist's applies_to."""

from __future__ import annotations

from collections.abc import Iterable

from micromoment.checklists import Catalog
from micromoment.config import Config


def patterns_for(checklist_id: str, own: list[str], config: Config) -> list[str]:
    """A checklist's trigger patterns after the config's replace / extend / switch-off."""
    policy = config.policy(checklist_id)
    if not policy.enabled:
        return []
    base = policy.applies_to if policy.applies_to is not None else own
    return [*base, *policy.also_applies_to]


def triggered(catalog: Catalog, config: Config, paths: Iterable[str]) -> dict[str, list[str]]:
    """Checklist id -> the changed paths that call for it, in catalog order."""
    import pathspec

    paths = list(paths)
    found: dict[str, list[str]] = {}
    for entry in catalog:
        patterns = patterns_for(entry.checklist.id, entry.checklist.applies_to, config)
        if not patterns or not paths:
            continue
        spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        hits = [path for path in paths if spec.match_file(path)]
        if hits:
            found[entry.checklist.id] = hits
    return found
