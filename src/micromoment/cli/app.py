"""The typer app: the command list, and the one place errors become messages and exit codes."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from micromoment import __version__
from micromoment.cli import params
from micromoment.errors import EXIT_INTERRUPTED, MicromomentError, report, unexpected

# Exits, aborts and usage errors are how Typer itself ends a command; they pass through. Typer
# does not export click's ClickException, the base of its usage errors, so it is found here.
# A closed pipe passes too: __main__ ends quietly.
_PASSED_THROUGH: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    *(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"),
    BrokenPipeError,
)


# Every command and its one-line help. A command's module (and what it imports: pydantic, jinja2,
# GitPython...) loads only when that command runs; `micromoment --help` reads the help from here.
# tests/test_startup.py checks each line against the command's own docstring, so the two cannot
# drift apart.
COMMANDS: dict[str, str] = {
    "list": "List the checklists you can run: built-in ones, installed packs' and your repository's own.",
    "show": "Show one checklist's items: question, owner, minutes, guidance and references.",
    "schema": "Print the JSON Schema of a checklist, config, review or sample file, for editors and tools.",
    "import-deon": "Convert a deon-format checklist into a micromoment checklist.",
    "review": "Walk through checklists and record the answers (YAML + Markdown) in .micromoment/reviews/.",
    "render": "Render the Markdown of review records from their YAML.",
    "sample": "Draw a few real model outputs, read them one at a time, and record what was wrong.",
    "check": "Which checklists the change triggers, and whether valid records created in it cover them.",
    "skip": "Record an explicit, reasoned skip of a checklist; `check` and the hook accept it.",
    "hook": "The commit-hook entry, and a plain git hook for teams without the pre-commit framework.",
    "pr-note": 'Markdown for a pull request: what the change triggered, who checked what, every "no" and skip.',
    "signoff": "Sign off a review as a second person, with your git identity.",
    "resolve": "Close a follow-up: records who closed it, when and how, and renders the Markdown again.",
    "todo": "List the open follow-ups from every review: action, owner, due date, and where they came from.",
    "log": "List reviews and skips, newest first: date, checklist, subject, who, status, counts, sign-offs.",
    "stats": "The micro-moments ledger: reviews over time, by checklist and by person.",
    "lint": "Check checklists, config and records: one `file:line:column: where: problem` line each.",
    "init": "Write .micromoment/config.yaml with every setting explained.",
    "scan": "Where generative AI lives in the repository: file:line, detector, and a short excerpt.",
    "report": "Write a static report for leaders: one page to open from disk, no network needed.",
    "export": "Write records as a table for an engine you already run (DuckDB, Spark, BigQuery, Trino).",
    "pack": "Make a pack of checklists to share (pack new NAME), or fetch the config's git packs (pack sync).",
    "packs": "Make a pack of checklists to share (pack new NAME), or fetch the config's git packs (pack sync).",
}
# One to three real examples ending each command's help (tests/test_startup.py parses each one).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "list": ("micromoment list",),
    "show": ("micromoment show quick", "micromoment show quick --lang pt-BR"),
    "schema": ("micromoment schema checklist", "micromoment schema review"),
    "import-deon": (
        "micromoment import-deon deon.yml --out .micromoment/checklists/ethics.yaml",
        "micromoment import-deon deon.pt-BR.yml --translation-of ethics --out .micromoment/checklists/ethics.pt-BR.yaml",
    ),
    "review": (
        "micromoment review quick",
        "micromoment review --resume",
        "micromoment review quick --answers a.yaml",
    ),
    "render": ("micromoment render", "micromoment render 7f3a --out - --lang es"),
    "sample": ("micromoment sample evals/run.jsonl -n 5", "micromoment sample logs.jsonl.gz --json"),
    "check": ("micromoment check", "micromoment check --base origin/main"),
    "skip": ("micromoment skip quick --reason 'copy change only'",),
    "hook": ("micromoment hook install",),
    "pr-note": ("micromoment pr-note", "micromoment pr-note --post github"),
    "signoff": ("micromoment signoff 7f3a",),
    "resolve": ("micromoment resolve 7f3a outputs-looked-at --note 'grounded in the policy'",),
    "todo": ("micromoment todo", "micromoment todo --owner 'product manager'"),
    "log": ("micromoment log", "micromoment log --checklist quick --json"),
    "stats": ("micromoment stats", "micromoment stats --markdown --since 2026-01-01"),
    "lint": ("micromoment lint", "micromoment lint .micromoment/reviews"),
    "init": ("micromoment init --hook",),
    "scan": ("micromoment scan",),
    "report": ("micromoment report --html site",),
    "export": ("micromoment export --table answers --format csv --out -",),
    "pack": ("micromoment pack new acme-genai", "micromoment pack sync"),
    "packs": ("micromoment packs sync",),
}
# Each command's module under micromoment.cli. Its function has the command's name, but for two:
# a function named `list` would hide Python's own, and `packs` is another name for `pack`.
MODULES: dict[str, str] = {
    **dict.fromkeys(("list", "show", "schema", "import-deon"), "checklist_commands"),
    **dict.fromkeys(("check", "skip", "hook"), "gate_commands"),
    **dict.fromkeys(("signoff", "resolve", "todo", "log", "stats"), "ledger_commands"),
    **dict.fromkeys(("lint", "init"), "repo_commands"),
    **dict.fromkeys(("report", "export"), "report_commands"),
    **dict.fromkeys(("pack", "packs"), "pack_commands"),
    **{name: f"{name.replace('-', '_')}_commands" for name in ("review", "render", "sample", "scan")},
    "pr-note": "pr_commands",
}
_FUNCTIONS = {"list": "list_checklists", "packs": "pack"}


def command_function(name: str) -> Any:
    """The function behind command `name`, its module imported."""
    import importlib

    module = importlib.import_module(f"micromoment.cli.{MODULES[name]}")
    return getattr(module, _FUNCTIONS.get(name, name.replace("-", "_")))


def load_command(name: str) -> Any:
    """The click command for `name`, built from its module on first use."""
    from typer.main import get_command_from_info
    from typer.models import CommandInfo

    callback = command_function(name)
    examples = "\n\n".join(f"`{example}`" for example in EXAMPLES[name])
    info = CommandInfo(name=name, callback=callback, epilog=f"Examples:\n\n{examples}")
    return get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode="markdown")


class _LazyCommands(dict[str, Any]):
    """The group's commands by name: every registered name is in it (so Typer suggests from all
    of them), each built on first use."""

    def keys(self) -> Any:
        return COMMANDS.keys()

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS

    def __missing__(self, name: str) -> Any:
        command = self[name] = load_command(name)
        return command


class MicromomentGroup(TyperGroup):
    """Turns core errors into one stderr line each and the documented exit code; anything else
    unexpected into one line and a log with the traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        if cmd_name not in COMMANDS:
            return None
        command = self.commands[cmd_name]
        params.flags_as_flags(command, ctx)
        params.help_flag_as_bool(command, ctx)
        params.plain_strings(command)
        return command

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        params.help_flag_as_bool(self, ctx)
        return super().parse_args(ctx, args)

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        _print_root_help(ctx, self)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # typer's Context is click's
        try:
            return super().invoke(ctx)
        except MicromomentError as exc:
            raise typer.Exit(report(exc)) from None
        except KeyboardInterrupt:
            sys.stderr.write("micromoment: interrupted\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except _PASSED_THROUGH:
            raise
        except Exception as exc:  # the net under every failure
            raise typer.Exit(unexpected(exc, ctx.invoked_subcommand or "micromoment")) from None


def _print_root_help(ctx: typer.Context, group: MicromomentGroup) -> None:
    """`micromoment --help` in Typer's look, drawn with rich's console, panel and table alone:
    Typer's own help module also loads rich's Markdown and traceback renderers (and pygments),
    about a third of what `--help` costs. The group has no options but --version and --help."""
    import os

    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    width = os.environ.get("TERMINAL_WIDTH")
    forced = any(os.environ.get(v) for v in ("GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS"))
    console = Console(
        width=int(width) if width and width.isdigit() else None,
        force_terminal=False if os.environ.get("_TYPER_FORCE_DISABLE_TERMINAL") else (forced or None),
        highlight=False,
    )
    usage = group.get_usage(ctx).removeprefix("Usage: ")
    console.print(Padding(Text.assemble(("Usage: ", "yellow"), (usage, "bold")), 1))
    for paragraph in (group.help or "").split("\n\n"):
        console.print(Padding(_code_spans(paragraph.strip()), (0, 1, 1, 1)))
    options = [(", ".join(p.opts), getattr(p, "help", None) or "") for p in group.get_params(ctx)]
    console.print(_panel("Options", options, "bold cyan"))
    console.print(_panel("Commands", list(COMMANDS.items()), "bold cyan"))


def _code_spans(text: str) -> Any:
    """Help text whose `code` spans are styled as Typer's Markdown mode shows them: no backticks."""
    from rich.text import Text

    shown = Text()
    for index, part in enumerate(text.split("`")):
        shown.append(part, style="bold cyan" if index % 2 else "")
    return shown


def _panel(title: str, rows: list[tuple[str, str]], first_style: str) -> Any:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    table = Table(highlight=False, show_header=False, expand=True, box=None, padding=(0, 1), pad_edge=False)
    table.add_column(style=first_style, no_wrap=True)
    table.add_column(ratio=1)
    for name, line in rows:
        table.add_row(name, _code_spans(line))
    return Panel(table, border_style="dim", title=title, title_align="left", box=box.ROUNDED)


app = typer.Typer(
    cls=MicromomentGroup,
    name="micromoment",
    help=(
        "Start here: `micromoment init` sets up this repository, `micromoment list` shows the "
        "checklists, `micromoment review quick` takes the two-minute check.\n\n"
        "Small responsible-AI checks for genAI product work, recorded next to the code.\n\n"
        "Exit codes: 0 ok, 1 findings, 2 bad input or usage, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"micromoment {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """Small responsible-AI checks for genAI product work, recorded next to the code."""


def run() -> None:
    app(prog_name="micromoment")
