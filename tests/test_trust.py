"""The gate can be trusted: only real records, created in the change, under the base's policy,
with sign-offs that git backs, cover a change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Cli, building_template, copy_repo, fork_micromoment, git, write
from micromoment.records.model import same_identity

DANA = ("Dana Lead", "dana@example.com")
PAT = ("Pat Product", "pat@example.com")


def commit_as(repo: Path, who: tuple[str, str], message: str, *extra: str) -> None:
    """Commit everything as `who`, author and committer alike."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(
        ["git", "commit", "-q", "--no-verify", "-m", message, *extra],
        cwd=repo,
        check=True,
        env=env,
        capture_output=True,
    )


def hook(repo: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """The commit hook as its own process with no terminal, as in CI or a GUI client (forked from
    an interpreter that imported micromoment once; tests/test_hook.py starts it from scratch)."""
    return fork_micromoment(["hook", *files], repo, env={**os.environ, "MICROMOMENT_NONINTERACTIVE": "1"})


@pytest.fixture
def started(repo: Path) -> Path:
    write(repo / "README.md", "# app\n")
    commit_as(repo, PAT, "start")
    return repo


def genai_answers(repo: Path) -> Path:
    from micromoment.checklists import load_catalog
    from micromoment.locations import find_project

    checklist = load_catalog(find_project(repo)).get("genai-output-review")
    lines = [
        f"{item.id}: {(item.options or ['yes'])[0]!r}" if item.kind == "choice" else f"{item.id}: yes"
        for item in checklist.items
        if item.ask_if is None
    ]
    return write(repo.parent / "answers.yaml", "\n".join(lines) + "\n")


def review_genai(cli: Cli, repo: Path) -> Path:
    result = cli(
        "review", "genai-output-review", "--answers", str(genai_answers(repo)), "--subject", "prompt"
    )
    assert result.exit_code == 0, result.output
    [path] = [p for p in (repo / ".micromoment/reviews").glob("*genai-output-review*.yaml")]
    return path


HAND_WRITTEN = {
    "review": "kind: review\nstatus: complete\nchecklist: {id: genai-output-review}\nsignoffs: [{decision: approve}]\n",
    "skip": "kind: skip\nchecklist: {id: genai-output-review}\n",
}


@pytest.mark.parametrize("kind", sorted(HAND_WRITTEN))
def test_a_hand_written_record_covers_nothing(cli: Cli, started: Path, kind: str) -> None:
    write(started / "prompts/support.txt", "You are helpful.\n")
    fake = write(
        started / f".micromoment/reviews/2026-11-22-genai-output-review-{kind}.yaml", HAND_WRITTEN[kind]
    )
    git(started, "add", "-A")
    checked = cli("check")
    assert checked.exit_code == 1
    assert "MISSING: no complete record of it created in this change" in checked.stdout
    assert f"INVALID: .micromoment/reviews/{fake.name}:" in checked.stdout
    data = json.loads(cli("check", "--json").stdout)
    assert data["ok"] is False
    assert [r["path"] for r in data["invalid_records"]] == [f".micromoment/reviews/{fake.name}"]
    assert data["checklists"][0]["covered"] is False
    hooked = hook(started)
    assert hooked.returncode == 1
    assert "these records are not valid, so they cover nothing" in hooked.stderr
    assert f"micromoment lint .micromoment/reviews/{fake.name}" in hooked.stderr


def test_a_broken_record_fails_the_gate_even_when_nothing_is_triggered(cli: Cli, started: Path) -> None:
    write(started / ".micromoment/reviews/2026-11-22-quick-abcd.yaml", HAND_WRITTEN["review"])
    git(started, "add", "-A")
    assert cli("check").exit_code == 1
    assert hook(started).returncode == 1


def test_a_branch_cannot_switch_off_its_own_gate(cli: Cli, started: Path) -> None:
    git(started, "checkout", "-q", "-b", "feature")
    write(started / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {enabled: false}\n")
    write(started / "prompts/support.txt", "You are helpful.\n")
    commit_as(started, PAT, "switch it off")
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    verdicts = {v["checklist"]: v for v in json.loads(result.stdout)["checklists"]}
    assert verdicts["genai-output-review"]["paths"] == ["prompts/support.txt"]
    assert verdicts["genai-output-review"]["covered"] is False
    # Changing the policy is itself a change with a named reviewer.
    assert verdicts["team-review"]["paths"] == [".micromoment/config.yaml"]
    assert verdicts["team-review"]["covered"] is False


def test_the_base_decides_what_policy_changes_call_for(cli: Cli, started: Path) -> None:
    write(started / ".micromoment/config.yaml", "policy_changes: null\n")
    commit_as(started, PAT, "policy changes need no review here")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / ".micromoment/config.yaml", "policy_changes: null\nhook: {on_missing: warn}\n")
    commit_as(started, PAT, "warn only")
    result = cli("check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "Nothing since main calls for a checklist." in result.stdout


def test_touching_an_old_record_does_not_make_it_cover(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "v1\n")
    record = review_genai(cli, started)
    commit_as(started, PAT, "prompt v1 with its review")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v2: a new instruction\n")
    record.write_text(record.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")
    commit_as(started, PAT, "prompt v2")
    result = cli("check", "--base", "main")
    assert result.exit_code == 1
    assert "MISSING: no complete record of it created in this change" in result.stdout
    git(started, "add", "-A")
    assert cli("check").exit_code == 0  # nothing staged: the commit at hand triggers nothing


def test_the_author_cannot_sign_off_under_a_second_email(cli: Cli, started: Path) -> None:
    write(started / "prompts/support.txt", "v1\n")
    record = review_genai(cli, started)
    refused = cli("signoff", record.stem, env={"GIT_AUTHOR_EMAIL": "pat.alt@example.org"})
    assert refused.exit_code == 1
    assert "you wrote this review" in refused.stderr
    assert same_identity("Pat  product", "pat.alt@example.org", "Pat Product", "pat@example.com")
    assert same_identity("Someone", "PAT@example.com", "Pat Product", "pat@example.com")
    assert not same_identity("Dana Lead", "dana@example.com", "Pat Product", "pat@example.com")
    assert not same_identity("", "", "", "")


@pytest.fixture
def needs_signoff(cli: Cli, started: Path) -> Path:
    """main requires one sign-off on genai-output-review; `feature` has a prompt change and Pat's review."""
    write(started / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {signoffs: 1}\n")
    commit_as(started, PAT, "one sign-off")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v1\n")
    record = review_genai(cli, started)
    commit_as(started, PAT, "prompt and review")
    return record


def test_a_signoff_counts_only_when_the_signer_commits_it(
    cli: Cli, started: Path, needs_signoff: Path
) -> None:
    record = needs_signoff
    signed = cli("signoff", record.stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]})
    assert signed.exit_code == 0, signed.output
    commit_as(started, PAT, "Pat commits Dana's sign-off")
    by_author = cli("check", "--base", "main", "--json")
    assert by_author.exit_code == 1
    [verdict] = json.loads(by_author.stdout)["checklists"]
    assert verdict["signoffs_counted"] == 0
    [why] = verdict["signoffs_not_counted"]
    added = git(started, "rev-parse", "HEAD").strip()[:10]
    assert why == {
        "name": DANA[0],
        "email": DANA[1],
        "why": f"{added} added it, authored by Pat Product <pat@example.com>, not by the signer; "
        "a sign-off counts when the signer commits it",
    }
    text = cli("check", "--base", "main").stdout
    assert "the sign-off by Dana Lead <dana@example.com> does not count:" in text
    git(started, "reset", "-q", "--hard", "HEAD~1")
    signed = cli("signoff", record.stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]})
    assert signed.exit_code == 0, signed.output
    commit_as(started, DANA, "Dana signs off")
    by_signer = cli("check", "--base", "main", "--json")
    assert by_signer.exit_code == 0, by_signer.output
    assert json.loads(by_signer.stdout)["checklists"][0]["signoffs_counted"] == 1


