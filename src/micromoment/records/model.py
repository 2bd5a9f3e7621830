"""Review records: the committed YAML source of truth for what was checked, by whom, and how it
went; the one reader of record files and record bytes, and the writer of new ones."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from micromoment.checklists import Checklist
from micromoment.checklists.answers import SKIP as SKIP
from micromoment.config import Config
from micromoment.errors import FileProblems, NotFound
from micromoment.fileread import read_limited
from micromoment.files import write_atomic
from micromoment.identity import GitContext, Person, same_identity
from micromoment.limits import MAX_YAML_BYTES
from micromoment.locations import Project, display_path
from micromoment.records.listing import find_named, record_name
from micromoment.validation import Day, Slug, StrictModel, Text, UtcTime, validate
from micromoment.yamlio import Located, dump_yaml, parse_yaml


class Resolution(StrictModel):
    """How and when a follow-up was closed, and by whom."""

    who: Person
    at: UtcTime
    note: Text


class FollowUp(StrictModel):
    """Work a "no" answer calls for, with the role that owns it."""

    action: Text
    owner: Text
    due: Day | None = None
    resolved: Resolution | None = Field(default=None, description="Set by micromoment resolve.")


class Signoff(StrictModel):
    """A second person's sign-off on a review, and what they looked at."""

    who: Person
    at: UtcTime
    decision: Literal["approve", "changes-requested"]
    note: str | None = None
    saw: str | None = Field(
        default=None,
        description="A digest of the answers and the triggering files as the signer saw them "
        "(docs/gate.md); the gate counts the sign-off only while they are unchanged.",
    )


FlagCategory = Literal["wrong-fact", "invented-source", "harmful", "leaks-data", "off-policy", "other"]


class SampleLink(StrictModel):
    """A sample record an answer rests on, with enough of it to show without opening it."""

    record: Text = Field(description="The sample record's path, relative to the repository.")
    source: Text = Field(description="The outputs file the sample was drawn from.")
    read: int = Field(ge=0, description="How many outputs were read.")
    flags: dict[FlagCategory, int] = Field(
        default_factory=dict, description="Outputs flagged, by category; categories with none are left out."
    )


class Answer(StrictModel):
    """One item's answer, in the words of the person who gave it."""

    item: Slug = Field(description="The checklist item's id.")
    question: Text = Field(description="The question as it was asked.")
    answer: Text = Field(description="yes / no / na, an option, free text, or skip.")
    reason: str | None = Field(default=None, description="Why the item was skipped.")
    note: str | None = None
    evidence: str | None = Field(default=None, description="A link or pointer to what shows it.")
    follow_up: FollowUp | None = None
    sample: SampleLink | None = Field(default=None, description="The outputs read for this item, if any.")
    answered_at: UtcTime

    @model_validator(mode="after")
    def _skips_have_reasons(self) -> Answer:
        if self.answer == SKIP and not (self.reason and self.reason.strip()):
            raise ValueError("a skipped item needs its reason")
        return self

    @property
    def skipped(self) -> bool:
        return self.answer == SKIP


class ChecklistRef(StrictModel):
    """Which checklist, exactly, was answered."""

    id: Slug
    title: Text
    version: Text
    content_hash: Text

    @classmethod
    def of(cls, checklist: Checklist) -> ChecklistRef:
        return cls(
            id=checklist.id,
            title=checklist.title,
            version=checklist.version,
            content_hash=checklist.content_hash(),
        )


class ScanResult(StrictModel):
    """The record went through the secret and personal-data scan before it was written."""

    ran: bool = True
    kept: list[str] = Field(default_factory=list, description="Kinds of finding the author chose to keep.")


