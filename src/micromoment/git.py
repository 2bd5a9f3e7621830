"""The one seam to git: every git command goes through `run_git`, and what a review records
about the repository comes from `GitState` (GitPython, imported only where it is used).

No GitPython, dataclasses or pathlib at import time: the commit hook imports this on every commit.
"""

from __future__ import annotations

import contextlib
import os
import subprocess

from micromoment.errors import MicromomentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from micromoment.records import GitContext, Person

SHALLOW_HINT = "shallow CI clones need the full history (e.g. actions/checkout with fetch-depth: 0)"


class GitFailed(MicromomentError):
    """git is missing, or refused a command."""


GIT_TIMEOUT_SECONDS = 60


def run_git(args: list[str], cwd: str | Path, stdin: bytes | None = None) -> bytes:
    """Every git command micromoment runs: no terminal prompts, a time limit, errors as messages."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,  # git never waits on a question
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except FileNotFoundError:
        raise GitFailed("git is not installed or not on PATH; install git and try again") from None
    except subprocess.TimeoutExpired:
        raise GitFailed(
            f"git {' '.join(args[:2])} gave no answer within {GIT_TIMEOUT_SECONDS} s; try again"
        ) from None
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
    """Contents of `REV:path` / `:path` objects in one git call; missing ones are left out.

    A name with a newline cannot be asked for on git's line-based batch input, so such a
    name is asked for alone.
    """
    batch = [s for s in specs if "\n" not in s]
    found = {} if not batch else _batch(repo, batch)
    for spec in specs:
        if "\n" in spec:
            with contextlib.suppress(GitFailed):
                found[spec] = run_git(["cat-file", "blob", spec], repo.root)
    return found


def read_objects(repo: Repo, oids: list[str], limit: int | None = None) -> dict[str, bytes | None]:
    """Blob contents by object id; None for a blob larger than `limit`, which is never read."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    too_big: set[str] = set()
    if limit is not None:
        sizes = run_git(
            ["cat-file", "--batch-check"], repo.root, stdin="".join(f"{o}\n" for o in wanted).encode()
        )
        for line in sizes.decode("utf-8", "replace").splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1] == "blob" and int(fields[2]) > limit:
                too_big.add(fields[0])
    found: dict[str, bytes | None] = dict.fromkeys(too_big)
    found.update(_batch(repo, [o for o in wanted if o not in too_big]))
    return found


def _batch(repo: Repo, specs: list[str]) -> dict[str, bytes]:
    out = run_git(["cat-file", "--batch"], repo.root, stdin="".join(f"{s}\n" for s in specs).encode())
    return parse_batch(out, specs)


def parse_batch(out: bytes, specs: list[str]) -> dict[str, bytes]:
    """`git cat-file --batch` output, one header line and its contents per spec, in order."""
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


class Changed:
    """One path in a diff: its status letter (A, M, D, T) and the object id on the new side."""

    __slots__ = ("oid", "path", "status")

    def __init__(self, path: str, status: str, oid: str) -> None:
        self.path = path
        self.status = status
        self.oid = oid

    def __repr__(self) -> str:
        return f"Changed({self.path!r}, {self.status!r})"


def diff_raw(repo: Repo, old: str | None, new: str | None = None, under: str | None = None) -> list[Changed]:
    """What changed from `old` (a commit; None for an empty tree) to `new` (a commit; None for the index)."""
    base = old or EMPTY_TREE
    args = ["diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--ignore-submodules"]
    args += ["--cached", base] if new is None else [base, new]
    if under:
        args += ["--", f":(literal){under}"]
    return parse_raw(run_git(args, repo.root))


def parse_raw(raw: bytes) -> list[Changed]:
    """`git diff --raw -z` output: `:mode mode oid oid STATUS\0path\0` per path."""
    fields = raw.split(b"\0")
    changed = []
    for index in range(0, len(fields) - 1, 2):
        meta = fields[index].split()
        if len(meta) < 5:
            break
        path = fields[index + 1].decode("utf-8", "surrogateescape")
        changed.append(Changed(path, meta[4][:1].decode(), meta[3].decode()))
    return changed


# git's well-known id of the empty tree: the "before" of a repository's first commit.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def head_commit(repo: Repo) -> str | None:
    try:
        return run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], repo.root).decode().strip()
    except GitFailed:
        return None


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch's short name; None when HEAD is detached."""
    try:
        ref = run_git(["symbolic-ref", "--quiet", "HEAD"], repo.root).decode().strip()
    except GitFailed:
        return None
    return ref.removeprefix("refs/heads/")


