"""Atomic writes: a reader sees the old file or the new one, and a crash leaves no half file."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromoment.errors import MicromomentError, Refused
from micromoment.files import write_atomic


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
