"""The verdicts: for each checklist a change triggers, the record that covers it, or why none does."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from micromoment.gate.change import Change, named_record_files, policy_changed
from micromoment.gate.content import content_hits, read_content
from micromoment.gate.rules import ChecklistRule, triggered
from micromoment.git.objects import filters, start_ls_tree, tree_entries
from micromoment.records.listing import is_record_path

if TYPE_CHECKING:
    from typing import Any

    from micromoment.detect.match import Finding
    from micromoment.gate.seen import InvalidRecord, RecordCache, SeenRecord
    from micromoment.gate.signoffs import Judged


class Verdict:
    """One triggered checklist: what triggered it, and what (if anything) covers it."""

    def __init__(
        self,
        rule: ChecklistRule,
        paths: list[str],
        submodules: dict[str, tuple[str, str]] | None = None,
        reasons: list[Finding] | None = None,
    ) -> None:
        self.rule = rule
        self.paths = paths
        # What the content detectors found in the lines of those paths: why they call for it.
        self.reasons = reasons or []
        # Submodules among the paths: path -> (commit before, commit after).
        self.submodules = {p: commits for p, commits in (submodules or {}).items() if p in paths}
        self.record: SeenRecord | None = None
        # A complete review that lacks sign-offs that count, and each sign-off's judgement.
        self.waiting_for_signoffs: SeenRecord | None = None
        self.judged: list[Judged] = []
        # A review that says it is complete but leaves required items without an answer the
        # checklist accepts, and those items: it covers nothing, and the output says why.
        self.unanswered: tuple[SeenRecord, list[str]] | None = None
        # A skip of a checklist the base's config asks sign-offs for: a skip carries none, so it
        # would let the author alone waive the second look the team asked for.
        self.skip_refused: SeenRecord | None = None
        # A record made by copying or renaming one the base already has, and that one's path:
        # it was made for an older change, so it covers nothing new.
        self.copied: tuple[SeenRecord, str] | None = None

    def shown(self, path: str) -> str:
        """A path as the output names it: a submodule with the commits it moved between."""
        if path not in self.submodules:
            return path
        was, now = (commit[:10] if commit.strip("0") else "none" for commit in self.submodules[path])
        return f"{path} (submodule {was}..{now})"

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

    @property
    def signoffs_counted(self) -> int:
        return sum(1 for j in self.judged if j.counts)


class Outcome(NamedTuple):
    """Everything one gate run found: the verdicts, and records that are not valid."""

    change: Change
    verdicts: list[Verdict]
    invalid: list[InvalidRecord]

    @property
    def gaps(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.covered]

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.invalid


def evaluate(change: Change) -> Outcome:
    """Judge the change: records are read (strictly) only when something is triggered or a
    record is part of the change, so the common commit costs no more than the diff."""
    try:
        return _judge(change)
    finally:
        if change.base_records is not None:
            change.base_records.stop()  # a listing never wanted


def _judge(change: Change) -> Outcome:
    changed = policy_changed(change)
    read_content(change)
    has_records = bool(change.created or change.touched or change.file_records)
    rules = change.rules
    hits = triggered(rules, change.triggering, changed)
    found = content_hits(rules, change.findings)
    verdicts = [
        Verdict(
            rule,
            list(dict.fromkeys([*hits.get(rule.id, []), *(f.path for f in found.get(rule.id, []))])),
            change.submodules,
            found.get(rule.id),
        )
        for rule in rules.checklists
        if rule.id in hits or rule.id in found
    ]
    if not verdicts and not has_records:
        return Outcome(change, [], [])
    # Records are read only past this point, so the common commit never loads their reader.
    from micromoment.gate.seen import RecordCache, read_records

    cache = RecordCache(change.repo.git_dir)
    # In path order: the first that fits a checklist covers it.
    stored = {**change.created, **change.touched}
    seen, invalid = read_records(change.repo, stored, named_record_files(change), cache)
    invalid = _through_filters(change, invalid)
    covering = [r for r in seen if r.path in change.created or r.path in change.file_records]
    wanted = {v.rule.id for v in verdicts}
    copies = _copies_of_base(change, cache, [r for r in covering if r.checklist_id in wanted])
    for verdict in verdicts:
        _cover(change, verdict, [r for r in covering if r.checklist_id == verdict.rule.id], copies)
    return Outcome(change, verdicts, invalid)


def _through_filters(change: Change, invalid: list[InvalidRecord]) -> list[InvalidRecord]:
    """Invalid records that git stores through a clean filter, saying so: the gate reads what
    git stores, and `lint` the work tree, so without it the two would disagree unexplained."""
    named = filters(change.repo, [r.path for r in invalid if r.path not in change.file_records])
    return [
        r._replace(
            problem=f"{r.problem}; stored through filter '{named[r.path]}' (.gitattributes), "
            "and the gate reads what git stores, where lint reads the work tree"
        )
        if r.path in named
        else r
        for r in invalid
    ]


def _copies_of_base(change: Change, cache: RecordCache, records: list[SeenRecord]) -> dict[str, str]:
    """Each created record that has the `id` or the content of a record on the base, and the
    path of that record. Records named among FILES are old on purpose, so they are not asked."""
    created = [r for r in records if r.path in change.created]
    if not created or change.policy_commit is None:
        return {}
    from micromoment.gate.seen import read_records

    reviews_dir = change.rules.reviews_dir
    listing = change.base_records or start_ls_tree(change.repo, change.policy_commit, [reviews_dir])
    listed = tree_entries(listing)
    entries = [e for e in listed if is_record_path(e[0], reviews_dir)]
    on_base, _ = read_records(change.repo, dict(entries), {}, cache)
    # The first in path order names what a copy copies.
    by_id = {r.id: r.path for r in reversed(on_base)}
    by_content = {r.fingerprint: r.path for r in reversed(on_base)}
    copies = {r.path: by_id.get(r.id) or by_content.get(r.fingerprint) for r in created}
    return {path: old for path, old in copies.items() if old is not None}


def _cover(change: Change, verdict: Verdict, records: list[SeenRecord], copies: dict[str, str]) -> None:
    """The best record for the verdict: a skip or a complete review with the sign-offs that count,
    preferring one that answered the checklist's current version."""
    from micromoment.checklists.answers import unanswered

    for record in records:
        if record.path in copies:
            verdict.copied = verdict.copied or (record, copies[record.path])
            continue
        if record.kind == "review" and not record.complete:
            continue
        if record.kind == "skip" and not skip_may_cover(verdict.rule.signoffs):
            verdict.skip_refused = verdict.skip_refused or record
            continue
        if record.kind == "review" and (gaps := unanswered(verdict.rule.items or [], record.answers)):
            verdict.unanswered = verdict.unanswered or (record, gaps)
            continue
        judged: list[Judged] = []
        if record.kind == "review" and verdict.rule.signoffs > 0:
            from micromoment.gate.signoffs import judge

            judged = judge(change, record)
            if sum(1 for j in judged if j.counts) < verdict.rule.signoffs:
                if verdict.waiting_for_signoffs is None:
                    verdict.waiting_for_signoffs, verdict.judged = record, judged
                continue
        if verdict.record is None or (verdict.outdated and record.content_hash == verdict.rule.content_hash):
            verdict.record, verdict.judged = record, judged
    if verdict.record is not None:  # what did not cover no longer matters
        verdict.waiting_for_signoffs = verdict.skip_refused = verdict.unanswered = verdict.copied = None


