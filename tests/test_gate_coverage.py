"""Which record covers a triggered checklist, and which sign-offs count and why, pinned on records
and sign-offs built directly (git only where the rule is about a commit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import git
from micromoment.checklists.answers import ItemRule
from micromoment.detect.table import detection_table
from micromoment.gate import coverage, signoffs
from micromoment.gate.change import Change, calls_for_nothing
from micromoment.gate.coverage import Outcome, Verdict, signoff_hint, verdicts_json
from micromoment.gate.hook import findings, shown_paths, ways_forward
from micromoment.gate.rules import ChecklistRule, Rules
from micromoment.gate.seen import InvalidRecord, SeenRecord, SeenSignoff
from micromoment.gate.signoffs import PENDING, Author, Judged
from micromoment.git import Repo
from micromoment.records.model import same_identity

CURRENT = "sha256:now"
# The checklist the base has: a confirm, a choice, a text item asked only after a "no", and an
# optional one; and the answers that complete it.
ITEMS: list[ItemRule] = [
    ItemRule("owner-named", True, "confirm", [], None, []),
    ItemRule("stakes", True, "choice", ["low", "high"], None, []),
    ItemRule("why-not", True, "text", [], "owner-named", ["no"]),
    ItemRule("extra", False, "confirm", [], None, []),
]
ANSWERED = {"owner-named": "yes", "stakes": "low"}


def record(
    path: str,
    kind: str = "review",
    complete: bool = True,
    content_hash: str = CURRENT,
    signed: list[list[str]] | None = None,
    author: tuple[str, str] = ("Pat Product", "pat@example.com"),
    answers: dict[str, str] | None = None,
) -> SeenRecord:
    return SeenRecord.of(
        f"records/{path}.yaml",
        {
            "id": path,
            "fingerprint": path,
            "kind": kind,
            "checklist_id": "prompts",
            "content_hash": content_hash,
            "complete": complete,
            "reason": "because" if kind == "skip" else "",
            "author_name": author[0],
            "author_email": author[1],
            "signoffs": signed or [],
            "answers": [
                [item, answer] for item, answer in (ANSWERED if answers is None else answers).items()
            ],
        },
    )


def change(signoffs_needed: int = 0, signed_commits: bool = False) -> Change:
    rule = ChecklistRule("prompts", ["p*"], signoffs_needed, "Prompts", "2", CURRENT, ITEMS)
    rules = Rules([rule], "records", require_signed_commits=signed_commits)
    return Change(Repo("/nonexistent", "/nonexistent/.git"), rules, None, "in the staged change")


def covered_by(records: list[SeenRecord], signoffs_needed: int = 0) -> Verdict:
    at = change(signoffs_needed)
    verdict = Verdict(at.rules.checklists[0], ["p.txt"])
    coverage._cover(at, verdict, records, {})
    return verdict


def test_a_new_verdict_and_outcome() -> None:
    at = change()
    verdict = Verdict(at.rules.checklists[0], ["p.txt"])
    assert (verdict.record, verdict.waiting_for_signoffs, verdict.judged) == (None, None, [])
    assert (verdict.covered, verdict.outdated, verdict.signoffs_counted) == (False, False, 0)
    outcome = Outcome(at, [verdict], [])
    assert outcome.change is at and outcome.verdicts == [verdict] and outcome.invalid == []


def test_an_incomplete_review_covers_nothing_and_a_skip_or_complete_review_does() -> None:
    assert covered_by([record("a", complete=False)]).record is None
    skip = record("s", kind="skip", complete=False)
    assert covered_by([record("a", complete=False), skip]).record is skip
    done = record("d")
    assert covered_by([record("a", complete=False), done]).record is done


def test_the_first_current_record_is_kept_and_an_outdated_one_gives_way() -> None:
    first, second = record("1"), record("2")
    assert covered_by([first, second]).record is first
    old, new = record("old", content_hash="sha256:before"), record("new")
    verdict = covered_by([old, new])
    assert verdict.record is new and verdict.outdated is False
    verdict = covered_by([new, old])
    assert verdict.record is new and verdict.outdated is False
    only_old = covered_by([old])
    assert only_old.record is old and only_old.outdated is True and only_old.covered is True


def test_a_skip_of_an_older_checklist_is_not_outdated_and_does_not_give_way() -> None:
    skip = record("s", kind="skip", content_hash="sha256:before")
    verdict = covered_by([skip, record("new")])
    assert verdict.record is skip and verdict.outdated is False


def judged_by(counts: dict[str, list[bool]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for the git history behind each record's sign-offs: path -> which of them count."""

    def judge(at: Change, seen: SeenRecord) -> list[Judged]:
        assert isinstance(at, Change) and at.rules.checklists[0].id == "prompts"
        return [
            Judged(SeenSignoff(f"S{i}", f"s{i}@example.com", "2026-11-22", "approve"), ok, "" if ok else "no")
            for i, ok in enumerate(counts[seen.path])
        ]

    monkeypatch.setattr(signoffs, "judge", judge)


