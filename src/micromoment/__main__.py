"""Entry point for `micromoment` and `python -m micromoment`."""

from __future__ import annotations


def main() -> None:
    from micromoment.cli.app import run

    run()


if __name__ == "__main__":
    main()
