"""Validity checks that turn a pattern match into a finding: checksums, issuer ranges, reserved names."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

# Domains and top-level names set aside for documentation and tests (RFC 2606, RFC 6761):
# an address there reaches nobody, so it is not personal data.
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})

# Values people write where a secret would go when they do not mean to share one.
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x{3,}|\*{3,}|\.{3,}|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{.*\}\}|%[A-Za-z_]+%"
    r"|[<$%{].*|(?:your|my|the)[_-].*|changeme|change[_-]me|redacted|removed|hidden|secret|password|none|null"
    r"|nil|true|false|example|sample|dummy|placeholder|todo|tbd|n/?a|env|vault)$"
)
# Words that follow "password:" in a note about a password, not in one holding it.
_PASSWORD_WORDS = frozenset((
    "required", "reset", "resets", "changed", "change", "rotated", "rotate", "rotation", "expired",
    "expiry", "expires", "policy", "policies", "manager", "protected", "field", "fields", "prompt",
    "prompts", "hash", "hashed", "hashing", "stored", "store", "storage", "strength", "length",
    "empty", "unknown", "unset", "optional", "missing", "masked", "see", "flow", "page", "form",
    "screen", "login", "minimum", "maximum", "rules", "rule",
))  # fmt: skip
# A date, a time, a version or a plain number is not a secret even next to the word "key".
_NUMBERISH = re.compile(r"^[vV]?[\d.:/+-]{1,40}$")

# ISO 13616 lengths of the countries that issue IBANs (SWIFT IBAN registry).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

# NINO prefixes HMRC never issues, beyond the letters the pattern already excludes.
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def shannon_entropy(value: str) -> float:
    """Bits per character: how unpredictable the characters of `value` are."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) checksum every payment card number carries."""
    # Every second digit from the right is doubled; a doubled digit over 9 counts as its digits' sum.
    doubled = [int(char) * (1 + index % 2) for index, char in enumerate(reversed(digits))]
    return sum(digit - 9 if digit > 9 else digit for digit in doubled) % 10 == 0


def _card_issuer_ok(digits: str) -> bool:
    """The number starts where a card network's range starts and has that network's length."""
    length = len(digits)
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":  # Visa
        return length in (13, 16, 19)
    if 51 <= two <= 55 or 222100 <= six <= 272099:  # Mastercard
        return length == 16
    if two in (34, 37):  # American Express
        return length == 15
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:  # Diners Club
        return 14 <= length <= 19
    if four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649 or two == 62:  # Discover, UnionPay
        return 16 <= length <= 19
    if 3528 <= four <= 3589:  # JCB
        return 16 <= length <= 19
    if two == 50 or 56 <= two <= 69:  # Maestro
        return 12 <= length <= 19
    return False


def card(value: str) -> bool:
    digits = value.replace(" ", "").replace("-", "")
    return 12 <= len(digits) <= 19 and _card_issuer_ok(digits) and luhn_ok(digits)


def iban(value: str) -> bool:
    compact = value.replace(" ", "")
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    # Letters count as 10..35 (A..Z); the whole number mod 97 is 1 for a valid IBAN.
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def ssn(value: str) -> bool:
    digits = "".join(char for char in value if char.isdigit())
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    # Never issued: area 000, 666 or 900-999, group 00, serial 0000 (SSA rules since 2011).
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def nino(value: str) -> bool:
    return value[:2].upper() not in _NINO_BAD_PREFIXES


def _groups(value: str) -> list[str]:
    return [group for group in re.split(r"[ ().-]+", value) if group]


def _is_nanp(value: str) -> bool:
    """A North American number: (415) 555-0100, 415-555-0100, 415.555.0100, 415 555 0100."""
    groups = _groups(value.removeprefix("+1").removeprefix("1 ").removeprefix("1-"))
    return (
        [len(group) for group in groups] == [3, 3, 4] and groups[0][0] in "23456789" and groups[1][0] != "1"
    )


def phone(value: str) -> bool:
    digits = "".join(char for char in value if char.isdigit())
    if re.search(r"[ ().-]{2}", value.replace(") ", ")").replace(" (", "(")):
        return False  # "1 - 2" or "3..4" is arithmetic or a range, not a number someone dials
    if value.startswith(("+", "(+")):
        # International: a country code and a subscriber number, 8 to 15 digits in all (E.164).
        return 8 <= len(digits) <= 15 and digits[0] != "0"
    national = value.lstrip("(")
    if national.startswith("00"):
        # 00 is the international prefix outside North America: 0049 30 901820.
        return 10 <= len(digits) <= 17 and digits[2] != "0" and len(_groups(value)) >= 2
    if national.startswith("0"):
        # National, with a trunk 0 as most of Europe writes it: 020 7946 0958, 06 12 34 56 78.
        groups = _groups(value)
        return 9 <= len(digits) <= 11 and len(groups) >= 2 and all(len(g) >= 2 for g in groups)
    return _is_nanp(value)


def email(value: str) -> bool:
    domain = value.rsplit("@", 1)[1].lower()
    if domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return False
    return not any(domain == reserved or domain.endswith("." + reserved) for reserved in _RESERVED_DOMAINS)


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip("\"'`")))


_CHARACTER_CLASSES = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())


def _character_classes(value: str) -> int:
    return sum(any(map(is_of_class, value)) for is_of_class in _CHARACTER_CLASSES)


def _generated_run(value: str) -> bool:
    """A run of 8+ letters and digits that mixes them, as generators do and words do not."""
    return any(_character_classes(run) >= 2 for run in re.findall(r"[A-Za-z0-9]{8,}", value))


def secret_value(value: str) -> bool:
    """A token next to "key", "token" or "secret" that looks generated rather than written."""
    value = value.rstrip(".")
    return (
        len(value) >= 8
        and not _placeholder(value)
        and not _NUMBERISH.match(value)
        and _generated_run(value)
        and shannon_entropy(value) >= 3.0
    )


def password_value(value: str) -> bool:
    """Anything after "password:" except a placeholder or a word about passwords."""
    value = value.rstrip(".")
    return len(value) >= 4 and not _placeholder(value) and value.lower() not in _PASSWORD_WORDS


def password_phrase_value(value: str) -> bool:
    """After "the password is", only something no sentence would say: it has a digit or a symbol."""
    value = value.rstrip(".")
    return password_value(value) and any(not c.isalpha() for c in value)


def entropy(value: str) -> bool:
    return shannon_entropy(value) >= 3.5


def url_password(value: str) -> bool:
    """`user:password` from a URL: a real password, not `user:` or `user:${PASSWORD}`."""
    password = value.split(":", 1)[1]
    return bool(password) and not _placeholder(password)


_SECRET_CHECKS = (entropy, password_phrase_value, password_value, secret_value, url_password)
_PERSONAL_DATA_CHECKS = (card, email, iban, nino, phone, ssn)
# The checks a rule may name, by their function's name.
CHECKS: dict[str, Callable[[str], bool]] = {c.__name__: c for c in _SECRET_CHECKS + _PERSONAL_DATA_CHECKS}