def test_a_signoff_typed_into_the_yaml_counts_for_nothing(
    cli: Cli, started: Path, needs_signoff: Path
) -> None:
    record = needs_signoff
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace(
            "signoffs: []\n",
            "signoffs:\n- who: {name: Dana Lead, email: dana@example.com}\n"
            "  at: '2026-11-22T10:00:00Z'\n  decision: approve\n",
        )
        if "signoffs: []" in text
        else text + "signoffs:\n- who: {name: Dana Lead, email: dana@example.com}\n"
        "  at: '2026-11-22T10:00:00Z'\n  decision: approve\n",
        encoding="utf-8",
    )
    commit_as(started, PAT, "a sign-off nobody gave")
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    [verdict] = json.loads(result.stdout)["checklists"]
    assert verdict["signoffs_counted"] == 0
    added = git(started, "rev-parse", "HEAD").strip()[:10]
    assert verdict["signoffs_not_counted"] == [
        {
            "name": DANA[0],
            "email": DANA[1],
            "why": f"{added} added it, authored by Pat Product <pat@example.com>, not by the signer; "
            "a sign-off counts when the signer commits it",
        }
    ]


def test_the_bases_mailmap_joins_a_signers_two_addresses(
    cli: Cli, started: Path, needs_signoff: Path
) -> None:
    record = needs_signoff
    git(started, "checkout", "-q", "main")
    write(started / ".mailmap", "Dana Lead <dana@example.com> <dana@old.example.org>\n")
    commit_as(started, PAT, "mailmap")
    # The base's tip decides who is who: a branch cut before the .mailmap came needs no rebase.
    git(started, "checkout", "-q", "feature")
    assert (
        cli("signoff", record.stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}).exit_code
        == 0
    )
    commit_as(started, ("Dana Lead", "dana@old.example.org"), "Dana signs off from her old address")
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    [verdict] = json.loads(result.stdout)["checklists"]
    assert (verdict["signoffs_counted"], verdict["signoffs_not_counted"]) == (1, [])


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen to make a signing key")
def test_signed_commits_required(cli: Cli, started: Path, needs_signoff: Path, tmp_path: Path) -> None:
    record = needs_signoff
    key = tmp_path / "dana_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", DANA[1], "-f", str(key)], check=True)
    allowed = write(tmp_path / "allowed_signers", f"{DANA[1]} {(tmp_path / 'dana_key.pub').read_text()}")
    for name, value in (
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(allowed)),
    ):
        git(started, "config", name, value)
    git(started, "checkout", "-q", "main")
    write(
        started / ".micromoment/config.yaml",
        "require_signed_commits: true\nchecklists:\n  genai-output-review: {signoffs: 1}\n",
    )
    commit_as(started, PAT, "signed sign-offs only")
    git(started, "checkout", "-q", "feature")
    git(started, "rebase", "-q", "main")
    assert (
        cli("signoff", record.stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}).exit_code
        == 0
    )
    commit_as(started, DANA, "unsigned sign-off")
    unsigned = cli("check", "--base", "main")
    assert unsigned.exit_code == 1
    assert (
        "is not signed by a trusted key (git verify-commit), and signed commits are required"
        in unsigned.stdout
    )
    git(started, "reset", "-q", "--soft", "HEAD~1")
    commit_as(started, DANA, "signed sign-off", "-S")
    signed = cli("check", "--base", "main")
    assert signed.exit_code == 0, signed.output


