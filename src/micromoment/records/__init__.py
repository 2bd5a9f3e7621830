"""Records: the committed YAML of what was checked, by whom, and how it went; the one reader
of record files, their writers, and their Markdown. Others import the model from here."""

# The model (and pydantic with it) loads on first use of one of its names, so the light
# readers (`records.listing`, the ledger's warm path) never pay for it.

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from micromoment.records.listing import record_files, record_name
    from micromoment.records.model import (
        SKIP,
        TEMP_IGNORE,
        Answer,
        AnyRecord,
        ChecklistRef,
        FlagCategory,
        FollowUp,
        Resolution,
        ReviewRecord,
        SampledOutput,
        SampleLink,
        SampleRecord,
        SampleSource,
        ScanResult,
        Signoff,
        SkipRecord,
        find_record,
        load_any_record,
        load_record,
        new_record_id,
        parse_record,
        reason_problem,
        record_from,
        record_text,
        reviews_dir,
        sample_counts,
        save_record,
        save_skip,
    )

# The names `records.listing` holds; every other name in __all__ is the model's.
_LISTING = {"record_files", "record_name"}

__all__ = [
    "SKIP",
    "TEMP_IGNORE",
    "Answer",
    "AnyRecord",
    "ChecklistRef",
    "FlagCategory",
    "FollowUp",
    "Resolution",
    "ReviewRecord",
    "SampleLink",
    "SampleRecord",
    "SampleSource",
    "SampledOutput",
    "ScanResult",
    "Signoff",
    "SkipRecord",
    "find_record",
    "load_any_record",
    "load_record",
    "new_record_id",
    "parse_record",
    "reason_problem",
    "record_files",
    "record_from",
    "record_name",
    "record_text",
    "reviews_dir",
    "sample_counts",
    "save_record",
    "save_skip",
]


def __getattr__(name: str) -> object:
    if name in _LISTING:
        from micromoment.records import listing

        return getattr(listing, name)
    if name in __all__:
        from micromoment.records import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
