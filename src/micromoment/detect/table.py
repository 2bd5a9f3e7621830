"""The detectors as plain data, the shipped rules file with the config's `detectors:` applied:
plain so that the gate's memo keeps it and the commit hook compiles nothing until a change's
lines hold a keyword. Standard library only: the YAML reader loads only when the file is read."""

from __future__ import annotations

import functools
import os
import re
from typing import Any

RULES_FILE = os.path.join(os.path.dirname(os.path.realpath(__file__)), "genai.yaml")
# Languages in the rules file that stand for several: `any` is every one, `code` all but config.
ANY, CODE, CONFIG = "any", "code", "config"
MAX_REGEX_LENGTH = 256
# A group holding a repetition, itself repeated: `(a+)+` takes exponential time on a near miss.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.){0,256}[+*}]\)[+*{]")


@functools.cache
def shipped() -> dict[str, Any]:
    """The rules file as data, read once a process."""
    from micromoment.yamlio import parse_yaml

    with open(RULES_FILE, "rb") as handle:
        data: dict[str, Any] = parse_yaml(handle.read(), RULES_FILE).data
    return data


def suffixes(table: dict[str, Any]) -> dict[str, str]:
    """File ending -> language, as the table's `languages` list them."""
    return {suffix: language for language, listed in table["languages"].items() for suffix in listed}


def language_of(path: str, by_suffix: dict[str, str]) -> str | None:
    """A file's language by its ending, in any case; None for one the detectors do not read."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return by_suffix.get(name[dot:].lower()) if dot > 0 else None


def builtin_ids() -> list[str]:
    return [str(detector["id"]) for detector in shipped()["detectors"]]


def regex_problem(pattern: str) -> str | None:
    """Why a team's pattern is unusable (does not compile, or could take exponential time), or None."""
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"pattern {pattern[:40]!r}... is {len(pattern)} characters long (at most {MAX_REGEX_LENGTH})"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"pattern {pattern!r} is not a regular expression: {exc}"
    if _NESTED_REPEAT.search(pattern):
        return (
            f"pattern {pattern!r} repeats a group that holds a repetition, which can take exponential "
            "time on a long line; repeat one or the other"
        )
    return None


def detection_table(overrides: dict[str, Any], wanted: set[str]) -> dict[str, Any] | None:
    """The detectors the checklists name (`wanted`) as the config leaves them: those switched off
    dropped, the team's own patterns added (to every language, with no keywords, so they always
    run), the team's own detectors added. None when no checklist names one that is on."""
    data = shipped()
    detectors: dict[str, dict[str, Any]] = {
        raw["id"]: {
            "label": raw["label"],
            "keywords": [str(k) for k in raw["keywords"]],
            "patterns": [
                [language, p["re"], p["source"], bool(p.get("near", False))]
                for language, listed in raw["patterns"].items()
                for p in listed
            ],
        }
        for raw in data["detectors"]
    }
    for detector_id, policy in overrides.items():
        entry = detectors.setdefault(
            detector_id, {"label": policy.get("description") or detector_id, "keywords": None, "patterns": []}
        )
        added = [[ANY, pattern, "the team's config", False] for pattern in policy.get("patterns") or []]
        if added:
            entry["patterns"] = [*entry["patterns"], *added]
            entry["keywords"] = None
        if not policy.get("enabled", True):
            del detectors[detector_id]
    chosen = {d: detectors[d] for d in sorted(wanted) if d in detectors}
    return {**data, "detectors": chosen} if chosen else None