def test_the_hook_on_a_covered_branch_lets_a_further_tweak_through(cli: Cli, started: Path) -> None:
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v1\n")
    review_genai(cli, started)
    commit_as(started, PAT, "prompt and its review")
    write(started / "prompts/support.txt", "v1, one word changed\n")
    git(started, "add", "-A")
    tweak = hook(started)
    assert tweak.returncode == 0, tweak.stderr
    assert cli("check").exit_code == 0
    # On the base branch itself only the staged change counts.
    git(started, "stash", "-q")
    git(started, "checkout", "-q", "main")
    write(started / "prompts/support.txt", "on main\n")
    git(started, "add", "-A")
    on_main = hook(started)
    assert on_main.returncode == 1
    assert (
        "  genai-output-review (GenAI output review), for prompts/support.txt" in on_main.stderr.splitlines()
    )


def test_records_among_files_count(cli: Cli, started: Path) -> None:
    write(started / "prompts/x.txt", "hi\n")
    record = review_genai(cli, started)
    commit_as(started, PAT, "prompt and review")
    named = f".micromoment/reviews/{record.name}"
    assert cli("check", "prompts/x.txt").exit_code == 1
    result = cli("check", "prompts/x.txt", named)
    assert result.exit_code == 0, result.output
    assert f"covered by {named}" in result.stdout
    assert "in the given files" in result.stderr
    assert hook(started, "prompts/x.txt", named).returncode == 0


def test_a_reviews_dir_written_with_dot_slash_still_covers(cli: Cli, started: Path) -> None:
    write(started / ".micromoment/config.yaml", "reviews_dir: ./records/\n")
    commit_as(started, PAT, "records elsewhere")
    write(started / "prompts/x.txt", "hi\n")
    result = cli("review", "genai-output-review", "--answers", str(genai_answers(started)))
    assert result.exit_code == 0, result.output
    [written] = (started / "records").glob("*.yaml")
    git(started, "add", "-A")
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    assert f"covered by records/{written.name}" in checked.stdout


