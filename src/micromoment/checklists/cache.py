"""A light catalog for `list` and `show`: what they print, cached under the git directory.

Validating every checklist with pydantic costs more than the rest of `micromoment list`, so
the validated result is kept, keyed by the content of every checklist file and by
micromoment's version. Any change to a file, a damaged cache or a cache from another version
means loading the catalog the full way again (its problems reported as usual). Commands that
need the real models (`lint`, `review`, the gate) never read this.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from micromoment import __version__
from micromoment.errors import UnknownChecklist
from micromoment.fileread import read_regular
from micromoment.locations import HOME_DIR, find_project, shipped_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from micromoment.checklists.model import CatalogEntry

CACHE_FORMAT = 1
CACHE_FILE = "checklists.json"
MAX_CACHE_BYTES = 16 * 1024 * 1024
MAX_CHECKLIST_BYTES = 4 * 1024 * 1024  # the YAML reader refuses bigger files anyway


class Summary:
    """One catalog entry as `list` and `show` print it: the checklist's own fields (as its JSON
    dump), its total minutes, content hash, where it comes from and whether it replaces a built-in."""

    __slots__ = ("fields", "path", "replaces_builtin", "source")

    def __init__(self, fields: dict[str, Any], path: str, source: str, replaces_builtin: bool) -> None:
        self.fields = fields
        self.path = path
        self.source = source
        self.replaces_builtin = replaces_builtin

    @property
    def id(self) -> str:
        return str(self.fields["id"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "path": self.path,
            "source": self.source,
            "replaces_builtin": self.replaces_builtin,
        }


def _summary(entry: CatalogEntry) -> Summary:
    checklist = entry.checklist
    fields = {
        **checklist.model_dump(mode="json", by_alias=True, exclude_none=True),
        "minutes": checklist.minutes,
        "content_hash": checklist.content_hash(),
    }
    return Summary(fields, str(entry.path.absolute()), entry.source, entry.replaces_builtin)


def _checklist_files(folder: Path) -> list[Path]:
    """Every name `checklist_files` would load (*.yaml and *.yml, not hidden), in name order."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return []
    return [folder / n for n in names if n.endswith((".yaml", ".yml")) and not n.startswith(".")]


def _digest(path: Path) -> str | None:
    """The content's hash; None for anything but a readable regular file of a sane size (a link to
    a device, a folder): the full load then names the problem, and a failed load is never cached."""
    data = read_regular(path, MAX_CHECKLIST_BYTES)
    return None if data is None else hashlib.sha256(data).hexdigest()


def cache_key(root: Path) -> str:
    """What the catalog is built from: every checklist file's path and content, and the version."""
    folders = [Path(shipped_folder("checklists")), root.absolute() / HOME_DIR / "checklists"]
    files = [[str(path), _digest(path)] for folder in folders for path in _checklist_files(folder)]
    stamp = [CACHE_FORMAT, __version__, str(root.absolute()), [str(f) for f in folders], files]
    return hashlib.sha256(json.dumps(stamp).encode("utf-8", "surrogateescape")).hexdigest()


def cache_path(root: Path) -> Path | None:
    """`<git-dir>/micromoment/checklists.json` in a repository; outside one, the user's cache folder."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / "micromoment" / CACHE_FILE
    if dot_git.is_file():  # a linked worktree or submodule: `gitdir: <path>`
        try:
            line = dot_git.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, UnicodeDecodeError, IndexError):
            line = ""
        if line.startswith("gitdir: "):
            return root / line[len("gitdir: ") :] / "micromoment" / CACHE_FILE
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    if not base.is_absolute():
        return None
    tag = hashlib.sha256(str(root.absolute()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return base / "micromoment" / f"checklists-{tag}.json"


def _read(path: Path, key: str) -> list[Summary] | None:
    """The cached summaries when the file is whole and built from exactly these files, else None."""
    raw = read_regular(path, MAX_CACHE_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if data.get("key") != key:
            return None
        entries = data["entries"]
        body = json.dumps(entries, sort_keys=True).encode("utf-8")
        if data.get("checksum") != hashlib.sha256(body).hexdigest():
            return None  # damaged or edited by hand: never a wrong answer
        return [
            Summary(dict(e["fields"]), str(e["path"]), str(e["source"]), bool(e["replaces_builtin"]))
            for e in entries
        ]
    except (OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return None


def _write(path: Path, key: str, summaries: list[Summary]) -> None:
    from micromoment.files import write_atomic

    entries = [s.as_dict() for s in summaries]
    checksum = hashlib.sha256(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest()
    text = json.dumps({"key": key, "checksum": checksum, "entries": entries}, sort_keys=True)
    try:
        write_atomic(path, text + "\n", make_parents=True)
    except Exception:  # a cache that cannot be written only costs speed
        return


def light_catalog(root: Path | None = None) -> list[Summary]:
    """Every checklist the project (at `root`, else here) can use, in id order, as `list` and
    `show` print them.

    Read from the cache when it matches the files; else the catalog is loaded and validated
    in full (its problems raised as usual) and the cache written again."""
    root = find_project(root).root
    key = cache_key(root)
    path = cache_path(root)
    cached = _read(path, key) if path else None
    if cached is not None:
        return cached
    from micromoment.checklists.model import load_catalog
    from micromoment.locations import Project

    summaries = [_summary(entry) for entry in load_catalog(Project(root))]
    if path:
        _write(path, key, summaries)
    return summaries


def find_summary(summaries: list[Summary], checklist_id: str) -> Summary:
    """The entry with this id; an unknown id is named with the closest one, as the catalog does."""
    for summary in summaries:
        if summary.id == checklist_id:
            return summary
    from micromoment.checklists.model import unknown_id_message

    raise UnknownChecklist(unknown_id_message(checklist_id, sorted(s.id for s in summaries)))
