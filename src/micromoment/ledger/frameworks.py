"""The frameworks section of `stats` and the report: each shipped framework's ids the answered
items map to (how often, when last, by whom), and those never looked at."""

from __future__ import annotations

from typing import Any

from micromoment.checklists.frameworks import frameworks

# (checklist id, item id) -> the (framework, id) pairs the item's references name.
References = dict[tuple[str, str], list[tuple[str, str]]]


def references_of(checklists: list[dict[str, Any]]) -> References:
    """The references of each item of checklists given as `show --json` prints them."""
    return {
        (checklist["id"], item["id"]): [(ref["framework"], ref["id"]) for ref in item.get("references", [])]
        for checklist in checklists
        for item in checklist["items"]
    }


def framework_section(
    looked: list[tuple[str, str, str, str, int]], references: References
) -> list[dict[str, Any]]:
    """From the answers given (checklist, item, person, last day, answers; a skip is not looking),
    each shipped framework's ids looked at, and those never looked at."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for checklist, item, who, day, answers in looked:
        for slug, reference_id in references.get((checklist, item), []):
            known = frameworks().get(slug)
            listed = known.listed(reference_id) if known else None
            if known is None or listed is None:
                continue  # a framework of the team's own: no list to count against
            first = {"id": listed, "title": known.ids.get(listed, ""), "answers": 0, "last": day}
            entry = seen.setdefault((slug, listed), {**first, "people": set()})
            entry["answers"] += answers
            entry["last"] = max(entry["last"], day)
            entry["people"].add(who)
    return [
        {
            "framework": slug,
            "version": known.version,
            "title": known.title,
            "looked_at": [
                {**entry, "people": sorted(entry["people"])}
                for (framework, _), entry in sorted(seen.items())
                if framework == slug
            ],
            "never": [{"id": i, "title": title} for i, title in known.ids.items() if (slug, i) not in seen],
        }
        for slug, known in frameworks().items()
    ]
