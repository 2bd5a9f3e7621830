"""`render` without pydantic, PyYAML or Jinja: the Markdown of each record, cached under the git directory.

A record's Markdown depends on its own bytes and on nothing else but the templates, the checklist
it answered, the config and micromoment (with the libraries that parse and render). The cache is
one folder per such context, named by a hash of every file in it, and one file per record, named
by the hash of the record's exact bytes. Anything that is not found, is damaged or does not match
means the full path: load, validate and render, with its problems reported as always; a record
that fails validation is never cached. Outside a git repository nothing is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from micromoment import __version__
from micromoment.fileread import read_regular
from micromoment.locations import CONFIG_FILE, HOME_DIR, Project, shipped_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from micromoment.checklists import Checklist
    from micromoment.records import ReviewRecord

CACHE_FORMAT = 1
CACHE_FOLDER = "rendered"
MAX_RECORD_BYTES = 4 * 1024 * 1024  # the YAML reader refuses bigger files anyway
MAX_TREE_FILES = 2000  # a template or checklist folder bigger than this is not worth hashing
MAX_ENTRIES = 4096  # record files per context before the folder is started afresh
# The libraries whose upgrade could change the bytes a record renders to.
LIBRARIES = ("jinja2", "markupsafe", "pydantic", "yaml")
REVIEW = "review"
SKIP = "skip"


def read_bytes(path: Path) -> bytes | None:
    """A regular file's bytes up to the size any record may have; None for anything else (a link
    to a device, a folder, a file too big): the full path then names the problem."""
    return read_regular(path, MAX_RECORD_BYTES)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree(folder: Path) -> list[list[str]] | None:
    """Every file below `folder` with its content hash, in a stable order; [] when there is no
    folder, None when a file cannot be read (then no cache is used at all)."""
    found: list[list[str]] = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(top, name)
            data = read_bytes(path)
            if data is None or len(found) >= MAX_TREE_FILES:
                return None
            found.append([str(path.relative_to(folder)), digest(data)])
    return found


def _library_stamps() -> list[object]:
    """Where each library is installed and when it was written: an upgrade changes the stamp.
    Found without importing them, which is what a warm run is spared."""
    from importlib.machinery import PathFinder

    stamps: list[object] = []
    for name in LIBRARIES:
        spec = PathFinder.find_spec(name)
        origin = spec.origin if spec else None
        try:
            info = Path(origin).stat() if origin else None
        except OSError:
            info = None
        stamps.append([name, origin, info.st_mtime_ns if info else None, info.st_size if info else None])
    return stamps


def git_dir(root: Path) -> Path | None:
    """The git directory of the work tree at `root` (a linked worktree's own), or None."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        with dot_git.open(encoding="utf-8") as handle:
            line = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if line.startswith("gitdir: "):
        return root / line[len("gitdir: ") :]
    return None


def context_key(project: Project, template: str) -> str | None:
    """What every record's Markdown depends on besides the record; None when a file among them
    cannot be read (the full path then says why, or renders without the cache)."""
    home = project.root / HOME_DIR
    config_path = home / CONFIG_FILE
    config = read_bytes(config_path)
    if config is None and (config_path.exists() or config_path.is_symlink()):
        return None
    trees = [
        _tree(folder)
        for folder in (
            Path(shipped_folder("checklists")),
            home / "checklists",
            Path(shipped_folder("templates")),
            home / "templates",
        )
    ]
    if any(tree is None for tree in trees):
        return None
    stamp = [
        CACHE_FORMAT,
        __version__,
        str(project.root),
        template,
        digest(config) if config is not None else None,
        trees,
        _library_stamps(),
    ]
    return digest(json.dumps(stamp).encode("utf-8", "surrogateescape"))[:32]


class RenderCache:
    """One context's folder: `<record hash>` files holding `review <text hash>` and the Markdown,
    or `skip`; and `reviews-dir`, where the config puts the records."""

    __slots__ = ("folder",)

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def open(cls, project: Project, template: str) -> RenderCache | None:
        """The cache for this project and template; None outside a git repository, for a
        template given as a file path (any file beside it could be included), or an unreadable input."""
        as_path = Path(template)
        if as_path.suffix and as_path.is_file():
            return None
        where = git_dir(project.root)
        key = context_key(project, template) if where else None
        if where is None or key is None:
            return None
        return cls(where / "micromoment" / CACHE_FOLDER / key)

    def _read(self, name: str) -> tuple[str, str] | None:
        """(first line, the rest) of an entry whose rest matches the hash on its first line."""
        data = read_bytes(self.folder / name)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        head, _, body = text.partition("\n")
        if head == SKIP and not body:
            return SKIP, ""
        kind, _, checksum = head.partition(" ")
        if kind != REVIEW or checksum != digest(body.encode("utf-8")):
            return None  # damaged or edited by hand: never a wrong answer
        return REVIEW, body

    def lookup(self, record_hash: str) -> tuple[str, str] | None:
        """(`review`, its Markdown) or (`skip`, "") for a record with these bytes, when known."""
        return self._read(record_hash)

    def reviews_dir(self) -> str | None:
        found = self._read("reviews-dir")
        return found[1] if found else None

    def _write(self, name: str, head: str, body: str) -> None:
        from micromoment.files import write_atomic

        try:
            write_atomic(self.folder / name, f"{head}\n{body}", make_parents=True)
        except Exception:  # a cache that cannot be written only costs speed
            return

    def store(self, record_hash: str, markdown: str | None) -> None:
        """Remember a record's Markdown; None for a skip record, which has none."""
        if markdown is None:
            self._write(record_hash, SKIP, "")
            return
        try:
            checksum = digest(markdown.encode("utf-8"))
        except UnicodeEncodeError:  # text no file can hold as UTF-8 is rendered afresh each time
            return
        self._write(record_hash, f"{REVIEW} {checksum}", markdown)

    def store_reviews_dir(self, folder: str) -> None:
        self._write("reviews-dir", f"{REVIEW} {digest(folder.encode('utf-8'))}", folder)

    def tidy(self) -> None:
        """Drop the folders of other contexts (older templates, checklists, versions), and start
        this one afresh when it has grown past its limit: a cache never grows without end."""
        import shutil

        for other in _entries(self.folder.parent):
            if other != self.folder:
                shutil.rmtree(other, ignore_errors=True)
        if len(_entries(self.folder)) > MAX_ENTRIES:
            shutil.rmtree(self.folder, ignore_errors=True)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def record_paths(folder: Path) -> Iterator[Path]:
    """The record files `render` with no arguments reads, as `records.record_files` lists them."""
    if folder.is_dir():
        yield from sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("."))


