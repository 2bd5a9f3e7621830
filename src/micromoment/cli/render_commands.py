"""The render command: Markdown of review records from their YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from micromoment.cli.output import say, write_out
from micromoment.cli.params import LangOption
from micromoment.errors import MicromomentError, plural
from micromoment.files import read_existing, write_atomic
from micromoment.locations import display_path, find_project, language
from micromoment.records.listing import markdown_path
from micromoment.records.render import REVIEW_TEMPLATE, render_review, to_render


def render(
    reviews: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REVIEW",
            help="Record paths or ids (default: every record whose Markdown is missing or stale).",
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(help="A template name (from .micromoment/templates/ or the built-ins) or a file path."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write here instead of beside the record; - for stdout. One record only."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Render the Markdown of review records from their YAML.

    The same record always renders to the same bytes; a team's own review.md.j2 in
    .micromoment/templates/ replaces the built-in one. Templates run in Jinja's sandbox.
    """
    project = find_project()
    records = to_render(project, reviews, lang or language())
    if out is not None and len(records) != 1:
        raise MicromomentError(
            "--out takes exactly one record; name it, e.g. micromoment render ID --out FILE"
        )
    changed = 0
    for path, record, checklist, shown in records:
        text = render_review(project, record, checklist, shown, template or REVIEW_TEMPLATE)
        if out is not None and str(out) == "-":
            write_out(text)
            return
        target = out or markdown_path(path)
        if read_existing(target) == text:
            continue
        # A folder the person typed must exist; beside the record it always does.
        write_atomic(target, text, make_parents=out is None, to_device=out is not None)
        changed += 1
        say(f"rendered {display_path(target)}")
    say(
        f"{changed} of {plural(len(records), 'record')} rendered; the rest were up to date"
        if records
        else "no records yet"
    )
