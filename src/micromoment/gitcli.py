"""Git through a subprocess: the light seam the commit hook and the gate use.

No GitPython, dataclasses or pathlib here: this runs on every commit.
"""

from __future__ import annotations

import os
import subprocess

from micromoment.errors import MicromomentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

SHALLOW_HINT = "shallow CI clones need the full history (e.g. actions/checkout with fetch-depth: 0)"


class GitFailed(MicromomentError):
    """git is missing, or refused a command."""


def run_git(args: list[str], cwd: str | Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,  # git never waits on a question
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitFailed("git is not installed or not on PATH; install git and try again") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(f"git {' '.join(args[:2])} failed: {message[-1] if message else done.returncode}")
    return done.stdout


class Repo:
    """A git work tree: its top folder and its own git directory (a linked worktree has its own)."""

    __slots__ = ("git_dir", "root")

    def __init__(self, root: str, git_dir: str) -> None:
        self.root = root
        self.git_dir = git_dir

    def __repr__(self) -> str:
        return f"Repo({self.root!r}, {self.git_dir!r})"


def find_repo(cwd: str | None = None) -> Repo:
    cwd = cwd or os.getcwd()
    try:
        out = run_git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd).decode().splitlines()
    except GitFailed as exc:
        if "not a git repository" in exc.message:
            raise GitFailed(
                f"{cwd} is not inside a git repository; run this in your project's work tree (or git init first)"
            ) from None
        raise
    return Repo(out[0], out[1])


def _names(raw: bytes) -> list[str]:
    return [name.decode("utf-8", "surrogateescape") for name in raw.split(b"\0") if name]


def staged_paths(repo: Repo) -> list[str]:
    """Paths in the staged change (git honours GIT_INDEX_FILE, so a partial commit sees its own index)."""
    return _names(run_git(["diff", "--cached", "--name-only", "-z", "--no-renames"], repo.root))


def resolve(repo: Repo, ref: str) -> str:
    try:
        return run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo.root).decode().strip()
    except GitFailed:
        raise GitFailed(f"unknown ref {ref!r}: fetch it first; {SHALLOW_HINT}") from None


def has_head(repo: Repo) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.root)
    except GitFailed:
        return False
    return True


def branch_paths(repo: Repo, base: str) -> list[str]:
    """Paths changed by the commits since the merge-base with `base`, plus the staged change."""
    base_commit = resolve(repo, base)
    committed: list[str] = []
    if has_head(repo):
        try:
            merge_base = run_git(["merge-base", base_commit, "HEAD"], repo.root).decode().strip()
        except GitFailed:
            raise GitFailed(f"no common history between {base!r} and HEAD; {SHALLOW_HINT}") from None
        committed = _names(
            run_git(["diff", "--name-only", "-z", "--no-renames", merge_base, "HEAD"], repo.root)
        )
    return list(dict.fromkeys([*committed, *staged_paths(repo)]))


def range_paths(repo: Repo, from_ref: str, to_ref: str) -> list[str]:
    """Paths changed between two refs (what pre-commit passes for a push)."""
    start, end = resolve(repo, from_ref), resolve(repo, to_ref)
    return _names(run_git(["diff", "--name-only", "-z", "--no-renames", f"{start}...{end}"], repo.root))


def read_blobs(repo: Repo, specs: list[str]) -> dict[str, bytes]:
    """Contents of `REV:path` / `:path` objects in one git call; missing ones are left out."""
    if not specs:
        return {}
    out = run_git(["cat-file", "--batch"], repo.root, stdin="".join(f"{s}\n" for s in specs).encode())
    found: dict[str, bytes] = {}
    position = 0
    for spec in specs:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[spec] = out[position : position + size]
            position += size + 1
    return found


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
