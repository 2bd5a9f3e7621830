"""The trigger rules the gate applies: compiled patterns, no models.

The commit hook loads these on every commit, so this module needs only the standard library.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from micromoment.locations import CONFIG_FILE, HOME_DIR

if TYPE_CHECKING:
    from typing import Any

    from micromoment.checklists.answers import ItemRule

# pathspec marks a match that ends at a folder with this named group; it decides precedence.
_FOLDER_MARK = "ps_d"
# A named group, made plain to join patterns into one regex (compiled on first use, by re's cache).
_NAMED_GROUP = r"\(\?P<\w+>"

# Changing these changes what the gate asks for, so a change to them is itself reviewed.
POLICY_FILE = f"{HOME_DIR}/{CONFIG_FILE}"
POLICY_FOLDER = f"{HOME_DIR}/checklists/"


class Pattern(NamedTuple):
    """One compiled .gitignore-style pattern: pathspec's regex, and whether it includes or excludes."""

    regex: str
    include: bool


class ChecklistRule:
    """What triggers one checklist, and what a record of it must cite."""

    __slots__ = (
        "_lines",
        "_matcher",
        "_patterns",
        "content_hash",
        "detectors",
        "id",
        "items",
        "needles",
        "signoffs",
        "title",
        "version",
    )

    def __init__(
        self,
        id: str,
        title: str,
        version: str,
        content_hash: str,
        patterns: list[Pattern] | None,
        signoffs: int = 0,
        items: list[ItemRule] | None = None,
        needles: list[str] | None = None,
        lines: list[str] | None = None,
        detectors: list[str] | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.version = version
        self.content_hash = content_hash
        # None: compiled from `lines` (the patterns as written) when first asked for, which most
        # commits never do: the needles turn every path away.
        self._patterns = patterns
        self._lines = lines or []
        self.signoffs = signoffs
        # What a complete review of it must answer (checklists.answers): a record's own word
        # that it is complete is not enough.
        self.items: list[ItemRule] = items or []
        # Per include pattern, text every path it matches contains ("" when there is none to
        # name); None when not known. A path with none of them cannot match, and is turned away
        # without compiling a regex: most commits touch no file any checklist wants.
        self.needles = needles
        self._matcher: re.Pattern[str] | list[tuple[re.Pattern[str], bool]] | None = None
        # The content detectors (`applies_when`) whose findings in a change's lines call for it.
        self.detectors: list[str] = detectors or []

    @property
    def patterns(self) -> list[Pattern]:
        """The compiled patterns in file order; the last match wins, as in .gitignore."""
        if self._patterns is None:
            self._patterns = compile_patterns(self._lines)
        return self._patterns

    def matches(self, path: str) -> bool:
        """pathspec's GitIgnoreSpec rule, without importing pathspec on every commit: the last
        pattern that matches the path itself wins; a match only through a parent folder counts
        when no pattern matches the path itself."""
        if self.needles is not None and not any(needle in path for needle in self.needles):
            return False
        if not self.patterns:
            return False
        if self._matcher is None:
            self._matcher = self._compile()
        if isinstance(self._matcher, re.Pattern):
            return self._matcher.search(path) is not None
        verdict, strength = False, 0
        for pattern, include in reversed(self._matcher):
            found = pattern.search(path)
            if found is None:
                continue
            priority = 1 if found.groupdict().get(_FOLDER_MARK) else 2
            if priority > strength:
                verdict, strength = include, priority
            if priority == 2:
                break
        return verdict

    def _compile(self) -> re.Pattern[str] | list[tuple[re.Pattern[str], bool]]:
        if all(p.include for p in self.patterns):
            # Only positive patterns (the usual case): one combined regex, one search per path.
            return re.compile("|".join(_plain(p.regex) for p in self.patterns))
        return [(re.compile(p.regex), p.include) for p in self.patterns]

    def as_dict(self) -> dict[str, Any]:
        fields = {name: getattr(self, name) for name in self.__slots__ if not name.startswith("_")}
        return {**fields, "patterns": self.patterns}


class Rules:
    """Everything the gate needs from checklists and config: what triggers what, and what counts."""

    def __init__(
        self,
        checklists: list[ChecklistRule],
        reviews_dir: str,
        on_missing: str = "block",
        policy_checklist: str | None = None,
        require_signed_commits: bool = False,
        base_branch: str | None = None,
        complete: bool = True,
        detection: dict[str, Any] | None = None,
    ) -> None:
        self.checklists = checklists
        self.reviews_dir = normal_folder(reviews_dir)
        self.on_missing = on_missing
        self.policy_checklist = policy_checklist
        self.require_signed_commits = require_signed_commits
        self.base_branch = base_branch
        # False for rules read without validating (`policy.light_rules`): they tell what triggers
        # what, and leave out each checklist's title, version, content hash and items.
        self.complete = complete
        # The content detectors as `detect.table` gives them (plain data), None when none is on.
        self.detection = detection

    def as_dict(self) -> dict[str, Any]:
        return {
            "checklists": [c.as_dict() for c in self.checklists],
            "reviews_dir": self.reviews_dir,
            "on_missing": self.on_missing,
            "policy_checklist": self.policy_checklist,
            "require_signed_commits": self.require_signed_commits,
            "base_branch": self.base_branch,
            "detection": self.detection,
        }

    def rule(self, checklist_id: str) -> ChecklistRule | None:
        return next((c for c in self.checklists if c.id == checklist_id), None)


def rules_from_dict(data: Any) -> Rules | None:
    """Rules as `Rules.as_dict` gave them (the gate's memo); None for anything else."""
    from micromoment.checklists.answers import ItemRule

    try:
        checklists = [
            ChecklistRule(
                id=str(c["id"]),
                title=str(c["title"]),
                version=str(c["version"]),
                content_hash=str(c["content_hash"]),
                patterns=[Pattern(str(regex), bool(include)) for regex, include in c["patterns"]],
                signoffs=int(c["signoffs"]),
                items=[ItemRule(*item) for item in c["items"]],
                needles=None if c["needles"] is None else [str(n) for n in c["needles"]],
                detectors=[str(d) for d in c["detectors"]],
            )
            for c in data["checklists"]
        ]
        return Rules(
            checklists,
            str(data["reviews_dir"]),
            str(data["on_missing"]),
            data["policy_checklist"],
            bool(data["require_signed_commits"]),
            data["base_branch"],
            detection=data["detection"],
        )
    except (KeyError, TypeError, ValueError):
        return None


# Up to this many paths, each rule's needles sift them; beyond it one combined regex does.
FEW_PATHS = 64


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
    if len(candidates) > FEW_PATHS or any(rule.needles is None for rule in rules.checklists):
        # A path can only call for a checklist if one of its include patterns matches it: one
        # search against all of them together drops the (usually many) paths no rule can want,
        # after a cheaper search for any needle has dropped most of them. For a few paths each
        # rule's needles do that without compiling anything.
        has_needle = _any_needle(rules)
        if has_needle is not None:
            candidates = [p for p in candidates if has_needle.search(p)]
        could_match = _any_include(rules) if candidates else None
        candidates = [p for p in candidates if could_match.search(p)] if could_match else []
    found: dict[str, list[str]] = {}
    for rule in rules.checklists:
        hits = [path for path in candidates if rule.matches(path)]
        if rule.id == rules.policy_checklist and policy_changed:
            hits += [path for path in paths if is_policy_path(path)]
        if hits:
            found[rule.id] = hits
    return found


def _any_needle(rules: Rules) -> re.Pattern[str] | None:
    """A search for any include pattern's needle; None when some pattern has none to give."""
    needles: list[str] = []
    for rule in rules.checklists:
        if rule.needles is None:
            return None
        needles += rule.needles
    if not needles or not all(needles):
        return None
    return re.compile("|".join(re.escape(n) for n in sorted(set(needles))))


def _any_include(rules: Rules) -> re.Pattern[str] | None:
    regexes = [_plain(p.regex) for rule in rules.checklists for p in rule.patterns if p.include]
    return re.compile("|".join(regexes)) if regexes else None


def _plain(regex: str) -> str:
    """A pattern's regex as a group of its own, its named groups made plain so that many join into one."""
    return f"(?:{re.sub(_NAMED_GROUP, '(?:', regex)})"


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


def is_checklist_name(name: str) -> bool:
    """A file `checklists.checklist_files` loads: *.yaml or *.yml, not hidden."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith((".yaml", ".yml")) and not base.startswith(".")
