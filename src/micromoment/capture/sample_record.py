"""A read sample becomes a record: judgements from a file or a terminal, drafts, the guard, the files written."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import Field, ValidationError

from micromoment.capture.drafts import drafts_dir, write_draft
from micromoment.capture.guard import Typed
from micromoment.capture.recording import WrittenRecord, write_new
from micromoment.capture.sample import Draw, DrawRequest, excerpts
from micromoment.clock import utc_now
from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.identity import GitContext, Person
from micromoment.locations import Project, display_path
from micromoment.records import FlagCategory, SampledOutput, SampleRecord, ScanResult, sample_counts
from micromoment.records.model import save_record
from micromoment.records.render import render_template
from micromoment.records.samples import CATEGORIES, describe, link_to, samples_dir
from micromoment.validation import StrictModel, Text, UtcTime, problems_from, validate
from micromoment.yamlio import read_yaml

SAMPLE_TEMPLATE = "sample.md.j2"
SAMPLE_RESUME_HINT = "resume with micromoment sample --resume"


class Judgement(StrictModel):
    """How one drawn output was judged."""

    verdict: Literal["ok", "flag"]
    category: FlagCategory | None = None
    note: str | None = None


class FlagInput(StrictModel):
    """A judgements-file entry for a flagged output: `{flag: wrong-fact, note: ...}`."""

    flag: FlagCategory = Field(
        description="wrong-fact, invented-source, harmful, leaks-data, off-policy or other."
    )
    note: str | None = None


def read_judgments(path: Path, result: Draw) -> dict[str, Judgement]:
    """Judgements for exactly the drawn rows: one for each, none for a row that was not drawn."""
    located = read_yaml(path, display_path(path))
    if not isinstance(located.data, dict):
        raise FileProblems(
            [located.problem((), "must map drawn row ids to ok or {flag: CATEGORY, note: TEXT}")]
        )
    drawn = [d.id for d in result.outputs]
    problems: list[Problem] = []
    judgements: dict[str, Judgement] = {}
    for key, value in located.data.items():
        row_id = str(key)
        if row_id not in drawn:
            problems.append(
                located.problem(
                    (key,),
                    f"{row_id!r} was not drawn in this sample (drawn: {', '.join(drawn)}); judge only those",
                    key=True,
                )
            )
            continue
        if isinstance(value, str) and value.strip().lower() == "ok":
            judgements[row_id] = Judgement(verdict="ok")
            continue
        if not isinstance(value, dict):
            problems.append(located.problem((key,), "must be ok or {flag: CATEGORY, note: TEXT}"))
            continue
        try:
            entry = FlagInput.model_validate(value)
        except ValidationError as exc:
            problems += problems_from(exc, located, prefix=(key,))
            continue
        judgements[row_id] = Judgement(verdict="flag", category=entry.flag, note=entry.note)
    missing = [row_id for row_id in drawn if row_id not in judgements and row_id not in located.data]
    if missing and not problems:
        problems.append(
            located.problem((), f"no judgement for drawn row(s) {', '.join(missing)}; add one for each")
        )
    if problems:
        raise FileProblems(problems)
    return judgements


def notes(judgements: dict[str, Judgement]) -> list[Typed]:
    """The notes typed on the rows, each named by its row."""

    def replace(row_id: str, text: str) -> None:
        judgements[row_id] = judgements[row_id].model_copy(update={"note": text})

    return [Typed(row_id, j.note, partial(replace, row_id)) for row_id, j in judgements.items() if j.note]


class Reading(NamedTuple):
    """Who read the draw, when, and where."""

    who: Person
    git: GitContext | None
    started_at: dt.datetime


def build_record(
    result: Draw, judgements: dict[str, Judgement], reading: Reading, kept: list[str]
) -> SampleRecord:
    finished = utc_now()
    outputs = []
    for d in result.outputs:
        judged = judgements[d.id]
        prompt, output = excerpts(d, judged.category == "leaks-data")
        outputs.append(
            SampledOutput(
                id=d.id,
                line=d.line,
                prompt=prompt,
                output=output,
                verdict=judged.verdict,
                category=judged.category,
                note=judged.note or None,
            )
        )
    return SampleRecord(
        id=f"{finished.date().isoformat()}-sample-{secrets.token_hex(2)}",
        who=reading.who,
        started_at=reading.started_at,
        finished_at=finished,
        git=reading.git,
        source=result.source,
        seed=result.seed,
        n=result.n,
        outputs=outputs,
        counts=sample_counts(outputs),
        scan=ScanResult(kept=kept),
    )


WrittenSample = WrittenRecord[SampleRecord]


def sample_view(record: SampleRecord) -> dict[str, Any]:
    """Everything the sample template shows, in plain data."""
    return {
        "record": record.model_dump(mode="json"),
        "summary": describe(link_to(record, Path(record.id), Path())),
        "finished": record.finished_at.strftime("%Y-%m-%d %H:%M UTC"),
        "categories": [
            {"id": c, "label": words[0], "count": record.counts.get(c, 0)} for c, words in CATEGORIES.items()
        ],
        "labels": {c: words[0] for c, words in CATEGORIES.items()},
    }


def write_sample(project: Project, record: SampleRecord) -> WrittenSample:
    """The YAML record under a fresh name, and its Markdown beside it: both, or neither."""

    def named() -> tuple[SampleRecord, str]:
        fresh = record.model_copy(update={"id": f"{record.id[:-4]}{secrets.token_hex(2)}"})
        return fresh, render_template(project, SAMPLE_TEMPLATE, {"view": sample_view(fresh)})

    return write_new(samples_dir(project), named, save_record, "delete {} and record the sample again")


class SampleDraft(StrictModel):
    """A sample being read: the draw's request (it draws the same rows again) and the judgements so far."""

    kind: Literal["sample-draft"] = "sample-draft"
    schema_version: Literal[1] = 1
    path: Text
    display: Text
    sha256: Text
    seed: int
    n: int
    id_field: str | None = None
    prompt_field: str | None = None
    output_field: str | None = None
    where: list[str] = Field(default_factory=list)
    started_at: UtcTime
    judgements: dict[str, Judgement] = Field(default_factory=dict)


def sample_drafts_dir(project: Project, git_dir: Path | None) -> Path:
    return drafts_dir(project, git_dir, "sample-drafts")


def save_sample_draft(
    folder: Path, request: DrawRequest, result: Draw, reading: Reading, judgements: dict[str, Judgement]
) -> None:
    # The request as it draws the same rows again: the file by its full path, the seed it drew with.
    drawn = {**request._asdict(), "path": str(request.path.resolve()), "seed": result.seed}
    draft = SampleDraft(
        **{**drawn, "where": list(request.where)},
        sha256=result.source.sha256,
        started_at=reading.started_at,
        judgements=judgements,
    )
    write_draft(folder / "current.yaml", draft)


def load_sample_draft(folder: Path) -> SampleDraft:
    path = folder / "current.yaml"
    if not path.is_file():
        raise MicromomentError("no unfinished sample to resume; start one with micromoment sample FILE")
    try:
        return validate(SampleDraft, read_yaml(path, display_path(path)))
    except FileProblems as exc:
        raise MicromomentError(
            f"{exc.problems[0]} — this draft is damaged; delete {display_path(path)} to go on without it"
        ) from None


def draft_request(draft: SampleDraft) -> DrawRequest:
    fields = (draft.id_field, draft.prompt_field, draft.output_field)
    return DrawRequest(Path(draft.path), draft.display, draft.n, draft.seed, *fields, tuple(draft.where))
