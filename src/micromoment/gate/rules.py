"""The trigger rules the gate applies: compiled patterns, no models.

The commit hook loads these on every commit, so this module needs only the standard library.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from micromoment.detect.table import detection_table
from micromoment.locations import CONFIG_FILE, HOME_DIR

if TYPE_CHECKING:
    from micromoment.checklists.answers import ItemRule
    from micromoment.config import Config

# pathspec marks a match that ends at a folder with this named group; it decides precedence.
_FOLDER_MARK = "ps_d"

# Changing these changes what the gate asks for, so a change to them is itself reviewed.
POLICY_FILE = f"{HOME_DIR}/{CONFIG_FILE}"
POLICY_FOLDER = f"{HOME_DIR}/checklists/"


class Pattern(NamedTuple):
    """One compiled .gitignore-style pattern: pathspec's regex, and whether it includes or excludes."""

    regex: str
    include: bool


class ChecklistRule(NamedTuple):
    """What triggers one checklist, and what a record of it must cite."""

    id: str
    # The trigger patterns as written, .gitignore style; the last match wins.
    lines: list[str]
    signoffs: int = 0
    title: str = ""
    version: str = ""
    content_hash: str = ""
    # What a complete review of it must answer (checklists.answers): a record's own word that it
    # is complete is not enough.
    items: list[ItemRule] | None = None
    # The content detectors (`applies_when`) whose findings in a change's lines call for it.
    detectors: list[str] = []  # noqa: RUF012 (a tuple's default, never changed)

    @property
    def patterns(self) -> list[Pattern]:
        """The patterns compiled, once a process (or once ever: the memo keeps them)."""
        key = tuple(self.lines)
        if key not in _COMPILED:
            _COMPILED[key] = compile_patterns(self.lines)
        return _COMPILED[key]

    @property
    def needles(self) -> list[str]:
        """Text every path a pattern matches contains ("" when there is none): a path with none
        is turned away without a regex, as most commits touch no file any checklist wants."""
        return _needles(tuple(self.lines))

    def matching(self, paths: list[str], together: str) -> list[str]:
        """The paths it matches, `together` being them all on one line each: a needle found in
        none of them is not looked for in each (5,000 staged files mostly hold none)."""
        needles = [needle for needle in self.needles if needle in together]
        if not needles:
            return []
        return [path for path in paths if any(n in path for n in needles) and self._matches(path)]

    def matches(self, path: str) -> bool:
        return any(needle in path for needle in self.needles) and self._matches(path)

    def _matches(self, path: str) -> bool:
        """pathspec's GitIgnoreSpec rule, without importing pathspec on every commit: the last
        pattern that matches the path itself wins; a match only through a parent folder counts
        when no pattern matches the path itself."""
        verdict, strength = False, 0
        for regex, include in reversed(self.patterns):
            found = re.search(regex, path)  # compiled on first use, by re's cache
            if found is None:
                continue
            priority = 1 if found.groupdict().get(_FOLDER_MARK) else 2
            if priority > strength:
                verdict, strength = include, priority
            if priority == 2:
                break
        return verdict


# Patterns as written -> compiled: a rule is compiled once however often it is built.
_COMPILED: dict[tuple[str, ...], list[Pattern]] = {}


@lru_cache
def _needles(lines: tuple[str, ...]) -> list[str]:
    return [glob_needle(line) for line in lines if line and not line.startswith("#")]


class Rules(NamedTuple):
    """Everything the gate needs from checklists and config: what triggers what, and what counts."""

    checklists: list[ChecklistRule]
    reviews_dir: str  # as git names it (`normal_folder`)
    on_missing: str = "block"
    policy_checklist: str | None = None
    require_signed_commits: bool = False
    base_branch: str | None = None
    # The content detectors as `detect.table` gives them (plain data); None when none is on.
    detection: dict[str, Any] | None = None
    # The packs the config pins (`packs:` as plain data); None when it names none.
    packs: dict[str, Any] | None = None

    def compiled(self) -> list[object]:
        """What the gate does by these rules: two policies that differ only in comments or
        layout give the same."""
        checklists = [
            (c.id, c.signoffs, c.title, c.version, c.content_hash, c.items, c.patterns, c.detectors)
            for c in self.checklists
        ]
        return [*self[1:], checklists]


