"""`micromoment scan`: where generative AI lives in a repository's files, and the path patterns
that would cover those files."""

from __future__ import annotations

import os
from typing import NamedTuple

from micromoment.detect.match import MAX_CONTENT_BYTES, Detectors, Finding
from micromoment.fileread import read_regular

# Files this many or more of which, with one ending in one folder, are proposed as `/folder/*.ending`.
SAME_FOLDER = 3
# Characters a .gitignore-style pattern gives a meaning to, escaped in a proposed path.
_GLOB_ESCAPES = str.maketrans({char: "\\" + char for char in "\\*?[]!# "})


class Place(NamedTuple):
    """One finding, with the line it was found in (as the file has it; the caller masks secrets)."""

    finding: Finding
    line_text: str


class Scanned(NamedTuple):
    places: dict[str, list[Place]]  # by file, in path order
    not_read: dict[str, str]  # file -> why it was not read


def scan_files(root: str, paths: list[str], detectors: Detectors) -> Scanned:
    """What the detectors find in these files (paths from `root`), and the files not read, with why."""
    places: dict[str, list[Place]] = {}
    not_read: dict[str, str] = {}
    languages, skipped = detectors.sorted_out(sorted(paths))
    for path, language in languages.items():
        why = skipped.get(path)
        data = None if why else read_regular(os.path.join(root, path), MAX_CONTENT_BYTES)
        if data is None:
            if why or os.path.isfile(os.path.join(root, path)):
                not_read[path] = why or "too large"
            continue
        if b"\0" in data[:8000]:
            not_read[path] = "binary"
            continue
        text = data.decode("utf-8", "replace")
        wanted = detectors.candidates(text.lower())
        if not wanted:
            continue
        if detectors.generated_mark(text[:400]):
            not_read[path] = "generated"
            continue
        numbered = [("+", number, line) for number, line in enumerate(text.split("\n"), 1)]
        found = detectors.find(path, language, numbered, wanted)
        if found:
            places[path] = [Place(f, numbered[f.line - 1][2].strip()) for f in found]
    return Scanned(places, not_read)


def proposed_patterns(paths: list[str]) -> list[str]:
    """Patterns for `also_applies_to` that cover these files and little else: a folder's files of
    one ending when SAME_FOLDER or more of them are named, else each file by its path from the top."""
    groups: dict[tuple[str, str], list[str]] = {}
    for path in sorted(paths):
        folder, _, name = path.rpartition("/")
        ending = name[name.rfind(".") :] if name.rfind(".") > 0 else ""
        groups.setdefault((folder, ending), []).append(path)
    patterns = []
    for (folder, ending), members in groups.items():
        if len(members) >= SAME_FOLDER and ending:
            patterns.append(
                f"/{folder.translate(_GLOB_ESCAPES) + '/' if folder else ''}*{ending.translate(_GLOB_ESCAPES)}"
            )
        else:
            patterns += [f"/{path.translate(_GLOB_ESCAPES)}" for path in members]
    return patterns
