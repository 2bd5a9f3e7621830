"""The guard's running time grows with the text, not with its square: MiBs of hostile shapes in seconds."""

from __future__ import annotations

import base64
import os
import random
import time

import pytest

from micromoment.capture.guard import redact, rules, scan_text

# CI (MICROMOMENT_FULL_TESTS=1) scans 4 MiB; a developer's run 1 MiB, where a quadratic scan
# would still take minutes (the previous scanner took 105 s for 0.4 MiB) against seconds.
FULL = bool(os.environ.get("MICROMOMENT_FULL_TESTS"))
SIZE = (4 if FULL else 1) * 1024 * 1024
REPEATS = 120_000 if FULL else 30_000  # of a line with two findings: about 4 MB, or 1 MB
# Far above the few seconds a linear scan takes on a busy machine, far below the hours a
# quadratic one would (the previous scanner took 105 s for a tenth of this).
BOUND_SECONDS = 30.0


def _every_keyword() -> str:
    """One line naming every rule's keywords, so the cheap keyword filter lets every rule run."""
    return " ".join(sorted({keyword for rule in rules() for keyword in rule.keywords})) + "\n"


def _base64_run() -> str:
    return base64.b64encode(random.Random(7).randbytes(SIZE * 3 // 4)).decode()


@pytest.mark.parametrize(
    ("shape", "build"),
    [
        ("a. repeated", lambda: "a." * (SIZE // 2)),
        ("one long digit run", lambda: "0123456789" * (SIZE // 10)),
        ("one long base64 run", _base64_run),
        ("@ repeated", lambda: "@" * SIZE),
    ],
)
def test_mebibytes_of_a_hostile_shape_take_seconds(shape: str, build: object) -> None:
    text = _every_keyword() + build()  # type: ignore[operator]
    assert len(text) >= SIZE
    started = time.perf_counter()
    findings = scan_text(text)
    took = time.perf_counter() - started
    assert took < BOUND_SECONDS, f"{shape}: {took:.1f} s"
    assert findings == []  # none of these shapes holds anything sensitive


def test_many_findings_are_settled_and_redacted_in_time_that_grows_with_the_text() -> None:
    # Overlaps used to be checked against every earlier finding: quadratic in their number.
    text = "mail jo@acme.io or 415-555-0100; " * REPEATS  # 240,000 findings, or 60,000
    started = time.perf_counter()
    findings = scan_text(text)
    redacted = redact(text, findings)
    took = time.perf_counter() - started
    assert took < BOUND_SECONDS, f"{took:.1f} s"
    assert len(findings) == 2 * REPEATS
    assert redacted == "mail [redacted email address] or [redacted phone number]; " * REPEATS
