"""The guard's validity checks pinned down at their boundaries: checksums, issuer ranges, lengths, reserved names."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micromoment.capture.guard.checks import (
    CHECKS,
    card,
    email,
    entropy,
    iban,
    luhn_ok,
    nino,
    password_phrase_value,
    password_value,
    phone,
    secret_value,
    shannon_entropy,
    ssn,
    url_password,
)


def _luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit pass Luhn, computed the textbook way."""
    total = 0
    for index, char in enumerate(reversed(body)):
        doubled = int(char) * (
            2 if index % 2 == 0 else 1
        )  # from the right, every other digit, next to the check
        total += doubled // 10 + doubled % 10
    return str((10 - total % 10) % 10)


def _card(prefix: str, length: int) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    return body + _luhn_digit(body)


@given(st.text(alphabet=string.digits, min_size=1, max_size=20))
def test_luhn_accepts_exactly_one_check_digit(body: str) -> None:
    right = _luhn_digit(body)
    assert [luhn_ok(body + digit) for digit in string.digits] == [digit == right for digit in string.digits]


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("0", True),
        ("18", True),  # 1 doubled is 2, + 8
        ("59", True),  # 5 doubled is 10, counted as 1; + 9
        ("42", True),  # 4 doubled is 8, + 2
        ("91", True),  # 9 doubled is 18, counted as 9; + 1
        ("19", False),
        ("4111111111111111", True),
        ("4111111111111121", False),
    ],
)
def test_luhn_examples(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok


@pytest.mark.parametrize(
    ("prefix", "lengths"),
    [
        ("4", (13, 16, 19)),  # Visa
        ("51", (16,)),
        ("55", (16,)),
        ("222100", (16,)),
        ("272099", (16,)),  # Mastercard's 2-series, both ends
        ("34", (15,)),
        ("37", (15,)),  # American Express
        ("36", range(14, 20)),
        ("38", range(14, 20)),
        ("39", range(14, 20)),
        ("300", range(14, 20)),
        ("305", range(14, 20)),  # Diners Club
        ("6011", range(16, 20)),
        ("65", range(16, 20)),
        ("644", range(16, 20)),
        ("649", range(16, 20)),
        ("62", range(16, 20)),  # Discover, UnionPay
        ("3528", range(16, 20)),
        ("3589", range(16, 20)),  # JCB
        ("50", range(12, 20)),
        ("56", range(12, 20)),
        ("69", range(12, 20)),  # Maestro
        ("222099", ()),
        ("272100", ()),
        ("35", ()),
        ("306", ()),
        ("3527", ()),
        ("3590", ()),
        ("1", ()),
        ("7", ()),
        ("8", ()),
        ("9", ()),
    ],
)
def test_card_networks_and_their_lengths(prefix: str, lengths: tuple[int, ...]) -> None:
    accepted = [length for length in range(12, 20) if card(_card(prefix, length))]
    assert accepted == list(lengths)


def test_card_reads_through_spaces_and_dashes_and_needs_luhn() -> None:
    number = _card("4", 16)
    assert card(f"{number[:4]} {number[4:8]}-{number[8:12]} {number[12:]}")
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not card(broken)
    assert not card(_card("4", 11)) and not card(_card("4", 20))
    assert not card("4" + "0" * 11)  # Luhn-valid zeros of the right shape, but twelve digits for Visa


def _iban(country: str, bban: str) -> str:
    """A valid IBAN built from ISO 13616's rule, independently of the check under test."""
    number = int("".join(str(int(char, 36)) for char in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


@pytest.mark.parametrize(
    ("country", "bban"),
    [("DE", "370400440532013000"), ("GB", "WEST12345698765432"), ("NO", "86011117947"), ("RU", "0" * 29)],
)
def test_a_built_iban_passes_and_every_single_digit_change_fails(country: str, bban: str) -> None:
    valid = _iban(country, bban)
    assert iban(valid)
    assert iban(" ".join(valid[i : i + 4] for i in range(0, len(valid), 4)))
    for index, char in enumerate(valid):
        if char.isdigit():
            for digit in string.digits.replace(char, ""):
                assert not iban(valid[:index] + digit + valid[index + 1 :]), (index, digit)
    assert not iban(valid + "0") and not iban(valid[:-1])


@given(st.sampled_from(["DE", "FR", "NL", "GB"]), st.text(alphabet=string.digits, min_size=30, max_size=30))
def test_an_iban_must_have_its_countrys_length(country: str, digits: str) -> None:
    lengths = {"DE": 22, "FR": 27, "NL": 18, "GB": 22}
    bban = digits[: lengths[country] - 4]
    assert iban(_iban(country, bban))
    assert not iban(_iban(country, bban + "1"))
    assert not iban(_iban(country, bban[:-1]))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("123-45-6789", True),
        ("123 45 6789", True),
        ("12-345-6789", True),  # the digits decide, not where the dashes are
        ("123-45-678", False),
        ("123-45-67890", False),
        ("001-01-0001", True),
        ("665-99-9999", True),
        ("667-01-0001", True),
        ("899-99-9999", True),
        ("900-01-0001", False),
        ("999-01-0001", False),
        ("000-01-0001", False),
        ("666-01-0001", False),
        ("123-00-0001", False),
        ("123-10-0001", True),
        ("123-45-0000", False),
        ("123-45-1000", True),
    ],
)
def test_ssn(value: str, ok: bool) -> None:
    assert ssn(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("AB123456C", True),
        ("bg123456a", False),
        ("GB123456A", False),
        ("KN123456A", False),
        ("NK123456A", False),
        ("NT123456A", False),
        ("TN123456A", False),
        ("ZZ123456A", False),
        ("ZA123456A", True),
        ("GA123456A", True),
    ],
)
def test_nino(value: str, ok: bool) -> None:
    assert nino(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        # International: 8 to 15 digits, not starting with 0.
        ("+49 30 9018", True),
        ("+49 30 901", False),
        ("+123456789012345", True),
        ("+1234567890123456", False),
        ("+0 30 901820", False),
        ("(+49) 30 901820", True),
        # 00 then a country code: 10 to 17 digits, in two groups at least.
        ("0049 30 9018", True),  # 10 digits
        ("0049 30 901", False),  # 9
        ("0049 3090 1820 1234 5", True),  # 17
        ("0049 3090 1820 1234 56", False),  # 18
        ("0004 30 901820", False),  # no country code starts with 0
        ("0049309018201", False),  # one group
        ("0049 309018201", True),  # two are enough
        ("(0049) 30 901820", True),
        # A trunk 0: 9 to 11 digits, two groups or more, none of one digit.
        ("020 794 609", True),  # 9
        ("020 794 60", False),  # 8
        ("020 794 60958", True),  # 11
        ("020 7946 09580", False),  # 12
        ("0207946095", False),  # one group
        ("020 79460958", True),  # two are enough
        ("020 7946 0 958", False),  # a one-digit group
        ("06 12 34 56 78", True),
        ("(020) 7946 0958", True),
        # North America: 3-3-4 groups, area and exchange not starting with 0 or 1.
        ("415-555-0100", True),
        ("(415) 555-0100", True),
        ("415.555.0100", True),
        ("415 555 0100", True),
        ("+1 415 555 0100", True),
        ("1 415 555 0100", True),
        ("1-415-555-0100", True),
        ("1 (415) 555-0100", True),  # a space before the bracket is one separator
        ("215-555-0100", True),
        ("915-555-0100", True),
        ("115-555-0100", False),
        ("415-155-0100", False),
        ("415-055-0100", True),  # only a leading 1 is refused in the exchange
        ("415-555-010", False),
        ("4155-555-0100", False),
        ("415-5555-0100", False),
        ("415-555-0100-1", False),
        # Two separators together read as arithmetic or a range.
        ("415 - 555 - 0100", False),
        ("415..555.0100", False),
        ("(415)  555-0100", False),
    ],
)
def test_phone(value: str, ok: bool) -> None:
    assert phone(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("pat@acme.io", True),
        ("pat@ACME.IO", True),
        ("pat@example.com", False),
        ("pat@EXAMPLE.ORG", False),
        ("pat@mail.example.net", False),
        ("pat@notexample.com", True),
        ("pat@example.com.au", True),
        ("pat@host.example", False),
        ("pat@host.test", False),
        ("pat@host.invalid", False),
        ("pat@localhost", False),
        ("pat@host.testing", True),
        ("a@b@acme.io", True),
        ("a@b@example.com", False),  # the domain is after the last @
        ("pat@mail.host.test", False),  # the top-level name is after the last dot
    ],
)
def test_email(value: str, ok: bool) -> None:
    assert email(value) is ok


