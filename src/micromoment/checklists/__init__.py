"""Checklists: the strict YAML format, the catalog of built-in and repository checklists,
and import from deon's format. Others import the model and catalog from here."""

# The model (and pydantic with it) loads on first use of one of its names, so the commit hook,
# which imports `checklists.answers`, never pays for it.

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the type checker, every public name of the model
    from micromoment.checklists.model import *  # noqa: F403

# The checklist `micromoment review` runs when none is named: here, so that `list` knows it
# without loading the model.
DEFAULT_CHECKLIST = "quick"


def __getattr__(name: str) -> object:
    """A public name of the model, imported on first use."""
    # import_module, not `from ... import model`: that asks this function for `model` first.
    model = import_module("micromoment.checklists.model") if not name.startswith("_") else None
    if hasattr(model, name):
        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
