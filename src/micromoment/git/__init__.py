"""The one seam to git: every git, gh and glab command runs through `run`, what a change holds
comes from `objects`, and what a review records about the repository from `state`. The names
other layers use are here; the gate, which reads a change closely, imports the modules."""

from micromoment.git.objects import head_commit as head_commit
from micromoment.git.objects import stage_refusal as stage_refusal
from micromoment.git.run import GitFailed as GitFailed
from micromoment.git.run import Repo as Repo
from micromoment.git.run import find_repo as find_repo
from micromoment.git.run import in_ci as in_ci
from micromoment.git.run import run_git as run_git
from micromoment.git.state import GitState as GitState
from micromoment.git.state import author_identity as author_identity
