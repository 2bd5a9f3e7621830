"""The commit hook when nothing is triggered, against `python -c pass` (target: at most 3.5x)."""

from __future__ import annotations

import sys

from _harness import PYTHON_PASS, git, interleaved_medians, report, scratch_repo, script_command, write_files

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 25


def main() -> None:
    with scratch_repo("fast") as repo:
        write_files(repo, ["README.md", "src/app.py"])
        git(repo, "add", "-A")
        medians = interleaved_medians(
            {"baseline": (PYTHON_PASS, repo, 0), "hook": ([*script_command(), "hook"], repo, 0)}, RUNS
        )
    ratio = medians["hook"] / medians["baseline"]
    report(
        "hook, nothing triggered",
        f"{ratio:.2f}x python -c pass ({medians['hook'] * 1000:.0f} ms vs {medians['baseline'] * 1000:.0f} ms, median of {RUNS})",
        "<= 3.5x",
        ratio <= 3.5,
    )


if __name__ == "__main__":
    main()
