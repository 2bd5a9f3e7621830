"""The detectors matched against the lines a change adds or removes (a unified diff), or a whole
file's for `scan`. Each line is searched once per detector whose keyword it holds, so the work is
linear in the size of the change, and a change with no keyword compiles nothing. Standard library
only: the commit hook runs this."""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

from micromoment.detect.table import ANY, CODE, CONFIG, language_of, suffixes

# A file, or one file's part of a diff, larger than this is not read for content (and is said to be skipped).
MAX_CONTENT_BYTES = 1024 * 1024
# A `near` pattern counts when generative AI shows within this many lines of it.
NEAR_LINES = 6
# A reason quotes at most this much of what matched.
EXCERPT_CHARS = 60
_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
# Per detector: its keywords, and its patterns for one language, each marked `near` or not.
_Compiled = list[tuple[str, list[str] | None, list[tuple[re.Pattern[str], bool]]]]


class Finding(NamedTuple):
    """One place a detector found generative AI, and what it found there."""

    path: str
    line: int
    detector: str
    text: str  # e.g. "model name changed: gpt-4o-mini -> gpt-4.1"

    def reason(self) -> str:
        return f"{self.path}:{self.line}: {self.text} ({self.detector})"


class _Hit(NamedTuple):
    at: int
    detector: str
    found: re.Match[str]
    near: bool


class Detectors:
    """A detection table (`detect.table`) ready to match; patterns compile on first need."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table
        self.specs: dict[str, dict[str, Any]] = table["detectors"]
        self.by_suffix = suffixes(table)
        self._compiled: dict[str, _Compiled] = {}
        skip = table["skip"]
        self._vendored = ["/" + folder for folder in skip["vendored"]]
        self._generated_dirs = ["/" + mark for mark in skip["generated"] if mark.endswith("/")]
        self._generated_ends = tuple(mark for mark in skip["generated"] if not mark.endswith("/"))

    def language(self, path: str) -> str | None:
        return language_of(path, self.by_suffix)

    def sorted_out(self, paths: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The paths in a language the detectors know, each with its language, and of those the
        ones never read for content by their paths (vendored or generated), with why. A folder or
        ending found in none of the paths together is not looked for in each."""
        languages = {path: language for path in paths if (language := self.language(path))}
        together = "\n/" + "\n/".join(languages) + "\n"
        vendored = [folder for folder in self._vendored if folder in together]
        generated = [folder for folder in self._generated_dirs if folder in together]
        ends = tuple(end for end in self._generated_ends if end + "\n" in together)
        skipped = {}
        for path in languages if vendored or generated or ends else ():
            padded = "/" + path
            if any(folder in padded for folder in vendored):
                skipped[path] = "vendored"
            elif path.endswith(ends) or any(folder in padded for folder in generated):
                skipped[path] = "generated"
        return languages, skipped

    def generated_mark(self, first_lines: str) -> bool:
        lowered = first_lines.lower()
        return any(mark in lowered for mark in self.table["generated_marks"])

    def candidates(self, lowered: str) -> list[str]:
        """The detectors that may match text holding these (lower-cased) characters."""
        return [
            detector
            for detector, spec in self.specs.items()
            if spec["keywords"] is None or any(keyword in lowered for keyword in spec["keywords"])
        ]

    def keywords(self) -> list[str] | None:
        """Every detector's keywords, sorted; None when one has none (a team's pattern: it always runs)."""
        found = {k for spec in self.specs.values() for k in spec["keywords"] or [None]}
        return None if None in found else sorted(found)

    def _patterns(self, language: str) -> _Compiled:
        if language not in self._compiled:
            languages = {language, ANY} | ({CODE} if language != CONFIG else set())
            self._compiled[language] = [
                (
                    detector,
                    spec["keywords"],
                    [
                        (re.compile(regex), near)
                        for lang, regex, _, near in spec["patterns"]
                        if lang in languages
                    ],
                )
                for detector, spec in self.specs.items()
            ]
        return self._compiled[language]

    @functools.cached_property
    def _context(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{c})" for c in self.table["context"]), re.IGNORECASE)

    def find(
        self, path: str, language: str, lines: list[tuple[str, int, str]], wanted: list[str]
    ) -> list[Finding]:
        """What the `wanted` detectors find in one hunk (or a whole file): `lines` are (sign, line
        number, text) with sign `+`, `-` or ` ` (context, searched only to tell what is near)."""
        hits: list[_Hit] = []
        patterns = [p for p in self._patterns(language) if p[0] in wanted and p[2]]
        for index, (sign, _, text) in enumerate(lines):
            if sign == " ":
                continue
            lowered = text.lower()
            for detector, keywords, regexes in patterns:
                if keywords is not None and not any(k in lowered for k in keywords):
                    continue
                for regex, near in regexes:
                    found = regex.search(text)
                    if found is not None:
                        hits.append(_Hit(index, detector, found, near))
                        break
        sure = [hit.at for hit in hits if not hit.near]
        kept = [hit for hit in hits if not hit.near or self._is_near(hit.at, lines, sure)]
        return self._findings(path, lines, kept)

    def _is_near(self, index: int, lines: list[tuple[str, int, str]], sure: list[int]) -> bool:
        if any(abs(other - index) <= NEAR_LINES for other in sure):
            return True
        window = lines[max(0, index - NEAR_LINES) : index + NEAR_LINES + 1]
        return any(self._context.search(text) for _, _, text in window)

    def _findings(self, path: str, lines: list[tuple[str, int, str]], hits: list[_Hit]) -> list[Finding]:
        named = [hit for hit in hits if "name" in hit.found.re.groupindex]
        findings = _name_changes(path, lines, named)
        added_by = {hit.detector for hit in hits if lines[hit.at][0] == "+"}
        for hit in hits:
            if hit in named:
                continue
            sign, number, _ = lines[hit.at]
            if sign == "-" and hit.detector in added_by:
                continue  # the line that replaced it says what is there now
            label = self.specs[hit.detector]["label"] + (" removed" if sign == "-" else "")
            excerpt = shortened(" ".join(hit.found.group(0).split()))
            findings.append(Finding(path, number, hit.detector, f"{label}: {excerpt}"))
        return sorted(findings, key=lambda f: f.line)


