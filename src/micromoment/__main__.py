"""Entry point for `micromoment` and `python -m micromoment`."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from micromoment.errors import EXIT_FINDINGS, MicromomentError, report, unexpected


def main() -> None:
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:
        _closed_streams_on_devnull()
    # pydantic looks for plugins among the entry points of every installed distribution the first
    # time a model is built: a third of `render`'s time in a full environment. micromoment's models
    # want none (a plugin would only watch its validation); a value the user set still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = sys.argv[1:]
    fast_hook = (
        args[:1] == ["hook"]
        and not set(args[1:2]) & {"install", "uninstall"}
        and not any(a.startswith("-") for a in args[1:])
    )
    try:
        if fast_hook:
            # The commit hook's fast path: no typer, rich or pydantic unless something is missing.
            from micromoment.cli.hook import main as hook_main

            code = hook_main(args[1:])
            if "micromoment.cli.hook_terminal" not in sys.modules:  # no person was asked
                _end_now(code)
            sys.exit(code)
        from micromoment.cli.app import run

        run()
    except SystemExit as done:
        if args[:1] and args[0] in ENDS_CLEAN and isinstance(done.code, (int, type(None))):
            _end_now(done.code or 0)
        raise
    except MicromomentError as exc:  # the hook's own; the typer app turns them into messages itself
        sys.exit(report(exc))
    except BrokenPipeError:
        # The reader closed the pipe (typer's commands end with 1 on their own then): say
        # nothing. The hook's verdict may not have been read whole, so it never turns into a pass.
        _quiet_stdout()
        sys.exit(EXIT_FINDINGS if fast_hook else 0)
    except KeyboardInterrupt:
        sys.stderr.write("micromoment: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # the net under every failure, typer or not
        sys.exit(unexpected(exc, args[0] if args else "micromoment"))


# Commands that close everything they open before they end (a file they write is written whole,
# in one atomic step, and git has answered), like the hook when no person was asked. Only those
# whose bench figure was missed with the teardown: `render` against deon.
ENDS_CLEAN = frozenset({"render"})


def _end_now(code: int) -> NoReturn:
    """End once the output is out. Tearing the interpreter down frees every module's objects one
    by one: a seventh of a commit's wait, and of `render`'s, for nothing anyone can see."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader had what it wanted, as below; the code stands
        _quiet_stdout()
    os._exit(code)


def _closed_streams_on_devnull() -> None:
    """A stream the caller closed (`<&-`, `>&-`) is None in Python, and the first read or write
    would crash. It gets /dev/null instead: a read meets the end of input (and the command says
    what to run instead), a write goes nowhere, and the exit code still tells what happened."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        if getattr(sys, name) is not None:
            continue
        # The lowest free descriptor: the closed one.
        opened = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
        setattr(sys, name, open(fd, "r" if fd == 0 else "w", encoding="utf-8", closefd=False))  # noqa: SIM115


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    main()
