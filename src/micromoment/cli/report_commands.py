"""Commands for leaders and data teams: report (a static site) and export (tables for a warehouse)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from micromoment.cli.ledger_commands import RepoOption, SinceOption, _since
from micromoment.cli.output import say, write_out
from micromoment.cli.params import LangOption
from micromoment.clock import utc_now
from micromoment.errors import MicromomentError
from micromoment.locations import display_path, find_project, language


class Table(str, Enum):
    reviews = "reviews"
    answers = "answers"
    followups = "followups"
    signoffs = "signoffs"


class Format(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def report(
    html: Annotated[Path, typer.Option("--html", metavar="DIR", help="The folder to write the site into.")],
    repo: RepoOption = None,
    since: SinceOption = None,
    title: Annotated[str, typer.Option(help="The report's heading.")] = "Micro-moments",
    review_pages: Annotated[
        int,
        typer.Option(min=0, help="Pages for at most this many of the newest reviews (plus overdue ones)."),
    ] = 1000,
    lang: LangOption = None,
) -> None:
    """Write a static report for leaders: one page to open from disk, no network needed.

    The overview shows reviews and skips per week by checklist, who does them, the
    sign-off rate, follow-ups by owner with the overdue ones, the items most often
    answered "no" or skipped, skipped checklists with their reasons, and each
    repository's last review; each checklist and review has its own page. Its figures
    equal `micromoment stats --json` for the same --repo and --since. See docs/report.md.
    """
    from micromoment.ledger.report import Scope
    from micromoment.ledger.site import build_site, report_templates
    from micromoment.ledger.sources import load_sources

    if not title.strip():
        raise MicromomentError("--title: give the report a heading, e.g. --title 'Checkout team'")
    # The pages follow this repository's own templates, whatever repositories they add up.
    templates = report_templates(find_project())
    scope = Scope(load_sources(repo), _since(since), utc_now().date(), lang or language())
    built = build_site(scope, html, title, review_pages, templates)
    say(
        f"wrote {display_path(html / 'index.html')}: {built.pages} pages, "
        f"{built.review_pages} of {built.reviews} reviews with a page"
    )


def export(
    table: Annotated[
        Table, typer.Option(help="What one row is: a record, an answer, a follow-up or a sign-off.")
    ],
    format: Annotated[
        Format, typer.Option("--format", help="jsonl, csv, or parquet (needs micromoment[parquet]).")
    ],
    out: Annotated[
        Path, typer.Option(metavar="FILE", help="The file to write (replaced in one step); - for stdout.")
    ],
    repo: RepoOption = None,
) -> None:
    """Write records as a table for an engine you already run (DuckDB, Spark, BigQuery, Trino).

    One row per record, answer, follow-up or sign-off, with stable columns documented in
    docs/warehouse.md; dates are UTC ISO 8601.
    """
    from micromoment.ledger.export import export_table, table_text
    from micromoment.ledger.sources import load_sources

    if str(out) == "-":
        write_out(table_text(load_sources(repo), table.value, format.value)[1])
        return
    rows = export_table(load_sources(repo), table.value, format.value, out)
    say(f"wrote {display_path(out)}: {rows} {table.value} row{'' if rows == 1 else 's'}")
