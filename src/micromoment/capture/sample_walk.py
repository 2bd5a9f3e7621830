"""Reading a drawn sample in a terminal: one output at a time, folded to the screen, judged ok or flagged."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal, NamedTuple

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from micromoment.capture.guard import sensitive
from micromoment.capture.prompts import Prompter
from micromoment.capture.sample import Draw, Drawn, DrawRequest, draw, shown_path
from micromoment.capture.sample_record import (
    SAMPLE_RESUME_HINT,
    Judgement,
    Reading,
    WrittenSample,
    build_record,
    notes,
    save_sample_draft,
    write_sample,
)
from micromoment.capture.walkthrough import ask_detail, settle_in_terminal, split_note
from micromoment.errors import Interrupted, MicromomentError, plural
from micromoment.locations import Project
from micromoment.records import FlagCategory, SampleLink
from micromoment.records.samples import CATEGORIES, link_to

PAGE_LINES = 24  # a screenful at 80 x 30, leaving room for the header and the prompt
PROMPT_LINES = 6
JUDGE_KEYS = "o ok · f flag · ? help · b back · s skip"
SKIP: Literal["skip"] = "skip"
# A category by its number or its name.
_CHOICES: dict[str, FlagCategory] = {
    **{str(number): category for number, category in enumerate(CATEGORIES, start=1)},
    **{category: category for category in CATEGORIES},
}


def read_outputs(
    result: Draw,
    prompter: Prompter,
    judgements: dict[str, Judgement],
    on_judge: Callable[[dict[str, Judgement]], None],
) -> bool:
    """Show each output not judged yet and ask for a judgement; True when the person saves.

    A verdict is kept (`on_judge`) as soon as it is given, before its note is asked for."""
    console = prompter.console
    outputs = result.outputs
    console.print(
        Panel(
            Text.assemble(
                (f"Read {plural(len(outputs), 'output')} from {result.source.path}", "bold"),
                f"  ·  seed {result.seed}\n",
                (f"For each: {JUDGE_KEYS}; a note after --", "dim"),
            ),
            expand=False,
        )
    )
    index = _unjudged(outputs, judgements, 0)
    while index < len(outputs):
        drawn = outputs[index]
        _show(drawn, index, len(outputs), prompter)
        earlier = judgements.get(drawn.id)
        judgement = _judge(prompter, earlier)
        if judgement is None:  # back: the one before is shown with its verdict, which Enter keeps
            if index == 0:
                console.print("This is the first output.")
            index = max(index - 1, 0)
            continue
        if judgement == SKIP:  # judged later: asked again once the rest are
            index = _unjudged(outputs, judgements, index + 1)
            continue
        if judgement != earlier:
            judgements[drawn.id] = judgement
            on_judge(judgements)
            if judgement.category is not None and judgement.note is None:
                note = ask_detail(prompter, "Note: what is wrong (optional)", partial(_help, prompter), None)
                if note is None:  # back from the note: this output's verdict again, kept as given
                    continue
                if note:
                    judgements[drawn.id] = judgement.model_copy(update={"note": note})
                    on_judge(judgements)
        index = _unjudged(outputs, judgements, index + 1)
    _summary(result, judgements, prompter)
    return prompter.confirm("Save this sample?", default=True)


def _unjudged(outputs: list[Drawn], judgements: dict[str, Judgement], start: int) -> int:
    """The next output from `start` on, then from the first, still without a verdict; the end
    when every one has one."""
    order = [*range(start, len(outputs)), *range(start)]
    return next((i for i in order if outputs[i].id not in judgements), len(outputs))


def _show(drawn: Drawn, index: int, total: int, prompter: Prompter) -> None:
    console = prompter.console
    width = max(20, min(console.width, 100))
    console.print()
    console.print(Text(f"Output {index + 1}/{total}  ·  {drawn.id}  ·  line {drawn.line}", style="bold"))
    if drawn.prompt:
        prompt_lines = Text(drawn.prompt).wrap(console, width, overflow="fold")
        console.print(Text("Prompt:", style="cyan"))
        for line in prompt_lines[:PROMPT_LINES]:
            console.print(line, style="dim", soft_wrap=True)
        if len(prompt_lines) > PROMPT_LINES:
            console.print(Text(f"  … {len(prompt_lines) - PROMPT_LINES} more line(s) of prompt", style="dim"))
    console.print(Text("Output:", style="cyan"))
    lines = Text(drawn.output or "(empty)").wrap(console, width, overflow="fold")
    for start in range(0, len(lines), PAGE_LINES):
        for line in lines[start : start + PAGE_LINES]:
            console.print(line, soft_wrap=True)
        shown = start + PAGE_LINES
        reply = "?"
        while shown < len(lines) and reply == "?":
            reply = prompter.ask(
                f"-- line {shown} of {len(lines)}: Enter for more, s skips to the verdict --"
            )
            if reply == "?":
                _help(prompter)
        if reply.lower() in ("s", "j"):  # j: the key this prompt had before s meant skip everywhere
            break


def _judge(prompter: Prompter, earlier: Judgement | None) -> Judgement | Literal["skip"] | None:
    """A judgement on one line (`2 -- the link is dead`), SKIP to judge it later, or None when
    the person goes back; an earlier judgement is the default that Enter keeps."""
    shown = _shown(earlier) if earlier else None
    while True:
        reply = prompter.ask(JUDGE_KEYS, default=shown)
        if earlier is not None and reply == shown:
            return earlier
        text, note = split_note(reply)
        key = text.lower()
        if key in ("o", "ok", "y", "yes"):
            return Judgement(verdict="ok", note=note or None)
        if key == "b":
            return None
        if key == "s":  # a judged output keeps its verdict
            return SKIP if earlier is None else earlier
        if key == "?":
            _help(prompter)
            continue
        flagged = key in ("f", "flag")
        category = _category(prompter) if flagged else _CHOICES.get(key) if key.isdigit() else None
        if category is not None:
            return Judgement(verdict="flag", category=category, note=note or None)
        if not flagged:
            prompter.console.print(Text(f"Please answer {JUDGE_KEYS}.", style="yellow"))


def _shown(judgement: Judgement) -> str:
    verdict = "o" if judgement.category is None else str(list(CATEGORIES).index(judgement.category) + 1)
    return f"{verdict} -- {judgement.note}" if judgement.note else verdict


def _category(prompter: Prompter) -> FlagCategory | None:
    for number, (category, words) in enumerate(CATEGORIES.items(), start=1):
        prompter.console.print(f"  {number}. {words[0]} ({category})", markup=False, highlight=False)
    while True:
        reply = prompter.ask(f"Category 1-{len(CATEGORIES)} (Enter or b: back, ? help)").strip().lower()
        if reply in ("", "b"):
            return None
        if reply == "?":
            _help(prompter)
        elif reply in _CHOICES:
            return _CHOICES[reply]
        else:
            prompter.console.print(Text(f"Please give a number from 1 to {len(CATEGORIES)}.", style="yellow"))


def _help(prompter: Prompter) -> None:
    body = Text("o  the output is fine\nf  flag it, then pick what is wrong (or type the number at once):\n")
    for number, (category, words) in enumerate(CATEGORIES.items(), start=1):
        body.append(f"  {number}. {words[0]}", style="bold")
        body.append(f" ({category}): {words[2]}\n")
    body.append("b  back to the previous output; its verdict is the default, which Enter keeps\n")
    body.append("s  skip it for now: it is asked again once the others are judged;\n")
    body.append("   at a long output, s skips the rest of it, to the verdict\n")
    body.append("a note goes after the verdict: 2 -- the link does not exist")
    prompter.console.print(Panel(body, title="Judging an output", expand=False))


def _summary(result: Draw, judgements: dict[str, Judgement], prompter: Prompter) -> None:
    table = Table(title="What you read", title_justify="left")
    table.add_column("row")
    table.add_column("verdict")
    table.add_column("note")
    for drawn in result.outputs:
        given = judgements.get(drawn.id)
        if given is None:
            table.add_row(Text(drawn.id), Text("—", style="yellow"), "")
            continue
        verdict = CATEGORIES[given.category][0] if given.category else "ok"
        table.add_row(
            Text(drawn.id), Text(verdict, style="red" if given.category else "green"), Text(given.note or "")
        )
    prompter.console.print(table)


class SampleRun(NamedTuple):
    """One reading of a draw: the project it is recorded in, what was asked for and drawn, who
    reads it, and the folder its draft is kept in."""

    project: Project
    request: DrawRequest
    result: Draw
    reading: Reading
    drafts: Path


def guided_sample(
    run: SampleRun, prompter: Prompter, judgements: dict[str, Judgement] | None = None
) -> WrittenSample | None:
    """Read the draw with a person; the record, or None when they chose not to save (draft kept).

    Every judgement is in the draft the moment it is given, so an interruption loses nothing.
    """
    given = dict(judgements or {})
    keep_draft = partial(save_sample_draft, run.drafts, run.request, run.result, run.reading)
    try:
        if not read_outputs(run.result, prompter, given, keep_draft):
            keep_draft(given)
            return None
        kept = settle_in_terminal(prompter, sensitive(notes(given)), "the note on {}")
    except KeyboardInterrupt:
        keep_draft(given)
        raise Interrupted(f"interrupted; draft kept — {SAMPLE_RESUME_HINT}") from None
    except EOFError:
        keep_draft(given)
        raise MicromomentError(
            f"input ended while reading outputs; draft kept — {SAMPLE_RESUME_HINT}"
        ) from None
    written = write_sample(run.project, build_record(run.result, given, run.reading, kept))
    (run.drafts / "current.yaml").unlink(missing_ok=True)
    return written


def review_offer(
    project: Project, default: Path | None, reading: Reading, prompter: Prompter, drafts: Path
) -> Callable[[], SampleLink | None]:
    """For the guided review: draw and read a sample on the spot, and hand back its link."""

    def offer() -> SampleLink | None:
        shown = default.relative_to(project.root).as_posix() if default is not None else None
        answer = prompter.ask(
            "Outputs file to read from (JSON Lines, CSV or promptfoo results)", default=shown
        )
        if not answer:
            return None
        path = Path(answer)
        if not path.is_absolute() and not (Path.cwd() / answer).exists():
            path = project.root / answer
        try:
            request = DrawRequest(path, shown_path(project.root, path))
            written = guided_sample(SampleRun(project, request, draw(request), reading, drafts), prompter)
        except Interrupted:
            raise
        except MicromomentError as exc:
            prompter.console.print(Text(exc.message, style="red"))
            return None
        if written is None:
            return None
        prompter.console.print(Text(f"recorded {written.yaml_path.relative_to(project.root)}", style="dim"))
        return link_to(written.record, written.yaml_path, project.root)

    return offer