def test_setting_up_with_the_defaults_is_not_a_policy_change(cli: Cli, started: Path) -> None:
    assert cli("init").exit_code == 0
    git(started, "add", "-A")
    assert hook(started).returncode == 0
    commit_as(started, PAT, "set up micromoment")
    config = started / ".micromoment/config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# a comment changes nothing the gate does\n")
    git(started, "add", "-A")
    assert hook(started).returncode == 0
    config.write_text(config.read_text(encoding="utf-8").replace("on_missing: block", "on_missing: warn"))
    git(started, "add", "-A")
    weakened = cli("check", "--json")
    assert weakened.exit_code == 1
    [verdict] = json.loads(weakened.stdout)["checklists"]
    assert (verdict["checklist"], verdict["paths"]) == ("team-review", [".micromoment/config.yaml"])


def test_the_hook_names_the_missing_signoff_before_the_ways_forward(
    cli: Cli, started: Path, needs_signoff: Path
) -> None:
    write(started / "prompts/support.txt", "v1, reworded\n")
    git(started, "add", "-A")
    done = hook(started)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    hint = next(i for i, line in enumerate(lines) if "needs 1 more approving sign-off(s)" in line)
    assert f"micromoment signoff {needs_signoff.stem}" in lines[hint]
    assert hint < lines.index("Ways forward:")
    # Only sign-offs are missing, so the hook does not suggest answering the review again.
    assert "micromoment review genai-output-review" not in done.stderr


@pytest.fixture(scope="module")
def covered_with_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A reviewed prompt change, staged, after a hook run that filled the gate's cache; built once."""
    with building_template(tmp_path_factory, "covered") as repo:
        write(repo / "README.md", "# app\n")
        commit_as(repo, PAT, "start")
        write(repo / "prompts/support.txt", "v1\n")
        review_genai(Cli(), repo)
        git(repo, "add", "-A")
        assert hook(repo).returncode == 0
        assert {"memo.json", "verdicts.json"} <= {p.name for p in (repo / ".git/micromoment").iterdir()}
        yield repo


@pytest.mark.parametrize(
    "damage",
    [
        b"[]",
        b"{}",
        b"\xff\xfe",
        b'{"format": [5, "0"], "entries": []}',
        b"[" * 100_000,
        b'{"entries": {"k": 1}}',
    ],
)
def test_a_damaged_gate_cache_only_costs_speed(
    covered_with_caches: Path, repo: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    started = copy_repo(covered_with_caches, repo, monkeypatch)
    for name in ("memo.json", "verdicts.json"):
        (started / ".git/micromoment" / name).write_bytes(damage)
    again = hook(started)
    assert (again.returncode, again.stderr) == (0, "")
    assert json.loads((started / ".git/micromoment/memo.json").read_text())["rules"]
    assert json.loads((started / ".git/micromoment/verdicts.json").read_text())["records"]


def test_odd_file_names_are_judged_not_crashed_on(cli: Cli, started: Path, tmp_path: Path) -> None:
    prompts = started / "prompts"
    prompts.mkdir()
    with open(os.fsencode(prompts) + b"/caf\xe9.txt", "wb") as handle:  # noqa: PTH123 - a name that is not UTF-8
        handle.write(b"not UTF-8 in its name\n")
    record = review_genai(cli, started)
    odd = record.with_name("2026-11-22-genai-output-review-line\nbreak.yaml")
    odd.write_text(HAND_WRITTEN["review"], encoding="utf-8")
    git(started, "add", "-A")
    summary = tmp_path / "summary.md"
    result = cli("check", "--json", env={"GITHUB_STEP_SUMMARY": str(summary), "PYTHONIOENCODING": "utf-8"})
    assert result.exit_code == 1  # the odd record is not valid; the real one still covers
    data = json.loads(result.stdout)
    [verdict] = data["checklists"]
    assert verdict["covered"] is True and verdict["record"] == f".micromoment/reviews/{record.name}"
    assert [r["path"] for r in data["invalid_records"]] == [f".micromoment/reviews/{odd.name}"]
    # The name's bad byte is shown as its escape (the Markdown escapes the backslash itself).
    assert "prompts/caf\\\\udce9.txt" in summary.read_text(encoding="utf-8")
    hooked = hook(started)
    assert hooked.returncode == 1 and "Traceback" not in hooked.stderr


def test_an_old_signed_record_named_among_files_keeps_its_signoff(
    cli: Cli, started: Path, needs_signoff: Path
) -> None:
    record = needs_signoff
    assert (
        cli("signoff", record.stem, env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}).exit_code
        == 0
    )
    commit_as(started, DANA, "Dana signs off")
    git(started, "checkout", "-q", "main")
    git(started, "merge", "-q", "--no-ff", "-m", "merge", "feature")
    # Later, on main: pre-commit --all-files names every tracked file, the old record among them.
    named = f".micromoment/reviews/{record.name}"
    result = cli("check", "--json", "prompts/support.txt", named)
    assert result.exit_code == 0, result.output
    [verdict] = json.loads(result.stdout)["checklists"]
    assert (verdict["record"], verdict["signoffs_counted"]) == (named, 1)


