"""Markdown from records through Jinja templates, the built-in ones or the team's, always sandboxed."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from micromoment.checklists import Checklist, load_catalog
from micromoment.checklists.catalog import project_packs
from micromoment.checklists.translations import read_in
from micromoment.config import load_config
from micromoment.errors import MicromomentError
from micromoment.fileread import read_regular
from micromoment.limits import MAX_TEMPLATE_BYTES
from micromoment.locations import Project, display_path, shipped_dir
from micromoment.records import (
    ReviewRecord,
    SkipRecord,
    find_record,
    load_any_record,
    load_record,
    record_files,
    reviews_dir,
)
from micromoment.records.markdown import block_text, escape_cell, escape_text, link
from micromoment.records.sandbox import LIMITS, RenderLimits, TemplateLimit, sandbox_class
from micromoment.records.view import review_view

REVIEW_TEMPLATE = "review.md.j2"


class TemplateError(MicromomentError):
    """A template that does not parse, names something that is not there, or tries to escape the sandbox."""

    located = True


def _finalize(value: Any) -> Any:
    # Everything printed is escaped unless a filter already made it safe Markdown.
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return escape_text(value)


def _none_safe(function: Any) -> Any:
    from markupsafe import Markup

    return lambda value: Markup("") if value is None or value == "" else function(value)


def sandbox(folders: list[Path], html: bool = False, limits: RenderLimits | None = None) -> Any:
    """The bounded sandbox over these template folders, the first that has a name winning;
    each render spends from its own budget of `limits` (a record's Markdown: `LIMITS`).

    Markdown (the default): every printed value is escaped unless a filter made it safe
    Markdown, and `text`, `cell`, `link` and `block` are there. HTML: Jinja's autoescape."""
    from jinja2 import StrictUndefined

    markdown = {"text": escape_text, "cell": escape_cell, "link": link, "block": block_text}
    return sandbox_class()(
        limits or LIMITS,
        {} if html else {name: _none_safe(function) for name, function in markdown.items()},
        loader=_guarded_loader(folders),
        undefined=StrictUndefined,
        autoescape=html,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=None if html else _finalize,
        optimized=False,  # each template is compiled for one render: folding constants costs more than it saves
    )


def _guarded_loader(folders: list[Path]) -> Any:
    """Templates from these folders, the first that has the name winning, read only as regular
    files of at most MAX_TEMPLATE_BYTES of UTF-8: a team template is a file from the repository,
    and one swapped for a pipe or grown to gigabytes must not hang or fill memory."""
    from jinja2 import FunctionLoader
    from jinja2.loaders import split_template_path

    def load(template: str) -> tuple[str, str, Any] | None:
        pieces = split_template_path(template)
        path = next((p for p in (folder.joinpath(*pieces) for folder in folders) if p.is_file()), None)
        if path is None:
            return None
        data = read_regular(path, MAX_TEMPLATE_BYTES)
        if data is None:
            raise TemplateError(
                f"{display_path(path)}: not a readable file of at most {MAX_TEMPLATE_BYTES:,} bytes; "
                "make it smaller, or remove it to use the built-in"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError(f"{display_path(path)}: not UTF-8 text; save the template as UTF-8") from None
        # No check for changes: an environment serves one command, which reads each template once.
        return text, str(path), None

    return FunctionLoader(load)


def render_template(project: Project, template: str, context: dict[str, Any]) -> str:
    """Render `template` (a name, or a path to a file) with `context`; errors name the template and line."""
    from jinja2 import TemplateNotFound

    as_path = Path(template)
    extra = as_path.parent if as_path.suffix and as_path.is_file() else None
    name = as_path.name if extra else template
    own = [*([extra] if extra else []), project.templates_dir]
    env = sandbox(
        [*own, *(Path(p.folder, "templates") for p in project_packs(project)), shipped_dir("templates")]
    )
    try:
        text = render_named(env, name, context)
    except TemplateNotFound:
        raise MicromomentError(
            f"no template {template!r} in {display_path(project.templates_dir)} or the built-ins; "
            "give a file path or one of: "
            + ", ".join(sorted(p.name for p in shipped_dir("templates").glob("*.j2")))
        ) from None
    return text if text.endswith("\n") else text + "\n"


def render_named(env: Any, name: str, context: dict[str, Any]) -> str:
    """Render the template `name` from a `sandbox` within a fresh budget. Every problem is a
    TemplateError naming the template's file and line; TemplateNotFound is left to the caller."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    try:
        loaded = env.get_template(name)
    except (TemplateNotFound, TemplateError):
        raise
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"{_shown(exc.filename, name)}:{exc.lineno}: template error: {exc.message}"
        ) from None
    except Exception as exc:
        raise TemplateError(f"{name}:1: template error: {type(exc).__name__}: {exc}") from None
    try:
        return str(env.budget.render(loaded, context))
    except Exception as exc:
        shown, line = _shown(loaded.filename, name), _template_line(exc, loaded.filename)
        if isinstance(exc, TemplateLimit):
            where = f"{shown}:{line}" if line != "?" else shown
            what = f"the template went over its {exc}; make it loop, repeat or print less"
            raise TemplateError(f"{where}: {what}") from None
        if isinstance(exc, SecurityError):
            raise TemplateError(
                f"{shown}:{line}: the template tried something the sandbox forbids ({exc}); remove it"
            ) from None
        raise TemplateError(f"{shown}:{line}: template error: {exc}") from None


def _shown(filename: str | None, name: str) -> str:
    return display_path(Path(filename)) if filename else name


def _template_line(exc: BaseException, filename: str | None) -> int | str:
    # Jinja rewrites tracebacks so template frames carry the template's own file and line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if filename and frame.filename == filename and frame.lineno:
            return frame.lineno
    return "?"


def render_review(
    project: Project,
    record: ReviewRecord,
    checklist: Checklist | None,
    shown: Checklist | None = None,
    template: str = REVIEW_TEMPLATE,
) -> str:
    """A review's Markdown; in the words of `shown` (the checklist translated) where it has them."""
    return render_template(project, template, {"view": review_view(record, checklist, shown)})


def to_render(
    project: Project, refs: list[str] | None, lang: str | None = None
) -> list[tuple[Path, ReviewRecord, Checklist | None, Checklist | None]]:
    """The review records `render` works on (those named, else every one in the reviews folder),
    each with the checklist it answered when the catalog has it, and that checklist in `lang`'s
    words when it has them. A skip record has no Markdown: named, `load_record` refuses it;
    among all the records, it is passed over."""
    catalog = load_catalog(project)
    config = load_config(project, catalog)
    found: list[tuple[Path, ReviewRecord | SkipRecord]]
    if refs:
        found = [(path, load_record(path)) for path in (find_record(project, config, ref) for ref in refs)]
    else:
        found = [(path, load_any_record(path)) for path in record_files(reviews_dir(project, config))]

    def answered(checklist_id: str) -> Checklist | None:
        return catalog.get(checklist_id) if checklist_id in catalog else None

    return [
        (path, record, answered(record.checklist.id), read_in(catalog, record.checklist.id, lang))
        for path, record in found
        if isinstance(record, ReviewRecord)
    ]