def test_a_review_without_enough_counted_signoffs_waits_and_the_first_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    judged_by(
        {"records/a.yaml": [True, False], "records/b.yaml": [False], "records/c.yaml": [True, True]},
        monkeypatch,
    )
    waiting = covered_by([record("a"), record("b")], signoffs_needed=2)
    assert waiting.record is None and waiting.covered is False
    assert waiting.waiting_for_signoffs is not None and waiting.waiting_for_signoffs.path == "records/a.yaml"
    assert waiting.signoffs_counted == 1
    assert [j.counts for j in waiting.judged] == [True, False]
    enough = covered_by([record("a"), record("c")], signoffs_needed=2)
    assert enough.record is not None and enough.record.path == "records/c.yaml"
    assert enough.waiting_for_signoffs is None and enough.signoffs_counted == 2
    assert covered_by([record("a")], signoffs_needed=1).record is not None


def test_a_skip_covers_only_a_checklist_that_asks_no_signoffs_and_none_are_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A skip carries no sign-offs: where the base asks for them, the author alone cannot waive
    the second look by skipping; where it does not, the skip covers and nothing is judged."""
    judged_by({}, monkeypatch)  # any call would fail: no record's sign-offs are known
    skip = record("s", kind="skip")
    free = covered_by([skip], signoffs_needed=0)
    assert (free.record, free.judged, free.skip_refused, coverage.skip_may_cover(free.rule.signoffs)) == (
        skip,
        [],
        None,
        True,
    )
    for needed in (1, 2):
        refused = covered_by([skip], signoffs_needed=needed)
        assert (refused.record, refused.judged, refused.skip_refused) == (None, [], skip)
        assert coverage.skip_may_cover(refused.rule.signoffs) is False
        assert coverage.unanswered_hint(refused) == [
            f"records/s.yaml is a skip, but prompts needs {needed} approving sign-off(s) from someone "
            "other than its author, and a skip carries none: review it instead"
        ]
    assert covered_by([record("r")], signoffs_needed=0).judged == []


def test_a_counted_review_after_a_refused_skip_covers_and_clears_the_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    judged_by({"records/r.yaml": [True]}, monkeypatch)
    skip, review = record("s", kind="skip"), record("r")
    verdict = covered_by([skip, review], signoffs_needed=1)
    assert (verdict.record, verdict.skip_refused, coverage.unanswered_hint(verdict)) == (review, None, [])
    lines = ways_forward(Outcome(change(1), [covered_by([skip], signoffs_needed=1)], []))
    assert "    micromoment review prompts" in lines and not any("micromoment skip" in line for line in lines)


def test_the_hint_says_how_many_more_and_who_may_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    judged_by({"records/a.yaml": [True, False]}, monkeypatch)
    verdict = covered_by([record("a")], signoffs_needed=3)
    assert signoff_hint(verdict) == [
        "records/a.yaml is complete but needs 2 more approving sign-off(s) from someone other than "
        "Pat Product: they run micromoment signoff a and commit it themselves",
        "the sign-off by S1 <s1@example.com> does not count: no",
    ]
    assert signoff_hint(covered_by([record("z")])) == []
    nameless = covered_by([record("a", author=("", ""))], signoffs_needed=3)
    assert "someone other than its author:" in signoff_hint(nameless)[0]


def test_the_verdicts_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    judged_by({"records/a.yaml": [True, False]}, monkeypatch)
    waiting = covered_by([record("a")], signoffs_needed=2)
    done = covered_by([record("old", content_hash="sha256:before")])
    hollow = covered_by([record("h", answers={"owner-named": "yes"})])
    outcome = Outcome(
        change(), [waiting, done, hollow], [InvalidRecord("records/x.yaml", "records/x.yaml:1: bad")]
    )
    assert verdicts_json(outcome) == [
        {
            "checklist": "prompts",
            "title": "Prompts",
            "submodules": {},
            "paths": ["p.txt"],
            "reasons": [],
            "covered": False,
            "record": None,
            "record_kind": None,
            "outdated": False,
            "waiting_for_signoffs": "records/a.yaml",
            "unanswered": None,
            "skip_refused": None,
            "copied": None,
            "signoffs_required": 2,
            "signoffs_counted": 1,
            "signoffs_not_counted": [{"name": "S1", "email": "s1@example.com", "why": "no"}],
        },
        {
            "checklist": "prompts",
            "title": "Prompts",
            "submodules": {},
            "paths": ["p.txt"],
            "reasons": [],
            "covered": True,
            "record": "records/old.yaml",
            "record_kind": "review",
            "outdated": True,
            "waiting_for_signoffs": None,
            "unanswered": None,
            "skip_refused": None,
            "copied": None,
            "signoffs_required": 0,
            "signoffs_counted": 0,
            "signoffs_not_counted": [],
        },
        {
            "checklist": "prompts",
            "title": "Prompts",
            "submodules": {},
            "paths": ["p.txt"],
            "reasons": [],
            "covered": False,
            "record": None,
            "record_kind": None,
            "outdated": False,
            "waiting_for_signoffs": None,
            "unanswered": {"record": "records/h.yaml", "items": ["stakes"]},
            "skip_refused": None,
            "copied": None,
            "signoffs_required": 0,
            "signoffs_counted": 0,
            "signoffs_not_counted": [],
        },
    ]
    assert coverage.invalid_json(outcome) == [{"path": "records/x.yaml", "problem": "records/x.yaml:1: bad"}]
    assert [v.rule.id for v in outcome.gaps] == ["prompts", "prompts"] and outcome.ok is False
    assert Outcome(change(), [done], []).ok is True
    assert Outcome(change(), [done], outcome.invalid).ok is False


def test_what_the_hook_prints_for_gaps_and_invalid_records(monkeypatch: pytest.MonkeyPatch) -> None:
    judged_by({"records/a.yaml": [False]}, monkeypatch)
    at = change(1)
    missing = Verdict(at.rules.checklists[0], ["p1", "p2", "p3", "p4", "p5"])
    waiting = covered_by([record("a")], signoffs_needed=1)
    outcome = Outcome(at, [missing, waiting], [InvalidRecord("records/x.yaml", "records/x.yaml:1: bad")])
    assert shown_paths(missing) == "p1, p2, p3 (+2 more)"
    assert shown_paths(Verdict(missing.rule, ["p1", "p2", "p3"])) == "p1, p2, p3"
    assert findings(outcome) == [
        "micromoment: this change calls for checks that have no record yet:",
        "  prompts (Prompts), for p1, p2, p3 (+2 more)",
        "  prompts (Prompts), for p.txt",
        "    records/a.yaml is complete but needs 1 more approving sign-off(s) from someone other than "
        "Pat Product: they run micromoment signoff a and commit it themselves",
        "    the sign-off by S0 <s0@example.com> does not count: no",
        "micromoment: these records are not valid, so they cover nothing:",
        "  records/x.yaml:1: bad",
    ]
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    assert ways_forward(outcome) == [
        "Ways forward:",
        "  see every problem in a record, then fix or remove it:",
        "    micromoment lint records/x.yaml",
        "  answer it now, then stage .micromoment/:",
        "    micromoment review prompts",
        "  or let this one commit through:",  # no skip: the base asks for a sign-off on it
        "    git commit --no-verify ...",  # a plain git hook: the bypass that works for it
    ]
    monkeypatch.setenv("PRE_COMMIT", "1")  # the pre-commit framework skips this hook alone
    assert ways_forward(outcome)[-1] == "    SKIP=micromoment git commit ..."
    free = change(0)
    assert ways_forward(Outcome(free, [Verdict(free.rules.checklists[0], ["p"])], []))[1:5] == [
        "  answer it now, then stage .micromoment/:",
        "    micromoment review prompts",
        "  or record why this change does not need it:",
        "    micromoment skip prompts --reason '...'",
    ]
    assert findings(Outcome(at, [], [])) == []


# Who is who: one person by email, or by name under another email, case and spacing aside.


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Pat  product", "pat.alt@example.org"), ("Pat Product", "pat@example.com"), True),
        (("Someone", "PAT@Example.com "), ("Pat Product", "pat@example.com"), True),
        ((" pat\tPRODUCT ", ""), ("Pat Product", "x@example.com"), True),
        (("Dana Lead", "dana@example.com"), ("Pat Product", "pat@example.com"), False),
        (("", ""), ("", ""), False),
        (("", " "), ("Pat", " "), False),
        (("Pat", ""), ("Pat Productive", ""), False),
        (("", "pat@example.com"), ("", "pat@example.co"), False),
    ],
)
def test_same_identity(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    assert same_identity(*a, *b) is same
    assert same_identity(*b, *a) is same


names = st.text(alphabet="abcdefgh ", max_size=12)
emails = st.text(alphabet="abcAB@.", max_size=10)


@given(names, emails, names, emails)
def test_same_identity_ignores_case_and_spacing_and_is_symmetric(
    name_a: str, email_a: str, name_b: str, email_b: str
) -> None:
    same = same_identity(name_a, email_a, name_b, email_b)
    assert same == same_identity(name_b, email_b, name_a, email_a)
    assert same == same_identity(f" {name_a.upper()}  ", email_a.swapcase() + " ", name_b, email_b)
    one_email = email_a.strip() != "" and email_a.strip().lower() == email_b.strip().lower()
    one_name = name_a.split() != [] and name_a.lower().split() == name_b.lower().split()
    assert same is (one_email or one_name)


def signoff(
    decision: str = "approve", who: tuple[str, str] = ("Dana Lead", "dana@example.com")
) -> SeenSignoff:
    return SeenSignoff(who[0], who[1], "2026-11-22T10:00:00+00:00", decision)


DANA_COMMIT = Author("d" * 40, "Dana Lead", "Dana@Example.com")
PAT_COMMIT = Author("c" * 40, "Pat Product", "pat@example.com")


@pytest.mark.parametrize(
    ("given", "adder", "creator", "counts", "why"),
    [
        (
            signoff("changes-requested"),
            DANA_COMMIT,
            PAT_COMMIT,
            False,
            "it asks for changes (changes-requested)",
        ),
        (
            signoff(who=("Pat Product", "other@x.org")),
            DANA_COMMIT,
            PAT_COMMIT,
            False,
            "the signer is the review's author",
        ),
        (signoff(), DANA_COMMIT, DANA_COMMIT, False, "the signer committed the review (dddddddddd)"),
        (
            signoff(),
            None,
            PAT_COMMIT,
            False,
            "no commit in the checked range added it; the signer commits it themselves",
        ),
        (
            signoff(),
            Author("e" * 40, "Dana Lead", "dana@elsewhere.org"),
            PAT_COMMIT,
            False,
            "eeeeeeeeee added it, authored by Dana Lead <dana@elsewhere.org>, not by the signer; "
            "a sign-off counts when the signer commits it",
        ),
        (
            signoff(who=("Dana Lead", "")),
            Author("e" * 40, "Dana Lead", ""),
            PAT_COMMIT,
            False,
            "eeeeeeeeee added it, authored by Dana Lead <>, not by the signer; "
            "a sign-off counts when the signer commits it",
        ),
        (signoff(), DANA_COMMIT, PAT_COMMIT, True, ""),
        (signoff(), DANA_COMMIT, None, True, ""),
        (signoff(who=("Dana Lead", " DANA@example.com ")), DANA_COMMIT, PAT_COMMIT, True, ""),
    ],
)
def test_why_a_signoff_counts_or_not(
    given: SeenSignoff, adder: Author | None, creator: Author | None, counts: bool, why: str
) -> None:
    assert signoffs._why_not(change(1), record("r"), given, given[:2], adder, creator) == why
    assert counts is (why == "")


def test_the_commit_being_made_is_named_in_full() -> None:
    pending = Author(PENDING, "Dana Lead", "dana@example.com")
    given = signoff()
    why = signoffs._why_not(change(1), record("r"), given, given[:2], pending, pending)
    assert why == "the signer committed the review (the commit being made)"


def test_a_mailmapped_signer_is_judged_under_their_mapped_identity() -> None:
    mapped = ("Dana Lead", "dana@example.com")
    given = signoff(who=("Dana Lead", "dana@old.org"))
    assert signoffs._why_not(change(1), record("r"), given, mapped, DANA_COMMIT, PAT_COMMIT) == ""
    by_author = signoffs._why_not(change(1), record("r", author=mapped), given, mapped, DANA_COMMIT, None)
    assert by_author == "the signer is the review's author"


def test_signed_commits_required(repo: Path) -> None:
    (repo / "a").write_text("a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "unsigned")
    head = git(repo, "rev-parse", "HEAD").strip()
    at = change(1, signed_commits=True)
    at.repo = Repo(str(repo), str(repo / ".git"))
    pending = Author(PENDING, "Dana Lead", "dana@example.com")
    given = signoff()
    signer = given[:2]
    judged = signoffs._why_not(at, record("r"), given, signer, pending, PAT_COMMIT)
    assert judged == "it is not committed yet, and signed commits are required"
    unsigned = Author(head, "Dana Lead", "dana@example.com")
    assert signoffs._why_not(at, record("r"), given, signer, unsigned, PAT_COMMIT) == (
        f"{head[:10]} is not signed by a trusted key (git verify-commit), and signed commits are required"
    )
    assert signoffs._why_not(change(1), record("r"), given, signer, pending, PAT_COMMIT) == ""


def test_a_judgement_describes_itself() -> None:
    assert Judged(signoff(), True, "").describe() == "the sign-off by Dana Lead <dana@example.com> counts"
    assert (
        Judged(signoff(who=("Dana Lead", "")), False, "it is late").describe()
        == "the sign-off by Dana Lead does not count: it is late"
    )


def test_a_signoffs_key_ignores_case_and_spacing_of_who_but_not_when_or_what() -> None:
    a = SeenSignoff(" Dana  LEAD", "DANA@example.com ", "t1", "approve")
    assert a.key == ("dana@example.com", "dana lead", "t1", "approve")
    assert a.key != SeenSignoff("Dana Lead", "dana@example.com", "t2", "approve").key


def test_a_records_id_is_its_file_name_without_the_extension() -> None:
    seen: Any = record("2026-11-22-quick-ab.12")
    assert seen.record_id == "2026-11-22-quick-ab.12"


def test_a_review_that_says_complete_counts_only_when_every_asked_required_item_is_answered() -> None:
    """A record can be written by hand: its own `status: complete` is not the gate's verdict."""
    hollow = record("h", answers={})
    verdict = covered_by([hollow])
    assert verdict.record is None
    assert verdict.unanswered == (hollow, ["owner-named", "stakes"])
    # An answer the item does not accept is no answer: not a confirm word, not an option, a bare y.
    for answers, missing in [
        ({"owner-named": "maybe", "stakes": "low"}, ["owner-named"]),
        ({"owner-named": "yes", "stakes": "medium"}, ["stakes"]),
        ({"owner-named": "no", "stakes": "high", "why-not": "y"}, ["why-not"]),
        ({"owner-named": "no", "stakes": "high", "why-not": "  "}, ["why-not"]),
        ({"owner-named": "no", "stakes": "high"}, ["why-not"]),  # asked after a "no"
    ]:
        judged = covered_by([record("r", answers=answers)])
        assert (judged.record, judged.unanswered[1] if judged.unanswered else None) == (None, missing), (
            answers
        )
    # Each of these is complete: a text item answered in words, a reasoned skip, an unasked item left out.
    for answers in [
        {"owner-named": "no", "stakes": "high", "why-not": "the vendor owns it"},
        {"owner-named": "skip", "stakes": "skip", "why-not": "x" * 3},
        {"owner-named": "yes", "stakes": "high", "why-not": "y"},  # not asked after a "yes": ignored
        {"owner-named": "na", "stakes": "low", "extra": "garbage"},  # optional: not judged
    ]:
        judged = covered_by([record("r", answers=answers)])
        assert (judged.record is not None, judged.unanswered) == (True, None), answers