def test_a_branch_whose_policy_does_not_load_is_told_so_and_judged_by_the_base(
    cli: Cli, started: Path
) -> None:
    git(started, "checkout", "-q", "-b", "feature")
    write(started / ".micromoment/config.yaml", "checklists: [not, a, mapping]\n")
    commit_as(started, PAT, "a broken config")
    result = cli("check", "--base", "main")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    problem = next(line for line in lines if line.startswith("POLICY DOES NOT LOAD: "))
    assert ".micromoment/config.yaml:1" in problem
    assert "team-review (Team review)" in lines


def add_signoff(record: Path, who: tuple[str, str], at: str = "2026-11-22T10:00:00Z") -> None:
    """A sign-off entry as `micromoment signoff` writes it, appended by hand."""
    from micromoment.gate.signoffs import seen_now
    from micromoment.records import load_record

    saw = seen_now(str(record.parents[2]), load_record(record))
    text = record.read_text(encoding="utf-8").replace("signoffs: []\n", "")
    entry = f"- who: {{name: {who[0]}, email: {who[1]}}}\n  at: '{at}'\n  decision: approve\n  saw: {saw}\n"
    record.write_text(
        text + entry if "\nsignoffs:\n" in text else text + "signoffs:\n" + entry, encoding="utf-8"
    )


@pytest.fixture
def needs_two(cli: Cli, started: Path) -> Path:
    """main asks two sign-offs on genai-output-review and maps Dana's home address to her work one."""
    write(started / ".micromoment/config.yaml", "checklists:\n  genai-output-review: {signoffs: 2}\n")
    write(started / ".mailmap", "Dana Lead <dana@example.com> <dana@home.example.org>\n")
    commit_as(started, PAT, "two sign-offs")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v1\n")
    record = review_genai(cli, started)
    commit_as(started, PAT, "prompt and review")
    return record


def test_one_person_under_two_addresses_is_one_signer(cli: Cli, started: Path, needs_two: Path) -> None:
    add_signoff(needs_two, DANA)
    commit_as(started, DANA, "Dana signs off")
    add_signoff(needs_two, ("Dana L.", "dana@home.example.org"), at="2026-11-22T11:00:00Z")
    commit_as(started, ("Dana L.", "dana@home.example.org"), "Dana signs off again from home")
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    [verdict] = json.loads(result.stdout)["checklists"]
    assert verdict["signoffs_counted"] == 1
    assert verdict["signoffs_not_counted"] == [
        {
            "name": "Dana L.",
            "email": "dana@home.example.org",
            "why": "Dana Lead <dana@example.com> already signed off; one person counts once",
        }
    ]
    text = cli("check", "--base", "main").stdout
    assert "MISSING: sign-offs (1 of 2 count)" in text
    assert (
        "the sign-off by Dana L. <dana@home.example.org> does not count: "
        "Dana Lead <dana@example.com> already signed off; one person counts once"
    ) in text


def test_lint_refuses_two_signoffs_by_one_person(cli: Cli, started: Path, needs_two: Path) -> None:
    add_signoff(needs_two, DANA)
    add_signoff(needs_two, ("dana lead", "dana@elsewhere.example.org"), at="2026-11-22T11:00:00Z")
    commit_as(started, DANA, "Dana signs off twice")
    named = f".micromoment/reviews/{needs_two.name}"
    line = needs_two.read_text(encoding="utf-8").splitlines().index("signoffs:") + 2  # the list's first line
    linted = cli("lint", named)
    assert linted.exit_code == 2, linted.output
    assert (
        f"{named}:{line}" in linted.output
        and "dana lead signed off twice (entries 1 and 2); one person counts once" in linted.output
    )
    checked = cli("check", "--base", "main")
    assert checked.exit_code == 1
    assert f"INVALID: {named}:{line}" in checked.stdout


