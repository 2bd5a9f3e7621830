"""The gate: which checklists a change triggers, and whether records in the same change cover them.

Light on purpose: the commit hook runs this on every commit, so it needs only the standard
library (no dataclasses, typing or pathlib, which cost more to import than the work itself);
YAML is imported only when record files in the change must be read. The rules it applies
come from the checklists and config, compiled once and cached under the git directory.
"""

from __future__ import annotations

import json
import os
import re

from micromoment import __version__
from micromoment.locations import CONFIG_FILE, HOME_DIR, shipped_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

RULES_FORMAT = 2


class ChecklistRule:
    """What triggers one checklist, and what a record of it must cite."""

    __slots__ = ("_matcher", "content_hash", "id", "patterns", "signoffs", "title", "version")

    def __init__(
        self,
        id: str,
        title: str,
        version: str,
        content_hash: str,
        patterns: list[tuple[str, bool]],
        signoffs: int = 0,
    ) -> None:
        self.id = id
        self.title = title
        self.version = version
        self.content_hash = content_hash
        self.patterns = patterns  # (regex, include) in file order; the last match wins, as in .gitignore
        self.signoffs = signoffs
        self._matcher: re.Pattern[str] | list[tuple[re.Pattern[str], bool]] | None = None

    def matches(self, path: str) -> bool:
        if self._matcher is None:
            self._matcher = self._compile()
        if isinstance(self._matcher, re.Pattern):
            return self._matcher.match(path) is not None
        verdict = False
        for pattern, include in self._matcher:
            if pattern.match(path):
                verdict = include
        return verdict

    def _compile(self) -> re.Pattern[str] | list[tuple[re.Pattern[str], bool]]:
        if all(include for _, include in self.patterns):
            # Only positive patterns (the usual case): one combined regex, one match per path.
            return re.compile("|".join(f"(?:{regex})" for regex, _ in self.patterns))
        return [(re.compile(regex), include) for regex, include in self.patterns]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if not name.startswith("_")}


class Rules:
    """Everything the gate needs from checklists and config, in a form that loads in a blink."""

    __slots__ = ("checklists", "on_missing", "reviews_dir")

    def __init__(self, checklists: list[ChecklistRule], reviews_dir: str, on_missing: str = "block") -> None:
        self.checklists = checklists
        self.reviews_dir = reviews_dir.strip("/")
        self.on_missing = on_missing

    def to_json(self, stamp: list[Any]) -> str:
        rules = {
            "checklists": [c.as_dict() for c in self.checklists],
            "reviews_dir": self.reviews_dir,
            "on_missing": self.on_missing,
        }
        return json.dumps({"format": RULES_FORMAT, "stamp": stamp, "rules": rules}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, stamp: list[Any]) -> Rules | None:
        """The cached rules, or None when they were made from other files or another version."""
        try:
            data = json.loads(text)
            if data.get("format") != RULES_FORMAT or data.get("stamp") != stamp:
                return None
            raw = data["rules"]
            checklists = [
                ChecklistRule(**{**c, "patterns": [(regex, include) for regex, include in c["patterns"]]})
                for c in raw["checklists"]
            ]
            return cls(checklists=checklists, reviews_dir=raw["reviews_dir"], on_missing=raw["on_missing"])
        except (ValueError, KeyError, TypeError):
            return None


def rules_stamp(files: list[str], folders: list[str]) -> list[Any]:
    """What the cached rules were built from: version, and size and time of every input file."""
    stamp: list[Any] = [__version__]
    candidates = list(files)
    for folder in folders:
        try:
            candidates += sorted(entry.path for entry in os.scandir(folder))
        except OSError:
            stamp.append([folder, None])
    for path in candidates:
        try:
            info = os.stat(path)
            stamp.append([path, info.st_mtime_ns, info.st_size])
        except OSError:
            stamp.append([path, None])
    return stamp


def cached_rules(root: str, git_dir: str) -> Rules:
    """The trigger rules from the cache when its inputs are unchanged; rebuilt (the slow way) otherwise."""
    home = os.path.join(root, HOME_DIR)
    stamp = rules_stamp(
        [os.path.join(home, CONFIG_FILE)], [shipped_folder("checklists"), os.path.join(home, "checklists")]
    )
    cache = os.path.join(git_dir, "micromoment", "rules.json")
    try:
        with open(cache, encoding="utf-8") as handle:
            rules = Rules.from_json(handle.read(), stamp)
    except OSError:
        rules = None
    if rules is None:
        from pathlib import Path

        from micromoment.files import write_atomic
        from micromoment.locations import Project
        from micromoment.triggers import build_rules

        rules = build_rules(Project(Path(root)))
        write_atomic(Path(cache), rules.to_json(stamp) + "\n")
    return rules


