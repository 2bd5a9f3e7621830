"""The options of `micromoment review`, named once so the command's signature reads as a list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ChecklistIds = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="ID", help="Checklists to answer (default: offered in a terminal; quick otherwise)."
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(help="What is being reviewed (default: the branch; on the main branch, the changed paths)."),
]
AnswersOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="A YAML file (- for standard input) mapping item ids to answers, for use without a terminal: `id: yes`, or "
        "`id: {answer: no, note: ..., evidence: ..., follow_up: {action: ..., owner: ..., due: 2026-12-31}}`, "
        "or `id: {answer: skip, reason: ...}`.",
    ),
]
ResumeOption = Annotated[
    bool, typer.Option("--resume", help="Continue an unfinished review (asks which, if several).")
]
DraftOption = Annotated[
    str | None, typer.Option("--draft", metavar="DRAFT", help="With --resume: the draft to continue.")
]
StrictOption = Annotated[
    bool, typer.Option(help="With --answers: refuse (exit 2) rather than record an incomplete review.")
]
AllowSensitiveOption = Annotated[
    bool,
    typer.Option(
        help="Write notes that look like secrets or personal data without asking (they are recorded as kept)."
    ),
]
InteractiveOption = Annotated[
    bool, typer.Option(help="Ask on standard input even when it is not a terminal (for scripted input).")
]
NoGitOption = Annotated[
    bool, typer.Option("--no-git", help="Record outside a git repository, with no git context in the record.")
]
SampleOption = Annotated[
    str | None,
    typer.Option(
        metavar="RECORD",
        help="A sample record (micromoment sample) to link as evidence on the items that take one.",
    ),
]
