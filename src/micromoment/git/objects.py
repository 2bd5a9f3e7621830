"""What git knows about a change: refs, merge-bases, diffs, trees and blob contents."""

from __future__ import annotations

import os
from typing import NamedTuple

from micromoment.fileread import read_regular
from micromoment.git.run import SHALLOW_HINT, GitFailed, Repo, Started, run_git, run_tool
from micromoment.memo import common_dir


def resolve(repo: Repo, ref: str) -> str:
    try:
        return run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo.root).decode().strip()
    except GitFailed:
        local = ref.split("/", 1)[1] if "/" in ref else ""
        branch = ["show-ref", "--verify", "--quiet", f"refs/heads/{local}"]
        if local and run_tool("git", branch, repo.root).returncode == 0:
            # No remote (or not fetched): the local branch of the same name is what was meant.
            raise GitFailed(
                f"unknown ref {ref!r}: fetch it first, or use the local branch: --base {local}"
            ) from None
        raise GitFailed(f"unknown ref {ref!r}: fetch it first; {SHALLOW_HINT}") from None


def read_blobs(repo: Repo, specs: list[str]) -> dict[str, bytes]:
    """Contents of `REV:path` / `:path` objects in one git call; missing ones are left out. A
    name with a newline, which git's line-based batch input cannot take, is asked for alone."""
    batch = [s for s in specs if "\n" not in s]
    found = {} if not batch else _batch(repo, batch)
    for spec in specs:
        if "\n" in spec:
            try:
                found[spec] = run_git(["cat-file", "blob", spec], repo.root)
            except GitFailed:
                continue
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


class Changed(NamedTuple):
    """One path in a diff: its status letter (A, M, D, T), the object ids on the new side and
    the old (all zeros for none), and whether either side is a submodule's commit (a gitlink)."""

    path: str
    status: str
    oid: str
    was: str
    gitlink: bool = False


def start_diff(repo: Repo, old: str | None, new: str | None = None, under: str | None = None) -> Started:
    """What changed from `old` (a commit; None for an empty tree) to `new` (a commit; None for
    the index): git started now, `parse_raw` its output when it is wanted."""
    base = old or EMPTY_TREE
    # A submodule bump is a change like any file's; `none` also overrides an `ignore` setting
    # in .gitmodules, which the branch writes.
    args = ["diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--ignore-submodules=none"]
    args += ["--cached", base] if new is None else [base, new]
    if under:
        args += ["--", f":(literal){under}"]
    return Started("git", args, repo.root)


def diff(repo: Repo, old: str | None, new: str | None = None, under: str | None = None) -> list[Changed]:
    """What changed, as `start_diff` asks, when it is wanted now."""
    return parse_raw(start_diff(repo, old, new, under).output())


def parse_raw(raw: bytes) -> list[Changed]:
    """`git diff --raw -z` output: `:mode mode oid oid STATUS\0path\0` per path.

    Decoded once as a whole (the metadata is ASCII), then read in pairs: the hook reads this
    for every staged path, and 5,000 of them took a fifth of its time path by path."""
    fields = raw.decode("utf-8", "surrogateescape").split("\0")
    changed = []
    for meta, path in zip(fields[0:-1:2], fields[1::2], strict=False):
        parts = meta.split(" ")  # `:mode`, mode, oid, the new oid, the status
        if len(parts) < 5 or meta[:1] != ":":
            break
        changed.append(Changed(path, parts[4][:1], parts[3], parts[2], GITLINK in (parts[0][1:], parts[1])))
    return changed


GITLINK = "160000"  # the mode git gives a submodule's commit in a tree

# git's well-known id of the empty tree: the "before" of a repository's first commit.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def head_commit(repo: Repo) -> str | None:
    try:
        return run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], repo.root).decode().strip()
    except GitFailed:
        return None


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch's short name; None when HEAD is detached."""
    # `<git-dir>/HEAD` is `ref: refs/heads/NAME` on a branch, a commit id when detached.
    head = _small_text(os.path.join(repo.git_dir, "HEAD")).strip()
    if head.startswith("ref: refs/heads/") and not head.endswith("/.invalid"):
        return head.removeprefix("ref: refs/heads/")
    if len(head) in (40, 64) and all(c in "0123456789abcdef" for c in head):
        return None
    # Anything else (a reftable repository keeps `refs/heads/.invalid` here): ask git.
    try:
        ref = run_git(["symbolic-ref", "--quiet", "HEAD"], repo.root).decode().strip()
    except GitFailed:
        return None
    return ref.removeprefix("refs/heads/")


def start_merge_base(repo: Repo, commit: str, other: str = "HEAD") -> Started:
    return Started("git", ["merge-base", commit, other], repo.root)


