"""Detection and false-alarm rates of the guard, per family, and the table docs/guard.md shows.

    python tests/guard_rates.py           # print the rates and any miss or false alarm
    python tests/guard_rates.py --write   # rewrite the table in docs/guard.md
    python tests/guard_rates.py --check   # exit 1 if the table is out of date

`tests/test_guard_corpus.py` runs the check, so the published figures are the measured ones.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import guard_corpus
import guard_samples
from micromoment.capture.guard import RULES_FILE, rules, scan_text

DOC = Path(__file__).resolve().parent.parent / "docs/guard.md"
BEGIN = "<!-- guard-rates: written by tests/guard_rates.py --write -->"
END = "<!-- end of guard-rates -->"


@dataclass(frozen=True)
class Rates:
    """What the guard caught on the corpus."""

    per_family: dict[str, tuple[int, int]]  # family -> (caught, total)
    alarms_per_family: dict[str, int]  # family -> harmless texts it alarmed on
    misses: list[tuple[str, str]]
    false_alarms: list[str]
    negatives: int

    @property
    def detected(self) -> int:
        return sum(hits for hits, _ in self.per_family.values())

    @property
    def positives(self) -> int:
        return sum(total for _, total in self.per_family.values())

    @property
    def detection(self) -> float:
        return self.detected / self.positives

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.negatives


def labelled() -> tuple[list[tuple[str, str]], list[str]]:
    """The hand-written corpus and a sample and look-alike for every imported rule."""
    return (
        guard_corpus.positives() + guard_samples.positives(),
        guard_corpus.negatives() + guard_samples.negatives(),
    )


def measure() -> Rates:
    """A positive counts as caught only when a finding of its own family is among the findings."""
    positives, negatives = labelled()
    per_family: dict[str, tuple[int, int]] = {rule.family: (0, 0) for rule in rules()}
    misses: list[tuple[str, str]] = []
    for family, text in positives:
        caught = any(f.family == family for f in scan_text(text))
        hits, total = per_family.get(family, (0, 0))
        per_family[family] = (hits + caught, total + 1)
        if not caught:
            misses.append((family, text))
    alarms: dict[str, int] = dict.fromkeys(per_family, 0)
    false_alarms: list[str] = []
    for text in negatives:
        families = {f.family for f in scan_text(text)}
        for family in families:
            alarms[family] = alarms.get(family, 0) + 1
        if families:
            false_alarms.append(text)
    return Rates(per_family, alarms, misses, false_alarms, len(negatives))


def _not_imported() -> list[tuple[str, str]]:
    """The gitleaks rules the import skipped, and why, as rules.yaml records them."""
    text = RULES_FILE.read_text(encoding="utf-8")
    return re.findall(r"^  #   ([a-z0-9-]+): (.+)$", text, flags=re.MULTILINE)


def table(rates: Rates) -> str:
    """The markdown between the markers: every family, its rules, its rates; then what is skipped."""
    skipped = _not_imported()
    ids: dict[str, list[str]] = {}
    for rule in rules():
        ids.setdefault(rule.family, []).append(f"`{rule.id}`")
    lines = [
        BEGIN,
        "",
        f"| family | rules | detection | false alarms (of {rates.negatives}) |",
        "| --- | --- | --- | --- |",
    ]
    for family in sorted(ids):
        hits, total = rates.per_family[family]
        lines.append(
            f"| {family} | {', '.join(ids[family])} | {hits} of {total} | {rates.alarms_per_family[family]} |"
        )
    lines += [
        "",
        "| measure | result |",
        "| --- | --- |",
        f"| detection, all families | {rates.detected} of {rates.positives} ({rates.detection:.1%}) |",
        f"| false alarms | {len(rates.false_alarms)} of {rates.negatives} ({rates.false_alarm_rate:.1%}) |",
        "",
        "Kinds of gitleaks' rule set not covered, and why:",
        "",
        *(f"- `{rule_id}`: {reason}" for rule_id, reason in skipped if "hand-written" not in reason),
        "",
        "gitleaks rules covered by a hand-written rule instead: "
        + ", ".join(f"`{rule_id}`" for rule_id, reason in skipped if "hand-written" in reason)
        + ".",
        "",
        END,
    ]
    return "\n".join(lines)


def written_doc(rates: Rates) -> str:
    text = DOC.read_text(encoding="utf-8")
    before, found, rest = text.partition(BEGIN)
    if not found or END not in rest:
        raise SystemExit(f"{DOC}: the guard-rates markers are missing")
    return before + table(rates) + rest.partition(END)[2]


def main(argv: list[str]) -> int:
    rates = measure()
    if "--write" in argv or "--check" in argv:
        updated = written_doc(rates)
        if "--check" in argv:
            if updated != DOC.read_text(encoding="utf-8"):
                print(f"{DOC} is out of date; run python tests/guard_rates.py --write")
                return 1
            return 0
        DOC.write_text(updated, encoding="utf-8")
        return 0
    for family, (hits, total) in sorted(rates.per_family.items()):
        print(f"{family:20} {hits:3}/{total:<3} alarms {rates.alarms_per_family[family]}")
    print(f"detection {rates.detected}/{rates.positives} ({rates.detection:.1%})")
    print(f"false alarms {len(rates.false_alarms)}/{rates.negatives} ({rates.false_alarm_rate:.1%})")
    for family, text in rates.misses:
        print(f"  missed {family}: {text}")
    for text in rates.false_alarms:
        print(f"  false alarm: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
