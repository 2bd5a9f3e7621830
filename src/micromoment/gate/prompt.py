"""The hook's slow path: a triggered check has no record. Ask through the terminal, or say what to run."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from micromoment.gate.coverage import Outcome, Verdict, signoff_hint
from micromoment.git import in_ci

MAX_PATHS_SHOWN = 3
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


def shown_paths(verdict: Verdict) -> str:
    shown = ", ".join(verdict.paths[:MAX_PATHS_SHOWN])
    more = len(verdict.paths) - MAX_PATHS_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def findings(outcome: Outcome) -> list[str]:
    """What is wrong with the change: checks without a record, and records that are not valid."""
    lines = []
    if outcome.gaps:
        lines.append("micromoment: this change calls for checks that have no record yet:")
    for gap in outcome.gaps:
        lines.append(f"  {gap.rule.id} ({gap.rule.title}), for {shown_paths(gap)}")
        lines += [f"    {hint}" for hint in signoff_hint(gap)]
    if outcome.invalid:
        lines.append("micromoment: these records are not valid, so they cover nothing:")
        lines += [f"  {record.problem}" for record in outcome.invalid]
    return lines


def ways_forward(outcome: Outcome) -> list[str]:
    """The exact commands that get the commit through, one per line."""
    lines = ["Ways forward:"]
    for record in outcome.invalid:
        lines.append(f"  micromoment lint {record.path}   # see every problem in it, then fix or remove it")
    to_review = [gap for gap in outcome.gaps if gap.waiting_for_signoffs is None]
    for gap in to_review:
        lines.append(f"  micromoment review {gap.rule.id}        # answer it now, then stage .micromoment/")
    for gap in to_review:
        lines.append(
            f"  micromoment skip {gap.rule.id} --reason '...'   # record why this change does not need it"
        )
    lines.append("  SKIP=micromoment git commit ...   # pre-commit framework: let this one commit through")
    lines.append("  git commit --no-verify ...        # plain git hook: let this one commit through")
    return lines


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


def _review_in_terminal(outcome: Outcome, gaps: list[Verdict], reader: TextIO, writer: TextIO) -> int:
    from rich.console import Console

    from micromoment.capture.drafts import drafts_dir
    from micromoment.capture.prompts import StreamPrompter
    from micromoment.capture.recording import guided_review
    from micromoment.capture.sample_record import Reading, sample_drafts_dir
    from micromoment.capture.sample_walk import review_offer
    from micromoment.capture.session import ReviewSession
    from micromoment.capture.walkthrough import new_draft_id
    from micromoment.checklists import load_catalog
    from micromoment.config import default_outputs, load_config
    from micromoment.errors import EXIT_FINDINGS
    from micromoment.git import GitState, author_identity
    from micromoment.locations import Project, display_path
    from micromoment.validation import utc_now

    console = Console(file=writer, highlight=False)
    prompter = StreamPrompter(console, reader)
    for line in findings(outcome):
        console.print(line, markup=False)
    if not prompter.confirm("Answer them now?", default=True):
        for line in ways_forward(outcome):
            console.print(line, markup=False)
        return 0 if outcome.change.rules.on_missing == "warn" else EXIT_FINDINGS
    project = Project(Path(outcome.change.repo.root))
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    state = GitState.at(project.root)
    who = author_identity(project.root)
    subject = prompter.ask("Subject of this review", default=state.default_subject())
    # Items that ask whether real outputs were read can draw them here (from samples.outputs when set).
    offer = review_offer(
        project,
        default_outputs(project, config),
        Reading(who, state.context(), utc_now()),
        prompter,
        sample_drafts_dir(project, state.git_dir),
    )
    written = []
    for gap in gaps:
        session = ReviewSession(catalog.get(gap.rule.id), subject, new_draft_id())
        session.offer_sample = offer
        result = guided_review(
            project, config, state, session, who, prompter, drafts_dir(project, state.git_dir)
        )
        if result is not None:
            written.append(display_path(result.yaml_path))
    if written:
        # Like a formatter: the hook never stages files itself; the person does, and commits again.
        sys.stderr.write(
            f"micromoment: recorded {', '.join(written)}; stage .micromoment/ and commit again\n"
        )
    return EXIT_FINDINGS
