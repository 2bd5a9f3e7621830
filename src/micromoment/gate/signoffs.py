"""Whether a sign-off counts: git, not the YAML, says who added it.

A sign-off typed into a record proves nothing by itself. It counts towards a checklist's
`signoffs: N` only when the commit that added it (in the checked range) was authored by the
signer, the signer is not the review's author, and, when the policy asks, that commit is signed.
It covers what the signer saw: that commit changes nothing but sign-offs, and the answers and
the triggering files are as its digest (`saw`) says, in the final tree.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, NamedTuple

from micromoment.errors import FileProblems
from micromoment.gate.change import Change, staged
from micromoment.gate.rules import triggered
from micromoment.gate.seen import RecordCache, SeenRecord, SeenSignoff
from micromoment.git import GitFailed, find_repo, run_git
from micromoment.git.objects import diff, read_blobs
from micromoment.git.state import author_ident
from micromoment.identity import same_identity

if TYPE_CHECKING:
    from micromoment.records import ReviewRecord

PENDING = "the commit being made"


class Author(NamedTuple):
    commit: str
    name: str
    email: str


class Judged(NamedTuple):
    """One sign-off on a record, and why it does or does not count."""

    signoff: SeenSignoff
    counts: bool
    why: str

    def describe(self) -> str:
        who = f"{self.signoff.name} <{self.signoff.email}>" if self.signoff.email else self.signoff.name
        return f"the sign-off by {who} {'counts' if self.counts else 'does not count: ' + self.why}"


def judge(change: Change, record: SeenRecord) -> list[Judged]:
    """Every sign-off on `record`, judged against the history of its file."""
    mailmap = _base_mailmap(change)
    versions = _versions(change, record.path, mailmap)
    cache = RecordCache(change.repo.git_dir)
    added_by: dict[tuple[str, str, str, str], Author] = {}
    creator: Author | None = None
    previous: set[tuple[str, str, str, str]] = set()
    # The commits whose change to the record is in its sign-offs alone (the fingerprint leaves them out).
    only_signoffs: set[str] = set()
    fingerprint = None
    for author, data in versions:
        found = cache.verdict(data, record.path) if data is not None else {"problem": ""}
        keys = {SeenSignoff(*s).key for s in found.get("signoffs", [])}
        if creator is None:
            creator = author
        elif found.get("fingerprint") == fingerprint:
            only_signoffs.add(author.commit)
        fingerprint = found.get("fingerprint")
        for key in keys - previous:
            added_by.setdefault(key, author)
        previous = keys
    cache.save()
    mapped = {(s.name, s.email): _as_mapped(mailmap, s.name, s.email) for s in record.signoffs}
    judged = []
    for signoff in record.signoffs:
        why = _why_not(change, record, signoff, mapped[signoff[:2]], added_by.get(signoff.key), creator)
        judged.append(Judged(signoff, not why, why))
    # A record named among FILES (pre-commit --all-files) counts as given: its change is long merged.
    if versions and (record.path in change.created or record.path not in change.file_records):
        sight = _Sight(change, record, versions, only_signoffs)
        for index, one in enumerate(judged):
            unseen = one.counts and sight.why_not(one.signoff, added_by[one.signoff.key].commit)
            if unseen:
                judged[index] = one._replace(counts=False, why=unseen)
    # `signoffs: N` asks for N people: two addresses the mailmap joins are one signer.
    counted: list[tuple[str, str]] = []
    for index, one in enumerate(judged):
        person = mapped[(one.signoff.name, one.signoff.email)]
        if one.counts and any(same_identity(*person, *other) for other in counted):
            why = f"{person[0]} <{person[1]}> already signed off; one person counts once"
            judged[index] = one._replace(counts=False, why=why)
        elif one.counts:
            counted.append(person)
    return judged


def _why_not(
    change: Change,
    record: SeenRecord,
    signoff: SeenSignoff,
    signer: tuple[str, str],
    author: Author | None,
    creator: Author | None,
) -> str:
    """Why a sign-off by `signer` (as the mailmap has them), added by `author`, does not count;
    "" when it does."""
    name, email = signer
    if signoff.decision != "approve":
        return f"it asks for changes ({signoff.decision})"
    if same_identity(name, email, record.author_name, record.author_email):
        return "the signer is the review's author"
    if creator is not None and same_identity(creator.name, creator.email, name, email):
        return f"the signer committed the review ({_short(creator.commit)})"
    if author is None:
        return "no commit in the checked range added it; the signer commits it themselves"
    if not (email and author.email.strip().lower() == email.strip().lower()):
        return (
            f"{_short(author.commit)} added it, authored by {author.name} <{author.email}>, not by the "
            "signer; a sign-off counts when the signer commits it"
        )
    if not change.rules.require_signed_commits:
        return ""
    if author.commit == PENDING:
        return "it is not committed yet, and signed commits are required"
    key = _signed_by(change, author.commit)
    if key is None:
        return (
            f"{_short(author.commit)} is not signed by a trusted key (git verify-commit), "
            "and signed commits are required"
        )
    if key.lower() != email.strip().lower():
        return (
            f"{_short(author.commit)} is signed with the key of {key or 'no one git knows'}, not the "
            "signer's; a sign-off counts when the signer signs it with their own key"
        )
    return ""


Seen = tuple[str, dict[str, str]]  # a digest of a review's answers; its triggering files' blob ids


def seen_now(root: str, review: ReviewRecord) -> str | None:
    """What `signoff` records as seen: `review`'s answers, and the files that call for its
    checklist in the change since the base branch as the index holds them; None outside git."""
    try:
        change = staged(find_repo(root))
    except GitFailed:
        return None
    return _digest(_seen(change, review, None))


def _seen(change: Change, review: ReviewRecord, until: str | None) -> Seen:
    """`review`'s answers (but for resolved follow-ups) and the blob ids its checklist's
    triggering files have at `until` (None: the index); a deleted file's id is zeros. The
    change is measured from the base, so a rebase that keeps the files keeps what was seen."""
    changed = diff(change.repo, change.history[0] if change.history else None, until)
    hits = triggered(change.rules, [c.path for c in changed], policy_changed=True)
    oids = {c.path: c.oid for c in changed}
    return _answers(review), {path: oids[path] for path in hits.get(review.checklist.id, [])}


def _answers(review: ReviewRecord) -> str:
    """A digest of the answers; closing a follow-up leaves it as it was."""
    return _hash([a.model_dump(mode="json", exclude={"follow_up": {"resolved"}}) for a in review.answers])


def _hash(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _digest(seen: Seen) -> str:
    return _hash([seen[0], sorted(seen[1].items())])


def _review(data: bytes | None, path: str) -> ReviewRecord | None:
    from micromoment.records import ReviewRecord, parse_record

    try:
        record = parse_record(data or b"", path)
    except FileProblems:
        return None
    return record if isinstance(record, ReviewRecord) else None


class _Sight:
    """Whether what each sign-off's signer saw is still what the change holds."""

    def __init__(
        self, change: Change, record: SeenRecord, versions: list[tuple[Author, bytes | None]], only: set[str]
    ) -> None:
        self.change, self.record, self.versions, self.only_signoffs = change, record, versions, only
        final = _review(versions[-1][1], record.path)
        assert final is not None  # the record as the gate read it, which is valid
        self.until = None if change.pending or change.history is None else change.history[1]
        self.now = _seen(change, final, self.until)
        self.saw = {
            SeenSignoff(s.who.name, s.who.email, s.at.isoformat(), s.decision).key: s.saw
            for s in final.signoffs
        }
        self.again = (
            "a sign-off covers what its signer saw: ask them to look again "
            f"(micromoment signoff {record.record_id})"
        )

    def why_not(self, signoff: SeenSignoff, commit: str) -> str:
        """Why the sign-off `commit` added does not count, for what its signer saw; "" if it does."""
        saw = self.saw.get(signoff.key)
        if not saw:
            return f"it does not record what the signer saw; {self.again}"
        also = [f"{self.record.path} beyond its sign-offs"] if commit not in self.only_signoffs else []
        also += [p for p in self._changed_by(commit) if not p.startswith(self.change.rules.reviews_dir + "/")]
        if also:
            return (
                f"{_short(commit)} added it and also changes {also[0]}; a sign-off counts from a commit "
                "that changes nothing but sign-offs"
            )
        if _digest(self.now) == saw:
            return ""
        index = next(i for i, (author, _) in enumerate(self.versions) if author.commit == commit)
        review = _review(self.versions[index][1], self.record.path)
        then = _seen(self.change, review, None if commit == PENDING else commit) if review else None
        if then is None or _digest(then) != saw:
            return (
                f"it was given on other content than {_short(commit)} holds (carried over by a cherry-pick "
                f"or an amend); {self.again}"
            )
        what, since = self._first_change(then, index)
        return f"{what} changed after it, in {_short(since)}; {self.again}"

    def _changed_by(self, commit: str) -> list[str]:
        """The paths `commit` changes (the commit being made: the staged change)."""
        try:
            if commit == PENDING:
                return [c.path for c in diff(self.change.repo, "HEAD")]
            return [c.path for c in diff(self.change.repo, f"{commit}^", commit)]
        except GitFailed:
            return []

    def _first_change(self, then: Seen, index: int) -> tuple[str, str]:
        """What differs between `then` and now, and the first commit after the sign-off's that changed it."""
        if then[0] != self.now[0]:
            for author, data in self.versions[index + 1 :]:
                later = _review(data, self.record.path)
                if later is None or _answers(later) != then[0]:
                    return f"the answers in {self.record.path}", author.commit
            return f"the answers in {self.record.path}", PENDING
        before, after = then[1], self.now[1]
        path = min(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        commit = self.versions[index][0].commit
        span = f"{commit}..{self.until or 'HEAD'}"
        log = run_git(["log", "--format=%H", span, "--", f":(literal){path}"], self.change.repo.root).split()
        return path, log[-1].decode() if log else PENDING


def _short(commit: str) -> str:
    return commit if commit == PENDING else commit[:10]


def _versions(change: Change, path: str, mailmap: Mailmap) -> list[tuple[Author, bytes | None]]:
    """The record as each commit in the range left it, oldest first, then as the index has it."""
    authors: list[Author] = []
    if change.history is not None:
        after, until = change.history
        if path in change.file_records and path not in change.created:
            # A record named among FILES (pre-commit --all-files) was made before this change:
            # the commits that signed it lie before the range, so its whole history is read.
            after = None
        span = f"{after}..{until}" if after else until
        try:
            log = run_git(
                ["log", "--reverse", "--format=%H%x00%an%x00%ae", span, "--", f":(literal){path}"],
                change.repo.root,
            )
        except GitFailed:
            log = b""
        for line in log.decode("utf-8", "replace").splitlines():
            commit, name, email = line.split("\0", 2)
            authors.append(Author(commit, *_as_mapped(mailmap, name, email)))
    specs = [f"{a.commit}:{path}" for a in authors]
    if change.pending:
        specs.append(f":{path}")
    blobs = read_blobs(change.repo, specs)
    versions: list[tuple[Author, bytes | None]] = [(a, blobs.get(f"{a.commit}:{path}")) for a in authors]
    staged = blobs.get(f":{path}") if change.pending else None
    if staged is not None and staged != (versions[-1][1] if versions else None):
        # Who the commit being made will name as its author.
        versions.append((Author(PENDING, *_as_mapped(mailmap, *author_ident(change.repo.root))), staged))
    return versions


# (commit email, commit name or "") -> (proper name, proper email), "" where a line leaves it.
Mailmap = dict[tuple[str, str], tuple[str, str]]
_MAILMAP_LINE = re.compile(r"\s*([^<#]*?)\s*<([^>]*)>\s*(?:([^<]*?)\s*<([^>]*)>)?")


def _base_mailmap(change: Change) -> Mailmap:
    """The base's .mailmap, read and applied here rather than by git: git also reads the work
    tree's .mailmap and any mailmap.file, which the branch (or its author) controls."""
    if change.policy_commit is None:
        return {}
    spec = f"{change.policy_commit}:.mailmap"
    return parse_mailmap(read_blobs(change.repo, [spec]).get(spec, b"").decode("utf-8", "replace"))


def parse_mailmap(text: str) -> Mailmap:
    """A .mailmap's lines, as git reads them: a later line adds to or overrides an earlier one."""
    mailmap: Mailmap = {}
    for line in text.splitlines():
        found = _MAILMAP_LINE.match(line)
        if found is None:
            continue
        name, email, commit_name, commit_email = found.groups()
        key = (commit_email.lower(), (commit_name or "").lower()) if commit_email else (email.lower(), "")
        proper = (name, email if commit_email else "")
        earlier = mailmap.get(key, ("", ""))
        mailmap[key] = (proper[0] or earlier[0], proper[1] or earlier[1])
    return mailmap


def _as_mapped(mailmap: Mailmap, name: str, email: str) -> tuple[str, str]:
    """(name, email) as git's %aN / %aE would give them under `mailmap`."""
    proper = mailmap.get((email.lower(), name.lower())) or mailmap.get((email.lower(), ""), ("", ""))
    return proper[0] or name, proper[1] or email


def _signed_by(change: Change, commit: str) -> str | None:
    """The email whose key signed `commit` (after the base's mailmap): an SSH signature's
    principal in the allowed signers, a GPG key's user id; "" for a good signature by a key
    with no principal; None when git does not accept the signature (as git verify-commit)."""
    try:
        out = run_git(["log", "-1", "--no-walk", "--format=%G?%x00%GS", commit], change.repo.root)
    except GitFailed:
        return None
    status, _, signer = out.decode("utf-8", "replace").strip().partition("\0")
    if status not in ("G", "U"):
        return None
    email = signer.rsplit("<", 1)[-1].split(">", 1)[0].strip() if "<" in signer else signer.strip()
    return _as_mapped(_base_mailmap(change), "", email)[1] if email else ""
