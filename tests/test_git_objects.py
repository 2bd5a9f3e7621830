"""Reading git's machine output: `diff --raw -z` and `cat-file --batch`, by the byte, on generated
names and contents and on a real repository with awkward file names."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import git
from micromoment.git.objects import (
    EMPTY_TREE,
    Changed,
    current_branch,
    find_base,
    head_commit,
    ls_index,
    ls_tree,
    merge_base,
    parse_batch,
    parse_raw,
    read_blobs,
    read_objects,
    resolve,
    start_diff,
)
from micromoment.git.run import SHALLOW_HINT, GitFailed, Repo


def diff_raw(repo: Repo, old: str | None, new: str | None = None, under: str | None = None) -> list[Changed]:
    return parse_raw(start_diff(repo, old, new, under).output())


def default_branch(repo: Repo, configured: str | None = None) -> str | None:
    found = find_base(repo, configured)
    return found[0] if found else None


oids = st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)
# Any bytes but NUL, which ends a name in -z output: spaces, newlines, tabs and non-UTF-8 included.
names = st.binary(min_size=1, max_size=30).filter(lambda b: b"\0" not in b)
statuses = st.sampled_from(["A", "M", "D", "T"])


def raw_entry(status: str, name: bytes, old: str, new: str) -> bytes:
    return b":100644 100644 %s %s %s\0%s\0" % (old.encode(), new.encode(), status.encode(), name)


@given(st.lists(st.tuples(statuses, names, oids, oids), max_size=6))
def test_parse_raw_reads_back_every_entry(entries: list[tuple[str, bytes, str, str]]) -> None:
    raw = b"".join(raw_entry(*entry) for entry in entries)
    parsed = parse_raw(raw)
    assert [(c.path, c.status, c.oid) for c in parsed] == [
        (name.decode("utf-8", "surrogateescape"), status, new) for status, name, _, new in entries
    ]


def test_parse_raw_takes_the_status_letter_and_the_new_side() -> None:
    raw = raw_entry("M", b"a b.txt", "1" * 40, "2" * 40) + b":000000 100644 " + b"0" * 40 + b" " + b"3" * 40
    raw += b" A\0new\nline\0"
    [first, second] = parse_raw(raw)
    assert (first.path, first.status, first.oid) == ("a b.txt", "M", "2" * 40)
    assert (second.path, second.status, second.oid) == ("new\nline", "A", "3" * 40)
    assert parse_raw(b"") == []
    assert parse_raw(b"garbage\0x\0") == []


def batch_output(specs: list[str], contents: dict[str, bytes]) -> bytes:
    """What `git cat-file --batch` prints: `oid blob size`, the bytes and a newline; or `spec missing`."""
    out = b""
    for index, spec in enumerate(specs):
        if spec in contents:
            data = contents[spec]
            out += b"%040x blob %d\n%s\n" % (index, len(data), data)
        else:
            out += spec.encode() + b" missing\n"
    return out


spec_names = st.text(alphabet="abcdefghij:/. -", min_size=1, max_size=12)


@given(st.lists(spec_names, unique=True, max_size=6), st.data())
def test_parse_batch_reads_every_blob_and_leaves_the_missing_out(
    specs: list[str], data: st.DataObject
) -> None:
    present = data.draw(st.sets(st.sampled_from(specs))) if specs else set()
    contents = {spec: data.draw(st.binary(max_size=40)) for spec in sorted(present)}
    assert parse_batch(batch_output(specs, contents), specs) == contents


def test_parse_batch_with_contents_that_look_like_headers() -> None:
    specs = ["HEAD:a", "HEAD:b", "HEAD:c"]
    tricky = {"HEAD:a": b"x blob 3\n\n", "HEAD:c": b""}
    assert parse_batch(batch_output(specs, tricky), specs) == tricky
    # A tree or commit is not a blob: its bytes are skipped, never returned.
    out = b"%s tree 0\n\n" % (b"1" * 40) + b"%s blob 2\nhi\n" % (b"2" * 40)
    assert parse_batch(out, ["HEAD:", "HEAD:x"]) == {"HEAD:x": b"hi"}


@pytest.fixture
def awkward(repo: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Repo, dict[str, bytes]]:
    """A commit of files whose names have a space, a newline and bytes that are not UTF-8."""
    files = {
        b"with space.txt": b"one\n",
        b"new\nline.txt": b"two\n",
        b"caf\xe9.txt": b"three\n",
        b"plain.txt": b"",
        b"tab\there.txt": b"four\n",
    }
    for name, data in files.items():
        (Path(os.fsdecode(bytes(repo))) / os.fsdecode(name)).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "awkward names")
    found = {name.decode("utf-8", "surrogateescape"): data for name, data in files.items()}
    # git is asked about the repository it is given, never about the folder the process is in.
    monkeypatch.chdir(repo.parent)
    return Repo(str(repo), str(repo / ".git")), found


def test_a_real_diff_names_every_awkward_path(awkward: tuple[Repo, dict[str, bytes]]) -> None:
    repo, files = awkward
    changed = diff_raw(repo, None, "HEAD")
    assert sorted((c.path, c.status) for c in changed) == sorted((name, "A") for name in files)
    assert diff_raw(repo, "HEAD") == []  # nothing staged
    (Path(repo.root) / "plain.txt").write_bytes(b"now something\n")
    (Path(repo.root) / "with space.txt").unlink()
    git(Path(repo.root), "add", "-A")
    staged = diff_raw(repo, "HEAD")
    assert sorted((c.path, c.status) for c in staged) == [("plain.txt", "M"), ("with space.txt", "D")]
    [modified] = [c for c in staged if c.status == "M"]
    assert modified.oid == git(Path(repo.root), "rev-parse", ":plain.txt").strip()
    assert [c.path for c in diff_raw(repo, "HEAD", under="plain.txt")] == ["plain.txt"]
    # Between two commits the index plays no part.
    assert sorted((c.path, c.status) for c in diff_raw(repo, None, "HEAD")) == sorted(
        (name, "A") for name in files
    )


def test_real_blobs_come_back_byte_for_byte(awkward: tuple[Repo, dict[str, bytes]]) -> None:
    repo, files = awkward
    specs = [f"HEAD:{name}" for name in files] + ["HEAD:absent.txt", ":plain.txt", "HEAD:absent\nname"]
    found = read_blobs(repo, specs)
    assert found == {**{f"HEAD:{name}": data for name, data in files.items()}, ":plain.txt": b""}
    listed = dict(ls_tree(repo, "HEAD", ["."]))
    assert sorted(listed) == sorted(files)
    assert dict(ls_index(repo, ["."])) == listed
    by_oid = read_objects(repo, list(listed.values()))
    assert {name: by_oid[oid] for name, oid in listed.items()} == files


def test_a_blob_over_the_limit_is_never_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "four").write_bytes(b"1234")
    (repo / "five").write_bytes(b"12345")
    git(repo, "add", "-A")
    handle = Repo(str(repo), str(repo / ".git"))
    monkeypatch.chdir(repo.parent)
    four, five = (git(repo, "rev-parse", f":{name}").strip() for name in ("four", "five"))
    assert read_objects(handle, [four, five, four], limit=4) == {four: b"1234", five: None}
    assert read_objects(handle, [four, five], limit=5) == {four: b"1234", five: b"12345"}
    assert read_objects(handle, []) == {}


def test_blobs_read_past_one_too_big_and_contents_that_look_like_headers(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"big": b"x" * 70_000, "tricky": b"0" * 40 + b" blob 3\n\n", "empty": b"", "last": b"end"}
    for name, data in files.items():
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "blobs")
    handle = Repo(str(repo), str(repo / ".git"))
    monkeypatch.chdir(repo.parent)
    oids = {name: git(repo, "rev-parse", f"HEAD:{name}").strip() for name in files}
    found = read_objects(handle, list(oids.values()), limit=69_999)
    assert found == {oids["big"]: None, **{oids[n]: files[n] for n in ("tricky", "empty", "last")}}
    # A tree is read past, never returned; what follows it still comes back.
    assert read_blobs(handle, ["HEAD:", "HEAD:last", "HEAD:nothing"]) == {"HEAD:last": b"end"}


def test_reading_blobs_outside_a_repository_names_gits_refusal(tmp_path: Path) -> None:
    with pytest.raises(GitFailed, match=r"^git cat-file --batch failed: .*not a git repository"):
        read_objects(Repo(str(tmp_path), str(tmp_path / ".git")), ["0" * 40])


def test_the_empty_tree_is_gits_own(repo: Path) -> None:
    made = subprocess.run(["git", "mktree"], cwd=repo, input=b"", capture_output=True, check=True)
    assert made.stdout.decode().strip() == EMPTY_TREE


def test_the_default_branch_follows_config_then_init_then_main(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = Repo(str(repo), str(repo / ".git"))
    monkeypatch.chdir(repo.parent)
    assert default_branch(handle) is None  # nothing committed: no branch exists yet
    (repo / "a").write_text("a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a")
    assert default_branch(handle) == "main"
    git(repo, "branch", "trunk")
    git(repo, "branch", "master")
    assert default_branch(handle, "trunk") == "trunk"
    assert default_branch(handle, "nope") == "main"
    git(repo, "config", "init.defaultBranch", "trunk")
    assert default_branch(handle) == "trunk"
    git(repo, "update-ref", "refs/remotes/origin/master", "HEAD")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/master")
    assert default_branch(handle) == "origin/master"


def test_raw_diff_gives_both_sides_and_marks_submodules() -> None:
    old, new, zero = "a" * 40, "b" * 40, "0" * 40
    raw = (
        f":100644 100644 {old} {new} M\0app.py\0:000000 100644 {zero} {new} A\0café.py\0"
        f":160000 160000 {old} {new} M\0vendor/lib\0:100644 160000 {old} {new} T\0was-a-file\0"
    ).encode()
    assert parse_raw(raw) == [
        Changed("app.py", "M", new, old, False),
        Changed("café.py", "A", new, zero, False),
        Changed("vendor/lib", "M", new, old, True),
        Changed("was-a-file", "T", new, old, True),
    ]


def test_only_master_is_found_as_master(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "checkout", "-q", "-b", "master")
    (repo / "a").write_text("a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a")
    monkeypatch.chdir(repo.parent)
    assert default_branch(Repo(str(repo), str(repo / ".git"))) == "master"


def test_refs_heads_and_merge_bases(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handle = Repo(str(repo), str(repo / ".git"))
    monkeypatch.chdir(repo.parent)
    assert head_commit(handle) is None
    (repo / "a").write_text("a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a")
    first = git(repo, "rev-parse", "HEAD").strip()
    assert head_commit(handle) == first
    assert current_branch(handle) == "main"
    git(repo, "checkout", "-q", "-b", "feature/x")
    (repo / "b").write_text("b\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "b")
    second = git(repo, "rev-parse", "HEAD").strip()
    assert current_branch(handle) == "feature/x"
    assert resolve(handle, "main") == first and resolve(handle, "HEAD") == second
    assert merge_base(handle, "main", first) == first
    assert merge_base(handle, "feature/x", second, "main") == first
    with pytest.raises(GitFailed) as unknown:
        resolve(handle, "origin/main")
    assert (
        str(unknown.value)
        == "unknown ref 'origin/main': fetch it first, or use the local branch: --base main"
    )
    with pytest.raises(GitFailed) as unknown:
        resolve(handle, "origin/release")
    assert str(unknown.value) == f"unknown ref 'origin/release': fetch it first; {SHALLOW_HINT}"
    git(repo, "checkout", "-q", "--orphan", "alone")
    git(repo, "commit", "-q", "-m", "alone")
    with pytest.raises(GitFailed) as apart:
        merge_base(handle, "main", first)
    assert str(apart.value) == f"no common history between 'main' and HEAD; {SHALLOW_HINT}"
    git(repo, "checkout", "-q", "--detach", "main")
    assert current_branch(handle) is None
