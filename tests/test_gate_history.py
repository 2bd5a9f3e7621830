"""Sign-offs judged against a real history, in-process: who added each one, who created the
review, the commit being made, and .mailmap; each verdict compared whole."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import Cli, git, write
from micromoment.gate.change import pushed, since_base, staged
from micromoment.gate.coverage import Verdict, evaluate
from micromoment.gate.signoffs import PENDING
from micromoment.git import Repo, find_repo
from micromoment.limits import MAX_YAML_BYTES

PAT = ("Pat Product", "pat@example.com")
DANA = ("Dana Lead", "dana@example.com")


def commit_as(repo: Path, who: tuple[str, str], message: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1]}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=repo, check=True, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def as_dana(cli: Cli, stem: str) -> None:
    signed = cli("signoff", stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]})
    assert signed.exit_code == 0, signed.output


@pytest.fixture
def reviewed(cli: Cli, mini: Path) -> Path:
    """On `feature`: a prompt change and Pat's complete review of `mini`, which needs one sign-off."""
    write(
        mini / ".micromoment/config.yaml",
        "checklists:\n  mini: {signoffs: 1}\n  genai-output-review: {enabled: false}\n",
    )
    commit_as(mini, PAT, "policy")
    git(mini, "checkout", "-q", "-b", "feature")
    write(mini / "prompts/support.txt", "hi\n")
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    commit_as(mini, PAT, "prompt and review")
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    return path


def only_verdict(since: str | None = "main") -> Verdict:
    repo = find_repo()
    here = Path.cwd()
    os.chdir(Path(repo.root).parent)  # git is asked about the repository found, not the current folder
    try:
        # Staged: the prompt named as the hook's FILES, so the staged sign-off alone still calls for it.
        change = since_base(repo, since) if since else staged(repo, [f"{repo.root}/prompts/support.txt"])
        [verdict] = evaluate(change).verdicts
    finally:
        os.chdir(here)
    return verdict


def why(verdict: Verdict) -> list[tuple[str, bool, str]]:
    return [(j.signoff.name, j.counts, j.why) for j in verdict.judged]


def test_the_signer_committing_it_counts(cli: Cli, reviewed: Path) -> None:
    verdict = only_verdict()
    assert (verdict.covered, verdict.waiting_for_signoffs is not None, verdict.judged) == (False, True, [])
    as_dana(cli, reviewed.stem)
    commit_as(reviewed.parents[2], DANA, "sign")
    verdict = only_verdict()
    assert verdict.record is not None and verdict.record.path.endswith(reviewed.name)
    assert why(verdict) == [("Dana Lead", True, "")]


def test_someone_else_committing_it_does_not(cli: Cli, reviewed: Path) -> None:
    as_dana(cli, reviewed.stem)
    added = commit_as(reviewed.parents[2], PAT, "Pat commits Dana's sign-off")
    assert why(only_verdict()) == [
        (
            "Dana Lead",
            False,
            f"{added[:10]} added it, authored by Pat Product <pat@example.com>, not by the signer; "
            "a sign-off counts when the signer commits it",
        )
    ]


def test_the_signer_may_not_be_who_committed_the_review(cli: Cli, mini: Path) -> None:
    write(
        mini / ".micromoment/config.yaml",
        "checklists:\n  mini: {signoffs: 1}\n  genai-output-review: {enabled: false}\n",
    )
    commit_as(mini, PAT, "policy")
    git(mini, "checkout", "-q", "-b", "feature")
    write(mini / "prompts/support.txt", "hi\n")
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    created = commit_as(mini, DANA, "Dana commits Pat's review")
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    as_dana(cli, path.stem)
    commit_as(mini, DANA, "and signs it")
    assert why(only_verdict()) == [("Dana Lead", False, f"the signer committed the review ({created[:10]})")]


def test_a_staged_signoff_is_the_commit_being_made(
    cli: Cli, reviewed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_dana(cli, reviewed.stem)
    git(reviewed.parents[2], "add", "-A")
    # The commit being made names whoever git will: Pat here, so the sign-off does not count yet.
    assert why(only_verdict(None)) == [
        (
            "Dana Lead",
            False,
            "the commit being made added it, authored by Pat Product <pat@example.com>, not by the signer; "
            "a sign-off counts when the signer commits it",
        )
    ]
    monkeypatch.setenv("GIT_AUTHOR_NAME", DANA[0])
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", DANA[1])
    assert why(only_verdict(None)) == [("Dana Lead", True, "")]
    # The work tree's .mailmap is the branch's to write: it joins no addresses.
    write(reviewed.parents[2] / ".mailmap", "Dana Lead <dana@example.com> <dana@old.example.org>\n")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "dana@old.example.org")
    assert why(only_verdict(None)) == [
        (
            "Dana Lead",
            False,
            "the commit being made added it, authored by Dana Lead <dana@old.example.org>, not by the "
            "signer; a sign-off counts when the signer commits it",
        )
    ]


def test_the_bases_mailmap_joins_a_signers_addresses(cli: Cli, reviewed: Path) -> None:
    root = reviewed.parents[2]
    git(root, "checkout", "-q", "main")
    write(root / ".mailmap", "Dana Lead <dana@example.com> <dana@old.example.org>\n")
    commit_as(root, PAT, "mailmap")
    git(root, "checkout", "-q", "feature")
    git(root, "rebase", "-q", "main")
    as_dana(cli, reviewed.stem)
    commit_as(root, ("Dana Lead", "dana@old.example.org"), "Dana signs from her old address")
    assert why(only_verdict()) == [("Dana Lead", True, "")]