def test_a_later_complete_review_covers_after_a_hollow_one_and_clears_the_hint() -> None:
    hollow, whole = record("a", answers={"stakes": "low"}), record("b")
    verdict = covered_by([hollow, whole])
    assert (verdict.record, verdict.unanswered, coverage.unanswered_hint(verdict)) == (whole, None, [])
    first = covered_by([hollow, record("c", answers={})])
    assert first.unanswered == (hollow, ["owner-named"])  # the first hollow record is the one named


def test_the_unanswered_hint_names_the_record_the_items_and_the_version() -> None:
    one = covered_by([record("a", answers={"stakes": "low"})])
    assert coverage.unanswered_hint(one) == [
        "records/a.yaml says it is complete, but owner-named has no answer that the checklist (version 2) accepts"
    ]
    many = [ItemRule(f"i{n}", True, "confirm", [], None, []) for n in range(6)]
    at = change()
    at.rules.checklists[0] = at.rules.checklists[0]._replace(items=many)
    verdict = Verdict(at.rules.checklists[0], ["p.txt"])
    coverage._cover(at, verdict, [record("z", answers={"i2": "yes"})], {})
    assert coverage.unanswered_hint(verdict) == [
        "records/z.yaml says it is complete, but i0, i1, i3, i4 (+1 more) have no answer that the checklist "
        "(version 2) accepts"
    ]
    assert "owner-named" in findings(Outcome(change(), [one], []))[2]


