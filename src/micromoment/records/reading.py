"""Reading records: the one reader of record files and record bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from micromoment.config import Config
from micromoment.errors import FileProblems, NotFound
from micromoment.fileread import read_limited
from micromoment.limits import MAX_YAML_BYTES
from micromoment.locations import Project, display_path
from micromoment.records.listing import find_named, record_name
from micromoment.records.model import AnyRecord, ReviewRecord, SkipRecord, reviews_dir
from micromoment.validation import validate
from micromoment.yamlio import Located, parse_yaml


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