def test_shannon_entropy_exact() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("z") == 0.0
    assert shannon_entropy("ab") == 1.0
    assert shannon_entropy("abcdefgh") == 3.0
    assert shannon_entropy("aaab") == pytest.approx(0.8112781244591328, abs=1e-12)
    assert shannon_entropy("aab") == pytest.approx(0.9182958340544896, abs=1e-12)


@given(st.text(min_size=1, max_size=40))
def test_entropy_is_between_zero_and_the_log_of_the_distinct_characters(text: str) -> None:
    import math

    value = shannon_entropy(text)
    assert -1e-12 <= value <= math.log2(len(set(text))) + 1e-12
    assert value == pytest.approx(shannon_entropy(text[::-1]))


def test_the_entropy_threshold() -> None:
    assert entropy("abcdefghijkl")  # log2(12) = 3.58
    assert not entropy("abcdefghijk")  # log2(11) = 3.46
    assert entropy("abcdefghijklmnopqrstuvwxyzabcdef" + "abcdefghijklmnopqrstuvwxyzabcdef")
    assert not entropy("aaaaaaaaaaaaaaaaaaaa")
    assert shannon_entropy("aabbccddefghijkl") == 3.5  # four characters twice, eight once
    assert entropy("aabbccddefghijkl")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("a1B2c3D4e5", True),
        ("a1B2c3D4e5.", True),  # a full stop after it ends the sentence
        ("a1B2c3D", False),  # seven characters
        ("k9Xq2Lm7", True),  # eight distinct: 3 bits exactly
        ("k9Xq2Lm7k9", False),  # two characters twice: 2.92 bits
        ("abcdefghij", False),  # one kind of character
        ("ABCDEFGH12", True),
        ("aaaaaaaa11", False),  # too predictable
        ("2024-01-31T10:20", False),
        ("v1.2.3.4.5.6.7", False),
        ("xxxxxxxx", False),
        ("${API_KEY_VALUE}", False),
        ("your-key-goes-here1", False),
        ("<a1B2c3D4e5>", False),
        ('"changeme"', False),
        ("ab-cd-ef-gh-ij", False),  # no run of eight letters and digits
        ("abcdEFGH-ijkl", True),
        ("abcdEFG1......", True),  # the full stops that end a sentence are not part of it
        ("k9Aq2LmX", True),  # eight distinct, the last an X
    ],
)
def test_secret_value(value: str, ok: bool) -> None:
    assert secret_value(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("hunter2", True),
        ("abcd", True),
        ("abc", False),
        ("abc.", False),  # three characters and a full stop
        ("abcd.", True),
        ("required", False),
        ("Reset.", False),
        ("changeme", False),
        ("`secret`", False),
        ("<your password>", False),
        ("%DB_PASSWORD%", False),
        ("my-password", False),
        ("n/a", False),
        ("NA", False),
        ("{{ vault.db }}", False),
        ("xxx", False),
        ("s3cr3t-pass", True),
        ("abcX", True),
        ("Xchangeme", True),  # only quotes around a value are taken off
    ],
)
def test_password_value(value: str, ok: bool) -> None:
    assert password_value(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("hunter2", True),
        ("correct-horse", True),
        ("swordfish", False),
        ("swordfish.", False),
        ("abc1", True),
        ("ab1X", True),
    ],
)
def test_password_phrase_value(value: str, ok: bool) -> None:
    assert password_phrase_value(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("user:hunter2", True),
        ("user:", False),
        ("user:${PASSWORD}", False),
        ("user:pa:ss", True),
        (":x", True),
        ("user::x", True),  # everything after the first colon
        ("user:${PW}:x", False),
    ],
)
def test_url_password(value: str, ok: bool) -> None:
    assert url_password(value) is ok


def test_the_table_maps_each_name_to_its_check() -> None:
    assert {name: check.__name__ for name, check in CHECKS.items()} == {name: name for name in CHECKS}
