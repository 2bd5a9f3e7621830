"""The secret and personal-data scanner: what it catches, and what it must leave alone."""

from __future__ import annotations

import pytest

from micromoment.capture.guard import redact, scan_text
from micromoment.checklists import checklist_files
from micromoment.locations import shipped_dir


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("key AKIAIOSFODNN7EXAMPLE in the env", "cloud access key"),
        ("token ghp_" + "a1B2" * 9, "GitHub token"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub token"),
        ("glpat-abcdefghij0123456789", "GitLab token"),
        ("xoxb-123456789012-abcdefghijkl", "Slack token"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "JWT",
        ),
        ("postgres://app:s3cret@db.internal:5432/app", "connection string with password"),
        ("mongodb+srv://admin:hunter2@cluster0.example.net", "connection string with password"),
        ("write to jo.doe@example.com today", "email address"),
        ("call +1 415 555 0100", "phone number"),
        ("call (415) 555-0100", "phone number"),
        ("+442071838750", "phone number"),
        ("card 4111 1111 1111 1111", "card number"),
        ("5500-0000-0000-0004", "card number"),
    ],
)
def test_catches(text: str, kind: str) -> None:
    assert [f.kind for f in scan_text(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "checked on 2026-11-22 against v1.2.3",
        "see https://github.com/acme/app/pull/123 and PR #45",
        "OWASP LLM02 (2025), MEASURE 2.11, MS-2.5-003, Art. 50(1), A.7.5",
        "git@github.com:acme/app.git",
        "https://example.org/runs/42?page=2",
        "4111 1111 1111 1112",  # fails the Luhn check
        "order 1234567890123",  # 13 digits, not a card
        "10,000 users and 99.9% uptime",
        "ISO/IEC 42001:2023 and EU 2024/1689",
        "the owner is the product manager",
    ],
)
def test_leaves_alone(text: str) -> None:
    assert scan_text(text) == []


def test_the_builtin_checklists_own_words_do_not_trigger_it() -> None:
    for path in checklist_files(shipped_dir("checklists")):
        assert scan_text(path.read_text(encoding="utf-8")) == [], path.name


def test_redact_says_what_was_there() -> None:
    text = "mail jo@example.com or call 415-555-0100"
    assert redact(text) == "mail [redacted email address] or call [redacted phone number]"
    assert scan_text(text)[0].preview == "jo@e… (14 chars)"
