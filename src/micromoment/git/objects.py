"""What git knows about a change: refs, merge-bases, diffs, trees and blob contents."""

from __future__ import annotations

import contextlib

from micromoment.git.run import SHALLOW_HINT, GitFailed, Repo, run_git


def resolve(repo: Repo, ref: str) -> str:
    try:
        return run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo.root).decode().strip()
    except GitFailed:
        local = ref.split("/", 1)[1] if "/" in ref else ""
        if local and _is_branch(repo, local):
            # No remote (or not fetched): the local branch of the same name is what was meant.
            raise GitFailed(
                f"unknown ref {ref!r}: fetch it first, or use the local branch: --base {local}"
            ) from None
        raise GitFailed(f"unknown ref {ref!r}: fetch it first; {SHALLOW_HINT}") from None


def _is_branch(repo: Repo, name: str) -> bool:
    try:
        run_git(["show-ref", "--verify", "--quiet", f"refs/heads/{name}"], repo.root)
    except GitFailed:
        return False
    return True


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
    # Names git gave as bytes that are not UTF-8 go back to it as those same bytes.
    wanted = "".join(f"{s}\n" for s in specs).encode("utf-8", "surrogateescape")
    out = run_git(["cat-file", "--batch"], repo.root, stdin=wanted)
    return parse_batch(out, specs)


def parse_batch(out: bytes, specs: list[str]) -> dict[str, bytes]:
    """`git cat-file --batch` output, one header line and its contents per spec, in order."""
    found: dict[str, bytes] = {}
    position = 0
    for spec in specs:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        # `OID TYPE SIZE` then the bytes; `SPEC missing` (a spec may hold spaces) has none. A tree or
        # commit prints its bytes too: they are skipped, not returned.
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            if header[1] == b"blob":
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