def merge_base(repo: Repo, ref: str, commit: str, other: str = "HEAD", started: Started | None = None) -> str:
    """The merge-base of `commit` (what `ref` resolves to; it names it in a problem) and `other`,
    from git `started` already when it was."""
    try:
        return (started or start_merge_base(repo, commit, other)).output().decode().strip()
    except GitFailed:
        raise GitFailed(f"no common history between {ref!r} and {other}; {SHALLOW_HINT}") from None


def _candidates(name: str) -> list[str]:
    return [f"refs/remotes/origin/{name}", f"refs/heads/{name}"]


def _shadows(short: str) -> list[str]:
    """Refs that `git rev-parse SHORT` prefers to refs/heads/SHORT and refs/remotes/SHORT (its DWIM order)."""
    return [f"refs/{short}", f"refs/tags/{short}", f"refs/heads/{short}"]


def _patterns(name: str) -> list[str]:
    """The refs that settle NAME as a base: its two candidates, and what rev-parse would prefer to each."""
    return [*_candidates(name), *_shadows(f"origin/{name}"), *_shadows(name)]


# What `for-each-ref` says of each ref: `_listed` reads it.
_REF_FORMAT = "--format=%(refname) %(objectname) %(objecttype) %(symref)"


def _listed(out: bytes) -> dict[str, tuple[str, str, str]]:
    """refname -> (object id, object type, symref target), from `for-each-ref` with `_REF_FORMAT`."""
    listed: dict[str, tuple[str, str, str]] = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        fields = line.split(" ")
        if len(fields) == 4:
            listed[fields[0]] = (fields[1], fields[2], fields[3])
    return listed


class BaseQuestions:
    """What `find_base` asks git, in one `for-each-ref` started at once (the hook starts it beside
    its first git process, `git_dir` a guess): the refs that settle the configured branch, main,
    master and the upstream's default; a name not covered is asked for when it comes up. With
    neither a configured branch nor an upstream default (`git init`), every branch is listed
    too: when none exists but main's or master's, init.defaultBranch need not be asked."""

    def __init__(self, cwd: str, git_dir: str, configured: str | None = None) -> None:
        self.names = [*([configured] if configured else []), "main", "master"]
        wanted = ["refs/remotes/origin/HEAD", *(p for n in self.names for p in _patterns(n))]
        upstream_file = os.path.join(common_dir(git_dir), "refs", "remotes", "origin", "HEAD")
        self.every_branch = not configured and not os.path.exists(upstream_file)
        if self.every_branch:
            wanted += ["refs/heads/", "refs/remotes/origin/"]
        self.refs = Started("git", ["for-each-ref", _REF_FORMAT, *dict.fromkeys(wanted)], cwd)
        self.listed: dict[str, tuple[str, str, str]] = {}

    def stop(self) -> None:
        """Stop the listing if it was never read."""
        self.refs.stop()

    def first(self, repo: Repo, names: list[str]) -> tuple[str, str, str | None] | None:
        """The first name with a candidate ref, as (name, short ref name, commit id or None);
        a name not asked about yet is asked about now."""
        for name in dict.fromkeys(n for n in names if n):
            if name not in self.names:
                self.names.append(name)
                self.listed.update(
                    _listed(run_git(["for-each-ref", _REF_FORMAT, *_patterns(name)], repo.root))
                )
            for candidate in _candidates(name):
                if candidate in self.listed:
                    short = candidate.removeprefix("refs/remotes/").removeprefix("refs/heads/")
                    oid, kind, _ = self.listed[candidate]
                    shadowed = any(s in self.listed for s in _shadows(short) if s != candidate)
                    return name, short, oid if kind == "commit" and not shadowed else None
        return None

    def branch_names(self) -> set[str]:
        """The names with a candidate ref among those listed (all of them, for `every_branch`)."""
        local = {ref.removeprefix("refs/heads/") for ref in self.listed if ref.startswith("refs/heads/")}
        remote = {ref[20:] for ref in self.listed if ref.startswith("refs/remotes/origin/")}
        return local | (remote - {"HEAD"})


def _initial_branch(repo: Repo) -> str:
    """init.defaultBranch, or nothing when it is not set (then main, then master)."""
    try:
        return run_git(["config", "--get", "init.defaultBranch"], repo.root).decode().strip()
    except GitFailed:
        return ""


