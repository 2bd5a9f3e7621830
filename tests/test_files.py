"""Atomic writes: a reader sees the old file or the new one, and a crash leaves no half file."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PATIENCE
from micromoment.errors import MicromomentError, Refused
from micromoment.files import PartlyWritten, WriteFailed, new_file_mode, write_atomic, write_together


def test_write_replaces_whole_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.yaml"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["file.yaml"]


def test_no_overwrite_refuses_an_existing_name(tmp_path: Path) -> None:
    target = tmp_path / "record.yaml"
    write_atomic(target, "first\n", overwrite=False)
    with pytest.raises(Refused, match="already exists"):
        write_atomic(target, "second\n", overwrite=False)
    assert target.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["record.yaml"]


def test_a_crash_before_the_rename_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "draft.yaml"
    write_atomic(target, "answers so far\n")

    def crash(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(MicromomentError, match="cannot write: No space left on device"):
        write_atomic(target, "half\n")
    assert target.read_text(encoding="utf-8") == "answers so far\n"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.yaml"]


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664), (0o027, 0o640)])
def test_a_new_file_follows_the_umask(
    tmp_path: Path, umask: Callable[[int], None], mask: int, mode: int
) -> None:
    umask(mask)
    target = tmp_path / "new.md"
    write_atomic(target, "x\n")
    assert stat.S_IMODE(target.stat().st_mode) == mode


@given(mask=st.integers(min_value=0, max_value=0o777))
@settings(max_examples=25, deadline=None)
def test_new_file_mode_is_what_open_would_give(mask: int) -> None:
    old = os.umask(mask)
    try:
        with tempfile.TemporaryDirectory() as folder:
            by_open = Path(folder) / "by-open"
            by_open.touch()
            ours = Path(folder) / "ours"
            write_atomic(ours, "")
            assert new_file_mode() == 0o666 & ~mask
            assert stat.S_IMODE(ours.stat().st_mode) == stat.S_IMODE(by_open.stat().st_mode)
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_rewriting_a_file_keeps_its_mode(tmp_path: Path, umask: Callable[[int], None], mask: int) -> None:
    umask(mask)
    target = tmp_path / "record.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_is_written_through_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"


def test_a_folder_in_the_files_place_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "note.md").mkdir()
    with pytest.raises(WriteFailed) as caught:
        write_atomic(tmp_path / "note.md", "x\n")
    assert caught.value.message == (
        f"{tmp_path / 'note.md'}: cannot write: a folder has that name; give a file path instead, or move the folder"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["note.md"]


def test_a_missing_folder_is_created_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.md"
    with pytest.raises(WriteFailed) as caught:
        write_atomic(target, "x\n", make_parents=False)
    folder = tmp_path / "missing" / "dir"
    assert caught.value.message == (
        f"{target}: cannot write: the folder {folder} does not exist; create it (mkdir -p {folder}) first"
    )
    assert not (tmp_path / "missing").exists()
    write_atomic(target, "x\n")
    assert target.read_text(encoding="utf-8") == "x\n"


def test_a_file_where_a_folder_should_be_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    plain = tmp_path / "plain"
    for make_parents in (False, True):
        with pytest.raises(WriteFailed) as caught:
            write_atomic(plain / "x.md", "x\n", make_parents=make_parents)
        assert caught.value.message == (
            f"{plain / 'x.md'}: cannot write: {plain} is not a folder; pick a path inside a folder"
        )
    with pytest.raises(WriteFailed, match=r"cannot write: Not a directory; a file stands where a folder"):
        write_atomic(plain / "sub" / "x.md", "x\n")


def test_a_full_disk_while_writing_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "record.md"
    target.write_text("old\n", encoding="utf-8")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteFailed) as caught:
        write_atomic(target, "new\n")
    assert caught.value.message == (
        f"{target}: cannot write: No space left on device; free some space and run the command again"
    )
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["record.md"]


def test_a_name_the_os_refuses_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(WriteFailed, match="use a shorter file name"):
        write_atomic(tmp_path / ("x" * 300 + ".md"), "x\n")
    with pytest.raises(WriteFailed, match="the file name holds a character files cannot have"):
        write_atomic(tmp_path / "bad\0name.md", "x\n")
    assert list(tmp_path.iterdir()) == []


def test_files_written_together_land_together_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml, markdown = tmp_path / "r.yaml", tmp_path / "r.md"
    write_together([(yaml, "one\n"), (markdown, "# one\n")])
    assert (yaml.read_text(encoding="utf-8"), markdown.read_text(encoding="utf-8")) == ("one\n", "# one\n")

    markdown.unlink()
    markdown.mkdir()  # the second file cannot be written: nothing changes, not even the first
    with pytest.raises(WriteFailed, match=r"r\.md: cannot write: a folder has that name"):
        write_together([(yaml, "two\n"), (markdown, "# two\n")])
    assert yaml.read_text(encoding="utf-8") == "one\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r.yaml"]
    markdown.rmdir()

    real_replace = Path.replace

    def second_rename_fails(self: Path, target: Path) -> Path:
        if Path(target).suffix == ".md":
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", second_rename_fails)
    with pytest.raises(PartlyWritten) as caught:
        write_together([(yaml, "three\n"), (markdown, "# three\n")])
    assert caught.value.written == [yaml] and caught.value.pending == [markdown]
    assert str(caught.value.failed) == f"{markdown}: cannot write: Input/output error"
    assert yaml.read_text(encoding="utf-8") == "three\n" and not markdown.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.yaml"]  # no temp file left behind


def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    """Like /dev/stdout or a process substitution: the text goes into it, and it stays a pipe."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    write_atomic(pipe, "through the pipe\n", to_device=True)  # an output path a person typed
    reader.join(timeout=PATIENCE)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]
    with pytest.raises(WriteFailed, match="pipe: cannot write: not a regular file"):
        write_together([(pipe, "x\n")])
    # micromoment's own files never wait on a pipe in their place: refused at once, pipe untouched
    # (in a thread, so a write that does wait fails the test instead of hanging it)
    raised: list[BaseException] = []

    def own_file() -> None:
        try:
            write_atomic(pipe, "a record\n")
        except BaseException as exc:  # handed to the assertion below
            raised.append(exc)

    writer = threading.Thread(target=own_file, daemon=True)
    writer.start()
    writer.join(timeout=PATIENCE)
    assert not writer.is_alive(), "write_atomic waited on the pipe"
    assert [type(e) for e in raised] == [WriteFailed]
    assert "pipe: cannot write: not a regular file" in str(raised[0])
    assert stat.S_ISFIFO(pipe.stat().st_mode)


@pytest.mark.parametrize(
    ("code", "reason", "fix"),
    [
        (errno.EACCES, "Permission denied", "check the folder's permissions"),
        (errno.EROFS, "Read-only file system", "the file system is read-only; write somewhere else"),
        (
            errno.EDQUOT,
            "Disk quota exceeded",
            "free some space (the disk quota is used up) and run the command again",
        ),
        (errno.EIO, "Input/output error", ""),
    ],
)
def test_a_folder_that_refuses_new_files_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str, fix: str
) -> None:
    """What a read-only folder does to a user who is not root (root may write anyway, so this is simulated)."""

    def refuse(**_: object) -> tuple[int, str]:
        raise OSError(code, reason)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "x.md"
    with pytest.raises(WriteFailed) as caught:
        write_atomic(target, "x\n")
    assert caught.value.message == f"{target}: cannot write: {reason}" + (f"; {fix}" if fix else "")
    assert list(tmp_path.iterdir()) == []
