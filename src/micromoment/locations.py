"""One place that knows where data lives: the shipped checklists and templates, and a project's .micromoment/.

Light on purpose (no pathlib at import time): the commit hook's fast path asks it where the
built-in checklists are.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, NamedTuple

from micromoment.errors import MicromomentError

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal

HOME_DIR = ".micromoment"
CONFIG_FILE = "config.yaml"

_PACKAGE = os.path.dirname(os.path.realpath(__file__))


def shipped_folder(kind: Literal["checklists", "templates", "locale"]) -> str:
    """The built-in folder: inside the package in a wheel, at the checkout's top in an editable install."""
    for candidate in (
        os.path.join(_PACKAGE, "_data", kind),
        os.path.join(os.path.dirname(os.path.dirname(_PACKAGE)), kind),
    ):
        if os.path.isdir(candidate):
            return candidate
    raise MicromomentError(
        f"the built-in {kind} are missing from this installation of micromoment; reinstall it"
    )


def shipped_dir(kind: Literal["checklists", "templates", "locale"]) -> Path:
    from pathlib import Path

    return Path(shipped_folder(kind))


# A checklist's translation beside it: `quick.pt-BR.yaml`, `quick.es.yaml` (a language tag).
TRANSLATION_NAME = re.compile(r"\.[a-z]{2,3}(-[A-Z]{2})?\.ya?ml$")


def is_checklist_name(name: str) -> bool:
    """A file the catalog and the gate read as a checklist: *.yaml or *.yml, not hidden, not a translation."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith((".yaml", ".yml")) and not base.startswith(".") and not TRANSLATION_NAME.search(base)


def language() -> str | None:
    """The language people read in: MICROMOMENT_LANG, else the locale's (`pt_BR.UTF-8` is pt-BR)."""
    chosen = os.environ.get("MICROMOMENT_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    tag = chosen.split(".")[0].replace("_", "-")
    return None if tag in ("", "C", "POSIX") or tag.startswith("en") else tag


def language_tags(lang: str) -> list[str]:
    """The tags a text in `lang` is looked up under, in order: pt-BR, then pt."""
    return [tag for tag in dict.fromkeys((lang, lang.split("-")[0])) if tag]


def translation_file(checklist_path: Path, lang: str) -> Path | None:
    """The checklist's translation into `lang`, else into its base language (pt-BR, then pt)."""
    for tag in language_tags(lang):
        found = checklist_path.with_name(f"{checklist_path.stem}.{tag}{checklist_path.suffix}")
        if found.is_file():
            return found
    return None


class Project(NamedTuple):
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
    """The repository's top level, wherever in it micromoment runs: one project root for every
    command, so a subfolder's own .micromoment/ never takes a record where the gate does not look.
    Outside a repository, the nearest folder upwards holding .micromoment/, else the starting folder."""
    from pathlib import Path

    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():  # a folder, or a file in a worktree or a submodule
            return Project(folder)
    for folder in (here, *here.parents):
        if (folder / HOME_DIR).is_dir():
            return Project(folder)
    return Project(here)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when below it."""
    from pathlib import Path

    # The folder is resolved, the name is not: a link is named as the person named it, not by its target.
    named = path.parent.resolve() / path.name if path.name not in ("", ".", "..") else path.resolve()
    try:
        return str(named.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
