"""The frameworks' lists of ids that ship with micromoment (`frameworks/*.yaml`, each naming its
source and licence): what items' `references` are held to, and what the report and `stats` count."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from micromoment.yamlio import read_yaml

FOLDER = Path(__file__).parent / "frameworks"
# What narrows a listed id: an article's paragraph, `Art. 50(1)`; a sub-technique, `AML.T0051.001`.
_NARROWER = re.compile(r"(\(\w+\))+$|\.\d{3}$")


class Framework(NamedTuple):
    slug: str
    version: str
    title: str
    ids: dict[str, str]  # id -> a short title
    # Ids too many to list that are accepted by their form (NIST AI 600-1's actions).
    pattern: str = ""

    def listed(self, reference_id: str) -> str | None:
        """The id a reference counts for: a listed one (an article for its paragraph), or one of
        the form `pattern` accepts; None when it is neither."""
        for candidate in (reference_id, _NARROWER.sub("", reference_id)):
            if candidate in self.ids:
                return candidate
        return reference_id if self.pattern and re.fullmatch(self.pattern, reference_id) else None


@lru_cache(maxsize=1)
def frameworks() -> dict[str, Framework]:
    """The shipped lists by framework slug, read once a process."""
    found = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        data = read_yaml(path, path.name).data
        ids = {str(key): str(title) for key, title in data["ids"].items()}
        slug = data["framework"]
        found[slug] = Framework(slug, str(data["version"]), data["title"], ids, data.get("pattern", ""))
    return found


def reference_problem(framework: str, reference_id: str, version: str | None) -> tuple[str, str] | None:
    """What is wrong with a reference to a shipped framework (the field, and why); None when it is
    right, or names a framework of the team's own, which there is no list to hold to."""
    known = frameworks().get(framework)
    if known is None:
        return None
    if version is not None and version != known.version:
        return "version", (
            f"micromoment's list of {framework} is version {known.version!r}; give that version, or "
            "name another edition by a framework slug of your own"
        )
    if known.listed(reference_id) is not None:
        return None
    close = difflib.get_close_matches(reference_id, list(known.ids), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(list(known.ids)[:4])}, ..."
    return "id", f"{reference_id!r} is not an id of {known.title}; {hint} (docs/checklists.md lists them)"
