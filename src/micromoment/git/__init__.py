"""The one seam to git: every git, gh and glab command runs through `run`, what a change holds
comes from `objects`, and what a review records about the repository from `state`."""

from micromoment.git.objects import (
    BaseQuestions,
    Changed,
    current_branch,
    filters,
    find_base,
    head_commit,
    ls_index,
    ls_tree,
    merge_base,
    parse_raw,
    read_blobs,
    read_objects,
    resolve,
    stage_refusal,
    start_diff,
)
from micromoment.git.run import (
    HEAD_UNKNOWN,
    GitFailed,
    Repo,
    find_repo,
    in_ci,
    run_git,
    run_tool,
)
from micromoment.git.state import GitState, author_identity, subject_for_paths

__all__ = [
    "HEAD_UNKNOWN",
    "BaseQuestions",
    "Changed",
    "GitFailed",
    "GitState",
    "Repo",
    "author_identity",
    "current_branch",
    "filters",
    "find_base",
    "find_repo",
    "head_commit",
    "in_ci",
    "ls_index",
    "ls_tree",
    "merge_base",
    "parse_raw",
    "read_blobs",
    "read_objects",
    "resolve",
    "run_git",
    "run_tool",
    "stage_refusal",
    "start_diff",
    "subject_for_paths",
]