MAILMAP = """# who is who
Dana Lead <dana@old.org>
<dana@example.com> <Dana@Home.org>
Pat Product <pat@example.com> <pp@example.com>
Sam Rivers <sam@example.com> Build Bot <bot@example.com>
"""


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (("D. Lead", "dana@old.org"), ("Dana Lead", "dana@old.org")),
        (("D. Lead", "dana@home.org"), ("D. Lead", "dana@example.com")),
        (("P", "PP@example.com"), ("Pat Product", "pat@example.com")),
        (("build bot", "bot@example.com"), ("Sam Rivers", "sam@example.com")),
        (("Other Bot", "bot@example.com"), ("Other Bot", "bot@example.com")),
        (("Nobody", "nobody@example.com"), ("Nobody", "nobody@example.com")),
    ],
)
def test_the_mailmap_maps_as_git_does(given: tuple[str, str], shown: tuple[str, str]) -> None:
    assert signoffs._as_mapped(signoffs.parse_mailmap(MAILMAP), *given) == shown


def content_change(paths: list[str]) -> Change:
    """A change to `paths` under a checklist with path patterns, the model-call detector and the
    policy checklist's role; records among the paths are created by it."""
    rule = ChecklistRule("prompts", ["prompts/", "*.jsonl"], detectors=["model-call"])
    detection = detection_table({}, {"model-call"})
    rules = Rules([rule], "records", policy_checklist="prompts", detection=detection)
    at = Change(Repo("/nonexistent", "/nonexistent/.git"), rules, None, "in the staged change")
    at.triggering, at.diff_range = paths, ("HEAD", None)  # reading content would need git: it must not
    at.created = {path: "0" * 40 for path in paths if path.startswith("records/")}
    return at


