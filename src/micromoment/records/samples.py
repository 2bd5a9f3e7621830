"""Sample records: the outputs a person read, kept in .micromoment/samples/ beside the reviews."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from micromoment.errors import FileProblems, NotFound
from micromoment.locations import Project, display_path
from micromoment.records.listing import find_named

# The sample model, pydantic and the YAML reader load only when a sample is read or written:
# `stats` lists the samples folder on every run, and most repositories have no samples.
if TYPE_CHECKING:
    from micromoment.records.model import FlagCategory, SampleLink, SampleRecord

# What each flag means, for the `?` help and the docs; the words a count is shown with.
CATEGORIES: dict[FlagCategory, tuple[str, str, str]] = {
    "wrong-fact": (
        "wrong fact",
        "wrong facts",
        "a fact, number, date, price or policy that is false, or not what the source says",
    ),
    "invented-source": (
        "invented source or link",
        "invented sources or links",
        "a citation, link, document, package or API that does not exist or does not say that",
    ),
    "harmful": (
        "harmful or biased output",
        "harmful or biased outputs",
        "unsafe advice, stereotypes, loaded wording, or different treatment of groups of people",
    ),
    "leaks-data": (
        "leak of personal or secret data",
        "leaks of personal or secret data",
        "names, contact details, account data, credentials or internal text the reader should not see",
    ),
    "off-policy": (
        "off-policy or off-brand output",
        "off-policy or off-brand outputs",
        "against the product's rules, promises it cannot keep, or in a voice the brand would not use",
    ),
    "other": ("other problem", "other problems", "anything else a customer would be hurt or misled by"),
}


def samples_dir(project: Project) -> Path:
    return project.home / "samples"


def flagged_leaks(project: Project, sha256: str) -> set[str]:
    """The rows of the file with this content that a recorded sample flagged as a leak."""
    from micromoment.records.listing import record_files

    return {
        output.id
        for sample in map(load_sample, record_files(samples_dir(project)))
        if sample.source.sha256 == sha256
        for output in sample.outputs
        if output.category == "leaks-data"
    }


def load_sample(path: Path) -> SampleRecord:
    if not path.is_file():
        raise NotFound(
            f"{display_path(path)}: no such sample record; micromoment sample FILE draws one "
            "(records are in .micromoment/samples/)"
        )
    from micromoment.records.model import SampleRecord
    from micromoment.validation import validate
    from micromoment.yamlio import read_yaml

    located = read_yaml(path, display_path(path))
    if not isinstance(located.data, dict) or located.data.get("kind") != "sample":
        where = ("kind",) if isinstance(located.data, dict) else ()
        raise FileProblems([located.problem(where, "must be a sample record: a mapping with kind: sample")])
    return validate(SampleRecord, located)


def link_to(record: SampleRecord, path: Path, root: Path) -> SampleLink:
    """What an answer keeps of a sample: where it is, what was read, and what was wrong."""
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    from micromoment.records.model import SampleLink

    flags = {c: n for c, n in record.counts.items() if c != "ok" and n}
    return SampleLink(record=shown, source=record.source.path, read=len(record.outputs), flags=flags)  # type: ignore[arg-type]


def describe(link: SampleLink) -> str:
    """`read 5 outputs from evals/run-42.jsonl: 1 wrong fact, 1 invented source or link`."""
    noun = "output" if link.read == 1 else "outputs"
    parts = [
        f"{count} {words[0] if count == 1 else words[1]}"
        for category, words in CATEGORIES.items()
        if (count := link.flags.get(category, 0))
    ]
    return f"read {link.read} {noun} from {link.source}: {', '.join(parts) if parts else 'none flagged'}"


def link_sample_record(project: Project, ref: str) -> SampleLink:
    """The link a review keeps to the sample record named by `ref` (its path or id), after checking it."""
    path = find_named(samples_dir(project), ref, "sample record", "name it by its path or its id")
    return link_to(load_sample(path), path, project.root)