def test_signing_off_again_replaces_the_earlier_signoff(cli: Cli, started: Path, needs_two: Path) -> None:
    dana = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}
    assert cli("signoff", needs_two.stem, env=dana).exit_code == 0
    assert cli("signoff", needs_two.stem, env=dana).exit_code == 0
    from micromoment.records import load_record

    record = load_record(needs_two)
    assert [(s.who.name, s.who.email) for s in record.signoffs] == [DANA]


SECOND = ("Dana Lead", "pat.second@example.org")  # Pat's own second address, under Dana's name


def test_a_branchs_mailmap_does_not_decide_who_signed(cli: Cli, started: Path, needs_signoff: Path) -> None:
    write(started / ".mailmap", f"Dana Lead <dana@example.com> <{SECOND[1]}>\n")
    commit_as(started, PAT, "a mailmap")
    add_signoff(needs_signoff, DANA)
    commit_as(started, SECOND, "Dana signs off, or so the mailmap says")
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    verdicts = {v["checklist"]: v for v in json.loads(result.stdout)["checklists"]}
    added = git(started, "rev-parse", "HEAD").strip()[:10]
    assert verdicts["genai-output-review"]["signoffs_not_counted"] == [
        {
            "name": DANA[0],
            "email": DANA[1],
            "why": f"{added} added it, authored by Dana Lead <{SECOND[1]}>, not by the signer; "
            "a sign-off counts when the signer commits it",
        }
    ]
    # Changing who is who is a policy change, with its own reviewer.
    assert (verdicts["team-review"]["paths"], verdicts["team-review"]["covered"]) == ([".mailmap"], False)
    text = cli("check", "--base", "main").stdout
    assert f"authored by Dana Lead <{SECOND[1]}>, not by the signer" in text
    # Nor does a mailmap.file in the local config.
    write(started.parent / "mine.mailmap", f"Dana Lead <dana@example.com> <{SECOND[1]}>\n")
    git(started, "config", "mailmap.file", str(started.parent / "mine.mailmap"))
    again = json.loads(cli("check", "--base", "main", "--json").stdout)["checklists"]
    assert [v["signoffs_counted"] for v in again if v["checklist"] == "genai-output-review"] == [0]


def test_a_replace_ref_does_not_rewrite_who_committed(cli: Cli, started: Path, needs_signoff: Path) -> None:
    add_signoff(needs_signoff, DANA)
    commit_as(started, PAT, "Pat adds Dana's sign-off")
    real = git(started, "rev-parse", "HEAD").strip()
    forged = git(started, "cat-file", "commit", "HEAD").replace(
        "author Pat Product <pat@example.com>", "author Dana Lead <dana@example.com>"
    )
    fake = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=started,
        input=forged,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(started, "replace", real, fake)
    assert git(started, "log", "-1", "--format=%ae").strip() == DANA[1]  # git itself is fooled
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    [verdict] = json.loads(result.stdout)["checklists"]
    assert verdict["signoffs_not_counted"] == [
        {
            "name": DANA[0],
            "email": DANA[1],
            "why": f"{real[:10]} added it, authored by Pat Product <pat@example.com>, not by the signer; "
            "a sign-off counts when the signer commits it",
        }
    ]


@pytest.fixture
def old_record(cli: Cli, started: Path) -> Path:
    """main holds a prompt and its complete review; `feature` changes the prompt again."""
    write(started / "prompts/support.txt", "v1\n")
    record = review_genai(cli, started)
    commit_as(started, PAT, "prompt v1 with its review")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v2: a new instruction\n")
    return record


@pytest.mark.parametrize("how", ["copy", "git mv", "copy with a new id"])
def test_a_copy_or_rename_of_an_old_record_covers_nothing(
    cli: Cli, started: Path, old_record: Path, how: str
) -> None:
    new = old_record.with_name("2026-12-01-genai-output-review-fresh.yaml")
    if how == "git mv":
        git(started, "mv", str(old_record), str(new))
        git(started, "mv", str(old_record.with_suffix(".md")), str(new.with_suffix(".md")))
    else:
        text = old_record.read_text(encoding="utf-8")
        new.write_text(text.replace(f"id: {old_record.stem}", f"id: {new.stem}") if "new id" in how else text)
    commit_as(started, PAT, "prompt v2 with an old review under a new name")
    old = f".micromoment/reviews/{old_record.name}"
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    [verdict] = json.loads(result.stdout)["checklists"]
    assert (verdict["covered"], verdict["copied"]) == (
        False,
        {"record": f".micromoment/reviews/{new.name}", "of": old},
    )
    text = cli("check", "--base", "main").stdout
    assert (
        f".micromoment/reviews/{new.name} is a copy of {old}, which the base already has (the same id or "
        "the same review under another name); a record covers only the change it was made for"
    ) in text
    # A review made for this change still covers it.
    fresh = cli("review", "genai-output-review", "--answers", str(genai_answers(started)))
    assert fresh.exit_code == 0, fresh.output
    commit_as(started, PAT, "a review of v2")
    assert cli("check", "--base", "main").exit_code == 0


