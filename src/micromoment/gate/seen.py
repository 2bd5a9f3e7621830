"""Records as the gate sees them: read by the one strict record reader, remembered by content.

A record covers nothing unless it passes the same validation as `micromoment lint`. The
verdict for each exact content is cached under the git directory (keyed by the same hash git
gives the blob), so the commit hook pays for the full reader only for content it has not seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from micromoment.errors import FileProblems
from micromoment.git.objects import read_objects
from micromoment.limits import MAX_YAML_BYTES, size_text
from micromoment.memo import read_memo, write_memo

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from micromoment.git.run import Repo

CACHE_LIMIT = 50_000
TOO_BIG = f"larger than {size_text(MAX_YAML_BYTES)}; not a record micromoment writes"


class SeenSignoff(NamedTuple):
    name: str
    email: str
    at: str
    decision: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.email.strip().lower(), " ".join(self.name.split()).lower(), self.at, self.decision)


class SeenRecord(NamedTuple):
    """A valid review or skip record: the few fields the gate judges by."""

    path: str
    # The `id` it declares, and its content but for `id` and sign-offs: what a copy or a rename
    # of an old record keeps, whatever its new file name.
    id: str
    fingerprint: str
    kind: str
    checklist_id: str
    content_hash: str
    complete: bool
    reason: str
    author_name: str
    author_email: str
    signoffs: list[SeenSignoff]
    # item id -> answer as recorded ("skip" for a reasoned skip), judged against the checklist.
    answers: dict[str, str]

    @classmethod
    def of(cls, path: str, summary: dict[str, Any]) -> SeenRecord:
        """The record from its summary (`summarise`, or the memo)."""
        signoffs = [SeenSignoff(*s) for s in summary["signoffs"]]
        return cls(path, **{**summary, "signoffs": signoffs, "answers": dict(summary["answers"])})

    @property
    def record_id(self) -> str:
        return self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


class InvalidRecord(NamedTuple):
    """A file in the reviews folder that is not a valid record: it covers nothing."""

    path: str
    problem: str


def summarise(data: bytes, display: str) -> dict[str, Any]:
    """The strict verdict on one record's bytes: its summary, or {"problem": "file:line: ..."}."""
    import hashlib
    import json

    from micromoment.records import ReviewRecord, parse_record

    try:
        record = parse_record(data, display)
    except FileProblems as exc:
        return {"problem": str(exc.problems[0]) if exc.problems else f"{display}: not a valid record"}
    review = record if isinstance(record, ReviewRecord) else None
    content = json.dumps(record.model_dump(mode="json", exclude={"id", "signoffs"}), sort_keys=True)
    return {
        "id": record.id,
        "fingerprint": hashlib.sha256(content.encode()).hexdigest(),
        "kind": record.kind,
        "checklist_id": record.checklist.id,
        "content_hash": record.checklist.content_hash,
        "complete": review is not None and review.status == "complete",
        "reason": "" if isinstance(record, ReviewRecord) else record.reason,
        "author_name": record.who.name,
        "author_email": record.who.email,
        "signoffs": [
            [s.who.name, s.who.email, s.at.isoformat(), s.decision]
            for s in (review.signoffs if review else [])
        ],
        "answers": [[a.item, a.answer] for a in (review.answers if review else [])],
    }


class RecordCache:
    """Verdicts by blob id. Any problem reading it only means reading records again."""

    def __init__(self, git_dir: str | None) -> None:
        self.git_dir = git_dir
        self.changed = False
        self.entries = read_memo(git_dir, "records")

    def verdict(self, data: bytes, display: str, oid: str | None = None) -> dict[str, Any]:
        """The verdict on one record's bytes; `oid`, git's id for them, when it is known."""
        key = oid or _blob_id(data)
        found = self.known(key)
        if found is not None:
            return found
        found = summarise(data, display)
        if "problem" in found:
            return found  # the message names the file, so it is not shared between paths
        self.entries[key] = found
        self.changed = True
        return found

    def known(self, oid: str) -> dict[str, Any] | None:
        """The remembered verdict on the blob `oid`, if any."""
        cached = self.entries.get(oid)
        return cached if isinstance(cached, dict) and set(cached) == _FIELDS else None

    def save(self) -> None:
        if not (self.changed and self.git_dir):
            return
        entries = self.entries
        if len(entries) > CACHE_LIMIT:
            entries = dict(list(entries.items())[-CACHE_LIMIT // 2 :])
        write_memo(self.git_dir, "records", entries)


# The summary's fields: a memo entry with others (written by hand, say) reads as unseen.
_FIELDS = set(SeenRecord._fields[1:])


def _blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob, so that the memo's keys agree with git's own."""
    import hashlib  # only for bytes git did not name: a commit that needs none never loads OpenSSL

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_records(
    repo: Repo, stored: Mapping[str, str], files: Mapping[str, bytes | None], cache: RecordCache
) -> tuple[list[SeenRecord], list[InvalidRecord]]:
    """Every record judged by the strict reader, in path order: those git stores (path -> blob id;
    a blob whose verdict the memo holds is not even read) and `files` from the work tree (path ->
    bytes; None for one over the size limit, never read)."""
    unseen = [oid for oid in stored.values() if cache.known(oid) is None]
    blobs = read_objects(repo, unseen, MAX_YAML_BYTES)
    seen, invalid = [], []
    for path in sorted({*stored, *files}):
        if path in files:
            data, oid = files[path], None
        else:
            oid = stored[path]
            data = blobs.get(oid, b"")  # a known blob was not read; a missing one reads as empty
        found = {"problem": f"{path}: {TOO_BIG}"} if data is None else cache.verdict(data, path, oid)
        if "problem" in found:
            invalid.append(InvalidRecord(path, found["problem"]))
        else:
            seen.append(SeenRecord.of(path, found))
    cache.save()
    return seen, invalid
