"""The typer app: the command list, and the one place errors become messages and exit codes."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from micromoment import __version__
from micromoment.cli import (
    checklist_commands,
    gate_commands,
    ledger_commands,
    pr_commands,
    repo_commands,
    report_commands,
    review_commands,
    sample_commands,
)
from micromoment.errors import EXIT_INTERRUPTED, MicromomentError, report, unexpected

# Exits, aborts and usage errors are how Typer itself ends a command; they pass through. Typer
# does not export click's ClickException, the base of its usage errors, so it is found here.
_TYPER_EXITS: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    *(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"),
)


def _flags_as_flags(command: Any, ctx: Any) -> None:
    """Help that reads the way people type: Typer shows a flag's type as `<bool>`, as if the flag
    took a value (`--git-notes true` then fails), and a required argument as `{ID}` in the usage
    line. A flag gets no type column, and an argument its plain name (optional ones in [ ])."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
            if param.default is False:
                # `--no-allow-sensitive` says what not giving the flag already says, and takes a
                # help column of its own at 80 columns.
                param.secondary_opts = []
                param.show_default = False
        if param.param_type_name == "argument" and hasattr(param, "_usage_display_name"):
            param._usage_display_name = _usage_name(param)


def _usage_name(param: Any) -> Any:
    def name() -> str:
        shown = param.display_name_raw if param.required else f"[{param.display_name_raw}]"
        return shown + ("..." if param.nargs != 1 else "")

    return name


class MicromomentGroup(TyperGroup):
    """Turns core errors into one stderr line each and the documented exit code; anything else
    unexpected into one line and a log with the traceback."""

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _flags_as_flags(command, ctx)
        return command

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        _flags_as_flags(self, ctx)
        super().format_help(ctx, formatter)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # typer's Context is click's
        try:
            return super().invoke(ctx)
        except MicromomentError as exc:
            raise typer.Exit(report(exc)) from None
        except KeyboardInterrupt:
            sys.stderr.write("micromoment: interrupted\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except _TYPER_EXITS:
            raise
        except Exception as exc:  # the net under every failure
            raise typer.Exit(unexpected(exc, ctx.invoked_subcommand or "micromoment")) from None


app = typer.Typer(
    cls=MicromomentGroup,
    name="micromoment",
    help=(
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


app.command("list")(checklist_commands.list_checklists)
app.command("show")(checklist_commands.show)
app.command("schema")(checklist_commands.schema)
app.command("import-deon")(checklist_commands.import_deon)
app.command("review")(review_commands.review)
app.command("render")(review_commands.render)
app.command("sample")(sample_commands.sample)
app.command("check")(gate_commands.check)
app.command("skip")(gate_commands.skip)
app.command("hook")(gate_commands.hook)
app.command("pr-note")(pr_commands.pr_note)
app.command("signoff")(ledger_commands.signoff)
app.command("resolve")(ledger_commands.resolve)
app.command("todo")(ledger_commands.todo)
app.command("log")(ledger_commands.log)
app.command("stats")(ledger_commands.stats)
app.command("lint")(repo_commands.lint)
app.command("init")(repo_commands.init)
app.command("report")(report_commands.report)
app.command("export")(report_commands.export)


def run() -> None:
    app(prog_name="micromoment")