def test_a_submodule_bump_under_a_trigger_path_triggers_its_checklist(cli: Cli, started: Path) -> None:
    first = git(started, "rev-parse", "HEAD").strip()
    (started / "prompts/vendor").mkdir(parents=True)  # as a clone leaves a submodule not checked out
    git(started, "update-index", "--add", "--cacheinfo", f"160000,{first},prompts/vendor")
    commit_as(started, PAT, "vendor the prompts")
    second = git(started, "rev-parse", "HEAD").strip()
    git(started, "checkout", "-q", "-b", "feature")
    git(started, "update-index", "--cacheinfo", f"160000,{second},prompts/vendor")
    commit_as(started, PAT, "bump the vendored prompts")
    shown = f"prompts/vendor (submodule {first[:10]}..{second[:10]})"
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    [verdict] = json.loads(result.stdout)["checklists"]
    assert (verdict["checklist"], verdict["paths"], verdict["submodules"], verdict["covered"]) == (
        "genai-output-review",
        ["prompts/vendor"],
        {"prompts/vendor": {"before": first, "after": second}},
        False,
    )
    assert f"  triggered by: {shown}" in cli("check", "--base", "main").stdout.splitlines()
    assert shown in cli("pr-note", "--base", "main").stdout
    # The hook sees a staged bump, even when the branch's .gitmodules says to ignore it.
    write(started / ".gitmodules", '[submodule "vendor"]\n\tpath = prompts/vendor\n\tignore = all\n')
    git(started, "add", ".gitmodules")
    git(started, "update-index", "--cacheinfo", f"160000,{first},prompts/vendor")
    hooked = hook(started)
    assert hooked.returncode == 1
    assert (
        f"  genai-output-review (GenAI output review), for prompts/vendor (submodule {second[:10]}.."
        f"{first[:10]})"
    ) in hooked.stderr.splitlines()


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen to make a signing key")
def test_a_signoff_signed_with_someone_elses_key_does_not_count(
    cli: Cli, started: Path, needs_signoff: Path, tmp_path: Path
) -> None:
    keys = {}
    for who in (PAT, DANA):
        key = tmp_path / who[1].split("@")[0]
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who[1], "-f", str(key)], check=True
        )
        keys[who] = key
    allowed = write(
        tmp_path / "allowed_signers",
        "".join(f"{who[1]} {key.with_suffix('.pub').read_text()}" for who, key in keys.items()),
    )
    git(started, "config", "gpg.format", "ssh")
    git(started, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    git(started, "checkout", "-q", "main")
    write(
        started / ".micromoment/config.yaml",
        "require_signed_commits: true\nchecklists:\n  genai-output-review: {signoffs: 1}\n",
    )
    commit_as(started, PAT, "signed sign-offs only")
    git(started, "checkout", "-q", "feature")
    git(started, "rebase", "-q", "main")
    add_signoff(needs_signoff, DANA)
    # Pat signs with his own trusted key a commit that names Dana as its author.
    commit_as(started, DANA, "Dana signs off, or so it says", f"--gpg-sign={keys[PAT]}")
    forged = git(started, "rev-parse", "HEAD").strip()
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 1
    [verdict] = json.loads(result.stdout)["checklists"]
    why = (
        f"{forged[:10]} is signed with the key of {PAT[1]}, not the signer's; "
        "a sign-off counts when the signer signs it with their own key"
    )
    assert verdict["signoffs_not_counted"] == [{"name": DANA[0], "email": DANA[1], "why": why}]
    assert (
        f"  the sign-off by Dana Lead <dana@example.com> does not count: {why}"
        in cli("check", "--base", "main").stdout.splitlines()
    )
    # Dana's own key on her own commit counts.
    git(started, "reset", "-q", "--soft", "HEAD~1")
    commit_as(started, DANA, "Dana signs off", f"--gpg-sign={keys[DANA]}")
    signed = cli("check", "--base", "main", "--json")
    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.stdout)["checklists"][0]["signoffs_counted"] == 1


