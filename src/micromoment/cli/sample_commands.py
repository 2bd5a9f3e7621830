"""The sample command: draw a few real model outputs, read them, and record what was wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from micromoment.capture.guard import allowed_kinds, sensitive
from micromoment.capture.prompts import stdin_prompter
from micromoment.capture.sample import Draw, DrawRequest, draw, draw_json, shown_path
from micromoment.capture.sample_record import (
    SAMPLE_RESUME_HINT,
    Judgement,
    Reading,
    WrittenSample,
    build_record,
    draft_request,
    load_sample_draft,
    notes,
    read_judgments,
    sample_drafts_dir,
    write_sample,
)
from micromoment.capture.sample_walk import SampleRun, guided_sample
from micromoment.checklists import load_catalog
from micromoment.cli.output import print_json, say
from micromoment.clock import utc_now
from micromoment.config import default_outputs, load_config
from micromoment.errors import EXIT_FINDINGS, MicromomentError
from micromoment.git import GitState, author_identity
from micromoment.locations import Project, display_path, find_project
from micromoment.records.samples import describe, flagged_leaks, link_to

FileArgument = Annotated[
    Path | None,
    typer.Argument(
        help="JSON Lines, CSV or promptfoo results (promptfoo eval -o results.json); "
        "default: the newest file samples.outputs names in .micromoment/config.yaml."
    ),
]
CountOption = Annotated[int, typer.Option("-n", "--count", min=1, help="How many outputs to draw.")]
SeedOption = Annotated[
    int | None, typer.Option(min=0, help="Draw the same rows again (default: a new seed, recorded).")
]
IdFieldOption = Annotated[
    str | None, typer.Option(metavar="FIELD", help="The field naming a row (default: id, else its line).")
]
PromptFieldOption = Annotated[
    str | None,
    typer.Option(metavar="FIELD", help="The prompt's field (default: prompt, prompt.raw, input, question)."),
]
OutputFieldOption = Annotated[
    str | None,
    typer.Option(
        metavar="FIELD", help="The output's field (default: output, response.output, response, answer)."
    ),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="FIELD=VALUE", help="Draw only rows whose FIELD is VALUE (repeatable; all must hold)."
    ),
]
JudgmentsOption = Annotated[
    Path | None,
    typer.Option(
        help="Record without a terminal: a YAML or JSON mapping of drawn row id to `ok` or "
        "`{flag: CATEGORY, note: TEXT}`."
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the draw (ids, masked excerpts) and write nothing.")
]
ResumeOption = Annotated[bool, typer.Option("--resume", help="Continue reading an interrupted sample.")]
AllowSensitiveOption = Annotated[
    bool, typer.Option(help="Record notes that look like secrets or personal data (recorded as kept).")
]
InteractiveOption = Annotated[
    bool, typer.Option(help="Ask on standard input even when it is not a terminal (for scripted input).")
]


def sample(
    file: FileArgument = None,
    count: CountOption = 5,
    seed: SeedOption = None,
    id_field: IdFieldOption = None,
    prompt_field: PromptFieldOption = None,
    output_field: OutputFieldOption = None,
    where: WhereOption = None,
    judgments: JudgmentsOption = None,
    as_json: JsonOption = False,
    resume_draft: ResumeOption = False,
    allow_sensitive: AllowSensitiveOption = False,
    interactive: InteractiveOption = False,
) -> None:
    """Draw a few real model outputs, read them one at a time, and record what was wrong.

    Rows are drawn uniformly; a log (JSON Lines, CSV) is streamed, so any size works, and
    a promptfoo results document is read whole, up to 128 MiB. The same file, seed and -n
    draw the same rows. Judge each output ok, or flag it as a wrong
    fact, invented source or link, harmful or biased, leaking personal or secret data,
    off-policy or off-brand, or other. The record goes to .micromoment/samples/ (YAML +
    Markdown); link it to a review with micromoment review ID --sample RECORD.
    """
    project = find_project()
    state = GitState.at(project.root)
    drafts = sample_drafts_dir(project, state.git_dir)
    if resume_draft:
        if file is not None or judgments is not None or as_json:
            raise MicromomentError(
                "--resume continues the interrupted sample as it was drawn; leave out FILE, --judgments and --json"
            )
        request, result, earlier, started = _resumed(drafts)
    else:
        path = _outputs_file(project, file)
        fields = (id_field, prompt_field, output_field)
        request = DrawRequest(path, shown_path(project.root, path), count, seed, *fields, tuple(where or ()))
        earlier, started, result = {}, utc_now(), draw(request)
    if as_json:
        if judgments is not None:
            raise MicromomentError(
                "--json only shows the draw and writes nothing; leave it out to record --judgments"
            )
        print_json(draw_json(result, flagged_leaks(project, result.source.sha256)))
        return
    reading = Reading(author_identity(project.root), state.context(), started)
    if judgments is not None:
        given = read_judgments(judgments, result)
        kept = allowed_kinds(sensitive(notes(given)), display_path(judgments), "notes look", allow_sensitive)
        _report(project, write_sample(project, build_record(result, given, reading, kept)))
        return
    if (prompter := stdin_prompter(force=interactive)) is None:
        raise MicromomentError(
            f"no terminal to read outputs on; see the draw with micromoment sample {request.display} --seed {result.seed} "
            "--json and record it with --judgments FILE (drawn row id -> ok or {flag: CATEGORY, note: TEXT})"
        )
    written = guided_sample(SampleRun(project, request, result, reading, drafts), prompter, earlier)
    if written is None:
        say(f"not saved; draft kept — {SAMPLE_RESUME_HINT}")
        raise typer.Exit(EXIT_FINDINGS)
    _report(project, written)


def _resumed(drafts: Path) -> tuple[DrawRequest, Draw, dict[str, Judgement], dt.datetime]:
    """The interrupted sample: the same rows drawn again, and the judgements given so far."""
    saved = load_sample_draft(drafts)
    request = draft_request(saved)
    result = draw(request)
    if result.source.sha256 != saved.sha256:
        raise MicromomentError(
            f"{request.display}: the file changed since this sample was drawn; "
            "start again with micromoment sample FILE"
        )
    return request, result, dict(saved.judgements), saved.started_at


def _outputs_file(project: Project, file: Path | None) -> Path:
    """The file to draw from: the named one, or the newest one samples.outputs names."""
    path = file or default_outputs(project, load_config(project, load_catalog(project)))
    if path is None:
        raise MicromomentError(
            "name the outputs file to sample, e.g. micromoment sample evals/results.jsonl "
            "(or set samples.outputs in .micromoment/config.yaml)"
        )
    return path


def _report(project: Project, written: WrittenSample) -> None:
    say(describe(link_to(written.record, written.yaml_path, project.root)))
    say(f"recorded {display_path(written.yaml_path)} and {display_path(written.markdown_path)}")
    say(
        f"link it to a review: micromoment review ID --sample {written.record.id}; "
        f"commit it with the change: git add {display_path(written.yaml_path.parent)}"
    )
