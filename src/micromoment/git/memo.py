"""Facts about commits that never change (a merge-base of two commit ids, a commit's policy files),
kept under the git directory so the commit hook asks git for them once, not on every commit.

Keyed only by commit ids, an entry cannot go stale; a damaged or unreadable file only means
asking git again.
"""

from __future__ import annotations

import os

from micromoment.git.cachefile import read_cache, write_cache

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
        found = read_cache(self.path, MEMO_FORMAT, "facts", 4 * 1024 * 1024)
        self.facts: dict[str, dict[str, Any]] = {k: v for k, v in found.items() if isinstance(v, dict)}

    def get(self, kind: str, key: str) -> Any:
        return self.facts.get(kind, {}).get(key)

    def put(self, kind: str, key: str, value: Any) -> None:
        known = {k: v for k, v in self.facts.get(kind, {}).items() if k != key}
        kept = dict(list(known.items())[-(ENTRIES_PER_KIND - 1) :])
        kept[key] = value
        self.facts[kind] = kept
        # Insertion order is age order: the oldest entries are the ones dropped. A memo that
        # cannot be written only costs a git process next time.
        write_cache(self.path, MEMO_FORMAT, "facts", self.facts)
