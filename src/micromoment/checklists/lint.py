"""Lint: validate checklist and config files, reporting one `file:line:col: where: what` per problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from micromoment.checklists import Catalog, checklist_files, load_catalog, load_checklist
from micromoment.config import Config, config_problems, read_config, read_config_file
from micromoment.errors import FileProblems, Problem
from micromoment.locations import CONFIG_FILE, Project, display_path, shipped_dir
from micromoment.records import load_any_record, record_files, reviews_dir
from micromoment.records.samples import load_sample, sample_files, samples_dir


@dataclass
class LintReport:
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


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
    if project.config_path.exists():
        report.checked.append(display_path(project.config_path))
        report.problems += _config_file_problems(project.config_path, catalog)
    for path in record_files(reviews_dir(project, _config_or_default(project))):
        report.checked.append(display_path(path))
        report.problems += _record_problems(path)
    for path in sample_files(samples_dir(project)):
        report.checked.append(display_path(path))
        report.problems += _sample_problems(path)
    return report


def _sample_problems(path: Path) -> list[Problem]:
    try:
        load_sample(path)
    except FileProblems as exc:
        return exc.problems
    return []


def _config_or_default(project: Project) -> Config:
    try:
        return read_config(project)[0]
    except FileProblems:
        return Config()  # already reported above; look for records in the default place


def _record_problems(path: Path) -> list[Problem]:
    try:
        load_any_record(path)
    except FileProblems as exc:
        return exc.problems
    return []


def _lint_files(project: Project, files: list[Path]) -> LintReport:
    report = LintReport()
    catalog: Catalog | None = None
    records = reviews_dir(project, _config_or_default(project)).resolve()
    samples = samples_dir(project).resolve()
    for path in files:
        report.checked.append(display_path(path))
        if path.resolve().parent == records:
            report.problems += _record_problems(path)
            continue
        if path.resolve().parent == samples:
            report.problems += _sample_problems(path)
            continue
        if path.name == CONFIG_FILE:
            if catalog is None:
                try:
                    catalog = load_catalog(project)
                except FileProblems:
                    catalog = None  # the checklists' own problems are theirs to report
            report.problems += _config_file_problems(path, catalog)
            continue
        try:
            load_checklist(path)
        except FileProblems as exc:
            report.problems += exc.problems
    return report


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