UNANSWERED_SHOWN = 4


def skip_may_cover(signoffs_needed: int) -> bool:
    """Whether a skip can cover a checklist that needs this many sign-offs: a skip carries none,
    so where the team asks for a second look the author alone cannot waive it by skipping."""
    return signoffs_needed == 0


def skip_problem(checklist_id: str, signoffs_needed: int) -> str | None:
    """Why a skip of this checklist would not count, said before it is recorded; None if it would."""
    if skip_may_cover(signoffs_needed):
        return None
    return (
        f"{checklist_id} needs {signoffs_needed} approving sign-off(s) from someone other than its author "
        "(signoffs in .micromoment/config.yaml), and a skip carries none, so check would not count "
        f"it; review it instead: micromoment review {checklist_id}"
    )


def unanswered_hint(verdict: Verdict) -> list[str]:
    """Why a record in the change does not count: a review that leaves required items
    unanswered, a skip of a checklist that needs sign-offs, or a copy of an old record."""
    if verdict.copied is not None:
        record, old = verdict.copied
        return [
            f"{record.path} is a copy of {old}, which the base already has (the same id or the same "
            "review under another name); a record covers only the change it was made for"
        ]
    if verdict.skip_refused is not None:
        return [
            f"{verdict.skip_refused.path} is a skip, but {verdict.rule.id} needs "
            f"{verdict.rule.signoffs} approving sign-off(s) from someone other than its author, "
            "and a skip carries none: review it instead"
        ]
    if verdict.unanswered is None:
        return []
    record, items = verdict.unanswered
    named = ", ".join(items[:UNANSWERED_SHOWN]) + (
        f" (+{len(items) - UNANSWERED_SHOWN} more)" if len(items) > UNANSWERED_SHOWN else ""
    )
    return [
        f"{record.path} says it is complete, but {named} {'has' if len(items) == 1 else 'have'} "
        f"no answer that the checklist (version {verdict.rule.version}) accepts"
    ]