SOME_PATHS = st.lists(
    st.sampled_from(
        [
            *("docs/notes.md", "README", "Makefile", "notes/TODO", "src/app.py", "web/ai.TS", "cfg/app.yaml"),
            *("prompts/x.txt", "evals/run.jsonl", ".micromoment/config.yaml", ".mailmap", "records/r.yaml"),
        ]
    ),
    max_size=4,
)


@given(SOME_PATHS)
def test_a_change_the_hook_settles_at_once_is_one_the_gate_finds_nothing_in(paths: list[str]) -> None:
    at = content_change(paths)
    if calls_for_nothing(at):
        outcome = coverage.evaluate(at)
        assert (outcome.verdicts, outcome.invalid) == ([], [])


def test_what_the_hook_settles_at_once() -> None:
    assert calls_for_nothing(content_change([])) is True
    assert calls_for_nothing(content_change(["docs/notes.md", "README", "notes/TODO"])) is True
    for path in ["src/app.py", "web/ai.TS", "cfg/app.yaml", "prompts/x.txt", "evals/run.jsonl"]:
        assert calls_for_nothing(content_change(["docs/notes.md", path])) is False, path
    for path in [".micromoment/config.yaml", ".mailmap", "records/r.yaml"]:
        assert calls_for_nothing(content_change([path])) is False, path
