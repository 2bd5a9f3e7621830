"""The one seam to git: every git, gh and glab command runs through `run`, what a change holds
comes from `objects`, and what a review records about the repository from `state`."""

from micromoment.git.objects import (
    EMPTY_TREE,
    Changed,
    current_branch,
    default_branch,
    diff_raw,
    head_commit,
    ls_index,
    ls_tree,
    merge_base,
    parse_batch,
    parse_raw,
    read_blobs,
    read_objects,
    resolve,
)
from micromoment.git.run import (
    GIT_TIMEOUT_SECONDS,
    SHALLOW_HINT,
    GitFailed,
    Repo,
    find_repo,
    in_ci,
    run_git,
)
from micromoment.git.state import (
    GitState,
    author_identity,
    strip_credentials,
)

__all__ = [
    "EMPTY_TREE",
    "GIT_TIMEOUT_SECONDS",
    "SHALLOW_HINT",
    "Changed",
    "GitFailed",
    "GitState",
    "Repo",
    "author_identity",
    "current_branch",
    "default_branch",
    "diff_raw",
    "find_repo",
    "head_commit",
    "in_ci",
    "ls_index",
    "ls_tree",
    "merge_base",
    "parse_batch",
    "parse_raw",
    "read_blobs",
    "read_objects",
    "resolve",
    "run_git",
    "strip_credentials",
]
