"""Detection and false-alarm rates of the guard on the labelled corpus, held to floors and a ceiling."""

from __future__ import annotations

from pathlib import Path

from guard_corpus import measure, negatives, positives
from micromoment.capture.guard import rules, scan_text

# Every family docs/guard.md promises to catch.
PROMISED = {
    "aws", "github", "gitlab", "slack", "stripe", "openai", "anthropic", "google", "azure", "npm",
    "huggingface", "sendgrid", "private-key", "jwt", "url-credentials", "password", "generic-secret",
    "email", "phone", "iban", "card", "ssn", "nino",
}  # fmt: skip


def test_the_corpus_is_big_enough_and_covers_every_promised_family() -> None:
    labelled = positives()
    assert len(labelled) >= 60 and len(negatives()) >= 60
    assert {family for family, _ in labelled} == PROMISED
    assert {rule.family for rule in rules()} >= PROMISED
    assert len(set(negatives())) == len(negatives())


def test_detection_and_false_alarm_rates() -> None:
    rates = measure()
    assert rates.detection >= 0.95, rates.per_family
    assert rates.false_alarm_rate <= 0.02, rates.false_alarms
    for family, (hits, total) in rates.per_family.items():
        assert hits >= 1 and hits / total >= 0.75, (family, hits, total)


def test_the_published_rates_are_the_measured_ones() -> None:
    rates = measure()
    doc = (Path(__file__).parent.parent / "docs/guard.md").read_text(encoding="utf-8")
    detection = f"{rates.detected} of {rates.positives} ({rates.detection:.1%})"
    false_alarms = f"{len(rates.false_alarms)} of {rates.negatives} ({rates.false_alarm_rate:.1%})"
    assert detection in doc and false_alarms in doc


# Families whose providers scan public repositories for live-looking keys.
PROVIDER_SCANNED = {
    "aws", "github", "gitlab", "slack", "stripe", "openai", "anthropic", "google", "azure", "npm",
    "huggingface", "sendgrid",
}  # fmt: skip


def test_no_provider_key_sits_whole_in_the_corpus_source() -> None:
    # The corpus assembles these at run time, so the file a provider would scan never holds one.
    source = (Path(__file__).parent / "guard_corpus.py").read_text(encoding="utf-8")
    checked = 0
    for family, text in positives():
        if family in PROVIDER_SCANNED:
            for finding in scan_text(text):
                checked += 1
                assert finding.text not in source, (family, finding.kind)
    assert checked >= 30
