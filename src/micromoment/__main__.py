"""Entry point for `micromoment` and `python -m micromoment`."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if (
        args[:1] == ["hook"]
        and not set(args[1:2]) & {"install", "uninstall"}
        and not any(a.startswith("-") for a in args[1:])
    ):
        # The commit hook's fast path: no typer, rich or pydantic unless something is missing.
        from micromoment.gate.hook import main as hook_main

        sys.exit(hook_main(args[1:]))
    from micromoment.cli.app import run

    run()


if __name__ == "__main__":
    main()
