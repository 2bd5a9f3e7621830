"""Cache files under the git directory: read as a mapping or not at all, written atomically or not at all.

A cache only ever costs speed: a missing, damaged, truncated or foreign file reads as empty,
and a write that fails leaves the old file. Light on purpose: the commit hook uses it.
"""

from __future__ import annotations

import json

from micromoment.fileread import read_regular
from micromoment.files import write_atomic

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def read_cache(path: str | None, tag: object, field: str, limit: int) -> dict[str, Any]:
    """The `field` mapping of a cache written with `tag`; empty for anything else."""
    if path is None:
        return {}
    raw = read_regular(path, limit)  # a pipe or a device in its place is never waited on
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != tag:
        return {}
    found = data.get(field)
    return found if isinstance(found, dict) else {}


def write_cache(path: str, tag: object, field: str, entries: dict[str, Any]) -> bool:
    """Replace the cache in one atomic step; False (and the old file kept) when that fails."""
    from pathlib import Path

    # Key order is kept, not sorted: callers keep entries in age order and drop the oldest first.
    text = json.dumps({"format": tag, field: entries})
    try:
        write_atomic(Path(path), text + "\n")
    except Exception:  # a cache that cannot be written only costs speed
        return False
    return True


def sha256_hex(data: bytes) -> str:
    """hashlib.sha256(data).hexdigest(), from the interpreter's own built-in module when it has
    one: importing hashlib loads OpenSSL, a few milliseconds of every commit's hook."""
    if not _SHA256:
        _SHA256.append(_light_sha256())
    return str(_SHA256[0](data).hexdigest())


# The constructor, found once: a failed import searches the whole path again every time.
_SHA256: list[Any] = []


def _light_sha256() -> Any:
    import sys

    try:
        if sys.version_info >= (3, 12):
            from _sha2 import sha256  # type: ignore[import-not-found, unused-ignore]
        else:
            from _sha256 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:  # an interpreter built without them
        from hashlib import sha256
    return sha256