def merge_base(repo: Repo, ref: str, other: str = "HEAD") -> str:
    base_commit = resolve(repo, ref)
    try:
        return run_git(["merge-base", base_commit, other], repo.root).decode().strip()
    except GitFailed:
        raise GitFailed(f"no common history between {ref!r} and {other}; {SHALLOW_HINT}") from None


def default_branch(repo: Repo, configured: str | None = None) -> str | None:
    """The branch others merge into: the configured one, else the upstream's default branch,
    else init.defaultBranch, else main or master; as a ref that exists, or None."""
    names = [configured] if configured else []
    try:
        upstream = run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], repo.root)
        names.append(upstream.decode().strip().removeprefix("refs/remotes/origin/"))
    except GitFailed:
        pass
    with contextlib.suppress(GitFailed):
        names.append(run_git(["config", "--get", "init.defaultBranch"], repo.root).decode().strip())
    names += ["main", "master"]
    candidates = []
    for name in dict.fromkeys(n for n in names if n):
        candidates += [f"refs/remotes/origin/{name}", f"refs/heads/{name}"]
    listed = run_git(["for-each-ref", "--format=%(refname)", *candidates], repo.root).decode().split()
    for candidate in candidates:
        if candidate in listed:
            return candidate.removeprefix("refs/remotes/").removeprefix("refs/heads/")
    return None


def ls_index(repo: Repo, paths: list[str]) -> list[tuple[str, str]]:
    """(path, object id) of every staged file under `paths`."""
    out = run_git(["ls-files", "-s", "-z", "--", *paths], repo.root)
    entries = []
    for line in out.split(b"\0"):
        meta, _, name = line.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[2] == b"0":
            entries.append((name.decode("utf-8", "surrogateescape"), fields[1].decode()))
    return entries


def ls_tree(repo: Repo, commit: str, paths: list[str]) -> list[tuple[str, str]]:
    """(path, object id) of every file under `paths` at `commit`."""
    out = run_git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths], repo.root)
    entries = []
    for line in out.split(b"\0"):
        if not line:
            continue
        meta, _, name = line.partition(b"\t")
        kind_and_oid = meta.split()
        if len(kind_and_oid) == 3 and kind_and_oid[1] == b"blob":
            entries.append((name.decode("utf-8", "surrogateescape"), kind_and_oid[2].decode()))
    return entries


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def _repo(start: Path) -> Any:
    """A GitPython repository handle; imported here alone, so no other command pays for it."""
    import shutil

    if shutil.which("git") is None:
        return None  # no git on PATH: record without git context rather than fail halfway
    import git

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
        return None


class GitState:
    """What a review records about the repository (through GitPython), or nothing outside git."""

    __slots__ = ("repo",)

    def __init__(self, repo: Any) -> None:
        self.repo = repo

    @classmethod
    def at(cls, start: Path) -> GitState:
        """The repository `start` is in; outside one (or without git), a state with nothing in it."""
        return cls(_repo(start))

    @property
    def git_dir(self) -> Path | None:
        from pathlib import Path

        return Path(self.repo.git_dir) if self.repo is not None else None

    def context(self) -> GitContext | None:
        from micromoment.records import GitContext

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
    if remote is None:
        return None
    try:
        return strip_credentials(next(iter(remote.urls)))
    except StopIteration:
        return None


def strip_credentials(url: str) -> str:
    """https://user:token@host/x -> https://host/x; scp-style git@host:x stays as it is."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme and parts.hostname and (parts.username or parts.password):
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        if parts.scheme in ("ssh", "git+ssh") and parts.username and not parts.password:
            return url  # ssh://git@host/x names an account, not a secret
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url


def author_identity(cwd: Path) -> Person:
    """Who is answering: git's author identity, honouring GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL like git does."""
    import re

    from micromoment.records import Person

    try:
        ident = run_git(["var", "GIT_AUTHOR_IDENT"], cwd).decode("utf-8", "replace")
    except GitFailed:
        ident = ""
    match = re.match(r"^(?P<name>.*?) <(?P<email>[^>]*)>", ident)
    if match and match["name"].strip():
        return Person(name=match["name"].strip(), email=match["email"].strip())
    name = os.environ.get("GIT_AUTHOR_NAME", "").strip()
    if not name:
        raise MicromomentError(
            "who is reviewing? git has no identity for you; run git config --global user.name 'Your Name' "
            "and git config --global user.email you@example.com (or set GIT_AUTHOR_NAME)"
        )
    return Person(name=name, email=os.environ.get("GIT_AUTHOR_EMAIL", "").strip())
