"""Find likely secrets and personal data in text people type, before it lands in a committed record.

The rules live in `rules.yaml` beside this file (patterns adapted from gitleaks' default
rules, each with its source); `checks.py` holds the checksums and validity rules that keep
a pattern match from becoming a false alarm. `docs/guard.md` says what is caught and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from micromoment.capture.guard.checks import CHECKS, shannon_entropy
from micromoment.errors import MicromomentError
from micromoment.yamlio import read_yaml

# Beside this module both in a wheel and in a checkout, so no search is needed.
RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


class Rule(NamedTuple):
    """One kind of secret or personal data: how to spot it and how to confirm it."""

    id: str
    kind: str
    family: str
    source: str
    pattern: str
    keywords: tuple[str, ...] = ()
    check: Callable[[str], bool] | None = None
    entropy: float = 0.0  # bits a character the value must carry more than, as gitleaks sets it


class Finding(NamedTuple):
    """Where in the text something sensitive sits, and what kind of thing it is."""

    kind: str
    start: int
    end: int
    text: str
    rule: str = ""
    family: str = ""

    @property
    def preview(self) -> str:
        """Enough of the match to recognise it, never enough to leak it again."""
        # A quarter at most, and never more than four characters: "AKIA…" names an AWS key,
        # while the first four characters of an eight-character password give half of it away.
        shown = self.text[: min(4, len(self.text) // 4)]
        return f"{shown}… ({len(self.text)} chars)"


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The rule set, read once: earlier rules win where two matches overlap.

    The file ships inside the package, and a test holds it to its shape, so it is taken as it is."""
    return tuple(_rule(raw) for raw in read_yaml(RULES_FILE, RULES_FILE.name).data["rules"])


def _rule(raw: dict[str, Any]) -> Rule:
    keywords = tuple(keyword.lower() for keyword in raw.get("keywords", ()))
    check = CHECKS[raw["check"]] if "check" in raw else None
    return Rule(**{**raw, "keywords": keywords, "check": check})


def scan_text(text: str) -> list[Finding]:
    """Likely secrets and personal data in `text`, without overlaps, in order."""
    if not text:
        return []
    lowered = text.lower()
    # One byte per character marks what an earlier (more specific) rule already claimed, so
    # overlap checks cost the length of the match, not the number of findings so far.
    claimed = bytearray(len(text))
    found: list[Finding] = []
    for rule in rules():
        if rule.keywords and not any(keyword in lowered for keyword in rule.keywords):
            continue
        # Compiled the first time the rule runs (re keeps it): most never do, their keywords absent.
        pattern = re.compile(rule.pattern)
        for match in pattern.finditer(text):
            start, end = match.span("secret") if "secret" in pattern.groupindex else match.span()
            if rule.check is not None and not rule.check(text[start:end]):
                continue
            if rule.entropy and shannon_entropy(text[start:end]) <= rule.entropy:
                continue
            # The whole match counts for overlaps: a URL's password is not also a phone number.
            if claimed.find(1, match.start(), match.end()) != -1:
                continue
            claimed[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
            found.append(Finding(rule.kind, start, end, text[start:end], rule.id, rule.family))
    return sorted(found, key=lambda f: f.start)


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """Replace each finding with a marker that says what was there."""
    parts: list[str] = []
    position = 0
    for finding in scan_text(text) if findings is None else findings:  # in order, never overlapping
        parts += [text[position : finding.start], f"[redacted {finding.kind}]"]
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


class Typed(NamedTuple):
    """A piece of text a person typed: how messages name it, and how a rewording takes its place."""

    where: str
    text: str
    replace: Callable[[str], None]


def sensitive(texts: Iterable[Typed]) -> list[tuple[Typed, list[Finding]]]:
    """The texts that look like they hold secrets or personal data, with what was found in each."""
    return [(typed, findings) for typed in texts if (findings := scan_text(typed.text))]


def allowed_kinds(found: list[tuple[Typed, list[Finding]]], source: str, what: str, allow: bool) -> list[str]:
    """Without a terminal: the kinds found (when allowed), or a refusal naming what and where."""
    if found and not allow:
        details = "; ".join(
            f"{typed.where}: {', '.join(sorted({f.kind for f in findings}))}" for typed, findings in found
        )
        raise MicromomentError(
            f"{source}: {what} like secrets or personal data ({details}); remove them, "
            "or pass --allow-sensitive to record them anyway"
        )
    return sorted({finding.kind for _, findings in found for finding in findings})


def refuse_sensitive(text: str, what: str, allow: bool) -> None:
    """Stop a write whose typed text looks like it holds secrets or personal data, unless allowed."""
    findings = scan_text(text)
    if findings and not allow:
        kinds = ", ".join(sorted({f.kind for f in findings}))
        raise MicromomentError(
            f"{what} looks like it holds {kinds}; reword it, or pass --allow-sensitive to keep it"
        )
