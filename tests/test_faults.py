"""OS faults through the real CLI: modes, full disks, folders in a file's place, missing folders, damaged drafts."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Cli, git, write
from micromoment.capture import recording
from micromoment.files import WriteFailed
from micromoment.records import load_record

DANA = {"GIT_AUTHOR_NAME": "Dana Lead", "GIT_AUTHOR_EMAIL": "dana@example.com"}
ANSWERS = "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n"


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def record(cli: Cli, repo: Path) -> Path:
    answers = write(repo / "answers.yaml", ANSWERS)
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    [path] = (repo / ".micromoment/reviews").glob("*.yaml")
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_a_record_its_markdown_and_out_follow_the_umask(
    cli: Cli, mini: Path, umask: None, mask: int, expected: int
) -> None:
    os.umask(mask)
    path = record(cli, mini)
    assert (mode(path), mode(path.with_suffix(".md"))) == (expected, expected)
    out = mini / "review.md"
    assert cli("render", path.stem, "--out", str(out)).exit_code == 0
    assert mode(out) == expected


def test_rewrites_keep_a_files_mode(cli: Cli, mini: Path, umask: None) -> None:
    os.umask(0o022)
    path = record(cli, mini)
    markdown = path.with_suffix(".md")
    path.chmod(0o640)
    markdown.chmod(0o640)
    signed = cli("signoff", path.stem, env=DANA)
    assert signed.exit_code == 0, signed.output
    assert [s.who.name for s in load_record(path).signoffs] == ["Dana Lead"]
    assert (mode(path), mode(markdown)) == (0o640, 0o640)
    out = write(mini / "out.md", "old\n")
    out.chmod(0o640)
    assert cli("render", path.stem, "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Mini check")
    assert mode(out) == 0o640  # --out no longer resets a file to 0600


def test_a_full_disk_at_the_markdown_leaves_no_record(
    cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, text: str, **_: object) -> recording.Staged:
        raise WriteFailed(path, "No space left on device", "free some space and run the command again")

    monkeypatch.setattr(recording, "stage", full)
    answers = write(mini / "answers.yaml", ANSWERS)
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 2
    assert "No space left on device; free some space and run the command again" in result.stderr
    assert [n for n in files_in(mini / ".micromoment/reviews") if n != ".gitignore"] == []


def test_the_markdown_failing_after_the_yaml_takes_the_record_back(
    cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_commit = recording.commit

    def markdown_fails(staged: recording.Staged, **kwargs: bool) -> None:
        assert list((mini / ".micromoment/reviews").glob("*.yaml")), "the YAML is written first"
        staged.discard()
        raise WriteFailed(staged.path, "No space left on device", "free some space and run the command again")

    monkeypatch.setattr(recording, "commit", markdown_fails)
    answers = write(mini / "answers.yaml", ANSWERS)
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("micromoment: ") and line.endswith(
        ".md: cannot write: No space left on device; free some space and run the command again; "
        "nothing was recorded"
    )
    assert [n for n in files_in(mini / ".micromoment/reviews") if not n.startswith(".")] == []

    # When even taking the YAML back fails, the message says what was kept and how to finish it.
    real_unlink = Path.unlink

    def stuck(self: Path, missing_ok: bool = False) -> None:
        if self.suffix == ".yaml" and self.parent.name == "reviews":
            raise OSError(errno.EROFS, "Read-only file system")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", stuck)
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 2
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    shown = f".micromoment/reviews/{path.name}"
    assert result.stderr.startswith(f"micromoment: {shown} was recorded, but not its Markdown: ")
    assert result.stderr.endswith(f"; once that is fixed, run micromoment render {shown}\n")
    assert not path.with_suffix(".md").exists()
    monkeypatch.setattr(recording, "commit", real_commit)
    assert cli("render", shown).exit_code == 0
    assert path.with_suffix(".md").exists()


def test_a_guided_review_that_cannot_be_written_keeps_its_draft(
    cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, text: str, **_: object) -> recording.Staged:
        raise WriteFailed(path, "No space left on device", "free some space and run the command again")

    script = "".join(f"{line}\n" for line in ("1", "", "", "y", "", "", "Sam", "", "", "y"))
    with monkeypatch.context() as patched:
        patched.setattr(recording, "stage", full)
        result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        ".md: cannot write: No space left on device; free some space and run the command again; "
        "your answers are kept in a draft; once that is fixed, continue with:\nmicromoment review --resume\n"
    )
    assert len(list((mini / ".git/micromoment/drafts").glob("*.yaml"))) == 1
    resumed = cli("review", "--resume", "--interactive", input="y\n")
    assert resumed.exit_code == 0, resumed.output
    assert len(list((mini / ".micromoment/reviews").glob("*.yaml"))) == 1


def test_a_signoff_whose_markdown_fails_says_what_was_kept_and_how_to_finish(
    cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = record(cli, mini)
    real_replace = Path.replace

    def markdown_rename_fails(self: Path, target: Path) -> Path:
        if Path(target).suffix == ".md":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(self, target)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "replace", markdown_rename_fails)
        result = cli("signoff", path.stem, env=DANA)
    assert result.exit_code == 2
    shown = f".micromoment/reviews/{path.name}"
    assert result.stderr == (
        f"micromoment: {shown} was updated, but its Markdown was not: {shown[:-5]}.md: cannot write: "
        "No space left on device; free some space and run the command again; "
        f"once that is fixed, run micromoment render {shown}\n"
    )
    assert [s.who.name for s in load_record(path).signoffs] == ["Dana Lead"]
    assert "Dana Lead" not in path.with_suffix(".md").read_text(encoding="utf-8")
    assert cli("render", shown).exit_code == 0
    assert "Dana Lead: approve" in path.with_suffix(".md").read_text(encoding="utf-8")


def test_a_folder_in_the_markdowns_place_changes_nothing(cli: Cli, mini: Path) -> None:
    path = record(cli, mini)
    markdown = path.with_suffix(".md")
    before = path.read_bytes()
    markdown.unlink()
    markdown.mkdir()
    result = cli("signoff", path.stem, env=DANA)
    assert result.exit_code == 2
    assert result.stderr == (
        f"micromoment: .micromoment/reviews/{markdown.name}: cannot write: a folder has that name; give a file path instead, "
        "or move the folder\n"
    )
    assert path.read_bytes() == before
    assert [n for n in files_in(path.parent) if n.startswith(".") and n != ".gitignore"] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_read_only_reviews_folder_is_a_message(cli: Cli, mini: Path) -> None:
    record(cli, mini)
    folder = mini / ".micromoment/reviews"
    before = files_in(folder)
    folder.chmod(0o555)
    try:
        answers = write(mini / "answers.yaml", ANSWERS)
        result = cli("review", "mini", "--answers", str(answers))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert "cannot write: Permission denied; check the folder's permissions" in result.stderr
    assert files_in(folder) == before


@pytest.mark.parametrize("command", ["render", "pr-note"])
def test_out_into_a_missing_folder_or_onto_a_folder(cli: Cli, mini: Path, command: str) -> None:
    path = record(cli, mini)
    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "with a review")
    args = ["render", path.stem] if command == "render" else ["pr-note", "--base", "HEAD"]
    missing = cli(*args, "--out", "missing/dir/x.md")
    assert missing.exit_code == 2
    assert missing.stderr == (
        "micromoment: missing/dir/x.md: cannot write: the folder missing/dir does not exist; "
        "create it (mkdir -p missing/dir) first\n"
    )
    assert not (mini / "missing").exists()
    (mini / "notes").mkdir()
    onto = cli(*args, "--out", "notes")
    assert onto.exit_code == 2
    assert onto.stderr == (
        "micromoment: notes: cannot write: a folder has that name; give a file path instead, or move the folder\n"
    )
    assert files_in(mini / "notes") == []


def test_import_deon_out_creates_only_micromoments_own_folders(cli: Cli, repo: Path) -> None:
    source = Path(__file__).parent / "fixtures" / "deon-checklist.yaml"
    missing = cli("import-deon", str(source), "--out", "elsewhere/x.yaml")
    assert missing.exit_code == 2 and "the folder elsewhere does not exist" in missing.stderr
    inside = cli("import-deon", str(source), "--out", ".micromoment/checklists/x.yaml")
    assert inside.exit_code == 0, inside.output


def test_a_damaged_draft_is_set_aside_and_the_review_goes_on(cli: Cli, mini: Path) -> None:
    folder = mini / ".git/micromoment/drafts"
    damaged = write(folder / "0badc0de.yaml", "kind: draft\nanswers: [unclosed\n")
    invalid = write(folder / "1badc0de.yaml", "kind: draft\nschema_version: 1\n")
    script = "".join(f"{line}\n" for line in ("1", "", "", "y", "", "", "Sam", "", "", "y"))
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    messages = [line for line in result.stderr.splitlines() if "damaged draft" in line]
    assert len(messages) == 2
    for original, message in zip((damaged, invalid), messages, strict=True):
        [moved] = folder.glob(f"{original.name}.damaged-*")
        assert message.startswith(f".git/micromoment/drafts/{original.name}:")
        assert message.endswith(
            f"; damaged draft set aside as .git/micromoment/drafts/{moved.name}, going on without it"
        )
        assert not original.exists()
    assert [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.damaged-*"))] == [
        "kind: draft\nanswers: [unclosed\n",
        "kind: draft\nschema_version: 1\n",
    ]
    assert len(list((mini / ".micromoment/reviews").glob("*.yaml"))) == 1
    again = cli("review", "--resume", "--interactive", input="")
    assert again.exit_code == 2 and "no unfinished review to resume" in again.stderr


def test_with_the_state_folder_unusable_every_command_works_and_says_so_once(
    cli: Cli, mini: Path, tmp_path: Path
) -> None:
    record(cli, mini)
    state = mini / ".git/micromoment"
    if state.exists():
        for part in sorted(state.rglob("*"), reverse=True):
            part.rmdir() if part.is_dir() else part.unlink()
        state.rmdir()
    state.write_text("not a folder\n", encoding="utf-8")
    said = "/.git/micromoment/ledger.sqlite3: cannot be used as micromoment's ledger; every record is read afresh"
    assert cli("report", "--html", str(tmp_path / "site")).exit_code == 0
    for args in (["stats"], ["log"], ["todo"]):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        assert [line for line in result.stderr.splitlines() if "ledger" in line] == [f"{mini}{said}"], args
        assert "Traceback" not in result.output
    log = cli("log", "--json")
    assert log.exit_code == 0 and '"mini"' in log.stdout
    assert cli("list").exit_code == 0
    assert cli("render").exit_code == 0
    assert cli("check", "--staged").exit_code == 0
    assert state.read_text(encoding="utf-8") == "not a folder\n"
