"""Which checklists a change calls for: each checklist's applies_to, as the config adjusts it, compiled for the gate."""

from __future__ import annotations

import re
from collections.abc import Iterable

from micromoment.checklists import Catalog, load_catalog
from micromoment.config import Config, load_config
from micromoment.gate import ChecklistRule, Rules
from micromoment.locations import Project

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


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
    # Named groups are pathspec's bookkeeping; dropping them lets the gate join patterns into one regex.
    return [
        (_NAMED_GROUP.sub("(?:", p.regex.pattern), bool(p.include))
        for p in spec.patterns
        if p.include is not None and p.regex is not None
    ]


def rules_for(catalog: Catalog, config: Config) -> Rules:
    checklists = []
    for entry in catalog:
        checklist = entry.checklist
        patterns = patterns_for(checklist.id, checklist.applies_to, config)
        if not patterns:
            continue
        checklists.append(
            ChecklistRule(
                id=checklist.id,
                title=checklist.title,
                version=checklist.version,
                content_hash=checklist.content_hash(),
                patterns=compile_patterns(patterns),
                signoffs=config.policy(checklist.id).signoffs,
            )
        )
    return Rules(
        checklists=checklists, reviews_dir=config.reviews_dir.strip("/"), on_missing=config.hook.on_missing
    )


def build_rules(project: Project) -> Rules:
    catalog = load_catalog(project)
    return rules_for(catalog, load_config(project, catalog))


def triggered(catalog: Catalog, config: Config, paths: Iterable[str]) -> dict[str, list[str]]:
    """Checklist id -> the paths that call for it (the same rule as the gate's)."""
    from micromoment.gate import triggering_paths

    rules = rules_for(catalog, config)
    candidates = triggering_paths(rules, list(paths))
    found = {}
    for rule in rules.checklists:
        hits = [path for path in candidates if rule.matches(path)]
        if hits:
            found[rule.id] = hits
    return found
