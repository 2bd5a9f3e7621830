"""Records: the committed YAML of what was checked, by whom, and how it went; the one reader
of record files, their writers, and their Markdown. Others import the model from here."""

# The model (and pydantic with it) loads on first use of one of its names, so the light
# readers (`records.listing`, the ledger's warm path) never pay for it.

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the type checker, every public name of the two modules below
    from micromoment.records.listing import *  # noqa: F403
    from micromoment.records.model import *  # noqa: F403


def __getattr__(name: str) -> object:
    """A public name of `listing` (which needs no model) or of `model`, imported on first use."""
    # import_module, not `from ... import listing`: that asks this function for `listing` first.
    for module in ("listing", "model") if not name.startswith("_") else ():
        found = import_module(f"micromoment.records.{module}")
        if hasattr(found, name):
            return getattr(found, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