def rules_from_policy(
    own: dict[str, list[str]], config: Config, when: dict[str, list[str]] | None = None
) -> Rules:
    """The rules from each checklist's own patterns (and detectors, `when`) and the validated
    config: the config replaces, extends or switches off each checklist's patterns and detectors,
    and a checklist left with none is left out, unless policy changes call for it."""
    overrides = {d: policy.model_dump() for d, policy in config.detectors.items()}
    switched_off = {d for d, policy in config.detectors.items() if not policy.enabled}
    checklists = []
    for checklist_id, own_lines in sorted(own.items()):
        policy = config.checklists.get(checklist_id)
        lines = own_lines if policy is None or policy.applies_to is None else policy.applies_to
        chosen = policy.applies_when if policy is not None else None
        detectors = [
            d
            for d in ((when or {}).get(checklist_id, []) if chosen is None else chosen)
            if d not in switched_off
        ]
        if policy is not None:
            lines, detectors = ([*lines, *policy.also_applies_to], detectors) if policy.enabled else ([], [])
        if lines or detectors or checklist_id == config.policy_changes:
            checklists.append(
                ChecklistRule(checklist_id, lines, policy.signoffs if policy else 0, detectors=detectors)
            )
    return Rules(
        checklists,
        normal_folder(config.reviews_dir),
        config.hook.on_missing,
        config.policy_changes if config.policy_changes in own else None,
        config.require_signed_commits,
        config.base_branch,
        detection_table(overrides, {d for c in checklists for d in c.detectors}),
        {name: pin.model_dump() for name, pin in config.packs.items()} if config.packs is not None else None,
    )


def memo_of(rules: Rules) -> list[Any]:
    """The rules as the gate's memo keeps them (JSON), with each checklist's compiled patterns
    when they are known, so that reading them back never needs pathspec."""
    return [rules, [_COMPILED.get(tuple(c.lines)) for c in rules.checklists]]


def rules_from_memo(data: Any) -> Rules | None:
    """Rules as `memo_of` gave them; None for anything else."""
    try:
        kept, compiled = data
        checklists = [ChecklistRule(*c)._replace(items=c[6] and _item_rules(c[6])) for c in kept[0]]
        for rule, patterns in zip(checklists, compiled, strict=True):
            if patterns is not None:
                _COMPILED.setdefault(tuple(rule.lines), [Pattern(*p) for p in patterns])
        return Rules(checklists, *kept[1:])
    except (LookupError, TypeError, ValueError):
        return None


def _item_rules(items: list[Any]) -> list[ItemRule]:
    from micromoment.checklists.answers import ItemRule  # only for rules that judge records

    return [ItemRule(*item) for item in items]


def normal_folder(folder: str) -> str:
    """A configured folder as git names it: `./x/` and `x` are both `x`."""
    parts = [part for part in folder.replace("\\", "/").split("/") if part not in ("", ".")]
    return "/".join(parts)


# Who is who for sign-offs: the gate reads it from the base, so changing it changes the policy.
MAILMAP = ".mailmap"


def is_policy_path(path: str) -> bool:
    return path in (POLICY_FILE, MAILMAP) or path.startswith(POLICY_FOLDER)


def triggering_paths(rules: Rules, paths: list[str]) -> list[str]:
    """The paths that may trigger a checklist: micromoment's own files and records never do."""
    own = (HOME_DIR + "/", rules.reviews_dir + "/")
    return [p for p in paths if not p.startswith(own)]


def triggered(rules: Rules, paths: list[str], policy_changed: bool = False) -> dict[str, list[str]]:
    """Checklist id -> the paths that call for it, in the rules' order.

    A change to what the gate asks for (the config and checklists, as compiled) calls for the
    policy checklist, so that whoever changes it has a named reviewer.
    """
    candidates = triggering_paths(rules, paths)
    together = "\n".join(candidates)
    found: dict[str, list[str]] = {}
    for rule in rules.checklists:
        hits = rule.matching(candidates, together)
        if rule.id == rules.policy_checklist and policy_changed:
            hits += [path for path in paths if is_policy_path(path)]
        if hits:
            found[rule.id] = hits
    return found


def compile_patterns(patterns: list[str]) -> list[Pattern]:
    """.gitignore-style patterns as regexes, leaving out comments and blanks; pathspec knows
    git's rules, the gate just matches.

    The regexes are pathspec's own for GitIgnoreSpec (its folder mark included), translated but
    not compiled: most commits match no path against them. Tests check the gate's matcher against
    pathspec.GitIgnoreSpec.match_file, so a pathspec release that changes them cannot go unnoticed."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    found = []
    for line in patterns:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
        if include is not None and regex is not None:
            found.append(Pattern(str(regex), bool(include)))
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