class ReviewRecord(StrictModel):
    """A finished (or honestly unfinished) review."""

    kind: Literal["review"] = "review"
    schema_version: Literal[1] = 1
    id: Text = Field(description="The record's id: its file name without .yaml.")
    checklist: ChecklistRef
    subject: Text
    git: GitContext | None = None
    who: Person
    started_at: UtcTime
    finished_at: UtcTime
    answers: list[Answer]
    status: Literal["complete", "incomplete"]
    missing: list[Slug] = Field(default_factory=list, description="Required items without an answer.")
    scan: ScanResult = Field(default_factory=ScanResult)
    signoffs: list[Signoff] = Field(
        default_factory=list, description="Sign-offs by people other than the author."
    )

    @model_validator(mode="after")
    def _status_matches_missing(self) -> ReviewRecord:
        if (self.status == "complete") != (not self.missing):
            raise ValueError("status must be incomplete exactly when required items are missing")
        return self

    @field_validator("signoffs")
    @classmethod
    def _one_signoff_per_person(cls, signoffs: list[Signoff]) -> list[Signoff]:
        # `signoffs: 2` asks for two people; one person signing twice must not look like two.
        for index, later in enumerate(signoffs):
            for earlier in signoffs[:index]:
                if same_identity(earlier.who.name, earlier.who.email, later.who.name, later.who.email):
                    raise ValueError(
                        f"{later.who.name} signed off twice (entries {signoffs.index(earlier) + 1} and "
                        f"{index + 1}); one person counts once, so keep one: micromoment signoff replaces it"
                    )
        return signoffs

    def answer(self, item_id: str) -> Answer | None:
        return next((a for a in self.answers if a.item == item_id), None)


class SkipRecord(StrictModel):
    """An explicit, reasoned decision that a change does not need a checklist; the gate accepts it."""

    kind: Literal["skip"] = "skip"
    schema_version: Literal[1] = 1
    id: Text
    checklist: ChecklistRef
    reason: Text
    approver: str | None = Field(default=None, description="Who agreed to the skip, when someone did.")
    who: Person
    at: UtcTime
    git: GitContext | None = None


class SampleSource(StrictModel):
    """The outputs file a sample was drawn from, pinned by its content."""

    path: Text = Field(description="As given, relative to the repository when inside it.")
    format: Literal["jsonl", "csv", "promptfoo"]
    size: int = Field(ge=0, description="Bytes.")
    sha256: Text
    rows: int = Field(ge=0, description="Rows in the file.")
    matched: int = Field(ge=0, description="Rows that met every --where condition (all rows without one).")
    id_field: str | None = Field(default=None, description="None: rows are named by their line or position.")
    prompt_field: str | None = None
    output_field: Text
    where: list[Text] = Field(default_factory=list, description="FIELD=VALUE conditions rows had to meet.")


class SampledOutput(StrictModel):
    """One drawn output, how it was judged, and short excerpts with sensitive data masked."""

    id: Text = Field(description="The row's id (its id field, or line-N / row-N).")
    line: int = Field(ge=1, description="Line in the file (JSONL, CSV) or position in the results list.")
    prompt: str = Field(default="", description="The start of the prompt, masked.")
    output: str = Field(description="The start of the output, masked.")
    verdict: Literal["ok", "flag"]
    category: FlagCategory | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _flags_have_categories(self) -> SampledOutput:
        if (self.verdict == "flag") != (self.category is not None):
            raise ValueError("a flagged output needs a category, and an ok one has none")
        return self


class SampleRecord(StrictModel):
    """A few real outputs, read by a person, with what was wrong in them."""

    kind: Literal["sample"] = "sample"
    schema_version: Literal[1] = 1
    id: Text = Field(description="The record's id: its file name without .yaml.")
    who: Person
    started_at: UtcTime
    finished_at: UtcTime
    git: GitContext | None = None
    source: SampleSource
    seed: int = Field(ge=0, description="The draw's seed: the same file, seed and n draw the same rows.")
    n: int = Field(ge=1, description="How many outputs were asked for.")
    outputs: list[SampledOutput]
    counts: dict[str, int] = Field(description="ok and each flag category, over the outputs.")
    scan: ScanResult = Field(default_factory=ScanResult)

    @model_validator(mode="after")
    def _counts_match(self) -> SampleRecord:
        if self.counts != sample_counts(self.outputs):
            raise ValueError("counts must be the tally of the outputs' verdicts and categories")
        return self


