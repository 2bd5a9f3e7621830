"""Find likely secrets and personal data in text people type, before it lands in a committed record."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each pattern is narrow on purpose: a scanner that cries wolf on every version number gets ignored.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("cloud access key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    (
        "connection string with password",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:[^\s@/]+@[^\s/]+"),
    ),
    (
        "email address",
        re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b(?!:\S)"),
    ),  # not git@host:org/repo
    ("card number", re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")),
    (
        "phone number",
        re.compile(
            r"(?<![\w./:-])(?<!\d[ .])(?:\+\d{1,3}[ .-]?\d{6,14}|(?:\+\d{1,3}[ .-])?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4})(?![\w/-]|[ .]\d)"
        ),
    ),
]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def preview(self) -> str:
        """Enough of the match to recognise it, not enough to leak it again."""
        shown = self.text[:4]
        return f"{shown}{'…' if len(self.text) > 4 else ''} ({len(self.text)} chars)"


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def scan_text(text: str) -> list[Finding]:
    """Likely secrets and personal data in `text`, without overlaps, in order."""
    found: list[Finding] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if kind == "card number" and not _luhn_ok(match.group()):
                continue
            if any(match.start() < f.end and f.start < match.end() for f in found):
                continue  # a connection string's password is not also an email address
            found.append(Finding(kind, match.start(), match.end(), match.group()))
    return sorted(found, key=lambda f: f.start)


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """Replace each finding with a marker that says what was there."""
    result = text
    for finding in sorted(findings if findings is not None else scan_text(text), key=lambda f: -f.start):
        result = result[: finding.start] + f"[redacted {finding.kind}]" + result[finding.end :]
    return result


def refuse_sensitive(text: str, what: str, allow: bool) -> None:
    """Stop a write whose typed text looks like it holds secrets or personal data, unless allowed."""
    findings = scan_text(text)
    if findings and not allow:
        from micromoment.errors import MicromomentError

        kinds = ", ".join(sorted({f.kind for f in findings}))
        raise MicromomentError(
            f"{what} looks like it holds {kinds}; reword it, or pass --allow-sensitive to keep it"
        )
