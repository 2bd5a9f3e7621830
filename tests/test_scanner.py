"""The secret and personal-data guard: what it catches, what it must leave alone, and what it shows."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import Cli, write
from micromoment.capture.guard import Finding, redact, refuse_sensitive, rules, scan_text
from micromoment.capture.guard import checks as checks_module
from micromoment.capture.guard.checks import iban, luhn_ok, nino, phone, shannon_entropy, ssn
from micromoment.checklists import checklist_files
from micromoment.errors import MicromomentError
from micromoment.locations import shipped_dir

STRIPE_LIVE = "sk_" + "live_" + "0a1B" * 6  # assembled: a provider scans for the whole


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("key AKIAIOSFODNN7EXAMPLE in the env", "AWS access key ID", "AKIAIOSFODNN7EXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS secret access key",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        ("token ghp_" + "a1B2" * 9, "GitHub token", "ghp_" + "a1B2" * 9),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "GitHub token",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        ),
        ("glpat-abcdefghij0123456789", "GitLab token", "glpat-abcdefghij0123456789"),
        ("xoxb-123456789012-abcdefghijkl", "Slack token", "xoxb-123456789012-abcdefghijkl"),
        (f"use {STRIPE_LIVE}.", "Stripe secret key", STRIPE_LIVE),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key block", "-----BEGIN RSA PRIVATE KEY-----"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key block", "-----BEGIN OPENSSH PRIVATE KEY-----"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "JSON web token",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ),
        ("postgres://app:s3cret@db.internal:5432/app", "URL with a password", "app:s3cret"),
        ("redis://:pw@host", "URL with a password", ":pw"),
        ("password: x1y2", "password", "x1y2"),
        ("secret=Zq8Rt3Lm9Vx2", "secret value", "Zq8Rt3Lm9Vx2"),
        ("api_key = 9f8e7d6c5b4a3f2e1d0c", "secret value", "9f8e7d6c5b4a3f2e1d0c"),
        ("write to jo.doe@acme-corp.com today", "email address", "jo.doe@acme-corp.com"),
        ("call +44 20 7946 0958", "phone number", "+44 20 7946 0958"),
        ("call +49 30 901820.", "phone number", "+49 30 901820"),
        ("06 12 34 56 78", "phone number", "06 12 34 56 78"),
        ("call (415) 555-0100", "phone number", "(415) 555-0100"),
        ("+442071838750", "phone number", "+442071838750"),
        ("IBAN DE89 3704 0044 0532 0130 00, thanks", "IBAN", "DE89 3704 0044 0532 0130 00"),
        ("GB82WEST12345698765432", "IBAN", "GB82WEST12345698765432"),
        ("card 4111 1111 1111 1111", "payment card number", "4111 1111 1111 1111"),
        ("5500-0000-0000-0004", "payment card number", "5500-0000-0000-0004"),
        ("SSN 219-09-9998", "US social security number", "219-09-9998"),
        ("ssn: 219099998", "US social security number", "219099998"),
        ("NINO AB 12 34 56 C", "UK national insurance number", "AB 12 34 56 C"),
    ],
)
def test_catches_the_value_and_only_the_value(text: str, kind: str, found: str) -> None:
    assert [(f.kind, f.text) for f in scan_text(text)] == [(kind, found)]
    finding = scan_text(text)[0]
    assert text[finding.start : finding.end] == found


@pytest.mark.parametrize(
    "text",
    [
        "checked on 2026-11-22 against v1.2.3 at 14:30, 99.9% of 10,000 users",
        "scores: 100 200 300",
        "see https://github.com/acme/app/pull/123 and PR #45",
        "OWASP LLM02 (2025), MEASURE 2.11, MS-2.5-003, Art. 50(1), A.7.5",
        "git@github.com:acme/app.git",
        "https://example.org/runs/42?page=2",
        "user@example.com, a@sub.example.net, b@x.example, c@y.test, d@z.invalid, e@EXAMPLE.ORG",
        "4111 1111 1111 1112",  # fails the Luhn check
        "4111 1111 1111 1111 1111",  # 20 digits: no card network issues that
        "order 1234567890123",  # 13 digits, Luhn-valid by chance? no issuer starts with 1
        "DE89 3704 0044 0532 0130 01",  # one digit off: fails mod-97
        "666-12-3456 and 900-12-3456 and 123-00-4567 and 123-45-0000",  # never-issued SSNs
        "GB 12 34 56 C and QQ 12 34 56 C",  # prefixes HMRC never issues
        "commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f",
        "550e8400-e29b-41d4-a716-446655440000",
        "password: required",
        "api_key: ${OPENAI_API_KEY}",
        "cache key: user-profile-v2",
        "ISO/IEC 42001:2023 and EU 2024/1689",
        "the owner is the product manager",
    ],
)
def test_leaves_alone(text: str) -> None:
    assert scan_text(text) == []


def test_the_builtin_checklists_own_words_do_not_trigger_it() -> None:
    for path in checklist_files(shipped_dir("checklists")):
        assert scan_text(path.read_text(encoding="utf-8")) == [], path.name


def test_the_more_specific_rule_wins_an_overlap() -> None:
    # A Slack webhook URL holds no password, and an AWS key named as one is not a generic secret.
    text = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and token: AKIAIOSFODNN7EXAMPLE"
    assert [(f.rule, f.family) for f in scan_text(text)] == [
        ("aws-secret-access-key", "aws"),
        ("aws-access-token", "aws"),
    ]


def test_redact_replaces_each_value_and_keeps_the_rest() -> None:
    text = "mail jo@acme-corp.com or call 415-555-0100; password: hunter2"
    assert redact(text) == (
        "mail [redacted email address] or call [redacted phone number]; password: [redacted password]"
    )


@pytest.mark.parametrize(
    ("value", "preview"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AKIA… (20 chars)"),
        ("jo@acme-corp.com", "jo@a… (16 chars)"),
        ("hunter2", "h… (7 chars)"),
        ("x1y", "… (3 chars)"),
    ],
)
def test_the_preview_shows_a_quarter_at_most_and_four_characters_at_most(value: str, preview: str) -> None:
    assert Finding("k", 0, len(value), value).preview == preview


@given(st.text(alphabet=string.ascii_letters + string.digits + "/+_-", min_size=1, max_size=300))
def test_the_preview_never_holds_more_than_a_quarter_of_the_value(value: str) -> None:
    shown = Finding("k", 0, len(value), value).preview.split("…")[0]
    assert value.startswith(shown) and len(shown) <= min(4, len(value) // 4)


def test_refusal_names_the_kind_and_never_echoes_the_value() -> None:
    with pytest.raises(MicromomentError) as refused:
        refuse_sensitive(f"deployed with {STRIPE_LIVE} yesterday", "the note", allow=False)
    assert refused.value.message == (
        "the note looks like it holds Stripe secret key; reword it, or pass --allow-sensitive to keep it"
    )
    refuse_sensitive(f"deployed with {STRIPE_LIVE} yesterday", "the note", allow=True)


def test_the_cli_refuses_a_note_with_a_key_and_does_not_print_the_key(cli: Cli, mini: Path) -> None:
    key = "AKIA" + "Z7QW" * 4
    answers = write(
        mini / "answers.yaml",
        f"data-kind: none\nfacts-checked: {{answer: yes, note: 'IBAN GB82 WEST 1234 5698 7654 32, key {key}'}}\n",
    )
    refused = cli("review", "mini", "--answers", str(answers))
    assert refused.exit_code == 2, refused.output
    assert "facts-checked note: AWS access key ID, IBAN" in refused.stderr
    assert key not in refused.output and "5698" not in refused.output
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_terminal_review_shows_the_kind_with_a_masked_preview(cli: Cli, mini: Path) -> None:
    key = "AKIA" + "Z7QW" * 4
    script = "\n".join(["1", f"y -- key {key} here", "Sam", "y", "r", ""])
    result = cli("review", "mini", "--subject", "x", "--interactive", input=script)
    assert result.exit_code == 0, result.output
    warning = [line.split("] ")[-1] for line in result.stderr.splitlines() if "looks like it holds" in line]
    # The summary table shows people what they typed; the warning itself never repeats it.
    assert warning == ["facts-checked note looks like it holds: AWS access key ID AKIA… (20 chars)"]
    written = "".join(p.read_text(encoding="utf-8") for p in (mini / ".micromoment/reviews").rglob("*.*"))
    assert "key [redacted AWS access key ID] here" in written and key not in written


# The checks, pinned to exact values.


@pytest.mark.parametrize(
    ("number", "ok"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True), ("79927398710", False)],
)
def test_luhn(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok


@given(st.text(alphabet=string.digits, min_size=15, max_size=18), st.integers(0, 17), st.integers(1, 9))
def test_luhn_catches_every_single_digit_change(body: str, where: int, change: int) -> None:
    valid = next(body + c for c in string.digits if luhn_ok(body + c))
    index = where % len(valid)
    changed = valid[:index] + str((int(valid[index]) + change) % 10) + valid[index + 1 :]
    assert not luhn_ok(changed)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB82WEST12345698765432", True),
        ("GB82WEST1234569876543", False),  # one character short for GB
        ("GB28WEST12345698765432", False),  # check digits swapped
        ("XX82WEST12345698765432", False),  # no such country
    ],
)
def test_iban(value: str, ok: bool) -> None:
    assert iban(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("219-09-9998", True),
        ("000-12-3456", False),
        ("666-12-3456", False),
        ("899-12-3456", True),
        ("900-12-3456", False),
        ("123-00-4567", False),
        ("123-01-4567", True),
        ("123-45-0000", False),
        ("123-45-0001", True),
    ],
)
def test_ssn_validity(value: str, ok: bool) -> None:
    assert ssn(value) is ok


@pytest.mark.parametrize(("value", "ok"), [("AB123456C", True), ("GB123456C", False), ("TN123456A", False)])
def test_nino_prefixes(value: str, ok: bool) -> None:
    assert nino(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("+49 30 901820", True),  # 10 digits
        ("+49 30 9018", True),  # 8 digits: the shortest E.164 number taken
        ("+49 30 901", False),  # 7 digits
        ("+1 415 555 010", True),  # 10 digits still within E.164 lengths
        ("+1234567890123456", False),  # 16 digits: longer than E.164 allows
        ("020 7946 0958", True),
        ("020 794", False),  # 6 digits
        ("415-555-0100", True),
        ("415-155-0100", False),  # NANP exchanges never start with 1
        ("115-555-0100", False),  # nor area codes
        ("100 200 300", False),
        ("1 - 2 - 3 - 4", False),
    ],
)
def test_phone_rules(value: str, ok: bool) -> None:
    assert phone(value) is ok


def test_entropy_exact() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0
    assert shannon_entropy("aabb") == 1.0


@given(
    st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True),
    st.sampled_from(
        ["example.com", "example.org", "example.net", "a.example.com", "x.example", "y.test", "z.invalid"]
    ),
)
def test_reserved_example_domains_are_never_personal_data(local: str, domain: str) -> None:
    assert scan_text(f"write to {local}@{domain} today") == []


@given(st.from_regex(r"[a-z][a-z0-9]{0,15}", fullmatch=True), st.sampled_from(["acme.io", "mail.acme.de"]))
def test_other_domains_are(local: str, domain: str) -> None:
    assert [f.kind for f in scan_text(f"write to {local}@{domain} today")] == ["email address"]


# The rule set as data.


def test_every_rule_names_its_source_and_family() -> None:
    loaded = rules()
    assert len({rule.id for rule in loaded}) == len(loaded)
    assert all(rule.source and rule.kind and rule.family for rule in loaded)
    families = {rule.family for rule in loaded}
    assert {"aws", "github", "slack", "stripe", "openai", "anthropic", "google", "azure", "npm"} <= families
    assert {"huggingface", "sendgrid", "private-key", "jwt", "url-credentials", "password"} <= families
    assert {"generic-secret", "email", "phone", "iban", "card", "ssn", "nino"} <= families


def _unbounded_repeats(pattern: str) -> list[str]:
    """The repeats in a regular expression that have no upper bound (`+`, `*`, `{n,}`)."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as parser

    found: list[str] = []

    def walk(items: object) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            if str(op) in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                if high == parser.MAXREPEAT:
                    found.append(f"{op} {low}..")
                walk(sub)
            elif str(op) == "SUBPATTERN":
                walk(arg[-1])
            elif str(op) == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            elif str(op) in ("ASSERT", "ASSERT_NOT"):
                walk(arg[1])
            elif str(op) == "ATOMIC_GROUP":
                walk(arg)

    walk(parser.parse(pattern))
    return found


