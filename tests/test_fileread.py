"""Reading files micromoment cannot vouch for: a named pipe, a device or a folder in place of a
cache, a template or a record is passed over at once, never waited on or read without end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import git, run_hook, run_module, write
from micromoment.fileread import read_regular

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def test_a_regular_file_is_read_whole_up_to_its_limit_and_not_a_byte_more(tmp_path: Path) -> None:
    exact = write(tmp_path / "exact", "x" * 10)
    assert read_regular(exact, 10) == b"x" * 10
    assert read_regular(exact, 9) is None  # one byte over
    assert read_regular(write(tmp_path / "empty", ""), 0) == b""
    big = tmp_path / "big"
    big.write_bytes(b"y" * (3 << 20))  # more than one read's worth
    assert read_regular(big, 3 << 20) == b"y" * (3 << 20)
    assert read_regular(str(big), (3 << 20) - 1) is None


def test_a_file_that_grew_after_it_was_looked_at_is_read_to_its_end_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read is sized to the file as fstat saw it; bytes written since are still read, and
    still held to the limit."""
    grown = write(tmp_path / "grown", "x" * 10)
    real_fstat = os.fstat

    def as_before(fd: int) -> os.stat_result:  # the file as it was before 6 bytes were added
        seen = real_fstat(fd)
        return os.stat_result((seen.st_mode, *seen[1:6], 4, *seen[7:]))

    monkeypatch.setattr(os, "fstat", as_before)
    assert read_regular(grown, 10) == b"x" * 10
    assert read_regular(grown, 9) is None
    assert read_regular(grown, 4) is None


def test_anything_but_a_regular_file_is_none(tmp_path: Path) -> None:
    assert read_regular(tmp_path / "missing", 10) is None
    assert read_regular(tmp_path, 10) is None  # a folder
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    assert read_regular(zero, 10) is None  # a device is never read without end


@needs_fifo
def test_a_named_pipe_is_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert read_regular(pipe, 10) is None  # returns at once: no writer will ever come


@needs_fifo
def test_a_pipe_in_place_of_the_gate_cache_only_costs_speed(repo: Path) -> None:
    write(repo / "prompts/a.txt", "hi\n")
    skipped = run_module(["skip", "genai-output-review", "--reason", "only a comment changed"], repo)
    assert skipped.returncode == 0, skipped.stderr
    git(repo, "add", "-A")
    assert run_hook(repo).returncode == 0  # judges the record, and keeps the verdict
    cache = repo / ".git" / "micromoment" / "memo.json"
    cache.unlink()
    os.mkfifo(cache)
    again = run_hook(repo)
    assert (again.returncode, again.stderr) == (0, "")
