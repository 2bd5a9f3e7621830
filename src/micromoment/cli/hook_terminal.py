"""The commit hook's terminal side: when a change calls for checks that have no record, ask
through the terminal (a guided review, as `micromoment review` takes it) or say what to run.

rich, pydantic and the review's modules load only when a person is asked.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from micromoment.errors import EXIT_FINDINGS, EXIT_INTERRUPTED, plural
from micromoment.gate.coverage import Outcome, Verdict
from micromoment.gate.hook import findings, ways_forward
from micromoment.git import GitState, author_identity, in_ci
from micromoment.locations import Project, display_path, language

if TYPE_CHECKING:  # the review's modules load only when a person is asked
    from micromoment.capture.prompts import Prompter
    from micromoment.capture.session import ReviewSession
    from micromoment.checklists import Catalog

TTY = Path("/dev/tty")


@contextlib.contextmanager
def open_terminal() -> Iterator[tuple[TextIO, TextIO] | None]:
    """The controlling terminal, when a person can be asked. The pre-commit framework gives a
    hook no usable stdin and captures its output, so this reads and writes /dev/tty itself."""
    if in_ci() or os.environ.get("MICROMOMENT_NONINTERACTIVE"):
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            reader = stack.enter_context(TTY.open(encoding="utf-8"))
            writer = stack.enter_context(TTY.open("w", encoding="utf-8"))
        except OSError:
            yield None
            return
        yield reader, writer


def handle_missing(outcome: Outcome) -> int:
    """Ask through the terminal when a review would help and a person is there; else say what to run."""
    on_missing = outcome.change.rules.on_missing
    to_review = [gap for gap in outcome.gaps if gap.waiting_for_signoffs is None]
    with open_terminal() as tty:
        if tty is None or not to_review or outcome.invalid:
            sys.stderr.write("\n".join(findings(outcome) + ways_forward(outcome)) + "\n")
            if on_missing == "warn" and not outcome.invalid:
                sys.stderr.write("micromoment: hook.on_missing is warn, so the commit goes ahead\n")
                return 0
            return 1
        return _review_in_terminal(outcome, to_review, *tty)


def terminal_width(writer: TextIO) -> int | None:
    """The terminal's width: the framework's pipes hide it from rich, the terminal itself does not."""
    try:
        return os.get_terminal_size(writer.fileno()).columns or None
    except (OSError, ValueError, AttributeError):
        return None


def _review_in_terminal(outcome: Outcome, gaps: list[Verdict], reader: TextIO, writer: TextIO) -> int:
    from micromoment.capture.prompts import Prompter, SafeConsole

    # Everything goes to the terminal itself: under the pre-commit framework stderr is captured,
    # and on Ctrl-C the framework shows only its own line, so a message there would be lost.
    # Every line here is plain text, much of it from files: none of it is markup.
    console = SafeConsole(file=writer, highlight=False, markup=False, width=terminal_width(writer))
    prompter = Prompter(console, reader)
    not_now = 0 if outcome.change.rules.on_missing == "warn" else EXIT_FINDINGS
    # Lines with paths and commands are never wrapped by rich: a pasted command must stay one line.
    console.print("\n".join(findings(outcome)), soft_wrap=True)
    try:
        answer_now = prompter.confirm("Answer them now?", default=True)
    except EOFError:  # Ctrl-D: the person said neither yes nor no; that is not a yes
        answer_now = False
    except KeyboardInterrupt:
        console.print("micromoment: interrupted; nothing was recorded")
        return EXIT_INTERRUPTED
    if not answer_now:
        console.print("\n".join(ways_forward(outcome)), soft_wrap=True)
        return not_now
    return _answer_now(outcome, [gap.rule.id for gap in gaps], prompter, not_now)


def _answer_now(outcome: Outcome, gap_ids: list[str], prompter: Prompter, not_now: int) -> int:
    from micromoment.capture.drafts import RESUME_COMMAND, drafts_dir
    from micromoment.capture.recording import ReviewRun, ReviewStopped, Written, guided_selection
    from micromoment.checklists import load_catalog
    from micromoment.cli.review_commands import offer_samples
    from micromoment.config import load_config

    console = prompter.console
    project = Project(Path(outcome.change.repo.root))
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    state = GitState.at(project.root)
    folder = drafts_dir(project, state.git_dir)
    try:
        session = _kept_or_new(prompter, folder, catalog, gap_ids, state.default_subject())
    except (EOFError, KeyboardInterrupt) as exc:
        console.print("micromoment: stopped before any answer; nothing was recorded")
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else not_now
    run = ReviewRun(project, config, state, author_identity(project.root), language())
    # Items that ask whether real outputs were read can draw them here (from samples.outputs when set).
    offer_samples([session], None, run, prompter)
    written: list[Written] = []
    try:
        saved = guided_selection(run, catalog, session, prompter, folder, written.append)
        exit_code = EXIT_FINDINGS
    except ReviewStopped as stop:
        console.print("\n".join(stop.lines()), soft_wrap=True)
        saved, exit_code = True, stop.exit_code
    if not saved:
        console.print("micromoment: not saved; your answers are kept in a draft; continue with:")
        console.print(RESUME_COMMAND)
    if written:
        # Like a formatter: the hook never stages files itself; the person does, and commits again.
        paths = [display_path(p) for result in written for p in (result.yaml_path, result.markdown_path)]
        console.print("micromoment: recorded; stage .micromoment/ and commit again:")
        console.print(f"git add {' '.join(paths)}", soft_wrap=True)
    return exit_code


def _kept_or_new(
    prompter: Prompter, folder: Path, catalog: Catalog, gap_ids: list[str], default_subject: str
) -> ReviewSession:
    """A kept draft for these checklists when the person wants to go on with it, else a new review."""
    from micromoment.capture.drafts import list_drafts, resume
    from micromoment.capture.session import ReviewSession
    from micromoment.capture.walkthrough import new_draft_id

    def warn(message: str) -> None:
        prompter.console.print(f"micromoment: {message}", soft_wrap=True)

    for stored in list_drafts(folder, warn):
        draft = stored.draft
        covers = [draft.checklist.id, *draft.still_to_do()]
        if draft.checklist.id not in catalog or not set(covers) & set(gap_ids):
            continue
        prompter.console.print(
            f"A review of {', '.join(covers)} is kept in a draft: {draft.subject!r}, "
            f"{plural(len(draft.answers), 'answer')}, last {draft.updated_at:%Y-%m-%d %H:%M} UTC."
        )
        if prompter.confirm("Continue it?", default=True):
            session = resume(stored, catalog).session
            session.plan += [gap for gap in gap_ids if gap not in session.plan and gap not in session.done]
            return session
        break  # declined: a fresh review, and the draft stays for micromoment review --resume
    subject = prompter.ask("Subject of this review", default=default_subject)
    return ReviewSession(catalog.get(gap_ids[0]), subject, new_draft_id(), plan=gap_ids)
