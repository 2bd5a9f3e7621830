"""The hook's slow path: a triggered check has no record. Ask through the terminal, or say what to run."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from micromoment.errors import printable
from micromoment.gate import Rules, Verdict, signoff_hint
from micromoment.gitcli import Repo, in_ci

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
    shown = ", ".join(printable(path, one_line=True) for path in verdict.paths[:MAX_PATHS_SHOWN])
    more = len(verdict.paths) - MAX_PATHS_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def ways_forward(gaps: list[Verdict]) -> list[str]:
    lines = ["micromoment: this change calls for checks that have no record yet:"]
    for gap in gaps:
        lines.append(f"  {gap.rule.id} ({printable(gap.rule.title, one_line=True)}), for {shown_paths(gap)}")
        hint = signoff_hint(gap)
        if hint:
            lines.append(f"    {printable(hint, one_line=True)}")
    lines.append("Ways forward:")
    for gap in gaps:
        lines.append(f"  micromoment review {gap.rule.id}        # answer it now, then stage .micromoment/")
    for gap in gaps:
        lines.append(
            f"  micromoment skip {gap.rule.id} --reason '...'   # record why this change does not need it"
        )
    lines.append("  SKIP=micromoment git commit ...   # pre-commit framework: let this one commit through")
    lines.append("  git commit --no-verify ...        # plain git hook: let this one commit through")
    return lines


def handle_missing(repo: Repo, rules: Rules, gaps: list[Verdict]) -> int:
    with open_terminal() as tty:
        if tty is None:
            sys.stderr.write("\n".join(ways_forward(gaps)) + "\n")
            if rules.on_missing == "warn":
                sys.stderr.write("micromoment: hook.on_missing is warn, so the commit goes ahead\n")
                return 0
            return 1
        return _review_in_terminal(repo, rules, gaps, *tty)


def _review_in_terminal(repo: Repo, rules: Rules, gaps: list[Verdict], reader: TextIO, writer: TextIO) -> int:
    from micromoment.checklists import load_catalog
    from micromoment.cli.output import SafeConsole
    from micromoment.config import load_config
    from micromoment.drafts import drafts_dir
    from micromoment.errors import EXIT_FINDINGS
    from micromoment.gitinfo import GitState, author_identity
    from micromoment.locations import Project, display_path
    from micromoment.prompts import StreamPrompter
    from micromoment.recording import guided_review
    from micromoment.review import ReviewSession
    from micromoment.walkthrough import new_draft_id

    console = SafeConsole(file=writer, highlight=False)
    prompter = StreamPrompter(console, reader)
    for line in ways_forward(gaps)[: len(gaps) + 1]:
        console.print(line, markup=False)
    if not prompter.confirm("Answer them now?", default=True):
        for line in ways_forward(gaps)[len(gaps) + 1 :]:
            console.print(line, markup=False)
        return 0 if rules.on_missing == "warn" else EXIT_FINDINGS
    project = Project(Path(repo.root))
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    state = GitState.at(project.root)
    who = author_identity(project.root)
    subject = prompter.ask("Subject of this review", default=state.default_subject())
    written = []
    for gap in gaps:
        session = ReviewSession(catalog.get(gap.rule.id), subject, new_draft_id())
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
