"""`micromoment scan`: where generative AI lives in the repository, and what would cover it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from micromoment.capture.guard import redact
from micromoment.checklists import load_catalog, pattern_problem
from micromoment.cli.output import line, print_json, say
from micromoment.config import load_config
from micromoment.detect.match import Detectors, shortened
from micromoment.detect.scan import Place, Scanned, proposed_patterns, scan_files
from micromoment.detect.table import detection_table
from micromoment.gate.policy import rules_for
from micromoment.gate.rules import triggering_paths
from micromoment.git import GitFailed, Repo, find_repo
from micromoment.git.run import Started
from micromoment.locations import Project, find_project

# Files not read named in the text output; --json names them all.
NOT_READ_SHOWN = 10
# The checklist whose path patterns `scan` proposes to extend.
PROPOSED_FOR = "genai-output-review"


def scan_repository(project: Project, paths: list[str]) -> tuple[Scanned, list[str]]:
    """What every detector that is on finds in the repository's files (or those under `paths`),
    and the `also_applies_to` patterns that would cover the files not yet covered."""
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    overrides = {d: p.model_dump() for d, p in config.detectors.items()}
    table = detection_table(overrides, set(config.detector_ids()))
    if table is None:
        return Scanned({}, {}), []
    detectors = Detectors(table)
    repo = find_repo(str(project.root))
    top = os.path.realpath(repo.root)
    pathspecs = [f":(literal){os.path.relpath(os.path.realpath(p), top).replace(os.sep, '/')}" for p in paths]
    rules = rules_for(catalog, config)
    files = triggering_paths(rules, _files_to_read(repo, detectors, pathspecs))
    scanned = scan_files(repo.root, files, detectors)
    rule = next((c for c in rules.checklists if c.id == PROPOSED_FOR), None)
    uncovered = [path for path in scanned.places if rule is None or not rule.matches(path)]
    proposal = [p for p in proposed_patterns(uncovered) if pattern_problem(p) is None]
    return scanned, proposal


def _files_to_read(repo: Repo, detectors: Detectors, pathspecs: list[str]) -> list[str]:
    """The files git tracks or would track that hold a detector's keyword, found by git's own
    search (in C, on every core); every such file when a team's pattern has no keywords."""
    keywords = detectors.keywords()
    if keywords is None:
        args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    else:
        args = ["grep", "-l", "-z", "-F", "-i", "--untracked", "--no-color"]
        args += [arg for keyword in keywords for arg in ("-e", keyword)]
    done = Started("git", [*args, "--", *pathspecs], repo.root).finish()
    if done.returncode not in (0, 1):  # grep's 1: no file holds any
        raise GitFailed(f"git {args[0]} failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return [name.decode("utf-8", "surrogateescape") for name in done.stdout.split(b"\0") if name]


def _excerpt(text: str) -> str:
    return shortened(redact(text))  # masked before the cut, so that no part of a secret survives it


def _as_json(place: Place) -> dict[str, Any]:
    found = place.finding
    excerpt = _excerpt(place.line_text)
    return {"line": found.line, "detector": found.detector, "found": found.text, "excerpt": excerpt}


def scan(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH", help="Files or folders to scan (default: the whole repository)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings and the proposal as JSON.")
    ] = False,
) -> None:
    """Where generative AI lives in the repository: file:line, detector, and a short excerpt.

    Files git tracks or would track (not ignored) are read in the languages the detectors know
    (Python, JavaScript/TypeScript, Go, Java/Kotlin, YAML/JSON/TOML); vendored, generated, binary
    and very large files are named as not read. Secrets in excerpts are masked. Last come the
    `also_applies_to` patterns that would make genai-output-review cover the files found that
    its path patterns do not (micromoment init --scan writes them into the config). Exit 0.
    """
    project = find_project()
    scanned, proposal = scan_repository(project, [str(p) for p in paths or []])
    if as_json:
        files = [
            {"path": path, "findings": [_as_json(p) for p in places]}
            for path, places in scanned.places.items()
        ]
        print_json({"files": files, "not_read": scanned.not_read, "also_applies_to": proposal})
        return
    for path, places in scanned.places.items():
        line(path)
        for place in places:
            line(f"  {place.finding.line}: {place.finding.detector}: {_excerpt(place.line_text)}")
    for path, why in list(scanned.not_read.items())[:NOT_READ_SHOWN]:
        line(f"not read: {path} ({why})")
    if len(scanned.not_read) > NOT_READ_SHOWN:
        line(f"not read: {len(scanned.not_read) - NOT_READ_SHOWN} more (--json lists them)")
    if proposal:
        line(f"proposed for {PROPOSED_FOR} (also_applies_to in .micromoment/config.yaml):")
        for pattern in proposal:
            line(f"  - {pattern}")
    count = sum(len(places) for places in scanned.places.values())
    say(f"{count} place(s) in {len(scanned.places)} file(s) where generative AI lives")
