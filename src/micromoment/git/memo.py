"""Facts about commits that never change (a merge-base of two commit ids, a commit's policy files),
kept under the git directory so the commit hook asks git for them once, not on every commit.

Keyed only by commit ids, an entry cannot go stale; a damaged or unreadable file only means
asking git again.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MEMO_FORMAT = 1
ENTRIES_PER_KIND = 64


class Memo:
    """`<git-dir>/micromoment/commits.json`: per kind of fact, commit-id keys to JSON values."""

    __slots__ = ("facts", "path")

    def __init__(self, git_dir: str) -> None:
        self.path = os.path.join(git_dir, "micromoment", "commits.json")
        self.facts: dict[str, dict[str, Any]] = {}
        try:
            with open(self.path, "rb") as handle:
                data = json.loads(handle.read(4 * 1024 * 1024))
            if data.get("format") == MEMO_FORMAT and isinstance(data.get("facts"), dict):
                self.facts = {k: v for k, v in data["facts"].items() if isinstance(v, dict)}
        except (OSError, ValueError, RecursionError, AttributeError):
            self.facts = {}

    def get(self, kind: str, key: str) -> Any:
        return self.facts.get(kind, {}).get(key)

    def put(self, kind: str, key: str, value: Any) -> None:
        from pathlib import Path

        from micromoment.files import write_atomic

        known = {k: v for k, v in self.facts.get(kind, {}).items() if k != key}
        kept = dict(list(known.items())[-(ENTRIES_PER_KIND - 1) :])
        kept[key] = value
        self.facts[kind] = kept
        # Insertion order is age order: the oldest entries are the ones dropped.
        text = json.dumps({"format": MEMO_FORMAT, "facts": self.facts})
        try:
            write_atomic(Path(self.path), text + "\n")
        except Exception:  # a memo that cannot be written only costs a git process next time
            return
