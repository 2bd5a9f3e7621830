"""What a review records about the repository: branch, commit, remote and who is answering.
GitPython and the models it fills in (`identity`, pydantic) are imported inside these
functions, so no other command, and never the commit hook, pays for them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from micromoment.errors import MicromomentError
from micromoment.git.run import GitFailed, run_git

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from micromoment.identity import GitContext, Person


class GitState:
    """What a review records about the repository (through GitPython), or nothing outside git."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo

    @classmethod
    def at(cls, start: Path) -> GitState:
        """The repository `start` is in; outside one, or with no git on PATH (then the review is
        recorded without git context rather than failing halfway), a state with nothing in it."""
        import shutil

        if shutil.which("git") is None:
            return cls(None)
        import git

        try:
            return cls(git.Repo(start, search_parent_directories=True))
        except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
            return cls(None)

    @property
    def git_dir(self) -> Path | None:
        from pathlib import Path

        return Path(self.repo.git_dir) if self.repo is not None else None

    def context(self) -> GitContext | None:
        from micromoment.identity import GitContext

        repo = self.repo
        if repo is None:
            return None
        head = repo.head.commit.hexsha if repo.head.is_valid() else None
        detached = repo.head.is_detached
        return GitContext(
            repository=os.path.basename(os.path.normpath(repo.working_tree_dir or repo.git_dir)),
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
        """A feature branch's name; on the default branch, what changed (the last commit's subject
        would name work already done, not what is being reviewed); else a plain default."""
        repo = self.repo
        if repo is None:
            return "review"
        if not repo.head.is_detached and repo.active_branch.name not in _DEFAULT_BRANCHES:
            return str(repo.active_branch.name)
        return subject_for_paths(self.changed_paths())


_DEFAULT_BRANCHES = ("main", "master", "trunk", "develop")
SUBJECT_PATHS_SHOWN = 2


def subject_for_paths(paths: list[str]) -> str:
    """`review of a.txt, b.txt (+3 more)`: the changed paths named, a long list cut short."""
    if not paths:
        return "review"
    shown = ", ".join(sorted(paths)[:SUBJECT_PATHS_SHOWN])
    more = len(paths) - SUBJECT_PATHS_SHOWN
    return f"review of {shown}" + (f" (+{more} more)" if more > 0 else "")


def _is_dirty(repo: Any) -> bool:
    try:
        return bool(repo.is_dirty(untracked_files=True))
    except Exception:
        return False


def _remote_url(repo: Any) -> str | None:
    remotes = {remote.name: remote for remote in repo.remotes}
    remote = remotes.get("origin") or next(iter(remotes.values()), None)
    url = next(iter(remote.urls), None) if remote is not None else None
    return strip_credentials(url) if url is not None else None


def strip_credentials(url: str) -> str:
    """https://user:token@host/x -> https://host/x; scp-style git@host:x stays as it is."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    # ssh://git@host/x names an account, not a secret.
    if parts.scheme and (parts.password or (parts.username and parts.scheme not in ("ssh", "git+ssh"))):
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return url


def author_ident(cwd: str | Path) -> tuple[str, str]:
    """git's author name and email for the next commit, honouring GIT_AUTHOR_NAME /
    GIT_AUTHOR_EMAIL as git does; empty when git has no identity."""
    try:
        ident = run_git(["var", "GIT_AUTHOR_IDENT"], cwd).decode("utf-8", "replace")
    except GitFailed:
        return "", ""
    name, _, rest = ident.partition(" <")
    return name.strip(), rest.split(">", 1)[0].strip()


def author_identity(cwd: Path) -> Person:
    """Who is answering, as a record names them."""
    from micromoment.identity import Person

    name, email = author_ident(cwd)
    if name:
        return Person(name=name, email=email)
    name = os.environ.get("GIT_AUTHOR_NAME", "").strip()
    if not name:
        raise MicromomentError(
            "who is reviewing? git has no identity for you; run git config --global user.name 'Your Name' "
            "and git config --global user.email you@example.com (or set GIT_AUTHOR_NAME)"
        )
    return Person(name=name, email=os.environ.get("GIT_AUTHOR_EMAIL", "").strip())
