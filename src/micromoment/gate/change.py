"""What one run of the gate looks at: the paths that may trigger checklists, the records that
may cover them, the commit whose policy applies, and the commits that back sign-offs.

The hook and `check` see a branch as CI does: on a branch, records committed since the
merge-base with the base branch count as well as the staged ones. The policy (config,
checklists and `.mailmap`) is the base branch's as it is now, its tip: trusted and current, so
a branch head, a detached checkout and a merge commit get one verdict, and a rule tightened on
the base applies to branches cut before it. On the base branch itself only the staged change
counts, under HEAD's policy.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from micromoment.detect.table import language_of, suffixes
from micromoment.errors import MicromomentError, NotFound
from micromoment.fileread import read_regular
from micromoment.gate.policy import pinned, rules_at, rules_staged, worktree_rules
from micromoment.gate.rules import MAILMAP, Rules, is_policy_path, triggered
from micromoment.git.objects import (
    BaseQuestions,
    Changed,
    current_branch,
    diff,
    find_base,
    head_commit,
    merge_base,
    parse_raw,
    resolve,
    start_diff,
    start_ls_tree,
    start_merge_base,
)
from micromoment.git.run import HEAD_UNKNOWN, Repo, Started, run_git
from micromoment.limits import MAX_YAML_BYTES
from micromoment.records.listing import is_record_path

if TYPE_CHECKING:
    from micromoment.detect.match import Finding


class Change:
    """The change under review, and where its records and their sign-offs come from."""

    def __init__(self, repo: Repo, rules: Rules, policy_commit: str | None, where: str) -> None:
        self.repo = repo
        self.rules = rules
        # Where the policy (and `.mailmap`) is read: the base's tip; None for the work tree.
        self.policy_commit = policy_commit
        self.where = where
        self.triggering: list[str] = []
        # Records created in the change (path -> blob id): only these can cover it.
        self.created: dict[str, str] = {}
        # Records edited in the change (a sign-off, a resolved follow-up): checked, but they cover nothing new.
        self.touched: dict[str, str] = {}
        # Submodules among the triggering paths: path -> (commit before, commit after).
        self.submodules: dict[str, tuple[str, str]] = {}
        # The content of each path in the diff: path -> (blob before, blob after).
        self.blobs: dict[str, tuple[str, str]] = {}
        # Records named among FILES (read from the work tree): they cover, as the files given say.
        self.file_records: list[str] = []
        # The commits whose authors back sign-offs: (after, until); after None means all history.
        self.history: tuple[str | None, str] | None = None
        # Whether the index may hold a sign-off that the commit being made will carry.
        self.pending = False
        # Where the policy after the change can be read: a commit, or None for the index.
        self.policy_after: str | None = None
        # Why the policy as this change leaves it does not load, when it does not.
        self.policy_problem: str | None = None
        # The diff whose lines the content detectors read: (from, to), to None for the index;
        # from None for the empty tree.
        self.diff_range: tuple[str | None, str | None] | None = None
        # What the content detectors found in those lines, and the files they did not read, with why.
        self.findings: list[Finding] = []
        self.not_read: dict[str, str] = {}
        # The base's records, which a created record may copy: listed while the change's are read.
        self.base_records: Started | None = None

    def take(self, changed: list[Changed], records: list[Changed]) -> None:
        """The paths that trigger (`changed`), and the records created or edited (`records`)."""
        self.triggering = [c.path for c in changed]
        self.blobs = {c.path: (c.was, c.oid) for c in changed}
        self.submodules = {path: self.blobs[path] for path, *_, gitlink in changed if gitlink}
        for path, status, oid, _, gitlink in records:
            if not is_record_path(path, self.rules.reviews_dir) or gitlink:
                continue
            if status == "A":
                self.created[path] = oid
            elif status in ("M", "T"):
                self.touched[path] = oid


def _rules_at(repo: Repo, commit: str | None) -> Rules:
    return pinned(rules_at(repo, commit) if commit else worktree_rules(repo.root), repo.git_dir)


def staged(repo: Repo, files: list[str] | None = None, asked: BaseQuestions | None = None) -> Change:
    """The commit being made (or FILES), with the records of the branch it is on. `asked` holds
    the base branch's questions to git when the caller started them ahead."""
    head = repo.head_when_found if repo.head_when_found != HEAD_UNKNOWN else head_commit(repo)
    # The staged diff is started first: git works it out while the base branch is found.
    staged_diff = start_diff(repo, head)
    finding: Started | None = None
    records: Started | None = None  # on a branch, the records since the merge-base
    change: Change | None = None
    try:
        # Before the first commit there is no other policy than the work tree's.
        found = _base_of_branch(repo, asked) if head else None
        tip = since = head
        if found:
            tip = found[1] or resolve(repo, found[0])
            finding = start_merge_base(repo, tip)  # git finds it while the base's policy is read
        change = Change(repo, _rules_at(repo, tip), tip, "in the staged change")
        change.diff_range = (head, None)
        if found and tip:
            since = merge_base(repo, found[0], tip, started=finding)
            records = start_diff(repo, since, under=change.rules.reviews_dir)
            change.base_records = start_ls_tree(repo, tip, [change.rules.reviews_dir])
            change.where = f"in the staged change (records since {found[0]})"
        staged = parse_raw(staged_diff.output())
        # On the base branch (or before the first commit) the staged diff holds the records.
        change.take(staged, parse_raw(records.output()) if records else staged)
        change.history = (since, "HEAD") if head else None
    except BaseException:
        if change is not None and change.base_records is not None:
            change.base_records.stop()
        raise
    finally:
        for started in (staged_diff, finding, records):
            if started is not None:
                started.stop()
        if asked is not None:
            asked.stop()  # not needed before the first commit
    change.pending = True
    if files is not None:
        _take_files(change, files)
    return change


