"""One place that knows where data lives: the shipped checklists and templates, and a project's .micromoment/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from micromoment.errors import MicromomentError

HOME_DIR = ".micromoment"
CONFIG_FILE = "config.yaml"

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(kind: Literal["checklists", "templates"]) -> Path:
    """The built-in folder: inside the package in a wheel, at the checkout's top in an editable install."""
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parents[1] / kind):
        if candidate.is_dir():
            return candidate
    raise MicromomentError(
        f"the built-in {kind} are missing from this installation of micromoment; reinstall it"
    )


@dataclass(frozen=True)
class Project:
    """The folder a team works in: a git work tree, or wherever micromoment was run."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / HOME_DIR

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_FILE

    @property
    def checklists_dir(self) -> Path:
        return self.home / "checklists"

    @property
    def templates_dir(self) -> Path:
        return self.home / "templates"


def find_project(start: Path | None = None) -> Project:
    """The nearest folder upwards holding .micromoment/ or .git, else the starting folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / HOME_DIR).is_dir() or (folder / ".git").exists():
            return Project(folder)
    return Project(here)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