def test_a_counted_signoff_still_counts_after_a_rebase_onto_a_newer_main(
    cli: Cli, started: Path, needs_signoff: Path
) -> None:
    dana = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}
    assert cli("signoff", needs_signoff.stem, env=dana).exit_code == 0
    commit_as(started, DANA, "Dana signs off")
    git(started, "checkout", "-q", "main")
    write(started / "README.md", "# app, moved on\n")
    commit_as(started, PAT, "main moves on")
    git(started, "checkout", "-q", "feature")
    git(started, "rebase", "-q", "main")
    result = cli("check", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    [verdict] = json.loads(result.stdout)["checklists"]
    assert (verdict["covered"], verdict["signoffs_counted"], verdict["copied"]) == (True, 1, None)


def test_a_record_stored_through_a_filter_is_judged_as_stored_and_the_filter_named(
    cli: Cli, started: Path
) -> None:
    # The work tree keeps what micromoment wrote; git stores what the clean filter makes of it.
    git(started, "config", "filter.finish.clean", "sed 's/^status: complete$/status: finished/'")
    git(started, "config", "filter.finish.smudge", "cat")
    write(started / ".gitattributes", ".micromoment/reviews/*.yaml filter=finish\n")
    commit_as(started, PAT, "a filter on records")
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v1\n")
    record = review_genai(cli, started)
    commit_as(started, PAT, "prompt and review")
    named = f".micromoment/reviews/{record.name}"
    linted = cli("lint", named)
    assert linted.exit_code == 0, linted.output
    checked = cli("check", "--base", "main")
    assert checked.exit_code == 1
    line = record.read_text(encoding="utf-8").splitlines().index("status: complete") + 1
    [invalid] = [text for text in checked.stdout.splitlines() if text.startswith("INVALID: ")]
    assert invalid == (
        f"INVALID: {named}:{line}:9: status: must be one of complete, incomplete; stored through filter "
        "'finish' (.gitattributes), and the gate reads what git stores, where lint reads the work tree"
    )


Verdicts = dict[str, tuple[bool, int]]
TIGHTENED = {
    "signoffs": "checklists:\n  genai-output-review: {signoffs: 1}\n",
    "trigger": "checklists:\n  data-safeguards: {also_applies_to: ['prompts/**']}\n",
}


def verdicts_from_every_checkout(cli: Cli, repo: Path) -> tuple[list[tuple[int, Verdicts]], int]:
    """`check --base main` on `feature`'s head, on a detached checkout of it, and on the merge
    commit CI builds (main merged with it, by someone else): the exit code and each checklist's
    (covered, sign-offs required); and the hook's exit code on the head with a tweak staged."""

    def judged() -> tuple[int, Verdicts]:
        result = cli("check", "--base", "main", "--json")
        found = json.loads(result.stdout)["checklists"]
        return result.exit_code, {v["checklist"]: (v["covered"], v["signoffs_required"]) for v in found}

    found = [judged()]
    git(repo, "checkout", "-q", "--detach", "feature")
    found.append(judged())
    git(repo, "checkout", "-q", "--detach", "main")
    env = {**os.environ, "GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}
    merged = {**env, "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "merge", "feature"], cwd=repo, env=merged, check=True
    )
    found.append(judged())
    git(repo, "checkout", "-q", "feature")
    write(repo / "prompts/support.txt", "v1, one word changed\n")
    git(repo, "add", "-A")
    hooked = hook(repo).returncode
    git(repo, "reset", "-q", "--hard")
    return found, hooked


@pytest.mark.parametrize("tightened", sorted(TIGHTENED))
def test_the_rules_are_the_base_tips_in_every_checkout(cli: Cli, started: Path, tightened: str) -> None:
    git(started, "checkout", "-q", "-b", "feature")
    write(started / "prompts/support.txt", "v1\n")
    review_genai(cli, started)
    commit_as(started, PAT, "prompt and its review")
    assert verdicts_from_every_checkout(cli, started) == ([(0, {"genai-output-review": (True, 0)})] * 3, 0)
    # main tightens a rule after the branch was cut: it applies to the branch all the same.
    git(started, "checkout", "-q", "main")
    write(started / ".micromoment/config.yaml", TIGHTENED[tightened])
    commit_as(started, PAT, "tighten")
    git(started, "checkout", "-q", "feature")
    expected = {
        "signoffs": {"genai-output-review": (False, 1)},
        "trigger": {"genai-output-review": (True, 0), "data-safeguards": (False, 0)},
    }[tightened]
    assert verdicts_from_every_checkout(cli, started) == ([(1, expected)] * 3, 1)