def sample_counts(outputs: list[SampledOutput]) -> dict[str, int]:
    """`ok` and every flag category, each with how many outputs got it (zeros kept, so counts diff well)."""
    counts = {"ok": 0, **{category: 0 for category in FlagCategory.__args__}}  # type: ignore[attr-defined]
    for output in outputs:
        counts[output.category or "ok"] += 1
    return counts


AnyRecord = ReviewRecord | SkipRecord


def reason_problem(reason: str, checklist_id: str) -> str | None:
    """Why a skip reason is too thin to stand in a record, or None."""
    # Length and word count alone turn away "n/a", "later", "no time" and the like.
    text = " ".join(reason.split())
    if len(text) < 12 or len(text.split()) < 3:
        return (
            f"a skip needs a reason someone else can judge: say in a few words why this change does not need "
            f"{checklist_id}, e.g. --reason 'renames the prompt file; its text is unchanged'"
        )
    return None


def reviews_dir(project: Project, config: Config) -> Path:
    return project.root / config.reviews_dir


def new_record_id(checklist_id: str, day: str, kind: str = "") -> str:
    middle = f"{checklist_id}-{kind}" if kind else checklist_id
    return f"{day}-{middle}-{secrets.token_hex(2)}"


def record_text(record: ReviewRecord | SkipRecord | SampleRecord) -> str:
    """A record's file: its YAML, under a header that says which kind of record it is."""
    header = f"# A micromoment {record.kind} record. Change it only through micromoment commands.\n"
    return dump_yaml(record.model_dump(mode="json", by_alias=True, exclude_none=True), header=header)


TEMP_IGNORE = "# Temporary files micromoment writes and renames at once; only a crash leaves one.\n.*.tmp\n"


def save_record(folder: Path, record: ReviewRecord | SkipRecord | SampleRecord) -> Path:
    """Write a new record file of any kind; a name already taken is never overwritten."""
    ignore = folder / ".gitignore"
    if not ignore.exists():  # a crash mid-write can leave a hidden temp file; keep it out of commits
        write_atomic(ignore, TEMP_IGNORE)
    path = folder / f"{record.id}.yaml"
    write_atomic(path, record_text(record), overwrite=False)
    return path


save_skip = save_record


def load_any_record(path: Path) -> AnyRecord:
    """A review or skip record, whichever the file's `kind` says."""
    # The name is worked out only when there is a problem to report: most records have none.
    return parse_record(
        read_limited(path, MAX_YAML_BYTES, lambda: record_name(path)), lambda: record_name(path)
    )


def parse_record(raw: bytes, display: str | Callable[[], str]) -> AnyRecord:
    """A record from bytes (a git blob, a cached copy) under the same rules as a record file."""
    return record_from(parse_yaml(raw, display))


def record_from(located: Located) -> AnyRecord:
    """The one rule for what a record is: every reader of records comes through here."""
    if not isinstance(located.data, dict):
        raise FileProblems(
            [located.problem((), "must be a record: a mapping with kind: review or kind: skip")]
        )
    kind = located.data.get("kind")
    if kind == "review":
        return validate(ReviewRecord, located)
    if kind == "skip":
        return validate(SkipRecord, located)
    raise FileProblems([located.problem(("kind",), "must be one of review, skip")])


def load_record(path: Path) -> ReviewRecord:
    """A review record; a skip record here is a mistake in what was named."""
    record = load_any_record(path)
    if not isinstance(record, ReviewRecord):
        raise NotFound(f"{display_path(path)} is a skip record, not a review")
    return record


def find_record(project: Project, config: Config, ref: str) -> Path:
    """A record named by its path or its id."""
    how = "name a record by its path or its file name without .yaml"
    return find_named(reviews_dir(project, config), ref, "record", how)