def _name_changes(path: str, lines: list[tuple[str, int, str]], hits: list[_Hit]) -> list[Finding]:
    """Model names a hunk adds and removes, paired in order: a removed name and an added one
    make a change; a name on both sides (a line edited around it) is no change at all."""
    removed = [hit for hit in hits if lines[hit.at][0] == "-"]
    added = [hit for hit in hits if lines[hit.at][0] == "+"]
    for hit in list(added):
        same = next((old for old in removed if old.found["name"] == hit.found["name"]), None)
        if same is not None:
            removed.remove(same)
            added.remove(hit)
    findings = []
    for position, hit in enumerate(added):
        name = hit.found["name"]
        if position < len(removed):
            text = f"model name changed: {removed[position].found['name']} -> {name}"
        else:
            text = f"model name: {name}"
        findings.append(Finding(path, lines[hit.at][1], hit.detector, text))
    for hit in removed[len(added) :]:
        findings.append(
            Finding(path, lines[hit.at][1], hit.detector, f"model name removed: {hit.found['name']}")
        )
    return findings


def shortened(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def findings_in_diff(detectors: Detectors, patch: str) -> tuple[list[Finding], dict[str, str]]:
    """What the detectors find in a unified diff (`git diff -U...`), and the files not read for
    content with why: binary, too large, or generated (their first lines say so)."""
    findings: list[Finding] = []
    skipped: dict[str, str] = {}
    wanted = detectors.candidates(patch.lower())
    for section in patch.split("\ndiff --git ")[0 if patch.startswith("diff --git ") else 1 :]:
        path = _section_path(section)
        language = detectors.language(path)
        if "\nBinary files " in section[:2000] or "\0" in section:
            skipped[path] = "binary"
        elif len(section) > MAX_CONTENT_BYTES:
            skipped[path] = "too large"
        elif wanted and language is not None:
            found = _section_findings(detectors, path, language, section, wanted)
            if found is None:
                skipped[path] = "generated"
            else:
                findings += found
    return findings, skipped


def _section_findings(
    detectors: Detectors, path: str, language: str, section: str, wanted: list[str]
) -> list[Finding] | None:
    """One file's part of the diff, hunk by hunk; None for a file whose first lines say it is generated."""
    findings: list[Finding] = []
    for hunk in section.split("\n@@ ")[1:]:
        head, _, body = hunk.partition("\n")
        numbers = _HUNK.match("@@ " + head)
        if numbers is None:
            continue
        old, new = int(numbers[1]), int(numbers[2])
        if new == 1 and detectors.generated_mark(body[:400]):
            return None
        lines: list[tuple[str, int, str]] = []
        for raw in body.split("\n"):
            sign, text = raw[:1], raw[1:]
            if sign in ("+", "-", " "):  # a context line is on both sides
                lines.append((sign, old if sign == "-" else new, text))
                old += 0 if sign == "+" else 1
                new += 0 if sign == "-" else 1
        findings += detectors.find(path, language, lines, wanted)
    return findings


def _section_path(section: str) -> str:
    """The file a diff section is about: its `+++` name, `---` for a deletion, else the header's."""
    for marker, prefix in (("\n+++ ", "b/"), ("\n--- ", "a/")):
        start = section.find(marker)
        if start >= 0:
            name = section[start + len(marker) : section.find("\n", start + 1)]
            if name != "/dev/null":
                return _unquoted(name).removeprefix(prefix)
    header = section.removeprefix("diff --git ").split("\n", 1)[0]
    if header.startswith('"'):
        return _unquoted(header[: header.find('"', 1) + 1]).removeprefix("a/")
    return header[2 : 2 + (len(header) - 5) // 2]


def _unquoted(name: str) -> str:
    """A path as git quotes an unusual one (`"a/caf\\303\\251.py"`), unquoted."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    raw = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")