class SeenRecord:
    """A review or skip record found in the change, read leniently: the gate needs only a few fields."""

    __slots__ = ("author", "checklist_id", "complete", "content_hash", "kind", "path", "reason", "signoffs")

    def __init__(
        self,
        path: str,
        kind: str,
        checklist_id: str,
        content_hash: str = "",
        complete: bool = False,
        signoffs: int = 0,
        reason: str = "",
        author: str = "",
    ) -> None:
        self.path = path
        self.author = author
        self.kind = kind
        self.checklist_id = checklist_id
        self.content_hash = content_hash
        self.complete = complete
        self.signoffs = signoffs
        self.reason = reason


class Verdict:
    """One triggered checklist: what triggered it, and what (if anything) covers it."""

    __slots__ = ("paths", "record", "rule", "waiting_for_signoffs")

    def __init__(self, rule: ChecklistRule, paths: list[str]) -> None:
        self.rule = rule
        self.paths = paths
        self.record: SeenRecord | None = None
        self.waiting_for_signoffs: SeenRecord | None = None

    @property
    def covered(self) -> bool:
        return self.record is not None

    @property
    def outdated(self) -> bool:
        return bool(
            self.record
            and self.record.kind == "review"
            and self.record.content_hash != self.rule.content_hash
        )


def is_record_path(rules: Rules, path: str) -> bool:
    prefix = rules.reviews_dir + "/"
    return path.startswith(prefix) and "/" not in path[len(prefix) :] and path.endswith((".yaml", ".yml"))


def triggering_paths(rules: Rules, paths: list[str]) -> list[str]:
    # micromoment's own files and the records never call for a review of themselves.
    own = (HOME_DIR + "/", rules.reviews_dir + "/")
    return [p for p in paths if not p.startswith(own)]


def evaluate(
    rules: Rules,
    changed: list[str],
    read: Callable[[list[str]], Mapping[str, bytes]],
    whole_change: Callable[[], list[str]] | None = None,
) -> list[Verdict]:
    """Per triggered checklist: the paths that triggered it, and the record in the change that covers it.

    Records are looked for in `whole_change()` (default: `changed`), asked for only when
    something was triggered, so the common case costs no more git calls.
    """
    candidates = triggering_paths(rules, changed)
    verdicts = []
    for rule in rules.checklists:
        hits = [path for path in candidates if rule.matches(path)]
        if hits:
            verdicts.append(Verdict(rule, hits))
    if not verdicts:
        return []
    everything = whole_change() if whole_change else changed
    records = parse_records(read([p for p in everything if is_record_path(rules, p)]))
    for verdict in verdicts:
        for record in records:
            if record.checklist_id != verdict.rule.id:
                continue
            if record.kind == "skip" or (record.complete and record.signoffs >= verdict.rule.signoffs):
                if verdict.record is None or (
                    verdict.outdated and record.content_hash == verdict.rule.content_hash
                ):
                    verdict.record = record
            elif record.complete:
                verdict.waiting_for_signoffs = record
    return verdicts


def parse_records(blobs: Mapping[str, bytes]) -> list[SeenRecord]:
    if not blobs:
        return []
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    seen = []
    for path, blob in sorted(blobs.items()):
        try:
            data = yaml.load(blob, Loader=loader)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("checklist"), dict):
            continue
        checklist = data["checklist"]
        signoffs = data.get("signoffs") or []
        seen.append(
            SeenRecord(
                path=path,
                kind=str(data.get("kind", "")),
                checklist_id=str(checklist.get("id", "")),
                content_hash=str(checklist.get("content_hash", "")),
                complete=data.get("kind") == "review" and data.get("status") == "complete",
                signoffs=sum(1 for s in signoffs if isinstance(s, dict) and s.get("decision") == "approve"),
                reason=str(data.get("reason", "")),
                author=str(who.get("name", "")) if isinstance(who := data.get("who"), dict) else "",
            )
        )
    return [s for s in seen if s.kind in ("review", "skip")]


def signoff_hint(verdict: Verdict) -> str | None:
    """Who may sign a complete review that still lacks the sign-offs the config asks for."""
    waiting = verdict.waiting_for_signoffs
    if waiting is None:
        return None
    record_id = waiting.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return (
        f"{waiting.path} has {waiting.signoffs} of {verdict.rule.signoffs} approving sign-off(s); anyone but "
        f"{waiting.author or 'its author'} may add one: micromoment signoff {record_id}"
    )


def missing(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if not v.covered]


def verdicts_json(verdicts: list[Verdict]) -> list[dict[str, Any]]:
    """The verdicts as stable, documented JSON (what `check --json` prints)."""
    return [
        {
            "checklist": v.rule.id,
            "title": v.rule.title,
            "paths": v.paths,
            "covered": v.covered,
            "record": v.record.path if v.record else None,
            "record_kind": v.record.kind if v.record else None,
            "outdated": v.outdated,
            "waiting_for_signoffs": v.waiting_for_signoffs.path if v.waiting_for_signoffs else None,
            "signoffs_required": v.rule.signoffs,
        }
        for v in verdicts
    ]
