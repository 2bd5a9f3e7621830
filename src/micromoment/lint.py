"""Lint: validate checklist and config files, reporting one `file:line:col: where: what` per problem."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from micromoment.checklists import Catalog, checklist_files, load_catalog, load_checklist
from micromoment.checklists.answers import item_rule, unanswered
from micromoment.checklists.translations import check_translation, translations_of
from micromoment.config import Config, config_problems, read_config, read_config_file
from micromoment.errors import CONTROL_CHARACTERS, FileProblems, Problem
from micromoment.locations import CONFIG_FILE, TRANSLATION_NAME, Project, display_path, shipped_dir
from micromoment.records import ReviewRecord, load_any_record, record_files, reviews_dir
from micromoment.records.listing import not_records
from micromoment.records.samples import load_sample, samples_dir
from micromoment.yamlio import Located, PathKey, read_yaml

# What printable() strips before text reaches a terminal; in a checklist it is a mistake or an attack.
_CONTROL = re.compile(CONTROL_CHARACTERS)
_NEWLINE_OR_TAB = re.compile("[\n\t]")
# Fields meant to hold paragraphs; everywhere else a newline or tab is a control character too.
_MULTILINE_FIELDS = {"guidance", "description"}
_NOT_A_RECORD = (
    "not a record: micromoment and the commit gate pass over hidden files; "
    "rename it without the leading dot, or remove it"
)


@dataclass
class LintReport:
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, problems: list[Problem]) -> None:
        self.checked.append(display_path(path))
        self.problems += problems


def lint(project: Project, paths: list[Path]) -> LintReport:
    """Lint the named files and folders, or everything micromoment reads when none are named."""
    return _lint_files(project, _expand(paths)) if paths else _lint_everything(project)


def _lint_everything(project: Project) -> LintReport:
    report = LintReport()
    files = checklist_files(shipped_dir("checklists")) + checklist_files(project.checklists_dir)
    report.checked += [display_path(p) for p in files]
    catalog: Catalog | None = None
    try:
        catalog = load_catalog(project)  # reports every file's problems and clashing ids
    except FileProblems as exc:
        report.problems += exc.problems
    for path in files:
        report.problems += control_character_problems(path)
        for translation in translations_of(path):
            report.add(
                translation,
                _problems(check_translation, translation) + control_character_problems(translation),
            )
    if project.config_path.exists():
        report.add(project.config_path, _config_file_problems(project.config_path, catalog))
    folder = reviews_dir(project, _config_or_default(project))
    for path in record_files(folder):
        report.add(path, _record_problems(path, catalog))
    report.problems += [
        Problem(display_path(path), None, None, "", _NOT_A_RECORD) for path in not_records(folder)
    ]
    for path in record_files(samples_dir(project)):
        report.add(path, _problems(load_sample, path))
    return report


def _problems(read: Callable[[Path], object], path: Path) -> list[Problem]:
    """What the reader finds wrong with the file, if anything."""
    try:
        read(path)
    except FileProblems as exc:
        return exc.problems
    return []


def _config_or_default(project: Project) -> Config:
    try:
        return read_config(project)[0]
    except FileProblems:
        return Config()  # already reported above; look for records in the default place


def _record_problems(path: Path, catalog: Catalog | None) -> list[Problem]:
    """A record's own problems; and a review that says it is complete must answer what its
    checklist asks, as the gate judges it: checked when this project has the very version of
    the checklist the record answered."""
    try:
        record = load_any_record(path)
    except FileProblems as exc:
        return exc.problems
    if not isinstance(record, ReviewRecord) or catalog is None or record.checklist.id not in catalog:
        return []
    checklist = catalog.get(record.checklist.id)
    if record.status != "complete" or checklist.content_hash() != record.checklist.content_hash:
        return []
    given = {answer.item: answer.answer for answer in record.answers}
    missing = unanswered([item_rule(item) for item in checklist.items], given)
    if not missing:
        return []
    message = (
        f"says complete, but {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no answer "
        f"that checklist {checklist.id} (version {checklist.version}) accepts; "
        f"the gate will not count it: answer again with micromoment review {checklist.id}"
    )
    return [Problem(display_path(path), None, None, "status", message)]


def _lint_files(project: Project, files: list[Path]) -> LintReport:
    report = LintReport()
    records = reviews_dir(project, _config_or_default(project)).resolve()
    samples = samples_dir(project).resolve()
    # Records and the config are judged against the catalog, read once and only if one is named.
    catalog: Catalog | None = None
    if any(p.name == CONFIG_FILE or p.resolve().parent == records for p in files):
        with contextlib.suppress(FileProblems):  # the checklists' own problems are theirs to report
            catalog = load_catalog(project)
    for path in files:
        if path.resolve().parent == records:
            report.add(path, _record_problems(path, catalog))
        elif path.resolve().parent == samples:
            report.add(path, _problems(load_sample, path))
        elif path.name == CONFIG_FILE:
            report.add(path, _config_file_problems(path, catalog))
        else:
            read = check_translation if TRANSLATION_NAME.search(path.name) else load_checklist
            report.add(path, _problems(read, path) + control_character_problems(path))
    return report


def control_character_problems(path: Path) -> list[Problem]:
    """Text in a checklist with escape sequences, control characters or bidi overrides, each located."""
    try:
        located = read_yaml(path, display_path(path))
    except FileProblems:
        return []  # the loader reports why the file does not read
    return _controls_in(located, located.data, ())


def _controls_in(located: Located, value: Any, loc: PathKey) -> list[Problem]:
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in _controls_in(located, child, (*loc, key))]
    if isinstance(value, list):
        return [p for index, child in enumerate(value) for p in _controls_in(located, child, (*loc, index))]
    if not isinstance(value, str):
        return []
    multiline = bool(loc) and loc[-1] in _MULTILINE_FIELDS
    found = _CONTROL.search(value) or (None if multiline else _NEWLINE_OR_TAB.search(value))
    if found is None:
        return []
    return [
        located.problem(
            loc,
            f"contains the control character U+{ord(found.group()):04X}; remove it "
            "(escape sequences and bidi controls change what a terminal shows)",
        )
    ]


def _config_file_problems(path: Path, catalog: Catalog | None) -> list[Problem]:
    try:
        config, located = read_config_file(path)
    except FileProblems as exc:
        return exc.problems
    return config_problems(config, located, catalog) if catalog is not None else []


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the YAML files below them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            files.append(path)  # a missing file is reported by the reader, with its name
    return files
