"""Entry point for `micromoment` and `python -m micromoment`."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    fast_hook = (
        args[:1] == ["hook"]
        and not set(args[1:2]) & {"install", "uninstall"}
        and not any(a.startswith("-") for a in args[1:])
    )
    try:
        if fast_hook:
            # The commit hook's fast path: no typer, rich or pydantic unless something is missing.
            from micromoment.gate.hook import main as hook_main

            sys.exit(hook_main(args[1:]))
        from micromoment.cli.app import run

        run()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("micromoment: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # the net under every failure, typer or not
        from micromoment.errors import unexpected

        sys.exit(unexpected(exc, args[0] if args else "micromoment"))


if __name__ == "__main__":
    main()
