"""Markdown from records through Jinja templates, the built-in ones or the team's, always sandboxed."""

from __future__ import annotations

import math
import traceback
from pathlib import Path
from typing import Any

from micromoment.checklists import Checklist, format_minutes
from micromoment.errors import MicromomentError
from micromoment.locations import Project, display_path, shipped_dir
from micromoment.records import Resolution, ReviewRecord
from micromoment.records.markdown import block_text, escape_cell, escape_text, link
from micromoment.records.samples import describe

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


def _environment(project: Project, extra_folder: Path | None = None) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    folders = [extra_folder] if extra_folder else []
    folders += [project.templates_dir, shipped_dir("templates")]
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders]),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        text=_none_safe(escape_text),
        cell=_none_safe(escape_cell),
        link=_none_safe(link),
        block=_none_safe(block_text),
    )
    return env


def render_template(project: Project, template: str, context: dict[str, Any]) -> str:
    """Render `template` (a name, or a path to a file) with `context`; errors name the template and line."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    as_path = Path(template)
    extra = as_path.parent if as_path.suffix and as_path.is_file() else None
    name = as_path.name if extra else template
    env = _environment(project, extra)
    try:
        loaded = env.get_template(name)
    except TemplateNotFound:
        raise MicromomentError(
            f"no template {template!r} in {display_path(project.templates_dir)} or the built-ins; "
            "give a file path or one of: "
            + ", ".join(sorted(p.name for p in shipped_dir("templates").glob("*.j2")))
        ) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"{_shown(exc.filename, name)}:{exc.lineno}: template error: {exc.message}"
        ) from None
    except Exception as exc:
        raise TemplateError(f"{name}:1: template error: {type(exc).__name__}: {exc}") from None
    try:
        text: str = loaded.render(**context)
    except SecurityError as exc:
        line = _template_line(exc, loaded.filename)
        raise TemplateError(
            f"{_shown(loaded.filename, name)}:{line}: the template tried something the sandbox forbids ({exc}); remove it"
        ) from None
    except Exception as exc:
        line = _template_line(exc, loaded.filename)
        raise TemplateError(f"{_shown(loaded.filename, name)}:{line}: template error: {exc}") from None
    return text if text.endswith("\n") else text + "\n"


def _shown(filename: str | None, name: str) -> str:
    return display_path(Path(filename)) if filename else name


def _template_line(exc: BaseException, filename: str | None) -> int | str:
    # Jinja rewrites tracebacks so template frames carry the template's own file and line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if filename and frame.filename == filename and frame.lineno:
            return frame.lineno
    return "?"


def review_view(record: ReviewRecord, checklist: Checklist | None) -> dict[str, Any]:
    """Everything a review template shows, computed once, in plain data."""
    items = (
        {item.id: (number, item) for number, item in enumerate(checklist.items, start=1)} if checklist else {}
    )
    rows, follow_ups, skips = [], [], []
    counts = {"yes": 0, "no": 0, "na": 0}
    for answer in record.answers:
        number, item = items.get(answer.item, (None, None))
        label = (item.number if item and item.number else str(number)) if number else "-"
        rows.append(
            {
                "number": label,
                "item": answer.item,
                "question": answer.question,
                "answer": "skipped" if answer.skipped else answer.answer,
                "note": answer.reason if answer.skipped else answer.note,
                "evidence": answer.evidence,
                "sample": describe(answer.sample) if answer.sample else None,
                "owner": item.owner if item else None,
            }
        )
        if answer.answer in counts and item is not None and item.kind == "confirm":
            counts[answer.answer] += 1
        if answer.skipped:
            skips.append({"number": label, "question": answer.question, "reason": answer.reason})
        if answer.follow_up:
            follow_ups.append(
                {
                    "number": label,
                    "question": answer.question,
                    "action": answer.follow_up.action,
                    "owner": answer.follow_up.owner,
                    "due": answer.follow_up.due.isoformat() if answer.follow_up.due else None,
                    "resolved": _resolution(answer.follow_up.resolved),
                }
            )
    references: dict[str, list[str]] = {}
    for row in rows:
        found = items.get(str(row["item"]))
        for reference in found[1].references if found else []:
            references.setdefault(reference.label(), []).append(str(row["number"]))
    elapsed = (record.finished_at - record.started_at).total_seconds() / 60
    git = record.git
    return {
        "record": record.model_dump(mode="json", by_alias=True),
        "title": f"{record.checklist.title}: {record.subject}",
        "finished": record.finished_at.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": (git.head or "")[:12] if git else "",
        "branch": git.branch if git else None,
        "dirty": bool(git and git.dirty),
        "rows": rows,
        "summary": {
            "answered": len(record.answers) - len(skips),
            **counts,
            "skipped": len(skips),
            "minutes": format_minutes(max(1, math.ceil(elapsed))) if elapsed >= 0 else "0",
        },
        "follow_ups": follow_ups,
        "skips": skips,
        "missing": [
            {
                "number": items[i][0] if i in items else "-",
                "question": items[i][1].question if i in items else i,
            }
            for i in record.missing
        ],
        "references": [{"label": label, "numbers": numbers} for label, numbers in references.items()],
        "checklist_changed": checklist is not None
        and checklist.content_hash() != record.checklist.content_hash,
        "content_hash": record.checklist.content_hash.removeprefix("sha256:")[:12],
        "signoffs": [
            {"who": s.who.name, "decision": s.decision, "on": s.at.strftime("%Y-%m-%d"), "note": s.note}
            for s in record.signoffs
        ],
        "samples": _samples(record),
    }


def _samples(record: ReviewRecord) -> list[dict[str, Any]]:
    """Each sample of outputs the answers rest on, once: what was read and what was wrong."""
    seen: dict[str, dict[str, Any]] = {}
    for answer in record.answers:
        if answer.sample is not None and answer.sample.record not in seen:
            link = answer.sample
            seen[link.record] = {
                "summary": describe(link),
                "record": link.record,
                "markdown": link.record.removesuffix(".yaml") + ".md",
                "read": link.read,
                "flags": dict(link.flags),
            }
    return list(seen.values())


def _resolution(resolved: Resolution | None) -> dict[str, str] | None:
    if resolved is None:
        return None
    return {"who": resolved.who.name, "on": resolved.at.strftime("%Y-%m-%d"), "note": resolved.note}


def render_review(
    project: Project, record: ReviewRecord, checklist: Checklist | None, template: str = REVIEW_TEMPLATE
) -> str:
    return render_template(project, template, {"view": review_view(record, checklist)})
