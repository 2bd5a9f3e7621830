"""The one seam to git: every git, gh and glab command runs through `run`, what a change holds
comes from `objects`, and what a review records about the repository from `state`."""

from micromoment.git.objects import BaseQuestions as BaseQuestions
from micromoment.git.objects import Changed as Changed
from micromoment.git.objects import current_branch as current_branch
from micromoment.git.objects import filters as filters
from micromoment.git.objects import find_base as find_base
from micromoment.git.objects import head_commit as head_commit
from micromoment.git.objects import ls_index as ls_index
from micromoment.git.objects import ls_tree as ls_tree
from micromoment.git.objects import merge_base as merge_base
from micromoment.git.objects import parse_raw as parse_raw
from micromoment.git.objects import read_blobs as read_blobs
from micromoment.git.objects import read_objects as read_objects
from micromoment.git.objects import resolve as resolve
from micromoment.git.objects import stage_refusal as stage_refusal
from micromoment.git.objects import start_diff as start_diff
from micromoment.git.run import HEAD_UNKNOWN as HEAD_UNKNOWN
from micromoment.git.run import GitFailed as GitFailed
from micromoment.git.run import Repo as Repo
from micromoment.git.run import find_repo as find_repo
from micromoment.git.run import in_ci as in_ci
from micromoment.git.run import run_git as run_git
from micromoment.git.run import run_tool as run_tool
from micromoment.git.state import GitState as GitState
from micromoment.git.state import author_identity as author_identity
from micromoment.git.state import subject_for_paths as subject_for_paths
