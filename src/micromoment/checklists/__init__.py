"""Checklists: the strict YAML format, the catalog of built-in and repository checklists,
and import from deon's format. Others import the model and catalog from here."""

# The model (and pydantic with it) loads on first use of one of its names, so the commit hook,
# which imports `checklists.answers`, never pays for it.

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from micromoment.checklists.model import (
        DEFAULT_CHECKLIST,
        MAX_PATTERN_LENGTH,
        SCHEMA_HEADER,
        Catalog,
        Checklist,
        Item,
        Reference,
        checklist_files,
        format_minutes,
        load_catalog,
        load_checklist,
        pattern_problem,
    )

__all__ = [
    "DEFAULT_CHECKLIST",
    "MAX_PATTERN_LENGTH",
    "SCHEMA_HEADER",
    "Catalog",
    "Checklist",
    "Item",
    "Reference",
    "checklist_files",
    "format_minutes",
    "load_catalog",
    "load_checklist",
    "pattern_problem",
]


def __getattr__(name: str) -> object:
    if name in __all__:
        from micromoment.checklists import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
