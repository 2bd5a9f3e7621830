"""Startup against deon 0.3.0 (`deon` with no arguments prints its checklist as Markdown) and the
commit hook against bare Python, all timed in the same run, interleaved.

Targets: `list`, `show quick` and `--help` at most 1.0x deon, `render` of one 40-item record at
most 2x; the hook with nothing triggered (a change to a file that no checklist and no content
detector reads) at most 3.5x `python -c pass`, and on a branch whose change a committed record
covers at most 4x. A code change, which the content detectors read, has its own bench and target
(`detect_speed.py`, 4x). deon is installed once into a scratch venv of the bench's own (under the
temp folder), never into micromoment's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import (
    PYTHON_PASS,
    commit_all,
    git,
    interleaved_medians,
    micromoment,
    report,
    scratch_repo,
    script_command,
    write_files,
)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 11
DEON_VERSION = "0.3.0"


def deon_command() -> list[str]:
    venv = Path(tempfile.gettempdir()) / f"micromoment-bench-deon-{DEON_VERSION}"
    deon = venv / "bin" / "deon"
    if not deon.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"deon=={DEON_VERSION}"], check=True
        )
    return [str(deon)]


def forty_item_review(repo: Path) -> str:
    """A 40-item checklist and one review of it, recorded by micromoment itself; the record's id."""
    items = "".join(
        f"  - id: item-{n}\n    question: Is safeguard {n} in place for this feature?\n"
        f"    guidance: Why it matters, and how to check it in minutes.\n    owner: team\n    minutes: 2\n"
        f"    references:\n      - {{framework: owasp-llm, id: LLM0{n % 9 + 1}, version: '2025'}}\n"
        for n in range(1, 41)
    )
    write_files(
        repo,
        [".micromoment/checklists/forty.yaml"],
        f'id: forty\ntitle: Forty items\nversion: "1"\nitems:\n{items}',
    )
    answers = "".join(
        f"item-{n}: {{answer: {'no' if n % 5 == 0 else 'yes'}, note: 'looked at it | with *care* ({n})', "
        f"evidence: 'https://example.org/evidence/{n}'"
        + (f", follow_up: {{action: fix safeguard {n}, owner: team}}}}\n" if n % 5 == 0 else "}\n")
        for n in range(1, 41)
    )
    write_files(repo, ["answers.yaml"], answers)
    micromoment(repo, "review", "forty", "--answers", "answers.yaml", "--subject", "a big review")
    [record] = (repo / ".micromoment" / "reviews").glob("*.yaml")
    return record.stem


def covered_branch(repo: Path) -> None:
    """A branch with a committed skip record of data-safeguards, and a staged change it covers."""
    write_files(repo, ["README.md", "src/app.py"])
    commit_all(repo)
    git(repo, "switch", "-q", "-c", "feature")
    write_files(repo, ["db/migrations/0001_init.sql"], "create table flags (name text);\n")
    micromoment(
        repo, "skip", "data-safeguards", "--reason", "the table holds only feature flags, no user data"
    )
    commit_all(repo, "flags, with a skip")
    write_files(repo, ["db/migrations/0002_more.sql"], "alter table flags add column on bool;\n")
    git(repo, "add", "-A")


def main() -> None:
    deon = deon_command()
    cli = script_command()
    with scratch_repo("deon") as repo, scratch_repo("plain") as plain, scratch_repo("branch") as branch:
        record_id = forty_item_review(repo)
        write_files(plain, ["README.md"])
        commit_all(plain)
        write_files(plain, ["docs/notes.md"])
        git(plain, "add", "-A")
        covered_branch(branch)
        medians = interleaved_medians(
            {
                "python": (PYTHON_PASS, repo, 0),
                "deon": (deon, repo, 0),
                "list": ([*cli, "list"], repo, 0),
                "show": ([*cli, "show", "quick"], repo, 0),
                "render": ([*cli, "render", record_id, "--out", os.devnull], repo, 0),
                "help": ([*cli, "--help"], repo, 0),
                "hook plain": ([*cli, "hook"], plain, 0),
                "hook covered": ([*cli, "hook"], branch, 0),
            },
            RUNS,
        )
    deon_ms, python_ms = medians["deon"] * 1000, medians["python"] * 1000
    for name, title, target in (
        ("list", "micromoment list", 1.0),
        ("show", "micromoment show quick", 1.0),
        ("render", "micromoment render of one 40-item record", 2.0),
        ("help", "micromoment --help", 1.0),
    ):
        ratio = medians[name] / medians["deon"]
        report(
            title,
            f"{ratio:.2f}x deon ({medians[name] * 1000:.0f} ms vs {deon_ms:.0f} ms, median of {RUNS})",
            f"<= {target:g}x deon",
            ratio <= target,
        )
    for name, title, target in (
        ("hook plain", "hook, nothing triggered", 3.5),
        ("hook covered", "hook, branch with a covering record", 4.0),
    ):
        ratio = medians[name] / medians["python"]
        report(
            title,
            f"{ratio:.2f}x python -c pass ({medians[name] * 1000:.0f} ms vs {python_ms:.0f} ms, median of {RUNS})",
            f"<= {target:g}x",
            ratio <= target,
        )


if __name__ == "__main__":
    main()
