"""Detection and false-alarm rates of the guard on the labelled corpus, held to floors and a ceiling."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from conftest import Cli, write
from guard_corpus import negatives, positives
from guard_rates import DOC, measure, written_doc
from guard_samples import imported_rules, sample
from micromoment.capture.guard import RULES_FILE, rules, scan_text
from micromoment.capture.sample import excerpt
from micromoment.records import load_record

ROOT = Path(__file__).resolve().parent.parent

# Every family docs/guard.md promises to catch with a hand-written rule or a hand-written value.
PROMISED = {
    "aws", "github", "gitlab", "slack", "stripe", "openai", "anthropic", "google", "azure", "npm",
    "huggingface", "sendgrid", "private-key", "jwt", "url-credentials", "password", "generic-secret",
    "email", "phone", "iban", "card", "ssn", "nino", "discord", "pypi", "telegram", "mailchimp",
    "twilio", "vault",
}  # fmt: skip


def test_the_corpus_is_big_enough_and_covers_every_promised_family() -> None:
    labelled = positives()
    assert len(labelled) >= 100 and len(negatives()) >= 90
    assert {family for family, _ in labelled} == PROMISED
    assert {rule.family for rule in rules()} >= PROMISED
    assert len(set(negatives())) == len(negatives())


def test_detection_and_false_alarm_rates() -> None:
    rates = measure()
    assert rates.detection >= 0.95, rates.misses
    assert rates.false_alarm_rate <= 0.02, rates.false_alarms
    for family, (hits, total) in rates.per_family.items():
        assert total >= 1 and hits / total >= 0.75, (family, hits, total)


def test_the_published_table_is_a_fresh_measurement_of_every_rule() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert written_doc(measure()) == doc, "run python tests/guard_rates.py --write"
    for rule in rules():
        assert f"`{rule.id}`" in doc, rule.id


def test_every_imported_rule_matches_its_own_sample_and_its_family_reports_it() -> None:
    # Not always its own finding: gitleaks gives a provider's key and secret the same shape,
    # and then the earlier rule of the family claims the text.
    for rule in imported_rules():
        text = sample(rule)
        assert re.search(rule.pattern, text) and rule.family in {f.family for f in scan_text(text)}, rule.id
    assert len(imported_rules()) >= 150


def test_the_imported_rules_record_their_source_version_and_licence() -> None:
    text = RULES_FILE.read_text(encoding="utf-8")
    found = re.search(
        r"# Source: https://github\.com/gitleaks/gitleaks/blob/(v[\d.]+)/config/gitleaks\.toml", text
    )
    assert found is not None
    assert "#   MIT License" in text and "#   Copyright (c) 2019 Zachary Rice" in text
    for rule in imported_rules():
        assert rule.source == f"gitleaks {found[1]} {rule.id}"


def _import_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_gitleaks", ROOT / "scripts/import_gitleaks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("go", "python"),
    [
        # A flag switched on mid-pattern is scoped to the rest of its group; the prefix comes
        # first, with the word boundary checked behind it; a token may end at a full stop.
        (
            r"""\b(p8e-(?i)[a-z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)""",
            r"""(?P<secret>p8e-(?<!\wp8e-)(?i:[a-z0-9]{32}))(?=[\x60'"\s;)\]}>]|[.,:!?](?:\s|$)|\\[nr]|$)""",
        ),
        # Unbounded repetition is bounded; the left widening over a name goes.
        (r"(?i)[\w.-]{0,50}?(?:acme)=([a-z]+)", r"(?i)(?:acme)=(?P<secret>[a-z]{1,1000})"),
        # A prefix written with underscores is also found with hyphens.
        (r"shpat_[a-fA-F0-9]{32}", r"shpat[_-][a-fA-F0-9]{32}"),
        # A group that repeats is no single span: the whole match is the secret.
        (r"x([a-f]{4}-){3}y", r"x(?:[a-f]{4}-){3}y"),
        # A leading class only starts where a run of it starts; \z is spelled \Z.
        (r"[a-z0-9]{14}\.atlasv1(?:\W|\z)", r"(?<![a-z0-9])[a-z0-9]{14}\.atlasv1(?:\W|\Z)"),
    ],
)
def test_the_import_translates_go_patterns_into_linear_python_ones(go: str, python: str) -> None:
    assert _import_script().translate(go) == python


@pytest.mark.parametrize(
    ("go", "problem"),
    [
        (r"curl(?:.*?(?:[\r\n]{1,2}.*?){1,5})-u", "a variable repetition inside another"),
        (r"\p{L}{3}", "a character class Python does not know"),
        (r"(?:a|)", "can match nothing at all"),
    ],
)
def test_the_import_refuses_patterns_it_cannot_run_in_linear_time(go: str, problem: str) -> None:
    script = _import_script()
    with pytest.raises(script.Untranslatable, match=re.escape(problem)):
        script.translate(go)


# Families whose providers scan public repositories for live-looking keys.
PROVIDER_SCANNED = {
    "aws", "github", "gitlab", "slack", "stripe", "openai", "anthropic", "google", "azure", "npm",
    "huggingface", "sendgrid", "discord", "pypi", "telegram", "mailchimp", "twilio", "vault",
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
    assert checked >= 45


def _fake(prefix: str, alphabet: str, length: int) -> str:
    """Obviously made up: the alphabet cycled, never a value anyone was issued."""
    return prefix + (alphabet * length)[:length]


def test_a_sample_excerpt_masks_a_stripe_key_written_with_hyphens() -> None:
    key = _fake("sk-" + "live-", "a1B2c3D4", 24)
    assert excerpt(f"the model echoed {key} back") == "the model echoed [redacted Stripe secret key] back"


def test_review_answers_with_newer_kinds_of_secret_are_refused_then_kept_on_request(
    cli: Cli, mini: Path
) -> None:
    notes = {
        "Discord bot token": _fake("MT" + "A", "x9Y8w7V6", 23) + ".Gh7kLm." + _fake("", "Qr5St4Uv3", 38),
        "GitLab pipeline trigger token": _fake("gl" + "ptt-", "0f1e2d3c4b5a", 40),
        "PyPI upload token": _fake("pypi-" + "AgEIcHlwaS5vcmc", "Ab1Cd2_Ef3-", 70),
        "Telegram bot token": "123456789:" + _fake("A" + "A", "h7G6f5E4d3", 33),
        "Mailchimp API key": _fake("", "9a8b7c6d5e4f", 32) + "-us" + "6",
        "Twilio API key": _fake("S" + "K", "1a2b3c4d5e6f", 32),
        "Stripe secret key": _fake("rk-" + "live-", "Zz9Yy8Xx7", 24),
    }
    notes_yaml = "; ".join(notes.values())
    answers = write(
        mini / "answers.yaml", f"data-kind: none\nfacts-checked: {{answer: yes, note: '{notes_yaml}'}}\n"
    )
    refused = cli("review", "mini", "--answers", str(answers))
    assert refused.exit_code == 2, refused.output
    assert f"facts-checked note: {', '.join(sorted(notes))}" in refused.stderr
    assert not any(value in refused.output for value in notes.values())
    assert not list((mini / ".micromoment/reviews").glob("*.yaml"))
    kept = cli("review", "mini", "--answers", str(answers), "--allow-sensitive")
    assert kept.exit_code == 0, kept.output
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    assert load_record(path).scan.kept == sorted(notes)