class Pending:
    """One record to render: its path, and its Markdown, from the cache or rendered when asked for."""

    __slots__ = ("_make", "_text", "path")

    def __init__(self, path: Path, text: str | None = None, make: Callable[[], str] | None = None) -> None:
        self.path = path
        self._text = text
        self._make = make

    def text(self) -> str:
        if self._text is None:
            assert self._make is not None
            self._text = self._make()
        return self._text


def to_render(project: Project, refs: list[str] | None, template: str) -> list[Pending]:
    """The records `render` works on (those named, else every review record), each with its
    Markdown: straight from the cache when every one of them is there, else the full way."""
    cache = RenderCache.open(project, template)
    if cache is not None:
        found = _from_cache(cache, refs)
        if found is not None:
            return found
    return _full(project, refs, template, cache)


def _from_cache(cache: RenderCache, refs: list[str] | None) -> list[Pending] | None:
    if refs:
        paths = [_find_cached(cache, ref) for ref in refs]
    else:
        folder = cache.reviews_dir()
        paths = list(record_paths(Path(folder))) if folder is not None else [None]
    pending = []
    for path in paths:
        data = read_bytes(path) if path is not None else None
        found = cache.lookup(digest(data)) if data is not None else None
        if path is None or found is None:
            return None
        kind, text = found
        if kind == SKIP:
            if refs:
                return None  # a skip record named here is a mistake the full path explains
            continue
        pending.append(Pending(path, text))
    return pending


def _find_cached(cache: RenderCache, ref: str) -> Path | None:
    """The record `records.find_record` finds for `ref`, or None when it would not find exactly one."""
    as_path = Path(ref)
    if as_path.suffix in (".yaml", ".yml", ".md") and as_path.exists():
        return as_path.with_suffix(".yaml")
    reviews = cache.reviews_dir()
    if reviews is None:
        return None
    folder = Path(reviews)
    candidate = folder / f"{ref}.yaml"
    if candidate.exists():
        return candidate
    matches = [p for p in record_paths(folder) if p.stem.startswith(ref)] if ref else []
    return matches[0] if len(matches) == 1 else None


def _full(
    project: Project, refs: list[str] | None, template: str, cache: RenderCache | None
) -> list[Pending]:
    """Load the catalog, config and records as always (their problems raised as always), and
    render each record when its text is asked for, remembering it when the cache is in use."""
    from micromoment.checklists import load_catalog
    from micromoment.config import load_config
    from micromoment.records import ReviewRecord, find_record, load_any_record, load_record, reviews_dir

    catalog = load_catalog(project)
    config = load_config(project, catalog)
    folder = reviews_dir(project, config)
    if cache is not None:
        cache.tidy()
        cache.store_reviews_dir(str(folder))
    pending: list[Pending] = []
    for path in (find_record(project, config, ref) for ref in refs) if refs else record_paths(folder):
        before = read_bytes(path)
        record = load_record(path) if refs else load_any_record(path)
        if not isinstance(record, ReviewRecord):
            if cache is not None and before is not None and read_bytes(path) == before:
                cache.store(digest(before), None)
            continue
        checklist = catalog.get(record.checklist.id) if record.checklist.id in catalog else None
        pending.append(
            Pending(path, make=_renderer(project, path, record, checklist, template, cache, before))
        )
    return pending


def _renderer(
    project: Project,
    path: Path,
    record: ReviewRecord,
    checklist: Checklist | None,
    template: str,
    cache: RenderCache | None,
    before: bytes | None,
) -> Callable[[], str]:
    def make() -> str:
        from micromoment.records.render import render_review

        text = render_review(project, record, checklist, template)
        # Cached only under the bytes that were validated: a record changed meanwhile is not.
        if cache is not None and before is not None and read_bytes(path) == before:
            cache.store(digest(before), text)
        return text

    return make
