"""The pr-note command: Markdown for a pull request, posted or attached as a git note."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from micromoment.checklists import load_catalog
from micromoment.cli.output import say, write_out
from micromoment.cli.params import LangOption
from micromoment.errors import MicromomentError
from micromoment.files import write_atomic
from micromoment.forge import ci, posting
from micromoment.forge.note import PR_NOTE_TEMPLATE, collect, note_view, render_note
from micromoment.forge.sections import attach_git_note
from micromoment.git import find_repo
from micromoment.locations import Project, display_path, language


class Forge(str, Enum):
    github = "github"
    gitlab = "gitlab"


class Target(str, Enum):
    comment = "comment"
    body = "body"


FROM_FILE_HELP = (
    "With --post and --pr or --mr: post the note FILE holds (written by --out) and read nothing of "
    "the repository: how a workflow with write permission posts the note a pull request's read-only run made."
)


def _check_options(post: Forge | None, pr: int | None, mr: int | None, target: Target) -> None:
    """Options that mean nothing without another are mistakes worth naming, not ignoring."""
    if pr is not None and post is not Forge.github:
        raise MicromomentError("--pr goes with --post github")
    if mr is not None and post is not Forge.gitlab:
        raise MicromomentError("--mr goes with --post gitlab")
    if target is Target.body and post is None:
        raise MicromomentError("--target body goes with --post github or --post gitlab")


BASE_HELP = (
    "The branch the pull request goes into (default: the base branch check finds: the config's "
    "base_branch, the remote's default branch, main or master)."
)


def pr_note(
    base: Annotated[str | None, typer.Option(metavar="REF", help=BASE_HELP)] = None,
    out: Annotated[Path | None, typer.Option(help="Write the note to FILE instead of printing it.")] = None,
    post: Annotated[
        Forge | None,
        typer.Option(help="Post it: one comment on the pull request, updated in place on later runs."),
    ] = None,
    pr: Annotated[
        int | None,
        typer.Option(help="With --post github: the pull request number (default: the current branch's)."),
    ] = None,
    mr: Annotated[
        int | None,
        typer.Option(help="With --post gitlab: the merge request number (default: the current branch's)."),
    ] = None,
    target: Annotated[
        Target,
        typer.Option(help="comment, or body: a section of the description between micromoment markers."),
    ] = Target.comment,
    git_notes: Annotated[
        bool, typer.Option("--git-notes", help="Attach the note to HEAD under refs/notes/micromoment.")
    ] = False,
    template: Annotated[
        str, typer.Option(help="A template name (.micromoment/templates/ or built-in) or a file path.")
    ] = PR_NOTE_TEMPLATE,
    from_file: Annotated[Path | None, typer.Option(metavar="FILE", help=FROM_FILE_HELP)] = None,
    lang: LangOption = None,
) -> None:
    """Markdown for a pull request: what the change triggered, who checked what, every "no" and skip.

    Covers the change since the merge-base with --base (or the base branch check and the commit
    hook find), judged like check --base. The first
    line is a hidden marker, so --post updates micromoment's own comment (one its account
    wrote) instead of adding another. The note stays under 60,000 characters: very long
    texts are shortened first, then answer tables, then whole reviews, and its last line
    says what was left out. Mentions and closing keywords from records are made inert.
    Posting goes through gh or glab, which must be logged in; micromoment never reads a token.
    With --from-file, a note written earlier by --out is posted as it is, made inert again, and
    nothing of the repository is read (the fork-safe recipe in docs/github.md).
    """
    _check_options(post, pr, mr, target)
    if from_file is not None:
        return _post_saved(from_file, post, pr, mr, target, out is not None or git_notes)
    repo = find_repo()
    project = Project(Path(repo.root))
    catalog = load_catalog(project)
    change = collect(repo, base)
    note = render_note(project, note_view(change, catalog, lang or language()), template)
    if out is not None:
        write_atomic(out, note, make_parents=False, to_device=True)
        say(f"wrote {display_path(out)} ({len(note):,} characters)")
    if git_notes:
        head = attach_git_note(repo, note)
        say(
            f"attached the note to {head[:12]} under refs/notes/micromoment (push it: git push origin refs/notes/micromoment)"
        )
    if post is not None:
        say(_post(post, note, repo.root, pr, mr, target))
    if out is None and not git_notes and post is None:
        write_out(note)


def _post(post: Forge, note: str, cwd: str, pr: int | None, mr: int | None, target: Target) -> str:
    if post is Forge.github:
        return posting.post_github(note, cwd, pr, target.value)
    return posting.post_gitlab(note, cwd, mr, target.value)


def _post_saved(
    path: Path, post: Forge | None, pr: int | None, mr: int | None, target: Target, other_outputs: bool
) -> None:
    """A note made by an earlier run, posted from a folder that need not be a repository."""
    if post is None or (pr if post is Forge.github else mr) is None or other_outputs:
        raise MicromomentError(
            "--from-file goes with --post and the number (--pr N or --mr N), without --out or --git-notes"
        )
    say(_post(post, ci.read_note(path), str(Path.cwd()), pr, mr, target))