def test_no_rule_has_an_unbounded_repeat() -> None:
    # A bounded repeat caps the work at each position; `+` or `*` can make it grow with the text.
    assert _unbounded_repeats(r"a+b{2,}c{1,3}") == ["MAX_REPEAT 1..", "MAX_REPEAT 2.."]
    for rule in rules():
        assert _unbounded_repeats(rule.pattern) == [], rule.id


def test_the_shipped_rule_file_has_the_shape_the_guard_reads() -> None:
    from micromoment.capture.guard import RULES_FILE

    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["rules"]
    required = {"id", "kind", "family", "source", "pattern"}
    for rule in raw:
        assert required <= set(rule) <= required | {"keywords", "check", "entropy"}, rule
        assert isinstance(rule.get("entropy", 0), int | float), rule
        re.compile(rule["pattern"])  # the guard compiles a rule only when it first runs
        assert rule.get("check") in {None, *checks_module.CHECKS}, rule
        assert all(isinstance(rule[key], str) for key in required), rule
    assert len({rule["id"] for rule in raw}) == len(raw) == len(rules())


def test_every_check_in_the_table_is_used_by_a_rule() -> None:
    used = {name for name, check in checks_module.CHECKS.items() if any(r.check is check for r in rules())}
    assert used == set(checks_module.CHECKS)