def test_a_signoff_from_before_the_branch_does_not_count_on_it(cli: Cli, mini: Path) -> None:
    write(
        mini / ".micromoment/config.yaml",
        "checklists:\n  mini: {signoffs: 1}\n  genai-output-review: {enabled: false}\n",
    )
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    commit_as(mini, PAT, "policy and a review")
    as_dana(cli, path.stem)
    commit_as(mini, DANA, "Dana signed it on main")
    kept = path.read_text(encoding="utf-8")
    path.unlink()
    commit_as(mini, PAT, "dropped on main")
    git(mini, "checkout", "-q", "-b", "feature")
    write(mini / "prompts/support.txt", "hi\n")
    commit_as(mini, PAT, "prompt")
    assert only_verdict().covered is False
    # Brought back on the branch: only the commit in the range counts as adding the sign-off.
    path.write_text(kept, encoding="utf-8")
    restored = commit_as(mini, PAT, "bring it back")
    assert why(only_verdict()) == [
        (
            "Dana Lead",
            False,
            f"{restored[:10]} added it, authored by Pat Product <pat@example.com>, not by the signer; "
            "a sign-off counts when the signer commits it",
        )
    ]


def test_a_push_is_judged_between_its_refs(cli: Cli, reviewed: Path) -> None:
    root = reviewed.parents[2]
    as_dana(cli, reviewed.stem)
    commit_as(root, DANA, "sign")
    git(root, "checkout", "-q", "main")
    repo = find_repo()
    [verdict] = evaluate(pushed(repo, "main", "feature", None)).verdicts
    assert verdict.paths == ["prompts/support.txt"]
    assert why(verdict) == [("Dana Lead", True, "")]


def test_what_evaluate_reads_when_nothing_or_only_records_change(cli: Cli, reviewed: Path) -> None:
    root = reviewed.parents[2]
    repo = Repo(str(root), str(root / ".git"))
    quiet = staged(repo)
    outcome = evaluate(quiet)
    assert (outcome.change, outcome.verdicts, outcome.invalid, outcome.ok) == (quiet, [], [], True)
    folder = root / ".micromoment/reviews"
    write(folder / "b-broken.yaml", "kind: review\n")
    (folder / "a-huge.yaml").write_bytes(b"#" * (MAX_YAML_BYTES + 1))
    git(root, "add", "-A")
    records_only = evaluate(staged(repo))
    assert records_only.verdicts == [] and records_only.ok is False
    assert [(r.path, r.problem) for r in records_only.invalid] == [
        (
            ".micromoment/reviews/a-huge.yaml",
            ".micromoment/reviews/a-huge.yaml: larger than 4 MiB; not a record micromoment writes",
        ),
        (".micromoment/reviews/b-broken.yaml", records_only.invalid[1].problem),
    ]
    assert records_only.invalid[1].problem.startswith(".micromoment/reviews/b-broken.yaml:")


def test_touching_an_old_record_covers_nothing_new(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    write(mini / "prompts/support.txt", "v1\n")
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    commit_as(mini, PAT, "v1 and its review")
    git(mini, "checkout", "-q", "-b", "feature")
    write(mini / "prompts/support.txt", "v2\n")
    path.write_text(path.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")
    commit_as(mini, PAT, "v2")
    verdict = only_verdict()
    assert (verdict.covered, verdict.paths) == (False, ["prompts/support.txt"])


def test_a_policy_change_calls_for_the_policy_checklist(cli: Cli, reviewed: Path) -> None:
    root = reviewed.parents[2]
    write(
        root / ".micromoment/config.yaml",
        "checklists:\n  mini: {signoffs: 0}\n  genai-output-review: {enabled: false}\n",
    )
    commit_as(root, PAT, "no sign-offs any more")
    repo = find_repo()
    verdicts = {v.rule.id: v.paths for v in evaluate(since_base(repo, "main")).verdicts}
    assert verdicts == {"mini": ["prompts/support.txt"], "team-review": [".micromoment/config.yaml"]}
    assert PENDING == "the commit being made"


def test_without_any_identity_the_commit_being_made_has_no_author(
    cli: Cli, reviewed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_dana(cli, reviewed.stem)
    root = reviewed.parents[2]
    git(root, "add", "-A")
    git(root, "config", "user.useConfigOnly", "true")  # git will not guess an identity
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    assert why(only_verdict(None)) == [
        (
            "Dana Lead",
            False,
            f"{PENDING} added it, authored by  <>, not by the signer; a sign-off counts when the signer commits it",
        )
    ]


def test_a_change_with_nothing_triggered_reads_only_the_records_it_edits(cli: Cli, mini: Path) -> None:
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n")
    assert cli("review", "mini", "--answers", str(answers)).exit_code == 0
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    commit_as(mini, PAT, "a review")
    repo = Repo(str(mini), str(mini / ".git"))
    quiet = staged(repo)
    outcome = evaluate(quiet)
    assert (outcome.change, outcome.verdicts, outcome.invalid) == (quiet, [], [])
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: complete", "status: done"), encoding="utf-8"
    )
    git(mini, "add", "-A")
    edited = evaluate(staged(repo))
    assert edited.verdicts == [] and [r.path for r in edited.invalid] == [f".micromoment/reviews/{path.name}"]


def test_a_record_broken_or_deleted_on_the_way_is_judged_by_its_later_versions(
    cli: Cli, reviewed: Path
) -> None:
    root = reviewed.parents[2]
    good = reviewed.read_text(encoding="utf-8")
    reviewed.write_text(good.replace("status: complete", "status: done"), encoding="utf-8")
    commit_as(root, PAT, "a broken version")
    reviewed.unlink()
    commit_as(root, PAT, "gone for a while")
    reviewed.write_text(good, encoding="utf-8")
    commit_as(root, PAT, "back again")
    as_dana(cli, reviewed.stem)
    commit_as(root, DANA, "sign")
    assert why(only_verdict()) == [("Dana Lead", True, "")]
