"""`micromoment stats` over 10,000 and 20,000 records: whole-process time and peak memory.

Targets: 10,000 records warm in at most 0.3 s and 100 MB, cold in at most 3 s and 150 MB;
20,000 in at most 2.1x the time of 10,000. Each size is timed cold (no ledger cache: every
record parsed) and warm (the cache under .git/ holds the summaries), as medians of RUNS runs;
the two sizes run in turn, and their ratio is the median of the ratios of each pair.
The same 10,000 records as PyYAML writes them (`yaml.safe_dump`: sorted keys, other quoting)
are timed cold too, with the same target: a record's layout must not change how fast it is read.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
from pathlib import Path

from _harness import ENV, MICROMOMENT, PYTHON_PASS, report, run, scratch_repo

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5

MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
elapsed = time.perf_counter() - started
if done.returncode:
    sys.exit(done.stderr.decode()[-400:])
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

# The quick checklist's items, each with a question and an answer; the third is a "no" with a follow-up.
QUICK = [
    ("data-into-tool", "What is the most sensitive data this change sends?", "internal business data"),
    ("sensitive-data-masked", "Did you remove or mask the details the model does not need?", "yes"),
    ("outputs-looked-at", "Did you read a few real outputs and check their facts?", "no"),
    ("fuller-checklist-decided", "Did you decide whether a fuller checklist is needed?", "yes"),
]


def generate(repo: Path, count: int) -> None:
    """Records as `micromoment review` writes them: the same model, the same YAML."""
    from micromoment.identity import Person
    from micromoment.records import Answer, ChecklistRef, FollowUp, ReviewRecord, record_text

    folder = repo / ".micromoment" / "reviews"
    folder.mkdir(parents=True)
    ref = ChecklistRef(id="quick", title="Two-minute check", version="1.0", content_hash="sha256:" + "0" * 64)
    start = dt.datetime(2025, 1, 6, tzinfo=dt.timezone.utc)
    follow_up = FollowUp(action="add the policy page to the grounding", owner="engineering lead")
    for index in range(count):
        when = start + dt.timedelta(hours=index)
        answers = [
            Answer(item=item, question=question, answer=answer, answered_at=when)
            for item, question, answer in QUICK
        ]
        answers[2] = answers[2].model_copy(update={"note": "two answers were off", "follow_up": follow_up})
        record = ReviewRecord(
            id=f"{when:%Y-%m-%d}-quick-{index:05x}",
            checklist=ref,
            subject=f"change {index}",
            who=Person(name=f"Person {index % 25}", email=f"p{index % 25}@example.com"),
            started_at=when,
            finished_at=when,
            answers=answers,
            status="complete",
        )
        (folder / f"{record.id}.yaml").write_text(record_text(record), encoding="utf-8")


def redump(repo: Path) -> None:
    """Each record rewritten as another YAML tool would write the same data."""
    import yaml

    for path in (repo / ".micromoment" / "reviews").iterdir():
        path.write_text(yaml.safe_dump(yaml.safe_load(path.read_text(encoding="utf-8"))), encoding="utf-8")


def measure_once(repo: Path, cold: bool) -> tuple[float, float]:
    """One `stats --json`: seconds and peak MB; cold without the ledger, warm after a run that filled it."""
    if cold:
        (repo / ".git" / "micromoment" / "ledger.sqlite3").unlink(missing_ok=True)
    else:
        subprocess.run([*MICROMOMENT, "stats", "--json"], cwd=repo, env=ENV, check=True, capture_output=True)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *MICROMOMENT, "stats", "--json"],
        cwd=repo,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024  # KiB on Linux


def measure_pairs(small: Path, large: Path, cold: bool) -> tuple[float, float, float, float]:
    """The smaller repository's median seconds and largest peak, the larger one's median
    seconds, and the median of their ratios taken run by run: each pair runs back to back, so
    a machine whose speed drifts between runs still gives a ratio that holds."""
    pairs = [(measure_once(small, cold), measure_once(large, cold)) for _ in range(RUNS)]
    return (
        statistics.median(a[0] for a, _ in pairs),
        max(a[1] for a, _ in pairs),
        statistics.median(b[0] for _, b in pairs),
        statistics.median(b[0] / a[0] for a, b in pairs),
    )


def main() -> None:
    with scratch_repo("stats10000") as small, scratch_repo("stats20000") as large:
        generate(small, 10_000)
        generate(large, 20_000)
        results = {mode: measure_pairs(small, large, cold=mode == "cold") for mode in ("cold", "warm")}
        for repo, count in ((small, 10_000), (large, 20_000)):
            check = json.loads(
                subprocess.run(
                    [*MICROMOMENT, "stats", "--json"], cwd=repo, env=ENV, check=True, capture_output=True
                ).stdout
            )
            assert check["totals"]["reviews"] == count
        redump(small)
        redumped = [measure_once(small, cold=True) for _ in range(RUNS)]
        # Seconds depend on the machine: this says how fast the machine was, in the same run.
        baseline = statistics.median(run(PYTHON_PASS, small) for _ in range(11))
    limits = {"warm": (0.3, 100), "cold": (3.0, 150)}  # seconds, MB
    for mode in ("warm", "cold"):
        seconds, peak, larger, ratio = results[mode]
        most, megabytes = limits[mode]
        report(
            f"stats, 10,000 records ({mode})",
            f"{seconds:.2f} s ({seconds / baseline:.0f}x python -c pass), peak {peak:.0f} MB",
            f"<= {most:g} s, <= {megabytes} MB",
            seconds <= most and peak <= megabytes,
        )
        report(
            f"stats, 20,000 vs 10,000 records ({mode})",
            f"{ratio:.2f}x ({larger:.2f} s; median of {RUNS} paired runs)",
            "<= 2.1x",
            ratio <= 2.1,
        )
    seconds, peak = statistics.median(t for t, _ in redumped), max(m for _, m in redumped)
    report(
        "stats, 10,000 records re-dumped by PyYAML (cold)",
        f"{seconds:.2f} s ({seconds / baseline:.0f}x python -c pass), peak {peak:.0f} MB",
        "<= 3 s, <= 150 MB",
        seconds <= 3.0 and peak <= 150,
    )


if __name__ == "__main__":
    main()