def base_branch(repo: Repo, asked: BaseQuestions | None = None) -> tuple[str, str | None] | None:
    """The one way to find the base branch, shared by `check`, the hook and `pr-note`: the
    branch a change is measured from, and its commit id when known; None when there is none."""
    configured = os.environ.get("MICROMOMENT_BASE_BRANCH") or worktree_rules(repo.root).base_branch
    return find_base(repo, configured, asked)


def _base_of_branch(repo: Repo, asked: BaseQuestions | None = None) -> tuple[str, str | None] | None:
    """The base branch to measure this branch from; None on the base branch itself."""
    found = base_branch(repo, asked)
    if found is None or current_branch(repo) == found[0].removeprefix("origin/"):
        return None
    return found


def _take_files(change: Change, files: list[str]) -> None:
    """FILES replace the staged paths as what triggers; records among them count as given.

    A folder stands for the files in it; a path that is not there is a mistake worth naming,
    not a change to judge."""
    root, found = change.repo.root, []
    for name in files:
        path = os.path.relpath(os.path.realpath(name), os.path.realpath(root))
        path = name if path.startswith("..") else path.replace(os.sep, "/")  # as git names it
        on_disk = os.path.join(root, path)
        if os.path.isdir(on_disk):
            args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", f":(literal){path}"]
            found += [f.decode("utf-8", "surrogateescape") for f in run_git(args, root).split(b"\0") if f]
        elif os.path.lexists(on_disk):
            found.append(path)
        else:
            raise NotFound(
                f"{path}: no such file or folder; name files that exist (a deleted file is part of the "
                "staged change: run micromoment check with no FILES)"
            )
    change.triggering = list(dict.fromkeys(found))
    change.where = "in the given files"
    records = [p for p in change.triggering if is_record_path(p, change.rules.reviews_dir)]
    change.file_records = [p for p in records if os.path.isfile(os.path.join(root, p))]


def since_base(repo: Repo, ref: str) -> Change:
    """`check --base REF`: everything since the merge-base with REF, committed or staged, under
    the policy of REF's tip."""
    tip = resolve(repo, ref)  # names an unknown ref before anything else
    change = _between(repo, tip, merge_base(repo, ref, tip) if head_commit(repo) else None, None)
    change.where, change.pending = f"since {ref}", True
    return change


def pushed(repo: Repo, from_ref: str, to_ref: str, files: list[str] | None) -> Change:
    """What a push sends (the pre-commit framework's PRE_COMMIT_FROM_REF / TO_REF), under the
    policy of the merge-base with what the remote had."""
    to_commit = resolve(repo, to_ref)
    since = merge_base(repo, from_ref, resolve(repo, from_ref), to_commit)
    change = _between(repo, since, since, to_commit)
    change.where, change.policy_after = f"between {from_ref} and {to_ref}", to_commit
    if files is not None:
        _take_files(change, files)
    return change


def _between(repo: Repo, policy: str, since: str | None, until: str | None) -> Change:
    """What changed from `since` to `until` (None: the index), under `policy`'s rules."""
    change = Change(repo, _rules_at(repo, policy), policy, "")
    change.diff_range = (since, until)
    change.take(diff(repo, since, until), diff(repo, since, until, under=change.rules.reviews_dir))
    change.history = (since, until or "HEAD") if since else None
    return change


def policy_changed(change: Change) -> bool:
    """Whether the change alters what the gate asks for: its policy files, compiled, differ.

    Setting micromoment up with its defaults, or reformatting the config, changes nothing the
    gate does, so it calls for no review; switching a checklist off or rewording one does.
    """
    if not any(is_policy_path(path) for path in change.triggering):
        return False
    if MAILMAP in change.triggering:
        return True  # it decides whose sign-off is whose, which no compiled rule shows
    before = change.rules
    try:
        after = (
            rules_at(change.repo, change.policy_after) if change.policy_after else rules_staged(change.repo)
        )
    except MicromomentError as exc:
        change.policy_problem = exc.lines()[0]
        return True  # a policy that does not even load is certainly a change
    return after.compiled() != before.compiled()


def calls_for_nothing(change: Change) -> bool:
    """Whether nothing in the change can call for a checklist or be judged: no record, no policy
    file, no path a checklist's patterns match and none the content detectors read. The hook then
    has its verdict without loading what reads content and judges records (`gate.coverage`)."""
    paths = change.triggering
    if change.created or change.touched or change.file_records or any(map(is_policy_path, paths)):
        return False
    by_suffix = suffixes(change.rules.detection) if change.rules.detection else {}
    return not triggered(change.rules, paths) and not any(language_of(path, by_suffix) for path in paths)


def named_record_files(change: Change) -> dict[str, bytes | None]:
    """Bytes of every record named among FILES, from the work tree; None for one over the size limit."""
    blobs: dict[str, bytes | None] = {}
    for path in change.file_records:
        full = os.path.join(change.repo.root, path)
        data = read_regular(full, MAX_YAML_BYTES)  # a pipe named among FILES is never waited on
        if data is not None:
            blobs[path] = data
        elif os.path.isfile(full) and os.path.getsize(full) > MAX_YAML_BYTES:
            blobs[path] = None
    return blobs
