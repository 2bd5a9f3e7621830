"""What git knows about where a review happens: repository, branch, commit, identity (through GitPython)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from micromoment.errors import MicromomentError
from micromoment.validation import StrictModel, Text

if TYPE_CHECKING:
    import git


class GitContext(StrictModel):
    """The state of the work tree when a review was recorded."""

    repository: str | None = Field(default=None, description="The repository folder's name.")
    branch: str | None = Field(default=None, description="The current branch; none when HEAD is detached.")
    detached_at: str | None = Field(default=None, description="The commit a detached HEAD points at.")
    head: str | None = Field(default=None, description="The HEAD commit; none before the first commit.")
    dirty: bool = Field(default=False, description="Whether the work tree had uncommitted changes.")
    remote: str | None = Field(default=None, description="The origin URL, with any credentials removed.")


class Person(StrictModel):
    """Someone who answered or signed, as git knows them."""

    name: Text
    email: str = ""


def _repo(start: Path) -> git.Repo | None:
    if shutil.which("git") is None:
        return None  # no git on PATH: record without git context rather than fail halfway
    # GitPython refuses to import when git is missing unless told to stay quiet about it.
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
        return None


@dataclass(frozen=True)
class GitState:
    """A repository handle, or nothing outside git; the one seam to git for reviews."""

    repo: Any | None

    @classmethod
    def at(cls, start: Path) -> GitState:
        return cls(_repo(start))

    @property
    def git_dir(self) -> Path | None:
        return Path(self.repo.git_dir) if self.repo is not None else None

    def context(self) -> GitContext | None:
        repo = self.repo
        if repo is None:
            return None
        head = repo.head.commit.hexsha if repo.head.is_valid() else None
        detached = repo.head.is_detached
        return GitContext(
            repository=Path(repo.working_tree_dir or repo.git_dir).name,
            branch=None if detached else repo.active_branch.name,
            detached_at=head if detached else None,
            head=head,
            dirty=_is_dirty(repo),
            remote=_remote_url(repo),
        )

    def changed_paths(self) -> list[str]:
        """Paths changed in the work tree or index, untracked files included."""
        if self.repo is None:
            return []
        output = self.repo.git.status("--porcelain=v1", "-z", "--untracked-files=all")
        paths, entries = [], iter(output.split("\0"))
        for entry in entries:
            if len(entry) < 4:
                continue
            paths.append(entry[3:])
            if entry[0] in "RC":
                next(entries, None)  # a rename carries its old path next
        return paths

    def default_subject(self) -> str:
        """The branch name, else the last commit's subject, else a plain default."""
        repo = self.repo
        if repo is not None:
            if not repo.head.is_detached and repo.active_branch.name not in ("main", "master"):
                return str(repo.active_branch.name)
            if repo.head.is_valid():
                return str(repo.head.commit.summary)
        return "review"


def _is_dirty(repo: Any) -> bool:
    try:
        return bool(repo.is_dirty(untracked_files=True))
    except Exception:
        return False


def _remote_url(repo: Any) -> str | None:
    remotes = {remote.name: remote for remote in repo.remotes}
    remote = remotes.get("origin") or next(iter(remotes.values()), None)
    if remote is None:
        return None
    try:
        return strip_credentials(next(iter(remote.urls)))
    except StopIteration:
        return None


def strip_credentials(url: str) -> str:
    """https://user:token@host/x -> https://host/x; scp-style git@host:x stays as it is."""
    parts = urlsplit(url)
    if parts.scheme and parts.hostname and (parts.username or parts.password):
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        if parts.scheme in ("ssh", "git+ssh") and parts.username and not parts.password:
            return url  # ssh://git@host/x names an account, not a secret
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url


_IDENT = re.compile(r"^(?P<name>.*?) <(?P<email>[^>]*)>")


def author_identity(cwd: Path) -> Person:
    """Who is answering: git's author identity, honouring GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL like git does."""
    try:
        ident = subprocess.run(
            ["git", "var", "GIT_AUTHOR_IDENT"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
        match = _IDENT.match(ident)
        if match and match["name"].strip():
            return Person(name=match["name"].strip(), email=match["email"].strip())
    except (OSError, subprocess.SubprocessError):
        pass
    name = os.environ.get("GIT_AUTHOR_NAME", "").strip()
    if not name:
        raise MicromomentError(
            "who is reviewing? git has no identity for you; run git config --global user.name 'Your Name' "
            "and git config --global user.email you@example.com (or set GIT_AUTHOR_NAME)"
        )
    return Person(name=name, email=os.environ.get("GIT_AUTHOR_EMAIL", "").strip())
