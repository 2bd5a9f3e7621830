"""The report as a static site: HTML from sandboxed, autoescaping templates, written to a folder in one swap.

The site is built in a hidden folder beside the target and renamed into place only when
complete, so a reader (or a CI artefact upload) never sees half a report, and an earlier
report is replaced only by a whole new one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from micromoment import __version__
from micromoment.checklists.translations import read_in
from micromoment.errors import MicromomentError
from micromoment.fileread import read_regular
from micromoment.files import new_folder_mode
from micromoment.ledger.model import Summary
from micromoment.ledger.report import (
    Scope,
    checklist_page,
    log_row,
    overview,
    pick_review_pages,
    review_href,
)
from micromoment.ledger.sources import Source
from micromoment.limits import MAX_STYLESHEET_BYTES
from micromoment.locations import Project, display_path, shipped_dir
from micromoment.records import ReviewRecord, load_any_record
from micromoment.records.view import review_view

MARKER = ".micromoment-report"  # tells a folder this command may replace from one it must not touch
STYLESHEET = "report.css"


class Built(NamedTuple):
    pages: int
    review_pages: int
    reviews: int


def report_templates(project: Project) -> list[Path]:
    """Where the report's templates and stylesheet come from: the team's own
    (`.micromoment/templates/report/`, by name), then the built-ins."""
    return [project.templates_dir / "report", shipped_dir("templates") / "report"]


def _stylesheet(templates: list[Path]) -> bytes:
    for folder in templates:
        path = folder / STYLESHEET
        if path.is_file():
            found = read_regular(path, MAX_STYLESHEET_BYTES)
            if found is None:
                raise MicromomentError(
                    f"{display_path(path)}: not a readable file of at most {MAX_STYLESHEET_BYTES:,} bytes; "
                    "fix it or remove it to use the built-in stylesheet"
                )
            return found
    raise MicromomentError("the built-in report stylesheet is missing from this installation; reinstall it")


def _writable(folder: Path) -> None:
    """Refuse a target that holds anything but an earlier report: nothing of the user's is lost."""
    if folder.exists() and not folder.is_dir():
        raise MicromomentError(
            f"{display_path(folder)}: is a file; give a folder for the report (--html DIR)"
        )
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise MicromomentError(
            f"{display_path(folder)}: not empty and not an earlier micromoment report; "
            "give a new or empty folder (--html DIR)"
        )


def build_site(scope: Scope, folder: Path, title: str, review_pages: int, templates: list[Path]) -> Built:
    """Write the whole report of `scope` into `folder` (index, a page per checklist and per
    chosen review), from `templates` (see `report_templates`)."""
    _writable(folder)
    temp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
        temp.chmod(new_folder_mode())  # it becomes the report: readable as any folder the user makes
        built = _render_all(temp, scope, title, review_pages, templates)
        if folder.exists():  # the earlier report goes aside, and is removed once the new one is in
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            folder.rename(old / folder.name)
            temp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            temp.rename(folder)
    except OSError as exc:
        raise MicromomentError(f"{display_path(folder)}: cannot write: {exc.strerror or exc}") from None
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return built


def _render_all(out: Path, scope: Scope, title: str, limit: int, templates: list[Path]) -> Built:
    from micromoment.records.render import render_named, sandbox
    from micromoment.records.sandbox import PAGE_LIMITS

    # The bounded sandbox with autoescape on: every value from a record is text in the page,
    # never markup, and a team's own page template can neither hang nor fill the disk.
    env = sandbox(templates, html=True, limits=PAGE_LIMITS)
    stylesheet = _stylesheet(templates)
    paged = {review_href(s.repository, s.path): s for s in pick_review_pages(scope, limit)}
    common = {
        "title": title,
        "since": scope.since.isoformat() if scope.since else None,
        "today": scope.today.isoformat(),
        "version": __version__,
        "repository_names": [s.name for s in scope.sources],
    }
    data = overview(scope, set(paged))

    def page(path: str, template: str, **context: Any) -> None:
        html = render_named(env, template, {**common, **context, "root": "../" * path.count("/")})
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(html, encoding="utf-8")

    page("index.html", "index.html.j2", o=data)
    reviews_total = data["stats"]["totals"]["reviews"]
    page("reviews.html", "reviews.html.j2", rows=[log_row(s) for s in paged.values()], total=reviews_total)
    for entry in data["stats"]["checklists"]:
        page(
            f"checklists/{entry['checklist']}.html",
            "checklist.html.j2",
            c=checklist_page(scope, entry["checklist"], paged),
        )
    by_name = {source.name: source for source in scope.sources}
    for href, summary in paged.items():
        page(href, "review.html.j2", **_review_context(by_name[summary.repository], summary, scope.lang))
    (out / STYLESHEET).write_bytes(stylesheet)
    (out / MARKER).write_text(f"micromoment {__version__} report\n", encoding="utf-8")
    pages = 2 + len(data["stats"]["checklists"]) + len(paged)  # the index, the list of reviews, and the rest
    return Built(pages, len(paged), reviews_total)


def _review_context(source: Source, summary: Summary, lang: str | None) -> dict[str, Any]:
    record = load_any_record(Path(summary.path))
    if not isinstance(record, ReviewRecord):  # pick_review_pages takes reviews only
        raise MicromomentError(f"{summary.path}: changed from a review to a skip while the report was built")
    answered, catalog = record.checklist.id, source.catalog
    checklist = catalog.get(answered) if answered in catalog else None
    return {
        "view": review_view(record, checklist, read_in(catalog, answered, lang)),
        "repository": source.name,
    }