def signoff_hint(verdict: Verdict) -> list[str]:
    """What a complete review still lacks, and who may add it."""
    waiting = verdict.waiting_for_signoffs
    if waiting is None:
        return []
    needed = verdict.rule.signoffs - verdict.signoffs_counted
    return [
        f"{waiting.path} is complete but needs {needed} more approving sign-off(s) from someone other "
        f"than {waiting.author_name or 'its author'}: they run micromoment signoff {waiting.record_id} "
        "and commit it themselves",
        *(judged.describe() for judged in verdict.judged if not judged.counts),
    ]


def verdicts_json(outcome: Outcome) -> list[dict[str, Any]]:
    """The verdicts as stable, documented JSON (what `check --json` prints)."""
    return [
        {
            "checklist": v.rule.id,
            "title": v.rule.title,
            "paths": v.paths,
            "reasons": [
                {
                    "path": f.path,
                    "line": f.line,
                    "detector": f.detector,
                    "found": f.text,
                    "reason": f.reason(),
                }
                for f in v.reasons
            ],
            "submodules": {p: {"before": was, "after": now} for p, (was, now) in v.submodules.items()},
            "covered": v.covered,
            "record": v.record.path if v.record else None,
            "record_kind": v.record.kind if v.record else None,
            "outdated": v.outdated,
            "waiting_for_signoffs": v.waiting_for_signoffs.path if v.waiting_for_signoffs else None,
            "unanswered": (
                {"record": v.unanswered[0].path, "items": v.unanswered[1]} if v.unanswered else None
            ),
            "skip_refused": v.skip_refused.path if v.skip_refused else None,
            "copied": {"record": v.copied[0].path, "of": v.copied[1]} if v.copied else None,
            "signoffs_required": v.rule.signoffs,
            "signoffs_counted": v.signoffs_counted,
            "signoffs_not_counted": [
                {"name": j.signoff.name, "email": j.signoff.email, "why": j.why}
                for j in v.judged
                if not j.counts
            ],
        }
        for v in outcome.verdicts
    ]


def invalid_json(outcome: Outcome) -> list[dict[str, str]]:
    return [{"path": r.path, "problem": r.problem} for r in outcome.invalid]
