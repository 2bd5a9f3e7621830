"""A made-up value for every rule imported from gitleaks, and its masked look-alike.

Gitleaks tests its rules the same way: each sample is drawn at random from the rule's own
pattern (a seeded generator, so the same rule always gives the same value), then put in a
sentence. It passes through the whole guard — keywords, the entropy floor, the order in
which rules claim text — so a rule that cannot fire on the text it is written for shows up
as a miss. The look-alike is what the guard itself prints when it refuses a value: its
first characters, an ellipsis and the length; quoting that back must never alarm.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from micromoment.capture.guard import Finding, Rule, rules

try:  # the parser Python's own re module uses
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_parse

# What a class like \w or [^"] is drawn from: plain characters a token is made of.
_POOL = string.ascii_letters + string.digits + "-_.+/="
_CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_SPACE": " ",
}


def imported_rules() -> list[Rule]:
    return [rule for rule in rules() if re.match(r"gitleaks v\d", rule.source)]


def _in_class(char: str, items: list[tuple[Any, Any]]) -> bool:
    negate = False
    found = False
    for op, value in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            found |= char == chr(value)
        elif name == "RANGE":
            found |= value[0] <= ord(char) <= value[1]
        elif name == "CATEGORY":
            members = _CATEGORIES.get(str(value))
            negated = _CATEGORIES.get(str(value).replace("NOT_", ""))
            found |= char in members if members is not None else char not in (negated or "")
    return found != negate


def _emit(tree: Any, rng: random.Random, out: list[str]) -> None:
    for op, value in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name in ("NOT_LITERAL", "ANY"):
            out.append(rng.choice([c for c in string.ascii_letters if name == "ANY" or ord(c) != value]))
        elif name == "IN":
            pool = [c for c in _POOL if _in_class(c, value)] or [
                c for c in string.punctuation + " " if _in_class(c, value)
            ]
            out.append(rng.choice(pool))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = value
            # Optional filler (spaces, quotes) left out; a value's length varies a little.
            for _ in range(low + rng.randint(0, min(high - low, 2)) if low else 0):
                _emit(body, rng, out)
        elif name == "SUBPATTERN":
            _emit(value[-1], rng, out)
        elif name == "BRANCH":
            _emit(value[1][0], rng, out)  # the first spelling: `=` before `:=`, `AKIA` before `ASIA`
        # Anchors and look-arounds add no characters; the sentence around a sample satisfies them.


def sample(rule: Rule) -> str:
    """One value drawn from the rule's pattern, in the sentence a person might write it in."""
    rng = random.Random(rule.id)
    out: list[str] = []
    _emit(sre_parse.parse(rule.pattern), rng, out)
    value = "".join(out).strip()
    if rule.keywords and not any(keyword in value.lower() for keyword in rule.keywords):
        # A value without its provider's name is written next to it: "the airtable token …".
        return f"the {rule.keywords[0]} value we found: {value} in the old config"
    return f"we found {value} in the old config"


def masked(rule: Rule) -> str:
    """The sample with its value as the guard's own message shows it: `abcd… (40 chars)`."""
    text = sample(rule)
    pattern = re.compile(rule.pattern)
    match = pattern.search(text)
    if match is None:
        return text.replace("found", "found nothing like")
    span = match.span("secret") if "secret" in pattern.groupindex else match.span()
    finding = Finding(rule.kind, span[0], span[1], text[span[0] : span[1]])
    return text[: span[0]] + finding.preview + text[span[1] :]


def positives() -> list[tuple[str, str]]:
    """(family, text) for every imported rule."""
    return [(rule.family, sample(rule)) for rule in imported_rules()]


def negatives() -> list[str]:
    return [masked(rule) for rule in imported_rules()]