def _upstream_default(repo: Repo, listed: dict[str, tuple[str, str, str]]) -> str:
    """Where refs/remotes/origin/HEAD points, as `git symbolic-ref` would say; empty when nowhere."""
    if "refs/remotes/origin/HEAD" in listed:
        return listed["refs/remotes/origin/HEAD"][2]
    # for-each-ref leaves out a symref to a ref that does not exist. A symref is never packed,
    # so with the files backend its own file answers; another backend is asked.
    common = common_dir(repo.git_dir)
    if os.path.exists(os.path.join(common, "reftable")):
        try:
            asked = ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]
            return run_git(asked, repo.root).decode().strip()
        except GitFailed:
            return ""
    line = _small_text(os.path.join(common, "refs", "remotes", "origin", "HEAD")).split("\n", 1)[0].strip()
    return line.removeprefix("ref: ").strip() if line.startswith("ref: ") else ""


def _small_text(path: str) -> str:
    """A small file of git's own, as text; "" when it is missing, not a regular file (a pipe in
    its place is never waited on), too big or not UTF-8."""
    data = read_regular(path, 4096)
    try:
        return data.decode("utf-8") if data is not None else ""
    except UnicodeDecodeError:
        return ""


def find_base(
    repo: Repo, configured: str | None = None, asked: BaseQuestions | None = None
) -> tuple[str, str | None] | None:
    """The branch others merge into, as a ref that exists, and its commit id (None when only
    `resolve` can say): the configured one, else the upstream's default branch, else
    init.defaultBranch, else main or master; None when there is none. `asked` is what was
    started ahead (`BaseQuestions`); it is finished or stopped here."""
    refs = asked or BaseQuestions(repo.root, repo.git_dir, configured)
    try:
        refs.listed = _listed(refs.refs.output())
        upstream = _upstream_default(repo, refs.listed)
        names = [configured] if configured else []
        if upstream:
            names.append(upstream.removeprefix("refs/remotes/origin/"))
        found = refs.first(repo, names)
        if found is None:
            fallback = refs.first(repo, ["main", "master"])
            if refs.every_branch and refs.branch_names() <= ({fallback[0]} if fallback else set()):
                # init.defaultBranch could only name that branch or one that does not exist.
                found = fallback
            else:
                found = refs.first(repo, [*names, _initial_branch(repo), "main", "master"])
    finally:
        refs.stop()
    return (found[1], found[2]) if found else None


def ls_index(repo: Repo, paths: list[str]) -> list[tuple[str, str]]:
    """(path, object id) of every staged file under `paths`: `MODE OID STAGE\tPATH` lines."""
    out = run_git(["ls-files", "-s", "-z", "--", *paths], repo.root)
    return [(path, fields[1]) for fields, path in _listing(out) if fields[2:] == ["0"]]


def start_ls_tree(repo: Repo, commit: str, paths: list[str]) -> Started:
    """Every file under `paths` at `commit`: git started now, `tree_entries` reads its answer."""
    return Started("git", ["ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths], repo.root)


def ls_tree(repo: Repo, commit: str, paths: list[str]) -> list[tuple[str, str]]:
    return tree_entries(start_ls_tree(repo, commit, paths))


def tree_entries(listing: Started) -> list[tuple[str, str]]:
    """(path, object id) of every file listed: `MODE TYPE OID\tPATH` lines."""
    out = listing.output()
    return [
        (path, fields[2]) for fields, path in _listing(out) if fields[1:2] == ["blob"] and len(fields) == 3
    ]


def _listing(out: bytes) -> list[tuple[list[str], str]]:
    lines = (line.partition(b"\t") for line in out.split(b"\0") if line)
    return [(meta.decode().split(), name.decode("utf-8", "surrogateescape")) for meta, _, name in lines]


def filters(repo: Repo, paths: list[str]) -> dict[str, str]:
    """The clean/smudge filter .gitattributes sets on each of `paths`, where one is set."""
    if not paths:
        return {}
    out = run_git(["check-attr", "-z", "filter", "--", *paths], repo.root).decode("utf-8", "surrogateescape")
    fields = out.split("\0")  # path, attribute, value, for each path
    return {
        path: value
        for path, value in zip(fields[0::3], fields[2::3], strict=False)
        if value not in ("unspecified", "unset", "set")
    }


def stage_refusal(cwd: str, paths: list[str]) -> str | None:
    """Why `git add` would not stage `paths` (outside a sparse checkout, ignored), with the fix; None if it would."""
    done = run_tool("git", ["add", "--dry-run", "--ignore-missing", "--", *paths], cwd)
    if done.returncode == 0:
        return None
    said = done.stderr.decode("utf-8", "replace")
    if "sparse-checkout" in said:
        return "it is outside this sparse checkout; run git sparse-checkout add .micromoment, then stage it"
    if "ignored" in said:
        return "a .gitignore rule ignores it; remove the rule, or stage it with git add -f"
    return said.strip().splitlines()[0] if said.strip() else f"git add exited with {done.returncode}"
