"""`micromoment check --base` on a branch with 1,000 changed files and 1,000 records (target: under 1 s)."""

from __future__ import annotations

import sys

from _harness import (
    MICROMOMENT,
    PYTHON_PASS,
    commit_all,
    git,
    interleaved_medians,
    micromoment,
    report,
    scratch_repo,
    write_files,
)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def main() -> None:
    with scratch_repo("check") as repo:
        write_files(repo, ["README.md"])
        commit_all(repo)
        git(repo, "checkout", "-q", "-b", "feature")
        write_files(repo, [f"prompts/p{i}.txt" for i in range(500)] + [f"src/m{i}.py" for i in range(500)])
        # One real record, copied to 1,000 (as a long-lived branch gathering reviews would have).
        micromoment(repo, "skip", "genai-output-review", "--reason", "seed record for a benchmark run")
        reviews = repo / ".micromoment" / "reviews"
        [seed] = list(reviews.glob("*.yaml"))
        text = seed.read_text(encoding="utf-8")
        for i in range(999):
            (reviews / f"2026-01-01-genai-output-review-skip-{i:04x}.yaml").write_text(
                text.replace(seed.stem, f"2026-01-01-genai-output-review-skip-{i:04x}"), encoding="utf-8"
            )
        commit_all(repo, "a big branch")
        medians = interleaved_medians(
            {
                "baseline": (PYTHON_PASS, repo, 0),
                "check": ([*MICROMOMENT, "check", "--base", "main"], repo, 0),
            },
            RUNS,
        )
    seconds = medians["check"]
    report(
        "check --base, 1,000 changed files and 1,000 records",
        f"{seconds:.2f} s ({seconds / medians['baseline']:.0f}x python -c pass)",
        "< 1 s",
        seconds < 1,
    )


if __name__ == "__main__":
    main()
